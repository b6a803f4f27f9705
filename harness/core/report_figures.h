/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The report's figures: one per experiment, in the paper's own form, with
 * the paper's points beside ours, drawn by gnuplot as SVG and PNG under
 * RUN_DIR/figures/, and the self-contained report.html.
 */
#ifndef OBENCH_REPORT_FIGURES_H
#define OBENCH_REPORT_FIGURES_H

#include <stddef.h>
#include <stdio.h>

#include "core/run_data.h"

/* Draws every figure it can; an experiment without one is simply left out. */
void report_figures_make(const struct run_data *rd);

/* The markdown that embeds @x's figure (nothing when it has none). */
void report_figure_md(FILE *md, const struct run_data *rd, const struct run_experiment *x);

/* RUN_DIR/report.html: the same content as @md, self-contained. */
int report_html(const struct run_data *rd, const char *md, size_t len);

#endif
