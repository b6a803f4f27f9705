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
#include "ktap.h"
#include "net/loadgen.h"
#include "net/topology.h"

#define PORT 7777

static const char *kinds[] = { "xdp", "tc", "sk_skb", "udp", "tcp" };
static const size_t sizes[] = { 8, 64, 700, 1400 };

static int run_one(struct echo_hook *e, size_t size, bool open_loop, struct lg_result *r)
{
	static struct histogram h;
	struct lg_params prm = {
		.stream = e->stream, .open_loop = open_loop, .rate = 2000,
		.requests = 200, .warmup = 5, .timeout_ms = 500, .cpu = -1,
	};
	struct lg_echo echo;
	struct lg_proto p;
	int err;

	hist_init(&h);
	lg_echo_init(&p, &echo, size);
	err = loadgen_run(e->cli_fd, &p, &prm, &h, r);
	if (!err && h.count != prm.requests)
		err = -EPROTO;
	return err;
}


int main(void)
{
	struct echo_bpf *skel;
	struct topo t;
	unsigned int k, s;
	int err;

	ktap_plan((int)(sizeof(kinds) / sizeof(kinds[0])) * 2 + 1);
	if (geteuid()) {
		ktap_print("needs root");
		exit(KSFT_SKIP);
	}
	libbpf_set_print(NULL);
	err = topo_create(&t);
	if (err) {
		ktap_print("topo_create: %s", strerror(-err));
		exit(KSFT_FAIL);
	}
	skel = echo_bpf__open();
	if (skel)
		skel->rodata->port = PORT;
	if (!skel || echo_bpf__load(skel)) {
		ktap_print("cannot load bpf/echo.bpf.c");
		topo_destroy(&t);
		exit(KSFT_FAIL);
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (int open_loop = 0; open_loop < 2; open_loop++) {
			struct echo_hook e;
			int ok = 1;
			char name[64];

			snprintf(name, sizeof(name), "%s_%s_byte_exact", kinds[k],
				 open_loop ? "open_loop" : "closed_loop");
			err = echo_hook_start(&e, skel, &t, kinds[k], PORT, -1);
			if (err) {
				ktap_print("%s: start: %s", kinds[k], strerror(-err));
				ktap_result(0, name);
				continue;
			}
			for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				struct lg_result r;

				err = run_one(&e, sizes[s], open_loop, &r);
				KTAP_CHECK(ok, !err, "%s size %zu: %s", kinds[k], sizes[s], strerror(-err));
				KTAP_CHECK(ok, r.mismatched == 0 && r.lost == 0 && r.received == r.sent,
					   "%s size %zu: sent %llu received %llu lost %llu mismatched %llu",
					   kinds[k], sizes[s], (unsigned long long)r.sent,
					   (unsigned long long)r.received, (unsigned long long)r.lost,
					   (unsigned long long)r.mismatched);
			}
			echo_hook_stop(&e);
			ktap_result(ok, name);
		}
	}
	/* the checker itself: a reply with one flipped byte is a mismatch */
	{
		struct lg_echo echo;
		struct lg_proto p;
		uint8_t buf[64];
		int ok = 1;

		lg_echo_init(&p, &echo, sizeof(buf));
		p.build(p.ctx, 42, buf, sizeof(buf));
		KTAP_CHECK(ok, p.check(p.ctx, 42, buf, sizeof(buf)) == 0, "intact reply rejected");
		buf[63] ^= 1;
		KTAP_CHECK(ok, p.check(p.ctx, 42, buf, sizeof(buf)) != 0, "corrupted reply accepted");
		buf[63] ^= 1;
		KTAP_CHECK(ok, p.check(p.ctx, 43, buf, sizeof(buf)) != 0, "wrong sequence accepted");
		ktap_result(ok, "echo_checker_detects_mismatch");
	}
	echo_bpf__destroy(skel);
	topo_destroy(&t);
	ktap_finish();
}
