/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The testbed tier: `obench run --testbed ...` re-runs the same command inside
 * the QEMU VM of testbed/vmrun, where a module-capable kernel loads the
 * obench module.  Its timings are emulated and labelled so.
 */
#ifndef OBENCH_TESTBED_H
#define OBENCH_TESTBED_H

#include <stdbool.h>

#define TIER_HOST "host"
#define TIER_HARDWARE "hardware"	/* --iface is a physical NIC (net/peer.c) */
#define TIER_TESTBED "testbed-vm (TCG: emulated, not comparable with hardware)"

/* We are running inside testbed/vmrun's VM. */
bool testbed_inside(void);
const char *testbed_tier(void);

/* Where results go inside the VM (the writable share), NULL on the host. */
const char *testbed_results_dir(void);

/*
 * Inside the VM: loads @path, or (NULL) kmod/obench_kmod.ko next to this
 * binary's tree (idempotent).
 */
int testbed_load_module(const char *path);

/*
 * On the host: replaces this process with testbed/vmrun running obench with
 * @argv (minus --testbed) inside the VM, results into @out_base; @kernel_dir
 * (NULL: the stock kernel) boots its bzImage and loads its obench_kmod.ko.
 * Returns only on failure, after printing why.
 */
int testbed_reexec(int argc, char **argv, const char *out_base, const char *kernel_dir);

#endif
