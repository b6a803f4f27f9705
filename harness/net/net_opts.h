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

#define NET_TIMEOUT_MS(off)							\
	{ "timeout-ms", OPT_INT, (off), .def = "200", .min = 1, .max = 60000,	\
	  .help = "a reply later than this counts as lost" }

#endif
