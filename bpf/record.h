/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 64 B record the kernel->user experiments (user-access, channel) hand
 * to user space: an 8-byte sequence number, then bytes 8..63 of the frame.
 */
#ifndef OBENCH_BPF_RECORD_H
#define OBENCH_BPF_RECORD_H

struct rec {
	__u64 seq;
	__u8 bytes[56];
};

/*
 * Copies the frame into a new record of @ringbuf numbered @seq and submits it
 * with @flags.  1: submitted; 0: the ring was full; -1: the frame is shorter
 * than a record.
 */
static __always_inline int rec_to_ringbuf(struct xdp_md *ctx, void *ringbuf, __u64 seq,
					  __u64 flags)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct rec *r;

	if (data + sizeof(*r) > end)
		return -1;
	r = bpf_ringbuf_reserve(ringbuf, sizeof(*r), 0);
	if (!r)
		return 0;
	r->seq = seq;
	__builtin_memcpy(r->bytes, data + 8, sizeof(r->bytes));
	bpf_ringbuf_submit(r, flags);
	return 1;
}

#endif
