// SPDX-License-Identifier: GPL-2.0
#include "core/bpfutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>

int testrun_ns(int prog_fd, const void *pkt, size_t len, unsigned int repeat,
	       double *ns, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = pkt,
		    .data_size_in = (__u32)len,
		    .repeat = repeat);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	*ns = (double)opts.duration;
	if (retval)
		*retval = opts.retval;
	return 0;
}

int testrun_once(int prog_fd, const void *pkt, size_t len, void *out,
		 size_t *out_len, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = pkt,
		    .data_size_in = (__u32)len,
		    .data_out = out,
		    .data_size_out = out_len ? (__u32)*out_len : 0,
		    .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	if (out_len)
		*out_len = opts.data_size_out;
	if (retval)
		*retval = opts.retval;
	return 0;
}

bool kernel_has_func(const char *name, const char *module)
{
	struct btf *vmlinux, *btf;
	bool found;

	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return false;
	btf = module ? btf__load_module_btf(module, vmlinux) : vmlinux;
	found = btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
	if (btf && btf != vmlinux)
		btf__free(btf);
	btf__free(vmlinux);
	return found;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("OBENCH_DEBUG"))
		return 0;
	if (!getenv("OBENCH_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void bpfutil_quiet_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

size_t build_udp_frame(unsigned char *buf, size_t len)
{
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	size_t hdr = sizeof(*eth) + sizeof(*ip) + sizeof(*udp), i;

	if (len < hdr)
		len = hdr;
	memset(buf, 0, hdr);
	memcpy(eth->h_dest, "\x02\x00\x00\x00\x00\x02", ETH_ALEN);
	memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((__u16)(len - sizeof(*eth)));
	ip->saddr = htonl(0x0a000001);
	ip->daddr = htonl(0x0a000002);
	udp->source = htons(40000);
	udp->dest = htons(7);
	udp->len = htons((__u16)(len - sizeof(*eth) - sizeof(*ip)));
	for (i = hdr; i < len; i++)
		buf[i] = (unsigned char)(i - hdr);
	return len;
}
