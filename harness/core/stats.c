// SPDX-License-Identifier: GPL-2.0
#include "core/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
	double pos, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	pos = p / 100.0 * (double)(n - 1);
	lo = (size_t)pos;
	frac = pos - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int stats_compute(const double *v, size_t n, size_t warmup, double baseline,
		  struct stats *out)
{
	double *s, sum = 0, sq = 0;
	size_t m, i;

	memset(out, 0, sizeof(*out));
	if (n <= warmup)
		return -1;
	m = n - warmup;
	s = malloc(m * sizeof(*s));
	if (!s)
		return -1;
	for (i = 0; i < m; i++) {
		s[i] = v[warmup + i] - baseline;
		sum += s[i];
	}
	qsort(s, m, sizeof(*s), cmp_double);
	out->n = m;
	out->mean = sum / (double)m;
	for (i = 0; i < m; i++)
		sq += (s[i] - out->mean) * (s[i] - out->mean);
	/* sample standard deviation (n - 1), 0 for a single sample */
	out->stddev = m > 1 ? sqrt(sq / (double)(m - 1)) : 0;
	out->cv = out->mean != 0 ? out->stddev / fabs(out->mean) : 0;
	out->min = s[0];
	out->max = s[m - 1];
	out->p1 = stats_percentile_sorted(s, m, 1);
	out->q1 = stats_percentile_sorted(s, m, 25);
	out->median = stats_percentile_sorted(s, m, 50);
	out->q3 = stats_percentile_sorted(s, m, 75);
	out->p99 = stats_percentile_sorted(s, m, 99);
	out->p999 = stats_percentile_sorted(s, m, 99.9);
	free(s);
	return 0;
}
