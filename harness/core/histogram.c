// SPDX-License-Identifier: GPL-2.0
#include "core/histogram.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hist_init(struct histogram *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static unsigned int bucket_of(uint64_t v)
{
	unsigned int shift;

	if (v < (1ull << HIST_SUB_BITS))
		return (unsigned int)v;
	shift = (unsigned int)(63 - __builtin_clzll(v)) - (HIST_SUB_BITS - 1);
	return shift * HIST_HALF + (unsigned int)(v >> shift);
}

/* The lowest value of bucket @i and its width. */
static void bucket_range(unsigned int i, uint64_t *lo, uint64_t *width)
{
	unsigned int shift;

	if (i < (1u << HIST_SUB_BITS)) {
		*lo = i;
		*width = 1;
		return;
	}
	shift = i / HIST_HALF - 1;
	*lo = (uint64_t)(i - shift * HIST_HALF) << shift;
	*width = 1ull << shift;
}

/* The value a bucket stands for: its midpoint (exact buckets: the value). */
static uint64_t bucket_value(unsigned int i)
{
	uint64_t lo, w;

	bucket_range(i, &lo, &w);
	return lo + (w - 1) / 2;
}

void hist_record(struct histogram *h, uint64_t ns)
{
	h->b[bucket_of(ns)]++;
	h->count++;
	h->sum += (double)ns;
	h->sumsq += (double)ns * (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
}

void hist_merge(struct histogram *dst, const struct histogram *src)
{
	unsigned int i;

	if (!src->count)
		return;
	for (i = 0; i < HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_percentile(const struct histogram *h, double p)
{
	uint64_t rank, seen = 0, v;
	unsigned int i;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	v = bucket_value(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	/* a bucket's midpoint can lie outside what was recorded */
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

int hist_stats(const struct histogram *h, double scale, struct stats *st)
{
	double n = (double)h->count, var;

	memset(st, 0, sizeof(*st));
	if (!h->count)
		return -1;
	st->n = h->count;
	st->mean = h->sum / n * scale;
	var = h->count > 1 ? (h->sumsq - h->sum * h->sum / n) / (n - 1) : 0;
	st->stddev = var > 0 ? sqrt(var) * scale : 0;
	st->cv = st->mean != 0 ? st->stddev / fabs(st->mean) : 0;
	st->min = (double)h->min * scale;
	st->max = (double)h->max * scale;
	st->p1 = (double)hist_percentile(h, 1) * scale;
	st->q1 = (double)hist_percentile(h, 25) * scale;
	st->median = (double)hist_percentile(h, 50) * scale;
	st->q3 = (double)hist_percentile(h, 75) * scale;
	st->p99 = (double)hist_percentile(h, 99) * scale;
	st->p999 = (double)hist_percentile(h, 99.9) * scale;
	return 0;
}

int hist_samples(const struct histogram *h, double scale, double **out)
{
	size_t n = 0;
	unsigned int i;
	uint64_t k;
	double *v;

	*out = NULL;
	if (!h->count)
		return -1;
	v = malloc(h->count * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < HIST_BUCKETS; i++)
		for (k = 0; k < h->b[i] && n < h->count; k++)
			v[n++] = (double)bucket_value(i) * scale;
	*out = v;
	return 0;
}

int hist_write_cdf(const struct histogram *h, FILE *f, const char *label, double scale)
{
	uint64_t seen = 0;
	unsigned int i;
	int lines = 0;

	for (i = 0; i < HIST_BUCKETS && h->count; i++) {
		if (!h->b[i])
			continue;
		seen += h->b[i];
		if (fprintf(f, "%s,%.4f,%.6f\n", label, (double)bucket_value(i) * scale,
			    (double)seen / (double)h->count) < 0)
			return -1;
		lines++;
	}
	return lines;
}
