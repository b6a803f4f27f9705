// SPDX-License-Identifier: GPL-2.0
/*
 * truncate's trim_payload does what Fig. 10 needs: on a 1500-byte frame it
 * keeps (100 - percent)% of the UDP payload, byte for byte, and rewrites the
 * IPv4 total length, header checksum and UDP length to match.  Frames to
 * another port pass untouched.  Runs through BPF_PROG_TEST_RUN (data_out).
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "ktap.h"
#include "truncate.skel.h"

#define FRAME	1500
#define HDRS	(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))
#define PORT	7	/* build_udp_frame()'s destination port */

static const int points[] = { 0, 25, 50, 75, 100 };
#define NPOINTS	5

static __u16 ip_csum(const void *p)
{
	const __u16 *w = p;
	__u32 s = 0;
	int i;

	for (i = 0; i < 10; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* 0 when @out (@len bytes) is @in with its payload cut to @keep bytes and lengths fixed. */
static int check_trimmed(const unsigned char *in, const unsigned char *out, size_t len,
			 size_t keep, char *why, size_t whylen)
{
	const struct iphdr *ip = (const void *)(out + sizeof(struct ethhdr));
	const struct udphdr *udp = (const void *)(ip + 1);

	if (len != HDRS + keep)
		return snprintf(why, whylen, "frame is %zu bytes, want %zu", len, HDRS + keep);
	if (ntohs(ip->tot_len) != len - sizeof(struct ethhdr))
		return snprintf(why, whylen, "IP total length %u", ntohs(ip->tot_len));
	if (ip_csum(ip) != 0)
		return snprintf(why, whylen, "IP header checksum does not verify");
	if (ntohs(udp->len) != sizeof(*udp) + keep)
		return snprintf(why, whylen, "UDP length %u", ntohs(udp->len));
	if (memcmp(out, in, sizeof(struct ethhdr)) ||
	    memcmp(out + HDRS, in + HDRS, keep))
		return snprintf(why, whylen, "Ethernet header or payload prefix changed");
	return 0;
}

int main(void)
{
	unsigned char in[FRAME], out[FRAME + 64];
	struct truncate_bpf *s[NPOINTS] = { 0 };
	size_t plen = FRAME - HDRS;
	int i;

	ktap_plan(NPOINTS + 1);
	build_udp_frame(in, FRAME);
	/* a valid IP checksum on input, so the output's can be verified */
	((struct iphdr *)(in + sizeof(struct ethhdr)))->check = ip_csum(in + sizeof(struct ethhdr));
	for (i = 0; i < NPOINTS; i++) {
		size_t len = sizeof(out), keep = plen * (size_t)(100 - points[i]) / 100;
		char name[64], why[128] = "";
		__u32 ret = 0;
		int err;

		snprintf(name, sizeof(name), "trim_payload_%d_percent_keeps_%zu_bytes", points[i], keep);
		s[i] = truncate_bpf__open();
		if (!s[i]) {
			ktap_skip_test(name, "cannot open the skeleton");
			continue;
		}
		s[i]->rodata->port = PORT;
		s[i]->rodata->percent = (__u32)points[i];
		if (truncate_bpf__load(s[i])) {
			ktap_skip_test(name, "the kernel rejected the program");
			continue;
		}
		err = testrun_once(bpf_program__fd(s[i]->progs.trim_payload), in, FRAME, out, &len, &ret);
		if (err)
			snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN: %s", strerror(-err));
		else if (ret != 2 /* XDP_PASS */)
			snprintf(why, sizeof(why), "returned %u, not XDP_PASS", ret);
		else
			check_trimmed(in, out, len, keep, why, sizeof(why));
		if (why[0])
			ktap_print("%s: %s", name, why);
		ktap_result(!why[0], name);
	}
	if (s[NPOINTS - 1] && bpf_program__fd(s[NPOINTS - 1]->progs.trim_payload) >= 0) {
		unsigned char other[FRAME];
		size_t len = sizeof(out);
		__u32 ret = 0;

		memcpy(other, in, FRAME);
		((struct udphdr *)(other + sizeof(struct ethhdr) + sizeof(struct iphdr)))->dest = htons(PORT + 1);
		ktap_result(!testrun_once(bpf_program__fd(s[NPOINTS - 1]->progs.trim_payload), other,
					  FRAME, out, &len, &ret) &&
			    ret == 2 && len == FRAME && !memcmp(out, other, FRAME),
			    "trim_payload_leaves_other_ports_untouched");
	} else {
		ktap_skip_test("trim_payload_leaves_other_ports_untouched", "program not loaded");
	}
	for (i = 0; i < NPOINTS; i++)
		truncate_bpf__destroy(s[i]);
	ktap_finish();
	return 0;
}
