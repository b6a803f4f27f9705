/* SPDX-License-Identifier: GPL-2.0 */
/* `obench run`: the run directory, the experiment loop, signals, run.json. */
#ifndef OBENCH_RUNNER_H
#define OBENCH_RUNNER_H

#include "core/obench.h"

struct run_request {
	const struct experiment **exps;
	const void *const *cfgs;	/* one typed config per experiment, validated */
	int n;
	enum profile profile;
	int repeat;			/* 0: the profile's default */
	const char *out_base;		/* results/ */
	const char *kmod;		/* in the testbed VM: the module to load (NULL: kmod/'s) */
	bool report;
	int argc;
	char **argv;
};

/* 0 when every experiment finished or was skipped, 1 on a failure, 130 if interrupted. */
int runner_run(const struct run_request *req);

/* Root or CAP_BPF: 0 when we may load programs, else prints why and returns -1. */
int require_bpf_privileges(const char *what);

#endif
