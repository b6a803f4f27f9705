// SPDX-License-Identifier: GPL-2.0
/*
 * map-footprint / map-zipf (paper Figs. 11, 12): per-flow packet counters.
 *
 * BPF_PROG_TEST_RUN replays one frame, so one frame cannot exercise many
 * flows.  Instead each program run walks the next `batch` flow keys of a
 * sequence user space precomputed (the stand-in for parsing `batch` packets)
 * and counts each in a map: the hash and LRU hash keyed by the 5-tuple, the
 * array indexed by (src port << 16 | dst port), as in the paper.  walk_only
 * reads the same keys and touches no map: the baseline the harness subtracts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_BATCH	1024

/* One flow as parsed from a packet, network byte order; mirrored in harness/flowgen.h. */
struct flow_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];	/* zero: part of the hash key */
};

const volatile __u32 batch = 64;	/* keys (packets) per program run */
const volatile __u32 seq_mask = 0;	/* sequence length - 1 (a power of two) */

__u64 pos;	/* index of the next key of the sequence */
__u64 misses;	/* keys not found in the counter map (inserted, or out of range) */
__u64 sink;	/* keeps the baseline's reads alive */

/* The key sequence, written by user space through mmap. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);		/* set at load: the sequence length */
	__type(key, __u32);
	__type(value, struct flow_key);
} seq SEC(".maps");

/* Counter maps: max_entries set at load so the flows fill at most 90%. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} array_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct flow_key);
	__type(value, __u64);
} hash_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct flow_key);
	__type(value, __u64);
} lru_counters SEC(".maps");

enum walk_kind { WALK_ONLY, COUNT_ARRAY, COUNT_HASH };

/* Counts one packet of flow @k in a hash-type map; a new flow is inserted at 1. */
static __always_inline __u64 count_hash(void *map, const struct flow_key *k)
{
	__u64 *v = bpf_map_lookup_elem(map, k), one = 1;

	if (v) {
		__sync_fetch_and_add(v, 1);
		return 0;
	}
	bpf_map_update_elem(map, k, &one, BPF_NOEXIST);
	return 1;
}

static __always_inline __u64 count_array(const struct flow_key *k)
{
	__u32 idx = (__u32)bpf_ntohs(k->sport) << 16 | bpf_ntohs(k->dport);
	__u64 *v = bpf_map_lookup_elem(&array_counters, &idx);

	if (v) {
		__sync_fetch_and_add(v, 1);
		return 0;
	}
	return 1;
}

static __always_inline int walk(enum walk_kind kind, void *map)
{
	__u64 p = pos, miss = 0, acc = 0;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < batch && i < MAX_BATCH; i++) {
		__u32 idx = (__u32)(p + i) & seq_mask;
		struct flow_key *k = bpf_map_lookup_elem(&seq, &idx);

		if (!k)
			break;
		if (kind == WALK_ONLY)
			acc += k->saddr ^ k->daddr ^ k->sport ^ k->dport ^ k->proto;
		else if (kind == COUNT_ARRAY)
			miss += count_array(k);
		else
			miss += count_hash(map, k);
	}
	pos = p + i;
	if (kind == WALK_ONLY)
		sink = acc;
	else
		misses += miss;
	return XDP_DROP;
}

SEC("xdp")
int walk_only(struct xdp_md *ctx)
{
	return walk(WALK_ONLY, NULL);
}

SEC("xdp")
int count_array_map(struct xdp_md *ctx)
{
	return walk(COUNT_ARRAY, NULL);
}

SEC("xdp")
int count_hash_map(struct xdp_md *ctx)
{
	return walk(COUNT_HASH, &hash_counters);
}

SEC("xdp")
int count_lru_map(struct xdp_md *ctx)
{
	return walk(COUNT_HASH, &lru_counters);
}

char LICENSE[] SEC("license") = "GPL";
