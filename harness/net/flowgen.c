// SPDX-License-Identifier: GPL-2.0
#include "net/flowgen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "core/cpupin.h"
#include "flow_counters.skel.h"
#include "core/measure.h"

_Static_assert(sizeof(struct flow_key) == 16, "struct flow_key must match the BPF side");

/* ---- flows and sequences ---- */

__u64 flow_rng_next(struct flow_rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double flow_rng_double(struct flow_rng *r)
{
	return (double)(flow_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform in [0, n) without modulo bias worth mentioning (n < 2^32). */
static __u32 rng_below(struct flow_rng *r, __u32 n)
{
	return (__u32)(((flow_rng_next(r) >> 32) * (__u64)n) >> 32);
}

__u32 flow_capacity(size_t flows)
{
	return (__u32)((flows * 10 + 8) / 9);	/* ceil(flows / 0.9) */
}

__u32 flow_array_index(const struct flow_key *k)
{
	return (__u32)ntohs(k->sport) << 16 | ntohs(k->dport);
}

struct flow_key *flow_set_make(size_t n, struct flow_rng *r)
{
	__u32 cap = flow_capacity(n), i, *slot;
	struct flow_key *f;

	slot = malloc(cap * sizeof(*slot));
	f = calloc(n ? n : 1, sizeof(*f));
	if (!slot || !f) {
		free(slot);
		free(f);
		return NULL;
	}
	for (i = 0; i < cap; i++)
		slot[i] = i;
	/* partial Fisher-Yates: n distinct array slots in random order */
	for (i = 0; i < n; i++) {
		__u32 j = i + rng_below(r, cap - i), t = slot[i];

		slot[i] = slot[j];
		slot[j] = t;
		f[i].saddr = htonl(0x0a000000 | rng_below(r, 1u << 24));	/* 10/8 */
		f[i].daddr = htonl(0xc0a80000 | rng_below(r, 1u << 16));	/* 192.168/16 */
		f[i].sport = htons((__u16)(slot[i] >> 16));
		f[i].dport = htons((__u16)slot[i]);
		f[i].proto = IPPROTO_UDP;
	}
	free(slot);
	return f;
}

int zipf_init(struct zipf *z, size_t n, double s)
{
	double sum = 0;
	size_t i;

	z->n = n;
	z->cdf = n ? malloc(n * sizeof(*z->cdf)) : NULL;
	if (!z->cdf)
		return n ? -ENOMEM : -EINVAL;
	for (i = 0; i < n; i++) {
		sum += pow((double)(i + 1), -s);
		z->cdf[i] = sum;
	}
	for (i = 0; i < n; i++)
		z->cdf[i] /= sum;
	z->cdf[n - 1] = 1.0;
	return 0;
}

size_t zipf_sample(const struct zipf *z, struct flow_rng *r)
{
	double u = flow_rng_double(r);
	size_t lo = 0, hi = z->n - 1;

	/* the first rank whose cumulative probability exceeds u */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void zipf_free(struct zipf *z)
{
	free(z->cdf);
	z->cdf = NULL;
}

int flow_seq_shuffled(__u32 *seq, size_t len, size_t flows, struct flow_rng *r)
{
	__u32 *perm = malloc(flows * sizeof(*perm));
	size_t start, i;

	if (!perm)
		return -ENOMEM;
	for (i = 0; i < flows; i++)
		perm[i] = (__u32)i;
	/* back-to-back passes, each a fresh Fisher-Yates permutation of all flows */
	for (start = 0; start < len; start += flows) {
		for (i = flows - 1; i > 0; i--) {
			__u32 j = rng_below(r, (__u32)i + 1), t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (i = 0; i < flows && start + i < len; i++)
			seq[start + i] = perm[i];
	}
	free(perm);
	return 0;
}

void flow_seq_zipf(__u32 *seq, size_t len, const struct zipf *z, struct flow_rng *r)
{
	size_t i;

	for (i = 0; i < len; i++)
		seq[i] = (__u32)zipf_sample(z, r);
}

const char *const flow_map_names[FLOW_NMAPS + 1] = { "array", "hash", "lru_hash", NULL };

int flow_params_check(const struct flow_params *p, const char *flag,
		      const struct opt_list *points, int max_points, char *err, size_t errlen)
{
	if (points->n > max_points) {
		snprintf(err, errlen, "--%s takes at most %d values", flag, max_points);
		return -1;
	}
	if (p->seq_len & (p->seq_len - 1)) {
		snprintf(err, errlen, "--seq-len %d is not a power of two (e.g. 262144)", p->seq_len);
		return -1;
	}
	return 0;
}

unsigned int flow_params_runs(const struct exp_env *env, const struct flow_params *p)
{
	if (p->runs)
		return (unsigned int)p->runs;
	return measure_batch(env, (unsigned int)(p->seq_len / p->batch));
}

/* ---- the programs for one flow set ---- */

static struct bpf_map *counter_map(const struct flow_bench *b, int map)
{
	struct flow_counters_bpf *s = b->skel;

	return map == FLOW_ARRAY ? s->maps.array_counters :
	       map == FLOW_HASH ? s->maps.hash_counters : s->maps.lru_counters;
}

static int prefill(struct flow_bench *b, int map)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 *zero = calloc(b->nflows, sizeof(*zero));
	__u32 count = (__u32)b->nflows;
	int err;

	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_batch(bpf_map__fd(counter_map(b, map)), b->flows, zero,
				   &count, &opts);
	free(zero);
	return err ? -errno : 0;
}

int flow_bench_load(struct flow_bench *b, const struct flow_key *flows,
		    size_t nflows, size_t seq_len, __u32 batch, bool prefill_maps)
{
	__u32 cap = flow_capacity(nflows);
	struct flow_counters_bpf *s;
	void *mem;
	int err;

	memset(b, 0, sizeof(*b));
	if (!nflows || !seq_len || (seq_len & (seq_len - 1)) || !batch)
		return -EINVAL;
	s = flow_counters_bpf__open();
	if (!s)
		return -errno;
	b->skel = s;
	b->flows = flows;
	b->nflows = nflows;
	b->seq_len = seq_len;
	b->batch = batch;
	s->rodata->batch = batch;
	s->rodata->seq_mask = (__u32)(seq_len - 1);
	bpf_map__set_max_entries(s->maps.seq, (__u32)seq_len);
	bpf_map__set_max_entries(s->maps.array_counters, cap);
	bpf_map__set_max_entries(s->maps.hash_counters, cap);
	bpf_map__set_max_entries(s->maps.lru_counters, cap);
	err = flow_counters_bpf__load(s);
	if (err)
		goto fail;
	mem = mmap(NULL, seq_len * sizeof(struct flow_key), PROT_READ | PROT_WRITE,
		   MAP_SHARED, bpf_map__fd(s->maps.seq), 0);
	if (mem == MAP_FAILED) {
		err = -errno;
		goto fail;
	}
	b->seq = mem;
	if (prefill_maps) {
		err = prefill(b, FLOW_HASH);
		if (!err)
			err = prefill(b, FLOW_LRU_HASH);
		if (err)
			goto fail;
	}
	return 0;
fail:
	flow_bench_destroy(b);
	return err;
}

int flow_bench_probe(char *why, size_t len)
{
	struct flow_key f = { .proto = IPPROTO_UDP };
	struct flow_bench b;
	int err = flow_bench_load(&b, &f, 1, 1024, 64, true);

	if (err)
		snprintf(why, len, "the kernel rejected the flow_counters programs (%s)", strerror(-err));
	else
		flow_bench_destroy(&b);
	return err;
}

void flow_bench_set_seq(struct flow_bench *b, const __u32 *idx)
{
	size_t i;

	for (i = 0; i < b->seq_len; i++)
		b->seq[i] = b->flows[idx[i]];
	b->skel->bss->pos = 0;
}

int flow_bench_fd(const struct flow_bench *b, int map)
{
	struct flow_counters_bpf *s = b->skel;

	return bpf_program__fd(map < 0 ? s->progs.walk_only :
			       map == FLOW_ARRAY ? s->progs.count_array_map :
			       map == FLOW_HASH ? s->progs.count_hash_map :
			       s->progs.count_lru_map);
}

__u64 flow_bench_misses(const struct flow_bench *b)
{
	return b->skel->bss->misses;
}

void flow_bench_destroy(struct flow_bench *b)
{
	if (b->seq)
		munmap(b->seq, b->seq_len * sizeof(struct flow_key));
	flow_counters_bpf__destroy(b->skel);
	memset(b, 0, sizeof(*b));
}

/* ---- PMU, pinning ---- */

int flow_pmu_open(char *why, size_t len)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_HW_CACHE_MISSES,
		.exclude_hv = 1,	/* kernel included: the programs run there */
	};
	int fd = (int)syscall(__NR_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		snprintf(why, len, "no PMU counters (perf_event_open(PERF_COUNT_HW_CACHE_MISSES): %s)",
			 strerror(err));
		return -err;
	}
	return fd;
}

/* ---- the measuring loop ---- */

static int read_counter(int fd, __u64 *v)
{
	return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v) ? 0 : -EIO;
}

/* What one sample needs: configuration 0 is the walk-only baseline, 1 the counter program. */
struct flow_sample_ctx {
	const struct flow_bench *b;
	int fds[2];
	unsigned int runs;
	int pmu_fd;
	unsigned char pkt[64];
};

enum { FLOW_NS, FLOW_MISS, FLOW_WIDTH };	/* the values of one sample */

/* One sample of one program: ns per packet, cache misses per packet (or NAN). */
static int flow_sample(struct exp_env *env, int conf, size_t round, double *v, void *ctx)
{
	const struct flow_sample_ctx *x = ctx;
	double pkts = (double)x->runs * x->b->batch;
	__u64 m0 = 0, m1 = 0;
	int err;

	(void)env;
	(void)round;
	if (x->pmu_fd >= 0 && read_counter(x->pmu_fd, &m0))
		return -EIO;
	err = testrun_ns(x->fds[conf], x->pkt, sizeof(x->pkt), x->runs, &v[FLOW_NS], NULL);
	if (err)
		return err;
	if (x->pmu_fd >= 0 && read_counter(x->pmu_fd, &m1))
		return -EIO;
	v[FLOW_NS] /= x->b->batch;
	/* the counter spans all runs; the kernel's duration is a mean per run */
	v[FLOW_MISS] = x->pmu_fd >= 0 ? (double)(m1 - m0) / pkts : NAN;
	return 0;
}

static void to_mpps(const double *ns, double *mpps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mpps[i] = ns[i] > 0 ? 1000.0 / ns[i] : 0;
}

/* The rows of one map from the sampler's series (see flow_bench_measure_point). */
static void add_map_rows(struct exp_env *env, const struct sampler *s, double *v,
			 const struct flow_setup *fs, __u64 not_found, const char *config,
			 const char *base_config, const char *note)
{
	size_t total = sampler_rounds(env, s);
	double *ns_base = sample_series(env, s, v, FLOW_NS, 0);
	double *ns = sample_series(env, s, v, FLOW_NS, 1);
	double *mpps = malloc(total * sizeof(*mpps)), base;
	char full[RESULT_NOTE];

	if (!mpps)
		return;
	base = measure_median(env, ns_base);
	snprintf(full, sizeof(full), "%s; walk-only baseline %.2f ns/pkt subtracted; %llu keys not found while measuring",
		 note, base, (unsigned long long)not_found);
	env_add_samples(env, config, "ns_per_packet", "ns", ns, total, base, full);
	to_mpps(ns, mpps, total);
	env_add_samples(env, config, "mpps_equiv", "Mpps", mpps, total, 0,
			"model: 1000 / (walk + map ns), no driver cost");
	if (fs->pmu_fd >= 0)
		env_add_samples(env, config, "cache_misses_per_packet", "misses",
				sample_series(env, s, v, FLOW_MISS, 1), total,
				measure_median(env, sample_series(env, s, v, FLOW_MISS, 0)),
				"walk-only baseline subtracted");
	else
		result_skip(env->rs, config, "cache_misses_per_packet", fs->pmu_why);
	if (base_config) {
		env_add_samples(env, base_config, "ns_per_packet", "ns", ns_base, total, 0,
				"walk only: reads the keys, no map access (not subtracted)");
		to_mpps(ns_base, mpps, total);
		env_add_samples(env, base_config, "mpps_equiv", "Mpps", mpps, total, 0,
				"model: 1000 / walk ns, no driver cost");
	}
	free(mpps);
}

/* Baseline and @map's counter program, interleaved; the rows of @config. */
static int flow_bench_measure(struct exp_env *env, struct flow_bench *b, const struct flow_setup *fs,
			      int map, unsigned int runs, const char *config,
			      const char *base_config, const char *note)
{
	struct flow_sample_ctx x = {
		.b = b, .fds = { flow_bench_fd(b, -1), flow_bench_fd(b, map) },
		.runs = runs, .pmu_fd = fs->pmu_fd,
	};
	const char *names[2] = { "walk only", config };
	struct sampler s = { .nconf = 2, .width = FLOW_WIDTH, .step = flow_sample, .ctx = &x,
			     .names = names };
	__u64 misses0 = flow_bench_misses(b);
	double *v = sampler_alloc(env, &s);
	int err;

	if (!v)
		return -ENOMEM;
	build_udp_frame(x.pkt, sizeof(x.pkt));
	err = sample_interleaved(env, &s, v);
	if (!err)
		add_map_rows(env, &s, v, fs, flow_bench_misses(b) - misses0, config, base_config, note);
	free(v);
	return err;
}

int flow_bench_measure_point(struct exp_env *env, struct flow_bench *b,
			     const struct flow_setup *fs, unsigned int runs,
			     const char *point, const char *what)
{
	char config[64], base[64], note[RESULT_NOTE];
	bool first = true;
	int m, err = 0;

	snprintf(note, sizeof(note), "%s; %u pkts/run x %u runs/sample; CPU %d%s",
		 what, b->batch, runs, fs->cpu, fs->pinned ? " (pinned)" : "");
	snprintf(base, sizeof(base), "baseline_%s", point);
	for (m = 0; m < FLOW_NMAPS && !err; m++) {
		if (!fs->maps[m])
			continue;
		snprintf(config, sizeof(config), "%s_%s", flow_map_names[m], point);
		err = flow_bench_measure(env, b, fs, m, runs, config, first ? base : NULL, note);
		first = false;
	}
	return err;
}

int flow_setup_begin(struct flow_setup *fs, const struct flow_params *p, char *why, size_t len)
{
	int i;

	fs->pmu_fd = -1;
	memset(fs->maps, 0, sizeof(fs->maps));
	for (i = 0; i < p->maps.n; i++)
		fs->maps[(int)p->maps.v[i]] = true;
	if (flow_bench_probe(why, len))
		return EXP_SKIP;
	fs->cpu = sched_getcpu();
	fs->pinned = cpu_pin_save(fs->cpu, &fs->saved);
	fs->pmu_fd = flow_pmu_open(fs->pmu_why, sizeof(fs->pmu_why));
	return 0;
}

void flow_setup_end(struct flow_setup *fs)
{
	if (fs->pinned)
		cpu_unpin(&fs->saved);
	fs->pinned = false;
	if (fs->pmu_fd >= 0)
		close(fs->pmu_fd);
	fs->pmu_fd = -1;
}
