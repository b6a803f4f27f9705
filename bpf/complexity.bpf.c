// SPDX-License-Identifier: GPL-2.0
/*
 * complexity (paper Fig. 14): the workloads of include/obench/workloads.h run
 * as XDP programs.  The parameters live in .bss so the harness changes them
 * per sweep point without reloading; the verifier therefore walks every value
 * up to OBENCH_FIB_MAX_N / OBENCH_SUM_MAX_REPEAT, so the largest point is
 * accepted by construction.  Results go to .bss for the harness to compare
 * with the native build of the same functions.
 *
 * The *_kfunc programs call the obench kernel module's native builds from a
 * minimal XDP program (testbed/hardware tiers); they are not autoloaded and
 * their kfuncs are weak, so the object loads without the module.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define OBENCH_INLINE static __always_inline
#include <obench/workloads.h>

__u32 fib_n;		/* fib(n) of the next runs */
__u32 sum_repeat;	/* times sum64 sums the first 64 bytes */
__u64 fib_result;
__u64 sum_result;

extern __u64 obench_native_fib(__u32 n) __ksym __weak;
extern __u64 obench_native_sum64(const __u8 *data, __u32 data__sz,
				 __u32 repeat) __ksym __weak;

/* The baseline: reaching the hook and returning, nothing else. */
SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_fib(struct xdp_md *ctx)
{
	fib_result = obench_fib(fib_n);
	return XDP_PASS;
}

SEC("xdp")
int xdp_sum64(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + OBENCH_SUM_BYTES > data_end)
		return XDP_ABORTED;
	sum_result = obench_sum64(data, sum_repeat);
	return XDP_PASS;
}

SEC("?xdp")
int xdp_kfunc_fib(struct xdp_md *ctx)
{
	fib_result = obench_native_fib(fib_n);
	return XDP_PASS;
}

SEC("?xdp")
int xdp_kfunc_sum64(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + OBENCH_SUM_BYTES > data_end)
		return XDP_ABORTED;
	sum_result = obench_native_sum64(data, OBENCH_SUM_BYTES, sum_repeat);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
