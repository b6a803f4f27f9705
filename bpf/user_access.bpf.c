// SPDX-License-Identifier: GPL-2.0
/*
 * user-access (paper Table 4): the collections user space reads one 64 B
 * entry from.  The harness reads the hash/array maps with the lookup
 * syscall, the mmapable array through mmap, and drains the ring buffer and
 * an AF_XDP RX ring that the two programs below fill beforehand (they are
 * run, untimed, through BPF_PROG_TEST_RUN).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "record.h"

#define DECLARE_MAP(name, map_type)				\
struct {							\
	__uint(type, map_type);					\
	__uint(max_entries, 1);					\
	__type(key, __u32);					\
	__type(value, struct rec);				\
} name SEC(".maps")

DECLARE_MAP(array, BPF_MAP_TYPE_ARRAY);
DECLARE_MAP(hash, BPF_MAP_TYPE_HASH);
DECLARE_MAP(lru_hash, BPF_MAP_TYPE_LRU_HASH);
DECLARE_MAP(percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY);
DECLARE_MAP(percpu_hash, BPF_MAP_TYPE_PERCPU_HASH);
DECLARE_MAP(lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec);
} mmap_array SEC(".maps");

/* Sized by the harness to hold a whole sample's records. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

__u64 enqueued;		/* records submitted to `ring` */
__u64 ring_full;	/* reservations that failed */
__u64 redirected;	/* frames handed to the XSK */

/* One 64 B record per run, without waking the (absent) consumer. */
SEC("xdp")
int fill_ring(struct xdp_md *ctx)
{
	int ret = rec_to_ringbuf(ctx, &ring, enqueued, BPF_RB_NO_WAKEUP);

	if (ret < 0)
		return XDP_ABORTED;
	if (ret)
		enqueued++;
	else
		ring_full++;
	return XDP_DROP;
}

/* Every frame to the XSK in slot 0 (bound to the ingress device, queue 0). */
SEC("xdp")
int fill_xsk(struct xdp_md *ctx)
{
	int ret = bpf_redirect_map(&xsks, 0, XDP_DROP);

	if (ret == XDP_REDIRECT)
		redirected++;
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
