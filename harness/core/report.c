// SPDX-License-Identifier: GPL-2.0
/*
 * report.md, made from a run directory's files alone: first the paper's
 * takeaways with what this run found, then one section per experiment
 * (its claims judged, a short table), then an appendix with every row.
 */
#include "core/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/interval.h"
#include "core/obench.h"
#include "core/paper.h"
#include "core/report_figures.h"
#include "core/run_data.h"

void fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 100 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

/* "1.23 [1.10, 1.40]" or "1.23 (exact)" or "-" */
static void fmt_figure(char *buf, size_t len, const struct judgement *j)
{
	if (!j->have_interval)
		snprintf(buf, len, "-");
	else if (j->ci.lo == j->ci.hi)
		snprintf(buf, len, "%.3g", j->ci.point);
	else
		snprintf(buf, len, "%.3g [%.3g, %.3g]", j->ci.point, j->ci.lo, j->ci.hi);
}

static void md_verdict(FILE *md, const struct judgement *j)
{
	fprintf(md, "**%s**", verdict_name(j->verdict));
	if (j->why[0])
		fprintf(md, ": %s", j->why);
}

/* The verdict a takeaway gets from its judged claims. */
static const char *takeaway_verdict(int repro, int differ, int judged_none)
{
	if (repro && differ)
		return "mixed";
	if (repro)
		return "reproduced";
	if (differ)
		return "differs";
	return judged_none ? "inconclusive" : "not measured";
}

static void md_takeaway(FILE *md, const struct run_data *rd, const struct paper_takeaway *t)
{
	const struct claim *c, *shown = NULL;
	struct judgement j, js = { 0 };
	int repro = 0, differ = 0, other = 0;
	char fig[96];

	for (c = paper_claims; c->experiment; c++) {
		if (strcmp(c->takeaway, t->section))
			continue;
		run_data_judge(rd, c, &j);
		repro += j.verdict == VERDICT_REPRODUCED;
		differ += j.verdict == VERDICT_DIFFERS;
		other += j.verdict == VERDICT_INCONCLUSIVE;
		/* the evidence shown: the first decisive claim, else the first measured one */
		if (!shown || (js.verdict > VERDICT_DIFFERS && j.verdict <= js.verdict)) {
			shown = c;
			js = j;
		}
	}
	fprintf(md, "| %s | %s | **%s** (%d reproduced, %d differ, %d inconclusive) | ", t->section,
		t->text, takeaway_verdict(repro, differ, other), repro, differ, other);
	if (shown && js.have_interval) {
		fmt_figure(fig, sizeof(fig), &js);
		fprintf(md, "%s: ours %s vs paper %.3g", shown->name, fig, shown->paper);
	} else if (shown) {
		fprintf(md, "%s: %s", shown->name, js.why);
	}
	fprintf(md, " | %s |\n", rd->tier);
}

static void md_header(FILE *md, const struct run_data *rd, const struct figures_made *figs)
{
	const struct paper_takeaway *t;

	fprintf(md, "# obench report\n\n");
	fprintf(md, "Run `%s`, started %s, profile `%s`, tier **%s**: %s, %d CPUs, kernel %s%s%s%s, "
		"obench %s.\n\n", rd->dir, rd->started, rd->profile, rd->tier, rd->cpu_model, rd->cpus,
		rd->kernel, rd->patches[0] ? " with kernel-patches/ " : "", rd->patches,
		rd->patches[0] ? " (run.json: kernel_patches)" : "", rd->revision);
	fprintf(md, "## The paper's takeaways (Table 7) and this run\n\n");
	fprintf(md, "| § | takeaway | verdict | evidence: our ratio [95 %% interval] vs the paper's | tier |\n");
	fprintf(md, "|---|---|---|---|---|\n");
	for (t = paper_takeaways; t->section; t++)
		md_takeaway(md, rd, t);
	fprintf(md, "\nEach claim of the paper is judged on a figure measured in this run: a ratio "
		"of two configurations measured side by side (absolute times do not carry across "
		"machines), with a 95 %% interval from the samples of both.  **reproduced**: the "
		"whole interval lies in the region the claim allows (and, for an effect, away from "
		"\"no effect\"); **differs**: the whole interval lies outside it; **inconclusive**: "
		"anything else, with the reason.  Every region and its reason is in the tables.\n");
	report_figures_note(md, figs);
}

static void md_claims(FILE *md, const struct run_data *rd, const char *exp)
{
	const struct claim *c;
	struct judgement j;
	char fig[96], region[64];
	bool any = false;

	for (c = paper_claims; c->experiment; c++) {
		if (strcmp(c->experiment, exp))
			continue;
		if (!any)
			fprintf(md, "\n| claim (%s) | kind | paper | ours [95 %% interval] | region | verdict |\n"
				"|---|---|---|---|---|---|\n", "the paper's words below");
		any = true;
		run_data_judge(rd, c, &j);
		fmt_figure(fig, sizeof(fig), &j);
		claim_region_text(c, region, sizeof(region));
		fprintf(md, "| %s | %s | %.3g | %s | %s | ", c->name, claim_kind_name(c->kind),
			c->paper, fig, region);
		md_verdict(md, &j);
		fprintf(md, " |\n");
	}
	if (!any)
		return;
	fprintf(md, "\n");
	for (c = paper_claims; c->experiment; c++)
		if (!strcmp(c->experiment, exp))
			fprintf(md, "- *%s* (%s): \"%s\". Region: %s.\n", c->name, c->ref, c->claim, c->why);
}

/* Skip reasons once each, with how many rows they cover. */
static void md_skips(FILE *md, const struct result_set *rs)
{
	size_t i, k;

	for (i = 0; i < rs->n; i++) {
		int count = 0;

		if (!rs->rows[i].skipped)
			continue;
		for (k = 0; k < i; k++)
			if (rs->rows[k].skipped && !strcmp(rs->rows[k].note, rs->rows[i].note))
				break;
		if (k < i)
			continue;
		for (k = i; k < rs->n; k++)
			count += rs->rows[k].skipped && !strcmp(rs->rows[k].note, rs->rows[i].note);
		fprintf(md, "- skipped (%d row%s, e.g. `%s`): %s\n", count, count == 1 ? "" : "s",
			rs->rows[i].config, rs->rows[i].note);
	}
}

/* The short table: each measured row's median with its interval. */
static void md_short_rows(FILE *md, const struct result_set *rs)
{
	char med[32], lo[32], hi[32];
	struct interval ci;
	size_t i;

	fprintf(md, "\n| configuration | metric | median [95 %% interval] | n |\n|---|---|---|---|\n");
	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i];

		if (r->skipped)
			continue;
		fmt_num(med, sizeof(med), r->st.median);
		if (r->samples && !interval_median(r->samples, r->st.n, &ci)) {
			fmt_num(lo, sizeof(lo), ci.lo);
			fmt_num(hi, sizeof(hi), ci.hi);
			fprintf(md, "| %s | %s | %s [%s, %s] %s | %zu |\n", r->config, r->metric, med,
				lo, hi, r->unit, r->st.n);
		} else {
			fprintf(md, "| %s | %s | %s %s | %zu |\n", r->config, r->metric, med, r->unit,
				r->st.n);
		}
	}
	md_skips(md, rs);
}

static void md_experiment(FILE *md, const struct run_data *rd, const struct run_experiment *x)
{
	const struct experiment *e = experiment_find(x->name);

	fprintf(md, "\n## %s — %s\n\n%s\n\n", x->name, e ? e->paper_ref : "?", e ? e->summary : "");
	if (strcmp(x->status, "ok"))
		fprintf(md, "**%s**%s%s\n", x->status, x->reason[0] ? ": " : "", x->reason);
	if (x->noisy)
		fprintf(md, "\n**Noisy machine** while measuring: %s.  Its claims are inconclusive.\n",
			x->noise);
	if (!x->have_results)
		return;
	report_figure_md(md, rd, x);
	md_claims(md, rd, x->name);
	md_short_rows(md, &x->rs);
	if (e && e->report)
		e->report(&x->rs, md);
}

static void md_appendix(FILE *md, const struct run_data *rd)
{
	char med[32], iqr[32], p99[32];
	int i;
	size_t k;

	fprintf(md, "\n## Appendix: every row\n");
	for (i = 0; i < rd->n; i++) {
		const struct result_set *rs = &rd->exps[i].rs;

		if (!rd->exps[i].have_results)
			continue;
		fprintf(md, "\n### %s\n\n| configuration | metric | median ± IQR | p99 | CV | n | tier | note |\n"
			"|---|---|---|---|---|---|---|---|\n", rd->exps[i].name);
		for (k = 0; k < rs->n; k++) {
			const struct result_row *r = &rs->rows[k];

			if (r->skipped)
				continue;
			fmt_num(med, sizeof(med), r->st.median);
			fmt_num(iqr, sizeof(iqr), stats_iqr(&r->st));
			fmt_num(p99, sizeof(p99), r->st.p99);
			fprintf(md, "| %s | %s | %s ± %s %s | %s | %.1f%% | %zu | %s | %s |\n", r->config,
				r->metric, med, iqr, r->unit, p99, r->st.cv * 100, r->st.n, r->tier, r->note);
		}
	}
}

int report_write_data(const struct run_data *rd)
{
	char *buf = NULL, path[4200];
	size_t len = 0;
	FILE *md = open_memstream(&buf, &len);
	struct figures_made figs;
	int i, err;

	if (!md)
		return -ENOMEM;
	report_figures_make(rd, &figs);
	md_header(md, rd, &figs);
	for (i = 0; i < rd->n; i++)
		md_experiment(md, rd, &rd->exps[i]);
	md_appendix(md, rd);
	fclose(md);
	snprintf(path, sizeof(path), "%s/report.md", rd->dir);
	err = write_file_atomic(path, buf, len);
	if (!err)
		err = report_html(rd, buf, len);
	free(buf);
	return err;
}

int report_write(const char *run_dir, char *err, size_t errlen)
{
	struct run_data rd;
	int rc = run_data_load(run_dir, &rd, err, errlen);

	if (!rc)
		rc = report_write_data(&rd);
	run_data_free(&rd);
	return rc;
}

int report_summary(const char *run_dir, FILE *out)
{
	const struct claim *c;
	struct run_data rd;
	struct judgement j;
	char err[512], fig[96];
	int i;

	if (run_data_load(run_dir, &rd, err, sizeof(err))) {
		fprintf(out, "%s\n", err);
		run_data_free(&rd);
		return -1;
	}
	for (i = 0; i < rd.n; i++) {
		const struct run_experiment *x = &rd.exps[i];

		fprintf(out, "%s: %s%s%s%s\n", x->name, x->status, x->reason[0] ? ": " : "",
			x->reason, x->noisy ? " (noisy machine)" : "");
		for (c = paper_claims; c->experiment; c++) {
			if (strcmp(c->experiment, x->name))
				continue;
			run_data_judge(&rd, c, &j);
			if (j.verdict == VERDICT_NOT_MEASURED)
				continue;
			fmt_figure(fig, sizeof(fig), &j);
			fprintf(out, "  %-13s %s: ours %s, paper %.3g%s%s\n", verdict_name(j.verdict),
				c->name, fig, c->paper, j.why[0] ? " -- " : "", j.why);
		}
	}
	fprintf(out, "report: %s/report.md\n", run_dir);
	run_data_free(&rd);
	return 0;
}
