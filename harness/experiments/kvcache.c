// SPDX-License-Identifier: GPL-2.0
/*
 * kvcache (paper Figs. 4-6, §3.2): a real memcached (Debian's, -t 1) in the
 * server namespace, with and without our XDP look-aside cache in front of it
 * (bpf/kvcache.bpf.c, BMC's design; chaining variant by --variant).
 *
 *  (a) throughput, one small cacheable key: memcached alone vs with the cache
 *      (saturating client, --window requests outstanding): Fig. 4.
 *  (b) mixed open-loop load: small cacheable gets (--bg-rate) plus large-value
 *      gets that only memcached serves (--slow-rate): overall and slow-path
 *      latency with and without the cache: Figs. 5-6.
 *  (c) §3.2's advisor: rho = eBPF cost per slow-path request (bpf_stats of the
 *      XDP entry program + the TC fill program) / memcached's cost per request
 *      (1 / its saturated throughput); predicted break-even omega* = rho; and a
 *      sweep of the cacheable fraction whose cost curves (1 / throughput)
 *      give the measured crossover.
 *  Load generator check: our client's max throughput against memcached alone
 *  beside memaslap's (libmemcached-tools) on the same topology and CPUs.
 *
 * Every reply is checked byte for byte; one mismatch fails the run.
 * Configurations with and without the cache alternate (attach/detach per
 * sample or sweep point) so a drift of the shared VM hits both alike.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>

#include "kv/advisor.h"
#include "kv/consistency.h"
#include "core/cpu_times.h"
#include "core/histogram.h"
#include "kv/kvcache.h"
#include "net/loadgen.h"
#include "kv/loadgen_proto_mc.h"
#include "core/measure.h"
#include "kv/memcached.h"
#include "kv/peer_mc.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "core/obench.h"
#include "core/spawn.h"
#include "net/topology.h"

#define MAX_POINTS 16		/* of the --hit-fractions sweep */

/* kvcache's flags, filled and validated by the runner before setup() */
struct kvcache_cfg {
	int variant;			/* enum kvcache_variant */
	int port;
	struct net_place place;
	int small_size;
	int large_size;
	int keys;
	double zipf;
	double set_ratio;
	int window;
	double duration;
	double bg_rate;
	double slow_rate;
	double mixed_duration;
	struct opt_list hit_fractions;
	bool skip_memaslap;
	int timeout_ms;
	bool check_consistency;
	double check_seconds;
	long long check_reads;
	bool unsafe_fills;
	struct net_remote remote;
};

#define CFG(f) offsetof(struct kvcache_cfg, f)
static const struct opt_spec kv_opts[] = {
	{ "variant", OPT_ENUM, CFG(variant), .def = "tail-const", .choices = KVCACHE_VARIANTS,
	  .help = "how the fast path chains its stages (tail-const is BMC's)" },
	NET_PORT(CFG(port), "11211", "memcached's TCP and UDP port"),
	NET_CLIENT_CPU(CFG(place.client_cpu), "0"),
	NET_SERVER_CPU(CFG(place.server_cpu), "1", "memcached, all its threads"),
	NET_RX_CPU(CFG(place.rx_cpu), "1"),
	{ "small-size", OPT_INT, CFG(small_size), .def = "64", .min = 1, .max = 200,
	  .help = "value bytes of the cacheable class (veth: cached replies only up to ~230 B)" },
	{ "large-size", OPT_INT, CFG(large_size), .def = "1100", .min = 1001, .max = 1300,
	  .help = "value bytes of the slow-path class (> 1000: never cached)" },
	{ "keys", OPT_INT, CFG(keys), .def = "1", .min = 1, .max = 10000,
	  .help = "keys per class (the paper: one)" },
	{ "zipf", OPT_DOUBLE, CFG(zipf), .def = "0", .min = 0, .max = 5,
	  .help = "key popularity within a class: Zipf(s); 0 = uniform" },
	{ "set-ratio", OPT_DOUBLE, CFG(set_ratio), .def = "0", .min = 0, .max = 1,
	  .help = "fraction of requests that are UDP sets (of the same value)" },
	{ "window", OPT_INT, CFG(window), .def = "8", .min = 1, .max = 4096,
	  .help = "outstanding requests in throughput runs (memaslap -c)" },
	{ "duration", OPT_DOUBLE, CFG(duration), .def = "0.5", .quick = "0.15", .full = "1", .min = 0.05, .max = 60,
	  .help = "seconds per throughput sample" },
	{ "bg-rate", OPT_DOUBLE, CFG(bg_rate), .def = "0", .min = 0, .max = 1e7,
	  .help = "mixed run: cacheable requests per second (paper 50K; "
	  "0: 10/11 of half memcached's measured max, the paper's mix at a load memcached sustains)" },
	{ "slow-rate", OPT_DOUBLE, CFG(slow_rate), .def = "0", .min = 0, .max = 1e7,
	  .help = "mixed run: large-value requests per second (paper 5K; 0: 1/11 of that half)" },
	{ "mixed-duration", OPT_DOUBLE, CFG(mixed_duration), .def = "5", .quick = "1.5", .full = "20", .min = 0.1, .max = 600,
	  .help = "seconds of mixed load per configuration" },
	{ "hit-fractions", OPT_DOUBLE_LIST, CFG(hit_fractions), .def = "0,0.1,0.25,0.5,0.75,1", .quick = "0,0.1,0.5,1", .min = 0, .max = 1,
	  .help = "cacheable fractions of the crossover sweep, increasing (at most 16)" },
	{ "skip-memaslap", OPT_BOOL, CFG(skip_memaslap),
	  .help = "do not run memaslap for the load-generator check" },
	NET_TIMEOUT_MS(CFG(timeout_ms)),
	{ "check-consistency", OPT_BOOL, CFG(check_consistency),
	  .help = "run the consistency checker through the cache instead of the measurements "
	  "(rows check/reads_checked, check/stale_reads)" },
	{ "check-seconds", OPT_DOUBLE, CFG(check_seconds), .def = "5", .quick = "2", .min = 0.5, .max = 3600,
	  .help = "--check-consistency: seconds of checking, at least" },
	{ "check-reads", OPT_LONG, CFG(check_reads), .def = "0", .min = 0, .max = 1000000000,
	  .help = "--check-consistency: go on until this many reads were checked (at most 4x --check-seconds)" },
	{ "unsafe-fills", OPT_BOOL, CFG(unsafe_fills),
	  .help = "test only: fill from any reply, as before the fill tickets (the checker must find stale reads)" },
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

/* The sweep's fractions must increase (the crossover interpolates between neighbours). */
static int kv_validate(const void *cfg, char *err, size_t len)
{
	const struct kvcache_cfg *c = cfg;
	const struct opt_list *f = &c->hit_fractions;
	int i;

	if (c->check_consistency && c->remote.iface) {
		snprintf(err, len, "--check-consistency runs on one host: drop --iface/--peer-ssh");
		return -1;
	}
	if (net_remote_validate(&c->remote, err, len))
		return -1;

	if (f->n < 1 || f->n > MAX_POINTS) {
		snprintf(err, len, "--hit-fractions: 1 to %d fractions, comma-separated", MAX_POINTS);
		return -1;
	}
	for (i = 1; i < f->n; i++) {
		if (f->v[i] <= f->v[i - 1]) {
			snprintf(err, len, "--hit-fractions: increasing numbers in [0, 1], comma-separated "
				 "(%g follows %g)", f->v[i], f->v[i - 1]);
			return -1;
		}
	}
	return 0;
}

/* Result-row names of the two configurations: [0] without the cache, [1] with it. */
static const char *const kv_conf[2] = { "memcached_only", "kvcache" };

struct kv_exp {
	struct topo topo;
	bool topo_up;
	struct memcached mc;
	struct mc_client cl;
	struct kvcache kc;
	bool kc_loaded, cache_on;
	int fd;				/* the load client's UDP socket */
	struct lg_mcw_cfg wcfg;
	struct peer peer;		/* two-host mode: the load client's host */
	bool remote;
	uint64_t mismatches;
	char where[64];			/* the first configuration with a mismatch */
	char pinning[256];
	char rx_note[96];	/* where the server veth's receive work runs */
	uint64_t lost, late;		/* of throughput runs, since the last reset */
	/* busy share of the server's and the client's CPU, summed over throughput samples */
	double busy_srv[2], busy_cli[2];
	int busy_n[2];
	struct histogram h_all, h_cls[2];	/* the mixed run's: overall, per class */
};

/*
 * A fresh client socket (a new source port) for each run: answers to an
 * earlier run's last or lost requests, which memcached may send long after
 * (it shares a CPU with everything else), then find no socket and cannot be
 * mistaken for replies of this run.
 */
static int reopen_client(struct kv_exp *x, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr = x->topo.server.addr };

	if (x->fd >= 0)
		close(x->fd);
	x->fd = topo_socket(&x->topo, TOPO_CLIENT, AF_INET, SOCK_DGRAM);
	if (x->fd < 0)
		return x->fd;
	return connect(x->fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

static int set_cache(struct kv_exp *x, bool on)
{
	int err = 0;

	if (on == x->cache_on)
		return 0;
	if (on) {
		err = kvcache_attach(&x->kc, x->topo.server.nsfd, x->topo.server.ifindex,
				     XDP_FLAGS_DRV_MODE);
		if (!err && !x->topo.hardware)	/* a real NIC's peer needs none */
			err = kvcache_attach_peer_pass(&x->kc, x->topo.client.nsfd,
						       x->topo.client.ifindex);
	} else {
		kvcache_detach(&x->kc);
	}
	x->cache_on = on && !err;
	return err;
}

static void note_mismatch(struct kv_exp *x, const char *cfg, uint64_t n)
{
	if (n && !x->mismatches)
		snprintf(x->where, sizeof(x->where), "%s", cfg);
	x->mismatches += n;
}

/* memcached pinned to --server-cpu, our client to it, the keys stored. */
static int start_memcached(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;
	uint16_t port = (uint16_t)c->port;
	int err;

	err = memcached_start_on(&x->mc, x->topo.server.nsfd, x->topo.server.addr, port, port, 1,
				 c->place.server_cpu);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot start memcached: %s",
			 strerror(-err));
		return err;
	}
	if (x->remote)
		snprintf(x->pinning, sizeof(x->pinning), "memcached -t 1 on cpu %d, client on the peer; %s",
			 c->place.server_cpu, x->rx_note);
	else
		snprintf(x->pinning, sizeof(x->pinning), "memcached -t 1 on cpu %d, client on cpu %d; %s",
			 c->place.server_cpu, c->place.client_cpu, x->rx_note);
	err = mc_client_open(&x->cl, x->topo.client.nsfd, x->topo.server.addr, port, port);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot reach memcached: %s",
			 strerror(-err));
		return err;
	}
	/* two hosts: populated from here, the load comes from the peer */
	err = x->topo.hardware ? 0 : reopen_client(x, port);
	if (err)
		return err;
	err = lg_mcw_store(&x->wcfg, &x->cl);
	if (err)
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot store the keys: %s",
			 strerror(-err));
	return err;
}

/* Two-host mode: memcached on --iface here, the load client on the peer over ssh. */
static int kv_topology_remote(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;

	if (memcached_check(env))
		return EXP_SKIP;
	return peer_topology(env, &c->remote, &x->topo, &x->peer, &x->remote);
}

static int kv_setup(struct exp_env *env)
{
	const struct kvcache_cfg *c = env->cfg;
	struct kv_exp *x = calloc(1, sizeof(*x));
	struct kvcache_config cfg = {
		.variant = c->variant, .port = (uint16_t)c->port, .entries = 4096,
		.unsafe_fills = c->unsafe_fills,
	};
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->fd = -1;
	x->cl.tcp = x->cl.udp = -1;
	err = c->remote.iface ? kv_topology_remote(env, x) : memcached_topology(env, &x->topo);
	if (err)
		return err;
	x->topo_up = true;
	netpath_place_rx(&x->topo, c->remote.iface ? -1 : c->place.rx_cpu, x->rx_note,
			 sizeof(x->rx_note));
	cfg.server_addr = x->topo.server.addr.s_addr;
	err = kvcache_load(&x->kc, &cfg);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the kvcache %s programs: %s",
			 kvcache_variant_name(c->variant), x->kc.verifier_log);
		return EXP_SKIP;
	}
	x->kc_loaded = true;
	x->wcfg = (struct lg_mcw_cfg){
		.keys = { (unsigned int)c->keys, (unsigned int)c->keys },
		.value_size = { (size_t)c->small_size, (size_t)c->large_size },
		.zipf_s = c->zipf,
		.set_ratio = c->set_ratio,
	};
	return start_memcached(env, x);
}

/* One saturating run of @dur seconds with @frac1 large-value requests; req/s or -errno. */
static double tput_run(struct exp_env *env, struct kv_exp *x, double frac1, double dur,
		       const char *cfg, int *errp)
{
	const struct kvcache_cfg *kc = env->cfg;
	struct lg_mcw_cfg c = x->wcfg;
	struct lg_result r;
	struct lg_proto p;
	struct lg_mcw w;
	int err;

	c.frac1 = frac1;
	c.seed = 0x5eed0000u + (uint64_t)(frac1 * 1000);
	if (x->remote) {
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &x->topo.server.addr, ip, sizeof(ip));
		err = peer_mc_window(&x->peer, ip, kc->port, &c, (unsigned int)kc->window, dur, 500,
				     kc->timeout_ms, kc->place.client_cpu, &r, env->skip_reason,
				     sizeof(env->skip_reason));
		goto done;
	}
	err = reopen_client(x, (uint16_t)kc->port);
	if (!err)
		err = lg_mcw_init(&p, &w, &c, 0, NULL, NULL);
	if (!err)
		err = lg_mc_run_window(x->fd, &p, (unsigned int)kc->window, dur, 500, kc->timeout_ms,
				       kc->place.client_cpu, NULL, &r);
	lg_mcw_free(&w);
done:
	*errp = err;
	if (err)
		return NAN;
	note_mismatch(x, cfg, r.mismatched);
	x->lost += r.lost;
	x->late += r.late;
	return r.elapsed_s > 0 ? (double)r.received / r.elapsed_s : NAN;
}

/* (a) Fig. 4: one small key, every request cacheable; samples alternate without/with. */
static int tput_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct kvcache_cfg *c = env->cfg;
	struct kv_exp *x = ctx;
	int err;

	struct cpu_times a, b;
	double srv, cli;

	(void)round;
	err = set_cache(x, conf == 1);
	if (err)
		return err;
	cpu_times_read(&a);
	*sample = tput_run(env, x, 0, c->duration, kv_conf[conf], &err);
	cpu_times_read(&b);
	srv = cpu_times_busy(&a, &b, c->place.server_cpu);
	cli = cpu_times_busy(&a, &b, c->place.client_cpu);
	if (!err && !isnan(srv)) {
		x->busy_srv[conf] += srv;
		x->busy_cli[conf] += x->remote || isnan(cli) ? 0 : cli;
		x->busy_n[conf]++;
	}
	return err;
}

/*
 * Which side bounded each configuration's rate: the busy share of the
 * server's CPU (memcached, its receive work and the XDP cache) and of the
 * client's.  With the cache, hits never reach memcached: when the server's
 * CPU then idles while the client's is busy, the client was the limit and
 * the gain is a lower bound (the claim's gate says so).
 */
static void add_busy_rows(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;
	char note[RESULT_NOTE];
	int i;

	for (i = 0; i < 2; i++) {
		if (!x->busy_n[i])
			continue;
		if (x->remote)
			snprintf(note, sizeof(note), "busy share of the server's cpu %d over the "
				 "throughput samples (the client is on the peer), /proc/stat",
				 c->place.server_cpu);
		else
			snprintf(note, sizeof(note), "busy share of the server's cpu %d over the "
				 "throughput samples (client's cpu %d: %.0f %%), /proc/stat",
				 c->place.server_cpu, c->place.client_cpu,
				 100 * x->busy_cli[i] / x->busy_n[i]);
		env_add_value(env, kv_conf[i], "server_cpu_busy", "fraction",
			      x->busy_srv[i] / x->busy_n[i], note);
	}
}

static int measure_throughput(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;
	struct sampler s = { .nconf = 2, .step = tput_step, .ctx = x, .names = kv_conf };
	double *v = sampler_alloc(env, &s);
	size_t n = sampler_rounds(env, &s);
	struct kvcache_stats s0, s1;
	char note[RESULT_NOTE];
	int err;

	if (!v)
		return -ENOMEM;
	kvcache_read_stats(&x->kc, &s0);
	x->lost = x->late = 0;
	memset(x->busy_n, 0, sizeof(x->busy_n));
	memset(x->busy_srv, 0, sizeof(x->busy_srv));
	memset(x->busy_cli, 0, sizeof(x->busy_cli));
	err = sample_interleaved(env, &s, v);
	kvcache_read_stats(&x->kc, &s1);
	set_cache(x, false);
	if (!err) {
		snprintf(note, sizeof(note), "UDP gets of %u key(s), %d B values, window %d, %.2f s/sample, "
			 "lost %llu (both); %s", x->wcfg.keys[0], c->small_size, c->window, c->duration,
			 (unsigned long long)x->lost, x->pinning);
		env_add_samples(env, kv_conf[0], "req_per_s", "req/s", sample_series(env, &s, v, 0, 0),
				n, 0, note);
		snprintf(note + strlen(note), sizeof(note) - strlen(note),
			 "; XDP hits %llu misses %llu (%s)", (unsigned long long)(s1.hit - s0.hit),
			 (unsigned long long)(s1.miss - s0.miss), kvcache_variant_name(c->variant));
		env_add_samples(env, kv_conf[1], "req_per_s", "req/s", sample_series(env, &s, v, 0, 1),
				n, 0, note);
		add_busy_rows(env, x);
	}
	free(v);
	return err;
}

/* (b) Figs. 5-6: one open-loop mixed run, with or without the cache. */
struct mixed_run {
	bool cache;
	const char *name;		/* kv_conf[cache] */
	double bg, slow;		/* req/s of each class */
	struct lg_params prm;
	struct lg_result r;
	struct kvcache_stats s0, s1;
};

/* The paper's 50K + 5K ran well below memcached's capacity: keep that ratio. */
static void mixed_rates(struct exp_env *env, struct mixed_run *m)
{
	const struct kvcache_cfg *c = env->cfg;
	const struct result_row *cap = result_find(env->rs, kv_conf[0], "req_per_s");
	double half = cap && !cap->skipped ? cap->st.median / 2 : 20000;

	m->bg = c->bg_rate;
	m->slow = c->slow_rate;
	if (m->bg <= 0 || m->slow <= 0) {
		m->bg = m->bg > 0 ? m->bg : half * 10 / 11;
		m->slow = m->slow > 0 ? m->slow : half / 11;
	}
	m->prm.rate = m->bg + m->slow;
}

static int mixed_load(struct exp_env *env, struct kv_exp *x, struct mixed_run *m)
{
	const struct kvcache_cfg *kc = env->cfg;
	struct lg_mcw_cfg c = x->wcfg;
	struct lg_proto p;
	struct lg_mcw w;
	int err;

	hist_init(&x->h_all);
	hist_init(&x->h_cls[0]);
	hist_init(&x->h_cls[1]);
	c.frac1 = m->slow / (m->bg + m->slow);
	c.seed = 0x3141592653ull;
	err = set_cache(x, m->cache);
	if (!err)
		err = lg_mcw_init(&p, &w, &c, m->prm.warmup, &x->h_cls[0], &x->h_cls[1]);
	if (err)
		return err;
	progress(env, "mixed load %s: %.0f + %.0f req/s for %.1f s%s", m->name, m->bg, m->slow,
		 m->prm.duration_s, x->remote ? " from the peer" : "");
	if (x->remote) {
		struct histogram *const hs[3] = { &x->h_all, &x->h_cls[0], &x->h_cls[1] };
		char ip[INET_ADDRSTRLEN];

		lg_mcw_free(&w);
		inet_ntop(AF_INET, &x->topo.server.addr, ip, sizeof(ip));
		kvcache_read_stats(&x->kc, &m->s0);
		err = peer_mc_open(&x->peer, ip, kc->port, &c, m->prm.rate, m->prm.duration_s,
				   m->prm.warmup, kc->timeout_ms, -1, hs, &m->r, env->skip_reason,
				   sizeof(env->skip_reason));
		kvcache_read_stats(&x->kc, &m->s1);
		note_mismatch(x, m->cache ? "mixed kvcache" : "mixed memcached_only", m->r.mismatched);
		return err;
	}
	err = reopen_client(x, (uint16_t)kc->port);
	if (err) {
		lg_mcw_free(&w);
		return err;
	}
	kvcache_read_stats(&x->kc, &m->s0);
	err = loadgen_run(x->fd, &p, &m->prm, &x->h_all, &m->r);
	kvcache_read_stats(&x->kc, &m->s1);
	note_mismatch(x, m->cache ? "mixed kvcache" : "mixed memcached_only",
		      m->r.mismatched + w.bad_class[0] + w.bad_class[1] + w.bad_set);
	lg_mcw_free(&w);
	return err;
}

static void mixed_rows(struct exp_env *env, struct kv_exp *x, const struct mixed_run *m)
{
	const struct kvcache_cfg *c = env->cfg;
	char cfg[64], note[RESULT_NOTE];
	struct stats st;

	snprintf(note, sizeof(note), "open loop %.0f+%.0f req/s (%d B / %d B values), %.1f s; sent %llu lost %llu; %s",
		 m->bg, m->slow, c->small_size, c->large_size, m->prm.duration_s,
		 (unsigned long long)m->r.sent, (unsigned long long)m->r.lost, x->pinning);
	if (m->cache) {
		double served = (double)(m->s1.hit - m->s0.hit), all = served +
				(double)(m->s1.miss - m->s0.miss) + (double)(m->s1.bypass - m->s0.bypass);

		snprintf(note + strlen(note), sizeof(note) - strlen(note), "; XDP hits %.0f of %.0f",
			 served, all);
		if (all > 0)
			env_add_value(env, "omega_mixed", "fraction", "", served / all,
				      "fast-path fraction of the mixed run: XDP hits / memcached requests seen by XDP");
	}
	snprintf(cfg, sizeof(cfg), "overall_%s", m->name);
	if (!hist_stats(&x->h_all, 1e-3, &st))
		result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st, note);
	snprintf(cfg, sizeof(cfg), "fastpath_%s", m->name);
	if (!hist_stats(&x->h_cls[0], 1e-3, &st))
		result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st, "small-value gets (cacheable)");
	snprintf(cfg, sizeof(cfg), "slowpath_%s", m->name);
	if (!hist_stats(&x->h_cls[1], 1e-3, &st)) {
		result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st, "large-value gets (memcached only)");
		snprintf(cfg, sizeof(cfg), "slowpath_%s_p99", m->name);
		env_add_value(env, cfg, "rtt_us", "us", st.p99,
			      "p99 of the slow-path histogram, as a row for the report's ratio");
	} else {
		result_skip(env->rs, cfg, "rtt_us", "no large-value reply was received");
	}
}

static int measure_mixed_one(struct exp_env *env, struct kv_exp *x, bool cache)
{
	const struct kvcache_cfg *c = env->cfg;
	struct mixed_run m = {
		.cache = cache, .name = kv_conf[cache],
		.prm = {
			.open_loop = true, .duration_s = c->mixed_duration, .warmup = 2000,
			.timeout_ms = c->timeout_ms, .cpu = c->place.client_cpu,
		},
	};
	int err;

	mixed_rates(env, &m);
	err = mixed_load(env, x, &m);
	if (!err)
		mixed_rows(env, x, &m);
	return err;
}

/* rho: bpf_stats of the XDP entry program and the TC fill over an all-slow-path run. */
static int measure_ebpf_cost(struct exp_env *env, struct kv_exp *x, double *ns_per_req,
			     char *why, size_t len)
{
	const struct kvcache_cfg *c = env->cfg;
	int fds[2] = { kvcache_xdp_fd(&x->kc), kvcache_fill_fd(&x->kc) }, sfd, i, err;
	__u64 ns0[2] = { 0 }, cnt0[2] = { 0 }, ns1[2] = { 0 }, cnt1[2] = { 0 };
	double tot = 0;

	err = set_cache(x, true);
	if (err)
		return err;
	sfd = netpath_stats_enable();
	if (sfd < 0) {
		snprintf(why, len, "BPF_ENABLE_STATS failed: %s", strerror(-sfd));
		return 1;
	}
	for (i = 0; i < 2; i++)
		netpath_prog_stats(fds[i], &ns0[i], &cnt0[i]);
	progress(env, "eBPF cost on the slow path (bpf_stats)");
	tput_run(env, x, 1, c->duration * 2, "rho (all slow path)", &err);
	for (i = 0; i < 2; i++)
		netpath_prog_stats(fds[i], &ns1[i], &cnt1[i]);
	netpath_stats_restore(sfd);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		if (cnt1[i] <= cnt0[i]) {
			snprintf(why, len, "bpf_stats counted no run of the %s program",
				 i ? "TC fill" : "XDP");
			return 1;
		}
		tot += (double)(ns1[i] - ns0[i]) / (double)(cnt1[i] - cnt0[i]);
	}
	*ns_per_req = tot;
	return 0;
}

/* (c) one point of the sweep: cost per request (1 / throughput) without and with the cache. */
struct sweep_point {
	struct kv_exp *x;
	double frac;			/* cacheable */
};

/* Where a mismatch is reported from. */
static const char *const sweep_where[2] = { "sweep memcached_only", "sweep kvcache" };

static int sweep_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct kvcache_cfg *c = env->cfg;
	struct sweep_point *pt = ctx;
	int err;

	(void)round;
	err = set_cache(pt->x, conf == 1);
	if (!err)
		*sample = 1e6 / tput_run(env, pt->x, 1 - pt->frac, c->duration, sweep_where[conf], &err);
	return err;
}

/* The sweep's rows; cost[conf][i] = their medians, us per request. */
static int measure_sweep(struct exp_env *env, struct kv_exp *x, double cost[2][MAX_POINTS])
{
	const struct kvcache_cfg *c = env->cfg;
	const struct opt_list *f = &c->hit_fractions;
	int reps = env->profile == PROFILE_QUICK ? 3 : env->profile == PROFILE_FULL ? 10 : 5;
	char cfg[64], note[RESULT_NOTE], names[2][48];
	const char *name[2] = { names[0], names[1] };
	struct sweep_point pt = { .x = x };
	struct sampler s = { .nconf = 2, .rounds = (size_t)reps, .step = sweep_step, .ctx = &pt,
			     .names = name };
	double *v = sampler_alloc(env, &s);
	int i, conf, err = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < f->n && !err; i++) {
		pt.frac = f->v[i];
		for (conf = 0; conf < 2; conf++)
			snprintf(names[conf], sizeof(names[conf]), "sweep %s, cacheable fraction %.2f",
				 kv_conf[conf], pt.frac);
		err = sample_interleaved(env, &s, v);
		for (conf = 0; conf < 2 && !err; conf++) {
			const struct result_row *row;

			snprintf(cfg, sizeof(cfg), "sweep_%s_f%.2f", kv_conf[conf], pt.frac);
			snprintf(note, sizeof(note), "cost per request = 1/throughput; cacheable fraction %.2f; "
				 "window %d; %d x %.2f s", pt.frac, c->window, reps, c->duration);
			if (env_add_samples_nowarm(env, cfg, "us_per_req", "us",
						   sample_series(env, &s, v, 0, conf), (size_t)reps, note))
				err = -EIO;
			row = result_find(env->rs, cfg, "us_per_req");
			cost[conf][i] = row ? row->st.median : NAN;
		}
	}
	free(v);
	return err;
}

/* The advisor's prediction from the eBPF cost; @why_not: why that was not measured (NULL: it was). */
static void predicted_rows(struct exp_env *env, const double cost[2][MAX_POINTS], double ebpf_ns,
			   const char *why_not)
{
	const struct opt_list *f = &((const struct kvcache_cfg *)env->cfg)->hit_fractions;

	if (f->v[0] != 0) {
		result_skip(env->rs, "rho", "fraction", "the sweep has no 0 point: no cost without offload");
	} else if (why_not) {
		result_skip(env->rs, "rho", "fraction", why_not);
	} else {
		double cost_ns = cost[0][0] * 1e3, rho = advisor_rho(ebpf_ns, cost_ns);

		env_add_value(env, "ebpf_ns_per_slowpath_req", "ns", "ns", ebpf_ns,
			      "bpf_stats run_time_ns/run_cnt: XDP entry (miss, whole tail-call chain) + TC egress fill, all-large run");
		env_add_value(env, "cost_ns_per_req_without", "ns", "ns", cost_ns,
			      "memcached alone, all requests slow path: 1/throughput (median of the sweep's 0 point)");
		env_add_value(env, "rho", "fraction", "", rho,
			      "eBPF cost per slow-path request / cost per request without offload");
		env_add_value(env, "omega_star", "fraction", "", advisor_break_even(rho),
			      "predicted break-even cacheable fraction (paper §3.2: omega* = rho)");
	}
	/*
	 * The program's run time is not all a slow-path request pays: the hook's
	 * own path (here veth NAPI, XDP buffer, the pass back to the stack) is
	 * too.  The sweep's 0 point measures the whole penalty directly.
	 */
	if (f->v[0] == 0 && cost[0][0] > 0) {
		double rho_eff = (cost[1][0] - cost[0][0]) / cost[0][0];

		if (rho_eff >= 0) {
			env_add_value(env, "rho_slowpath", "fraction", "", rho_eff,
				      "whole slow-path penalty: (cost with cache - without) / without, at fraction 0");
			env_add_value(env, "omega_star_slowpath", "fraction", "", advisor_break_even(rho_eff),
				      "break-even predicted from the whole slow-path penalty");
		}
	}
}

/* Where the measured cost curves cross. */
static void crossover_row(struct exp_env *env, const double cost[2][MAX_POINTS])
{
	const struct opt_list *f = &((const struct kvcache_cfg *)env->cfg)->hit_fractions;
	double cross;

	switch (advisor_crossover(f->v, cost[1], cost[0], (size_t)f->n, &cross)) {
	case 0:
		env_add_value(env, "crossover_measured", "fraction", "", cross,
			      "where cost(kvcache) falls below cost(memcached alone): linear interpolation of the sweep");
		break;
	case 1:
		env_add_value(env, "crossover_measured", "fraction", "", cross,
			      "the cache is already cheaper at the sweep's first point: crossover at or below it");
		break;
	default:
		result_skip(env->rs, "crossover_measured", "fraction",
			    "the cache never became cheaper in the sweep");
	}
}

/* (c) the sweep and the advisor's numbers. */
static int measure_advisor(struct exp_env *env, struct kv_exp *x)
{
	double cost[2][MAX_POINTS], ebpf_ns = NAN;
	char why[160] = "";
	int err;

	err = measure_sweep(env, x, cost);
	set_cache(x, false);
	if (err)
		return err;
	/* predicted: rho = eBPF ns per slow-path request / memcached's ns per request */
	err = measure_ebpf_cost(env, x, &ebpf_ns, why, sizeof(why));
	set_cache(x, false);
	if (err < 0)
		return err;
	predicted_rows(env, cost, ebpf_ns, err ? why : NULL);
	crossover_row(env, cost);
	return 0;
}

/* memaslap's config file: gets only, our small value size, 16-byte keys (memaslap's minimum). */
static int write_memaslap_cfg(struct exp_env *env, char *path, size_t len)
{
	const struct kvcache_cfg *c = env->cfg;
	FILE *f;

	snprintf(path, len, "%s/kvcache_memaslap.cfg", env->run_dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "key\n16 16 1\nvalue\n%d %d 1\ncmd\n0 0.0\n1 1.0\n", c->small_size, c->small_size);
	return fclose(f) ? -errno : 0;
}

/* What memaslap printed at the end. */
struct memaslap_out {
	unsigned long long gets, sets, ops, tps;
	double runtime;
};

/* Runs memaslap in the client namespace on the client's CPU; its exit status or -errno. */
static int run_memaslap(struct exp_env *env, struct kv_exp *x, char *const argv[],
			struct memaslap_out *o)
{
	const struct kvcache_cfg *c = env->cfg;
	struct spawn_opts so = SPAWN_OPTS;
	char line[512];
	int fd, status;
	pid_t pid;
	FILE *f;

	so.netns_fd = x->topo.client.nsfd;
	so.cpu = c->place.client_cpu;
	so.capture = so.capture_stderr = true;
	pid = spawn_exec(&so, argv, &fd);
	if (pid < 0)
		return pid;
	f = fdopen(fd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "cmd_get: %llu", &o->gets);
		sscanf(line, "cmd_set: %llu", &o->sets);
		sscanf(line, "Run time: %lfs Ops: %llu TPS: %llu", &o->runtime, &o->ops, &o->tps);
	}
	if (f)
		fclose(f);
	else
		close(fd);
	status = spawn_wait(pid);
	return obench_interrupted() ? -EINTR : status;
}

/* memaslap's max throughput against memcached alone; 0 or skip row. */
static int measure_memaslap(struct exp_env *env, struct kv_exp *x, double secs)
{
	static const char *const names[] = { "memaslap", "memcaslap" };
	const struct kvcache_cfg *c = env->cfg;
	char bin[256] = "", ip[32], srv[64], cfgpath[4096], conc[16], t[16], note[RESULT_NOTE];
	char *argv[] = { bin, "-s", srv, "-U", "-T", "1", "-c", conc, "-w", "1k", "-t", t,
			 "-F", cfgpath, NULL };
	struct memaslap_out o = { 0 };
	int i, err;

	for (i = 0; i < 2 && !bin[0]; i++) {
		snprintf(bin, sizeof(bin), "/usr/bin/%s", names[i]);
		if (access(bin, X_OK))
			bin[0] = 0;
	}
	if (!bin[0]) {
		result_skip(env->rs, "memaslap_max", "req_per_s",
			    "memaslap/memcaslap not installed (apt-get install libmemcached-tools)");
		return 0;
	}
	err = write_memaslap_cfg(env, cfgpath, sizeof(cfgpath));
	if (err)
		return err;
	inet_ntop(AF_INET, &x->topo.server.addr, ip, sizeof(ip));
	snprintf(srv, sizeof(srv), "%s:%d", ip, c->port);
	snprintf(conc, sizeof(conc), "%d", c->window);
	snprintf(t, sizeof(t), "%ds", (int)ceil(secs));
	progress(env, "memaslap %s -U -c %s -t %s", srv, conc, t);
	err = run_memaslap(env, x, argv, &o);
	if (err < 0)
		return err;
	if (err || !o.tps || o.runtime <= 0) {
		result_skip(env->rs, "memaslap_max", "req_per_s", "memaslap failed or printed no TPS");
		return 0;
	}
	snprintf(note, sizeof(note), "%s -U -T 1 -c %s -w 1k -t %s, gets of a %d B value; "
		 "ops/s incl. its %llu warm-up sets (%llu gets); %s", names[i - 1], conc, t,
		 c->small_size, o.sets, o.gets, x->pinning);
	env_add_value(env, "memaslap_max", "req_per_s", "req/s", (double)o.tps, note);
	return 0;
}

static int measure_loadgen_check(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;
	double secs = env->profile == PROFILE_QUICK ? 2 : 4, tput;
	char note[RESULT_NOTE];
	int err = set_cache(x, false);

	if (err)
		return err;
	if (c->skip_memaslap)
		result_skip(env->rs, "memaslap_max", "req_per_s", "--skip-memaslap given");
	else if ((err = measure_memaslap(env, x, secs)))
		return err;
	progress(env, "our client, max throughput, %.0f s", secs);
	x->lost = x->late = 0;
	tput = tput_run(env, x, 0, secs, "loadgen_max", &err);
	if (err)
		return err;
	snprintf(note, sizeof(note), "our client (lg_mc_run_window), %d outstanding, UDP gets of a %d B value, %.0f s, "
		 "lost %llu late %llu; %s", c->window, c->small_size, secs,
		 (unsigned long long)x->lost, (unsigned long long)x->late, x->pinning);
	env_add_value(env, "loadgen_max", "req_per_s", "req/s", tput, note);
	return 0;
}

/* --check-consistency: versioned writes over UDP and TCP, reads through the cache. */
static int measure_consistency(struct exp_env *env, struct kv_exp *x)
{
	const struct kvcache_cfg *c = env->cfg;
	struct kv_check_cfg cc = {
		.nsfd = x->topo.client.nsfd, .addr = x->topo.server.addr,
		.tcp_port = (uint16_t)c->port, .udp_port = (uint16_t)c->port,
		.keys = 32, .readers = 2, .seconds = c->check_seconds,
		.min_reads = (uint64_t)c->check_reads, .write_fraction = 1.0 / 11,
		.timeout_ms = c->timeout_ms,
	};
	struct kvcache_stats s0, s1;
	struct kv_check_result r;
	char note[400];
	const char *off;
	int err;

	err = set_cache(x, true);
	if (!err)
		err = kvcache_read_stats(&x->kc, &s0);
	if (!err)
		err = kv_check_run(&cc, &r);
	if (!err)
		err = kvcache_read_stats(&x->kc, &s1);
	if (err)
		return err;
	off = kvcache_off_reason(&x->kc);
	snprintf(note, sizeof(note), "hits %llu (XDP %llu); acked set/del/app/touch/exp/incr/flush "
		 "%llu/%llu/%llu/%llu/%llu/%llu/%llu; fills refused %llu; global inval %llu; held %llu; %s",
		 (unsigned long long)r.hits, (unsigned long long)(s1.hit - s0.hit),
		 (unsigned long long)r.per_kind[KV_CHECK_SET], (unsigned long long)r.per_kind[KV_CHECK_DELETE],
		 (unsigned long long)r.per_kind[KV_CHECK_APPEND], (unsigned long long)r.per_kind[KV_CHECK_TOUCH],
		 (unsigned long long)r.per_kind[KV_CHECK_EXPIRING], (unsigned long long)r.per_kind[KV_CHECK_INCR],
		 (unsigned long long)r.per_kind[KV_CHECK_FLUSH],
		 (unsigned long long)(s1.fill_race - s0.fill_race),
		 (unsigned long long)(s1.gen_bump - s0.gen_bump),
		 (unsigned long long)(s1.poison - s0.poison), off ? off : "cache on");
	env_add_value(env, "check", "reads_checked", "reads", (double)r.reads_checked, note);
	snprintf(note, sizeof(note), "a read returning a version older than one acknowledged before it was sent%s%s%s",
		 c->unsafe_fills ? " (UNSAFE FILLS: test only)" : "",
		 r.first_stale[0] ? "; first: " : "", r.first_stale);
	env_add_value(env, "check", "stale_reads", "reads", (double)r.stale_reads, note);
	progress(env, "%llu reads checked, %llu stale%s%s", (unsigned long long)r.reads_checked,
		 (unsigned long long)r.stale_reads, r.first_stale[0] ? "; first: " : "", r.first_stale);
	return 0;
}

static int kv_run(struct exp_env *env)
{
	struct kv_exp *x = env->priv;
	int err;

	if (((const struct kvcache_cfg *)env->cfg)->check_consistency) {
		err = measure_consistency(env, x);
		set_cache(x, false);
		return obench_interrupted() ? -EINTR : err;
	}
	if (x->topo.hardware && !x->remote) {
		for (err = 0; err < 2; err++)
			result_skip(env->rs, kv_conf[err], "req_per_s", "hardware tier: server attached; "
				    "pass --peer-ssh to run the load client on the peer host");
		return 0;
	}
	/* two hosts: memaslap beside memcached has no peer side; our client's rate is the tput rows' */
	if (x->remote)
		result_skip(env->rs, "memaslap_max", "req_per_s",
			    "two hosts: the load generator check (memaslap) runs on one host");
	err = x->remote ? 0 : measure_loadgen_check(env, x);
	if (!err && !obench_interrupted())
		err = measure_throughput(env, x);
	if (!err && !obench_interrupted())
		err = measure_mixed_one(env, x, false);
	if (!err && !obench_interrupted())
		err = measure_mixed_one(env, x, true);
	if (!err && !obench_interrupted())
		err = measure_advisor(env, x);
	set_cache(x, false);
	if (obench_interrupted())
		return -EINTR;
	if (!err && x->mismatches) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "%llu replies differed from memcached's (first in %s)",
			 (unsigned long long)x->mismatches, x->where);
		return -EPROTO;
	}
	return err;
}

static void kv_teardown(struct exp_env *env)
{
	struct kv_exp *x = env->priv;

	if (!x)
		return;
	if (x->fd >= 0)
		close(x->fd);
	if (x->remote)
		peer_close(&x->peer);
	mc_client_close(&x->cl);
	if (x->kc_loaded)
		kvcache_destroy(&x->kc);
	memcached_stop(&x->mc);
	if (x->topo_up)
		topo_destroy(&x->topo);
	free(x);
	env->priv = NULL;
}

static const struct result_row *val(const struct result_set *rs, const char *c, const char *m)
{
	const struct result_row *r = result_find(rs, c, m);

	return r && !r->skipped ? r : NULL;
}

static void kv_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *lg = val(rs, "loadgen_max", "req_per_s"),
		*ms = val(rs, "memaslap_max", "req_per_s"), *rho = val(rs, "rho", "fraction"),
		*cross = val(rs, "crossover_measured", "fraction"),
		*om = val(rs, "omega_mixed", "fraction");
	const struct result_row *ck = val(rs, "check", "reads_checked"),
		*stale = val(rs, "check", "stale_reads");
	char verdict[256];

	fprintf(md, "\n**What the cache guarantees.** A get answered from the cache never returns a "
		"value older than the newest write memcached acknowledged before the get was sent "
		"(ASCII protocol, traffic on this interface): a miss leaves a ticket and its reply "
		"fills only if no write of the slot arrived, was acknowledged or is outstanding since; "
		"flush_all drops every entry; noreply writes make their slot uncacheable, exptimes "
		"until the item is gone; what the cache cannot follow (meta or binary commands, "
		"pipelined commands, fragments) turns it off for good (README, \"What the kvcache "
		"fast path guarantees\").\n");
	if (ck && stale)
		fprintf(md, "\n**Consistency check.** %.0f reads checked through the cache, %.0f stale "
			"(%s).\n", ck->st.median, stale->st.median, ck->note);
	fprintf(md, "\n**Where the work runs (veth).** memcached runs with `-t 1` pinned to one CPU, "
		"the client on the other. On veth the receive side of a frame runs in the softirq of "
		"the *sender's* CPU: the XDP fast path (and XDP_TX of its reply) executes on the "
		"client's CPU, not the server's. \"Single core\" therefore means memcached's one "
		"core; with the cache, hits never reach it and throughput is bounded by the client's "
		"CPU (sending + XDP), unlike the paper's two-host setup where XDP runs on the server's "
		"NIC queue core.\n\n**Value sizes.** On veth a cached reply can only be ~256 B longer "
		"than its request, so values of up to ~230 B are served from the cache; the small "
		"class stays well under that, the large class (> 1000 B) always goes to memcached.\n");
	if (lg && ms)
		fprintf(md, "\n**Load generator check.** Max throughput against memcached alone: ours "
			"%.0f req/s, memaslap %.0f ops/s: ratio %.2f.\n", lg->st.median,
			ms->st.median, lg->st.median / ms->st.median);
	fprintf(md, "\n**§3.2 advisor.** rho = cost of the eBPF program per slow-path request / "
		"cost of a request without the offload; the offload pays when the fast-path fraction "
		"omega > rho.\n\n");
	if (rho) {
		const struct result_row *e = val(rs, "ebpf_ns_per_slowpath_req", "ns"),
			*c = val(rs, "cost_ns_per_req_without", "ns");

		fprintf(md, "- eBPF cost per slow-path request %.0f ns, memcached's cost per request "
			"%.0f ns: rho = %.3f, predicted break-even omega* = %.3f\n",
			e ? e->st.median : NAN, c ? c->st.median : NAN, rho->st.median, rho->st.median);
	} else {
		fprintf(md, "- rho: not measured in this run\n");
	}
	if (val(rs, "rho_slowpath", "fraction"))
		fprintf(md, "- the whole slow-path penalty measured at fraction 0 (program + the hook's "
			"path): rho = %.3f, predicted break-even omega* = %.3f\n",
			val(rs, "rho_slowpath", "fraction")->st.median,
			val(rs, "rho_slowpath", "fraction")->st.median);
	if (cross)
		fprintf(md, "- measured crossover of the cost curves (1/throughput vs cacheable fraction): "
			"%.3f%s\n", cross->st.median,
			strstr(cross->note, "already") ? " (already cheaper at the first point)" : "");
	else
		fprintf(md, "- measured crossover: none in the sweep\n");
	if (rho && om && advisor_verdict(om->st.median, rho->st.median, verdict, sizeof(verdict)) >= 0)
		fprintf(md, "- the mixed run's fast-path fraction %.2f: %s\n", om->st.median, verdict);
	fprintf(md, "\n`obench advise --omega W --from <this run>` prints the verdict for any omega.\n");
}

const struct experiment exp_kvcache = {
	.name = "kvcache",
	.paper_ref = "Figs. 4-6",
	.summary = "XDP cache in front of memcached: throughput gain, slow-path latency, rho < omega advisor",
	.tiers = "host",
	.opts = kv_opts,
	.cfg_size = sizeof(struct kvcache_cfg),
	.validate = kv_validate,
	.in_default_suite = true,
	.setup = kv_setup,
	.run = kv_run,
	.teardown = kv_teardown,
	.report = kv_report,
	.cleanup = netpath_cleanup,
};
