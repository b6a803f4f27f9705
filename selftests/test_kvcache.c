// SPDX-License-Identifier: GPL-2.0
/*
 * kvcache, the XDP cache in front of memcached (bpf/kvcache.bpf.c).
 *
 * Part A, through BPF_PROG_TEST_RUN with crafted frames: a cached key is
 * answered with the exact bytes memcached sends, addresses swapped; misses,
 * multi-key gets, sets and TCP pass unchanged; values above the limit are
 * never cached; set/delete (UDP at XDP, TCP at TC ingress) invalidate; the
 * five chaining variants give identical output frames.
 *
 * Part B, end to end on a veth pair with a real memcached in the server's
 * namespace: a UDP get misses and memcached's reply fills the cache, the
 * next get is served by XDP (our hit counter moves, memcached's get_hits
 * does not) with memcached's very bytes; a new set invalidates; large values
 * bypass; nothing is left behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/bpf.h>

#include "ktap.h"
#include "core/bpfutil.h"
#include "kv/kvcache.h"
#include "kv/mc_proto.h"
#include "kv/memcached.h"
#include "net/topology.h"

#define PORT		11211
#define HDRS		(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))
#define FRAME_MAX	4096

struct frame {
	unsigned char b[FRAME_MAX];
	size_t len;
};

static struct kvcache kcs[KVC_NR_VARIANTS];
static bool loaded[KVC_NR_VARIANTS];

/* A client -> server UDP datagram to the memcached port carrying @payload. */
static void udp_frame(struct frame *f, const void *payload, size_t plen)
{
	struct iphdr *ip = (struct iphdr *)(f->b + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	f->len = build_udp_frame(f->b, HDRS + plen);
	memcpy(f->b + HDRS, payload, plen);
	udp->dest = htons(PORT);
	udp->source = htons(40001);
	ip->check = 0;
}

/* The same over TCP (a PSH segment of an established connection). */
static void tcp_frame(struct frame *f, const void *payload, size_t plen)
{
	struct iphdr *ip = (struct iphdr *)(f->b + sizeof(struct ethhdr));
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	size_t hdr = sizeof(struct ethhdr) + sizeof(*ip) + sizeof(*tcp);

	build_udp_frame(f->b, HDRS);
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*tcp) + plen));
	memset(tcp, 0, sizeof(*tcp));
	tcp->source = htons(40002);
	tcp->dest = htons(PORT);
	tcp->doff = 5;
	tcp->ack = 1;
	tcp->psh = 1;
	tcp->window = htons(512);
	memcpy(f->b + hdr, payload, plen);
	f->len = hdr + plen;
}

static void udp_request(struct frame *f, const char *cmd, uint16_t req_id)
{
	unsigned char p[FRAME_MAX];
	size_t n = strlen(cmd);

	mc_udp_hdr_put(p, req_id);
	memcpy(p + MC_UDP_HDR, cmd, n);
	udp_frame(f, p, MC_UDP_HDR + n);
}

static int run(int fd, const struct frame *in, struct frame *out, __u32 *ret)
{
	out->len = sizeof(out->b);
	return testrun_once(fd, in->b, in->len, out->b, &out->len, ret);
}

static uint16_t ip_csum(const void *hdr)
{
	const uint16_t *w = hdr;
	uint32_t sum = 0;
	int i;

	for (i = 0; i < 10; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* @out is the reply to @in: addresses swapped, lengths and checksum right, payload @want. */
static int check_reply(const struct frame *in, const struct frame *out,
		       const void *want, size_t wlen)
{
	const struct ethhdr *ie = (const void *)in->b, *oe = (const void *)out->b;
	const struct iphdr *ii = (const void *)(ie + 1), *oi = (const void *)(oe + 1);
	const struct udphdr *iu = (const void *)(ii + 1), *ou = (const void *)(oi + 1);
	int ok = 1;

	KTAP_CHECK(ok, out->len == HDRS + wlen, "reply frame %zu bytes, want %zu",
		   out->len, HDRS + wlen);
	if (!ok)
		return 0;
	KTAP_CHECK(ok, !memcmp(oe->h_dest, ie->h_source, ETH_ALEN) &&
		   !memcmp(oe->h_source, ie->h_dest, ETH_ALEN), "MACs not swapped");
	KTAP_CHECK(ok, oi->saddr == ii->daddr && oi->daddr == ii->saddr, "IPs not swapped");
	KTAP_CHECK(ok, ou->source == iu->dest && ou->dest == iu->source, "ports not swapped");
	KTAP_CHECK(ok, ntohs(oi->tot_len) == sizeof(*oi) + sizeof(*ou) + wlen,
		   "ip tot_len %u", ntohs(oi->tot_len));
	KTAP_CHECK(ok, ip_csum(oi) == 0, "bad IP checksum");
	KTAP_CHECK(ok, ntohs(ou->len) == sizeof(*ou) + wlen, "udp len %u", ntohs(ou->len));
	KTAP_CHECK(ok, ou->check == 0, "udp checksum %#x, want 0", ou->check);
	KTAP_CHECK(ok, !memcmp(out->b + HDRS, want, wlen), "payload differs: %.*s",
		   (int)(out->len - HDRS - MC_UDP_HDR), out->b + HDRS + MC_UDP_HDR);
	return ok;
}

/* The UDP payload memcached sends for a hit on request @id. */
static size_t expected(unsigned char *buf, uint16_t id, const char *key, uint32_t flags,
		       const char *val, size_t vlen)
{
	mc_udp_hdr_put(buf, id);
	return MC_UDP_HDR + (size_t)mc_build_value_reply((char *)buf + MC_UDP_HDR,
							  FRAME_MAX - MC_UDP_HDR, key, flags,
							  val, vlen);
}

/* Runs @in through @fd and checks the program passed it on untouched. */
static int passes_unchanged(int fd, const struct frame *in, const char *what)
{
	struct frame out;
	__u32 ret = 0;
	int ok = 1, err = run(fd, in, &out, &ret);

	KTAP_CHECK(ok, !err, "%s: test_run %d", what, err);
	KTAP_CHECK(ok, ret == XDP_PASS, "%s: action %u, want XDP_PASS", what, ret);
	KTAP_CHECK(ok, out.len == in->len && !memcmp(out.b, in->b, in->len),
		   "%s: frame modified", what);
	return ok;
}

static const struct kvcache_config base_cfg = { .port = PORT, .entries = 1024 };

/* ------------------------------ part A ------------------------------ */

static void test_load_variants(void)
{
	int v;

	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		struct kvcache_config cfg = base_cfg;
		char name[64];
		int err;

		cfg.variant = v;
		err = kvcache_load(&kcs[v], &cfg);
		loaded[v] = !err;
		ktap_print("variant %-10s verifier: %s%s%s", kvcache_variant_name(v),
			   err ? "REJECTED: " : "", kcs[v].verifier_log,
			   err ? "" : " (all of the variant's XDP programs)");
		snprintf(name, sizeof(name), "load_%s", kvcache_variant_name(v));
		ktap_result(!err, name);
	}
}

static void test_hit_reply(struct kvcache *kc)
{
	static const char val[] = "hello kvcache";
	unsigned char want[FRAME_MAX];
	struct frame in, out;
	__u32 ret = 0;
	size_t wlen;
	int ok = 1, err;

	err = kvcache_put(kc, "foo", 42, val, strlen(val));
	KTAP_CHECK(ok, err == 0, "kvcache_put: %d", err);
	udp_request(&in, "get foo\r\n", 0xbeef);
	err = run(kvcache_xdp_fd(kc), &in, &out, &ret);
	KTAP_CHECK(ok, !err && ret == XDP_TX, "test_run %d action %u, want XDP_TX", err, ret);
	wlen = expected(want, 0xbeef, "foo", 42, val, strlen(val));
	if (ok)
		ok = check_reply(&in, &out, want, wlen);
	ktap_result(ok, "hit_reply_bytes");
}

static void test_boundaries(struct kvcache *kc)
{
	char key[251], val[1001];
	unsigned char want[FRAME_MAX];
	struct frame in, out;
	char cmd[300];
	__u32 ret = 0;
	int ok = 1, err;

	memset(key, 'k', 250);
	key[250] = 0;
	memset(val, 'v', sizeof(val));
	/* the longest key with the largest cacheable value: the biggest reply */
	err = kvcache_put(kc, key, 4294967295u, val, 1000);
	KTAP_CHECK(ok, err == 0, "put 250-byte key, 1000-byte value: %d", err);
	snprintf(cmd, sizeof(cmd), "get %s\r\n", key);
	udp_request(&in, cmd, 7);
	err = run(kvcache_xdp_fd(kc), &in, &out, &ret);
	KTAP_CHECK(ok, !err && ret == XDP_TX, "test_run %d action %u", err, ret);
	if (ok)
		ok = check_reply(&in, &out, want,
				 expected(want, 7, key, 4294967295u, val, 1000));
	ktap_result(ok, "hit_largest_entry");

	ok = 1;
	err = kvcache_put(kc, "big", 0, val, 1001);
	KTAP_CHECK(ok, err == -E2BIG, "put of a 1001-byte value returned %d, want -E2BIG", err);
	udp_request(&in, "get big\r\n", 8);
	ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, "get big");
	ktap_result(ok, "value_above_limit_not_cached");
}

static void test_passes(struct kvcache *kc)
{
	static const char *const cmds[] = {
		"get nothere\r\n",		/* miss */
		"get foo bar\r\n",		/* two keys */
		"gets foo\r\n",			/* cas needs memcached */
		"get foo\r\nget foo\r\n",	/* two requests in one datagram */
		"get foo",			/* no terminator */
		"stats\r\n",
	};
	struct frame in;
	size_t i;
	int ok = 1;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		udp_request(&in, cmds[i], 100 + i);
		ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, cmds[i]);
	}
	ktap_result(ok, "miss_multiget_other_pass_unchanged");

	ok = 1;
	/* "get foo" over TCP is memcached's, even though foo is cached */
	tcp_frame(&in, "get foo\r\n", 9);
	ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, "tcp get");
	/* a UDP get to another port */
	udp_request(&in, "get foo\r\n", 1);
	((struct udphdr *)(in.b + sizeof(struct ethhdr) + sizeof(struct iphdr)))->dest = htons(PORT + 1);
	ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, "other port");
	ktap_result(ok, "tcp_and_other_ports_pass_unchanged");
}

static int is_hit(struct kvcache *kc, const char *key)
{
	struct frame in, out;
	char cmd[300];
	__u32 ret = 0;

	snprintf(cmd, sizeof(cmd), "get %s\r\n", key);
	udp_request(&in, cmd, 5);
	if (run(kvcache_xdp_fd(kc), &in, &out, &ret))
		return -1;
	return ret == XDP_TX;
}

static void test_invalidation(struct kvcache *kc)
{
	static const char *const udp_cmds[] = {
		"set inv 0 0 3\r\nabc\r\n", "delete inv\r\n", "append inv 0 0 1\r\nx\r\n",
		"incr inv 1\r\n", "touch inv 10\r\n", "cas inv 0 0 1 5\r\nx\r\n",
	};
	struct kvcache_stats s0, s1;
	struct frame in;
	size_t i;
	int ok = 1, err;

	kvcache_read_stats(kc, &s0);
	for (i = 0; i < sizeof(udp_cmds) / sizeof(udp_cmds[0]); i++) {
		err = kvcache_put(kc, "inv", 1, "old", 3);
		KTAP_CHECK(ok, !err && is_hit(kc, "inv") == 1, "not cached before: %s", udp_cmds[i]);
		udp_request(&in, udp_cmds[i], 200 + i);
		ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, udp_cmds[i]);
		KTAP_CHECK(ok, is_hit(kc, "inv") == 0, "still cached after UDP %s", udp_cmds[i]);
	}
	/* a set of another key leaves this one alone */
	err = kvcache_put(kc, "inv", 1, "old", 3);
	udp_request(&in, "set inw 0 0 3\r\nabc\r\n", 300);
	ok &= passes_unchanged(kvcache_xdp_fd(kc), &in, "set inw");
	KTAP_CHECK(ok, !err && is_hit(kc, "inv") == 1, "set of another key invalidated inv");
	kvcache_read_stats(kc, &s1);
	KTAP_CHECK(ok, s1.inval - s0.inval == sizeof(udp_cmds) / sizeof(udp_cmds[0]),
		   "invalidations counted %llu", (unsigned long long)(s1.inval - s0.inval));
	ktap_result(ok, "udp_set_delete_invalidate");

	ok = 1;
	for (i = 0; i < 2; i++) {
		__u32 ret = 99;

		err = kvcache_put(kc, "inv", 1, "old", 3);
		KTAP_CHECK(ok, !err && is_hit(kc, "inv") == 1, "not cached before TCP command");
		tcp_frame(&in, i ? "delete inv\r\n" : "set inv 0 0 3\r\nnew\r\n", i ? 12 : 20);
		err = testrun_once(kvcache_inval_fd(kc), in.b, in.len, NULL, NULL, &ret);
		KTAP_CHECK(ok, !err && ret == 0 /* TC_ACT_OK */, "tc ingress %d ret %u", err, ret);
		KTAP_CHECK(ok, is_hit(kc, "inv") == 0, "still cached after TCP command %zu", i);
	}
	ktap_result(ok, "tcp_set_delete_invalidate_at_tc_ingress");
}

/* Every variant: same entries, same frames -> same actions, same bytes. */
static void test_variants_identical(void)
{
	static const char *const cmds[] = {
		"get foo\r\n", "get nothere\r\n", "get foo bar\r\n", "set x 0 0 1\r\ny\r\n",
		"get same\r\n",
	};
	struct frame in, out[KVC_NR_VARIANTS];
	__u32 ret[KVC_NR_VARIANTS];
	size_t i;
	int v, ok = 1, ref = -1, compared = 0;

	for (v = 0; v < KVC_NR_VARIANTS; v++)
		if (loaded[v]) {
			kvcache_put(&kcs[v], "foo", 3, "bar", 3);
			kvcache_put(&kcs[v], "same", 0, "value of same", 13);
		}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		udp_request(&in, cmds[i], 0x4242);
		ref = -1;
		for (v = 0; v < KVC_NR_VARIANTS; v++) {
			if (!loaded[v])
				continue;
			if (run(kvcache_xdp_fd(&kcs[v]), &in, &out[v], &ret[v])) {
				ok = 0;
				continue;
			}
			if (ref < 0) {
				ref = v;
				continue;
			}
			compared++;
			KTAP_CHECK(ok, ret[v] == ret[ref] && out[v].len == out[ref].len &&
				   !memcmp(out[v].b, out[ref].b, out[v].len),
				   "%s differs from %s on %s", kvcache_variant_name(v),
				   kvcache_variant_name(ref), cmds[i]);
		}
		if (i == 0)
			KTAP_CHECK(ok, ref >= 0 && ret[ref] == XDP_TX, "first command not a hit");
	}
	if (compared == 0)
		ktap_skip_test("variants_identical_output", "fewer than two variants load");
	else
		ktap_result(ok, "variants_identical_output");
}

/* ------------------------------ part B ------------------------------ */

static bool ns_exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat(path, &st) == 0;
}

struct e2e {
	struct topo t;
	struct memcached mc;
	struct kvcache kc;
	struct mc_client cl;
	bool topo_up, kc_up;
};

static int counters(struct e2e *e, struct kvcache_stats *s, uint64_t *get_hits)
{
	int err = kvcache_read_stats(&e->kc, s);

	return err ? err : mc_stat(&e->cl, "get_hits", get_hits);
}

static void e2e_teardown(struct e2e *e)
{
	mc_client_close(&e->cl);
	if (e->kc_up)
		kvcache_destroy(&e->kc);
	memcached_stop(&e->mc);
	if (e->topo_up)
		topo_destroy(&e->t);
}

#define E2E_TESTS 5

static void test_end_to_end(void)
{
	struct kvcache_config cfg = base_cfg;
	unsigned char r1[2048], r2[2048], want[2048];
	struct kvcache_stats s0, s1;
	uint64_t h0, h1;
	char big[1100], srv_ns[64], cli_ns[64];
	struct e2e e = { .cl = { .tcp = -1, .udp = -1 } };
	pid_t pid;
	int n1, n2, ok = 1, err;
	size_t wlen;

	if (!memcached_available()) {
		for (n1 = 0; n1 < E2E_TESTS; n1++)
			ktap_skip_test("e2e", "memcached is not installed (apt-get install memcached)");
		return;
	}
	err = topo_create(&e.t);
	if (err) {
		ktap_print("topo_create: %s", strerror(-err));
		for (n1 = 0; n1 < E2E_TESTS; n1++)
			ktap_result(0, "e2e");
		return;
	}
	e.topo_up = true;
	snprintf(srv_ns, sizeof(srv_ns), "%s", e.t.server.netns);
	snprintf(cli_ns, sizeof(cli_ns), "%s", e.t.client.netns);
	cfg.variant = KVC_TAIL_CONST;
	cfg.server_addr = e.t.server.addr.s_addr;
	err = kvcache_load(&e.kc, &cfg);
	e.kc_up = !err;
	if (!err)
		err = memcached_start(&e.mc, e.t.server.nsfd, e.t.server.addr, PORT, PORT, 2);
	if (!err)
		err = kvcache_attach(&e.kc, e.t.server.nsfd, e.t.server.ifindex, XDP_FLAGS_DRV_MODE);
	if (!err)
		err = kvcache_attach_peer_pass(&e.kc, e.t.client.nsfd, e.t.client.ifindex);
	if (!err)
		err = mc_client_open(&e.cl, e.t.client.nsfd, e.t.server.addr, PORT, PORT);
	ktap_result(!err, "e2e_setup_memcached_kvcache_on_veth");
	if (err) {
		ktap_print("setup: %s", strerror(-err));
		ok = 0;
		goto out;
	}

	/* 1: set over TCP, a UDP get misses and fills, the next one is XDP's */
	err = mc_set_tcp(&e.cl, "k1", 7, "hello, world", 12);
	KTAP_CHECK(ok, err == 0, "set k1: %d", err);
	counters(&e, &s0, &h0);
	n1 = mc_get_udp(&e.cl, "k1", r1, sizeof(r1));
	counters(&e, &s1, &h1);
	KTAP_CHECK(ok, n1 > 0, "first get: %d", n1);
	KTAP_CHECK(ok, s1.miss == s0.miss + 1 && s1.fill == s0.fill + 1 && h1 == h0 + 1,
		   "first get: miss %+lld fill %+lld get_hits %+lld, want +1 each",
		   (long long)(s1.miss - s0.miss), (long long)(s1.fill - s0.fill),
		   (long long)(h1 - h0));
	s0 = s1;
	h0 = h1;
	n2 = mc_get_udp(&e.cl, "k1", r2, sizeof(r2));
	counters(&e, &s1, &h1);
	KTAP_CHECK(ok, n2 > 0, "second get: %d", n2);
	KTAP_CHECK(ok, s1.hit == s0.hit + 1 && h1 == h0,
		   "second get: kvcache hits %+lld get_hits %+lld, want +1 and 0 (misses %+lld races %+lld grow_fail %+lld)",
		   (long long)(s1.hit - s0.hit), (long long)(h1 - h0),
		   (long long)(s1.miss - s0.miss), (long long)(s1.race - s0.race),
		   (long long)(s1.grow_fail - s0.grow_fail));
	ktap_result(ok, "e2e_miss_fills_then_xdp_hit");

	/* 2: the cached reply is memcached's, byte for byte (request ids aside) */
	ok = 1;
	wlen = expected(want, 0, "k1", 7, "hello, world", 12);
	KTAP_CHECK(ok, n1 == n2 && (size_t)n1 == wlen, "lengths %d %d, want %zu", n1, n2, wlen);
	KTAP_CHECK(ok, n1 > MC_UDP_HDR && n1 == n2 &&
		   !memcmp(r1 + 2, r2 + 2, (size_t)n1 - 2) && !memcmp(r1 + 2, want + 2, wlen - 2),
		   "replies differ: memcached '%.*s' cache '%.*s'", n1 - 8, r1 + 8, n2 - 8, r2 + 8);
	KTAP_CHECK(ok, r2[0] == r1[0] && r2[1] == (unsigned char)(r1[1] + 1),
		   "request id not echoed");
	ktap_result(ok, "e2e_cached_reply_identical_to_memcached");

	/* 3: a new value (TCP set, then UDP set) invalidates */
	ok = 1;
	err = mc_set_tcp(&e.cl, "k1", 8, "second value", 12);
	KTAP_CHECK(ok, err == 0, "set k1 again: %d", err);
	n1 = mc_get_udp(&e.cl, "k1", r1, sizeof(r1));	/* memcached's, refills */
	n2 = mc_get_udp(&e.cl, "k1", r2, sizeof(r2));	/* XDP's */
	wlen = expected(want, 0, "k1", 8, "second value", 12);
	KTAP_CHECK(ok, n1 == (int)wlen && n2 == (int)wlen &&
		   !memcmp(r1 + 2, want + 2, wlen - 2) && !memcmp(r2 + 2, want + 2, wlen - 2),
		   "after TCP set: '%.*s' / '%.*s'", n1 - 8, r1 + 8, n2 - 8, r2 + 8);
	err = mc_set_udp(&e.cl, "k1", 9, "third value", 11);
	KTAP_CHECK(ok, err == 0, "UDP set: %d", err);
	n1 = mc_get_udp(&e.cl, "k1", r1, sizeof(r1));
	wlen = expected(want, 0, "k1", 9, "third value", 11);
	KTAP_CHECK(ok, n1 == (int)wlen && !memcmp(r1 + 2, want + 2, wlen - 2),
		   "after UDP set: '%.*s'", n1 - 8, r1 + 8);
	err = mc_delete_tcp(&e.cl, "k1");
	n1 = mc_get_udp(&e.cl, "k1", r1, sizeof(r1));
	KTAP_CHECK(ok, !err && n1 == MC_UDP_HDR + 5 && !memcmp(r1 + 8, "END\r\n", 5),
		   "after delete: %d '%.*s'", n1, n1 - 8, r1 + 8);
	counters(&e, &s1, &h1);
	KTAP_CHECK(ok, s1.inval >= 3, "invalidations %llu", (unsigned long long)s1.inval);
	ktap_result(ok, "e2e_set_and_delete_invalidate");

	/* 4: a value above the limit is always memcached's */
	ok = 1;
	memset(big, 'B', sizeof(big));
	err = mc_set_tcp(&e.cl, "big", 0, big, sizeof(big));
	KTAP_CHECK(ok, err == 0, "set big: %d", err);
	counters(&e, &s0, &h0);
	n1 = mc_get_udp(&e.cl, "big", r1, sizeof(r1));
	n2 = mc_get_udp(&e.cl, "big", r2, sizeof(r2));
	counters(&e, &s1, &h1);
	wlen = expected(want, 0, "big", 0, big, sizeof(big));
	KTAP_CHECK(ok, n1 == (int)wlen && n2 == n1 && !memcmp(r2 + 2, want + 2, wlen - 2),
		   "big replies %d %d", n1, n2);
	KTAP_CHECK(ok, h1 == h0 + 2 && s1.hit == s0.hit && s1.fill_large == s0.fill_large + 2,
		   "big: get_hits %+lld hits %+lld fill_large %+lld, want +2 0 +2",
		   (long long)(h1 - h0), (long long)(s1.hit - s0.hit),
		   (long long)(s1.fill_large - s0.fill_large));
	ktap_result(ok, "e2e_large_value_bypasses");

out:
	pid = e.mc.pid;
	e2e_teardown(&e);
	ok = 1;
	KTAP_CHECK(ok, pid == 0 || (kill(pid, 0) < 0 && errno == ESRCH),
		   "memcached %d still there", pid);
	KTAP_CHECK(ok, !ns_exists(srv_ns) && !ns_exists(cli_ns), "namespace left behind");
	ktap_result(ok, "e2e_nothing_left_behind");
}

int main(void)
{
	int v, first = -1;

	ktap_plan(KVC_NR_VARIANTS + 8 + E2E_TESTS + 1);
	if (geteuid() != 0) {
		ktap_print("needs root (BPF, namespaces)");
		exit(KSFT_SKIP);
	}
	bpfutil_quiet_libbpf();
	test_load_variants();
	for (v = 0; v < KVC_NR_VARIANTS && first < 0; v++)
		if (loaded[v])
			first = v;
	if (first < 0) {
		for (v = 0; v < 8; v++)
			ktap_result(0, "no variant loads");
	} else {
		ktap_print("part A on variant %s", kvcache_variant_name(first));
		test_hit_reply(&kcs[first]);
		test_boundaries(&kcs[first]);
		test_passes(&kcs[first]);
		test_invalidation(&kcs[first]);
		test_variants_identical();
	}
	for (v = 0; v < KVC_NR_VARIANTS; v++)
		if (loaded[v])
			kvcache_destroy(&kcs[v]);
	test_end_to_end();
	ktap_finish();
}
