/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Was the machine quiet while an experiment measured?  Two snapshots, before
 * and after, of what else used the CPUs: time the hypervisor stole
 * (/proc/stat steal) and CPU time of processes that are neither obench nor
 * its children nor kernel threads (/proc/<pid>/stat).  Kernel threads are
 * left out because obench's own traffic runs there (softirq, threaded NAPI).
 */
#ifndef OBENCH_NOISE_H
#define OBENCH_NOISE_H

#include <stdbool.h>
#include <json-c/json.h>

/* Above either share of the machine's CPU time over the window: noisy. */
#define NOISE_STEAL_PCT		10.0
#define NOISE_OTHER_PCT		10.0

struct noise_snapshot {
	double t;			/* monotonic seconds */
	unsigned long long steal, total;	/* /proc/stat ticks, all CPUs */
	unsigned long long other;	/* ticks of other processes */
	int npids;
	struct noise_pid { int pid; unsigned long long ticks; } *pids;
};

struct noise {
	double wall_s;
	double steal_pct;		/* of all CPUs' time */
	double other_pct;		/* of all CPUs' time */
	double loadavg1;		/* at the end */
	bool noisy;
	char why[160];
};

/* Takes a snapshot (0, or -1 when /proc cannot be read: then nothing is known). */
int noise_begin(struct noise_snapshot *s);
/* Compares with a snapshot taken now; frees @s. */
void noise_end(struct noise_snapshot *s, struct noise *out);
void noise_snapshot_free(struct noise_snapshot *s);

struct json_object *noise_json(const struct noise *n);

/* The CPU frequency governor (cpu0), or "" where it cannot be read (most VMs). */
void noise_cpufreq_governor(char *buf, size_t len);

#endif
