// SPDX-License-Identifier: GPL-2.0
#include "core/measure.h"

#include <errno.h>

#include "core/bpfutil.h"

int measure_testrun(const struct exp_env *env, const int *fds, int nfds,
		    const void *pkt, size_t len, unsigned int batch, double *out)
{
	size_t total = measure_total(env), r;
	int p, err;

	for (r = 0; r < total; r++) {
		if (obench_interrupted())
			return -EINTR;
		progress(env, "sample %zu/%zu", r + 1, total);
		for (p = 0; p < nfds; p++) {
			err = testrun_ns(fds[p], pkt, len, batch, &out[p * total + r], NULL);
			if (err)
				return err;
		}
	}
	return 0;
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
