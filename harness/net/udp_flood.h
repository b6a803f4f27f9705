/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP flood of truncate (paper Fig. 10): sendmmsg() of one datagram,
 * 64 per call, as fast as the socket takes them -- from the client namespace
 * on one host, from the peer's agent in two-host mode.
 */
#ifndef OBENCH_UDP_FLOOD_H
#define OBENCH_UDP_FLOOD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Sends @len bytes of @buf as datagrams on the connected socket @fd until
 * *@stop is set or the monotonic clock passes @until (0: no deadline),
 * counting them in *@sent.  A full queue or a refused port is not an error.
 * 0, or -errno.
 */
int udp_flood(int fd, const void *buf, size_t len, const atomic_bool *stop, double until,
	      atomic_ullong *sent);

#endif
