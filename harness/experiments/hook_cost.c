// SPDX-License-Identifier: GPL-2.0
/*
 * hook-cost (paper Table 1): how long a packet takes from the driver to each
 * receive hook, and what a minimal program at each hook costs.
 *
 * One tagged packet at a time (closed loop: the next leaves when the receiver
 * has the previous one) crosses the client->server veth.  hook_cost.bpf.c
 * stamps it with bpf_ktime_get_ns() at the sender's driver entry, at XDP, TC,
 * SK_SKB and at the UDP socket enqueue; the receiver thread stamps recv()'s
 * return with CLOCK_MONOTONIC, the same clock.  Phases:
 *   udp_all   stamping XDP + TC attached: time to reach XDP, TC, UDP socket
 *   tcp_skskb stamping SK_SKB verdict on the server socket: time to reach SK_SKB
 *   udp_skskb the same on a UDP socket (the paper artifact's SK_SKB run is UDP)
 *   tcp_none  nothing attached: time to reach the TCP socket (sk_data_ready)
 *   udp_none / udp_xdp_min / udp_tc_min, tcp_none / tcp_skskb_min: the
 *   preparation cost of a hook (minimal program) is, per round, the median
 *   driver->socket (UDP) or driver->recv (TCP) time with it minus without.
 * All phases run in short rounds, interleaved, so drift hits them alike.
 * Two lower-noise views of the minimal programs' own cost: BPF_PROG_TEST_RUN
 * per-run duration, and bpf_stats run_time_ns / run_cnt while attached.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "core/clock.h"
#include "core/cpupin.h"
#include "hook_cost.skel.h"
#include "core/measure.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "net/peer.h"
#include "core/obench.h"
#include "net/topology.h"

#define HC_PORT		7711
#define HC_MSG		64		/* bytes per message, tag first */

/* hook_cost's flags, filled and validated by the runner before setup() */
struct hook_cost_cfg {
	int packets;
	int gap_us;
	int rounds;
	struct net_remote remote;	/* two-host mode: the tagged packets come from the peer */
};

#define CFG(f) offsetof(struct hook_cost_cfg, f)
static const struct opt_spec hook_cost_opts[] = {
	{ "packets", OPT_INT, CFG(packets), .def = "10000", .quick = "2000", .full = "100000", .min = 20, .max = 1000000,
	  .help = "packets per phase" },
	{ "gap-us", OPT_INT, CFG(gap_us), .def = "20", .min = 0, .max = 100000,
	  .help = "pause between packets (us)" },
	{ "rounds", OPT_INT, CFG(rounds), .def = "20", .quick = "10", .min = 2, .max = 1000,
	  .help = "interleaved rounds the packets are split into (at most packets/10)" },
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

static int hook_cost_validate(const void *cfg, char *err, size_t errlen)
{
	return net_remote_validate(&((const struct hook_cost_cfg *)cfg)->remote, err, errlen);
}

/* F_MIN: the hook gets the minimal program (no stamps) instead of the stamping one */
enum { F_XDP = 1, F_TC = 2, F_SKSKB = 4, F_MIN = 8 };

struct phase {
	const char *name;
	bool tcp;
	int flags;
};

static const struct phase phases[] = {
	{ "udp_all", false, F_XDP | F_TC },
	{ "tcp_skskb", true, F_SKSKB },
	{ "tcp_none", true, 0 },
	{ "udp_none", false, 0 },
	{ "udp_xdp_min", false, F_XDP | F_MIN },
	{ "udp_tc_min", false, F_TC | F_MIN },
	{ "tcp_skskb_min", true, F_SKSKB | F_MIN },
	{ "udp_skskb", false, F_SKSKB },
};
enum { P_UDP_ALL, P_TCP_SKSKB, P_TCP_NONE, P_UDP_NONE, P_UDP_XDP, P_UDP_TC, P_TCP_SKSKB_MIN,
       P_UDP_SKSKB };
#define NPHASES	(sizeof(phases) / sizeof(phases[0]))

struct stamps {
	__u64 drv, xdp, tc, skskb, sock;
};

struct hc_tag {
	__u32 magic, seq;
};

/*
 * Where a packet's first stamp comes from: the receiving driver (a kernel
 * with kernel-patches/: Table 1's origin), the sender's transmit (one
 * host), or the DUT's stack entry after XDP (two hosts, stock kernel).
 */
enum origin { ORIGIN_RX_DRIVER, ORIGIN_SENDER, ORIGIN_STACK };

static const char *const origin_note[] = {
	[ORIGIN_RX_DRIVER] = "origin: net:netif_rx_driver, the receiving driver before XDP (Table 1's)",
	[ORIGIN_SENDER] = "origin: tp_btf/net_dev_start_xmit of the client veth (paper: NIC driver RX)",
	[ORIGIN_STACK] = "origin: tp_btf/netif_receive_skb on the DUT (stack entry, after XDP)",
};

#define RX_DRIVER_EVENT	"/sys/kernel/tracing/events/net/netif_rx_driver"

struct hook_cost {
	const struct hook_cost_cfg *cfg;
	enum origin origin;
	struct topo topo;
	bool topo_up;
	struct hook_cost_bpf *skel;
	struct bpf_link *drv_link, *sock_link;
	int stats_fd;
	bool stats_on;
	__u32 magic;
	int packets, rounds;
	/* per phase: stamps and recv() time of packet i (seq = base + i) */
	struct stamps *st[NPHASES];
	__u64 *user[NPHASES];
	struct peer peer;		/* two-host mode: the sender's host */
	bool remote;
	char ip[INET_ADDRSTRLEN];	/* the server's address, for the peer */
};

/* The receiver thread's state. */
struct receiver {
	int fd;
	bool tcp;
	__u32 magic, base, n;
	__u64 *user;
	atomic_uint got;
	atomic_bool stop;
};

/* Busy-polls the socket so the wake-up of a sleeping thread is not measured. */
static void *receive(void *arg)
{
	struct receiver *r = arg;
	unsigned char buf[HC_MSG * 4];
	size_t have = 0;

	cpu_pin(1);
	while (!atomic_load(&r->stop)) {
		ssize_t len = recv(r->fd, buf + have, r->tcp ? HC_MSG - have : sizeof(buf),
				   MSG_DONTWAIT);
		__u64 t = mono_ns();
		struct hc_tag tag;

		if (len <= 0)
			continue;
		have += (size_t)len;
		if (r->tcp && have < HC_MSG)
			continue;
		memcpy(&tag, buf, sizeof(tag));
		have = 0;
		if (tag.magic == r->magic && tag.seq - r->base < r->n && !r->user[tag.seq - r->base])
			r->user[tag.seq - r->base] = t;
		atomic_fetch_add(&r->got, 1);
	}
	return NULL;
}

static int set_addr(struct sockaddr_in *sa, const struct topo *t)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(HC_PORT);
	sa->sin_addr = t->server.addr;
	return 0;
}

/* Server and client sockets of a phase, connected. */
static int open_pair(struct hook_cost *hc, bool tcp, int *srv, int *cli)
{
	struct sockaddr_in sa;
	int one = 1, lsn = -1, err;

	set_addr(&sa, &hc->topo);
	*srv = *cli = -1;
	lsn = topo_socket(&hc->topo, TOPO_SERVER, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (lsn < 0)
		return lsn;
	setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) || (tcp && listen(lsn, 4)))
		goto fail_errno;
	*cli = topo_socket(&hc->topo, TOPO_CLIENT, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (*cli < 0) {
		err = *cli;
		goto fail;
	}
	if (connect(*cli, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail_errno;
	if (!tcp) {
		*srv = lsn;
		return 0;
	}
	setsockopt(*cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*srv = accept(lsn, NULL, NULL);
	close(lsn);
	lsn = -1;
	if (*srv < 0)
		goto fail_errno;
	return 0;
fail_errno:
	err = -errno;
fail:
	if (lsn >= 0)
		close(lsn);
	if (*cli >= 0)
		close(*cli);
	return err;
}

static int attach_phase(struct hook_cost *hc, const struct phase *ph, int srv)
{
	struct hook_cost_bpf *s = hc->skel;
	__u32 key = 0;
	__u64 val = (__u64)srv;	/* the map's value is 8 bytes: the whole of it is the fd */
	int fd, err = 0;

	bool min = ph->flags & F_MIN;
	struct bpf_map *socks = min ? s->maps.min_socks : s->maps.skskb_socks;
	struct bpf_program *verdict = min ? s->progs.min_sk_skb : s->progs.at_sk_skb;

	if (ph->flags & F_XDP)
		err = netpath_xdp(&hc->topo, bpf_program__fd(min ? s->progs.min_xdp : s->progs.at_xdp));
	if (!err && (ph->flags & F_TC))
		err = netpath_tc(&hc->topo, bpf_program__fd(min ? s->progs.min_tc : s->progs.at_tc));
	if (err)
		return err;
	fd = bpf_program__fd(s->progs.tcp_join);
	if (ph->tcp && setsockopt(srv, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd)))
		return -errno;
	/* UDP too (5.13+): the verdict program then sees each datagram's payload */
	if (ph->flags & F_SKSKB) {
		/* verdict first: a socket takes the map's programs when inserted */
		err = bpf_prog_attach(bpf_program__fd(verdict), bpf_map__fd(socks),
				      BPF_SK_SKB_VERDICT, 0);
		if (err)
			return err;
		err = bpf_map_update_elem(bpf_map__fd(socks), &key, &val, BPF_ANY);
		if (err)
			err = -errno;
	}
	return err;
}

static void detach_phase(struct hook_cost *hc, const struct phase *ph)
{
	struct hook_cost_bpf *s = hc->skel;
	bool min = ph->flags & F_MIN;
	struct bpf_map *socks = min ? s->maps.min_socks : s->maps.skskb_socks;
	__u32 key = 0;

	if (ph->flags & F_XDP)
		netpath_xdp(&hc->topo, -1);
	if (ph->flags & F_TC)
		netpath_tc(&hc->topo, -1);
	if (ph->flags & F_SKSKB) {
		bpf_map_delete_elem(bpf_map__fd(socks), &key);
		bpf_prog_detach2(bpf_program__fd(min ? s->progs.min_sk_skb : s->progs.at_sk_skb),
				 bpf_map__fd(socks), BPF_SK_SKB_VERDICT);
	}
}

/* Two hosts: the peer's paced sender of one phase's packets, in a thread of its own. */
struct pacer {
	struct hook_cost *hc;
	bool tcp;
	__u32 first, count;
	int err;
	char why[160];
};

static void *pace(void *arg)
{
	struct pacer *pc = arg;
	struct hook_cost *hc = pc->hc;
	struct lg_result r;

	/* TCP: the server accepts and attaches to the new socket before the first message */
	pc->err = peer_paced(&hc->peer, hc->ip, HC_PORT, pc->tcp, HC_MSG, hc->magic, pc->first,
			     pc->count, hc->cfg->gap_us, pc->tcp ? 100 : 0, &r, pc->why,
			     sizeof(pc->why));
	if (!pc->err && r.sent != pc->count)
		pc->err = -EIO;
	return NULL;
}

/* The server's socket of a phase in two-host mode: UDP bound, or TCP listening. */
static int open_server(struct hook_cost *hc, bool tcp)
{
	struct sockaddr_in sa;
	int one = 1, fd;

	set_addr(&sa, &hc->topo);
	fd = topo_socket(&hc->topo, TOPO_SERVER, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (tcp && listen(fd, 4))) {
		one = -errno;
		close(fd);
		return one;
	}
	return fd;
}

/* Waits up to 100 ms after the sender finished for the receiver to have @count. */
static void await_received(struct receiver *r, int count)
{
	__u64 deadline = mono_ns() + 100000000;

	while (atomic_load(&r->got) < (unsigned int)count && mono_ns() < deadline)
		usleep(100);
}

/*
 * Two hosts: packets [first, first + count) of phase @p from the peer, paced
 * by --gap-us (one way: no reply to wait for).  UDP: attach, then send; TCP:
 * the peer connects, the server accepts and attaches, then the peer sends.
 */
static int run_phase_remote(struct exp_env *env, struct hook_cost *hc, int p, __u32 base,
			    int first, int count)
{
	const struct phase *ph = &phases[p];
	struct receiver r = { .tcp = ph->tcp, .magic = hc->magic, .base = base,
			      .n = (__u32)hc->packets, .user = hc->user[p] };
	struct pacer pc = { hc, ph->tcp, base + (__u32)first, (__u32)count, 0, "" };
	int lsn, srv = -1, err;
	pthread_t th, rx;
	bool rx_up = false;

	lsn = open_server(hc, ph->tcp);
	if (lsn < 0)
		return lsn;
	if (!ph->tcp) {
		srv = lsn;
		lsn = -1;
		err = attach_phase(hc, ph, srv);
		if (err)
			goto out_detach;
	}
	err = -pthread_create(&th, NULL, pace, &pc);
	if (err)
		goto out_detach;
	if (ph->tcp) {
		struct pollfd pf = { .fd = lsn, .events = POLLIN };

		srv = poll(&pf, 1, 5000) == 1 ? accept(lsn, NULL, NULL) : -1;
		err = srv < 0 ? -ETIMEDOUT : attach_phase(hc, ph, srv);
	}
	if (!err) {
		r.fd = srv;
		err = -pthread_create(&rx, NULL, receive, &r);
		rx_up = !err;
	}
	pthread_join(th, NULL);
	if (!err && pc.err) {
		err = pc.err;
		snprintf(env->skip_reason, sizeof(env->skip_reason), "the peer's sender failed: %s",
			 pc.why[0] ? pc.why : strerror(-err));
	}
	if (rx_up) {
		await_received(&r, count);
		atomic_store(&r.stop, true);
		pthread_join(rx, NULL);
	}
out_detach:
	if (err && !env->skip_reason[0])
		snprintf(env->skip_reason, sizeof(env->skip_reason), "%s from the peer: %s", ph->name,
			 strerror(-err));
	detach_phase(hc, ph);
	if (srv >= 0)
		close(srv);
	if (lsn >= 0)
		close(lsn);
	if (!err && obench_interrupted())
		err = -EINTR;
	return err;
}

/* Sends packets [first, first + count) of phase @p; their slots start at @base. */
static int run_phase(struct exp_env *env, struct hook_cost *hc, int p, __u32 base, int first,
		     int count)
{
	const struct phase *ph = &phases[p];
	int gap = hc->cfg->gap_us, srv, cli, err, i;
	struct receiver r = { .tcp = ph->tcp, .magic = hc->magic, .base = base,
			      .n = (__u32)hc->packets, .user = hc->user[p] };
	unsigned char msg[HC_MSG] = { 0 };
	pthread_t th;

	if (hc->remote)
		return run_phase_remote(env, hc, p, base, first, count);
	err = open_pair(hc, ph->tcp, &srv, &cli);
	if (err)
		return err;
	err = attach_phase(hc, ph, srv);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot attach the %s programs (%s)", ph->name, strerror(-err));
		goto out;
	}
	r.fd = srv;
	err = -pthread_create(&th, NULL, receive, &r);
	if (err)
		goto out;
	for (i = first; i < first + count && !obench_interrupted(); i++) {
		struct hc_tag tag = { hc->magic, base + (__u32)i };
		__u64 deadline;

		memcpy(msg, &tag, sizeof(tag));
		if (send(cli, msg, sizeof(msg), 0) != sizeof(msg)) {
			err = -errno;
			break;
		}
		deadline = mono_ns() + 5000000;
		while (atomic_load(&r.got) <= (unsigned int)(i - first) && mono_ns() < deadline)
			;
		if (gap)
			usleep((useconds_t)gap);
		if (i % 100 == 0)
			progress(env, "%s: %d/%d packets", ph->name, i, hc->packets);
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
out:
	detach_phase(hc, ph);
	close(cli);
	close(srv);
	if (!err && obench_interrupted())
		err = -EINTR;
	return err;
}

static int read_stamps(struct hook_cost *hc, int p, __u32 base)
{
	int fd = bpf_map__fd(hc->skel->maps.stamps), i;

	for (i = 0; i < hc->packets; i++) {
		__u32 k = base + (__u32)i;

		if (bpf_map_lookup_elem(fd, &k, &hc->st[p][i]))
			return -errno;
	}
	return 0;
}

/* Loads the programs and attaches the two tracepoints every phase keeps. */
static int hook_cost_load(struct exp_env *env, struct hook_cost *hc)
{
	int err;

	hc->skel = hook_cost_bpf__open();
	if (!hc->skel)
		return -errno;
	if (!access(RX_DRIVER_EVENT, F_OK) ||
	    !access("/sys/kernel/debug/tracing/events/net/netif_rx_driver", F_OK))
		hc->origin = ORIGIN_RX_DRIVER;
	else
		hc->origin = hc->cfg->remote.iface ? ORIGIN_STACK : ORIGIN_SENDER;
	bpf_program__set_autoload(hc->skel->progs.at_rx_driver, hc->origin == ORIGIN_RX_DRIVER);
	hc->skel->rodata->magic = hc->magic;
	hc->skel->rodata->port = HC_PORT;
	bpf_map__set_max_entries(hc->skel->maps.stamps, (__u32)(hc->packets * NPHASES + 1));
	err = hook_cost_bpf__load(hc->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the hook-cost programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	hc->drv_link = bpf_program__attach(hc->origin == ORIGIN_RX_DRIVER ? hc->skel->progs.at_rx_driver :
					   hc->origin == ORIGIN_STACK ? hc->skel->progs.at_stack :
					   hc->skel->progs.at_driver);
	hc->sock_link = bpf_program__attach(hc->skel->progs.at_socket);
	if (!hc->drv_link || !hc->sock_link) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "tp_btf/%s or tp_btf/sk_data_ready cannot be attached (%s)",
			 hc->origin == ORIGIN_RX_DRIVER ? "netif_rx_driver" :
			 hc->origin == ORIGIN_STACK ? "netif_receive_skb" : "net_dev_start_xmit",
			 strerror(errno));
		return EXP_SKIP;
	}
	return 0;
}

static int hook_cost_setup(struct exp_env *env)
{
	struct hook_cost *hc = calloc(1, sizeof(*hc));
	int err, p;

	if (!hc)
		return -ENOMEM;
	env->priv = hc;
	hc->cfg = env->cfg;
	hc->packets = hc->cfg->packets;
	/* at least 10 packets of each phase per round */
	hc->rounds = hc->cfg->rounds < hc->packets / 10 ? hc->cfg->rounds : hc->packets / 10;
	srand((unsigned int)mono_ns());
	hc->magic = ((__u32)rand() << 1) ^ (__u32)rand() ^ 0x0b0b0000u;
	for (p = 0; p < (int)NPHASES; p++) {
		hc->st[p] = calloc((size_t)hc->packets, sizeof(struct stamps));
		hc->user[p] = calloc((size_t)hc->packets, sizeof(__u64));
		if (!hc->st[p] || !hc->user[p])
			return -ENOMEM;
	}
	err = hook_cost_load(env, hc);
	if (err)
		return err;
	err = peer_load_topology(env, &hc->cfg->remote, &hc->topo, &hc->peer, &hc->topo_up,
				 &hc->remote, "the tagged packets' sender");
	if (err)
		return err;
	inet_ntop(AF_INET, &hc->topo.server.addr, hc->ip, sizeof(hc->ip));
	hc->stats_fd = netpath_stats_enable();
	hc->stats_on = hc->stats_fd >= 0;
	return 0;
}

enum { D_XDP, D_TC, D_SKSKB, D_SOCK, D_USER };

/* Time from the driver stamp to point @d; 0 when the packet lacks either stamp. */
static __u64 delta(const struct stamps *s, __u64 user, int d)
{
	__u64 end = d == D_XDP ? s->xdp : d == D_TC ? s->tc : d == D_SKSKB ? s->skskb :
		    d == D_SOCK ? s->sock : user;

	return s->drv && end > s->drv ? end - s->drv : 0;
}

/* Collects delta @d of packets [lo, hi) of phase @p into v; returns how many had it. */
static size_t collect_range(const struct hook_cost *hc, int p, int d, int lo, int hi, double *v)
{
	size_t n = 0;
	int i;

	for (i = lo; i < hi; i++) {
		__u64 x = delta(&hc->st[p][i], hc->user[p][i], d);

		if (x)
			v[n++] = (double)x;
	}
	return n;
}

static size_t collect(const struct hook_cost *hc, int p, int d, double *v)
{
	return collect_range(hc, p, d, 0, hc->packets, v);
}

/* Packets of phase @p whose stamps run backwards along the path. */
static size_t order_violations(const struct hook_cost *hc, int p, size_t *checked)
{
	size_t bad = 0;
	int i;

	*checked = 0;
	for (i = 0; i < hc->packets; i++) {
		const struct stamps *s = &hc->st[p][i];
		__u64 seq[5], prev = 0;
		int k, m = 0;

		if (!s->drv)
			continue;
		/* the stack-entry origin comes after XDP */
		if (hc->origin == ORIGIN_STACK && (phases[p].flags & (F_XDP | F_MIN)) == F_XDP)
			seq[m++] = s->xdp;
		seq[m++] = s->drv;
		if (hc->origin != ORIGIN_STACK && (phases[p].flags & (F_XDP | F_MIN)) == F_XDP)
			seq[m++] = s->xdp;
		if ((phases[p].flags & (F_TC | F_MIN)) == F_TC)
			seq[m++] = s->tc;
		if ((phases[p].flags & (F_SKSKB | F_MIN)) == F_SKSKB)
			seq[m++] = s->skskb;
		/* a UDP socket in a sockmap queues to its psock: no sk_receive_queue tail to stamp */
		seq[m++] = phases[p].tcp || (phases[p].flags & F_SKSKB) ? hc->user[p][i] : s->sock;
		for (k = 0; k < m; k++)
			if (!seq[k])
				break;
		if (k < m)
			continue;	/* not matched at every point */
		(*checked)++;
		for (k = 0; k < m; k++) {
			if (seq[k] < prev) {
				bad++;
				break;
			}
			prev = seq[k];
		}
	}
	return bad;
}

static double median_of(double *v, size_t n)
{
	struct stats st;

	return stats_compute(v, n, 0, 0, &st) ? 0 : st.median;
}

static void add_delta(struct exp_env *env, const char *config, const char *metric, double *v,
		      size_t n, double base, const char *note)
{
	if (n < 10)
		result_skip(env->rs, config, metric, "fewer than 10 packets matched at every stamp");
	else
		env_add_samples(env, config, metric, "ns", v, n, base, note);
}

/*
 * Preparation cost by latency: per round, the median @d delta of phase @with
 * minus that of phase @none in the same round; one sample per round.
 */
static void add_prep(struct exp_env *env, struct hook_cost *hc, const char *config, int with,
		     int none, int d, const char *what)
{
	int per = hc->packets / hc->rounds, r, n = 0;
	double *v = calloc((size_t)per, sizeof(double)), diff[1000];
	char note[RESULT_NOTE];

	if (!v)
		return;
	for (r = 0; r < hc->rounds && r < 1000; r++) {
		size_t a = collect_range(hc, with, d, r * per, (r + 1) * per, v);
		double mw = a >= 5 ? median_of(v, a) : 0;
		size_t b = collect_range(hc, none, d, r * per, (r + 1) * per, v);
		double mn = b >= 5 ? median_of(v, b) : 0;

		if (a >= 5 && b >= 5)
			diff[n++] = mw - mn;
	}
	free(v);
	if (n < 2) {
		result_skip(env->rs, config, "prep_ns", "fewer than 2 rounds with 5 matched packets");
		return;
	}
	snprintf(note, sizeof(note), "%s with the minimal program minus without: per-round "
		 "median difference, %d interleaved rounds x %d packets", what, n, per);
	env_add_samples_nowarm(env, config, "prep_ns", "ns", diff, (size_t)n, note);
}

/* The kernel's own per-run time of the minimal programs on a prepared context. */
static int add_testrun(struct exp_env *env, struct hook_cost *hc)
{
	int fds[2] = { bpf_program__fd(hc->skel->progs.min_xdp),
		       bpf_program__fd(hc->skel->progs.min_tc) };
	const char *cfg[2] = { "xdp", "tc" };
	size_t total = measure_total(env);
	double *out = calloc(2 * total, sizeof(double)), ns;
	unsigned char pkt[64];
	__u32 ret;
	int i, err;

	if (!out)
		return -ENOMEM;
	build_udp_frame(pkt, sizeof(pkt));
	err = measure_testrun(env, fds, 2, pkt, sizeof(pkt), measure_batch(env, 100000), out);
	for (i = 0; i < 2 && !err; i++)
		env_add_samples(env, cfg[i], "testrun_ns", "ns", &out[i * total], total, 0,
				"BPF_PROG_TEST_RUN mean ns per repetition of the minimal program "
				"(64 B frame; context built once, loop overhead included; bpf_stats off)");
	free(out);
	if (err)
		return err;
	if (testrun_ns(bpf_program__fd(hc->skel->progs.min_sk_skb), pkt, sizeof(pkt), 1000, &ns, &ret))
		result_skip(env->rs, "sk_skb", "testrun_ns",
			    "BPF_PROG_TEST_RUN does not support SK_SKB programs on this kernel");
	return 0;
}

/* bpf_stats run_time_ns / run_cnt of the minimal programs while they were attached. */
static void add_run_stats(struct exp_env *env, struct hook_cost *hc)
{
	const struct { const char *config; struct bpf_program *prog; } p[] = {
		{ "xdp", hc->skel->progs.min_xdp },
		{ "tc", hc->skel->progs.min_tc },
		{ "sk_skb", hc->skel->progs.min_sk_skb },
	};
	unsigned int i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		char note[RESULT_NOTE];
		__u64 ns, cnt;

		if (!hc->stats_on) {
			result_skip(env->rs, p[i].config, "stats_run_ns", "BPF_ENABLE_STATS unavailable");
			continue;
		}
		if (netpath_prog_stats(bpf_program__fd(p[i].prog), &ns, &cnt) || !cnt) {
			result_skip(env->rs, p[i].config, "stats_run_ns", "the program never ran");
			continue;
		}
		snprintf(note, sizeof(note), "bpf_stats run_time_ns/run_cnt of the attached minimal "
			 "program, %llu runs (includes the stats' clock reads)", (unsigned long long)cnt);
		env_add_value(env, p[i].config, "stats_run_ns", "ns", (double)ns / (double)cnt, note);
	}
}

/* Slot of packet 0 of phase @p in the stamps map (slot 0 stays unused). */
static __u32 phase_base(const struct hook_cost *hc, int p)
{
	return 1 + (__u32)(p * hc->packets);
}

/*
 * The sampler's step: in round @round every phase sends its share of the
 * packets, the phase order rotated by one each round so that no phase
 * always follows the same one.  The stamps are the measurement; the
 * sample itself is not used.
 */
static int phase_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	struct hook_cost *hc = ctx;
	int per = hc->packets / hc->rounds, q = (conf + (int)round) % (int)NPHASES;

	(void)sample;
	return run_phase(env, hc, q, phase_base(hc, q), (int)round * per, per);
}

/* Every phase, in interleaved rounds, then the stamps out of the map. */
static int run_rounds(struct exp_env *env, struct hook_cost *hc)
{
	struct sampler s = {
		.nconf = (int)NPHASES, .rounds = (size_t)hc->rounds, .step = phase_step, .ctx = hc,
	};
	double *unused = sampler_alloc(env, &s);
	int err, p;

	if (!unused)
		return -ENOMEM;
	err = sample_interleaved(env, &s, unused);
	free(unused);
	for (p = 0; p < (int)NPHASES && !err; p++)
		err = read_stamps(hc, p, phase_base(hc, p));
	return err;
}

/* Table 1's first column: time from the driver to each hook, one row each. */
static int add_reach_rows(struct exp_env *env, const struct hook_cost *hc)
{
	static const struct {
		const char *config;
		int phase, delta;
		const char *note;
	} rows[] = {
		{ "xdp", P_UDP_ALL, D_XDP, "" },
		{ "tc", P_UDP_ALL, D_TC, "" },
		{ "sk_skb", P_TCP_SKSKB, D_SKSKB, "TCP, SK_SKB verdict program on the server socket" },
		{ "sk_skb_udp", P_UDP_SKSKB, D_SKSKB,
		  "UDP, SK_SKB verdict program (BPF_SK_SKB_VERDICT) on the server socket, as the paper's artifact" },
		{ "socket", P_TCP_NONE, D_SOCK,
		  "TCP (as SK_SKB): tp_btf/sk_data_ready after the enqueue, no program attached" },
		{ "socket_udp", P_UDP_ALL, D_SOCK, "UDP: tp_btf/sk_data_ready after the enqueue" },
		{ "user_recv", P_UDP_ALL, D_USER, "UDP: recv() returned in the busy-polling receiver" },
	};
	double *v = calloc((size_t)hc->packets, sizeof(double));
	char note[RESULT_NOTE];
	unsigned int i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]) && hc->origin != ORIGIN_STACK; i++) {
		snprintf(note, sizeof(note), "%s%s%s", rows[i].note, i ? "" : origin_note[hc->origin],
			 hc->remote && !i ? "; packets from the peer" : "");
		add_delta(env, rows[i].config, "ns_to_reach", v,
			  collect(hc, rows[i].phase, rows[i].delta, v), 0, note);
	}
	/*
	 * Two hosts on a stock kernel: the origin is the stack's entry, after the
	 * driver and XDP -- not Table 1's, so another metric the paper's claims
	 * do not judge, and no XDP row (the driver-entry stamp of
	 * kernel-patches/ would give both).
	 */
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]) && hc->origin == ORIGIN_STACK; i++) {
		if (rows[i].delta == D_XDP) {
			result_skip(env->rs, rows[i].config, "ns_from_stack", "XDP runs before the "
				    "stack's entry, the origin in two-host mode without a driver-entry stamp");
			continue;
		}
		snprintf(note, sizeof(note), "%s%sorigin: tp_btf/netif_receive_skb on the DUT (stack "
			 "entry, after XDP); packets from the peer, %d us apart", rows[i].note,
			 rows[i].note[0] ? "; " : "", hc->cfg->gap_us);
		add_delta(env, rows[i].config, "ns_from_stack", v,
			  collect(hc, rows[i].phase, rows[i].delta, v), 0, note);
	}
	free(v);
	return 0;
}

/* How many packets were matched at every stamp, and how many of those ran backwards. */
static void add_order_rows(struct exp_env *env, const struct hook_cost *hc)
{
	size_t bad = 0, checked = 0, c;
	int p;

	for (p = 0; p < (int)NPHASES; p++) {
		bad += order_violations(hc, p, &c);
		checked += c;
	}
	env_add_value(env, "all_phases", "matched_packets", "packets", (double)checked,
		      "packets stamped at every point of their phase");
	env_add_value(env, "all_phases", "order_violations", "packets", (double)bad,
		      "matched packets whose stamps are not driver <= XDP <= TC <= SK_SKB <= socket");
}

static int hook_cost_run(struct exp_env *env)
{
	struct hook_cost *hc = env->priv;
	cpu_set_t saved;
	/* the sender on CPU 0, the receiver thread on CPU 1 */
	bool pinned = cpu_pin_save(0, &saved);
	int err;

	err = run_rounds(env, hc);
	if (!err)
		err = add_reach_rows(env, hc);
	if (err)
		goto out;
	if (hc->origin == ORIGIN_STACK)
		result_skip(env->rs, "xdp", "prep_ns", "XDP runs before the stack's entry, the origin in "
			    "two-host mode without a driver-entry stamp");
	else
		add_prep(env, hc, "xdp", P_UDP_XDP, P_UDP_NONE, D_SOCK, "UDP driver->socket");
	/* the origin cancels out of a difference: any stamp before the hook will do */
	add_prep(env, hc, "tc", P_UDP_TC, P_UDP_NONE, D_SOCK,
		 hc->origin == ORIGIN_STACK ? "UDP stack entry->socket" : "UDP driver->socket");
	add_prep(env, hc, "sk_skb", P_TCP_SKSKB_MIN, P_TCP_NONE, D_USER,
		 hc->origin == ORIGIN_STACK ? "TCP stack entry->recv()" : "TCP driver->recv()");
	add_run_stats(env, hc);
	/* bpf_stats would add its two clock reads to every test-run repetition */
	if (hc->stats_on) {
		netpath_stats_restore(hc->stats_fd);
		hc->stats_on = false;
	}
	err = add_testrun(env, hc);
	if (!err)
		add_order_rows(env, hc);
out:
	if (pinned)
		cpu_unpin(&saved);
	return err;
}

static void hook_cost_teardown(struct exp_env *env)
{
	struct hook_cost *hc = env->priv;
	int p;

	if (!hc)
		return;
	if (hc->stats_on)
		netpath_stats_restore(hc->stats_fd);
	if (hc->remote)
		peer_close(&hc->peer);
	if (hc->topo_up)
		topo_destroy(&hc->topo);
	bpf_link__destroy(hc->drv_link);
	bpf_link__destroy(hc->sock_link);
	hook_cost_bpf__destroy(hc->skel);
	for (p = 0; p < (int)NPHASES; p++) {
		free(hc->st[p]);
		free(hc->user[p]);
	}
	free(hc);
	env->priv = NULL;
}

static void hook_cost_report(const struct result_set *rs, FILE *md)
{
	(void)rs;
	fprintf(md, "\n**Method.** One tagged packet at a time crosses a veth pair between two network "
		"namespaces. `bpf_ktime_get_ns()` stamps it at the sender's `net_dev_start_xmit` "
		"tracepoint (the origin: our 'driver', where the paper used a patched NIC driver), at "
		"native XDP and TC ingress on the server veth, at an SK_SKB verdict program (TCP), and at "
		"`sk_data_ready` after the socket enqueue; the receiver's recv() return is stamped with "
		"CLOCK_MONOTONIC, the same clock. On veth the packet goes through the sender's softirq "
		"before XDP runs, so XDP's time to reach is not 0 as on a NIC. `socket` is the TCP "
		"socket (the same TCP phase family as SK_SKB, nothing attached), `socket_udp` the UDP one. "
		"The tracepoints and, for TCP, a socket filter that joins TCP sequence numbers to tags "
		"stay attached in every phase.\n\n"
		"**Preparation cost, three methods (one row each).**\n"
		"- `prep_ns`: latency with the *minimal* program at the hook minus without any: UDP "
		"driver->socket for XDP/TC, TCP driver->recv() for SK_SKB. All phases run in short "
		"interleaved rounds (order rotated per round); each round gives one sample, the "
		"difference of the two phases' medians, and the row reports the median and IQR over "
		"rounds. On veth it also holds the path change a hook causes (native XDP switches veth to "
		"its NAPI/XDP-buffer path; SK_SKB adds the psock queue and a second wake-up), so it is "
		"the cost *of attaching*, the paper's definition, and stays noisy at the us level.\n"
		"- `stats_run_ns`: kernel.bpf_stats run_time_ns / run_cnt of the attached minimal "
		"programs over those phases: the program's own run, including the two clock reads "
		"the accounting adds; excludes the context preparation outside the program.\n"
		"- `testrun_ns`: BPF_PROG_TEST_RUN's mean ns per repetition of the minimal XDP / TC "
		"program on a prepared 64-byte context (bpf_stats off): the kernel's cost to enter and "
		"leave the program, the lowest-noise figure. SK_SKB programs have no test-run support.\n");
}

const struct experiment exp_hook_cost = {
	.name = "hook-cost",
	.paper_ref = "Table 1",
	.summary = "time from the driver to XDP / TC / SK_SKB / socket, and each hook's preparation cost",
	.tiers = "host,hw",
	.opts = hook_cost_opts,
	.cfg_size = sizeof(struct hook_cost_cfg),
	.validate = hook_cost_validate,
	.in_default_suite = true,
	.setup = hook_cost_setup,
	.run = hook_cost_run,
	.teardown = hook_cost_teardown,
	.report = hook_cost_report,
	.cleanup = netpath_cleanup,
};
