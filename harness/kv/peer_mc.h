/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two-host mode for the memcached experiments: the windowed memcached load
 * (lg_mc_run_window) runs on the peer, over net/peer.h's ssh channel.
 *   mcwin IP PORT KEYS0 KEYS1 SIZE0 SIZE1 FRAC1 ZIPF SETS SEED WINDOW SECONDS WARMUP TIMEOUT_MS CPU
 *     -> "res SENT RECEIVED LOST MISMATCHED LATE ELAPSED", ["err ERRNO"], "done STATUS"
 *   mcopen (the same fields, RATE in place of WINDOW): the open loop (Poisson
 *     arrivals at RATE req/s) of loadgen_run over the same workload -> "hist"
 *     and "b" lines of histograms 0 (all gets), 1 and 2 (class 0, 1), then the same
 */
#ifndef OBENCH_KV_PEER_MC_H
#define OBENCH_KV_PEER_MC_H

#include <stddef.h>
#include <stdint.h>

#include "kv/loadgen_proto_mc.h"
#include "net/peer.h"

/* The DUT's side: lg_mc_run_window on the peer against @ip:@port; its counters in @r. */
int peer_mc_window(struct peer *p, const char *ip, int port, const struct lg_mcw_cfg *c,
		   unsigned int window, double seconds, uint64_t warmup, int timeout_ms, int cpu,
		   struct lg_result *r, char *err, size_t errlen);

/*
 * The DUT's side: an open loop of @rate req/s for @seconds over the workload
 * @c from the peer; latency of all gets and of each class into @h[0..2]
 * (NULL, or NULL entries: not wanted); a reply with wrong bytes counts in
 * @r->mismatched.
 */
int peer_mc_open(struct peer *p, const char *ip, int port, const struct lg_mcw_cfg *c,
		 double rate, double seconds, uint64_t warmup, int timeout_ms, int cpu,
		 struct histogram *const h[3], struct lg_result *r, char *err, size_t errlen);

/* The agent's side of "mcwin" and "mcopen" (struct peer_agent_cmd's run). */
int peer_mc_window_cmd(const char *line, struct peer_lines *in);
int peer_mc_open_cmd(const char *line, struct peer_lines *in);

#endif
