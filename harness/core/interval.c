// SPDX-License-Identifier: GPL-2.0
#include "core/interval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The k-th smallest of v[0..n-1] (0-based), reordering v: quickselect. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

/* Median of v[0..n-1], reordering v (R type 7: the mean of the two middle values). */
static double median_inplace(double *v, size_t n)
{
	double a;

	if (n % 2)
		return select_kth(v, n, n / 2);
	a = select_kth(v, n, n / 2 - 1);
	return (a + select_kth(v, n, n / 2)) / 2;
}

double median_of(const double *v, size_t n)
{
	double *c, m;

	if (n == 0)
		return NAN;
	c = malloc(n * sizeof(*c));
	if (!c)
		return NAN;
	memcpy(c, v, n * sizeof(*c));
	m = median_inplace(c, n);
	free(c);
	return m;
}

/* P(X <= k) for X ~ Binomial(n, 1/2), through log-gamma (n may be large). */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0;
	size_t i;

	for (i = 0; i <= k; i++)
		sum += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
			   lgamma((double)(n - i) + 1) - (double)n * log(2));
	return sum;
}

int interval_median(const double *v, size_t n, struct interval *out)
{
	double alpha = (1 - INTERVAL_LEVEL) / 2, *s;
	size_t j = 0;

	if (n < 6)
		return -1;
	/*
	 * j: the 1-based rank of the lower end, the smallest k with
	 * P(X <= k) > alpha for X ~ Bin(n, 1/2); [x(j), x(n+1-j)] then covers
	 * the median with probability >= 95 % (n = 20: [x(6), x(15)]).
	 */
	if (n > 2000) {
		/* normal approximation: the exact sum is slow and no better here */
		double z = 1.959964, half = z * sqrt((double)n) / 2;

		j = (size_t)floor((double)n / 2 - half);
	} else {
		while (j + 1 < n / 2 && binom_half_cdf(n, j) <= alpha)
			j++;
	}
	if (j < 1)
		j = 1;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -1;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	out->point = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	out->lo = s[j - 1];
	out->hi = s[n - j];
	free(s);
	return 0;
}

/* splitmix64: a small, good, seedable generator; the fixed seed makes intervals reproducible. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double resampled_median(const double *v, size_t n, double *scratch, uint64_t *rng)
{
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = v[next_u64(rng) % n];
	return median_inplace(scratch, n);
}

/*
 * Above this many samples a side, the ratio's interval combines the two
 * medians' order-statistic intervals instead (lo/hi over hi/lo): as
 * conservative as a union bound, and the medians' intervals are narrow there.
 */
#define RATIO_BOOTSTRAP_MAX 5000

static int ratio_from_medians(const double *num, size_t nn, const double *den, size_t nd,
			      struct interval *out)
{
	struct interval a, b;

	if (interval_median(num, nn, &a) || interval_median(den, nd, &b) || !(b.lo > 0) ||
	    !(a.point > 0) || !(b.point > 0))
		return -1;
	out->point = a.point / b.point;
	out->lo = a.lo / b.hi;
	out->hi = a.hi / b.lo;
	return 0;
}

int interval_ratio(const double *num, size_t nn, const double *den, size_t nd,
		   struct interval *out)
{
	double *ratios, *scratch, mn = median_of(num, nn), md = median_of(den, nd);
	uint64_t rng = 0x6f62656e6368ull;	/* "obench" */
	size_t b, kept = 0;

	if (nn < 3 || nd < 3 || !(mn > 0) || !(md > 0))
		return -1;
	if (nn > RATIO_BOOTSTRAP_MAX || nd > RATIO_BOOTSTRAP_MAX)
		return ratio_from_medians(num, nn, den, nd, out);
	ratios = malloc(INTERVAL_BOOTSTRAP * sizeof(*ratios));
	scratch = malloc((nn > nd ? nn : nd) * sizeof(*scratch));
	if (!ratios || !scratch) {
		free(ratios);
		free(scratch);
		return -1;
	}
	for (b = 0; b < INTERVAL_BOOTSTRAP; b++) {
		double a = resampled_median(num, nn, scratch, &rng);
		double d = resampled_median(den, nd, scratch, &rng);

		if (d > 0)
			ratios[kept++] = a / d;
	}
	out->point = mn / md;
	qsort(ratios, kept, sizeof(*ratios), cmp_double);
	out->lo = ratios[(size_t)floor((double)(kept - 1) * (1 - INTERVAL_LEVEL) / 2)];
	out->hi = ratios[(size_t)ceil((double)(kept - 1) * (1 + INTERVAL_LEVEL) / 2)];
	free(ratios);
	free(scratch);
	return kept > INTERVAL_BOOTSTRAP / 2 ? 0 : -1;
}

struct ranked {
	double v;
	int group;
};

static int cmp_ranked(const void *a, const void *b)
{
	return cmp_double(&((const struct ranked *)a)->v, &((const struct ranked *)b)->v);
}

double mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i, j;
	double r1 = 0, ties = 0, u, mu, sigma, z;
	struct ranked *all;

	if (na < 2 || nb < 2)
		return 1;
	all = malloc(n * sizeof(*all));
	if (!all)
		return 1;
	for (i = 0; i < na; i++)
		all[i] = (struct ranked){ a[i], 0 };
	for (i = 0; i < nb; i++)
		all[na + i] = (struct ranked){ b[i], 1 };
	qsort(all, n, sizeof(*all), cmp_ranked);
	for (i = 0; i < n; i = j) {
		double rank, t;

		for (j = i; j < n && all[j].v == all[i].v; j++)
			;
		rank = ((double)i + 1 + (double)j) / 2;	/* mean of ranks i+1..j */
		t = (double)(j - i);
		ties += t * t * t - t;
		for (; i < j; i++)
			if (all[i].group == 0)
				r1 += rank;
	}
	free(all);
	u = r1 - (double)na * ((double)na + 1) / 2;
	mu = (double)na * (double)nb / 2;
	sigma = sqrt((double)na * (double)nb / 12 *
		     ((double)n + 1 - ties / ((double)n * ((double)n - 1))));
	if (sigma == 0)
		return 1;
	z = (fabs(u - mu) - 0.5) / sigma;	/* continuity correction */
	if (z < 0)
		z = 0;
	return erfc(z / sqrt(2));
}
