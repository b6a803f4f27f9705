// SPDX-License-Identifier: GPL-2.0
#include "core/measure.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bpfutil.h"
#include "core/clock.h"
#include "core/interval.h"

double *sampler_alloc(const struct exp_env *env, const struct sampler *s)
{
	size_t width = s->width > 0 ? (size_t)s->width : 1;

	return calloc(width * (size_t)s->nconf * sampler_capacity(env, s), sizeof(double));
}

/* One round: every configuration that is on, in order. */
static int one_round(struct exp_env *env, struct sampler *s, double *out, size_t r, size_t of)
{
	int width = s->width > 0 ? s->width : 1, c, k, err;
	double v[16];

	for (c = 0; c < s->nconf; c++) {
		if (s->off && s->off[c])
			continue;
		if (obench_interrupted())
			return -EINTR;
		if (s->names)
			progress(env, "round %zu/%zu: %s", r + 1, of, s->names[c]);
		else
			progress(env, "round %zu/%zu", r + 1, of);
		for (k = 0; k < width; k++)
			v[k] = 0;
		err = s->step(env, c, r, v, s->ctx);
		if (err)
			return err;
		for (k = 0; k < width; k++)
			sample_series(env, s, out, k, c)[r] = v[k];
	}
	return 0;
}

/* True when every configuration's median (value 0) is as sure as env->adapt_target. */
static bool sure_enough(const struct exp_env *env, const struct sampler *s, double *out,
			size_t rounds)
{
	size_t warm = rounds > (size_t)env->warmup ? (size_t)env->warmup : 0;
	struct interval ci;
	int c;

	for (c = 0; c < s->nconf; c++) {
		const double *v = sample_series(env, s, out, 0, c) + warm;

		if (s->off && s->off[c])
			continue;
		if (interval_median(v, rounds - warm, &ci))
			return false;
		if (ci.point != 0 && (ci.hi - ci.lo) / 2 > env->adapt_target * fabs(ci.point))
			return false;
	}
	return true;
}

int sample_interleaved(struct exp_env *env, struct sampler *s, double *out)
{
	size_t rounds = sampler_rounds(env, s), cap = sampler_capacity(env, s), r, mid;
	double t0;
	int err;

	if ((s->width > 0 ? s->width : 1) > 16)
		return -EINVAL;
	s->done = 0;
	/* the middle of the kept rounds (after the warm-up): where the split-half check cuts */
	mid = (size_t)env->warmup < rounds ? (size_t)env->warmup + (rounds - (size_t)env->warmup) / 2 : 0;
	for (r = 0; r < rounds; r++) {
		err = s->halfway && r == mid ? s->halfway(s->ctx) : 0;
		if (!err)
			err = one_round(env, s, out, r, rounds);
		if (err)
			return err;
	}
	/*
	 * adaptive: more rounds while unsure, within the capacity and the time
	 * budget; not with a reload halfway, whose halves must stay equal
	 */
	t0 = mono_s();
	while (s->adaptive && !s->halfway && r < cap && mono_s() - t0 < env->adapt_budget_s &&
	       !sure_enough(env, s, out, r)) {
		err = one_round(env, s, out, r, cap);
		if (err)
			return err;
		r++;
	}
	s->done = r;
	return 0;
}

struct testrun_ctx {
	const int *fds;
	const void *pkt;
	size_t len;
	unsigned int batch;
	int (*halfway)(void *ctx);
	void *halfway_ctx;
};

static int testrun_halfway(void *ctx)
{
	struct testrun_ctx *t = ctx;

	return t->halfway(t->halfway_ctx);
}

static int testrun_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct testrun_ctx *t = ctx;

	(void)env;
	(void)round;
	return testrun_ns(t->fds[conf], t->pkt, t->len, t->batch, sample, NULL);
}

int measure_testrun(struct exp_env *env, const int *fds, int nfds,
		    const void *pkt, size_t len, unsigned int batch, double *out)
{
	struct testrun_ctx t = { fds, pkt, len, batch, NULL, NULL };
	struct sampler s = { .nconf = nfds, .step = testrun_step, .ctx = &t };

	return sample_interleaved(env, &s, out);
}

int measure_testrun_adaptive(struct exp_env *env, const int *fds, int nfds,
			     const void *pkt, size_t len, unsigned int batch,
			     double **out, size_t *total)
{
	return measure_testrun_adaptive_reload(env, fds, nfds, pkt, len, batch, NULL, NULL, out,
					       total);
}

int measure_testrun_adaptive_reload(struct exp_env *env, const int *fds, int nfds,
				    const void *pkt, size_t len, unsigned int batch,
				    int (*halfway)(void *ctx), void *ctx,
				    double **out, size_t *total)
{
	struct testrun_ctx t = { fds, pkt, len, batch, halfway, ctx };
	struct sampler s = { .nconf = nfds, .step = testrun_step, .ctx = &t, .adaptive = true,
			     .halfway = halfway ? testrun_halfway : NULL };
	double *buf = sampler_alloc(env, &s), *packed;
	size_t cap = sampler_capacity(env, &s), n;
	int err, p;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	err = sample_interleaved(env, &s, buf);
	n = s.done;
	/* packed at stride n, as measure_testrun's callers index it */
	packed = err ? NULL : malloc((size_t)nfds * n * sizeof(double));
	for (p = 0; packed && p < nfds; p++)
		memcpy(packed + (size_t)p * n, buf + (size_t)p * cap, n * sizeof(double));
	free(buf);
	if (!err && !packed)
		err = -ENOMEM;
	*out = packed;
	*total = n;
	return err;
}

double measure_median(const struct exp_env *env, const double *v)
{
	return measure_median_n(env, v, measure_total(env));
}

double measure_median_n(const struct exp_env *env, const double *v, size_t n)
{
	struct stats st;

	if (stats_compute(v, n, (size_t)env->warmup, 0, &st))
		return 0;
	return st.median;
}

void measure_per_op(double *v, size_t n, double baseline, double ops)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = (v[i] - baseline) / ops;
}

unsigned int measure_batch(const struct exp_env *env, unsigned int quick)
{
	return env->profile == PROFILE_QUICK ? quick :
	       env->profile == PROFILE_FULL ? quick * 10 : quick * 3;
}
