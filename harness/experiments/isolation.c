// SPDX-License-Identifier: GPL-2.0
/*
 * isolation (paper §5.1, Fig. 15/16): a plain user-space UDP echo server and
 * a memcached with the kvcache XDP offload share the server's veth, its one
 * receive queue and its CPU.  The echo server's latency (closed loop, one
 * request at a time) is measured
 *   echo_alone                 nothing else running, no XDP on the server
 *   echo_with_memcached        + a background memcached get load (open loop,
 *                                fixed rate), memcached answers it
 *   echo_with_kvcache          the same load, kvcache attached: mostly hits,
 *                                answered by XDP before the echo packets are
 *                                demultiplexed
 *   echo_with_kvcache_steered  the same, with RPS on the server's rx queue
 *                                handing the passed packets (the echo flow) to
 *                                another CPU: the paper's mitigation, as far as
 *                                veth allows (its native XDP still runs in the
 *                                sender's NAPI, before RPS)
 * The peer XDP_PASS program kvcache needs for XDP_TX on veth stays on the
 * client side in every configuration, so only the server side changes.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_link.h>

#include "net/echo_servers.h"
#include "kv/kvcache.h"
#include "net/loadgen.h"
#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"
#include "kv/memcached.h"
#include "kv/peer_mc.h"
#include "core/measure.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "net/peer.h"
#include "core/obench.h"
#include "net/topology.h"

#define ISO_MC_PORT	11211
#define ISO_KEY		"obench:isolation"
#define ISO_VALUE	"a small cached value"

/* isolation's flags, filled and validated by the runner before setup() */
struct isolation_cfg {
	double duration;
	double bg_rate;
	int size;
	int echo_port;
	int client_cpu;
	int bg_cpu;
	int server_cpu;
	const char *steer_cpus;
	int variant;
	struct net_remote remote;	/* two-host mode: both loads from the peer */
};

#define CFG(f) offsetof(struct isolation_cfg, f)
static const struct opt_spec isolation_opts[] = {
	{ "duration", OPT_DOUBLE, CFG(duration), .def = "5", .quick = "2", .full = "20", .min = 0.2, .max = 600,
	  .help = "seconds of echo load per configuration" },
	{ "bg-rate", OPT_DOUBLE, CFG(bg_rate), .def = "15000", .min = 100, .max = 5000000,
	  .help = "background memcached gets per second (open loop, Poisson)" },
	{ "size", OPT_INT, CFG(size), .def = "64", .min = 8, .max = 1400,
	  .help = "echo payload bytes" },
	{ "echo-port", OPT_INT, CFG(echo_port), .def = "7777", .min = 1024, .max = 65535,
	  .help = "UDP port of the echo server" },
	NET_CLIENT_CPU(CFG(client_cpu), "0"),
	{ "bg-cpu", OPT_INT, CFG(bg_cpu), .def = "1", .min = -1, .max = 1023,
	  .help = "CPU of the background memcached load client (its softirq runs the server veth's one NAPI)" },
	NET_SERVER_CPU(CFG(server_cpu), "0",
		       "the echo server, by default the client's: a cross-vCPU wakeup costs tens of us in a VM"),
	{ "steer-cpus", OPT_STR, CFG(steer_cpus),
	  .help = "rps_cpus mask (hex) for the steered configuration (default: the echo server's CPU)" },
	{ "variant", OPT_ENUM, CFG(variant), .def = "tail-const", .choices = KVCACHE_VARIANTS,
	  .help = "kvcache chaining variant (tail-const is BMC's own)" },
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

/* rps_cpus takes hex digits in comma-separated groups of 32 bits, e.g. "2" or "ff,ffffffff". */
static int isolation_validate(const void *cfg, char *err, size_t len)
{
	const char *m = ((const struct isolation_cfg *)cfg)->steer_cpus, *p;
	bool digit = false;

	if (!m)
		return net_remote_validate(&((const struct isolation_cfg *)cfg)->remote, err, len);
	for (p = m; *p; p++) {
		if (*p != ',' && !isxdigit((unsigned char)*p))
			break;
		digit |= *p != ',';
	}
	if (!*p && digit && p - m < 32)
		return net_remote_validate(&((const struct isolation_cfg *)cfg)->remote, err, len);
	snprintf(err, len, "--steer-cpus=%s: a CPU mask in hex as rps_cpus takes it, e.g. 2 or ff,ffffffff", m);
	return -1;
}

enum iso_cfg { ISO_ALONE, ISO_MEMCACHED, ISO_KVCACHE, ISO_STEERED, ISO_NR };

static const char *const iso_name[ISO_NR] = {
	"echo_alone", "echo_with_memcached", "echo_with_kvcache", "echo_with_kvcache_steered",
};

/* One configuration over all its slices. */
struct iso_acc {
	struct histogram h;
	uint64_t sent, lost, bad, bg_sent, bg_lost, bg_bad, hits;
	size_t echo_size;
	char why[128];			/* set: skipped, and why */
};

struct isolation {
	struct topo t;
	bool topo_up;
	struct memcached mc;
	struct mc_client cl;
	struct kvcache kc;
	bool kc_loaded, rps_on;
	struct echo_server es;
	char expect[MC_UDP_MAX];
	size_t expect_len;
	struct lg_echo echo;		/* the echo client's protocol state */
	struct lg_mc_thread bg;		/* the background memcached load of the current slice */
	struct histogram slice;		/* the current slice's echo latencies */
	struct iso_acc acc[ISO_NR];
	/* two-host mode: one ssh session per load, the echo client's and the background's */
	struct peer peer, bgpeer;
	bool remote, bg_open;
	char ip[INET_ADDRSTRLEN];
	struct lg_mcw_cfg wcfg;		/* the background load's one key */
	char rps_saved[64];		/* --iface: its rx-0 RPS mask before ours */
};

/*
 * Two hosts: memcached, kvcache and the echo server on --iface here; the
 * echo client and the background memcached load on the peer, each in its
 * own ssh session so that they run at once.
 */
static int iso_topology_remote(struct exp_env *env, struct isolation *x)
{
	const struct isolation_cfg *c = env->cfg;
	struct peer_addr a = { c->remote.peer_ssh, c->remote.ssh_config, c->remote.peer_obench };
	int err;

	if (memcached_check(env))
		return EXP_SKIP;
	err = peer_load_topology(env, &c->remote, &x->t, &x->peer, &x->topo_up, &x->remote,
				 "both loads");
	if (err)
		return err;
	if (peer_open(&x->bgpeer, &a, env->skip_reason, sizeof(env->skip_reason)))
		return EXP_SKIP;
	x->bg_open = true;
	inet_ntop(AF_INET, &x->t.server.addr, x->ip, sizeof(x->ip));
	if (netpath_rps_get(&x->t, x->rps_saved, sizeof(x->rps_saved)))
		x->rps_saved[0] = 0;
	x->wcfg = (struct lg_mcw_cfg){ .keys = { 1, 1 }, .value_size = { 32, 32 }, .seed = 0x5eed1501 };
	return 0;
}

static int isolation_setup(struct exp_env *env)
{
	const struct isolation_cfg *c = env->cfg;
	struct isolation *x = calloc(1, sizeof(*x));
	struct kvcache_config cfg = { .port = ISO_MC_PORT, .variant = c->variant };
	int err, n;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->cl.tcp = x->cl.udp = -1;
	if (c->remote.iface) {
		err = iso_topology_remote(env, x);
	} else {
		err = memcached_topology(env, &x->t);
		x->topo_up = !err;
	}
	if (err)
		return err;
	cfg.server_addr = x->t.server.addr.s_addr;
	err = kvcache_load(&x->kc, &cfg);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "kvcache %s does not load: %s",
			 kvcache_variant_name(c->variant), x->kc.verifier_log);
		return EXP_SKIP;
	}
	x->kc_loaded = true;
	err = x->remote ? 0 : kvcache_attach_peer_pass(&x->kc, x->t.client.nsfd, x->t.client.ifindex);
	if (!err)
		err = memcached_start(&x->mc, x->t.server.nsfd, x->t.server.addr, ISO_MC_PORT, ISO_MC_PORT, 1);
	if (!err)
		err = mc_client_open(&x->cl, x->t.client.nsfd, x->t.server.addr, ISO_MC_PORT, ISO_MC_PORT);
	if (!err)
		err = mc_set_tcp(&x->cl, ISO_KEY, 3, ISO_VALUE, strlen(ISO_VALUE));
	if (!err && x->remote)
		err = lg_mcw_store(&x->wcfg, &x->cl);
	if (!err)
		err = echo_server_start(&x->es, &x->t, SOCK_DGRAM, (uint16_t)c->echo_port, c->server_cpu);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot start memcached or the echo server (%s)",
			 strerror(err < 0 ? -err : EPROTO));
		return err < 0 ? err : -EPROTO;
	}
	n = mc_build_value_reply(x->expect, sizeof(x->expect), ISO_KEY, 3, ISO_VALUE, strlen(ISO_VALUE));
	if (n < 0)
		return -EINVAL;
	x->expect_len = (size_t)n;
	return 0;
}

/* The RPS mask of the steered configuration: --steer-cpus, or the echo server's CPU. */
static const char *steer_mask(const struct isolation_cfg *c, char *buf, size_t len)
{
	if (c->steer_cpus)
		return c->steer_cpus;
	snprintf(buf, len, "%llx", c->server_cpu >= 0 && c->server_cpu < 63 ? 1ull << c->server_cpu : 1ull);
	return buf;
}

/* Puts the server side in configuration @c, from whichever it is in. */
static int configure(struct exp_env *env, struct isolation *x, enum iso_cfg c)
{
	bool kvc = c >= ISO_KVCACHE, rps = c == ISO_STEERED;
	unsigned char rep[2048];
	char mask[32];
	int err = 0;

	if (x->rps_on && !rps) {
		err = netpath_rps(&x->t, TOPO_SERVER, x->rps_saved[0] ? x->rps_saved : "0");
		x->rps_on = err != 0;
	}
	if (!err && x->kc.xdp_attached && !kvc) {
		kvcache_detach(&x->kc);	/* takes the client side's XDP_PASS too: put it back */
		if (!x->remote)
			err = kvcache_attach_peer_pass(&x->kc, x->t.client.nsfd, x->t.client.ifindex);
	}
	if (!err && !x->kc.xdp_attached && kvc) {
		err = kvcache_attach(&x->kc, x->t.server.nsfd, x->t.server.ifindex, XDP_FLAGS_DRV_MODE);
		/* one miss fills the cache; the load then hits (two hosts: the peer's first get) */
		if (!err && !x->remote && mc_get_udp(&x->cl, ISO_KEY, rep, sizeof(rep)) < 0)
			err = -EIO;
	}
	if (!err && rps && !x->rps_on) {
		err = netpath_rps(&x->t, TOPO_SERVER, steer_mask(env->cfg, mask, sizeof(mask)));
		x->rps_on = !err;
	}
	return err;
}

/* The background memcached load: open loop at --bg-rate on --bg-cpu for @secs. */
static int start_bg(struct exp_env *env, struct isolation *x, double secs)
{
	const struct isolation_cfg *c = env->cfg;
	const struct lg_params prm = {
		.open_loop = true, .rate = c->bg_rate, .duration_s = secs, .timeout_ms = 200,
		.cpu = c->bg_cpu,
	};
	int fd = echo_client_connect(&x->t, SOCK_DGRAM, ISO_MC_PORT);

	if (fd < 0)
		return fd;
	return lg_mc_thread_start(&x->bg, fd, ISO_KEY, x->expect, x->expect_len, &prm);
}

/* Two hosts: the background load of a slice, in a thread (its ssh session blocks). */
struct remote_bg {
	struct isolation *x;
	double rate, secs;
	struct lg_result r;
	int err;
	char why[160];
};

static void *remote_bg_run(void *arg)
{
	struct remote_bg *b = arg;

	b->err = peer_mc_open(&b->x->bgpeer, b->x->ip, ISO_MC_PORT, &b->x->wcfg, b->rate, b->secs,
			      0, 200, -1, NULL, &b->r, b->why, sizeof(b->why));
	return NULL;
}

/* Two hosts: one slice, the echo client and (but alone) the background load on the peer. */
static int slice_remote(struct exp_env *env, struct isolation *x, enum iso_cfg c, double secs,
			struct lg_result *r)
{
	const struct isolation_cfg *cfg = env->cfg;
	struct lg_params prm = { .duration_s = secs, .warmup = 200, .timeout_ms = 200, .cpu = -1 };
	struct remote_bg b = { x, cfg->bg_rate, secs + 0.3, { 0 }, 0, "" };
	struct iso_acc *a = &x->acc[c];
	char why[160] = "";
	pthread_t th;
	int err;

	if (c != ISO_ALONE) {
		err = -pthread_create(&th, NULL, remote_bg_run, &b);
		if (err)
			return err;
		usleep(100000);	/* the background load runs before the echo starts */
	}
	err = peer_echo(&x->peer, x->ip, cfg->echo_port, (size_t)cfg->size, &prm, &x->slice, r, why,
			sizeof(why));
	if (c != ISO_ALONE) {
		pthread_join(th, NULL);
		if (!err && b.err) {
			err = b.err;
			snprintf(why, sizeof(why), "%s", b.why);
		}
		a->bg_sent += b.r.sent;
		a->bg_lost += b.r.lost;
		a->bg_bad += b.r.mismatched;
	}
	if (err && why[0])
		snprintf(env->skip_reason, sizeof(env->skip_reason), "%s", why);
	return err;
}

/* One slice of configuration @c: echo latencies into x->slice, counters into x->acc[c]. */
static int slice(struct exp_env *env, struct isolation *x, enum iso_cfg c, double secs)
{
	const struct isolation_cfg *cfg = env->cfg;
	struct lg_params prm = {
		.duration_s = secs, .warmup = 200, .timeout_ms = 200, .cpu = cfg->client_cpu,
	};
	struct iso_acc *a = &x->acc[c];
	struct kvcache_stats s0 = { 0 }, s1 = { 0 };
	struct lg_mc_thread *bg = &x->bg;
	struct lg_result r = { 0 };
	struct lg_proto p;
	int fd, err, bg_err;

	err = configure(env, x, c);
	if (err) {
		snprintf(a->why, sizeof(a->why), "cannot set up %s: %s", iso_name[c], strerror(-err));
		return 0;
	}
	if (x->remote) {
		x->echo.size = (size_t)cfg->size;
		hist_init(&x->slice);
		if (x->kc.xdp_attached)
			kvcache_read_stats(&x->kc, &s0);
		err = slice_remote(env, x, c, secs, &r);
		if (x->kc.xdp_attached)
			kvcache_read_stats(&x->kc, &s1);
		a->hits += s1.hit - s0.hit;
		goto account;
	}
	fd = echo_client_connect(&x->t, SOCK_DGRAM, (uint16_t)cfg->echo_port);
	if (fd < 0)
		return fd;
	lg_echo_init(&p, &x->echo, (size_t)cfg->size);
	hist_init(&x->slice);
	if (x->kc.xdp_attached)
		kvcache_read_stats(&x->kc, &s0);
	/* the background load starts first and outlasts the echo */
	if (c != ISO_ALONE) {
		err = start_bg(env, x, secs + 0.2);
		if (err) {
			close(fd);
			return err;
		}
		usleep(50000);
	}
	err = loadgen_run(fd, &p, &prm, &x->slice, &r);
	close(fd);
	if (c != ISO_ALONE) {
		bg_err = lg_mc_thread_join(bg);
		if (!err)
			err = bg_err;
		if (x->kc.xdp_attached)
			kvcache_read_stats(&x->kc, &s1);
		a->bg_sent += bg->res.sent;
		a->bg_lost += bg->res.lost;
		a->bg_bad += bg->res.mismatched;
		a->hits += s1.hit - s0.hit;
	}
account:
	a->sent += r.sent;
	a->lost += r.lost;
	a->bad += r.mismatched;
	if (err == -EINTR)
		return err;
	if (err) {
		snprintf(a->why, sizeof(a->why), "load failed: %s", strerror(-err));
		return 0;
	}
	hist_merge(&a->h, &x->slice);
	a->echo_size = x->echo.size;
	return a->bad || a->bg_bad ? -EPROTO : 0;
}

static void add_row(struct exp_env *env, struct isolation *x, enum iso_cfg c, int rounds)
{
	const struct isolation_cfg *cfg = env->cfg;
	struct iso_acc *a = &x->acc[c];
	char note[RESULT_NOTE], mask[32];
	struct stats st;

	if (a->why[0] || hist_stats(&a->h, 1e-3, &st)) {
		result_skip(env->rs, iso_name[c], "rtt_us", a->why[0] ? a->why : "no echo reply");
		return;
	}
	if (x->remote)
		snprintf(note, sizeof(note), "UDP echo %zu B; %d slices; echo client and background load "
			 "on the peer, server cpu %d; lost %llu", a->echo_size, rounds, cfg->server_cpu,
			 (unsigned long long)a->lost);
	else
		snprintf(note, sizeof(note), "UDP echo %zu B; %d slices; client/server cpu %d/%d; lost %llu",
			 a->echo_size, rounds, cfg->client_cpu, cfg->server_cpu,
			 (unsigned long long)a->lost);
	if (c != ISO_ALONE)
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "; bg %.0f gets/s on cpu %d: sent %llu lost %llu bad %llu; XDP hits %llu%s%s",
			 cfg->bg_rate, x->remote ? -1 : cfg->bg_cpu,
			 (unsigned long long)a->bg_sent, (unsigned long long)a->bg_lost,
			 (unsigned long long)a->bg_bad, (unsigned long long)a->hits,
			 c == ISO_STEERED ? "; RPS rx-0 -> " : "",
			 c == ISO_STEERED ? steer_mask(cfg, mask, sizeof(mask)) : "");
	env_add_hist(env, iso_name[c], "rtt_us", "us", &a->h, 1e-3, note);
}

/* The slices of one run and, per round, Fig. 16's "+45%": kvcache slice median / alone's. */
struct iso_run {
	struct isolation *x;
	double secs;			/* per slice */
	double alone_median;		/* this round's echo_alone slice, ns */
	double pct[64];
	int npct;
};

static int iso_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	struct iso_run *run = ctx;
	struct isolation *x = run->x;
	int err;

	(void)round;
	err = slice(env, x, conf, run->secs);
	if (err)
		return err;
	*sample = (double)hist_percentile(&x->slice, 50);
	if (conf == ISO_ALONE)
		run->alone_median = *sample;
	if (conf == ISO_KVCACHE && run->npct < 64 && run->alone_median > 0 && !x->acc[conf].why[0] &&
	    !x->acc[ISO_ALONE].why[0])
		run->pct[run->npct++] = (*sample / run->alone_median - 1) * 100;
	return 0;
}

/*
 * The configurations take turns in short slices (alone, memcached, kvcache,
 * steered, alone, ...) so that drift of the VM hits all alike; each row
 * merges its slices' histograms.
 */
static int isolation_run(struct exp_env *env)
{
	const struct isolation_cfg *cfg = env->cfg;
	int rounds = env->profile == PROFILE_QUICK ? 4 : env->profile == PROFILE_FULL ? 20 : 8;
	struct iso_run run = { .x = env->priv, .secs = cfg->duration / rounds };
	struct sampler s = {
		.nconf = ISO_NR, .rounds = (size_t)rounds, .step = iso_step, .ctx = &run,
		.names = iso_name,
	};
	double *medians = sampler_alloc(env, &s);
	int c, err;

	if (!medians)
		return -ENOMEM;
	for (c = 0; c < ISO_NR; c++)
		hist_init(&run.x->acc[c].h);
	err = sample_interleaved(env, &s, medians);
	free(medians);
	configure(env, run.x, ISO_ALONE);
	if (err)
		return err;
	for (c = 0; c < ISO_NR; c++)
		add_row(env, run.x, c, rounds);
	if (run.npct)
		env_add_samples_nowarm(env, "echo_with_kvcache_vs_alone", "median_increase_pct", "%",
				       run.pct, (size_t)run.npct,
				       "per round: echo median with kvcache traffic / echo median alone - 1");
	return 0;
}

static void isolation_teardown(struct exp_env *env)
{
	struct isolation *x = env->priv;

	if (!x)
		return;
	if (x->rps_on)
		netpath_rps(&x->t, TOPO_SERVER, x->rps_saved[0] ? x->rps_saved : "0");
	if (x->bg_open)
		peer_close(&x->bgpeer);
	if (x->remote)
		peer_close(&x->peer);
	if (x->es.running)
		echo_server_stop(&x->es);
	mc_client_close(&x->cl);
	if (x->kc_loaded)
		kvcache_destroy(&x->kc);
	memcached_stop(&x->mc);
	if (x->topo_up)
		topo_destroy(&x->t);
	free(x);
	env->priv = NULL;
}

static void isolation_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *a = result_find(rs, "echo_alone", "rtt_us");
	const struct result_row *m = result_find(rs, "echo_with_memcached", "rtt_us");
	int c;

	fputs("\nEcho latency against the echo server running alone (ratios of medians and p99s):\n\n"
	      "| configuration | median us | p99 us | median / alone | p99 / alone | median / with memcached |\n"
	      "|---|---|---|---|---|---|\n", md);
	for (c = 0; c < ISO_NR; c++) {
		const struct result_row *r = result_find(rs, iso_name[c], "rtt_us");

		if (!r || r->skipped || !a || a->skipped)
			continue;
		fprintf(md, "| %s | %.2f | %.2f | %.2f | %.2f | ", iso_name[c], r->st.median, r->st.p99,
			r->st.median / a->st.median, r->st.p99 / a->st.p99);
		if (m && !m->skipped && c != ISO_ALONE)
			fprintf(md, "%.2f |\n", r->st.median / m->st.median);
		else
			fputs("- |\n", md);
	}
	fputs("\n`echo_with_memcached` separates the effect of the extra traffic from that of the "
	      "offload: compare `echo_with_kvcache` with it, not only with `echo_alone`.  On veth the "
	      "server's native XDP runs in the NAPI context of the sending CPU; RPS can move only what "
	      "XDP passes (the echo flow's stack processing), not the XDP work queued before it.\n", md);
}

const struct experiment exp_isolation = {
	.name = "isolation",
	.paper_ref = "Fig. 16",
	.summary = "latency of a plain UDP echo server sharing a receive queue with a kvcache-accelerated memcached",
	.tiers = "host",
	.opts = isolation_opts,
	.cfg_size = sizeof(struct isolation_cfg),
	.validate = isolation_validate,
	.in_default_suite = true,
	.setup = isolation_setup,
	.run = isolation_run,
	.teardown = isolation_teardown,
	.report = isolation_report,
	.cleanup = netpath_cleanup,
};
