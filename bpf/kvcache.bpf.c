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
 *                    (with the ticket of their get), acknowledgements of writes
 *                    invalidate again
 *   kv_inval_ingress TC ingress: TCP commands that change a key invalidate it
 *                    (UDP ones are caught by the XDP fast path)
 * (kv_stages.h says why a fill cannot be stale.)
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

/* TCP to or from memcached (per @to_mc) with a payload: its offset, else 0. */
static __always_inline __u32 kv_skb_tcp(struct __sk_buff *skb, struct tcphdr *tcp, int to_mc)
{
	struct iphdr ip;
	__u32 off = sizeof(struct ethhdr) + sizeof(ip);

	if (kv_skb_ip(skb, &ip, IPPROTO_TCP_) || bpf_skb_load_bytes(skb, off, tcp, sizeof(*tcp)))
		return 0;
	if (mc_addr && (to_mc ? ip.daddr : ip.saddr) != mc_addr)
		return 0;
	if ((to_mc ? tcp->dest : tcp->source) != bpf_htons(mc_port))
		return 0;
	off += tcp->doff * 4;
	return skb->len > off ? off : 0;
}

/*
 * TCP connections to memcached: commands not answered yet, and the write
 * among them.  We count on a client that waits for each reply before its
 * next command (a second command outstanding turns the cache off), so a
 * reply on the connection acknowledges its one outstanding command: a write
 * of a key is then acknowledged as a UDP one is (kv_write_acked), a
 * flush_all bumps the generation.
 */
struct kv_tcp_flow {
	struct bpf_spin_lock lock;
	__u32 unanswered;
	__u32 op;		/* KV_OP_INVAL, KV_OP_FLUSH or KV_OP_NONE (a read) */
	__u32 slot;		/* the write's */
};

/* a plain hash: no spin locks in LRU maps; full, the cache turns off */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct kv_req_id);
	__type(value, struct kv_tcp_flow);
} kv_tcp_flows SEC(".maps");

/* Command @op (on slot @slot) arrived on @flow and will be answered. */
static __always_inline void kv_tcp_command(struct kv_req_id *flow, __u32 op, __u32 slot)
{
	struct kv_tcp_flow *f = bpf_map_lookup_elem(&kv_tcp_flows, flow);

	if (!f) {
		struct kv_tcp_flow z = {};

		bpf_map_update_elem(&kv_tcp_flows, flow, &z, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&kv_tcp_flows, flow);
		if (!f) {
			kv_turn_off(KV_OFF_TCP_STREAM);	/* cannot follow it */
			return;
		}
	}
	bpf_spin_lock(&f->lock);
	f->unanswered += 1;
	f->op = op;
	f->slot = slot;
	bpf_spin_unlock(&f->lock);
}

/* memcached sends on a TCP connection: the answer to its one outstanding command. */
static __always_inline void kv_tcp_reply(const struct iphdr *ip, const struct tcphdr *tcp)
{
	struct kv_req_id flow = { .addr = ip->daddr, .port = tcp->dest };
	struct kv_tcp_flow *f = bpf_map_lookup_elem(&kv_tcp_flows, &flow);
	__u32 op = KV_OP_NONE, slot = 0;
	int pipelined;

	if (!f)
		return;		/* no command seen on it: nothing it could acknowledge */
	bpf_spin_lock(&f->lock);
	pipelined = f->unanswered > 1;
	if (!pipelined) {
		op = f->op;
		slot = f->slot;
		f->unanswered = 0;
		f->op = KV_OP_NONE;
	}
	bpf_spin_unlock(&f->lock);
	if (pipelined)
		kv_turn_off(KV_OFF_PIPELINED);
	else if (op == KV_OP_FLUSH)
		kv_bump_gen();
	else if (op == KV_OP_INVAL)
		kv_write_acked(slot);
}

/* A UDP reply that is neither a value nor a miss: the acknowledgement of a write we could not match. */
static __always_inline int kv_reply_is_read(const struct kv_state *st, __u32 n)
{
	const __u8 *b = st->buf;

	if (n >= 6 && b[0] == 'V' && b[1] == 'A' && b[2] == 'L' && b[3] == 'U' && b[4] == 'E' &&
	    b[5] == ' ')
		return 1;
	return n == 5 && b[0] == 'E' && b[1] == 'N' && b[2] == 'D' && b[3] == '\r' && b[4] == '\n';
}

/* Fills the slot from memcached's reply in st->buf[0..n), with the get's ticket. */
static __always_inline void kv_fill_reply(struct kv_state *st, __u32 n, const struct kv_ticket *t,
					  int have_ticket)
{
	__u32 flags = 0;
	int vlen, r;

	vlen = kv_parse_value(st, n, &flags);
	if (vlen == -2) {
		kv_count(KV_STAT_FILL_LARGE);
		return;
	}
	if (vlen < 0) {
		if (!kv_reply_is_read(st, n))
			kv_bump_gen();
		kv_count(KV_STAT_FILL_SKIP);
		return;
	}
	if (!have_ticket && !unsafe_fills) {
		kv_count(KV_STAT_FILL_RACE);
		return;
	}
	st->hash = kv_fnv1a(st->key, KV_READ_ONCE(st->key_len));
	r = kv_fill(st, n, flags, vlen, t);
	kv_count(r > 0 ? KV_STAT_FILL : r < 0 ? KV_STAT_FILL_RACE : KV_STAT_FILL_SKIP);
}

SEC("tc")
int kv_fill_egress(struct __sk_buff *skb)
{
	const __u32 off = sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr);
	struct kv_state *st = kv_get_state(KV_SLOT_TC_OUT);
	struct { struct udphdr udp; __u8 fh[KV_UDP_HDR]; } h;
	struct kv_ticket t = {}, *tp;
	struct kv_req_id req;
	struct tcphdr tcp;
	struct iphdr ip;
	__u32 *slot;
	__u64 n;
	int have;

	if (!st || bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip)))
		return TC_ACT_OK_;
	if (kv_skb_tcp(skb, &tcp, 0)) {
		kv_tcp_reply(&ip, &tcp);
		return TC_ACT_OK_;
	}
	if (kv_skb_ip(skb, &ip, IPPROTO_UDP_))
		return TC_ACT_OK_;
	if (mc_addr && ip.saddr != mc_addr)
		return TC_ACT_OK_;
	if (bpf_skb_load_bytes(skb, off - sizeof(h.udp), &h, sizeof(h)) ||
	    h.udp.source != bpf_htons(mc_port))
		return TC_ACT_OK_;
	n = bpf_ntohs(h.udp.len);
	if (n < sizeof(h) || n > skb->len - off + sizeof(h.udp))
		return TC_ACT_OK_;
	n -= sizeof(h);
	req.addr = ip.daddr;
	req.port = h.udp.dest;
	req.req_id = (__u16)h.fh[0] << 8 | h.fh[1];
	slot = bpf_map_lookup_elem(&kv_write_tickets, &req);
	if (slot) {
		kv_write_acked(*slot);
		bpf_map_delete_elem(&kv_write_tickets, &req);
		return TC_ACT_OK_;
	}
	tp = bpf_map_lookup_elem(&kv_get_tickets, &req);
	have = tp != NULL;
	if (tp) {
		t = *tp;
		bpf_map_delete_elem(&kv_get_tickets, &req);
	}
	if (h.fh[2] | h.fh[3] | h.fh[4] | (h.fh[5] != 1) || n > KV_REPLY_MAX) {
		/* several datagrams or above the entry size: a big value (or several) */
		kv_count(KV_STAT_FILL_LARGE);
		return TC_ACT_OK_;
	}
	kv_barrier_var(n);
	if (n == 0 || n > KV_REPLY_MAX || bpf_skb_load_bytes(skb, off + KV_UDP_HDR, st->buf, n)) {
		kv_bump_gen();	/* an empty reply is nothing we know */
		return TC_ACT_OK_;
	}
	kv_fill_reply(st, n, &t, have);
	return TC_ACT_OK_;
}

/*
 * Where the next command of a TCP flow starts, when a storage command's
 * data block goes on past its segment.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct kv_req_id);
	__type(value, __u32);
} kv_tcp_next SEC(".maps");

/* 1 if this segment lies in a data block announced before (nothing to parse). */
static __always_inline int kv_tcp_in_data(struct kv_req_id *flow, __u32 seq, __u32 plen)
{
	__u32 *next = bpf_map_lookup_elem(&kv_tcp_next, flow);

	if (!next || (__s32)(*next - seq) <= 0)
		return 0;
	if ((__s32)(*next - (seq + plen)) < 0)
		kv_turn_off(KV_OFF_PIPELINED);	/* the block ends, and a command follows */
	return 1;
}

SEC("tc")
int kv_inval_ingress(struct __sk_buff *skb)
{
	struct kv_state *st = kv_get_state(KV_SLOT_TC_IN);
	struct kv_req_id flow = {};
	struct tcphdr tcp;
	struct iphdr ip;
	__u64 off, plen, n;	/* 64-bit: clang checks and passes the same register */
	__u32 seq, len, noreply;
	int op;

	if (!st)
		return TC_ACT_OK_;
	off = kv_skb_tcp(skb, &tcp, 1);
	if (!off || bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip)))
		return TC_ACT_OK_;
	plen = skb->len - off;
	flow.addr = ip.saddr;
	flow.port = tcp.source;
	seq = bpf_ntohl(tcp.seq);
	if (kv_tcp_in_data(&flow, seq, plen))
		return TC_ACT_OK_;
	n = plen < KV_REQ_PEEK ? plen : KV_REQ_PEEK;
	kv_barrier_var(n);	/* the bounds below on the very register passed on */
	if (n == 0 || n > KV_REQ_PEEK || bpf_skb_load_bytes(skb, off, st->buf, n)) {
		kv_turn_off(KV_OFF_TCP_STREAM);
		return TC_ACT_OK_;
	}
	op = kv_classify(st, n, plen);
	len = KV_READ_ONCE(st->cmd_len);
	if (op == KV_OP_OFF) {
		kv_turn_off(KV_OFF_TCP_STREAM);
		return TC_ACT_OK_;
	}
	if (len < plen || (len > plen && !(KV_READ_ONCE(st->wflags) & KV_W_STORAGE))) {
		kv_turn_off(KV_OFF_PIPELINED);
		return TC_ACT_OK_;
	}
	if (len > plen)
		bpf_map_update_elem(&kv_tcp_next, &flow, &(__u32){ seq + len }, BPF_ANY);
	if (op == KV_OP_FLUSH)
		kv_bump_gen();	/* its reply bumps it again (kv_tcp_reply) */
	if (op != KV_OP_INVAL) {
		kv_tcp_command(&flow, op, 0);
		return TC_ACT_OK_;
	}
	st->hash = kv_fnv1a(st->key, KV_READ_ONCE(st->key_len));
	noreply = KV_READ_ONCE(st->wflags) & KV_W_NOREPLY;
	kv_write_seen(st, !noreply);
	if (!noreply)	/* a noreply write leaves nothing outstanding */
		kv_tcp_command(&flow, op, KV_READ_ONCE(st->hash) & cache_mask);
	return TC_ACT_OK_;
}

SEC("xdp")
int kv_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
