// SPDX-License-Identifier: GPL-2.0
/*
 * Two-host mode, DUT side: the server side on --iface, the session to the
 * peer, and the tier that follows (hardware only behind a physical NIC).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "core/obench.h"
#include "core/testbed.h"
#include "net/net_opts.h"
#include "net/netpath.h"
#include "net/peer.h"
#include "net/topology.h"

bool netdev_is_physical(const char *ifname)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifname);
	return !access(path, F_OK);
}

/* The first line of /sys/class/net/@ifname/@attr, or "?". */
static void netdev_attr(const char *ifname, const char *attr, char *buf, size_t len)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	snprintf(buf, len, "?");
	f = fopen(path, "r");
	if (f && fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

static void uname_answer(const char *line, void *ctx)
{
	if (!strncmp(line, "uname ", 6))
		snprintf(ctx, 96, "%s", line + 6);
}

void peer_hardware_tier(struct exp_env *env, const struct topo *t, struct peer *p)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	char speed[32], peer_kernel[96] = "not asked (no --peer-ssh)", err[64];
	const char *ifname = t->server.ifname;
	struct ifreq ifr = { 0 };
	struct dirent *de;
	int fd, rxq = 0;
	DIR *d;

	if (!t->hardware || !netdev_is_physical(ifname))
		return;
	env->tier = TIER_HARDWARE;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr))
		snprintf(di.driver, sizeof(di.driver), "?");
	if (fd >= 0)
		close(fd);
	netdev_attr(ifname, "speed", speed, sizeof(speed));
	snprintf(err, sizeof(err), "/sys/class/net/%s/queues", ifname);
	d = opendir(err);
	while (d && (de = readdir(d)))
		rxq += !strncmp(de->d_name, "rx-", 3);
	if (d)
		closedir(d);
	if (p && peer_call(p, "uname\n", uname_answer, peer_kernel, err, sizeof(err)))
		snprintf(peer_kernel, sizeof(peer_kernel), "unknown (%s)", err);
	snprintf(env->hardware, sizeof(env->hardware), "%s: driver %s, firmware %s, bus %s, %d rx "
		 "queues, link %s Mbit/s; peer kernel %s", ifname, di.driver,
		 di.fw_version[0] ? di.fw_version : "?", di.bus_info[0] ? di.bus_info : "?", rxq, speed,
		 peer_kernel);
}

int peer_topology(struct exp_env *env, const struct net_remote *r, struct topo *t,
		  struct peer *p, bool *remote)
{
	struct peer_addr a = { r->peer_ssh, r->ssh_config, r->peer_obench };
	int err;

	*remote = false;
	err = topo_create_iface(t, r->iface, r->peer);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "cannot use --iface %s: %s",
			 r->iface, strerror(-err));
		return err;
	}
	if (!r->peer_ssh) {
		peer_hardware_tier(env, t, NULL);
		return 0;
	}
	if (peer_open(p, &a, env->skip_reason, sizeof(env->skip_reason))) {
		topo_destroy(t);
		return -EHOSTUNREACH;
	}
	*remote = true;
	peer_hardware_tier(env, t, p);
	return 0;
}

int peer_load_topology(struct exp_env *env, const struct net_remote *r, struct topo *t,
		       struct peer *p, bool *up, bool *remote, const char *load)
{
	int err;

	*remote = false;
	if (!r->iface) {
		err = netpath_topo_create(env, t);
		*up = !err;
		return err;
	}
	err = peer_topology(env, r, t, p, remote);
	*up = !err;	/* an unusable peer: peer_topology() destroyed @t */
	if (err)
		return err == -EHOSTUNREACH ? EXP_SKIP : err;
	if (!*remote) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "hardware tier: the server side "
			 "is on %s; pass --peer-ssh to run %s on the peer host", r->iface, load);
		return EXP_SKIP;
	}
	return 0;
}
