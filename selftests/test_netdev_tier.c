// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware tier is claimed only for a physical NIC: netdev_is_physical()
 * says no for virtual interfaces (lo, a veth pair made here) and yes for an
 * interface backed by a device (this machine's default-route NIC, when it
 * has one).  Read-only apart from the veth pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "net/peer.h"

/* The interface of the default route (/proc/net/route), or "" without one. */
static void default_iface(char *buf, size_t len)
{
	char line[256], ifn[64];
	unsigned long dst;
	FILE *f = fopen("/proc/net/route", "r");

	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lx", ifn, &dst) == 2 && dst == 0) {
			snprintf(buf, len, "%s", ifn);
			break;
		}
	if (f)
		fclose(f);
}

TEST(loopback_is_not_hardware)
{
	EXPECT(!netdev_is_physical("lo"), "lo taken for a NIC");
	EXPECT(!netdev_is_physical("obench-no-such-if"), "a missing interface taken for a NIC");
}

TEST(veth_is_not_hardware)
{
	if (geteuid())
		SKIP(return, "needs root to make a veth pair");
	ASSERT(!system("ip link add obtier0 type veth peer name obtier1"), "ip link add veth");
	EXPECT(!netdev_is_physical("obtier0"), "a veth end taken for a NIC");
	system("ip link del obtier0");
}

TEST(a_device_backed_nic_is_hardware)
{
	char ifn[64], path[128];

	default_iface(ifn, sizeof(ifn));
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", ifn);
	if (!ifn[0] || access(path, F_OK))
		SKIP(return, "no device-backed default-route interface on this machine");
	EXPECT(netdev_is_physical(ifn), "%s (with a device) not taken for a NIC", ifn);
}

TEST_HARNESS_MAIN
