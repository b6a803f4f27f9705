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

#define MAX_POINTS 12

/* map_zipf's flags, filled and validated by the runner before setup() */
struct map_zipf_cfg {
	int flows;
	struct opt_list zipf_s;
	struct opt_list maps;
	int seq_len;
	int batch;
	int runs;
	long long seed;
};

#define CFG(f) offsetof(struct map_zipf_cfg, f)
static const struct opt_spec map_zipf_opts[] = {
	{ "flows", OPT_INT, CFG(flows), .def = "100000", .min = 2, .max = 4000000,
	  .help = "number of flows" },
	{ "s", OPT_DOUBLE_LIST, CFG(zipf_s), .def = "0,0.5,1.0,1.5,2.0", .min = 0, .max = 5,
	  .help = "Zipf parameters, comma-separated (0 = uniform, 0..5)" },
	{ "maps", OPT_ENUM_LIST, CFG(maps), .def = "array,hash,lru_hash", .choices = FLOW_MAPS,
	  .help = "counter maps to measure" },
	{ "seq-len", OPT_INT, CFG(seq_len), .def = "262144", .min = 1024, .max = 16777216,
	  .help = "packets (keys) in the replayed sequence, a power of two" },
	{ "batch", OPT_INT, CFG(batch), .def = "64", .min = 10, .max = 1024,
	  .help = "packets per program run (>= 10: test_run reports whole ns)" },
	{ "runs", OPT_INT, CFG(runs), .min = 1, .max = 10000000,
	  .help = "test runs per sample (default: one pass over the sequence, x3 default, x10 full)" },
	{ "seed", OPT_LONG, CFG(seed), .def = "1", .min = 0, .max = 1e15,
	  .help = "seed of the flow set and the Zipf draws" },
	OPT_END
};
#undef CFG

struct map_zipf {
	double s[MAX_POINTS];
	int npoints;
	struct flow_setup fs;
	struct flow_key *flows;
	struct flow_bench b;
	bool loaded;
};

static int map_zipf_setup(struct exp_env *env)
{
	struct map_zipf *x = calloc(1, sizeof(*x));
	size_t len = (size_t)opt_int(env->opts, "seq-len");
	size_t nflows = (size_t)opt_int(env->opts, "flows");
	struct flow_rng rng;
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->fs.pmu_fd = -1;
	x->npoints = flow_parse_list("s", opt_str(env->opts, "s"), 0, 5, x->s, MAX_POINTS,
				     env->skip_reason, sizeof(env->skip_reason));
	if (x->npoints < 0)
		return -EINVAL;
	err = flow_setup_begin(env, &x->fs);
	if (err)
		return err;
	flow_rng_seed(&rng, (__u64)opt_int(env->opts, "seed"));
	x->flows = flow_set_make(nflows, &rng);
	if (!x->flows)
		return -ENOMEM;
	err = flow_bench_load(&x->b, x->flows, nflows, len,
			      (__u32)opt_int(env->opts, "batch"), true);
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
	size_t len = x->b.seq_len;
	unsigned int runs = opt_given(env->opts, "runs") ? (unsigned int)opt_int(env->opts, "runs") :
			    measure_batch(env, (unsigned int)(len / x->b.batch));
	struct flow_rng rng;
	struct zipf z;
	char config[64], base[64], note[128];
	bool first = true;
	int m, err;

	err = zipf_init(&z, x->b.nflows, s);
	if (err)
		return err;
	/* a stream of its own per s, reproducible from --seed */
	flow_rng_seed(&rng, (__u64)opt_int(env->opts, "seed") * 1000003 + (__u64)(s * 1000));
	flow_seq_zipf(seq, len, &z, &rng);
	zipf_free(&z);
	flow_bench_set_seq(&x->b, seq);
	snprintf(note, sizeof(note), "%zu flows in %u slots, Zipf(%.2f); %u pkts/run x %u runs/sample; CPU %d%s",
		 x->b.nflows, flow_capacity(x->b.nflows), s, x->b.batch, runs, x->fs.cpu,
		 x->fs.pinned ? " (pinned)" : "");
	for (m = 0; m < FLOW_NMAPS && !err; m++) {
		if (!x->fs.maps[m])
			continue;
		snprintf(config, sizeof(config), "%s_s=%.1f", flow_map_names[m], s);
		snprintf(base, sizeof(base), "baseline_s=%.1f", s);
		err = flow_bench_measure(env, &x->b, m, runs, x->fs.pmu_fd, x->fs.pmu_why, config,
					 first ? base : NULL, note);
		first = false;
	}
	return err;
}

static int map_zipf_run(struct exp_env *env)
{
	struct map_zipf *x = env->priv;
	__u32 *seq = malloc(x->b.seq_len * sizeof(*seq));
	int i, err = 0;

	if (!seq)
		return -ENOMEM;
	for (i = 0; i < x->npoints && !err; i++)
		err = measure_point(env, x, x->s[i], seq);
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
	.in_default_suite = true,
	.setup = map_zipf_setup,
	.run = map_zipf_run,
	.teardown = map_zipf_teardown,
	.report = map_zipf_report,
};
