// SPDX-License-Identifier: GPL-2.0
/*
 * map-access (paper Table 3): ns per bpf_map_lookup_elem() from BPF, 4-byte
 * keys, for array, hash, LRU hash and their per-CPU variants.  Each program
 * does `lookups` lookups per run over varying keys; the empty loop's median is
 * subtracted, then divided by the lookups per run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "map_access.skel.h"
#include "core/measure.h"
#include "core/obench.h"

/* map_access's flags, filled and validated by the runner before setup() */
struct map_access_cfg {
	int lookups;
	int entries;
	int batch;
};

#define CFG(f) offsetof(struct map_access_cfg, f)
static const struct opt_spec map_access_opts[] = {
	{ "lookups", OPT_INT, CFG(lookups), .def = "64", .min = 10, .max = 1024,
	  .help = "lookups per program run (>= 10: test_run reports whole ns)" },
	{ "entries", OPT_INT, CFG(entries), .def = "1024", .min = 16, .max = 1048576,
	  .help = "entries in each map, all present" },
	{ "batch", OPT_INT, CFG(batch), .def = "6000", .quick = "2000", .full = "20000",
	  .min = 1, .max = 10000000, .help = "test_run repetitions per sample" },
	OPT_END
};
#undef CFG

struct map_access {
	const struct map_access_cfg *cfg;
	struct map_access_bpf *skel;
	int fds[8];			/* the programs measured, reloaded halfway */
};

static bool map_is_percpu(const struct bpf_map *map)
{
	switch (bpf_map__type(map)) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/*
 * Keys 0..entries-1, each holding k + 1 in the value's first bytes (the
 * whole value when it is 8 bytes, as in bpf/map_access.bpf.c).  A per-CPU
 * map takes one value per possible CPU, each rounded up to 8 bytes.
 */
static int fill_map(struct bpf_map *map, __u32 entries)
{
	bool percpu = map_is_percpu(map);
	int ncpu = percpu ? libbpf_num_possible_cpus() : 1, fd = bpf_map__fd(map), c;
	size_t vsz = bpf_map__value_size(map);
	size_t stride = percpu ? (vsz + 7) / 8 * 8 : vsz;
	size_t head = vsz < sizeof(__u64) ? vsz : sizeof(__u64);
	unsigned char *val;
	__u64 seq;
	__u32 k;
	int err = 0;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	val = calloc((size_t)ncpu, stride);
	if (!val)
		return -ENOMEM;
	for (k = 0; k < entries && !err; k++) {
		seq = (__u64)k + 1;
		for (c = 0; c < ncpu; c++)
			memcpy(val + (size_t)c * stride, &seq, head);
		if (bpf_map_update_elem(fd, &k, val, BPF_ANY))
			err = -errno;
	}
	free(val);
	return err;
}

/* Opens, loads and fills the maps and programs (again: a new JIT image, new maps). */
static int map_access_load(struct map_access *ma)
{
	const struct map_access_cfg *c = ma->cfg;
	__u32 entries = (__u32)c->entries;
	struct bpf_map *map;
	int err;

	map_access_bpf__destroy(ma->skel);
	ma->skel = map_access_bpf__open();
	if (!ma->skel)
		return -errno;
	ma->skel->rodata->lookups = (__u32)c->lookups;
	ma->skel->rodata->entries = entries;
	bpf_object__for_each_map(map, ma->skel->obj)
		if (!bpf_map__is_internal(map))
			bpf_map__set_max_entries(map, entries);
	err = map_access_bpf__load(ma->skel);
	if (err)
		return err;
	bpf_object__for_each_map(map, ma->skel->obj) {
		if (bpf_map__is_internal(map))
			continue;
		err = fill_map(map, entries);
		if (err)
			return err;
	}
	return 0;
}

static int map_access_setup(struct exp_env *env)
{
	struct map_access *ma = calloc(1, sizeof(*ma));
	int err;

	if (!ma)
		return -ENOMEM;
	env->priv = ma;
	ma->cfg = env->cfg;
	err = map_access_load(ma);
	if (err)	/* plain lookups in every kernel obench supports: a failure, not a skip */
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "loading the map-access programs failed: %s (OBENCH_DEBUG=1 shows the verifier's log)",
			 strerror(-err));
	return err;
}

/* The programs of the run, in the order of its configurations, into @fds. */
static int map_access_fds(struct map_access *ma, int *fds)
{
	struct map_access_bpf *s = ma->skel;
	struct bpf_program *p[] = {
		s->progs.empty_loop, s->progs.lookup_array, s->progs.lookup_hash,
		s->progs.lookup_lru_hash, s->progs.lookup_percpu_array,
		s->progs.lookup_percpu_hash, s->progs.lookup_lru_percpu_hash,
	};
	int i;

	for (i = 0; i < (int)(sizeof(p) / sizeof(p[0])); i++)
		fds[i] = bpf_program__fd(p[i]);
	return i;
}

/*
 * Halfway: everything loaded again.  LRU hash / hash moved from 0.86 to 1.20
 * between runs, each run's interval a few % wide: the load, not the map type.
 */
static int map_access_reload(void *ctx)
{
	struct map_access *ma = ctx;
	int err = map_access_load(ma);

	if (!err)
		map_access_fds(ma, ma->fds);
	return err;
}

static int map_access_run(struct exp_env *env)
{
	const struct map_access_cfg *c = env->cfg;
	struct map_access *ma = env->priv;
	static const char *const config[] = {
		"empty_loop", "array", "hash", "lru_hash", "percpu_array", "percpu_hash",
		"lru_percpu_hash",
	};
	const int n = map_access_fds(ma, ma->fds);
	double lookups = (double)c->lookups, base;
	unsigned int batch = (unsigned int)c->batch;
	unsigned char pkt[64];
	double *v = NULL;
	size_t total;
	int i, err;
	char note[160];

	build_udp_frame(pkt, sizeof(pkt));
	/* adaptive: more rounds while a median is unsure, within the profile's budget */
	err = measure_testrun_adaptive_reload(env, ma->fds, n, pkt, sizeof(pkt), batch,
					      map_access_reload, ma, &v, &total);
	if (err)
		goto out;
	base = measure_median_n(env, v, total);
	measure_per_op(v, total, 0, lookups);
	snprintf(note, sizeof(note), "baseline: %.0f lookups-free iterations per run, not subtracted", lookups);
	env_add_samples(env, "empty_loop", "ns_per_iteration", "ns", v, total, 0, note);
	snprintf(note, sizeof(note), "empty-loop median (%.1f ns/run) subtracted; %.0f lookups/run x %u runs/sample",
		 base, lookups, batch);
	for (i = 1; i < n; i++) {
		double *pv = &v[(size_t)i * total];

		measure_per_op(pv, total, base, lookups);
		env_add_samples(env, config[i], "ns_per_lookup", "ns", pv, total, 0,
				i == 1 ? note : "");
	}
out:
	free(v);
	return err;
}

static void map_access_teardown(struct exp_env *env)
{
	struct map_access *ma = env->priv;

	if (!ma)
		return;
	map_access_bpf__destroy(ma->skel);
	free(ma);
	env->priv = NULL;
}

const struct experiment exp_map_access = {
	.name = "map-access",
	.paper_ref = "Table 3",
	.summary = "ns per map lookup from BPF (4 B keys): array, hash, LRU hash, per-CPU variants",
	.tiers = "host,vm,hw",
	.opts = map_access_opts,
	.cfg_size = sizeof(struct map_access_cfg),
	.in_default_suite = true,
	.setup = map_access_setup,
	.run = map_access_run,
	.teardown = map_access_teardown,
};
