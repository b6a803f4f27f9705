/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two runs side by side (two kernels, JIT hardening on and off, a patched
 * kernel against a stock one, hardware against a VM): for every row both
 * measured, the change B/A with a bootstrap 95 % interval and a
 * Mann-Whitney p, "significant" only when the interval excludes 1; and the
 * paper's claims judged on each run.  What `obench compare` prints and
 * writes to compare.md.
 */
#ifndef OBENCH_COMPARE_H
#define OBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/interval.h"
#include "core/run_data.h"
#include "core/verdict.h"

struct compare_row {
	const char *experiment;
	const struct result_row *a, *b;	/* the same (config, metric) in each run */
	bool have_interval;
	struct interval ratio;		/* median(B) / median(A) and its 95 % interval */
	double p;			/* two-sided Mann-Whitney p; NAN without samples */
	bool significant;		/* the interval excludes 1 */
	const char *why;		/* no interval: "no samples", "median not positive", ... */
};

struct compare_claim {
	const struct claim *claim;
	struct judgement a, b;
	bool changed;			/* the verdicts differ */
};

struct comparison {
	const struct run_data *a, *b;
	struct compare_row *rows;
	size_t n;
	struct compare_claim *claims;
	size_t nclaims;
	size_t only_a, only_b;		/* measured rows the other run does not have */
	size_t significant, up, down, without;	/* without: rows with no interval */
	size_t changed;			/* claims whose verdict changed */
};

/* Pairs the rows and judges the claims of @a and @b (which must stay loaded). */
int compare_runs(const struct run_data *a, const struct run_data *b, struct comparison *out);
void compare_free(struct comparison *c);

/*
 * Writes @dir/compare.md and, with gnuplot, @dir/figures/compare-<exp>.svg
 * and .png (B/A per row, with whiskers).  0 or -errno.
 */
int compare_write(const struct comparison *c, const char *dir);

/* The compact summary for the terminal. */
void compare_summary(const struct comparison *c, FILE *out);

#endif
