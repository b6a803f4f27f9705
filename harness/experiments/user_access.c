// SPDX-License-Identifier: GPL-2.0
/*
 * user-access (paper Table 4): ns for user space to get one 64 B entry out
 * of a collection, repeated `accesses` times per sample (paper: 100K):
 *   array, hash, LRU hash and their per-CPU variants: bpf_map_lookup_elem();
 *   mmap_array: a memcpy from a BPF_F_MMAPABLE array mapped into the process;
 *   ringbuf: ring_buffer__consume() of records a BPF program enqueued before
 *     the timed part (test_run of fill_ring, as the paper's 100K events);
 *   xsk_rx_ring: the consumer side of an AF_XDP RX ring (copy mode) that XDP
 *     live frames filled through an XSKMAP redirect on a veth in its own
 *     namespace, 64 descriptors per peek, in chunks of one ring's worth.
 * Every access copies the 64 B into a user buffer.  The configurations are
 * interleaved round by round; the empty loop's median per iteration is
 * subtracted from each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "core/clock.h"
#include "core/measure.h"
#include "core/obench.h"
#include "net/netpath.h"
#include "net/topology.h"
#include "user_access.skel.h"
#include "net/xsk_rx.h"

#define ENTRY		64
#define XSK_FRAMES	32768	/* a live-frames test_run costs ~20-40 ms of set-up: few, large fills */
#define XSK_PEEK	64

/* user_access's flags, filled and validated by the runner before setup() */
struct user_access_cfg {
	int accesses;
	bool xsk;
};

#define CFG(f) offsetof(struct user_access_cfg, f)
static const struct opt_spec user_access_opts[] = {
	{ "accesses", OPT_INT, CFG(accesses), .def = "100000", .min = 1000, .max = 10000000,
	  .help = "accesses per sample (paper: 100K)" },
	{ "xsk", OPT_BOOL, CFG(xsk), .def = "true",
	  .help = "also time an AF_XDP RX ring (builds a veth namespace)" },
	OPT_END
};
#undef CFG

struct user_access {
	struct user_access_bpf *skel;
	struct ring_buffer *rb;
	void *mm;			/* the mmapable array, mapped */
	size_t mm_len;
	struct topo topo;
	bool topo_up;
	struct xsk_rx xr;
	bool xsk_up;
	char xsk_why[160];
	unsigned char frame[ENTRY];
	unsigned char sink[ENTRY];	/* where every access copies its entry */
	unsigned char *lookup_buf;	/* a lookup's value: ncpu x ENTRY for per-CPU maps */
	__u64 xsk_addr[XSK_FRAMES];	/* frames read in one chunk, back to the fill ring */
	int ncpu;
};

/* The entry every map holds: sequence 1, then frame-like bytes 8..63. */
static void make_entry(unsigned char *e)
{
	__u64 seq = 1;
	int i;

	memcpy(e, &seq, 8);
	for (i = 8; i < ENTRY; i++)
		e[i] = (unsigned char)i;
}

static int store_entry(struct bpf_map *map, int ncpu)
{
	bool percpu = bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY ||
		      bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_HASH ||
		      bpf_map__type(map) == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	unsigned char *v = calloc((size_t)(percpu ? ncpu : 1), ENTRY);
	__u32 k = 0;
	int c, err = 0;

	if (!v)
		return -ENOMEM;
	for (c = 0; c < (percpu ? ncpu : 1); c++)
		make_entry(v + (size_t)c * ENTRY);
	if (bpf_map_update_elem(bpf_map__fd(map), &k, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

static int ring_record(void *ctx, void *data, size_t size)
{
	struct user_access *ua = ctx;

	memcpy(ua->sink, data, size < ENTRY ? size : ENTRY);
	return 0;
}

static size_t ring_bytes(long long accesses)
{
	size_t need = (size_t)accesses * (ENTRY + 8), sz = 4096;	/* 8 B record header */

	while (sz < need)
		sz <<= 1;
	return sz;
}

static void xsk_setup(struct user_access *ua)
{
	int err = topo_create(&ua->topo);

	if (err) {
		snprintf(ua->xsk_why, sizeof(ua->xsk_why), "cannot build the veth namespace (%s)",
			 strerror(-err));
		return;
	}
	ua->topo_up = true;
	err = topo_enter(&ua->topo, TOPO_SERVER);
	if (!err) {
		err = xsk_rx_open(&ua->xr, ua->topo.server.ifname, XSK_FRAMES,
				  bpf_map__fd(ua->skel->maps.xsks));
		topo_leave(&ua->topo);
	}
	if (err) {
		snprintf(ua->xsk_why, sizeof(ua->xsk_why),
			 "cannot bind an AF_XDP socket in copy mode on the veth (%s)", strerror(-err));
		return;
	}
	ua->xsk_up = true;
}

static int user_access_setup(struct exp_env *env)
{
	const struct user_access_cfg *c = env->cfg;
	struct user_access *ua = calloc(1, sizeof(*ua));
	struct bpf_map *map;
	int err;

	if (!ua)
		return -ENOMEM;
	env->priv = ua;
	ua->ncpu = libbpf_num_possible_cpus();
	ua->lookup_buf = calloc((size_t)ua->ncpu, ENTRY);
	if (!ua->lookup_buf)
		return -ENOMEM;
	build_udp_frame(ua->frame, sizeof(ua->frame));
	ua->skel = user_access_bpf__open();
	if (!ua->skel)
		return -errno;
	bpf_map__set_max_entries(ua->skel->maps.ring, (__u32)ring_bytes(c->accesses));
	err = user_access_bpf__load(ua->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the user-access programs or maps (%s)", strerror(-err));
		return EXP_SKIP;
	}
	bpf_object__for_each_map(map, ua->skel->obj) {
		enum bpf_map_type t = bpf_map__type(map);

		if (bpf_map__is_internal(map) || t == BPF_MAP_TYPE_RINGBUF || t == BPF_MAP_TYPE_XSKMAP)
			continue;
		err = store_entry(map, ua->ncpu);
		if (err)
			return err;
	}
	ua->mm_len = (size_t)sysconf(_SC_PAGESIZE);
	ua->mm = mmap(NULL, ua->mm_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(ua->skel->maps.mmap_array), 0);
	if (ua->mm == MAP_FAILED) {
		ua->mm = NULL;
		return -errno;
	}
	ua->rb = ring_buffer__new(bpf_map__fd(ua->skel->maps.ring), ring_record, ua, NULL);
	if (!ua->rb)
		return -errno;
	if (c->xsk)
		xsk_setup(ua);
	else
		snprintf(ua->xsk_why, sizeof(ua->xsk_why), "disabled with --xsk=false");
	return 0;
}

/* ---- one timed sample of each configuration: ns for @n accesses ---- */

static int time_empty(struct user_access *ua, long long n, double *ns)
{
	double t0 = mono_ns();
	long long i;

	for (i = 0; i < n; i++)
		asm volatile("" : : "r"(ua->sink) : "memory");
	*ns = mono_ns() - t0;
	return 0;
}

static int time_lookup(struct user_access *ua, int fd, void *buf, long long n, double *ns)
{
	double t0 = mono_ns();
	__u32 k = 0;
	long long i;

	for (i = 0; i < n; i++)
		if (bpf_map_lookup_elem(fd, &k, buf))
			return -errno;
	*ns = mono_ns() - t0;
	memcpy(ua->sink, buf, ENTRY);
	return 0;
}

static int time_mmap(struct user_access *ua, long long n, double *ns)
{
	double t0 = mono_ns();
	long long i;

	for (i = 0; i < n; i++) {
		memcpy(ua->sink, ua->mm, ENTRY);
		/* the entry may have changed: read it again next time */
		asm volatile("" : : "r"(ua->sink) : "memory");
	}
	*ns = mono_ns() - t0;
	return 0;
}

/* Enqueues @n records (untimed), then times draining them. */
static int time_ring(struct user_access *ua, long long n, double *ns)
{
	__u64 before = ua->skel->bss->enqueued;
	double t0;
	int got;

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = ua->frame, .data_size_in = sizeof(ua->frame),
		    .repeat = (__u32)n);
	if (bpf_prog_test_run_opts(bpf_program__fd(ua->skel->progs.fill_ring), &o))
		return -errno;
	if (ua->skel->bss->enqueued - before != (__u64)n)
		return -ENOSPC;		/* the ring was sized for n: never happens */
	t0 = mono_ns();
	got = ring_buffer__consume(ua->rb);
	*ns = mono_ns() - t0;
	if (got < 0)
		return got;
	return got == n ? 0 : -EPROTO;
}

/* Fills the RX ring with XDP live frames redirected to the XSK (untimed). */
static int xsk_fill(struct user_access *ua, __u32 frames)
{
	struct xdp_md ctx = { .data_end = sizeof(ua->frame),
			      .ingress_ifindex = (__u32)ua->topo.server.ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = ua->frame, .data_size_in = sizeof(ua->frame),
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = frames,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

	return bpf_prog_test_run_opts(bpf_program__fd(ua->skel->progs.fill_xsk), &o) ? -errno : 0;
}

/* Chunks of one ring's worth until @n descriptors were read; only the reading is timed. */
static int time_xsk(struct user_access *ua, long long n, double *ns, long long *done)
{
	__u64 *addr = ua->xsk_addr;
	long long got = 0;
	double t = 0;
	int err;

	while (got < n) {
		__u32 chunk = XSK_FRAMES, idx, k, m = 0, i;
		double t0;

		err = xsk_fill(ua, chunk);
		if (err)
			return err;
		t0 = mono_ns();
		while ((k = xsk_ring_cons__peek(&ua->xr.rx, XSK_PEEK, &idx)) > 0) {
			for (i = 0; i < k; i++) {
				const struct xdp_desc *d = xsk_ring_cons__rx_desc(&ua->xr.rx, idx + i);

				memcpy(ua->sink, xsk_rx_data(&ua->xr, d->addr), ENTRY);
				addr[m++] = d->addr;
			}
			xsk_ring_cons__release(&ua->xr.rx, k);
		}
		t += mono_ns() - t0;
		if (!m)
			return -ENODATA;	/* nothing arrived: redirect or bind broken */
		xsk_rx_refill(&ua->xr, addr, m);
		got += m;
	}
	*ns = t;
	*done = got;
	return 0;
}

enum { C_EMPTY, C_ARRAY, C_HASH, C_LRU, C_PCPU_ARRAY, C_PCPU_HASH, C_PCPU_LRU,
       C_RING, C_MMAP, C_XSK, NCONF };

static const char *const conf_name[NCONF] = {
	"empty_loop", "array", "hash", "lru_hash", "percpu_array", "percpu_hash",
	"lru_percpu_hash", "ringbuf", "mmap_array", "xsk_rx_ring",
};

/* One sample of configuration @conf: mean ns per access. */
static int user_access_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct user_access_cfg *cfg = env->cfg;
	struct user_access *ua = ctx;
	struct user_access_bpf *s = ua->skel;
	struct bpf_map *const maps[NCONF] = {
		[C_ARRAY] = s->maps.array, [C_HASH] = s->maps.hash, [C_LRU] = s->maps.lru_hash,
		[C_PCPU_ARRAY] = s->maps.percpu_array, [C_PCPU_HASH] = s->maps.percpu_hash,
		[C_PCPU_LRU] = s->maps.lru_percpu_hash,
	};
	long long n = cfg->accesses, done = n;
	double ns = 0;
	int err;

	(void)round;
	switch (conf) {
	case C_EMPTY: err = time_empty(ua, n, &ns); break;
	case C_RING: err = time_ring(ua, n, &ns); break;
	case C_MMAP: err = time_mmap(ua, n, &ns); break;
	case C_XSK: err = time_xsk(ua, n, &ns, &done); break;
	default: err = time_lookup(ua, bpf_map__fd(maps[conf]), ua->lookup_buf, n, &ns);
	}
	if (err) {
		fprintf(stderr, "obench: user-access: %s failed: %s\n", conf_name[conf], strerror(-err));
		return err;
	}
	*sample = ns / (double)done;
	return 0;
}

/* The note of configuration @conf's row. */
static void conf_note(const struct user_access *ua, int conf, long long n, double base,
		      char *note, size_t len)
{
	switch (conf) {
	case C_ARRAY:
		snprintf(note, len, "bpf_map_lookup_elem() syscall, 64 B value, key 0; %lld accesses/sample; empty loop (%.2f ns) subtracted",
			 n, base);
		break;
	case C_PCPU_ARRAY:
		snprintf(note, len, "per-CPU: each lookup copies %d x 64 B (one per possible CPU; paper: 24 cores)",
			 ua->ncpu);
		break;
	case C_RING:
		snprintf(note, len, "%lld records enqueued by test_run before timing, drained by ring_buffer__consume()", n);
		break;
	case C_MMAP:
		snprintf(note, len, "64 B memcpy from a BPF_F_MMAPABLE array mapped into the process");
		break;
	case C_XSK:
		snprintf(note, len, "AF_XDP copy mode on veth, RX ring filled by XDP live frames in chunks of %d; peek %d, copy 64 B, release",
			 XSK_FRAMES, XSK_PEEK);
		break;
	default:
		note[0] = '\0';
	}
}

static void add_rows(struct exp_env *env, struct user_access *ua, const struct sampler *s,
		     double *v)
{
	long long n = ((const struct user_access_cfg *)env->cfg)->accesses;
	size_t total = sampler_rounds(env, s);
	double *empty = sample_series(env, s, v, 0, C_EMPTY), base = measure_median_n(env, empty, total);
	char note[RESULT_NOTE];
	int c;

	snprintf(note, sizeof(note), "baseline: an empty loop, %lld iterations per sample, not subtracted", n);
	env_add_samples(env, conf_name[C_EMPTY], "ns_per_iteration", "ns", empty, total, 0, note);
	for (c = 1; c < NCONF; c++) {
		if (c == C_XSK && !ua->xsk_up) {
			result_skip(env->rs, conf_name[c], "ns_per_access", ua->xsk_why);
			continue;
		}
		conf_note(ua, c, n, base, note, sizeof(note));
		env_add_samples(env, conf_name[c], "ns_per_access", "ns", sample_series(env, s, v, 0, c),
				total, base, note);
	}
}

static int user_access_run(struct exp_env *env)
{
	struct user_access *ua = env->priv;
	bool off[NCONF] = { false };
	struct sampler s = { .nconf = NCONF, .off = off, .step = user_access_step, .ctx = ua,
			     .names = conf_name, .adaptive = true };
	double *v = sampler_alloc(env, &s);
	int err;

	if (!v)
		return -ENOMEM;
	/* live frames need the ingress device in the caller's namespace: in it for the whole run */
	if (ua->xsk_up && topo_enter(&ua->topo, TOPO_SERVER)) {
		ua->xsk_up = false;
		snprintf(ua->xsk_why, sizeof(ua->xsk_why), "cannot enter the veth namespace");
	}
	off[C_XSK] = !ua->xsk_up;
	err = sample_interleaved(env, &s, v);
	if (ua->xsk_up)
		topo_leave(&ua->topo);
	progress_done();
	if (!err)
		add_rows(env, ua, &s, v);
	free(v);
	return err;
}

static void user_access_teardown(struct exp_env *env)
{
	struct user_access *ua = env->priv;

	if (!ua)
		return;
	ring_buffer__free(ua->rb);
	if (ua->mm)
		munmap(ua->mm, ua->mm_len);
	xsk_rx_close(&ua->xr);
	if (ua->topo_up)
		topo_destroy(&ua->topo);
	user_access_bpf__destroy(ua->skel);
	free(ua->lookup_buf);
	free(ua);
	env->priv = NULL;
}

const struct experiment exp_user_access = {
	.name = "user-access",
	.paper_ref = "Table 4",
	.summary = "ns per 64 B access from user space: map syscalls, per-CPU, ringbuf, mmap'd array, AF_XDP ring",
	.tiers = "host,vm,hw",
	.opts = user_access_opts,
	.cfg_size = sizeof(struct user_access_cfg),
	.in_default_suite = true,
	.setup = user_access_setup,
	.run = user_access_run,
	.teardown = user_access_teardown,
	.cleanup = netpath_cleanup,
};
