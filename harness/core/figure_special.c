// SPDX-License-Identifier: GPL-2.0
/*
 * The two figures that are not a row of generic panels: Fig. 3's RTT CDF
 * per hook (from the rows' samples, or echo_cdf.csv in a run that kept
 * none) and kvcache's Figs. 4-6 (sweep lines plus the mixed-run bars).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/figure_data.h"
#include "core/figure_draw.h"
#include "core/paper.h"

#define CDF_POINTS	300
#define MAX_HOOKS	8

static const char *const echo_hooks[] = { "xdp", "tc", "sk_skb", "socket", "socket_tcp", "sockperf_socket" };

static size_t hook_color(const char *config)
{
	size_t i;

	for (i = 0; i < sizeof(echo_hooks) / sizeof(echo_hooks[0]); i++)
		if (!strcmp(config, echo_hooks[i]))
			return i;
	return i;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* @row's empirical CDF, RTT over @base, at most CDF_POINTS points; its p95 in *@p95. */
static void cdf_from_samples(FILE *d, const struct result_row *row, double base, double *p95)
{
	size_t n = row->st.n, j, k = n < CDF_POINTS ? n : CDF_POINTS;
	double *s = malloc(n * sizeof(*s));

	if (!s)
		return;
	memcpy(s, row->samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	for (j = 0; j < k; j++) {
		size_t i = k > 1 ? j * (n - 1) / (k - 1) : 0;

		fprintf(d, "%.6g %.6g\n", s[i] / base, (double)(i + 1) / (double)n);
	}
	*p95 = s[(size_t)floor(0.95 * (double)(n - 1))] / base;
	free(s);
}

/* The points of @config in RUN_DIR/echo_cdf.csv (config,rtt_us,cdf), RTT over @base; how many. */
static size_t cdf_from_file(FILE *d, const char *dir, const char *config, double base, double *p95)
{
	char path[4200], line[256], *comma;
	size_t n = 0;
	double rtt, cdf;
	FILE *in;

	snprintf(path, sizeof(path), "%s/echo_cdf.csv", dir);
	in = fopen(path, "r");
	if (!in)
		return 0;
	while (fgets(line, sizeof(line), in)) {
		comma = strchr(line, ',');
		if (!comma || (size_t)(comma - line) != strlen(config) || strncmp(line, config, strlen(config)) ||
		    sscanf(comma + 1, "%lf,%lf", &rtt, &cdf) != 2)
			continue;
		if (d && base > 0)
			fprintf(d, "%.6g %.6g\n", rtt / base, cdf);
		if (cdf <= 0.95 || n == 0)
			*p95 = base > 0 ? rtt / base : rtt;
		n++;
	}
	fclose(in);
	return n;
}

/* The socket server's median RTT: the row's, else where its CDF in echo_cdf.csv crosses 1/2. */
static double socket_median(const struct fig *f)
{
	const struct result_row *r = result_find(&f->x->rs, "socket", "rtt_us");
	char path[4200], line[256];
	double rtt, cdf, med = NAN;
	FILE *in;

	if (r && !r->skipped && r->st.median > 0)
		return r->st.median;
	snprintf(path, sizeof(path), "%s/echo_cdf.csv", f->rd->dir);
	in = fopen(path, "r");
	while (in && fgets(line, sizeof(line), in))
		if (!strncmp(line, "socket,", 7) && sscanf(line + 7, "%lf,%lf", &rtt, &cdf) == 2 &&
		    cdf >= 0.5 && isnan(med))
			med = rtt;
	if (in)
		fclose(in);
	return med;
}

/* Our hooks' CDFs as plot clauses in @c; the largest p95 in *@xmax (the axis ends near it). */
static int echo_ours(struct fig *f, FILE *c, double base, double *xmax)
{
	const struct result_set *rs = &f->x->rs;
	char q[160], t[160];
	int drawn = 0, b;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i];
		double p95 = NAN;
		FILE *d;

		if (r->skipped || strcmp(r->metric, "rtt_us"))
			continue;
		d = plot_block(&f->p, &b);
		if (r->samples)
			cdf_from_samples(d, r, base, &p95);
		else if (!cdf_from_file(d, f->rd->dir, r->config, base, &p95))
			fprintf(d, "? ?\n");
		plot_block_end(&f->p);
		if (isnan(p95))
			continue;
		*xmax = fmax(*xmax, p95);
		snprintf(t, sizeof(t), "%s (%s)", r->config, f->ours);
		fprintf(c, "%s$d%d using 1:2 with lines lw 2 lc rgb '%s' title %s", drawn++ ? ", " : "",
			b, fig_color(hook_color(r->config)), plot_quote(q, sizeof(q), t));
	}
	return drawn;
}

/* The paper's p1, q1, median, q3, p99 of each hook, over its socket median. */
static int echo_paper(struct fig *f, FILE *c, int drawn, double *xmax)
{
	static const char *const q_metric[] = { "rtt_us_p1", "rtt_us_q1", "rtt_us", "rtt_us_q3", "rtt_us_p99" };
	static const double q_level[] = { 0.01, 0.25, 0.5, 0.75, 0.99 };
	const struct paper_value *sock = paper_value_get("echo", "socket", "rtt_us"), *v;
	char q[160], t[160];
	size_t h, k;
	int b;

	for (h = 0; sock && h < 4; h++) {
		FILE *d = plot_block(&f->p, &b);

		for (k = 0; k < 5; k++) {
			v = paper_value_get("echo", echo_hooks[h], q_metric[k]);
			if (v)
				fprintf(d, "%.6g %.6g\n", v->value / sock->value, q_level[k]);
			if (v && k == 4)
				*xmax = fmax(*xmax, v->value / sock->value);
		}
		plot_block_end(&f->p);
		snprintf(t, sizeof(t), "%s (paper: p1, q1, median, q3, p99)", echo_hooks[h]);
		fprintf(c, "%s$d%d using 1:2 with linespoints dt 2 lw 1.2 pt 6 ps 1.1 lc rgb '%s' title %s",
			drawn++ ? ", " : "", b, fig_color(h), plot_quote(q, sizeof(q), t));
	}
	return drawn;
}

int fig_echo(struct fig *f)
{
	const struct paper_value *ps = paper_value_get("echo", "socket", "rtt_us");
	char *clauses = NULL, t[256], q[300];
	size_t len = 0;
	double base = socket_median(f), xmax = 0;
	FILE *c;
	int drawn;

	if (!(base > 0)) {
		fig_draw_empty(f, "echo RTT CDF (Fig. 3)", "no user-space socket server row to normalise to");
		return 0;
	}
	c = open_memstream(&clauses, &len);
	if (!c)
		return -ENOMEM;
	drawn = echo_ours(f, c, base, &xmax);
	if (drawn)
		drawn = echo_paper(f, c, drawn, &xmax);
	fclose(c);
	if (drawn) {
		snprintf(t, sizeof(t), "echo RTT CDF per hook (Fig. 3): socket server median %.3g us here, "
			 "%.3g us in the paper", base, ps ? ps->value : NAN);
		plot_cmd(&f->p, "set title %s", plot_quote(q, sizeof(q), t));
		plot_cmd(&f->p, "set xlabel 'RTT / the UDP socket server median RTT (each source its own)'");
		plot_cmd(&f->p, "set ylabel 'fraction of requests (CDF)'");
		plot_cmd(&f->p, "set key inside bottom right vertical; set yrange [0:1.02]; set xrange [0:%g]", fmin(xmax * 1.15, 8));
		plot_cmd(&f->p, "plot %s", clauses);
	}
	free(clauses);
	return drawn ? 0 : -ENODATA;
}

/* ---- kvcache, Figs. 4-6 ---- */

static const struct fig_line kv_sweep[] = {
	{ "memcached alone", "sweep_memcached_only_f", "" },
	{ "with cache", "sweep_kvcache_f", "" },
};

static const struct fig_bar kv_pairs[] = {
	{ "throughput, all hits", "kvcache", "memcached_only", "req_per_s" },
	{ "overall median", "overall_kvcache", "overall_memcached_only", "rtt_us" },
	{ "fast-path median", "fastpath_kvcache", "fastpath_memcached_only", "rtt_us" },
	{ "slow-path median", "slowpath_kvcache", "slowpath_memcached_only", "rtt_us" },
	{ "slow-path p99", "slowpath_kvcache_p99", "slowpath_memcached_only_p99", "rtt_us" },
};

int fig_kvcache(struct fig *f)
{
	const struct result_row *rows[32];
	double xs[32];
	size_t n = fig_series_rows(&f->x->rs, "us_per_req", kv_sweep[0].prefix, "", rows, xs, 32);
	char ylabel[128];
	struct lines_panel tput = {
		.title = "(a) throughput vs cacheable fraction (Fig. 4)", .metric = "us_per_req",
		.paper_metric = "req_per_s", .lines = kv_sweep, .nlines = 2, .invert = true,
		.base = n ? rows[n - 1]->config : NULL, .xlabel = "cacheable (hit) fraction",
		.ylabel = ylabel,
	};
	struct lines_panel cost = {
		.title = "(b) cost per request (1 / throughput)", .metric = "us_per_req",
		.lines = kv_sweep, .nlines = 2, .absolute = true,
		.xlabel = "cacheable (hit) fraction", .ylabel = "us per request, this run",
	};
	struct bars_panel mixed = {
		.title = "(c) with cache / without (Figs. 4-6)", .bars = kv_pairs,
		.nbars = sizeof(kv_pairs) / sizeof(kv_pairs[0]),
		.ylabel = "with cache / memcached alone",
	};
	int drawn = 0;

	snprintf(ylabel, sizeof(ylabel), "throughput / memcached alone at %.2f", n ? xs[n - 1] : 1.0);
	plot_cmd(&f->p, "set multiplot layout 1,3");
	if (fig_draw_lines(f, &tput))
		fig_draw_empty(f, tput.title, "no sweep in this run");
	else
		drawn++;
	if (fig_draw_lines(f, &cost))
		fig_draw_empty(f, cost.title, "no sweep in this run");
	else
		drawn++;
	if (fig_draw_bars(f, &mixed))
		fig_draw_empty(f, mixed.title, "not measured in this run");
	else
		drawn++;
	plot_cmd(&f->p, "unset multiplot");
	return drawn ? 0 : -ENODATA;
}
