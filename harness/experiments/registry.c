// SPDX-License-Identifier: GPL-2.0
/* The one table of experiments, in the order the default suite runs them. */
#include <string.h>

#include "core/obench.h"

extern const struct experiment exp_map_access;
extern const struct experiment exp_map_footprint;
extern const struct experiment exp_map_zipf;
extern const struct experiment exp_user_access;
extern const struct experiment exp_channel;
extern const struct experiment exp_memcpy;
extern const struct experiment exp_chaining;
extern const struct experiment exp_complexity;
extern const struct experiment exp_hook_cost;
extern const struct experiment exp_bandwidth;
extern const struct experiment exp_truncate;
extern const struct experiment exp_echo;
extern const struct experiment exp_kvcache;
extern const struct experiment exp_xsk_kv;
extern const struct experiment exp_isolation;

const struct experiment *const obench_experiments[] = {
	&exp_map_access,
	&exp_map_footprint,
	&exp_map_zipf,
	&exp_user_access,
	&exp_channel,
	&exp_memcpy,
	&exp_chaining,
	&exp_complexity,
	&exp_hook_cost,
	&exp_bandwidth,
	&exp_truncate,
	&exp_echo,
	&exp_kvcache,
	&exp_xsk_kv,
	&exp_isolation,
	NULL
};

const struct experiment *experiment_find(const char *name)
{
	const struct experiment *const *e;

	for (e = obench_experiments; *e; e++)
		if (!strcmp((*e)->name, name))
			return *e;
	return NULL;
}
