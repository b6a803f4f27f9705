/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The measurement loop, owned by the core (as bench.c's collect_measurements):
 * an experiment says what one measured step of one configuration is, the
 * sampler runs every configuration once per round, round after round, so
 * that drift and noise hit all configurations alike, and shows progress and
 * honours Ctrl-C.  BPF_PROG_TEST_RUN micro-benchmarks are one use of it.
 */
#ifndef OBENCH_MEASURE_H
#define OBENCH_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/obench.h"

/*
 * One measured step: configuration @conf in round @round.  Writes its
 * sampler.width values into @sample[0..width-1].  0, or a negative errno
 * that stops the sampling.
 */
typedef int (*sample_step_fn)(struct exp_env *env, int conf, size_t round,
			      double *sample, void *ctx);

struct sampler {
	int nconf;			/* configurations, measured in this order each round */
	size_t rounds;			/* 0: env->warmup + env->samples */
	int width;			/* values each step writes; 0 means 1 */
	const bool *off;		/* off[conf]: not measured (NULL: all on) */
	sample_step_fn step;
	void *ctx;
	const char *const *names;	/* for the progress line (NULL: numbers) */
	/*
	 * Adaptive sampling (opt in): after the profile's rounds, keep adding
	 * rounds -- up to 3x as many -- while some configuration's median is
	 * less sure than env->adapt_target (relative half-width of its 95 %
	 * interval, value 0 of each step), until env->adapt_budget_s seconds
	 * of extra rounds are spent.
	 */
	bool adaptive;
	/*
	 * Optional: called once before the middle of the kept rounds, to load
	 * the programs again (a new JIT image, new maps).  Where a figure moves
	 * from load to load more than between configurations, the run's two
	 * halves then disagree and the split-half check makes the verdict
	 * inconclusive instead of letting one load's luck decide it.  No
	 * adaptive rounds then (the halves must stay equal).
	 */
	int (*halfway)(void *ctx);
	size_t done;			/* set by sample_interleaved(): rounds measured */
};

/* Rounds a series holds: those measured, or the nominal count before sampling. */
static inline size_t sampler_rounds(const struct exp_env *env, const struct sampler *s)
{
	if (s->done)
		return s->done;
	return s->rounds ? s->rounds : (size_t)(env->warmup + env->samples);
}

/* Room per series: the nominal rounds, 3x that for an adaptive sampler. */
static inline size_t sampler_capacity(const struct exp_env *env, const struct sampler *s)
{
	size_t nominal = s->rounds ? s->rounds : (size_t)(env->warmup + env->samples);

	return s->adaptive ? 3 * nominal : nominal;
}

/*
 * The series of value @k of configuration @conf in @out, as filled by
 * sample_interleaved(): sampler_rounds() values, round order.
 */
static inline double *sample_series(const struct exp_env *env, const struct sampler *s,
				    double *out, int k, int conf)
{
	return out + ((size_t)k * (size_t)s->nconf + (size_t)conf) * sampler_capacity(env, s);
}

/* A zeroed buffer for every series of @s; free() it. */
double *sampler_alloc(const struct exp_env *env, const struct sampler *s);

/*
 * Runs round after round: in each, every configuration that is on, in
 * order; sets s->done.  Returns 0, -EINTR when interrupted, or the first
 * step's error.
 */
int sample_interleaved(struct exp_env *env, struct sampler *s, double *out);

/*
 * Test-run micro-benchmark on the sampler: env->warmup + env->samples samples
 * of each program, interleaved.  One sample = the kernel's mean ns per run
 * over @batch repetitions on @pkt.  out[p * total + r] receives program p's
 * sample r; total = warmup + samples.  Returns 0, -EINTR or a negative errno.
 */
int measure_testrun(struct exp_env *env, const int *fds, int nfds,
		    const void *pkt, size_t len, unsigned int batch, double *out);

/*
 * The same on an adaptive sampler: *@out (malloc'd, free() it) holds
 * program p's samples at out[p * *total ...], *total rounds (>= the
 * profile's, more while the medians are unsure and the budget lasts).
 */
int measure_testrun_adaptive(struct exp_env *env, const int *fds, int nfds,
			     const void *pkt, size_t len, unsigned int batch,
			     double **out, size_t *total);

/* The same, with @halfway(@ctx) called before the middle round (struct sampler's). */
int measure_testrun_adaptive_reload(struct exp_env *env, const int *fds, int nfds,
				    const void *pkt, size_t len, unsigned int batch,
				    int (*halfway)(void *ctx), void *ctx,
				    double **out, size_t *total);

static inline size_t measure_total(const struct exp_env *env)
{
	return (size_t)(env->warmup + env->samples);
}

/* The median of v[warmup..n-1]: a baseline to subtract. */
double measure_median(const struct exp_env *env, const double *v);
/* The same over @n samples (an adaptive sampler's). */
double measure_median_n(const struct exp_env *env, const double *v, size_t n);

/* v[i] = (v[i] - baseline) / ops for every sample, in place. */
void measure_per_op(double *v, size_t n, double baseline, double ops);

/* Test-run repetitions per sample: @quick, x3 by default, x10 for --full. */
unsigned int measure_batch(const struct exp_env *env, unsigned int quick);

#endif
