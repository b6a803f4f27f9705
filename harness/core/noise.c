// SPDX-License-Identifier: GPL-2.0
#include "core/noise.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"

#define PF_KTHREAD 0x00200000

static int read_proc_stat(unsigned long long *steal, unsigned long long *total)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n, i;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 8)
		return -1;
	*total = 0;
	for (i = 0; i < 8; i++)	/* guest time is already inside user */
		*total += v[i];
	*steal = v[7];
	return 0;
}

/* One /proc/<pid>/stat: parent, kernel-thread flag, utime + stime. */
static int read_pid(int pid, int *ppid, bool *kthread, unsigned long long *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	if (!p)
		return -1;
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %lu %*u %*u %*u %*u %llu %llu",
		   ppid, &flags, &ut, &st) != 4)
		return -1;
	*kthread = flags & PF_KTHREAD;
	*ticks = ut + st;
	return 0;
}

struct pid_info {
	int pid, ppid;
	bool kthread;
	unsigned long long ticks;
};

/* Every process: its parent, kind and CPU ticks.  The count, or -1. */
static int scan_pids(struct pid_info **out)
{
	DIR *d = opendir("/proc");
	struct pid_info *v = NULL, *nv;
	struct dirent *de;
	int n = 0, cap = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct pid_info pi;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pi.pid = atoi(de->d_name);
		if (read_pid(pi.pid, &pi.ppid, &pi.kthread, &pi.ticks))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, (size_t)cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n++] = pi;
	}
	closedir(d);
	*out = v;
	return n;
}

static const struct pid_info *find_pid(const struct pid_info *v, int n, int pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

/* obench itself or one of its descendants. */
static bool is_ours(const struct pid_info *v, int n, int pid)
{
	int self = getpid(), hops;

	for (hops = 0; pid > 1 && hops < 64; hops++) {
		const struct pid_info *p;

		if (pid == self)
			return true;
		p = find_pid(v, n, pid);
		if (!p)
			return false;
		pid = p->ppid;
	}
	return false;
}

/* Ticks of every process that is not ours and not a kernel thread, kept per pid. */
static int snapshot_others(struct noise_snapshot *s)
{
	struct pid_info *v = NULL;
	int n = scan_pids(&v), i;

	if (n < 0)
		return -1;
	s->pids = calloc((size_t)(n ? n : 1), sizeof(*s->pids));
	s->npids = 0;
	s->other = 0;
	for (i = 0; s->pids && i < n; i++) {
		if (v[i].kthread || is_ours(v, n, v[i].pid))
			continue;
		s->pids[s->npids++] = (struct noise_pid){ v[i].pid, v[i].ticks };
		s->other += v[i].ticks;
	}
	free(v);
	return s->pids ? 0 : -1;
}

int noise_begin(struct noise_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->t = mono_s();
	if (read_proc_stat(&s->steal, &s->total))
		return -1;
	return snapshot_others(s);
}

void noise_snapshot_free(struct noise_snapshot *s)
{
	free(s->pids);
	s->pids = NULL;
	s->npids = 0;
}

/* Ticks other processes used between @a and @b (processes new in @b count from 0). */
static unsigned long long other_delta(const struct noise_snapshot *a, const struct noise_snapshot *b)
{
	unsigned long long sum = 0;
	int i, j;

	for (i = 0; i < b->npids; i++) {
		unsigned long long before = 0;

		for (j = 0; j < a->npids; j++)
			if (a->pids[j].pid == b->pids[i].pid) {
				before = a->pids[j].ticks;
				break;
			}
		if (b->pids[i].ticks > before)
			sum += b->pids[i].ticks - before;
	}
	return sum;
}

void noise_end(struct noise_snapshot *s, struct noise *out)
{
	struct noise_snapshot e;
	double total;
	FILE *f;

	memset(out, 0, sizeof(*out));
	if (noise_begin(&e) || !s->pids) {
		snprintf(out->why, sizeof(out->why), "/proc not readable: noise unknown");
		noise_snapshot_free(&e);
		noise_snapshot_free(s);
		return;
	}
	out->wall_s = e.t - s->t;
	total = (double)(e.total - s->total);
	if (total > 0) {
		out->steal_pct = 100.0 * (double)(e.steal - s->steal) / total;
		out->other_pct = 100.0 * (double)other_delta(s, &e) / total;
	}
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &out->loadavg1) != 1)
			out->loadavg1 = 0;
		fclose(f);
	}
	out->noisy = out->steal_pct > NOISE_STEAL_PCT || out->other_pct > NOISE_OTHER_PCT;
	if (out->noisy)
		snprintf(out->why, sizeof(out->why),
			 "%.0f %% of the CPU time went to other processes, %.0f %% was stolen by the hypervisor",
			 out->other_pct, out->steal_pct);
	noise_snapshot_free(&e);
	noise_snapshot_free(s);
}

struct json_object *noise_json(const struct noise *n)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "wall_s", json_object_new_double(n->wall_s));
	json_object_object_add(o, "steal_pct", json_object_new_double(n->steal_pct));
	json_object_object_add(o, "other_processes_pct", json_object_new_double(n->other_pct));
	json_object_object_add(o, "loadavg1", json_object_new_double(n->loadavg1));
	json_object_object_add(o, "noisy", json_object_new_boolean(n->noisy));
	json_object_object_add(o, "why", json_object_new_string(n->why));
	return o;
}

void noise_cpufreq_governor(char *buf, size_t len)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}
