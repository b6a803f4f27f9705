/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flags every network experiment shares, declared once: where each side
 * runs, the service port, the reply timeout.  An experiment embeds
 * struct net_place and lists the groups in its option table, e.g.
 *
 *	struct echo_cfg { struct net_place place; int port; ... };
 *	#define CFG(f) offsetof(struct echo_cfg, f)
 *	NET_CLIENT_CPU(CFG(place.client_cpu), "0"),
 *	NET_SERVER_CPU(CFG(place.server_cpu), "0", "the user-space echo server"),
 *	NET_RX_CPU(CFG(place.rx_cpu), "-1"),
 *	NET_PORT(CFG(port), "7777", "UDP/TCP port the echo servers answer"),
 *	NET_TIMEOUT_MS(CFG(timeout_ms)),
 */
#ifndef OBENCH_NET_OPTS_H
#define OBENCH_NET_OPTS_H

#include <stddef.h>

#include "core/options.h"

/* Where the load client, the server process and the server's receive work run. */
struct net_place {
	int client_cpu;		/* -1: not pinned */
	int server_cpu;		/* -1: not pinned */
	int rx_cpu;		/* -1: veth's default, the sender's softirq */
};

#define NET_CLIENT_CPU(off, def_)						\
	{ "client-cpu", OPT_INT, (off), .def = (def_), .min = -1, .max = 1023,	\
	  .help = "CPU of the load client (-1: not pinned)" }

#define NET_SERVER_CPU(off, def_, what)						\
	{ "server-cpu", OPT_INT, (off), .def = (def_), .min = -1, .max = 1023,	\
	  .help = "CPU of " what " (-1: not pinned)" }

#define NET_RX_CPU(off, def_)							\
	{ "rx-cpu", OPT_INT, (off), .def = (def_), .min = -1, .max = 1023,	\
	  .help = "CPU of the server's receive processing, XDP included (threaded NAPI + RPS; " \
		  "-1: veth's default, the sender's softirq)" }

#define NET_PORT(off, def_, what)						\
	{ "port", OPT_INT, (off), .def = (def_), .min = 1024, .max = 65535, .help = what }

/*
 * Two hosts: the server side on a real interface, the load client on the
 * peer (reached over OpenSSH, net/peer.h).  An experiment embeds
 * struct net_remote and lists NET_REMOTE_OPTS(offsetof(cfg, remote)).
 */
struct net_remote {
	const char *iface;		/* the DUT's interface: the server side lives there */
	const char *peer;		/* the peer's IP[,MAC] on that link */
	const char *peer_ssh;		/* ssh destination of the peer: its obench runs the load */
	const char *ssh_config;		/* ssh -F */
	const char *peer_obench;	/* obench on the peer */
};

#define NET_REMOTE_OPTS(base)								{ "iface", OPT_STR, (base) + offsetof(struct net_remote, iface),			  .help = "hardware tier: server side on this interface (client = --peer host)" }, 	{ "peer", OPT_STR, (base) + offsetof(struct net_remote, peer),			  .help = "hardware tier: IP[,MAC] of the load-generator host" },		{ "peer-ssh", OPT_STR, (base) + offsetof(struct net_remote, peer_ssh),		  .help = "two-host mode: ssh destination ([user@]host) of the --peer host; the load client runs there" }, 	{ "ssh-config", OPT_STR, (base) + offsetof(struct net_remote, ssh_config), 	  .help = "two-host mode: ssh config file (ssh -F) for --peer-ssh" },		{ "peer-obench", OPT_STR, (base) + offsetof(struct net_remote, peer_obench), 	  .def = "obench", .help = "two-host mode: the obench binary on the peer (same build as this one)" }

/*
 * Checks a struct net_remote before anything is created: --iface needs
 * --peer, --peer-ssh needs both, and a peer we cannot use (unreachable, no
 * obench, another version) fails here in seconds.  0, or -1 with one line.
 */
int net_remote_validate(const struct net_remote *r, char *err, size_t errlen);

#define NET_TIMEOUT_MS(off)							\
	{ "timeout-ms", OPT_INT, (off), .def = "200", .min = 1, .max = 60000,	\
	  .help = "a reply later than this counts as lost" }

#endif
