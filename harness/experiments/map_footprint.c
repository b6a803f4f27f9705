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

#define MAX_POINTS 8

/* map_footprint's flags, filled and validated by the runner before setup() */
struct map_footprint_cfg {
	struct opt_list flows;
	struct opt_list maps;
	int seq_len;
	int batch;
	int runs;
	long long seed;
};

#define CFG(f) offsetof(struct map_footprint_cfg, f)
static const struct opt_spec map_footprint_opts[] = {
	{ "flows", OPT_INT_LIST, CFG(flows), .def = "100,1000,10000,100000", .min = 1, .max = 4000000,
	  .help = "numbers of flows, comma-separated (1..4000000)" },
	{ "maps", OPT_ENUM_LIST, CFG(maps), .def = "array,hash,lru_hash", .choices = FLOW_MAPS,
	  .help = "counter maps to measure" },
	{ "seq-len", OPT_INT, CFG(seq_len), .def = "262144", .min = 1024, .max = 16777216,
	  .help = "packets (keys) in the replayed sequence, a power of two" },
	{ "batch", OPT_INT, CFG(batch), .def = "64", .min = 10, .max = 1024,
	  .help = "packets per program run (>= 10: test_run reports whole ns)" },
	{ "runs", OPT_INT, CFG(runs), .min = 1, .max = 10000000,
	  .help = "test runs per sample (default: one pass over the sequence, x3 default, x10 full)" },
	{ "seed", OPT_LONG, CFG(seed), .def = "1", .min = 0, .max = 1e15,
	  .help = "seed of the flow set and the packet order" },
	OPT_END
};
#undef CFG

struct map_footprint {
	double flows[MAX_POINTS];
	int npoints;
	struct flow_setup fs;
};

static int map_footprint_setup(struct exp_env *env)
{
	struct map_footprint *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->fs.pmu_fd = -1;
	x->npoints = flow_parse_list("flows", opt_str(env->opts, "flows"), 1, 4000000, x->flows,
				     MAX_POINTS, env->skip_reason, sizeof(env->skip_reason));
	if (x->npoints < 0)
		return -EINVAL;
	return flow_setup_begin(env, &x->fs);
}

static int measure_point(struct exp_env *env, struct map_footprint *x, size_t nflows)
{
	size_t len = (size_t)opt_int(env->opts, "seq-len");
	__u32 batch = (__u32)opt_int(env->opts, "batch"), *seq = NULL;
	unsigned int runs = opt_given(env->opts, "runs") ? (unsigned int)opt_int(env->opts, "runs") :
			    measure_batch(env, (unsigned int)(len / batch));
	struct flow_rng rng;
	struct flow_key *flows;
	struct flow_bench b;
	char config[64], base[64], note[128];
	bool first = true;
	int m, err;

	flow_rng_seed(&rng, (__u64)opt_int(env->opts, "seed"));
	flows = flow_set_make(nflows, &rng);
	seq = malloc(len * sizeof(*seq));
	if (!flows || !seq) {
		err = -ENOMEM;
		goto out;
	}
	err = flow_seq_shuffled(seq, len, nflows, &rng);
	if (err)
		goto out;
	err = flow_bench_load(&b, flows, nflows, len, batch, true);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot load flow_counters for %zu flows", nflows);
		goto out;
	}
	flow_bench_set_seq(&b, seq);
	snprintf(note, sizeof(note), "%zu flows in %u slots, shuffled; %u pkts/run x %u runs/sample; CPU %d%s",
		 nflows, flow_capacity(nflows), batch, runs, x->fs.cpu, x->fs.pinned ? " (pinned)" : "");
	for (m = 0; m < FLOW_NMAPS && !err; m++) {
		if (!x->fs.maps[m])
			continue;
		snprintf(config, sizeof(config), "%s_%zu", flow_map_names[m], nflows);
		snprintf(base, sizeof(base), "baseline_%zu", nflows);
		err = flow_bench_measure(env, &b, m, runs, x->fs.pmu_fd, x->fs.pmu_why, config,
					 first ? base : NULL, note);
		first = false;
	}
	flow_bench_destroy(&b);
out:
	free(seq);
	free(flows);
	return err;
}

static int map_footprint_run(struct exp_env *env)
{
	struct map_footprint *x = env->priv;
	int i, err = 0;

	for (i = 0; i < x->npoints && !err; i++)
		err = measure_point(env, x, (size_t)x->flows[i]);
	return err;
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
	.in_default_suite = true,
	.setup = map_footprint_setup,
	.run = map_footprint_run,
	.teardown = map_footprint_teardown,
	.report = map_footprint_report,
};
