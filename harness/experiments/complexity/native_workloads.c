// SPDX-License-Identifier: GPL-2.0
/*
 * The timing side of the complexity experiment's native baseline: which
 * function is which, and a loop that calls them.  The workloads themselves
 * are in native_kbuild.c, built with the kernel's flags.  The timing loop
 * hides the inputs and uses the outputs through empty asm statements, so the
 * compiler can neither hoist nor drop a call.
 */
#include "experiments/complexity/native_workloads.h"

#include <time.h>

const char *native_symbol(enum native_work w)
{
	return w == NATIVE_FIB ? "native_fib" : w == NATIVE_SUM64 ? "native_sum64" : "native_empty";
}

const void *native_address(enum native_work w)
{
	return w == NATIVE_FIB ? (const void *)native_fib :
	       w == NATIVE_SUM64 ? (const void *)native_sum64 : (const void *)native_empty;
}

__u64 native_run(enum native_work w, const __u8 *data, __u32 param)
{
	return w == NATIVE_FIB ? native_fib(param) :
	       w == NATIVE_SUM64 ? native_sum64(data, param) : native_empty(data, param);
}

/* Opaque input -> call -> used output, @calls times. */
#define TIMED_LOOP(call)						\
	for (i = 0; i < calls; i++) {					\
		const __u8 *d = data;					\
		__u32 p = param;					\
									\
		__asm__ volatile("" : "+r"(d), "+r"(p) : : "memory");	\
		r = (call);						\
		__asm__ volatile("" : : "r"(r) : "memory");		\
	}

double native_time_ns(enum native_work w, const __u8 *data, __u32 param,
		      unsigned long calls, __u64 *result)
{
	struct timespec a, b;
	unsigned long i;
	__u64 r = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	switch (w) {
	case NATIVE_FIB:
		TIMED_LOOP(native_fib(p));
		break;
	case NATIVE_SUM64:
		TIMED_LOOP(native_sum64(d, p));
		break;
	default:
		TIMED_LOOP(native_empty(d, p));
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (result)
		*result = r;
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) /
	       (double)(calls ? calls : 1);
}
