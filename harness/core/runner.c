// SPDX-License-Identifier: GPL-2.0
#include "core/runner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/capability.h>

#include "core/bpfutil.h"
#include "core/clock.h"
#include "core/metadata.h"
#include "core/noise.h"
#include "core/report.h"
#include "core/testbed.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static const char *profile_name(enum profile p)
{
	return p == PROFILE_QUICK ? "quick" : p == PROFILE_FULL ? "full" : "default";
}

int require_bpf_privileges(const char *what)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (geteuid() == 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (data[CAP_BPF / 32].effective & (1u << (CAP_BPF % 32))) &&
	    (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))))
		return 0;
	fprintf(stderr, "obench: %s needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON "
		"to load BPF programs: run it with sudo\n", what);
	return -1;
}

static void on_signal(int sig)
{
	(void)sig;
	obench_stop = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: blocking calls return EINTR so loops notice quickly */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * Picks the run directory's name under @base (the UTC time, "-N" on a
 * clash) and creates it as ".<name>.tmp"; runner_run renames it once
 * run.json is in it, so a run directory is never seen without run.json,
 * whenever obench is killed.
 */
static int make_run_dir(const char *base, char *dir, size_t len, char *tmp, size_t tlen,
			char *stamp, size_t slen)
{
	time_t now = time(NULL);
	struct stat sb;
	struct tm tm;
	int i;

	gmtime_r(&now, &tm);
	strftime(stamp, slen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (mkdir(base, 0755) && errno != EEXIST)
		return -errno;
	for (i = 0; i < 100; i++) {
		char name[64];

		strftime(name, sizeof(name), "%Y%m%dT%H%M%SZ", &tm);
		if (i)
			snprintf(name + strlen(name), sizeof(name) - strlen(name), "-%d", i);
		snprintf(dir, len, "%s/%s", base, name);
		snprintf(tmp, tlen, "%s/.%s.tmp", base, name);
		if (stat(dir, &sb) == 0 || mkdir(tmp, 0755))
			continue;
		return 0;
	}
	return -EEXIST;
}

/* base/latest -> the run directory, replaced atomically. */
static void point_latest(const char *base, const char *dir)
{
	char link[4096], tmp[4096];
	const char *name = strrchr(dir, '/');

	snprintf(link, sizeof(link), "%s/latest", base);
	snprintf(tmp, sizeof(tmp), "%s/.latest.tmp", base);
	unlink(tmp);
	if (symlink(name ? name + 1 : dir, tmp) == 0 && rename(tmp, link))
		unlink(tmp);
}

static int save_run_json(const char *dir, struct json_object *run)
{
	const char *text = json_object_to_json_string_ext(run, JSON_C_TO_STRING_PRETTY);
	char path[4096];

	snprintf(path, sizeof(path), "%s/run.json", dir);
	return write_file_atomic(path, text, strlen(text));
}

static struct json_object *params_json(const struct run_request *req, int samples, int warmup)
{
	struct json_object *p = json_object_new_object();
	int i, j;

	json_object_object_add(p, "samples", json_object_new_int(samples));
	json_object_object_add(p, "warmup", json_object_new_int(warmup));
	for (i = 0; i < req->n; i++) {
		struct json_object *e = json_object_new_object();
		const struct opt_spec *s = req->exps[i]->opts;
		char text[512];

		for (j = 0; s && s[j].name; j++) {
			opt_format(&s[j], req->cfgs[i], text, sizeof(text));
			json_object_object_add(e, s[j].name, json_object_new_string(text));
		}
		json_object_object_add(p, req->exps[i]->name, e);
	}
	return p;
}

static struct json_object *argv_json(int argc, char **argv)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < argc; i++)
		json_object_array_add(a, json_object_new_string(argv[i]));
	return a;
}

static void set_status(struct json_object *exps, const char *name, const char *status,
		       const char *reason, double wall, const struct noise *noise,
		       const char *hardware)
{
	struct json_object *o = json_object_new_object();

	if (hardware[0])
		json_object_object_add(o, "hardware", json_object_new_string(hardware));
	json_object_object_add(o, "noise", noise_json(noise));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "reason", json_object_new_string(reason ? reason : ""));
	json_object_object_add(o, "wall_s", json_object_new_double(wall));
	json_object_object_add(exps, name, o);
}

/* setup -> run -> teardown for one experiment; returns its status word. */
static const char *run_one(struct exp_env *env, char *reason, size_t rlen)
{
	const struct experiment *e = env->exp;
	int err;

	reason[0] = '\0';
	err = e->setup ? e->setup(env) : 0;
	if (err == EXP_SKIP) {
		snprintf(reason, rlen, "%s", env->skip_reason[0] ? env->skip_reason :
			 "the kernel lacks what this experiment needs");
		if (e->teardown)
			e->teardown(env);
		return "skipped";
	}
	if (!err && !obench_interrupted())
		err = e->run(env);
	if (e->teardown)
		e->teardown(env);
	progress_done();
	if (obench_interrupted())
		return "interrupted";
	if (err) {
		snprintf(reason, rlen, "%s%s%s", strerror(err < 0 ? -err : err),
			 env->skip_reason[0] ? ": " : "", env->skip_reason);
		return "failed";
	}
	if (result_write_csv(env->rs, env->run_dir)) {
		snprintf(reason, rlen, "cannot write %s.csv", e->name);
		return "failed";
	}
	return "ok";
}

/* Measured and warm-up samples per configuration: the profile's, or --repeat's. */
struct run_sizes {
	int samples, warmup;
};

/*
 * Runs experiment @i of @req, records its status and noise in run.json
 * (saved after each experiment, so an interrupted run stays readable).
 * Returns 1 when it failed.
 */
static int run_experiment(const struct run_request *req, int i, const struct run_sizes *sz,
			  const char *dir, struct json_object *run, struct json_object *exps)
{
	const struct experiment *e = req->exps[i];
	struct result_set rs;
	struct exp_env env = {
		.exp = e, .cfg = req->cfgs[i], .profile = req->profile,
		.samples = sz->samples, .warmup = sz->warmup, .tier = testbed_tier(),
		/* adaptive samplers: how sure a median should be, and the time they may add */
		.adapt_target = req->profile == PROFILE_QUICK ? 0.05 :
				req->profile == PROFILE_FULL ? 0.01 : 0.02,
		/* an explicit --repeat N is N samples: nothing added */
		.adapt_budget_s = req->repeat ? 0 : req->profile == PROFILE_QUICK ? 2 :
				  req->profile == PROFILE_FULL ? 60 : 8,
		.run_dir = dir, .rs = &rs,
	};
	char reason[512];
	const char *status;
	double t0 = mono_s();
	struct noise_snapshot snap;
	struct noise noise;

	result_set_init(&rs, e->name);
	fprintf(stderr, "[%d/%d] %s (%s)\n", i + 1, req->n, e->name, e->paper_ref);
	noise_begin(&snap);
	status = run_one(&env, reason, sizeof(reason));
	noise_end(&snap, &noise);
	if (noise.noisy)
		fprintf(stderr, "[%d/%d] %s: noisy machine: %s\n", i + 1, req->n, e->name,
			noise.why);
	fprintf(stderr, "[%d/%d] %s: %s%s%s (%.1f s)\n", i + 1, req->n, e->name, status,
		reason[0] ? ": " : "", reason, mono_s() - t0);
	set_status(exps, e->name, status, reason, mono_s() - t0, &noise, env.hardware);
	save_run_json(dir, run);
	result_set_free(&rs);
	return !strcmp(status, "failed");
}

int runner_run(const struct run_request *req)
{
	struct run_sizes sizes;
	int i, rc = 0;
	struct json_object *run, *exps;
	char dir[4096], tmpdir[4096], stamp[64];

	sizes.samples = req->profile == PROFILE_QUICK ? 10 : req->profile == PROFILE_FULL ? 100 : 30;
	sizes.warmup = req->profile == PROFILE_QUICK ? 2 : req->profile == PROFILE_FULL ? 10 : 3;
	if (req->repeat)
		sizes.samples = req->repeat;
	install_signals();
	if (make_run_dir(req->out_base, dir, sizeof(dir), tmpdir, sizeof(tmpdir), stamp,
			 sizeof(stamp))) {
		fprintf(stderr, "obench: cannot create a run directory under %s: %s "
			"(choose another with --out DIR)\n", req->out_base, strerror(errno));
		return 2;
	}
	if (testbed_inside())
		testbed_load_module(req->kmod);
	bpfutil_quiet_libbpf();

	run = json_object_new_object();
	exps = json_object_new_object();
	json_object_object_add(run, "started_utc", json_object_new_string(stamp));
	json_object_object_add(run, "profile", json_object_new_string(profile_name(req->profile)));
	json_object_object_add(run, "argv", argv_json(req->argc, req->argv));
	json_object_object_add(run, "metadata", metadata_collect(testbed_tier()));
	json_object_object_add(run, "parameters", params_json(req, sizes.samples, sizes.warmup));
	json_object_object_add(run, "experiments", json_object_get(exps));
	if (save_run_json(tmpdir, run) || rename(tmpdir, dir)) {
		fprintf(stderr, "obench: cannot write %s/run.json: %s\n", dir, strerror(errno));
		rmdir(tmpdir);
		json_object_put(exps);
		json_object_put(run);
		return 1;
	}
	point_latest(req->out_base, dir);
	fprintf(stderr, "obench: %d experiment%s, profile %s, results in %s\n", req->n,
		req->n == 1 ? "" : "s", profile_name(req->profile), dir);

	for (i = 0; i < req->n && !obench_interrupted(); i++)
		if (run_experiment(req, i, &sizes, dir, run, exps))
			rc = 1;
	if (obench_interrupted())
		rc = 130;
	if (req->report) {
		char why[512] = "";

		fprintf(stderr, "obench: writing the report (figures, intervals)...\n");
		if (report_write(dir, why, sizeof(why)))
			fprintf(stderr, "obench: cannot write %s/report.md%s%s\n", dir,
				why[0] ? ": " : "", why);
		else
			report_summary(dir, stdout);
	}
	json_object_put(exps);
	json_object_put(run);
	return rc;
}
