/* SPDX-License-Identifier: GPL-2.0 */
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

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "core/histogram.h"
#include "net/loadgen.h"
#include "kv/mc_proto.h"

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

/*
 * A load client in a thread of its own: loadgen_run() of one-key gets for
 * @key, each reply checked against @expect, on the connected UDP socket @fd,
 * which it takes over (closed by lg_mc_thread_join(), or at once when the
 * start fails).  For background load beside a measurement, or several
 * clients at once.
 */
struct lg_mc_thread {
	pthread_t th;
	int fd;
	struct lg_mc m;
	struct lg_proto p;
	struct lg_params prm;
	struct histogram h;		/* latency of its measured requests */
	struct lg_result res;
	int err;			/* loadgen_run()'s */
};

int lg_mc_thread_start(struct lg_mc_thread *t, int fd, const char *key, const void *expect,
		       size_t len, const struct lg_params *prm);
/* Waits for the thread and closes its socket; loadgen_run()'s result. */
int lg_mc_thread_join(struct lg_mc_thread *t);

/*
 * A fuller memcached workload (struct lg_mcw): two classes of keys (class 0:
 * small values the fast path may serve; class 1: large values only user
 * space serves), each with its own value size and number of keys; a request
 * is of class 1 with probability @frac1; within its class the key follows a
 * uniform (@zipf_s 0) or Zipf(@zipf_s) popularity; a fraction @set_ratio of
 * requests are UDP sets that rewrite the key's own value (so every get
 * reply stays predictable byte for byte), the rest one-key UDP gets.
 * Latency per class of get goes to h[class] (requests numbered >= warmup).
 */
struct lg_mcw_cfg {
	unsigned int keys[2];		/* keys per class (>= 1 where frac1 needs it) */
	size_t value_size[2];		/* value bytes per class */
	double frac1;			/* fraction of requests of class 1, 0..1 */
	double zipf_s;			/* 0: uniform popularity */
	double set_ratio;		/* fraction of requests that are sets, 0..1 */
	uint64_t seed;
};

struct lg_mcw_key {
	char key[32];
	char *value;			/* value_size[cls] bytes */
	char get[LG_MC_REQ_MAX];
	int get_len;
	char *set;			/* the UDP set request, request id 0 */
	int set_len;
	char *expect;			/* reply body to a get */
	size_t expect_len;
};

struct lg_mcw_sent {
	uint64_t ns;
	uint32_t key;
	uint8_t cls, is_set;
};

struct lg_mcw {
	struct lg_mcw_cfg cfg;
	struct lg_mcw_key *k[2];
	double *cdf[2];			/* popularity within each class */
	struct histogram *h[2];
	uint64_t rng, warmup, last;
	uint64_t gets[2], sets, bad_class[2], bad_set;
	struct lg_mcw_sent *sent;	/* LG_MC_SENT_RING entries */
};

/* Builds keys, values, requests and expected replies; -EINVAL / -ENOMEM. */
int lg_mcw_init(struct lg_proto *p, struct lg_mcw *w, const struct lg_mcw_cfg *cfg,
		uint64_t warmup, struct histogram *h0, struct histogram *h1);
/* Clears the counters and histograms' pointers stay; new warm-up threshold. */
void lg_mcw_reset(struct lg_mcw *w, uint64_t warmup);
void lg_mcw_free(struct lg_mcw *w);

struct mc_client;
/* Stores every key of the workload @cfg with its value in memcached over @cl's TCP. */
int lg_mcw_store(const struct lg_mcw_cfg *cfg, struct mc_client *cl);

/*
 * Saturating closed loop for throughput: keeps @window requests outstanding
 * on the connected UDP socket @fd for @duration_s (after @warmup requests),
 * replacing each answered or timed-out (@timeout_ms) one at once.  Latency
 * of measured requests into @h (may be NULL).  @cpu pins the thread (-1: no).
 * res->received / res->elapsed_s is the throughput.
 */
int lg_mc_run_window(int fd, const struct lg_proto *p, unsigned int window,
		     double duration_s, uint64_t warmup, int timeout_ms, int cpu,
		     struct histogram *h, struct lg_result *res);

#endif
