// SPDX-License-Identifier: GPL-2.0
#include "core/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cpupin.h"
#include "core/obench.h"

static int join_cgroup(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (fprintf(f, "0\n") < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* In the child: everything before exec, or _exit with a distinct status. */
static void child_prepare(const struct spawn_opts *o, const int pfd[2], const int ifd[2])
{
	int null = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(126);	/* the parent died before prctl */
	if (o->netns_fd >= 0 && setns(o->netns_fd, CLONE_NEWNET))
		_exit(126);
	if (o->cgroup && join_cgroup(o->cgroup))
		_exit(125);
	if (o->cpu >= 0 && cpu_pin(o->cpu))
		_exit(124);
	if (null >= 0) {
		dup2(o->pipe_stdin ? ifd[0] : null, STDIN_FILENO);
		dup2(o->capture ? pfd[1] : null, STDOUT_FILENO);
		dup2(o->capture && o->capture_stderr ? pfd[1] : null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (o->capture) {
		close(pfd[0]);
		if (pfd[1] > STDERR_FILENO)
			close(pfd[1]);
	}
	if (o->pipe_stdin) {
		close(ifd[1]);
		if (ifd[0] > STDERR_FILENO)
			close(ifd[0]);
	}
}

static pid_t do_spawn(const struct spawn_opts *o, char *const argv[],
		      int (*fn)(void *), void *arg, int *in_fd, int *out_fd)
{
	int pfd[2] = { -1, -1 }, ifd[2] = { -1, -1 };
	pid_t pid;

	if (o->capture && pipe2(pfd, O_CLOEXEC))
		return -errno;
	if (o->pipe_stdin && pipe2(ifd, O_CLOEXEC)) {
		int err = -errno;

		if (o->capture) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return err;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		if (o->capture) {
			close(pfd[0]);
			close(pfd[1]);
		}
		if (o->pipe_stdin) {
			close(ifd[0]);
			close(ifd[1]);
		}
		return err;
	}
	if (pid == 0) {
		child_prepare(o, pfd, ifd);
		if (fn)
			_exit(fn(arg));
		execvp(argv[0], argv);
		_exit(127);
	}
	if (o->capture) {
		close(pfd[1]);
		*out_fd = pfd[0];
	}
	if (o->pipe_stdin) {
		close(ifd[0]);
		*in_fd = ifd[1];
	}
	return pid;
}

pid_t spawn_exec(const struct spawn_opts *o, char *const argv[], int *out_fd)
{
	struct spawn_opts no_stdin = *o;

	no_stdin.pipe_stdin = false;
	return do_spawn(&no_stdin, argv, NULL, NULL, NULL, out_fd);
}

pid_t spawn_exec_io(const struct spawn_opts *o, char *const argv[], int *in_fd, int *out_fd)
{
	return do_spawn(o, argv, NULL, NULL, in_fd, out_fd);
}

pid_t spawn_fn(const struct spawn_opts *o, int (*fn)(void *arg), void *arg)
{
	struct spawn_opts no_capture = *o;

	no_capture.capture = false;
	no_capture.pipe_stdin = false;
	return do_spawn(&no_capture, NULL, fn, arg, NULL, NULL);
}

int spawn_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
		if (obench_interrupted())
			kill(pid, SIGKILL);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

bool spawn_exited(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == pid;
}

void spawn_stop(pid_t pid, int grace_ms)
{
	int i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < grace_ms / 10; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
