// SPDX-License-Identifier: GPL-2.0
#include "net/iperf.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "core/obench.h"
#include "core/spawn.h"

#define IPERF	"iperf"

pid_t iperf_server_start(const struct topo *t, int port, const char *cgroup_dir)
{
	struct spawn_opts o = SPAWN_OPTS;
	char p[16];
	char *argv[] = { IPERF, "-s", "-p", p, NULL };
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	o.netns_fd = topo_nsfd(t, TOPO_SERVER);
	o.cgroup = cgroup_dir;
	pid = spawn_exec(&o, argv, NULL);
	if (pid < 0)
		return pid;
	usleep(300000);	/* let it listen */
	if (spawn_exited(pid))
		return -ENOEXEC;
	return pid;
}

int iperf_parse_csv(const char *out, double *bps)
{
	const char *line = out;
	bool found = false;
	double best = 0;
	int lines = 0;

	/* timestamp,src,sport,dst,dport,id,interval,bytes,bits_per_second */
	while (line && *line) {
		const char *f = line, *nl = strchr(line, '\n');
		int field = 0;
		long id = 0;
		double v;

		for (; f && field < 8; field++) {
			if (field == 5)
				id = strtol(f, NULL, 10);
			f = strchr(f, ',');
			if (f && (!nl || f < nl))
				f++;
			else
				f = NULL;
		}
		if (f && sscanf(f, "%lf", &v) == 1) {
			lines++;
			if (id == -1) {		/* the sum over -P streams */
				best = v;
				found = true;
			} else if (!found) {
				best += v;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!lines)
		return -EINVAL;
	*bps = best;
	return 0;
}

/*
 * Reads @fd until EOF into @out (NUL-terminated, at most @cap - 1 bytes).
 * -EINTR when obench is interrupted, -ETIMEDOUT after @deadline.
 */
static int read_output(int fd, char *out, size_t cap, time_t deadline)
{
	size_t len = 0;
	int err = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (obench_interrupted()) {
			err = -EINTR;
			break;
		}
		if (time(NULL) > deadline) {
			err = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(fd, out + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	return err;
}

int iperf_client_run(const struct topo *t, int port, int streams, double secs, double *bps)
{
	int nsfd = topo_nsfd(t, TOPO_CLIENT);

	if (nsfd < -1)
		return nsfd;	/* hardware tier: the client is another host */
	return iperf_client_run_at(nsfd, t->server.addr, port, streams, secs, bps);
}

int iperf_client_run_at(int nsfd, struct in_addr server, int port, int streams, double secs,
			double *bps)
{
	char p[16], ns[16], ts[32], addr[INET_ADDRSTRLEN], out[65536];
	char *argv[] = { IPERF, "-c", addr, "-p", p, "-P", ns, "-t", ts, "-y", "C", NULL };
	struct spawn_opts o = SPAWN_OPTS;
	int out_fd, err, status;
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	snprintf(ns, sizeof(ns), "%d", streams);
	snprintf(ts, sizeof(ts), "%g", secs);
	inet_ntop(AF_INET, &server, addr, sizeof(addr));
	o.netns_fd = nsfd;
	o.capture = true;
	pid = spawn_exec(&o, argv, &out_fd);
	if (pid < 0)
		return pid;
	err = read_output(out_fd, out, sizeof(out), time(NULL) + (time_t)secs + 21);
	close(out_fd);
	if (err) {
		spawn_stop(pid, 0);
		return err;
	}
	status = spawn_wait(pid);
	if (status)
		return status < 0 ? status : -ECHILD;
	return iperf_parse_csv(out, bps);
}
