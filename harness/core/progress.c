// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/obench.h"

volatile sig_atomic_t obench_stop;

static bool progress_shown;

void progress(const struct exp_env *env, const char *fmt, ...)
{
	va_list ap;

	/* inside the testbed VM stderr is a serial port relayed into a log */
	if (!isatty(STDERR_FILENO) || getenv("VMRUN"))
		return;
	fprintf(stderr, "\r\033[K  %s: ", env->exp->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	progress_shown = true;
}

void progress_done(void)
{
	if (progress_shown && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	progress_shown = false;
}

int env_add_samples(struct exp_env *env, const char *config, const char *metric,
		    const char *unit, const double *v, size_t n,
		    double baseline, const char *note)
{
	size_t warm = (size_t)env->warmup < n ? (size_t)env->warmup : 0;
	struct stats st;

	if (stats_compute(v, n, warm, baseline, &st))
		return -1;
	return result_add(env->rs, config, metric, unit, env->tier, &st, note) ? 0 : -1;
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
