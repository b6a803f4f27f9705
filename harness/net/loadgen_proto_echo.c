// SPDX-License-Identifier: GPL-2.0
/* The echo protocol for the load client: the reply must equal the request. */
#include <string.h>

#include "net/loadgen.h"

/* Payload of request @seq: the sequence number (little endian), then a pattern that depends on it. */
static size_t echo_build(void *ctx, uint64_t seq, uint8_t *buf, size_t cap)
{
	struct lg_echo *e = ctx;
	size_t n = e->size < cap ? e->size : cap, i;

	for (i = 0; i < 8 && i < n; i++)
		buf[i] = (uint8_t)(seq >> (8 * i));
	for (; i < n; i++)
		buf[i] = (uint8_t)(seq * 31 + i);
	return n;
}

static size_t echo_reply_len(void *ctx, const uint8_t *buf, size_t len)
{
	struct lg_echo *e = ctx;

	(void)buf;
	return len >= e->size ? e->size : 0;
}

static int echo_reply_seq(void *ctx, const uint8_t *rep, size_t len, uint64_t *seq)
{
	size_t i;

	(void)ctx;
	if (len < 8)
		return -1;
	for (*seq = 0, i = 0; i < 8; i++)
		*seq |= (uint64_t)rep[i] << (8 * i);
	return 0;
}

static int echo_check(void *ctx, uint64_t seq, const uint8_t *rep, size_t len)
{
	struct lg_echo *e = ctx;

	if (len != e->size)
		return -1;
	echo_build(e, seq, e->expect, sizeof(e->expect));
	return memcmp(rep, e->expect, len) ? -1 : 0;
}

void lg_echo_init(struct lg_proto *p, struct lg_echo *e, size_t size)
{
	e->size = size < 8 ? 8 : size > sizeof(e->expect) ? sizeof(e->expect) : size;
	*p = (struct lg_proto){
		.name = "echo", .ctx = e, .build = echo_build, .reply_len = echo_reply_len,
		.reply_seq = echo_reply_seq, .check = echo_check,
	};
}
