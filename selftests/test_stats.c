// SPDX-License-Identifier: GPL-2.0
/* The statistics module against hand-computed values. */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "core/stats.h"

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

TEST(stats_one_to_ten)
{
	const double v[] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 };	/* 1..10, shuffled */
	struct stats s;

	EXPECT(stats_compute(v, 10, 0, 0, &s) == 0, "compute failed");
	EXPECT(s.n == 10, "n=%zu", s.n);
	EXPECT(near(s.mean, 5.5), "mean=%g", s.mean);
	EXPECT(near(s.median, 5.5), "median=%g", s.median);
	/* R type 7: q1 at position 0.25*9 = 2.25 -> 3 + 0.25 */
	EXPECT(near(s.q1, 3.25), "q1=%g", s.q1);
	EXPECT(near(s.q3, 7.75), "q3=%g", s.q3);
	EXPECT(near(s.p1, 1.09), "p1=%g", s.p1);
	EXPECT(near(s.p99, 9.91), "p99=%g", s.p99);
	EXPECT(near(s.p999, 9.991), "p999=%g", s.p999);
	/* sample stddev: sqrt(82.5 / 9) */
	EXPECT(near(s.stddev, sqrt(82.5 / 9)), "stddev=%g", s.stddev);
	EXPECT(near(s.cv, sqrt(82.5 / 9) / 5.5), "cv=%g", s.cv);
	EXPECT(s.min == 1 && s.max == 10, "min=%g max=%g", s.min, s.max);
	EXPECT(near(stats_iqr(&s), 4.5), "iqr=%g", stats_iqr(&s));
}

TEST(stats_warmup_discard_and_baseline_subtraction)
{
	const double v[] = { 1000, 900, 11, 12, 13 };
	struct stats s;

	EXPECT(stats_compute(v, 5, 2, 10, &s) == 0, "compute failed");
	EXPECT(s.n == 3, "n=%zu (two warm-up samples discarded)", s.n);
	EXPECT(near(s.median, 2), "median=%g (12 - baseline 10)", s.median);
	EXPECT(near(s.mean, 2), "mean=%g", s.mean);
	EXPECT(near(s.min, 1) && near(s.max, 3), "min=%g max=%g", s.min, s.max);
}

TEST(stats_edge_cases)
{
	const double one[] = { 42 }, zeros[] = { 0, 0, 0 };
	struct stats s;

	EXPECT(stats_compute(one, 1, 0, 0, &s) == 0, "single sample");
	EXPECT(s.n == 1 && s.median == 42 && s.stddev == 0 && s.p99 == 42,
		   "n=%zu median=%g stddev=%g", s.n, s.median, s.stddev);
	EXPECT(stats_compute(one, 1, 1, 0, &s) == -1, "all samples are warm-up");
	EXPECT(stats_compute(zeros, 3, 0, 0, &s) == 0 && s.cv == 0,
		   "cv of zero mean must be 0, got %g", s.cv);
}

TEST(stats_percentiles)
{
	const double odd[] = { 1, 2, 3, 4, 5 }, even[] = { 10, 20, 30, 40 };

	EXPECT(stats_percentile_sorted(odd, 5, 50) == 3, "odd median");
	EXPECT(near(stats_percentile_sorted(even, 4, 50), 25), "even median");
	EXPECT(stats_percentile_sorted(even, 4, 0) == 10, "p0");
	EXPECT(stats_percentile_sorted(even, 4, 100) == 40, "p100");
	EXPECT(isnan(stats_percentile_sorted(even, 0, 50)), "empty -> NaN");
}

TEST_HARNESS_MAIN
