/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A consistency checker for a cache in front of memcached (issue 10): writers
 * give every value a version from one counter and remember, per key, the
 * newest version memcached acknowledged; readers get through the cache and
 * count a read stale if it returns a version older than what was
 * acknowledged before the read was sent.  A miss is never stale.
 */
#ifndef OBENCH_KV_CONSISTENCY_H
#define OBENCH_KV_CONSISTENCY_H

#include <stdint.h>
#include <netinet/in.h>

struct kv_check_cfg {
	int nsfd;			/* the client's namespace, -1: here */
	struct in_addr addr;		/* memcached */
	uint16_t tcp_port, udp_port;
	unsigned int keys;		/* distinct keys (few: races need contention) */
	unsigned int readers;		/* UDP reader threads */
	double seconds;			/* at least this long ... */
	uint64_t min_reads;		/* ... and until this many reads were checked (cap: 4x) */
	double write_fraction;		/* of all requests; the paper's 10:1 mix is 1/11 */
	int timeout_ms;			/* per request */
};

enum kv_check_kind { KV_CHECK_SET, KV_CHECK_DELETE, KV_CHECK_APPEND, KV_CHECK_TOUCH,
		     KV_CHECK_EXPIRING, KV_CHECK_INCR, KV_CHECK_FLUSH, KV_CHECK_NR_KINDS };

struct kv_check_result {
	uint64_t reads_checked, stale_reads, hits, misses, timeouts, writes_acked;
	uint64_t per_kind[KV_CHECK_NR_KINDS];	/* writes acknowledged, per kind */
	char first_stale[200];			/* the first stale read, "" if none */
};

/* Runs writers (one over UDP, one over TCP) and readers; 0 or -errno. */
int kv_check_run(const struct kv_check_cfg *cfg, struct kv_check_result *res);

#endif
