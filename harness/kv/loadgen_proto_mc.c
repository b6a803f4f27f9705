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
#include <sys/socket.h>

#include "core/obench.h"

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

int lg_mc_run_window(int fd, const struct lg_proto *p, unsigned int window,
		     double duration_s, uint64_t warmup, int timeout_ms, int cpu,
		     struct histogram *h, struct lg_result *res)
{
	const uint64_t R = LG_MC_SENT_RING, tmo = (uint64_t)timeout_ms * 1000000ull;
	uint64_t *sent_at = calloc(R, sizeof(*sent_at));
	uint8_t *pending = calloc(R, 1), *req = malloc(65536), *rep = malloc(65536);
	uint64_t next = 0, oldest = 0, outstanding = 0, t_meas = 0, t_end = 0, now = 0, seq;
	int fl = fcntl(fd, F_GETFL), err = 0;
	cpu_set_t saved;
	bool pinned;

	memset(res, 0, sizeof(*res));
	if (!sent_at || !pending || !req || !rep || !window || window >= R / 4) {
		err = (!window || window >= R / 4) ? -EINVAL : -ENOMEM;
		goto out_free;
	}
	pinned = cpu_pin_save(cpu, &saved);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	/* answers to an earlier run's last requests are no replies of ours */
	while (recv(fd, rep, 65536, 0) >= 0)
		res->late++;
	for (;;) {
		ssize_t n;

		if (obench_interrupted()) {
			err = -EINTR;
			break;
		}
		now = mono_ns();
		if (t_meas && !t_end && (double)(now - t_meas) / 1e9 >= duration_s)
			t_end = now;
		/* after the measured phase: collect (and check) what is still outstanding */
		if (t_end && (!outstanding || now - t_end > tmo))
			break;
		while (!t_end && outstanding < window) {
			size_t len = p->build(p->ctx, next, req, 65536);

			if (!len || send(fd, req, len, 0) < 0) {
				if (len && (errno == EAGAIN || errno == ENOBUFS))
					break;	/* the socket is full: receive first */
				err = len ? -errno : -EINVAL;
				goto out;
			}
			if (next == warmup)
				t_meas = now;
			if (t_meas)
				res->sent++;
			sent_at[next % R] = now;
			pending[next % R] = 1;
			next++;
			outstanding++;
		}
		n = recv(fd, rep, 65536, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				err = -errno;
				goto out;
			}
			poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1);
		} else if (p->reply_seq(p->ctx, rep, (size_t)n, &seq) || seq >= next ||
			   next - seq >= R) {
			res->mismatched++;
		} else if (!pending[seq % R]) {
			res->late++;
		} else {
			now = mono_ns();
			pending[seq % R] = 0;
			outstanding--;
			if (p->check(p->ctx, seq, rep, (size_t)n))
				res->mismatched++;
			if (t_meas && !t_end)
				res->received++;
			if (h && seq >= warmup && !t_end)
				hist_record(h, now - sent_at[seq % R]);
		}
		/* requests go out in order: the oldest pending one times out first */
		while (oldest < next && (!pending[oldest % R] || now - sent_at[oldest % R] > tmo)) {
			if (pending[oldest % R]) {
				pending[oldest % R] = 0;
				outstanding--;
				if (oldest >= warmup && !t_end)
					res->lost++;
			}
			oldest++;
		}
	}
	res->elapsed_s = t_end ? (double)(t_end - t_meas) / 1e9 : 0;
out:
	fcntl(fd, F_SETFL, fl);
	if (pinned)
		cpu_unpin(&saved);
out_free:
	free(sent_at);
	free(pending);
	free(req);
	free(rep);
	return err;
}
