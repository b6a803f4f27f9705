// SPDX-License-Identifier: GPL-2.0
/*
 * Every echo server of the `echo` experiment (XDP, TC, SK_SKB, user-space UDP
 * and TCP) on the real veth topology returns byte-exact replies, for several
 * payload sizes, in closed and open loop; and the load client notices a
 * reply that differs from its request.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "echo.skel.h"
#include "net/echo_servers.h"
#include "harness.h"
#include "net/loadgen.h"
#include "net/topology.h"

#define PORT 7777

/* The veth topology and the echo programs, set up once for every test (torn down at the end). */
static struct topo topo;
static struct echo_bpf *skel;

static void echo_down(void)
{
	echo_bpf__destroy(skel);
	topo_destroy(&topo);
}

static int echo_up(char *why, size_t len)
{
	int err;

	if (geteuid())
		return harness_reason(why, len, KSFT_SKIP, "needs root");
	err = topo_create(&topo);
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "topo_create: %s", strerror(-err));
	skel = echo_bpf__open();
	harness_at_end(echo_down);
	if (skel)
		skel->rodata->port = PORT;
	if (!skel || echo_bpf__load(skel))
		return harness_reason(why, len, KSFT_FAIL, "cannot load bpf/echo.bpf.c");
	return 0;
}

static struct harness_once echo_once;

FIXTURE(echo) {
	struct echo_hook e;
	bool started;
	struct histogram h;	/* of the current run's round trips */
};

/* The echo server kinds of the `echo` experiment. */
FIXTURE_VARIANT(echo) {
	const char *kind;
};

FIXTURE_VARIANT_ADD(echo, xdp) { .kind = "xdp" };
FIXTURE_VARIANT_ADD(echo, tc) { .kind = "tc" };
FIXTURE_VARIANT_ADD(echo, sk_skb) { .kind = "sk_skb" };
FIXTURE_VARIANT_ADD(echo, sk_skb_udp) { .kind = "sk_skb_udp" };
FIXTURE_VARIANT_ADD(echo, udp) { .kind = "udp" };
FIXTURE_VARIANT_ADD(echo, tcp) { .kind = "tcp" };

FIXTURE_SETUP(echo)
{
	int err;

	SETUP_ONCE(&echo_once, echo_up);
	err = echo_hook_start(&self->e, skel, &topo, variant->kind, PORT, -1);
	self->started = true;
	ASSERT(!err, "%s: start: %s", variant->kind, strerror(-err));
}

FIXTURE_TEARDOWN(echo)
{
	if (self->started)
		echo_hook_stop(&self->e);
}

static const size_t sizes[] = { 8, 64, 700, 1400 };

/* Every reply, for every payload size, is the request byte for byte. */
static void byte_exact(struct th_test *_t, FIXTURE_DATA(echo) *self, const char *kind,
		       bool open_loop)
{
	struct lg_params prm = {
		.stream = self->e.stream, .open_loop = open_loop, .rate = 2000,
		.requests = 200, .warmup = 5, .timeout_ms = 500, .cpu = -1,
	};
	unsigned int s;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct lg_result r = { 0 };
		struct lg_echo echo;
		struct lg_proto p;
		int err;

		hist_init(&self->h);
		lg_echo_init(&p, &echo, sizes[s]);
		err = loadgen_run(self->e.cli_fd, &p, &prm, &self->h, &r);
		if (!err && self->h.count != prm.requests)
			err = -EPROTO;
		EXPECT(!err, "%s size %zu: %s", kind, sizes[s], strerror(-err));
		EXPECT(r.mismatched == 0 && r.lost == 0 && r.received == r.sent,
		       "%s size %zu: sent %llu received %llu lost %llu mismatched %llu",
		       kind, sizes[s], (unsigned long long)r.sent,
		       (unsigned long long)r.received, (unsigned long long)r.lost,
		       (unsigned long long)r.mismatched);
	}
}

TEST_F(echo, closed_loop_byte_exact)
{
	byte_exact(_t, self, variant->kind, false);
}

TEST_F(echo, open_loop_byte_exact)
{
	byte_exact(_t, self, variant->kind, true);
}

/* the checker itself: a reply with one flipped byte is a mismatch */
TEST(echo_checker_detects_mismatch)
{
	struct lg_echo echo;
	struct lg_proto p;
	uint8_t buf[64];

	lg_echo_init(&p, &echo, sizeof(buf));
	p.build(p.ctx, 42, buf, sizeof(buf));
	EXPECT(p.check(p.ctx, 42, buf, sizeof(buf)) == 0, "intact reply rejected");
	buf[63] ^= 1;
	EXPECT(p.check(p.ctx, 42, buf, sizeof(buf)) != 0, "corrupted reply accepted");
	buf[63] ^= 1;
	EXPECT(p.check(p.ctx, 43, buf, sizeof(buf)) != 0, "wrong sequence accepted");
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	return harness_main(argc, argv);
}
