// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal programs for the network hooks (paper Tables 1 and 2): each one only
 * returns "pass", so what it costs is the hook's own cost.  sock_ops puts the
 * server's established TCP sockets on `port` into the sockhash so that the
 * SK_SKB verdict program sees their data (bandwidth runs iperf in a cgroup).
 * sk_skb_pass counts its runs in a per-CPU slot (its only work besides returning),
 * so the harness can prove the SK_SKB configuration was really on the path.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u32 port = 5001;	/* server's TCP port (host order) */

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

/* sk_skb_pass invocations, per CPU (no shared cache line on the data path) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

__u64 sockets_added;	/* successful sockhash inserts by sockops_add */

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	return 0;	/* TC_ACT_OK */
}

SEC("sk_skb")
int sk_skb_pass(struct __sk_buff *skb)
{
	__u32 k = 0;
	__u64 *n = bpf_map_lookup_elem(&verdicts, &k);

	if (n)
		(*n)++;
	return SK_PASS;
}

SEC("sockops")
int sockops_add(struct bpf_sock_ops *skops)
{
	__u32 key;

	if (skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB ||
	    skops->local_port != port)
		return 1;
	key = skops->remote_port;	/* network order, unique per stream */
	if (bpf_sock_hash_update(skops, &socks, &key, BPF_NOEXIST) == 0)
		__sync_fetch_and_add(&sockets_added, 1);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
