// SPDX-License-Identifier: GPL-2.0
/*
 * map-zipf (paper Fig. 12): the per-flow counters of map-footprint over a
 * fixed flow set (100K) whose popularity follows Zipf(s), s from 0 (uniform)
 * to 2 (skewed).  Flow i is rank i + 1; flows are scattered over the maps, so
 * skew concentrates the accesses on few cache lines.  Same method as
 * map-footprint: precomputed keys walked by the program, baseline subtracted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/flowgen.h"
#include "core/measure.h"
#include "core/obench.h"

#define MAX_POINTS 12	/* Zipf parameters per run */

/* map_zipf's flags, filled and validated by the runner before setup() */
struct map_zipf_cfg {
	int flows;
	struct opt_list zipf_s;
	struct flow_params fp;
};

#define CFG(f) offsetof(struct map_zipf_cfg, f)
static const struct opt_spec map_zipf_opts[] = {
	{ "flows", OPT_INT, CFG(flows), .def = "100000", .min = 2, .max = 4000000,
	  .help = "number of flows" },
	{ "s", OPT_DOUBLE_LIST, CFG(zipf_s), .def = "0,0.5,1.0,1.5,2.0", .min = 0, .max = 5,
	  .help = "Zipf parameters, comma-separated (0 = uniform, 0..5, up to 12)" },
	FLOW_PARAM_OPTS(CFG(fp), "the Zipf draws"),
	OPT_END
};
#undef CFG

static int map_zipf_validate(const void *cfg, char *err, size_t errlen)
{
	const struct map_zipf_cfg *c = cfg;
	char a[16], b[16];
	int i, j;

	/* rows are named s=%.1f: two values that print alike would share a row */
	for (i = 0; i < c->zipf_s.n; i++)
		for (j = 0; j < i; j++) {
			snprintf(a, sizeof(a), "%.1f", c->zipf_s.v[i]);
			snprintf(b, sizeof(b), "%.1f", c->zipf_s.v[j]);
			if (!strcmp(a, b)) {
				snprintf(err, errlen, "--s: %g and %g are the same to one decimal "
					 "(rows are named s=%s): give values 0.1 apart", c->zipf_s.v[j],
					 c->zipf_s.v[i], a);
				return -1;
			}
		}
	return flow_params_check(&c->fp, "s", &c->zipf_s, MAX_POINTS, err, errlen);
}

struct map_zipf {
	struct flow_setup fs;
	struct flow_key *flows;
	struct flow_bench b;
	bool loaded;
};

/* One flow set and the programs for it; each s only rewrites the key sequence. */
static int map_zipf_setup(struct exp_env *env)
{
	const struct map_zipf_cfg *c = env->cfg;
	struct map_zipf *x = calloc(1, sizeof(*x));
	size_t nflows = (size_t)c->flows;
	struct flow_rng rng;
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->fs.pmu_fd = -1;
	err = flow_setup_begin(&x->fs, &c->fp, env->skip_reason, sizeof(env->skip_reason));
	if (err)
		return err;
	flow_rng_seed(&rng, (__u64)c->fp.seed);
	x->flows = flow_set_make(nflows, &rng);
	if (!x->flows)
		return -ENOMEM;
	err = flow_bench_load(&x->b, x->flows, nflows, (size_t)c->fp.seq_len,
			      (__u32)c->fp.batch, true);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot load flow_counters for %zu flows", nflows);
		return err;
	}
	x->loaded = true;
	return 0;
}

static int measure_point(struct exp_env *env, struct map_zipf *x, double s, __u32 *seq)
{
	const struct flow_params *fp = &((const struct map_zipf_cfg *)env->cfg)->fp;
	struct flow_rng rng;
	struct zipf z;
	char point[32], what[96];
	int err;

	err = zipf_init(&z, x->b.nflows, s);
	if (err)
		return err;
	/* a stream of its own per s, reproducible from --seed */
	flow_rng_seed(&rng, (__u64)fp->seed * 1000003 + (__u64)(s * 1000));
	flow_seq_zipf(seq, x->b.seq_len, &z, &rng);
	zipf_free(&z);
	flow_bench_set_seq(&x->b, seq);
	snprintf(point, sizeof(point), "s=%.1f", s);
	snprintf(what, sizeof(what), "%zu flows in %u slots, Zipf(%.2f)",
		 x->b.nflows, flow_capacity(x->b.nflows), s);
	return flow_bench_measure_point(env, &x->b, &x->fs, flow_params_runs(env, fp), point, what);
}

static int map_zipf_run(struct exp_env *env)
{
	const struct map_zipf_cfg *c = env->cfg;
	struct map_zipf *x = env->priv;
	__u32 *seq = malloc(x->b.seq_len * sizeof(*seq));
	int i, err = 0;

	if (!seq)
		return -ENOMEM;
	for (i = 0; i < c->zipf_s.n && !err; i++)
		err = measure_point(env, x, c->zipf_s.v[i], seq);
	free(seq);
	return err;
}

static void map_zipf_teardown(struct exp_env *env)
{
	struct map_zipf *x = env->priv;

	if (!x)
		return;
	if (x->loaded)
		flow_bench_destroy(&x->b);
	flow_setup_end(&x->fs);
	free(x->flows);
	free(x);
	env->priv = NULL;
}

/*
 * Fig. 12a: the paper gives no number, only that throughput rises with skew;
 * the verdict here is ours: does Mpps grow at every step of s?
 */
static void map_zipf_report(const struct result_set *rs, FILE *md)
{
	int m;

	fprintf(md, "\nPaper (Fig. 12, text only): throughput increases as the Zipf parameter grows.\n\n"
		"| map | Mpps-equivalent by s | highest s / s=0 | rises at every step |\n|---|---|---|---|\n");
	for (m = 0; m < FLOW_NMAPS; m++) {
		const struct result_row *lo = NULL, *prev = NULL;
		bool rising = true;
		char cells[256] = "";
		size_t i, used = 0;

		for (i = 0; i < rs->n; i++) {
			const struct result_row *r = &rs->rows[i];
			size_t k = strlen(flow_map_names[m]);

			if (r->skipped || strcmp(r->metric, "mpps_equiv") ||
			    strncmp(r->config, flow_map_names[m], k) || strncmp(r->config + k, "_s=", 3))
				continue;
			if (!lo)
				lo = r;
			if (prev && r->st.median <= prev->st.median)
				rising = false;
			prev = r;
			if (used < sizeof(cells))
				used += (size_t)snprintf(cells + used, sizeof(cells) - used, "%s%s: %.1f",
							 used ? ", " : "", r->config + k + 1, r->st.median);
		}
		if (!lo)
			continue;
		fprintf(md, "| %s | %s | %.2fx | %s |\n", flow_map_names[m], cells,
			prev->st.median / lo->st.median, rising ? "yes" : "no");
	}
}

const struct experiment exp_map_zipf = {
	.name = "map-zipf",
	.paper_ref = "Fig. 12",
	.summary = "per-flow counters over 100K flows with Zipf(0..2) popularity: array, hash, LRU hash",
	.tiers = "host,vm,hw",
	.opts = map_zipf_opts,
	.cfg_size = sizeof(struct map_zipf_cfg),
	.validate = map_zipf_validate,
	.in_default_suite = true,
	.setup = map_zipf_setup,
	.run = map_zipf_run,
	.teardown = map_zipf_teardown,
	.report = map_zipf_report,
};
