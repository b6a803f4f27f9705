// SPDX-License-Identifier: GPL-2.0
/* What an experiment's run() calls to turn measurements into result rows, and its config. */
#include <stdlib.h>
#include <string.h>

#include "core/histogram.h"
#include "core/obench.h"

static int add_row(struct exp_env *env, const char *config, const char *metric,
		   const char *unit, const double *v, size_t n, size_t warm,
		   double baseline, const char *note)
{
	struct stats st;
	double *kept;
	size_t i;
	int err;

	if (stats_compute(v, n, warm, baseline, &st))
		return -1;
	/* the samples themselves, in measurement order, for the report's intervals */
	kept = malloc(st.n * sizeof(*kept));
	if (!kept)
		return -1;
	for (i = 0; i < st.n; i++)
		kept[i] = v[warm + i] - baseline;
	err = result_add_samples(env->rs, config, metric, unit, env->tier, &st, note,
				 kept, st.n) ? 0 : -1;
	free(kept);
	return err;
}

int env_add_samples(struct exp_env *env, const char *config, const char *metric,
		    const char *unit, const double *v, size_t n,
		    double baseline, const char *note)
{
	size_t warm = (size_t)env->warmup < n ? (size_t)env->warmup : 0;

	return add_row(env, config, metric, unit, v, n, warm, baseline, note);
}

int env_add_samples_nowarm(struct exp_env *env, const char *config, const char *metric,
			   const char *unit, const double *v, size_t n, const char *note)
{
	return add_row(env, config, metric, unit, v, n, 0, 0, note);
}

void *experiment_config(const struct experiment *e, enum profile profile,
			const char *const *set, struct opt_given *given,
			char *err, size_t errlen)
{
	void *cfg = calloc(1, e->cfg_size ? e->cfg_size : 1);

	given->specs = e->opts;
	given->mask = 0;
	if (!cfg)
		return snprintf(err, errlen, "out of memory"), NULL;
	opt_defaults(e->opts, cfg, profile);
	for (; set && *set; set++) {
		const char *eq = strchr(*set, '=');
		char name[96];
		const struct opt_spec *s;

		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - *set) : 95, *set);
		s = opt_find(e->opts, name);
		if (!s) {
			snprintf(err, errlen, "%s has no flag --%s", e->name, name);
			goto bad;
		}
		if (opt_parse(s, eq ? eq + 1 : "true", cfg, err, errlen))
			goto bad;
		opt_mark_given(given, s);
	}
	if (e->validate && e->validate(cfg, err, errlen))
		goto bad;
	return cfg;
bad:
	free(cfg);
	return NULL;
}

int env_add_value(struct exp_env *env, const char *config, const char *metric,
		  const char *unit, double value, const char *note)
{
	return env_add_samples_nowarm(env, config, metric, unit, &value, 1, note);
}

int env_add_hist(struct exp_env *env, const char *config, const char *metric,
		 const char *unit, const struct histogram *h, double scale, const char *note)
{
	struct stats st;
	double *v;
	int err;

	if (hist_stats(h, scale, &st) || hist_samples(h, scale, &v))
		return -1;
	err = result_add_samples(env->rs, config, metric, unit, env->tier, &st, note, v, st.n) ?
	      0 : -1;
	free(v);
	return err;
}
