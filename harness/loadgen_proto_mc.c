/* The memcached UDP get protocol for the load client (loadgen_proto_mc.h). */
#include "loadgen_proto_mc.h"

#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int class_of(const struct lg_mc *m, uint64_t seq)
{
	return m->every && seq % m->every == m->every - 1;
}

static size_t mc_build(void *ctx, uint64_t seq, uint8_t *buf, size_t cap)
{
	struct lg_mc *m = ctx;
	const struct lg_mc_class *c = &m->c[class_of(m, seq)];

	if ((size_t)c->req_len > cap)
		return 0;
	memcpy(buf, c->req, (size_t)c->req_len);
	buf[0] = (uint8_t)(seq >> 8);
	buf[1] = (uint8_t)seq;
	m->last = seq;
	m->sent_ns[seq % LG_MC_SENT_RING] = now_ns();
	return (size_t)c->req_len;
}

static size_t mc_reply_len(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return len;	/* UDP only: one datagram is one reply */
}

/* The latest request number whose low 16 bits are the reply's request id. */
static int mc_reply_seq(void *ctx, const uint8_t *rep, size_t len, uint64_t *seq)
{
	struct lg_mc *m = ctx;
	uint16_t id;

	if (len < MC_UDP_HDR)
		return -1;
	id = (uint16_t)(rep[0] << 8 | rep[1]);
	if ((uint16_t)(m->last - id) > m->last)
		return -1;	/* an id not sent yet */
	*seq = m->last - (uint16_t)(m->last - id);
	return 0;
}

static int mc_check(void *ctx, uint64_t seq, const uint8_t *rep, size_t len)
{
	struct lg_mc *m = ctx;
	int cls = class_of(m, seq);
	const struct lg_mc_class *c = &m->c[cls];
	struct mc_udp_hdr h;

	if (mc_udp_hdr_get(rep, len, &h) || h.req_id != (uint16_t)seq || h.seq != 0 ||
	    h.total != 1 || h.reserved != 0 || len - MC_UDP_HDR != c->expect_len ||
	    memcmp(rep + MC_UDP_HDR, c->expect, c->expect_len)) {
		m->bad_class[cls]++;
		return -1;
	}
	if (c->h && seq >= m->warmup)
		hist_record(c->h, now_ns() - m->sent_ns[seq % LG_MC_SENT_RING]);
	return 0;
}

int lg_mc_class(struct lg_mc *m, int cls, const char *key, const void *expect, size_t len,
		struct histogram *h)
{
	struct lg_mc_class *c = &m->c[cls & 1];

	c->req_len = mc_build_get(c->req, sizeof(c->req), true, 0, key);
	if (c->req_len < 0 || len > sizeof(c->expect))
		return -1;
	memcpy(c->expect, expect, len);
	c->expect_len = len;
	c->h = h;
	return 0;
}

void lg_mc_init(struct lg_proto *p, struct lg_mc *m, unsigned int every, uint64_t warmup)
{
	m->every = every;
	m->warmup = warmup;
	m->last = 0;
	m->bad_class[0] = m->bad_class[1] = 0;
	*p = (struct lg_proto){
		.name = "memcached-udp", .ctx = m, .build = mc_build, .reply_len = mc_reply_len,
		.reply_seq = mc_reply_seq, .check = mc_check,
	};
}
