// SPDX-License-Identifier: GPL-2.0
/* The memcached UDP get protocol for the load client (loadgen_proto_mc.h). */
#include "core/clock.h"
#include "core/cpupin.h"
#include "kv/loadgen_proto_mc.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "core/obench.h"
#include "kv/memcached.h"

static int class_of(const struct lg_mc *m, uint64_t seq)
{
	return m->every && seq % m->every == m->every - 1;
}

static size_t mc_build(void *ctx, uint64_t seq, uint8_t *buf, size_t cap)
{
	struct lg_mc *m = ctx;
	const struct lg_mc_class *c = &m->c[class_of(m, seq)];

	if ((size_t)c->req_len > cap)
		return 0;
	memcpy(buf, c->req, (size_t)c->req_len);
	buf[0] = (uint8_t)(seq >> 8);
	buf[1] = (uint8_t)seq;
	m->last = seq;
	m->sent_ns[seq % LG_MC_SENT_RING] = mono_ns();
	return (size_t)c->req_len;
}

static size_t mc_reply_len(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	return len;	/* UDP only: one datagram is one reply */
}

/* The latest request number whose low 16 bits are the reply's request id. */
static int mc_reply_seq(void *ctx, const uint8_t *rep, size_t len, uint64_t *seq)
{
	struct lg_mc *m = ctx;
	uint16_t id;

	if (len < MC_UDP_HDR)
		return -1;
	id = (uint16_t)(rep[0] << 8 | rep[1]);
	if ((uint16_t)(m->last - id) > m->last)
		return -1;	/* an id not sent yet */
	*seq = m->last - (uint16_t)(m->last - id);
	return 0;
}

static int mc_check(void *ctx, uint64_t seq, const uint8_t *rep, size_t len)
{
	struct lg_mc *m = ctx;
	int cls = class_of(m, seq);
	const struct lg_mc_class *c = &m->c[cls];
	struct mc_udp_hdr h;

	if (mc_udp_hdr_get(rep, len, &h) || h.req_id != (uint16_t)seq || h.seq != 0 ||
	    h.total != 1 || h.reserved != 0 || len - MC_UDP_HDR != c->expect_len ||
	    memcmp(rep + MC_UDP_HDR, c->expect, c->expect_len)) {
		m->bad_class[cls]++;
		return -1;
	}
	if (c->h && seq >= m->warmup)
		hist_record(c->h, mono_ns() - m->sent_ns[seq % LG_MC_SENT_RING]);
	return 0;
}

int lg_mc_class(struct lg_mc *m, int cls, const char *key, const void *expect, size_t len,
		struct histogram *h)
{
	struct lg_mc_class *c = &m->c[cls & 1];

	c->req_len = mc_build_get(c->req, sizeof(c->req), true, 0, key);
	if (c->req_len < 0 || len > sizeof(c->expect))
		return -1;
	memcpy(c->expect, expect, len);
	c->expect_len = len;
	c->h = h;
	return 0;
}

void lg_mc_init(struct lg_proto *p, struct lg_mc *m, unsigned int every, uint64_t warmup)
{
	m->every = every;
	m->warmup = warmup;
	m->last = 0;
	m->bad_class[0] = m->bad_class[1] = 0;
	*p = (struct lg_proto){
		.name = "memcached-udp", .ctx = m, .build = mc_build, .reply_len = mc_reply_len,
		.reply_seq = mc_reply_seq, .check = mc_check,
	};
}

static void *mc_thread_main(void *arg)
{
	struct lg_mc_thread *t = arg;

	t->err = loadgen_run(t->fd, &t->p, &t->prm, &t->h, &t->res);
	return NULL;
}

int lg_mc_thread_start(struct lg_mc_thread *t, int fd, const char *key, const void *expect,
		       size_t len, const struct lg_params *prm)
{
	int err;

	t->fd = fd;
	t->err = 0;
	memset(&t->res, 0, sizeof(t->res));
	memset(t->m.c, 0, sizeof(t->m.c));
	if (lg_mc_class(&t->m, 0, key, expect, len, NULL)) {
		close(fd);
		return -EINVAL;
	}
	lg_mc_init(&t->p, &t->m, 0, prm->warmup);
	hist_init(&t->h);
	t->prm = *prm;
	err = pthread_create(&t->th, NULL, mc_thread_main, t);
	if (err) {
		close(fd);
		return -err;
	}
	return 0;
}

int lg_mc_thread_join(struct lg_mc_thread *t)
{
	pthread_join(t->th, NULL);
	close(t->fd);
	return t->err;
}

/* ---------------- the fuller workload (struct lg_mcw) ---------------- */


static const char mcw_stored[] = "STORED\r\n";

/* xorshift64*: popularity and mix need no cryptographic randomness */
static double mcw_uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((double)((*s * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static unsigned int mcw_pick(const double *cdf, unsigned int n, double u)
{
	unsigned int lo = 0, hi = n - 1;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (cdf[mid] >= u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static size_t mcw_build(void *ctx, uint64_t seq, uint8_t *buf, size_t cap)
{
	struct lg_mcw *w = ctx;
	struct lg_mcw_sent *s = &w->sent[seq % LG_MC_SENT_RING];
	int cls = mcw_uniform(&w->rng) < w->cfg.frac1;
	const struct lg_mcw_key *k;
	size_t n;

	if (!w->cfg.keys[cls])
		cls = !cls;
	s->cls = (uint8_t)cls;
	s->key = mcw_pick(w->cdf[cls], w->cfg.keys[cls], mcw_uniform(&w->rng));
	s->is_set = w->cfg.set_ratio > 0 && mcw_uniform(&w->rng) < w->cfg.set_ratio;
	k = &w->k[cls][s->key];
	n = (size_t)(s->is_set ? k->set_len : k->get_len);
	if (n > cap)
		return 0;
	memcpy(buf, s->is_set ? k->set : k->get, n);
	buf[0] = (uint8_t)(seq >> 8);
	buf[1] = (uint8_t)seq;
	w->last = seq;
	s->ns = mono_ns();
	return n;
}

static int mcw_reply_seq(void *ctx, const uint8_t *rep, size_t len, uint64_t *seq)
{
	struct lg_mcw *w = ctx;
	uint16_t id;

	if (len < MC_UDP_HDR)
		return -1;
	id = (uint16_t)(rep[0] << 8 | rep[1]);
	if ((uint16_t)(w->last - id) > w->last)
		return -1;
	*seq = w->last - (uint16_t)(w->last - id);
	return 0;
}

static int mcw_check(void *ctx, uint64_t seq, const uint8_t *rep, size_t len)
{
	struct lg_mcw *w = ctx;
	const struct lg_mcw_sent *s = &w->sent[seq % LG_MC_SENT_RING];
	const struct lg_mcw_key *k = &w->k[s->cls][s->key];
	const char *want = s->is_set ? mcw_stored : k->expect;
	size_t wlen = s->is_set ? sizeof(mcw_stored) - 1 : k->expect_len;
	struct mc_udp_hdr h;

	if (mc_udp_hdr_get(rep, len, &h) || h.req_id != (uint16_t)seq || h.seq != 0 ||
	    h.total != 1 || h.reserved != 0 || len - MC_UDP_HDR != wlen ||
	    memcmp(rep + MC_UDP_HDR, want, wlen)) {
		if (s->is_set)
			w->bad_set++;
		else
			w->bad_class[s->cls]++;
		return -1;
	}
	if (s->is_set) {
		w->sets++;
		return 0;
	}
	w->gets[s->cls]++;
	if (w->h[s->cls] && seq >= w->warmup)
		hist_record(w->h[s->cls], mono_ns() - s->ns);
	return 0;
}

static int mcw_key_init(struct lg_mcw_key *k, int cls, unsigned int i, size_t vlen)
{
	size_t j, cap = vlen + 128;
	int n;

	snprintf(k->key, sizeof(k->key), "ob-%c-%u", cls ? 'l' : 's', i);
	k->value = malloc(vlen ? vlen : 1);
	k->set = malloc(cap + MC_UDP_HDR);
	k->expect = malloc(cap);
	if (!k->value || !k->set || !k->expect)
		return -ENOMEM;
	for (j = 0; j < vlen; j++)
		k->value[j] = (char)('a' + (i * 7 + j) % 26);
	k->get_len = mc_build_get(k->get, sizeof(k->get), true, 0, k->key);
	k->set_len = mc_build_set(k->set, cap + MC_UDP_HDR, true, 0, k->key, 0, 0, k->value, vlen);
	n = mc_build_value_reply(k->expect, cap, k->key, 0, k->value, vlen);
	if (n < 0 || k->get_len < 0 || k->set_len < 0 || k->set_len > MC_UDP_MAX)
		return -EINVAL;
	k->expect_len = (size_t)n;
	return 0;
}

int lg_mcw_init(struct lg_proto *p, struct lg_mcw *w, const struct lg_mcw_cfg *cfg,
		uint64_t warmup, struct histogram *h0, struct histogram *h1)
{
	int cls, err;
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	if (cfg->frac1 < 0 || cfg->frac1 > 1 || cfg->set_ratio < 0 || cfg->set_ratio > 1 ||
	    cfg->zipf_s < 0 || (!cfg->keys[0] && !cfg->keys[1]) ||
	    (cfg->frac1 > 0 && !cfg->keys[1]) || (cfg->frac1 < 1 && !cfg->keys[0]))
		return -EINVAL;
	w->sent = calloc(LG_MC_SENT_RING, sizeof(*w->sent));
	if (!w->sent)
		return -ENOMEM;
	for (cls = 0; cls < 2; cls++) {
		unsigned int n = cfg->keys[cls];
		double sum = 0;

		if (!n)
			continue;
		w->k[cls] = calloc(n, sizeof(*w->k[cls]));
		w->cdf[cls] = calloc(n, sizeof(double));
		if (!w->k[cls] || !w->cdf[cls]) {
			lg_mcw_free(w);
			return -ENOMEM;
		}
		for (i = 0; i < n; i++) {
			err = mcw_key_init(&w->k[cls][i], cls, i, cfg->value_size[cls]);
			if (err) {
				lg_mcw_free(w);
				return err;
			}
			sum += pow((double)(i + 1), -cfg->zipf_s);
			w->cdf[cls][i] = sum;
		}
		for (i = 0; i < n; i++)
			w->cdf[cls][i] /= sum;
	}
	w->h[0] = h0;
	w->h[1] = h1;
	w->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ull;
	w->warmup = warmup;
	*p = (struct lg_proto){
		.name = "memcached-udp-workload", .ctx = w, .build = mcw_build,
		.reply_len = mc_reply_len, .reply_seq = mcw_reply_seq, .check = mcw_check,
	};
	return 0;
}

void lg_mcw_reset(struct lg_mcw *w, uint64_t warmup)
{
	w->warmup = warmup;
	w->last = 0;
	w->gets[0] = w->gets[1] = w->sets = 0;
	w->bad_class[0] = w->bad_class[1] = w->bad_set = 0;
}

void lg_mcw_free(struct lg_mcw *w)
{
	int cls;
	unsigned int i;

	for (cls = 0; cls < 2; cls++) {
		for (i = 0; w->k[cls] && i < w->cfg.keys[cls]; i++) {
			free(w->k[cls][i].value);
			free(w->k[cls][i].set);
			free(w->k[cls][i].expect);
		}
		free(w->k[cls]);
		free(w->cdf[cls]);
		w->k[cls] = NULL;
		w->cdf[cls] = NULL;
	}
	free(w->sent);
	w->sent = NULL;
}

/* ---------------- saturating window loop ---------------- */

#define WIN_BUF	65536	/* one request or one reply datagram */

/* One lg_mc_run_window() run. */
struct mc_window {
	const struct lg_proto *p;
	unsigned int window;
	uint64_t warmup, tmo_ns;
	double duration_s;
	uint64_t *sent_at;		/* LG_MC_SENT_RING send times */
	uint8_t *pending;		/* LG_MC_SENT_RING flags: no reply yet */
	uint8_t *req, *rep;
	uint64_t next, oldest, outstanding;
	uint64_t t_meas, t_end;		/* the measured phase: 0 until it starts / ends */
	uint64_t now;
	struct histogram *h;
	struct lg_result *res;
};

/* Sends until @window requests are outstanding (none once measuring ended). */
static int window_fill(int fd, struct mc_window *w)
{
	const uint64_t R = LG_MC_SENT_RING;

	while (!w->t_end && w->outstanding < w->window) {
		size_t len = w->p->build(w->p->ctx, w->next, w->req, WIN_BUF);

		if (!len || send(fd, w->req, len, 0) < 0) {
			if (len && (errno == EAGAIN || errno == ENOBUFS))
				return 0;	/* the socket is full: receive first */
			return len ? -errno : -EINVAL;
		}
		if (w->next == w->warmup)
			w->t_meas = w->now;
		if (w->t_meas)
			w->res->sent++;
		w->sent_at[w->next % R] = w->now;
		w->pending[w->next % R] = 1;
		w->next++;
		w->outstanding++;
	}
	return 0;
}

/* Takes one reply if there is one (else waits up to 1 ms) and checks it. */
static int window_receive(int fd, struct mc_window *w)
{
	const uint64_t R = LG_MC_SENT_RING;
	ssize_t n = recv(fd, w->rep, WIN_BUF, 0);
	uint64_t seq;

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1);
	} else if (w->p->reply_seq(w->p->ctx, w->rep, (size_t)n, &seq) || seq >= w->next ||
		   w->next - seq >= R) {
		w->res->mismatched++;
	} else if (!w->pending[seq % R]) {
		w->res->late++;
	} else {
		w->now = mono_ns();
		w->pending[seq % R] = 0;
		w->outstanding--;
		if (w->p->check(w->p->ctx, seq, w->rep, (size_t)n))
			w->res->mismatched++;
		if (w->t_meas && !w->t_end)
			w->res->received++;
		if (w->h && seq >= w->warmup && !w->t_end)
			hist_record(w->h, w->now - w->sent_at[seq % R]);
	}
	return 0;
}

/* Requests go out in order: the oldest pending one times out first. */
static void window_expire(struct mc_window *w)
{
	const uint64_t R = LG_MC_SENT_RING;

	while (w->oldest < w->next &&
	       (!w->pending[w->oldest % R] || w->now - w->sent_at[w->oldest % R] > w->tmo_ns)) {
		if (w->pending[w->oldest % R]) {
			w->pending[w->oldest % R] = 0;
			w->outstanding--;
			if (w->oldest >= w->warmup && !w->t_end)
				w->res->lost++;
		}
		w->oldest++;
	}
}

/* Round after round until the measured phase is over and its replies are in or lost. */
static int window_loop(int fd, struct mc_window *w)
{
	int err;

	for (;;) {
		if (obench_interrupted())
			return -EINTR;
		w->now = mono_ns();
		if (w->t_meas && !w->t_end && (double)(w->now - w->t_meas) / 1e9 >= w->duration_s)
			w->t_end = w->now;
		/* after the measured phase: collect (and check) what is still outstanding */
		if (w->t_end && (!w->outstanding || w->now - w->t_end > w->tmo_ns))
			return 0;
		err = window_fill(fd, w);
		if (!err)
			err = window_receive(fd, w);
		if (err)
			return err;
		window_expire(w);
	}
}

int lg_mc_run_window(int fd, const struct lg_proto *p, unsigned int window,
		     double duration_s, uint64_t warmup, int timeout_ms, int cpu,
		     struct histogram *h, struct lg_result *res)
{
	struct mc_window w = {
		.p = p, .window = window, .warmup = warmup, .duration_s = duration_s,
		.tmo_ns = (uint64_t)timeout_ms * 1000000ull, .h = h, .res = res,
		.sent_at = calloc(LG_MC_SENT_RING, sizeof(uint64_t)),
		.pending = calloc(LG_MC_SENT_RING, 1), .req = malloc(WIN_BUF), .rep = malloc(WIN_BUF),
	};
	int fl = fcntl(fd, F_GETFL), err;
	cpu_set_t saved;
	bool pinned;

	memset(res, 0, sizeof(*res));
	if (!window || window >= LG_MC_SENT_RING / 4)
		err = -EINVAL;
	else if (!w.sent_at || !w.pending || !w.req || !w.rep)
		err = -ENOMEM;
	else
		err = 0;
	if (err)
		goto out_free;
	pinned = cpu_pin_save(cpu, &saved);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	/* answers to an earlier run's last requests are no replies of ours */
	while (recv(fd, w.rep, WIN_BUF, 0) >= 0)
		res->late++;
	err = window_loop(fd, &w);
	if (!err || err == -EINTR)
		res->elapsed_s = w.t_end ? (double)(w.t_end - w.t_meas) / 1e9 : 0;
	fcntl(fd, F_SETFL, fl);
	if (pinned)
		cpu_unpin(&saved);
out_free:
	free(w.sent_at);
	free(w.pending);
	free(w.req);
	free(w.rep);
	return err;
}

int lg_mcw_store(const struct lg_mcw_cfg *cfg, struct mc_client *cl)
{
	struct lg_mcw w;
	struct lg_proto p;
	unsigned int i;
	int cls, err;

	err = lg_mcw_init(&p, &w, cfg, 0, NULL, NULL);
	for (cls = 0; cls < 2 && !err; cls++)
		for (i = 0; i < cfg->keys[cls] && !err; i++)
			err = mc_set_tcp(cl, w.k[cls][i].key, 0, w.k[cls][i].value,
					 cfg->value_size[cls]);
	lg_mcw_free(&w);
	return err;
}
