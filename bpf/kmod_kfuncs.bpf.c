// SPDX-License-Identifier: GPL-2.0
/*
 * Programs exercising the obench kernel module's kfuncs (kmod/), used by
 * selftests/vm/test_kmod.c inside the testbed VM.  Loading this object
 * fails when the module is not loaded: that is how obench detects it.
 *
 * The "?" sections are not autoloaded: they must be rejected by the
 * verifier (wrong __sz arguments) and are loaded one at a time.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define OBENCH_INLINE static __always_inline
#include <obench/workloads.h>

#define COPY_SIZE	1024
#define SMALL_SIZE	16

extern int obench_memcpy_rep_movs(void *dst, __u32 dst__sz,
				  const void *src, __u32 src__sz) __ksym;
extern __u64 obench_native_fib(__u32 n) __ksym;
extern __u64 obench_native_sum64(const __u8 *data, __u32 data__sz,
				 __u32 repeat) __ksym;

/* rep-movs copy: user space fills src_buf, checks dst_buf. */
__u8 src_buf[COPY_SIZE];
__u8 dst_buf[COPY_SIZE];
int copy_ret;

/* fib / sum64: inputs and results, native (kfunc) vs BPF. */
__u32 fib_n;
__u64 fib_native;
__u64 fib_bpf;

__u8 sum_data[OBENCH_SUM_BYTES];
__u32 sum_repeat;
__u64 sum_native;
__u64 sum_bpf;
__u64 sum_native_short;

/* xdp / tc variants (kfunc set registered for those program types). */
__u64 xdp_fib_native;
int tc_copy_ret;
__u8 tc_dst[COPY_SIZE];

int small_ret;

SEC("syscall")
int copy_rep_movs(void *ctx)
{
	copy_ret = obench_memcpy_rep_movs(dst_buf, sizeof(dst_buf),
					  src_buf, sizeof(src_buf));
	return 0;
}

SEC("syscall")
int fib(void *ctx)
{
	fib_native = obench_native_fib(fib_n);
	fib_bpf = obench_fib(fib_n);
	return 0;
}

SEC("syscall")
int sum64(void *ctx)
{
	sum_native = obench_native_sum64(sum_data, sizeof(sum_data),
					 sum_repeat);
	/* data__sz < OBENCH_SUM_BYTES: the kfunc must return 0. */
	sum_native_short = obench_native_sum64(sum_data, 32, sum_repeat);
	sum_bpf = obench_sum64(sum_data, sum_repeat);
	return 0;
}

SEC("xdp")
int xdp_fib(struct xdp_md *ctx)
{
	xdp_fib_native = obench_native_fib(fib_n);
	return XDP_PASS;
}

SEC("tc")
int tc_copy(struct __sk_buff *skb)
{
	tc_copy_ret = obench_memcpy_rep_movs(tc_dst, sizeof(tc_dst),
					     src_buf, sizeof(src_buf));
	return 0;
}

/* Control for the rejected programs below: same stack buffers, right sizes. */
SEC("syscall")
int good_small(void *ctx)
{
	__u8 dst[SMALL_SIZE], src[SMALL_SIZE];

	__builtin_memset(dst, 0, sizeof(dst));
	__builtin_memset(src, 0x5a, sizeof(src));
	small_ret = obench_memcpy_rep_movs(dst, sizeof(dst), src, sizeof(src));
	return dst[SMALL_SIZE - 1];
}

/* dst__sz larger than the buffer: the verifier must reject this. */
SEC("?syscall")
int bad_dst_sz(void *ctx)
{
	__u8 dst[SMALL_SIZE], src[SMALL_SIZE];

	__builtin_memset(dst, 0, sizeof(dst));
	__builtin_memset(src, 0x5a, sizeof(src));
	small_ret = obench_memcpy_rep_movs(dst, 2 * sizeof(dst),
					   src, sizeof(src));
	return dst[SMALL_SIZE - 1];
}

/* data__sz larger than the map value: the verifier must reject this. */
SEC("?syscall")
int bad_sum_sz(void *ctx)
{
	__u8 data[OBENCH_SUM_BYTES];

	__builtin_memset(data, 1, sizeof(data));
	sum_native = obench_native_sum64(data, 2 * sizeof(data), 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
