/* SPDX-License-Identifier: GPL-2.0 */
/* The sampling loop shared by the BPF_PROG_TEST_RUN micro-benchmarks. */
#ifndef OBENCH_MEASURE_H
#define OBENCH_MEASURE_H

#include <stddef.h>

#include "core/obench.h"

/*
 * Takes env->warmup + env->samples samples of each program, interleaved
 * (round r runs fds[0], fds[1], ... once each) so drift hits all alike.  One
 * sample = the kernel's mean ns per run over @batch repetitions on @pkt.
 * out[p * total + r] receives program p's sample r; total = warmup + samples.
 * Returns 0, -EINTR when interrupted, or a negative errno.
 */
int measure_testrun(const struct exp_env *env, const int *fds, int nfds,
		    const void *pkt, size_t len, unsigned int batch, double *out);

static inline size_t measure_total(const struct exp_env *env)
{
	return (size_t)(env->warmup + env->samples);
}

/* The median of v[warmup..n-1]: a baseline to subtract. */
double measure_median(const struct exp_env *env, const double *v);

/* v[i] = (v[i] - baseline) / ops for every sample, in place. */
void measure_per_op(double *v, size_t n, double baseline, double ops);

/* Test-run repetitions per sample: @quick, x3 by default, x10 for --full. */
unsigned int measure_batch(const struct exp_env *env, unsigned int quick);

#endif
