/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A receive-only AF_XDP socket in copy mode (libxdp xsk.h): a UMEM whose
 * frames all start on the fill ring, one socket bound to queue 0 of an
 * interface in the caller's namespace, and its entry in an XSKMAP.  For the
 * experiments that time the RX ring (user-access, channel); xsk_kv.c keeps
 * its own TX-capable socket.
 */
#ifndef OBENCH_XSK_RX_H
#define OBENCH_XSK_RX_H

#include <stddef.h>
#include <linux/types.h>
#include <xdp/xsk.h>

struct xsk_rx {
	void *area;
	size_t area_len;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp, rx;
	unsigned int nframes;
};

/*
 * @nframes (a power of two) frames, RX and fill rings of that size, bound to
 * @ifname queue 0 and stored at slot 0 of @xskmap_fd.  Retries while the
 * kernel still holds a recently closed socket (EBUSY).  Negative errno.
 */
int xsk_rx_open(struct xsk_rx *x, const char *ifname, unsigned int nframes, int xskmap_fd);
void xsk_rx_close(struct xsk_rx *x);

/* A frame's bytes, from an RX descriptor's address. */
static inline void *xsk_rx_data(const struct xsk_rx *x, __u64 addr)
{
	return xsk_umem__get_data(x->area, xsk_umem__add_offset_to_addr(addr));
}

/*
 * Puts @n frame addresses on @fill.  The ring must have room for every
 * frame of its UMEM, so the wait for room is short; for any AF_XDP user.
 */
void xsk_fill_put(struct xsk_ring_prod *fill, const __u64 *addr, unsigned int n);

/* Puts @n frame addresses back on the fill ring (it has room for all frames). */
static inline void xsk_rx_refill(struct xsk_rx *x, const __u64 *addr, unsigned int n)
{
	xsk_fill_put(&x->fill, addr, n);
}

/* Frames the kernel could not deliver (XDP_STATISTICS: no fill frame, RX ring full). */
__u64 xsk_rx_drops(const struct xsk_rx *x);

/*
 * How the kernel bound the socket (XDP_OPTIONS): 1 zero-copy, 0 copy mode,
 * or a negative errno.  Asked of the socket, not taken from the bind flags.
 */
int xsk_rx_zerocopy(const struct xsk_rx *x);

#endif
