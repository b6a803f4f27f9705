// SPDX-License-Identifier: GPL-2.0
/*
 * flow_counters (map-footprint, map-zipf): after the programs walk a known
 * key sequence, every flow's counter in the array, hash and LRU hash equals
 * the number of times its key occurred (read back from the maps), starting
 * empty (insert path) and prefilled (lookup path); the walk-only baseline
 * touches no counter.  The generators: distinct flows and array slots,
 * shuffled passes are permutations, Zipf rank 1 / rank 2 ~ 2^s, and the same
 * seed gives the same sequence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "flow_counters.skel.h"
#include "net/flowgen.h"
#include "harness.h"

#define NFLOWS	1000
#define SEQ_LEN	8192
#define BATCH	64

/* A flow set of NFLOWS from seed 7 and room for a shuffled sequence. */
FIXTURE(flow_set) {
	struct flow_rng r;
	struct flow_key *f;
	__u32 *seq, cap;
	unsigned char *seen;
};

FIXTURE_SETUP(flow_set)
{
	self->cap = flow_capacity(NFLOWS);
	self->seq = malloc(SEQ_LEN * sizeof(*self->seq));
	self->seen = calloc(self->cap, 1);
	ASSERT(self->seq && self->seen, "no memory");
	flow_rng_seed(&self->r, 7);
	self->f = flow_set_make(NFLOWS, &self->r);
	ASSERT(self->f != NULL, "flow_set_make failed");
}

FIXTURE_TEARDOWN(flow_set)
{
	free(self->f);
	free(self->seq);
	free(self->seen);
}

/* Every flow has its own array slot, and the capacity is the smallest at <= 90% use. */
TEST_F(flow_set, distinct_slots_90_percent_capacity)
{
	__u32 cap = self->cap;
	size_t i;

	for (i = 0; i < NFLOWS; i++) {
		__u32 idx = flow_array_index(&self->f[i]);

		ASSERT(idx < cap && !self->seen[idx], "flow %zu: slot %u reused or >= %u", i, idx, cap);
		self->seen[idx] = 1;
	}
	EXPECT(NFLOWS * 10 <= (size_t)cap * 9 && (NFLOWS - 1) * 10 < (size_t)(cap - 1) * 9,
	       "capacity %u is not the smallest with <= 90%% use", cap);
}

/* Every full pass of the shuffled sequence holds each flow once. */
TEST_F(flow_set, shuffled_passes_are_permutations)
{
	size_t i, j;

	ASSERT(flow_seq_shuffled(self->seq, SEQ_LEN, NFLOWS, &self->r) == 0, "flow_seq_shuffled failed");
	for (j = 0; j + NFLOWS <= SEQ_LEN; j += NFLOWS) {
		memset(self->seen, 0, self->cap);
		for (i = 0; i < NFLOWS; i++)
			self->seen[self->seq[j + i]]++;
		for (i = 0; i < NFLOWS; i++)
			ASSERT(self->seen[i] == 1, "pass at %zu: flow %zu seen %u times", j, i,
			       self->seen[i]);
	}
}

/* Rank 1 / rank 2 frequency ~ 2^s on 2M draws, and the same seed repeats. */
TEST(zipf_rank1_over_rank2_is_2_to_the_s_same_seed_same_draws)
{
	static const double ss[] = { 0, 0.5, 1.0, 1.5, 2.0 };
	const size_t draws = 2000000;
	struct flow_rng r1, r2;
	struct zipf z;
	size_t i, k, c[2];

	for (k = 0; k < sizeof(ss) / sizeof(ss[0]); k++) {
		double ratio;

		ASSERT(zipf_init(&z, 100, ss[k]) == 0, "zipf_init(100, %.1f) failed", ss[k]);
		flow_rng_seed(&r1, 42);
		c[0] = c[1] = 0;
		for (i = 0; i < draws; i++) {
			size_t rank = zipf_sample(&z, &r1);

			if (rank < 2)
				c[rank]++;
		}
		ratio = c[1] ? (double)c[0] / (double)c[1] : 0;
		EXPECT(fabs(ratio / pow(2, ss[k]) - 1) < 0.05,
		       "s=%.1f: rank1/rank2 = %zu/%zu = %.3f, expected %.3f", ss[k], c[0], c[1],
		       ratio, pow(2, ss[k]));
		flow_rng_seed(&r1, 9);
		flow_rng_seed(&r2, 9);
		for (i = 0; i < 1000; i++)
			EXPECT(zipf_sample(&z, &r1) == zipf_sample(&z, &r2), "seed 9 not repeatable");
		zipf_free(&z);
	}
}

/* Reads every flow's counter from @map (array: by slot) and compares with @want. */
static bool counters_match(const struct flow_bench *b, int map, const __u64 *want)
{
	struct bpf_map *m = map == FLOW_ARRAY ? b->skel->maps.array_counters :
			    map == FLOW_HASH ? b->skel->maps.hash_counters : b->skel->maps.lru_counters;
	int fd = bpf_map__fd(m);
	size_t i;

	for (i = 0; i < b->nflows; i++) {
		__u32 idx = flow_array_index(&b->flows[i]);
		__u64 v = 0;
		int err = bpf_map_lookup_elem(fd, map == FLOW_ARRAY ? (void *)&idx : (void *)&b->flows[i], &v);

		if (want[i] == 0 && map != FLOW_ARRAY && err)
			continue;	/* never seen, never inserted: absent */
		if (err || v != want[i]) {
			TH_LOG("%s: flow %zu counter %llu, want %llu (err %d)", flow_map_names[map], i,
			       (unsigned long long)v, (unsigned long long)want[i], err);
			return false;
		}
	}
	return true;
}

static bool walk_pass(const struct flow_bench *b, int map)
{
	unsigned char pkt[64];
	double ns;

	build_udp_frame(pkt, sizeof(pkt));
	/* SEQ_LEN / BATCH runs: exactly one pass over the sequence */
	return testrun_ns(flow_bench_fd(b, map), pkt, sizeof(pkt), SEQ_LEN / BATCH, &ns, NULL) == 0;
}

static int counters_probe(char *why, size_t len)
{
	if (geteuid())
		return harness_reason(why, len, KSFT_SKIP, "needs root to load BPF programs");
	if (flow_bench_probe(why, len))
		return KSFT_FAIL;	/* "load flow_counters" */
	return 0;
}

static struct harness_once probe_once;

/* The programs on a Zipf sequence (counts from 1 to thousands), and what each flow's counter must read. */
FIXTURE(counters) {
	struct flow_key *flows;
	__u32 *seq;
	__u64 *want, distinct;
	struct flow_bench b;
	bool loaded;
};

FIXTURE_VARIANT(counters) {
	bool prefill;		/* every flow inserted beforehand: the lookup path */
	int passes;
};

FIXTURE_VARIANT_ADD(counters, empty_maps_insert_path) { .prefill = false, .passes = 1 };
FIXTURE_VARIANT_ADD(counters, prefilled_maps_two_passes) { .prefill = true, .passes = 2 };

FIXTURE_SETUP(counters)
{
	struct flow_rng r;
	struct zipf z;
	size_t i;

	SETUP_ONCE(&probe_once, counters_probe);
	flow_rng_seed(&r, 3);
	self->flows = flow_set_make(NFLOWS, &r);
	self->seq = malloc(SEQ_LEN * sizeof(*self->seq));
	self->want = calloc(NFLOWS, sizeof(*self->want));
	ASSERT(self->flows && self->seq && self->want && !zipf_init(&z, NFLOWS, 1.0),
	       "no memory for the flows");
	flow_seq_zipf(self->seq, SEQ_LEN, &z, &r);
	zipf_free(&z);
	for (i = 0; i < SEQ_LEN; i++)
		self->want[self->seq[i]] += (__u64)variant->passes;
	for (i = 0; i < NFLOWS; i++)
		self->distinct += self->want[i] != 0;
	ASSERT(!flow_bench_load(&self->b, self->flows, NFLOWS, SEQ_LEN, BATCH, variant->prefill),
	       "flow_bench_load failed");
	self->loaded = true;
	flow_bench_set_seq(&self->b, self->seq);
}

FIXTURE_TEARDOWN(counters)
{
	if (self->loaded)
		flow_bench_destroy(&self->b);
	free(self->flows);
	free(self->seq);
	free(self->want);
}

/* One pass per map (@passes times): every counter exact; the baseline counts nothing. */
TEST_F(counters, exact)
{
	struct flow_bench *b = &self->b;
	__u64 pos, want_misses = variant->prefill ? 0 : 2 * self->distinct;
	int m, p;

	/* the baseline walks but counts nothing */
	pos = b->skel->bss->pos;
	ASSERT(walk_pass(b, -1), "walk_only test run failed");
	ASSERT(b->skel->bss->pos == pos + SEQ_LEN, "walk_only advanced pos by %llu",
	       (unsigned long long)(b->skel->bss->pos - pos));
	for (m = 0; m < FLOW_NMAPS; m++) {
		__u64 zero[NFLOWS] = { 0 };

		ASSERT(counters_match(b, m, zero), "%s: baseline wrote a counter", flow_map_names[m]);
		for (p = 0; p < variant->passes; p++)
			ASSERT(walk_pass(b, m), "%s test run failed", flow_map_names[m]);
		ASSERT(counters_match(b, m, self->want), "%s: a counter differs", flow_map_names[m]);
	}
	/* inserts: once per distinct flow per hash map when empty, none when prefilled */
	EXPECT(flow_bench_misses(b) == want_misses, "misses %llu, want %llu",
	       (unsigned long long)flow_bench_misses(b), (unsigned long long)want_misses);
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
