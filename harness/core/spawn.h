/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Child processes: the one place obench forks.  Every child dies with obench
 * (PR_SET_PDEATHSIG), so a killed run leaves no server behind, and enters its
 * namespace, CPU and cgroup before it runs anything.
 */
#ifndef OBENCH_SPAWN_H
#define OBENCH_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn_opts {
	int netns_fd;		/* network namespace to enter; -1: the caller's */
	int cpu;		/* CPU to pin to; -1: not pinned */
	const char *cgroup;	/* cgroup v2 directory to join; NULL: the caller's */
	bool capture;		/* stdout into a pipe whose read end spawn_exec returns */
	bool capture_stderr;	/* stderr into that pipe too (else /dev/null) */
	bool pipe_stdin;	/* stdin from a pipe whose write end spawn_exec_io returns */
};

#define SPAWN_OPTS { .netns_fd = -1, .cpu = -1 }

/*
 * fork + PR_SET_PDEATHSIG(SIGKILL) + namespace/CPU/cgroup + execvp(@argv).
 * stdin and anything not captured go to /dev/null.  With @o->capture the
 * read end of stdout's pipe comes back in *@out_fd.  The pid, or -errno.
 */
pid_t spawn_exec(const struct spawn_opts *o, char *const argv[], int *out_fd);

/*
 * spawn_exec with @o->pipe_stdin: the write end of the child's stdin comes
 * back in *@in_fd (a long-lived control channel, e.g. ssh to a peer).
 */
pid_t spawn_exec_io(const struct spawn_opts *o, char *const argv[], int *in_fd, int *out_fd);

/* The same, running @fn(@arg) in the child; its return value is the exit status. */
pid_t spawn_fn(const struct spawn_opts *o, int (*fn)(void *arg), void *arg);

/*
 * Waits for @pid.  When obench is interrupted meanwhile the child is killed.
 * Its exit status (128 + signal when killed), or -errno.
 */
int spawn_wait(pid_t pid);

/* True once @pid has exited (and is reaped): it never came up, or it died. */
bool spawn_exited(pid_t pid);

/* SIGTERM, then SIGKILL after @grace_ms; reaped.  @pid <= 0 does nothing. */
void spawn_stop(pid_t pid, int grace_ms);

#endif
