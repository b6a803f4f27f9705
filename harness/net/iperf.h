/* SPDX-License-Identifier: GPL-2.0 */
/* Debian's iperf 2 in the topology's namespaces: server, client, CSV parsing. */
#ifndef OBENCH_IPERF_H
#define OBENCH_IPERF_H

#include <sys/types.h>
#include <netinet/in.h>

#include "net/topology.h"

/*
 * Starts `iperf -s -p @port` in the server namespace; with @cgroup_dir the
 * server joins that cgroup v2 directory first.  Returns its pid or -errno;
 * stop it with spawn_stop() (core/spawn.h).
 */
pid_t iperf_server_start(const struct topo *t, int port, const char *cgroup_dir);

/*
 * Runs `iperf -c <server> -p @port -P @streams -t @secs -y C` in the client
 * namespace and returns the total bits/s in *bps.  iperf 2 takes decimal
 * seconds (10 ms resolution).  -EINTR when interrupted.
 */
int iperf_client_run(const struct topo *t, int port, int streams, double secs, double *bps);

/* The same against @server from the namespace open as @nsfd (-1: here), e.g. on a peer. */
int iperf_client_run_at(int nsfd, struct in_addr server, int port, int streams, double secs,
			double *bps);

/* The total bits/s of `iperf -y C` output (the sum line when there are several streams). */
int iperf_parse_csv(const char *out, double *bps);

#endif
