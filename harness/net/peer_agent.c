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
#include <sys/utsname.h>

#include "core/clock.h"
#include "core/cpupin.h"
#include "core/spawn.h"
#include "net/iperf.h"
#include "net/loadgen.h"
#include "net/peer.h"
#include "net/udp_flood.h"

struct echo_job {
	char ip[64];
	int port, timeout_ms, stream, cpu;
	unsigned long long size, requests, warmup;
	double seconds;
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

/* In the child: the load, then its histogram and counters as text lines on @out. */
static int echo_child(void *arg, int out)
{
	const struct echo_job *j = arg;
	struct lg_params prm = {
		.stream = j->stream, .requests = j->requests, .warmup = j->warmup,
		.timeout_ms = j->timeout_ms, .cpu = j->cpu, .duration_s = j->seconds,
	};
	static struct lg_echo e;
	static struct histogram h;
	struct lg_result r = { 0 };
	struct lg_proto p;
	int fd, err;

	hist_init(&h);
	fd = connect_to(j);
	if (fd < 0) {
		dprintf(out, "err %d\n", -fd);
		return 1;
	}
	lg_echo_init(&p, &e, (size_t)j->size);
	err = loadgen_run(fd, &p, &prm, &h, &r);
	close(fd);
	peer_put_hist(out, 0, &h);
	peer_put_result(out, &r, err);
	return err ? 1 : 0;
}

/* spawn_fn's argument: the job's function, its argument, the pipe it writes to. */
struct job {
	int (*fn)(void *arg, int out);
	void *arg;
	int out;
};

static int job_child(void *arg)
{
	struct job *j = arg;

	return j->fn(j->arg, j->out);
}

int peer_agent_job(int (*fn)(void *arg, int out), void *arg, struct peer_lines *in)
{
	struct peer_lines out = { .fd = -1 };
	struct spawn_opts so = SPAWN_OPTS;
	struct job j = { fn, arg, -1 };
	int pfd[2], st, e;
	char line[512];
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	j.out = pfd[1];
	pid = spawn_fn(&so, job_child, &j);
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
	struct echo_job j = { 0 };

	if (sscanf(line, "echo %63s %d %llu %llu %llu %d %d %d %lf", j.ip, &j.port, &j.size,
		   &j.requests, &j.warmup, &j.timeout_ms, &j.stream, &j.cpu, &j.seconds) != 9 ||
	    j.size < 8 || j.size > 65536 || (!j.requests && (j.seconds <= 0 || j.seconds > 3600))) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(echo_child, &j, in);
}

struct iperf_job {
	char ip[64];
	int port, streams;
	double secs;
};

/* In the child: iperf against the DUT, "bps B" on @out. */
static int iperf_child(void *arg, int out)
{
	struct iperf_job *j = arg;
	struct in_addr a;
	double bps = 0;
	int err;

	err = inet_pton(AF_INET, j->ip, &a) == 1 ? 0 : -EINVAL;
	if (!err)
		err = iperf_client_run_at(-1, a, j->port, j->streams, j->secs, &bps);
	if (err)
		dprintf(out, "err %d\n", -err);
	else
		dprintf(out, "bps %.17g\n", bps);
	return err ? 1 : 0;
}

static int iperf_cmd(const char *line, struct peer_lines *in)
{
	struct iperf_job j = { 0 };

	if (sscanf(line, "iperf %63s %d %d %lf", j.ip, &j.port, &j.streams, &j.secs) != 4 ||
	    j.streams < 1 || j.secs <= 0 || j.secs > 600) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(iperf_child, &j, in);
}

struct flood_job {
	char ip[64];
	int port, cpu;
	size_t size;
	double secs;
};

/* In the child: the UDP flood against the DUT for the job's seconds, "res" on @out. */
static int flood_child(void *arg, int out)
{
	struct flood_job *j = arg;
	struct echo_job e = { .port = j->port };
	static unsigned char buf[65536];
	struct lg_result r = { 0 };
	atomic_ullong sent = 0;
	double t0;
	int fd, err;

	snprintf(e.ip, sizeof(e.ip), "%s", j->ip);
	fd = connect_to(&e);
	if (fd < 0) {
		peer_put_result(out, &r, fd);
		return 1;
	}
	if (j->cpu >= 0)
		cpu_pin(j->cpu);
	t0 = mono_s();
	err = udp_flood(fd, buf, j->size, NULL, t0 + j->secs, &sent);
	r.elapsed_s = mono_s() - t0;
	r.sent = sent;
	close(fd);
	peer_put_result(out, &r, err);
	return err ? 1 : 0;
}

static int flood_cmd(const char *line, struct peer_lines *in)
{
	struct flood_job j = { 0 };

	if (sscanf(line, "flood %63s %d %zu %lf %d", j.ip, &j.port, &j.size, &j.secs, &j.cpu) != 5 ||
	    j.size < 1 || j.size > 65507 || j.secs <= 0 || j.secs > 600) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(flood_child, &j, in);
}

struct pace_job {
	char ip[64];
	int port, stream, gap_us, delay_ms;
	size_t size;
	unsigned int magic, first, count;
};

/* In the child: @count tagged messages, one every @gap_us, "res" on @out. */
static int pace_child(void *arg, int out)
{
	struct pace_job *j = arg;
	struct echo_job e = { .port = j->port, .stream = j->stream };
	unsigned char msg[65536] = { 0 };
	struct lg_result r = { 0 };
	double t0;
	unsigned int i;
	int fd, err = 0;

	snprintf(e.ip, sizeof(e.ip), "%s", j->ip);
	fd = connect_to(&e);
	if (fd < 0) {
		peer_put_result(out, &r, fd);
		return 1;
	}
	/* a TCP server attaches its programs to the accepted socket: give it the time */
	if (j->delay_ms)
		usleep((useconds_t)j->delay_ms * 1000);
	t0 = mono_s();
	for (i = 0; i < j->count && !err; i++) {
		unsigned int tag[2] = { j->magic, j->first + i };	/* the DUT's byte order: same build */

		memcpy(msg, tag, sizeof(tag));
		if (send(fd, msg, j->size, 0) != (ssize_t)j->size)
			err = -errno;
		else
			r.sent++;
		if (j->gap_us)
			usleep((useconds_t)j->gap_us);
	}
	r.elapsed_s = mono_s() - t0;
	close(fd);
	peer_put_result(out, &r, err);
	return err ? 1 : 0;
}

static int pace_cmd(const char *line, struct peer_lines *in)
{
	struct pace_job j = { 0 };

	if (sscanf(line, "pace %63s %d %d %zu %u %u %u %d %d", j.ip, &j.port, &j.stream, &j.size,
		   &j.magic, &j.first, &j.count, &j.gap_us, &j.delay_ms) != 9 || j.size < 8 ||
	    j.size > 65507 || j.gap_us < 0 || j.delay_ms < 0 || j.delay_ms > 10000) {
		printf("err %d\ndone\n", EINVAL);
		return 0;
	}
	return peer_agent_job(pace_child, &j, in);
}

/* The peer's kernel release, for the DUT's run.json. */
static int uname_cmd(const char *line, struct peer_lines *in)
{
	struct utsname u;

	(void)line;
	(void)in;
	printf("uname %s\ndone 0\n", uname(&u) ? "?" : u.release);
	return 0;
}

/* The jobs of this layer; higher layers add theirs through peer_agent_main()'s @cmds. */
static const struct peer_agent_cmd builtin_cmds[] = {
	{ "uname", uname_cmd },
	{ "echo ", echo_cmd },
	{ "iperf ", iperf_cmd },
	{ "flood ", flood_cmd },
	{ "pace ", pace_cmd },
	{ NULL, NULL },
};

int peer_agent_main(const struct peer_agent_cmd *cmds)
{
	struct peer_lines in = { .fd = STDIN_FILENO };
	const struct peer_agent_cmd *c;
	char line[512];

	for (;;) {
		int e = peer_readline(&in, line, sizeof(line), 3600 * 1000);

		if (e == -ETIMEDOUT)
			continue;
		if (e)
			return 0;	/* stdin closed: nothing of ours is left running */
		if (!strcmp(line, "hello")) {
			printf("obench-agent %s\n", peer_version());
			fflush(stdout);
			continue;
		}
		for (c = builtin_cmds; c->prefix; c++)
			if (!strncmp(line, c->prefix, strlen(c->prefix)))
				break;
		if (!c->prefix)
			for (c = cmds; c && c->prefix; c++)
				if (!strncmp(line, c->prefix, strlen(c->prefix)))
					break;
		if (!c || !c->prefix)
			printf("err %d\ndone\n", ENOSYS);
		else if (c->run(line, &in))
			return 0;	/* stdin closed mid-job */
		fflush(stdout);
	}
}
