// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/obench.h"

volatile sig_atomic_t obench_stop;

static bool progress_shown;

void progress(const struct exp_env *env, const char *fmt, ...)
{
	va_list ap;

	/* inside the testbed VM stderr is a serial port relayed into a log */
	if (!isatty(STDERR_FILENO) || getenv("VMRUN"))
		return;
	fprintf(stderr, "\r\033[K  %s: ", env->exp->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

void progress_done(void)
{
	if (progress_shown && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	progress_shown = false;
}
