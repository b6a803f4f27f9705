/*
 * truncate (paper Fig. 10): packets/s a user-space UDP receiver gets when an
 * XDP program trims each 1458-byte payload by 0/25/50/75/100%.  The offered
 * load comes from XDP live frames (BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES) run from the client namespace: xdp_tx sends each
 * frame out of the client veth to the server veth, where trim_payload runs.
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
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "netpath.h"
#include "obench.h"
#include "topology.h"
#include "truncate.skel.h"

#define TR_PORT		7722
#define TR_PAYLOAD	1458

static const struct opt_spec truncate_opts[] = {
	{ "seconds", OPT_DOUBLE, NULL, 0.1, 60, "measured seconds per sample (default 0.5 quick, 1)" },
	{ "repeats", OPT_INT, NULL, 1, 1000, "samples per point (default 3 quick, else samples)" },
	OPT_END
};

static const int points[] = { 0, 25, 50, 75, 100 };
#define NPOINTS	5

struct truncate {
	struct topo topo;
	bool topo_up;
	struct truncate_bpf *skel[NPOINTS];
	int rx;
	unsigned char frame[14 + 20 + 8 + TR_PAYLOAD];
	atomic_bool gen_stop, rx_stop;
	atomic_ullong generated, received;
	int gen_err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Live-frames generator, in the client namespace (ingress_ifindex lives there). */
static void *generate(void *arg)
{
	struct truncate *tr = arg;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = tr->frame, .data_size_in = sizeof(tr->frame),
		    .repeat = 1 << 12, .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	struct xdp_md ctx = { 0 };
	int fd = bpf_program__fd(tr->skel[0]->progs.xdp_tx);

	netpath_pin(0);
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

static void *receive(void *arg)
{
	struct truncate *tr = arg;
	static unsigned char buf[64][TR_PAYLOAD + 64];
	struct mmsghdr m[64];
	struct iovec iov[64];
	int i;

	netpath_pin(1);
	for (i = 0; i < 64; i++) {
		iov[i] = (struct iovec){ buf[i], sizeof(buf[i]) };
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	while (!atomic_load(&tr->rx_stop)) {
		int n = recvmmsg(tr->rx, m, 64, MSG_DONTWAIT, NULL);

		if (n > 0)
			atomic_fetch_add(&tr->received, (unsigned long long)n);
	}
	return NULL;
}

static int truncate_setup(struct exp_env *env)
{
	struct truncate *tr = calloc(1, sizeof(*tr));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(TR_PORT) };
	int i, err, big = 64 << 20;

	if (!tr)
		return -ENOMEM;
	env->priv = tr;
	tr->rx = -1;
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
	err = topo_create(&tr->topo);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot build the veth topology (%s)", strerror(-err));
		return EXP_SKIP;
	}
	tr->topo_up = true;
	build_frame(tr);
	tr->rx = topo_socket(&tr->topo, TOPO_SERVER, AF_INET, SOCK_DGRAM);
	if (tr->rx < 0)
		return tr->rx;
	setsockopt(tr->rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	sa.sin_addr = tr->topo.server.addr;
	if (bind(tr->rx, (struct sockaddr *)&sa, sizeof(sa)))
		return -errno;
	return 0;
}

static int truncate_run(struct exp_env *env)
{
	struct truncate *tr = env->priv;
	bool quick = env->profile == PROFILE_QUICK;
	double secs = opt_given(env->opts, "seconds") ? opt_double(env->opts, "seconds") : quick ? 0.5 : 1;
	int reps = opt_given(env->opts, "repeats") ? (int)opt_int(env->opts, "repeats") :
		quick ? 3 : env->samples;
	double *rx = calloc((size_t)(NPOINTS * reps), sizeof(double));
	double *off = calloc((size_t)(NPOINTS * reps), sizeof(double));
	pthread_t g, r;
	int i, k, err = 0;
	char cfg[32], note[RESULT_NOTE];

	if (!rx || !off) {
		free(rx);
		free(off);
		return -ENOMEM;
	}
	for (k = 0; k < reps && !err; k++)
		for (i = 0; i < NPOINTS && !err && !obench_interrupted(); i++) {
			unsigned long long g0, r0;
			double t0, t1;

			err = netpath_xdp(&tr->topo, bpf_program__fd(tr->skel[i]->progs.trim_payload));
			if (err)
				break;
			progress(env, "sample %d/%d: truncate %d%%", k + 1, reps, points[i]);
			atomic_store(&tr->gen_stop, false);
			atomic_store(&tr->rx_stop, false);
			pthread_create(&r, NULL, receive, tr);
			pthread_create(&g, NULL, generate, tr);
			usleep(200000);		/* warm up: queues fill, the receiver saturates */
			g0 = atomic_load(&tr->generated);
			r0 = atomic_load(&tr->received);
			t0 = now_s();
			usleep((useconds_t)(secs * 1e6));
			t1 = now_s();
			rx[i * reps + k] = (double)(atomic_load(&tr->received) - r0) / (t1 - t0);
			off[i * reps + k] = (double)(atomic_load(&tr->generated) - g0) / (t1 - t0);
			atomic_store(&tr->gen_stop, true);
			pthread_join(g, NULL);
			atomic_store(&tr->rx_stop, true);
			pthread_join(r, NULL);
			netpath_xdp(&tr->topo, -1);
			if (tr->gen_err) {
				snprintf(env->skip_reason, sizeof(env->skip_reason),
					 "XDP live frames failed (%s)", strerror(-tr->gen_err));
				err = tr->gen_err;
			}
		}
	if (!err && obench_interrupted())
		err = -EINTR;
	if (err)
		goto out;
	for (i = 0; i < NPOINTS; i++) {
		struct stats st;

		snprintf(cfg, sizeof(cfg), "trunc_%d", points[i]);
		snprintf(note, sizeof(note), "payload %d of %d B; XDP live frames generator, %d samples x %.1f s",
			 TR_PAYLOAD - TR_PAYLOAD * points[i] / 100, TR_PAYLOAD, reps, secs);
		stats_compute(&rx[i * reps], (size_t)reps, 0, 0, &st);
		result_add(env->rs, cfg, "rx_pps", "pkt/s", env->tier, &st, note);
		stats_compute(&off[i * reps], (size_t)reps, 0, 0, &st);
		result_add(env->rs, cfg, "offered_pps", "pkt/s", env->tier, &st,
			   "frames sent by BPF_F_TEST_XDP_LIVE_FRAMES (client veth, XDP_TX)");
	}
out:
	free(rx);
	free(off);
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
	if (tr->topo_up)
		topo_destroy(&tr->topo);
	for (i = 0; i < NPOINTS; i++)
		truncate_bpf__destroy(tr->skel[i]);
	free(tr);
	env->priv = NULL;
}

static void truncate_report(const struct result_set *rs, FILE *md)
{
	(void)rs;
	fprintf(md, "\n**Method.** XDP live frames (BPF_PROG_TEST_RUN, BPF_F_TEST_XDP_LIVE_FRAMES, "
		"XDP_TX on the client veth, pinned to CPU 0) offer 1500-byte UDP frames (1458-byte "
		"payload) to the server veth, where `trim_payload` cuts the payload and fixes the IP/UDP "
		"lengths; a recvmmsg() receiver on CPU 1 counts datagrams. The offered rate far exceeds "
		"what the socket takes; the rest is dropped at the socket or the veth ring.\n");
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
	.in_default_suite = true,
	.setup = truncate_setup,
	.run = truncate_run,
	.teardown = truncate_teardown,
	.report = truncate_report,
	.cleanup = truncate_cleanup,
};
