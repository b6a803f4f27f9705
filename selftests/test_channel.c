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
#include "harness.h"
#include "core/obench.h"
#include "user_access.skel.h"

#define REC	64
#define N	1000

extern const struct experiment exp_channel;

TEST(mmap_array_equals_syscall_read)
{
	struct user_access_bpf *s;
	unsigned char a[REC], b[REC], *mm;
	size_t len = (size_t)sysconf(_SC_PAGESIZE);
	__u32 k = 0;
	int fd, i;

	if (geteuid())
		SKIP(return, "needs root (CAP_BPF, CAP_NET_ADMIN)");
	s = user_access_bpf__open_and_load();
	ASSERT(s, "cannot load user_access.bpf.o: the verifier rejected it?");
	fd = bpf_map__fd(s->maps.mmap_array);
	mm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(mm != MAP_FAILED, "mmap: %s", strerror(errno));
	if (mm != MAP_FAILED) {
		for (i = 0; i < REC; i++)
			a[i] = (unsigned char)(i * 7 + 3);
		EXPECT(!bpf_map_update_elem(fd, &k, a, BPF_ANY), "update: %s", strerror(errno));
		EXPECT(!memcmp(mm, a, REC), "mmap does not see the syscall's write");
		for (i = 0; i < REC; i++)
			mm[i] = (unsigned char)(255 - i);
		EXPECT(!bpf_map_lookup_elem(fd, &k, b), "lookup: %s", strerror(errno));
		EXPECT(!memcmp(mm, b, REC), "the syscall does not see the mmap write");
		munmap(mm, len);
	}
	user_access_bpf__destroy(s);
}

/* What the producers write: record i is sequence number i, then bytes 8..63 of @frame. */
struct records {
	unsigned char frame[REC];
	__u64 next;		/* sequence number the ring buffer should hand over next */
	int bad;
};

static int rec_ok(const struct records *want, const unsigned char *r, __u64 seq)
{
	__u64 got;

	memcpy(&got, r, 8);
	return got == seq && !memcmp(r + 8, want->frame + 8, REC - 8);
}

static int rb_cb(void *ctx, void *data, size_t size)
{
	struct records *want = ctx;

	if (size != REC || !rec_ok(want, data, want->next))
		want->bad++;
	want->next++;
	return 0;
}

static int run_n(int prog_fd, const struct records *want, unsigned int n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = want->frame, .data_size_in = REC, .repeat = n);

	return bpf_prog_test_run_opts(prog_fd, &o) ? -errno : 0;
}

/* Array slots 0..N-1 hold records 0..N-1 (stops at the first that does not). */
static void check_array(struct th_test *_t, struct channel_bpf *s, const struct records *want)
{
	unsigned char r[REC];
	__u32 i;

	for (i = 0; i < N; i++) {
		ASSERT(!bpf_map_lookup_elem(bpf_map__fd(s->maps.slots), &i, r), "lookup %u", i);
		ASSERT(rec_ok(want, r, i), "array slot %u: wrong sequence or bytes", i);
	}
}

/* The producers run N times with nothing consuming leave records 0..N-1, intact. */
TEST(producers_n_records_intact)
{
	struct records want = { 0 };
	struct channel_bpf *s;
	struct ring_buffer *rb;
	int got;

	if (geteuid())
		SKIP(return, "needs root (CAP_BPF, CAP_NET_ADMIN)");
	build_udp_frame(want.frame, sizeof(want.frame));
	s = channel_bpf__open();
	if (!s || channel_bpf__load(s)) {
		channel_bpf__destroy(s);
		ASSERT(0, "cannot load channel.bpf.o: the verifier rejected it?");
	}
	/* array: N < slots records, read back with the syscall */
	EXPECT(!run_n(bpf_program__fd(s->progs.to_array), &want, N), "test_run to_array");
	EXPECT(s->bss->produced == N && s->bss->dropped == 0, "array: produced %llu dropped %llu",
	       (unsigned long long)s->bss->produced, (unsigned long long)s->bss->dropped);
	check_array(_t, s, &want);
	/* ring buffer: N records, drained once each */
	s->bss->produced = 0;
	EXPECT(!run_n(bpf_program__fd(s->progs.to_ringbuf), &want, N), "test_run to_ringbuf");
	rb = ring_buffer__new(bpf_map__fd(s->maps.rb), rb_cb, &want, NULL);
	EXPECT(rb, "ring_buffer__new");
	if (rb) {
		got = ring_buffer__consume(rb);
		EXPECT(got == N && want.next == N && !want.bad, "ringbuf: %d records, %d bad",
		       got, want.bad);
		EXPECT(ring_buffer__consume(rb) == 0, "ringbuf: records left after draining");
	}
	ring_buffer__free(rb);
	channel_bpf__destroy(s);
}

/*
 * The experiment itself, run once for the four channels with payload
 * verification on (env.cfg as `obench run channel --verify ...` would build it).
 */
static struct result_set rs;
static struct exp_env env = { .exp = &exp_channel, .profile = PROFILE_QUICK, .samples = 2,
			      .warmup = 1, .tier = "host", .rs = &rs };
static struct opt_given given;
static bool channel_set_up;
static int channel_rc;		/* what setup/run returned */

static void channel_free(void)
{
	if (channel_set_up)
		exp_channel.teardown(&env);
	free((void *)env.cfg);
	result_set_free(&rs);
}

static int channel_run(char *why, size_t len)
{
	static const char *const set[] = { "verify=true", "seconds=0.1", "repeats=2",
					   "burst=262144", NULL };
	char err[256];

	if (geteuid())
		return harness_reason(why, len, KSFT_SKIP, "needs root (CAP_BPF, CAP_NET_ADMIN)");
	result_set_init(&rs, "channel");
	harness_at_end(channel_free);
	env.cfg = experiment_config(&exp_channel, PROFILE_QUICK, set, &given, err, sizeof(err));
	if (!env.cfg)
		return harness_reason(why, len, KSFT_FAIL, "%s", err);
	channel_set_up = true;
	channel_rc = exp_channel.setup(&env);
	if (channel_rc == EXP_SKIP)
		return harness_reason(why, len, KSFT_SKIP, "%s", env.skip_reason);
	if (channel_rc == 0)
		channel_rc = exp_channel.run(&env);
	return 0;
}

static struct harness_once channel_once;

FIXTURE(channel) {
	const struct result_row *bad, *delivered;	/* the channel's rows */
};

FIXTURE_VARIANT(channel) {
	const char *config;	/* the channel's rows in the CSV */
};

FIXTURE_VARIANT_ADD(channel, array_syscall) { .config = "array_syscall" };
FIXTURE_VARIANT_ADD(channel, ringbuf_poll) { .config = "ringbuf_poll" };
FIXTURE_VARIANT_ADD(channel, ringbuf_busy) { .config = "ringbuf_busy" };
FIXTURE_VARIANT_ADD(channel, af_xdp) { .config = "af_xdp" };

FIXTURE_SETUP(channel)
{
	SETUP_ONCE(&channel_once, channel_run);
	self->bad = result_find(&rs, variant->config, "bad_records");
	self->delivered = result_find(&rs, variant->config, "delivered_mpps");
}

/*
 * Under a concurrent producer every record is consumed once, in order,
 * intact: the bad_records row (lost + duplicated + reordered + corrupt, and
 * for AF_XDP gaps that the socket's drop counters do not explain) is 0.
 */
TEST_F(channel, every_record_consumed_once_in_order_intact)
{
	const struct result_row *bad = self->bad, *del = self->delivered;

	if (del && del->skipped)
		SKIP(return, "%s", del->note);
	EXPECT(channel_rc == 0, "setup/run: %s", strerror(-channel_rc));
	ASSERT(bad && del, "no rows for %s", variant->config);
	EXPECT(bad->st.median == 0, "%.0f bad records (%s)", bad->st.median, bad->note);
	EXPECT(del->st.max > 0, "nothing delivered in any window");
	TH_LOG("%s: %s", variant->config, bad->note);
}

int main(int argc, char **argv)
{
	bpfutil_quiet_libbpf();
	return harness_main(argc, argv);
}
