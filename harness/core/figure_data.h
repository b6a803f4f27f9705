/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The numbers a figure draws, taken from a run's rows and the paper's
 * values: ratios to a baseline row of the same figure (absolute numbers do
 * not carry across machines), with a 95 % bootstrap interval where the run
 * kept the samples, else the row's IQR; sweeps read off the config names.
 */
#ifndef OBENCH_FIGURE_DATA_H
#define OBENCH_FIGURE_DATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/paper.h"
#include "core/results.h"

struct fig_point {
	double x, y;
	double lo, hi;		/* the whisker; NAN when there is none */
	bool from_iqr;		/* lo/hi are the IQR (no samples kept), not a 95 % interval */
};

/*
 * y = median(@row) / median(@base), or base / row with @invert (throughput
 * from a cost).  -1 when a median is not positive or a row is missing.
 */
int fig_ratio(const struct result_row *row, const struct result_row *base, bool invert,
	      struct fig_point *pt);

/* y = median(@row) with its 95 % interval (from the samples), else its IQR; -1 when skipped. */
int fig_value(const struct result_row *row, struct fig_point *pt);

/* True when @config reads @prefix NUMBER @suffix; the number in *@x. */
bool fig_parse_x(const char *config, const char *prefix, const char *suffix, double *x);

/*
 * The measured rows of @metric named prefix-number-suffix, sorted by their
 * number (in @xs): how many, at most @max.
 */
size_t fig_series_rows(const struct result_set *rs, const char *metric, const char *prefix,
		       const char *suffix, const struct result_row **rows, double *xs, size_t max);

/* The same over the paper's values of @experiment. */
size_t fig_paper_series(const char *experiment, const char *metric, const char *prefix,
			const char *suffix, const struct paper_value **pv, double *xs, size_t max);

/*
 * The paper's ratio @config / @base of @metric: from its values when it
 * gives both, else from a claim comparing the two rows; 1 for the base
 * itself when the paper measured it; NAN when the paper says nothing.
 */
double fig_paper_ratio(const char *experiment, const char *config, const char *base,
		       const char *metric);

#endif
