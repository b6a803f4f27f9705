/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How sure a figure is: confidence intervals and a significance test, from
 * the raw samples of a row.
 *
 * - The median's interval comes from order statistics (distribution-free:
 *   the binomial counts of samples below the median).
 * - A ratio of two medians gets a percentile-bootstrap interval: both sides
 *   resampled independently with replacement, 2000 times, with a fixed seed
 *   so that the same samples always give the same interval (and verdict).
 * - Two sets of samples are compared with the Mann-Whitney U test (normal
 *   approximation with tie correction, two-sided).
 * Written here rather than taken from a library: GSL has no bootstrap and
 * these are a few dozen lines each, tested in selftests/test_verdict.c.
 */
#ifndef OBENCH_INTERVAL_H
#define OBENCH_INTERVAL_H

#include <stddef.h>
#include <stdint.h>

#define INTERVAL_LEVEL		0.95
#define INTERVAL_BOOTSTRAP	2000

struct interval {
	double point;		/* the estimate: a median, or a ratio of medians */
	double lo, hi;		/* its 95 % interval */
};

/* The median of @v and its interval; -1 when n < 6 (no 95 % interval exists). */
int interval_median(const double *v, size_t n, struct interval *out);

/*
 * median(@num) / median(@den) and its bootstrap interval; -1 when a side has
 * fewer than 3 samples or a median is not positive.
 */
int interval_ratio(const double *num, size_t nn, const double *den, size_t nd,
		   struct interval *out);

/* Two-sided p-value of the Mann-Whitney U test of @a against @b (1 when n < 2). */
double mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* The median of @v (copied; @v is not reordered).  NAN when n == 0. */
double median_of(const double *v, size_t n);

#endif
