/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space echo servers (the paper's "Socket" baseline) and the TCP
 * connection set-up the SK_SKB echo needs.  A server is a thread whose
 * sockets live in the topology's server namespace.
 */
#ifndef OBENCH_ECHO_SERVERS_H
#define OBENCH_ECHO_SERVERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/topology.h"

struct echo_server {
	pthread_t th;
	bool running;
	int type;			/* SOCK_DGRAM or SOCK_STREAM */
	int fd;				/* the bound (UDP) or listening (TCP) socket */
	int cpu;			/* -1: not pinned */
	volatile int stop;
	uint64_t served;		/* requests (UDP) or reads (TCP) echoed */
	unsigned char *buf;		/* the server thread's receive buffer */
};

/* Starts an echo server on @port of the server side; it is listening on return. */
int echo_server_start(struct echo_server *s, const struct topo *t, int type,
		      uint16_t port, int cpu);
void echo_server_stop(struct echo_server *s);

/*
 * SK_SKB echo: a TCP connection from the client namespace to @port on the
 * server side whose server socket is put into the sockhash @map_fd (key: its
 * socket cookie) before the client can send.  *cli_fd is the client end;
 * *srv_fd must stay open while the connection is in use.
 */
int echo_sk_skb_connect(const struct topo *t, uint16_t port, int map_fd,
			int *cli_fd, int *srv_fd);

/*
 * SK_SKB echo of UDP: a connected client UDP socket and a server UDP socket
 * on @port connected back to it, in the sockhash @map_fd.
 */
int echo_sk_skb_udp_connect(const struct topo *t, uint16_t port, int map_fd,
			    int *cli_fd, int *srv_fd);
/* A connected UDP or TCP socket from the client side to the server's @port. */
int echo_client_connect(const struct topo *t, int type, uint16_t port);

/*
 * One echo server of the experiment, at any hook: XDP, TC, SK_SKB (BPF
 * programs of bpf/echo.bpf.c), or a user-space UDP or TCP thread.
 * echo_hook_start() leaves a client socket connected to it in ->cli_fd,
 * and ->stream says whether it is TCP.
 */
struct echo_bpf;
struct bpf_link;

enum echo_kind { ECHO_XDP, ECHO_TC, ECHO_SK_SKB, ECHO_UDP, ECHO_TCP, ECHO_SK_SKB_UDP, NR_ECHO_KINDS };

/* "xdp", "tc", "sk_skb", "udp", "tcp", "sk_skb_udp", indexed by enum echo_kind; NULL-terminated. */
extern const char *const echo_kind_names[NR_ECHO_KINDS + 1];

struct echo_hook {
	const char *kind;			/* echo_kind_names[] */
	bool stream;
	int cli_fd, srv_fd;
	struct bpf_link *srv_link, *cli_link;	/* XDP */
	int tc_ifindex;				/* != 0: clsact hook to destroy */
	int sk_map_fd;				/* >= 0: verdict program attached */
	int sk_attach;				/* ... as this bpf_attach_type */
	struct echo_server us;
	const struct topo *t;
	struct echo_bpf *skel;
};

int echo_hook_start_kind(struct echo_hook *e, struct echo_bpf *skel, const struct topo *t,
			 enum echo_kind kind, uint16_t port, int server_cpu);
/* The same by name (echo_kind_names[]); -EINVAL for another. */
int echo_hook_start(struct echo_hook *e, struct echo_bpf *skel, const struct topo *t,
		    const char *kind, uint16_t port, int server_cpu);
/* Detaches/stops everything echo_hook_start() set up; safe after a failed start. */
void echo_hook_stop(struct echo_hook *e);

#endif
