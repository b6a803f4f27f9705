/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small KTAP emitter for obench's C selftests, in the kselftest format:
 *   TAP version 13 / 1..N / ok N name / not ok N name / ok N name # SKIP why
 *   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
 * and the kselftest exit codes (0 pass, 1 fail, 4 all skipped).
 */
#ifndef OBENCH_KTAP_H
#define OBENCH_KTAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

static int ktap_n, ktap_pass, ktap_fail, ktap_skip;

static inline void ktap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
	fflush(stdout);
}

static inline void ktap_print(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static inline void ktap_result(int ok, const char *name)
{
	ktap_n++;
	if (ok)
		ktap_pass++;
	else
		ktap_fail++;
	printf("%sok %d %s\n", ok ? "" : "not ", ktap_n, name);
	fflush(stdout);
}

static inline void ktap_skip_test(const char *name, const char *why)
{
	ktap_n++;
	ktap_skip++;
	printf("ok %d %s # SKIP %s\n", ktap_n, name, why);
	fflush(stdout);
}

/* Prints the totals and exits with the kselftest code. */
static inline void ktap_finish(void)
{
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       ktap_pass, ktap_fail, ktap_skip);
	fflush(stdout);
	if (ktap_fail)
		exit(KSFT_FAIL);
	exit(ktap_pass == 0 && ktap_skip > 0 ? KSFT_SKIP : KSFT_PASS);
}

/* Checks @cond; on failure prints where and what, in the KTAP diagnostic form. */
#define KTAP_CHECK(ok_var, cond, ...) do {				\
	if (!(cond)) {							\
		ktap_print("%s:%d: check failed: %s", __FILE__, __LINE__, #cond); \
		ktap_print(__VA_ARGS__);				\
		ok_var = 0;						\
	}								\
} while (0)

#endif
