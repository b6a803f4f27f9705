/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User side of kvcache, the XDP cache in front of memcached
 * (bpf/kvcache.bpf.c): load one chaining variant of the fast path, attach it
 * with the fill (TC egress) and TCP invalidation (TC ingress) programs on
 * the server's interface inside its namespace, read the counters, detach.
 */
#ifndef OBENCH_KVCACHE_H_USER
#define OBENCH_KVCACHE_H_USER

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

/* The five ways of chaining the fast path's stages (paper Table 5). */
enum kvcache_variant {
	KVC_TAIL_CONST,		/* tail calls, constant index (JIT direct jumps) */
	KVC_TAIL_DYN,		/* tail calls, index from per-CPU state */
	KVC_INLINED,		/* one program */
	KVC_BPF2BPF,		/* static __noinline calls */
	KVC_GLOBAL,		/* global functions */
	KVC_NR_VARIANTS,
};

/* "tail-const", "tail-dyn", "inlined", "bpf2bpf", "global", NULL: the --variant choices */
extern const char *const kvcache_variant_names[KVC_NR_VARIANTS + 1];
#define KVCACHE_VARIANTS kvcache_variant_names
const char *kvcache_variant_name(enum kvcache_variant v);

struct kvcache_config {
	enum kvcache_variant variant;
	uint16_t port;			/* memcached's UDP and TCP port */
	uint32_t server_addr;		/* network order; 0 = any */
	uint32_t entries;		/* cache slots, a power of two (0: 4096) */
	uint32_t max_value;		/* largest cached value in bytes (0: 1000, the paper's) */
	bool unsafe_fills;		/* test only: fill from any reply (the stale-fill race back) */
};

/* Counters, summed over CPUs; the order of bpf/kvcache.h's enum kv_stat. */
struct kvcache_stats {
	uint64_t hit, miss, bypass, inval, fill, fill_skip, fill_large, race, chain_fail, grow_fail;
	uint64_t fill_race, gen_bump, poison;
};


struct kvcache {
	struct kvcache_bpf *skel;
	struct kvcache_config cfg;
	int xdp_fd;			/* entry program of the variant */
	unsigned int verified_insns;	/* "processed N insns" of the entry program */
	char verifier_log[256];		/* its last line, or why the load failed */
	/* attachment (kvcache_attach) */
	int ifindex, nsfd;
	__u32 xdp_flags;
	bool xdp_attached, tc_attached, qdisc_created;
	int peer_ifindex, peer_nsfd;
	bool peer_attached;
};

/*
 * Opens and loads only @cfg->variant's programs (and the fill/invalidation
 * ones).  On a verifier rejection returns -errno with kc->verifier_log set
 * to the verifier's reason.
 */
int kvcache_load(struct kvcache *kc, const struct kvcache_config *cfg);

/*
 * Attaches the fast path (XDP, @xdp_flags e.g. XDP_FLAGS_DRV_MODE), the fill
 * (TC egress) and the TCP invalidation (TC ingress) on @ifindex, inside the
 * namespace open as @nsfd (-1: the caller's).
 */
int kvcache_attach(struct kvcache *kc, int nsfd, int ifindex, __u32 xdp_flags);

/* XDP_TX on veth drops frames unless the peer has an XDP program: give it an XDP_PASS one. */
int kvcache_attach_peer_pass(struct kvcache *kc, int nsfd, int ifindex);

/* Detaches everything kvcache_attach*() attached (safe to call twice). */
void kvcache_detach(struct kvcache *kc);

/* Detaches and frees. */
void kvcache_destroy(struct kvcache *kc);

int kvcache_read_stats(const struct kvcache *kc, struct kvcache_stats *s);
int kvcache_reset_stats(const struct kvcache *kc);

/* Why the cache turned itself off, or NULL while it is on. */
const char *kvcache_off_reason(const struct kvcache *kc);

/*
 * Turns the cache back on after it turned itself off, every entry dropped
 * (the generation moves on).  For tests that feed it what turns it off.
 */
int kvcache_turn_on(struct kvcache *kc);

/* Empties every slot, its write state too (pending, held, poisoned): for tests. */
int kvcache_clear(struct kvcache *kc);

/* The loaded programs, for BPF_PROG_TEST_RUN. */
int kvcache_xdp_fd(const struct kvcache *kc);
int kvcache_fill_fd(const struct kvcache *kc);
int kvcache_inval_fd(const struct kvcache *kc);

/*
 * Fills the cache as memcached's reply would: runs "get @key" through the
 * fast path (a miss leaves its ticket), then the reply through the fill
 * program.  0 if the entry was stored, -E2BIG if
 * the value is above max_value, -EAGAIN if the fill program did not store
 * it (slot busy), other -errno on failure.
 */
int kvcache_put(struct kvcache *kc, const char *key, uint32_t flags,
		const void *value, size_t vlen);

#endif
