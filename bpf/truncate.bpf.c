// SPDX-License-Identifier: GPL-2.0
/*
 * truncate (paper Fig. 10): trim_payload cuts the UDP payload of datagrams to
 * `port` down to (100 - percent)% with bpf_xdp_adjust_tail and fixes the IPv4
 * total length, header checksum and UDP length (UDP checksum set to 0: valid
 * for IPv4).  xdp_tx is the live-frames generator: it sends every test_run
 * frame out of the ingress device (the client veth) to the server.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "pkt.h"

#define ETH_P_IP	0x0800

const volatile __u32 port = 9;		/* UDP destination port, host order */
const volatile __u32 percent = 0;	/* payload removed, 0..100 */

__u64 trimmed;	/* datagrams the program has shortened (or seen, at 0%) */

SEC("xdp")
int trim_payload(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 plen, keep;

	if ((void *)(udp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(port))
		return XDP_PASS;
	plen = bpf_ntohs(udp->len);
	if (plen < sizeof(*udp) || plen > 0xffff)
		return XDP_PASS;
	plen -= sizeof(*udp);
	keep = plen * (100 - percent) / 100;
	__sync_fetch_and_add(&trimmed, 1);
	if (keep == plen)
		return XDP_PASS;
	/* frames carry no padding here: the IP length ends the frame */
	if (bpf_xdp_adjust_tail(ctx, (int)keep - (int)plen))
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return XDP_DROP;
	ip->tot_len = bpf_htons((__u16)(sizeof(*ip) + sizeof(*udp) + keep));
	pkt_ip_csum(ip);
	udp->len = bpf_htons((__u16)(sizeof(*udp) + keep));
	udp->check = 0;
	return XDP_PASS;
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
