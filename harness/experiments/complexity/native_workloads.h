/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The complexity workloads (include/obench/workloads.h) compiled natively for
 * user space the way the kernel compiles C (native_kbuild.c, its own
 * Makefile rule), and a timing loop that makes every call really run
 * (native_workloads.c).
 */
#ifndef OBENCH_NATIVE_WORKLOADS_H
#define OBENCH_NATIVE_WORKLOADS_H

#include <linux/types.h>

enum native_work { NATIVE_EMPTY, NATIVE_FIB, NATIVE_SUM64 };

/* Out of line, so each call runs and the JIT analysis finds their code. */
__u64 native_empty(const __u8 *data, __u32 param);
__u64 native_fib(__u32 n);
__u64 native_sum64(const __u8 *data, __u32 repeat);

/* The compiler and flags the workloads were built with ("gcc 12.2.0 -O2 ..."). */
extern const char native_build[];

/* Symbol name of @w's function (for jit_native_code()). */
const char *native_symbol(enum native_work w);
const void *native_address(enum native_work w);

/* One call of @w on (@data, @param). */
__u64 native_run(enum native_work w, const __u8 *data, __u32 param);

/*
 * Mean ns per call over @calls calls of @w (CLOCK_MONOTONIC around the loop);
 * the last result in *@result.
 */
double native_time_ns(enum native_work w, const __u8 *data, __u32 param,
		      unsigned long calls, __u64 *result);

#endif
