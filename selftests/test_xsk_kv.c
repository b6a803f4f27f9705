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
#include "ktap.h"
#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"
#include "net/topology.h"
#include "kv/xsk_kv.h"

#define PORT	11211
#define TMO	1000

static int cli = -1;
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
		ktap_print("request '%.20s...': %s", body, strerror(-n));
		return 0;
	}
	if ((size_t)n != wlen || memcmp(out, want, wlen)) {
		ktap_print("request '%.20s...': got %d bytes '%.40s', want %zu '%.40s'",
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

int main(void)
{
	struct xsk_kv_config cfg = { .port = PORT, .cpu = -1, .cache_entries = 1024, .max_value = 1000 };
	char why[256], big[1100], small[100], small2[64], req[300], r1[2048], r2[2048];
	struct xsk_kv_stats a, b;
	struct xsk_kv *s = NULL;
	struct topo t;
	int ok, err, n1, n2;
	__u32 prog_id = 0;

	ktap_plan(7);
	if (geteuid()) {
		ktap_print("needs root");
		exit(KSFT_SKIP);
	}
	libbpf_set_print(NULL);
	memset(big, 'B', sizeof(big));
	big[0] = 'x';
	big[sizeof(big) - 1] = 'y';
	for (unsigned int i = 0; i < sizeof(small); i++)
		small[i] = (char)('a' + i % 26);
	memset(small2, 'Z', sizeof(small2));
	err = topo_create(&t);
	if (err) {
		ktap_print("topo_create: %s", strerror(-err));
		exit(KSFT_FAIL);
	}
	cfg.t = &t;
	err = xsk_kv_start(&s, &cfg, why, sizeof(why));
	if (err) {
		ktap_print("xsk_kv_start: %s", why);
		topo_destroy(&t);
		exit(err == -EOPNOTSUPP || err == -EAFNOSUPPORT ? KSFT_SKIP : KSFT_FAIL);
	}
	/* the program attached on the server side: it must be gone once we stop */
	if (topo_enter(&t, TOPO_SERVER) == 0) {
		bpf_xdp_query_id(t.server.ifindex, 0, &prog_id);
		topo_leave(&t);
	}
	cli = echo_client_connect(&t, SOCK_DGRAM, PORT);

	/* 1. user space alone */
	ok = cli >= 0;
	ok = ok && get("k1", NULL, 0);
	ok = ok && set("k1", small, sizeof(small));
	ok = ok && get("k1", small, sizeof(small));
	ok = ok && del("k1", "DELETED\r\n");
	ok = ok && get("k1", NULL, 0);
	ok = ok && del("k1", "NOT_FOUND\r\n");
	ok = ok && expect("bogus\r\n", 7, "ERROR\r\n", 7);
	xsk_kv_get_stats(s, &a);
	KTAP_CHECK(ok, a.xdp_hits == 0, "hits without the fast path: %llu", (unsigned long long)a.xdp_hits);
	ktap_result(ok, "xsk_get_set_delete_miss_byte_exact");

	/* 2. fast path: the second get comes from XDP, with the same bytes */
	ok = !xsk_kv_set_fastpath(s, true);
	ok = ok && set("k2", small, sizeof(small));
	n1 = mc_build_get(req, sizeof(req), false, 0, "k2");
	xsk_kv_get_stats(s, &a);
	n1 = ok ? call(req, (size_t)n1, r1, sizeof(r1), 4242) : -1;
	xsk_kv_get_stats(s, &b);
	KTAP_CHECK(ok, n1 > 0 && b.xdp_hits == a.xdp_hits && b.fills == a.fills + 1,
		   "first get: %d bytes, hits %llu -> %llu, fills %llu -> %llu", n1,
		   (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits,
		   (unsigned long long)a.fills, (unsigned long long)b.fills);
	n2 = mc_build_get(req, sizeof(req), false, 0, "k2");
	n2 = ok ? call(req, (size_t)n2, r2, sizeof(r2), 4242) : -1;
	xsk_kv_get_stats(s, &a);
	KTAP_CHECK(ok, a.xdp_hits == b.xdp_hits + 1 && a.rx == b.rx,
		   "second get: hits %llu -> %llu, user-space rx %llu -> %llu, XDP misses %llu",
		   (unsigned long long)b.xdp_hits, (unsigned long long)a.xdp_hits,
		   (unsigned long long)b.rx, (unsigned long long)a.rx, (unsigned long long)a.xdp_misses);
	KTAP_CHECK(ok, n1 == n2 && n1 > 0 && !memcmp(r1, r2, (size_t)n1),
		   "XDP reply differs from the user-space reply (%d vs %d bytes)", n1, n2);
	ok = ok && get("k2", small, sizeof(small));	/* and it is the right value */
	ktap_result(ok, "fastpath_hit_byte_identical");

	/* 3. set invalidates */
	ok = set("k2", small2, sizeof(small2));
	xsk_kv_get_stats(s, &a);
	ok = ok && get("k2", small2, sizeof(small2));
	xsk_kv_get_stats(s, &b);
	KTAP_CHECK(ok, b.xdp_hits == a.xdp_hits && b.rx == a.rx + 1,
		   "get after set: hits %llu -> %llu (must come from user space)",
		   (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits);
	ok = ok && get("k2", small2, sizeof(small2));
	xsk_kv_get_stats(s, &a);
	KTAP_CHECK(ok, a.xdp_hits == b.xdp_hits + 1, "refilled entry not hit");
	ok = ok && del("k2", "DELETED\r\n") && get("k2", NULL, 0) && get("k2", NULL, 0);
	xsk_kv_get_stats(s, &b);
	KTAP_CHECK(ok, b.xdp_hits == a.xdp_hits, "deleted key answered by XDP");
	ktap_result(ok, "set_delete_invalidate");

	/* 4. a value above 1000 B never enters the cache */
	ok = set("big", big, sizeof(big));
	xsk_kv_get_stats(s, &a);
	ok = ok && get("big", big, sizeof(big)) && get("big", big, sizeof(big));
	xsk_kv_get_stats(s, &b);
	KTAP_CHECK(ok, b.xdp_hits == a.xdp_hits && b.fills == a.fills && b.rx == a.rx + 2,
		   "large value: hits %llu -> %llu, fills %llu -> %llu",
		   (unsigned long long)a.xdp_hits, (unsigned long long)b.xdp_hits,
		   (unsigned long long)a.fills, (unsigned long long)b.fills);
	ktap_result(ok, "large_value_bypasses");

	/* 5. the load client's protocol, mixed small (XDP) and large (user space) */
	{
		static struct histogram h, hc[2];
		static struct lg_mc m;
		struct lg_params prm = { .requests = 400, .warmup = 10, .timeout_ms = 500, .cpu = -1 };
		struct lg_result r;
		struct lg_proto p;
		char want[2048];
		int w;

		ok = set("s", small, sizeof(small));
		hist_init(&h);
		hist_init(&hc[0]);
		hist_init(&hc[1]);
		w = mc_build_value_reply(want, sizeof(want), "s", 7, small, sizeof(small));
		ok = ok && !lg_mc_class(&m, 0, "s", want, (size_t)w, &hc[0]);
		w = mc_build_value_reply(want, sizeof(want), "big", 7, big, sizeof(big));
		ok = ok && !lg_mc_class(&m, 1, "big", want, (size_t)w, &hc[1]);
		lg_mc_init(&p, &m, 5, prm.warmup);
		for (int open_loop = 0; ok && open_loop < 2; open_loop++) {
			prm.open_loop = open_loop;
			prm.rate = 5000;
			err = loadgen_run(cli, &p, &prm, &h, &r);
			KTAP_CHECK(ok, !err && r.mismatched == 0 && r.lost == 0 && r.received == r.sent,
				   "%s: err %d sent %llu received %llu lost %llu mismatched %llu",
				   open_loop ? "open" : "closed", err, (unsigned long long)r.sent,
				   (unsigned long long)r.received, (unsigned long long)r.lost,
				   (unsigned long long)r.mismatched);
		}
		KTAP_CHECK(ok, hc[0].count + hc[1].count == h.count && hc[1].count > 0,
			   "class histograms %llu + %llu != %llu", (unsigned long long)hc[0].count,
			   (unsigned long long)hc[1].count, (unsigned long long)h.count);
		ktap_result(ok, "loadgen_mc_mixed_byte_exact");

		/* the checker itself: one flipped byte is a mismatch */
		ok = 1;
		{
			uint8_t rep[2048];
			size_t n = p.build(p.ctx, 7, rep, sizeof(rep));

			(void)n;
			mc_udp_hdr_put(rep, 7);
			memcpy(rep + MC_UDP_HDR, m.c[0].expect, m.c[0].expect_len);
			n = MC_UDP_HDR + m.c[0].expect_len;
			KTAP_CHECK(ok, p.check(p.ctx, 7, rep, n) == 0, "intact reply rejected");
			rep[n - 3] ^= 1;
			KTAP_CHECK(ok, p.check(p.ctx, 7, rep, n) != 0, "corrupted reply accepted");
			rep[n - 3] ^= 1;
			KTAP_CHECK(ok, p.check(p.ctx, 8, rep, n) != 0, "wrong request id accepted");
		}
		ktap_result(ok, "mc_checker_detects_mismatch");
	}

	if (cli >= 0)
		close(cli);
	xsk_kv_stop(s);
	topo_destroy(&t);
	ok = 1;
	KTAP_CHECK(ok, leftover_netns() == 0, "namespaces left behind");
	if (prog_id) {
		int fd = bpf_prog_get_fd_by_id(prog_id);

		KTAP_CHECK(ok, fd < 0, "XDP program %u still loaded", prog_id);
		if (fd >= 0)
			close(fd);
	} else {
		KTAP_CHECK(ok, 0, "no XDP program was seen attached");
	}
	ktap_result(ok, "nothing_left_behind");
	ktap_finish();
}
