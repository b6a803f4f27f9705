// SPDX-License-Identifier: GPL-2.0
#include "core/figure_draw.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/figure_data.h"

#define MAX_BARS	32
#define MAX_POINTS	64
#define WHISKER		"heads size screen 0.006,90 lw 1.5"	/* a whisker with caps */

/* Colour-blind-safe (Paul Tol's "bright"); ours and the paper's share a series' colour. */
static const char *const colors[] = {
	"#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB",
};

const char *fig_color(size_t i)
{
	return colors[i % (sizeof(colors) / sizeof(colors[0]))];
}

void fig_style(struct fig *f)
{
	plot_cmd(&f->p, "set datafile missing '?'");
	plot_cmd(&f->p, "set grid ytics lc rgb '#dddddd' lt 1");
	plot_cmd(&f->p, "set key below center horizontal Left reverse samplen 2 spacing 1.1 width 1 height 1 noopaque nobox");
	plot_cmd(&f->p, "set border 3 lc rgb '#444444'");
	plot_cmd(&f->p, "set tics nomirror");
	plot_cmd(&f->p, "set style fill solid 0.85 border rgb '#333333'");
	plot_cmd(&f->p, "set format y '%%g'");
}

/* Settings one panel leaves behind must not leak into the next one. */
static void panel_begin(struct fig *f, const char *title)
{
	char q[256];

	plot_cmd(&f->p, "unset logscale; unset label; unset arrow; unset xlabel; unset ylabel");
	plot_cmd(&f->p, "set xtics autofreq norotate; set ytics autofreq; set xrange [*:*]; set yrange [*:*]");
	plot_cmd(&f->p, "set border 3; set title %s", plot_quote(q, sizeof(q), title ? title : ""));
}

static void put_num(FILE *o, double v)
{
	if (isfinite(v))
		fprintf(o, " %.6g", v);
	else
		fprintf(o, " ?");
}

void fig_draw_empty(struct fig *f, const char *title, const char *why)
{
	char q[512];

	panel_begin(f, title);
	plot_cmd(&f->p, "unset xtics; unset ytics; unset border");
	plot_cmd(&f->p, "set label 1 %s at graph 0.5, graph 0.5 center", plot_quote(q, sizeof(q), why));
	plot_cmd(&f->p, "plot [0:1] [0:1] -1 notitle");
}

/* ---- bars ---- */

struct bar_value {
	char label[RESULT_TEXT];
	struct fig_point ours;
	bool have_ours;
	double paper;
};

static bool fill_bar(struct fig *f, const struct bars_panel *bp, const struct fig_bar *b,
		     struct bar_value *out)
{
	const struct result_set *rs = &f->x->rs;
	char pconf[RESULT_TEXT * 2], pbase[RESULT_TEXT * 2];
	const char *pre = bp->paper_prefix ? bp->paper_prefix : "";

	snprintf(out->label, sizeof(out->label), "%s", b->label);
	out->have_ours = !fig_ratio(result_find(rs, b->config, b->metric),
				    result_find(rs, b->base, b->metric), false, &out->ours);
	if (!strcmp(b->config, b->base))
		out->ours.lo = out->ours.hi = NAN;	/* 1 by definition: its spread is in the others' */
	snprintf(pconf, sizeof(pconf), "%s%s", pre, b->config);
	snprintf(pbase, sizeof(pbase), "%s%s", pre, b->base);
	out->paper = fig_paper_ratio(f->x->name, pconf, pbase,
				     bp->paper_metric ? bp->paper_metric : b->metric);
	if (out->have_ours && out->ours.from_iqr)
		f->used_iqr = true;
	return out->have_ours || !isnan(out->paper);
}

/* The bars of @bp: its own list, or every row of its metric (a skipped one only if the paper has it). */
static size_t collect_bars(struct fig *f, const struct bars_panel *bp, struct bar_value *out)
{
	const struct result_set *rs = &f->x->rs;
	size_t i, n = 0;

	if (bp->bars) {
		for (i = 0; i < bp->nbars && n < MAX_BARS; i++)
			n += fill_bar(f, bp, &bp->bars[i], &out[n]);
		return n;
	}
	for (i = 0; i < rs->n && n < MAX_BARS; i++) {
		const struct result_row *r = &rs->rows[i];
		struct fig_bar b = { r->config, r->config, bp->base, bp->metric };

		if (!strcmp(r->metric, bp->metric))
			n += fill_bar(f, bp, &b, &out[n]);
	}
	return n;
}

static void bars_range(struct fig *f, const struct bars_panel *bp, const struct bar_value *v,
		       size_t n, double *bottom)
{
	double lo = INFINITY, hi = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].have_ours && v[i].ours.y > 0) {
			lo = fmin(lo, v[i].ours.y);
			hi = fmax(hi, isfinite(v[i].ours.hi) ? v[i].ours.hi : v[i].ours.y);
		}
		if (v[i].paper > 0) {
			lo = fmin(lo, v[i].paper);
			hi = fmax(hi, v[i].paper);
		}
	}
	*bottom = 0;
	if (bp->logy && hi > 0) {
		*bottom = pow(10, floor(log10(lo / 1.5)));
		plot_cmd(&f->p, "set logscale y; set yrange [%g:%g]", *bottom, hi * 2.5);
	} else {
		plot_cmd(&f->p, "set yrange [0:%g]", hi > 0 ? hi * 1.25 : 1);
	}
}

static void bars_xtics(struct fig *f, const struct bar_value *v, size_t n)
{
	char *buf = NULL, q[RESULT_TEXT * 2 + 4];
	size_t len = 0, i;
	FILE *o = open_memstream(&buf, &len);

	if (!o)
		return;
	for (i = 0; i < n; i++)
		fprintf(o, "%s%s %zu", i ? ", " : "", plot_quote(q, sizeof(q), v[i].label), i);
	fclose(o);
	plot_cmd(&f->p, "set xtics (%s) %s", buf, n > 4 ? "rotate by -30 left" : "");
	plot_cmd(&f->p, "set xrange [-0.6:%g]", (double)n - 0.4);
	free(buf);
}

enum { LAYER_OURS, LAYER_CI, LAYER_IQR, LAYER_PAPER, LAYERS };

/* The plot command of a bars panel: only the layers that have data (else gnuplot warns). */
static void bars_plot(struct fig *f, int b, double bottom, const bool any[LAYERS])
{
	char *cmd = NULL, q[160];
	size_t len = 0;
	FILE *c = open_memstream(&cmd, &len);

	if (!c)
		return;
	if (any[LAYER_OURS])
		fprintf(c, ", $d%d using 1:2:($1-0.39):($1-0.01):(%g):2 with boxxyerror lc rgb '%s' title %s",
			b, bottom, fig_color(0), plot_quote(q, sizeof(q), f->ours));
	if (any[LAYER_CI])
		fprintf(c, ", $d%d using ($1-0.2):3:(0):($4-$3) with vectors " WHISKER
			" lc rgb 'black' title '95 %% interval'", b);
	if (any[LAYER_IQR])
		fprintf(c, ", $d%d using ($1-0.2):6:(0):($7-$6) with vectors " WHISKER
			" dt 2 lc rgb '#888888' title 'IQR (no samples kept)'", b);
	if (any[LAYER_PAPER])
		fprintf(c, ", $d%d using ($1+0.2):5:($1+0.01):($1+0.39):(%g):5 with boxxyerror "
			"fs pattern 4 lc rgb '%s' title 'paper'", b, bottom, fig_color(1));
	fclose(c);
	if (len > 2)
		plot_cmd(&f->p, "plot %s", cmd + 2);	/* without the first ", " */
	free(cmd);
}

int fig_draw_bars(struct fig *f, const struct bars_panel *bp)
{
	struct bar_value v[MAX_BARS];
	size_t n = collect_bars(f, bp, v), i;
	char q[256];
	bool any[LAYERS] = { false };
	double bottom;
	FILE *d;
	int b;

	if (!n)
		return -ENODATA;
	/* columns: index, ours, its 95 % interval, the paper's, ours' IQR (when no samples) */
	d = plot_block(&f->p, &b);
	for (i = 0; i < n; i++) {
		const struct fig_point *o = &v[i].ours;
		bool ci = v[i].have_ours && !o->from_iqr, iqr = v[i].have_ours && o->from_iqr;

		fprintf(d, "%zu", i);
		put_num(d, v[i].have_ours ? o->y : NAN);
		put_num(d, ci ? o->lo : NAN);
		put_num(d, ci ? o->hi : NAN);
		put_num(d, v[i].paper);
		put_num(d, iqr ? o->lo : NAN);
		put_num(d, iqr ? o->hi : NAN);
		fputc('\n', d);
		any[LAYER_OURS] |= v[i].have_ours;
		any[LAYER_CI] |= ci && isfinite(o->lo);
		any[LAYER_IQR] |= iqr && isfinite(o->lo);
		any[LAYER_PAPER] |= isfinite(v[i].paper);
	}
	plot_block_end(&f->p);
	panel_begin(f, bp->title);
	plot_cmd(&f->p, "set ylabel %s", plot_quote(q, sizeof(q), bp->ylabel));
	bars_xtics(f, v, n);
	bars_range(f, bp, v, n, &bottom);
	plot_cmd(&f->p, "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb '#666666'");
	bars_plot(f, b, bottom, any);
	return 0;
}

/* ---- lines over a sweep ---- */

/* The paper's value as drawn: Mpps, or the map work it implies (1/v - 1/baseline). */
static double paper_y(const struct fig *f, const struct lines_panel *lp, double v)
{
	const struct paper_value *base;

	if (!lp->paper_map_work)
		return v;
	base = paper_value_get(f->x->name, "baseline", lp->paper_metric);
	return base && v > 0 ? 1 / v - 1 / base->value : NAN;
}

/* This run's series @l, normalised; the number of points written to a new block (*@blk). */
static size_t ours_series(struct fig *f, const struct lines_panel *lp, const struct fig_line *l,
			  int *blk)
{
	const struct result_row *rows[MAX_POINTS], *base = NULL;
	double xs[MAX_POINTS];
	size_t n = fig_series_rows(&f->x->rs, lp->metric, l->prefix, l->suffix, rows, xs, MAX_POINTS);
	size_t i, kept = 0;
	struct fig_point pt;
	FILE *d;

	if (lp->base)
		base = result_find(&f->x->rs, lp->base, lp->metric);
	for (i = 0; !lp->base && i < n; i++)
		if (xs[i] == lp->base_x)
			base = rows[i];
	if (!n || (!base && !lp->absolute))
		return 0;
	d = plot_block(&f->p, blk);
	for (i = 0; i < n; i++) {
		if (lp->absolute ? fig_value(rows[i], &pt) : fig_ratio(rows[i], base, lp->invert, &pt))
			continue;
		if (lp->logy && !(pt.y > 0))
			continue;
		if (!isfinite(pt.lo) || (lp->logy && !(pt.lo > 0)) || rows[i] == base)
			pt.lo = pt.hi = pt.y;	/* no whisker: a zero-length one keeps the point */
		f->used_iqr |= pt.from_iqr;
		fprintf(d, "%.6g %.6g %.6g %.6g\n", xs[i] + lp->x_shift, pt.y, pt.lo, pt.hi);
		kept++;
	}
	plot_block_end(&f->p);
	return kept;
}

/* The paper's series @l, normalised the same way. */
static size_t paper_series(struct fig *f, const struct lines_panel *lp, const struct fig_line *l,
			   int *blk)
{
	const struct paper_value *pv[MAX_POINTS], *bv = NULL;
	double xs[MAX_POINTS], base = NAN, y;
	size_t n = fig_paper_series(f->x->name, lp->paper_metric, l->prefix, l->suffix, pv, xs,
				    MAX_POINTS);
	size_t i, kept = 0;
	FILE *d;

	if (lp->base)
		bv = paper_value_get(f->x->name, lp->base, lp->paper_metric);
	for (i = 0; !lp->base && i < n; i++)
		if (xs[i] == lp->base_x)
			bv = pv[i];
	if (bv)
		base = paper_y(f, lp, bv->value);
	if (!n || !(base > 0))
		return 0;
	d = plot_block(&f->p, blk);
	for (i = 0; i < n; i++) {
		y = paper_y(f, lp, pv[i]->value) / base;
		if (isfinite(y) && (!lp->logy || y > 0) && (!lp->logx || xs[i] + lp->x_shift > 0))
			fprintf(d, "%.6g %.6g\n", xs[i] + lp->x_shift, y), kept++;
	}
	plot_block_end(&f->p);
	return kept;
}

int fig_draw_lines(struct fig *f, const struct lines_panel *lp)
{
	char *clauses = NULL, q[256], t[256];
	size_t len = 0, i, drawn = 0;
	FILE *c = open_memstream(&clauses, &len);
	int b;

	if (!c)
		return -ENOMEM;
	for (i = 0; i < lp->nlines; i++) {
		const struct fig_line *l = &lp->lines[i];

		snprintf(t, sizeof(t), "%s (%s)", l->label, f->ours);
		if (ours_series(f, lp, l, &b) && ++drawn)
			fprintf(c, "%s$d%d using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 lc rgb '%s' title %s",
				drawn > 1 ? ", " : "", b, fig_color(i), plot_quote(q, sizeof(q), t));
		snprintf(t, sizeof(t), "%s (paper)", l->label);
		if (lp->paper_metric && paper_series(f, lp, l, &b) && ++drawn)
			fprintf(c, "%s$d%d using 1:2 with linespoints dt 2 lw 1.5 pt 6 ps 0.9 lc rgb '%s' title %s",
				drawn > 1 ? ", " : "", b, fig_color(i), plot_quote(q, sizeof(q), t));
	}
	fclose(c);
	if (drawn) {
		panel_begin(f, lp->title);
		plot_cmd(&f->p, "set xlabel %s", plot_quote(q, sizeof(q), lp->xlabel));
		plot_cmd(&f->p, "set ylabel %s", plot_quote(t, sizeof(t), lp->ylabel));
		if (lp->logx)
			plot_cmd(&f->p, "set logscale x");
		if (lp->logy)
			plot_cmd(&f->p, "set logscale y; set format y '%%g'");
		if (!lp->absolute)
			plot_cmd(&f->p, "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb '#666666'");
		plot_cmd(&f->p, "plot %s", clauses);
	}
	free(clauses);
	return drawn ? 0 : -ENODATA;
}
