/* SPDX-License-Identifier: GPL-2.0 */
/* Debian's iperf 2 in the topology's namespaces: server, client, CSV parsing. */
#ifndef OBENCH_IPERF_H
#define OBENCH_IPERF_H

#include <sys/types.h>

#include "net/topology.h"

/*
 * Starts `iperf -s -p @port` in the server namespace; with @cgroup_dir the
 * server joins that cgroup v2 directory first.  Returns its pid or -errno.
 */
pid_t iperf_server_start(const struct topo *t, int port, const char *cgroup_dir);
/* SIGTERM, then SIGKILL after 1 s; reaps it. */
void iperf_stop(pid_t pid);

/*
 * Runs `iperf -c <server> -p @port -P @streams -t @secs -y C` in the client
 * namespace and returns the total bits/s in *bps.  -EINTR when interrupted.
 */
int iperf_client_run(const struct topo *t, int port, int streams, int secs, double *bps);

/* The total bits/s of `iperf -y C` output (the sum line when there are several streams). */
int iperf_parse_csv(const char *out, double *bps);

#endif
