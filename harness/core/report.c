// SPDX-License-Identifier: GPL-2.0
#include "core/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "core/obench.h"
#include "core/paper.h"
#include "core/results.h"

/* One compared ratio, as computed from a result set. */
struct comparison {
	const struct paper_ratio *pr;
	bool measured;
	double ours;
	bool reproduced;
	const char *why;	/* when not measured */
};

static void compare(const struct paper_ratio *pr, const struct result_set *rs,
		    struct comparison *c)
{
	const struct result_row *num = result_find(rs, pr->num, pr->metric);
	const struct result_row *den = result_find(rs, pr->den, pr->metric);

	memset(c, 0, sizeof(*c));
	c->pr = pr;
	if (!num || !den) {
		c->why = "not measured in this run";
		return;
	}
	if (num->skipped || den->skipped) {
		c->why = num->skipped ? num->note : den->note;
		return;
	}
	if (strstr(num->tier, "testbed") || strstr(den->tier, "testbed")) {
		c->why = "emulated timings (testbed VM) are not compared with the paper";
		return;
	}
	if (den->st.median <= 0 || num->st.median <= 0) {
		c->why = "a median is zero or negative (below the timer's resolution)";
		return;
	}
	c->measured = true;
	c->ours = num->st.median / den->st.median;
	c->reproduced = c->ours / pr->paper <= 1 + pr->tol &&
			pr->paper / c->ours <= 1 + pr->tol;
}

static struct json_object *load_run_json(const char *run_dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	return json_object_from_file(path);
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

static int load_results(const char *run_dir, const char *exp, struct result_set *rs)
{
	char path[4096];

	result_set_init(rs, exp);
	snprintf(path, sizeof(path), "%s/%s.csv", run_dir, exp);
	return result_read_csv(path, rs);
}

static void fmt_num(char *buf, size_t len, double v)
{
	if (fabs(v) >= 100 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

static void md_rows(FILE *md, const struct result_set *rs)
{
	char med[32], iqr[32], p99[32];
	size_t i;

	fprintf(md, "| configuration | metric | ours: median ± IQR | p99 | CV | n | tier | paper |\n");
	fprintf(md, "|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i];
		const struct paper_value *p = paper_value_find(rs->experiment, r->config);
		char paper[64] = "-";

		if (p && !strcmp(p->metric, r->metric)) {
			fmt_num(med, sizeof(med), p->value);
			if (p->iqr > 0)
				snprintf(paper, sizeof(paper), "%s ± %g %s (%s)", med, p->iqr, p->unit, p->ref);
			else
				snprintf(paper, sizeof(paper), "%s %s (%s)", med, p->unit, p->ref);
		}
		if (r->skipped) {
			fprintf(md, "| %s | %s | skipped: %s | | | | | %s |\n",
				r->config, r->metric, r->note, paper);
			continue;
		}
		fmt_num(med, sizeof(med), r->st.median);
		fmt_num(iqr, sizeof(iqr), stats_iqr(&r->st));
		fmt_num(p99, sizeof(p99), r->st.p99);
		fprintf(md, "| %s | %s | %s ± %s %s | %s | %.1f%% | %zu | %s | %s |\n",
			r->config, r->metric, med, iqr, r->unit, p99, r->st.cv * 100,
			r->st.n, r->tier, paper);
	}
	for (i = 0; i < rs->n; i++)
		if (!rs->rows[i].skipped && rs->rows[i].note[0])
			fprintf(md, "\n- `%s`: %s", rs->rows[i].config, rs->rows[i].note);
	fprintf(md, "\n");
}

static void md_comparisons(FILE *md, const struct result_set *rs)
{
	const struct paper_ratio *pr;
	struct comparison c;
	bool any = false;

	for (pr = paper_ratios; pr->experiment; pr++) {
		if (strcmp(pr->experiment, rs->experiment))
			continue;
		if (!any) {
			fprintf(md, "\n| comparison (%s) | paper | ours | tolerance | verdict |\n", "ratio of medians");
			fprintf(md, "|---|---|---|---|---|\n");
			any = true;
		}
		compare(pr, rs, &c);
		if (c.measured)
			fprintf(md, "| %s | %.3g | %.3g | ×/÷ %.2f | %s |\n", pr->name,
				pr->paper, c.ours, 1 + pr->tol,
				c.reproduced ? "reproduced" : "differs");
		else
			fprintf(md, "| %s | %.3g | - | ×/÷ %.2f | skipped: %s |\n", pr->name,
				pr->paper, 1 + pr->tol, c.why);
	}
}

/* Counts reproduced / differing comparisons of one takeaway over all experiments. */
static void takeaway_tally(const char *run_dir, struct json_object *exps,
			   const char *section, int *repro, int *differ)
{
	const struct paper_ratio *pr;
	struct result_set rs;
	struct comparison c;

	*repro = *differ = 0;
	for (pr = paper_ratios; pr->experiment; pr++) {
		if (strcmp(pr->takeaway, section) ||
		    !json_object_object_get_ex(exps, pr->experiment, NULL))
			continue;
		if (load_results(run_dir, pr->experiment, &rs) == 0) {
			compare(pr, &rs, &c);
			if (c.measured)
				(*(c.reproduced ? repro : differ))++;
		}
		result_set_free(&rs);
	}
}

static void md_header(FILE *md, const char *run_dir, struct json_object *run)
{
	struct json_object *meta = NULL, *sys = NULL;

	json_object_object_get_ex(run, "metadata", &meta);
	json_object_object_get_ex(meta, "bpf_sysctls", &sys);
	fprintf(md, "# obench report\n\n");
	fprintf(md, "Run `%s`, started %s, profile `%s`.\n\n", run_dir,
		jstr(run, "started_utc"), jstr(run, "profile"));
	fprintf(md, "| | |\n|---|---|\n");
	fprintf(md, "| kernel | %s |\n| CPU | %s × %s |\n| tier | %s |\n",
		jstr(meta, "kernel_release"), jstr(meta, "cpu_model"),
		jstr(meta, "cpu_count"), jstr(meta, "tier"));
	fprintf(md, "| clang | %s |\n| libbpf | %s |\n| obench | %s |\n",
		jstr(meta, "clang_version"), jstr(meta, "libbpf_version"),
		jstr(meta, "obench_revision"));
	fprintf(md, "| JIT | enable=%s harden=%s kallsyms=%s |\n\n",
		jstr(sys, "bpf_jit_enable"), jstr(sys, "bpf_jit_harden"),
		jstr(sys, "bpf_jit_kallsyms"));
	fprintf(md, "Every figure below was measured in this run.  Absolute times "
		"depend on the machine, so each experiment is judged by ratios between "
		"configurations measured side by side: a ratio is **reproduced** when ours "
		"lies within the stated factor (×/÷) of the paper's, otherwise it **differs**. "
		"Medians are over repeated samples after warm-up; ± is the interquartile range.\n");
}

int report_write(const char *run_dir)
{
	struct json_object *run = load_run_json(run_dir), *exps = NULL;
	const struct paper_takeaway *t;
	char *buf = NULL, path[4096];
	size_t len = 0;
	FILE *md;
	int err;

	if (!run)
		return -ENOENT;
	json_object_object_get_ex(run, "experiments", &exps);
	md = open_memstream(&buf, &len);
	if (!md) {
		json_object_put(run);
		return -ENOMEM;
	}
	md_header(md, run_dir, run);
	json_object_object_foreach(exps, name, info) {
		const struct experiment *e = experiment_find(name);
		const char *status = jstr(info, "status");
		struct result_set rs;

		fprintf(md, "\n## %s — %s\n\n%s\n\n", name, e ? e->paper_ref : "?",
			e ? e->summary : "");
		if (strcmp(status, "ok")) {
			fprintf(md, "**%s**%s%s\n", status, jstr(info, "reason")[0] ? ": " : "",
				jstr(info, "reason"));
			if (strcmp(status, "interrupted") && strcmp(status, "failed"))
				continue;
		}
		if (load_results(run_dir, name, &rs) == 0) {
			md_rows(md, &rs);
			md_comparisons(md, &rs);
			if (e && e->report)
				e->report(&rs, md);
		}
		result_set_free(&rs);
	}
	fprintf(md, "\n## Takeaways (the paper's Table 7)\n\n");
	fprintf(md, "| § | takeaway | comparisons reproduced | differ |\n|---|---|---|---|\n");
	for (t = paper_takeaways; t->section; t++) {
		int repro, differ;

		takeaway_tally(run_dir, exps, t->section, &repro, &differ);
		if (repro + differ == 0)
			fprintf(md, "| %s | %s | not measured in this run | |\n", t->section, t->text);
		else
			fprintf(md, "| %s | %s | %d | %d |\n", t->section, t->text, repro, differ);
	}
	fclose(md);
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	err = write_file_atomic(path, buf, len);
	free(buf);
	json_object_put(run);
	return err;
}

int report_summary(const char *run_dir, FILE *out)
{
	struct json_object *run = load_run_json(run_dir), *exps = NULL;
	const struct paper_ratio *pr;
	char med[32], iqr[32];

	if (!run)
		return -ENOENT;
	json_object_object_get_ex(run, "experiments", &exps);
	json_object_object_foreach(exps, name, info) {
		struct result_set rs;
		struct comparison c;
		size_t i;

		fprintf(out, "%s: %s%s%s\n", name, jstr(info, "status"),
			jstr(info, "reason")[0] ? ": " : "", jstr(info, "reason"));
		if (load_results(run_dir, name, &rs) == 0) {
			for (i = 0; i < rs.n; i++) {
				const struct result_row *r = &rs.rows[i];

				if (r->skipped) {
					fprintf(out, "  %-24s skipped: %s\n", r->config, r->note);
					continue;
				}
				fmt_num(med, sizeof(med), r->st.median);
				fmt_num(iqr, sizeof(iqr), stats_iqr(&r->st));
				fprintf(out, "  %-24s %10s ± %-8s %-6s %s\n", r->config, med,
					iqr, r->unit, r->metric);
			}
			for (pr = paper_ratios; pr->experiment; pr++) {
				if (strcmp(pr->experiment, name))
					continue;
				compare(pr, &rs, &c);
				if (c.measured)
					fprintf(out, "  = %s: ours %.3g, paper %.3g -> %s\n", pr->name,
						c.ours, pr->paper, c.reproduced ? "reproduced" : "differs");
			}
		}
		result_set_free(&rs);
	}
	fprintf(out, "report: %s/report.md\n", run_dir);
	json_object_put(run);
	return 0;
}
