// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict model against synthetic samples: every claim of the paper's
 * table must fail at "no effect" when it claims an effect, pass with an
 * effect of the right size, and come out inconclusive on noisy input whose
 * median sits on the region's edge.  Plus the intervals it rests on.
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "core/interval.h"
#include "core/paper.h"
#include "core/verdict.h"

#define N 30

/* Deterministic normal-ish samples (sum of uniforms) with @median and relative spread @cv. */
static void samples(double *v, size_t n, double median, double cv, unsigned int seed)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		double u = 0;

		for (k = 0; k < 12; k++) {
			seed = seed * 1103515245u + 12345u;
			u += (double)((seed >> 8) & 0xffff) / 65536.0;
		}
		v[i] = median * (1 + cv * (u - 6));
	}
}

static void add_row(struct result_set *rs, const char *config, const char *metric,
		    double median, double cv, size_t n, unsigned int seed)
{
	double v[N];
	struct stats st;

	samples(v, n, median, cv, seed);
	stats_compute(v, n, 0, 0, &st);
	result_add_samples(rs, config, metric, "x", "host", &st, "", v, n);
}

/* A result set where claim @c's figure is about @value (with spread @cv), its gate met. */
static void synth(const struct claim *c, double value, double cv, struct result_set *rs)
{
	size_t n = c->exact ? 1 : N;

	result_set_init(rs, c->experiment);
	if (c->den) {
		/* the denominator fixed at 100: the ratio is value */
		add_row(rs, c->num, c->metric, 100 * value, cv, n, 7);
		add_row(rs, c->den, c->metric, 100, cv, n, 11);
	} else {
		add_row(rs, c->num, c->metric, value, cv, n, 7);
	}
	if (c->gate.config)
		add_row(rs, c->gate.config, c->gate.metric,
			isinf(c->gate.min) ? c->gate.max : c->gate.min, 0, N, 3);
}

static const struct verdict_context hw = { .tier = "hardware", .cpus = 64 };

static enum verdict judge(const struct claim *c, double value, double cv, char *why)
{
	struct result_set rs;
	struct judgement j;

	synth(c, value, cv, &rs);
	verdict_judge(c, &rs, &hw, &j);
	result_set_free(&rs);
	strcpy(why, j.why);
	return j.verdict;
}

/* A figure well inside the claim's region. */
static double inside(const struct claim *c)
{
	if (isinf(c->hi))
		return c->lo * 1.5 + (c->lo <= 0 ? 1 : 0);
	if (isinf(c->lo))
		return c->hi - 0.5 * fabs(c->hi) - 0.05;
	return (c->lo + c->hi) / 2;
}

/* The region's finite edge (the lower one when both are). */
static double edge(const struct claim *c)
{
	return isinf(c->lo) ? c->hi : c->lo;
}

static bool claims_null_effect(const struct claim *c)
{
	return c->kind == CLAIM_EFFECT || c->kind == CLAIM_ORDER;
}

TEST(claims_are_well_formed)
{
	const struct paper_takeaway *t;
	const struct claim *c;

	for (c = paper_claims; c->experiment; c++) {
		bool known = false;

		for (t = paper_takeaways; t->section; t++)
			known |= !strcmp(t->section, c->takeaway);
		EXPECT(known, "%s: takeaway %s is not in Table 7", c->name, c->takeaway);
		EXPECT(c->claim && *c->claim && c->why && *c->why && c->ref,
		       "%s: claim, reason and reference must be stated", c->name);
		EXPECT(c->lo < c->hi, "%s: empty region", c->name);
		EXPECT(!claim_passes_at_null(c), "%s: the region of an effect/order contains \"no effect\"",
		       c->name);
		EXPECT(!claims_null_effect(c) || c->null_hi > c->null_lo,
		       "%s: an effect or order must state its \"no effect\" band", c->name);
	}
}

TEST(no_effect_never_reproduces_an_effect_claim)
{
	const struct claim *c;
	struct interval at_null;
	char why[320];

	for (c = paper_claims; c->experiment; c++) {
		if (!claims_null_effect(c))
			continue;
		/* an exact "no effect" and a tight interval around it */
		at_null = (struct interval){ 1, 1, 1 };
		EXPECT(verdict_of_interval(c, &at_null, why, sizeof(why)) != VERDICT_REPRODUCED,
		       "%s: reproduced at exactly no effect", c->name);
		at_null = (struct interval){ 1, c->null_lo, c->null_hi };
		EXPECT(verdict_of_interval(c, &at_null, why, sizeof(why)) != VERDICT_REPRODUCED,
		       "%s: reproduced with an interval inside the no-effect band", c->name);
		if (c->den)
			EXPECT(judge(c, 1.0, 0.02, why) != VERDICT_REPRODUCED,
			       "%s: synthetic equal samples judged reproduced", c->name);
	}
}

TEST(an_effect_of_the_right_size_reproduces)
{
	const struct claim *c;
	char why[320];

	for (c = paper_claims; c->experiment; c++) {
		enum verdict v = judge(c, inside(c), 0.02, why);

		EXPECT(v == VERDICT_REPRODUCED, "%s: figure %.3g inside the region -> %s (%s)",
		       c->name, inside(c), verdict_name(v), why);
	}
}

TEST(far_outside_the_region_differs)
{
	const struct claim *c;
	char why[320];

	for (c = paper_claims; c->experiment; c++) {
		double out = isinf(c->hi) ? c->lo * 0.5 - (c->lo <= 0 ? 1 : 0) :
			     c->hi * 2 + 1;
		enum verdict v;

		if (!c->den && isinf(c->hi) && c->lo <= 0)
			continue;
		v = judge(c, out, 0.02, why);
		EXPECT(v == VERDICT_DIFFERS, "%s: figure %.3g far outside -> %s (%s)", c->name, out,
		       verdict_name(v), why);
	}
}

TEST(noisy_input_on_the_edge_is_inconclusive)
{
	const struct claim *c;
	char why[320];

	for (c = paper_claims; c->experiment; c++) {
		enum verdict v;

		if (c->exact)
			continue;	/* counts have no spread */
		v = judge(c, edge(c), 0.3, why);
		EXPECT(v == VERDICT_INCONCLUSIVE, "%s: noisy figure on the edge %.3g -> %s", c->name,
		       edge(c), verdict_name(v));
	}
}

TEST(conditions_make_it_inconclusive)
{
	const struct claim *c;
	struct verdict_context host = { .tier = "host", .cpus = 2 };
	struct verdict_context noisy = { .tier = "hardware", .cpus = 64, .noisy = true,
					 .noise = "a CPU hog" };
	struct result_set rs;
	struct judgement j;

	for (c = paper_claims; c->experiment; c++) {
		synth(c, inside(c), 0.02, &rs);
		verdict_judge(c, &rs, &noisy, &j);
		/* counts (exact) do not depend on the machine's load */
		EXPECT(c->exact ? j.verdict == VERDICT_REPRODUCED :
		       j.verdict == VERDICT_INCONCLUSIVE && strstr(j.why, "noisy") != NULL,
		       "%s: noisy machine -> %s (%s)", c->name, verdict_name(j.verdict), j.why);
		if (c->hardware_only || c->min_cpus > 2) {
			verdict_judge(c, &rs, &host, &j);
			EXPECT(j.verdict == VERDICT_INCONCLUSIVE, "%s: condition not met on a 2-CPU host -> %s",
			       c->name, verdict_name(j.verdict));
		}
		result_set_free(&rs);
	}
}

/* The gate's row set just outside its range: the figure of a claim whose gate failed. */
static enum verdict judge_gate_failed(const struct claim *c, double value, char *why)
{
	struct result_set rs;
	struct judgement j;
	double bad = isinf(c->gate.min) ? c->gate.max * 2 + 1 : c->gate.min / 2 - 1;

	result_set_init(&rs, c->experiment);
	if (c->den) {
		add_row(&rs, c->num, c->metric, 100 * value, 0.02, N, 7);
		add_row(&rs, c->den, c->metric, 100, 0.02, N, 11);
	} else {
		add_row(&rs, c->num, c->metric, value, 0.02, N, 7);
	}
	add_row(&rs, c->gate.config, c->gate.metric, bad, 0, N, 3);
	verdict_judge(c, &rs, &hw, &j);
	result_set_free(&rs);
	strcpy(why, j.why);
	return j.verdict;
}

/*
 * A failed gate judges nothing -- except a lower-bound gate, under which our
 * figure may only be too small: it still reproduces "at least", never differs.
 */
TEST(a_failed_gate_is_inconclusive_or_a_lower_bound)
{
	const struct claim *c;
	char why[320];
	int lower = 0;

	for (c = paper_claims; c->experiment; c++) {
		enum verdict in, below;

		if (!c->gate.config)
			continue;
		in = judge_gate_failed(c, inside(c), why);
		below = judge_gate_failed(c, isinf(c->hi) ? c->lo * 0.5 : c->hi * 2 + 1, why);
		EXPECT(below == VERDICT_INCONCLUSIVE && strstr(why, c->gate.why),
		       "%s: gate failed, figure outside -> %s (%s)", c->name, verdict_name(below), why);
		if (c->gate_lower_bound) {
			lower++;
			EXPECT(isinf(c->hi), "%s: a lower-bound gate on a claim that is not \"at least\"",
			       c->name);
			EXPECT(in == VERDICT_REPRODUCED, "%s: lower bound already inside -> %s",
			       c->name, verdict_name(in));
		} else {
			EXPECT(in == VERDICT_INCONCLUSIVE, "%s: gate failed, figure inside -> %s",
			       c->name, verdict_name(in));
		}
	}
	EXPECT(lower > 0, "no claim has a lower-bound gate (kvcache throughput should)");
}

/*
 * Drift: the figure sits 3 % below the region's edge for the first 8 of 30
 * rounds, 3 % above it after, tightly each side.  The whole run's interval
 * (order statistics ~10..21) lies on one side -- a firm verdict without the
 * split-half check -- but the first half's figure is on the other.
 */
TEST(a_run_whose_halves_disagree_is_inconclusive)
{
	const struct claim *c;
	double num[N], den[N];
	struct result_set rs;
	struct judgement j;
	struct stats st;
	size_t i;

	for (c = paper_claims; c->experiment; c++) {
		double e = edge(c);

		if (c->exact || !c->den || !(e > 0))
			continue;
		for (i = 0; i < N; i++) {
			num[i] = 100 * e * (i < 8 ? 0.97 : 1.03) * (1 + 0.001 * (double)(i % 3));
			den[i] = 100 * (1 + 0.001 * (double)(i % 2));
		}
		result_set_init(&rs, c->experiment);
		stats_compute(num, N, 0, 0, &st);
		result_add_samples(&rs, c->num, c->metric, "x", "host", &st, "", num, N);
		stats_compute(den, N, 0, 0, &st);
		result_add_samples(&rs, c->den, c->metric, "x", "host", &st, "", den, N);
		if (c->gate.config)
			add_row(&rs, c->gate.config, c->gate.metric,
				isinf(c->gate.min) ? c->gate.max : c->gate.min, 0, N, 3);
		verdict_judge(c, &rs, &hw, &j);
		EXPECT(j.verdict == VERDICT_INCONCLUSIVE && strstr(j.why, "halves"),
		       "%s: drift across the edge %.3g -> %s (%s)", c->name, e, verdict_name(j.verdict), j.why);
		result_set_free(&rs);
	}
}

TEST(a_missing_row_is_not_measured)
{
	const struct claim *c = &paper_claims[0];
	struct result_set rs;
	struct judgement j;

	result_set_init(&rs, c->experiment);
	verdict_judge(c, &rs, &hw, &j);
	EXPECT(j.verdict == VERDICT_NOT_MEASURED, "empty set -> %s", verdict_name(j.verdict));
	result_skip(&rs, c->num, c->metric, "no PMU");
	result_skip(&rs, c->den, c->metric, "no PMU");
	verdict_judge(c, &rs, &hw, &j);
	EXPECT(j.verdict == VERDICT_NOT_MEASURED && strstr(j.why, "no PMU"), "skipped -> %s (%s)",
	       verdict_name(j.verdict), j.why);
	result_set_free(&rs);
}

TEST(median_interval_from_order_statistics)
{
	double v[20];
	struct interval ci;
	int i;

	for (i = 0; i < 20; i++)
		v[i] = 20 - i;	/* 1..20, reversed */
	EXPECT(interval_median(v, 20, &ci) == 0, "n = 20 has an interval");
	/* n = 20: the 95 % distribution-free interval is [x(6), x(15)] (1-based) */
	EXPECT(ci.point == 10.5 && ci.lo == 6 && ci.hi == 15, "median %g [%g, %g]", ci.point,
	       ci.lo, ci.hi);
	EXPECT(interval_median(v, 5, &ci) == -1, "n = 5 has no 95 %% interval");
}

TEST(ratio_interval_covers_and_is_reproducible)
{
	double a[N], b[N];
	struct interval x, y;

	samples(a, N, 300, 0.05, 1);
	samples(b, N, 100, 0.05, 2);
	EXPECT(interval_ratio(a, N, b, N, &x) == 0, "interval");
	EXPECT(x.lo < 3 && 3 < x.hi && x.hi - x.lo < 0.3, "3x: %g [%g, %g]", x.point, x.lo, x.hi);
	interval_ratio(a, N, b, N, &y);
	EXPECT(x.lo == y.lo && x.hi == y.hi, "same samples, same interval");
	EXPECT(interval_ratio(a, 2, b, N, &x) == -1, "two samples are too few");
}

TEST(mann_whitney)
{
	double a[N], b[N];

	samples(a, N, 100, 0.05, 1);
	samples(b, N, 120, 0.05, 2);
	EXPECT(mann_whitney_p(a, N, b, N) < 0.001, "20 %% shift: p = %g", mann_whitney_p(a, N, b, N));
	samples(b, N, 100, 0.05, 2);
	EXPECT(mann_whitney_p(a, N, b, N) > 0.05, "same distribution: p = %g",
	       mann_whitney_p(a, N, b, N));
}

TEST_HARNESS_MAIN
