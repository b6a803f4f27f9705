// SPDX-License-Identifier: GPL-2.0
/*
 * echo (paper Fig. 3): response latency of an echo server placed at XDP, TC,
 * SK_SKB, and in user space (UDP; TCP as the fair baseline for SK_SKB, which
 * only sees TCP).  Client and server sit in two namespaces joined by a veth
 * pair; the client (loadgen.c) sends one request at a time by default and
 * checks every reply byte for byte.  One row per hook, metric rtt_us, stats
 * from the latency histogram; the CDFs go to echo_cdf.csv for plotting.
 * sockperf ping-pong against the same user-space UDP server is a reference
 * for the floor of our own client.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include "core/histogram.h"
#include "core/obench.h"
#include "core/spawn.h"
#include "echo.skel.h"
#include "net/echo_servers.h"
#include "net/loadgen.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "net/peer.h"
#include "net/topology.h"

#define SOCKPERF	"/usr/bin/sockperf"

/* The --hooks choices: a configuration each, one row each. */
enum { H_XDP, H_TC, H_SK_SKB, H_SK_SKB_UDP, H_SOCKET, H_SOCKET_TCP, H_SOCKPERF, NR_HOOKS };
static const char *const hook_names[NR_HOOKS + 1] = {
	"xdp", "tc", "sk_skb", "sk_skb_udp", "socket", "socket_tcp", "sockperf_socket", NULL
};
/* The echo server of each configuration but sockperf's (which brings its own). */
static const enum echo_kind hook_kind[NR_HOOKS] = {
	[H_XDP] = ECHO_XDP, [H_TC] = ECHO_TC, [H_SK_SKB] = ECHO_SK_SKB, [H_SK_SKB_UDP] = ECHO_SK_SKB_UDP,
	[H_SOCKET] = ECHO_UDP, [H_SOCKET_TCP] = ECHO_TCP,
};

/* echo's flags, filled and validated by the runner before setup() */
struct echo_cfg {
	struct opt_list hooks;
	int size;
	int requests;
	double open_loop_rate;
	int port;
	int timeout_ms;
	struct net_place place;
	struct net_remote remote;
};

#define CFG(f) offsetof(struct echo_cfg, f)
static const struct opt_spec echo_opts[] = {
	{ "hooks", OPT_ENUM_LIST, CFG(hooks), .def = "xdp,tc,sk_skb,sk_skb_udp,socket,socket_tcp,sockperf_socket",
	  .choices = hook_names, .help = "comma-separated configurations to measure" },
	{ "size", OPT_INT, CFG(size), .def = "64", .min = 8, .max = 8192,
	  .help = "payload bytes per request" },
	{ "requests", OPT_INT, CFG(requests), .def = "20000", .quick = "5000", .full = "100000", .min = 10, .max = 100000000,
	  .help = "measured requests per hook" },
	{ "open-loop-rate", OPT_DOUBLE, CFG(open_loop_rate), .def = "0", .min = 0, .max = 10000000,
	  .help = "Poisson arrivals at this rate (req/s); 0 = closed loop" },
	NET_PORT(CFG(port), "7777", "UDP/TCP port the echo servers answer"),
	NET_TIMEOUT_MS(CFG(timeout_ms)),
	/*
	 * One CPU for client and server by default: in a closed loop only one
	 * side runs at a time, and on a VM waking an idle vCPU costs tens of us,
	 * which would swamp the path difference the figure is about.
	 */
	NET_CLIENT_CPU(CFG(place.client_cpu), "0"),
	NET_SERVER_CPU(CFG(place.server_cpu), "0", "the user-space echo server"),
	NET_RX_CPU(CFG(place.rx_cpu), "-1"),
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

static int echo_validate(const void *cfg, char *err, size_t errlen)
{
	return net_remote_validate(&((const struct echo_cfg *)cfg)->remote, err, errlen);
}

#define MAX_CFG 8

struct echo_exp {
	const struct echo_cfg *cfg;
	struct topo topo;
	bool topo_up;
	struct echo_bpf *skel;
	struct echo_hook hook;		/* the one currently attached */
	struct lg_echo echo;		/* the load client's request/reply checker */
	int nh;
	char names[MAX_CFG][32];
	struct histogram h[MAX_CFG];
	char rx_note[96];		/* where the server's receive processing runs */
	struct peer peer;		/* two-host mode: the session to the load client's host */
	bool remote;
	struct lg_result rres;		/* the peer's counters of the last hook */
};

/* Two-host mode: the load client runs on the peer against the server's address. */
static int remote_load(struct exp_env *env, struct echo_exp *x, const struct lg_params *prm, int idx)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &x->topo.server.addr, ip, sizeof(ip));
	return peer_echo(&x->peer, ip, x->cfg->port, (size_t)x->cfg->size, prm, &x->h[idx],
			 &x->rres, env->skip_reason, sizeof(env->skip_reason));
}

static int echo_setup(struct exp_env *env)
{
	struct echo_exp *x = calloc(1, sizeof(*x));
	const struct echo_cfg *c = env->cfg;
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->cfg = c;
	x->hook.cli_fd = x->hook.srv_fd = x->hook.sk_map_fd = -1;
	if (c->remote.iface) {
		/* the server side on --iface, and with --peer-ssh the session to the peer */
		err = peer_topology(env, &c->remote, &x->topo, &x->peer, &x->remote);
		if (err)
			return err;
	} else {
		topo_cleanup_stale();
		err = topo_create(&x->topo);
		if (err) {
			snprintf(env->skip_reason, sizeof(env->skip_reason),
				 "cannot build the veth/netns topology (%s)", strerror(-err));
			return err;
		}
	}
	x->topo_up = true;
	netpath_place_rx(&x->topo, c->remote.iface ? -1 : c->place.rx_cpu, x->rx_note, sizeof(x->rx_note));
	x->skel = echo_bpf__open();
	if (!x->skel)
		return -errno;
	x->skel->rodata->port = (__u16)c->port;
	err = echo_bpf__load(x->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the echo programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	return 0;
}

/* The row's note: how the load ran, what it counted, where each side ran. */
static void hook_note(const struct echo_exp *x, int hook, const struct lg_params *prm,
		      const struct lg_result *r, char *note, size_t len)
{
	bool user = hook == H_SOCKET || hook == H_SOCKET_TCP;
	size_t n;

	n = (size_t)snprintf(note, len, "%s %s; %zu B; sent %llu lost %llu mismatched %llu late %llu; "
			     "%s echoes %llu; client cpu %d",
			     prm->open_loop ? "open loop" : "closed loop", prm->stream ? "TCP" : "UDP",
			     x->echo.size, (unsigned long long)r->sent, (unsigned long long)r->lost,
			     (unsigned long long)r->mismatched, (unsigned long long)r->late,
			     user ? "server" : "BPF",
			     (unsigned long long)(user ? x->hook.us.served : x->skel->bss->echoed),
			     prm->cpu);
	if (user && n < len)
		n += (size_t)snprintf(note + n, len - n, "; server cpu %d", x->cfg->place.server_cpu);
	if (n < len)
		snprintf(note + n, len - n, "; %s", x->rx_note);
}

/* One hook: attach, load, detach; the histogram goes to x->h[idx]. */
static int measure_hook(struct exp_env *env, struct echo_exp *x, int hook, int idx)
{
	const struct echo_cfg *c = x->cfg;
	const char *cfg = hook_names[hook];
	struct lg_params prm = {
		.open_loop = c->open_loop_rate > 0, .rate = c->open_loop_rate,
		.requests = (uint64_t)c->requests, .warmup = (uint64_t)env->warmup * 50,
		.timeout_ms = c->timeout_ms, .cpu = c->place.client_cpu,
	};
	char note[RESULT_NOTE];
	struct lg_result r;
	struct lg_proto p;
	struct stats st;
	int err;

	err = echo_hook_start_kind(&x->hook, x->skel, &x->topo, hook_kind[hook],
				   (uint16_t)c->port, c->place.server_cpu);
	if (err) {
		snprintf(note, sizeof(note), "cannot start the %s echo server: %s", cfg, strerror(-err));
		result_skip(env->rs, cfg, "rtt_us", note);
		return 0;
	}
	prm.stream = x->hook.stream;
	lg_echo_init(&p, &x->echo, (size_t)c->size);
	hist_init(&x->h[idx]);
	x->skel->bss->echoed = 0;
	progress(env, "%s: %llu requests%s", cfg, (unsigned long long)prm.requests,
		 x->remote ? " from the peer" : "");
	if (x->remote)
		err = remote_load(env, x, &prm, idx);
	else
		err = loadgen_run(x->hook.cli_fd, &p, &prm, &x->h[idx], &r);
	if (x->remote)
		r = x->rres;
	echo_hook_stop(&x->hook);
	if (err == -EINTR || err == -EPIPE)
		return err;
	if (err || hist_stats(&x->h[idx], 1e-3, &st)) {
		snprintf(note, sizeof(note), "load client failed: %s (sent %llu received %llu)",
			 strerror(err ? -err : EPROTO), (unsigned long long)r.sent,
			 (unsigned long long)r.received);
		result_skip(env->rs, cfg, "rtt_us", note);
		return 0;
	}
	snprintf(x->names[idx], sizeof(x->names[idx]), "%s", cfg);
	hook_note(x, hook, &prm, &r, note, sizeof(note));
	env_add_hist(env, cfg, "rtt_us", "us", &x->h[idx], 1e-3, note);
	return r.mismatched ? -EPROTO : 0;
}

/* Reads "sockperf: ---> percentile 50.000 =    4.321" style lines. */
static void sockperf_parse(FILE *f, struct stats *st)
{
	char line[512];
	double p, v;
	unsigned long n;

	while (fgets(line, sizeof(line), f)) {
		const char *s = strstr(line, "--->");

		if (sscanf(line, "sockperf: [Valid Duration] RunTime=%*f sec; SentMessages=%*u; ReceivedMessages=%lu", &n) == 1)
			st->n = n;
		if (!s)
			continue;
		if (sscanf(s, "---> percentile %lf = %lf", &p, &v) == 2) {
			if (p == 25)
				st->q1 = v;
			else if (p == 50)
				st->median = v;
			else if (p == 75)
				st->q3 = v;
			else if (p == 99)
				st->p99 = v;
			else if (p == 99.9)
				st->p999 = v;
		} else if (sscanf(s, "---> <MAX> observation = %lf", &v) == 1) {
			st->max = v;
		} else if (sscanf(s, "---> <MIN> observation = %lf", &v) == 1) {
			st->min = v;
		}
	}
}

/* What sockperf's server and client are told: the server's address, port, size, seconds. */
struct sockperf_args {
	char ip[INET_ADDRSTRLEN], port[16], size[16], secs[16];
};

/*
 * sockperf ping-pong from the client namespace against sockperf's own
 * server in the server namespace (its client only accepts replies its own
 * server marked, so it cannot use our echo server).  Its exit status, or
 * -errno; the percentiles it printed in *st.
 */
static int sockperf_pingpong(const struct echo_exp *x, struct sockperf_args *a, struct stats *st)
{
	char *srv_argv[] = { SOCKPERF, "server", "-i", a->ip, "-p", a->port, NULL };
	char *cli_argv[] = { SOCKPERF, "ping-pong", "-i", a->ip, "-p", a->port, "-m", a->size,
			     "-t", a->secs, "--full-rtt", NULL };
	struct spawn_opts so = SPAWN_OPTS, co = SPAWN_OPTS;
	pid_t srv, cli;
	int out, status;
	FILE *f;

	so.netns_fd = topo_nsfd(&x->topo, TOPO_SERVER);
	so.cpu = x->cfg->place.server_cpu;
	srv = spawn_exec(&so, srv_argv, NULL);
	if (srv < 0)
		return srv;
	usleep(300000);	/* until it has bound its port */
	co.netns_fd = topo_nsfd(&x->topo, TOPO_CLIENT);
	co.cpu = x->cfg->place.client_cpu;
	co.capture = true;
	cli = spawn_exec(&co, cli_argv, &out);
	if (cli < 0) {
		spawn_stop(srv, 0);
		return cli;
	}
	f = fdopen(out, "r");
	if (f) {
		sockperf_parse(f, st);
		fclose(f);
	} else {
		close(out);
	}
	status = spawn_wait(cli);
	spawn_stop(srv, 0);
	return status;
}

static int measure_sockperf(struct exp_env *env, struct echo_exp *x, const char *cfg)
{
	double est_s = (double)x->cfg->requests * 10e-6;
	struct sockperf_args a;
	struct stats st = { 0 };
	int status;

	if (access(SOCKPERF, X_OK)) {
		result_skip(env->rs, cfg, "rtt_us", "sockperf is not installed (apt-get install sockperf)");
		return 0;
	}
	if (x->topo.hardware) {
		result_skip(env->rs, cfg, "rtt_us", "hardware tier: run sockperf on the peer host");
		return 0;
	}
	inet_ntop(AF_INET, &x->topo.server.addr, a.ip, sizeof(a.ip));
	snprintf(a.port, sizeof(a.port), "%d", x->cfg->port);
	snprintf(a.size, sizeof(a.size), "%d", x->cfg->size);
	/* sockperf runs for a time, not a count: about as long as our client took */
	snprintf(a.secs, sizeof(a.secs), "%d", est_s < 1 ? 1 : (int)est_s + 1);
	progress(env, "%s: sockperf ping-pong %s s", cfg, a.secs);
	status = sockperf_pingpong(x, &a, &st);
	if (obench_interrupted())
		return -EINTR;
	if (status < 0)
		return status;
	if (status || !st.n || !st.median) {
		result_skip(env->rs, cfg, "rtt_us", "sockperf ping-pong failed or printed no percentiles");
		return 0;
	}
	st.p1 = st.min;	/* sockperf prints no 1st percentile */
	result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st,
		   "sockperf ping-pong --full-rtt (UDP) against sockperf server (user-space UDP echo; same veth/netns; "
		   "same CPUs); percentiles as sockperf prints them");
	return 0;
}

static int write_cdf(const struct exp_env *env, struct echo_exp *x)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i, err = 0;

	if (!f)
		return -errno;
	fprintf(f, "config,rtt_us,cdf\n");
	for (i = 0; i < x->nh; i++)
		if (x->names[i][0] && hist_write_cdf(&x->h[i], f, x->names[i], 1e-3) < 0)
			err = -EIO;
	fclose(f);
	snprintf(path, sizeof(path), "%s/echo_cdf.csv", env->run_dir);
	if (!err && write_file_atomic(path, buf, len))
		err = -EIO;
	free(buf);
	return err;
}

static int echo_run(struct exp_env *env)
{
	struct echo_exp *x = env->priv;
	const struct opt_list *hooks = &x->cfg->hooks;
	int err = 0, e, i;

	for (i = 0; i < hooks->n && !err; i++) {
		int hook = (int)hooks->v[i];
		const char *cfg = hook_names[hook];

		if (obench_interrupted())
			return -EINTR;
		if (hook == H_SOCKPERF) {
			err = measure_sockperf(env, x, cfg);
			continue;
		}
		if (x->topo.hardware && !x->remote) {
			result_skip(env->rs, cfg, "rtt_us", "hardware tier: server attached; pass --peer-ssh to run the load client on the peer host");
			continue;
		}
		if (x->remote && (hook == H_SK_SKB || hook == H_SK_SKB_UDP)) {
			result_skip(env->rs, cfg, "rtt_us", "two-host mode: SK_SKB echo needs the client socket on the DUT (not supported)");
			continue;
		}
		if (x->nh == MAX_CFG)
			break;
		e = measure_hook(env, x, hook, x->nh++);
		if (e == -EPROTO)
			snprintf(env->skip_reason, sizeof(env->skip_reason), "%s: replies differ from requests", cfg);
		err = e;
	}
	e = write_cdf(env, x);
	return err ? err : e;
}

static void echo_teardown(struct exp_env *env)
{
	struct echo_exp *x = env->priv;

	if (!x)
		return;
	if (x->skel)
		echo_hook_stop(&x->hook);
	if (x->remote)
		peer_close(&x->peer);
	echo_bpf__destroy(x->skel);
	if (x->topo_up)
		topo_destroy(&x->topo);
	free(x);
	env->priv = NULL;
}

/* The paper states differences, not ratios: show ours beside them. */
static void echo_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *s = result_find(rs, "socket", "rtt_us");
	const struct result_row *st = result_find(rs, "socket_tcp", "rtt_us");
	static const char *const hooks[] = { "xdp", "tc", "sk_skb" };
	unsigned int i;

	fprintf(md, "\nFig. 3 states latency *gains* over the user-space server: XDP and TC about 6 us, "
		"SK_SKB nearly none. Ours (socket median minus hook median; SK_SKB against the TCP server):\n\n"
		"| hook | paper gain | our gain (us) |\n|---|---|---|\n");
	for (i = 0; i < 3; i++) {
		const struct result_row *h = result_find(rs, hooks[i], "rtt_us");
		const struct result_row *base = i == 2 ? st : s;

		if (h && base && !h->skipped && !base->skipped)
			fprintf(md, "| %s | %s | %.2f |\n", hooks[i], i == 2 ? "~0" : "~6",
				base->st.median - h->st.median);
	}
	fprintf(md, "\nPer-hook CDFs: `echo_cdf.csv` (config, rtt_us, cdf).\n\n"
		"Placement: by default the client and the user-space servers share one CPU and "
		"the server veth's receive work runs in the sender's softirq (see each row's note). "
		"In a closed loop only one side runs at a time, and on a VM waking an idle vCPU "
		"costs tens of microseconds, which would hide the path difference this figure is "
		"about; `--client-cpu`, `--server-cpu` and `--rx-cpu` (threaded NAPI) change it.\n");
}

const struct experiment exp_echo = {
	.name = "echo",
	.paper_ref = "Fig. 3",
	.summary = "echo-server RTT distribution at XDP, TC, SK_SKB vs a user-space socket server (veth)",
	.tiers = "host,hw",
	.opts = echo_opts,
	.cfg_size = sizeof(struct echo_cfg),
	.validate = echo_validate,
	.in_default_suite = true,
	.setup = echo_setup,
	.run = echo_run,
	.teardown = echo_teardown,
	.report = echo_report,
	.cleanup = netpath_cleanup,
};
