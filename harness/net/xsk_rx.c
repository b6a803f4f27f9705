// SPDX-License-Identifier: GPL-2.0
#include "net/xsk_rx.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>

#define XSK_RX_FRAME	2048	/* the smallest frame copy mode takes */

int xsk_rx_open(struct xsk_rx *x, const char *ifname, unsigned int nframes, int xskmap_fd)
{
	struct xsk_umem_config uc = {
		.fill_size = nframes, .comp_size = nframes,
		.frame_size = XSK_RX_FRAME, .frame_headroom = 0,
	};
	struct xsk_socket_config sc = {
		.rx_size = nframes,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY,
	};
	__u32 idx = 0, i;
	int err, tries;

	memset(x, 0, sizeof(*x));
	x->nframes = nframes;
	x->area_len = (size_t)nframes * XSK_RX_FRAME;
	x->area = mmap(NULL, x->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&x->umem, x->area, x->area_len, &x->fill, &x->comp, &uc);
	if (err)
		goto fail;
	for (tries = 0; tries < 40; tries++) {
		err = xsk_socket__create(&x->xsk, ifname, 0, x->umem, &x->rx, NULL, &sc);
		if (err != -EBUSY)
			break;
		usleep(100000);
	}
	if (err)
		goto fail;
	if (xsk_ring_prod__reserve(&x->fill, nframes, &idx) != nframes) {
		err = -ENOSPC;
		goto fail;
	}
	for (i = 0; i < nframes; i++)
		*xsk_ring_prod__fill_addr(&x->fill, idx + i) = (__u64)i * XSK_RX_FRAME;
	xsk_ring_prod__submit(&x->fill, nframes);
	err = xsk_socket__update_xskmap(x->xsk, xskmap_fd);
	if (err)
		goto fail;
	return 0;
fail:
	xsk_rx_close(x);
	return err;
}

void xsk_rx_close(struct xsk_rx *x)
{
	if (x->xsk)
		xsk_socket__delete(x->xsk);
	if (x->umem)
		xsk_umem__delete(x->umem);
	if (x->area)
		munmap(x->area, x->area_len);
	memset(x, 0, sizeof(*x));
}

void xsk_fill_put(struct xsk_ring_prod *fill, const __u64 *addr, unsigned int n)
{
	__u32 idx = 0, i;

	if (!n)
		return;
	while (xsk_ring_prod__reserve(fill, n, &idx) != n)
		;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(fill, idx + i) = addr[i];
	xsk_ring_prod__submit(fill, n);
}

__u64 xsk_rx_drops(const struct xsk_rx *x)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	if (!x->xsk || getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_STATISTICS, &st, &len))
		return 0;
	/* an empty fill ring counts in rx_dropped and rx_fill_ring_empty_descs both */
	return st.rx_dropped + st.rx_ring_full;
}

int xsk_rx_zerocopy(const struct xsk_rx *x)
{
	struct xdp_options opts = { 0 };
	socklen_t len = sizeof(opts);

	if (!x->xsk)
		return -ENOTCONN;
	if (getsockopt(xsk_socket__fd(x->xsk), SOL_XDP, XDP_OPTIONS, &opts, &len))
		return -errno;
	return !!(opts.flags & XDP_OPTIONS_ZEROCOPY);
}
