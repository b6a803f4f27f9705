// SPDX-License-Identifier: GPL-2.0
/*
 * Correctness of the benchmark BPF programs (never their speed), one
 * variant per program or frame:
 *  - map-access: every lookup program finds every key it looks up;
 *  - memcpy: every copy program leaves exact copies of random data in each slot;
 *  - chaining: the five chainings of the pipeline agree with each other and
 *    with a user-space recomputation, on several different frames.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "chaining.skel.h"
#include "harness.h"
#include "map_access.skel.h"
#include "memcpy.skel.h"

/* ---- map-access ---- */

static int fill_map(struct bpf_map *map, __u32 entries)
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(map), c;
	__u64 *val = calloc((size_t)ncpu, 8);
	__u32 k;

	if (!val)
		return -ENOMEM;
	for (k = 0; k < entries; k++) {
		for (c = 0; c < ncpu; c++)
			val[c] = k + 1;
		if (bpf_map_update_elem(fd, &k, val, BPF_ANY)) {
			free(val);
			return -errno;
		}
	}
	free(val);
	return 0;
}

/*
 * Every program here needs CAP_BPF.  Each object is loaded once for all its
 * tests (the verifier is slow) and freed at the end; a test resets what it reads.
 */
static struct map_access_bpf *map_access;

static void map_access_free(void)
{
	map_access_bpf__destroy(map_access);
}

#define LOOKUPS		64u
#define ENTRIES		256u

static int map_access_load(char *why, size_t len)
{
	struct bpf_map *map;
	int err;

	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (CAP_BPF)");
	map_access = map_access_bpf__open();
	if (!map_access)
		return harness_reason(why, len, KSFT_SKIP, "cannot open the skeleton");
	harness_at_end(map_access_free);
	map_access->rodata->lookups = LOOKUPS;
	map_access->rodata->entries = ENTRIES;
	bpf_object__for_each_map(map, map_access->obj)
		if (!bpf_map__is_internal(map))
			bpf_map__set_max_entries(map, ENTRIES);
	err = map_access_bpf__load(map_access);
	bpf_object__for_each_map(map, map_access->obj)
		if (!err && !bpf_map__is_internal(map))
			err = fill_map(map, ENTRIES);
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "the verifier rejected the programs (OBENCH_DEBUG=1 shows its log)");
	return 0;
}

static struct harness_once map_access_once;

FIXTURE(map_access) {
	unsigned char pkt[64];
};

/* The map each lookup_<map> program of bpf/map_access.bpf.c reads. */
FIXTURE_VARIANT(map_access) {
	const char *map;
};

FIXTURE_VARIANT_ADD(map_access, array) { .map = "array" };
FIXTURE_VARIANT_ADD(map_access, hash) { .map = "hash" };
FIXTURE_VARIANT_ADD(map_access, lru_hash) { .map = "lru_hash" };
FIXTURE_VARIANT_ADD(map_access, percpu_array) { .map = "percpu_array" };
FIXTURE_VARIANT_ADD(map_access, percpu_hash) { .map = "percpu_hash" };
FIXTURE_VARIANT_ADD(map_access, lru_percpu_hash) { .map = "lru_percpu_hash" };

FIXTURE_SETUP(map_access)
{
	SETUP_ONCE(&map_access_once, map_access_load);
	build_udp_frame(self->pkt, sizeof(self->pkt));
}

/* map-access: the program finds every key it looks up. */
TEST_F(map_access, all_hit)
{
	struct bpf_program *prog;
	char name[64];
	__u32 ret = 0;

	snprintf(name, sizeof(name), "lookup_%s", variant->map);
	prog = bpf_object__find_program_by_name(map_access->obj, name);
	ASSERT(prog, "map_access_program_missing: %s", name);
	map_access->bss->hits = 0;
	EXPECT(!testrun_once(bpf_program__fd(prog), self->pkt, sizeof(self->pkt), NULL, NULL, &ret),
	       "test run failed: %s", strerror(errno));
	EXPECT(ret == XDP_PASS, "retval %u", ret);
	EXPECT(map_access->bss->hits == LOOKUPS, "hits %llu of %u lookups",
	       (unsigned long long)map_access->bss->hits, LOOKUPS);
}

/* ---- memcpy ---- */

#define COPIES		12u

static struct memcpy_bpf *memcpy_skel;
static bool have_copy, have_kmod;	/* the optional programs this kernel loads */

static void memcpy_free(void)
{
	memcpy_bpf__destroy(memcpy_skel);
}

static int memcpy_load(char *why, size_t len)
{
	int err = -ENOENT;

	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (CAP_BPF)");
	have_copy = kernel_has_func("bpf_dynptr_copy", NULL);
	have_kmod = kernel_has_func("obench_memcpy_rep_movs", "obench_kmod");
	memcpy_skel = memcpy_bpf__open();
	if (memcpy_skel) {
		harness_at_end(memcpy_free);
		memcpy_skel->rodata->copies = COPIES;
		bpf_program__set_autoload(memcpy_skel->progs.dynptr_copy, have_copy);
		bpf_program__set_autoload(memcpy_skel->progs.kfunc_rep_movs, have_kmod);
		err = memcpy_bpf__load(memcpy_skel);
	}
	if (err)
		return harness_reason(why, len, KSFT_FAIL, "the verifier rejected the programs (OBENCH_DEBUG=1 shows its log)");
	return 0;
}

static struct harness_once memcpy_once;

FIXTURE(memcpy) {
	unsigned char pkt[64];
};

/* A copy program of bpf/memcpy.bpf.c and what it needs beyond the kernel's basics. */
FIXTURE_VARIANT(memcpy) {
	const char *prog;
	bool needs_dynptr_copy, needs_kmod;
};

FIXTURE_VARIANT_ADD(memcpy, byte_loop) { .prog = "byte_loop" };
FIXTURE_VARIANT_ADD(memcpy, u64_loop) { .prog = "u64_loop" };
FIXTURE_VARIANT_ADD(memcpy, builtin_memcpy) { .prog = "builtin_memcpy" };
FIXTURE_VARIANT_ADD(memcpy, probe_read_kernel) { .prog = "probe_read_kernel" };
FIXTURE_VARIANT_ADD(memcpy, dynptr_read) { .prog = "dynptr_read" };
FIXTURE_VARIANT_ADD(memcpy, dynptr_copy) { .prog = "dynptr_copy", .needs_dynptr_copy = true };
FIXTURE_VARIANT_ADD(memcpy, kfunc_rep_movs) { .prog = "kfunc_rep_movs", .needs_kmod = true };

FIXTURE_SETUP(memcpy)
{
	SETUP_ONCE(&memcpy_once, memcpy_load);
	if (variant->needs_dynptr_copy && !have_copy)
		SKIP(return, "kernel lacks bpf_dynptr_copy");
	if (variant->needs_kmod && !have_kmod)
		SKIP(return, "obench kernel module not loaded");
	build_udp_frame(self->pkt, sizeof(self->pkt));
	srand(42);
}

/* memcpy: the program leaves exact copies of random data in each slot, and nothing past them. */
TEST_F(memcpy, exact_copies)
{
	struct memcpy_bpf *s = memcpy_skel;
	struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, variant->prog);
	unsigned char *src = (unsigned char *)s->bss->src_buf, *dst = (unsigned char *)s->bss->dst_buf;
	__u32 ret = 0, c;

	ASSERT(prog, "no program %s", variant->prog);
	for (c = 0; c < sizeof(s->bss->src_buf); c++)
		src[c] = (unsigned char)rand();
	memset(dst, 0, sizeof(s->bss->dst_buf));
	s->bss->copy_err = 0;
	EXPECT(!testrun_once(bpf_program__fd(prog), self->pkt, sizeof(self->pkt), NULL, NULL, &ret),
	       "test run failed: %s", strerror(errno));
	EXPECT(ret == XDP_PASS && s->bss->copy_err == 0, "retval %u copy_err %d",
	       ret, s->bss->copy_err);
	for (c = 0; c < COPIES; c++)
		EXPECT(!memcmp(dst + c * sizeof(s->bss->src_buf), src, sizeof(s->bss->src_buf)),
		       "slot %u differs", c);
	/* nothing written past the last slot */
	for (c = COPIES * sizeof(s->bss->src_buf); c < sizeof(s->bss->dst_buf); c++)
		if (dst[c]) {
			EXPECT(dst[c] == 0, "byte %u past the copies written", c);
			break;
		}
}

/* ---- chaining ---- */

#define CHAIN_VARIANTS	5
#define CACHE_ENTRIES	1024
#define RES_NOT_UDP	1ULL
#define RES_SHORT	2ULL

static __u64 cache_value(__u32 k)
{
	return (__u64)(k + 1) * 0xc2b2ae3d27d4eb4fULL;
}

/* What the pipeline must compute for @pkt, recomputed independently. */
static __u64 chain_expect(const unsigned char *pkt, size_t len)
{
	size_t ihl, off, i;
	__u64 h = 0xcbf29ce484222325ULL;

	if (len < 34 || pkt[12] != 0x08 || pkt[13] != 0x00 || (pkt[14] >> 4) != 4 ||
	    pkt[23] != IPPROTO_UDP)
		return RES_NOT_UDP;
	ihl = (pkt[14] & 0xf) * 4u;
	off = 14 + ihl + 8;
	if (ihl < 20 || off > len || off > 128)
		return RES_NOT_UDP;
	if (off + 64 > len)
		return RES_SHORT;
	for (i = 0; i < 64; i++) {
		h ^= pkt[off + i];
		h *= 0x100000001b3ULL;
	}
	return h ^ cache_value((__u32)h & (CACHE_ENTRIES - 1));
}

static int chain_prepare(struct chaining_bpf *s)
{
	struct { struct bpf_map *map; struct bpf_program *hash, *lookup; } arr[2] = {
		{ s->maps.jmp_const, s->progs.tail_const_hash, s->progs.tail_const_lookup },
		{ s->maps.jmp_dynamic, s->progs.tail_dynamic_hash, s->progs.tail_dynamic_lookup },
	};
	__u32 k;
	__u64 v;
	int i, fd;

	for (i = 0; i < 2; i++) {
		k = 1, fd = bpf_program__fd(arr[i].hash);
		if (bpf_map_update_elem(bpf_map__fd(arr[i].map), &k, &fd, BPF_ANY))
			return -errno;
		k = 2, fd = bpf_program__fd(arr[i].lookup);
		if (bpf_map_update_elem(bpf_map__fd(arr[i].map), &k, &fd, BPF_ANY))
			return -errno;
	}
	for (k = 0; k < CACHE_ENTRIES; k++) {
		v = cache_value(k);
		if (bpf_map_update_elem(bpf_map__fd(s->maps.cache), &k, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The test frames, each built into @pkt; they return the frame's length. */
static size_t udp_128B(unsigned char *pkt)
{
	return build_udp_frame(pkt, 128);
}

static size_t udp_random_payload(unsigned char *pkt)
{
	size_t len = build_udp_frame(pkt, 200), i;

	for (i = 42; i < len; i++)
		pkt[i] = (unsigned char)rand();
	return len;
}

/* 4 bytes of IP options: the payload moves */
static size_t udp_ip_options(unsigned char *pkt)
{
	size_t len = build_udp_frame(pkt, 150);

	memmove(pkt + 38, pkt + 34, len - 38);
	memset(pkt + 34, 1, 4);		/* NOP options */
	pkt[14] = 0x46;
	return len;
}

static size_t udp_exactly_64B_payload(unsigned char *pkt)
{
	return build_udp_frame(pkt, 106);
}

static size_t udp_short_payload(unsigned char *pkt)
{
	return build_udp_frame(pkt, 90);
}

static size_t tcp_refused(unsigned char *pkt)
{
	size_t len = build_udp_frame(pkt, 128);

	pkt[23] = IPPROTO_TCP;
	return len;
}

static struct chaining_bpf *chaining;

static void chaining_free(void)
{
	chaining_bpf__destroy(chaining);
}

static int chaining_load(char *why, size_t len)
{
	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root (CAP_BPF)");
	chaining = chaining_bpf__open_and_load();
	if (chaining)
		harness_at_end(chaining_free);
	if (!chaining || chain_prepare(chaining))
		return harness_reason(why, len, KSFT_FAIL, "the verifier rejected the chaining programs (OBENCH_DEBUG=1 shows its log)");
	return 0;
}

static struct harness_once chaining_once;

FIXTURE(chaining) {
	unsigned char pkt[256];
	size_t len;
};

FIXTURE_VARIANT(chaining) {
	size_t (*frame)(unsigned char *pkt);
};

FIXTURE_VARIANT_ADD(chaining, udp_128B) { .frame = udp_128B };
FIXTURE_VARIANT_ADD(chaining, udp_random_payload) { .frame = udp_random_payload };
FIXTURE_VARIANT_ADD(chaining, udp_ip_options) { .frame = udp_ip_options };
FIXTURE_VARIANT_ADD(chaining, udp_exactly_64B_payload) { .frame = udp_exactly_64B_payload };
FIXTURE_VARIANT_ADD(chaining, udp_short_payload) { .frame = udp_short_payload };
FIXTURE_VARIANT_ADD(chaining, tcp_refused) { .frame = tcp_refused };

FIXTURE_SETUP(chaining)
{
	SETUP_ONCE(&chaining_once, chaining_load);
	srand(42);
	self->len = variant->frame(self->pkt);
}

/* chaining: the five chainings of the pipeline agree with a user-space recomputation. */
TEST_F(chaining, same_result)
{
	static const char *const vname[CHAIN_VARIANTS] = {
		"tail_const", "tail_dynamic", "inlined", "bpf2bpf", "global_func",
	};
	struct chaining_bpf *s = chaining;
	struct bpf_program *entry[CHAIN_VARIANTS] = {
		s->progs.tail_const_parse, s->progs.tail_dynamic_parse,
		s->progs.inlined, s->progs.bpf2bpf, s->progs.global_func,
	};
	__u64 want = chain_expect(self->pkt, self->len);
	int i;

	memset(s->bss->result, 0, sizeof(s->bss->result));
	for (i = 0; i < CHAIN_VARIANTS; i++) {
		__u32 ret = 0;

		EXPECT(!testrun_once(bpf_program__fd(entry[i]), self->pkt, self->len, NULL, NULL, &ret) &&
		       ret == XDP_PASS, "%s: test run failed (retval %u)", vname[i], ret);
		EXPECT(s->bss->result[i] == want, "%s computed %#llx, want %#llx",
		       vname[i], (unsigned long long)s->bss->result[i], (unsigned long long)want);
	}
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
