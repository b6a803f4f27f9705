// SPDX-License-Identifier: GPL-2.0
#include "net/netpath.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

#include "core/spawn.h"

/* A program to attach at (prog_fd >= 0) or detach from (< 0) a server-side hook. */
struct hook_req {
	int ifindex;
	int prog_fd;
	__u32 xdp_flags;	/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
};

static int xdp_set(void *arg)
{
	const struct hook_req *r = arg;

	if (r->prog_fd < 0)
		return bpf_xdp_detach(r->ifindex, r->xdp_flags, NULL);
	return bpf_xdp_attach(r->ifindex, r->prog_fd, r->xdp_flags, NULL);
}

static int tc_set(void *arg)
{
	const struct hook_req *r = arg;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = r->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1, .prog_fd = r->prog_fd);
	int err;

	if (r->prog_fd < 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		return bpf_tc_hook_destroy(&hook);
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

/* Runs @fn inside the server namespace (netlink sockets are per namespace). */
static int in_server(const struct topo *t, int (*fn)(void *arg), int prog_fd, __u32 xdp_flags)
{
	struct hook_req r = { t->server.ifindex, prog_fd, xdp_flags };

	return topo_run_in(t, TOPO_SERVER, fn, &r);
}

int netpath_xdp(const struct topo *t, int prog_fd)
{
	return in_server(t, xdp_set, prog_fd, XDP_FLAGS_DRV_MODE);
}

int netpath_xdp_generic(const struct topo *t, int prog_fd)
{
	return in_server(t, xdp_set, prog_fd, XDP_FLAGS_SKB_MODE);
}

int netpath_tc(const struct topo *t, int prog_fd)
{
	return in_server(t, tc_set, prog_fd, 0);
}

int netpath_stats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}

void netpath_stats_restore(int fd)
{
	if (fd >= 0)
		close(fd);
}

int netpath_prog_stats(int prog_fd, __u64 *run_ns, __u64 *run_cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);

	if (err)
		return err;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

struct sysfs_write {
	const char *ifname, *attr, *value;
};

/* In a child already in the namespace: its own mount namespace with that namespace's sysfs. */
static int sysfs_write_child(void *arg)
{
	const struct sysfs_write *w = arg;
	char path[160];
	FILE *f;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL))
		return 1;
	/* EBUSY: /sys already is this namespace's (a --iface in obench's own namespace) */
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) && errno != EBUSY)
		return 1;
	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", w->ifname, w->attr);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", w->value) < 0 || fclose(f))
		return 2;
	return 0;
}

/*
 * Writes @value to /sys/class/net/<@side's interface>/@attr.  The write
 * happens in a child that mounts that namespace's own sysfs: /sys shows the
 * devices of the namespace that mounted it.
 */
static int netns_sysfs_write(const struct topo *t, enum topo_side side,
			     const char *attr, const char *value)
{
	struct sysfs_write w = { topo_end_of(t, side)->ifname, attr, value };
	struct spawn_opts o = SPAWN_OPTS;
	pid_t pid;
	int status;

	o.netns_fd = topo_nsfd(t, side);
	if (o.netns_fd < -1)
		return o.netns_fd;
	pid = spawn_fn(&o, sysfs_write_child, &w);
	if (pid < 0)
		return pid;
	status = spawn_wait(pid);
	return status < 0 ? status : status ? -EIO : 0;
}

int netpath_rps(const struct topo *t, enum topo_side side, const char *cpumask)
{
	return netns_sysfs_write(t, side, "queues/rx-0/rps_cpus", cpumask);
}

int netpath_rps_get(const struct topo *t, char *cpumask, size_t len)
{
	char path[128];
	FILE *f;
	int err = 0;

	if (!t->hardware)
		return -EINVAL;	/* a namespace's sysfs is only mounted in netns_sysfs_write() */
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-0/rps_cpus", t->server.ifname);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(cpumask, (int)len, f))
		err = -EIO;
	fclose(f);
	cpumask[strcspn(cpumask, "\n")] = 0;
	return err;
}

/* ETHTOOL_SGRO on @side's interface: on veth, GRO keeps the receive NAPI enabled. */
static int set_gro(const struct topo *t, enum topo_side side, bool on)
{
	const struct topo_end *e = topo_end_of(t, side);
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = on };
	struct ifreq ifr = { 0 };
	int fd = topo_socket(t, side, AF_INET, SOCK_DGRAM), err = 0;

	if (fd < 0)
		return fd;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", e->ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/* Pins every kernel thread named "napi/<ifname>-<id>" to @cpu; returns how many. */
static int pin_napi_threads(const char *ifname, int cpu)
{
	char prefix[32], path[64], comm[32];
	struct dirent *de;
	cpu_set_t set;
	int n = 0;
	DIR *d;

	snprintf(prefix, sizeof(prefix), "napi/%s-", ifname);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, prefix, strlen(prefix)) &&
		    !sched_setaffinity(atoi(de->d_name), sizeof(set), &set))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

int netpath_rx_cpu(const struct topo *t, enum topo_side side, int cpu)
{
	const struct topo_end *e = topo_end_of(t, side);
	char mask[16];
	int err, n;

	if (cpu < 0 || cpu >= 64)
		return -EINVAL;
	snprintf(mask, sizeof(mask), "%llx", 1ULL << cpu);
	err = set_gro(t, side, true);
	if (!err)
		err = netns_sysfs_write(t, side, "threaded", "1");
	/* packets that bypass NAPI (no XDP, not GRO-eligible) follow RPS there too */
	if (!err)
		err = netpath_rps(t, side, mask);
	if (err)
		return err;
	n = pin_napi_threads(e->ifname, cpu);
	return n > 0 ? 0 : n < 0 ? n : -ENOENT;
}

/* Receive queues of a --iface interface and its RPS mask on rx-0, for the rows. */
static void iface_rx_note(const struct topo *t, char *note, size_t len)
{
	char path[160], rps[64] = "?";
	struct dirent *de;
	int rxq = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", t->server.ifname);
	d = opendir(path);
	while (d && (de = readdir(d)))
		rxq += !strncmp(de->d_name, "rx-", 3);
	if (d)
		closedir(d);
	if (netpath_rps_get(t, rps, sizeof(rps)))
		snprintf(rps, sizeof(rps), "?");
	/* short: it goes into notes with more after it (pinning one queue: README) */
	snprintf(note, len, "server rx on %s: %d rx queue%s, RPS %s", t->server.ifname, rxq,
		 rxq == 1 ? "" : "s", rps);
}

int netpath_place_rx(const struct topo *t, int cpu, char *note, size_t len)
{
	int err = cpu >= 0 ? netpath_rx_cpu(t, TOPO_SERVER, cpu) : 0;

	if (t->hardware)
		iface_rx_note(t, note, len);
	else if (cpu < 0)
		snprintf(note, len, "server rx in the sender's softirq");
	else if (err)
		snprintf(note, len, "server rx in the sender's softirq (threaded NAPI on cpu %d failed: %s)",
			 cpu, strerror(-err));
	else
		snprintf(note, len, "server rx on cpu %d (threaded NAPI + RPS)", cpu);
	return err;
}

int netpath_topo_create(struct exp_env *env, struct topo *t)
{
	int err;

	topo_cleanup_stale();
	err = topo_create(t);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "cannot build the veth/netns topology (%s)", strerror(-err));
		return EXP_SKIP;
	}
	return 0;
}

int netpath_cleanup(void)
{
	int n = topo_cleanup_stale();

	if (n > 0)
		printf("obench cleanup: removed %d stale obench network namespace%s\n", n, n == 1 ? "" : "s");
	return n < 0 ? n : 0;
}
