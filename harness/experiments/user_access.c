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
	struct user_access *ua = calloc(1, sizeof(*ua));
	long long accesses = opt_int(env->opts, "accesses");
	struct bpf_map *map;
	int err;

	if (!ua)
		return -ENOMEM;
	env->priv = ua;
	ua->ncpu = libbpf_num_possible_cpus();
	build_udp_frame(ua->frame, sizeof(ua->frame));
	ua->skel = user_access_bpf__open();
	if (!ua->skel)
		return -errno;
	bpf_map__set_max_entries(ua->skel->maps.ring, (__u32)ring_bytes(accesses));
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
	if (opt_bool(env->opts, "xsk"))
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
	static __u64 addr[XSK_FRAMES];
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

static int user_access_run(struct exp_env *env)
{
	struct user_access *ua = env->priv;
	struct user_access_bpf *s = ua->skel;
	struct bpf_map *maps[NCONF] = {
		[C_ARRAY] = s->maps.array, [C_HASH] = s->maps.hash, [C_LRU] = s->maps.lru_hash,
		[C_PCPU_ARRAY] = s->maps.percpu_array, [C_PCPU_HASH] = s->maps.percpu_hash,
		[C_PCPU_LRU] = s->maps.lru_percpu_hash,
	};
	long long n = opt_int(env->opts, "accesses"), done;
	size_t total = measure_total(env), r;
	double *v, base, ns = 0;
	unsigned char *buf;
	char note[RESULT_NOTE];
	int c = 0, failed = 0, err = 0;

	v = calloc((size_t)NCONF * total, sizeof(*v));
	buf = calloc((size_t)ua->ncpu, ENTRY);
	if (!v || !buf) {
		err = -ENOMEM;
		goto out;
	}
	if (ua->xsk_up && topo_enter(&ua->topo, TOPO_SERVER) == 0) {
		/* live frames need the ingress device in the caller's namespace */
	} else if (ua->xsk_up) {
		ua->xsk_up = false;
		snprintf(ua->xsk_why, sizeof(ua->xsk_why), "cannot enter the veth namespace");
	}
	for (r = 0; r < total && !err; r++) {
		if (obench_interrupted()) {
			err = -EINTR;
			break;
		}
		progress(env, "round %zu/%zu", r + 1, total);
		for (c = 0; c < NCONF && !err; c++) {
			done = n;
			switch (c) {
			case C_EMPTY: err = time_empty(ua, n, &ns); break;
			case C_RING: err = time_ring(ua, n, &ns); break;
			case C_MMAP: err = time_mmap(ua, n, &ns); break;
			case C_XSK:
				if (!ua->xsk_up)
					continue;
				err = time_xsk(ua, n, &ns, &done);
				break;
			default: err = time_lookup(ua, bpf_map__fd(maps[c]), buf, n, &ns);
			}
			v[(size_t)c * total + r] = ns / (double)done;
			failed = c;
		}
	}
	if (ua->xsk_up)
		topo_leave(&ua->topo);
	progress_done();
	if (err) {
		fprintf(stderr, "obench: user-access: %s failed: %s\n", conf_name[failed], strerror(-err));
		goto out;
	}
	base = measure_median(env, v);
	snprintf(note, sizeof(note), "baseline: an empty loop, %lld iterations per sample, not subtracted", n);
	env_add_samples(env, conf_name[C_EMPTY], "ns_per_iteration", "ns", v, total, 0, note);
	for (c = 1; c < NCONF; c++) {
		double *pv = &v[(size_t)c * total];

		switch (c) {
		case C_ARRAY:
			snprintf(note, sizeof(note), "bpf_map_lookup_elem() syscall, 64 B value, key 0; %lld accesses/sample; empty loop (%.2f ns) subtracted",
				 n, base);
			break;
		case C_PCPU_ARRAY:
			snprintf(note, sizeof(note), "per-CPU: each lookup copies %d x 64 B (one per possible CPU; paper: 24 cores)",
				 ua->ncpu);
			break;
		case C_RING:
			snprintf(note, sizeof(note), "%lld records enqueued by test_run before timing, drained by ring_buffer__consume()", n);
			break;
		case C_MMAP:
			snprintf(note, sizeof(note), "64 B memcpy from a BPF_F_MMAPABLE array mapped into the process");
			break;
		case C_XSK:
			if (!ua->xsk_up) {
				result_skip(env->rs, conf_name[c], "ns_per_access", ua->xsk_why);
				continue;
			}
			snprintf(note, sizeof(note), "AF_XDP copy mode on veth, RX ring filled by XDP live frames in chunks of %d; peek %d, copy 64 B, release",
				 XSK_FRAMES, XSK_PEEK);
			break;
		default:
			note[0] = '\0';
		}
		env_add_samples(env, conf_name[c], "ns_per_access", "ns", pv, total, base, note);
	}
out:
	free(v);
	free(buf);
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
	free(ua);
	env->priv = NULL;
}

static int user_access_cleanup(void)
{
	return topo_cleanup_stale();
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
	.cleanup = user_access_cleanup,
};
