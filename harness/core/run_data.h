/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run directory read back: run.json (checked, not trusted) and every
 * experiment's rows with their samples.  What `obench report`, `obench
 * compare` and the terminal summary work from: they never re-measure.
 */
#ifndef OBENCH_RUN_DATA_H
#define OBENCH_RUN_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "core/results.h"
#include "core/verdict.h"

struct run_experiment {
	char name[64];
	char status[32];		/* ok, skipped, failed, interrupted */
	char reason[512];
	double wall_s;
	bool noisy;
	char noise[192];		/* how the machine was disturbed, when noisy */
	bool have_results;		/* its CSV was written (status ok or partial) */
	struct result_set rs;
};

struct run_data {
	char dir[4096];
	struct json_object *run;	/* owns the strings below */
	const char *started, *profile, *tier, *kernel, *cpu_model, *revision;
	char patches[256];	/* kernel-patches/ the kernel carried ("" none, or an old run.json) */
	int cpus;
	struct run_experiment *exps;
	int n;
};

/*
 * Reads @dir.  -ENOENT when there is no run.json, -EINVAL when run.json or a
 * result file is malformed: one line naming the file and the problem in @err.
 */
int run_data_load(const char *dir, struct run_data *rd, char *err, size_t len);
void run_data_free(struct run_data *rd);

const struct run_experiment *run_data_find(const struct run_data *rd, const char *name);

/* Judges @c on this run (not measured when its experiment did not run). */
void run_data_judge(const struct run_data *rd, const struct claim *c, struct judgement *j);

#endif
