/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The panels the report's figures are made of, drawn with gnuplot
 * (core/plot.h): bars of this run beside the paper's, each normalised to a
 * baseline row of the same panel, and lines over a sweep (one per series,
 * the paper's dashed beside ours).  Every value comes from core/figure_data.h.
 */
#ifndef OBENCH_FIGURE_DRAW_H
#define OBENCH_FIGURE_DRAW_H

#include <stdbool.h>
#include <stddef.h>

#include "core/plot.h"
#include "core/run_data.h"

struct fig {
	struct plot p;
	const struct run_data *rd;
	const struct run_experiment *x;
	char ours[128];		/* the legend entry of this run, "this run (host)" */
	bool used_iqr;		/* some whisker is an IQR (a row without samples) */
};

/* One bar: row @config / row @base of @metric. */
struct fig_bar {
	const char *label, *config, *base, *metric;
};

struct bars_panel {
	const char *title, *ylabel;
	const char *metric, *base;	/* every measured row of @metric, over @base ... */
	const struct fig_bar *bars;	/* ... or exactly these (@nbars) */
	size_t nbars;
	const char *paper_prefix;	/* the paper's config is prefix + ours (NULL: the same) */
	const char *paper_metric;	/* NULL: @metric */
	bool logy;
};

/* One series of a sweep: configs prefix NUMBER suffix. */
struct fig_line {
	const char *label, *prefix, *suffix;
};

struct lines_panel {
	const char *title, *xlabel, *ylabel;
	const char *metric, *paper_metric;
	const struct fig_line *lines;
	size_t nlines;
	const char *base;	/* one baseline row for every series (NULL: each at base_x) */
	double base_x;
	bool invert;		/* ours is a cost: draw base / row (a throughput) */
	bool absolute;		/* ours as measured, not normalised (no paper series) */
	bool paper_map_work;	/* the paper's Mpps -> map work: 1/v - 1/baseline */
	bool logx, logy;
	double x_shift;		/* added to x (1: a sweep from 0 on a log axis, "n + 1") */
};

/* Draws a panel into @f->p (one plot command); -ENODATA when nothing was measured. */
int fig_draw_bars(struct fig *f, const struct bars_panel *bp);
int fig_draw_lines(struct fig *f, const struct lines_panel *lp);

/* A panel that says why it is empty. */
void fig_draw_empty(struct fig *f, const char *title, const char *why);

/* The two figures not made of the panels above: Fig. 3's CDF and kvcache's three panels. */
int fig_echo(struct fig *f);
int fig_kvcache(struct fig *f);

/* The common look: grid, key, colours; and the colour of series @i. */
void fig_style(struct fig *f);
const char *fig_color(size_t i);

#endif
