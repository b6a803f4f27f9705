/*
 * The memcached protocol for the load client (loadgen.h): one-key UDP gets
 * behind the 8-byte frame header, the request id carrying the low 16 bits
 * of the request number.  Two classes of request may be mixed: class 1
 * (e.g. a large value that only user space serves) every @every-th request.
 * Each reply must equal the reply expected for its key, byte for byte.
 *
 * The load client keeps one histogram; to split latency by class, this
 * protocol also timestamps each request when it builds it and each reply
 * when it checks it, into h[class] (requests numbered >= @warmup only).
 */
#ifndef OBENCH_LOADGEN_PROTO_MC_H
#define OBENCH_LOADGEN_PROTO_MC_H

#include <stddef.h>
#include <stdint.h>

#include "histogram.h"
#include "loadgen.h"
#include "mc_proto.h"

#define LG_MC_REQ_MAX	(MC_UDP_HDR + 4 + MC_KEY_MAX + 2)
#define LG_MC_SENT_RING	65536

struct lg_mc_class {
	char req[LG_MC_REQ_MAX];	/* the get, request id 0 */
	int req_len;
	char expect[MC_UDP_MAX];	/* the reply body (frame header excluded) */
	size_t expect_len;
	struct histogram *h;		/* NULL: not split out */
};

struct lg_mc {
	struct lg_mc_class c[2];
	unsigned int every;		/* 0: class 0 only */
	uint64_t warmup;
	uint64_t last;			/* highest request number built */
	uint64_t sent_ns[LG_MC_SENT_RING];
	uint64_t bad_class[2];		/* mismatches per class */
};

/*
 * Class @cls gets @key and expects the reply body @expect[0..@len) ("VALUE
 * ...END\r\n" or "END\r\n"); -1 if the key is invalid or it does not fit.
 */
int lg_mc_class(struct lg_mc *m, int cls, const char *key, const void *expect, size_t len,
		struct histogram *h);
/* @m's classes set with lg_mc_class(); requests every @every-th of class 1. */
void lg_mc_init(struct lg_proto *p, struct lg_mc *m, unsigned int every, uint64_t warmup);

#endif
