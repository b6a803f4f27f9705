// SPDX-License-Identifier: GPL-2.0
#include "net/iperf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include "core/obench.h"

#define IPERF	"iperf"

/* In the child: enter @nsfd, optionally join @cgroup_dir, silence stdout unless @out_fd. */
static void child_exec(int nsfd, const char *cgroup_dir, int out_fd, char *const argv[])
{
	int null = open("/dev/null", O_RDWR);

	if (setns(nsfd, CLONE_NEWNET))
		_exit(126);
	if (cgroup_dir) {
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
		f = fopen(path, "w");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f))
			_exit(125);
	}
	dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	dup2(null, STDIN_FILENO);
	execvp(argv[0], argv);
	_exit(127);
}

pid_t iperf_server_start(const struct topo *t, int port, const char *cgroup_dir)
{
	char p[16];
	char *argv[] = { IPERF, "-s", "-p", p, NULL };
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_exec(t->server.nsfd, cgroup_dir, -1, argv);
	usleep(300000);	/* let it listen */
	if (waitpid(pid, NULL, WNOHANG) == pid)
		return -ENOEXEC;
	return pid;
}

void iperf_stop(pid_t pid)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
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

int iperf_client_run(const struct topo *t, int port, int streams, int secs, double *bps)
{
	char p[16], ns[16], ts[16], addr[INET_ADDRSTRLEN], out[65536];
	char *argv[] = { IPERF, "-c", addr, "-p", p, "-P", ns, "-t", ts, "-y", "C", NULL };
	size_t len = 0;
	int pipefd[2], status = 0, err = 0;
	time_t deadline = time(NULL) + secs + 20;
	pid_t pid;

	snprintf(p, sizeof(p), "%d", port);
	snprintf(ns, sizeof(ns), "%d", streams);
	snprintf(ts, sizeof(ts), "%d", secs);
	inet_ntop(AF_INET, &t->server.addr, addr, sizeof(addr));
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return err;
	}
	if (pid == 0)
		child_exec(t->client.nsfd, NULL, pipefd[1], argv);
	close(pipefd[1]);
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
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
		n = read(pipefd[0], out + len, sizeof(out) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (err) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err;
	}
	waitpid(pid, &status, 0);
	out[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return iperf_parse_csv(out, bps);
}
