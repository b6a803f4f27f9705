// SPDX-License-Identifier: GPL-2.0
/*
 * chaining (paper Table 5): the cost of chaining the stages of one pipeline
 * (parse UDP -> FNV-1a over 64 payload bytes -> cache lookup, BMC's fast path
 * in small) with tail calls (constant / dynamic index), inlining, BPF-to-BPF
 * calls and global functions.  ns per run through BPF_PROG_TEST_RUN, the
 * XDP_PASS-only program's median subtracted; throughput relative to the
 * dynamic-index tail calls = t(tail_dynamic) / t(variant), per paired sample;
 * penalty_fraction = (t_v - t_inlined) / (t_dynamic - t_inlined) per round.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "chaining.skel.h"
#include "core/measure.h"
#include "core/obench.h"
#include "net/netpath.h"
#include "experiments/chaining/chaining.h"
#include "net/topology.h"

#define NR_VARIANTS	5
#define DYNAMIC		1	/* index of tail_dynamic in the variant table */
#define INLINED		2	/* index of inlined */

#define CFG(f) offsetof(struct chaining_cfg, f)
static const struct opt_spec chaining_opts[] = {
	{ "frame", OPT_INT, CFG(frame), .def = "128", .min = 106, .max = 1500,
	  .help = "UDP frame length in bytes (>= 106: 64 payload bytes are hashed)" },
	{ "batch", OPT_INT, CFG(batch), .def = "60000", .quick = "20000", .full = "200000",
	  .min = 1, .max = 10000000, .help = "test_run repetitions per sample" },
	{ "kv", OPT_BOOL, CFG(kv), .def = "true",
	  .help = "also measure the kvcache fast path under memcached load (chaining/kvcache.c)" },
	{ "kv-duration", OPT_DOUBLE, CFG(kv_duration), .def = "0.3", .quick = "0.25", .full = "1",
	  .min = 0.05, .max = 60, .help = "kvcache form: seconds of load per variant per round" },
	{ "kv-threads", OPT_INT, CFG(kv_threads), .min = 1, .max = 8,
	  .help = "kvcache form: closed-loop client threads (default: chosen by measuring 1 vs 2)" },
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

struct chaining {
	struct chaining_bpf *skel;
	void *kv;			/* the kvcache form (chaining/kvcache.c) */
	char kv_skip[256];		/* why it is not measured, if it is not */
};

/* Stage programs of the tail-call variants, at their stage index (0 = entry). */
static int fill_prog_array(struct bpf_map *map, struct bpf_program *hash,
			   struct bpf_program *lookup)
{
	__u32 k[2] = { 1, 2 };
	int fd[2] = { bpf_program__fd(hash), bpf_program__fd(lookup) }, i;

	for (i = 0; i < 2; i++)
		if (bpf_map_update_elem(bpf_map__fd(map), &k[i], &fd[i], BPF_ANY))
			return -errno;
	return 0;
}

/* The cache entries: any values; the pipeline folds the one its hash selects. */
static int fill_cache(struct bpf_map *map)
{
	__u32 n = bpf_map__max_entries(map), k;
	__u64 v;

	for (k = 0; k < n; k++) {
		v = (k + 1) * 0x9e3779b97f4a7c15ULL;
		if (bpf_map_update_elem(bpf_map__fd(map), &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int chaining_setup(struct exp_env *env)
{
	struct chaining *ch = calloc(1, sizeof(*ch));
	struct chaining_bpf *s;
	int err;

	if (!ch)
		return -ENOMEM;
	env->priv = ch;
	ch->skel = s = chaining_bpf__open();
	if (!s)
		return -errno;
	err = chaining_bpf__load(s);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the chaining programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	err = fill_prog_array(s->maps.jmp_const, s->progs.tail_const_hash,
			      s->progs.tail_const_lookup);
	if (!err)
		err = fill_prog_array(s->maps.jmp_dynamic, s->progs.tail_dynamic_hash,
				      s->progs.tail_dynamic_lookup);
	if (!err)
		err = fill_cache(s->maps.cache);
	if (err || !((const struct chaining_cfg *)env->cfg)->kv)
		return err;
	/* the kvcache form skips on its own; the micro rows still run */
	err = chaining_kv_setup(env, &ch->kv);
	if (err == EXP_SKIP) {
		snprintf(ch->kv_skip, sizeof(ch->kv_skip), "%s", env->skip_reason);
		env->skip_reason[0] = 0;
		chaining_kv_teardown(ch->kv);
		ch->kv = NULL;
		err = 0;
	}
	return err;
}

struct variant {
	const char *config;
	struct bpf_program *prog;
};

/* The variants are only comparable if they compute the same thing: one run each, results equal. */
static int check_variants(struct chaining_bpf *s, const struct variant *variants,
			  const unsigned char *pkt, size_t len)
{
	int i, err;

	memset(s->bss->result, 0, sizeof(s->bss->result));
	for (i = 0; i < NR_VARIANTS; i++) {
		err = testrun_once(bpf_program__fd(variants[i].prog), pkt, len, NULL, NULL, NULL);
		if (err)
			return err;
	}
	for (i = 1; i < NR_VARIANTS; i++) {
		if (s->bss->result[i] != s->bss->result[0] || s->bss->result[i] < 16) {
			fprintf(stderr, "chaining: %s computed %#llx, tail_const %#llx\n",
				variants[i].config, (unsigned long long)s->bss->result[i],
				(unsigned long long)s->bss->result[0]);
			return -EIO;
		}
	}
	return 0;
}

/* ns_per_run (XDP_PASS median subtracted) and throughput_vs_tail_dynamic of each variant. */
static int add_variant_rows(struct exp_env *env, const struct variant *variants, double *v,
			    size_t len, unsigned int batch)
{
	size_t total = measure_total(env), r;
	const double *dyn = v + (1 + DYNAMIC) * total;
	double *ratio = calloc(total, sizeof(*ratio)), base = measure_median(env, v);
	char note[192];
	int i;

	if (!ratio)
		return -ENOMEM;
	measure_per_op(v + total, NR_VARIANTS * total, base, 1);
	snprintf(note, sizeof(note), "XDP_PASS-only program's median (%.1f ns/run) subtracted; %zu B frame, %u runs/sample",
		 base, len, batch);
	for (i = 0; i < NR_VARIANTS; i++)
		env_add_samples(env, variants[i].config, "ns_per_run", "ns",
				v + (size_t)(1 + i) * total, total, 0, i == 0 ? note : "");
	for (i = 0; i < NR_VARIANTS; i++) {
		const double *var = v + (size_t)(1 + i) * total;

		for (r = 0; r < total; r++)
			ratio[r] = var[r] > 0 ? dyn[r] / var[r] : 0;
		env_add_samples(env, variants[i].config, "throughput_vs_tail_dynamic", "x",
				ratio, total, 0, i == 0 ? "t(tail_dynamic) / t(variant), paired samples" : "");
	}
	for (i = 0; i < NR_VARIANTS; i++)
		if (i != DYNAMIC && i != INLINED)
			chaining_penalty_row(env, variants[i].config, v + (size_t)(1 + i) * total, dyn,
					     v + (1 + INLINED) * total, total, ratio,
					     i == 0 ? "(t_v - t_inlined) / (t_tail_dynamic - t_inlined) per interleaved round" : NULL);
	free(ratio);
	return 0;
}

static int chaining_run(struct exp_env *env)
{
	const struct chaining_cfg *c = env->cfg;
	struct chaining *ch = env->priv;
	struct chaining_bpf *s = ch->skel;
	const struct variant variants[NR_VARIANTS] = {	/* in the order of result[] in the BPF object */
		{ "tail_const", s->progs.tail_const_parse },
		{ "tail_dynamic", s->progs.tail_dynamic_parse },
		{ "inlined", s->progs.inlined },
		{ "bpf2bpf", s->progs.bpf2bpf },
		{ "global_func", s->progs.global_func },
	};
	size_t total = measure_total(env), len = (size_t)c->frame;
	int fds[1 + NR_VARIANTS], i, err;
	unsigned char *pkt;
	double *v;

	pkt = calloc(1, len);
	v = calloc((1 + NR_VARIANTS) * total, sizeof(*v));
	if (!pkt || !v) {
		err = -ENOMEM;
		goto out;
	}
	build_udp_frame(pkt, len);
	err = check_variants(s, variants, pkt, len);
	if (err)
		goto out;
	fds[0] = bpf_program__fd(s->progs.xdp_pass);
	for (i = 0; i < NR_VARIANTS; i++)
		fds[1 + i] = bpf_program__fd(variants[i].prog);
	err = measure_testrun(env, fds, 1 + NR_VARIANTS, pkt, len, (unsigned int)c->batch, v);
	if (!err)
		err = add_variant_rows(env, variants, v, len, (unsigned int)c->batch);
	if (err)
		goto out;
	if (ch->kv)
		err = chaining_kv_run(env, ch->kv);
	else if (ch->kv_skip[0])
		result_skip(env->rs, "kv_tail_dynamic", "mreq_per_s", ch->kv_skip);
out:
	free(v);
	free(pkt);
	return err;
}

static void chaining_teardown(struct exp_env *env)
{
	struct chaining *ch = env->priv;

	if (!ch)
		return;
	chaining_kv_teardown(ch->kv);
	chaining_bpf__destroy(ch->skel);
	free(ch);
	env->priv = NULL;
}

static void chaining_report(const struct result_set *rs, FILE *md)
{
	fputs("\nMethod: one pipeline (parse UDP, FNV-1a over 64 payload bytes, BMC-like cache\n"
	      "lookup) chained five ways; every variant's result is checked equal before timing.\n"
	      "Constant-index tail calls become direct jumps in the JIT; dynamic-index tail calls\n"
	      "stay indirect jumps, and BPF-to-BPF / global calls return with `ret`.  On a kernel\n"
	      "with retpolines or return thunks (see cpu_vulnerabilities in run.json) those\n"
	      "indirect jumps and returns carry the mitigation's cost, which the paper's kernel\n"
	      "may not have paid.\n", md);
	chaining_kv_report(rs, md);
}

static int chaining_validate(const void *cfg, char *err, size_t errlen)
{
	return net_remote_validate(&((const struct chaining_cfg *)cfg)->remote, err, errlen);
}

const struct experiment exp_chaining = {
	.name = "chaining",
	.paper_ref = "Table 5",
	.summary = "program chaining: tail calls (constant/dynamic index), inlined, BPF-to-BPF, global functions",
	.tiers = "host,vm,hw",
	.opts = chaining_opts,
	.cfg_size = sizeof(struct chaining_cfg),
	.validate = chaining_validate,
	.in_default_suite = true,
	.setup = chaining_setup,
	.run = chaining_run,
	.teardown = chaining_teardown,
	.report = chaining_report,
	.cleanup = netpath_cleanup,
};
