// SPDX-License-Identifier: GPL-2.0
/*
 * One figure per experiment, in the paper's own form (a CDF for Fig. 3,
 * lines over the sweeps of Figs. 10-14, bars for the tables), from the
 * run's files alone, with the paper's points on the same axes.  Absolute
 * numbers do not carry across machines: every panel is normalised to a
 * baseline row of its own, ours to ours and the paper's to the paper's, and
 * its axis label says which.
 */
#include "core/report_figures.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/figure_data.h"
#include "core/figure_draw.h"
#include "core/paper.h"

struct figure_def {
	const char *experiment;
	const char *title;	/* above the figure */
	const char *caption;	/* below it in the report: what is drawn, normalised to what */
	int width, height;
	int (*draw)(struct fig *f);	/* NULL: the panels below */
	const struct bars_panel *bars;
	size_t nbars;
	const struct lines_panel *lines;
	size_t nlines;
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the tables: bars, ours beside the paper's, both over one row ---- */

static const struct bars_panel map_access_bars[] = { {
	.title = "ns per lookup from BPF (Table 3)", .metric = "ns_per_lookup", .base = "hash",
	.ylabel = "time per lookup / hash map's (each source its own)",
} };
static const struct bars_panel user_access_bars[] = { {
	.title = "ns per 64 B access from user space (Table 4)", .metric = "ns_per_access",
	.base = "array", .logy = true,
	.ylabel = "time per access / array lookup syscall's (log)",
} };
static const struct bars_panel memcpy_bars[] = { {
	.title = "1 KB copy in the kernel (Table 6)", .metric = "ns_per_1k_copy",
	.base = "bpf_byte_loop", .logy = true,
	.ylabel = "time per 1 KB copy / eBPF byte loop's (log)",
} };
static const struct bars_panel bandwidth_bars[] = { {
	.title = "iperf TCP bandwidth with a minimal program (Table 2)", .metric = "gbps",
	.base = "none", .ylabel = "bandwidth / no program's",
} };
static const struct bars_panel channel_bars[] = { {
	.title = "kernel -> user throughput of 64 B records (Fig. 13)", .metric = "delivered_mpps",
	.base = "array_syscall", .logy = true,
	.ylabel = "records per second / array + syscall's (log)",
} };
static const struct bars_panel isolation_bars[] = { {
	.title = "echo server median RTT beside memcached (Fig. 16)", .metric = "rtt_us",
	.base = "echo_with_memcached",
	.ylabel = "echo median RTT / with memcached (no fast path)",
} };
static const struct bars_panel hook_cost_bars[] = { {
	.title = "time to reach the hook (Table 1)", .metric = "ns_to_reach", .base = "tc",
	.logy = true, .ylabel = "time to reach / TC's (each from its own origin; log)",
}, {
	.title = "context preparation (Table 1)", .metric = "prep_ns", .base = "tc", .logy = true,
	.ylabel = "preparation time / TC's (log)",
} };

static const struct fig_bar chaining_kv[] = {
	{ "tail call, const", "kv_tail_const", "kv_tail_dynamic", "mreq_per_s" },
	{ "tail call, dynamic", "kv_tail_dynamic", "kv_tail_dynamic", "mreq_per_s" },
	{ "inlined", "kv_inlined", "kv_tail_dynamic", "mreq_per_s" },
	{ "BPF-to-BPF", "kv_bpf2bpf", "kv_tail_dynamic", "mreq_per_s" },
	{ "global func", "kv_global_func", "kv_tail_dynamic", "mreq_per_s" },
};
static const struct bars_panel chaining_bars[] = { {
	.title = "program alone (BPF_PROG_TEST_RUN)", .metric = "throughput_vs_tail_dynamic",
	.base = "tail_dynamic", .paper_prefix = "kv_", .paper_metric = "mreq_per_s",
	.ylabel = "throughput / dynamic tail call's (paper: Table 5)",
}, {
	.title = "kvcache fast path under memcached load", .bars = chaining_kv,
	.nbars = N(chaining_kv), .ylabel = "requests per second / dynamic tail call's",
} };

static const struct fig_bar xsk_kv_pairs[] = {
	{ "throughput", "xsk_fastpath", "xsk_only", "req_per_s" },
	{ "overall median RTT", "overall_xsk_fastpath", "overall_xsk_only", "rtt_us" },
	{ "slow-path median RTT", "slowpath_xsk_fastpath", "slowpath_xsk_only", "rtt_us" },
};
static const struct bars_panel xsk_kv_bars[] = { {
	.title = "AF_XDP key-value server (Figs. 7-9)", .bars = xsk_kv_pairs, .nbars = N(xsk_kv_pairs),
	.ylabel = "with XDP fast path / without",
} };

/* ---- the sweeps: lines ---- */

static const struct fig_line truncate_line[] = { { "receive rate", "trunc_", "" } };
static const struct lines_panel truncate_lines[] = { {
	.title = "UDP receive rate vs payload truncated at XDP (Fig. 10)", .metric = "rx_pps",
	.paper_metric = "rx_pps", .lines = truncate_line, .nlines = 1, .base_x = 0,
	.xlabel = "payload truncated (%)", .ylabel = "receive rate / untruncated (each source its own)",
} };

static const struct fig_line map_lines[] = {
	{ "array", "array_", "" }, { "hash", "hash_", "" }, { "LRU hash", "lru_hash_", "" },
};
static const struct lines_panel map_footprint_lines[] = { {
	.title = "per-flow counters vs number of flows (Fig. 11)", .metric = "ns_per_packet",
	.paper_metric = "mpps", .paper_map_work = true, .lines = map_lines, .nlines = N(map_lines),
	.base_x = 100, .logx = true, .xlabel = "flows",
	.ylabel = "map work per packet / same map at 100 flows",
} };
static const struct fig_line zipf_lines[] = {
	{ "array", "array_s=", "" }, { "hash", "hash_s=", "" }, { "LRU hash", "lru_hash_s=", "" },
};
static const struct lines_panel map_zipf_lines[] = { {
	.title = "per-flow counters, 100K flows, Zipf popularity (Fig. 12)", .metric = "ns_per_packet",
	.paper_metric = "mpps", .paper_map_work = true, .lines = zipf_lines, .nlines = N(zipf_lines),
	.base_x = 0, .xlabel = "Zipf parameter s (0: uniform)",
	.ylabel = "map work per packet / same map at s = 0",
} };

static const struct fig_line fib_lines[] = {
	{ "eBPF", "fib_n=", "_ebpf" }, { "native", "fib_n=", "_native" },
};
static const struct fig_line sum_lines[] = {
	{ "eBPF", "sum64_x=", "_ebpf" }, { "native", "sum64_x=", "_native" },
};
static const struct lines_panel complexity_lines[] = { {
	.title = "(a) fib(n)", .metric = "runs_per_s", .paper_metric = "mpps", .lines = fib_lines,
	.nlines = N(fib_lines), .base = "fib_n=0_native", .logy = true, .logx = true,
	.x_shift = 1, .xlabel = "n + 1 (log)",
	.ylabel = "throughput / native at n = 0 (ours: native modelled)",
}, {
	.title = "(b) sum of 64 B, X times", .metric = "runs_per_s", .paper_metric = "mpps",
	.lines = sum_lines, .nlines = N(sum_lines), .base = "sum64_x=0_native", .logy = true,
	.logx = true, .x_shift = 1, .xlabel = "X + 1 (repetitions, log)",
	.ylabel = "throughput / native at X = 0 (ours: native modelled)",
} };

#define FIG(exp, ttl, cap, w, h, ...)						\
	{ .experiment = exp, .title = ttl, .caption = cap, .width = w, .height = h, __VA_ARGS__ }
#define BARS(a)		.bars = a, .nbars = N(a)
#define LINES(a)	.lines = a, .nlines = N(a)
#define WHISKERS	"Whiskers: 95 % bootstrap interval of the ratio, from the run's samples."

static const struct figure_def figures[] = {
	FIG("echo", "Fig. 3: echo RTT distribution per hook", "RTT CDF of each hook's echo server, "
	  "RTT divided by the user-space UDP socket server's median (ours by ours, the paper's by "
	  "the paper's: its p1, q1, median, q3 and p99 from the public artifact).", 900, 520, .draw = fig_echo),
	FIG("kvcache", "Figs. 4-6: kvcache in front of memcached", "(a) throughput over the cacheable "
	  "fraction, over memcached alone at the largest fraction (the paper's Fig. 4 point: all "
	  "requests hit); (b) cost per request; (c) the saturated and mixed runs, with cache / "
	  "without (the paper's ratios from its text).", 1350, 460, .draw = fig_kvcache),
	FIG("truncate", "Fig. 10", "Receive rate over the untruncated rate; the paper's points "
	  "from its public artifact.", 800, 460, LINES(truncate_lines)),
	FIG("map-footprint", "Fig. 11", "Map work per packet over the same map's at 100 flows; the "
	  "paper's whole-packet Mpps (public artifact) turned into map work as 1/Mpps - 1/baseline.",
	  800, 480, LINES(map_footprint_lines)),
	FIG("map-zipf", "Fig. 12", "Map work per packet over the same map's under uniform popularity; "
	  "the paper's Mpps (public artifact) as map work, 1/Mpps - 1/baseline.", 800, 480, LINES(map_zipf_lines)),
	FIG("channel", "Fig. 13", "Delivered records per second over the array + syscall channel's.",
	  800, 460, BARS(channel_bars)),
	FIG("complexity", "Fig. 14", "Throughput over native code's at the smallest workload. Ours: "
	  "eBPF measured, native modelled as 1e9 / (empty XDP run + work), placed at the hook.",
	  1200, 460, LINES(complexity_lines)),
	FIG("map-access", "Table 3", "Lookup time over the hash map's.", 800, 460, BARS(map_access_bars)),
	FIG("user-access", "Table 4", "Access time over the array lookup syscall's (log scale).",
	  800, 460, BARS(user_access_bars)),
	FIG("memcpy", "Table 6", "Copy time over the eBPF byte loop's (log scale).", 800, 460, BARS(memcpy_bars)),
	FIG("chaining", "Table 5", "Throughput over the dynamic tail call's; the paper's bars are its "
	  "Table 5 (kvcache under memcached load) in both panels.", 1200, 460, BARS(chaining_bars)),
	FIG("hook-cost", "Table 1", "Times over TC's. The paper's origin is the receiving driver "
	  "(XDP = 0); ours is the sender's transmit.", 1200, 460, BARS(hook_cost_bars)),
	FIG("bandwidth", "Table 2", "Bandwidth over no program's.", 800, 460, BARS(bandwidth_bars)),
	FIG("isolation", "Fig. 16", "Echo median RTT over the echo's beside memcached without the "
	  "fast path (the paper's baseline).", 800, 460, BARS(isolation_bars)),
	FIG("xsk-kv", "Figs. 7-9", "With the XDP fast path over without; the paper's from its public "
	  "artifact.", 800, 460, BARS(xsk_kv_bars)),
	{ 0 }
};

static const struct figure_def *figure_find(const char *experiment)
{
	const struct figure_def *d;

	for (d = figures; d->experiment; d++)
		if (!strcmp(d->experiment, experiment))
			return d;
	return NULL;
}

/* The panels of @d side by side; -ENODATA when none had data. */
static int draw_panels(struct fig *f, const struct figure_def *d)
{
	size_t i, panels = d->nbars + d->nlines;
	int drawn = 0;

	if (panels > 1)
		plot_cmd(&f->p, "set multiplot layout 1,%zu", panels);
	for (i = 0; i < d->nbars; i++)
		if (fig_draw_bars(f, &d->bars[i]))
			fig_draw_empty(f, d->bars[i].title, "not measured in this run");
		else
			drawn++;
	for (i = 0; i < d->nlines; i++)
		if (fig_draw_lines(f, &d->lines[i]))
			fig_draw_empty(f, d->lines[i].title, "not measured in this run");
		else
			drawn++;
	if (panels > 1)
		plot_cmd(&f->p, "unset multiplot");
	return drawn ? 0 : -ENODATA;
}

static int make_one(const struct run_data *rd, const struct run_experiment *x,
		    const struct figure_def *d, const char *dir, char *err, size_t len)
{
	struct fig f = { .rd = rd, .x = x };
	int rc = plot_init(&f.p, d->width, d->height);

	if (rc)
		return rc;
	snprintf(f.ours, sizeof(f.ours), "this run, %s", rd->tier[0] ? rd->tier : "?");
	fig_style(&f);
	rc = d->draw ? d->draw(&f) : draw_panels(&f, d);
	if (!rc)
		rc = plot_render(&f.p, dir, x->name, err, len);
	else
		snprintf(err, len, "nothing to draw");
	plot_free(&f.p);
	return rc;
}

void report_figures_make(const struct run_data *rd, struct figures_made *out)
{
	char dir[4200], err[256];
	double t0 = mono_s();
	int i;

	memset(out, 0, sizeof(*out));
	out->have_gnuplot = plot_have_gnuplot();
	if (!out->have_gnuplot)
		return;
	snprintf(dir, sizeof(dir), "%s/figures", rd->dir);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(out->failed, sizeof(out->failed), "cannot create %s: %s", dir, strerror(errno));
		return;
	}
	for (i = 0; i < rd->n; i++) {
		const struct run_experiment *x = &rd->exps[i];
		const struct figure_def *d = figure_find(x->name);
		char path[4300];

		if (!d || !x->have_results)
			continue;
		/* a figure from an earlier report must not pass for this one */
		snprintf(path, sizeof(path), "%s/%s.svg", dir, x->name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.png", dir, x->name);
		unlink(path);
		if (!make_one(rd, x, d, dir, err, sizeof(err))) {
			out->made++;
			continue;
		}
		out->skipped++;
		if (strcmp(err, "nothing to draw"))
			snprintf(out->failed + strlen(out->failed), sizeof(out->failed) - strlen(out->failed),
				 "%s%s: %s", out->failed[0] ? "; " : "", x->name, err);
	}
	out->seconds = mono_s() - t0;
}

void report_figures_note(FILE *md, const struct figures_made *m)
{
	if (!m->have_gnuplot) {
		fprintf(md, "\nFigures skipped: gnuplot not installed (Debian: `apt-get install gnuplot-nox`, "
			"then `obench report DIR`).\n");
		return;
	}
	fprintf(md, "\nFigures: %d drawn by gnuplot in %.1f s (`figures/<experiment>.svg`, `.png`, "
		"and the `.gp` script that draws each from the run's files).", m->made, m->seconds);
	if (m->failed[0])
		fprintf(md, "  Failed: %s.", m->failed);
	fprintf(md, "\n");
}

void report_figure_md(FILE *md, const struct run_data *rd, const struct run_experiment *x)
{
	const struct figure_def *d = figure_find(x->name);
	char path[4200];
	struct stat st;
	bool any_without = false;
	size_t i;

	snprintf(path, sizeof(path), "%s/figures/%s.svg", rd->dir, x->name);
	if (!d || stat(path, &st))
		return;
	for (i = 0; i < x->rs.n; i++)
		any_without |= !x->rs.rows[i].skipped && !x->rs.rows[i].samples && x->rs.rows[i].st.n > 1;
	fprintf(md, "\n![%s: %s, this run beside the paper](figures/%s.svg)\n\n", d->title,
		x->name, x->name);
	fprintf(md, "*%s %s%s*\n", d->caption, strcmp(x->name, "echo") ? WHISKERS : "",
		any_without && strcmp(x->name, "echo") ?
		" Where a row kept no samples, the whisker is its IQR." : "");
}
