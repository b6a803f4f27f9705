// SPDX-License-Identifier: GPL-2.0
/* The penalty_fraction row, shared by chaining's micro and kvcache forms. */
#include "experiments/chaining/chaining.h"

#include "core/results.h"

/*
 * penalty_fraction of @var: (t_v - t_inlined) / (t_dynamic - t_inlined) per
 * measured round (same round index: the variants are interleaved), the share
 * of the dynamic tail call's penalty that the variant keeps.  What all
 * variants share cancels.  A round where the dynamic tail call was not
 * slower than inlining has no penalty to share and is left out (counted in
 * the note).  @frac has room for @total values.
 */
void chaining_penalty_row(struct exp_env *env, const char *config, const double *var,
			  const double *dyn, const double *inl, size_t total, double *frac,
			  const char *what)
{
	size_t warm = (size_t)env->warmup < total ? (size_t)env->warmup : 0;
	size_t r, n = 0;
	char note[RESULT_NOTE];

	for (r = warm; r < total; r++)
		if (dyn[r] - inl[r] > 0)
			frac[n++] = (var[r] - inl[r]) / (dyn[r] - inl[r]);
	snprintf(note, sizeof(note), "%s%s%zu of %zu rounds without a dynamic-tail-call penalty left out",
		 what ? what : "", what ? "; " : "", total - warm - n, total - warm);
	if (n)
		env_add_samples_nowarm(env, config, "penalty_fraction", "x", frac, n, note);
	else
		result_skip(env->rs, config, "penalty_fraction", note);
}
