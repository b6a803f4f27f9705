// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what the memcached load client and the consistency
 * checker read from the network -- a UDP reply (frame header and body) to
 * the load client's get or set (loadgen_proto_mc.c's reply_seq and check,
 * both workloads), and a get reply body (mc_parse_get_reply).  Whatever
 * memcached (or anything on its port) sends, parsing must not crash or trip
 * a sanitizer; a reply that is not the expected one is counted, not trusted.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"

static struct lg_mcw w;
static struct lg_proto pw, p1;
static struct lg_mc m;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char val[] = "hello, memcached";
	struct lg_mcw_cfg c = { .keys = { 4, 2 }, .value_size = { 16, 1100 }, .frac1 = 0.3,
				.set_ratio = 0.2, .seed = 7 };
	char expect[256];
	int n;

	(void)argc;
	(void)argv;
	if (lg_mcw_init(&pw, &w, &c, 0, NULL, NULL))
		abort();
	n = mc_build_value_reply(expect, sizeof(expect), "k", 0, val, sizeof(val) - 1);
	if (n < 0 || lg_mc_class(&m, 0, "k", expect, (size_t)n, NULL))
		abort();
	lg_mc_init(&p1, &m, 0, 0);
	return 0;
}

static void one(const struct lg_proto *p, const uint8_t *data, size_t size)
{
	uint8_t req[LG_MC_REQ_MAX + 2048];
	uint64_t seq, i;

	/* a few requests out, so that reply ids map to sequence numbers */
	for (i = 0; i < 4; i++)
		p->build(p->ctx, i, req, sizeof(req));
	if (p->reply_len(p->ctx, data, size) && !p->reply_seq(p->ctx, data, size, &seq))
		p->check(p->ctx, seq, data, size);
	p->check(p->ctx, size % 4, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mc_value v;

	one(&pw, data, size);
	one(&p1, data, size);
	mc_parse_get_reply((const char *)data, size, &v);
	return 0;
}
