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
	KV_NR_STATS,
};

enum kv_op { KV_OP_NONE, KV_OP_GET, KV_OP_INVAL };

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
	__u8 key[KV_KEY_MAX + 6];
	__u8 reply[KV_REPLY_MAX];
};

/* Per-CPU scratch carried from stage to stage. */
struct kv_state {
	__u32 next;		/* next stage, for the dynamic tail calls */
	__u32 op;		/* enum kv_op */
	__u32 key_len;
	__u32 hash;
	__u32 reply_len;	/* lookup -> write */
	__u8 key[KV_KEY_MAX + 6];
	__u8 buf[KV_REPLY_MAX];	/* request prefix, then the reply */
};

#endif /* OBENCH_KVCACHE_LAYOUT_H */
