// SPDX-License-Identifier: GPL-2.0
/*
 * channel (paper Fig. 13): an XDP program that hands every 64 B frame to
 * user space as one 64 B record: an 8-byte sequence number, then frame bytes
 * 8..63.  Four channels, one program each:
 *   to_array:   slot head % slots of a BPF array; head/tail live in a
 *               BPF_F_MMAPABLE array both sides map; user space reads the
 *               slots with the lookup syscall.
 *   to_ringbuf: a BPF ring buffer record (rb_flags picks the wakeup policy).
 *   to_xsk:     the frame itself, with the sequence number written over its
 *               first 8 bytes, redirected to an AF_XDP socket.
 * A sequence number is taken only when the record is accepted, so the
 * consumer sees 0, 1, 2... without gaps; `dropped` counts the rest (channel
 * full).  For the XSK a late drop (RX ring full) leaves a gap the socket's
 * XDP_STATISTICS count.  The producer runs on one CPU (test_run), so the
 * counters are plain increments.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "record.h"

/* head: next slot the producer fills; tail: next slot user space reads. */
struct ctl {
	__u64 head;
	__u64 pad0[7];
	__u64 tail;
	__u64 pad1[7];
};

const volatile __u64 slot_mask = 4095;	/* slots - 1, a power of two */
__u64 rb_flags;				/* 0: adaptive wakeup, or BPF_RB_NO_WAKEUP */

__u64 produced;		/* records accepted (the next sequence number) */
__u64 dropped;		/* records refused: channel full */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct rec);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ctl);
} ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 19);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

SEC("xdp")
int to_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 k = 0, idx;
	struct ctl *c;
	struct rec *r;
	__u64 head;

	if (data + sizeof(*r) > end)
		return XDP_ABORTED;
	c = bpf_map_lookup_elem(&ctl, &k);
	if (!c)
		return XDP_ABORTED;
	head = c->head;
	if (head - *(volatile __u64 *)&c->tail > slot_mask) {
		dropped++;
		return XDP_DROP;
	}
	idx = (__u32)(head & slot_mask);
	r = bpf_map_lookup_elem(&slots, &idx);
	if (!r)
		return XDP_ABORTED;
	r->seq = head;
	__builtin_memcpy(r->bytes, data + 8, sizeof(r->bytes));
	/*
	 * Publish: the slot's stores before the new head.  A compiler barrier
	 * is enough on x86 (TSO keeps store order); a weakly ordered CPU would
	 * need a store-release, which BPF has only from ISA v4 (clang >= 20).
	 */
	asm volatile("" ::: "memory");
	*(volatile __u64 *)&c->head = head + 1;
	produced++;
	return XDP_DROP;
}

SEC("xdp")
int to_ringbuf(struct xdp_md *ctx)
{
	int ret = rec_to_ringbuf(ctx, &rb, produced, rb_flags);

	if (ret < 0)
		return XDP_ABORTED;
	if (ret)
		produced++;
	else
		dropped++;
	return XDP_DROP;
}

SEC("xdp")
int to_xsk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	int ret;

	if (data + sizeof(struct rec) > end)
		return XDP_ABORTED;
	*(__u64 *)data = produced;
	ret = bpf_redirect_map(&xsks, 0, XDP_DROP);
	if (ret == XDP_REDIRECT)
		produced++;
	else
		dropped++;
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
