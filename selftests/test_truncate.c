// SPDX-License-Identifier: GPL-2.0
/*
 * truncate's trim_payload does what Fig. 10 needs: on a 1500-byte frame it
 * keeps (100 - percent)% of the UDP payload, byte for byte, and rewrites the
 * IPv4 total length, header checksum and UDP length to match.  Frames to
 * another port pass untouched, whatever the percentage.  Runs through
 * BPF_PROG_TEST_RUN (data_out).
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
#include "harness.h"
#include "truncate.skel.h"

#define FRAME	1500
#define HDRS	(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))
#define PORT	7	/* build_udp_frame()'s destination port */

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

FIXTURE(trim) {
	struct truncate_bpf *s;
	unsigned char in[FRAME], out[FRAME + 64];
};

/* The x axis of Fig. 10: the share of the payload cut. */
FIXTURE_VARIANT(trim) {
	int percent;
};

FIXTURE_VARIANT_ADD(trim, percent_0) { .percent = 0 };
FIXTURE_VARIANT_ADD(trim, percent_25) { .percent = 25 };
FIXTURE_VARIANT_ADD(trim, percent_50) { .percent = 50 };
FIXTURE_VARIANT_ADD(trim, percent_75) { .percent = 75 };
FIXTURE_VARIANT_ADD(trim, percent_100) { .percent = 100 };

FIXTURE_SETUP(trim)
{
	build_udp_frame(self->in, FRAME);
	/* a valid IP checksum on input, so the output's can be verified */
	((struct iphdr *)(self->in + sizeof(struct ethhdr)))->check =
		ip_csum(self->in + sizeof(struct ethhdr));
	self->s = truncate_bpf__open();
	if (!self->s)
		SKIP(return, "cannot open the skeleton");
	self->s->rodata->port = PORT;
	self->s->rodata->percent = (__u32)variant->percent;
	/* a rejected program is a failure, not a skip: it is ours */
	ASSERT(truncate_bpf__load(self->s) == 0, "the verifier rejected trim_payload");
}

FIXTURE_TEARDOWN(trim)
{
	truncate_bpf__destroy(self->s);
}

TEST_F(trim, keeps_the_rest_of_the_payload)
{
	size_t len = sizeof(self->out), plen = FRAME - HDRS;
	size_t keep = plen * (size_t)(100 - variant->percent) / 100;
	char why[128] = "";
	__u32 ret = 0;
	int err;

	err = testrun_once(bpf_program__fd(self->s->progs.trim_payload), self->in, FRAME,
			   self->out, &len, &ret);
	ASSERT(!err, "BPF_PROG_TEST_RUN: %s", strerror(-err));
	ASSERT(ret == 2 /* XDP_PASS */, "returned %u, not XDP_PASS", ret);
	EXPECT(!check_trimmed(self->in, self->out, len, keep, why, sizeof(why)),
	       "keeping %zu bytes: %s", keep, why);
}

TEST_F(trim, leaves_other_ports_untouched)
{
	unsigned char other[FRAME];
	size_t len = sizeof(self->out);
	__u32 ret = 0;
	int err;

	memcpy(other, self->in, FRAME);
	((struct udphdr *)(other + sizeof(struct ethhdr) + sizeof(struct iphdr)))->dest = htons(PORT + 1);
	err = testrun_once(bpf_program__fd(self->s->progs.trim_payload), other, FRAME,
			   self->out, &len, &ret);
	EXPECT(!err && ret == 2 && len == FRAME && !memcmp(self->out, other, FRAME),
	       "test run %d, action %u, %zu bytes out of %d", err, ret, len, FRAME);
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
