// SPDX-License-Identifier: GPL-2.0
/*
 * kvcache, the XDP cache in front of memcached (bpf/kvcache.bpf.c).
 *
 * Part A, through BPF_PROG_TEST_RUN with crafted frames, on each of the
 * five chaining variants (a fixture variant each): a cached key is
 * answered with the exact bytes memcached sends, addresses swapped; misses,
 * multi-key gets, sets and TCP pass unchanged; values above the limit are
 * never cached; set/delete (UDP at XDP, TCP at TC ingress) invalidate; and
 * the five give identical output frames.
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

#include "harness.h"
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

/* memcached's reply @body to request @req_id of udp_request(), through the fill program. */
static int udp_reply(struct kvcache *kc, const char *body, uint16_t req_id)
{
	struct frame f;
	struct iphdr *ip = (struct iphdr *)(f.b + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	__u32 a, ret;
	__u16 p;

	udp_request(&f, body, req_id);
	a = ip->saddr, ip->saddr = ip->daddr, ip->daddr = a;
	p = udp->source, udp->source = udp->dest, udp->dest = p;
	return testrun_once(kvcache_fill_fd(kc), f.b, f.len, NULL, NULL, &ret);
}

/* memcached's TCP reply @body to tcp_frame()'s connection, through the fill program. */
static int tcp_reply(struct kvcache *kc, const char *body)
{
	struct frame f;
	struct iphdr *ip = (struct iphdr *)(f.b + sizeof(struct ethhdr));
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	__u32 a, ret;
	__u16 p;

	tcp_frame(&f, body, strlen(body));
	a = ip->saddr, ip->saddr = ip->daddr, ip->daddr = a;
	p = tcp->source, tcp->source = tcp->dest, tcp->dest = p;
	return testrun_once(kvcache_fill_fd(kc), f.b, f.len, NULL, NULL, &ret);
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
static void check_reply(struct th_test *_t, const struct frame *in, const struct frame *out,
			const void *want, size_t wlen)
{
	const struct ethhdr *ie = (const void *)in->b, *oe = (const void *)out->b;
	const struct iphdr *ii = (const void *)(ie + 1), *oi = (const void *)(oe + 1);
	const struct udphdr *iu = (const void *)(ii + 1), *ou = (const void *)(oi + 1);

	ASSERT(out->len == HDRS + wlen, "reply frame %zu bytes, want %zu", out->len, HDRS + wlen);
	EXPECT(!memcmp(oe->h_dest, ie->h_source, ETH_ALEN) &&
	       !memcmp(oe->h_source, ie->h_dest, ETH_ALEN), "MACs not swapped");
	EXPECT(oi->saddr == ii->daddr && oi->daddr == ii->saddr, "IPs not swapped");
	EXPECT(ou->source == iu->dest && ou->dest == iu->source, "ports not swapped");
	EXPECT(ntohs(oi->tot_len) == sizeof(*oi) + sizeof(*ou) + wlen,
	       "ip tot_len %u", ntohs(oi->tot_len));
	EXPECT(ip_csum(oi) == 0, "bad IP checksum");
	EXPECT(ntohs(ou->len) == sizeof(*ou) + wlen, "udp len %u", ntohs(ou->len));
	EXPECT(ou->check == 0, "udp checksum %#x, want 0", ou->check);
	EXPECT(!memcmp(out->b + HDRS, want, wlen), "payload differs: %.*s",
	       (int)(out->len - HDRS - MC_UDP_HDR), out->b + HDRS + MC_UDP_HDR);
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
static void passes_unchanged(struct th_test *_t, int fd, const struct frame *in, const char *what)
{
	struct frame out;
	__u32 ret = 0;
	int err = run(fd, in, &out, &ret);

	EXPECT(!err, "%s: test_run %d", what, err);
	EXPECT(ret == XDP_PASS, "%s: action %u, want XDP_PASS", what, ret);
	EXPECT(out.len == in->len && !memcmp(out.b, in->b, in->len), "%s: frame modified", what);
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

static const struct kvcache_config base_cfg = { .port = PORT, .entries = 1024 };

/* ------------------------------ part A ------------------------------ */

/*
 * Every chaining variant, loaded once (the verifier takes a while) and
 * destroyed at the end.  A variant's cache is shared by its tests, which
 * run in the order they are declared; each test puts the entries it reads.
 */
static struct kvcache kcs[KVC_NR_VARIANTS];
static int load_err[KVC_NR_VARIANTS];

static void variants_destroy(void)
{
	int v;

	for (v = 0; v < KVC_NR_VARIANTS; v++)
		if (!load_err[v])
			kvcache_destroy(&kcs[v]);
}

static int variants_load(char *why, size_t len)
{
	int v;

	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (BPF, namespaces)");
	for (v = 0; v < KVC_NR_VARIANTS; v++) {
		struct kvcache_config cfg = base_cfg;

		cfg.variant = v;
		load_err[v] = kvcache_load(&kcs[v], &cfg);
	}
	harness_at_end(variants_destroy);
	return 0;
}

static struct harness_once variants_once;

FIXTURE(kvcache) {
	struct kvcache *kc;
};

FIXTURE_VARIANT(kvcache) {
	enum kvcache_variant v;
};

FIXTURE_VARIANT_ADD(kvcache, tail_const) { .v = KVC_TAIL_CONST };
FIXTURE_VARIANT_ADD(kvcache, tail_dyn) { .v = KVC_TAIL_DYN };
FIXTURE_VARIANT_ADD(kvcache, inlined) { .v = KVC_INLINED };
FIXTURE_VARIANT_ADD(kvcache, bpf2bpf) { .v = KVC_BPF2BPF };
FIXTURE_VARIANT_ADD(kvcache, global) { .v = KVC_GLOBAL };

FIXTURE_SETUP(kvcache)
{
	SETUP_ONCE(&variants_once, variants_load);
	self->kc = &kcs[variant->v];
	ASSERT(!load_err[variant->v], "variant %-10s verifier: REJECTED: %s",
	       kvcache_variant_name(variant->v), self->kc->verifier_log);
}

TEST_F(kvcache, load)
{
	TH_LOG("variant %-10s verifier: %s (all of the variant's XDP programs)",
	       kvcache_variant_name(variant->v), self->kc->verifier_log);
}

TEST_F(kvcache, hit_reply_bytes)
{
	static const char val[] = "hello kvcache";
	unsigned char want[FRAME_MAX];
	struct frame in, out;
	__u32 ret = 0;
	int err;

	err = kvcache_put(self->kc, "foo", 42, val, strlen(val));
	ASSERT(err == 0, "kvcache_put: %d", err);
	udp_request(&in, "get foo\r\n", 0xbeef);
	err = run(kvcache_xdp_fd(self->kc), &in, &out, &ret);
	ASSERT(!err && ret == XDP_TX, "test_run %d action %u, want XDP_TX", err, ret);
	check_reply(_t, &in, &out, want, expected(want, 0xbeef, "foo", 42, val, strlen(val)));
}

/* the longest key with the largest cacheable value: the biggest reply */
TEST_F(kvcache, hit_largest_entry)
{
	char key[251], val[1000], cmd[300];
	unsigned char want[FRAME_MAX];
	struct frame in, out;
	__u32 ret = 0;
	int err;

	memset(key, 'k', 250);
	key[250] = 0;
	memset(val, 'v', sizeof(val));
	err = kvcache_put(self->kc, key, 4294967295u, val, 1000);
	ASSERT(err == 0, "put 250-byte key, 1000-byte value: %d", err);
	snprintf(cmd, sizeof(cmd), "get %s\r\n", key);
	udp_request(&in, cmd, 7);
	err = run(kvcache_xdp_fd(self->kc), &in, &out, &ret);
	ASSERT(!err && ret == XDP_TX, "test_run %d action %u", err, ret);
	check_reply(_t, &in, &out, want, expected(want, 7, key, 4294967295u, val, 1000));
}

TEST_F(kvcache, value_above_limit_not_cached)
{
	char val[1001];
	struct frame in;
	int err;

	memset(val, 'v', sizeof(val));
	err = kvcache_put(self->kc, "big", 0, val, 1001);
	EXPECT(err == -E2BIG, "put of a 1001-byte value returned %d, want -E2BIG", err);
	udp_request(&in, "get big\r\n", 8);
	passes_unchanged(_t, kvcache_xdp_fd(self->kc), &in, "get big");
}

/* foo is cached: none of these may be answered from it */
TEST_F(kvcache, miss_multiget_other_pass_unchanged)
{
	static const char *const cmds[] = {
		"get nothere\r\n",		/* miss */
		"get foo bar\r\n",		/* two keys */
		"gets foo\r\n",			/* cas needs memcached */
		"stats\r\n",
		/* two requests in one datagram, no terminator: kvcache_flush_and_turning_off */
	};
	struct frame in;
	size_t i;

	ASSERT(kvcache_put(self->kc, "foo", 42, "hello kvcache", 13) == 0, "kvcache_put foo");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		udp_request(&in, cmds[i], 100 + i);
		passes_unchanged(_t, kvcache_xdp_fd(self->kc), &in, cmds[i]);
	}
}

TEST_F(kvcache, tcp_and_other_ports_pass_unchanged)
{
	struct frame in;

	ASSERT(kvcache_put(self->kc, "foo", 42, "hello kvcache", 13) == 0, "kvcache_put foo");
	/* "get foo" over TCP is memcached's, even though foo is cached */
	tcp_frame(&in, "get foo\r\n", 9);
	passes_unchanged(_t, kvcache_xdp_fd(self->kc), &in, "tcp get");
	/* a UDP get to another port */
	udp_request(&in, "get foo\r\n", 1);
	((struct udphdr *)(in.b + sizeof(struct ethhdr) + sizeof(struct iphdr)))->dest = htons(PORT + 1);
	passes_unchanged(_t, kvcache_xdp_fd(self->kc), &in, "other port");
}

TEST_F(kvcache, udp_set_delete_invalidate)
{
	static const char *const udp_cmds[] = {
		"set inv 0 0 3\r\nabc\r\n", "delete inv\r\n", "append inv 0 0 1\r\nx\r\n",
		"incr inv 1\r\n", "touch inv 0\r\n", "cas inv 0 0 1 5\r\nx\r\n",
		"prepend inv 0 0 1\r\nx\r\n", "replace inv 0 0 1\r\nx\r\n",
		"add inv 0 0 1\r\nx\r\n", "decr inv 1\r\n",
	};
	struct kvcache *kc = self->kc;
	struct kvcache_stats s0, s1;
	struct frame in;
	size_t i;
	int err;

	kvcache_read_stats(kc, &s0);
	for (i = 0; i < sizeof(udp_cmds) / sizeof(udp_cmds[0]); i++) {
		err = kvcache_put(kc, "inv", 1, "old", 3);
		EXPECT(!err && is_hit(kc, "inv") == 1, "not cached before: %s", udp_cmds[i]);
		udp_request(&in, udp_cmds[i], 200 + i);
		passes_unchanged(_t, kvcache_xdp_fd(kc), &in, udp_cmds[i]);
		EXPECT(is_hit(kc, "inv") == 0, "still cached after UDP %s", udp_cmds[i]);
		/* not acknowledged yet: no fill may store the key */
		err = kvcache_put(kc, "inv", 1, "old", 3);
		EXPECT(err == -EAGAIN, "filled (%d) while %s is unacknowledged", err, udp_cmds[i]);
		EXPECT(!udp_reply(kc, "STORED\r\n", 200 + i), "ack of %s", udp_cmds[i]);
	}
	/* a set of another key leaves this one alone */
	err = kvcache_put(kc, "inv", 1, "old", 3);
	udp_request(&in, "set inw 0 0 3\r\nabc\r\n", 300);
	passes_unchanged(_t, kvcache_xdp_fd(kc), &in, "set inw");
	EXPECT(!err && is_hit(kc, "inv") == 1, "set of another key invalidated inv");
	EXPECT(!udp_reply(kc, "STORED\r\n", 300), "ack of set inw");
	kvcache_read_stats(kc, &s1);
	EXPECT(s1.inval - s0.inval == sizeof(udp_cmds) / sizeof(udp_cmds[0]) + 1,
	       "invalidations counted %llu", (unsigned long long)(s1.inval - s0.inval));
}

/*
 * The stale-fill race, step by step: a get misses, a set of its key arrives
 * and is acknowledged, then memcached's reply to the get (the old value)
 * leaves.  It must not fill.
 */
TEST_F(kvcache, reply_older_than_a_write_does_not_fill)
{
	struct kvcache *kc = self->kc;
	struct kvcache_stats s0, s1;
	struct frame in, out;
	unsigned char old[FRAME_MAX];
	size_t n;
	__u32 ret;

	udp_request(&in, "get race\r\n", 400);
	ASSERT(!run(kvcache_xdp_fd(kc), &in, &out, &ret) && ret == XDP_PASS, "get race: miss");
	udp_request(&in, "set race 0 0 3\r\nnew\r\n", 401);
	passes_unchanged(_t, kvcache_xdp_fd(kc), &in, "set race");
	EXPECT(!udp_reply(kc, "STORED\r\n", 401), "ack");
	n = expected(old, 400, "race", 0, "old", 3);
	old[n] = 0;
	kvcache_read_stats(kc, &s0);
	EXPECT(!udp_reply(kc, (char *)old + MC_UDP_HDR, 400), "old reply");
	kvcache_read_stats(kc, &s1);
	EXPECT(s1.fill == s0.fill && s1.fill_race == s0.fill_race + 1,
	       "the old reply: fills %+lld refused %+lld, want 0 and +1",
	       (long long)(s1.fill - s0.fill), (long long)(s1.fill_race - s0.fill_race));
	EXPECT(is_hit(kc, "race") == 0, "the old value is served");
}

/* noreply and expiring writes: never acknowledged, or gone later: the slot is never filled again */
TEST_F(kvcache, noreply_and_expiring_writes_poison_the_slot)
{
	static const char *const cmds[] = {
		"set nr 0 0 1 noreply\r\nx\r\n", "set ex 0 5 1\r\nx\r\n", "touch tc 9\r\n",
	};
	static const char *const keys[] = { "nr", "ex", "tc" };
	struct kvcache *kc = self->kc;
	struct frame in;
	size_t i;
	int err;

	for (i = 0; i < 3; i++) {
		udp_request(&in, cmds[i], 500 + i);
		passes_unchanged(_t, kvcache_xdp_fd(kc), &in, cmds[i]);
		udp_reply(kc, "STORED\r\n", 500 + i);
		err = kvcache_put(kc, keys[i], 0, "v", 1);
		EXPECT(err == -EAGAIN, "%s: filled (%d) after %s", keys[i], err, cmds[i]);
	}
}

TEST_F(kvcache, tcp_set_delete_invalidate_at_tc_ingress)
{
	struct kvcache *kc = self->kc;
	struct frame in;
	size_t i;
	int err;

	for (i = 0; i < 2; i++) {
		__u32 ret = 99;

		err = kvcache_put(kc, "inv", 1, "old", 3);
		EXPECT(!err && is_hit(kc, "inv") == 1, "not cached before TCP command");
		tcp_frame(&in, i ? "delete inv\r\n" : "set inv 0 0 3\r\nnew\r\n", i ? 12 : 20);
		err = testrun_once(kvcache_inval_fd(kc), in.b, in.len, NULL, NULL, &ret);
		EXPECT(!err && ret == 0 /* TC_ACT_OK */, "tc ingress %d ret %u", err, ret);
		EXPECT(is_hit(kc, "inv") == 0, "still cached after TCP command %zu", i);
		err = kvcache_put(kc, "inv", 1, "old", 3);
		EXPECT(err == -EAGAIN, "filled (%d) while TCP command %zu is unacknowledged", err, i);
		EXPECT(!tcp_reply(kc, i ? "DELETED\r\n" : "STORED\r\n"), "ack of TCP command %zu", i);
	}
}

/* Every variant: same entries, same frames -> same actions, same bytes. */
/* A fresh inlined cache (@unsafe: fills as before the tickets) with "foo" cached. */
static int fresh_cache(struct kvcache *kc, bool unsafe)
{
	struct kvcache_config cfg = base_cfg;

	cfg.variant = KVC_INLINED;
	cfg.unsafe_fills = unsafe;
	if (kvcache_load(kc, &cfg))
		return -1;
	if (kvcache_put(kc, "foo", 0, "bar", 3) || is_hit(kc, "foo") != 1) {
		kvcache_destroy(kc);
		return -1;
	}
	return 0;
}

/* flush_all drops every entry; what the cache cannot follow turns it off, and it says why */
TEST(kvcache_flush_and_turning_off)
{
	static const struct { const char *cmd; bool tcp; const char *why; } cases[] = {
		{ "flush_all\r\n", false, NULL },
		{ "ms foo 2\r\nhi\r\n", false, "meta" },
		{ "get foo\r\nset foo 0 0 1\r\nx\r\n", false, "several commands" },
		{ "get foo\r\nget foo\r\n", false, "several commands" },
		{ "get foo", false, "unknown" },
		{ "delete a\r\ndelete foo\r\n", true, "several commands" },
		{ "\x80\x01\x00\x03", true, "does not start a command" },
	};
	struct kvcache kc;
	struct frame in;
	size_t i;
	__u32 ret;

	if (geteuid() != 0)
		SKIP(return, "needs root (BPF)");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why;

		ASSERT(!fresh_cache(&kc, false), "load and fill a fresh cache");
		if (cases[i].tcp) {
			tcp_frame(&in, cases[i].cmd, strlen(cases[i].cmd));
			testrun_once(kvcache_inval_fd(&kc), in.b, in.len, NULL, NULL, &ret);
		} else {
			udp_request(&in, cases[i].cmd, 600);
			passes_unchanged(_t, kvcache_xdp_fd(&kc), &in, cases[i].cmd);
		}
		EXPECT(is_hit(&kc, "foo") == 0, "foo still served after %s", cases[i].cmd);
		why = kvcache_off_reason(&kc);
		if (cases[i].why)
			EXPECT(why && strstr(why, cases[i].why), "off reason after %s: %s",
			       cases[i].cmd, why ? why : "(on)");
		else
			EXPECT(!why && !kvcache_put(&kc, "foo", 0, "baz", 3),
			       "after %s: off (%s) or cannot fill again", cases[i].cmd,
			       why ? why : "on");
		kvcache_destroy(&kc);
	}
}

/* The test-only switch brings the race back: the step-by-step race then fills the old value. */
TEST(kvcache_unsafe_fills_store_the_old_value)
{
	unsigned char old[FRAME_MAX];
	struct kvcache kc;
	struct frame in, out;
	size_t n;
	__u32 ret;

	if (geteuid() != 0)
		SKIP(return, "needs root (BPF)");
	ASSERT(!fresh_cache(&kc, true), "load an unsafe cache");
	udp_request(&in, "get race\r\n", 400);
	run(kvcache_xdp_fd(&kc), &in, &out, &ret);
	udp_request(&in, "set race 0 0 3\r\nnew\r\n", 401);
	run(kvcache_xdp_fd(&kc), &in, &out, &ret);
	udp_reply(&kc, "STORED\r\n", 401);
	n = expected(old, 400, "race", 0, "old", 3);
	old[n] = 0;
	udp_reply(&kc, (char *)old + MC_UDP_HDR, 400);
	EXPECT(is_hit(&kc, "race") == 1, "unsafe fills did not store the old value");
	kvcache_destroy(&kc);
}

TEST(kvcache_variants_identical_output)
{
	static const char *const cmds[] = {
		"get foo\r\n", "get nothere\r\n", "get foo bar\r\n", "set x 0 0 1\r\ny\r\n",
		"get same\r\n",
	};
	struct frame in, out[KVC_NR_VARIANTS];
	__u32 ret[KVC_NR_VARIANTS];
	size_t i;
	int v, ref = -1, compared = 0;

	SETUP_ONCE(&variants_once, variants_load);
	for (v = 0; v < KVC_NR_VARIANTS; v++)
		if (!load_err[v]) {
			kvcache_put(&kcs[v], "foo", 3, "bar", 3);
			kvcache_put(&kcs[v], "same", 0, "value of same", 13);
		}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		udp_request(&in, cmds[i], 0x4242);
		ref = -1;
		for (v = 0; v < KVC_NR_VARIANTS; v++) {
			int err;

			if (load_err[v])
				continue;
			err = run(kvcache_xdp_fd(&kcs[v]), &in, &out[v], &ret[v]);
			EXPECT(!err, "%s: test_run %d on %s", kvcache_variant_name(v), err, cmds[i]);
			if (err)
				continue;
			if (ref < 0) {
				ref = v;
				continue;
			}
			compared++;
			EXPECT(ret[v] == ret[ref] && out[v].len == out[ref].len &&
			       !memcmp(out[v].b, out[ref].b, out[v].len),
			       "%s differs from %s on %s", kvcache_variant_name(v),
			       kvcache_variant_name(ref), cmds[i]);
		}
		if (i == 0)
			EXPECT(ref >= 0 && ret[ref] == XDP_TX, "first command not a hit");
	}
	if (compared == 0)
		SKIP(return, "fewer than two variants load");
}

/* ------------------------------ part B ------------------------------ */

static bool ns_exists(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat(path, &st) == 0;
}

/* memcached and kvcache (tail-const) on the server side of a veth pair, built once. */
static struct e2e {
	struct topo t;
	struct memcached mc;
	struct kvcache kc;
	struct mc_client cl;
	bool topo_up, kc_up;
	char srv_ns[64], cli_ns[64];	/* the topology's namespaces, once created */
} e2e = { .cl = { .tcp = -1, .udp = -1 } };

static int counters(struct e2e *e, struct kvcache_stats *s, uint64_t *get_hits)
{
	int err = kvcache_read_stats(&e->kc, s);

	return err ? err : mc_stat(&e->cl, "get_hits", get_hits);
}

/* Safe to call twice: e2e_nothing_left_behind calls it, then the harness at the end. */
static void e2e_teardown(void)
{
	mc_client_close(&e2e.cl);
	if (e2e.kc_up)
		kvcache_destroy(&e2e.kc);
	e2e.kc_up = false;
	memcached_stop(&e2e.mc);
	if (e2e.topo_up)
		topo_destroy(&e2e.t);
	e2e.topo_up = false;
}

static int e2e_build(char *why, size_t len)
{
	struct kvcache_config cfg = base_cfg;
	struct e2e *e = &e2e;
	int err;

	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (BPF, namespaces)");
	if (!memcached_available())
		return harness_reason(why, len, KSFT_SKIP,
				      "memcached is not installed (apt-get install memcached)");
	err = topo_create(&e->t);
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "topo_create: %s", strerror(-err));
	e->topo_up = true;
	harness_at_end(e2e_teardown);
	snprintf(e->srv_ns, sizeof(e->srv_ns), "%s", e->t.server.netns);
	snprintf(e->cli_ns, sizeof(e->cli_ns), "%s", e->t.client.netns);
	cfg.variant = KVC_TAIL_CONST;
	cfg.server_addr = e->t.server.addr.s_addr;
	err = kvcache_load(&e->kc, &cfg);
	e->kc_up = !err;
	if (!err)
		err = memcached_start(&e->mc, e->t.server.nsfd, e->t.server.addr, PORT, PORT, 2);
	if (!err)
		err = kvcache_attach(&e->kc, e->t.server.nsfd, e->t.server.ifindex, XDP_FLAGS_DRV_MODE);
	if (!err)
		err = kvcache_attach_peer_pass(&e->kc, e->t.client.nsfd, e->t.client.ifindex);
	if (!err)
		err = mc_client_open(&e->cl, e->t.client.nsfd, e->t.server.addr, PORT, PORT);
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "setup: %s", strerror(-err));
	return 0;
}

static struct harness_once e2e_once;

TEST(e2e_setup_memcached_kvcache_on_veth)
{
	SETUP_ONCE(&e2e_once, e2e_build);
}

FIXTURE(e2e) {
	struct e2e *e;
};

FIXTURE_SETUP(e2e)
{
	SETUP_ONCE(&e2e_once, e2e_build);
	self->e = &e2e;
}

/* set over TCP, a UDP get misses and fills, the next one is XDP's */
TEST_F(e2e, miss_fills_then_xdp_hit)
{
	unsigned char r1[2048], r2[2048];
	struct kvcache_stats s0, s1;
	uint64_t h0, h1;
	int n1, n2, err;

	err = mc_set_tcp(&self->e->cl, "k1", 7, "hello, world", 12);
	EXPECT(err == 0, "set k1: %d", err);
	counters(self->e, &s0, &h0);
	n1 = mc_get_udp(&self->e->cl, "k1", r1, sizeof(r1));
	counters(self->e, &s1, &h1);
	EXPECT(n1 > 0, "first get: %d", n1);
	EXPECT(s1.miss == s0.miss + 1 && s1.fill == s0.fill + 1 && h1 == h0 + 1,
	       "first get: miss %+lld fill %+lld get_hits %+lld, want +1 each",
	       (long long)(s1.miss - s0.miss), (long long)(s1.fill - s0.fill),
	       (long long)(h1 - h0));
	s0 = s1;
	h0 = h1;
	n2 = mc_get_udp(&self->e->cl, "k1", r2, sizeof(r2));
	counters(self->e, &s1, &h1);
	EXPECT(n2 > 0, "second get: %d", n2);
	EXPECT(s1.hit == s0.hit + 1 && h1 == h0,
	       "second get: kvcache hits %+lld get_hits %+lld, want +1 and 0 (misses %+lld races %+lld grow_fail %+lld)",
	       (long long)(s1.hit - s0.hit), (long long)(h1 - h0),
	       (long long)(s1.miss - s0.miss), (long long)(s1.race - s0.race),
	       (long long)(s1.grow_fail - s0.grow_fail));
}

/* the cached reply is memcached's, byte for byte (request ids aside) */
TEST_F(e2e, cached_reply_identical_to_memcached)
{
	unsigned char r1[2048], r2[2048], want[2048];
	size_t wlen = expected(want, 0, "k1", 7, "hello, world", 12);
	int n1, n2, err;

	/* a TCP set drops whatever is cached: the first get is memcached's, the second XDP's */
	err = mc_set_tcp(&self->e->cl, "k1", 7, "hello, world", 12);
	ASSERT(err == 0, "set k1: %d", err);
	n1 = mc_get_udp(&self->e->cl, "k1", r1, sizeof(r1));
	n2 = mc_get_udp(&self->e->cl, "k1", r2, sizeof(r2));
	EXPECT(n1 == n2 && (size_t)n1 == wlen, "lengths %d %d, want %zu", n1, n2, wlen);
	EXPECT(n1 > MC_UDP_HDR && n1 == n2 &&
	       !memcmp(r1 + 2, r2 + 2, (size_t)n1 - 2) && !memcmp(r1 + 2, want + 2, wlen - 2),
	       "replies differ: memcached '%.*s' cache '%.*s'", n1 - 8, r1 + 8, n2 - 8, r2 + 8);
	EXPECT(r2[0] == r1[0] && r2[1] == (unsigned char)(r1[1] + 1), "request id not echoed");
}

/* a new value (TCP set, then UDP set) invalidates */
TEST_F(e2e, set_and_delete_invalidate)
{
	unsigned char r1[2048], r2[2048], want[2048];
	struct kvcache_stats s1;
	uint64_t h1;
	size_t wlen;
	int n1, n2, err;

	err = mc_set_tcp(&self->e->cl, "k1", 8, "second value", 12);
	EXPECT(err == 0, "set k1 again: %d", err);
	n1 = mc_get_udp(&self->e->cl, "k1", r1, sizeof(r1));	/* memcached's, refills */
	n2 = mc_get_udp(&self->e->cl, "k1", r2, sizeof(r2));	/* XDP's */
	wlen = expected(want, 0, "k1", 8, "second value", 12);
	EXPECT(n1 == (int)wlen && n2 == (int)wlen &&
	       !memcmp(r1 + 2, want + 2, wlen - 2) && !memcmp(r2 + 2, want + 2, wlen - 2),
	       "after TCP set: '%.*s' / '%.*s'", n1 - 8, r1 + 8, n2 - 8, r2 + 8);
	err = mc_set_udp(&self->e->cl, "k1", 9, "third value", 11);
	EXPECT(err == 0, "UDP set: %d", err);
	n1 = mc_get_udp(&self->e->cl, "k1", r1, sizeof(r1));
	wlen = expected(want, 0, "k1", 9, "third value", 11);
	EXPECT(n1 == (int)wlen && !memcmp(r1 + 2, want + 2, wlen - 2),
	       "after UDP set: '%.*s'", n1 - 8, r1 + 8);
	err = mc_delete_tcp(&self->e->cl, "k1");
	n1 = mc_get_udp(&self->e->cl, "k1", r1, sizeof(r1));
	EXPECT(!err && n1 == MC_UDP_HDR + 5 && !memcmp(r1 + 8, "END\r\n", 5),
	       "after delete: %d '%.*s'", n1, n1 - 8, r1 + 8);
	counters(self->e, &s1, &h1);
	EXPECT(s1.inval >= 3, "invalidations %llu", (unsigned long long)s1.inval);
}

/* a value above the limit is always memcached's */
TEST_F(e2e, large_value_bypasses)
{
	unsigned char r1[2048], r2[2048], want[2048];
	struct kvcache_stats s0, s1;
	uint64_t h0, h1;
	char big[1100];
	size_t wlen;
	int n1, n2, err;

	memset(big, 'B', sizeof(big));
	err = mc_set_tcp(&self->e->cl, "big", 0, big, sizeof(big));
	EXPECT(err == 0, "set big: %d", err);
	counters(self->e, &s0, &h0);
	n1 = mc_get_udp(&self->e->cl, "big", r1, sizeof(r1));
	n2 = mc_get_udp(&self->e->cl, "big", r2, sizeof(r2));
	counters(self->e, &s1, &h1);
	wlen = expected(want, 0, "big", 0, big, sizeof(big));
	EXPECT(n1 == (int)wlen && n2 == n1 && !memcmp(r2 + 2, want + 2, wlen - 2),
	       "big replies %d %d", n1, n2);
	EXPECT(h1 == h0 + 2 && s1.hit == s0.hit && s1.fill_large == s0.fill_large + 2,
	       "big: get_hits %+lld hits %+lld fill_large %+lld, want +2 0 +2",
	       (long long)(h1 - h0), (long long)(s1.hit - s0.hit),
	       (long long)(s1.fill_large - s0.fill_large));
}

/* Tears the end-to-end set-up down: no memcached, no namespace remains. */
TEST(e2e_nothing_left_behind)
{
	pid_t pid = e2e.mc.pid;

	if (!e2e.srv_ns[0])
		SKIP(return, "no topology was created");
	e2e_teardown();
	EXPECT(pid == 0 || (kill(pid, 0) < 0 && errno == ESRCH), "memcached %d still there", pid);
	EXPECT(!ns_exists(e2e.srv_ns) && !ns_exists(e2e.cli_ns), "namespace left behind");
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
