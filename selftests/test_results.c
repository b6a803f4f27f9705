// SPDX-License-Identifier: GPL-2.0
/*
 * Result files of a real `obench run`: run.json parses and carries the
 * metadata, the CSV is tidy and parseable, nothing temporary is left, latest
 * points at the run, report.md is written; an interrupted run keeps the
 * experiments that finished.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "ktap.h"
#include "core/results.h"

static char obench[PATH_MAX], tmpdir[PATH_MAX];

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

static void test_complete_run(void)
{
	static const char *const meta[] = {
		"metadata.kernel_release", "metadata.cpu_model", "metadata.cpu_count",
		"metadata.clang_version", "metadata.libbpf_version",
		"metadata.bpf_sysctls.bpf_jit_enable", "metadata.bpf_sysctls.bpf_jit_harden",
		"metadata.bpf_sysctls.bpf_jit_kallsyms", "metadata.cpu_vulnerabilities",
		"metadata.tier", "metadata.obench_revision", "parameters.samples",
		"parameters.map-access.lookups", "started_utc", "profile",
	};
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct json_object *run, *st;
	struct result_set rs = { 0 };
	const char *cfg[] = { "array", "hash", "lru_hash" };
	int ok = 1, rc;
	size_t i;
	struct stat sb;

	rc = run_obench("run map-access --quick --repeat 4 --batch 50");
	KTAP_CHECK(ok, rc == 0, "obench exited %d", rc);
	KTAP_CHECK(ok, latest_dir(dir, sizeof(dir)) == 0, "no latest symlink");
	ktap_result(ok, "run_succeeds_and_latest_points_at_it");

	ok = 1;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	run = json_object_from_file(path);
	KTAP_CHECK(ok, run != NULL, "run.json does not parse");
	for (i = 0; run && i < sizeof(meta) / sizeof(meta[0]); i++)
		KTAP_CHECK(ok, jget(run, meta[i]) != NULL, "run.json lacks %s", meta[i]);
	st = run ? jget(run, "experiments.map-access.status") : NULL;
	KTAP_CHECK(ok, st && !strcmp(json_object_get_string(st), "ok"), "map-access status");
	json_object_put(run);
	ktap_result(ok, "run_json_has_metadata");

	ok = 1;
	snprintf(path, sizeof(path), "%s/map-access.csv", dir);
	KTAP_CHECK(ok, result_read_csv(path, &rs) == 0, "map-access.csv does not parse");
	for (i = 0; i < 3; i++) {
		const struct result_row *r = result_find(&rs, cfg[i], "ns_per_lookup");

		KTAP_CHECK(ok, r && !r->skipped, "no row for %s", cfg[i]);
		if (r)
			KTAP_CHECK(ok, r->st.n == 4 && !strcmp(r->unit, "ns") && !strcmp(r->tier, "host") &&
				   r->st.q1 <= r->st.median && r->st.median <= r->st.q3,
				   "%s: n=%zu unit=%s tier=%s", cfg[i], r->st.n, r->unit, r->tier);
	}
	result_set_free(&rs);
	ktap_result(ok, "csv_is_tidy_and_parseable");

	ok = 1;
	KTAP_CHECK(ok, no_tmp_files(dir), "a .tmp file was left in %s", dir);
	snprintf(path, sizeof(path), "%s/report.md", dir);
	KTAP_CHECK(ok, stat(path, &sb) == 0 && sb.st_size > 0, "no report.md");
	snprintf(path, sizeof(path), "grep -q 'Table 3' %s/report.md && grep -Eq 'reproduced|differs' %s/report.md",
		 dir, dir);
	KTAP_CHECK(ok, system(path) == 0, "report.md lacks the paper comparison");
	ktap_result(ok, "files_atomic_and_report_written");
}

/* SIGINT during the second experiment: the first one's results survive. */
static void test_interrupted_run(void)
{
	char dir[PATH_MAX], path[PATH_MAX * 2], cmd[PATH_MAX * 2];
	struct json_object *run;
	int ok = 1, status, i;
	pid_t pid;

	snprintf(cmd, sizeof(cmd), "%s/res2", tmpdir);
	pid = fork();
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl(obench, obench, "run", "map-access", "memcpy", "--repeat", "100000",
		      "--batch", "1", "--out", cmd, (char *)NULL);
		_exit(127);
	}
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
	KTAP_CHECK(ok, WIFEXITED(status) && WEXITSTATUS(status) == 130,
		   "interrupted run exited %d, expected 130", WEXITSTATUS(status));
	snprintf(dir, sizeof(dir), "%s/latest", cmd);
	snprintf(path, sizeof(path), "%s/map-access.csv", dir);
	KTAP_CHECK(ok, access(path, R_OK) == 0, "finished experiment's CSV missing");
	snprintf(path, sizeof(path), "%s/memcpy.csv", dir);
	KTAP_CHECK(ok, access(path, R_OK) != 0, "interrupted experiment wrote a CSV");
	snprintf(path, sizeof(path), "%s/run.json", dir);
	run = json_object_from_file(path);
	KTAP_CHECK(ok, run && jget(run, "experiments.memcpy.status") &&
		   !strcmp(json_object_get_string(jget(run, "experiments.memcpy.status")), "interrupted"),
		   "memcpy not marked interrupted in run.json");
	json_object_put(run);
	KTAP_CHECK(ok, no_tmp_files(dir), "a .tmp file was left");
	ktap_result(ok, "interrupted_run_keeps_finished_experiments");
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	(void)argc;
	(void)argv;
	ktap_plan(5);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	/* build/selftests/test_results -> build/obench */
	snprintf(obench, sizeof(obench), "%s/../obench", self);
	if (geteuid() != 0) {
		for (n = 0; n < 5; n++)
			ktap_skip_test("result_files", "needs root to load BPF programs");
		ktap_finish();
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/obench-test-results.XXXXXX");
	if (!mkdtemp(tmpdir))
		return KSFT_FAIL;
	test_complete_run();
	test_interrupted_run();
	snprintf(self, sizeof(self), "rm -rf %s", tmpdir);
	if (system(self))
		ktap_print("could not remove %s", tmpdir);
	ktap_finish();
}
