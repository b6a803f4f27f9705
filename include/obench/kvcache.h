/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvcache's layouts shared by the BPF fast path (bpf/kv_stages.h,
 * bpf/kvcache.bpf.c, bpf/xsk_kv.bpf.c) and user space (harness/kv/): the
 * cache entry, the per-CPU state, the counters and the size limits.
 *
 * A cache entry stores memcached's whole reply body ("VALUE k f n\r\n<data>
 * \r\nEND\r\n"), so a hit is byte-identical to what memcached sent when the
 * entry was filled.  Entries are guarded by a sequence count that only
 * changes under the entry's spin lock: a writer makes it odd for as long as
 * it writes (a second writer finding it odd skips the slot); an invalidation
 * adds 2 (so a writer in flight finds the count moved and leaves the entry
 * invalid); readers take no lock: they copy the reply out and count it a
 * miss if the count moved meanwhile.  Clang-14's default BPF CPU (v1) has no
 * compare-and-swap, hence the lock for writers.
 *
 * Fills must never store a value memcached has already replaced (see
 * bpf/kv_stages.h, "Why a fill cannot be stale"): every slot also counts
 * its invalidations (epoch) and its writes memcached has not acknowledged
 * yet (pending), a global generation covers what cannot be pinned to one
 * key, and a fill needs the ticket its get left when it missed.
 */
#ifndef OBENCH_KVCACHE_LAYOUT_H
#define OBENCH_KVCACHE_LAYOUT_H

#ifndef __BPF__
#include <linux/bpf.h>		/* struct bpf_spin_lock */
#include <linux/types.h>
#endif

#define KV_KEY_MAX	250	/* memcached's own key limit */
#define KV_VALUE_MAX	1000	/* the paper: larger values bypass the cache */
/* "VALUE " key " " flags(10) " " bytes(4) "\r\n" data "\r\n" "END\r\n" = 1281 */
#define KV_REPLY_MAX	1288
#define KV_REQ_PEEK	272	/* request bytes parse looks at: command + key */
#define KV_UDP_HDR	8	/* memcached's UDP frame header */
#define KV_HDRS		(14 + 20 + 8 + KV_UDP_HDR)	/* Ethernet, IPv4, UDP, frame */

enum kv_stat {
	KV_STAT_HIT,		/* answered from the cache with XDP_TX */
	KV_STAT_MISS,		/* single-key get not in the cache -> memcached */
	KV_STAT_BYPASS,		/* memcached traffic the fast path does not serve */
	KV_STAT_INVAL,		/* entries invalidated by set/delete/... */
	KV_STAT_FILL,		/* entries filled from memcached's replies */
	KV_STAT_FILL_SKIP,	/* replies seen but not cacheable (multi-key, malformed, busy slot) */
	KV_STAT_FILL_LARGE,	/* replies not cached: value above max_value */
	KV_STAT_RACE,		/* a hit lost to a concurrent writer -> memcached */
	KV_STAT_CHAIN_FAIL,	/* a tail call found no program -> memcached */
	KV_STAT_GROW_FAIL,	/* no tailroom for the reply (bpf_xdp_adjust_tail) -> memcached */
	KV_STAT_FILL_RACE,	/* replies not cached: a write to that slot since the get, or unacknowledged */
	KV_STAT_GEN_BUMP,	/* global invalidations (flush_all, TCP writes, unattributed replies) */
	KV_STAT_POISON,		/* slots made uncacheable: noreply writes (for good), exptimes (until expiry) */
	KV_NR_STATS,
};

/*
 * What a request is to the cache: NONE a read that changes nothing (multi-key
 * get, gets, stats, version); GET a one-key get; INVAL a write of one key;
 * FLUSH flush_all; OFF anything the cache cannot follow (meta and binary
 * commands, several commands in one datagram or segment, ...): it turns the
 * cache off for good (kv_ctl.off says why).
 */
enum kv_op { KV_OP_NONE, KV_OP_GET, KV_OP_INVAL, KV_OP_FLUSH, KV_OP_OFF };

/* kv_state.wflags of a write */
#define KV_W_NOREPLY	1	/* no acknowledgement will say when it took effect */
#define KV_W_EXPIRES	2	/* sets an exptime: memcached may drop the item later */
#define KV_W_STORAGE	4	/* a data block follows the command line */

/* Why the cache turned itself off (kv_ctl.off); 0: on. */
enum kv_off_reason {
	KV_OFF_NONE,
	KV_OFF_UNKNOWN_CMD,	/* meta, binary or unknown command */
	KV_OFF_PIPELINED,	/* more than one command in a datagram or segment */
	KV_OFF_FRAGMENTED,	/* IP fragments or a multi-datagram request */
	KV_OFF_TCP_STREAM,	/* a TCP segment that does not start a command we know */
	KV_OFF_FLUSH_DELAYED,	/* flush_all with a delay or noreply */
};

/* Global state of the cache: one entry. */
struct kv_ctl {
	__u64 gen;		/* bumped by every invalidation not pinned to one key */
	__u32 off;		/* enum kv_off_reason: sticky */
	__u32 pad;
};

/* A UDP request, as the reply names it: client address, port, frame request id. */
struct kv_req_id {
	__u32 addr;
	__u16 port;
	__u16 req_id;
};

/* Left by a get that missed; its reply may fill only if nothing moved since. */
struct kv_ticket {
	__u64 gen;
	__u64 at;		/* when the get arrived (bpf_ktime_get_ns) */
	__u32 slot;
	__u32 epoch;
};

/* Tail-call slots of the chained variants. */
enum kv_stage { KV_STAGE_PARSE, KV_STAGE_HASH, KV_STAGE_LOOKUP, KV_STAGE_WRITE, KV_NR_STAGES };

struct kv_entry {
	struct bpf_spin_lock lock;	/* writers only, around seq/valid */
	__u32 seq;		/* odd while a writer is in */
	__u32 valid;
	__u32 key_len;
	__u32 flags;		/* memcached client flags, for user space */
	__u32 value_len;	/* data bytes, <= max_value */
	__u32 reply_len;	/* bytes in reply[] */
	__u32 epoch;		/* under lock: + 1 at each write's arrival and acknowledgement */
	__u32 pending;		/* under lock: writes seen, not yet acknowledged */
	__u32 poison;		/* under lock: a noreply write: never filled again */
	__u32 pad;
	__u64 gen;		/* kv_ctl.gen of the ticket that filled it */
	__u64 expired_at;	/* under lock: an expiring item of this slot is gone by then (ns) */
	__u8 key[KV_KEY_MAX + 6];
	__u8 reply[KV_REPLY_MAX];
};

/*
 * The walk over a command line's tokens (kv_stages.h's kv_line_step): in the
 * per-CPU state, not on the stack, so the verifier sees unknown values and
 * verifies the step once rather than once per value they could take.
 */
struct kv_line_scan {
	__u32 n;		/* bytes of buf to look at */
	__u32 pos;		/* where the walk started */
	__u32 tok;		/* tokens so far */
	__u32 etok, btok;	/* which token is the exptime, the byte count (0: none) */
	__u32 bytes;		/* the data block's length */
	__u32 expires;		/* the exptime is not 0 */
	__u32 exptime;		/* its digits, saturating */
	__u32 end;		/* where "\r\n" starts, 0 until found */
	__u32 bad;
};

/* Per-CPU scratch carried from stage to stage. */
struct kv_state {
	__u32 next;		/* next stage, for the dynamic tail calls */
	__u32 op;		/* enum kv_op */
	__u32 key_len;
	__u32 hash;
	__u32 reply_len;	/* lookup -> write */
	__u32 wflags;		/* KV_W_* of a write */
	__u32 cmd_len;		/* bytes of the whole command (line and data block) */
	struct kv_req_id req;	/* the request, for its ticket */
	struct kv_line_scan scan;
	__u8 key[KV_KEY_MAX + 6];
	__u8 buf[KV_REPLY_MAX];	/* request prefix, then the reply */
};

#endif /* OBENCH_KVCACHE_LAYOUT_H */
