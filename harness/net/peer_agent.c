// SPDX-License-Identifier: GPL-2.0
/*
 * Two-host mode, peer side: `obench peer-agent`, started by the DUT over
 * ssh.  Reads commands on stdin, answers on stdout (see peer.h).  Each load
 * runs in a child (core/spawn: it dies with the agent); meanwhile the agent
 * watches stdin, and when it closes (DUT gone, connection lost) it kills
 * the child and exits, so nothing is left on the peer.  "alive" every
 * second is the DUT's heartbeat.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/spawn.h"
#include "net/loadgen.h"
#include "net/peer.h"

struct echo_job {
	char ip[64];
	int port, timeout_ms, stream, cpu;
	unsigned long long size, requests, warmup;
	int out;			/* write end of the pipe to the agent */
};

static int connect_to(const struct echo_job *j)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)j->port) };
	int fd, one = 1;

	if (inet_pton(AF_INET, j->ip, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, j->stream ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (j->stream)
		setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* In the child: the load, then its histogram and counters as text lines. */
static int echo_child(void *arg)
{
	const struct echo_job *j = arg;
	struct lg_params prm = {
		.stream = j->stream, .requests = j->requests, .warmup = j->warmup,
		.timeout_ms = j->timeout_ms, .cpu = j->cpu,
	};
	static struct lg_echo e;
	static struct histogram h;
	struct lg_result r = { 0 };
	struct lg_proto p;
	unsigned int i;
	int fd, err;

	hist_init(&h);
	fd = connect_to(j);
	if (fd < 0) {
		dprintf(j->out, "err %d\n", -fd);
		return 1;
	}
	lg_echo_init(&p, &e, (size_t)j->size);
	err = loadgen_run(fd, &p, &prm, &h, &r);
	close(fd);
	dprintf(j->out, "hist %llu %llu %llu %.17g %.17g\n", (unsigned long long)h.count,
		(unsigned long long)h.min, (unsigned long long)h.max, h.sum, h.sumsq);
	for (i = 0; i < HIST_BUCKETS; i++)
		if (h.b[i])
			dprintf(j->out, "b %u %llu\n", i, (unsigned long long)h.b[i]);
	dprintf(j->out, "res %llu %llu %llu %llu %llu %.9f\n", (unsigned long long)r.sent,
		(unsigned long long)r.received, (unsigned long long)r.lost,
		(unsigned long long)r.mismatched, (unsigned long long)r.late, r.elapsed_s);
	if (err)
		dprintf(j->out, "err %d\n", -err);
	return err ? 1 : 0;
}

/*
 * Runs @j in a child and relays its lines to stdout, "alive" every second.
 * -EPIPE when stdin closed meanwhile (the child is killed), else 0.
 */
static int run_job(struct echo_job *j, struct peer_lines *in)
{
	struct peer_lines out = { .fd = -1 };
	struct spawn_opts so = SPAWN_OPTS;
	int pfd[2], st, e;
	char line[512];
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	j->out = pfd[1];
	pid = spawn_fn(&so, echo_child, j);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		printf("err %d\ndone\n", -pid);
		return 0;
	}
	out.fd = pfd[0];
	for (;;) {
		struct pollfd pf = { .fd = in->fd, .events = POLLIN };

		e = peer_readline(&out, line, sizeof(line), 1000);
		if (!e)
			printf("%s\n", line);
		else if (e == -ETIMEDOUT)
			printf("alive\n");
		else
			break;
		fflush(stdout);
		/* anything on stdin now is EOF (the DUT sends nothing mid-job) */
		if (poll(&pf, 1, 0) > 0) {
			spawn_stop(pid, 0);
			close(out.fd);
			return -EPIPE;
		}
	}
	close(out.fd);
	st = spawn_wait(pid);
	printf("done %d\n", st);
	fflush(stdout);
	return 0;
}

static int echo_cmd(const char *line, struct peer_lines *in)
{
	struct echo_job j = { .out = -1 };

	if (sscanf(line, "echo %63s %d %llu %llu %llu %d %d %d", j.ip, &j.port, &j.size, &j.requests,
		   &j.warmup, &j.timeout_ms, &j.stream, &j.cpu) != 8 || j.size < 8 || j.size > 65536) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return run_job(&j, in);
}

int peer_agent_main(void)
{
	struct peer_lines in = { .fd = STDIN_FILENO };
	char line[512];

	for (;;) {
		int e = peer_readline(&in, line, sizeof(line), 3600 * 1000);

		if (e == -ETIMEDOUT)
			continue;
		if (e)
			return 0;	/* stdin closed: nothing of ours is left running */
		if (!strcmp(line, "hello"))
			printf("obench-agent %s\n", peer_version());
		else if (!strncmp(line, "echo ", 5) && echo_cmd(line, &in))
			return 0;
		else if (strncmp(line, "echo ", 5))
			printf("err %d\ndone\n", ENOSYS);
		fflush(stdout);
	}
}
