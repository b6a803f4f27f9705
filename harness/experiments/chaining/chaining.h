/* SPDX-License-Identifier: GPL-2.0 */
/*
 * chaining (paper Table 5) in two files: micro.c, the five chainings of a
 * small pipeline through BPF_PROG_TEST_RUN, owns the experiment, its flags
 * and its config; kvcache.c, the same chainings of the real kvcache fast
 * path under memcached load, is called from it and reads the kv-* fields.
 */
#ifndef OBENCH_CHAINING_H
#define OBENCH_CHAINING_H

#include <stdbool.h>
#include <stdio.h>

#include "core/obench.h"
#include "net/net_opts.h"

/* chaining's flags, filled and validated by the runner before setup() */
struct chaining_cfg {
	int frame;		/* UDP frame length of the micro form */
	int batch;		/* test_run repetitions per sample */
	bool kv;		/* also run the kvcache form */
	double kv_duration;	/* kvcache form: seconds of load per variant per round */
	int kv_threads;		/* kvcache form: client threads; 0: chosen by measuring 1 vs 2 */
	struct net_remote remote;	/* kvcache form in two-host mode: the load from the peer */
};

/*
 * The kvcache form (kvcache.c).  Setup: 0, or EXP_SKIP with env->skip_reason
 * (the caller then skips only the kvcache rows and tears it down).  Its
 * state comes back in *@out, also on failure.
 */
int chaining_kv_setup(struct exp_env *env, void **out);
int chaining_kv_run(struct exp_env *env, void *priv);
void chaining_kv_teardown(void *priv);
void chaining_kv_report(const struct result_set *rs, FILE *md);

/*
 * Adds @config's penalty_fraction row (penalty.c): per round, the share of
 * the dynamic tail call's penalty over inlining that @var keeps.  @frac is
 * scratch room for @total values; @what, if not NULL, starts the note.
 */
void chaining_penalty_row(struct exp_env *env, const char *config, const double *var,
			  const double *dyn, const double *inl, size_t total, double *frac,
			  const char *what);

#endif
