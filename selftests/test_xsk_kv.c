// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_XDP key-value server of the `xsk-kv` experiment on the real veth
 * topology: byte-exact replies to get/set/delete and to a miss; with the XDP
 * fast path, a repeated get is answered by XDP (hit counter) with the very
 * bytes user space sent; a set invalidates the cached entry; a large value
 * never enters the cache; the load client's memcached protocol checks every
 * reply; and nothing (namespaces, programs, socket) is left afterwards.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net/echo_servers.h"
#include "harness.h"
#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"
#include "net/topology.h"
#include "kv/xsk_kv.h"

#define PORT	11211
#define TMO	1000

static int cli = -1;		/* the client's UDP socket, connected to the server */
static uint16_t next_id = 100;

/* Sends @body (a request without frame header), returns the reply's body in @out. */
static int call(const char *body, size_t blen, char *out, size_t cap, uint16_t id)
{
	char req[MC_UDP_MAX], rep[2048];
	struct mc_udp_hdr h;
	int n;

	mc_udp_hdr_put((unsigned char *)req, id);
	memcpy(req + MC_UDP_HDR, body, blen);
	n = xsk_kv_call(cli, req, MC_UDP_HDR + blen, rep, sizeof(rep), TMO);
	if (n < 0)
		return n;
	if (mc_udp_hdr_get((unsigned char *)rep, (size_t)n, &h) || h.req_id != id || h.seq ||
	    h.total != 1 || h.reserved || (size_t)n - MC_UDP_HDR > cap)
		return -EPROTO;
	memcpy(out, rep + MC_UDP_HDR, (size_t)n - MC_UDP_HDR);
	return n - MC_UDP_HDR;
}

/* @body's reply is exactly @want. */
static int expect(const char *body, size_t blen, const char *want, size_t wlen)
{
	char out[2048];
	int n = call(body, blen, out, sizeof(out), next_id++);

	if (n < 0) {
		TH_LOG("request '%.20s...': %s", body, strerror(-n));
		return 0;
	}
	if ((size_t)n != wlen || memcmp(out, want, wlen)) {
		TH_LOG("request '%.20s...': got %d bytes '%.40s', want %zu '%.40s'",
		       body, n, out, wlen, want);
		return 0;
	}
	return 1;
}

static int set(const char *key, const char *val, size_t vlen)
{
	char req[MC_UDP_MAX];
	int n = mc_build_set(req, sizeof(req), false, 0, key, 7, 0, val, vlen);

	return n > 0 && expect(req, (size_t)n, "STORED\r\n", 8);
}

static int get(const char *key, const char *val, size_t vlen)
{
	char req[300], want[2048];
	int n = mc_build_get(req, sizeof(req), false, 0, key), w;

	w = val ? mc_build_value_reply(want, sizeof(want), key, 7, val, vlen) :
		  (memcpy(want, "END\r\n", 5), 5);
	return n > 0 && w > 0 && expect(req, (size_t)n, want, (size_t)w);
}

static int del(const char *key, const char *want)
{
	char req[300];
	int n = mc_build_delete(req, sizeof(req), false, 0, key);

	return n > 0 && expect(req, (size_t)n, want, strlen(want));
}

static int leftover_netns(void)
{
	char prefix[64];
	struct dirent *d;
	DIR *dir = opendir("/run/netns");
	int n = 0;

	if (!dir)
		return 0;
	snprintf(prefix, sizeof(prefix), "obench-%d-", (int)getpid());
	while ((d = readdir(dir)))
		n += !strncmp(d->d_name, prefix, strlen(prefix));
	closedir(dir);
	return n;
}

/* The values the tests store: small ones the fast path caches, one above its 1000 B limit. */
static char big[1100], small[100], small2[64];

/* The topology, the server and a connected client, started once (stopped by the last test). */
static struct topo topo;
static bool topo_up;
static struct xsk_kv *server;
static __u32 prog_id;		/* the XDP program attached on the server side */

static void xsk_down(void)
{
	if (cli >= 0)
		close(cli);
	cli = -1;
	xsk_kv_stop(server);
	server = NULL;
	if (topo_up)
		topo_destroy(&topo);
	topo_up = false;
}

static int xsk_up(char *why, size_t len)
{
	struct xsk_kv_config cfg = { .port = PORT, .cpu = -1, .cache_entries = 1024, .max_value = 1000 };
	char start_why[256];
	unsigned int i;
	int err;

	if (geteuid())
		return harness_reason(why, len, KSFT_SKIP, "needs root");
	memset(big, 'B', sizeof(big));
	big[0] = 'x';
	big[sizeof(big) - 1] = 'y';
	for (i = 0; i < sizeof(small); i++)
		small[i] = (char)('a' + i % 26);
	memset(small2, 'Z', sizeof(small2));
	err = topo_create(&topo);
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "topo_create: %s", strerror(-err));
	topo_up = true;
	harness_at_end(xsk_down);
	cfg.t = &topo;
	err = xsk_kv_start(&server, &cfg, start_why, sizeof(start_why));
	if (err)
		return harness_reason(why, len,
				      err == -EOPNOTSUPP || err == -EAFNOSUPPORT ? KSFT_SKIP : KSFT_FAIL,
				      "xsk_kv_start: %s", start_why);
	/* the program attached on the server side: it must be gone once we stop */
	if (topo_enter(&topo, TOPO_SERVER) == 0) {
		bpf_xdp_query_id(topo.server.ifindex, 0, &prog_id);
		topo_leave(&topo);
	}
	cli = echo_client_connect(&topo, SOCK_DGRAM, PORT);
	if (cli < 0)
		return harness_reason(why, len, KSFT_FAIL, "echo_client_connect: %s", strerror(-cli));
	return 0;
}

static struct harness_once xsk_once;

FIXTURE(xsk) {
	struct xsk_kv *s;
	struct lg_mc m;			/* the load client's protocol (large: not on the stack) */
	struct histogram h, hc[2];	/* all replies; per class */
};

FIXTURE_SETUP(xsk)
{
	SETUP_ONCE(&xsk_once, xsk_up);
	self->s = server;
}

/* 1. user space alone */
TEST_F(xsk, get_set_delete_miss_byte_exact)
{
	struct xsk_kv_stats a;

	ASSERT(!xsk_kv_set_fastpath(self->s, false), "fast path off");
	ASSERT(get("k1", NULL, 0), "get of a missing key");
	ASSERT(set("k1", small, sizeof(small)), "set");
	ASSERT(get("k1", small, sizeof(small)), "get");
	ASSERT(del("k1", "DELETED\r\n"), "delete");
	ASSERT(get("k1", NULL, 0), "get after delete");
	ASSERT(del("k1", "NOT_FOUND\r\n"), "delete of a missing key");
	ASSERT(expect("bogus\r\n", 7, "ERROR\r\n", 7), "unknown command");
	xsk_kv_get_stats(self->s, &a);
	EXPECT(a.xdp_hits == 0, "hits without the fast path: %llu", (unsigned long long)a.xdp_hits);
}

/* 2. fast path: the second get comes from XDP, with the same bytes */
TEST_F(xsk, fastpath_hit_byte_identical)
{
	char req[300], r1[2048], r2[2048];
	struct xsk_kv_stats a, b;
	int n1, n2;

	ASSERT(!xsk_kv_set_fastpath(self->s, true), "fast path on");
	ASSERT(set("k2", small, sizeof(small)), "set k2");
	n1 = mc_build_get(req, sizeof(req), false, 0, "k2");
	xsk_kv_get_stats(self->s, &a);
	n1 = call(req, (size_t)n1, r1, sizeof(r1), 4242);
	xsk_kv_get_stats(self->s, &b);
	ASSERT(n1 > 0 && b.xdp_hits == a.xdp_hits && b.fills == a.fills + 1,
	       "first get: %d bytes, hits %llu -> %llu, fills %llu -> %llu", n1,
	       (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits,
	       (unsigned long long)a.fills, (unsigned long long)b.fills);
	n2 = mc_build_get(req, sizeof(req), false, 0, "k2");
	n2 = call(req, (size_t)n2, r2, sizeof(r2), 4242);
	xsk_kv_get_stats(self->s, &a);
	ASSERT(a.xdp_hits == b.xdp_hits + 1 && a.rx == b.rx,
	       "second get: hits %llu -> %llu, user-space rx %llu -> %llu, XDP misses %llu",
	       (unsigned long long)b.xdp_hits, (unsigned long long)a.xdp_hits,
	       (unsigned long long)b.rx, (unsigned long long)a.rx, (unsigned long long)a.xdp_misses);
	ASSERT(n1 == n2 && n1 > 0 && !memcmp(r1, r2, (size_t)n1),
	       "XDP reply differs from the user-space reply (%d vs %d bytes)", n1, n2);
	ASSERT(get("k2", small, sizeof(small)), "the XDP reply is the right value");
}

/* 3. set invalidates */
TEST_F(xsk, set_delete_invalidate)
{
	struct xsk_kv_stats a, b;

	ASSERT(!xsk_kv_set_fastpath(self->s, true), "fast path on");
	ASSERT(set("k2", small2, sizeof(small2)), "set k2");
	xsk_kv_get_stats(self->s, &a);
	ASSERT(get("k2", small2, sizeof(small2)), "get k2 after set");
	xsk_kv_get_stats(self->s, &b);
	ASSERT(b.xdp_hits == a.xdp_hits && b.rx == a.rx + 1,
	       "get after set: hits %llu -> %llu (must come from user space)",
	       (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits);
	ASSERT(get("k2", small2, sizeof(small2)), "get k2 again");
	xsk_kv_get_stats(self->s, &a);
	ASSERT(a.xdp_hits == b.xdp_hits + 1, "refilled entry not hit");
	ASSERT(del("k2", "DELETED\r\n") && get("k2", NULL, 0) && get("k2", NULL, 0),
	       "delete k2, then two misses");
	xsk_kv_get_stats(self->s, &b);
	EXPECT(b.xdp_hits == a.xdp_hits, "deleted key answered by XDP");
}

/* 4. a value above 1000 B never enters the cache */
TEST_F(xsk, large_value_bypasses)
{
	struct xsk_kv_stats a, b;

	ASSERT(!xsk_kv_set_fastpath(self->s, true), "fast path on");
	ASSERT(set("big", big, sizeof(big)), "set big");
	xsk_kv_get_stats(self->s, &a);
	ASSERT(get("big", big, sizeof(big)) && get("big", big, sizeof(big)), "two gets of big");
	xsk_kv_get_stats(self->s, &b);
	EXPECT(b.xdp_hits == a.xdp_hits && b.fills == a.fills && b.rx == a.rx + 2,
	       "large value: hits %llu -> %llu, fills %llu -> %llu",
	       (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits,
	       (unsigned long long)a.fills, (unsigned long long)b.fills);
}

/* The load client's memcached protocol: "s" (small, cached) and, every 5th, "big" (never). */
static bool mc_protocol(FIXTURE_DATA(xsk) *self, struct lg_proto *p, uint64_t warmup)
{
	char want[2048];
	int w;

	hist_init(&self->h);
	hist_init(&self->hc[0]);
	hist_init(&self->hc[1]);
	w = mc_build_value_reply(want, sizeof(want), "s", 7, small, sizeof(small));
	if (lg_mc_class(&self->m, 0, "s", want, (size_t)w, &self->hc[0]))
		return false;
	w = mc_build_value_reply(want, sizeof(want), "big", 7, big, sizeof(big));
	if (lg_mc_class(&self->m, 1, "big", want, (size_t)w, &self->hc[1]))
		return false;
	lg_mc_init(p, &self->m, 5, warmup);
	return true;
}

/* 5. the load client's protocol, mixed small (XDP) and large (user space) */
TEST_F(xsk, loadgen_mc_mixed_byte_exact)
{
	struct lg_params prm = { .requests = 400, .warmup = 10, .timeout_ms = 500, .cpu = -1 };
	struct lg_proto p;
	int err;

	ASSERT(!xsk_kv_set_fastpath(self->s, true), "fast path on");
	ASSERT(set("s", small, sizeof(small)) && set("big", big, sizeof(big)), "set s and big");
	ASSERT(mc_protocol(self, &p, prm.warmup), "lg_mc_class rejected s or big");
	for (int open_loop = 0; open_loop < 2; open_loop++) {
		struct lg_result r = { 0 };

		prm.open_loop = open_loop;
		prm.rate = 5000;
		err = loadgen_run(cli, &p, &prm, &self->h, &r);
		ASSERT(!err && r.mismatched == 0 && r.lost == 0 && r.received == r.sent,
		       "%s: err %d sent %llu received %llu lost %llu mismatched %llu",
		       open_loop ? "open" : "closed", err, (unsigned long long)r.sent,
		       (unsigned long long)r.received, (unsigned long long)r.lost,
		       (unsigned long long)r.mismatched);
	}
	EXPECT(self->hc[0].count + self->hc[1].count == self->h.count && self->hc[1].count > 0,
	       "class histograms %llu + %llu != %llu", (unsigned long long)self->hc[0].count,
	       (unsigned long long)self->hc[1].count, (unsigned long long)self->h.count);
}

/* 6. the checker itself: one flipped byte is a mismatch */
TEST_F(xsk, mc_checker_detects_mismatch)
{
	uint8_t rep[2048];
	struct lg_proto p;
	size_t n;

	ASSERT(mc_protocol(self, &p, 10), "lg_mc_class rejected s or big");
	p.build(p.ctx, 7, rep, sizeof(rep));
	mc_udp_hdr_put(rep, 7);
	memcpy(rep + MC_UDP_HDR, self->m.c[0].expect, self->m.c[0].expect_len);
	n = MC_UDP_HDR + self->m.c[0].expect_len;
	EXPECT(p.check(p.ctx, 7, rep, n) == 0, "intact reply rejected");
	rep[n - 3] ^= 1;
	EXPECT(p.check(p.ctx, 7, rep, n) != 0, "corrupted reply accepted");
	rep[n - 3] ^= 1;
	EXPECT(p.check(p.ctx, 8, rep, n) != 0, "wrong request id accepted");
}

/* 7. stops everything: no namespace, no XDP program remains */
TEST_F(xsk, nothing_left_behind)
{
	xsk_down();
	EXPECT(leftover_netns() == 0, "namespaces left behind");
	EXPECT(prog_id, "no XDP program was seen attached");
	if (prog_id) {
		int fd = bpf_prog_get_fd_by_id(prog_id);

		EXPECT(fd < 0, "XDP program %u still loaded", prog_id);
		if (fd >= 0)
			close(fd);
	}
}

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	return harness_main(argc, argv);
}
