// SPDX-License-Identifier: GPL-2.0
/*
 * chaining (paper Table 5): one 3-stage pipeline, in the shape of BMC's fast
 * path, chained five ways.  The stages are written once:
 *   parse  - Ethernet/IPv4/UDP, find the payload;
 *   hash   - FNV-1a 64 over the first HASH_BYTES bytes of the payload;
 *   lookup - index a BMC-like cache array with the hash, fold the value in.
 * State between stages lives in a per-CPU array, as in BMC.  Variants:
 *   tail_const   tail calls with constant indexes (the JIT patches direct jumps)
 *   tail_dynamic tail calls whose index is read from the per-CPU state
 *   inlined      every stage __always_inline into one program
 *   bpf2bpf      stages as static __noinline BPF-to-BPF calls
 *   global_func  stages as global (separately verified) functions
 * Each variant writes its final value to result[variant]; xdp_pass is the
 * baseline the harness subtracts.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP	0x0800
#define HASH_BYTES	64
#define CACHE_ENTRIES	1024	/* power of two */
#define MAX_PAYLOAD_OFF	128

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/* Results: what a variant stores when the pipeline stopped early. */
#define RES_NOT_UDP	1ULL	/* parse refused the frame */
#define RES_SHORT	2ULL	/* payload shorter than HASH_BYTES */
#define RES_NO_STATE	3ULL	/* per-CPU state missing (never expected) */
#define RES_TAIL_MISS	4ULL	/* a tail call fell through */

enum variant { TAIL_CONST, TAIL_DYNAMIC, INLINED, BPF2BPF, GLOBAL_FUNC, NR_VARIANTS };
enum stage { STAGE_PARSE, STAGE_HASH, STAGE_LOOKUP, NR_STAGES };

struct chain_state {
	__u32 payload_off;	/* parse -> hash */
	__u32 next;		/* the next stage, for the dynamic tail calls */
	__u64 hash;		/* hash -> lookup */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct chain_state);
} chain_state SEC(".maps");

/* BMC's cache shape: an array indexed by hash % entries, filled by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CACHE_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NR_STAGES);
	__type(key, __u32);
	__type(value, __u32);
} jmp_const SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, NR_STAGES);
	__type(key, __u32);
	__type(value, __u32);
} jmp_dynamic SEC(".maps");

__u64 result[NR_VARIANTS];

/* ---- the stages, written once; each returns 0 to go on, else a RES_ value ---- */

static __always_inline int parse_body(struct xdp_md *ctx, struct chain_state *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 ihl;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->version != 4 || ip->protocol != IPPROTO_UDP)
		return RES_NOT_UDP;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip) || data + sizeof(*eth) + ihl + sizeof(struct udphdr) > data_end)
		return RES_NOT_UDP;
	st->payload_off = sizeof(*eth) + ihl + sizeof(struct udphdr);
	st->next = STAGE_HASH;
	return 0;
}

static __always_inline int hash_body(struct xdp_md *ctx, struct chain_state *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 off = st->payload_off;
	__u64 h = FNV_OFFSET;
	__u8 *p;
	int i;

	if (off > MAX_PAYLOAD_OFF)
		return RES_NOT_UDP;
	p = data + off;
	if ((void *)(p + HASH_BYTES) > data_end)
		return RES_SHORT;
	/* unrolled: constant offsets from a pointer the verifier has bounded */
#pragma clang loop unroll(full)
	for (i = 0; i < HASH_BYTES; i++) {
		h ^= p[i];
		h *= FNV_PRIME;
	}
	st->hash = h;
	st->next = STAGE_LOOKUP;
	return 0;
}

static __always_inline __u64 lookup_body(struct chain_state *st)
{
	__u32 key = (__u32)st->hash & (CACHE_ENTRIES - 1);
	__u64 *v = bpf_map_lookup_elem(&cache, &key);

	return st->hash ^ (v ? *v : 0);
}

static __always_inline struct chain_state *state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&chain_state, &zero);
}

static __always_inline int finish(enum variant v, __u64 res)
{
	result[v] = res;
	return XDP_PASS;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* ---- (a), (b): tail calls; one program per stage and variant ---- */

#define TAIL_STAGES(prefix, variant, map, INDEX)				\
SEC("xdp")									\
int prefix##_parse(struct xdp_md *ctx)						\
{										\
	struct chain_state *st = state();					\
	int err;								\
										\
	if (!st)								\
		return finish(variant, RES_NO_STATE);				\
	err = parse_body(ctx, st);						\
	if (err)								\
		return finish(variant, err);					\
	bpf_tail_call(ctx, &map, INDEX(st, STAGE_HASH));				\
	return finish(variant, RES_TAIL_MISS);					\
}										\
										\
SEC("xdp")									\
int prefix##_hash(struct xdp_md *ctx)						\
{										\
	struct chain_state *st = state();					\
	int err;								\
										\
	if (!st)								\
		return finish(variant, RES_NO_STATE);				\
	err = hash_body(ctx, st);						\
	if (err)								\
		return finish(variant, err);					\
	bpf_tail_call(ctx, &map, INDEX(st, STAGE_LOOKUP));				\
	return finish(variant, RES_TAIL_MISS);					\
}										\
										\
SEC("xdp")									\
int prefix##_lookup(struct xdp_md *ctx)					\
{										\
	struct chain_state *st = state();					\
										\
	if (!st)								\
		return finish(variant, RES_NO_STATE);				\
	return finish(variant, lookup_body(st));				\
}

/* The index is a literal: the verifier sees a constant, the JIT a direct jump. */
#define CONST_INDEX(st, stage)		(stage)
/*
 * The index comes from map memory: an unknown scalar, an indirect jump.  The
 * volatile load keeps clang from forwarding the constant the stage just stored.
 */
#define STATE_INDEX(st, stage)		(*(volatile __u32 *)&(st)->next)

TAIL_STAGES(tail_const, TAIL_CONST, jmp_const, CONST_INDEX)
TAIL_STAGES(tail_dynamic, TAIL_DYNAMIC, jmp_dynamic, STATE_INDEX)

/* ---- (c) inlined ---- */

SEC("xdp")
int inlined(struct xdp_md *ctx)
{
	struct chain_state *st = state();
	int err;

	if (!st)
		return finish(INLINED, RES_NO_STATE);
	err = parse_body(ctx, st);
	if (!err)
		err = hash_body(ctx, st);
	return finish(INLINED, err ? err : lookup_body(st));
}

/* ---- (d) BPF-to-BPF calls, (e) global functions: same wrappers, two linkages ---- */

#define CALLED_STAGES(prefix, qual)						\
qual int prefix##_parse(struct xdp_md *ctx, struct chain_state *st)		\
{										\
	return st ? parse_body(ctx, st) : RES_NO_STATE;				\
}										\
										\
qual int prefix##_hash(struct xdp_md *ctx, struct chain_state *st)		\
{										\
	return st ? hash_body(ctx, st) : RES_NO_STATE;				\
}										\
										\
qual __u64 prefix##_lookup(struct chain_state *st)				\
{										\
	return st ? lookup_body(st) : RES_NO_STATE;				\
}										\
										\
SEC("xdp")									\
int prefix(struct xdp_md *ctx)							\
{										\
	struct chain_state *st = state();					\
	int err;								\
										\
	if (!st)								\
		return finish(prefix##_variant, RES_NO_STATE);			\
	err = prefix##_parse(ctx, st);						\
	if (!err)								\
		err = prefix##_hash(ctx, st);					\
	return finish(prefix##_variant,						\
		      err ? (__u64)err : prefix##_lookup(st));			\
}

#define bpf2bpf_variant		BPF2BPF
#define global_func_variant	GLOBAL_FUNC

CALLED_STAGES(bpf2bpf, static __noinline)
/*
 * Global: verified once each, on their own.  Their pointer arguments may be
 * NULL as far as the verifier knows, hence the checks in the wrappers.
 */
CALLED_STAGES(global_func, __noinline)

char LICENSE[] SEC("license") = "GPL";
