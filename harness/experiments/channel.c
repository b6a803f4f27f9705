// SPDX-License-Identifier: GPL-2.0
/*
 * channel (paper Fig. 13): kernel -> user throughput of 64 B records that an
 * XDP program produces from 64 B frames, over four channels:
 *   array_syscall: slots of a BPF array, a head/tail pair in a mmap'd
 *     BPF_F_MMAPABLE array, one bpf_map_lookup_elem() per record;
 *   ringbuf_poll:  a BPF ring buffer, consumer blocks in ring_buffer__poll()
 *     (epoll), producer uses the default adaptive wakeup;
 *   ringbuf_busy:  the same ring, consumer busy-polls ring_buffer__consume()
 *     and the producer never wakes it (BPF_RB_NO_WAKEUP): the paper's
 *     "MMap Ring", a busy-polled ring mapped in both spaces;
 *   af_xdp:        the frames themselves, redirected to an AF_XDP socket
 *     (copy mode: veth has no zero-copy), consumer busy-polls the RX ring.
 * The producer is XDP live frames (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES) on the server veth of a private namespace,
 * pinned to CPU 0; the consumer is pinned to CPU 1.  Each sample is a window
 * of delivered records/s, producer attempts/s and the share dropped because
 * the channel was full.  Every consumer copies each record out and checks
 * its sequence number (and with --verify its payload bytes); after the
 * producer stops it drains the channel, and `bad_records` counts what was
 * lost, duplicated, reordered or corrupted over the whole run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "channel.skel.h"
#include "core/clock.h"
#include "core/cpupin.h"
#include "core/obench.h"
#include "net/netpath.h"
#include "net/topology.h"
#include "net/xsk_rx.h"

#define REC		64
#define PROD_CPU	0
#define CONS_CPU	1
#define PEEK		64

/* channel's flags, filled and validated by the runner before setup() */
struct channel_cfg {
	double seconds;
	int repeats;
	int slots;
	int burst;
	bool verify;
};

#define CFG(f) offsetof(struct channel_cfg, f)
static const struct opt_spec channel_opts[] = {
	{ "seconds", OPT_DOUBLE, CFG(seconds), .def = "0.25", .min = 0.05, .max = 60,
	  .help = "length of one sample window" },
	{ "repeats", OPT_INT, CFG(repeats), .min = 1, .max = 1000,
	  .help = "windows per channel (default: 6 with --quick, else the run's sample count)" },
	{ "slots", OPT_INT, CFG(slots), .def = "4096", .min = 64, .max = 65536,
	  .help = "records each channel holds (a power of two)" },
	{ "burst", OPT_INT, CFG(burst), .def = "4194304", .min = 1024, .max = 1 << 30,
	  .help = "live frames per test_run call (each call costs ~25 ms of set-up)" },
	{ "verify", OPT_BOOL, CFG(verify), .def = "false",
	  .help = "compare every record's payload bytes too (sequence numbers are always checked)" },
	OPT_END
};
#undef CFG

static int channel_validate(const void *cfg, char *err, size_t errlen)
{
	const struct channel_cfg *c = cfg;

	if (c->slots & (c->slots - 1)) {
		snprintf(err, errlen, "--slots %d is not a power of two (e.g. 4096)", c->slots);
		return -1;
	}
	return 0;
}

enum chan { CH_ARRAY, CH_RB_POLL, CH_RB_BUSY, CH_XSK, NCHAN };

static const char *const chan_name[NCHAN] = {
	"array_syscall", "ringbuf_poll", "ringbuf_busy", "af_xdp",
};

struct ctl {
	__u64 head, pad0[7];
	__u64 tail, pad1[7];
};

struct channel {
	struct channel_bpf *skel;
	struct topo topo;
	bool topo_up;
	struct ctl *ctl;		/* the mmap'd head/tail */
	size_t ctl_len;
	struct ring_buffer *rb;
	struct xsk_rx xr;
	bool xsk_up;
	char xsk_why[160];
	unsigned char frame[REC];
	__u64 mask;
	__u32 burst;
	bool verify;
	/* one channel's run */
	enum chan ch;
	atomic_bool prod_stop, cons_stop;
	int prod_err, cons_err;
	_Atomic __u64 consumed;
	__u64 next_seq, bad, gaps;
	unsigned char sink[REC];
};

/*
 * One record in user space: copied out, its sequence number checked (the
 * next one; for AF_XDP a later one is a gap the socket dropped).
 */
static void take(struct channel *c, const void *p)
{
	__u64 seq;

	memcpy(c->sink, p, REC);
	memcpy(&seq, c->sink, 8);
	if (seq != c->next_seq) {
		if (c->ch == CH_XSK && seq > c->next_seq)
			c->gaps += seq - c->next_seq;
		else
			c->bad++;
	}
	if (c->verify && memcmp(c->sink + 8, c->frame + 8, REC - 8))
		c->bad++;
	c->next_seq = seq + 1;
	atomic_store_explicit(&c->consumed, atomic_load_explicit(&c->consumed, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static int ring_record(void *ctx, void *data, size_t size)
{
	struct channel *c = ctx;

	if (size != REC) {
		c->bad++;
		return 0;
	}
	take(c, data);
	return 0;
}

/* ---- consumers (CPU 1); each drains the channel after cons_stop ---- */

static int consume_array(struct channel *c)
{
	int fd = bpf_map__fd(c->skel->maps.slots);
	unsigned char buf[REC];
	__u64 t = c->ctl->tail;

	for (;;) {
		__u64 h = __atomic_load_n(&c->ctl->head, __ATOMIC_ACQUIRE);

		if (t == h) {
			if (atomic_load(&c->cons_stop))
				return 0;
			continue;
		}
		for (; t != h; t++) {
			__u32 idx = (__u32)(t & c->mask);

			if (bpf_map_lookup_elem(fd, &idx, buf))
				return -errno;
			take(c, buf);
			__atomic_store_n(&c->ctl->tail, t + 1, __ATOMIC_RELEASE);
		}
	}
}

static int consume_ringbuf(struct channel *c, bool busy)
{
	int n;

	while (!atomic_load(&c->cons_stop)) {
		n = busy ? ring_buffer__consume(c->rb) : ring_buffer__poll(c->rb, 50);
		if (n < 0 && n != -EINTR)
			return n;
	}
	n = ring_buffer__consume(c->rb);
	return n < 0 ? n : 0;
}

static int consume_xsk(struct channel *c)
{
	__u64 addr[PEEK];
	__u32 idx, k, i;

	bool stopping = false;

	for (;;) {
		k = xsk_ring_cons__peek(&c->xr.rx, PEEK, &idx);
		if (!k) {
			/*
			 * The producer has stopped and its last frames were flushed
			 * before cons_stop was set, perhaps after this peek: look
			 * once more before leaving (a full ring of them was lost so).
			 */
			if (stopping)
				return 0;
			stopping = atomic_load(&c->cons_stop);
			continue;
		}
		for (i = 0; i < k; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&c->xr.rx, idx + i);

			if (d->len < REC)
				c->bad++;
			else
				take(c, xsk_rx_data(&c->xr, d->addr));
			addr[i] = d->addr;
		}
		xsk_ring_cons__release(&c->xr.rx, k);
		xsk_rx_refill(&c->xr, addr, k);
	}
}

static void *consumer(void *arg)
{
	struct channel *c = arg;

	cpu_pin(CONS_CPU);
	switch (c->ch) {
	case CH_ARRAY: c->cons_err = consume_array(c); break;
	case CH_RB_POLL: c->cons_err = consume_ringbuf(c, false); break;
	case CH_RB_BUSY: c->cons_err = consume_ringbuf(c, true); break;
	default: c->cons_err = consume_xsk(c);
	}
	return NULL;
}

/* ---- the producer (CPU 0): live frames into the channel's program ---- */

static struct bpf_program *chan_prog(struct channel *c)
{
	switch (c->ch) {
	case CH_ARRAY: return c->skel->progs.to_array;
	case CH_XSK: return c->skel->progs.to_xsk;
	default: return c->skel->progs.to_ringbuf;
	}
}

static void *producer(void *arg)
{
	struct channel *c = arg;
	struct xdp_md ctx = { .data_end = REC, .ingress_ifindex = (__u32)c->topo.server.ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = c->frame, .data_size_in = REC,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = c->burst,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	int fd = bpf_program__fd(chan_prog(c));

	cpu_pin(PROD_CPU);
	/* live frames need the ingress device in the caller's namespace */
	if (topo_enter(&c->topo, TOPO_SERVER)) {
		c->prod_err = -EPERM;
		return NULL;
	}
	while (!atomic_load(&c->prod_stop))
		if (bpf_prog_test_run_opts(fd, &o)) {
			c->prod_err = -errno;
			break;
		}
	topo_leave(&c->topo);
	return NULL;
}

/* ---- set-up ---- */

static int channel_setup(struct exp_env *env)
{
	const struct channel_cfg *cfg = env->cfg;
	struct channel *c = calloc(1, sizeof(*c));
	__u32 slots = (__u32)cfg->slots, rb_bytes = 4096;
	int err;

	if (!c)
		return -ENOMEM;
	env->priv = c;
	c->mask = (__u64)slots - 1;
	c->burst = (__u32)cfg->burst;
	c->verify = cfg->verify;
	build_udp_frame(c->frame, sizeof(c->frame));
	while (rb_bytes < (__u64)slots * (REC + 8))	/* 8 B record header */
		rb_bytes <<= 1;
	c->skel = channel_bpf__open();
	if (!c->skel)
		return -errno;
	c->skel->rodata->slot_mask = c->mask;
	bpf_map__set_max_entries(c->skel->maps.slots, slots);
	bpf_map__set_max_entries(c->skel->maps.rb, rb_bytes);
	err = channel_bpf__load(c->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the channel programs or maps (%s)", strerror(-err));
		return EXP_SKIP;
	}
	c->ctl_len = (size_t)sysconf(_SC_PAGESIZE);
	c->ctl = mmap(NULL, c->ctl_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(c->skel->maps.ctl), 0);
	if (c->ctl == MAP_FAILED) {
		c->ctl = NULL;
		return -errno;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.rb), ring_record, c, NULL);
	if (!c->rb)
		return -errno;
	err = topo_create(&c->topo);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot build the veth namespace for the live-frames producer (%s)", strerror(-err));
		return EXP_SKIP;
	}
	c->topo_up = true;
	err = topo_enter(&c->topo, TOPO_SERVER);
	if (!err) {
		err = xsk_rx_open(&c->xr, c->topo.server.ifname, slots,
				  bpf_map__fd(c->skel->maps.xsks));
		topo_leave(&c->topo);
	}
	if (err)
		snprintf(c->xsk_why, sizeof(c->xsk_why),
			 "cannot bind an AF_XDP socket in copy mode on the veth (%s)", strerror(-err));
	c->xsk_up = !err;
	return 0;
}

/* ---- one channel: windows while producer and consumer run ---- */

struct snap {
	__u64 consumed, attempts, drops;
	double t;
};

static void snapshot(struct channel *c, struct snap *s)
{
	struct channel_bpf__bss *b = c->skel->bss;

	s->consumed = atomic_load(&c->consumed);
	s->attempts = b->produced + b->dropped;
	s->drops = b->dropped + (c->ch == CH_XSK ? xsk_rx_drops(&c->xr) : 0);
	s->t = mono_s();
}

enum { M_DELIVERED, M_PRODUCER, M_DROP, NMET };

static int run_channel(struct exp_env *env, struct channel *c, enum chan ch, int windows,
		       double secs, double *v /* [NMET][windows] */, __u64 *unaccounted)
{
	__u64 drops0 = ch == CH_XSK ? xsk_rx_drops(&c->xr) : 0, produced;
	pthread_t prod, cons;
	struct snap a, b;
	int w, err = 0;

	c->ch = ch;
	c->skel->bss->produced = 0;
	c->skel->bss->dropped = 0;
	c->skel->bss->rb_flags = ch == CH_RB_BUSY ? BPF_RB_NO_WAKEUP : 0;
	c->next_seq = ch == CH_ARRAY ? c->ctl->head : 0;
	atomic_store(&c->consumed, 0);
	atomic_store(&c->prod_stop, false);
	atomic_store(&c->cons_stop, false);
	c->prod_err = c->cons_err = 0;
	if (pthread_create(&cons, NULL, consumer, c))
		return -EAGAIN;
	if (pthread_create(&prod, NULL, producer, c)) {
		atomic_store(&c->cons_stop, true);
		pthread_join(cons, NULL);
		return -EAGAIN;
	}
	usleep(100000);		/* both running, the channel in its steady state */
	for (w = 0; w < windows; w++) {
		if (obench_interrupted()) {
			err = -EINTR;
			break;
		}
		progress(env, "%s: window %d/%d", chan_name[ch], w + 1, windows);
		snapshot(c, &a);
		usleep((useconds_t)(secs * 1e6));
		snapshot(c, &b);
		if (c->prod_err || c->cons_err)
			break;
		v[M_DELIVERED * windows + w] = (double)(b.consumed - a.consumed) / (b.t - a.t) / 1e6;
		v[M_PRODUCER * windows + w] = (double)(b.attempts - a.attempts) / (b.t - a.t) / 1e6;
		v[M_DROP * windows + w] = b.attempts > a.attempts ?
			100.0 * (double)(b.drops - a.drops) / (double)(b.attempts - a.attempts) : 0;
	}
	atomic_store(&c->prod_stop, true);
	pthread_join(prod, NULL);
	atomic_store(&c->cons_stop, true);
	pthread_join(cons, NULL);
	if (!err)
		err = c->prod_err ? c->prod_err : c->cons_err;
	/* everything accepted was consumed, or (AF_XDP) dropped by the socket */
	produced = c->skel->bss->produced;
	*unaccounted = produced - atomic_load(&c->consumed) -
		       (ch == CH_XSK ? xsk_rx_drops(&c->xr) - drops0 : 0);
	if (ch == CH_XSK && produced >= c->next_seq)
		c->gaps += produced - c->next_seq;	/* dropped after the last one consumed */
	if (ch == CH_XSK && c->gaps != xsk_rx_drops(&c->xr) - drops0)
		c->bad++;	/* the gaps we saw are not the drops the socket counted */
	return err;
}

static const char *const chan_how[NCHAN] = {
	[CH_ARRAY] = "one lookup syscall per record, head/tail mmap'd",
	[CH_RB_POLL] = "ring_buffer__poll(), adaptive wakeup",
	[CH_RB_BUSY] = "busy ring_buffer__consume(), BPF_RB_NO_WAKEUP (the paper's MMap Ring)",
	[CH_XSK] = "XSK copy mode, busy-polled RX ring",
};

/* The rows of channel @ch from its windows v[NMET][total], the first a warm-up. */
static void add_channel_rows(struct exp_env *env, struct channel *c, enum chan ch,
			     const double *v, int total, double secs, __u64 unaccounted)
{
	struct exp_env warm1 = *env;	/* drops exactly the warm-up window */
	char note[RESULT_NOTE];

	warm1.warmup = 1;
	snprintf(note, sizeof(note), "%s; producer: XDP live frames on CPU %d, %u frames/call; consumer on CPU %d; %d x %.2f s windows",
		 chan_how[ch], PROD_CPU, c->burst, CONS_CPU, total - 1, secs);
	env_add_samples(&warm1, chan_name[ch], "delivered_mpps", "Mpps", v, (size_t)total, 0, note);
	env_add_samples(&warm1, chan_name[ch], "producer_mpps", "Mpps", v + total, (size_t)total, 0,
			"frames the XDP program ran on per second (accepted + dropped)");
	env_add_samples(&warm1, chan_name[ch], "drop_pct", "%", v + 2 * total, (size_t)total, 0,
			ch == CH_XSK ? "redirect failures + socket drops (RX ring full, no fill frame)" :
			"records refused: channel full");
	snprintf(note, sizeof(note), "%llu records consumed over the run; lost/duplicated/reordered/corrupt%s",
		 (unsigned long long)atomic_load(&c->consumed), c->verify ? " (payload verified)" : "");
	env_add_value(env, chan_name[ch], "bad_records", "records", (double)(c->bad + unaccounted), note);
}

/*
 * af_xdp/zerocopy: 1 when the socket is bound zero-copy, 0 in copy mode, as
 * the kernel reports it.  The paper's AF_XDP advantage rests on zero-copy.
 */
static void add_xsk_mode_row(struct exp_env *env, struct channel *c)
{
	int zc = xsk_rx_zerocopy(&c->xr);
	char why[96];

	if (zc < 0) {
		snprintf(why, sizeof(why), "cannot read the socket's XDP_OPTIONS (%s)", strerror(-zc));
		result_skip(env->rs, chan_name[CH_XSK], "zerocopy", why);
		return;
	}
	env_add_value(env, chan_name[CH_XSK], "zerocopy", "bool", zc,
		      zc ? "XSK bound zero-copy (XDP_OPTIONS)" :
		      "XSK bound in copy mode (XDP_OPTIONS): the kernel copies every frame into the UMEM");
}

static int channel_run(struct exp_env *env)
{
	const struct channel_cfg *cfg = env->cfg;
	struct channel *c = env->priv;
	int windows = cfg->repeats ? cfg->repeats :
		      env->profile == PROFILE_QUICK ? 6 : env->samples;
	int total = windows + 1, err = 0, i;	/* + one warm-up window */
	double *v;

	v = calloc((size_t)NMET * (size_t)total, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < NCHAN && !err; i++) {
		__u64 unaccounted = 0;

		if (i == CH_XSK && !c->xsk_up) {
			result_skip(env->rs, chan_name[i], "delivered_mpps", c->xsk_why);
			continue;
		}
		c->bad = c->gaps = 0;
		err = run_channel(env, c, (enum chan)i, total, cfg->seconds, v, &unaccounted);
		if (!err)
			add_channel_rows(env, c, (enum chan)i, v, total, cfg->seconds, unaccounted);
		if (!err && i == CH_XSK)
			add_xsk_mode_row(env, c);
	}
	progress_done();
	free(v);
	return err;
}

static void channel_teardown(struct exp_env *env)
{
	struct channel *c = env->priv;

	if (!c)
		return;
	ring_buffer__free(c->rb);
	if (c->ctl)
		munmap(c->ctl, c->ctl_len);
	xsk_rx_close(&c->xr);
	if (c->topo_up)
		topo_destroy(&c->topo);
	channel_bpf__destroy(c->skel);
	free(c);
	env->priv = NULL;
}

static void channel_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *poll = result_find(rs, "ringbuf_poll", "delivered_mpps");
	const struct result_row *busy = result_find(rs, "ringbuf_busy", "delivered_mpps");
	const struct result_row *xsk = result_find(rs, "af_xdp", "delivered_mpps");

	fprintf(md, "\nPaper (Fig. 13 text): ring 2.1 Mpps, MMap Ring 2.5x the ring, AF_XDP 2.48x the MMap Ring.\n");
	if (poll && busy && !poll->skipped && !busy->skipped && poll->st.median > 0)
		fprintf(md, "- ours: ringbuf_busy / ringbuf_poll = %.2f\n", busy->st.median / poll->st.median);
	if (busy && xsk && !busy->skipped && !xsk->skipped && busy->st.median > 0)
		fprintf(md, "- ours: af_xdp / ringbuf_busy = %.2f\n", xsk->st.median / busy->st.median);
}

const struct experiment exp_channel = {
	.name = "channel",
	.paper_ref = "Fig. 13",
	.summary = "kernel -> user throughput of 64 B records: array + syscalls, ringbuf (poll / busy), AF_XDP",
	.tiers = "host,hw",
	.opts = channel_opts,
	.cfg_size = sizeof(struct channel_cfg),
	.validate = channel_validate,
	.in_default_suite = true,
	.setup = channel_setup,
	.run = channel_run,
	.teardown = channel_teardown,
	.report = channel_report,
	.cleanup = netpath_cleanup,
};
