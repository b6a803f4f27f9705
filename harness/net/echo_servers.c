// SPDX-License-Identifier: GPL-2.0
#include "net/echo_servers.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/cpupin.h"
#include "echo.skel.h"

#define ECHO_BUF	65536
#define MAX_CONNS	16

static void set_rcvtimeo(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void *udp_loop(void *p)
{
	struct echo_server *s = p;
	unsigned char *buf = s->buf;

	cpu_pin(s->cpu);
	/* a timeout only so that stop is noticed; replies are sent at once */
	set_rcvtimeo(s->fd, 100);
	while (!s->stop) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(s->fd, buf, ECHO_BUF, 0, (struct sockaddr *)&from, &fl);

		if (n < 0)
			continue;
		if (sendto(s->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) == n)
			s->served++;
	}
	return NULL;
}

static int write_all(int fd, const unsigned char *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void *tcp_loop(void *p)
{
	struct echo_server *s = p;
	unsigned char *buf = s->buf;
	struct pollfd pfd[1 + MAX_CONNS];
	int n = 1, i, one = 1;

	cpu_pin(s->cpu);
	pfd[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	while (!s->stop) {
		if (poll(pfd, (nfds_t)n, 100) <= 0)
			continue;
		if ((pfd[0].revents & POLLIN) && n < 1 + MAX_CONNS) {
			int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);

			if (c >= 0) {
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				pfd[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
			}
		}
		for (i = 1; i < n; i++) {
			ssize_t r;

			if (!pfd[i].revents)
				continue;
			r = read(pfd[i].fd, buf, ECHO_BUF);
			if (r > 0 && !write_all(pfd[i].fd, buf, (size_t)r)) {
				s->served++;
				continue;
			}
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			close(pfd[i].fd);
			pfd[i--] = pfd[--n];
		}
	}
	for (i = 1; i < n; i++)
		close(pfd[i].fd);
	return NULL;
}

static struct sockaddr_in addr_of(struct in_addr ip, uint16_t port)
{
	return (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = ip };
}

/* A socket on the server side bound to @port (listening when TCP). */
static int server_socket(const struct topo *t, int type, uint16_t port)
{
	struct sockaddr_in a = addr_of(t->server.addr, port);
	int fd = topo_socket(t, TOPO_SERVER, AF_INET, type), one = 1;

	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int echo_server_start(struct echo_server *s, const struct topo *t, int type,
		      uint16_t port, int cpu)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->type = type;
	s->cpu = cpu;
	s->buf = malloc(ECHO_BUF);
	if (!s->buf)
		return -ENOMEM;
	s->fd = server_socket(t, type, port);
	if (s->fd < 0) {
		err = s->fd;
		goto fail;
	}
	err = -pthread_create(&s->th, NULL, type == SOCK_DGRAM ? udp_loop : tcp_loop, s);
	if (err) {
		close(s->fd);
		goto fail;
	}
	s->running = true;
	return 0;
fail:
	free(s->buf);
	s->buf = NULL;
	return err;
}

void echo_server_stop(struct echo_server *s)
{
	if (!s->running)
		return;
	s->stop = 1;
	shutdown(s->fd, SHUT_RDWR);	/* wakes a blocked recvfrom() */
	pthread_join(s->th, NULL);
	close(s->fd);
	free(s->buf);
	s->buf = NULL;
	s->running = false;
}

int echo_client_connect(const struct topo *t, int type, uint16_t port)
{
	struct sockaddr_in a = addr_of(t->server.addr, port);
	int fd = topo_socket(t, TOPO_CLIENT, AF_INET, type), one = 1;

	if (fd < 0)
		return fd;
	if (type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Socket @fd into the sockhash @map_fd, keyed by its cookie (what the verdict program looks up). */
static int sockhash_add(int map_fd, int fd)
{
	socklen_t len = sizeof(uint64_t);
	uint64_t cookie, sfd = (uint64_t)fd;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len))
		return -errno;
	return bpf_map_update_elem(map_fd, &cookie, &sfd, BPF_NOEXIST) ? -errno : 0;
}

/*
 * The UDP form: the server socket is connect()ed back to the client's
 * address, so the datagram the verdict program redirects to its egress
 * has a destination (the psock sends it with the socket's own sendmsg).
 */
int echo_sk_skb_udp_connect(const struct topo *t, uint16_t port, int map_fd,
			    int *cli_fd, int *srv_fd)
{
	int s = server_socket(t, SOCK_DGRAM, port), c, err = 0;
	struct sockaddr_in ca;
	socklen_t alen = sizeof(ca);

	if (s < 0)
		return s;
	c = echo_client_connect(t, SOCK_DGRAM, port);
	if (c < 0) {
		close(s);
		return c;
	}
	if (getsockname(c, (struct sockaddr *)&ca, &alen) ||
	    connect(s, (struct sockaddr *)&ca, alen))
		err = -errno;
	if (!err)
		err = sockhash_add(map_fd, s);
	if (err) {
		close(c);
		close(s);
		return err;
	}
	*cli_fd = c;
	*srv_fd = s;
	return 0;
}

int echo_sk_skb_connect(const struct topo *t, uint16_t port, int map_fd,
			int *cli_fd, int *srv_fd)
{
	int lfd = server_socket(t, SOCK_STREAM, port), c = -1, s = -1, err, one = 1;

	if (lfd < 0)
		return lfd;
	/* connect() completes against the backlog; the client sends nothing until we return */
	c = echo_client_connect(t, SOCK_STREAM, port);
	if (c < 0) {
		err = c;
		goto out;
	}
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0) {
		err = -errno;
		goto out;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	err = sockhash_add(map_fd, s);
out:
	close(lfd);
	if (err) {
		if (c >= 0)
			close(c);
		if (s >= 0)
			close(s);
		return err;
	}
	*cli_fd = c;
	*srv_fd = s;
	return 0;
}

static int attach_xdp_srv(void *arg)
{
	struct echo_hook *e = arg;

	e->srv_link = bpf_program__attach_xdp(e->skel->progs.xdp_echo, e->t->server.ifindex);
	return e->srv_link ? 0 : -errno;
}

/* XDP_TX on veth needs an XDP program on the peer too (XDP_PASS is enough). */
static int attach_xdp_cli(void *arg)
{
	struct echo_hook *e = arg;

	e->cli_link = bpf_program__attach_xdp(e->skel->progs.xdp_pass, e->t->client.ifindex);
	return e->cli_link ? 0 : -errno;
}

static int attach_tc(void *arg)
{
	struct echo_hook *e = arg;
	int ifindex = e->t->server.ifindex;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(e->skel->progs.tc_echo));
	int err = bpf_tc_hook_create(&hook);

	if (err && err != -EEXIST)
		return err;
	e->tc_ifindex = ifindex;
	return bpf_tc_attach(&hook, &opts);
}

static int detach_tc(void *arg)
{
	struct echo_hook *e = arg;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = e->tc_ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	/* destroying the clsact qdisc removes every filter on it */
	return bpf_tc_hook_destroy(&hook);
}

static int start_xdp(struct echo_hook *e)
{
	int err = topo_run_in(e->t, TOPO_SERVER, attach_xdp_srv, e);

	if (!err && !e->t->hardware)
		err = topo_run_in(e->t, TOPO_CLIENT, attach_xdp_cli, e);
	return err;
}

/*
 * The verdict program on the sockhash (the stream parser's verdict for TCP,
 * the per-datagram one for UDP), then a client socket whose server end is in it.
 */
static int start_sk_skb(struct echo_hook *e, uint16_t port, bool udp)
{
	int map_fd = bpf_map__fd(e->skel->maps.socks);

	e->sk_attach = udp ? BPF_SK_SKB_VERDICT : BPF_SK_SKB_STREAM_VERDICT;
	if (bpf_prog_attach(bpf_program__fd(e->skel->progs.sk_skb_echo), map_fd, e->sk_attach, 0))
		return -errno;
	e->sk_map_fd = map_fd;
	if (udp)
		return echo_sk_skb_udp_connect(e->t, port, map_fd, &e->cli_fd, &e->srv_fd);
	return echo_sk_skb_connect(e->t, port, map_fd, &e->cli_fd, &e->srv_fd);
}

const char *const echo_kind_names[NR_ECHO_KINDS + 1] = {
	[ECHO_XDP] = "xdp", [ECHO_TC] = "tc", [ECHO_SK_SKB] = "sk_skb",
	[ECHO_UDP] = "udp", [ECHO_TCP] = "tcp", [ECHO_SK_SKB_UDP] = "sk_skb_udp", NULL,
};

int echo_hook_start_kind(struct echo_hook *e, struct echo_bpf *skel, const struct topo *t,
			 enum echo_kind kind, uint16_t port, int server_cpu)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->kind = echo_kind_names[kind];
	e->t = t;
	e->skel = skel;
	e->cli_fd = e->srv_fd = e->sk_map_fd = -1;
	e->stream = kind == ECHO_SK_SKB || kind == ECHO_TCP;
	switch (kind) {
	case ECHO_XDP:
		err = start_xdp(e);
		break;
	case ECHO_TC:
		err = topo_run_in(t, TOPO_SERVER, attach_tc, e);
		break;
	case ECHO_SK_SKB:
	case ECHO_SK_SKB_UDP:
		/* connects its own client socket */
		err = start_sk_skb(e, port, kind == ECHO_SK_SKB_UDP);
		goto out;
	case ECHO_UDP:
	case ECHO_TCP:
		err = echo_server_start(&e->us, t, e->stream ? SOCK_STREAM : SOCK_DGRAM,
					port, server_cpu);
		break;
	default:
		err = -EINVAL;
	}
	if (!err && !t->hardware) {
		e->cli_fd = echo_client_connect(t, e->stream ? SOCK_STREAM : SOCK_DGRAM, port);
		err = e->cli_fd < 0 ? e->cli_fd : 0;
	}
out:
	if (err)
		echo_hook_stop(e);
	return err;
}

int echo_hook_start(struct echo_hook *e, struct echo_bpf *skel, const struct topo *t,
		    const char *kind, uint16_t port, int server_cpu)
{
	int k;

	for (k = 0; k < NR_ECHO_KINDS; k++)
		if (!strcmp(kind, echo_kind_names[k]))
			return echo_hook_start_kind(e, skel, t, (enum echo_kind)k, port, server_cpu);
	memset(e, 0, sizeof(*e));
	e->cli_fd = e->srv_fd = e->sk_map_fd = -1;
	return -EINVAL;
}

void echo_hook_stop(struct echo_hook *e)
{
	if (e->cli_fd >= 0)
		close(e->cli_fd);
	if (e->srv_fd >= 0) {
		uint64_t cookie;
		socklen_t len = sizeof(cookie);

		if (e->sk_map_fd >= 0 && !getsockopt(e->srv_fd, SOL_SOCKET, SO_COOKIE, &cookie, &len))
			bpf_map_delete_elem(e->sk_map_fd, &cookie);
		close(e->srv_fd);
	}
	e->cli_fd = e->srv_fd = -1;
	if (e->sk_map_fd >= 0)
		bpf_prog_detach2(bpf_program__fd(e->skel->progs.sk_skb_echo), e->sk_map_fd,
				 e->sk_attach);
	e->sk_map_fd = -1;
	if (e->tc_ifindex)
		topo_run_in(e->t, TOPO_SERVER, detach_tc, e);
	e->tc_ifindex = 0;
	bpf_link__destroy(e->srv_link);
	bpf_link__destroy(e->cli_link);
	e->srv_link = e->cli_link = NULL;
	echo_server_stop(&e->us);
}
