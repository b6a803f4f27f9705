// SPDX-License-Identifier: GPL-2.0
/*
 * complexity's native side is built the way the kernel builds C (the paper's
 * native code was gcc -O2 in the mlx5 driver): no loop unrolling and no SIMD,
 * so the sum64 loop loads one byte per iteration and fib adds once per step.
 * These tests read the machine code of the native functions in this binary
 * (capstone, as the experiment does) and check that shape; never speed.
 */
#include <stdlib.h>
#include <string.h>

#include "core/jit.h"
#include "experiments/complexity/native_workloads.h"
#include "harness.h"

/* The innermost loop of native function @w: 0, or the test fails with why. */
static int native_loop(enum native_work w, struct jit_loop *l)
{
	struct jit_code c;
	void *code = NULL;
	size_t len = 0;
	int err;

	err = jit_native_code(native_symbol(w), native_address(w), &code, &len);
	if (err)
		return err;
	err = jit_disasm(code, len, (uint64_t)(unsigned long)native_address(w), &c);
	free(code);
	if (err)
		return err;
	err = jit_innermost_loop(&c, l);
	jit_code_free(&c);
	return err;
}

TEST(native_build_is_recorded)
{
	EXPECT(strstr(native_build, "-O2") && strstr(native_build, "-fno-unroll-loops"),
	       "native_build \"%s\" does not name the flags", native_build);
}

TEST(native_sum64_not_unrolled)
{
	struct jit_loop l;

	ASSERT(native_loop(NATIVE_SUM64, &l) == 0, "no loop found in native_sum64");
	TH_LOG("native sum64 loop: %u insns, %u byte loads (%s)", l.insns, l.byte_loads, native_build);
	/* an unrolled or vectorised loop loads several bytes (or none, as vectors) per iteration */
	EXPECT(l.byte_loads == 1, "%u byte loads per iteration, want 1", l.byte_loads);
}

TEST(native_fib_not_unrolled)
{
	struct jit_loop l;

	ASSERT(native_loop(NATIVE_FIB, &l) == 0, "no loop found in native_fib");
	TH_LOG("native fib loop: %u insns, %u reg+reg adds", l.insns, l.add_rr);
	EXPECT(l.add_rr == 1, "%u fib steps per iteration, want 1", l.add_rr);
}

TEST_HARNESS_MAIN
