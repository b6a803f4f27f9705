// SPDX-License-Identifier: GPL-2.0
/*
 * truncate (paper Fig. 10): packets/s a saturated user-space UDP receiver
 * gets when an XDP program trims each 1458-byte payload by 0/25/50/75/100%.
 * The generator (sendmmsg from the client namespace, or XDP live frames) is
 * pinned to CPU 0; RPS moves the server's receive stack to CPU 1, where the
 * receiver runs, so that the receiver, not the generator, is the bottleneck.
 * Every point reports offered, received and dropped rates and says whether
 * the receiver was saturated.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/cpupin.h"
#include "net/netpath.h"
#include "core/obench.h"
#include "net/topology.h"
#include "truncate.skel.h"

#define TR_PORT		7722
#define TR_PAYLOAD	1458

/* truncate's flags, filled and validated by the runner before setup() */
struct truncate_cfg {
	double seconds;
	int repeats;
	bool rps;
	int xdp_mode;
	int recv;
	int gen;
};

#define CFG(f) offsetof(struct truncate_cfg, f)
static const struct opt_spec truncate_opts[] = {
	{ "seconds", OPT_DOUBLE, CFG(seconds), .def = "1", .quick = "0.4", .min = 0.1, .max = 60,
	  .help = "measured seconds per sample (default 0.4 quick, 1)" },
	{ "repeats", OPT_INT, CFG(repeats), .min = 1, .max = 1000,
	  .help = "samples per point (default 5 quick, else samples)" },
	{ "rps", OPT_BOOL, CFG(rps), .def = "true",
	  .help = "steer the server's receive stack to the receiver's CPU (RPS)" },
	{ "xdp-mode", OPT_ENUM, CFG(xdp_mode), .def = "generic", .choices = (const char *const[]){ "generic", "native", NULL },
	  .help = "trim_payload attach mode: generic (after RPS, on the receiver's CPU) or native" },
	{ "recv", OPT_ENUM, CFG(recv), .def = "single", .choices = (const char *const[]){ "single", "mmsg", NULL },
	  .help = "receiver: single (one recv() per datagram, as a plain socket app) or mmsg (recvmmsg, 64 per call)" },
	{ "gen", OPT_ENUM, CFG(gen), .def = "sendmmsg", .choices = (const char *const[]){ "live", "sendmmsg", NULL },
	  .help = "generator: live (XDP live frames, XDP_TX) or sendmmsg (UDP socket)" },
	OPT_END
};
#undef CFG

static const int points[] = { 0, 25, 50, 75, 100 };
#define NPOINTS	5
#define GEN_CPU	0
#define RX_CPU	1
#define BATCH	64

struct truncate {
	struct topo topo;
	bool topo_up, rps, live, generic, single;
	unsigned char frame[14 + 20 + 8 + TR_PAYLOAD];
	struct truncate_bpf *skel[NPOINTS];
	int rx, tx;
	atomic_bool gen_stop, rx_stop;
	atomic_ullong generated, received;
	int gen_err;
};

/* One window's counters: datagrams sent, received, dropped at the socket. */
struct counts {
	unsigned long long sent, rcvd, sock_drops;
	double t;
};

/* Datagrams the kernel dropped at this socket (full receive buffer): SK_MEMINFO_DROPS. */
static unsigned long long sock_drops(int fd)
{
	__u32 mi[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mi);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) || len <= SK_MEMINFO_DROPS * 4)
		return 0;
	return mi[SK_MEMINFO_DROPS];
}

static void snapshot(struct truncate *tr, struct counts *c)
{
	c->sent = atomic_load(&tr->generated);
	c->rcvd = atomic_load(&tr->received);
	c->sock_drops = sock_drops(tr->rx);
	c->t = mono_s();
}

static __u16 ip_csum(const void *p, size_t len)
{
	const __u16 *w = p;
	__u32 s = 0;

	for (; len > 1; len -= 2)
		s += *w++;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* A frame the server's stack accepts: its MACs, addresses and our port. */
static void build_frame(struct truncate *tr)
{
	struct ether_header *eth = (void *)tr->frame;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	memset(tr->frame, 0xab, sizeof(tr->frame));
	memcpy(eth->ether_dhost, tr->topo.server.mac, 6);
	memcpy(eth->ether_shost, tr->topo.client.mac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	memset(ip, 0, sizeof(*ip) + sizeof(*udp));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + TR_PAYLOAD);
	ip->saddr = tr->topo.client.addr.s_addr;
	ip->daddr = tr->topo.server.addr.s_addr;
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(40000);
	udp->dest = htons(TR_PORT);
	udp->len = htons(sizeof(*udp) + TR_PAYLOAD);
}

/*
 * The live-frames generator: BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * runs xdp_tx in the client namespace, pinned to GEN_CPU; each frame goes out
 * of the client veth to the server veth.  The server veth's NAPI (trim_payload)
 * runs on this CPU too; RPS moves the rest of the receive stack to RX_CPU.
 */
static void *generate_live(void *arg)
{
	struct truncate *tr = arg;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = tr->frame, .data_size_in = sizeof(tr->frame),
		    .repeat = 1 << 10, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	struct xdp_md ctx = { 0 };
	int fd = bpf_program__fd(tr->skel[0]->progs.xdp_tx);

	cpu_pin(GEN_CPU);
	if (topo_enter(&tr->topo, TOPO_CLIENT)) {
		tr->gen_err = -EPERM;
		return NULL;
	}
	ctx.ingress_ifindex = (__u32)tr->topo.client.ifindex;
	ctx.data_end = sizeof(tr->frame);	/* the kernel wants the frame length here */
	o.ctx_in = &ctx;
	o.ctx_size_in = sizeof(ctx);
	while (!atomic_load(&tr->gen_stop)) {
		if (bpf_prog_test_run_opts(fd, &o)) {
			tr->gen_err = -errno;
			break;
		}
		atomic_fetch_add(&tr->generated, o.repeat);
	}
	topo_leave(&tr->topo);
	return NULL;
}

/*
 * The default generator: a sendmmsg() flood of 1458-byte datagrams from the
 * client namespace, pinned to GEN_CPU.  veth has no queue, so the server side
 * starts on this CPU: with generic XDP, veth_xmit hands the skb straight to
 * RPS and trim_payload, IP, UDP run on RX_CPU; with native XDP the server
 * veth's NAPI and trim_payload run here and only the stack after it moves.
 */
static void *generate(void *arg)
{
	struct truncate *tr = arg;
	static unsigned char payload[TR_PAYLOAD];
	struct mmsghdr m[BATCH];
	struct iovec iov = { payload, sizeof(payload) };
	int i;

	cpu_pin(GEN_CPU);
	for (i = 0; i < BATCH; i++)
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	while (!atomic_load(&tr->gen_stop)) {
		int n = sendmmsg(tr->tx, m, BATCH, 0);

		if (n > 0)
			atomic_fetch_add(&tr->generated, (unsigned long long)n);
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED) {
			tr->gen_err = -errno;
			break;
		}
	}
	return NULL;
}

/* The user-space receiver under test: recvmmsg() busy loop pinned to RX_CPU. */
static void *receive(void *arg)
{
	struct truncate *tr = arg;
	static unsigned char buf[BATCH][TR_PAYLOAD + 64];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int i;

	cpu_pin(RX_CPU);
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (!atomic_load(&tr->rx_stop)) {
		int n = tr->single ? (recv(tr->rx, buf[0], sizeof(buf[0]), MSG_DONTWAIT) >= 0) :
			recvmmsg(tr->rx, m, BATCH, MSG_DONTWAIT, NULL);

		if (n > 0)
			atomic_fetch_add(&tr->received, (unsigned long long)n);
	}
	return NULL;
}

static int bad_value(struct exp_env *env, const char *flag, const char *valid)
{
	fprintf(stderr, "obench: truncate: %s must be %s\n", flag, valid);
	(void)env;
	return -EINVAL;
}

static int truncate_setup(struct exp_env *env)
{
	struct truncate *tr = calloc(1, sizeof(*tr));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TR_PORT) };
	int i, err, rcvbuf = 1 << 20;

	if (!tr)
		return -ENOMEM;
	env->priv = tr;
	tr->rx = tr->tx = -1;
	/* flags first: nothing to undo yet */
	if (!strcmp(opt_str(env->opts, "gen"), "live"))
		tr->live = true;
	else if (strcmp(opt_str(env->opts, "gen"), "sendmmsg"))
		return bad_value(env, "--gen", "live or sendmmsg");
	if (!strcmp(opt_str(env->opts, "xdp-mode"), "generic"))
		tr->generic = true;
	else if (strcmp(opt_str(env->opts, "xdp-mode"), "native"))
		return bad_value(env, "--xdp-mode", "generic or native");
	if (!strcmp(opt_str(env->opts, "recv"), "single"))
		tr->single = true;
	else if (strcmp(opt_str(env->opts, "recv"), "mmsg"))
		return bad_value(env, "--recv", "single or mmsg");
	if (tr->live && tr->generic) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "--gen live needs --xdp-mode native (XDP_TX frames need an XDP program on the peer)");
		return EXP_SKIP;
	}
	for (i = 0; i < NPOINTS; i++) {
		tr->skel[i] = truncate_bpf__open();
		if (!tr->skel[i])
			return -errno;
		tr->skel[i]->rodata->port = TR_PORT;
		tr->skel[i]->rodata->percent = (__u32)points[i];
		err = truncate_bpf__load(tr->skel[i]);
		if (err) {
			snprintf(env->skip_reason, sizeof(env->skip_reason),
				 "the kernel rejected the truncate programs (%s)", strerror(-err));
			return EXP_SKIP;
		}
	}
	err = netpath_topo_create(env, &tr->topo);
	if (err)
		return err;
	tr->topo_up = true;
	build_frame(tr);
	if (opt_bool(env->opts, "rps")) {
		char mask[16];

		snprintf(mask, sizeof(mask), "%x", 1u << RX_CPU);
		err = netpath_rps(&tr->topo, TOPO_SERVER, mask);
		if (err) {
			snprintf(env->skip_reason, sizeof(env->skip_reason),
				 "cannot enable RPS on the server veth (%s); try --rps=false",
				 strerror(-err));
			return EXP_SKIP;
		}
		tr->rps = true;
	}
	tr->rx = topo_socket(&tr->topo, TOPO_SERVER, AF_INET, SOCK_DGRAM);
	if (tr->rx < 0)
		return tr->rx;
	/* a small buffer: a receiver that falls behind drops within ms, and a
	 * window counts what it really took, not a backlog drained later */
	setsockopt(tr->rx, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	sa.sin_addr = tr->topo.server.addr;
	if (bind(tr->rx, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	tr->tx = topo_socket(&tr->topo, TOPO_CLIENT, AF_INET, SOCK_DGRAM);
	if (tr->tx < 0)
		return tr->tx;
	if (connect(tr->tx, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

enum { M_RX, M_OFFERED, M_SOCK_DROP, M_OTHER, NMETRICS };

/* One sample of point @i: rates over one window, in v[M_*]. */
static int sample(struct truncate *tr, int i, double secs, double *v)
{
	struct counts a, b;
	pthread_t g, r;
	double dt;
	int err;

	err = (tr->generic ? netpath_xdp_generic : netpath_xdp)(&tr->topo,
			bpf_program__fd(tr->skel[i]->progs.trim_payload));
	if (err)
		return err;
	atomic_store(&tr->gen_stop, false);
	atomic_store(&tr->rx_stop, false);
	pthread_create(&r, NULL, receive, tr);
	pthread_create(&g, NULL, tr->live ? generate_live : generate, tr);
	usleep(200000);		/* warm up: the receive queue fills, the receiver saturates */
	snapshot(tr, &a);
	usleep((useconds_t)(secs * 1e6));
	snapshot(tr, &b);
	atomic_store(&tr->gen_stop, true);
	pthread_join(g, NULL);
	usleep(20000);		/* let the receiver drain what is in flight */
	atomic_store(&tr->rx_stop, true);
	pthread_join(r, NULL);
	(tr->generic ? netpath_xdp_generic : netpath_xdp)(&tr->topo, -1);
	dt = b.t - a.t;
	v[M_RX] = (double)(b.rcvd - a.rcvd) / dt;
	v[M_OFFERED] = (double)(b.sent - a.sent) / dt;
	v[M_SOCK_DROP] = (double)(b.sock_drops - a.sock_drops) / dt;
	/* what neither reached the socket nor was dropped there: veth ring, backlogs */
	v[M_OTHER] = v[M_OFFERED] - v[M_RX] - v[M_SOCK_DROP];
	return tr->gen_err;
}

static const char *const metric_name[NMETRICS] = {
	"rx_pps", "offered_pps", "sock_drop_pps", "other_loss_pps"
};

static int truncate_run(struct exp_env *env)
{
	struct truncate *tr = env->priv;
	bool quick = env->profile == PROFILE_QUICK;
	double secs = opt_given(env->opts, "seconds") ? opt_double(env->opts, "seconds") : quick ? 0.4 : 1;
	int reps = opt_given(env->opts, "repeats") ? (int)opt_int(env->opts, "repeats") :
		quick ? 5 : env->samples;
	double *v = calloc((size_t)(NPOINTS * NMETRICS * reps), sizeof(double)), x[NMETRICS];
	int i, k, m, err = 0;
	char cfg[32], note[RESULT_NOTE];

	if (!v)
		return -ENOMEM;
	/* points interleaved per repeat, so drift hits them alike */
	for (k = 0; k < reps && !err; k++)
		for (i = 0; i < NPOINTS && !err && !obench_interrupted(); i++) {
			progress(env, "sample %d/%d: truncate %d%%", k + 1, reps, points[i]);
			err = sample(tr, i, secs, x);
			if (err) {
				snprintf(env->skip_reason, sizeof(env->skip_reason),
					 "the sendmmsg generator failed (%s)", strerror(-err));
				break;
			}
			for (m = 0; m < NMETRICS; m++)
				v[(i * NMETRICS + m) * reps + k] = x[m];
		}
	if (!err && obench_interrupted())
		err = -EINTR;
	if (err)
		goto out;
	for (i = 0; i < NPOINTS; i++) {
		struct stats st[NMETRICS];
		double drop_share;

		snprintf(cfg, sizeof(cfg), "trunc_%d", points[i]);
		for (m = 0; m < NMETRICS; m++)
			stats_compute(&v[(i * NMETRICS + m) * reps], (size_t)reps, 0, 0, &st[m]);
		drop_share = st[M_OFFERED].median > 0 ?
			100.0 * st[M_SOCK_DROP].median / st[M_OFFERED].median : 0;
		/* saturated: more arrived at the socket than the receiver took */
		if (drop_share >= 1.0)
			snprintf(note, sizeof(note), "receiver SATURATED (socket dropped %.1f%% of offered); "
				 "payload %d of %d B; %d x %.1f s; RPS %s", drop_share,
				 TR_PAYLOAD - TR_PAYLOAD * points[i] / 100, TR_PAYLOAD, reps, secs,
				 tr->rps ? "on" : "off");
		else
			snprintf(note, sizeof(note), "receiver NOT saturated (socket dropped %.2f%%): "
				 "this rate is the generator's; payload %d of %d B; RPS %s",
				 drop_share, TR_PAYLOAD - TR_PAYLOAD * points[i] / 100, TR_PAYLOAD,
				 tr->rps ? "on" : "off");
		result_add(env->rs, cfg, metric_name[M_RX], "pkt/s", env->tier, &st[M_RX], note);
		result_add(env->rs, cfg, metric_name[M_OFFERED], "pkt/s", env->tier, &st[M_OFFERED],
			   "datagrams sendmmsg() accepted (client netns, CPU 0)");
		result_add(env->rs, cfg, metric_name[M_SOCK_DROP], "pkt/s", env->tier, &st[M_SOCK_DROP],
			   "dropped at the full socket buffer (SO_MEMINFO SK_MEMINFO_DROPS)");
		result_add(env->rs, cfg, metric_name[M_OTHER], "pkt/s", env->tier, &st[M_OTHER],
			   "offered - received - socket drops: lost before the socket (veth ring, backlog)");
	}
out:
	free(v);
	return err;
}

static void truncate_teardown(struct exp_env *env)
{
	struct truncate *tr = env->priv;
	int i;

	if (!tr)
		return;
	if (tr->rx >= 0)
		close(tr->rx);
	if (tr->tx >= 0)
		close(tr->tx);
	if (tr->topo_up)
		topo_destroy(&tr->topo);
	for (i = 0; i < NPOINTS; i++)
		truncate_bpf__destroy(tr->skel[i]);
	free(tr);
	env->priv = NULL;
}

static void truncate_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *r0 = result_find(rs, "trunc_0", "rx_pps");
	const struct result_row *r100 = result_find(rs, "trunc_100", "rx_pps");

	fprintf(md, "\n**Method.** A sendmmsg() flood of 1458-byte UDP payloads from the client "
		"namespace (pinned to CPU 0) crosses the veth pair. RPS on the server veth hands every "
		"packet to CPU 1, where the whole receive side runs: `trim_payload` (generic-mode XDP "
		"by default, so it runs after RPS; it cuts each payload by 0..100%% and fixes the IP/UDP "
		"lengths), IP, UDP, the socket enqueue, and a receiver doing one recv() per datagram "
		"(a plain socket application) with a 1 MB socket buffer. Per point: offered = "
		"datagrams sendmmsg() accepted, received, socket drops (SO_MEMINFO SK_MEMINFO_DROPS) "
		"and the remainder lost before the socket. A point counts as *saturated* when the "
		"socket dropped >= 1%% of the offered load: only then does rx_pps measure the receiver "
		"rather than the generator (each rx_pps row says which). What did not saturate the "
		"receiver on this 2-vCPU VM: XDP live frames (the server veth's NAPI, XDP and the "
		"stack then run in the generator's context: received = offered, ~0.1 Mpps), and "
		"sendmmsg with native XDP and/or a recvmmsg() receiver (received ~= offered in most "
		"samples). `--xdp-mode native`, `--recv mmsg`, `--gen live` and `--rps=false` select "
		"those. With a saturated receiver the rate swings between samples (softirq work and "
		"the receiver share CPU 1), so read the IQR.\n");
	if (r0 && r100 && !r0->skipped && !r100->skipped && r0->st.median > 0) {
		fprintf(md, "\n- 100%% vs 0%% truncated: %+.1f%% received (paper: at most +2.8%%)\n",
			100.0 * (r100->st.median / r0->st.median - 1));
		if (strstr(r0->note, "NOT saturated") || strstr(r100->note, "NOT saturated"))
			fprintf(md, "- caution: %s was not saturated in this run, so its rate is the "
				"generator's and the gain above is a bound, not the receiver's gain\n",
				strstr(r0->note, "NOT saturated") ? "the 0%% point" : "the 100%% point");
	}
}

static int truncate_cleanup(void)
{
	return topo_cleanup_stale();
}

const struct experiment exp_truncate = {
	.name = "truncate",
	.paper_ref = "Fig. 10",
	.summary = "UDP receive rate when XDP truncates 1458-byte payloads by 0..100%",
	.tiers = "host,hw",
	.opts = truncate_opts,
	.cfg_size = sizeof(struct truncate_cfg),
	.in_default_suite = true,
	.setup = truncate_setup,
	.run = truncate_run,
	.teardown = truncate_teardown,
	.report = truncate_report,
	.cleanup = truncate_cleanup,
};
