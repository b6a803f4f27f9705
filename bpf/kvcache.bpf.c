// SPDX-License-Identifier: GPL-2.0
/*
 * kvcache (paper §3.2, Figs. 4-6, and Table 5): an XDP cache in front of
 * memcached, our own design of BMC's idea.  The stages live in kv_stages.h,
 * written once; this file chains them five ways, one XDP entry program per
 * variant (user space loads only the one it runs, see harness/kvcache.c):
 *
 *   kv_tail_const    stages as programs, tail calls with constant indexes
 *                    (the JIT patches them into direct jumps)
 *   kv_tail_dyn      the same, the index read from the per-CPU state (the
 *                    verifier cannot see a constant: indirect jumps)
 *   kv_inlined       every stage __always_inline into one program
 *   kv_bpf2bpf       stages as static __noinline BPF-to-BPF calls
 *   kv_global        stages as global functions (verified on their own)
 *
 * Around the fast path, on the server's interface:
 *   kv_fill_egress   TC egress: memcached's one-key "VALUE" replies fill the cache
 *   kv_inval_ingress TC ingress: TCP commands that change a key invalidate it
 *                    (UDP ones are caught by the XDP fast path)
 *   kv_xdp_pass      for the peer veth (XDP_TX on veth needs a program there)
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "kv_stages.h"

#define TC_ACT_OK_	0
#define KV_SLOT_XDP	0
#define KV_SLOT_TC_IN	1
#define KV_SLOT_TC_OUT	2

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KV_NR_STAGES);
	__type(key, __u32);
	__type(value, __u32);
} kv_jmp_const SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, KV_NR_STAGES);
	__type(key, __u32);
	__type(value, __u32);
} kv_jmp_dyn SEC(".maps");

/* ---------------- variant: everything inlined ---------------- */

SEC("xdp")
int kv_inlined(struct xdp_md *ctx)
{
	return kv_fast_path(ctx, kv_get_state(KV_SLOT_XDP));
}

/* ---------------- variant: BPF-to-BPF calls ---------------- */

static __noinline int kv_sub_parse(struct xdp_md *ctx, struct kv_state *st)
{
	return kv_stage_parse(ctx, st);
}

static __noinline int kv_sub_hash(struct xdp_md *ctx, struct kv_state *st)
{
	return kv_stage_hash(ctx, st);
}

static __noinline int kv_sub_lookup(struct xdp_md *ctx, struct kv_state *st)
{
	return kv_stage_lookup(ctx, st);
}

static __noinline int kv_sub_write(struct xdp_md *ctx, struct kv_state *st)
{
	return kv_stage_write(ctx, st);
}

SEC("xdp")
int kv_bpf2bpf(struct xdp_md *ctx)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);
	int ret;

	if (!st)
		return XDP_PASS;
	ret = kv_sub_parse(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_sub_hash(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_sub_lookup(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	return kv_sub_write(ctx, st);
}

/* ---------------- variant: global functions ---------------- */
/*
 * A global function is verified once, on its own, from its BTF signature:
 * only the context crosses the call, each looks the per-CPU state up itself.
 * hash and lookup do not touch the packet and take no context: clang leaves
 * an argument the callee never reads unset (R1 garbage at the call), which
 * the verifier rejects ("Caller passes invalid args").
 */

__noinline int kv_glob_parse(struct xdp_md *ctx)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);

	return st ? kv_stage_parse(ctx, st) : XDP_PASS;
}

__noinline int kv_glob_hash(void)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);

	return st ? kv_stage_hash(NULL, st) : XDP_PASS;
}

__noinline int kv_glob_lookup(void)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);

	return st ? kv_stage_lookup(NULL, st) : XDP_PASS;
}

__noinline int kv_glob_write(struct xdp_md *ctx)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);

	return st ? kv_stage_write(ctx, st) : XDP_PASS;
}

SEC("xdp")
int kv_global(struct xdp_md *ctx)
{
	int ret;

	ret = kv_glob_parse(ctx);
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_glob_hash();
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_glob_lookup();
	if (ret != KV_CONTINUE)
		return ret;
	return kv_glob_write(ctx);
}

/* ---------------- variants: tail calls ---------------- */
/*
 * One program per stage; the entry program is stage 0.  A tail call that
 * finds no program falls through: counted, and the frame goes to memcached.
 * The tail calls sit in the SEC programs themselves, never in a static
 * __noinline function (PLATFORM.md's clang pitfall).
 */

static __always_inline int kv_chain_failed(void)
{
	kv_count(KV_STAT_CHAIN_FAIL);
	return XDP_PASS;
}

#define KV_TAIL_STAGE(name, stage, map, index)				\
SEC("xdp")								\
int name(struct xdp_md *ctx)						\
{									\
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);		\
	int ret;							\
									\
	if (!st)							\
		return XDP_PASS;					\
	ret = stage(ctx, st);						\
	if (ret != KV_CONTINUE)						\
		return ret;						\
	bpf_tail_call(ctx, &map, index);				\
	return kv_chain_failed();					\
}

/* constant indexes: each call site names its next stage */
KV_TAIL_STAGE(kv_tail_const, kv_stage_parse, kv_jmp_const, KV_STAGE_HASH)
KV_TAIL_STAGE(kv_const_hash, kv_stage_hash, kv_jmp_const, KV_STAGE_LOOKUP)
KV_TAIL_STAGE(kv_const_lookup, kv_stage_lookup, kv_jmp_const, KV_STAGE_WRITE)

/* dynamic indexes: the next stage as the previous stage wrote it in st->next */
KV_TAIL_STAGE(kv_tail_dyn, kv_stage_parse, kv_jmp_dyn, st->next)
KV_TAIL_STAGE(kv_dyn_hash, kv_stage_hash, kv_jmp_dyn, st->next)
KV_TAIL_STAGE(kv_dyn_lookup, kv_stage_lookup, kv_jmp_dyn, st->next)

/* the last stage is shared by both tail-call chains */
SEC("xdp")
int kv_tail_write(struct xdp_md *ctx)
{
	struct kv_state *st = kv_get_state(KV_SLOT_XDP);

	return st ? kv_stage_write(ctx, st) : XDP_PASS;
}

/* ---------------- around the fast path ---------------- */

/* IPv4 header of @skb if it is (UDP or TCP, per @proto) without options or fragments. */
static __always_inline int kv_skb_ip(struct __sk_buff *skb, struct iphdr *ip, __u8 proto)
{
	if (skb->protocol != bpf_htons(ETH_P_IP_) ||
	    bpf_skb_load_bytes(skb, sizeof(struct ethhdr), ip, sizeof(*ip)))
		return -1;
	if (ip->ihl != 5 || ip->protocol != proto || (ip->frag_off & bpf_htons(0x3fff)))
		return -1;
	return 0;
}

SEC("tc")
int kv_fill_egress(struct __sk_buff *skb)
{
	const __u32 off = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct kv_state *st = kv_get_state(KV_SLOT_TC_OUT);
	struct { struct udphdr udp; __u8 fh[KV_UDP_HDR]; } h;
	struct iphdr ip;
	__u32 flags = 0;
	__u64 n;
	int vlen;

	if (!st || kv_skb_ip(skb, &ip, IPPROTO_UDP_))
		return TC_ACT_OK_;
	if (mc_addr && ip.saddr != mc_addr)
		return TC_ACT_OK_;
	if (bpf_skb_load_bytes(skb, off - sizeof(h.udp), &h, sizeof(h)) ||
	    h.udp.source != bpf_htons(mc_port))
		return TC_ACT_OK_;
	n = bpf_ntohs(h.udp.len);
	if (n < sizeof(h) + 20 || n > skb->len - off + sizeof(h.udp))
		return TC_ACT_OK_;	/* too short for "VALUE ...": END, STORED, ... */
	n -= sizeof(h);
	if (h.fh[2] | h.fh[3] | h.fh[4] | (h.fh[5] != 1) || n > KV_REPLY_MAX) {
		/* several datagrams or above the entry size: a big value (or several) */
		kv_count(KV_STAT_FILL_LARGE);
		return TC_ACT_OK_;
	}
	kv_barrier_var(n);
	if (n == 0 || n > KV_REPLY_MAX || bpf_skb_load_bytes(skb, off + KV_UDP_HDR, st->buf, n))
		return TC_ACT_OK_;
	vlen = kv_parse_value(st, n, &flags);
	if (vlen == -2) {
		kv_count(KV_STAT_FILL_LARGE);
		return TC_ACT_OK_;
	}
	if (vlen < 0) {
		kv_count(KV_STAT_FILL_SKIP);
		return TC_ACT_OK_;
	}
	st->hash = kv_fnv1a(st->key, KV_READ_ONCE(st->key_len));
	kv_count(kv_fill(st, n, flags, vlen) ? KV_STAT_FILL : KV_STAT_FILL_SKIP);
	return TC_ACT_OK_;
}

SEC("tc")
int kv_inval_ingress(struct __sk_buff *skb)
{
	struct kv_state *st = kv_get_state(KV_SLOT_TC_IN);
	struct tcphdr tcp;
	struct iphdr ip;
	__u64 off, plen, n;	/* 64-bit: clang checks and passes the same register */

	if (!st || kv_skb_ip(skb, &ip, IPPROTO_TCP_))
		return TC_ACT_OK_;
	if (mc_addr && ip.daddr != mc_addr)
		return TC_ACT_OK_;
	off = sizeof(struct ethhdr) + sizeof(ip);
	if (bpf_skb_load_bytes(skb, off, &tcp, sizeof(tcp)) || tcp.dest != bpf_htons(mc_port))
		return TC_ACT_OK_;
	/* only a command at the start of a segment is seen (see the report's limits) */
	off += tcp.doff * 4;
	if (skb->len <= off)
		return TC_ACT_OK_;
	plen = skb->len - off;
	n = plen < KV_REQ_PEEK ? plen : KV_REQ_PEEK;
	kv_barrier_var(n);	/* the bounds below on the very register passed on */
	if (n < 7 || n > KV_REQ_PEEK || bpf_skb_load_bytes(skb, off, st->buf, n))
		return TC_ACT_OK_;
	if (kv_classify(st, n, plen) != KV_OP_INVAL)
		return TC_ACT_OK_;
	st->hash = kv_fnv1a(st->key, KV_READ_ONCE(st->key_len));
	kv_invalidate(st);
	return TC_ACT_OK_;
}

SEC("xdp")
int kv_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
