/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A real memcached (Debian's /usr/bin/memcached) for the kvcache
 * experiments: started in the server's network namespace with UDP enabled,
 * waited for until it answers, stopped and reaped on teardown.  Plus a tiny
 * blocking client (TCP and UDP) for tests and for warming the cache.
 */
#ifndef OBENCH_MEMCACHED_H
#define OBENCH_MEMCACHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

struct memcached {
	pid_t pid;			/* 0: not running */
	int nsfd;			/* its network namespace, -1: the caller's */
	struct in_addr addr;
	uint16_t tcp_port, udp_port;
};

/* The memcached binary is installed (on PATH). */
bool memcached_available(void);

struct exp_env;
struct topo;
/*
 * What every memcached experiment sets up first: EXP_SKIP with the reason
 * when memcached is not installed, else the client/server topology
 * (netpath_topo_create: EXP_SKIP without namespaces).  0 when it is up.
 */
int memcached_topology(struct exp_env *env, struct topo *t);

/* 0 when memcached is installed, else EXP_SKIP with the package to install (two hosts too). */
int memcached_check(struct exp_env *env);

/*
 * Starts `memcached -l @addr -p @tcp_port -U @udp_port -t @threads -u root`
 * inside @nsfd's namespace (-1: here) and waits (up to 5 s) until it answers
 * "version" over TCP.  It dies with us (PR_SET_PDEATHSIG) if we are killed.
 */
int memcached_start(struct memcached *mc, int nsfd, struct in_addr addr,
		    uint16_t tcp_port, uint16_t udp_port, int threads);
/* The same with every thread of memcached pinned to @cpu (-1: not pinned). */
int memcached_start_on(struct memcached *mc, int nsfd, struct in_addr addr,
		       uint16_t tcp_port, uint16_t udp_port, int threads, int cpu);

/* SIGTERM, then SIGKILL after 2 s; reaps it.  Safe to call twice. */
void memcached_stop(struct memcached *mc);

/* A blocking client; its sockets live in the namespace given at open. */
struct mc_client {
	int tcp, udp;
	uint16_t next_id;		/* UDP request id */
	int timeout_ms;
};

int mc_client_open(struct mc_client *c, int nsfd, struct in_addr addr,
		   uint16_t tcp_port, uint16_t udp_port);
void mc_client_close(struct mc_client *c);

/* 0 on STORED / DELETED, 1 on NOT_FOUND (delete), -errno or -EPROTO otherwise. */
int mc_set_tcp(struct mc_client *c, const char *key, uint32_t flags,
	       const void *value, size_t vlen);
int mc_set_udp(struct mc_client *c, const char *key, uint32_t flags,
	       const void *value, size_t vlen);
int mc_delete_tcp(struct mc_client *c, const char *key);
int mc_delete_udp(struct mc_client *c, const char *key);

/*
 * One-datagram get over UDP: the whole reply datagram (frame header
 * included) into @buf; returns its length or -errno (-ETIMEDOUT).
 */
int mc_get_udp(struct mc_client *c, const char *key, void *buf, size_t cap);

/* get over TCP: the reply ("VALUE ...END\r\n" or "END\r\n") into @buf; its length or -errno. */
int mc_get_tcp(struct mc_client *c, const char *key, void *buf, size_t cap);

/* One counter of `stats` (e.g. "get_hits"); 0 or -errno (-ENOENT). */
int mc_stat(struct mc_client *c, const char *name, uint64_t *val);

#endif
