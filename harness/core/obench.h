/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The experiment interface.  An experiment is one `struct experiment` value in
 * the registry (registry.c): a name, the paper artefact it reproduces, its own
 * flags, and callbacks.  The runner (runner.c) owns the run directory, repeats,
 * signals, result files and the report; an experiment owns its BPF skeleton and
 * its measurement loop, and adds rows to env->rs.
 */
#ifndef OBENCH_H
#define OBENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/options.h"
#include "core/results.h"

/* kselftest exit codes, also used by setup() */
#define EXP_OK		0
#define EXP_SKIP	4

struct exp_env {
	const struct experiment *exp;
	const void *cfg;		/* its typed config (experiment.cfg_size bytes), validated */
	enum profile profile;
	int samples;			/* measured samples per configuration */
	int warmup;			/* samples discarded before those */
	double adapt_target;		/* adaptive samplers: wanted relative half-width of a median's interval */
	double adapt_budget_s;		/* ... and the seconds of extra rounds they may spend */
	const char *tier;		/* "host", "testbed-vm (...)", "hardware" (a physical --iface) */
	char hardware[320];		/* "hardware": the NIC and the peer, for run.json */
	const char *run_dir;
	struct result_set *rs;
	void *priv;			/* the experiment's own state */
	char skip_reason[256];		/* set when setup() returns EXP_SKIP */
};

struct experiment {
	const char *name;
	const char *paper_ref;		/* e.g. "Table 3" */
	const char *summary;		/* one line for `obench list` */
	const char *tiers;		/* tiers it runs on, e.g. "host,vm,hw" */
	const struct opt_spec *opts;	/* its own flags, OPT_END terminated */
	size_t cfg_size;		/* the config struct those flags fill */
	/*
	 * Optional: checks that span fields or need more than a range (a power
	 * of two, a list without duplicates).  Runs before anything is
	 * created; on error one line naming the fix into @err and -1.
	 */
	int (*validate)(const void *cfg, char *err, size_t errlen);
	bool in_default_suite;
	/* Loads programs / builds topology.  EXP_SKIP + env->skip_reason to skip. */
	int (*setup)(struct exp_env *env);
	/* Measures and adds rows to env->rs; negative errno on failure. */
	int (*run)(struct exp_env *env);
	/* Releases everything setup() took; also called after a failed run. */
	void (*teardown)(struct exp_env *env);
	/* Optional: extra markdown for the report (method notes, plots). */
	void (*report)(const struct result_set *rs, FILE *md);
	/* Optional: removes what a killed run left behind (`obench cleanup`). */
	int (*cleanup)(void);
};

extern const struct experiment *const obench_experiments[];
const struct experiment *experiment_find(const char *name);

/*
 * A config for @e, as `obench run` would build it: the defaults of @profile,
 * then each "name=value" of @set (NULL-terminated).  The given flags are
 * recorded in @given.  NULL with one line in @err on a bad name or value;
 * free() it when done.  For tests and tools that drive one experiment.
 */
void *experiment_config(const struct experiment *e, enum profile profile,
			const char *const *set, struct opt_given *given,
			char *err, size_t errlen);

/* Set by SIGINT/SIGTERM; long loops must poll it and return -EINTR. */
extern volatile sig_atomic_t obench_stop;
static inline bool obench_interrupted(void)
{
	return obench_stop != 0;
}

/* One progress line on a terminal (stderr), nothing when not a tty. */
void progress(const struct exp_env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void progress_done(void);

/*
 * Adds a row computed from raw samples: the first env->warmup are discarded
 * (when there are more than that), @baseline is subtracted from the rest.
 */
int env_add_samples(struct exp_env *env, const char *config, const char *metric,
		    const char *unit, const double *v, size_t n,
		    double baseline, const char *note);
/* The same with every sample kept (already warmed up, or one per run of a series). */
int env_add_samples_nowarm(struct exp_env *env, const char *config, const char *metric,
			   const char *unit, const double *v, size_t n, const char *note);
struct histogram;
/* Adds a row from a latency histogram (values x @scale), its samples kept for intervals. */
int env_add_hist(struct exp_env *env, const char *config, const char *metric,
		 const char *unit, const struct histogram *h, double scale, const char *note);
/* Adds a row holding one value (a count, a derived figure): n = 1. */
int env_add_value(struct exp_env *env, const char *config, const char *metric,
		  const char *unit, double value, const char *note);

#endif
