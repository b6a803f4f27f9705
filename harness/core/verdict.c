// SPDX-License-Identifier: GPL-2.0
#include "core/verdict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_REPRODUCED: return "reproduced";
	case VERDICT_DIFFERS: return "differs";
	case VERDICT_INCONCLUSIVE: return "inconclusive";
	default: return "not measured";
	}
}

const char *claim_kind_name(enum claim_kind k)
{
	switch (k) {
	case CLAIM_EFFECT: return "effect";
	case CLAIM_NO_DIFF: return "no difference";
	case CLAIM_ORDER: return "order";
	default: return "bound";
	}
}

static bool has_null(const struct claim *c)
{
	return (c->kind == CLAIM_EFFECT || c->kind == CLAIM_ORDER) && c->null_hi > c->null_lo;
}

bool claim_passes_at_null(const struct claim *c)
{
	double mid = (c->null_lo + c->null_hi) / 2;

	if (c->kind != CLAIM_EFFECT && c->kind != CLAIM_ORDER)
		return false;
	/* no null region declared: "no effect" is a ratio of 1 */
	if (!has_null(c))
		return c->lo <= 1 && 1 <= c->hi;
	return c->lo <= c->null_hi && c->null_lo <= c->hi && c->lo <= mid && mid <= c->hi;
}

void claim_region_text(const struct claim *c, char *buf, size_t len)
{
	if (isinf(c->hi) && !isinf(c->lo))
		snprintf(buf, len, "≥ %.3g", c->lo);
	else if (isinf(c->lo) || c->lo <= 0)
		snprintf(buf, len, "≤ %.3g", c->hi);
	else
		snprintf(buf, len, "[%.3g, %.3g]", c->lo, c->hi);
}

enum verdict verdict_of_interval(const struct claim *c, const struct interval *ci,
				 char *why, size_t len)
{
	char region[64];

	why[0] = '\0';
	if (!(ci->lo <= ci->hi) || isnan(ci->lo) || isnan(ci->hi)) {
		snprintf(why, len, "no interval");
		return VERDICT_INCONCLUSIVE;
	}
	claim_region_text(c, region, sizeof(region));
	if (ci->lo >= c->lo && ci->hi <= c->hi) {
		/* only when the table's region overlaps "no effect": never pass there */
		if (has_null(c) && ci->lo <= c->null_hi && c->null_lo <= ci->hi) {
			snprintf(why, len, "interval [%.3g, %.3g] reaches \"no effect\" [%.3g, %.3g]",
				 ci->lo, ci->hi, c->null_lo, c->null_hi);
			return VERDICT_INCONCLUSIVE;
		}
		return VERDICT_REPRODUCED;
	}
	if (ci->hi < c->lo || ci->lo > c->hi)
		return VERDICT_DIFFERS;
	snprintf(why, len, "interval [%.3g, %.3g] straddles the claim's region %s",
		 ci->lo, ci->hi, region);
	return VERDICT_INCONCLUSIVE;
}

/* Rows of @c: both present, measured, with samples; else the verdict it makes. */
static bool rows_of(const struct claim *c, const struct result_set *rs,
		    const struct result_row **num, const struct result_row **den,
		    struct judgement *out)
{
	*num = result_find(rs, c->num, c->metric);
	*den = c->den ? result_find(rs, c->den, c->metric) : NULL;
	if (!*num || (c->den && !*den)) {
		out->verdict = VERDICT_NOT_MEASURED;
		snprintf(out->why, sizeof(out->why), "row %s/%s not in this run",
			 !*num ? c->num : c->den, c->metric);
		return false;
	}
	if ((*num)->skipped || (*den && (*den)->skipped)) {
		out->verdict = VERDICT_NOT_MEASURED;
		snprintf(out->why, sizeof(out->why), "skipped: %s",
			 (*num)->skipped ? (*num)->note : (*den)->note);
		return false;
	}
	return true;
}

/* Paired rows: the median of the per-round ratios, bootstrapped over rounds. */
static int paired_interval(const struct result_row *num, const struct result_row *den,
			   struct interval *ci)
{
	size_t n = num->st.n, i, kept = 0;
	double *r;
	int err;

	if (n != den->st.n)
		return -1;
	r = malloc(n * sizeof(*r));
	if (!r)
		return -1;
	/*
	 * A denominator at or below 0 is a round measured under the subtracted
	 * baseline's resolution: the ratio is as large as can be (+inf, which
	 * sorts), not NAN, which would leave qsort's order, and so the median
	 * and its interval, undefined.  A round with both sides <= 0 says nothing.
	 */
	for (i = 0; i < n; i++) {
		if (den->samples[i] > 0)
			r[kept++] = num->samples[i] / den->samples[i];
		else if (num->samples[i] > 0)
			r[kept++] = INFINITY;
	}
	err = interval_median(r, kept, ci);
	free(r);
	return err;
}

/* The interval of the claim's figure; -1 with the reason in @out when there is none. */
static int figure_interval(const struct claim *c, const struct result_row *num,
			   const struct result_row *den, struct judgement *out)
{
	int err;

	out->n_num = num->st.n;
	out->n_den = den ? den->st.n : 0;
	if (c->exact) {
		double d = den ? den->st.median : 1;

		if (!(d > 0))
			return snprintf(out->why, sizeof(out->why), "denominator is not positive"), -1;
		out->ci.point = out->ci.lo = out->ci.hi = num->st.median / d;
		out->have_interval = true;
		return 0;
	}
	if (!num->samples || (den && !den->samples)) {
		snprintf(out->why, sizeof(out->why), "a single value (n = %zu): no interval",
			 den && !den->samples ? den->st.n : num->st.n);
		return -1;
	}
	if (!den)
		err = interval_median(num->samples, num->st.n, &out->ci);
	else if (c->paired)
		err = paired_interval(num, den, &out->ci);
	else
		err = interval_ratio(num->samples, num->st.n, den->samples, den->st.n, &out->ci);
	if (err) {
		if (den)
			snprintf(out->why, sizeof(out->why), "too few samples for an interval (n = %zu / %zu)",
				 out->n_num, out->n_den);
		else	/* a median's 95 % interval from order statistics needs >= 6 */
			snprintf(out->why, sizeof(out->why), "too few samples for an interval (n = %zu)",
				 out->n_num);
		return -1;
	}
	out->have_interval = true;
	return 0;
}

/* A lower-bound gate whose row lies outside its range (conditions_met() judged the rest). */
static bool gate_failed(const struct claim *c, const struct result_set *rs)
{
	const struct result_row *g;

	if (!c->gate.config || !c->gate_lower_bound)
		return false;
	g = result_find(rs, c->gate.config, c->gate.metric);
	return g && !g->skipped && (g->st.median < c->gate.min || g->st.median > c->gate.max);
}

/* The claim's conditions on the machine and the run; false with the reason in @out. */
static bool conditions_met(const struct claim *c, const struct result_set *rs,
			   const struct verdict_context *ctx, struct judgement *out)
{
	const struct result_row *g;

	if (c->hardware_only && (!ctx->tier || strcmp(ctx->tier, "hardware"))) {
		snprintf(out->why, sizeof(out->why), "judged on a hardware testbed only");
		return false;
	}
	if (c->min_cpus && ctx->cpus < c->min_cpus) {
		snprintf(out->why, sizeof(out->why), "needs >= %d CPUs to show (this machine: %d)",
			 c->min_cpus, ctx->cpus);
		return false;
	}
	if (c->gate.config) {
		g = result_find(rs, c->gate.config, c->gate.metric);
		if (!g || g->skipped) {
			snprintf(out->why, sizeof(out->why), "its condition was not measured (row %s/%s)",
				 c->gate.config, c->gate.metric);
			return false;
		}
		if ((g->st.median < c->gate.min || g->st.median > c->gate.max) && !c->gate_lower_bound) {
			snprintf(out->why, sizeof(out->why), "%s", c->gate.why);
			return false;
		}
	}
	/* a count (instructions) does not depend on how busy the machine was */
	if (ctx->noisy && !c->exact) {
		snprintf(out->why, sizeof(out->why), "noisy machine: %s",
			 ctx->noise ? ctx->noise : "disturbed while measuring");
		return false;
	}
	return true;
}

/* A histogram's samples come sorted: they carry no round order to split. */
static bool in_round_order(const struct result_row *r)
{
	size_t i;

	if (r->st.n < 50)
		return true;
	for (i = 1; i < r->st.n; i++)
		if (r->samples[i] < r->samples[i - 1])
			return true;
	return false;
}

/* The claim's figure from samples [lo, hi) of both rows (round order). */
static double part_figure(const struct claim *c, const struct result_row *num,
			  const struct result_row *den, size_t lo, size_t hi)
{
	double *r, f, d;
	size_t i, k = 0;

	if (!den)
		return median_of(num->samples + lo, hi - lo);
	if (!c->paired) {
		d = median_of(den->samples + lo, hi - lo);
		return d > 0 ? median_of(num->samples + lo, hi - lo) / d : NAN;
	}
	r = malloc((hi - lo) * sizeof(*r));
	if (!r)
		return NAN;
	for (i = lo; i < hi; i++) {	/* as paired_interval() does */
		if (den->samples[i] > 0)
			r[k++] = num->samples[i] / den->samples[i];
		else if (num->samples[i] > 0)
			r[k++] = INFINITY;
	}
	f = k ? median_of(r, k) : NAN;
	free(r);
	return f;
}

/*
 * Split-half replication: a firm verdict must also hold for the figure of
 * the run's first half of rounds and of its second half.  Drift while
 * measuring (another tenant, frequency, a cache warming up) moves the two
 * halves apart long before it widens a bootstrap interval, and it is what
 * made verdicts flip between otherwise identical runs.  Rows without round
 * order (histograms) or with fewer than 6 samples are not split.
 */
static void check_halves(const struct claim *c, const struct result_row *num,
			 const struct result_row *den, struct judgement *out)
{
	size_t n = num->st.n, h = n / 2;
	struct interval a = { 0 }, b = { 0 };
	char why[64];

	if (c->exact || !num->samples || (den && (!den->samples || den->st.n != n)) || n < 6 ||
	    !in_round_order(num) || (den && !in_round_order(den)))
		return;
	a.point = a.lo = a.hi = part_figure(c, num, den, 0, h);
	b.point = b.lo = b.hi = part_figure(c, num, den, h, n);
	if (verdict_of_interval(c, &a, why, sizeof(why)) == out->verdict &&
	    verdict_of_interval(c, &b, why, sizeof(why)) == out->verdict)
		return;
	snprintf(out->why, sizeof(out->why), "the run's halves disagree: %.3g in its first half of rounds, "
		 "%.3g in its second (drift while measuring); repeat on a quiet machine", a.point, b.point);
	out->verdict = VERDICT_INCONCLUSIVE;
}

void verdict_judge(const struct claim *c, const struct result_set *rs,
		   const struct verdict_context *ctx, struct judgement *out)
{
	const struct result_row *num, *den;

	memset(out, 0, sizeof(*out));
	if (!rows_of(c, rs, &num, &den, out))
		return;
	out->verdict = VERDICT_INCONCLUSIVE;
	if ((num->tier[0] && strstr(num->tier, "testbed")) || (ctx->tier && strstr(ctx->tier, "testbed"))) {
		snprintf(out->why, sizeof(out->why), "emulated timings (testbed VM) are not judged");
		return;
	}
	if (figure_interval(c, num, den, out))
		return;
	if (!conditions_met(c, rs, ctx, out))
		return;
	out->verdict = verdict_of_interval(c, &out->ci, out->why, sizeof(out->why));
	if (out->verdict == VERDICT_REPRODUCED || out->verdict == VERDICT_DIFFERS)
		check_halves(c, num, den, out);
	if (out->verdict != VERDICT_REPRODUCED && gate_failed(c, rs)) {
		snprintf(out->why, sizeof(out->why), "%s: ours is a lower bound", c->gate.why);
		out->verdict = VERDICT_INCONCLUSIVE;
	}
}
