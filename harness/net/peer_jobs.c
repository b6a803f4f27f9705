// SPDX-License-Identifier: GPL-2.0
/*
 * Two-host mode, DUT side: the jobs' command lines and their answers (see
 * peer.h): counters ("res"), histograms ("hist"/"b"), and one call per
 * built-in job (echo, iperf, flood, pace).  The session is peer.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/peer.h"

void peer_put_result(int out, const struct lg_result *r, int err)
{
	dprintf(out, "res %llu %llu %llu %llu %llu %.9f\n", (unsigned long long)r->sent,
		(unsigned long long)r->received, (unsigned long long)r->lost,
		(unsigned long long)r->mismatched, (unsigned long long)r->late, r->elapsed_s);
	if (err)
		dprintf(out, "err %d\n", -err);
}

int peer_parse_result(const char *line, struct lg_result *r)
{
	unsigned long long s, rc, l, m, late;
	double x;

	if (sscanf(line, "res %llu %llu %llu %llu %llu %lf", &s, &rc, &l, &m, &late, &x) != 6)
		return 0;
	*r = (struct lg_result){ s, rc, l, m, late, x };
	return 1;
}

void peer_put_hist(int out, int id, const struct histogram *h)
{
	unsigned int i;

	dprintf(out, "hist %d %llu %llu %llu %.17g %.17g\n", id, (unsigned long long)h->count,
		(unsigned long long)h->min, (unsigned long long)h->max, h->sum, h->sumsq);
	for (i = 0; i < HIST_BUCKETS; i++)
		if (h->b[i])
			dprintf(out, "b %d %u %llu\n", id, i, (unsigned long long)h->b[i]);
}

int peer_parse_hist(const char *line, struct histogram *const *hs, int nh)
{
	unsigned long long n, lo, hi;
	unsigned int idx;
	double x, y;
	int id;

	if (sscanf(line, "hist %d %llu %llu %llu %lf %lf", &id, &n, &lo, &hi, &x, &y) == 6) {
		if (id < 0 || id >= nh || !hs[id])
			return 1;
		hs[id]->count = n;
		hs[id]->min = lo;
		hs[id]->max = hi;
		hs[id]->sum = x;
		hs[id]->sumsq = y;
		return 1;
	}
	if (sscanf(line, "b %d %u %llu", &id, &idx, &n) == 3) {
		if (id >= 0 && id < nh && hs[id] && idx < HIST_BUCKETS)
			hs[id]->b[idx] = n;
		return 1;
	}
	return 0;
}

void peer_hist_answer(const char *line, void *ctx)
{
	struct peer_hist_answer *a = ctx;

	if (!peer_parse_hist(line, a->h, a->nh))
		peer_parse_result(line, a->r);
}

int peer_echo(struct peer *p, const char *ip, int port, size_t size, const struct lg_params *prm,
	      struct histogram *h, struct lg_result *r, char *err, size_t errlen)
{
	struct histogram *hs[1] = { h };
	struct peer_hist_answer a = { hs, 1, r };
	char line[512];

	snprintf(line, sizeof(line), "echo %s %d %zu %llu %llu %d %d %d %.17g\n", ip, port, size,
		 (unsigned long long)prm->requests, (unsigned long long)prm->warmup, prm->timeout_ms,
		 prm->stream, prm->cpu, prm->duration_s);
	hist_init(h);
	memset(r, 0, sizeof(*r));
	return peer_call(p, line, peer_hist_answer, &a, err, errlen);
}

static void bps_answer(const char *line, void *ctx)
{
	sscanf(line, "bps %lf", (double *)ctx);
}

int peer_iperf(struct peer *p, const char *ip, int port, int streams, double secs, double *bps,
	       char *err, size_t errlen)
{
	char line[160];

	*bps = 0;
	snprintf(line, sizeof(line), "iperf %s %d %d %.17g\n", ip, port, streams, secs);
	return peer_call(p, line, bps_answer, bps, err, errlen);
}

void peer_result_answer(const char *line, void *ctx)
{
	peer_parse_result(line, ctx);
}

int peer_flood(struct peer *p, const char *ip, int port, size_t size, double secs, int cpu,
	       struct lg_result *r, char *err, size_t errlen)
{
	char line[160];

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "flood %s %d %zu %.17g %d\n", ip, port, size, secs, cpu);
	return peer_call(p, line, peer_result_answer, r, err, errlen);
}

int peer_paced(struct peer *p, const char *ip, int port, bool stream, size_t size,
	       unsigned int magic, unsigned int first, unsigned int count, int gap_us, int delay_ms,
	       struct lg_result *r, char *err, size_t errlen)
{
	char line[200];

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "pace %s %d %d %zu %u %u %u %d %d\n", ip, port, stream, size,
		 magic, first, count, gap_us, delay_ms);
	return peer_call(p, line, peer_result_answer, r, err, errlen);
}
