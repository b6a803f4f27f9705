// SPDX-License-Identifier: GPL-2.0
/*
 * hook-cost (paper Table 1): timestamps (bpf_ktime_get_ns, CLOCK_MONOTONIC) of
 * one tagged packet at each point of the receive path.  A tag is 8 bytes at
 * the start of the UDP/TCP payload: `magic` then a sequence number, the index
 * of the packet's slot in `stamps`.  The first stamp of a slot wins.
 *
 *  drv    net:netif_rx_driver of the receiving driver on a kernel with
 *         kernel-patches/ (Table 1's origin); else tp_btf/net_dev_start_xmit on
 *         the sender (driver entry of the veth), or in two-host mode
 *         tp_btf/netif_receive_skb on the DUT (stack entry, after XDP)
 *  xdp    XDP on the server veth            tc   TC (clsact) ingress there
 *  skskb  SK_SKB verdict (TCP socket in the sockhash)
 *  sock   tp_btf/sk_data_ready, UDP: the datagram just queued to the socket
 *         (tail of sk_receive_queue, or of reader_queue if a reader spliced it);
 *         TCP: the tail skb's sequence number (TCP_SKB_CB), joined to the slot
 *         by tcp_join through tcp_slot
 *
 * min_xdp, min_tc, min_sk_skb only return "pass": the minimal programs whose
 * preparation cost the harness measures (Table 1's "Prep." column).
 *
 * TCP payloads sit in page fragments the tracepoints cannot read, so for TCP
 * the driver stamp is kept by TCP sequence number (drv_tcp) and the socket
 * filter on the server socket, which sees header and payload, joins the two.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#define ETH_P_IP	0x0800

const volatile __u32 magic = 0;		/* set by the harness, per run */
const volatile __u32 port = 0;		/* server port, host order */

struct stamps {
	__u64 drv, xdp, tc, skskb, sock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);		/* resized by the harness */
	__type(key, __u32);
	__type(value, struct stamps);
} stamps SEC(".maps");

/* the server's TCP socket, when the SK_SKB verdict program is on */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} skskb_socks SEC(".maps");

/* the server's TCP socket, when the minimal SK_SKB program is on */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} min_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* TCP sequence number */
	__type(value, __u64);		/* driver stamp */
} drv_tcp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);		/* TCP sequence number */
	__type(value, __u32);		/* the packet's slot (tag seq) */
} tcp_slot SEC(".maps");

struct tag {
	__u32 magic, seq;
};

static __always_inline struct stamps *slot(const struct tag *t)
{
	if (t->magic != magic)
		return NULL;
	return bpf_map_lookup_elem(&stamps, &t->seq);
}

#define STAMP(s_, field, now) do {				\
	struct stamps *p_ = (s_);				\
	if (p_ && !p_->field)					\
		p_->field = (now);				\
} while (0)

/*
 * Tag of a packet whose IPv4 header is at @head + @nh, its transport header
 * at @head + @th (@th 0: right after the IP header); probe reads.  0 and the
 * tag for UDP, 1 and the sequence number for TCP, -1 if not ours.
 */
static __always_inline int tag_at(unsigned char *head, __u64 nh, __u64 th, struct tag *t,
				  __u32 *tcp_seq)
{
	struct iphdr ip;

	if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh) || ip.version != 4)
		return -1;
	if (!th)
		th = nh + ip.ihl * 4;
	if (ip.protocol == IPPROTO_UDP) {
		struct udphdr u;

		if (bpf_probe_read_kernel(&u, sizeof(u), head + th) || u.dest != bpf_htons(port))
			return -1;
		*tcp_seq = 0;
		return bpf_probe_read_kernel(t, sizeof(*t), head + th + sizeof(u)) ? -1 : 0;
	}
	if (ip.protocol == IPPROTO_TCP) {
		struct tcphdr tc;

		if (bpf_probe_read_kernel(&tc, sizeof(tc), head + th) || tc.dest != bpf_htons(port))
			return -1;
		*tcp_seq = bpf_ntohl(tc.seq);
		return 1;	/* payload not readable here */
	}
	return -1;
}

/* Tag of an skb whose network/transport headers are set. */
static __always_inline int skb_tag(const struct sk_buff *skb, struct tag *t, __u32 *tcp_seq)
{
	return tag_at(BPF_CORE_READ(skb, head), BPF_CORE_READ(skb, network_header),
		      BPF_CORE_READ(skb, transport_header), t, tcp_seq);
}

/*
 * The origin stamp of a tagged packet: its slot's drv, or by sequence number
 * for TCP.  A macro: as an inline function taking the tag by pointer, clang
 * spilled a pointer through a 32-bit stack slot the verifier refuses.
 */
#define STAMP_ORIGIN(r_, t_, seq_, now_) do {				\
	if ((r_) == 0) {						\
		struct stamps *s_ = slot(&(t_));			\
		STAMP(s_, drv, now_);					\
	} else if ((r_) == 1) {						\
		bpf_map_update_elem(&drv_tcp, &(seq_), &(now_), BPF_NOEXIST); \
	}								\
} while (0)

SEC("tp_btf/net_dev_start_xmit")
int BPF_PROG(at_driver, const struct sk_buff *skb, const struct net_device *dev)
{
	__u64 now = bpf_ktime_get_ns();
	struct tag t;
	__u32 seq;

	int r = skb_tag(skb, &t, &seq);

	STAMP_ORIGIN(r, t, seq, now);
	return 0;
}

/*
 * A kernel with kernel-patches/: net:netif_rx_driver fires when a frame
 * reaches its receiving driver, before XDP (veth_xmit for the peer,
 * virtio_net's receive_buf, mlx5e's skb_from_cqe handlers) -- Table 1's
 * origin.  @data is the Ethernet header.  Attached only where it exists.
 */
SEC("raw_tp/netif_rx_driver")	/* tp_btf refuses the untyped data pointer */
int BPF_PROG(at_rx_driver, const struct net_device *dev, const void *data, unsigned int len)
{
	__u64 now = bpf_ktime_get_ns();
	struct tag t;
	__u32 seq;
	int r = tag_at((unsigned char *)data, sizeof(struct ethhdr), 0, &t, &seq);

	STAMP_ORIGIN(r, t, seq, now);
	return 0;
}

/*
 * Two hosts, no sender here: the origin is the stack's entry on the DUT
 * (__netif_receive_skb_core), after the driver and XDP, before TC.  Its
 * network header may not be set yet; skb->data is the IP header.
 */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(at_stack, struct sk_buff *skb)
{
	__u64 now = bpf_ktime_get_ns();
	unsigned char *head = BPF_CORE_READ(skb, head);
	unsigned char *data = BPF_CORE_READ(skb, data);
	struct tag t;
	__u32 seq;

	int r = tag_at(head, (__u64)(data - head), 0, &t, &seq);

	STAMP_ORIGIN(r, t, seq, now);
	return 0;
}

SEC("tp_btf/sk_data_ready")
int BPF_PROG(at_socket, const struct sock *sk)
{
	__u64 now = bpf_ktime_get_ns();
	const struct sk_buff *last;
	struct tag t;
	__u32 seq;

	if (BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP) {
		__u32 seq, *idx;

		/* one segment in flight and a busy reader: the tail is the new one */
		last = BPF_CORE_READ(sk, sk_receive_queue.prev);
		if (!last || (void *)last == (void *)&sk->sk_receive_queue)
			return 0;
		/* struct tcp_skb_cb starts with seq, in skb->cb */
		if (bpf_probe_read_kernel(&seq, sizeof(seq), &last->cb[0]))
			return 0;
		idx = bpf_map_lookup_elem(&tcp_slot, &seq);
		if (idx)
			STAMP(bpf_map_lookup_elem(&stamps, idx), sock, now);
		return 0;
	}
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_UDP)
		return 0;
	/* the datagram just enqueued is the tail of sk_receive_queue */
	last = BPF_CORE_READ(sk, sk_receive_queue.prev);
	if (!last || (void *)last == (void *)&sk->sk_receive_queue) {
		/* a busy-polling reader may already have spliced it to reader_queue */
		const struct udp_sock *up = (const struct udp_sock *)sk;

		last = BPF_CORE_READ(up, reader_queue.prev);
		if (!last || (void *)last == (void *)&up->reader_queue)
			return 0;
	}
	if (skb_tag(last, &t, &seq) == 0) {
		struct stamps *s = slot(&t);

		STAMP(s, sock, now);
	}
	return 0;
}

/* Tag at @off of a packet in linear memory [data, end). */
static __always_inline int pkt_tag(void *data, void *end, struct tag *t, __u32 *tcp_seq,
				   bool *is_tcp)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return -1;
	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *u = (void *)(ip + 1);
		struct tag *p = (void *)(u + 1);

		if ((void *)(p + 1) > end || u->dest != bpf_htons(port))
			return -1;
		*t = *p;
		*is_tcp = false;
		return 0;
	}
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tc = (void *)(ip + 1);

		if ((void *)(tc + 1) > end || tc->dest != bpf_htons(port))
			return -1;
		*tcp_seq = bpf_ntohl(tc->seq);
		*is_tcp = true;
		return (int)(sizeof(*eth) + sizeof(*ip) + tc->doff * 4);
	}
	return -1;
}

SEC("xdp")
int at_xdp(struct xdp_md *ctx)
{
	__u64 now = bpf_ktime_get_ns();
	struct tag t;
	__u32 seq;
	bool tcp;
	int off = pkt_tag((void *)(long)ctx->data, (void *)(long)ctx->data_end, &t, &seq, &tcp);

	if (off < 0)
		return XDP_PASS;
	if (tcp && (off > 128 || bpf_xdp_load_bytes(ctx, off, &t, sizeof(t))))
		return XDP_PASS;
	STAMP(slot(&t), xdp, now);
	return XDP_PASS;
}

SEC("tc")
int at_tc(struct __sk_buff *skb)
{
	__u64 now = bpf_ktime_get_ns();
	struct tag t;
	__u32 seq;
	bool tcp;
	int off;

	bpf_skb_pull_data(skb, 64);
	off = pkt_tag((void *)(long)skb->data, (void *)(long)skb->data_end, &t, &seq, &tcp);
	if (off < 0)
		return 0;
	if (tcp && (off > 128 || bpf_skb_load_bytes(skb, off, &t, sizeof(t))))
		return 0;
	STAMP(slot(&t), tc, now);
	return 0;	/* TC_ACT_OK */
}

SEC("sk_skb")
int at_sk_skb(struct __sk_buff *skb)
{
	__u64 now = bpf_ktime_get_ns();
	struct tag t;

	/* the verdict program sees the TCP payload from offset 0 */
	if (bpf_skb_load_bytes(skb, 0, &t, sizeof(t)) == 0)
		STAMP(slot(&t), skskb, now);
	return SK_PASS;
}

/* Socket filter on the server's TCP socket: joins drv_tcp to the payload tag. */
SEC("socket")
int tcp_join(struct __sk_buff *skb)
{
	struct tcphdr th;
	struct tag t;
	struct stamps *s;
	__u64 *drv;
	__u32 seq;

	/* here skb->data is the TCP header */
	if (bpf_skb_load_bytes(skb, 0, &th, sizeof(th)) ||
	    bpf_skb_load_bytes(skb, th.doff * 4, &t, sizeof(t)))
		return skb->len;
	seq = bpf_ntohl(th.seq);
	drv = bpf_map_lookup_elem(&drv_tcp, &seq);
	s = slot(&t);
	if (drv && s && !s->drv)
		s->drv = *drv;
	if (s)
		bpf_map_update_elem(&tcp_slot, &seq, &t.seq, BPF_ANY);
	return skb->len;
}

SEC("xdp")
int min_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int min_tc(struct __sk_buff *skb)
{
	return 0;	/* TC_ACT_OK */
}

SEC("sk_skb")
int min_sk_skb(struct __sk_buff *skb)
{
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
