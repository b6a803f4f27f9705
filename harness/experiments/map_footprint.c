// SPDX-License-Identifier: GPL-2.0
/*
 * map-footprint (paper Fig. 11): per-flow packet counters in an array, hash
 * and LRU hash as the number of flows grows (100 .. 100K), every map sized so
 * the flows fill at most 90% of it.  Packets are a precomputed stream of flow
 * keys in shuffled order (back-to-back random permutations of the flow set):
 * each program run counts the next `batch` keys (see bpf/flow_counters.bpf.c;
 * reading a precomputed key stands in for parsing the packet).  Cache misses
 * where the PMU allows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/flowgen.h"
#include "core/measure.h"
#include "core/obench.h"

#define MAX_POINTS 8	/* flow counts per run */

/* map_footprint's flags, filled and validated by the runner before setup() */
struct map_footprint_cfg {
	struct opt_list flows;
	struct flow_params fp;
};

#define CFG(f) offsetof(struct map_footprint_cfg, f)
static const struct opt_spec map_footprint_opts[] = {
	{ "flows", OPT_INT_LIST, CFG(flows), .def = "100,1000,10000,100000", .min = 1, .max = 4000000,
	  .help = "numbers of flows, comma-separated (1..4000000, up to 8)" },
	FLOW_PARAM_OPTS(CFG(fp), "the packet order"),
	OPT_END
};
#undef CFG

static int map_footprint_validate(const void *cfg, char *err, size_t errlen)
{
	const struct map_footprint_cfg *c = cfg;

	return flow_params_check(&c->fp, "flows", &c->flows, MAX_POINTS, err, errlen);
}

struct map_footprint {
	struct flow_setup fs;
};

static int map_footprint_setup(struct exp_env *env)
{
	const struct map_footprint_cfg *c = env->cfg;
	struct map_footprint *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->fs.pmu_fd = -1;
	return flow_setup_begin(&x->fs, &c->fp, env->skip_reason, sizeof(env->skip_reason));
}

/* The key sequence for @nflows flows: back-to-back shuffled passes over a fresh flow set. */
static int measure_point(struct exp_env *env, struct map_footprint *x, size_t nflows)
{
	const struct flow_params *fp = &((const struct map_footprint_cfg *)env->cfg)->fp;
	size_t len = (size_t)fp->seq_len;
	__u32 *seq = NULL;
	struct flow_rng rng;
	struct flow_key *flows;
	struct flow_bench b;
	char point[32], what[96];
	int err;

	flow_rng_seed(&rng, (__u64)fp->seed);
	flows = flow_set_make(nflows, &rng);
	seq = malloc(len * sizeof(*seq));
	if (!flows || !seq) {
		err = -ENOMEM;
		goto out;
	}
	err = flow_seq_shuffled(seq, len, nflows, &rng);
	if (err)
		goto out;
	err = flow_bench_load(&b, flows, nflows, len, (__u32)fp->batch, true);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot load flow_counters for %zu flows", nflows);
		goto out;
	}
	flow_bench_set_seq(&b, seq);
	snprintf(point, sizeof(point), "%zu", nflows);
	snprintf(what, sizeof(what), "%zu flows in %u slots, shuffled", nflows, flow_capacity(nflows));
	err = flow_bench_measure_point(env, &b, &x->fs, flow_params_runs(env, fp), point, what);
	flow_bench_destroy(&b);
out:
	free(seq);
	free(flows);
	return err;
}

/* The kept ns_per_packet samples of "<map>_<flows>", or NULL when not measured. */
static const struct result_row *map_work(const struct result_set *rs, const char *map, int flows)
{
	const struct result_row *r;
	char config[64];

	snprintf(config, sizeof(config), "%s_%d", map, flows);
	r = result_find(rs, config, "ns_per_packet");
	return r && !r->skipped && r->samples ? r : NULL;
}

/*
 * Fig. 11's comparison without the Mpps model: how much more map work a
 * packet costs at 100K flows than at 100, for the array relative to the
 * hash: the map work each adds per packet from 100 to 100K flows,
 * (t_array(100K) - t_array(100)) / (t_hash(100K) - t_hash(100)), per round
 * index.  An added time, not a ratio of times: the array's tiny time at 100
 * flows would make any growth look large.  Only when both maps were
 * measured at both points.
 */
static int add_growth_ratio(struct exp_env *env)
{
	const struct result_row *a0 = map_work(env->rs, "array", 100);
	const struct result_row *a1 = map_work(env->rs, "array", 100000);
	const struct result_row *h0 = map_work(env->rs, "hash", 100);
	const struct result_row *h1 = map_work(env->rs, "hash", 100000);
	char note[RESULT_NOTE];
	size_t n, i, kept = 0;
	double *g;
	int err;

	if (!a0 || !a1 || !h0 || !h1)
		return 0;
	n = a0->st.n;
	if (a1->st.n != n || h0->st.n != n || h1->st.n != n)
		return 0;
	g = malloc(n * sizeof(*g));
	if (!g)
		return -ENOMEM;
	/* a round where the hash map did not slow down has no ratio */
	for (i = 0; i < n; i++)
		if (h1->samples[i] > h0->samples[i])
			g[kept++] = (a1->samples[i] - a0->samples[i]) / (h1->samples[i] - h0->samples[i]);
	snprintf(note, sizeof(note), "(t_array(100K) - t_array(100)) / (t_hash(100K) - t_hash(100)), map ns/pkt, "
		 "by round index (points ran one after another); %zu of %zu rounds", kept, n);
	err = kept ? env_add_samples_nowarm(env, "array_vs_hash", "added_ns_ratio", "x", g, kept, note) : 0;
	free(g);
	return err ? -ENOMEM : 0;
}

static int map_footprint_run(struct exp_env *env)
{
	const struct map_footprint_cfg *c = env->cfg;
	struct map_footprint *x = env->priv;
	int i, err = 0;

	for (i = 0; i < c->flows.n && !err; i++)
		err = measure_point(env, x, (size_t)c->flows.v[i]);
	return err ? err : add_growth_ratio(env);
}

static void map_footprint_teardown(struct exp_env *env)
{
	struct map_footprint *x = env->priv;

	if (!x)
		return;
	flow_setup_end(&x->fs);
	free(x);
	env->priv = NULL;
}

/* Fig. 11a as a table: throughput per flow count, relative to the smallest flow count. */
static void map_footprint_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *first[FLOW_NMAPS] = { 0 };
	size_t i;
	int m;

	fprintf(md, "\nPackets are precomputed flow keys read from a BPF array (no packet parsing); "
		"one core, no driver cost, so drops are of the map work alone plus the key walk.\n\n"
		"| config | ns/packet (baseline subtracted) | Mpps-equivalent | vs fewest flows |\n|---|---|---|---|\n");
	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i], *ns;

		if (r->skipped || strcmp(r->metric, "mpps_equiv") || !strncmp(r->config, "baseline", 8))
			continue;
		for (m = 0; m < FLOW_NMAPS; m++)
			if (!strncmp(r->config, flow_map_names[m], strlen(flow_map_names[m])) &&
			    r->config[strlen(flow_map_names[m])] == '_')
				break;
		if (m == FLOW_NMAPS)
			continue;
		if (!first[m])
			first[m] = r;
		ns = result_find(rs, r->config, "ns_per_packet");
		fprintf(md, "| %s | %.2f | %.1f | %+.1f%% |\n", r->config, ns ? ns->st.median : 0,
			r->st.median, 100.0 * (r->st.median / first[m]->st.median - 1));
	}
}

const struct experiment exp_map_footprint = {
	.name = "map-footprint",
	.paper_ref = "Fig. 11",
	.summary = "per-flow counters vs number of flows (100..100K): array, hash, LRU hash",
	.tiers = "host,vm,hw",
	.opts = map_footprint_opts,
	.cfg_size = sizeof(struct map_footprint_cfg),
	.validate = map_footprint_validate,
	.in_default_suite = true,
	.setup = map_footprint_setup,
	.run = map_footprint_run,
	.teardown = map_footprint_teardown,
	.report = map_footprint_report,
};
