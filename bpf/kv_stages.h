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
 *
 * Why a fill cannot be stale.  A get that missed here is answered by
 * memcached; its reply fills the slot at TC egress.  Memcached may have read
 * the old value before a write W of that key and send it after W was
 * acknowledged: that reply must not fill.  So:
 *  - a get that misses leaves a ticket (its request id -> the slot's epoch
 *    and the global generation); a reply fills only with its ticket, if the
 *    slot's epoch and the generation have not moved and no write of the slot
 *    is unacknowledged (pending);
 *  - a UDP write bumps its slot's epoch and pending when it arrives, and again
 *    (pending back down) when its acknowledgement leaves, matched by request
 *    id; a fill that slipped in between is thrown away at the acknowledgement;
 *  - TCP writes alike: the reply to a connection's one outstanding command
 *    is its acknowledgement (kvcache.bpf.c, kv_tcp_reply);
 *  - what cannot be pinned to one key bumps the global generation, which
 *    every entry carries from its ticket: flush_all when it arrives and when
 *    its reply leaves, and each UDP reply we cannot match and do not know;
 *  - a write that will never be acknowledged (noreply) poisons its slot: never
 *    filled again; one that gives the item an exptime (set, touch) keeps the
 *    slot from being filled by any get that arrived before the item is gone
 *    (its exptime plus two seconds of memcached's clock);
 *  - what the cache cannot follow (meta or binary commands, several commands
 *    in one datagram or segment, fragments, a TCP segment that does not
 *    start a command) turns it off for good, and kv_ctl.off says why.
 * Every value the fast path serves was therefore memcached's current value
 * when the last acknowledgement that could change it left, for requests on
 * this interface (writes that reach memcached another way are not seen).
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
#define KV_READ_ONCE(x)	(*(volatile typeof(x) *)&(x))
#define kv_barrier()	asm volatile("" ::: "memory")
#define kv_barrier_var(v)	asm volatile("" : "+r"(v))

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kv_ctl);
} kv_ctl SEC(".maps");

/* gets that missed, by request: the slot's epoch and generation they saw */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kv_req_id);
	__type(value, struct kv_ticket);
} kv_get_tickets SEC(".maps");

/* UDP writes not acknowledged yet, by request: their slot */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct kv_req_id);
	__type(value, __u32);
} kv_write_tickets SEC(".maps");

/*
 * Test only: fill from any reply and invalidate only when a write arrives,
 * as the cache did before the tickets (the checker must see it fail).
 */
const volatile __u32 unsafe_fills;

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

static __always_inline struct kv_ctl *kv_get_ctl(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&kv_ctl, &zero);
}

/* Every entry filled before now stops being served. */
static __always_inline void kv_bump_gen(void)
{
	struct kv_ctl *c = kv_get_ctl();

	if (c) {
		__sync_fetch_and_add(&c->gen, 1);
		kv_count(KV_STAT_GEN_BUMP);
	}
}

/* The cache stops serving and filling, for good. */
static __always_inline void kv_turn_off(__u32 why)
{
	struct kv_ctl *c = kv_get_ctl();

	if (c && !c->off)
		c->off = why;
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

/* @b starts with the @wl letters of @w then "\r\n" or a space (a command without a key). */
static __always_inline int kv_verb(const __u8 *b, const char *w, __u32 wl)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < 10; i++) {
		if (i == wl)
			return b[i] == ' ' || b[i] == '\r';
		if (b[i] != (__u8)w[i])
			return 0;
	}
	return 0;
}

/* bpf_loop()'s context: the state, whose scan the step walks. */
struct kv_line {
	struct kv_state *st;
};

/* bpf_loop() callback: one byte of the line; 1 stops. */
static long kv_line_step(__u32 i, struct kv_line *ctx)
{
	struct kv_state *st = ctx->st;
	struct kv_line_scan *l = &st->scan;
	__u32 p = l->pos + i;
	__u8 c;

	if (p + 1 >= l->n || p + 1 >= KV_REQ_PEEK) {
		l->bad = 1;		/* the line goes on past what we can see */
		return 1;
	}
	p &= 0x1ff;
	kv_barrier_var(p);	/* clang would index with an unmasked copy */
	c = st->buf[p];
	if (c == '\r') {
		p = (p + 1) & 0x1ff;
		kv_barrier_var(p);
		l->bad = st->buf[p] != '\n';
		l->end = l->pos + i;
		return 1;
	}
	if (c == ' ') {
		l->tok++;
		return 0;
	}
	if (l->tok && l->tok == l->etok) {
		if (c != '0')
			l->expires = 1;	/* any exptime but 0, negative ones too */
		if (c >= '0' && c <= '9')
			l->exptime = l->exptime > 100000000 ? 0xffffffff :
				     l->exptime * 10 + (c - '0');
	}
	if (l->tok && l->tok == l->btok) {
		if (c < '0' || c > '9' || l->bytes > 100000000) {
			l->bad = 1;
			return 1;
		}
		l->bytes = l->bytes * 10 + (c - '0');
	}
	return 0;
}

/*
 * The rest of a command line from @pos (e.g. the key's end) in st->buf[0..n):
 * sets st->wflags and st->cmd_len (line, and data block for a storage
 * command).  @etok/@btok: which token after the key is the exptime and the
 * byte count (1-based, 0: none).  0, or -1 if the line is malformed or
 * longer than we can see.
 */
static __always_inline int kv_write_line(struct kv_state *st, __u32 n, __u32 pos,
					 __u32 etok, __u32 btok)
{
	struct kv_line ctx = { .st = st };
	struct kv_line_scan *l = &st->scan;
	__u32 e;

	l->n = n;
	l->pos = pos;
	l->tok = 0;
	l->etok = etok;
	l->btok = btok;
	l->bytes = 0;
	l->expires = 0;
	l->exptime = 0;
	l->end = 0;
	l->bad = 0;
	bpf_loop(KV_REQ_PEEK, kv_line_step, &ctx, 0);
	e = KV_READ_ONCE(l->end);
	if (KV_READ_ONCE(l->bad) || !e || e > KV_REQ_PEEK)
		return -1;
	if (KV_READ_ONCE(l->expires))
		st->wflags |= KV_W_EXPIRES;
	if (e >= 8 && st->buf[(e - 8) & 0x1ff] == ' ' && st->buf[(e - 7) & 0x1ff] == 'n' &&
	    st->buf[(e - 6) & 0x1ff] == 'o' && st->buf[(e - 5) & 0x1ff] == 'r' &&
	    st->buf[(e - 4) & 0x1ff] == 'e' && st->buf[(e - 3) & 0x1ff] == 'p' &&
	    st->buf[(e - 2) & 0x1ff] == 'l' && st->buf[(e - 1) & 0x1ff] == 'y')
		st->wflags |= KV_W_NOREPLY;
	st->cmd_len = e + 2 + (btok ? KV_READ_ONCE(l->bytes) + 2 : 0);
	return 0;
}

/* The read-only commands without a key we let through: stats, version, gets, multi-key get. */
static __always_inline int kv_read_only(const __u8 *b)
{
	return kv_verb(b, "stats", 5) || kv_verb(b, "version", 7) || kv_word(b, "gets", 4);
}

/*
 * Classifies the request in st->buf[0..n) (the first n of @plen bytes) and
 * copies its key into st->key (enum kv_op).  A GET is "get <key>\r\n" and
 * nothing else; an INVAL is one command that changes <key> (set, add, cas,
 * replace, append, prepend, incr, decr, delete, touch) with st->wflags and
 * st->wflags set.  st->cmd_len is the length of the command (line and data
 * block): the caller checks it against the bytes it holds.
 */
static __always_inline int kv_classify(struct kv_state *st, __u32 n, __u32 plen)
{
	const __u8 *b = st->buf;
	__u32 start, i, len = 0, end = 0, etok = 0, btok = 0;
	int op = KV_OP_INVAL;

	st->wflags = 0;
	st->cmd_len = 0;
	if (n < 6)
		return KV_OP_OFF;
	if (kv_word(b, "get", 3)) {
		op = KV_OP_GET, start = 4;
	} else if (kv_read_only(b)) {
		return kv_write_line(st, n, 0, 0, 0) ? KV_OP_OFF : KV_OP_NONE;
	} else if (kv_word(b, "set", 3) || kv_word(b, "add", 3) || kv_word(b, "cas", 3)) {
		start = 4, etok = 2, btok = 3;
	} else if (kv_word(b, "incr", 4) || kv_word(b, "decr", 4)) {
		start = 5;
	} else if (kv_word(b, "touch", 5)) {
		start = 6, etok = 1;
	} else if (kv_word(b, "delete", 6)) {
		start = 7;
	} else if (kv_word(b, "append", 6)) {
		start = 7, etok = 2, btok = 3;
	} else if (kv_word(b, "replace", 7) || kv_word(b, "prepend", 7)) {
		start = 8, etok = 2, btok = 3;
	} else if (kv_verb(b, "flush_all", 9)) {
		/* only the plain one: a delay or noreply leaves no moment to invalidate at */
		st->cmd_len = 11;
		return plen == 11 && b[9] == '\r' && b[10] == '\n' ? KV_OP_FLUSH : KV_OP_OFF;
	} else {
		return KV_OP_OFF;
	}
	if (btok)
		st->wflags = KV_W_STORAGE;

	for (i = 0; i <= KV_KEY_MAX; i++) {
		__u32 p = start + i;
		__u8 c;

		if (p >= n || p >= KV_REQ_PEEK)
			return KV_OP_OFF;
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
		return KV_OP_OFF;
	st->key_len = len;
	/* read back: unknown to the verifier, so it walks on once, not once per key length */
	st->cmd_len = end;
	end = KV_READ_ONCE(st->cmd_len);
	if (end > KV_REQ_PEEK)
		return KV_OP_OFF;
	if (op == KV_OP_INVAL)
		return kv_write_line(st, n, end, etok, btok) ? KV_OP_OFF : op;
	/* a get: one key, then "\r\n" ending the request; several keys: a read */
	if (end + 2 > n || end + 2 > KV_REQ_PEEK)
		return KV_OP_OFF;
	if (b[end] == ' ')
		return kv_write_line(st, n, end, 0, 0) ? KV_OP_OFF : KV_OP_NONE;
	if (b[end] != '\r' || b[end + 1] != '\n')
		return KV_OP_OFF;
	st->cmd_len = end + 2;
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


/*
 * A write of st->key arrived: invalidate its slot (any key: hashes collide,
 * and a writer filling it then leaves it invalid) and bump the slot's epoch.
 * With @acked an acknowledgement we can match will follow (kv_write_acked):
 * count it pending.  A write without one poisons the slot; one with an
 * exptime holds fills back until the item is gone (kv_fill).
 */
static __always_inline void kv_write_seen(struct kv_state *st, int acked)
{
	__u32 idx = KV_READ_ONCE(st->hash) & cache_mask;
	struct kv_entry *e = bpf_map_lookup_elem(&kv_cache, &idx);
	__u32 w = KV_READ_ONCE(st->wflags), secs = KV_READ_ONCE(st->scan.exptime);
	int poison = !acked || (w & KV_W_NOREPLY);
	__u64 gone = 0;

	if (!e)
		return;
	if (w & KV_W_EXPIRES) {
		/* above 30 days memcached reads an absolute time: treat as never gone */
		if (secs > 30 * 24 * 3600)
			poison = 1;
		else	/* memcached's clock ticks once a second: two of slack */
			gone = bpf_ktime_get_ns() + (__u64)(secs + 2) * 1000000000ULL;
	}
	bpf_spin_lock(&e->lock);
	e->valid = 0;
	e->seq += 2;	/* keeps a writer's parity; readers in flight retry */
	e->epoch += 1;
	if (gone > e->expired_at)
		e->expired_at = gone;
	if (poison)
		e->poison = 1;
	else
		e->pending += 1;
	bpf_spin_unlock(&e->lock);
	kv_count(KV_STAT_INVAL);
	if (poison || gone)
		kv_count(KV_STAT_POISON);
}

/* The acknowledgement of a write to slot @idx leaves: invalidate again, one fewer pending. */
static __always_inline void kv_write_acked(__u32 idx)
{
	struct kv_entry *e = bpf_map_lookup_elem(&kv_cache, &idx);

	if (!e)
		return;
	bpf_spin_lock(&e->lock);
	if (!unsafe_fills) {	/* the old cache invalidated only when a write arrived */
		e->valid = 0;
		e->seq += 2;
	}
	e->epoch += 1;
	if (e->pending)
		e->pending -= 1;
	bpf_spin_unlock(&e->lock);
}

/*
 * A UDP write arrived: remember its request until the acknowledgement
 * leaves.  Without a ticket the acknowledgement cannot be matched: poison.
 */
static __always_inline void kv_udp_write(struct kv_state *st)
{
	__u32 idx = KV_READ_ONCE(st->hash) & cache_mask;
	struct kv_req_id req = st->req;
	int acked = !(KV_READ_ONCE(st->wflags) & KV_W_NOREPLY) &&
		    !bpf_map_update_elem(&kv_write_tickets, &req, &idx, BPF_ANY);

	kv_write_seen(st, acked);
}

/* A get of st->key missed: leave its ticket for the reply. */
static __always_inline void kv_leave_ticket(struct kv_state *st, struct kv_entry *e, __u32 idx)
{
	struct kv_ctl *c = kv_get_ctl();
	struct kv_req_id req = st->req;
	struct kv_ticket t = {};

	if (!c || !e || c->off)
		return;
	t.gen = KV_READ_ONCE(c->gen);
	t.at = bpf_ktime_get_ns();
	t.slot = idx;
	t.epoch = KV_READ_ONCE(e->epoch);
	bpf_map_update_elem(&kv_get_tickets, &req, &t, BPF_ANY);
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

/*
 * Stores the reply in st->buf[0..n) for st->key in its slot, if the get's
 * ticket @t still holds: same slot, no write of it since (epoch), none
 * unacknowledged (pending), not poisoned, the get arrived after any
 * expiring item of the slot was gone, same generation.  1 if it did,
 * 0 if another writer was in, -1 if the ticket no longer holds.
 */
static __always_inline int kv_fill(struct kv_state *st, __u32 n, __u32 flags, __u32 vlen,
				   const struct kv_ticket *t)
{
	__u32 seq, idx = KV_READ_ONCE(st->hash) & cache_mask, klen = KV_READ_ONCE(st->key_len);
	struct kv_ctl *c = kv_get_ctl();
	struct kv_entry *e = bpf_map_lookup_elem(&kv_cache, &idx);
	int ok = 0, held = 1;
	__u64 gen;

	if (!e || !c || klen == 0 || klen > KV_KEY_MAX || n == 0 || n > KV_REPLY_MAX)
		return 0;
	gen = KV_READ_ONCE(c->gen);
	if (!unsafe_fills && (c->off || t->slot != idx || t->gen != gen))
		return -1;
	bpf_spin_lock(&e->lock);
	seq = e->seq;
	/* a get that arrived before an expiring item of the slot was gone may have read it */
	if (!unsafe_fills && (e->epoch != t->epoch || e->pending || e->poison ||
			      t->at < e->expired_at))
		held = 0;
	else if (!(seq & 1)) {
		e->seq = seq + 1;
		e->valid = 0;
		ok = 1;
	}
	bpf_spin_unlock(&e->lock);
	if (!held)
		return -1;
	if (!ok)
		return 0;		/* another writer is in */
	bpf_probe_read_kernel(e->key, klen, st->key);
	bpf_probe_read_kernel(e->reply, n, st->buf);
	e->key_len = klen;
	e->flags = flags;
	e->value_len = vlen;
	e->reply_len = n;
	e->gen = unsafe_fills ? gen : t->gen;
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
	if (ip->ihl != 5 || (void *)(fh + KV_UDP_HDR) > end)
		goto bypass;
	/* one datagram (sequence 0 of 1), not fragmented: else we cannot see the command */
	if ((ip->frag_off & bpf_htons(0x3fff)) || fh[2] | fh[3] | fh[4] | (fh[5] != 1)) {
		kv_turn_off(KV_OFF_FRAGMENTED);
		goto bypass;
	}
	st->req.addr = ip->saddr;
	st->req.port = udp->source;
	st->req.req_id = (__u16)fh[0] << 8 | fh[1];
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
	if (op == KV_OP_OFF || (op != KV_OP_FLUSH && KV_READ_ONCE(st->cmd_len) != plen)) {
		kv_turn_off(op == KV_OP_OFF ? KV_OFF_UNKNOWN_CMD : KV_OFF_PIPELINED);
		goto bypass;
	}
	if (op == KV_OP_FLUSH)
		kv_bump_gen();
	if (op == KV_OP_NONE || op == KV_OP_FLUSH)
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

/*
 * GET: copies the slot's reply into st->buf if it holds st->key and may be
 * served (the cache is on, the entry's generation current); a miss leaves a
 * ticket.  INVAL: a UDP write arrived (kv_udp_write).
 */
static __always_inline int kv_stage_lookup(struct xdp_md *ctx, struct kv_state *st)
{
	__u32 seq, len, idx, klen = KV_READ_ONCE(st->key_len);
	struct kv_entry *e = NULL;
	struct kv_ctl *c;

	(void)ctx;
	if (KV_READ_ONCE(st->op) == KV_OP_INVAL) {
		kv_udp_write(st);
		return XDP_PASS;
	}
	c = kv_get_ctl();
	idx = KV_READ_ONCE(st->hash) & cache_mask;
	e = bpf_map_lookup_elem(&kv_cache, &idx);
	if (!e || !c)
		goto miss;
	seq = KV_READ_ONCE(e->seq);
	if ((seq & 1) || !e->valid || c->off || e->gen != KV_READ_ONCE(c->gen) ||
	    e->key_len != klen || !kv_key_equal(e->key, st->key, klen))
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
	kv_leave_ticket(st, e, idx);
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
