/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's figures: one per experiment, in the paper's own form, with
 * the paper's points beside ours, drawn by gnuplot as SVG and PNG under
 * RUN_DIR/figures/, and the self-contained report.html.
 */
#ifndef OBENCH_REPORT_FIGURES_H
#define OBENCH_REPORT_FIGURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/run_data.h"

/* What report_figures_make did, for the report's one line about it. */
struct figures_made {
	bool have_gnuplot;
	int made, skipped;
	double seconds;		/* wall time of all of them */
	char failed[1024];	/* "exp: why; ..." for figures gnuplot could not draw */
};

/* Draws every figure it can; an experiment without one is simply left out. */
void report_figures_make(const struct run_data *rd, struct figures_made *out);

/* One line: how many figures, how long; or why there are none (said once per report). */
void report_figures_note(FILE *md, const struct figures_made *m);

/* The markdown that embeds @x's figure (nothing when it has none). */
void report_figure_md(FILE *md, const struct run_data *rd, const struct run_experiment *x);

/*
 * RUN_DIR/report.html: the same content as @md, self-contained (figures as
 * data: URIs), with a script that checks on load that every figure loaded
 * and is not blank and says so in the document title.
 */
int report_html(const struct run_data *rd, const char *md, size_t len);

#endif
