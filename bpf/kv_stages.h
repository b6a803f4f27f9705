/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvcache: an in-kernel look-aside cache in front of memcached (our own design
 * of the idea of BMC, NSDI'21).  This header holds the
 * fast path's stages, written once (the layouts they share with user space
 * are in include/obench/kvcache.h):
 *
 *   kv_stage_parse  Ethernet/IPv4/UDP to the memcached port, the 8-byte UDP
 *                   frame header, the command; copies the key into the
 *                   per-CPU state.  "get <key>\r\n" -> KV_OP_GET, a command
 *                   that changes a key (set, delete, ...) -> KV_OP_INVAL.
 *   kv_stage_hash   FNV-1a over the key.
 *   kv_stage_lookup KV_OP_GET: look the slot up, compare the whole key, copy
 *                   the stored reply out.  KV_OP_INVAL: invalidate (XDP_PASS).
 *   kv_stage_write  rewrite the frame into the reply in place (XDP_TX).
 * (Four stages, three hand-overs: a one-key get in BMC also crosses three
 * tail calls, which the paper's Table 5 counts on.)
 *
 * Each stage returns KV_CONTINUE or the XDP action that ends the pipeline.
 * A stage reads its inputs back from the per-CPU state (KV_READ_ONCE), also
 * when inlined: otherwise the verifier carries e.g. the exact key length of
 * every exit of parse's loop into hash's loop and walks their product.
 * bpf/kvcache.bpf.c chains them five ways (paper Table 5).
 */
#ifndef OBENCH_KV_STAGES_H
#define OBENCH_KV_STAGES_H

#include <obench/kvcache.h>

#include "pkt.h"

#define KV_CONTINUE	-1
#define ETH_P_IP_	0x0800
#define IPPROTO_UDP_	17
#define IPPROTO_TCP_	6
#define FNV32_OFFSET	2166136261U
#define FNV32_PRIME	16777619U

const volatile __u16 mc_port = 11211;	/* host order */
const volatile __u32 mc_addr;		/* server IPv4 (network order), 0 = any */
const volatile __u32 cache_mask = 0;	/* entries - 1, entries a power of two */
const volatile __u32 max_value = KV_VALUE_MAX;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* user space sets it to cache_mask + 1 */
	__type(key, __u32);
	__type(value, struct kv_entry);
} kv_cache SEC(".maps");

/* 0: the XDP fast path; 1: TC ingress; 2: TC egress (they may nest on a CPU). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct kv_state);
} kv_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KV_NR_STATS);
	__type(key, __u32);
	__type(value, __u64);
} kv_stats SEC(".maps");

static __always_inline void kv_count(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&kv_stats, &stat);

	if (c)
		*c += 1;
}

static __always_inline struct kv_state *kv_get_state(__u32 slot)
{
	return bpf_map_lookup_elem(&kv_state, &slot);
}

/* @b starts with the @wl letters of @w and a space. */
static __always_inline int kv_word(const __u8 *b, const char *w, __u32 wl)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < 8; i++) {
		if (i == wl)
			return b[i] == ' ';
		if (b[i] != (__u8)w[i])
			return 0;
	}
	return 0;
}

/*
 * Classifies the request in st->buf[0..n) (the first n of @plen bytes) and
 * copies its key into st->key.  Returns KV_OP_GET for "get <key>\r\n" that
 * is the whole request, KV_OP_INVAL for a command that changes <key> (set,
 * add, cas, replace, append, prepend, incr, decr, delete, touch), else
 * KV_OP_NONE (gets, multi-key get, stats, flush_all... go to memcached).
 */
static __always_inline int kv_classify(struct kv_state *st, __u32 n, __u32 plen)
{
	const __u8 *b = st->buf;
	__u32 start, i, len = 0, end = 0;
	int op = KV_OP_INVAL;

	if (n < 7)		/* "get k\r\n" */
		return KV_OP_NONE;
	if (kv_word(b, "get", 3))
		op = KV_OP_GET, start = 4;
	else if (kv_word(b, "set", 3) || kv_word(b, "add", 3) || kv_word(b, "cas", 3))
		start = 4;
	else if (kv_word(b, "incr", 4) || kv_word(b, "decr", 4))
		start = 5;
	else if (kv_word(b, "touch", 5))
		start = 6;
	else if (kv_word(b, "delete", 6) || kv_word(b, "append", 6))
		start = 7;
	else if (kv_word(b, "replace", 7) || kv_word(b, "prepend", 7))
		start = 8;
	else
		return KV_OP_NONE;

	for (i = 0; i <= KV_KEY_MAX; i++) {
		__u32 p = start + i;
		__u8 c;

		if (p >= n || p >= KV_REQ_PEEK)
			return KV_OP_NONE;
		c = b[p];
		if (c == ' ' || c == '\r' || c == '\n') {
			end = p;
			break;
		}
		if (i < KV_KEY_MAX)
			st->key[i] = c;
		len++;
	}
	if (!end || len == 0 || len > KV_KEY_MAX)
		return KV_OP_NONE;
	st->key_len = len;
	if (op == KV_OP_INVAL)
		return op;
	/* a cacheable get: one key, then "\r\n" ending the request */
	if (end + 2 != plen || end + 2 > n || end + 2 > KV_REQ_PEEK)
		return KV_OP_NONE;
	if (b[end] != '\r' || b[end + 1] != '\n')
		return KV_OP_NONE;
	return op;
}

static __always_inline __u32 kv_fnv1a(const __u8 *key, __u32 len)
{
	__u32 h = FNV32_OFFSET, i;

	for (i = 0; i < KV_KEY_MAX; i++) {
		if (i >= len)
			break;
		h ^= key[i];
		h *= FNV32_PRIME;
	}
	return h;
}

static __always_inline int kv_key_equal(const __u8 *a, const __u8 *b, __u32 len)
{
	__u32 i;

	for (i = 0; i < KV_KEY_MAX; i++) {
		if (i >= len)
			break;
		if (a[i] != b[i])
			return 0;
	}
	return 1;
}

/* The slot of @hash, or NULL. */
static __always_inline struct kv_entry *kv_slot(__u32 hash)
{
	__u32 idx = hash & cache_mask;

	return bpf_map_lookup_elem(&kv_cache, &idx);
}

#define KV_READ_ONCE(x)	(*(volatile typeof(x) *)&(x))
#define kv_barrier()	asm volatile("" ::: "memory")
#define kv_barrier_var(v)	asm volatile("" : "+r"(v))

/*
 * Invalidates the slot of st->key if it holds that key, or if a writer is
 * filling it (whatever key: the writer then leaves it invalid).  Returns 1
 * if it invalidated something.
 */
static __always_inline int kv_invalidate(struct kv_state *st)
{
	__u32 klen = KV_READ_ONCE(st->key_len);
	struct kv_entry *e = kv_slot(KV_READ_ONCE(st->hash));
	int match, done = 0;

	if (!e)
		return 0;
	match = e->valid && e->key_len == klen && kv_key_equal(e->key, st->key, klen);
	bpf_spin_lock(&e->lock);
	if ((e->seq & 1) || (match && e->valid)) {
		e->valid = 0;
		e->seq += 2;	/* keeps a writer's parity; readers in flight retry */
		done = 1;
	}
	bpf_spin_unlock(&e->lock);
	if (done)
		kv_count(KV_STAT_INVAL);
	return done;
}

/*
 * Parses memcached's reply to a one-key get in st->buf[0..n):
 *   "VALUE <key> <flags> <bytes>\r\n<data>\r\nEND\r\n"
 * Copies the key into st->key.  Returns the data length, -2 if it is above
 * max_value, -1 if the reply is anything else (miss, gets, several keys).
 */
static __always_inline int kv_parse_value(struct kv_state *st, __u32 n, __u32 *flags)
{
	const __u8 *b = st->buf, *t;
	__u32 i, p, len = 0, f = 0, bytes = 0, nd;
	__u8 c;

	if (n < 20 || n > KV_REPLY_MAX)
		return -1;
	if (b[0] != 'V' || b[1] != 'A' || b[2] != 'L' || b[3] != 'U' || b[4] != 'E' ||
	    b[5] != ' ')
		return -1;
	for (i = 0; i <= KV_KEY_MAX; i++) {
		c = b[6 + i];
		if (c == ' ')
			break;
		if (c <= ' ' || i == KV_KEY_MAX)
			return -1;
		st->key[i] = c;
		len++;
	}
	if (len == 0)
		return -1;
	/*
	 * Positions go through the per-CPU state between the loops: read back,
	 * they are unknown to the verifier, so it walks each loop once rather
	 * than once per exit of the loop before (251 x 11 x 8 paths).
	 */
	st->key_len = len;
	p = KV_READ_ONCE(st->key_len);
	if (p > KV_KEY_MAX)
		return -1;
	p += 6 + 1;				/* <= 257 */
	for (nd = 0; nd <= 10; nd++, p++) {	/* flags: a u32, <= 10 digits */
		c = b[p & 0x1ff];
		if (c == ' ')
			break;
		if (c < '0' || c > '9' || nd == 10)
			return -1;
		f = f * 10 + (c - '0');
	}
	if (nd == 0)
		return -1;
	st->hash = p + 1;			/* scratch, see above */
	p = KV_READ_ONCE(st->hash);
	if (p > 6 + KV_KEY_MAX + 1 + 11)
		return -1;
	for (nd = 0; nd <= 7; nd++, p++) {	/* bytes */
		c = b[p & 0x1ff];
		if (c == '\r')
			break;
		if (c < '0' || c > '9' || nd == 7)
			return -1;
		bytes = bytes * 10 + (c - '0');
	}
	if (nd == 0 || b[(p + 1) & 0x1ff] != '\n')
		return -1;
	st->hash = p + 2;			/* the data starts here */
	p = KV_READ_ONCE(st->hash);
	if (p > 6 + KV_KEY_MAX + 1 + 11 + 8 + 2)
		return -1;
	if (bytes > max_value || bytes > KV_VALUE_MAX)
		return -2;
	if (p + bytes + 7 != n)
		return -1;
	p += bytes;
	kv_barrier_var(p);	/* keep clang from checking a copy of p */
	if (p > KV_REPLY_MAX - 7)
		return -1;
	t = b + p;
	kv_barrier_var(t);
	if (t[0] != '\r' || t[1] != '\n' || t[2] != 'E' || t[3] != 'N' ||
	    t[4] != 'D' || t[5] != '\r' || t[6] != '\n')
		return -1;
	*flags = f;
	return (int)bytes;
}

/* Stores the reply in st->buf[0..n) for st->key in its slot; 1 if it did. */
static __always_inline int kv_fill(struct kv_state *st, __u32 n, __u32 flags, __u32 vlen)
{
	struct kv_entry *e = kv_slot(KV_READ_ONCE(st->hash));
	__u32 seq, klen = KV_READ_ONCE(st->key_len);
	int ok = 0;

	if (!e || klen == 0 || klen > KV_KEY_MAX || n == 0 || n > KV_REPLY_MAX)
		return 0;
	bpf_spin_lock(&e->lock);
	seq = e->seq;
	if (!(seq & 1)) {
		e->seq = seq + 1;
		e->valid = 0;
		ok = 1;
	}
	bpf_spin_unlock(&e->lock);
	if (!ok)
		return 0;		/* another writer is in */
	bpf_probe_read_kernel(e->key, klen, st->key);
	bpf_probe_read_kernel(e->reply, n, st->buf);
	e->key_len = klen;
	e->flags = flags;
	e->value_len = vlen;
	e->reply_len = n;
	bpf_spin_lock(&e->lock);
	if (e->seq == seq + 1) {
		e->valid = 1;
		e->seq = seq + 2;
	} else {
		ok = 0;		/* invalidated while we wrote: leave it invalid */
		e->seq += 1;
	}
	bpf_spin_unlock(&e->lock);
	return ok;
}

/* ---------------- stage 1: parse ---------------- */

static __always_inline int kv_stage_parse(struct xdp_md *ctx, struct kv_state *st)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	__u8 *fh;
	__u64 plen, n;
	int op;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP_))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP_)
		return XDP_PASS;
	if (mc_addr && ip->daddr != mc_addr)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(mc_port))
		return XDP_PASS;
	/* memcached traffic from here on: what the fast path does not take is a bypass */
	fh = (void *)(udp + 1);
	if (ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)) ||
	    (void *)(fh + KV_UDP_HDR) > end)
		goto bypass;
	/* one datagram: sequence 0 of 1 */
	if (fh[2] | fh[3] | fh[4] | (fh[5] != 1))
		goto bypass;
	plen = bpf_ntohs(udp->len);
	if (plen < sizeof(*udp) + KV_UDP_HDR + 6 ||
	    (void *)udp + plen > end)
		goto bypass;
	plen -= sizeof(*udp) + KV_UDP_HDR;
	n = plen < KV_REQ_PEEK ? plen : KV_REQ_PEEK;
	kv_barrier_var(n);
	if (n < 6 || n > KV_REQ_PEEK)
		goto bypass;
	if (bpf_xdp_load_bytes(ctx, (void *)(fh + KV_UDP_HDR) - data, st->buf, n))
		goto bypass;
	op = kv_classify(st, n, plen);
	if (op == KV_OP_NONE)
		goto bypass;
	st->op = op;
	st->next = KV_STAGE_HASH;
	return KV_CONTINUE;
bypass:
	kv_count(KV_STAT_BYPASS);
	return XDP_PASS;
}

/* ---------------- stage 2: hash ---------------- */

static __always_inline int kv_stage_hash(struct xdp_md *ctx, struct kv_state *st)
{
	(void)ctx;
	st->hash = kv_fnv1a(st->key, KV_READ_ONCE(st->key_len));
	st->next = KV_STAGE_LOOKUP;
	return KV_CONTINUE;
}

/* ---------------- stage 3: lookup ---------------- */

/* GET: copies the slot's reply into st->buf if it holds st->key.  INVAL: invalidates. */
static __always_inline int kv_stage_lookup(struct xdp_md *ctx, struct kv_state *st)
{
	__u32 seq, len, klen = KV_READ_ONCE(st->key_len);
	struct kv_entry *e;

	(void)ctx;
	if (KV_READ_ONCE(st->op) == KV_OP_INVAL) {
		kv_invalidate(st);
		return XDP_PASS;
	}
	e = kv_slot(KV_READ_ONCE(st->hash));
	if (!e)
		goto miss;
	seq = KV_READ_ONCE(e->seq);
	if ((seq & 1) || !e->valid || e->key_len != klen || !kv_key_equal(e->key, st->key, klen))
		goto miss;
	len = e->reply_len;
	if (len == 0 || len > KV_REPLY_MAX)
		goto miss;
	if (bpf_probe_read_kernel(st->buf, len, e->reply))
		goto miss;
	kv_barrier();
	if (KV_READ_ONCE(e->seq) != seq) {
		kv_count(KV_STAT_RACE);
		return XDP_PASS;
	}
	st->reply_len = len;
	st->next = KV_STAGE_WRITE;
	return KV_CONTINUE;
miss:
	kv_count(KV_STAT_MISS);
	return XDP_PASS;
}

/* ---------------- stage 4: write the reply ---------------- */

static __always_inline int kv_stage_write(struct xdp_md *ctx, struct kv_state *st)
{
	__u32 len = KV_READ_ONCE(st->reply_len);
	__u8 hdrs[KV_HDRS];
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	int delta;
	__u8 *fh;

	if (len == 0 || len > KV_REPLY_MAX)
		return XDP_PASS;
	/* reply = Ethernet + IPv4 (ihl 5, checked by parse) + UDP + frame header + body */
	delta = (int)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + KV_UDP_HDR + len) -
		(int)bpf_xdp_get_buff_len(ctx);
	/*
	 * Grow at the tail; where there is no tailroom (veth hands XDP a copy
	 * of the skb with next to none) grow at the head instead (XDP keeps
	 * 256 bytes of headroom) and move the headers there.
	 */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + KV_HDRS > end)
		return XDP_PASS;
	__builtin_memcpy(hdrs, data, KV_HDRS);
	if (bpf_xdp_adjust_tail(ctx, delta)) {
		if (delta <= 0 || bpf_xdp_adjust_head(ctx, -delta)) {
			kv_count(KV_STAT_GROW_FAIL);
			return XDP_PASS;
		}
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		if (data + KV_HDRS > end)
			return XDP_DROP;	/* cannot happen: we just grew it */
		__builtin_memcpy(data, hdrs, KV_HDRS);
	}
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	fh = (void *)(udp + 1);
	if ((void *)(fh + KV_UDP_HDR) > end)
		return XDP_DROP;	/* cannot happen: parse saw these bytes */
	pkt_swap_addrs(eth, ip, udp);
	/* keep the request id; sequence 0, 1 datagram, reserved 0 */
	fh[2] = 0;
	fh[3] = 0;
	fh[4] = 0;
	fh[5] = 1;
	fh[6] = 0;
	fh[7] = 0;
	udp->len = bpf_htons(sizeof(*udp) + KV_UDP_HDR + len);
	/* veth hands UDP over with a partial checksum that XDP_TX loses: send none */
	udp->check = 0;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*udp) + KV_UDP_HDR + len);
	pkt_ip_csum(ip);
	if (bpf_xdp_store_bytes(ctx, sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + KV_UDP_HDR,
				st->buf, len))
		return XDP_DROP;	/* the frame is half rewritten: never pass it on */
	kv_count(KV_STAT_HIT);
	return XDP_TX;
}

/* All four stages inlined, in order: the "inlined" variant and xsk_kv's fast path. */
static __always_inline int kv_fast_path(struct xdp_md *ctx, struct kv_state *st)
{
	int ret;

	if (!st)
		return XDP_PASS;
	ret = kv_stage_parse(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_stage_hash(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	ret = kv_stage_lookup(ctx, st);
	if (ret != KV_CONTINUE)
		return ret;
	return kv_stage_write(ctx, st);
}

#endif /* OBENCH_KV_STAGES_H */
