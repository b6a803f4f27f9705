// SPDX-License-Identifier: GPL-2.0
/*
 * map-access (paper Table 3): the cost of one bpf_map_lookup_elem() with a
 * 4-byte key, per map type.  Every program runs the same loop of `lookups`
 * iterations over varying keys; empty_loop does the key arithmetic without the
 * lookup and is the baseline the harness subtracts.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define MAX_ENTRIES	(1 << 20)
#define MAX_LOOKUPS	1024

const volatile __u32 lookups = 64;	/* iterations per program run */
const volatile __u32 entries = 1024;	/* keys 0..entries-1 are present */

__u64 hits;	/* lookups that found their key in the last run */
__u64 sink;	/* keeps the loop's result alive */

#define DECLARE_MAP(name, map_type)				\
struct {							\
	__uint(type, map_type);					\
	__uint(max_entries, 1024);				\
	__type(key, __u32);					\
	__type(value, __u64);					\
} name SEC(".maps")

DECLARE_MAP(array, BPF_MAP_TYPE_ARRAY);
DECLARE_MAP(hash, BPF_MAP_TYPE_HASH);
DECLARE_MAP(lru_hash, BPF_MAP_TYPE_LRU_HASH);
DECLARE_MAP(percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY);
DECLARE_MAP(percpu_hash, BPF_MAP_TYPE_PERCPU_HASH);
DECLARE_MAP(lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH);

/* Key i of a run: spread over the map so consecutive lookups touch different entries. */
static __always_inline __u32 key_of(__u32 i)
{
	return (i * 37 + 11) % entries;
}

static __always_inline int lookup_loop(void *map)
{
	__u64 sum = 0, found = 0;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < lookups && i < MAX_LOOKUPS; i++) {
		__u32 key = key_of(i);
		__u64 *v = bpf_map_lookup_elem(map, &key);

		if (v) {
			sum += *v;
			found++;
		}
	}
	sink = sum;
	hits = found;
	return XDP_PASS;
}

SEC("xdp")
int empty_loop(struct xdp_md *ctx)
{
	__u64 sum = 0, found = 0;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < lookups && i < MAX_LOOKUPS; i++) {
		__u32 key = key_of(i);

		/* opaque to clang: the loop stays a loop, as in lookup_loop() */
		asm volatile("" : "+r"(key));
		sum += key;
		found++;
	}
	sink = sum;
	hits = found;
	return XDP_PASS;
}

#define LOOKUP_PROG(name)				\
SEC("xdp")						\
int lookup_##name(struct xdp_md *ctx)			\
{							\
	return lookup_loop(&name);			\
}

LOOKUP_PROG(array)
LOOKUP_PROG(hash)
LOOKUP_PROG(lru_hash)
LOOKUP_PROG(percpu_array)
LOOKUP_PROG(percpu_hash)
LOOKUP_PROG(lru_percpu_hash)

char LICENSE[] SEC("license") = "GPL";
