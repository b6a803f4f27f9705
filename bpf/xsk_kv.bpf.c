// SPDX-License-Identifier: GPL-2.0
/*
 * xsk-kv (paper §3.2, Figs. 7-9): the XDP program in front of an AF_XDP
 * key-value server (harness/xsk_kv.c).  Memcached-port UDP goes to the XSK
 * bound to the receiving queue; with `fastpath` set it first runs kvcache's
 * fast path (bpf/kv_stages.h, the stages inlined): a one-key get found in the
 * cache is answered here with XDP_TX, a set/delete invalidates the key, and
 * everything the fast path does not answer goes on to the XSK.
 *
 * User space owns the cache contents (it fills the entry of a get it served
 * and invalidates on set/delete); `fastpath` is a run-time switch so the
 * socket stays bound across configurations (a rebind after close: EBUSY).
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "kv_stages.h"

#define KV_SLOT_XDP	0

__u32 fastpath;		/* 0: every request to user space; 1: fast path first */
__u64 redirected;	/* frames handed to the XSK map */
__u64 redirect_failed;	/* no socket on that queue: XDP_PASS to the stack */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* UDP to mc_port (and mc_addr when set): the key-value server's traffic. */
static __always_inline int is_kv_request(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP_))
		return 0;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP_ || ip->ihl != 5)
		return 0;
	if (mc_addr && ip->daddr != mc_addr)
		return 0;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(mc_port))
		return 0;
	return 1;
}

SEC("xdp")
int xsk_kv_xdp(struct xdp_md *ctx)
{
	int ret;

	if (!is_kv_request(ctx))
		return XDP_PASS;
	if (fastpath) {
		ret = kv_fast_path(ctx, kv_get_state(KV_SLOT_XDP));
		if (ret != XDP_PASS)
			return ret;	/* XDP_TX: a hit; XDP_DROP: a frame it broke */
	}
	ret = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
	if (ret == XDP_REDIRECT)
		__sync_fetch_and_add(&redirected, 1);
	else
		__sync_fetch_and_add(&redirect_failed, 1);
	return ret;
}

/* For the client's veth: XDP_TX frames on veth only arrive where a program runs. */
SEC("xdp")
int xsk_kv_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
