/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load client: sends requests over a connected UDP or TCP socket, closed
 * loop (one outstanding request) or open loop (Poisson arrivals at a rate),
 * records each request's latency in a histogram, counts losses (timeouts) and
 * checks every reply against the request byte for byte.
 *
 * The protocol is a small struct of callbacks (struct lg_proto), so another
 * request/reply format (memcached) plugs in without touching the loops.
 */
#ifndef OBENCH_LOADGEN_H
#define OBENCH_LOADGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/histogram.h"

struct lg_proto {
	const char *name;
	void *ctx;
	/* Writes request number @seq into @buf (at most @cap bytes); returns its length. */
	size_t (*build)(void *ctx, uint64_t seq, uint8_t *buf, size_t cap);
	/* Length of the complete reply at the start of @buf, 0 while incomplete (TCP). */
	size_t (*reply_len)(void *ctx, const uint8_t *buf, size_t len);
	/* The request number a complete reply answers; -1 if it carries none. */
	int (*reply_seq)(void *ctx, const uint8_t *rep, size_t len, uint64_t *seq);
	/* 0 when @rep is exactly the reply expected for request @seq. */
	int (*check)(void *ctx, uint64_t seq, const uint8_t *rep, size_t len);
};

struct lg_params {
	bool stream;		/* TCP (byte stream) rather than UDP datagrams */
	bool open_loop;		/* Poisson arrivals at @rate instead of one outstanding */
	double rate;		/* open loop: requests per second */
	uint64_t requests;	/* measured requests (0: until @duration_s) */
	double duration_s;	/* used when @requests is 0 */
	uint64_t warmup;	/* requests sent first and not recorded */
	int timeout_ms;		/* a reply later than this is lost */
	int cpu;		/* pin the client thread (-1: don't) */
};

struct lg_result {
	uint64_t sent, received, lost, mismatched, late;
	double elapsed_s;	/* measured phase */
};

/*
 * Runs the load on @fd (connected).  Latencies (ns) of measured requests go
 * into @h.  Returns 0, -EINTR when interrupted, -ETIMEDOUT when a TCP reply
 * never came (the stream cannot be resynchronised), or a negative errno.
 */
int loadgen_run(int fd, const struct lg_proto *p, const struct lg_params *prm,
		struct histogram *h, struct lg_result *res);

/* The echo protocol: @size-byte payloads (>= 8) carrying the sequence number. */
struct lg_echo {
	size_t size;
	uint8_t expect[65536];
};
void lg_echo_init(struct lg_proto *p, struct lg_echo *e, size_t size);

#endif
