// SPDX-License-Identifier: GPL-2.0
/*
 * Correctness of the benchmark BPF programs (never their speed):
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
#include "ktap.h"
#include "map_access.skel.h"
#include "memcpy.skel.h"

#define MAP_TESTS	6
#define MEMCPY_TESTS	7
#define CHAIN_TESTS	6

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

static void test_map_access(const unsigned char *pkt, size_t len)
{
	const __u32 lookups = 64, entries = 256;
	struct map_access_bpf *s = map_access_bpf__open();
	struct bpf_program *prog;
	struct bpf_map *map;
	int n = 0, err;

	if (!s) {
		for (; n < MAP_TESTS; n++)
			ktap_skip_test("map_access", "cannot open the skeleton");
		return;
	}
	s->rodata->lookups = lookups;
	s->rodata->entries = entries;
	bpf_object__for_each_map(map, s->obj)
		if (!bpf_map__is_internal(map))
			bpf_map__set_max_entries(map, entries);
	err = map_access_bpf__load(s);
	bpf_object__for_each_map(map, s->obj)
		if (!err && !bpf_map__is_internal(map))
			err = fill_map(map, entries);
	bpf_object__for_each_program(prog, s->obj) {
		const char *name = bpf_program__name(prog);
		char tname[96];
		int ok = 1;
		__u32 ret = 0;

		if (strncmp(name, "lookup_", 7))
			continue;
		snprintf(tname, sizeof(tname), "map_access_%s_all_hit", name + 7);
		n++;
		if (err) {
			ktap_skip_test(tname, "the kernel rejected the programs");
			continue;
		}
		s->bss->hits = 0;
		KTAP_CHECK(ok, !testrun_once(bpf_program__fd(prog), pkt, len, NULL, NULL, &ret),
			   "test run failed: %s", strerror(errno));
		KTAP_CHECK(ok, ret == XDP_PASS, "retval %u", ret);
		KTAP_CHECK(ok, s->bss->hits == lookups, "hits %llu of %u lookups",
			   (unsigned long long)s->bss->hits, lookups);
		ktap_result(ok, tname);
	}
	for (; n < MAP_TESTS; n++)
		ktap_result(0, "map_access_program_missing");
	map_access_bpf__destroy(s);
}

/* ---- memcpy ---- */

static void test_memcpy(const unsigned char *pkt, size_t len)
{
	const __u32 copies = 12;
	struct memcpy_bpf *s = memcpy_bpf__open();
	bool have_copy = kernel_has_func("bpf_dynptr_copy", NULL);
	bool have_kmod = kernel_has_func("obench_memcpy_rep_movs", "obench_kmod");
	int err = -ENOENT;
	size_t i;

	if (s) {
		s->rodata->copies = copies;
		bpf_program__set_autoload(s->progs.dynptr_copy, have_copy);
		bpf_program__set_autoload(s->progs.kfunc_rep_movs, have_kmod);
		err = memcpy_bpf__load(s);
	}
	const struct {
		const char *name;
		struct bpf_program *prog;
		const char *skip;
	} progs[MEMCPY_TESTS] = {
		{ "memcpy_byte_loop", s ? s->progs.byte_loop : NULL, NULL },
		{ "memcpy_u64_loop", s ? s->progs.u64_loop : NULL, NULL },
		{ "memcpy_builtin_memcpy", s ? s->progs.builtin_memcpy : NULL, NULL },
		{ "memcpy_probe_read_kernel", s ? s->progs.probe_read_kernel : NULL, NULL },
		{ "memcpy_dynptr_read", s ? s->progs.dynptr_read : NULL, NULL },
		{ "memcpy_dynptr_copy", s ? s->progs.dynptr_copy : NULL,
		  have_copy ? NULL : "kernel lacks bpf_dynptr_copy" },
		{ "memcpy_kfunc_rep_movs", s ? s->progs.kfunc_rep_movs : NULL,
		  have_kmod ? NULL : "obench kernel module not loaded" },
	};

	for (i = 0; i < MEMCPY_TESTS; i++) {
		unsigned char *src, *dst;
		__u32 ret = 0, c;
		int ok = 1;

		if (err || progs[i].skip) {
			ktap_skip_test(progs[i].name, err ? "the kernel rejected the programs" :
				       progs[i].skip);
			continue;
		}
		src = (unsigned char *)s->bss->src_buf;
		dst = (unsigned char *)s->bss->dst_buf;
		for (c = 0; c < sizeof(s->bss->src_buf); c++)
			src[c] = (unsigned char)rand();
		memset(dst, 0, sizeof(s->bss->dst_buf));
		s->bss->copy_err = 0;
		KTAP_CHECK(ok, !testrun_once(bpf_program__fd(progs[i].prog), pkt, len,
					     NULL, NULL, &ret), "test run failed: %s", strerror(errno));
		KTAP_CHECK(ok, ret == XDP_PASS && s->bss->copy_err == 0, "retval %u copy_err %d",
			   ret, s->bss->copy_err);
		for (c = 0; c < copies; c++)
			KTAP_CHECK(ok, !memcmp(dst + c * sizeof(s->bss->src_buf), src,
					       sizeof(s->bss->src_buf)), "slot %u differs", c);
		/* nothing written past the last slot */
		for (c = copies * sizeof(s->bss->src_buf); c < sizeof(s->bss->dst_buf); c++)
			if (dst[c]) {
				KTAP_CHECK(ok, dst[c] == 0, "byte %u past the copies written", c);
				break;
			}
		ktap_result(ok, progs[i].name);
	}
	memcpy_bpf__destroy(s);
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

/* Frame @which of the test set into @pkt; returns its length. */
static size_t chain_frame(int which, unsigned char *pkt, const char **name)
{
	size_t len, i;

	switch (which) {
	case 0:
		*name = "chaining_udp_128B";
		return build_udp_frame(pkt, 128);
	case 1:
		*name = "chaining_udp_random_payload";
		len = build_udp_frame(pkt, 200);
		for (i = 42; i < len; i++)
			pkt[i] = (unsigned char)rand();
		return len;
	case 2:		/* 4 bytes of IP options: the payload moves */
		*name = "chaining_udp_ip_options";
		len = build_udp_frame(pkt, 150);
		memmove(pkt + 38, pkt + 34, len - 38);
		memset(pkt + 34, 1, 4);		/* NOP options */
		pkt[14] = 0x46;
		return len;
	case 3:
		*name = "chaining_udp_exactly_64B_payload";
		return build_udp_frame(pkt, 106);
	case 4:
		*name = "chaining_udp_short_payload";
		return build_udp_frame(pkt, 90);
	default:
		*name = "chaining_tcp_refused";
		len = build_udp_frame(pkt, 128);
		pkt[23] = IPPROTO_TCP;
		return len;
	}
}

static void test_chaining(void)
{
	static const char *const vname[CHAIN_VARIANTS] = {
		"tail_const", "tail_dynamic", "inlined", "bpf2bpf", "global_func",
	};
	struct chaining_bpf *s = chaining_bpf__open_and_load();
	int err = s ? chain_prepare(s) : -ENOENT, t, i;
	unsigned char pkt[256];

	for (t = 0; t < CHAIN_TESTS; t++) {
		size_t len;
		const char *name;
		__u64 want;
		int ok = 1;

		len = chain_frame(t, pkt, &name);
		if (err) {
			ktap_skip_test(name, "the kernel rejected the chaining programs");
			continue;
		}
		struct bpf_program *entry[CHAIN_VARIANTS] = {
			s->progs.tail_const_parse, s->progs.tail_dynamic_parse,
			s->progs.inlined, s->progs.bpf2bpf, s->progs.global_func,
		};

		want = chain_expect(pkt, len);
		memset(s->bss->result, 0, sizeof(s->bss->result));
		for (i = 0; i < CHAIN_VARIANTS; i++) {
			__u32 ret = 0;

			KTAP_CHECK(ok, !testrun_once(bpf_program__fd(entry[i]), pkt, len,
						     NULL, NULL, &ret) && ret == XDP_PASS,
				   "%s: test run failed (retval %u)", vname[i], ret);
			KTAP_CHECK(ok, s->bss->result[i] == want, "%s computed %#llx, want %#llx",
				   vname[i], (unsigned long long)s->bss->result[i],
				   (unsigned long long)want);
		}
		ktap_result(ok, name);
	}
	chaining_bpf__destroy(s);
}

int main(void)
{
	unsigned char pkt[64];

	ktap_plan(MAP_TESTS + MEMCPY_TESTS + CHAIN_TESTS);
	if (geteuid() != 0) {
		int i;

		for (i = 0; i < MAP_TESTS + MEMCPY_TESTS + CHAIN_TESTS; i++)
			ktap_skip_test("bpf_progs", "needs root (CAP_BPF)");
		ktap_finish();
	}
	bpfutil_quiet_libbpf();
	srand(42);
	build_udp_frame(pkt, sizeof(pkt));
	test_map_access(pkt, sizeof(pkt));
	test_memcpy(pkt, sizeof(pkt));
	test_chaining();
	ktap_finish();
}
