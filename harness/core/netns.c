// SPDX-License-Identifier: GPL-2.0
#include "core/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int netns_enter(int nsfd, int *saved)
{
	*saved = -1;
	if (nsfd < 0)
		return 0;
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*saved < 0)
		return -errno;
	if (setns(nsfd, CLONE_NEWNET)) {
		int err = -errno;

		close(*saved);
		*saved = -1;
		return err;
	}
	return 0;
}

int netns_leave(int *saved)
{
	int err = 0;

	if (*saved < 0)
		return 0;
	if (setns(*saved, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "obench: cannot return to the original network namespace: %s\n",
			strerror(-err));
	}
	close(*saved);
	*saved = -1;
	return err;
}

int netns_socket(int nsfd, int domain, int type, int protocol)
{
	int saved, fd, err;

	err = netns_enter(nsfd, &saved);
	if (err)
		return err;
	fd = socket(domain, type, protocol);
	if (fd < 0)
		fd = -errno;
	err = netns_leave(&saved);
	if (err && fd >= 0) {
		close(fd);
		return err;
	}
	return fd;
}
