// SPDX-License-Identifier: GPL-2.0
/*
 * echo (paper Fig. 3): the same echo server at three hooks.
 *  - xdp_echo: UDP to the test port is answered in place (MACs, IPs, ports
 *    swapped) and sent back with XDP_TX.
 *  - tc_echo: the same at clsact ingress, sent back with bpf_redirect() to
 *    the interface it came in on.
 *  - sk_skb_echo: stream verdict on a TCP socket in a sockhash (keyed by
 *    socket cookie): every skb is redirected to that socket's egress.
 *  - xdp_pass: for the client-side veth: on veth, XDP_TX frames are dropped
 *    unless the peer has an XDP program too.
 * Everything not addressed to the test port passes untouched.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "pkt.h"

#define ETH_P_IP	0x0800
#define IPPROTO_UDP_	17
#define TC_ACT_OK_	0

const volatile __u16 port = 7777;	/* host order */

__u64 echoed;		/* requests answered by the last attached program */

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 64);
	__type(key, __u64);		/* socket cookie */
	__type(value, __u64);
} socks SEC(".maps");

/* The UDP header of a test-port datagram in [data, end), or NULL. */
static __always_inline struct udphdr *test_udp(void *data, void *end,
					       struct ethhdr **eth, struct iphdr **ip)
{
	struct udphdr *udp;

	*eth = data;
	if ((void *)(*eth + 1) > end || (*eth)->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	*ip = (void *)(*eth + 1);
	if ((void *)(*ip + 1) > end || (*ip)->protocol != IPPROTO_UDP_ || (*ip)->ihl < 5)
		return NULL;
	udp = (void *)*ip + (*ip)->ihl * 4;
	if ((void *)(udp + 1) > end || udp->dest != bpf_htons(port))
		return NULL;
	return udp;
}

SEC("xdp")
int xdp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp = test_udp(data, end, &eth, &ip);

	if (!udp)
		return XDP_PASS;
	pkt_swap_addrs(eth, ip, udp);
	/* veth hands UDP over with a partial checksum that XDP_TX loses: send none */
	udp->check = 0;
	__sync_fetch_and_add(&echoed, 1);
	return XDP_TX;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_echo(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp = test_udp(data, end, &eth, &ip);

	if (!udp)
		return TC_ACT_OK_;
	pkt_swap_addrs(eth, ip, udp);
	__sync_fetch_and_add(&echoed, 1);
	return bpf_redirect(skb->ifindex, 0);
}

SEC("sk_skb")
int sk_skb_echo(struct __sk_buff *skb)
{
	__u64 cookie = bpf_get_socket_cookie(skb);

	__sync_fetch_and_add(&echoed, 1);
	/* flags 0: to the socket's egress, i.e. back to the sender */
	return bpf_sk_redirect_hash(skb, &socks, &cookie, 0);
}

char LICENSE[] SEC("license") = "GPL";
