// SPDX-License-Identifier: GPL-2.0
#include "core/cpu_times.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void cpu_times_read(struct cpu_times *c)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[512];

	c->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && c->n < CPU_TIMES_MAX) {
		unsigned long long v[8] = { 0 };
		int cpu;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;	/* the all-CPU line */
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9)
			continue;
		c->cpu[c->n] = cpu;
		c->total[c->n] = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		c->busy[c->n] = c->total[c->n] - v[3] - v[4];	/* all but idle and iowait */
		c->softirq[c->n] = v[6];
		c->n++;
	}
	fclose(f);
}

double cpu_times_busy(const struct cpu_times *a, const struct cpu_times *b, int cpu)
{
	int i;

	for (i = 0; i < a->n && i < b->n; i++) {
		double tot = (double)(b->total[i] - a->total[i]);

		if (a->cpu[i] != cpu || b->cpu[i] != cpu)
			continue;
		return tot > 0 ? (double)(b->busy[i] - a->busy[i]) / tot : NAN;
	}
	return NAN;
}

void cpu_times_fmt(const struct cpu_times *a, const struct cpu_times *b, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < a->n && i < b->n && off < len; i++) {
		double tot = (double)(b->total[i] - a->total[i]);

		if (tot <= 0)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%scpu%d %.0f%% busy (%.0f%% softirq)",
					off ? ", " : "", a->cpu[i],
					100.0 * (double)(b->busy[i] - a->busy[i]) / tot,
					100.0 * (double)(b->softirq[i] - a->softirq[i]) / tot);
	}
}
