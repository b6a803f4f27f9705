// SPDX-License-Identifier: GPL-2.0
/*
 * memcpy (paper Table 6): ns per 1 KB copy.  BPF programs (byte loop, u64
 * loop, clang's __builtin_memcpy, bpf_probe_read_kernel, bpf_dynptr_read,
 * bpf_dynptr_copy, the obench module's rep-movs kfunc) copy `copies` x 1 KB
 * per test run; the empty loop's median is subtracted, then divided by the
 * copies.  bpf_memcpy_align1 is the paper's program (a 1000 B char struct
 * copied byte by byte into 100 map values), its own empty loop subtracted;
 * all BPF programs are sampled in one interleaved loop.  User-space
 * references (rep movsb, glibc memcpy) copy the same pattern timed with
 * clock_gettime, an empty loop subtracted likewise; the paper has no such
 * row.  The in-kernel module figure comes from the module's debugfs
 * benchmark.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "core/clock.h"
#include "core/measure.h"
#include "memcpy.skel.h"
#include "core/obench.h"

#define COPY_SIZE	1024
#define MAX_COPIES	16	/* slots in the BPF dst_buf */
#define MAX_BPF_PROGS	16	/* programs in one interleaved test_run loop */
#define KMOD_NAME	"obench_kmod"
#define KMOD_KFUNC	"obench_memcpy_rep_movs"
#define KMOD_BENCH	"/sys/kernel/debug/obench/memcpy_bench"
#define NO_KMOD		"obench kernel module not loaded"

/* memcpy's flags, filled and validated by the runner before setup() */
struct memcpy_cfg {
	int copies;
	int batch;
};

#define CFG(f) offsetof(struct memcpy_cfg, f)
static const struct opt_spec memcpy_opts[] = {
	{ "copies", OPT_INT, CFG(copies), .def = "10", .min = 10, .max = MAX_COPIES,
	  .help = "1 KB copies per program run, into distinct slots (>= 10: test_run reports whole ns)" },
	{ "batch", OPT_INT, CFG(batch), .def = "1500", .quick = "500", .full = "5000",
	  .min = 1, .max = 10000000, .help = "test_run repetitions per sample" },
	OPT_END
};
#undef CFG

struct memcpy_exp {
	struct memcpy_bpf *skel;
	bool have_dynptr_copy, have_kmod;
};

static int memcpy_setup(struct exp_env *env)
{
	const struct memcpy_cfg *c = env->cfg;
	struct memcpy_exp *mc = calloc(1, sizeof(*mc));
	struct memcpy_bpf *s;
	size_t i;
	int err;

	if (!mc)
		return -ENOMEM;
	env->priv = mc;
	mc->skel = s = memcpy_bpf__open();
	if (!s)
		return -errno;
	s->rodata->copies = (__u32)c->copies;
	/* Programs the kernel cannot load are left out, and reported skipped. */
	mc->have_dynptr_copy = kernel_has_func("bpf_dynptr_copy", NULL);
	mc->have_kmod = kernel_has_func(KMOD_KFUNC, KMOD_NAME);
	bpf_program__set_autoload(s->progs.dynptr_copy, mc->have_dynptr_copy);
	bpf_program__set_autoload(s->progs.kfunc_rep_movs, mc->have_kmod);
	err = memcpy_bpf__load(s);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the memcpy programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	srand(1);
	for (i = 0; i < sizeof(s->bss->src_buf); i++)
		((unsigned char *)s->bss->src_buf)[i] = (unsigned char)rand();
	return 0;
}

/* ---- BPF programs, through BPF_PROG_TEST_RUN ---- */

/*
 * The paper's shape (bpf/memcpy.bpf.c, memcpy_align1): value 0 of
 * align1_items is the source, values 1..N the destinations.  Random source
 * bytes, zeroed destinations.
 */
static int align1_fill(struct memcpy_bpf *s)
{
	int fd = bpf_map__fd(s->maps.align1_items);
	__u32 size = bpf_map__value_size(s->maps.align1_items);
	__u32 n = bpf_map__max_entries(s->maps.align1_items), k, i;
	unsigned char *val = calloc(1, size);
	int err = 0;

	if (!val)
		return -ENOMEM;
	for (k = 0; k < n && !err; k++) {
		for (i = 0; i < size; i++)
			val[i] = k ? 0 : (unsigned char)rand();
		if (bpf_map_update_elem(fd, &k, val, BPF_ANY))
			err = -errno;
	}
	free(val);
	return err;
}

/* Every destination value holds the source's bytes, and no lookup failed. */
static int align1_check(struct memcpy_bpf *s)
{
	int fd = bpf_map__fd(s->maps.align1_items);
	__u32 size = bpf_map__value_size(s->maps.align1_items);
	__u32 n = bpf_map__max_entries(s->maps.align1_items), k;
	unsigned char *src = malloc(size), *dst = malloc(size);
	int err = 0;

	if (!src || !dst) {
		err = -ENOMEM;
		goto out;
	}
	k = 0;
	if (bpf_map_lookup_elem(fd, &k, src)) {
		err = -errno;
		goto out;
	}
	for (k = 1; k < n && !err; k++) {
		if (bpf_map_lookup_elem(fd, &k, dst) || memcmp(dst, src, size)) {
			fprintf(stderr, "memcpy: memcpy_align1 left value %u unequal to the source\n", k);
			err = -EIO;
		}
	}
	if (!err && s->bss->align1_missing) {
		fprintf(stderr, "memcpy: memcpy_align1: %llu lookups failed\n",
			(unsigned long long)s->bss->align1_missing);
		err = -EIO;
	}
out:
	free(src);
	free(dst);
	return err;
}

/* One measured BPF program: a row (config) or a baseline (config NULL). */
struct bpf_copy {
	const char *config;
	struct bpf_program *prog;
	const char *skip;	/* non-NULL: not loaded, why */
	int baseline;		/* its baseline: 0 the empty loop, 1 align1's no-copy loop */
	double copies;		/* copies per run */
};

/* The rows of @progs from the interleaved samples @v (nonskipped programs, in order). */
static void add_bpf_rows(struct exp_env *env, const struct bpf_copy *progs, int n, double *v,
			 double copies, unsigned int batch)
{
	size_t total = measure_total(env);
	double base[2] = { 0, 0 }, *slot[MAX_BPF_PROGS];
	char note[2][256];
	bool noted[2] = { false, false };
	int i, m;

	/* where each program's samples are, skipped ones taking no slot */
	for (i = 0, m = 0; i < n; i++)
		slot[i] = progs[i].skip ? NULL : &v[(size_t)m++ * total];
	for (i = 0; i < n; i++)
		if (!progs[i].config)
			base[progs[i].baseline] = measure_median(env, slot[i]);
	snprintf(note[0], sizeof(note[0]), "empty-loop median (%.1f ns/run) subtracted; %.0f x 1 KB copies/run x %u runs/sample",
		 base[0], copies, batch);
	snprintf(note[1], sizeof(note[1]), "paper's program: 1000 B char struct, 1000 byte ld/st pairs, value 0 -> "
		 "values 1..100, bpf_loop + lookup each; no-copy loop (%.0f ns/run) subtracted; per 1000 B; %u runs/sample",
		 base[1], batch);
	/* rows in the table's order, skipped ones in their place */
	for (i = 0; i < n; i++) {
		const struct bpf_copy *p = &progs[i];

		if (!p->config)
			continue;
		if (p->skip) {
			result_skip(env->rs, p->config, "ns_per_1k_copy", p->skip);
			continue;
		}
		measure_per_op(slot[i], total, base[p->baseline], p->copies);
		env_add_samples(env, p->config, "ns_per_1k_copy", "ns", slot[i], total, 0,
				noted[p->baseline] ? "" : note[p->baseline]);
		noted[p->baseline] = true;
	}
}

static int measure_bpf(struct exp_env *env, double copies)
{
	struct memcpy_exp *mc = env->priv;
	struct memcpy_bpf *s = mc->skel;
	const double align1 = bpf_map__max_entries(s->maps.align1_items) - 1;
	/* one interleaved test_run loop: the claims pair these rows round by round */
	const struct bpf_copy progs[] = {
		{ NULL, s->progs.empty_loop, NULL, 0, copies },
		{ "bpf_byte_loop", s->progs.byte_loop, NULL, 0, copies },
		{ "bpf_u64_loop", s->progs.u64_loop, NULL, 0, copies },
		{ "bpf_builtin_memcpy", s->progs.builtin_memcpy, NULL, 0, copies },
		{ NULL, s->progs.memcpy_align1_empty, NULL, 1, align1 },
		{ "bpf_memcpy_align1", s->progs.memcpy_align1, NULL, 1, align1 },
		{ "bpf_probe_read_kernel", s->progs.probe_read_kernel, NULL, 0, copies },
		{ "bpf_dynptr_read", s->progs.dynptr_read, NULL, 0, copies },
		{ "bpf_dynptr_copy", s->progs.dynptr_copy,
		  mc->have_dynptr_copy ? NULL : "kernel lacks the bpf_dynptr_copy kfunc (6.15+)", 0, copies },
		{ "kfunc_rep_movsb", s->progs.kfunc_rep_movs, mc->have_kmod ? NULL : NO_KMOD, 0, copies },
	};
	const int n = (int)(sizeof(progs) / sizeof(progs[0]));
	unsigned int batch = (unsigned int)((const struct memcpy_cfg *)env->cfg)->batch;
	size_t total = measure_total(env);
	int fds[MAX_BPF_PROGS], nfds = 0, i, err;
	unsigned char pkt[64];
	double *v;

	_Static_assert(sizeof(progs) / sizeof(progs[0]) <= MAX_BPF_PROGS, "too many programs");
	build_udp_frame(pkt, sizeof(pkt));
	for (i = 0; i < n; i++) {
		if (progs[i].skip)
			continue;
		fds[nfds++] = bpf_program__fd(progs[i].prog);
	}
	v = calloc((size_t)nfds * total, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = align1_fill(s);
	if (!err)
		err = measure_testrun(env, fds, nfds, pkt, sizeof(pkt), batch, v);
	if (err)
		goto out;
	if (s->bss->copy_err) {
		fprintf(stderr, "memcpy: a BPF copy helper failed (%d)\n", s->bss->copy_err);
		err = -EIO;
		goto out;
	}
	err = align1_check(s);
	if (!err)
		add_bpf_rows(env, progs, n, v, copies, batch);
out:
	free(v);
	return err;
}

/* ---- user-space references, timed with clock_gettime ---- */

enum user_copy { USER_EMPTY, USER_REP_MOVSB, USER_GLIBC, USER_NR };

/* The paper has no user-space row: its native copy is a kernel module's memcpy(). */
#define USER_NO_PAPER	"user space: no paper counterpart (its native copy is a kernel module's memcpy())"

static const char *const user_config[USER_NR] = {
	"user_empty_loop", "user_rep_movsb", "user_glibc_memcpy",
};

static void copy_rep_movsb(void *dst, const void *src, size_t len)
{
#if defined(__x86_64__) || defined(__i386__)
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(len) : : "memory");
#else
	(void)dst, (void)src, (void)len;
#endif
}

/* Mean ns per copy over @reps passes of @copies copies, loop overhead included. */
static double user_sample(enum user_copy how, unsigned char *dst, const unsigned char *src,
			  unsigned int copies, unsigned int reps)
{
	size_t len = COPY_SIZE;
	unsigned int r, i;
	double t0;

	/* Hide the size: glibc's memcpy is called, not an inlined constant copy. */
	asm volatile("" : "+r"(len));
	t0 = mono_ns();
	for (r = 0; r < reps; r++) {
		for (i = 0; i < copies; i++) {
			unsigned char *d = dst + (size_t)i * COPY_SIZE;

			if (how == USER_REP_MOVSB)
				copy_rep_movsb(d, src, len);
			else if (how == USER_GLIBC)
				memcpy(d, src, len);
			/* the copy's result escapes; the loop is not folded */
			asm volatile("" : : "r"(d) : "memory");
		}
	}
	return (mono_ns() - t0) / ((double)reps * copies);
}

struct user_copy_ctx {
	unsigned char *dst;
	const unsigned char *src;
	unsigned int copies, reps;
};

static int user_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	const struct user_copy_ctx *u = ctx;

	(void)env;
	(void)round;
	*sample = user_sample((enum user_copy)conf, u->dst, u->src, u->copies, u->reps);
	return 0;
}

static int measure_user(struct exp_env *env, unsigned int copies)
{
	struct user_copy_ctx u = { .copies = copies, .reps = measure_batch(env, 2000) };
	struct sampler s = { .nconf = USER_NR, .step = user_step, .ctx = &u, .names = user_config };
	size_t total = measure_total(env), r;
	unsigned char *src, *dst;
	double *v = sampler_alloc(env, &s), base;
	int k, err = 0;
	char note[192];

	u.src = src = aligned_alloc(64, COPY_SIZE);
	u.dst = dst = aligned_alloc(64, (size_t)copies * COPY_SIZE);
	if (!src || !dst || !v) {
		err = -ENOMEM;
		goto out;
	}
	for (r = 0; r < COPY_SIZE; r++)
		src[r] = (unsigned char)rand();
	memset(dst, 0, (size_t)copies * COPY_SIZE);
	err = sample_interleaved(env, &s, v);
	if (err)
		goto out;
	for (r = 0; r < copies; r++) {
		if (memcmp(dst + r * COPY_SIZE, src, COPY_SIZE)) {
			fprintf(stderr, "memcpy: user-space copy produced wrong bytes\n");
			err = -EIO;
			goto out;
		}
	}
	base = measure_median(env, sample_series(env, &s, v, 0, USER_EMPTY));
	snprintf(note, sizeof(note), "%s; user empty loop (%.2f ns/copy) subtracted; %u x 1 KB copies x %u passes/sample",
		 USER_NO_PAPER, base, copies, u.reps);
	for (k = 1; k < USER_NR; k++) {
#if !defined(__x86_64__) && !defined(__i386__)
		if (k == USER_REP_MOVSB) {
			result_skip(env->rs, user_config[k], "ns_per_1k_copy", "not an x86 CPU");
			continue;
		}
#endif
		env_add_samples(env, user_config[k], "ns_per_1k_copy", "ns",
				sample_series(env, &s, v, 0, k), total, base, k == 1 ? note : USER_NO_PAPER);
	}
out:
	free(v);
	free(dst);
	free(src);
	return err;
}

/* ---- the module's in-kernel memcpy benchmark (debugfs) ---- */

/* One sample: runs @iters passes of the module's 100 x 1 KB copies. */
static int kmod_sample(unsigned int iters, double *ns)
{
	char buf[160], *p;
	ssize_t len;
	int fd;

	fd = open(KMOD_BENCH, O_RDWR);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "iterations=%u method=memcpy", iters);
	if (write(fd, buf, (size_t)len) != len || lseek(fd, 0, SEEK_SET) < 0 ||
	    (len = read(fd, buf, sizeof(buf) - 1)) <= 0) {
		close(fd);
		return -EIO;
	}
	close(fd);
	buf[len] = '\0';
	p = strstr(buf, "ns_per_copy=");
	if (!p)
		return -EIO;
	*ns = strtod(p + strlen("ns_per_copy="), NULL);
	return 0;
}

static int kmod_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	(void)env;
	(void)conf;
	(void)round;
	return kmod_sample(*(const unsigned int *)ctx, sample);
}

static int measure_kmod(struct exp_env *env)
{
	static const char *const name[] = { "kernel module" };
	unsigned int iters = measure_batch(env, 200);
	struct sampler s = { .nconf = 1, .step = kmod_step, .ctx = &iters, .names = name };
	size_t total = measure_total(env);
	double *v;
	int err;

	if (!((struct memcpy_exp *)env->priv)->have_kmod) {
		result_skip(env->rs, "kernel_module", "ns_per_1k_copy", NO_KMOD);
		return 0;
	}
	if (access(KMOD_BENCH, W_OK)) {
		result_skip(env->rs, "kernel_module", "ns_per_1k_copy",
			    "debugfs not mounted (" KMOD_BENCH " missing)");
		return 0;
	}
	v = sampler_alloc(env, &s);
	if (!v)
		return -ENOMEM;
	err = sample_interleaved(env, &s, v);
	if (!err)
		env_add_samples(env, "kernel_module", "ns_per_1k_copy", "ns", v, total, 0,
				"module's memcpy(), 100 x 1 KB per pass, loop overhead included");
	free(v);
	return err;
}

static int memcpy_run(struct exp_env *env)
{
	unsigned int copies = (unsigned int)((const struct memcpy_cfg *)env->cfg)->copies;
	int err;

	err = measure_bpf(env, copies);
	if (!err)
		err = measure_user(env, copies);
	if (!err)
		err = measure_kmod(env);
	return err;
}

static void memcpy_teardown(struct exp_env *env)
{
	struct memcpy_exp *mc = env->priv;

	if (!mc)
		return;
	memcpy_bpf__destroy(mc->skel);
	free(mc);
	env->priv = NULL;
}

static void memcpy_report(const struct result_set *rs, FILE *md)
{
	(void)rs;
	fputs("\nMethod: each BPF program copies one 1 KB object into distinct 1 KB slots per run;\n"
	      "the empty loop over the same slots is subtracted.  bpf_builtin_memcpy is clang's\n"
	      "inline expansion (128 8-byte load/store pairs); the helpers and kfuncs run the\n"
	      "kernel's native memcpy/memmove.  bpf_memcpy_align1 is the paper's own program:\n"
	      "__builtin_memcpy of a 1000-byte char struct, which clang expands into 1000 single-byte\n"
	      "load/store pairs, from array value 0 into values 1..100 (one bpf_loop callback and\n"
	      "lookup per copy; the same loop without the copy is subtracted).  It is the row the\n"
	      "claims judge, against bpf_dynptr_read (the kernel's memmove through a helper) on the\n"
	      "host and the module elsewhere.  user_* rows copy the same pattern in this process\n"
	      "(rep movsb inline asm, glibc memcpy): the paper has no user-space row, so they are\n"
	      "for reference only.\n", md);
}

const struct experiment exp_memcpy = {
	.name = "memcpy",
	.paper_ref = "Table 6",
	.summary = "ns per 1 KB copy: BPF loops, helpers and kfuncs vs native rep movsb / memcpy",
	.tiers = "host,vm,hw",
	.opts = memcpy_opts,
	.cfg_size = sizeof(struct memcpy_cfg),
	.in_default_suite = true,
	.setup = memcpy_setup,
	.run = memcpy_run,
	.teardown = memcpy_teardown,
	.report = memcpy_report,
};
