/* SPDX-License-Identifier: GPL-2.0 */
/* Summary statistics over a sample of measurements. */
#ifndef OBENCH_STATS_H
#define OBENCH_STATS_H

#include <stddef.h>

struct stats {
	size_t n;
	double mean, stddev, cv;	/* cv = stddev / |mean| (0 when mean == 0) */
	double min, max;
	double p1, q1, median, q3, p99, p999;
};

/* Percentile p in [0,100] of a sorted array (linear interpolation, R type 7). */
double stats_percentile_sorted(const double *sorted, size_t n, double p);

/*
 * Summarises v[warmup..n-1] after subtracting @baseline from every sample.
 * The first @warmup samples are discarded.  Returns -1 when no sample is left.
 */
int stats_compute(const double *v, size_t n, size_t warmup, double baseline,
		  struct stats *out);

static inline double stats_iqr(const struct stats *s)
{
	return s->q3 - s->q1;
}

#endif
