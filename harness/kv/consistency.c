// SPDX-License-Identifier: GPL-2.0
/*
 * The consistency checker (consistency.h).  Keys are owned by one writer
 * each (even keys: the UDP writer, odd keys: the TCP writer), so a key's
 * acknowledged versions only grow; flush_all runs alone (a write lock over
 * the writers) and raises every key's floor.
 */
#include "kv/consistency.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "core/clock.h"
#include "core/netns.h"
#include "kv/mc_proto.h"

#define CK_MAX_KEYS	256
#define CK_EXPIRES_S	1	/* exptime of the expiring sets */
#define CK_COUNTER_SCALE 1000000ULL	/* a counter starts at its version times this */

struct ck_key {
	_Atomic uint64_t floor;		/* newest version acknowledged */
	_Atomic uint64_t exp_ver;	/* version of the last expiring set ... */
	_Atomic uint64_t exp_after_ns;	/* ... no hit may return it after this */
};

struct ck {
	const struct kv_check_cfg *cfg;
	struct ck_key key[CK_MAX_KEYS];
	_Atomic uint64_t version, reads, writes, stale, hits, misses, timeouts;
	_Atomic uint64_t per_kind[KV_CHECK_NR_KINDS];
	_Atomic bool stop;
	pthread_rwlock_t flush_lock;
	pthread_mutex_t first_lock;
	char first_stale[200];
};

struct ck_thread {
	struct ck *ck;
	pthread_t tid;
	int id, fd;
	unsigned int rng;
	uint16_t req_id;
};

static int ck_socket(const struct kv_check_cfg *c, bool tcp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = c->addr,
				  .sin_port = htons(tcp ? c->tcp_port : c->udp_port) };
	struct timeval tv = { .tv_sec = c->timeout_ms / 1000,
			      .tv_usec = (c->timeout_ms % 1000) * 1000 };
	int fd = netns_socket(c->nsfd, AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void key_name(char *buf, size_t cap, unsigned int k)
{
	snprintf(buf, cap, "ck%u", k);
}

/* The version a value ends with ("...#<version>"), or a counter's value. */
static uint64_t value_version(const char *data, size_t len)
{
	char num[32];
	size_t i = len;

	while (i > 0 && data[i - 1] != '#')
		i--;
	snprintf(num, sizeof(num), "%.*s", (int)(len - i), data + i);
	return strtoull(num, NULL, 10);
}

/* One UDP request and its reply (matched by request id); reply length, 0 on timeout. */
static int udp_call(struct ck_thread *t, const char *req, size_t len, char *rep, size_t cap)
{
	unsigned char buf[2048];
	struct mc_udp_hdr h;
	ssize_t n;

	if (len + MC_UDP_HDR > sizeof(buf))
		return -EINVAL;
	t->req_id++;
	mc_udp_hdr_put(buf, t->req_id);
	memcpy(buf + MC_UDP_HDR, req, len);
	if (send(t->fd, buf, len + MC_UDP_HDR, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(t->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		if (mc_udp_hdr_get(buf, (size_t)n, &h) || h.req_id != t->req_id)
			continue;	/* a late reply to an earlier request */
		n -= MC_UDP_HDR;
		if ((size_t)n >= cap)
			n = (ssize_t)cap - 1;
		memcpy(rep, buf + MC_UDP_HDR, (size_t)n);
		rep[n] = 0;
		return (int)n;
	}
}

/* One TCP request; its one-line reply in @rep.  Reply length, 0 on timeout. */
static int tcp_call(struct ck_thread *t, const char *req, size_t len, char *rep, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	if (send(t->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno;
	while (got + 1 < cap) {
		n = recv(t->fd, rep + got, cap - 1 - got, 0);
		if (n <= 0)
			return n == 0 ? -ECONNRESET :
			       errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		got += (size_t)n;
		rep[got] = 0;
		if (strstr(rep, "\r\n"))
			return (int)got;
	}
	return -EMSGSIZE;
}

static void note_stale(struct ck *ck, const char *what)
{
	atomic_fetch_add(&ck->stale, 1);
	pthread_mutex_lock(&ck->first_lock);
	if (!ck->first_stale[0])
		snprintf(ck->first_stale, sizeof(ck->first_stale), "%s", what);
	pthread_mutex_unlock(&ck->first_lock);
}

static void raise_floor(struct ck_key *k, uint64_t v)
{
	uint64_t cur = atomic_load(&k->floor);

	while (cur < v && !atomic_compare_exchange_weak(&k->floor, &cur, v))
		;
}

/* ------------------------------ readers ------------------------------ */

static void check_read(struct ck_thread *t, unsigned int k)
{
	struct ck *ck = t->ck;
	struct ck_key *key = &ck->key[k];
	char name[16], req[64], rep[2048], what[200];
	uint64_t floor = atomic_load(&key->floor), ev = atomic_load(&key->exp_ver);
	uint64_t after = atomic_load(&key->exp_after_ns), sent = mono_ns(), v;
	struct mc_value val;
	int n;

	key_name(name, sizeof(name), k);
	n = snprintf(req, sizeof(req), "get %s\r\n", name);
	n = udp_call(t, req, (size_t)n, rep, sizeof(rep));
	if (n <= 0) {
		atomic_fetch_add(&ck->timeouts, 1);
		return;
	}
	if (mc_parse_get_reply(rep, (size_t)n, &val) <= 0)
		return;		/* not a one-value reply: not a read we can judge */
	atomic_fetch_add(&ck->reads, 1);
	if (!val.hit) {
		atomic_fetch_add(&ck->misses, 1);
		return;
	}
	atomic_fetch_add(&ck->hits, 1);
	v = value_version(val.data, val.len);
	if (v < floor) {
		snprintf(what, sizeof(what), "get %s returned version %llu, %llu was acknowledged before it was sent",
			 name, (unsigned long long)v, (unsigned long long)floor);
		note_stale(ck, what);
	} else if (ev && v == ev && after && sent > after) {
		snprintf(what, sizeof(what), "get %s returned version %llu after it expired", name,
			 (unsigned long long)v);
		note_stale(ck, what);
	}
}

static void *reader_main(void *arg)
{
	struct ck_thread *t = arg;

	while (!atomic_load(&t->ck->stop))
		check_read(t, (unsigned int)rand_r(&t->rng) % t->ck->cfg->keys);
	return NULL;
}

/* ------------------------------ writers ------------------------------ */

static enum kv_check_kind pick_kind(struct ck_thread *t)
{
	unsigned int r = (unsigned int)rand_r(&t->rng) % 2000;

	if (r == 0 && t->id == 1)
		return KV_CHECK_FLUSH;
	r %= 100;
	return r < 5 ? KV_CHECK_DELETE : r < 15 ? KV_CHECK_APPEND : r < 20 ? KV_CHECK_TOUCH :
	       KV_CHECK_SET;
}

/* A quarter of the keys live with a time to live: their sets expire. */
static bool key_expires(unsigned int k)
{
	return (k / 2) % 4 == 0;
}

/* Another quarter are counters. */
static bool key_counts(unsigned int k)
{
	return (k / 2) % 4 == 1;
}

/* The request of @kind for key @name at version @v. */
static int build_write(char *buf, size_t cap, enum kv_check_kind kind, const char *name,
		       uint64_t v, unsigned int pad)
{
	char val[1024];
	int n;

	switch (kind) {
	case KV_CHECK_DELETE:
		return snprintf(buf, cap, "delete %s\r\n", name);
	case KV_CHECK_TOUCH:
		return snprintf(buf, cap, "touch %s 0\r\n", name);
	case KV_CHECK_FLUSH:
		return snprintf(buf, cap, "flush_all\r\n");
	case KV_CHECK_APPEND:
		n = snprintf(val, sizeof(val), "#%llu", (unsigned long long)v);
		return snprintf(buf, cap, "append %s 0 0 %d\r\n%s\r\n", name, n, val);
	case KV_CHECK_INCR:
		return snprintf(buf, cap, "incr %s 1\r\n", name);
	default:
		n = snprintf(val, sizeof(val), "%.*s#%llu", (int)pad,
			     "................................................................"
			     "................................................................",
			     (unsigned long long)v);
		return snprintf(buf, cap, "set %s 0 %d %d\r\n%s\r\n", name,
				kind == KV_CHECK_EXPIRING ? CK_EXPIRES_S : 0, n, val);
	}
}

/* After memcached acknowledged @kind of key @k at version @v. */
static void acknowledged(struct ck *ck, enum kv_check_kind kind, unsigned int k, uint64_t v,
			 const char *rep)
{
	unsigned int i;

	if (strstr(rep, "ERROR"))
		return;		/* refused: nothing changed */
	if (kind == KV_CHECK_FLUSH) {
		for (i = 0; i < ck->cfg->keys; i++)
			raise_floor(&ck->key[i], key_counts(i) ? v * CK_COUNTER_SCALE : v);
	} else if (kind == KV_CHECK_INCR) {
		/* the new value, or the start a set gave a missing counter */
		raise_floor(&ck->key[k], strncmp(rep, "STORED", 6) ? strtoull(rep, NULL, 10) :
					 v * CK_COUNTER_SCALE);
	} else if (kind != KV_CHECK_TOUCH) {
		raise_floor(&ck->key[k], v);	/* also a delete, an append to nothing */
	}
	if (kind == KV_CHECK_EXPIRING && !strncmp(rep, "STORED", 6)) {
		atomic_store(&ck->key[k].exp_ver, v);
		/* memcached's clock ticks once a second: allow it two */
		atomic_store(&ck->key[k].exp_after_ns, mono_ns() + (CK_EXPIRES_S + 2) * 1000000000ull);
	}
	atomic_fetch_add(&ck->per_kind[kind], 1);
	atomic_fetch_add(&ck->writes, 1);
}

/* One request and its reply over the writer's transport; reply length, 0 on timeout. */
static int write_call(struct ck_thread *t, const char *req, int n, char *rep, size_t cap)
{
	return t->id ? tcp_call(t, req, (size_t)n, rep, cap) : udp_call(t, req, (size_t)n, rep, cap);
}

static void write_one(struct ck_thread *t)
{
	struct ck *ck = t->ck;
	unsigned int half = (ck->cfg->keys + 1 - (unsigned int)t->id) / 2;
	unsigned int k = ((unsigned int)rand_r(&t->rng) % half) * 2 + (unsigned int)t->id;
	enum kv_check_kind kind = pick_kind(t);
	char name[16], req[1200], rep[256];
	uint64_t v;
	int n;

	if (key_counts(k) && kind != KV_CHECK_FLUSH)
		kind = KV_CHECK_INCR;
	else if (kind == KV_CHECK_SET && key_expires(k))
		kind = KV_CHECK_EXPIRING;
	if (kind == KV_CHECK_FLUSH)
		pthread_rwlock_wrlock(&ck->flush_lock);
	else
		pthread_rwlock_rdlock(&ck->flush_lock);
	v = atomic_fetch_add(&ck->version, 1) + 1;
	key_name(name, sizeof(name), k);
	n = build_write(req, sizeof(req), kind, name, v, (unsigned int)rand_r(&t->rng) % 120);
	n = write_call(t, req, n, rep, sizeof(rep));
	if (n > 0 && kind == KV_CHECK_INCR && !strncmp(rep, "NOT_FOUND", 9)) {
		n = snprintf(req, sizeof(req), "set %s 0 0 %d\r\n%llu\r\n", name,
			     snprintf(NULL, 0, "%llu", (unsigned long long)(v * CK_COUNTER_SCALE)),
			     (unsigned long long)(v * CK_COUNTER_SCALE));
		n = write_call(t, req, n, rep, sizeof(rep));
	}
	if (n > 0)
		acknowledged(ck, kind, k, v, rep);
	else
		atomic_fetch_add(&ck->timeouts, 1);
	pthread_rwlock_unlock(&ck->flush_lock);
}

static void *writer_main(void *arg)
{
	struct ck_thread *t = arg;
	struct ck *ck = t->ck;
	double wf = ck->cfg->write_fraction;

	while (!atomic_load(&ck->stop)) {
		/* keep writes at their share of all requests */
		if ((double)atomic_load(&ck->writes) > wf / (1 - wf) * (double)atomic_load(&ck->reads) + 2) {
			usleep(50);
			continue;
		}
		write_one(t);
	}
	return NULL;
}

/* ------------------------------ the run ------------------------------ */

static int start(struct ck *ck, struct ck_thread *t, int id, bool tcp, bool reader)
{
	t->ck = ck;
	t->id = id;
	t->rng = 0x9e3779b9u * (unsigned int)(id + 1 + (reader ? 16 : 0));
	t->fd = ck_socket(ck->cfg, tcp);
	if (t->fd < 0)
		return t->fd;
	if (pthread_create(&t->tid, NULL, reader ? reader_main : writer_main, t)) {
		close(t->fd);
		t->fd = -1;
		return -EAGAIN;
	}
	return 0;
}

static void wait_done(struct ck *ck)
{
	const struct kv_check_cfg *c = ck->cfg;
	double t0 = mono_s();

	while (mono_s() - t0 < c->seconds ||
	       (atomic_load(&ck->reads) < c->min_reads && mono_s() - t0 < 4 * c->seconds))
		usleep(20000);
}

int kv_check_run(const struct kv_check_cfg *cfg, struct kv_check_result *res)
{
	struct ck_thread th[2 + 16] = {};
	struct ck *ck;
	unsigned int i, n = 0;
	int err = 0;

	if (cfg->keys < 2 || cfg->keys > CK_MAX_KEYS || !cfg->readers || cfg->readers > 16 ||
	    cfg->write_fraction <= 0 || cfg->write_fraction >= 1)
		return -EINVAL;
	ck = calloc(1, sizeof(*ck));
	if (!ck)
		return -ENOMEM;
	ck->cfg = cfg;
	pthread_rwlock_init(&ck->flush_lock, NULL);
	pthread_mutex_init(&ck->first_lock, NULL);
	for (i = 0; i < 2 && !err; i++, n++)
		err = start(ck, &th[n], (int)i, i == 1, false);
	for (i = 0; i < cfg->readers && !err; i++, n++)
		err = start(ck, &th[n], (int)i, false, true);
	if (err)
		n--;		/* the one that failed has no thread */
	if (!err)
		wait_done(ck);
	atomic_store(&ck->stop, true);
	for (i = 0; i < n; i++) {
		pthread_join(th[i].tid, NULL);
		close(th[i].fd);
	}
	memset(res, 0, sizeof(*res));
	res->reads_checked = ck->reads;
	res->stale_reads = ck->stale;
	res->hits = ck->hits;
	res->misses = ck->misses;
	res->timeouts = ck->timeouts;
	res->writes_acked = ck->writes;
	for (i = 0; i < KV_CHECK_NR_KINDS; i++)
		res->per_kind[i] = ck->per_kind[i];
	snprintf(res->first_stale, sizeof(res->first_stale), "%s", ck->first_stale);
	free(ck);
	return err;
}
