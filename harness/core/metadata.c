// SPDX-License-Identifier: GPL-2.0
#include "core/metadata.h"
#include "core/noise.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#ifndef OBENCH_GIT_REV
#define OBENCH_GIT_REV "unknown"
#endif
#ifndef OBENCH_CLANG
#define OBENCH_CLANG "clang"
#endif

const char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, len, "%s", colon + 2);
			break;
		}
	}
	fclose(f);
}

/* The first line of `clang --version` for the compiler the BPF objects were built with. */
static void clang_version(char *buf, size_t len)
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s --version 2>/dev/null", OBENCH_CLANG);
	snprintf(buf, len, "unknown");
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	pclose(p);
}

static struct json_object *mitigations(void)
{
	const char *dir = "/sys/devices/system/cpu/vulnerabilities";
	struct json_object *o = json_object_new_object();
	struct dirent *de;
	char path[512], val[256];
	DIR *d = opendir(dir);

	if (!d)
		return o;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		json_object_object_add(o, de->d_name,
				       json_object_new_string(read_line(path, val, sizeof(val))));
	}
	closedir(d);
	return o;
}

static void add_sysctl(struct json_object *o, const char *name, const char *path)
{
	char val[64];

	read_line(path, val, sizeof(val));
	json_object_object_add(o, name, val[0] ? json_object_new_string(val) : NULL);
}

/*
 * Which of kernel-patches/ the running kernel carries, by what each adds:
 * the sysctl (0001), the native XDP registration the module found (0002,
 * the module's debugfs file), the driver-entry tracepoint (0003-0006).
 */
static struct json_object *kernel_patches(void)
{
	static const struct { const char *path, *what; } p[] = {
		{ "/proc/sys/kernel/bpf_complexity_limit", "0001 kernel.bpf_complexity_limit sysctl" },
		{ "/sys/kernel/debug/obench/native_xdp", "0002 xdp_native_register (obench module loaded)" },
		{ "/sys/kernel/tracing/events/net/netif_rx_driver", "0003 net:netif_rx_driver tracepoint" },
	};
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (!access(p[i].path, F_OK))
			json_object_array_add(a, json_object_new_string(p[i].what));
	return a;
}

struct json_object *metadata_collect(const char *tier)
{
	struct json_object *m = json_object_new_object();
	struct json_object *jit = json_object_new_object();
	char buf[512];
	struct utsname u;

	uname(&u);
	json_object_object_add(m, "kernel_release", json_object_new_string(u.release));
	json_object_object_add(m, "kernel_version", json_object_new_string(u.version));
	json_object_object_add(m, "machine", json_object_new_string(u.machine));
	cpu_model(buf, sizeof(buf));
	json_object_object_add(m, "cpu_model", json_object_new_string(buf));
	json_object_object_add(m, "cpu_count",
			       json_object_new_int((int)sysconf(_SC_NPROCESSORS_ONLN)));
	clang_version(buf, sizeof(buf));
	json_object_object_add(m, "clang_version", json_object_new_string(buf));
	snprintf(buf, sizeof(buf), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	json_object_object_add(m, "libbpf_version", json_object_new_string(buf));
	add_sysctl(jit, "bpf_jit_enable", "/proc/sys/net/core/bpf_jit_enable");
	add_sysctl(jit, "bpf_jit_harden", "/proc/sys/net/core/bpf_jit_harden");
	add_sysctl(jit, "bpf_jit_kallsyms", "/proc/sys/net/core/bpf_jit_kallsyms");
	add_sysctl(jit, "bpf_stats_enabled", "/proc/sys/kernel/bpf_stats_enabled");
	add_sysctl(jit, "unprivileged_bpf_disabled", "/proc/sys/kernel/unprivileged_bpf_disabled");
	json_object_object_add(m, "bpf_sysctls", jit);
	json_object_object_add(m, "cpu_vulnerabilities", mitigations());
	noise_cpufreq_governor(buf, sizeof(buf));
	json_object_object_add(m, "cpufreq_governor", json_object_new_string(buf[0] ? buf :
			       "not exposed (a VM's frequency is the host's)"));
	json_object_object_add(m, "tier", json_object_new_string(tier));
	json_object_object_add(m, "kernel_patches", kernel_patches());
	json_object_object_add(m, "obench_revision", json_object_new_string(OBENCH_GIT_REV));
	return m;
}
