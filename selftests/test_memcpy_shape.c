// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy_align1 is the paper's copy (Table 6), and the row the memcpy claims
 * judge: __builtin_memcpy of a 1000-byte char struct, which clang must expand
 * into single-byte loads and stores, copying value 0 of an array into values
 * 1..100.  These tests check that shape in the loaded program's instructions
 * and that it copies byte-exact; never its speed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "harness.h"
#include "memcpy.skel.h"

#define STB	(BPF_STX | BPF_MEM | BPF_B)	/* *(u8 *)(dst + off) = src */
#define LDXB	(BPF_LDX | BPF_MEM | BPF_B)	/* src = *(u8 *)(src + off) */

/* The skeleton with only the two programs of the paper's shape, loaded once. */
static struct {
	struct memcpy_bpf *skel;
	int map_fd;
	__u32 value_size, copies;	/* destinations: values 1..copies */
} align1;

static void align1_destroy(void)
{
	memcpy_bpf__destroy(align1.skel);
	align1.skel = NULL;
}

static int align1_load(char *why, size_t len)
{
	struct bpf_program *prog;
	int err;

	align1.skel = memcpy_bpf__open();
	if (!align1.skel)
		return snprintf(why, len, "cannot open the memcpy skeleton: %s", strerror(errno)), KSFT_FAIL;
	harness_at_end(align1_destroy);
	bpf_object__for_each_program(prog, align1.skel->obj)
		bpf_program__set_autoload(prog, prog == align1.skel->progs.memcpy_align1 ||
					  prog == align1.skel->progs.memcpy_align1_empty);
	err = memcpy_bpf__load(align1.skel);
	if (err)
		return snprintf(why, len, "the kernel rejected memcpy_align1 (%s): bpf_loop needs 5.17+",
				strerror(-err)), KSFT_SKIP;
	align1.map_fd = bpf_map__fd(align1.skel->maps.align1_items);
	align1.value_size = bpf_map__value_size(align1.skel->maps.align1_items);
	align1.copies = bpf_map__max_entries(align1.skel->maps.align1_items) - 1;
	return 0;
}

/* The loaded skeleton, or the test fails/skips with the reason. */
static struct harness_once align1_once;

#define NEED_ALIGN1() do {							\
	int rc = harness_once(&align1_once, align1_load);			\
										\
	if (rc == KSFT_SKIP)							\
		SKIP(return, "%s", align1_once.why);				\
	ASSERT(rc == 0, "%s", align1_once.why);					\
} while (0)

/* Instructions of @prog (its subprograms appended at load) with opcode @code. */
static unsigned int count_insns(const struct bpf_program *prog, __u8 code)
{
	const struct bpf_insn *insn = bpf_program__insns(prog);
	size_t n = bpf_program__insn_cnt(prog), i;
	unsigned int found = 0;

	for (i = 0; i < n; i++)
		found += insn[i].code == code;
	return found;
}

TEST(memcpy_align1_copies_byte_by_byte)
{
	unsigned int stores, loads, empty;

	NEED_ALIGN1();
	stores = count_insns(align1.skel->progs.memcpy_align1, STB);
	loads = count_insns(align1.skel->progs.memcpy_align1, LDXB);
	empty = count_insns(align1.skel->progs.memcpy_align1_empty, STB);
	EXPECT(align1.value_size == 1000, "value size %u: the paper copies 1000 B", align1.value_size);
	EXPECT(align1.copies == 100, "%u destinations: the paper copies into 100", align1.copies);
	/* alignment 1: clang cannot widen the accesses, one per byte */
	EXPECT(stores >= align1.value_size, "%u single-byte stores, want >= %u", stores, align1.value_size);
	EXPECT(loads >= align1.value_size, "%u single-byte loads, want >= %u", loads, align1.value_size);
	/* the baseline that is subtracted does not copy */
	EXPECT(empty < 16, "the no-copy baseline holds %u single-byte stores", empty);
}

TEST(memcpy_align1_copies_exactly)
{
	unsigned char src[4096], dst[4096], pkt[64];
	__u32 k, i, ret = ~0U;

	NEED_ALIGN1();
	ASSERT(align1.value_size <= sizeof(src), "value size %u", align1.value_size);
	srand(7);
	for (i = 0; i < align1.value_size; i++)
		src[i] = (unsigned char)rand();
	k = 0;
	ASSERT(!bpf_map_update_elem(align1.map_fd, &k, src, BPF_ANY), "update: %s", strerror(errno));
	build_udp_frame(pkt, sizeof(pkt));
	ASSERT(!testrun_once(bpf_program__fd(align1.skel->progs.memcpy_align1), pkt, sizeof(pkt),
			     NULL, NULL, &ret), "test run failed: %s", strerror(errno));
	EXPECT(ret == XDP_PASS, "returned %u", ret);
	EXPECT(align1.skel->bss->align1_missing == 0, "%llu lookups failed",
	       (unsigned long long)align1.skel->bss->align1_missing);
	for (k = 1; k <= align1.copies; k++) {
		memset(dst, 0, align1.value_size);
		EXPECT(!bpf_map_lookup_elem(align1.map_fd, &k, dst), "lookup %u: %s", k, strerror(errno));
		for (i = 0; i < align1.value_size && dst[i] == src[i]; i++)
			;
		EXPECT(i == align1.value_size, "value %u differs from the source at byte %u", k, i);
	}
}

TEST_HARNESS_MAIN
