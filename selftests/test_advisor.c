// SPDX-License-Identifier: GPL-2.0
/*
 * The §3.2 offload advisor (harness/advisor.c): break-even omega* = rho, the
 * expected cost 1 + rho - omega (in units of C), the verdict at and around
 * the break-even, the crossover interpolation, and `obench advise` on the
 * command line: a verdict from --rho or from a run's kvcache.csv, and a
 * one-line error with exit 2 on bad input.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "harness.h"
#include "kv/advisor.h"
#include "core/results.h"

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

TEST(break_even_and_expected_cost)
{
	EXPECT(near(advisor_break_even(0.12), 0.12), "omega*(0.12)");
	EXPECT(near(advisor_break_even(0), 0), "omega*(0)");
	EXPECT(isnan(advisor_break_even(-0.1)) && isnan(advisor_break_even(NAN)) &&
	       isnan(advisor_break_even(INFINITY)), "omega* of invalid rho not NaN");
	/* by hand: omega*rho + (1-omega)*(1+rho) */
	EXPECT(near(advisor_relative_cost(0.12, 0.3), 0.3 * 0.12 + 0.7 * 1.12), "E(0.12, 0.3)");
	EXPECT(near(advisor_relative_cost(0.12, 0.3), 0.82), "E(0.12, 0.3) != 0.82");
	EXPECT(near(advisor_relative_cost(0.25, 0), 1.25), "omega 0: every request pays C + rho C");
	EXPECT(near(advisor_relative_cost(0.25, 1), 0.25), "omega 1: every request pays rho C");
	EXPECT(near(advisor_relative_cost(0.4, 0.4), 1), "at the break-even E = C");
	EXPECT(isnan(advisor_relative_cost(0.1, 1.01)) && isnan(advisor_relative_cost(0.1, -0.01)) &&
	       isnan(advisor_relative_cost(-1, 0.5)), "out-of-range input not NaN");
	EXPECT(near(advisor_rho(418, 10450), 0.04), "rho(418 ns, 10450 ns)");
	EXPECT(isnan(advisor_rho(1, 0)) && isnan(advisor_rho(-1, 5)), "rho with bad costs");
}

TEST(verdicts_edges)
{
	char buf[256];

	EXPECT(advisor_verdict(0.3, 0.12, buf, sizeof(buf)) == 1 &&
	       !strncmp(buf, "offload pays: omega 0.30 > break-even 0.12", 42), "0.3 vs 0.12: '%s'", buf);
	EXPECT(advisor_verdict(0.05, 0.12, buf, sizeof(buf)) == 0 &&
	       !strncmp(buf, "offload does not pay", 20), "0.05 vs 0.12: '%s'", buf);
	EXPECT(advisor_verdict(0.12, 0.12, buf, sizeof(buf)) == 0, "break-even is no gain: '%s'", buf);
	EXPECT(advisor_verdict(0, 0, buf, sizeof(buf)) == 0, "omega 0, rho 0: '%s'", buf);
	EXPECT(advisor_verdict(1, 0.99, buf, sizeof(buf)) == 1, "omega 1, rho 0.99: '%s'", buf);
	EXPECT(advisor_verdict(1, 1, buf, sizeof(buf)) == 0 && strstr(buf, "rho >= 1"),
	       "omega 1, rho 1: '%s'", buf);
	EXPECT(advisor_verdict(1, 3.5, buf, sizeof(buf)) == 0, "rho 3.5 can never pay");
	EXPECT(advisor_verdict(1.5, 0.1, buf, sizeof(buf)) == -1 &&
	       advisor_verdict(0.5, -0.1, buf, sizeof(buf)) == -1 &&
	       advisor_verdict(NAN, 0.1, buf, sizeof(buf)) == -1, "bad input accepted");
}

TEST(crossover_interpolation)
{
	const double x[] = { 0, 0.1, 0.5, 1 };
	const double without[] = { 10, 10, 10, 10 };
	const double with[] = { 10.4, 9.4, 6.0, 1.0 };	/* crosses between 0 and 0.1 at 0.04 */
	const double never[] = { 11, 11, 10.5, 10 };
	const double cheaper[] = { 9, 8, 5, 1 };
	const double bad_x[] = { 0, 0.5, 0.5, 1 };
	double c;

	EXPECT(advisor_crossover(x, with, without, 4, &c) == 0 && near(c, 0.04), "crossover %g", c);
	EXPECT(advisor_crossover(x, never, without, 4, &c) == 2 && isnan(c), "never");
	EXPECT(advisor_crossover(x, cheaper, without, 4, &c) == 1 && c == 0, "already cheaper");
	EXPECT(advisor_crossover(bad_x, with, without, 4, &c) == -1, "x not increasing accepted");
	EXPECT(advisor_crossover(x, with, without, 0, &c) == -1, "empty accepted");
}

/* Runs obench with @args; its exit status, stdout in @out, stderr in @err. */
static int obench(const char *bin, const char *args, char *out, size_t olen, char *err, size_t elen)
{
	char cmd[8192], path[PATH_MAX];
	FILE *f;
	size_t n;
	int st;

	snprintf(path, sizeof(path), "/tmp/test_advisor.%d.err", getpid());
	snprintf(cmd, sizeof(cmd), "%s advise %s 2>%s", bin, args, path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, olen - 1, f);
	out[n] = 0;
	st = pclose(f);
	f = fopen(path, "r");
	n = f ? fread(err, 1, elen - 1, f) : 0;
	err[n] = 0;
	if (f)
		fclose(f);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && !nl[1] && !strncmp(s, "obench advise: ", 15);
}

/* build/obench, next to build/selftests/ */
FIXTURE(cli) {
	char bin[PATH_MAX];
};

FIXTURE_SETUP(cli)
{
	harness_exe_relative("../obench", self->bin, sizeof(self->bin));
	if (access(self->bin, X_OK))
		SKIP(return, "build/obench not built");
}

TEST_F(cli, verdict_from_rho)
{
	char out[1024], err[1024];
	int rc;

	rc = obench(self->bin, "--omega 0.3 --rho 0.12", out, sizeof(out), err, sizeof(err));
	EXPECT(rc == 0 && !strncmp(out, "offload pays: omega 0.30 > break-even 0.12", 42),
	       "rc %d out '%s' err '%s'", rc, out, err);
	rc = obench(self->bin, "--omega=0.05 --rho=0.12", out, sizeof(out), err, sizeof(err));
	EXPECT(rc == 0 && !strncmp(out, "offload does not pay", 20), "rc %d out '%s'", rc, out);
}

TEST_F(cli, bad_input_one_line_exit_2)
{
	static const char *const bad[] = {
		"--omega 1.5 --rho 0.1", "--omega abc --rho 0.1", "--omega 0.3 --rho -2",
		"--omega 0.3 --bogus 1", "--omega", "stray", "--omega 0.3 --rho 0.1 --from /tmp",
		"--rho 0.1", "--omega 0.3 --from /nonexistent-obench-dir",
	};
	char out[1024], err[1024];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = obench(self->bin, bad[i], out, sizeof(out), err, sizeof(err));
		EXPECT(rc == 2 && !out[0] && one_line(err), "'%s': rc %d out '%s' err '%s'",
	           bad[i], rc, out, err);
	}
}

/* --from: rho and the measured omega from a kvcache.csv */
TEST_F(cli, from_results)
{
	char out[1024], err[1024], dir[] = "/tmp/test_advisor.XXXXXX", args[512];
	struct result_set rs;
	struct stats st = { .n = 1 };
	int rc;

	ASSERT(mkdtemp(dir), "mkdtemp %s", dir);
	result_set_init(&rs, "kvcache");
	st.median = st.mean = 0.04;
	result_add(&rs, "rho", "fraction", "", "host", &st, "test");
	st.median = st.mean = 0.9;
	result_add(&rs, "omega_mixed", "fraction", "", "host", &st, "test");
	EXPECT(result_write_csv(&rs, dir) == 0, "write csv");
	result_set_free(&rs);
	snprintf(args, sizeof(args), "--from %s", dir);
	rc = obench(self->bin, args, out, sizeof(out), err, sizeof(err));
	EXPECT(rc == 0 && !strncmp(out, "offload pays: omega 0.90 > break-even 0.04", 42),
	       "measured omega: rc %d out '%s' err '%s'", rc, out, err);
	snprintf(args, sizeof(args), "--omega 0.02 --from %s", dir);
	rc = obench(self->bin, args, out, sizeof(out), err, sizeof(err));
	EXPECT(rc == 0 && !strncmp(out, "offload does not pay: omega 0.02 < break-even 0.04", 50),
	       "given omega: rc %d out '%s' err '%s'", rc, out, err);
	/* a run whose rho was skipped */
	result_set_init(&rs, "kvcache");
	result_skip(&rs, "rho", "fraction", "no bpf_stats");
	result_write_csv(&rs, dir);
	result_set_free(&rs);
	snprintf(args, sizeof(args), "--omega 0.5 --from %s", dir);
	rc = obench(self->bin, args, out, sizeof(out), err, sizeof(err));
	EXPECT(rc == 2 && one_line(err) && strstr(err, "no bpf_stats"),
	       "skipped rho: rc %d err '%s'", rc, err);
	snprintf(args, sizeof(args), "%s/kvcache.csv", dir);
	unlink(args);
	rmdir(dir);
}

TEST_HARNESS_MAIN
