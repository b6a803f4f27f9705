// SPDX-License-Identifier: GPL-2.0
/*
 * The native side of the complexity experiment: the workloads of
 * include/obench/workloads.h built the way the kernel builds C, because the
 * paper's native code was compiled into the mlx5 driver by the kernel's gcc
 * -O2 (no unrolling, no SIMD: 5 instructions per summed byte).  This object
 * has a Makefile rule of its own (NATIVE_CC, NATIVE_FLAGS): nothing else
 * goes in it, and it uses no floating point, which those flags forbid.
 */
#include "experiments/complexity/native_workloads.h"

#define OBENCH_INLINE static inline
#include <obench/workloads.h>

#ifndef OBENCH_NATIVE_FLAGS
#error "built by its own Makefile rule, which passes OBENCH_NATIVE_FLAGS"
#endif

#ifdef __clang__
#define NATIVE_COMPILER "clang " __clang_version__
#else
#define NATIVE_COMPILER "gcc " __VERSION__
#endif

const char native_build[] = NATIVE_COMPILER " " OBENCH_NATIVE_FLAGS;

/* The empty call: the per-call overhead subtracted from the others. */
__attribute__((noinline)) __u64 native_empty(const __u8 *data, __u32 param)
{
	/* a side effect: the call cannot be folded into its argument */
	__asm__ volatile("" : : "r"(data) : "memory");
	return param;
}

__attribute__((noinline)) __u64 native_fib(__u32 n)
{
	return obench_fib(n);
}

__attribute__((noinline)) __u64 native_sum64(const __u8 *data, __u32 repeat)
{
	return obench_sum64(data, repeat);
}
