// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel -> user channels of `channel` (Fig. 13) and the mmap'd array of
 * `user-access` (Table 4):
 *  - a BPF_F_MMAPABLE array reads the same 64 bytes through mmap as through
 *    the lookup syscall, both ways round;
 *  - the array and ring-buffer producers, run a known number of times with
 *    nothing consuming, leave exactly records 0..N-1 with the frame's bytes;
 *  - the experiment itself, with payload verification on, consumes every
 *    record of each channel (array, ringbuf poll, ringbuf busy, AF_XDP)
 *    exactly once, in order and intact, under a concurrent producer: its
 *    bad_records row (lost + duplicated + reordered + corrupt, and for
 *    AF_XDP gaps that the socket's drop counters do not explain) is 0.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "channel.skel.h"
#include "ktap.h"
#include "core/obench.h"
#include "user_access.skel.h"

#define REC	64
#define N	1000

extern const struct experiment exp_channel;

static unsigned char frame[REC];

static void test_mmap_equals_syscall(void)
{
	struct user_access_bpf *s = user_access_bpf__open_and_load();
	unsigned char a[REC], b[REC], *mm;
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	__u32 k = 0;
	int ok = 1, fd, i;

	if (!s) {
		ktap_skip_test("mmap'd array == syscall read", "cannot load user_access.bpf.o");
		return;
	}
	fd = bpf_map__fd(s->maps.mmap_array);
	mm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	KTAP_CHECK(ok, mm != MAP_FAILED, "mmap: %s", strerror(errno));
	if (mm != MAP_FAILED) {
		for (i = 0; i < REC; i++)
			a[i] = (unsigned char)(i * 7 + 3);
		KTAP_CHECK(ok, !bpf_map_update_elem(fd, &k, a, BPF_ANY), "update: %s", strerror(errno));
		KTAP_CHECK(ok, !memcmp(mm, a, REC), "mmap does not see the syscall's write");
		for (i = 0; i < REC; i++)
			mm[i] = (unsigned char)(255 - i);
		KTAP_CHECK(ok, !bpf_map_lookup_elem(fd, &k, b), "lookup: %s", strerror(errno));
		KTAP_CHECK(ok, !memcmp(mm, b, REC), "the syscall does not see the mmap write");
		munmap(mm, len);
	}
	user_access_bpf__destroy(s);
	ktap_result(ok, "mmap'd array == syscall read");
}

/* Record i: sequence number @seq, then the frame's bytes 8..63. */
static int rec_ok(const unsigned char *r, __u64 seq)
{
	__u64 got;

	memcpy(&got, r, 8);
	return got == seq && !memcmp(r + 8, frame + 8, REC - 8);
}

static __u64 rb_next;
static int rb_bad;

static int rb_cb(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != REC || !rec_ok(data, rb_next))
		rb_bad++;
	rb_next++;
	return 0;
}

static int run_n(int prog_fd, unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = REC, .repeat = n);

	return bpf_prog_test_run_opts(prog_fd, &o) ? -errno : 0;
}

static void test_producers_bounded(void)
{
	struct channel_bpf *s = channel_bpf__open();
	struct ring_buffer *rb = NULL;
	unsigned char r[REC];
	int ok = 1, got;
	__u32 i;

	if (!s || channel_bpf__load(s)) {
		ktap_skip_test("producers: N records, 0..N-1, intact", "cannot load channel.bpf.o");
		channel_bpf__destroy(s);
		return;
	}
	/* array: N < slots records, read back with the syscall */
	KTAP_CHECK(ok, !run_n(bpf_program__fd(s->progs.to_array), N), "test_run to_array");
	KTAP_CHECK(ok, s->bss->produced == N && s->bss->dropped == 0, "array: produced %llu dropped %llu",
		   (unsigned long long)s->bss->produced, (unsigned long long)s->bss->dropped);
	for (i = 0; i < N && ok; i++) {
		KTAP_CHECK(ok, !bpf_map_lookup_elem(bpf_map__fd(s->maps.slots), &i, r), "lookup %u", i);
		KTAP_CHECK(ok, rec_ok(r, i), "array slot %u: wrong sequence or bytes", i);
	}
	/* ring buffer: N records, drained once each */
	s->bss->produced = 0;
	KTAP_CHECK(ok, !run_n(bpf_program__fd(s->progs.to_ringbuf), N), "test_run to_ringbuf");
	rb = ring_buffer__new(bpf_map__fd(s->maps.rb), rb_cb, NULL, NULL);
	KTAP_CHECK(ok, rb, "ring_buffer__new");
	if (rb) {
		got = ring_buffer__consume(rb);
		KTAP_CHECK(ok, got == N && rb_next == N && !rb_bad, "ringbuf: %d records, %d bad", got, rb_bad);
		KTAP_CHECK(ok, ring_buffer__consume(rb) == 0, "ringbuf: records left after draining");
	}
	ring_buffer__free(rb);
	channel_bpf__destroy(s);
	ktap_result(ok, "producers: N records, 0..N-1, intact");
}

static void test_experiment(void)
{
	static const char *const chans[] = { "array_syscall", "ringbuf_poll", "ringbuf_busy", "af_xdp" };
	struct result_set rs;
	static const char *const set[] = { "verify=true", "seconds=0.1", "repeats=2",
					   "burst=262144", NULL };
	struct opt_given given;
	struct opt_values ov;
	char err[256];
	struct exp_env env = { .exp = &exp_channel, .profile = PROFILE_QUICK, .samples = 2,
			       .warmup = 1, .tier = "host", .rs = &rs };
	int rc, i;

	result_set_init(&rs, "channel");
	env.cfg = experiment_config(&exp_channel, PROFILE_QUICK, set, &given, err, sizeof(err));
	if (!env.cfg) {
		ktap_print("%s", err);
		exit(KSFT_FAIL);
	}
	ov = (struct opt_values){ exp_channel.opts, env.cfg, &given };
	env.opts = &ov;
	rc = exp_channel.setup(&env);
	if (rc == EXP_SKIP) {
		for (i = 0; i < 4; i++)
			ktap_skip_test(chans[i], env.skip_reason);
		goto out;
	}
	if (rc == 0)
		rc = exp_channel.run(&env);
	for (i = 0; i < 4; i++) {
		const struct result_row *bad = result_find(&rs, chans[i], "bad_records");
		const struct result_row *del = result_find(&rs, chans[i], "delivered_mpps");
		char name[96];
		int ok = 1;

		snprintf(name, sizeof(name), "%s: every record consumed once, in order, intact", chans[i]);
		if (del && del->skipped) {
			ktap_skip_test(name, del->note);
			continue;
		}
		KTAP_CHECK(ok, rc == 0, "setup/run: %s", strerror(-rc));
		KTAP_CHECK(ok, bad && del, "no rows for %s", chans[i]);
		if (bad && del) {
			KTAP_CHECK(ok, bad->st.median == 0, "%.0f bad records (%s)", bad->st.median, bad->note);
			KTAP_CHECK(ok, del->st.max > 0, "nothing delivered in any window");
			ktap_print("%s: %s", chans[i], bad->note);
		}
		ktap_result(ok, name);
	}
out:
	exp_channel.teardown(&env);
	free((void *)env.cfg);
	result_set_free(&rs);
}

int main(void)
{
	if (geteuid()) {
		ktap_plan(0);
		ktap_print("needs root (CAP_BPF, CAP_NET_ADMIN)");
		exit(KSFT_SKIP);
	}
	bpfutil_quiet_libbpf();
	build_udp_frame(frame, sizeof(frame));
	ktap_plan(6);
	test_mmap_equals_syscall();
	test_producers_bounded();
	test_experiment();
	ktap_finish();
	return 0;
}
