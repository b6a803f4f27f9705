/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers around libbpf shared by the experiments. */
#ifndef OBENCH_BPFUTIL_H
#define OBENCH_BPFUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * Runs @prog_fd through BPF_PROG_TEST_RUN with @repeat repetitions on a copy of
 * @pkt and returns the kernel's mean duration per repetition in ns.  The
 * kernel reports whole ns, so programs measured per-op loop >= 10 ops.
 */
int testrun_ns(int prog_fd, const void *pkt, size_t len, unsigned int repeat,
	       double *ns, __u32 *retval);

/* Runs the program once and returns its XDP/TC return value (data_out optional). */
int testrun_once(int prog_fd, const void *pkt, size_t len, void *out,
		 size_t *out_len, __u32 *retval);

/* A kfunc or function of that name is in the kernel's (or @module's) BTF. */
bool kernel_has_func(const char *name, const char *module);

/* Prints libbpf's messages only when OBENCH_DEBUG is set; quiet otherwise. */
void bpfutil_quiet_libbpf(void);

/* A synthetic Ethernet/IPv4/UDP frame of @len bytes, payload bytes 0,1,2... */
size_t build_udp_frame(unsigned char *buf, size_t len);

#endif
