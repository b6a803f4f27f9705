/*
 * hook-cost (paper Table 1): how long a packet takes from the driver to each
 * receive hook, and what a minimal program at each hook costs.
 *
 * One tagged packet at a time (closed loop: the next leaves when the receiver
 * has the previous one) crosses the client->server veth.  hook_cost.bpf.c
 * stamps it with bpf_ktime_get_ns() at the sender's driver entry, at XDP, TC,
 * SK_SKB and at the UDP socket enqueue; the receiver thread stamps recv()'s
 * return with CLOCK_MONOTONIC, the same clock.  Phases:
 *   udp_all   XDP + TC attached: time to reach XDP, TC, socket
 *   tcp_skskb SK_SKB verdict on the server socket: time to reach SK_SKB
 *   udp_none / udp_xdp / udp_tc, tcp_none: the preparation cost of a hook is
 *   the driver->socket (UDP) or driver->recv (TCP) time with the minimal
 *   program minus the same without any (medians).
 */
#include <errno.h>
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

#include "hook_cost.skel.h"
#include "netpath.h"
#include "obench.h"
#include "topology.h"

#define HC_PORT		7711
#define HC_MSG		64		/* bytes per message, tag first */

static const struct opt_spec hook_cost_opts[] = {
	{ "packets", OPT_INT, NULL, 20, 1000000, "packets per phase (default 2000 quick, 10000, 100000 full)" },
	{ "gap-us", OPT_INT, "20", 0, 100000, "pause between packets (us)" },
	OPT_END
};

enum { F_XDP = 1, F_TC = 2, F_SKSKB = 4 };

struct phase {
	const char *name;
	bool tcp;
	int flags;
};

static const struct phase phases[] = {
	{ "udp_all", false, F_XDP | F_TC },
	{ "udp_none", false, 0 },
	{ "udp_xdp", false, F_XDP },
	{ "udp_tc", false, F_TC },
	{ "tcp_skskb", true, F_SKSKB },
	{ "tcp_none", true, 0 },
};
#define NPHASES	(sizeof(phases) / sizeof(phases[0]))

struct stamps {
	__u64 drv, xdp, tc, skskb, sock;
};

struct hc_tag {
	__u32 magic, seq;
};

struct hook_cost {
	struct topo topo;
	bool topo_up;
	struct hook_cost_bpf *skel;
	struct bpf_link *drv_link, *sock_link;
	int stats_saved;
	bool stats_on;
	__u32 magic;
	int packets;
	/* per phase: stamps and recv() time of packet i (seq = base + i) */
	struct stamps *st[NPHASES];
	__u64 *user[NPHASES];
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

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* Busy-polls the socket so the wake-up of a sleeping thread is not measured. */
static void *receive(void *arg)
{
	struct receiver *r = arg;
	unsigned char buf[HC_MSG * 4];
	size_t have = 0;

	netpath_pin(1);
	while (!atomic_load(&r->stop)) {
		ssize_t len = recv(r->fd, buf + have, r->tcp ? HC_MSG - have : sizeof(buf),
				   MSG_DONTWAIT);
		__u64 t = now_ns();
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

	if (ph->flags & F_XDP)
		err = netpath_xdp(&hc->topo, bpf_program__fd(s->progs.at_xdp));
	if (!err && (ph->flags & F_TC))
		err = netpath_tc(&hc->topo, bpf_program__fd(s->progs.at_tc));
	if (err || !ph->tcp)
		return err;
	fd = bpf_program__fd(s->progs.tcp_join);
	if (setsockopt(srv, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd)))
		return -errno;
	if (ph->flags & F_SKSKB) {
		/* verdict first: a socket takes the map's programs when inserted */
		err = bpf_prog_attach(bpf_program__fd(s->progs.at_sk_skb),
				      bpf_map__fd(s->maps.skskb_socks), BPF_SK_SKB_VERDICT, 0);
		if (err)
			return err;
		err = bpf_map_update_elem(bpf_map__fd(s->maps.skskb_socks), &key, &val, BPF_ANY);
		if (err)
			err = -errno;
	}
	return err;
}

static void detach_phase(struct hook_cost *hc, const struct phase *ph)
{
	struct hook_cost_bpf *s = hc->skel;
	__u32 key = 0;

	if (ph->flags & F_XDP)
		netpath_xdp(&hc->topo, -1);
	if (ph->flags & F_TC)
		netpath_tc(&hc->topo, -1);
	if (ph->flags & F_SKSKB) {
		bpf_map_delete_elem(bpf_map__fd(s->maps.skskb_socks), &key);
		bpf_prog_detach2(bpf_program__fd(s->progs.at_sk_skb),
				 bpf_map__fd(s->maps.skskb_socks), BPF_SK_SKB_VERDICT);
	}
}

static int run_phase(struct exp_env *env, struct hook_cost *hc, int p, __u32 base)
{
	const struct phase *ph = &phases[p];
	int gap = (int)opt_int(env->opts, "gap-us"), srv, cli, err, i;
	struct receiver r = { .tcp = ph->tcp, .magic = hc->magic, .base = base,
			      .n = (__u32)hc->packets, .user = hc->user[p] };
	unsigned char msg[HC_MSG] = { 0 };
	pthread_t th;

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
	netpath_pin(0);
	for (i = 0; i < hc->packets && !obench_interrupted(); i++) {
		struct hc_tag tag = { hc->magic, base + (__u32)i };
		__u64 deadline;

		memcpy(msg, &tag, sizeof(tag));
		if (send(cli, msg, sizeof(msg), 0) != sizeof(msg)) {
			err = -errno;
			break;
		}
		deadline = now_ns() + 5000000;
		while (atomic_load(&r.got) <= (unsigned int)i && now_ns() < deadline)
			;
		if (gap)
			usleep((useconds_t)gap);
		if (i % 500 == 0)
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

static int hook_cost_setup(struct exp_env *env)
{
	struct hook_cost *hc = calloc(1, sizeof(*hc));
	int err, p;

	if (!hc)
		return -ENOMEM;
	env->priv = hc;
	hc->packets = opt_given(env->opts, "packets") ? (int)opt_int(env->opts, "packets") :
		env->profile == PROFILE_QUICK ? 2000 : env->profile == PROFILE_FULL ? 100000 : 10000;
	srand((unsigned int)now_ns());
	hc->magic = ((__u32)rand() << 1) ^ (__u32)rand() ^ 0x0b0b0000u;
	for (p = 0; p < (int)NPHASES; p++) {
		hc->st[p] = calloc((size_t)hc->packets, sizeof(struct stamps));
		hc->user[p] = calloc((size_t)hc->packets, sizeof(__u64));
		if (!hc->st[p] || !hc->user[p])
			return -ENOMEM;
	}
	hc->skel = hook_cost_bpf__open();
	if (!hc->skel)
		return -errno;
	hc->skel->rodata->magic = hc->magic;
	hc->skel->rodata->port = HC_PORT;
	bpf_map__set_max_entries(hc->skel->maps.stamps, (__u32)(hc->packets * NPHASES + 1));
	err = hook_cost_bpf__load(hc->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the hook-cost programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	hc->drv_link = bpf_program__attach(hc->skel->progs.at_driver);
	hc->sock_link = bpf_program__attach(hc->skel->progs.at_socket);
	if (!hc->drv_link || !hc->sock_link) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "tp_btf/net_dev_start_xmit or tp_btf/sk_data_ready cannot be attached (%s)",
			 strerror(errno));
		return EXP_SKIP;
	}
	err = topo_create(&hc->topo);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot build the veth topology (%s)", strerror(-err));
		return EXP_SKIP;
	}
	hc->topo_up = true;
	if (netpath_stats_enable(&hc->stats_saved) == 0)
		hc->stats_on = true;
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

/* Collects delta @d of phase @p into v; returns how many packets had it. */
static size_t collect(const struct hook_cost *hc, int p, int d, double *v)
{
	size_t n = 0;
	int i;

	for (i = 0; i < hc->packets; i++) {
		__u64 x = delta(&hc->st[p][i], hc->user[p][i], d);

		if (x)
			v[n++] = (double)x;
	}
	return n;
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
		seq[m++] = s->drv;
		if (phases[p].flags & F_XDP)
			seq[m++] = s->xdp;
		if (phases[p].flags & F_TC)
			seq[m++] = s->tc;
		if (phases[p].flags & F_SKSKB)
			seq[m++] = s->skskb;
		seq[m++] = phases[p].tcp ? hc->user[p][i] : s->sock;
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

static void add_count(struct exp_env *env, const char *config, const char *metric, double x,
		      const char *note)
{
	struct stats st;

	stats_compute(&x, 1, 0, 0, &st);
	result_add(env->rs, config, metric, "packets", env->tier, &st, note);
}

static void add_delta(struct exp_env *env, const char *config, const char *metric, double *v,
		      size_t n, double base, const char *note)
{
	if (n < 10)
		result_skip(env->rs, config, metric, "fewer than 10 packets matched at every stamp");
	else
		env_add_samples(env, config, metric, "ns", v, n, base, note);
}

static int add_run_stats(struct exp_env *env, struct hook_cost *hc)
{
	const struct { const char *config; struct bpf_program *prog; } p[] = {
		{ "xdp", hc->skel->progs.at_xdp },
		{ "tc", hc->skel->progs.at_tc },
		{ "sk_skb", hc->skel->progs.at_sk_skb },
	};
	unsigned int i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		__u64 ns, cnt;
		double x;

		if (!hc->stats_on || netpath_prog_stats(bpf_program__fd(p[i].prog), &ns, &cnt) || !cnt) {
			result_skip(env->rs, p[i].config, "run_ns", "kernel.bpf_stats_enabled unavailable");
			continue;
		}
		x = (double)ns / (double)cnt;
		{
			struct stats st;
			char note[RESULT_NOTE];

			stats_compute(&x, 1, 0, 0, &st);
			snprintf(note, sizeof(note), "bpf_stats run_time_ns/run_cnt over %llu runs of the stamping program",
				 (unsigned long long)cnt);
			result_add(env->rs, p[i].config, "run_ns", "ns", env->tier, &st, note);
		}
	}
	return 0;
}

static int hook_cost_run(struct exp_env *env)
{
	struct hook_cost *hc = env->priv;
	size_t n = (size_t)hc->packets, m, bad = 0, checked = 0, c;
	double *v = calloc(n, sizeof(double)), base;
	int p, err = 0;
	char note[RESULT_NOTE];

	if (!v)
		return -ENOMEM;
	for (p = 0; p < (int)NPHASES && !err; p++) {
		__u32 b = 1 + (__u32)(p * hc->packets);

		err = run_phase(env, hc, p, b);
		if (!err)
			err = read_stamps(hc, p, b);
	}
	if (err)
		goto out;
	/* time to reach: udp_all (0) and tcp_skskb (4) */
	m = collect(hc, 0, D_XDP, v);
	add_delta(env, "xdp", "ns_to_reach", v, m, 0,
		  "origin: tp_btf/net_dev_start_xmit of the client veth (paper: NIC driver RX)");
	m = collect(hc, 0, D_TC, v);
	add_delta(env, "tc", "ns_to_reach", v, m, 0, "");
	m = collect(hc, 4, D_SKSKB, v);
	add_delta(env, "sk_skb", "ns_to_reach", v, m, 0, "TCP, SK_SKB verdict program on the server socket");
	m = collect(hc, 0, D_SOCK, v);
	add_delta(env, "socket", "ns_to_reach", v, m, 0, "UDP: tp_btf/sk_data_ready after the enqueue");
	m = collect(hc, 0, D_USER, v);
	add_delta(env, "user_recv", "ns_to_reach", v, m, 0, "UDP: recv() returned in the busy-polling receiver");

	/* preparation cost: with the minimal program minus without */
	m = collect(hc, 1, D_SOCK, v);
	base = median_of(v, m);
	m = collect(hc, 2, D_SOCK, v);
	snprintf(note, sizeof(note), "driver->socket with XDP minus without (median %.0f ns subtracted)", base);
	add_delta(env, "xdp", "prep_ns", v, m, base, note);
	m = collect(hc, 3, D_SOCK, v);
	snprintf(note, sizeof(note), "driver->socket with TC minus without (median %.0f ns subtracted)", base);
	add_delta(env, "tc", "prep_ns", v, m, base, note);
	m = collect(hc, 5, D_USER, v);
	base = median_of(v, m);
	m = collect(hc, 4, D_USER, v);
	snprintf(note, sizeof(note), "TCP driver->recv() with SK_SKB minus without (median %.0f ns subtracted)", base);
	add_delta(env, "sk_skb", "prep_ns", v, m, base, note);
	add_run_stats(env, hc);

	for (p = 0; p < (int)NPHASES; p++) {
		bad += order_violations(hc, p, &c);
		checked += c;
	}
	add_count(env, "all_phases", "matched_packets", (double)checked,
		  "packets stamped at every point of their phase");
	add_count(env, "all_phases", "order_violations", (double)bad,
		  "matched packets whose stamps are not driver <= XDP <= TC <= SK_SKB <= socket");
out:
	free(v);
	return err;
}

static void hook_cost_teardown(struct exp_env *env)
{
	struct hook_cost *hc = env->priv;
	int p;

	if (!hc)
		return;
	if (hc->stats_on)
		netpath_stats_restore(hc->stats_saved);
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
		"`sk_data_ready` after the UDP enqueue; the receiver's recv() return is stamped with "
		"CLOCK_MONOTONIC, the same clock. On veth the packet goes through the sender's softirq "
		"before XDP runs, so XDP's time to reach is not 0 as on a NIC. Preparation cost = median "
		"driver->socket (UDP) or driver->recv (TCP) time with the minimal program at the hook "
		"minus without any; `run_ns` is the kernel's bpf_stats run time per invocation of the "
		"stamping programs (includes the stats' own clock reads). The tracepoints and, for TCP, a "
		"socket filter that joins TCP sequence numbers to tags stay attached in every phase.\n");
}

static int hook_cost_cleanup(void)
{
	return topo_cleanup_stale();
}

const struct experiment exp_hook_cost = {
	.name = "hook-cost",
	.paper_ref = "Table 1",
	.summary = "time from the driver to XDP / TC / SK_SKB / socket, and each hook's preparation cost",
	.tiers = "host,hw",
	.opts = hook_cost_opts,
	.in_default_suite = true,
	.setup = hook_cost_setup,
	.run = hook_cost_run,
	.teardown = hook_cost_teardown,
	.report = hook_cost_report,
	.cleanup = hook_cost_cleanup,
};
