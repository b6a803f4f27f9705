/* SPDX-License-Identifier: GPL-2.0 */
/* Packet rewriting shared by the BPF programs that answer or trim in place. */
#ifndef OBENCH_BPF_PKT_H
#define OBENCH_BPF_PKT_H

/* Swaps MACs, IPv4 addresses and UDP ports: both checksums stay valid. */
static __always_inline void pkt_swap_addrs(struct ethhdr *eth, struct iphdr *ip,
					   struct udphdr *udp)
{
	unsigned char mac[6];
	__be32 a;
	__be16 p;

	__builtin_memcpy(mac, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, mac, 6);
	a = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = a;
	p = udp->source;
	udp->source = udp->dest;
	udp->dest = p;
}

/* Recomputes the checksum of an option-less (ihl 5) IPv4 header in place. */
static __always_inline void pkt_ip_csum(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
	int i;

	ip->check = 0;
#pragma unroll
	for (i = 0; i < (int)(sizeof(*ip) / 2); i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;
}

#endif
