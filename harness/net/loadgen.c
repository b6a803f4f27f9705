// SPDX-License-Identifier: GPL-2.0
#include "net/loadgen.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/cpupin.h"
#include "core/obench.h"

#define LG_BUF	(1 << 17)

static int send_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (obench_interrupted())
				return -EINTR;
			continue;
		}
		if (w <= 0)
			return w < 0 ? -errno : -EPIPE;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reception state: for TCP a byte buffer cut into replies by the protocol. */
struct rx {
	uint8_t *buf;
	size_t len;
};

/*
 * Receives once (blocking per the socket's mode) and hands every complete
 * reply to @on_reply.  Returns replies handled, 0 on timeout/EAGAIN, -errno.
 */
static int rx_once(int fd, const struct lg_proto *p, bool stream, struct rx *rx,
		   void (*on_reply)(void *arg, const uint8_t *rep, size_t len), void *arg)
{
	ssize_t n;
	size_t off = 0, r;
	int got = 0;

	if (!stream) {
		n = recv(fd, rx->buf, LG_BUF, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		on_reply(arg, rx->buf, (size_t)n);
		return 1;
	}
	n = recv(fd, rx->buf + rx->len, LG_BUF - rx->len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		return -ECONNRESET;
	rx->len += (size_t)n;
	while ((r = p->reply_len(p->ctx, rx->buf + off, rx->len - off)) > 0) {
		on_reply(arg, rx->buf + off, r);
		off += r;
		got++;
	}
	memmove(rx->buf, rx->buf + off, rx->len - off);
	rx->len -= off;
	if (rx->len == LG_BUF)
		return -EMSGSIZE;
	return got;
}

struct loop {
	const struct lg_proto *p;
	const struct lg_params *prm;
	struct histogram *h;
	struct lg_result *res;
	uint64_t *sched;	/* open loop: intended send time per request */
	uint8_t *done;		/* open loop: reply seen */
	uint64_t want;		/* closed loop: the outstanding request */
	uint64_t t0;		/* closed loop: its send time */
	bool answered;
	uint64_t sent;
};

static void account(struct loop *l, uint64_t seq, const uint8_t *rep, size_t len, uint64_t t_sent)
{
	if (l->p->check(l->p->ctx, seq, rep, len))
		l->res->mismatched++;
	l->res->received++;
	if (seq >= l->prm->warmup)
		hist_record(l->h, mono_ns() - t_sent);
}

static void closed_reply(void *arg, const uint8_t *rep, size_t len)
{
	struct loop *l = arg;
	uint64_t seq;
	int no_seq = l->p->reply_seq(l->p->ctx, rep, len, &seq);

	if (no_seq || seq != l->want) {
		/* an answer to a request already declared lost, or garbage */
		if (!no_seq && seq < l->want)
			l->res->late++;
		else
			l->res->mismatched++;
		return;
	}
	account(l, seq, rep, len, l->t0);
	l->answered = true;
}

static void set_rcvtimeo(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static bool finished(const struct lg_params *prm, uint64_t i, uint64_t t_start)
{
	if (prm->requests)
		return i >= prm->warmup + prm->requests;
	return i >= prm->warmup && (double)(mono_ns() - t_start) / 1e9 >= prm->duration_s;
}

static int closed_loop(int fd, struct loop *l, struct rx *rx, uint8_t *req)
{
	const struct lg_params *prm = l->prm;
	uint64_t i, t_start = mono_ns(), t_meas = 0;
	int err = 0, got;

	set_rcvtimeo(fd, prm->timeout_ms);
	for (i = 0; !finished(prm, i, t_start); i++) {
		size_t n = l->p->build(l->p->ctx, i, req, LG_BUF);
		uint64_t deadline;

		if (obench_interrupted())
			return -EINTR;
		if (i == prm->warmup)
			t_meas = mono_ns();
		l->want = i;
		l->answered = false;
		l->t0 = mono_ns();
		deadline = l->t0 + (uint64_t)prm->timeout_ms * 1000000ull;
		err = send_all(fd, req, n);
		if (err)
			return err;
		l->res->sent++;
		while (!l->answered) {
			got = rx_once(fd, l->p, prm->stream, rx, closed_reply, l);
			if (got < 0)
				return got;
			if (obench_interrupted())
				return -EINTR;
			if (!l->answered && mono_ns() >= deadline) {
				l->res->lost++;
				if (prm->stream)
					return -ETIMEDOUT;
				break;
			}
		}
	}
	l->res->elapsed_s = (double)(mono_ns() - (t_meas ? t_meas : t_start)) / 1e9;
	return 0;
}

static void open_reply(void *arg, const uint8_t *rep, size_t len)
{
	struct loop *l = arg;
	uint64_t seq;

	if (l->p->reply_seq(l->p->ctx, rep, len, &seq) || seq >= l->sent || l->done[seq]) {
		l->res->mismatched++;
		return;
	}
	l->done[seq] = 1;
	account(l, seq, rep, len, l->sched[seq]);
}

/* xorshift64*: the arrival process needs no cryptographic randomness */
static double uniform01(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return ((double)((*s * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

/* Receives once without blocking; when nothing came and @idle, waits up to 1 ms. */
static int open_rx(int fd, struct loop *l, struct rx *rx, bool idle)
{
	int got = rx_once(fd, l->p, l->prm->stream, rx, open_reply, l);

	if (!got && idle)
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1);
	return got < 0 ? got : 0;
}

/*
 * Sends @total requests at Poisson arrival times, receiving in between.
 * Latency is taken from the *intended* send time, so a slow reply delays
 * no later request's clock (no coordinated omission).
 */
static int open_send(int fd, struct loop *l, struct rx *rx, uint8_t *req, uint64_t total,
		     uint64_t *t_meas)
{
	const struct lg_params *prm = l->prm;
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ mono_ns(), next = mono_ns();
	int err;

	while (l->sent < total) {
		uint64_t now = mono_ns();

		if (obench_interrupted())
			return -EINTR;
		if (now < next) {
			/* sleep a little only when the next send is more than 2 ms away */
			err = open_rx(fd, l, rx, next - now > 2000000);
			if (err)
				return err;
			continue;
		}
		if (l->sent == prm->warmup)
			*t_meas = next;
		l->sched[l->sent] = next;
		err = send_all(fd, req, l->p->build(l->p->ctx, l->sent, req, LG_BUF));
		if (err)
			return err;
		l->sent++;
		l->res->sent++;
		next += (uint64_t)(-log(uniform01(&rng)) / prm->rate * 1e9);
	}
	return 0;
}

/* Waits up to the timeout for the replies still outstanding. */
static int open_drain(int fd, struct loop *l, struct rx *rx)
{
	uint64_t end = mono_ns() + (uint64_t)l->prm->timeout_ms * 1000000ull;
	int err;

	while (l->res->received + l->res->mismatched < l->sent && mono_ns() < end) {
		if (obench_interrupted())
			return -EINTR;
		err = open_rx(fd, l, rx, true);
		if (err)
			return err;
	}
	return 0;
}

static int open_loop(int fd, struct loop *l, struct rx *rx, uint8_t *req)
{
	const struct lg_params *prm = l->prm;
	uint64_t total = prm->requests ? prm->warmup + prm->requests :
		prm->warmup + (uint64_t)(prm->duration_s * prm->rate) + 1;
	uint64_t t_start = mono_ns(), t_meas = 0;
	int err, fl = fcntl(fd, F_GETFL);

	l->sched = calloc(total, sizeof(*l->sched));
	l->done = calloc(total, 1);
	if (!l->sched || !l->done) {
		err = -ENOMEM;
		goto out;
	}
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	err = open_send(fd, l, rx, req, total, &t_meas);
	if (!err)
		err = open_drain(fd, l, rx);
	if (!err) {
		l->res->lost = l->sent - l->res->received;
		l->res->elapsed_s = (double)(mono_ns() - (t_meas ? t_meas : t_start)) / 1e9;
	}
	fcntl(fd, F_SETFL, fl);
out:
	free(l->sched);
	free(l->done);
	return err;
}

int loadgen_run(int fd, const struct lg_proto *p, const struct lg_params *prm,
		struct histogram *h, struct lg_result *res)
{
	struct loop l = { .p = p, .prm = prm, .h = h, .res = res };
	struct rx rx = { 0 };
	cpu_set_t saved;
	bool pinned;
	uint8_t *req;
	int err;

	memset(res, 0, sizeof(*res));
	if (prm->open_loop && prm->rate <= 0)
		return -EINVAL;
	req = malloc(LG_BUF);
	rx.buf = malloc(LG_BUF);
	if (!req || !rx.buf) {
		free(req);
		free(rx.buf);
		return -ENOMEM;
	}
	pinned = cpu_pin_save(prm->cpu, &saved);
	err = prm->open_loop ? open_loop(fd, &l, &rx, req) : closed_loop(fd, &l, &rx, req);
	if (pinned)
		cpu_unpin(&saved);
	free(req);
	free(rx.buf);
	return err;
}
