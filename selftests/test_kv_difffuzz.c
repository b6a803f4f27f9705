// SPDX-License-Identifier: GPL-2.0
/*
 * Differential fuzzing of kvcache's XDP memcached parser (issue 10): every
 * request -- corner cases of the ASCII protocol, mutations of them, random
 * bytes -- goes through the fast path (BPF_PROG_TEST_RUN) with the cache
 * holding what memcached holds.  When XDP answers, the same request goes to
 * a real memcached and the two answers must be byte-identical; when it does
 * not, the frame must go on to memcached untouched.  After each request the
 * cache is put back (writes acknowledged, turned on again, entries refilled)
 * so that every input meets a warm cache.  DIFFFUZZ_N inputs (default 5000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/bpf.h>
#include <sys/socket.h>

#include "harness.h"
#include "core/bpfutil.h"
#include "kv/kvcache.h"
#include "kv/mc_proto.h"
#include "kv/memcached.h"

#define HDRS	(sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))
#define MAXREQ	600

static const char *const seeds[] = {
	"get k0\r\n", "get k1\r\n", "get k2\r\n", "get kk\r\n", "get nothere\r\n",
	"get  k0\r\n", "get k0 \r\n", "get k0\n", "get k0\r", "GET k0\r\n", "get\tk0\r\n",
	"get k0 k1\r\n", "gets k0\r\n", "get k0\r\nget k1\r\n", "get k0\r\n\r\n",
	"set k0 0 0 1\r\nx\r\n", "delete k1\r\n", "incr k2 1\r\n", "touch k0 0\r\n",
	"flush_all\r\n", "mg k0 v\r\n", "stats\r\n", "version\r\n", "get \r\n", "get\r\n",
};
static const char alphabet[] = "getsk012 \r\n\t\x00\xff\x7fGETVALUE";

static struct {
	uint16_t port;
	struct memcached mc;
	struct mc_client cl;
	struct kvcache kc;
	int udp;
	unsigned long clears;		/* times the cache was emptied to be put back */
	char longkey[MC_KEY_MAX + 1];
} f;

static const char *key_name(int i)
{
	static const char *const k[] = { "k0", "k1", "k2" };

	return i < 3 ? k[i] : f.longkey;
}

static const char *value_of(int i)
{
	static const char *const v[] = { "v", "hello, kvcache", "0123456789abcdefghijklmnopqrstuvwxyz", "L" };

	return v[i];
}

/* A frame from 10.0.0.2:40000 to the cache's port with @len bytes of @payload. */
static size_t frame(unsigned char *b, const void *payload, size_t len)
{
	struct iphdr *ip = (struct iphdr *)(b + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	build_udp_frame(b, HDRS + len);
	memcpy(b + HDRS, payload, len);
	udp->source = htons(40000);
	udp->dest = htons(f.port);
	udp->len = htons((uint16_t)(sizeof(*udp) + len));
	ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + len));
	return HDRS + len;
}

/* The cache as memcached: on, every key in it. */
static int restore(uint16_t id)
{
	unsigned char b[HDRS + 64], hdr[MC_UDP_HDR + 8];
	struct iphdr *ip = (struct iphdr *)(b + sizeof(struct ethhdr));
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	size_t n;
	__u32 ret, a;
	__u16 p;
	int i, err = 0;

	/* acknowledge a write the input may have been */
	mc_udp_hdr_put(hdr, id);
	memcpy(hdr + MC_UDP_HDR, "STORED\r\n", 8);
	n = frame(b, hdr, sizeof(hdr));
	a = ip->saddr, ip->saddr = ip->daddr, ip->daddr = a;
	p = udp->source, udp->source = udp->dest, udp->dest = p;
	testrun_once(kvcache_fill_fd(&f.kc), b, n, NULL, NULL, &ret);
	kvcache_turn_on(&f.kc);
	for (i = 0; i < 4 && !err; i++) {
		err = kvcache_put(&f.kc, key_name(i), (uint32_t)i * 7, value_of(i), strlen(value_of(i)));
		if (err == -EAGAIN) {	/* a write held or poisoned the slot: start afresh */
			err = kvcache_clear(&f.kc);
			i = -1;
			f.clears++;
		}
	}
	return err;
}

static int setup(char *why, size_t len)
{
	struct kvcache_config cfg = { .variant = KVC_INLINED, .entries = 1024 };
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = lo };
	int i, err;

	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (BPF)");
	if (!memcached_available())
		return harness_reason(why, len, KSFT_SKIP, "memcached not installed");
	memset(f.longkey, 'L', MC_KEY_MAX);
	f.port = (uint16_t)(20000 + getpid() % 10000);
	cfg.port = f.port;
	err = memcached_start(&f.mc, -1, lo, f.port, f.port, 1);
	if (!err)
		err = mc_client_open(&f.cl, -1, lo, f.port, f.port);
	for (i = 0; i < 4 && !err; i++)
		err = mc_set_tcp(&f.cl, key_name(i), (uint32_t)i * 7, value_of(i), strlen(value_of(i)));
	if (!err)
		err = kvcache_load(&f.kc, &cfg);
	if (!err)
		err = restore(0);
	f.udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa.sin_port = htons(f.port);
	if (!err && (f.udp < 0 || connect(f.udp, (struct sockaddr *)&sa, sizeof(sa))))
		err = -errno;
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "set-up: %s", strerror(-err));
	return 0;
}

static void teardown(void)
{
	if (f.udp > 0)
		close(f.udp);
	kvcache_destroy(&f.kc);
	mc_client_close(&f.cl);
	memcached_stop(&f.mc);
}

/* The next input: a seed, mutated 0-4 times, or random bytes; its length. */
static size_t next_input(unsigned int *rng, char *buf)
{
	const char *s;
	size_t n, i, m;

	if (rand_r(rng) % 10 == 0) {
		n = 1 + (size_t)rand_r(rng) % 64;
		for (i = 0; i < n; i++)
			buf[i] = (char)(rand_r(rng) & 0xff);
		return n;
	}
	s = seeds[rand_r(rng) % (sizeof(seeds) / sizeof(seeds[0]))];
	if (rand_r(rng) % 3 == 0)	/* a third: a get of a cached key, so XDP answers often */
		s = seeds[rand_r(rng) % 4];
	n = strlen(s);
	memcpy(buf, s, n);
	for (m = (size_t)rand_r(rng) % 4; m > 0; m--) {
		size_t at = (size_t)rand_r(rng) % (n + 1);
		char c = alphabet[rand_r(rng) % (sizeof(alphabet) - 1)];

		switch (rand_r(rng) % 3) {
		case 0:	/* replace */
			if (at < n)
				buf[at] = c;
			break;
		case 1:	/* insert */
			if (n < MAXREQ - 1) {
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = c;
				n++;
			}
			break;
		default: /* delete */
			if (at < n) {
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
			}
		}
	}
	return n;
}

/* memcached's answer to @req (frame header included) in @rep; its length, -1 on none. */
static ssize_t ask_memcached(const unsigned char *req, size_t len, unsigned char *rep, size_t cap)
{
	struct timeval tv = { .tv_sec = 1 };

	setsockopt(f.udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(f.udp, req, len, 0) < 0)
		return -1;
	return recv(f.udp, rep, cap, 0);
}

TEST(xdp_answers_are_memcached_s_answers)
{
	static struct harness_once once;
	unsigned char in[HDRS + MAXREQ + MC_UDP_HDR], out[4096], mc[4096];
	char req[MAXREQ + MC_UDP_HDR];
	unsigned long n = getenv("DIFFFUZZ_N") ? strtoul(getenv("DIFFFUZZ_N"), NULL, 10) : 5000;
	unsigned long i, answered = 0, passed = 0, bad = 0;
	unsigned int rng = 0x5eed;
	size_t len, flen, olen;
	ssize_t mlen;
	__u32 ret;

	SETUP_ONCE(&once, setup);
	harness_at_end(teardown);
	for (i = 0; i < n; i++) {
		uint16_t id = (uint16_t)(i + 1);

		mc_udp_hdr_put((unsigned char *)req, id);
		len = next_input(&rng, req + MC_UDP_HDR) + MC_UDP_HDR;
		flen = frame(in, req, len);
		olen = sizeof(out);
		ASSERT(!testrun_once(kvcache_xdp_fd(&f.kc), in, flen, out, &olen, &ret), "test_run");
		if (ret == XDP_TX) {
			answered++;
			mlen = ask_memcached((unsigned char *)req, len, mc, sizeof(mc));
			if (mlen != (ssize_t)(olen - HDRS) || memcmp(mc, out + HDRS, (size_t)mlen)) {
				if (!bad++)
					TH_LOG("input %lu (%.*s): XDP answered %zu B, memcached %zd B", i,
					       (int)(len - MC_UDP_HDR), req + MC_UDP_HDR, olen - HDRS, mlen);
			}
		} else if (ret == XDP_PASS) {
			passed++;
			if (olen != flen || memcmp(in, out, flen)) {
				if (!bad++)
					TH_LOG("input %lu: passed on modified", i);
			}
		} else {
			if (!bad++)
				TH_LOG("input %lu: action %u", i, ret);
		}
		ASSERT(!restore(id), "the cache could not be put back after input %lu", i);
	}
	TH_LOG("%lu inputs: %lu answered by XDP and compared with memcached, %lu passed on untouched, %lu mismatches (cache emptied %lu times)",
	       n, answered, passed, bad, f.clears);
	EXPECT(answered > n / 20, "only %lu answered by XDP: the comparison saw too little", answered);
	EXPECT(bad == 0, "%lu inputs where XDP and memcached differ", bad);
}

TEST_HARNESS_MAIN
