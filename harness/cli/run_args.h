/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line of `obench run`, parsed and validated without creating
 * anything (the fuzzers drive it too).
 */
#ifndef OBENCH_RUN_ARGS_H
#define OBENCH_RUN_ARGS_H

#include "core/obench.h"

#define MAX_RUN 64

/* The global flags of obench run. */
struct run_cfg {
	bool quick, full;
	int repeat;
	const char *out;
	bool no_report;
	bool testbed;
	const char *testbed_kernel;	/* DIR with bzImage + obench_kmod.ko (make kernel) */
};

/* What the command line selected, and the configs it filled. */
struct run_args {
	struct run_cfg run;
	struct opt_given run_given;
	const struct experiment *exps[MAX_RUN];
	void *cfgs[MAX_RUN];
	struct opt_given given[MAX_RUN];
	int n;
	bool help;
	enum profile profile;
};

/*
 * Fills @a from argv: the experiments (each once), the global flags, every
 * experiment's config with its profile's defaults and the flags given, and
 * each experiment's own checks.  0, or -1 after one line on stderr that
 * names the fix.  a->help set: print run_args_help() and stop.
 */
int run_args_parse(struct run_args *a, int argc, char **argv);
void run_args_help(const struct run_args *a);
void run_args_free(struct run_args *a);

#endif
