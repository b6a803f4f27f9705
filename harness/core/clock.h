/* SPDX-License-Identifier: GPL-2.0 */
/* The monotonic clock every user-space timing in obench reads. */
#ifndef OBENCH_CLOCK_H
#define OBENCH_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline double mono_s(void)
{
	return (double)mono_ns() / 1e9;
}

#endif
