// SPDX-License-Identifier: GPL-2.0
/*
 * test_kmod: KTAP tests of the obench kernel module (kmod/obench_kmod.ko),
 * meant to run as root inside the testbed VM (selftests/vm/in_vm.sh).
 *
 *   test_kmod [--kmod PATH] [--cycles N]
 *
 * Loads and unloads the module itself (finit_module / delete_module), so
 * the module must not be in use by anything else.  Exit: 0 all passed,
 * 1 a test failed, 4 everything skipped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "kmod_kfuncs.skel.h"
#include "ktap.h"

#define OBENCH_INLINE static inline
#include <obench/workloads.h>

#define MOD_NAME	"obench_kmod"
#define DEBUGFS_BENCH	"/sys/kernel/debug/obench/memcpy_bench"
#define BENCH_ITERS	50
#define NR_TESTS	19

static const char *kmod_path = "kmod/obench_kmod.ko";
static int nr_cycles = 100;

/* libbpf output is buffered and only shown (as KTAP diagnostics) on failure. */
static char lb_log[1 << 16];
static size_t lb_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	int n;

	if (level == LIBBPF_DEBUG || lb_len >= sizeof(lb_log) - 1)
		return 0;
	n = vsnprintf(lb_log + lb_len, sizeof(lb_log) - lb_len, fmt, ap);
	if (n > 0)
		lb_len += (size_t)n < sizeof(lb_log) - lb_len ?
			  (size_t)n : sizeof(lb_log) - lb_len - 1;
	return 0;
}

static void log_reset(void)
{
	lb_len = 0;
	lb_log[0] = '\0';
}

static void log_dump(int max_lines)
{
	char *line, *save = NULL;
	int n = 0;

	for (line = strtok_r(lb_log, "\n", &save); line && n < max_lines;
	     line = strtok_r(NULL, "\n", &save), n++)
		printf("#   libbpf: %s\n", line);
	log_reset();
}

/* Show why libbpf refused the kfunc programs (unresolved __ksym expected). */
static void ksym_reason(void)
{
	char *p = strstr(lb_log, "obench_");

	if (p) {
		while (p > lb_log && p[-1] != '\n')
			p--;
		ktap_print("%.*s", (int)strcspn(p, "\n"), p);
	}
	log_reset();
}

static int mod_load(void)
{
	int fd, ret;

	fd = open(kmod_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int mod_unload(void)
{
	return syscall(SYS_delete_module, MOD_NAME, O_NONBLOCK) ? -errno : 0;
}

/*
 * BPF programs are freed asynchronously (RCU + workqueue): the module
 * reference they hold goes away shortly after the last fd is closed.
 */
static int mod_unload_retry(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, ret = -EAGAIN;

	for (i = 0; i < 500; i++) {
		ret = mod_unload();
		if (ret != -EAGAIN && ret != -EBUSY)
			break;
		nanosleep(&ts, NULL);
	}
	return ret;
}

static bool mod_loaded(void)
{
	return access("/sys/module/" MOD_NAME, F_OK) == 0;
}

static unsigned int rnd_state = 0x12345678;

static unsigned int rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static int run_prog(struct bpf_program *prog, void *data, __u32 size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = data,
		.data_size_in = size,
	);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err)
		return -errno;
	return (int)opts.retval;
}

/* Open the skeleton with only @only autoloaded (NULL: the default set). */
static struct kmod_kfuncs_bpf *skel_open_load(const char *only, int *err)
{
	struct kmod_kfuncs_bpf *skel;
	struct bpf_program *prog;

	skel = kmod_kfuncs_bpf__open();
	if (!skel) {
		*err = -errno;
		return NULL;
	}
	if (only) {
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog,
				!strcmp(bpf_program__name(prog), only));
	}
	*err = kmod_kfuncs_bpf__load(skel);
	if (*err) {
		kmod_kfuncs_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The debugfs memcpy benchmark: write the request, parse the reply. */
static bool bench_check(const char *method)
{
	char req[64], buf[256], got_method[32];
	unsigned long long copies, total;
	double ns;
	ssize_t n;
	int fd;

	fd = open(DEBUGFS_BENCH, O_RDWR);
	if (fd < 0) {
		ktap_print("open %s: %s", DEBUGFS_BENCH, strerror(errno));
		return false;
	}
	snprintf(req, sizeof(req), "iterations=%d method=%s\n", BENCH_ITERS,
		 method);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		ktap_print("write '%s': %s", req, strerror(errno));
		close(fd);
		return false;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0) {
		ktap_print("read: %s", n ? strerror(errno) : "empty");
		return false;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	ktap_print("%s (emulated CPU, not a measurement)", buf);
	if (sscanf(buf, "ns_per_copy=%lf copies=%llu total_ns=%llu method=%31s",
		   &ns, &copies, &total, got_method) != 4) {
		ktap_print("unparsable reply");
		return false;
	}
	if (copies != 100ULL * BENCH_ITERS || !total || !(ns > 0) ||
	    strcmp(got_method, method)) {
		ktap_print("want copies=%d, total_ns>0, method=%s", 100 * BENCH_ITERS,
		     method);
		return false;
	}
	/* Rejects junk. */
	fd = open(DEBUGFS_BENCH, O_WRONLY);
	if (fd >= 0) {
		bool rejected = write(fd, "bogus=1", 7) < 0 && errno == EINVAL;

		close(fd);
		if (!rejected) {
			ktap_print("'bogus=1' was not rejected with EINVAL");
			return false;
		}
	}
	return true;
}

static bool test_copy(struct kmod_kfuncs_bpf *skel)
{
	unsigned char want[sizeof(skel->bss->src_buf)];
	size_t i;
	int ret;

	for (i = 0; i < sizeof(want); i++)
		want[i] = rnd();
	memcpy(skel->bss->src_buf, want, sizeof(want));
	memset(skel->bss->dst_buf, 0, sizeof(skel->bss->dst_buf));
	skel->bss->copy_ret = -1;
	ret = run_prog(skel->progs.copy_rep_movs, NULL, 0);
	if (ret) {
		ktap_print("test run: %d", ret);
		return false;
	}
	if (skel->bss->copy_ret != (int)sizeof(want)) {
		ktap_print("copied %d bytes, want %zu", skel->bss->copy_ret,
		     sizeof(want));
		return false;
	}
	if (memcmp(skel->bss->dst_buf, want, sizeof(want))) {
		ktap_print("destination differs from the source");
		return false;
	}
	return true;
}

static bool test_tc_copy(struct kmod_kfuncs_bpf *skel)
{
	unsigned char pkt[64] = { 0 };
	int ret;

	memset(skel->bss->tc_dst, 0, sizeof(skel->bss->tc_dst));
	pkt[12] = 0x08;	/* ethertype IPv4 */
	ret = run_prog(skel->progs.tc_copy, pkt, sizeof(pkt));
	if (ret < 0) {
		ktap_print("test run: %d", ret);
		return false;
	}
	if (skel->bss->tc_copy_ret != (int)sizeof(skel->bss->tc_dst) ||
	    memcmp(skel->bss->tc_dst, skel->bss->src_buf,
		   sizeof(skel->bss->tc_dst))) {
		ktap_print("tc copy: ret %d or data mismatch", skel->bss->tc_copy_ret);
		return false;
	}
	return true;
}

static bool test_fib(struct kmod_kfuncs_bpf *skel)
{
	static const __u32 ns[] = { 0, 1, 2, 10, 50, 93, 94, 100, 1000,
				    2047, 2048, 5000 };
	unsigned char pkt[64] = { 0 };
	bool ok = true;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		__u64 want = obench_fib(ns[i]);

		skel->bss->fib_n = ns[i];
		skel->bss->fib_native = skel->bss->fib_bpf = ~0ULL;
		skel->bss->xdp_fib_native = ~0ULL;
		ret = run_prog(skel->progs.fib, NULL, 0);
		if (!ret)
			ret = run_prog(skel->progs.xdp_fib, pkt, sizeof(pkt));
		if (ret < 0 || (ret != 0 && ret != 2 /* XDP_PASS */)) {
			ktap_print("n=%u: test run: %d", ns[i], ret);
			return false;
		}
		if (skel->bss->fib_native != want ||
		    skel->bss->fib_bpf != want ||
		    skel->bss->xdp_fib_native != want) {
			ktap_print("n=%u: native %llu, bpf %llu, xdp native %llu, user %llu",
			     ns[i], (unsigned long long)skel->bss->fib_native,
			     (unsigned long long)skel->bss->fib_bpf,
			     (unsigned long long)skel->bss->xdp_fib_native,
			     (unsigned long long)want);
			ok = false;
		}
	}
	return ok;
}

static bool test_sum(struct kmod_kfuncs_bpf *skel)
{
	static const __u32 reps[] = { 0, 1, 3, 64, 1000, 1024, 2000 };
	bool ok = true;
	size_t i, j;
	int ret;

	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		__u64 want;

		for (j = 0; j < sizeof(skel->bss->sum_data); j++)
			skel->bss->sum_data[j] = rnd();
		want = obench_sum64(skel->bss->sum_data, reps[i]);
		skel->bss->sum_repeat = reps[i];
		skel->bss->sum_native = skel->bss->sum_bpf = ~0ULL;
		skel->bss->sum_native_short = ~0ULL;
		ret = run_prog(skel->progs.sum64, NULL, 0);
		if (ret) {
			ktap_print("repeat=%u: test run: %d", reps[i], ret);
			return false;
		}
		if (skel->bss->sum_native != want || skel->bss->sum_bpf != want ||
		    skel->bss->sum_native_short != 0) {
			ktap_print("repeat=%u: native %llu, bpf %llu, user %llu, short-buffer %llu (want 0)",
			     reps[i], (unsigned long long)skel->bss->sum_native,
			     (unsigned long long)skel->bss->sum_bpf,
			     (unsigned long long)want,
			     (unsigned long long)skel->bss->sum_native_short);
			ok = false;
		}
	}
	return ok;
}

/* @prog must be rejected by the verifier; the skeleton's own programs load. */
static bool test_rejected(const char *prog)
{
	struct kmod_kfuncs_bpf *skel;
	char *hint;
	int err;

	log_reset();
	skel = skel_open_load(prog, &err);
	if (skel) {
		ktap_print("%s was accepted by the verifier", prog);
		kmod_kfuncs_bpf__destroy(skel);
		return false;
	}
	hint = strstr(lb_log, "invalid");
	if (!hint)
		hint = strstr(lb_log, "out of bound");
	if (err != -EACCES && err != -EINVAL) {
		ktap_print("%s failed to load with %d (%s), want a verifier rejection",
		     prog, err, strerror(-err));
		log_dump(30);
		return false;
	}
	if (hint)
		ktap_print("verifier: %.*s", (int)strcspn(hint, "\n"), hint);
	log_reset();
	return true;
}

static bool test_good_small(struct kmod_kfuncs_bpf *skel)
{
	int ret = run_prog(skel->progs.good_small, NULL, 0);

	if (ret != 0x5a || skel->bss->small_ret != 16) {
		ktap_print("good_small: retval %d small_ret %d", ret,
		     skel->bss->small_ret);
		return false;
	}
	return true;
}

/* Unload must be refused (or at least be safe) while a program uses a kfunc. */
static bool test_unload_busy(struct kmod_kfuncs_bpf *skel)
{
	int ret = mod_unload();

	if (ret == -EAGAIN || ret == -EBUSY) {
		ktap_print("delete_module refused: %s", strerror(-ret));
		return mod_loaded() && test_copy(skel);
	}
	if (ret == 0) {
		ktap_print("module unloaded while a kfunc program was loaded");
		return false;
	}
	ktap_print("delete_module: %s", strerror(-ret));
	return false;
}

/* /dev/kmsg positioned at the end when the tests started. */
static int kmsg_fd = -1;

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* The kernel log written during the tests must be free of splats. */
static bool test_dmesg_clean(void)
{
	static const char * const bad[] = { "Oops", "WARNING:", "BUG:",
					    "Call Trace" };
	int fd = kmsg_fd, hits = 0, records = 0;
	char rec[8192];
	size_t i;
	ssize_t n;

	if (fd < 0) {
		ktap_print("/dev/kmsg: %s", strerror(errno));
		return false;
	}
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records */
				continue;
			break;
		}
		rec[n] = '\0';
		records++;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				if (hits++ < 10)
					ktap_print("dmesg: %.*s",
					     (int)strcspn(rec, "\n"), rec);
				break;
			}
		}
	}
	close(fd);
	kmsg_fd = -1;
	ktap_print("scanned %d kernel log records written during the tests", records);
	return hits == 0 && records > 0;
}

static bool test_cycles(void)
{
	struct kmod_kfuncs_bpf *skel;
	int i, err;

	for (i = 0; i < nr_cycles; i++) {
		err = mod_load();
		if (err) {
			ktap_print("cycle %d: insmod: %s", i, strerror(-err));
			return false;
		}
		if (i % 2) {
			log_reset();
			skel = skel_open_load("copy_rep_movs", &err);
			if (!skel) {
				ktap_print("cycle %d: load: %d", i, err);
				log_dump(20);
				return false;
			}
			if (!test_copy(skel)) {
				kmod_kfuncs_bpf__destroy(skel);
				return false;
			}
			kmod_kfuncs_bpf__destroy(skel);
		}
		err = mod_unload_retry();
		if (err) {
			ktap_print("cycle %d: rmmod: %s", i, strerror(-err));
			return false;
		}
	}
	ktap_print("%d insmod/rmmod cycles, %d with a kfunc program run", nr_cycles,
	     nr_cycles / 2);
	return true;
}

int main(int argc, char **argv)
{
	struct kmod_kfuncs_bpf *skel = NULL;
	struct stat st;
	bool loaded;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kmod") && i + 1 < argc) {
			kmod_path = argv[++i];
		} else if (!strcmp(argv[i], "--cycles") && i + 1 < argc) {
			nr_cycles = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: %s [--kmod PATH] [--cycles N]\n",
				argv[0]);
			return 2;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);
	srand(time(NULL));
	rnd_state = (unsigned int)rand() | 1;

	ktap_plan(NR_TESTS);

	if (geteuid() != 0 || stat(kmod_path, &st) ||
	    access("/proc/modules", F_OK)) {
		const char *why = geteuid() ? "needs root" :
				  access("/proc/modules", F_OK) ?
				  "kernel without module support (run in the testbed VM)" :
				  "module not built (make kmod)";

		for (i = 0; i < NR_TESTS; i++)
			ktap_skip_test("kmod", why);
		goto out;
	}

	kmsg_open();

	/* Start from a known state: module not loaded. */
	if (mod_loaded() && mod_unload_retry())
		ktap_print("cannot remove a previously loaded %s", MOD_NAME);

	/* 1: without the module the kfunc programs do not load. */
	log_reset();
	skel = skel_open_load(NULL, &err);
	if (!skel)
		ksym_reason();
	ktap_result(!skel && !mod_loaded(), "kfunc programs fail to load without the module");
	if (skel) {
		kmod_kfuncs_bpf__destroy(skel);
		skel = NULL;
	}
	log_reset();

	/* 2-3 */
	err = mod_load();
	if (err)
		ktap_print("finit_module(%s): %s", kmod_path, strerror(-err));
	loaded = !err && mod_loaded();
	ktap_result(loaded, "insmod obench_kmod.ko");
	ktap_result(loaded && !access(DEBUGFS_BENCH, F_OK), "debugfs memcpy_bench present");

	/* 4: all default programs (syscall, xdp, tc) load with the module. */
	if (loaded) {
		log_reset();
		skel = skel_open_load(NULL, &err);
		if (!skel) {
			ktap_print("skeleton load: %d", err);
			log_dump(40);
		}
	}
	ktap_result(skel != NULL, "kfunc programs load (module BTF kfuncs resolve)");

#define SKEL_TEST(expr, name) \
	do { if (skel) ktap_result((expr), name); else ktap_skip_test(name, "skeleton not loaded"); } while (0)

	SKEL_TEST(test_copy(skel), "obench_memcpy_rep_movs copies 1 KB byte-exact (syscall)");
	SKEL_TEST(test_tc_copy(skel), "obench_memcpy_rep_movs from a tc program");
	SKEL_TEST(test_fib(skel), "obench_native_fib == BPF obench_fib == user space (syscall, xdp)");
	SKEL_TEST(test_sum(skel), "obench_native_sum64 == BPF obench_sum64 == user space; short buffer -> 0");
	SKEL_TEST(test_good_small(skel), "correct __sz on stack buffers is accepted");
	if (loaded) {
		ktap_result(test_rejected("bad_dst_sz"), "verifier rejects dst__sz larger than the buffer");
		ktap_result(test_rejected("bad_sum_sz"), "verifier rejects data__sz larger than the buffer");
		ktap_result(bench_check("memcpy"), "debugfs memcpy bench, method=memcpy");
		ktap_result(bench_check("rep_movsb"), "debugfs memcpy bench, method=rep_movsb");
	} else {
		ktap_skip_test("verifier rejects dst__sz larger than the buffer", "module not loaded");
		ktap_skip_test("verifier rejects data__sz larger than the buffer", "module not loaded");
		ktap_skip_test("debugfs memcpy bench, method=memcpy", "module not loaded");
		ktap_skip_test("debugfs memcpy bench, method=rep_movsb", "module not loaded");
	}
	SKEL_TEST(test_unload_busy(skel), "rmmod refused while a kfunc program is loaded");

	if (skel) {
		kmod_kfuncs_bpf__destroy(skel);
		skel = NULL;
	}
	if (loaded) {
		err = mod_unload_retry();
		if (err)
			ktap_print("delete_module: %s", strerror(-err));
		ktap_result(!err && !mod_loaded(), "rmmod after the program is closed");
		ktap_result(access("/sys/kernel/debug/obench", F_OK) && errno == ENOENT,
		       "debugfs directory removed on unload");
		log_reset();
		skel = skel_open_load(NULL, &err);
		if (!skel)
			ksym_reason();
		ktap_result(!skel, "kfunc programs fail to load after rmmod");
		if (skel) {
			kmod_kfuncs_bpf__destroy(skel);
			skel = NULL;
		}
		log_reset();
	} else {
		ktap_skip_test("rmmod after the program is closed", "module not loaded");
		ktap_skip_test("debugfs directory removed on unload", "module not loaded");
		ktap_skip_test("kfunc programs fail to load after rmmod", "module not loaded");
	}

	ktap_result(test_cycles(), "insmod/rmmod cycles, half with a kfunc program run");
	if (mod_loaded())
		mod_unload_retry();
	ktap_result(test_dmesg_clean(), "dmesg has no Oops/WARNING/BUG/Call Trace");

out:
	if (ktap_n != NR_TESTS) {
		ktap_print("BUG: ran %d tests, planned %d", ktap_n, NR_TESTS);
		ktap_fail++;
	}
	ktap_finish();
}
