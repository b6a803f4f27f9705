// SPDX-License-Identifier: GPL-2.0
/*
 * xsk-kv (paper §3.2, Figs. 7-9): an AF_XDP key-value server (xsk_kv.c,
 * copy mode: veth has no zero-copy) with and without kvcache's XDP fast path
 * in front of it.  One server for the whole run; the fast path is switched
 * on and off between configurations (a socket cannot be rebound for ~2 s).
 *
 * (a) Throughput (Fig. 7): one small key, every get a cache hit once the fast
 *     path is on; a client keeps --window gets outstanding (closed loop with
 *     a window, so the server, not the round trip, bounds the rate) and
 *     counts replies per second.  Configurations alternate sample by sample.
 * (b) Latency (Figs. 8, 9): open loop (Poisson) at --rate, every --every-th
 *     get for a value above 1000 B that only user space serves; the overall
 *     RTT and that slow-path class's RTT.
 * Every reply is checked byte for byte; one mismatch fails the run.
 *
 * Where the work runs on veth: the server's XDP program runs in the softirq
 * of whoever transmits into the veth, i.e. on the *client's* CPU; only the
 * user-space server thread runs on --server-cpu.  See xsk_kv_report().
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>

#include "core/clock.h"
#include "core/cpupin.h"
#include "net/echo_servers.h"
#include "core/histogram.h"
#include "net/loadgen.h"
#include "kv/loadgen_proto_mc.h"
#include "kv/mc_proto.h"
#include "core/measure.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "net/peer.h"
#include "kv/peer_mc.h"
#include "core/obench.h"
#include "net/topology.h"
#include "kv/xsk_kv.h"

#define SMALL_KEY	"small"
#define LARGE_KEY	"large"
#define FLAGS		7
#define CALL_TMO_MS	1000

/* --xdp-mode */
enum xsk_kv_mode { XSK_KV_NATIVE, XSK_KV_SKB };
static const char *const xdp_modes[] = { "native", "skb", NULL };

/* xsk_kv's flags, filled and validated by the runner before setup() */
struct xsk_kv_cfg {
	int xdp_mode;			/* enum xsk_kv_mode */
	int port;
	int small_size;
	int large_size;
	int window;
	int sample_ms;
	double rate;
	int every;
	int requests;
	int timeout_ms;
	struct net_place place;
	struct net_remote remote;	/* two-host mode: the load from the peer */
};

#define CFG(f) offsetof(struct xsk_kv_cfg, f)
static const struct opt_spec xsk_kv_opts[] = {
	{ "xdp-mode", OPT_ENUM, CFG(xdp_mode), .def = "native", .choices = xdp_modes,
	  .help = "XDP attach mode on the server veth: native or skb" },
	NET_PORT(CFG(port), "11211", "UDP port of the key-value server"),
	{ "small-size", OPT_INT, CFG(small_size), .def = "64", .min = 1, .max = 1000,
	  .help = "value bytes of the cached (fast-path) key" },
	{ "large-size", OPT_INT, CFG(large_size), .def = "1100", .min = 1001, .max = 1300,
	  .help = "value bytes of the key only user space serves (> 1000)" },
	{ "window", OPT_INT, CFG(window), .def = "32", .min = 1, .max = 1024,
	  .help = "throughput: gets outstanding at once" },
	{ "sample-ms", OPT_INT, CFG(sample_ms), .def = "500", .quick = "250", .full = "1000", .min = 20, .max = 10000,
	  .help = "throughput: milliseconds of one sample" },
	{ "rate", OPT_DOUBLE, CFG(rate), .def = "55000", .min = 100, .max = 10000000,
	  .help = "latency: open-loop arrival rate, req/s (paper: 50K small + 5K large)" },
	{ "every", OPT_INT, CFG(every), .def = "11", .min = 2, .max = 1000,
	  .help = "latency: every N-th request gets the large value" },
	{ "requests", OPT_INT, CFG(requests), .def = "200000", .quick = "40000", .full = "1000000", .min = 100, .max = 100000000,
	  .help = "latency: measured requests per configuration" },
	NET_TIMEOUT_MS(CFG(timeout_ms)),
	NET_CLIENT_CPU(CFG(place.client_cpu), "0"),
	NET_SERVER_CPU(CFG(place.server_cpu), "1", "the AF_XDP server thread"),
	/*
	 * Default -1: the AF_XDP server busy-polls its CPU, so putting the receive
	 * work there too made both starve (~26K vs ~190K req/s measured).
	 */
	NET_RX_CPU(CFG(place.rx_cpu), "-1"),
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

static int xsk_kv_validate(const void *cfg, char *err, size_t errlen)
{
	return net_remote_validate(&((const struct xsk_kv_cfg *)cfg)->remote, err, errlen);
}

#define SLOTS	65536	/* request ids are 16 bits: a window must stay far below */

/* The throughput client: a window of outstanding gets. */
struct window {
	struct lg_proto p;
	uint64_t slot[SLOTS];	/* seq + 1 while outstanding, else 0 */
	uint64_t next;		/* next request number */
	unsigned int out;	/* outstanding */
	uint64_t replies, lost, late, mismatched;
	uint8_t req[LG_MC_REQ_MAX], rep[MC_UDP_MAX + 64];
};

struct xsk_kv_exp {
	struct topo topo;
	bool topo_up;
	struct xsk_kv *srv;
	int cli;
	char small[1000], large[1300];
	size_t small_len, large_len;
	char small_rep[MC_UDP_MAX], large_rep[MC_UDP_MAX];
	int small_rep_len, large_rep_len;
	char rx_note[96];	/* where the server veth's receive work runs */
	/* the load clients' state, too large for the stack */
	struct window win;
	struct lg_mc mc;
	struct histogram all[2], cls[2][2];	/* latency: [config], [config][class] */
	struct peer peer;		/* two-host mode: the load client's host */
	bool remote;
	struct lg_mcw_cfg wcfg;		/* two-host mode: the peer's workload (one small key) */
	char ip[INET_ADDRSTRLEN];	/* the server's address, for the peer */
};

static const char *const cfg_name[2] = { "xsk_only", "xsk_fastpath" };

/* set @key @val over the client socket; 0 when the server said STORED. */
static int kv_set(struct xsk_kv_exp *x, const char *key, const char *val, size_t vlen)
{
	char req[MC_UDP_MAX], rep[256];
	int n = mc_build_set(req, sizeof(req), true, 1, key, FLAGS, 0, val, vlen);

	if (n < 0)
		return -EMSGSIZE;
	n = xsk_kv_call(x->cli, req, (size_t)n, rep, sizeof(rep), CALL_TMO_MS);
	if (n < 0)
		return n;
	return n == MC_UDP_HDR + 8 && !memcmp(rep + MC_UDP_HDR, "STORED\r\n", 8) ? 0 : -EPROTO;
}

/* Both values (distinct bytes, so a reply carrying the wrong one cannot pass the check) and their replies. */
static int build_values(struct exp_env *env, struct xsk_kv_exp *x)
{
	const struct xsk_kv_cfg *c = env->cfg;
	size_t i;

	x->small_len = (size_t)c->small_size;
	x->large_len = (size_t)c->large_size;
	for (i = 0; i < x->small_len; i++)
		x->small[i] = (char)('a' + i % 26);
	for (i = 0; i < x->large_len; i++)
		x->large[i] = (char)('A' + i % 26);
	x->small_rep_len = mc_build_value_reply(x->small_rep, sizeof(x->small_rep), SMALL_KEY, FLAGS,
						x->small, x->small_len);
	x->large_rep_len = mc_build_value_reply(x->large_rep, sizeof(x->large_rep), LARGE_KEY, FLAGS,
						x->large, x->large_len);
	if (x->small_rep_len < 0 || x->large_rep_len < 0) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "values do not fit one UDP datagram");
		return -EINVAL;
	}
	return 0;
}

/* One host: a veth pair between two namespaces.  Two hosts: the server on --iface, the load on the peer. */
static int xsk_topology(struct exp_env *env, struct xsk_kv_exp *x)
{
	const struct xsk_kv_cfg *c = env->cfg;
	int err;

	err = peer_load_topology(env, &c->remote, &x->topo, &x->peer, &x->topo_up, &x->remote,
				 "the load client");
	if (!err)
		inet_ntop(AF_INET, &x->topo.server.addr, x->ip, sizeof(x->ip));
	return err;
}

/*
 * Two hosts: the peer's workload is one small and one large key (lg_mcw's
 * own names and values); its first run is all sets, half of each class,
 * which store them in our server (the DUT's own sockets would not cross
 * --iface).
 */
static int remote_store(struct exp_env *env, struct xsk_kv_exp *x)
{
	const struct xsk_kv_cfg *c = env->cfg;
	struct lg_mcw_cfg set;
	struct lg_result r;
	int err;

	x->wcfg = (struct lg_mcw_cfg){ .keys = { 1, 1 },
				       .value_size = { (size_t)c->small_size, (size_t)c->large_size },
				       .seed = 0x5eedc5c0 };
	x->small_len = (size_t)c->small_size;
	x->large_len = (size_t)c->large_size;
	set = x->wcfg;
	set.set_ratio = 1;
	set.frac1 = 0.5;
	err = peer_mc_window(&x->peer, x->ip, c->port, &set, 1, 0.2, 0, c->timeout_ms, -1, &r,
			     env->skip_reason, sizeof(env->skip_reason));
	if (!err && (!r.received || r.mismatched)) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "the peer could not store its key "
			 "(%llu stored, %llu wrong replies)", (unsigned long long)r.received,
			 (unsigned long long)r.mismatched);
		err = -EPROTO;
	}
	return err;
}

/* Two hosts: one throughput window run of @ns from the peer; replies counted into @w, its seconds in *@secs. */
static int remote_window(struct exp_env *env, struct xsk_kv_exp *x, struct window *w, uint64_t ns,
			 double *secs)
{
	const struct xsk_kv_cfg *c = env->cfg;
	struct lg_result r;
	int err;

	err = peer_mc_window(&x->peer, x->ip, c->port, &x->wcfg, (unsigned int)c->window,
			     (double)ns / 1e9, 0, c->timeout_ms, -1, &r, env->skip_reason,
			     sizeof(env->skip_reason));
	w->replies += r.received;
	w->lost += r.lost;
	w->late += r.late;
	w->mismatched += r.mismatched;
	*secs = r.elapsed_s;
	return err;
}

static int xsk_kv_setup(struct exp_env *env)
{
	const struct xsk_kv_cfg *c = env->cfg;
	struct xsk_kv_exp *x = calloc(1, sizeof(*x));
	struct xsk_kv_config cfg = {
		.port = (uint16_t)c->port, .cpu = c->place.server_cpu,
		.cache_entries = 1024, .max_value = 1000, .skb_mode = c->xdp_mode == XSK_KV_SKB,
	};
	char why[256];
	int err;

	if (!x)
		return -ENOMEM;
	env->priv = x;
	x->cli = -1;
	err = xsk_topology(env, x);
	if (err)
		return err;
	netpath_place_rx(&x->topo, x->remote ? -1 : c->place.rx_cpu, x->rx_note, sizeof(x->rx_note));
	cfg.t = &x->topo;
	err = xsk_kv_start(&x->srv, &cfg, why, sizeof(why));
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "%s", why);
		return err == -EOPNOTSUPP || err == -EAFNOSUPPORT || err == -EPERM ? EXP_SKIP : err;
	}
	if (x->remote)
		return remote_store(env, x);
	x->cli = echo_client_connect(&x->topo, SOCK_DGRAM, cfg.port);
	if (x->cli < 0) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot open the client socket (%s)",
			 strerror(-x->cli));
		return x->cli;
	}
	err = build_values(env, x);
	if (err)
		return err;
	err = kv_set(x, SMALL_KEY, x->small, x->small_len);
	if (!err)
		err = kv_set(x, LARGE_KEY, x->large, x->large_len);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot store the keys (%s)",
			 strerror(-err));
		return err;
	}
	return 0;
}

/* ---------------- (a) throughput: a window of outstanding gets ---------------- */

/* 1 when a get went out, 0 when the socket's queue was full, or -errno. */
static int window_send(int fd, struct window *w)
{
	size_t n = w->p.build(w->p.ctx, w->next, w->req, sizeof(w->req));

	if (!n)
		return -EMSGSIZE;
	if (send(fd, w->req, n, MSG_DONTWAIT) != (ssize_t)n)
		return errno == EAGAIN || errno == ENOBUFS ? 0 : -errno;
	w->slot[w->next % SLOTS] = w->next + 1;
	w->next++;
	w->out++;
	return 1;
}

/*
 * Keeps @win gets in flight for @ns; counts replies.  A silence of
 * @tmo_ms declares everything outstanding lost and refills the window.
 */
static int window_run(int fd, struct window *w, unsigned int win, uint64_t ns, int tmo_ms)
{
	uint64_t end = mono_ns() + ns;
	uint64_t seq;
	ssize_t n;
	int err;

	while (mono_ns() < end) {
		if (obench_interrupted())
			return -EINTR;
		while (w->out < win) {
			err = window_send(fd, w);
			if (err < 0)
				return err;
			if (!err)
				break;	/* send queue full: receive first */
		}
		n = recv(fd, w->rep, sizeof(w->rep), MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return -errno;
			if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, tmo_ms) == 0) {
				for (seq = w->next - w->out; seq < w->next; seq++)
					w->slot[seq % SLOTS] = 0;
				w->lost += w->out;
				w->out = 0;
			}
			continue;
		}
		if (w->p.reply_seq(w->p.ctx, w->rep, (size_t)n, &seq) ||
		    w->slot[seq % SLOTS] != seq + 1) {
			w->late++;	/* declared lost earlier, or an id never sent */
			continue;
		}
		w->slot[seq % SLOTS] = 0;
		w->out--;
		w->replies++;
		if (w->p.check(w->p.ctx, seq, w->rep, (size_t)n))
			w->mismatched++;
	}
	return 0;
}

/* Waits until the window drains, so one configuration's replies never count in the next. */
static void window_drain(int fd, struct window *w, int tmo_ms)
{
	uint64_t end = mono_ns() + (uint64_t)tmo_ms * 1000000ull, seq;
	ssize_t n;

	while (w->out && mono_ns() < end) {
		if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1) <= 0)
			continue;
		n = recv(fd, w->rep, sizeof(w->rep), MSG_DONTWAIT);
		if (n < 0 || w->p.reply_seq(w->p.ctx, w->rep, (size_t)n, &seq) ||
		    w->slot[seq % SLOTS] != seq + 1)
			continue;
		w->slot[seq % SLOTS] = 0;
		w->out--;
		w->replies++;
		if (w->p.check(w->p.ctx, seq, w->rep, (size_t)n))
			w->mismatched++;
	}
	w->lost += w->out;
	memset(w->slot, 0, sizeof(w->slot));
	w->out = 0;
}

/* The throughput samples' counters, per configuration. */
struct tput_run {
	struct xsk_kv_exp *x;
	const struct xsk_kv_cfg *c;
	size_t rounds;
	struct xsk_kv_stats sum[2];	/* xdp_hits and replies only */
	uint64_t lost[2], late[2];
};

/* One sample of configuration @conf: switch, warm up, count replies for --sample-ms, drain. */
static int tput_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	struct tput_run *t = ctx;
	struct window *w = &t->x->win;
	uint64_t ns = (uint64_t)t->c->sample_ms * 1000000ull, r0, t0, l0 = w->lost, k0 = w->late;
	unsigned int win = (unsigned int)t->c->window;
	int tmo = t->c->timeout_ms, err;
	struct xsk_kv_stats a, b;

	progress(env, "throughput %s: sample %zu/%zu", cfg_name[conf], round + 1, t->rounds);
	err = xsk_kv_set_fastpath(t->x->srv, conf == 1);
	if (t->x->remote) {
		double secs = 0;

		/* the peer's runs: a warm-up that fills the cache, then the measured one */
		err = err ? err : remote_window(env, t->x, w, ns / 10, &secs);
		xsk_kv_get_stats(t->x->srv, &a);
		r0 = w->replies;
		err = err ? err : remote_window(env, t->x, w, ns, &secs);
		*sample = secs > 0 ? (double)(w->replies - r0) / secs : 0;	/* the peer's clock */
		xsk_kv_get_stats(t->x->srv, &b);
		t->sum[conf].xdp_hits += b.xdp_hits - a.xdp_hits;
		t->sum[conf].replies += b.replies - a.replies;
		t->lost[conf] += w->lost - l0;
		t->late[conf] += w->late - k0;
		return err;
	}
	/* the first get after switching fills the cache: not measured */
	err = err ? err : window_run(t->x->cli, w, win, ns / 10, tmo);
	if (err)
		return err;
	xsk_kv_get_stats(t->x->srv, &a);
	r0 = w->replies;
	t0 = mono_ns();
	err = window_run(t->x->cli, w, win, ns, tmo);
	*sample = (double)(w->replies - r0) / ((double)(mono_ns() - t0) / 1e9);
	xsk_kv_get_stats(t->x->srv, &b);
	t->sum[conf].xdp_hits += b.xdp_hits - a.xdp_hits;
	t->sum[conf].replies += b.replies - a.replies;
	window_drain(t->x->cli, w, tmo);
	t->lost[conf] += w->lost - l0;
	t->late[conf] += w->late - k0;
	return err;
}

static void tput_rows(struct exp_env *env, const struct tput_run *t, const struct sampler *s, double *v)
{
	const struct xsk_kv_cfg *c = env->cfg;
	char note[RESULT_NOTE];
	int conf;

	for (conf = 0; conf < 2; conf++) {
		uint64_t served = t->sum[conf].xdp_hits + t->sum[conf].replies;

		snprintf(note, sizeof(note),
			 "window %d, 1 key %zu B; %.1f%% by XDP; lost %llu late %llu; %s XDP; %s%d, "
			 "server cpu %d; %s", c->window, t->x->small_len,
			 served ? 100.0 * (double)t->sum[conf].xdp_hits / (double)served : 0.0,
			 (unsigned long long)t->lost[conf], (unsigned long long)t->late[conf],
			 xdp_modes[c->xdp_mode], t->x->remote ? "client on the peer, its cpu " : "client cpu ",
			 t->x->remote ? -1 : c->place.client_cpu, c->place.server_cpu, t->x->rx_note);
		if (conf == 1 && !t->sum[conf].xdp_hits) {
			result_skip(env->rs, cfg_name[conf], "req_per_s", "the fast path answered nothing");
			continue;
		}
		env_add_samples(env, cfg_name[conf], "req_per_s", "req/s", sample_series(env, s, v, 0, conf),
				t->rounds, 0, note);
	}
}

/* Interleaved: xsk_only, xsk_fastpath, xsk_only, ... so drift hits both alike. */
static int measure_throughput(struct exp_env *env, struct xsk_kv_exp *x)
{
	struct tput_run t = { .x = x, .c = env->cfg };
	struct sampler s = { .nconf = 2, .step = tput_step, .ctx = &t, .names = cfg_name };
	double *v = sampler_alloc(env, &s);
	cpu_set_t saved;
	bool pinned;
	int err;

	if (!v)
		return -ENOMEM;
	t.rounds = sampler_rounds(env, &s);
	memset(&x->mc, 0, sizeof(x->mc));
	memset(&x->win, 0, sizeof(x->win));
	if (lg_mc_class(&x->mc, 0, SMALL_KEY, x->small_rep, (size_t)x->small_rep_len, NULL)) {
		free(v);
		return -EINVAL;
	}
	lg_mc_init(&x->win.p, &x->mc, 0, 0);
	pinned = !x->remote && cpu_pin_save(t.c->place.client_cpu, &saved);
	err = sample_interleaved(env, &s, v);
	if (pinned)
		cpu_unpin(&saved);
	if (!err && x->win.mismatched) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "throughput: %llu replies differ from the expected bytes",
			 (unsigned long long)x->win.mismatched);
		err = -EPROTO;
	}
	if (!err)
		tput_rows(env, &t, &s, v);
	free(v);
	return err;
}

/* ---------------- (b) latency: open loop, a slow-path class ---------------- */

/*
 * A new client socket (new source port) per run: replies an earlier run
 * declared lost can then never reach this one, where the load client, which
 * maps 16-bit request ids onto its own numbering, would miscount them.
 */
static int reconnect(struct xsk_kv_exp *x, uint16_t port)
{
	if (x->cli >= 0)
		close(x->cli);
	x->cli = echo_client_connect(&x->topo, SOCK_DGRAM, port);
	return x->cli < 0 ? x->cli : 0;
}

/* The latency runs' counters, per configuration. */
struct lat_run {
	struct xsk_kv_exp *x;
	const struct xsk_kv_cfg *c;
	struct lg_params prm;
	uint64_t sent[2], lost[2], mism[2], bad[2], hits[2], rx[2];
};

/* Two hosts: the same open loop from the peer (lg_mcw: the large key every @every-th get on average). */
static int lat_remote(struct exp_env *env, struct lat_run *l, int conf, struct lg_result *r)
{
	static struct histogram h[3];
	struct histogram *const hs[3] = { &h[0], &h[1], &h[2] };
	struct xsk_kv_exp *x = l->x;
	struct lg_mcw_cfg c = x->wcfg;
	int err;

	c.frac1 = 1.0 / l->c->every;
	err = peer_mc_open(&x->peer, x->ip, l->c->port, &c, l->prm.rate,
			   (double)l->prm.requests / l->prm.rate, l->prm.warmup, l->prm.timeout_ms, -1,
			   hs, r, env->skip_reason, sizeof(env->skip_reason));
	hist_merge(&x->all[conf], &h[0]);
	hist_merge(&x->cls[conf][0], &h[1]);
	hist_merge(&x->cls[conf][1], &h[2]);
	return err;
}

/* One open-loop run of half the requests in configuration @conf. */
static int lat_step(struct exp_env *env, int conf, size_t round, double *sample, void *ctx)
{
	struct lat_run *l = ctx;
	struct xsk_kv_exp *x = l->x;
	struct xsk_kv_stats a, b;
	struct lg_result r;
	struct lg_proto p;
	int err;


	memset(&x->mc, 0, sizeof(x->mc));
	if (lg_mc_class(&x->mc, 0, SMALL_KEY, x->small_rep, (size_t)x->small_rep_len, &x->cls[conf][0]) ||
	    lg_mc_class(&x->mc, 1, LARGE_KEY, x->large_rep, (size_t)x->large_rep_len, &x->cls[conf][1]))
		return -EINVAL;
	lg_mc_init(&p, &x->mc, (unsigned int)l->c->every, l->prm.warmup);
	err = xsk_kv_set_fastpath(x->srv, conf == 1);
	if (err)
		return err;
	progress(env, "latency %s: round %zu/2, %llu requests at %.0f/s%s", cfg_name[conf], round + 1,
		 (unsigned long long)(l->prm.warmup + l->prm.requests), l->prm.rate,
		 x->remote ? " from the peer" : "");
	err = x->remote ? 0 : reconnect(x, (uint16_t)l->c->port);
	if (err)
		return err;
	xsk_kv_get_stats(x->srv, &a);
	err = x->remote ? lat_remote(env, l, conf, &r) :
			  loadgen_run(x->cli, &p, &l->prm, &x->all[conf], &r);
	if (err)
		return err;
	xsk_kv_get_stats(x->srv, &b);
	l->hits[conf] += b.xdp_hits - a.xdp_hits;
	l->rx[conf] += b.rx - a.rx;
	l->sent[conf] += r.sent;
	l->lost[conf] += r.lost;
	l->mism[conf] += r.mismatched;
	/* two hosts: the peer counts a reply with wrong bytes as mismatched */
	l->bad[conf] += x->remote ? r.mismatched : x->mc.bad_class[0] + x->mc.bad_class[1];
	*sample = (double)r.received;
	return 0;
}

static void lat_rows(struct exp_env *env, const struct lat_run *l)
{
	char note[RESULT_NOTE], cfg[64];
	struct stats st;
	int c;

	for (c = 0; c < 2; c++) {
		snprintf(note, sizeof(note),
			 "open loop %.0f/s, 1 in %d large (%zu B); sent %llu lost %llu; %llu by XDP, %llu to user space; %s XDP",
			 l->prm.rate, l->c->every, l->x->large_len, (unsigned long long)l->sent[c],
			 (unsigned long long)l->lost[c], (unsigned long long)l->hits[c],
			 (unsigned long long)l->rx[c], xdp_modes[l->c->xdp_mode]);
		snprintf(cfg, sizeof(cfg), "overall_%s", cfg_name[c]);
		if (hist_stats(&l->x->all[c], 1e-3, &st))
			result_skip(env->rs, cfg, "rtt_us", "no reply received");
		else
			result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st, note);
		snprintf(cfg, sizeof(cfg), "slowpath_%s", cfg_name[c]);
		if (hist_stats(&l->x->cls[c][1], 1e-3, &st))
			result_skip(env->rs, cfg, "rtt_us", "no large-value reply received");
		else
			result_add(env->rs, cfg, "rtt_us", "us", env->tier, &st,
				   "the large-value gets only (always user space); same runs as overall_*");
	}
}

/* Two rounds, alternating, halves of the requests each: drift hits both alike. */
static int measure_latency(struct exp_env *env, struct xsk_kv_exp *x)
{
	const struct xsk_kv_cfg *c = env->cfg;
	struct lat_run l = {
		.x = x, .c = c,
		.prm = {
			.open_loop = true, .rate = c->rate, .requests = (uint64_t)c->requests / 2,
			.warmup = 2000, .timeout_ms = c->timeout_ms, .cpu = c->place.client_cpu,
		},
	};
	struct sampler s = { .nconf = 2, .rounds = 2, .step = lat_step, .ctx = &l, .names = cfg_name };
	double *received = sampler_alloc(env, &s);
	int i, err;

	if (!received)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		hist_init(&x->all[i]);
		hist_init(&x->cls[i][0]);
		hist_init(&x->cls[i][1]);
	}
	err = sample_interleaved(env, &s, received);
	free(received);
	if (err)
		return err;
	if (l.mism[0] || l.mism[1]) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "latency: %llu / %llu replies (without / with the fast path) unmatched, of them %llu / %llu with wrong bytes",
			 (unsigned long long)l.mism[0], (unsigned long long)l.mism[1],
			 (unsigned long long)l.bad[0], (unsigned long long)l.bad[1]);
		return -EPROTO;
	}
	lat_rows(env, &l);
	return 0;
}

static int xsk_kv_run(struct exp_env *env)
{
	struct xsk_kv_exp *x = env->priv;
	int err;

	err = measure_throughput(env, x);
	if (!err)
		err = measure_latency(env, x);
	if (!err)
		err = xsk_kv_set_fastpath(x->srv, false);
	return err;
}

static void xsk_kv_teardown(struct exp_env *env)
{
	struct xsk_kv_exp *x = env->priv;

	if (!x)
		return;
	if (x->cli >= 0)
		close(x->cli);
	xsk_kv_stop(x->srv);
	if (x->remote)
		peer_close(&x->peer);
	if (x->topo_up)
		topo_destroy(&x->topo);
	free(x);
	env->priv = NULL;
}

static void xsk_kv_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *a = result_find(rs, "slowpath_xsk_only", "rtt_us");
	const struct result_row *b = result_find(rs, "slowpath_xsk_fastpath", "rtt_us");

	fprintf(md, "\nxsk-kv: one AF_XDP server (copy mode) on a veth pair, client and server thread "
		"pinned to different CPUs (row notes). On veth the server's XDP program runs in the "
		"softirq of the *sending* side: with native XDP the fast path (and the copy into the "
		"UMEM) runs on the client's CPU, so a fast-path hit costs the client's CPU while a "
		"user-space request also costs the server thread's CPU. The throughput rows keep a "
		"window of gets outstanding (closed loop) on one small key; the latency rows are an "
		"open loop with every N-th get for a value > 1000 B (always user space).\n");
	if (a && b && !a->skipped && !b->skipped && a->st.median > 0)
		fprintf(md, "\nFig. 9 (no number in the text; the paper says the slow-path median "
			"*increases* with the fast path): ours %.2f -> %.2f us, ratio %.3f (%s).\n",
			a->st.median, b->st.median, b->st.median / a->st.median,
			b->st.median > a->st.median ? "increases, as in the paper" : "does not increase");
}

const struct experiment exp_xsk_kv = {
	.name = "xsk-kv",
	.paper_ref = "Figs. 7-9",
	.summary = "AF_XDP key-value server with and without an XDP fast path: throughput, latency, slow-path latency",
	.tiers = "host",
	.opts = xsk_kv_opts,
	.cfg_size = sizeof(struct xsk_kv_cfg),
	.validate = xsk_kv_validate,
	.in_default_suite = true,
	.setup = xsk_kv_setup,
	.run = xsk_kv_run,
	.teardown = xsk_kv_teardown,
	.report = xsk_kv_report,
	.cleanup = netpath_cleanup,
};
