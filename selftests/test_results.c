// SPDX-License-Identifier: GPL-2.0
/*
 * Result files of a real `obench run`: run.json parses and carries the
 * metadata, the CSV is tidy and parseable, nothing temporary is left, latest
 * points at the run, report.md is written; an interrupted run keeps the
 * experiments that finished.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "harness.h"
#include "core/results.h"

static char obench[PATH_MAX], tmpdir[PATH_MAX];	/* build/obench; where runs write */

static void tmpdir_remove(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd))
		TH_LOG("could not remove %s", tmpdir);
}

static int tmpdir_make(char *why, size_t len)
{
	if (geteuid() != 0)
		return harness_reason(why, len, KSFT_SKIP, "needs root to load BPF programs");
	harness_exe_relative("../obench", obench, sizeof(obench));	/* build/selftests/.. */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/obench-test-results.XXXXXX");
	if (!mkdtemp(tmpdir))
		return harness_reason(why, len, KSFT_FAIL, "mkdtemp: %s", strerror(errno));
	harness_at_end(tmpdir_remove);
	return 0;
}

static struct harness_once tmpdir_once;

static int run_obench(const char *args)
{
	char cmd[PATH_MAX * 2];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s --out %s/res >%s/out 2>&1", obench, args, tmpdir, tmpdir);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The single run directory under tmpdir/res (resolved through "latest"). */
static int latest_dir(char *out, size_t len)
{
	char link[PATH_MAX], target[256];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/res/latest", tmpdir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	snprintf(out, len, "%s/res/%s", tmpdir, target);
	return 0;
}

static struct json_object *jget(struct json_object *o, const char *path)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o;
}

static int no_tmp_files(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int clean = 1;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strstr(de->d_name, ".tmp"))
			clean = 0;
	closedir(d);
	return clean;
}

/* One complete `obench run map-access`, whose files the complete_run tests read. */
static int complete_run_rc;

static int complete_run(char *why, size_t len)
{
	int rc = harness_once(&tmpdir_once, tmpdir_make);

	if (rc)
		return harness_reason(why, len, rc, "%s", tmpdir_once.why);
	complete_run_rc = run_obench("run map-access --quick --repeat 4 --batch 50");
	return 0;
}

static struct harness_once complete_run_once;

FIXTURE(complete_run) {
	char dir[PATH_MAX];	/* the run's directory, through latest */
	bool have_dir;
};

FIXTURE_SETUP(complete_run)
{
	SETUP_ONCE(&complete_run_once, complete_run);
	self->have_dir = latest_dir(self->dir, sizeof(self->dir)) == 0;
}

TEST_F(complete_run, succeeds_and_latest_points_at_it)
{
	EXPECT(complete_run_rc == 0, "obench exited %d", complete_run_rc);
	EXPECT(self->have_dir, "no latest symlink");
}

TEST_F(complete_run, run_json_has_metadata)
{
	static const char *const meta[] = {
		"metadata.kernel_release", "metadata.cpu_model", "metadata.cpu_count",
		"metadata.clang_version", "metadata.libbpf_version",
		"metadata.bpf_sysctls.bpf_jit_enable", "metadata.bpf_sysctls.bpf_jit_harden",
		"metadata.bpf_sysctls.bpf_jit_kallsyms", "metadata.cpu_vulnerabilities",
		"metadata.tier", "metadata.obench_revision", "parameters.samples",
		"parameters.map-access.lookups", "started_utc", "profile",
	};
	char path[PATH_MAX * 2];
	struct json_object *run, *st;
	size_t i;

	ASSERT(self->have_dir, "no latest symlink");
	snprintf(path, sizeof(path), "%s/run.json", self->dir);
	run = json_object_from_file(path);
	EXPECT(run != NULL, "run.json does not parse");
	for (i = 0; run && i < sizeof(meta) / sizeof(meta[0]); i++)
		EXPECT(jget(run, meta[i]) != NULL, "run.json lacks %s", meta[i]);
	st = run ? jget(run, "experiments.map-access.status") : NULL;
	EXPECT(st && !strcmp(json_object_get_string(st), "ok"), "map-access status");
	json_object_put(run);
}

TEST_F(complete_run, csv_is_tidy_and_parseable)
{
	const char *cfg[] = { "array", "hash", "lru_hash" };
	struct result_set rs = { 0 };
	char path[PATH_MAX * 2];
	size_t i;

	ASSERT(self->have_dir, "no latest symlink");
	snprintf(path, sizeof(path), "%s/map-access.csv", self->dir);
	EXPECT(result_read_csv(path, &rs) == 0, "map-access.csv does not parse");
	for (i = 0; i < 3; i++) {
		const struct result_row *r = result_find(&rs, cfg[i], "ns_per_lookup");

		EXPECT(r && !r->skipped, "no row for %s", cfg[i]);
		if (r)
			EXPECT(r->st.n == 4 && !strcmp(r->unit, "ns") && !strcmp(r->tier, "host") &&
			       r->st.q1 <= r->st.median && r->st.median <= r->st.q3,
			       "%s: n=%zu unit=%s tier=%s", cfg[i], r->st.n, r->unit, r->tier);
	}
	result_set_free(&rs);
}

TEST_F(complete_run, files_atomic_and_report_written)
{
	char path[PATH_MAX * 2];
	struct stat sb;

	ASSERT(self->have_dir, "no latest symlink");
	EXPECT(no_tmp_files(self->dir), "a .tmp file was left in %s", self->dir);
	snprintf(path, sizeof(path), "%s/report.md", self->dir);
	EXPECT(stat(path, &sb) == 0 && sb.st_size > 0, "no report.md");
	/* the claim's own table row, judged: a verdict word in that row, not anywhere */
	snprintf(path, sizeof(path), "grep -Eq '^\\| hash lookup / array lookup \\| order \\|.*"
		 "\\*\\*(reproduced|differs|inconclusive)\\*\\*' %s/report.md", self->dir);
	EXPECT(system(path) == 0, "report.md lacks the judged hash/array claim");
	snprintf(path, sizeof(path), "grep -Eq '^\\| §4.1 \\| eBPF maps are efficient.*\\*\\*' %s/report.md",
		 self->dir);
	EXPECT(system(path) == 0, "report.md lacks the §4.1 takeaway with its verdict");
}

/* SIGINT during the second experiment: the first one's results survive. */
TEST(interrupted_run_keeps_finished_experiments)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], cmd[PATH_MAX * 2];
	struct json_object *run;
	int status, i;
	pid_t pid;

	SETUP_ONCE(&tmpdir_once, tmpdir_make);
	snprintf(cmd, sizeof(cmd), "%s/res2", tmpdir);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl(obench, obench, "run", "map-access", "memcpy", "--repeat", "100000",
		      "--batch", "1", "--out", cmd, (char *)NULL);
		_exit(127);
	}
	ASSERT(pid > 0, "fork: %s", strerror(errno));
	/* wait until map-access is recorded in run.json, then interrupt */
	for (i = 0; i < 600; i++) {
		snprintf(path, sizeof(path), "grep -q '\"map-access\"' %s/latest/run.json 2>/dev/null &&"
			 " grep -q '\"status\"' %s/latest/run.json", cmd, cmd);
		if (system(path) == 0)
			break;
		usleep(100000);
	}
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 130,
	       "interrupted run exited %d, expected 130", WEXITSTATUS(status));
	snprintf(dir, sizeof(dir), "%s/latest", cmd);
	snprintf(path, sizeof(path), "%s/map-access.csv", dir);
	EXPECT(access(path, R_OK) == 0, "finished experiment's CSV missing");
	snprintf(path, sizeof(path), "%s/memcpy.csv", dir);
	EXPECT(access(path, R_OK) != 0, "interrupted experiment wrote a CSV");
	snprintf(path, sizeof(path), "%s/run.json", dir);
	run = json_object_from_file(path);
	EXPECT(run && jget(run, "experiments.memcpy.status") &&
	       !strcmp(json_object_get_string(jget(run, "experiments.memcpy.status")), "interrupted"),
	       "memcpy not marked interrupted in run.json");
	json_object_put(run);
	EXPECT(no_tmp_files(dir), "a .tmp file was left");
}

TEST_HARNESS_MAIN
