// SPDX-License-Identifier: GPL-2.0
#include "core/figure_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/interval.h"

/* The IQR of @row over @base's median, as a whisker (none for a single value). */
static void iqr_whisker(const struct result_row *row, const struct result_row *base,
			bool invert, struct fig_point *pt)
{
	double b = base->st.median;

	pt->lo = pt->hi = NAN;
	if (row->st.n < 2 || row->st.q1 == row->st.q3)
		return;
	if (!invert) {
		pt->lo = row->st.q1 / b;
		pt->hi = row->st.q3 / b;
	} else if (row->st.q1 > 0) {
		pt->lo = b / row->st.q3;
		pt->hi = b / row->st.q1;
	}
	pt->from_iqr = !isnan(pt->lo);
}

int fig_ratio(const struct result_row *row, const struct result_row *base, bool invert,
	      struct fig_point *pt)
{
	const struct result_row *num = invert ? base : row, *den = invert ? row : base;
	struct interval ci;

	pt->lo = pt->hi = NAN;
	pt->from_iqr = false;
	if (!row || !base || row->skipped || base->skipped ||
	    !(row->st.median > 0) || !(base->st.median > 0))
		return -1;
	pt->y = num->st.median / den->st.median;
	if (num->samples && den->samples &&
	    !interval_ratio(num->samples, num->st.n, den->samples, den->st.n, &ci)) {
		pt->lo = ci.lo;
		pt->hi = ci.hi;
		return 0;
	}
	iqr_whisker(row, base, invert, pt);
	return 0;
}

int fig_value(const struct result_row *row, struct fig_point *pt)
{
	struct interval ci;

	pt->lo = pt->hi = NAN;
	pt->from_iqr = false;
	if (!row || row->skipped || !row->st.n)
		return -1;
	pt->y = row->st.median;
	if (row->samples && !interval_median(row->samples, row->st.n, &ci)) {
		pt->lo = ci.lo;
		pt->hi = ci.hi;
	} else if (row->st.n > 1 && row->st.q1 < row->st.q3) {
		pt->lo = row->st.q1;
		pt->hi = row->st.q3;
		pt->from_iqr = true;
	}
	return 0;
}

bool fig_parse_x(const char *config, const char *prefix, const char *suffix, double *x)
{
	size_t lp = strlen(prefix);
	char *end;

	if (strncmp(config, prefix, lp) || !config[lp] || config[lp] == ' ')
		return false;
	*x = strtod(config + lp, &end);
	return end != config + lp && !strcmp(end, suffix) && isfinite(*x);
}

/* Insertion of (@x, @item) into a list kept sorted by x. */
static void insert_sorted(const void **items, double *xs, size_t n, double x, const void *item)
{
	size_t i = n;

	while (i > 0 && xs[i - 1] > x) {
		xs[i] = xs[i - 1];
		items[i] = items[i - 1];
		i--;
	}
	xs[i] = x;
	items[i] = item;
}

size_t fig_series_rows(const struct result_set *rs, const char *metric, const char *prefix,
		       const char *suffix, const struct result_row **rows, double *xs, size_t max)
{
	size_t i, n = 0;
	double x;

	for (i = 0; i < rs->n && n < max; i++) {
		const struct result_row *r = &rs->rows[i];

		if (r->skipped || strcmp(r->metric, metric) || !fig_parse_x(r->config, prefix, suffix, &x))
			continue;
		insert_sorted((const void **)rows, xs, n++, x, r);
	}
	return n;
}

size_t fig_paper_series(const char *experiment, const char *metric, const char *prefix,
			const char *suffix, const struct paper_value **pv, double *xs, size_t max)
{
	const struct paper_value *p;
	size_t n = 0;
	double x;

	for (p = paper_values; p->experiment && n < max; p++) {
		if (strcmp(p->experiment, experiment) || strcmp(p->metric, metric) ||
		    !fig_parse_x(p->config, prefix, suffix, &x))
			continue;
		insert_sorted((const void **)pv, xs, n++, x, p);
	}
	return n;
}

/* A claim's paper figure for @num / @den (or its inverse); NAN when no claim has one. */
static double claim_ratio(const char *experiment, const char *num, const char *den,
			  const char *metric, bool *mentioned)
{
	const struct claim *c;

	for (c = paper_claims; c->experiment; c++) {
		if (strcmp(c->experiment, experiment) || strcmp(c->metric, metric) || !c->den ||
		    isnan(c->paper))
			continue;
		if (!strcmp(c->num, den) || !strcmp(c->den, den))
			*mentioned = true;
		if (!strcmp(c->num, num) && !strcmp(c->den, den))
			return c->paper;
		if (!strcmp(c->num, den) && !strcmp(c->den, num) && c->paper > 0)
			return 1 / c->paper;
	}
	return NAN;
}

double fig_paper_ratio(const char *experiment, const char *config, const char *base,
		       const char *metric)
{
	const struct paper_value *v = paper_value_get(experiment, config, metric);
	const struct paper_value *b = paper_value_get(experiment, base, metric);
	bool mentioned = false;
	double r;

	if (v && b && b->value > 0)
		return v->value / b->value;
	r = claim_ratio(experiment, config, base, metric, &mentioned);
	if (!isnan(r))
		return r;
	if (!strcmp(config, base) && (b || mentioned))
		return 1;
	return NAN;
}
