// SPDX-License-Identifier: GPL-2.0
#include "net/udp_flood.h"

#include <errno.h>
#include <sys/socket.h>

#include "core/clock.h"

#define FLOOD_BATCH	64

int udp_flood(int fd, const void *buf, size_t len, const atomic_bool *stop, double until,
	      atomic_ullong *sent)
{
	struct iovec iov = { (void *)buf, len };
	struct mmsghdr m[FLOOD_BATCH];
	int i;

	for (i = 0; i < FLOOD_BATCH; i++)
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
	while (!(stop && atomic_load(stop)) && !(until > 0 && mono_s() >= until)) {
		int n = sendmmsg(fd, m, FLOOD_BATCH, 0);

		if (n > 0)
			atomic_fetch_add(sent, (unsigned long long)n);
		else if (errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			return -errno;
	}
	return 0;
}
