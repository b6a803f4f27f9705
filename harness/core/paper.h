/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paper's published figures, in one table, and the comparisons the report
 * makes between its ratios and ours.  Absolute times do not carry across
 * machines; ratios between configurations measured in the same run do.
 */
#ifndef OBENCH_PAPER_H
#define OBENCH_PAPER_H

struct paper_value {
	const char *experiment, *config, *metric;
	double value;
	double iqr;		/* 0 when the paper gives none */
	const char *unit;
	const char *ref;	/* "Table 3" */
};

/*
 * "num / den" of our medians for @metric, against the paper's ratio.
 * Reproduced when ours/paper lies within [1/(1+tol), 1+tol].
 */
struct paper_ratio {
	const char *experiment;
	const char *name;
	const char *metric;
	const char *num, *den;
	double paper;
	double tol;
	const char *ref;
	const char *takeaway;	/* the Table 7 section it supports, e.g. "§4.1" */
};

struct paper_takeaway {
	const char *section;
	const char *text;
};

extern const struct paper_value paper_values[];
extern const struct paper_ratio paper_ratios[];
extern const struct paper_takeaway paper_takeaways[];

const struct paper_value *paper_value_find(const char *experiment,
					   const char *config);

#endif
