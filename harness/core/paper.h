/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paper's published figures and its claims, in one place.  Absolute
 * times do not carry across machines; ratios between configurations measured
 * side by side in one run do, so every claim is judged on a ratio (or on a
 * figure that is itself relative, such as a fraction).
 */
#ifndef OBENCH_PAPER_H
#define OBENCH_PAPER_H

#include "core/verdict.h"

struct paper_value {
	const char *experiment, *config, *metric;
	double value;
	double iqr;		/* 0 when the paper gives none */
	const char *unit;
	const char *ref;	/* "Table 3" */
};

struct paper_takeaway {
	const char *section;
	const char *text;
};

extern const struct paper_value paper_values[];
/*
 * The paper's claims, each judged on our run by core/verdict.c: what the
 * paper found, the kind of claim, the region our figure must fall in and why.
 */
extern const struct claim paper_claims[];
extern const struct paper_takeaway paper_takeaways[];

const struct paper_value *paper_value_find(const char *experiment,
					   const char *config);
/* The paper's value of one row (config and metric), or NULL. */
const struct paper_value *paper_value_get(const char *experiment, const char *config,
					  const char *metric);

#endif
