/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Programs at the receive hooks of the topology's server side (native XDP,
 * TC clsact ingress), BPF run-time statistics, and CPU pinning: what the
 * network-path experiments (hook-cost, bandwidth, truncate) share.
 */
#ifndef OBENCH_NETPATH_H
#define OBENCH_NETPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "core/obench.h"
#include "net/topology.h"

/*
 * Removes what killed runs left, then builds the client/server veth
 * topology.  On failure env->skip_reason says why and EXP_SKIP comes back:
 * a machine without network namespaces cannot run the experiment.
 */
int netpath_topo_create(struct exp_env *env, struct topo *t);

/*
 * An experiment's .cleanup (`obench cleanup`): removes the namespaces and
 * links of obench runs that are gone, and says how many.  0 or -errno.
 */
int netpath_cleanup(void);

/* Native-mode XDP on the server interface; detach with prog_fd < 0. */
int netpath_xdp(const struct topo *t, int prog_fd);
/*
 * Generic (skb) mode XDP there: it runs in the receive stack after RPS has
 * picked the CPU, where native XDP on veth runs in the sender's NAPI context.
 */
int netpath_xdp_generic(const struct topo *t, int prog_fd);
/* TC clsact ingress on the server interface; detach (and drop clsact) with prog_fd < 0. */
int netpath_tc(const struct topo *t, int prog_fd);

/*
 * Turns BPF run-time statistics on for as long as the returned fd is open
 * (BPF_ENABLE_STATS): the kernel turns them off again when the fd closes,
 * even if obench is killed, so no sysctl is left changed.  -errno on failure.
 */
int netpath_stats_enable(void);
void netpath_stats_restore(int fd);
/* Cumulative run time and run count of a program (bpf_stats_enabled must be on). */
int netpath_prog_stats(int prog_fd, __u64 *run_ns, __u64 *run_cnt);

/*
 * Receive Packet Steering on @side's interface: its rx-0 queue hands packets
 * to the CPUs in @cpumask (hex, as in rps_cpus; "0" turns RPS off).  The
 * write happens in a child that mounts that namespace's own sysfs.
 */
int netpath_rps(const struct topo *t, enum topo_side side, const char *cpumask);

/* The rx-0 RPS mask of a --iface topology's server interface (ours), to restore it later. */
int netpath_rps_get(const struct topo *t, char *cpumask, size_t len);

/*
 * Moves @side's receive processing onto @cpu, as a NIC queue's interrupt
 * would: veth's NAPI (kept on by GRO) runs in a kernel thread pinned there
 * ("threaded" NAPI) instead of the sender's softirq, and RPS steers the
 * packets that bypass NAPI there too, so XDP, TC and the stack run on the
 * server's CPU, not the load generator's.
 */
int netpath_rx_cpu(const struct topo *t, enum topo_side side, int cpu);

/*
 * netpath_rx_cpu() on the server side when @cpu >= 0; writes where the
 * server's receive processing runs into @note for the result rows.  A failure
 * leaves veth's default (the sender's softirq) and says so in @note.
 */
int netpath_place_rx(const struct topo *t, int cpu, char *note, size_t len);

#endif
