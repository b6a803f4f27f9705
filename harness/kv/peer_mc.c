// SPDX-License-Identifier: GPL-2.0
/* The memcached load on the peer (peer_mc.h). */
#include "kv/peer_mc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct mc_job {
	char ip[64];
	int port, timeout_ms, cpu;
	bool open;			/* mcopen: Poisson at @load req/s; mcwin: @load outstanding */
	double load, seconds;
	unsigned long long warmup;
	struct lg_mcw_cfg c;
};

/* "CMD IP PORT <workload> LOAD SECONDS WARMUP TIMEOUT_MS CPU" to the peer; its answers to @answer. */
static int mc_call(struct peer *p, const char *cmd, const char *ip, int port,
		   const struct lg_mcw_cfg *c, double load, double seconds, uint64_t warmup,
		   int timeout_ms, int cpu, void (*answer)(const char *, void *), void *ctx,
		   char *err, size_t errlen)
{
	char line[512];

	snprintf(line, sizeof(line), "%s %s %d %u %u %zu %zu %.17g %.17g %.17g %llu %.17g %.17g %llu %d %d\n",
		 cmd, ip, port, c->keys[0], c->keys[1], c->value_size[0], c->value_size[1], c->frac1,
		 c->zipf_s, c->set_ratio, (unsigned long long)c->seed, load, seconds,
		 (unsigned long long)warmup, timeout_ms, cpu);
	return peer_call(p, line, answer, ctx, err, errlen);
}

int peer_mc_window(struct peer *p, const char *ip, int port, const struct lg_mcw_cfg *c,
		   unsigned int window, double seconds, uint64_t warmup, int timeout_ms, int cpu,
		   struct lg_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	return mc_call(p, "mcwin", ip, port, c, window, seconds, warmup, timeout_ms, cpu,
		       peer_result_answer, r, err, errlen);
}

int peer_mc_open(struct peer *p, const char *ip, int port, const struct lg_mcw_cfg *c,
		 double rate, double seconds, uint64_t warmup, int timeout_ms, int cpu,
		 struct histogram *const h[3], struct lg_result *r, char *err, size_t errlen)
{
	struct histogram *none[3] = { NULL, NULL, NULL };
	struct peer_hist_answer a = { h ? h : none, 3, r };
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; h && i < 3; i++)
		if (h[i])
			hist_init(h[i]);
	return mc_call(p, "mcopen", ip, port, c, rate, seconds, warmup, timeout_ms, cpu,
		       peer_hist_answer, &a, err, errlen);
}

/* In the agent's child: the load, then its counters on @out. */
static int mc_child(void *arg, int out)
{
	struct mc_job *j = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)j->port) };
	struct lg_params prm = {
		.open_loop = true, .rate = j->load, .duration_s = j->seconds, .warmup = j->warmup,
		.timeout_ms = j->timeout_ms, .cpu = j->cpu,
	};
	struct lg_result r = { 0 };
	static struct histogram h[3];	/* all gets, class 0, class 1 */
	struct lg_proto p;
	struct lg_mcw w;
	int fd, err, i;

	if (inet_pton(AF_INET, j->ip, &sa.sin_addr) != 1) {
		dprintf(out, "err %d\n", EINVAL);
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		dprintf(out, "err %d\n", errno);
		return 1;
	}
	hist_init(&h[0]);
	hist_init(&h[1]);
	hist_init(&h[2]);
	err = lg_mcw_init(&p, &w, &j->c, j->warmup, &h[1], &h[2]);
	if (!err && j->open)
		err = loadgen_run(fd, &p, &prm, &h[0], &r);
	else if (!err)
		err = lg_mc_run_window(fd, &p, (unsigned int)j->load, j->seconds, j->warmup,
				       j->timeout_ms, j->cpu, NULL, &r);
	if (!err)
		r.mismatched += w.bad_class[0] + w.bad_class[1] + w.bad_set;
	lg_mcw_free(&w);
	close(fd);
	for (i = 0; j->open && i < 3; i++)
		peer_put_hist(out, i, &h[i]);
	peer_put_result(out, &r, err);
	return err ? 1 : 0;
}

/* Parses "CMD ..." into @j; false on a malformed line. */
static bool mc_parse(const char *line, const char *cmd, struct mc_job *j)
{
	unsigned long long seed;
	char fmt[128];

	snprintf(fmt, sizeof(fmt), "%s %%63s %%d %%u %%u %%zu %%zu %%lf %%lf %%lf %%llu %%lf %%lf %%llu %%d %%d",
		 cmd);
	if (sscanf(line, fmt, j->ip, &j->port, &j->c.keys[0], &j->c.keys[1], &j->c.value_size[0],
		   &j->c.value_size[1], &j->c.frac1, &j->c.zipf_s, &j->c.set_ratio, &seed, &j->load,
		   &j->seconds, &j->warmup, &j->timeout_ms, &j->cpu) != 15 || j->load < 1 ||
	    j->seconds <= 0 || j->seconds > 3600)
		return false;
	j->c.seed = seed;
	return true;
}

int peer_mc_window_cmd(const char *line, struct peer_lines *in)
{
	struct mc_job j = { 0 };

	if (!mc_parse(line, "mcwin", &j)) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(mc_child, &j, in);
}

int peer_mc_open_cmd(const char *line, struct peer_lines *in)
{
	struct mc_job j = { .open = true };

	if (!mc_parse(line, "mcopen", &j)) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(mc_child, &j, in);
}
