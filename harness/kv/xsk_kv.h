/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An AF_XDP key-value server speaking the memcached ASCII subset over UDP
 * (get, set, delete, with the 8-byte UDP frame header), for the xsk-kv
 * experiment (paper §3.2, Figs. 7-9).  One thread in the server namespace
 * busy-polls one XSK (copy mode: veth has no zero-copy) bound to queue 0 of
 * the server's interface, keeps the items in an in-memory hash table, and
 * answers by rewriting each request frame in place and sending it back on
 * the TX ring.
 *
 * In front of it sits bpf/xsk_kv.bpf.c.  With the fast path on, the XDP
 * program answers one-key gets from kvcache's cache map, and this server
 * keeps that cache coherent: a get it serves fills the key's entry (values
 * up to max_value bytes), a set or delete invalidates it.
 */
#ifndef OBENCH_XSK_KV_H
#define OBENCH_XSK_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/topology.h"

struct xsk_kv;

struct xsk_kv_config {
	const struct topo *t;
	uint16_t port;			/* UDP port it answers (memcached: 11211) */
	int cpu;			/* server thread's CPU, -1: not pinned */
	uint32_t cache_entries;		/* XDP cache slots, a power of two */
	uint32_t max_value;		/* largest value the fast path caches (<= 1000) */
	bool skb_mode;			/* XDP in generic (skb) mode instead of native */
};

struct xsk_kv_stats {
	uint64_t rx;			/* frames user space received */
	uint64_t replies;		/* frames it sent back */
	uint64_t gets, sets, deletes, errors;
	uint64_t fills, invalidations;	/* cache writes from user space */
	uint64_t xdp_hits;		/* gets answered by XDP (kvcache HIT counter) */
	uint64_t xdp_misses;		/* one-key gets the fast path did not find */
	uint64_t xdp_redirected;	/* frames the XDP program sent to the XSK */
	uint64_t xsk_dropped;		/* the socket's own count (XDP_STATISTICS rx_dropped + ring full) */
	uint64_t xsk_fill_empty;	/* frames lost to an empty fill ring */
};

/*
 * Loads the XDP program, attaches it to the server's interface (and the
 * pass program to the client's), binds the XSK (retrying while the kernel
 * still holds a recently closed one: EBUSY) and starts the server thread.
 * On failure returns a negative errno and a one-line reason in @why.
 */
int xsk_kv_start(struct xsk_kv **out, const struct xsk_kv_config *cfg, char *why, size_t whylen);
/* Stops the thread, detaches the programs, closes the socket; NULL is fine. */
void xsk_kv_stop(struct xsk_kv *s);

/* Switches the XDP fast path (empties the cache first when turning it on). */
int xsk_kv_set_fastpath(struct xsk_kv *s, bool on);
void xsk_kv_get_stats(struct xsk_kv *s, struct xsk_kv_stats *st);

/*
 * One request/reply over the connected UDP socket @fd (a client's): sends
 * @req, waits up to @timeout_ms for a datagram; its length or -errno.
 */
int xsk_kv_call(int fd, const void *req, size_t len, void *rep, size_t cap, int timeout_ms);

#endif
