// SPDX-License-Identifier: GPL-2.0
/*
 * chaining, kvcache form (paper Table 5 as the paper measured it): the five
 * chaining variants of the real kvcache fast path (bpf/kvcache.bpf.c) in
 * front of a real memcached, driven by the memcached UDP load client with
 * single-key gets of one cached key (parse -> hash -> lookup -> write: 3
 * tail calls in the tail-call variants).  Per round, every variant is
 * attached in turn and loaded for a fixed time (interleaved, so drift hits
 * all alike): requests/s of the load client, and the fast path's own cost
 * per request from bpf_stats (run_time_ns / run_cnt of the entry program,
 * which covers the tail-called stages too).  Before the load, the same
 * cached get goes through each variant with BPF_PROG_TEST_RUN: the fast
 * path's cost without veth, and a check that all five reply identically.
 *
 * On veth the XDP program runs in the softirq of the CPU that sent the
 * request, so a cached hit costs only the client's CPU; the run measures
 * 1 and 2 client threads first and reports CPU busy time, and uses the
 * concurrency that loads the CPUs (--kv-threads overrides).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include "experiments/chaining/chaining.h"
#include "core/cpu_times.h"
#include "core/bpfutil.h"
#include "net/echo_servers.h"
#include "kv/kvcache.h"
#include "kvcache.skel.h"
#include "net/loadgen.h"
#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"
#include "core/measure.h"
#include "kv/memcached.h"
#include "kv/peer_mc.h"
#include "net/netpath.h"
#include "core/obench.h"
#include "net/topology.h"

#define KV_PORT		11211
#define KV_KEY		"obench:table5"
#define KV_VALUE	"a small cached value, 32 bytes."
#define KV_MAX_THREADS	8
#define KV_PEER_WINDOW	8	/* two hosts: requests outstanding from the peer's client */

/* Result-row names, in enum kvcache_variant order; the paper's Table 5 rows. */
static const char *const kv_config[KVC_NR_VARIANTS] = {
	[KVC_TAIL_CONST] = "kv_tail_const",
	[KVC_TAIL_DYN] = "kv_tail_dynamic",
	[KVC_INLINED] = "kv_inlined",
	[KVC_BPF2BPF] = "kv_bpf2bpf",
	[KVC_GLOBAL] = "kv_global_func",
};

struct chaining_kv {
	struct topo t;
	bool topo_up;
	struct memcached mc;
	struct mc_client cl;
	struct kvcache kc[KVC_NR_VARIANTS];
	bool loaded[KVC_NR_VARIANTS];
	char expect[MC_UDP_MAX];	/* the reply body for KV_KEY */
	size_t expect_len;
	uint64_t checked, mismatched;	/* replies byte-checked, over all samples */
	char why_threads[64];		/* how the client concurrency was chosen */
	struct peer peer;		/* two-host mode: the load client's host */
	bool remote;
	struct lg_mcw_cfg wcfg;		/* two-host mode: the peer's workload (one key) */
};

/*
 * @threads closed-loop clients (one outstanding get each; thread i pinned
 * to CPU i) for @secs; returns measured requests/s, or a negative errno.
 */
static double load_remote(struct chaining_kv *kv, double secs)
{
	char ip[INET_ADDRSTRLEN], err[160];
	struct lg_result r;
	int e;

	inet_ntop(AF_INET, &kv->t.server.addr, ip, sizeof(ip));
	e = peer_mc_window(&kv->peer, ip, KV_PORT, &kv->wcfg, KV_PEER_WINDOW, secs, 200, 100, -1,
			   &r, err, sizeof(err));
	if (e) {
		fprintf(stderr, "chaining: the peer's load failed: %s\n", err[0] ? err : strerror(-e));
		return e;
	}
	kv->checked += r.received;
	kv->mismatched += r.mismatched;
	if (kv->mismatched)
		return -EPROTO;
	return r.elapsed_s > 0 ? (double)r.received / r.elapsed_s : 0;
}

static double load_once(struct chaining_kv *kv, int threads, double secs)
{
	struct lg_mc_thread *w = calloc((size_t)threads, sizeof(*w));
	struct lg_params prm = { .duration_s = secs, .warmup = 200, .timeout_ms = 100 };
	double rate = 0;
	int i, started = 0, err = 0, fd;

	if (kv->remote) {
		free(w);
		return load_remote(kv, secs);
	}
	if (!w)
		return -ENOMEM;
	for (i = 0; i < threads && !err; i++) {
		fd = echo_client_connect(&kv->t, SOCK_DGRAM, KV_PORT);
		prm.cpu = i;
		err = fd < 0 ? fd : lg_mc_thread_start(&w[i], fd, KV_KEY, kv->expect, kv->expect_len, &prm);
		started += !err;
	}
	for (i = 0; i < started; i++) {
		int werr = lg_mc_thread_join(&w[i]);

		if (werr && !err)
			err = werr;
		kv->checked += w[i].res.received;
		kv->mismatched += w[i].res.mismatched;
		if (w[i].res.elapsed_s > 0)
			rate += (double)w[i].h.count / w[i].res.elapsed_s;
	}
	free(w);
	if (!err && kv->mismatched)
		err = -EPROTO;
	return err ? err : rate;
}

static int attach_variant(struct chaining_kv *kv, int v)
{
	unsigned char rep[2048];
	int err;

	err = kvcache_attach(&kv->kc[v], kv->t.server.nsfd, kv->t.server.ifindex, XDP_FLAGS_DRV_MODE);
	/* two hosts: the peer's NIC needs no XDP, and its load's warm-up fills the cache */
	if (kv->t.hardware)
		return err;
	if (!err)
		err = kvcache_attach_peer_pass(&kv->kc[v], kv->t.client.nsfd, kv->t.client.ifindex);
	/* the first get of a fresh cache misses and memcached's reply fills it */
	if (!err && mc_get_udp(&kv->cl, KV_KEY, rep, sizeof(rep)) < 0)
		err = -EIO;
	if (err)
		kvcache_detach(&kv->kc[v]);
	return err;
}

/* The get for KV_KEY as a client -> server frame, as it reaches the server's XDP. */
static size_t get_frame(const struct chaining_kv *kv, unsigned char *f, size_t cap)
{
	const size_t hdr = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct iphdr *ip = (struct iphdr *)(f + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	char req[LG_MC_REQ_MAX];
	int n = mc_build_get(req, sizeof(req), true, 1, KV_KEY);

	if (n < 0 || hdr + (size_t)n > cap)
		return 0;
	build_udp_frame(f, hdr + (size_t)n);
	memcpy(f + hdr, req, (size_t)n);
	ip->daddr = kv->t.server.addr.s_addr;
	ip->saddr = kv->t.client.addr.s_addr;
	ip->check = 0;
	udp->dest = htons(KV_PORT);
	udp->source = htons(40001);
	return hdr + (size_t)n;
}

/*
 * Fills each loaded variant's cache as memcached's reply would and runs the
 * cached get through it once: every variant must answer XDP_TX with the
 * same frame.  Collects the programs to time into @fds (kv_xdp_pass first)
 * and their variants into @vs; returns how many variants, or -errno.
 */
static int testrun_check(struct chaining_kv *kv, const unsigned char *in, size_t len,
			 int *fds, int *vs, size_t *reply_len)
{
	unsigned char out[2048], first[2048];
	size_t olen, flen = 0;
	int n = 0, v, err;
	__u32 ret;

	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		if (!kv->loaded[v])
			continue;
		err = kvcache_put(&kv->kc[v], KV_KEY, 5, KV_VALUE, strlen(KV_VALUE));
		olen = sizeof(out);
		if (!err)
			err = testrun_once(kvcache_xdp_fd(&kv->kc[v]), in, len, out, &olen, &ret);
		if (err)
			return err;
		if (ret != XDP_TX || (n && (olen != flen || memcmp(out, first, olen)))) {
			fprintf(stderr, "chaining: %s: test_run reply differs (retval %u, %zu bytes)\n",
				kv_config[v], ret, olen);
			return -EPROTO;
		}
		if (!n) {
			memcpy(first, out, olen);
			flen = olen;
			fds[0] = bpf_program__fd(kv->kc[v].skel->progs.kv_xdp_pass);
		}
		vs[n] = v;
		fds[1 + n++] = kvcache_xdp_fd(&kv->kc[v]);
	}
	*reply_len = flen;
	return n;
}

/* One sample of program @conf: the mean of @calls single test runs. */
struct testrun_calls {
	const int *fds;
	const unsigned char *in;
	size_t len;
	int calls;
};

static int testrun_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct testrun_calls *t = ctx;
	double sum = 0, ns;
	int k, err = 0;
	__u32 ret;

	(void)env;
	(void)round;
	for (k = 0; k < t->calls && !err; k++) {
		err = testrun_ns(t->fds[conf], t->in, t->len, 1, &ns, &ret);
		sum += ns;
	}
	*sample = sum / t->calls;
	return err;
}

/*
 * The fast path alone: each variant (its cache filled as memcached's reply
 * would) runs the cached get through BPF_PROG_TEST_RUN, one run per call
 * (XDP_TX rewrites the frame in place, so repeats would not be hits), the
 * mean of @calls calls per sample, kv_xdp_pass's median subtracted.  The
 * variants' reply frames must be identical, byte for byte.
 */
static int kv_testrun(struct exp_env *env, struct chaining_kv *kv)
{
	int fds[1 + KVC_NR_VARIANTS], vs[KVC_NR_VARIANTS], n, i, err;
	unsigned char in[512];
	struct testrun_calls tc = { .fds = fds, .in = in, .calls = env->profile == PROFILE_QUICK ? 2000 : 5000 };
	struct sampler s = { .step = testrun_step, .ctx = &tc };
	char note[RESULT_NOTE];
	size_t flen = 0, total;
	double *t, base;

	tc.len = get_frame(kv, in, sizeof(in));
	if (!tc.len)
		return -EINVAL;
	n = testrun_check(kv, in, tc.len, fds, vs, &flen);
	if (n <= 0)
		return n;	/* no variant loaded: nothing to time */
	s.nconf = 1 + n;
	total = sampler_rounds(env, &s);
	t = sampler_alloc(env, &s);
	if (!t)
		return -ENOMEM;
	err = sample_interleaved(env, &s, t);
	if (!err) {
		base = measure_median(env, t);
		snprintf(note, sizeof(note), "BPF_PROG_TEST_RUN of the cached get, 1 run per call, mean of %d calls "
			 "per sample; kv_xdp_pass median (%.1f ns) subtracted; replies identical (%zu B)",
			 tc.calls, base, flen);
		for (i = 0; i < n; i++)
			env_add_samples(env, kv_config[vs[i]], "xdp_testrun_ns", "ns", sample_series(env, &s, t, 0, 1 + i),
					total, base, i == 0 ? note : "");
	}
	free(t);
	return err;
}

/*
 * One host: memcached and the client in two namespaces over veth.  Two hosts
 * (--iface, --peer-ssh): memcached on the interface here, the load client on
 * the peer -- a windowed client of the same single cached key's gets (its
 * key, 32 B value), byte-checked there.
 */
static int kv_topology(struct exp_env *env, struct chaining_kv *kv)
{
	const struct chaining_cfg *c = env->cfg;
	int err;

	if (memcached_check(env))
		return EXP_SKIP;
	err = peer_load_topology(env, &c->remote, &kv->t, &kv->peer, &kv->topo_up, &kv->remote,
				 "the load client");
	if (err || !kv->remote)
		return err;
	kv->wcfg = (struct lg_mcw_cfg){ .keys = { 1, 1 }, .value_size = { 32, 32 }, .seed = 0x5eed7ab5 };
	snprintf(kv->why_threads, sizeof(kv->why_threads), "two hosts: %d outstanding from the peer",
		 KV_PEER_WINDOW);
	return 0;
}

/* 0, or EXP_SKIP with env->skip_reason (the caller then skips only the kvcache rows). */
int chaining_kv_setup(struct exp_env *env, void **out)
{
	struct chaining_kv *kv = calloc(1, sizeof(*kv));
	struct kvcache_config cfg = { .port = KV_PORT };
	int v, err, n;

	*out = kv;
	if (!kv)
		return -ENOMEM;
	kv->cl.tcp = kv->cl.udp = -1;
	err = kv_topology(env, kv);
	if (err)
		return err;
	cfg.server_addr = kv->t.server.addr.s_addr;
	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		cfg.variant = v;
		kv->loaded[v] = !kvcache_load(&kv->kc[v], &cfg);
	}
	err = memcached_start(&kv->mc, kv->t.server.nsfd, kv->t.server.addr, KV_PORT, KV_PORT, 1);
	if (!err)
		err = mc_client_open(&kv->cl, kv->t.client.nsfd, kv->t.server.addr, KV_PORT, KV_PORT);
	if (!err)
		err = mc_set_tcp(&kv->cl, KV_KEY, 5, KV_VALUE, strlen(KV_VALUE));
	if (!err && kv->remote)
		err = lg_mcw_store(&kv->wcfg, &kv->cl);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot start memcached (%s)",
			 strerror(err < 0 ? -err : EPROTO));
		return EXP_SKIP;
	}
	n = mc_build_value_reply(kv->expect, sizeof(kv->expect), KV_KEY, 5, KV_VALUE, strlen(KV_VALUE));
	if (n < 0)
		return -EINVAL;
	kv->expect_len = (size_t)n;
	return 0;
}

/*
 * Which side limits: one client thread vs one per CPU, on the dynamic-index
 * variant, with the CPUs' busy time.  Returns the thread count to use.
 */
static int pick_threads(struct exp_env *env, struct chaining_kv *kv, int v, double secs)
{
	const struct chaining_cfg *c = env->cfg;
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), t, best = 1;
	double rate[3] = { 0 };
	struct cpu_times a, b;
	char cpus[160], note[RESULT_NOTE], cfg[32];

	if (ncpu > 2)
		ncpu = 2;
	secs = secs < 0.25 ? 0.5 : 2 * secs;
	for (t = 1; t <= ncpu; t++) {
		cpu_times_read(&a);
		rate[t] = load_once(kv, t, secs);
		cpu_times_read(&b);
		if (rate[t] < 0)
			return (int)rate[t];
		cpu_times_fmt(&a, &b, cpus, sizeof(cpus));
		snprintf(cfg, sizeof(cfg), "kv_load_threads=%d", t);
		snprintf(note, sizeof(note), "%s, closed loop, 1 outstanding get per thread (thread i on cpu i): %s",
			 kvcache_variant_name(v), cpus);
		env_add_value(env, cfg, "mreq_per_s", "Mreq/s", rate[t] / 1e6, note);
	}
	/* a second thread helps only if the first one's CPU was the limit */
	if (ncpu == 2 && rate[2] > 1.2 * rate[1])
		best = 2;
	snprintf(kv->why_threads, sizeof(kv->why_threads), "chosen: 2 threads gave %.2fx 1 thread",
		 rate[1] > 0 ? rate[2] / rate[1] : 0);
	if (c->kv_threads) {
		best = c->kv_threads;
		snprintf(kv->why_threads, sizeof(kv->why_threads), "set by --kv-threads");
	}
	return best;
}

/* The verifier's verdict per variant: its instruction count, or why every row of it is skipped. */
static void verified_rows(struct exp_env *env, struct chaining_kv *kv)
{
	char note[RESULT_NOTE];
	int v;

	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		if (!kv->loaded[v]) {
			snprintf(note, sizeof(note), "the verifier rejected it: %s", kv->kc[v].verifier_log);
			result_skip(env->rs, kv_config[v], "mreq_per_s", note);
			result_skip(env->rs, kv_config[v], "verified_insns", note);
			continue;
		}
		env_add_value(env, kv_config[v], "verified_insns", "insns", kv->kc[v].verified_insns,
			      "bpf_prog_info.verified_insns summed over the variant's programs");
	}
}

/* The live load: rounds interleave the loaded variants. */
struct kv_load {
	struct chaining_kv *kv;
	int threads;
	double secs;
	int stats_fd;			/* bpf_stats on while open; < 0: unavailable */
	bool off[KVC_NR_VARIANTS];	/* not loaded */
	size_t reload_at;		/* the round at which each variant is loaded again */
	bool reloaded[KVC_NR_VARIANTS];
};

/*
 * Halfway through the rounds each variant is loaded again: a new JIT image
 * at a new address.  Its XDP ns/request moved between loads by more than
 * the variants differ (dyn/inlined 1.16 in one run, 0.955 in the next), so
 * both halves of the run must now agree for a firm verdict (split-half check).
 */
static int reload_variant(struct exp_env *env, struct kv_load *l, int v)
{
	struct chaining_kv *kv = l->kv;
	struct kvcache_config cfg = kv->kc[v].cfg;
	int err;

	l->reloaded[v] = true;
	kvcache_destroy(&kv->kc[v]);
	err = kvcache_load(&kv->kc[v], &cfg);
	if (err) {
		kv->loaded[v] = false;
		snprintf(env->skip_reason, sizeof(env->skip_reason), "kvcache %s: loading again failed: %s",
			 kv_config[v], kv->kc[v].verifier_log);
		return err;
	}
	return 0;
}

/* One sample of variant @v: [0] Mreq/s of the load client, [1] XDP ns per request (bpf_stats). */
static int load_step(struct exp_env *env, int v, size_t round, double *sample, void *ctx)
{
	struct kv_load *l = ctx;
	struct chaining_kv *kv = l->kv;
	struct kvcache_stats s0, s1;
	__u64 ns0 = 0, c0 = 0, ns1 = 0, c1 = 0;
	double rate;
	int err;

	if (round >= l->reload_at && !l->reloaded[v]) {
		err = reload_variant(env, l, v);
		if (err)
			return err;
	}
	err = attach_variant(kv, v);
	if (err)
		return err;
	kvcache_read_stats(&kv->kc[v], &s0);
	netpath_prog_stats(kvcache_xdp_fd(&kv->kc[v]), &ns0, &c0);
	rate = load_once(kv, l->threads, l->secs);
	netpath_prog_stats(kvcache_xdp_fd(&kv->kc[v]), &ns1, &c1);
	kvcache_read_stats(&kv->kc[v], &s1);
	kvcache_detach(&kv->kc[v]);
	if (rate < 0)
		return (int)rate;
	/* every get must have been a fast-path hit, or this is memcached's rate */
	if (s1.hit - s0.hit < (uint64_t)(rate * l->secs * 0.9)) {
		fprintf(stderr, "chaining: %s answered only %llu of ~%.0f gets from XDP\n",
			kv_config[v], (unsigned long long)(s1.hit - s0.hit), rate * l->secs);
		return -EPROTO;
	}
	sample[0] = rate / 1e6;
	sample[1] = l->stats_fd >= 0 && c1 > c0 ? (double)(ns1 - ns0) / (double)(c1 - c0) : 0;
	return 0;
}

/*
 * penalty_fraction of the variants that are neither reference of it, from
 * their XDP ns/request (bpf_stats): needs the dynamic tail calls and the
 * inlined program measured in the same rounds.
 */
static void penalty_rows(struct exp_env *env, const struct kv_load *l, const struct sampler *s,
			 double *out, size_t total, double *frac)
{
	const double *dyn = sample_series(env, s, out, 1, KVC_TAIL_DYN);
	const double *inl = sample_series(env, s, out, 1, KVC_INLINED);
	const char *what = "(t_v - t_inlined) / (t_tail_dynamic - t_inlined) of the XDP ns/request per round";
	int v;

	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		if (v == KVC_TAIL_DYN || v == KVC_INLINED || l->off[v])
			continue;
		if (l->stats_fd < 0 || l->off[KVC_TAIL_DYN] || l->off[KVC_INLINED]) {
			result_skip(env->rs, kv_config[v], "penalty_fraction",
				    l->stats_fd < 0 ? "bpf_enable_stats failed" :
				    "the dynamic tail calls or the inlined program did not load");
			continue;
		}
		chaining_penalty_row(env, kv_config[v], sample_series(env, s, out, 1, v), dyn, inl,
				     total, frac, what);
		what = NULL;
	}
}

static int load_rows(struct exp_env *env, const struct kv_load *l, const struct sampler *s,
		     double *out, int ref)
{
	size_t total = sampler_rounds(env, s), r;
	const double *base = sample_series(env, s, out, 0, ref);
	double *imp = calloc(total, sizeof(*imp));
	char note[RESULT_NOTE];
	int v;

	if (!imp)
		return -ENOMEM;
	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		double *tp = sample_series(env, s, out, 0, v);

		if (l->off[v])
			continue;
		snprintf(note, sizeof(note), "%d %s client%s (%s), %.2f s per sample, rounds interleave the "
			 "variants; bpf_stats on; replies byte-checked: %llu, mismatched %llu", l->threads,
			 l->kv->remote ? "windowed" : "closed-loop", l->threads > 1 ? "s" : "",
			 l->kv->why_threads, l->secs,
			 (unsigned long long)l->kv->checked, (unsigned long long)l->kv->mismatched);
		env_add_samples(env, kv_config[v], "mreq_per_s", "Mreq/s", tp, total, 0, note);
		for (r = 0; r < total; r++)
			imp[r] = (tp[r] / base[r] - 1) * 100;
		snprintf(note, sizeof(note), "throughput vs %s, paired per round", kv_config[ref]);
		env_add_samples(env, kv_config[v], "improvement_pct", "%", imp, total, 0, note);
		if (l->stats_fd < 0)
			result_skip(env->rs, kv_config[v], "xdp_ns_per_req", "bpf_enable_stats failed");
		else
			env_add_samples(env, kv_config[v], "xdp_ns_per_req", "ns", sample_series(env, s, out, 1, v),
					total, 0, "bpf_stats: run_time_ns / run_cnt of the entry program (tail-called "
					"stages included), the same samples");
	}
	penalty_rows(env, l, s, out, total, imp);
	free(imp);
	return 0;
}

/* The reference of the improvement: the dynamic-index tail calls, else the first variant loaded. */
static int reference_variant(const struct chaining_kv *kv)
{
	int ref = KVC_TAIL_DYN;

	if (!kv->loaded[ref])
		for (ref = 0; ref < KVC_NR_VARIANTS && !kv->loaded[ref]; ref++)
			;
	return ref;
}

int chaining_kv_run(struct exp_env *env, void *priv)
{
	const struct chaining_cfg *c = env->cfg;
	struct kv_load l = { .kv = priv, .secs = c->kv_duration };
	struct sampler s = { .nconf = KVC_NR_VARIANTS, .width = 2, .off = l.off, .step = load_step,
			     .ctx = &l, .names = kv_config };
	int v, err, ref;
	double *out;

	verified_rows(env, l.kv);
	progress(env, "kvcache: test_run of the fast path");
	err = kv_testrun(env, l.kv);
	if (err)
		return err;
	ref = reference_variant(l.kv);
	if (ref == KVC_NR_VARIANTS)
		return 0;
	err = attach_variant(l.kv, ref);
	if (err)
		return err;
	progress(env, "kvcache: client threads 1 vs 2");
	l.threads = l.kv->remote ? 1 : pick_threads(env, l.kv, ref, l.secs);
	kvcache_detach(&l.kv->kc[ref]);
	if (l.threads < 0)
		return l.threads;
	for (v = 0; v < KVC_NR_VARIANTS; v++)
		l.off[v] = !l.kv->loaded[v];
	out = sampler_alloc(env, &s);
	if (!out)
		return -ENOMEM;
	l.reload_at = sampler_rounds(env, &s) / 2;
	/* bpf_stats through an fd: on while it is open, the sysctl untouched */
	l.stats_fd = netpath_stats_enable();
	err = sample_interleaved(env, &s, out);
	netpath_stats_restore(l.stats_fd);
	if (!err)
		err = load_rows(env, &l, &s, out, ref);
	free(out);
	return err;
}

void chaining_kv_teardown(void *priv)
{
	struct chaining_kv *kv = priv;
	int v;

	if (!kv)
		return;
	mc_client_close(&kv->cl);
	for (v = 0; v < KVC_NR_VARIANTS; v++)
		if (kv->loaded[v])
			kvcache_destroy(&kv->kc[v]);
	memcached_stop(&kv->mc);
	if (kv->remote)
		peer_close(&kv->peer);
	if (kv->topo_up)
		topo_destroy(&kv->t);
	free(kv);
}

/* Table 5 as the paper prints it, ours beside it. */
void chaining_kv_report(const struct result_set *rs, FILE *md)
{
	static const double paper_mreq[KVC_NR_VARIANTS] = { 1.12, 1.07, 1.14, 1.11, 1.14 };
	static const double paper_pct[KVC_NR_VARIANTS] = { 4.7, 0, 6.5, 3.7, 6.5 };
	static const int order[KVC_NR_VARIANTS] = { KVC_TAIL_DYN, KVC_TAIL_CONST, KVC_INLINED,
						    KVC_BPF2BPF, KVC_GLOBAL };
	const struct result_row *r;
	int i;

	if (!result_find(rs, "kv_tail_dynamic", "mreq_per_s") &&
	    !result_find(rs, "kv_tail_const", "mreq_per_s"))
		return;
	fputs("\nkvcache form (the paper's setup: the real fast path, memcached behind it, single-key "
	      "gets of one cached key, 3 tail calls per request in the tail-call variants):\n\n"
	      "| variant | paper Mreq/s | paper gain | ours Mreq/s (median ± IQR) | ours gain (median) | "
	      "XDP ns/req (bpf_stats, live) | XDP ns/req (test_run) | verified insns |\n"
	      "|---|---|---|---|---|---|---|---|\n", md);
	for (i = 0; i < KVC_NR_VARIANTS; i++) {
		int v = order[i];
		const struct result_row *t = result_find(rs, kv_config[v], "mreq_per_s");
		const struct result_row *g = result_find(rs, kv_config[v], "improvement_pct");
		const struct result_row *n = result_find(rs, kv_config[v], "xdp_ns_per_req");
		const struct result_row *tr = result_find(rs, kv_config[v], "xdp_testrun_ns");
		const struct result_row *vi = result_find(rs, kv_config[v], "verified_insns");

		fprintf(md, "| %s | %.2f | %.1f%% | ", kv_config[v], paper_mreq[v], paper_pct[v]);
		if (!t || t->skipped) {
			fprintf(md, "skipped: %s | | | | |\n", t ? t->note : "not measured");
			continue;
		}
		fprintf(md, "%.4f ± %.4f | %+.1f%% | %.0f ± %.0f | %.0f ± %.0f | %.0f |\n", t->st.median,
			stats_iqr(&t->st), g && !g->skipped ? g->st.median : 0,
			n && !n->skipped ? n->st.median : 0, n && !n->skipped ? stats_iqr(&n->st) : 0,
			tr && !tr->skipped ? tr->st.median : 0, tr && !tr->skipped ? stats_iqr(&tr->st) : 0,
			vi && !vi->skipped ? vi->st.median : 0);
	}
	fputs("\nWhere the load ran: on veth a native XDP program runs in the softirq of the CPU that "
	      "*sent* the request, so a cached hit never reaches another CPU; the load client and the "
	      "\"server\" share one CPU per client thread.\n", md);
	for (i = 1; i <= 2; i++) {
		char cfg[32];

		snprintf(cfg, sizeof(cfg), "kv_load_threads=%d", i);
		r = result_find(rs, cfg, "mreq_per_s");
		if (r && !r->skipped)
			fprintf(md, "- %d client thread%s: %.3f Mreq/s; %s\n", i, i > 1 ? "s" : "",
				r->st.median, r->note);
	}
}
