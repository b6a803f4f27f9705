// SPDX-License-Identifier: GPL-2.0
#include "core/measure.h"

#include <errno.h>
#include <stdlib.h>

#include "core/bpfutil.h"

double *sampler_alloc(const struct exp_env *env, const struct sampler *s)
{
	size_t width = s->width > 0 ? (size_t)s->width : 1;

	return calloc(width * (size_t)s->nconf * sampler_rounds(env, s), sizeof(double));
}

int sample_interleaved(struct exp_env *env, const struct sampler *s, double *out)
{
	size_t rounds = sampler_rounds(env, s), r;
	int width = s->width > 0 ? s->width : 1, c, k, err;
	double v[16];

	if (width > 16)
		return -EINVAL;
	for (r = 0; r < rounds; r++) {
		for (c = 0; c < s->nconf; c++) {
			if (s->off && s->off[c])
				continue;
			if (obench_interrupted())
				return -EINTR;
			if (s->names)
				progress(env, "round %zu/%zu: %s", r + 1, rounds, s->names[c]);
			else
				progress(env, "round %zu/%zu", r + 1, rounds);
			for (k = 0; k < width; k++)
				v[k] = 0;
			err = s->step(env, c, r, v, s->ctx);
			if (err)
				return err;
			for (k = 0; k < width; k++)
				sample_series(env, s, out, k, c)[r] = v[k];
		}
	}
	return 0;
}

struct testrun_ctx {
	const int *fds;
	const void *pkt;
	size_t len;
	unsigned int batch;
};

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
	struct testrun_ctx t = { fds, pkt, len, batch };
	struct sampler s = { .nconf = nfds, .step = testrun_step, .ctx = &t };

	return sample_interleaved(env, &s, out);
}

double measure_median(const struct exp_env *env, const double *v)
{
	struct stats st;

	if (stats_compute(v, measure_total(env), (size_t)env->warmup, 0, &st))
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
