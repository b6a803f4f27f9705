/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A latency histogram in the HdrHistogram style: log-linear buckets over
 * 64-bit nanosecond values.  Values below 2^HIST_SUB_BITS are exact; above,
 * each power-of-two range is split into 2^(HIST_SUB_BITS-1) equal buckets, so
 * a reported percentile is within 1/2^HIST_SUB_BITS (0.4%) of the true value.
 * Fixed size (no allocation), mergeable, min/max/mean exact.
 */
#ifndef OBENCH_HISTOGRAM_H
#define OBENCH_HISTOGRAM_H

#include <stdint.h>
#include <stdio.h>

#include "core/stats.h"

#define HIST_SUB_BITS	8
#define HIST_HALF	(1u << (HIST_SUB_BITS - 1))
#define HIST_BUCKETS	((64 - HIST_SUB_BITS + 2) * HIST_HALF)

struct histogram {
	uint64_t count;
	uint64_t min, max;
	double sum, sumsq;		/* for mean and standard deviation */
	uint64_t b[HIST_BUCKETS];
};

void hist_init(struct histogram *h);
void hist_record(struct histogram *h, uint64_t ns);
/* dst += src */
void hist_merge(struct histogram *dst, const struct histogram *src);
/* The value at percentile @p (0..100), in ns; 0 when empty. */
uint64_t hist_percentile(const struct histogram *h, double p);
/*
 * Fills @st from the histogram, every value scaled by @scale (1e-3: ns -> us).
 * Returns -1 when the histogram is empty.
 */
int hist_stats(const struct histogram *h, double scale, struct stats *st);
/*
 * The recorded values as samples (each bucket's representative value x
 * @scale, as often as it was recorded, in increasing order): a malloc'd
 * array of h->count values in *@out, or -1.  Within 0.4 % of the values
 * recorded, which is what the row's intervals are computed from.
 */
int hist_samples(const struct histogram *h, double scale, double **out);
/*
 * Appends "label,value,cdf" lines, one per non-empty bucket (value = the
 * bucket's representative value x @scale, cdf = fraction <= it); returns the
 * number of lines, -1 on a write error.
 */
int hist_write_cdf(const struct histogram *h, FILE *f, const char *label, double scale);

#endif
