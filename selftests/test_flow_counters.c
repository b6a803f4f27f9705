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
#include "ktap.h"

#define NFLOWS	1000
#define SEQ_LEN	8192
#define BATCH	64

static bool generators_ok(void)
{
	struct flow_rng r;
	struct flow_key *f;
	__u32 *seq = malloc(SEQ_LEN * sizeof(*seq)), cap = flow_capacity(NFLOWS);
	unsigned char *seen = calloc(cap, 1);
	size_t i, j;
	bool ok = seq && seen;

	flow_rng_seed(&r, 7);
	f = flow_set_make(NFLOWS, &r);
	KTAP_CHECK(ok, f != NULL, "flow_set_make failed");
	for (i = 0; ok && i < NFLOWS; i++) {
		__u32 idx = flow_array_index(&f[i]);

		KTAP_CHECK(ok, idx < cap && !seen[idx], "flow %zu: slot %u reused or >= %u", i, idx, cap);
		if (ok)
			seen[idx] = 1;
	}
	KTAP_CHECK(ok, NFLOWS * 10 <= (size_t)cap * 9 && (NFLOWS - 1) * 10 < (size_t)(cap - 1) * 9,
		   "capacity %u is not the smallest with <= 90%% use", cap);
	/* every full pass of the shuffled sequence holds each flow once */
	ok = ok && flow_seq_shuffled(seq, SEQ_LEN, NFLOWS, &r) == 0;
	for (j = 0; ok && j + NFLOWS <= SEQ_LEN; j += NFLOWS) {
		memset(seen, 0, cap);
		for (i = 0; i < NFLOWS; i++)
			seen[seq[j + i]]++;
		for (i = 0; i < NFLOWS; i++)
			KTAP_CHECK(ok, seen[i] == 1, "pass at %zu: flow %zu seen %u times", j, i, seen[i]);
	}
	free(f);
	free(seq);
	free(seen);
	return ok;
}

/* Rank 1 / rank 2 frequency ~ 2^s on 2M draws, and the same seed repeats. */
static bool zipf_ok(void)
{
	static const double ss[] = { 0, 0.5, 1.0, 1.5, 2.0 };
	const size_t draws = 2000000;
	struct flow_rng r1, r2;
	struct zipf z;
	size_t i, k, c[2];
	bool ok = true;

	for (k = 0; k < sizeof(ss) / sizeof(ss[0]); k++) {
		double ratio;

		if (zipf_init(&z, 100, ss[k]))
			return false;
		flow_rng_seed(&r1, 42);
		c[0] = c[1] = 0;
		for (i = 0; i < draws; i++) {
			size_t rank = zipf_sample(&z, &r1);

			if (rank < 2)
				c[rank]++;
		}
		ratio = c[1] ? (double)c[0] / (double)c[1] : 0;
		KTAP_CHECK(ok, fabs(ratio / pow(2, ss[k]) - 1) < 0.05,
			   "s=%.1f: rank1/rank2 = %zu/%zu = %.3f, expected %.3f", ss[k], c[0], c[1],
			   ratio, pow(2, ss[k]));
		flow_rng_seed(&r1, 9);
		flow_rng_seed(&r2, 9);
		for (i = 0; i < 1000; i++)
			KTAP_CHECK(ok, zipf_sample(&z, &r1) == zipf_sample(&z, &r2), "seed 9 not repeatable");
		zipf_free(&z);
	}
	return ok;
}

/* Reads every flow's counter from @map (array: by slot) and compares with @want. */
static bool counters_match(const struct flow_bench *b, int map, const __u64 *want)
{
	struct bpf_map *m = map == FLOW_ARRAY ? b->skel->maps.array_counters :
			    map == FLOW_HASH ? b->skel->maps.hash_counters : b->skel->maps.lru_counters;
	int fd = bpf_map__fd(m);
	size_t i;
	bool ok = true;

	for (i = 0; i < b->nflows && ok; i++) {
		__u32 idx = flow_array_index(&b->flows[i]);
		__u64 v = 0;
		int err = bpf_map_lookup_elem(fd, map == FLOW_ARRAY ? (void *)&idx : (void *)&b->flows[i], &v);

		if (want[i] == 0 && map != FLOW_ARRAY && err)
			continue;	/* never seen, never inserted: absent */
		KTAP_CHECK(ok, !err && v == want[i], "%s: flow %zu counter %llu, want %llu (err %d)",
			   flow_map_names[map], i, (unsigned long long)v,
			   (unsigned long long)want[i], err);
	}
	return ok;
}

static bool walk_pass(const struct flow_bench *b, int map)
{
	unsigned char pkt[64];
	double ns;

	build_udp_frame(pkt, sizeof(pkt));
	/* SEQ_LEN / BATCH runs: exactly one pass over the sequence */
	return testrun_ns(flow_bench_fd(b, map), pkt, sizeof(pkt), SEQ_LEN / BATCH, &ns, NULL) == 0;
}

/* Runs one pass per map (@passes times) and checks every counter. */
static bool counts_exact(const struct flow_key *flows, const __u32 *seq, bool prefill, int passes)
{
	struct flow_bench b;
	__u64 *want = calloc(NFLOWS, sizeof(*want)), distinct = 0, pos;
	bool ok = want != NULL;
	int m, p;
	size_t i;

	if (!ok || flow_bench_load(&b, flows, NFLOWS, SEQ_LEN, BATCH, prefill)) {
		free(want);
		return false;
	}
	flow_bench_set_seq(&b, seq);
	for (i = 0; i < SEQ_LEN; i++)
		want[seq[i]] += (__u64)passes;
	for (i = 0; i < NFLOWS; i++)
		distinct += want[i] != 0;
	/* the baseline walks but counts nothing */
	pos = b.skel->bss->pos;
	KTAP_CHECK(ok, walk_pass(&b, -1), "walk_only test run failed");
	KTAP_CHECK(ok, b.skel->bss->pos == pos + SEQ_LEN, "walk_only advanced pos by %llu",
		   (unsigned long long)(b.skel->bss->pos - pos));
	for (m = 0; m < FLOW_NMAPS && ok; m++) {
		__u64 zero[NFLOWS] = { 0 };

		KTAP_CHECK(ok, counters_match(&b, m, zero), "%s: baseline wrote a counter", flow_map_names[m]);
		for (p = 0; p < passes && ok; p++)
			KTAP_CHECK(ok, walk_pass(&b, m), "%s test run failed", flow_map_names[m]);
		ok = ok && counters_match(&b, m, want);
	}
	/* inserts: once per distinct flow per hash map when empty, none when prefilled */
	KTAP_CHECK(ok, flow_bench_misses(&b) == (prefill ? 0 : 2 * distinct),
		   "misses %llu, want %llu", (unsigned long long)flow_bench_misses(&b),
		   (unsigned long long)(prefill ? 0 : 2 * distinct));
	flow_bench_destroy(&b);
	free(want);
	return ok;
}

int main(void)
{
	struct flow_key *flows;
	__u32 *seq;
	struct flow_rng r;
	struct zipf z;
	char why[160];

	ktap_plan(4);
	ktap_result(generators_ok(), "flow set: distinct slots, 90% capacity; shuffled passes are permutations");
	ktap_result(zipf_ok(), "zipf: rank1/rank2 ~ 2^s for s = 0..2, same seed same draws");
	if (geteuid()) {
		ktap_skip_test("counters exact, empty maps", "needs root to load BPF programs");
		ktap_skip_test("counters exact, prefilled maps, two passes", "needs root");
		ktap_finish();
	}
	bpfutil_quiet_libbpf();
	if (flow_bench_probe(why, sizeof(why))) {
		ktap_print("%s", why);
		ktap_result(0, "load flow_counters");
		ktap_finish();
	}
	flow_rng_seed(&r, 3);
	flows = flow_set_make(NFLOWS, &r);
	seq = malloc(SEQ_LEN * sizeof(*seq));
	if (!flows || !seq || zipf_init(&z, NFLOWS, 1.0))
		return KSFT_FAIL;
	flow_seq_zipf(seq, SEQ_LEN, &z, &r);	/* skewed: counts from 1 to thousands */
	zipf_free(&z);
	ktap_result(counts_exact(flows, seq, false, 1), "counters exact, empty maps (insert path)");
	ktap_result(counts_exact(flows, seq, true, 2), "counters exact, prefilled maps, two passes");
	free(flows);
	free(seq);
	ktap_finish();
	return 0;
}
