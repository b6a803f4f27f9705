/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces by file descriptor: the one place a thread enters a
 * namespace and comes back.  setns() moves only the calling thread, so a
 * thread that enters must leave before it does anything else.
 */
#ifndef OBENCH_NETNS_H
#define OBENCH_NETNS_H

/*
 * Moves the calling thread into the namespace @nsfd and stores an fd of the
 * one it left in *@saved (-1 when @nsfd < 0: nothing to do).  -errno on failure.
 */
int netns_enter(int nsfd, int *saved);

/* Back into *@saved (closed, set to -1).  -errno, after a message, on failure. */
int netns_leave(int *saved);

/* socket(@domain, @type, @protocol) created inside @nsfd (-1: here); -errno on failure. */
int netns_socket(int nsfd, int domain, int type, int protocol);

#endif
