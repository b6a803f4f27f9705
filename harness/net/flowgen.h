/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-flow counter benchmarks (map-footprint, map-zipf): the flow set, the
 * packet (key) sequences over it (shuffled or Zipf), the flow_counters
 * programs loaded for one flow set, and the interleaved measuring loop.
 */
#ifndef OBENCH_FLOWGEN_H
#define OBENCH_FLOWGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <linux/types.h>

#include "core/obench.h"
#include "core/options.h"

/* One flow, network byte order; mirrors struct flow_key in bpf/flow_counters.bpf.c. */
struct flow_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

/* Reproducible PRNG (splitmix64): the same seed gives the same sequences. */
struct flow_rng {
	__u64 s;
};

static inline void flow_rng_seed(struct flow_rng *r, __u64 seed)
{
	r->s = seed;
}

__u64 flow_rng_next(struct flow_rng *r);
double flow_rng_double(struct flow_rng *r);	/* uniform in [0, 1) */

/* Map capacity for @flows flows: at most 90% used, as in the paper. */
__u32 flow_capacity(size_t flows);

/*
 * @n distinct UDP 5-tuples whose array index (sport << 16 | dport) is a
 * distinct random slot below flow_capacity(n); flow i is Zipf rank i + 1.
 */
struct flow_key *flow_set_make(size_t n, struct flow_rng *r);
__u32 flow_array_index(const struct flow_key *k);

/* Zipf(s) over ranks 1..n: P(rank k) ~ k^-s, sampled by inverse CDF. */
struct zipf {
	size_t n;
	double *cdf;	/* cdf[i] = P(rank <= i + 1) */
};

int zipf_init(struct zipf *z, size_t n, double s);
size_t zipf_sample(const struct zipf *z, struct flow_rng *r);	/* 0-based rank */
void zipf_free(struct zipf *z);

/* Sequences of flow indexes: back-to-back random permutations (uniform), or Zipf draws. */
int flow_seq_shuffled(__u32 *seq, size_t len, size_t flows, struct flow_rng *r);
void flow_seq_zipf(__u32 *seq, size_t len, const struct zipf *z, struct flow_rng *r);

enum flow_map { FLOW_ARRAY, FLOW_HASH, FLOW_LRU_HASH, FLOW_NMAPS };
extern const char *const flow_map_names[FLOW_NMAPS + 1];	/* "array", "hash", "lru_hash", NULL */
#define FLOW_MAPS flow_map_names	/* the --maps choices */

/* The flags both flow experiments take, typed; their table is FLOW_PARAM_OPTS. */
struct flow_params {
	struct opt_list maps;	/* indexes into flow_map_names */
	int seq_len;		/* a power of two: flow_params_check() */
	int batch;
	int runs;		/* 0: derive, flow_params_runs() */
	long long seed;
};

/*
 * Their rows of an option table, for a struct flow_params at offset @off of
 * the experiment's config; @seed_what says what else the seed draws.
 */
#define FLOW_PARAM_OPTS(off, seed_what)						\
	{ "maps", OPT_ENUM_LIST, (off) + offsetof(struct flow_params, maps),	\
	  .def = "array,hash,lru_hash", .choices = FLOW_MAPS,			\
	  .help = "counter maps to measure" },					\
	{ "seq-len", OPT_INT, (off) + offsetof(struct flow_params, seq_len),	\
	  .def = "262144", .min = 1024, .max = 16777216,			\
	  .help = "packets (keys) in the replayed sequence, a power of two" },	\
	{ "batch", OPT_INT, (off) + offsetof(struct flow_params, batch),	\
	  .def = "64", .min = 10, .max = 1024,					\
	  .help = "packets per program run (>= 10: test_run reports whole ns)" }, \
	{ "runs", OPT_INT, (off) + offsetof(struct flow_params, runs),		\
	  .min = 1, .max = 10000000,						\
	  .help = "test runs per sample (default: one pass over the sequence, x3 default, x10 full)" }, \
	{ "seed", OPT_LONG, (off) + offsetof(struct flow_params, seed),	\
	  .def = "1", .min = 0, .max = 1e15,					\
	  .help = "seed of the flow set and " seed_what }

/*
 * The checks a range cannot make, for an experiment's .validate: --seq-len
 * a power of two, and at most @max_points values in the sweep's list flag
 * (--@flag, @points).  0, or -1 and one line in @err.
 */
int flow_params_check(const struct flow_params *p, const char *flag,
		      const struct opt_list *points, int max_points, char *err, size_t errlen);

/* Test runs per sample: --runs, else one pass over the sequence scaled by the profile. */
unsigned int flow_params_runs(const struct exp_env *env, const struct flow_params *p);

/* The flow_counters programs, maps sized for one flow set, and its key sequence. */
struct flow_bench {
	struct flow_counters_bpf *skel;
	const struct flow_key *flows;
	size_t nflows, seq_len;
	__u32 batch;
	struct flow_key *seq;	/* the mmap'd sequence map */
};

/*
 * Loads the programs for @nflows flows (capacity flow_capacity()), a sequence
 * of @seq_len keys (a power of two) and @batch keys per run.  With @prefill
 * every flow is in the hash maps with a zero count, so measuring starts in the
 * steady state (every lookup hits).  Returns 0, or a negative errno (-EPERM /
 * -EINVAL from a kernel that rejects the programs).
 */
int flow_bench_load(struct flow_bench *b, const struct flow_key *flows,
		    size_t nflows, size_t seq_len, __u32 batch, bool prefill);
/* Loads the programs once, small: 0, or a negative errno and @why for a skip. */
int flow_bench_probe(char *why, size_t len);
/* Writes the sequence (flow indexes) and rewinds the walk. */
void flow_bench_set_seq(struct flow_bench *b, const __u32 *idx);
int flow_bench_fd(const struct flow_bench *b, int map);	/* map < 0: the baseline */
__u64 flow_bench_misses(const struct flow_bench *b);
void flow_bench_destroy(struct flow_bench *b);

/*
 * The hardware cache-miss counter of this thread, kernel included, or a
 * negative errno with @why = "no PMU counters (...)".
 */
int flow_pmu_open(char *why, size_t len);


/* What both flow experiments hold while they measure. */
struct flow_setup {
	bool maps[FLOW_NMAPS];	/* --maps */
	int pmu_fd;		/* cache-miss counter, or < 0 with pmu_why */
	char pmu_why[160];
	cpu_set_t saved;	/* affinity before pinning */
	bool pinned;
	int cpu;
};

/*
 * Takes the maps to measure from @p and checks that the kernel runs
 * flow_counters (else EXP_SKIP and @why), then pins this thread (before any
 * load: the LRU's free lists are per CPU) and opens the cache-miss counter.
 */
int flow_setup_begin(struct flow_setup *fs, const struct flow_params *p, char *why, size_t len);
void flow_setup_end(struct flow_setup *fs);

/*
 * One point of a sweep (a flow count, a Zipf parameter): for each map of
 * @fs in turn, samples the walk-only baseline and the map's counter program
 * alternately (warm-up included), @runs test runs each per sample, and adds
 * the rows of "<map>_<point>": ns_per_packet (baseline median subtracted),
 * mpps_equiv (one core running walk + counter), cache_misses_per_packet (or
 * a skip row with fs->pmu_why); with the first map, the baseline's own rows
 * as "baseline_<point>".  @what opens every note ("100 flows in 112 slots,
 * shuffled").
 */
int flow_bench_measure_point(struct exp_env *env, struct flow_bench *b,
			     const struct flow_setup *fs, unsigned int runs,
			     const char *point, const char *what);

#endif
