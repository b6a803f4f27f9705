/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-host mode: the load client runs on a second host (the peer), reached
 * over OpenSSH.  The DUT starts `ssh -o BatchMode=yes DEST OBENCH peer-agent`
 * (core/spawn, so ssh dies with obench); the agent on the peer reads one
 * command per line on stdin and answers on stdout.  Control and results go
 * over the SSH channel: no daemon, no port.  When the channel closes (DUT
 * killed, connection lost) the agent stops everything it started and exits;
 * when the peer dies, the DUT sees EOF and fails the experiment.
 *
 * Protocol (text lines):
 *   hello                      -> "obench-agent REV"
 *   echo IP PORT SIZE N WARMUP TIMEOUT_MS STREAM CPU SECONDS (N 0: for SECONDS)
 *                              -> "hist 0 COUNT MIN MAX SUM SUMSQ", "b 0 IDX N"...,
 *                                 "res SENT RECEIVED LOST MISMATCHED LATE ELAPSED",
 *                                 ["err ERRNO"], "done STATUS"
 *   iperf IP PORT STREAMS SECS -> "bps B", ["err ERRNO"], "done STATUS"
 *   flood IP PORT SIZE SECS CPU -> "res SENT 0 0 0 0 ELAPSED", ["err ERRNO"], "done STATUS"
 *   pace IP PORT STREAM SIZE MAGIC FIRST COUNT GAP_US DELAY_MS
 *                              -> "res SENT 0 0 0 0 ELAPSED", ["err ERRNO"], "done STATUS"
 *   mcwin ...                  -> kv/peer_mc.h (the memcached load)
 * and "alive" every second while a job runs.
 */
#ifndef OBENCH_NET_PEER_H
#define OBENCH_NET_PEER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/histogram.h"
#include "net/loadgen.h"

/* A line reader over a pipe that never blocks past a poll timeout. */
struct peer_lines {
	int fd;
	size_t len;
	char buf[8192];
};

/*
 * The next line (without '\n') into @line: 0, -ETIMEDOUT after @timeout_ms
 * without one, -EPIPE at EOF, -EINTR when obench is interrupted.
 */
int peer_readline(struct peer_lines *l, char *line, size_t cap, int timeout_ms);

/* How to reach the peer: the ssh destination, an ssh config, the obench there. */
struct peer_addr {
	const char *dest;		/* [user@]host or a Host of @ssh_config */
	const char *ssh_config;		/* NULL: ssh's default */
	const char *obench;		/* obench on the peer (default "obench" on PATH) */
};

struct peer {
	pid_t pid;			/* the ssh process */
	int in_fd;			/* its stdin (commands) */
	struct peer_lines out;		/* its stdout + stderr (answers) */
	char last[256];			/* the last line that was not an answer */
};

/*
 * Connects and checks the agent's version against ours within a few
 * seconds.  0, or -1 with one line in @err (unreachable, no obench, other
 * version).
 */
int peer_open(struct peer *p, const struct peer_addr *a, char *err, size_t errlen);

struct exp_env;
struct topo;

/* True when @ifname is backed by a device (a NIC), not a virtual interface (veth, lo). */
bool netdev_is_physical(const char *ifname);

/*
 * The tier of an experiment on --iface: "hardware" when it is a physical NIC,
 * with its driver, firmware, queues, link speed and (@p open) the peer's
 * kernel in env->hardware (run.json); otherwise the tier stays.
 */
void peer_hardware_tier(struct exp_env *env, const struct topo *t, struct peer *p);

/* Pre-flight: peer_open + peer_close. */
int peer_preflight(const struct peer_addr *a, char *err, size_t errlen);

/*
 * Runs the echo load client on the peer against @ip:@port; its histogram
 * and counters come back in @h and @r.  0, -EINTR, -EPIPE when the peer is
 * lost (one line in @err), or the client's -errno.
 */
int peer_echo(struct peer *p, const char *ip, int port, size_t size, const struct lg_params *prm,
	      struct histogram *h, struct lg_result *r, char *err, size_t errlen);

/* iperf on the peer against @ip:@port, @streams streams for @secs s: bits/s in *@bps. */
int peer_iperf(struct peer *p, const char *ip, int port, int streams, double secs, double *bps,
	       char *err, size_t errlen);

/*
 * A sendmmsg() flood of @size-byte UDP datagrams from the peer to @ip:@port
 * for @secs (net/udp_flood.h), its sender pinned to the peer's @cpu (-1: not
 * pinned); datagrams sent and seconds in @r->sent, @r->elapsed_s.
 */
int peer_flood(struct peer *p, const char *ip, int port, size_t size, double secs, int cpu,
	       struct lg_result *r, char *err, size_t errlen);

/*
 * Tagged messages from the peer, one way, paced: over UDP or one TCP
 * connection (@stream) to @ip:@port, @delay_ms after connecting, @count
 * messages of @size bytes starting with the two 32-bit words @magic and
 * @first + i (host order: both ends run the same build), @gap_us apart.
 * Sent count and seconds in @r.
 */
int peer_paced(struct peer *p, const char *ip, int port, bool stream, size_t size,
	       unsigned int magic, unsigned int first, unsigned int count, int gap_us, int delay_ms,
	       struct lg_result *r, char *err, size_t errlen);

struct exp_env;
struct net_remote;
struct topo;
/*
 * The topology of two-host mode: the server side on @r->iface here, and,
 * with --peer-ssh, the session to the peer in @p (*@remote set).  0, or an
 * error with env->skip_reason set.
 */
int peer_topology(struct exp_env *env, const struct net_remote *r, struct topo *t,
		  struct peer *p, bool *remote);

/*
 * The topology of an experiment whose @load (e.g. "the load client") runs
 * on the client side: without --iface the veth pair of one host (*@remote
 * false); with it, peer_topology() and the load must come from the peer (0
 * with the session open and *@remote set; EXP_SKIP with the reason when
 * --peer-ssh is missing or the peer cannot be used).  *@up says whether @t
 * exists (to destroy at teardown) either way.
 */
int peer_load_topology(struct exp_env *env, const struct net_remote *r, struct topo *t,
		       struct peer *p, bool *up, bool *remote, const char *load);

/* Closes the channel (the agent tears down) and reaps ssh. */
void peer_close(struct peer *p);

/* The revision both ends compare at pre-flight. */
const char *peer_version(void);

/*
 * Sends @line (a command, with '\n') and hands each answer line to @answer
 * until "done STATUS".  0, the job's -errno ("err N"), -ECHILD when it died
 * without saying why, -EINTR, or -EPIPE when the peer is lost (one line in
 * @err).
 */
int peer_call(struct peer *p, const char *line, void (*answer)(const char *line, void *ctx),
	      void *ctx, char *err, size_t errlen);

/* A job's last lines: its counters ("res ..."), and "err N" if it failed. */
void peer_put_result(int out, const struct lg_result *r, int err);

/* 1 if @line was the "res" line (into @r), else 0. */
int peer_parse_result(const char *line, struct lg_result *r);

/* peer_call()'s answer for jobs that return only counters: @ctx is a struct lg_result. */
void peer_result_answer(const char *line, void *ctx);

/* A histogram as answer lines: "hist ID COUNT MIN MAX SUM SUMSQ", "b ID IDX N" per bucket. */
void peer_put_hist(int out, int id, const struct histogram *h);

/* 1 if @line was one of them (into @hs[ID], when ID < @nh and set), else 0. */
int peer_parse_hist(const char *line, struct histogram *const *hs, int nh);

/* peer_call()'s answer for jobs that return histograms and counters. */
struct peer_hist_answer {
	struct histogram *const *h;
	int nh;
	struct lg_result *r;
};
void peer_hist_answer(const char *line, void *ctx);

/* An agent command a higher layer adds: lines starting with @prefix go to @run. */
struct peer_agent_cmd {
	const char *prefix;
	/* runs it (peer_agent_job); nonzero if stdin closed meanwhile */
	int (*run)(const char *line, struct peer_lines *in);
};

/*
 * On the agent: runs @fn(@arg, out) in a child; the lines it writes to out
 * go to the DUT, "alive" every second, then "done STATUS".  -EPIPE if stdin
 * closed meanwhile (the child is killed), else 0.
 */
int peer_agent_job(int (*fn)(void *arg, int out), void *arg, struct peer_lines *in);

/* The hidden `obench peer-agent` command's body; @cmds: more commands (NULL-prefix ended). */
int peer_agent_main(const struct peer_agent_cmd *cmds);

#endif
