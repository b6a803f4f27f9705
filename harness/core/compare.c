// SPDX-License-Identifier: GPL-2.0
#include "core/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/paper.h"
#include "core/plot.h"
#include "core/report.h"

#define MAX_FIGURE_ROWS	200

static bool all_positive(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(v[i] > 0))
			return false;
	return n > 0;
}

/* The change of one row: B/A, its interval, the test, or why there is none. */
static void compare_row(struct compare_row *r)
{
	const struct result_row *a = r->a, *b = r->b;

	r->p = NAN;
	r->ratio.point = a->st.median > 0 && b->st.median > 0 ? b->st.median / a->st.median : NAN;
	r->ratio.lo = r->ratio.hi = r->ratio.point;
	if (!a->samples || !b->samples) {
		r->why = "no samples";
		return;
	}
	r->p = mann_whitney_p(a->samples, a->st.n, b->samples, b->st.n);
	if (!all_positive(a->samples, a->st.n) || !all_positive(b->samples, b->st.n)) {
		/* a difference or a signed figure: resampled medians cross 0, a ratio means nothing */
		r->why = "values not all positive";
		return;
	}
	if (interval_ratio(b->samples, b->st.n, a->samples, a->st.n, &r->ratio)) {
		r->why = "too few samples";
		return;
	}
	r->have_interval = true;
	r->significant = r->ratio.lo > 1 || r->ratio.hi < 1;
}

static int add_row(struct comparison *c, size_t *cap, const char *exp,
		   const struct result_row *a, const struct result_row *b)
{
	struct compare_row *r;

	if (c->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;

		r = realloc(c->rows, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->rows = r;
		*cap = ncap;
	}
	r = &c->rows[c->n++];
	memset(r, 0, sizeof(*r));
	r->experiment = exp;
	r->a = a;
	r->b = b;
	compare_row(r);
	c->significant += r->significant;
	c->up += r->significant && r->ratio.point > 1;
	c->down += r->significant && r->ratio.point < 1;
	c->without += !r->have_interval;
	return 0;
}

/* The rows of one experiment both runs measured; the others counted. */
static int pair_experiment(struct comparison *c, size_t *cap, const struct run_experiment *xa,
			   const struct run_experiment *xb)
{
	const struct result_set *ra = &xa->rs, *rb = xb ? &xb->rs : NULL;
	const struct result_row *b;
	size_t i;

	for (i = 0; i < ra->n; i++) {
		if (ra->rows[i].skipped)
			continue;
		b = rb ? result_find(rb, ra->rows[i].config, ra->rows[i].metric) : NULL;
		if (!b || b->skipped)
			c->only_a++;
		else if (add_row(c, cap, xa->name, &ra->rows[i], b))
			return -ENOMEM;
	}
	for (i = 0; rb && i < rb->n; i++) {
		const struct result_row *a = result_find(ra, rb->rows[i].config, rb->rows[i].metric);

		c->only_b += !rb->rows[i].skipped && (!a || a->skipped);
	}
	return 0;
}

static int judge_claims(struct comparison *c)
{
	const struct claim *cl;
	size_t n = 0;

	for (cl = paper_claims; cl->experiment; cl++)
		n++;
	c->claims = calloc(n, sizeof(*c->claims));
	if (!c->claims)
		return -ENOMEM;
	for (cl = paper_claims; cl->experiment; cl++) {
		struct compare_claim *k = &c->claims[c->nclaims];

		k->claim = cl;
		run_data_judge(c->a, cl, &k->a);
		run_data_judge(c->b, cl, &k->b);
		if (k->a.verdict == VERDICT_NOT_MEASURED && k->b.verdict == VERDICT_NOT_MEASURED)
			continue;
		/* a claim one run did not measure has not changed: it is shown, not counted */
		k->changed = k->a.verdict != k->b.verdict && k->a.verdict != VERDICT_NOT_MEASURED &&
			     k->b.verdict != VERDICT_NOT_MEASURED;
		c->changed += k->changed;
		c->nclaims++;
	}
	return 0;
}

int compare_runs(const struct run_data *a, const struct run_data *b, struct comparison *out)
{
	size_t cap = 0;
	int i, err = 0;

	memset(out, 0, sizeof(*out));
	out->a = a;
	out->b = b;
	for (i = 0; i < a->n && !err; i++) {
		const struct run_experiment *xb = run_data_find(b, a->exps[i].name);

		if (a->exps[i].have_results)
			err = pair_experiment(out, &cap, &a->exps[i], xb && xb->have_results ? xb : NULL);
	}
	for (i = 0; i < b->n; i++) {
		const struct run_experiment *xa = run_data_find(a, b->exps[i].name);
		size_t k;

		for (k = 0; b->exps[i].have_results && (!xa || !xa->have_results) && k < b->exps[i].rs.n; k++)
			out->only_b += !b->exps[i].rs.rows[k].skipped;
	}
	if (!err)
		err = judge_claims(out);
	if (err)
		compare_free(out);
	return err;
}

void compare_free(struct comparison *c)
{
	free(c->rows);
	free(c->claims);
	memset(c, 0, sizeof(*c));
}

/* ---- compare.md ---- */

static void md_run(FILE *md, const char *which, const struct run_data *rd)
{
	fprintf(md, "- **%s**: `%s`, started %s, profile `%s`, tier **%s**: %s, %d CPUs, kernel %s, obench %s\n",
		which, rd->dir, rd->started, rd->profile, rd->tier, rd->cpu_model, rd->cpus, rd->kernel,
		rd->revision);
}

static void fmt_judged(char *buf, size_t len, const struct judgement *j)
{
	if (j->have_interval)
		snprintf(buf, len, "%.3g [%.3g, %.3g] **%s**", j->ci.point, j->ci.lo, j->ci.hi,
			 verdict_name(j->verdict));
	else
		snprintf(buf, len, "**%s**", verdict_name(j->verdict));
}

static void md_claims(FILE *md, const struct comparison *c)
{
	char fa[128], fb[128];
	size_t i;

	fprintf(md, "\n## The paper's claims, judged on each run\n\n%zu of %zu claims changed verdict "
		"(a claim one run did not measure is shown, not counted).\n\n"
		"| experiment | claim | A: ours [95 %% interval] verdict | B: ours [95 %% interval] verdict | changed |\n"
		"|---|---|---|---|---|\n", c->changed, c->nclaims);
	for (i = 0; i < c->nclaims; i++) {
		const struct compare_claim *k = &c->claims[i];

		fmt_judged(fa, sizeof(fa), &k->a);
		fmt_judged(fb, sizeof(fb), &k->b);
		fprintf(md, "| %s | %s | %s | %s | %s |\n", k->claim->experiment, k->claim->name, fa, fb,
			k->changed ? "**yes**" : "no");
	}
}

static void md_rows(FILE *md, const struct comparison *c, const char *exp)
{
	char ma[32], mb[32], p[32];
	size_t i;

	fprintf(md, "\n| configuration | metric | A median | B median | B/A [95 %% interval] "
		"| p (Mann-Whitney) | significant |\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];

		if (strcmp(r->experiment, exp))
			continue;
		fmt_num(ma, sizeof(ma), r->a->st.median);
		fmt_num(mb, sizeof(mb), r->b->st.median);
		if (isnan(r->p))
			snprintf(p, sizeof(p), "-");
		else
			snprintf(p, sizeof(p), "%.2g", r->p);
		fprintf(md, "| %s | %s | %s %s | %s %s | ", r->a->config, r->a->metric, ma, r->a->unit, mb,
			r->b->unit);
		if (r->have_interval)
			fprintf(md, "%.3g [%.3g, %.3g]", r->ratio.point, r->ratio.lo, r->ratio.hi);
		else if (!isnan(r->ratio.point))
			fprintf(md, "%.3g (%s)", r->ratio.point, r->why);
		else
			fprintf(md, "- (%s)", r->why);
		fprintf(md, " | %s | %s |\n", p, r->significant ? "**yes**" : r->have_interval ? "no" : "-");
	}
}

/* ---- one figure per experiment: B/A per row ---- */

/* The rows of @exp that have a ratio, as a data block; how many. */
static size_t figure_rows(struct plot *p, const struct comparison *c, const char *exp, int *blk,
			  char *tics, size_t len)
{
	char q[2 * RESULT_TEXT + 8], label[2 * RESULT_TEXT + 4];
	size_t i, n = 0, o = 0;
	FILE *d = plot_block(p, blk);

	for (i = 0; i < c->n && n < MAX_FIGURE_ROWS; i++) {
		const struct compare_row *r = &c->rows[i];

		if (strcmp(r->experiment, exp) || isnan(r->ratio.point))
			continue;
		fprintf(d, "%zu %.6g %.6g %.6g %d %d\n", n, r->ratio.point, r->ratio.lo, r->ratio.hi,
			r->significant, !r->have_interval);
		snprintf(label, sizeof(label), "%s  %s", r->a->config, r->a->metric);
		o += (size_t)snprintf(tics + o, o < len ? len - o : 0, "%s%s %zu", n ? ", " : "",
				      plot_quote(q, sizeof(q), label), n);
		n++;
	}
	plot_block_end(p);
	return o < len ? n : 0;	/* a label list that did not fit: no figure */
}

static int compare_figure(const struct comparison *c, const char *exp, const char *dir,
			  char *err, size_t len)
{
	size_t tlen = MAX_FIGURE_ROWS * (2 * RESULT_TEXT + 16), n;
	char *tics = malloc(tlen), name[128], t[256], q[300];
	struct plot p;
	int b, rc = -ENOMEM;

	if (!tics || plot_init(&p, 1000, 1)) {
		free(tics);
		return rc;
	}
	n = figure_rows(&p, c, exp, &b, tics, tlen);
	p.height = 170 + 17 * (int)n;
	snprintf(name, sizeof(name), "compare-%s", exp);
	snprintf(t, sizeof(t), "%s: B / A per row (A: %s, B: %s)", exp, c->a->kernel, c->b->kernel);
	plot_cmd(&p, "set title %s", plot_quote(q, sizeof(q), t));
	plot_cmd(&p, "set ytics (%s) font ',9'; set yrange [-0.7:%g] reverse", tics, (double)n - 0.3);
	plot_cmd(&p, "set logscale x; set format x '%%g'; set grid xtics lc rgb '#dddddd'");
	plot_cmd(&p, "set xlabel 'median B / median A (log); whiskers: 95 %% bootstrap interval'");
	plot_cmd(&p, "set arrow from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#666666'");
	plot_cmd(&p, "set key below horizontal");
	plot_cmd(&p, "plot $d%d using 2:1:3:4 with xerrorbars pt 7 ps 0.8 lc rgb '#888888' "
		 "title 'not significant', "
		 "$d%d using ($5 > 0 ? $2 : NaN):1:3:4 with xerrorbars pt 7 ps 0.9 lc rgb '#EE6677' "
		 "title 'significant (interval excludes 1)', "
		 "$d%d using ($6 > 0 ? $2 : NaN):1 with points pt 6 ps 1.2 lc rgb '#4477AA' "
		 "title 'no samples: median ratio only'", b, b, b);
	rc = n ? plot_render(&p, dir, name, err, len) : 0;
	plot_free(&p);
	free(tics);
	return rc;
}

/* The experiments of the comparison, in A's order, each once. */
static void md_experiments(FILE *md, const struct comparison *c, const char *figdir, bool figures)
{
	char path[4300], err[256];
	struct stat st;
	int i;

	for (i = 0; i < c->a->n; i++) {
		const char *exp = c->a->exps[i].name;
		size_t k, n = 0;

		for (k = 0; k < c->n; k++)
			n += !strcmp(c->rows[k].experiment, exp);
		if (!n)
			continue;
		fprintf(md, "\n## %s\n", exp);
		snprintf(path, sizeof(path), "%s/compare-%s.svg", figdir, exp);
		if (figures && compare_figure(c, exp, figdir, err, sizeof(err)))
			fprintf(md, "\nFigure failed: %s\n", err);
		else if (figures && !stat(path, &st))
			fprintf(md, "\n![%s: B / A per row](figures/compare-%s.svg)\n", exp, exp);
		md_rows(md, c, exp);
	}
}

static void md_header(FILE *md, const struct comparison *c, bool figures)
{
	fprintf(md, "# obench compare\n\n");
	md_run(md, "A", c->a);
	md_run(md, "B", c->b);
	fprintf(md, "\n%zu rows measured in both: **%zu significant** (%zu up, %zu down), %zu without an "
		"interval (no samples kept, or values that are not all positive); %zu rows only in A, %zu only "
		"in B.\n\nThe change of a row is median(B) / median(A).  Its 95 %% interval is a percentile "
		"bootstrap of that ratio (both runs resampled); a row is **significant** only when the "
		"interval excludes 1.  p is the two-sided Mann-Whitney test of A's samples against B's.  "
		"Absolute numbers from two machines differ for many reasons; look at which rows moved "
		"and by how much relative to the others.\n", c->n, c->significant, c->up, c->down,
		c->without, c->only_a, c->only_b);
	if (!figures)
		fprintf(md, "\nFigures skipped: gnuplot not installed.\n");
}

int compare_write(const struct comparison *c, const char *dir)
{
	char *buf = NULL, path[4200], figdir[4200];
	size_t len = 0;
	bool figures = plot_have_gnuplot();
	FILE *md = open_memstream(&buf, &len);
	int err;

	if (!md)
		return -ENOMEM;
	snprintf(figdir, sizeof(figdir), "%s/figures", dir);
	if (figures && mkdir(figdir, 0755) && errno != EEXIST)
		figures = false;
	md_header(md, c, figures);
	md_claims(md, c);
	md_experiments(md, c, figdir, figures);
	if (fclose(md)) {
		free(buf);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/compare.md", dir);
	err = write_file_atomic(path, buf, len);
	free(buf);
	return err;
}

/* The @max largest significant changes, most changed first (by |log ratio|). */
static void summary_changes(const struct comparison *c, FILE *out, size_t max)
{
	const struct compare_row **top = calloc(max, sizeof(*top));
	size_t i, k, n = 0;

	for (i = 0; top && i < c->n; i++) {
		const struct compare_row *r = &c->rows[i];
		double size = fabs(log(r->ratio.point));

		if (!r->significant)
			continue;
		for (k = n < max ? n++ : max; k > 0 && fabs(log(top[k - 1]->ratio.point)) < size; k--)
			if (k < max)
				top[k] = top[k - 1];
		if (k < max)
			top[k] = r;
	}
	for (i = 0; i < n; i++) {
		char ma[32], mb[32];

		fmt_num(ma, sizeof(ma), top[i]->a->st.median);
		fmt_num(mb, sizeof(mb), top[i]->b->st.median);
		fprintf(out, "    %s %s %s: %s -> %s %s (x%.3g [%.3g, %.3g], p=%.2g)\n", top[i]->experiment,
			top[i]->a->config, top[i]->a->metric, ma, mb, top[i]->a->unit, top[i]->ratio.point,
			top[i]->ratio.lo, top[i]->ratio.hi, top[i]->p);
	}
	free(top);
}

void compare_summary(const struct comparison *c, FILE *out)
{
	size_t i;

	fprintf(out, "A: %s (%s, %s)\nB: %s (%s, %s)\n", c->a->dir, c->a->kernel, c->a->tier,
		c->b->dir, c->b->kernel, c->b->tier);
	fprintf(out, "%zu rows in both: %zu significant (%zu up, %zu down), %zu without an interval; "
		"%zu only in A, %zu only in B\n", c->n, c->significant, c->up, c->down, c->without,
		c->only_a, c->only_b);
	if (c->significant)
		summary_changes(c, out, 10);
	fprintf(out, "claims: %zu of %zu changed verdict\n", c->changed, c->nclaims);
	for (i = 0; i < c->nclaims; i++)
		if (c->claims[i].changed)
			fprintf(out, "    %s %s: %s -> %s\n", c->claims[i].claim->experiment,
				c->claims[i].claim->name, verdict_name(c->claims[i].a.verdict),
				verdict_name(c->claims[i].b.verdict));
}
