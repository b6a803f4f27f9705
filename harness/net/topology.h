/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network under test: a server and a client network namespace joined by
 * a veth pair (default), or the server side on a real interface (--iface,
 * hardware tier).  Built through netlink (libnl-route-3), never `ip`.
 * Every name carries the obench tag and the creating PID
 * ("obench-<pid>-srv", "obench-<pid>-cli", "ob<pid>s"/"ob<pid>c"), so
 * topo_cleanup_stale() can remove what a killed run left behind.
 */
#ifndef OBENCH_TOPOLOGY_H
#define OBENCH_TOPOLOGY_H

#include <stdbool.h>
#include <netinet/in.h>

enum topo_side { TOPO_SERVER, TOPO_CLIENT };

struct topo_end {
	char netns[64];			/* netns name ("" = the caller's own) */
	char ifname[16];
	int ifindex;			/* inside its namespace */
	struct in_addr addr;		/* IPv4 address, /24 */
	unsigned char mac[6];
	int nsfd;			/* open fd of the namespace, -1 if none */
};

struct topo {
	struct topo_end server, client;
	int orig_nsfd;			/* the namespace obench started in */
	bool hardware;			/* --iface: server on a real NIC */
};

/* Creates both namespaces and the veth pair, addresses, MACs, links up. */
int topo_create(struct topo *t);

/* Hardware tier: server side on @ifname in the current namespace, peer @peer_ip[,MAC]. */
int topo_create_iface(struct topo *t, const char *ifname, const char *peer);

static inline const struct topo_end *topo_end_of(const struct topo *t, enum topo_side side)
{
	return side == TOPO_SERVER ? &t->server : &t->client;
}

/*
 * @side's namespace fd for core/netns.h and core/spawn.h: -1 for the
 * hardware tier's server (the caller's namespace, as spawn_opts.netns_fd
 * means it), -EOPNOTSUPP for its client (a remote host); that is the only
 * error, so "< -1" tells it from a usable value.
 */
int topo_nsfd(const struct topo *t, enum topo_side side);

/*
 * Runs @fn(@arg) with the calling thread in @side's namespace, and brings
 * it back to where it was (netns_enter/netns_leave).  fn's return value, or
 * the -errno of entering.
 */
int topo_run_in(const struct topo *t, enum topo_side side, int (*fn)(void *arg), void *arg);

/*
 * Moves the calling thread into @side's namespace (TOPO_*), or back into the
 * one the topology was created from with topo_leave(): thin wrappers over
 * netns_enter/netns_leave for callers that stay in a namespace for a while.
 */
int topo_enter(const struct topo *t, enum topo_side side);
int topo_leave(const struct topo *t);

/* Removes namespaces, links, qdiscs (and so every program attached there). */
void topo_destroy(struct topo *t);

/* Removes every obench namespace/link whose creating PID is gone; returns how many. */
int topo_cleanup_stale(void);

/* Same, and with @force also those of live processes (every obench-* namespace). */
int topo_cleanup(bool force);

/* socket(@domain, @type, 0) created inside @side's namespace; -errno on failure. */
int topo_socket(const struct topo *t, enum topo_side side, int domain, int type);

#endif
