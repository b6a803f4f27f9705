// SPDX-License-Identifier: GPL-2.0
/*
 * obench compare on synthetic runs: a run compared with itself shows nothing
 * significant; a known shift of one row is found (and only that row); rows
 * without samples say so; and the command answers bad input with one line,
 * exit status 2 and nothing written.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "core/compare.h"
#include "core/results.h"
#include "core/run_data.h"

#define N	30
#define SHIFT	1.3

static char tmp[PATH_MAX], obench[PATH_MAX + 16];

/*
 * @n samples spread evenly over median * (1 +- cv), in a scrambled order;
 * @phase (0..1) moves them within their slots: another draw of the same
 * distribution.
 */
static void samples(double *v, size_t n, double median, double cv, double phase)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[(i * 7) % n] = median * (1 + cv * (2 * ((double)i + phase) / (double)n - 1));
}

static void add_row(struct result_set *rs, const char *config, double median, double phase)
{
	double v[N];
	struct stats st;

	samples(v, N, median, 0.1, phase);
	stats_compute(v, N, 0, 0, &st);
	result_add_samples(rs, config, "ns_per_lookup", "ns", "host", &st, "", v, N);
}

/*
 * A run directory as obench writes it: run.json and map-access's rows.  In
 * run "shifted" the hash row is SHIFT times slower and the LRU row is drawn
 * afresh (same distribution, another draw); percpu_hash keeps no samples.
 */
static int write_run(const char *dir, const char *kind)
{
	struct result_set rs;
	struct stats st = { .n = 5, .median = 3, .q1 = 2.9, .q3 = 3.1 };
	char path[PATH_MAX + 16];
	FILE *f;
	bool shifted = !strcmp(kind, "shifted");

	if (mkdir(dir, 0755))
		return -errno;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "{ \"started_utc\": \"2026-01-01T00:00:00Z\", \"profile\": \"quick\", "
		"\"metadata\": { \"tier\": \"host\", \"kernel_release\": \"%s\", \"cpu_count\": 2 }, "
		"\"experiments\": { \"map-access\": { \"status\": \"ok\", \"wall_s\": 1 } } }\n", kind);
	fclose(f);
	result_set_init(&rs, "map-access");
	add_row(&rs, "array", 1.0, 0.5);
	add_row(&rs, "hash", shifted ? 10 * SHIFT : 10, 0.5);
	add_row(&rs, "lru_hash", 10.5, shifted ? 0.9 : 0.2);
	result_add(&rs, "percpu_hash", "ns_per_lookup", "ns", "host", &st, "no samples kept");
	result_write_csv(&rs, dir);
	result_set_free(&rs);
	return 0;
}

static int build_runs(char *why, size_t len)
{
	char path[PATH_MAX + 16], *slash;
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	path[n > 0 ? n : 0] = '\0';
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	snprintf(obench, sizeof(obench), "%s/../obench", path);	/* build/selftests/ -> build/ */
	snprintf(tmp, sizeof(tmp), "/tmp/obench-test-compare.XXXXXX");
	if (!mkdtemp(tmp))
		return snprintf(why, len, "mkdtemp: %s", strerror(errno)), KSFT_FAIL;
	snprintf(path, sizeof(path), "%s/a", tmp);
	if (write_run(path, "base"))
		return snprintf(why, len, "cannot write %s", path), KSFT_FAIL;
	snprintf(path, sizeof(path), "%s/b", tmp);
	if (write_run(path, "shifted"))
		return snprintf(why, len, "cannot write %s", path), KSFT_FAIL;
	return 0;
}

static struct harness_once runs;

static void remove_runs(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (tmp[0] && system(cmd))
		fprintf(stderr, "# could not remove %s\n", tmp);
}

FIXTURE(cmp) {
	struct run_data a, b;
	struct comparison c;
};

FIXTURE_VARIANT(cmp) {
	const char *b;		/* the run compared with run a */
};
FIXTURE_VARIANT_ADD(cmp, itself) { .b = "a" };
FIXTURE_VARIANT_ADD(cmp, shifted) { .b = "b" };

FIXTURE_SETUP(cmp)
{
	char path[PATH_MAX + 16], err[256];
	int rc = harness_once(&runs, build_runs);

	harness_at_end(remove_runs);
	ASSERT(!rc, "%s", runs.why);
	snprintf(path, sizeof(path), "%s/a", tmp);
	ASSERT(!run_data_load(path, &self->a, err, sizeof(err)), "%s", err);
	snprintf(path, sizeof(path), "%s/%s", tmp, variant->b);
	ASSERT(!run_data_load(path, &self->b, err, sizeof(err)), "%s", err);
	ASSERT(!compare_runs(&self->a, &self->b, &self->c), "compare_runs failed");
}

FIXTURE_TEARDOWN(cmp)
{
	compare_free(&self->c);
	run_data_free(&self->a);
	run_data_free(&self->b);
}

static const struct compare_row *row(const struct comparison *c, const char *config)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].a->config, config))
			return &c->rows[i];
	return NULL;
}

TEST_F(cmp, significant_only_where_shifted)
{
	bool shifted = !strcmp(variant->b, "b");
	const struct compare_row *hash = row(&self->c, "hash"), *lru = row(&self->c, "lru_hash");

	EXPECT(self->c.n == 4, "%zu rows paired, want 4", self->c.n);
	EXPECT(self->c.only_a == 0 && self->c.only_b == 0, "unpaired rows %zu/%zu",
	       self->c.only_a, self->c.only_b);
	ASSERT(hash && lru, "rows missing");
	EXPECT(hash->significant == shifted, "hash significant=%d (B/A %g [%g, %g])",
	       hash->significant, hash->ratio.point, hash->ratio.lo, hash->ratio.hi);
	EXPECT(!lru->significant, "same distribution found significant: %g [%g, %g]",
	       lru->ratio.point, lru->ratio.lo, lru->ratio.hi);
	EXPECT(self->c.significant == (shifted ? 1u : 0u) && self->c.up == self->c.significant,
	       "%zu significant, %zu up", self->c.significant, self->c.up);
	if (shifted)
		EXPECT(hash->ratio.lo < SHIFT && SHIFT < hash->ratio.hi && hash->p < 0.001,
		       "shift %g outside [%g, %g] or p=%g", SHIFT, hash->ratio.lo, hash->ratio.hi, hash->p);
	else
		EXPECT(hash->ratio.point == 1 && hash->p > 0.5, "itself: %g, p=%g",
		       hash->ratio.point, hash->p);
}

TEST_F(cmp, rows_without_samples_say_so)
{
	const struct compare_row *r = row(&self->c, "percpu_hash");

	ASSERT(r, "percpu_hash not paired");
	EXPECT(!r->have_interval && !r->significant && r->why && !strcmp(r->why, "no samples"),
	       "row without samples: interval %d, why %s", r->have_interval, r->why ? r->why : "-");
	EXPECT(self->c.without == 1, "%zu rows without an interval", self->c.without);
}

TEST_F(cmp, claims_side_by_side)
{
	size_t i;

	EXPECT(self->c.nclaims > 0, "no claim judged on map-access");
	for (i = 0; i < self->c.nclaims; i++)
		EXPECT(strcmp(variant->b, "a") || !self->c.claims[i].changed,
		       "a run against itself changed the verdict of '%s'", self->c.claims[i].claim->name);
}

/* Runs obench with @args; its exit status, stderr's line count in *@lines. */
static int run_obench(const char *args, int *lines)
{
	char cmd[2 * PATH_MAX + 512], buf[512];
	FILE *err;
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s >%s/out 2>%s/err", obench, args, tmp, tmp);
	rc = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s/err", tmp);
	err = fopen(cmd, "r");
	*lines = 0;
	while (err && fgets(buf, sizeof(buf), err))
		(*lines)++;
	if (err)
		fclose(err);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(cli_writes_compare_md)
{
	char args[3 * PATH_MAX], path[PATH_MAX + 32];
	struct stat st;
	int lines;

	ASSERT(!harness_once(&runs, build_runs), "%s", runs.why);
	snprintf(args, sizeof(args), "compare %s/a %s/b --out %s/out1", tmp, tmp, tmp);
	EXPECT(run_obench(args, &lines) == 0, "obench compare failed");
	snprintf(path, sizeof(path), "%s/out1/compare.md", tmp);
	EXPECT(!stat(path, &st) && st.st_size > 0, "no %s", path);
	EXPECT(run_obench("compare --help", &lines) == 0, "--help failed");
}

TEST(cli_bad_input_one_line_exit_2_nothing_written)
{
	char args[4][3 * PATH_MAX + 64], path[PATH_MAX + 32];
	struct stat st;
	size_t i;
	int rc, lines;
	FILE *f;

	ASSERT(!harness_once(&runs, build_runs), "%s", runs.why);
	snprintf(path, sizeof(path), "%s/corrupt", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/corrupt/run.json", tmp);
	f = fopen(path, "w");
	ASSERT(f, "cannot write %s", path);
	fputs("{ \"experiments\": { \"map-acc", f);	/* a run cut short */
	fclose(f);
	snprintf(args[0], sizeof(args[0]), "compare %s/nowhere %s/a --out %s/out2", tmp, tmp, tmp);
	snprintf(args[1], sizeof(args[1]), "compare %s/a --out %s/out2", tmp, tmp);
	snprintf(args[2], sizeof(args[2]), "compare %s/a %s/b --frobnicate --out %s/out2", tmp, tmp, tmp);
	snprintf(args[3], sizeof(args[3]), "compare %s/corrupt %s/a --out %s/out2", tmp, tmp, tmp);
	snprintf(path, sizeof(path), "%s/out2", tmp);
	for (i = 0; i < 4; i++) {
		rc = run_obench(args[i], &lines);
		EXPECT(rc == 2 && lines == 1 && stat(path, &st), "'%s': exit %d, %d lines, out %s",
		       args[i], rc, lines, stat(path, &st) ? "absent" : "created");
	}
}

TEST_HARNESS_MAIN
