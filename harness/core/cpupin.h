/* SPDX-License-Identifier: GPL-2.0 */
/* Where the calling thread runs: pin it to a CPU, and put it back. */
#ifndef OBENCH_CPUPIN_H
#define OBENCH_CPUPIN_H

#include <stdbool.h>
#include <sched.h>

/* Pins the calling thread to @cpu (modulo the CPUs online); @cpu < 0 does nothing. */
int cpu_pin(int cpu);

/*
 * Saves the calling thread's affinity in @saved and pins it to @cpu; true if
 * it is now pinned (then cpu_unpin(@saved) restores it).
 */
bool cpu_pin_save(int cpu, cpu_set_t *saved);
void cpu_unpin(const cpu_set_t *saved);

#endif
