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

/* Parses "array,hash,..." into @on; -1 and a message naming the fix on error. */
int flow_maps_parse(const char *list, bool on[FLOW_NMAPS], char *err, size_t errlen);

/* Parses "100,1000" into out[] (at most @max values in [lo, hi]); the count, or -1 + @err. */
int flow_parse_list(const char *flag, const char *list, double lo, double hi,
		    double *out, int max, char *err, size_t errlen);

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
 * Checks the shared flags (--maps, --seq-len a power of two) and that the
 * kernel runs flow_counters, then pins this thread (before any load: the
 * LRU's free lists are per CPU) and opens the cache-miss counter.  Errors
 * set env->skip_reason: -EINVAL for bad flags, EXP_SKIP for the kernel.
 */
int flow_setup_begin(struct exp_env *env, struct flow_setup *fs);
void flow_setup_end(struct flow_setup *fs);

/*
 * Samples the baseline and counter program for @map alternately (warm-up
 * included), @runs test runs each per sample, and adds the rows for @config
 * ("hash_100000"): ns_per_packet (baseline median subtracted), mpps_equiv
 * (one core running walk + counter), cache_misses_per_packet (or a skip row
 * with @pmu_why), and, when @base_config is set, the baseline's own rows.
 */
int flow_bench_measure(struct exp_env *env, struct flow_bench *b, int map,
		       unsigned int runs, int pmu_fd, const char *pmu_why,
		       const char *config, const char *base_config,
		       const char *note);

#endif
