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
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/libbpf.h>

#include "echo.skel.h"
#include "net/echo_servers.h"
#include "core/histogram.h"
#include "net/loadgen.h"
#include "net/netpath.h"
#include "core/obench.h"
#include "net/topology.h"

/* echo's flags, filled and validated by the runner before setup() */
struct echo_cfg {
	struct opt_list hooks;
	int size;
	int requests;
	double open_loop_rate;
	int port;
	int timeout_ms;
	int client_cpu;
	int server_cpu;
	int rx_cpu;
	const char *iface;
	const char *peer;
};

#define CFG(f) offsetof(struct echo_cfg, f)
static const struct opt_spec echo_opts[] = {
	{ "hooks", OPT_ENUM_LIST, CFG(hooks), .def = "xdp,tc,sk_skb,socket,socket_tcp,sockperf_socket", .choices = (const char *const[]){ "xdp", "tc", "sk_skb", "socket", "socket_tcp", "sockperf_socket", NULL },
	  .help = "comma-separated configurations to measure" },
	{ "size", OPT_INT, CFG(size), .def = "64", .min = 8, .max = 8192,
	  .help = "payload bytes per request" },
	{ "requests", OPT_INT, CFG(requests), .def = "20000", .quick = "5000", .full = "100000", .min = 10, .max = 100000000,
	  .help = "measured requests per hook (default by profile: 5000 / 20000 / 100000)" },
	{ "open-loop-rate", OPT_DOUBLE, CFG(open_loop_rate), .def = "0", .min = 0, .max = 10000000,
	  .help = "Poisson arrivals at this rate (req/s); 0 = closed loop" },
	{ "port", OPT_INT, CFG(port), .def = "7777", .min = 1024, .max = 65535,
	  .help = "UDP/TCP port the echo servers answer" },
	{ "timeout-ms", OPT_INT, CFG(timeout_ms), .def = "200", .min = 1, .max = 60000,
	  .help = "a reply later than this counts as lost" },
	/*
	 * One CPU for client and server by default: in a closed loop only one
	 * side runs at a time, and on a VM waking an idle vCPU costs tens of us,
	 * which would swamp the path difference the figure is about.
	 */
	{ "client-cpu", OPT_INT, CFG(client_cpu), .def = "0", .min = -1, .max = 1023,
	  .help = "CPU of the load client (-1: not pinned)" },
	{ "server-cpu", OPT_INT, CFG(server_cpu), .def = "0", .min = -1, .max = 1023,
	  .help = "CPU of the user-space echo server (-1: not pinned)" },
	{ "rx-cpu", OPT_INT, CFG(rx_cpu), .def = "-1", .min = -1, .max = 1023,
	  .help = "CPU of the server veth's XDP receive processing (threaded NAPI; -1: veth's default, the sender's softirq)" },
	{ "iface", OPT_STR, CFG(iface),
	  .help = "hardware tier: server side on this interface (client = --peer host)" },
	{ "peer", OPT_STR, CFG(peer),
	  .help = "hardware tier: IP[,MAC] of the load-generator host" },
	OPT_END
};
#undef CFG

#define MAX_CFG 8

struct echo_exp {
	struct topo topo;
	bool topo_up;
	struct echo_bpf *skel;
	struct echo_hook hook;		/* the one currently attached */
	int nh;
	char names[MAX_CFG][32];
	struct histogram h[MAX_CFG];
	char rx_note[96];		/* where the server's receive processing runs */
};

/* configuration name -> echo_hook kind */
static const char *kind_of(const char *cfg)
{
	if (!strcmp(cfg, "socket"))
		return "udp";
	if (!strcmp(cfg, "socket_tcp"))
		return "tcp";
	return cfg;
}

static int echo_setup(struct exp_env *env)
{
	struct echo_exp *x = calloc(1, sizeof(*x));
	const char *iface = opt_str(env->opts, "iface");
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	if (iface) {
		if (!opt_str(env->opts, "peer")) {
			snprintf(env->skip_reason, sizeof(env->skip_reason), "--iface needs --peer IP[,MAC]");
			return -EINVAL;
		}
		err = topo_create_iface(&x->topo, iface, opt_str(env->opts, "peer"));
	} else {
		topo_cleanup_stale();
		err = topo_create(&x->topo);
	}
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot build the %s topology (%s)",
			 iface ? "interface" : "veth/netns", strerror(-err));
		return err;
	}
	x->topo_up = true;
	netpath_place_rx(&x->topo, iface ? -1 : (int)opt_int(env->opts, "rx-cpu"),
			 x->rx_note, sizeof(x->rx_note));
	x->skel = echo_bpf__open();
	if (!x->skel)
		return -errno;
	x->skel->rodata->port = (__u16)opt_int(env->opts, "port");
	err = echo_bpf__load(x->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the echo programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	x->hook.cli_fd = x->hook.srv_fd = x->hook.sk_map_fd = -1;
	return 0;
}

static uint64_t requests_of(const struct exp_env *env)
{
	if (opt_given(env->opts, "requests"))
		return (uint64_t)opt_int(env->opts, "requests");
	return env->profile == PROFILE_QUICK ? 5000 : env->profile == PROFILE_FULL ? 100000 : 20000;
}

/* One hook: attach, load, detach; the histogram goes to x->h[idx]. */
static int measure_hook(struct exp_env *env, struct echo_exp *x, const char *cfg, int idx)
{
	double rate = opt_double(env->opts, "open-loop-rate");
	struct lg_params prm = {
		.open_loop = rate > 0, .rate = rate, .requests = requests_of(env),
		.warmup = (uint64_t)env->warmup * 50, .timeout_ms = (int)opt_int(env->opts, "timeout-ms"),
		.cpu = (int)opt_int(env->opts, "client-cpu"),
	};
	static struct lg_echo echo;
	struct lg_result r;
	struct lg_proto p;
	struct stats st;
	char note[RESULT_NOTE];
	bool user;
	int err;

	err = echo_hook_start(&x->hook, x->skel, &x->topo, kind_of(cfg),
			      (uint16_t)opt_int(env->opts, "port"), (int)opt_int(env->opts, "server-cpu"));
	if (err) {
		snprintf(note, sizeof(note), "cannot start the %s echo server: %s", cfg, strerror(-err));
		result_skip(env->rs, cfg, "rtt_us", note);
		return 0;
	}
	prm.stream = x->hook.stream;
	lg_echo_init(&p, &echo, (size_t)opt_int(env->opts, "size"));
	hist_init(&x->h[idx]);
	x->skel->bss->echoed = 0;
	progress(env, "%s: %llu requests", cfg, (unsigned long long)prm.requests);
	err = loadgen_run(x->hook.cli_fd, &p, &prm, &x->h[idx], &r);
	echo_hook_stop(&x->hook);
	if (err == -EINTR)
		return err;
	if (err || hist_stats(&x->h[idx], 1e-3, &st)) {
		snprintf(note, sizeof(note), "load client failed: %s (sent %llu received %llu)",
			 strerror(err ? -err : EPROTO), (unsigned long long)r.sent,
			 (unsigned long long)r.received);
		result_skip(env->rs, cfg, "rtt_us", note);
		return 0;
	}
	snprintf(x->names[idx], sizeof(x->names[idx]), "%s", cfg);
	user = !strcmp(cfg, "socket") || !strcmp(cfg, "socket_tcp");
	snprintf(note, sizeof(note), "%s %s; %zu B; sent %llu lost %llu mismatched %llu late %llu; "
		 "%s echoes %llu; client cpu %d",
		 prm.open_loop ? "open loop" : "closed loop", prm.stream ? "TCP" : "UDP",
		 echo.size, (unsigned long long)r.sent, (unsigned long long)r.lost,
		 (unsigned long long)r.mismatched, (unsigned long long)r.late,
		 user ? "server" : "BPF",
		 (unsigned long long)(user ? x->hook.us.served : x->skel->bss->echoed), prm.cpu);
	if (user)
		snprintf(note + strlen(note), sizeof(note) - strlen(note), "; server cpu %lld",
			 opt_int(env->opts, "server-cpu"));
	snprintf(note + strlen(note), sizeof(note) - strlen(note), "; %s", x->rx_note);
	result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st, note);
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

/*
 * sockperf's server, in the server namespace: sockperf's client only accepts
 * replies its own server marked, so it cannot use our echo server.
 */
static pid_t spawn_sockperf_server(struct echo_exp *x, const char *ip, const char *port, int cpu)
{
	pid_t pid = fork();
	char c[16];
	int null;

	if (pid)
		return pid < 0 ? -errno : pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	if (topo_enter(&x->topo, TOPO_SERVER))
		_exit(127);
	snprintf(c, sizeof(c), "%d", cpu);
	if (cpu >= 0)
		execl("/usr/bin/taskset", "taskset", "-c", c, "/usr/bin/sockperf", "server",
		      "-i", ip, "-p", port, (char *)NULL);
	execl("/usr/bin/sockperf", "sockperf", "server", "-i", ip, "-p", port, (char *)NULL);
	_exit(127);
}

/* sockperf ping-pong from the client namespace to sockperf's UDP server. */
static int measure_sockperf(struct exp_env *env, struct echo_exp *x, const char *cfg)
{
	char ip[32], port[16], size[16], secs[16];
	double est_s = (double)requests_of(env) * 10e-6;
	struct stats st = { 0 };
	int pfd[2], status;
	pid_t pid, srv;
	FILE *f;

	if (access("/usr/bin/sockperf", X_OK)) {
		result_skip(env->rs, cfg, "rtt_us", "sockperf is not installed (apt-get install sockperf)");
		return 0;
	}
	if (x->topo.hardware) {
		result_skip(env->rs, cfg, "rtt_us", "hardware tier: run sockperf on the peer host");
		return 0;
	}
	inet_ntop(AF_INET, &x->topo.server.addr, ip, sizeof(ip));
	snprintf(port, sizeof(port), "%lld", opt_int(env->opts, "port"));
	snprintf(size, sizeof(size), "%lld", opt_int(env->opts, "size"));
	/* sockperf runs for a time, not a count: about as long as our client took */
	snprintf(secs, sizeof(secs), "%d", est_s < 1 ? 1 : (int)est_s + 1);
	srv = spawn_sockperf_server(x, ip, port, (int)opt_int(env->opts, "server-cpu"));
	if (srv < 0)
		return srv;
	usleep(300000);	/* until it has bound its port */
	if (pipe(pfd)) {
		kill(srv, SIGKILL);
		waitpid(srv, NULL, 0);
		return -errno;
	}
	progress(env, "%s: sockperf ping-pong %s s", cfg, secs);
	pid = fork();
	if (pid == 0) {
		char cpu[16];

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 1);
		close(pfd[0]);
		if (topo_enter(&x->topo, TOPO_CLIENT))
			_exit(127);
		snprintf(cpu, sizeof(cpu), "%lld", opt_int(env->opts, "client-cpu"));
		if (opt_int(env->opts, "client-cpu") >= 0)
			execl("/usr/bin/taskset", "taskset", "-c", cpu, "/usr/bin/sockperf", "ping-pong",
			      "-i", ip, "-p", port, "-m", size, "-t", secs, "--full-rtt", (char *)NULL);
		execl("/usr/bin/sockperf", "sockperf", "ping-pong", "-i", ip, "-p", port, "-m", size,
		      "-t", secs, "--full-rtt", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (f) {
		sockperf_parse(f, &st);
		fclose(f);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		if (obench_interrupted())
			kill(pid, SIGKILL);
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	if (obench_interrupted())
		return -EINTR;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !st.n || !st.median) {
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
	char list[256], *save, *cfg;
	int err = 0, e;

	snprintf(list, sizeof(list), "%s", opt_str(env->opts, "hooks"));
	for (cfg = strtok_r(list, ",", &save); cfg && !err; cfg = strtok_r(NULL, ",", &save)) {
		if (obench_interrupted())
			return -EINTR;
		if (!strcmp(cfg, "sockperf_socket")) {
			err = measure_sockperf(env, x, cfg);
			continue;
		}
		if (strcmp(cfg, "xdp") && strcmp(cfg, "tc") && strcmp(cfg, "sk_skb") &&
		    strcmp(cfg, "socket") && strcmp(cfg, "socket_tcp")) {
			snprintf(env->skip_reason, sizeof(env->skip_reason),
				 "unknown --hooks entry '%s' (xdp,tc,sk_skb,socket,socket_tcp,sockperf_socket)", cfg);
			return -EINVAL;
		}
		if (x->topo.hardware) {
			result_skip(env->rs, cfg, "rtt_us", "hardware tier: server attached; run the load client on the peer host");
			continue;
		}
		if (x->nh == MAX_CFG)
			break;
		e = measure_hook(env, x, cfg, x->nh++);
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
	echo_bpf__destroy(x->skel);
	if (x->topo_up)
		topo_destroy(&x->topo);
	free(x);
	env->priv = NULL;
}

static int echo_cleanup(void)
{
	int n = topo_cleanup_stale();

	if (n > 0)
		printf("obench cleanup: removed %d stale obench network namespace%s\n", n, n == 1 ? "" : "s");
	return n < 0 ? n : 0;
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
	.in_default_suite = true,
	.setup = echo_setup,
	.run = echo_run,
	.teardown = echo_teardown,
	.report = echo_report,
	.cleanup = echo_cleanup,
};
