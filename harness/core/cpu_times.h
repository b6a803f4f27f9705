/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Busy and softirq time of each CPU, from /proc/stat: read before and after
 * a measured phase to tell which side of a load test was the limit (a side
 * whose CPU was not busy was not what bounded the rate).
 */
#ifndef OBENCH_CPU_TIMES_H
#define OBENCH_CPU_TIMES_H

#include <stddef.h>

#define CPU_TIMES_MAX	64

struct cpu_times {
	int n, cpu[CPU_TIMES_MAX];
	unsigned long long busy[CPU_TIMES_MAX], total[CPU_TIMES_MAX], softirq[CPU_TIMES_MAX];
};

void cpu_times_read(struct cpu_times *c);

/* Busy share (0..1) of CPU @cpu between @a and @b; NAN when not known. */
double cpu_times_busy(const struct cpu_times *a, const struct cpu_times *b, int cpu);

/* "cpu0 98% busy (41% softirq), cpu1 3% busy (0% softirq)" between @a and @b. */
void cpu_times_fmt(const struct cpu_times *a, const struct cpu_times *b, char *buf, size_t len);

#endif
