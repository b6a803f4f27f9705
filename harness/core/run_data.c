// SPDX-License-Identifier: GPL-2.0
#include "core/run_data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static struct json_object *jobj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* run.json parsed, and of the shape obench writes; NULL with a reason otherwise. */
static struct json_object *load_run_json(const char *dir, char *err, size_t len, int *rc)
{
	char path[4200];
	struct json_object *run;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	if (access(path, F_OK)) {
		*rc = -ENOENT;
		snprintf(err, len, "%s not found (give a run directory, e.g. results/latest)", path);
		return NULL;
	}
	*rc = -EINVAL;
	run = json_object_from_file(path);
	if (!run) {
		const char *why = json_util_get_last_err();

		/* json-c's message ends in a newline: keep the error to one line */
		snprintf(err, len, "%s is not valid JSON (truncated or corrupt): %.*s", path,
			 why ? (int)strcspn(why, "\n") : 11, why ? why : "parse error");
		return NULL;
	}
	if (!json_object_is_type(run, json_type_object) || !jobj(run, "experiments")) {
		snprintf(err, len, "%s has no \"experiments\" object: not an obench run file", path);
		json_object_put(run);
		return NULL;
	}
	*rc = 0;
	return run;
}

static void read_experiment(struct json_object *info, const char *name, struct run_experiment *e)
{
	struct json_object *noise = jobj(info, "noise"), *v;

	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->status, sizeof(e->status), "%s", jstr(info, "status"));
	snprintf(e->reason, sizeof(e->reason), "%s", jstr(info, "reason"));
	if (json_object_object_get_ex(info, "wall_s", &v))
		e->wall_s = json_object_get_double(v);
	if (noise && json_object_object_get_ex(noise, "noisy", &v))
		e->noisy = json_object_get_boolean(v);
	snprintf(e->noise, sizeof(e->noise), "%s", jstr(noise, "why"));
}

int run_data_load(const char *dir, struct run_data *rd, char *err, size_t len)
{
	struct json_object *exps, *meta;
	int rc, i = 0;

	memset(rd, 0, sizeof(*rd));
	snprintf(rd->dir, sizeof(rd->dir), "%s", dir);
	rd->run = load_run_json(dir, err, len, &rc);
	if (!rd->run)
		return rc;
	exps = jobj(rd->run, "experiments");
	meta = jobj(rd->run, "metadata");
	rd->started = jstr(rd->run, "started_utc");
	rd->profile = jstr(rd->run, "profile");
	rd->tier = jstr(meta, "tier");
	rd->kernel = jstr(meta, "kernel_release");
	rd->cpu_model = jstr(meta, "cpu_model");
	rd->revision = jstr(meta, "obench_revision");
	{
		struct json_object *v;

		if (meta && json_object_object_get_ex(meta, "cpu_count", &v))
			rd->cpus = json_object_get_int(v);
		if (meta && json_object_object_get_ex(meta, "kernel_patches", &v) &&
		    json_object_is_type(v, json_type_array)) {
			size_t i, off = 0;

			for (i = 0; i < json_object_array_length(v) && off < sizeof(rd->patches); i++)
				off += (size_t)snprintf(rd->patches + off, sizeof(rd->patches) - off, "%s%.4s",
							i ? ", " : "", json_object_get_string(
							json_object_array_get_idx(v, i)));
		}
	}
	rd->exps = calloc((size_t)json_object_object_length(exps) + 1, sizeof(*rd->exps));
	if (!rd->exps)
		return snprintf(err, len, "out of memory"), -ENOMEM;
	json_object_object_foreach(exps, name, info) {
		struct run_experiment *e = &rd->exps[i++];

		read_experiment(info, name, e);
		rd->n = i;
		rc = result_load(dir, name, &e->rs, err, len);
		if (rc == -EINVAL)
			return rc;
		e->have_results = rc == 0;
	}
	return 0;
}

void run_data_free(struct run_data *rd)
{
	int i;

	for (i = 0; i < rd->n; i++)
		result_set_free(&rd->exps[i].rs);
	free(rd->exps);
	if (rd->run)
		json_object_put(rd->run);
	memset(rd, 0, sizeof(*rd));
}

const struct run_experiment *run_data_find(const struct run_data *rd, const char *name)
{
	int i;

	for (i = 0; i < rd->n; i++)
		if (!strcmp(rd->exps[i].name, name))
			return &rd->exps[i];
	return NULL;
}

void run_data_judge(const struct run_data *rd, const struct claim *c, struct judgement *j)
{
	const struct run_experiment *e = run_data_find(rd, c->experiment);
	struct verdict_context ctx = { .tier = rd->tier, .cpus = rd->cpus };

	if (!e || !e->have_results) {
		memset(j, 0, sizeof(*j));
		j->verdict = VERDICT_NOT_MEASURED;
		snprintf(j->why, sizeof(j->why), "%s did not run%s%s", c->experiment,
			 e && e->reason[0] ? ": " : "", e ? e->reason : "");
		return;
	}
	ctx.noisy = e->noisy;
	ctx.noise = e->noise;
	verdict_judge(c, &e->rs, &ctx, j);
}
