// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy (paper Table 6): the cost of copying a 1 KB object inside the
 * kernel, from BPF.  Every program copies src_buf into `copies` consecutive
 * 1 KB slots of dst_buf per run (the paper: 100 x 1 KB array); empty_loop
 * walks the same slots without copying and is the baseline the harness
 * subtracts.  Programs differ only in how one 1 KB copy is done.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define COPY_SIZE	1024
#define MAX_COPIES	16
#define COPY_WORDS	(COPY_SIZE / 8)

/* bpf_dynptr_copy() is a kfunc (6.15+); weak so the object loads without it. */
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off,
			   struct bpf_dynptr *src_ptr, __u32 src_off,
			   __u32 size) __ksym __weak;
/* The obench module's rep-movs copy (kmod/); weak for the same reason. */
extern int obench_memcpy_rep_movs(void *dst, __u32 dst__sz,
				  const void *src, __u32 src__sz) __ksym __weak;

const volatile __u32 copies = 10;	/* 1 KB copies per program run */

/*
 * 8-byte words: clang inlines __builtin_memcpy as 8-byte loads/stores.  Both
 * cache-line aligned, like the module's kmalloc'd buffers: the kernel's
 * memmove() takes its fast path only when source and destination agree in
 * their low address bits.
 */
__u64 src_buf[COPY_WORDS] __attribute__((aligned(64)));
__u64 dst_buf[MAX_COPIES * COPY_WORDS] __attribute__((aligned(64)));
__u64 sink;
int copy_err;	/* first non-zero helper/kfunc return of the last run */

static __always_inline __u8 *slot(__u32 i)
{
	return (__u8 *)dst_buf + (i & (MAX_COPIES - 1)) * COPY_SIZE;
}

SEC("xdp")
int empty_loop(struct xdp_md *ctx)
{
	__u64 sum = 0;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++) {
		__u32 off = (i & (MAX_COPIES - 1)) * COPY_SIZE;

		/* opaque to clang: the loop stays a loop, as in the copy programs */
		asm volatile("" : "+r"(off));
		sum += off;
	}
	sink = sum;
	return XDP_PASS;
}

SEC("xdp")
int byte_loop(struct xdp_md *ctx)
{
	__u32 i, j;

#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++) {
		const __u8 *s = (const __u8 *)src_buf;
		__u8 *d = slot(i);

#pragma clang loop unroll(disable)
		for (j = 0; j < COPY_SIZE; j++)
			d[j] = s[j];
	}
	return XDP_PASS;
}

SEC("xdp")
int u64_loop(struct xdp_md *ctx)
{
	__u32 i, j;

#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++) {
		__u64 *d = (__u64 *)slot(i);

#pragma clang loop unroll(disable)
		for (j = 0; j < COPY_WORDS; j++)
			d[j] = src_buf[j];
	}
	return XDP_PASS;
}

SEC("xdp")
int builtin_memcpy(struct xdp_md *ctx)
{
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++)
		__builtin_memcpy(slot(i), src_buf, COPY_SIZE);
	return XDP_PASS;
}

/*
 * The paper's own copy (artifact: kashk cost_benchmark/benchmarks/memcpy.c):
 * __builtin_memcpy of a 1000-byte char struct.  Its alignment is 1, so clang
 * expands the call into 1000 single-byte load/store pairs, straight-line.
 * Value 0 of an array is copied into values 1..100 (100 KB of destinations),
 * one copy per bpf_loop() callback, each after its own lookup, as there.
 */
#define ALIGN1_COPIES	100

struct align1_item {
	char data[1000];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct align1_item);
	__uint(max_entries, ALIGN1_COPIES + 1);
} align1_items SEC(".maps");

__u64 align1_missing;	/* lookups that failed, over all runs: must stay 0 */

struct align1_loop {
	struct align1_item *src;
	int missing;
};

static long align1_copy_one(__u32 i, void *data)
{
	struct align1_loop *l = data;
	__u32 key = i + 1;
	struct align1_item *it = bpf_map_lookup_elem(&align1_items, &key);

	if (!it) {
		l->missing++;
		return 1;
	}
	__builtin_memcpy(it->data, l->src->data, sizeof(it->data));
	return 0;
}

/* The same loop and lookups without the copy: the baseline of memcpy_align1. */
static long align1_lookup_only(__u32 i, void *data)
{
	struct align1_loop *l = data;
	__u32 key = i + 1;

	if (!bpf_map_lookup_elem(&align1_items, &key)) {
		l->missing++;
		return 1;
	}
	return 0;
}

static __always_inline int align1_run(void *callback)
{
	struct align1_loop l = { 0 };
	__u32 key = 0;

	l.src = bpf_map_lookup_elem(&align1_items, &key);
	if (!l.src) {
		align1_missing++;
		return XDP_PASS;
	}
	bpf_loop(ALIGN1_COPIES, callback, &l, 0);
	align1_missing += l.missing;
	return XDP_PASS;
}

SEC("xdp")
int memcpy_align1(struct xdp_md *ctx)
{
	return align1_run(align1_copy_one);
}

SEC("xdp")
int memcpy_align1_empty(struct xdp_md *ctx)
{
	return align1_run(align1_lookup_only);
}

SEC("xdp")
int probe_read_kernel(struct xdp_md *ctx)
{
	int err = 0;
	__u32 i;

#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++)
		err |= bpf_probe_read_kernel(slot(i), COPY_SIZE, src_buf);
	copy_err = err;
	return XDP_PASS;
}

SEC("xdp")
int dynptr_read(struct xdp_md *ctx)
{
	struct bpf_dynptr src;
	int err;
	__u32 i;

	err = bpf_dynptr_from_mem(src_buf, sizeof(src_buf), 0, &src);
#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++)
		err |= bpf_dynptr_read(slot(i), COPY_SIZE, &src, 0, 0);
	copy_err = err;
	return XDP_PASS;
}

SEC("xdp")
int dynptr_copy(struct xdp_md *ctx)
{
	struct bpf_dynptr src, dst;
	int err;
	__u32 i;

	err = bpf_dynptr_from_mem(src_buf, sizeof(src_buf), 0, &src);
	err |= bpf_dynptr_from_mem(dst_buf, sizeof(dst_buf), 0, &dst);
#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++)
		err |= bpf_dynptr_copy(&dst, (i & (MAX_COPIES - 1)) * COPY_SIZE,
				       &src, 0, COPY_SIZE);
	copy_err = err;
	return XDP_PASS;
}

SEC("xdp")
int kfunc_rep_movs(struct xdp_md *ctx)
{
	int err = 0;
	__u32 i;

	/* returns the bytes copied */
#pragma clang loop unroll(disable)
	for (i = 0; i < copies && i < MAX_COPIES; i++)
		err |= obench_memcpy_rep_movs(slot(i), COPY_SIZE, src_buf,
					      COPY_SIZE) != COPY_SIZE;
	copy_err = err;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
