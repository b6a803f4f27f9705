// SPDX-License-Identifier: GPL-2.0
/*
 * The veth/netns topology, built through rtnetlink (libnl-route-3).
 *
 * Named namespaces follow iproute2's convention so `ip netns` sees them: a
 * thread unshares its network namespace and bind-mounts
 * /proc/thread-self/ns/net onto /run/netns/NAME (a shared mount point).
 * Netlink sockets belong to the namespace of the thread that opened them, so
 * each side is configured through a socket opened after a setns() there.
 */
#include "net/topology.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>

#define NETNS_DIR	"/run/netns"
#define NS_PREFIX	"obench-"

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_PERM: return -EPERM;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_BUSY: return -EBUSY;
	case NLE_INVAL: return -EINVAL;
	case NLE_NODEV: return -ENODEV;
	default: return -EIO;
	}
}

/* /run/netns as a shared mount point, as iproute2 makes it. */
static int netns_dir_ready(void)
{
	if (mkdir(NETNS_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL))
		return -errno;
	return mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) ? -errno : 0;
}

struct ns_create_arg {
	const char *path;
	int fd;
	int err;
};

/* Runs in its own thread: unshare() there leaves the caller's namespace alone. */
static void *ns_create_thread(void *p)
{
	struct ns_create_arg *a = p;

	if (unshare(CLONE_NEWNET)) {
		a->err = -errno;
		return NULL;
	}
	if (mount("/proc/thread-self/ns/net", a->path, "none", MS_BIND, NULL)) {
		a->err = -errno;
		return NULL;
	}
	a->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	a->err = a->fd < 0 ? -errno : 0;
	return NULL;
}

static void netns_delete(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

static int netns_create(const char *name, int *fd)
{
	struct ns_create_arg a = { .fd = -1 };
	char path[128];
	pthread_t th;
	int err;

	err = netns_dir_ready();
	if (err)
		return err;
	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	err = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (err < 0)
		return -errno;
	close(err);
	a.path = path;
	err = pthread_create(&th, NULL, ns_create_thread, &a);
	if (err) {
		unlink(path);
		return -err;
	}
	pthread_join(th, NULL);
	if (a.err) {
		netns_delete(name);
		return a.err;
	}
	*fd = a.fd;
	return 0;
}

/* A route netlink socket inside the namespace @nsfd (-1: the caller's). */
static struct nl_sock *nl_open_in(int nsfd, int orig_nsfd)
{
	struct nl_sock *sk;

	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET))
		return NULL;
	sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	if (nsfd >= 0 && setns(orig_nsfd, CLONE_NEWNET)) {
		/* cannot return to where we were: nothing else is safe */
		perror("obench: setns back to the original namespace");
		abort();
	}
	return sk;
}

static int link_up(struct nl_sock *sk, const char *name, int *ifindex)
{
	struct rtnl_link *cur, *chg;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &cur);
	if (err)
		return nl_to_errno(err);
	chg = rtnl_link_alloc();
	if (!chg) {
		rtnl_link_put(cur);
		return -ENOMEM;
	}
	rtnl_link_set_flags(chg, IFF_UP);
	err = rtnl_link_change(sk, cur, chg, 0);
	if (ifindex)
		*ifindex = rtnl_link_get_ifindex(cur);
	rtnl_link_put(chg);
	rtnl_link_put(cur);
	return err ? nl_to_errno(err) : 0;
}

static int addr_add(struct nl_sock *sk, int ifindex, struct in_addr ip)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local;
	int err;

	if (!a)
		return -ENOMEM;
	local = nl_addr_build(AF_INET, &ip, sizeof(ip));
	if (!local) {
		rtnl_addr_put(a);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(local, 24);
	rtnl_addr_set_ifindex(a, ifindex);
	err = rtnl_addr_set_local(a, local);
	if (!err)
		err = rtnl_addr_add(sk, a, 0);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return err ? nl_to_errno(err) : 0;
}

/* A permanent neighbour entry: no ARP exchange, no re-probe in the middle of a measurement. */
static int neigh_add(struct nl_sock *sk, int ifindex, struct in_addr ip, const unsigned char *mac)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst, *ll;
	int err = -ENOMEM;

	if (!n)
		return -ENOMEM;
	dst = nl_addr_build(AF_INET, &ip, sizeof(ip));
	ll = nl_addr_build(AF_LLC, mac, 6);
	if (dst && ll) {
		rtnl_neigh_set_ifindex(n, ifindex);
		rtnl_neigh_set_dst(n, dst);
		rtnl_neigh_set_lladdr(n, ll);
		rtnl_neigh_set_state(n, NUD_PERMANENT);
		err = rtnl_neigh_add(sk, n, NLM_F_CREATE | NLM_F_REPLACE);
		err = err ? nl_to_errno(err) : 0;
	}
	if (dst)
		nl_addr_put(dst);
	if (ll)
		nl_addr_put(ll);
	rtnl_neigh_put(n);
	return err;
}

static int veth_create(struct nl_sock *sk, struct topo *t)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	struct nl_addr *smac, *cmac;
	int err;

	if (!link)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(link);
	smac = nl_addr_build(AF_LLC, t->server.mac, 6);
	cmac = nl_addr_build(AF_LLC, t->client.mac, 6);
	rtnl_link_set_name(link, t->server.ifname);
	rtnl_link_set_addr(link, smac);
	rtnl_link_set_name(peer, t->client.ifname);
	rtnl_link_set_addr(peer, cmac);
	rtnl_link_set_ns_fd(peer, t->client.nsfd);
	err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	nl_addr_put(smac);
	nl_addr_put(cmac);
	rtnl_link_put(peer);
	rtnl_link_veth_release(link);
	return err ? nl_to_errno(err) : 0;
}

/* Addresses, neighbour, links up: one side, through a socket in its namespace. */
static int side_configure(struct topo *t, struct topo_end *me, const struct topo_end *other)
{
	struct nl_sock *sk = nl_open_in(me->nsfd, t->orig_nsfd);
	int err;

	if (!sk)
		return -errno ? -errno : -EIO;
	err = link_up(sk, "lo", NULL);
	if (!err)
		err = link_up(sk, me->ifname, &me->ifindex);
	if (!err)
		err = addr_add(sk, me->ifindex, me->addr);
	if (!err)
		err = neigh_add(sk, me->ifindex, other->addr, other->mac);
	nl_socket_free(sk);
	return err;
}

static void end_init(struct topo_end *e)
{
	memset(e, 0, sizeof(*e));
	e->nsfd = -1;
}

int topo_create(struct topo *t)
{
	unsigned int pid = (unsigned int)getpid();
	struct nl_sock *sk;
	int err;

	memset(t, 0, sizeof(*t));
	end_init(&t->server);
	end_init(&t->client);
	t->orig_nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (t->orig_nsfd < 0)
		return -errno;
	snprintf(t->server.netns, sizeof(t->server.netns), NS_PREFIX "%u-srv", pid);
	snprintf(t->client.netns, sizeof(t->client.netns), NS_PREFIX "%u-cli", pid);
	snprintf(t->server.ifname, sizeof(t->server.ifname), "ob%us", pid);
	snprintf(t->client.ifname, sizeof(t->client.ifname), "ob%uc", pid);
	/* 10.77.<pid & 0xff>.1 / .2, locally administered MACs 02:0b:<pid>:01 / :02 */
	t->server.addr.s_addr = htonl(0x0a4d0000u | (pid & 0xff) << 8 | 1);
	t->client.addr.s_addr = htonl(0x0a4d0000u | (pid & 0xff) << 8 | 2);
	memcpy(t->server.mac, (unsigned char[6]){ 0x02, 0x0b, pid >> 16, pid >> 8, pid, 1 }, 6);
	memcpy(t->client.mac, (unsigned char[6]){ 0x02, 0x0b, pid >> 16, pid >> 8, pid, 2 }, 6);

	err = netns_create(t->server.netns, &t->server.nsfd);
	if (err)
		goto fail;
	err = netns_create(t->client.netns, &t->client.nsfd);
	if (err)
		goto fail;
	sk = nl_open_in(t->server.nsfd, t->orig_nsfd);
	if (!sk) {
		err = -EIO;
		goto fail;
	}
	err = veth_create(sk, t);
	nl_socket_free(sk);
	if (err)
		goto fail;
	err = side_configure(t, &t->server, &t->client);
	if (!err)
		err = side_configure(t, &t->client, &t->server);
	if (err)
		goto fail;
	return 0;
fail:
	topo_destroy(t);
	return err;
}

/* "IP[,MAC]" */
static int parse_peer(const char *peer, struct topo_end *e)
{
	char ip[64];
	const char *comma = strchr(peer, ',');
	size_t n = comma ? (size_t)(comma - peer) : strlen(peer);
	unsigned int m[6];
	int i;

	if (n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, peer, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, &e->addr) != 1)
		return -EINVAL;
	if (!comma)
		return 0;
	if (sscanf(comma + 1, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		e->mac[i] = (unsigned char)m[i];
	return 0;
}

/*
 * Hardware tier (thin path): the server side is @ifname in the current
 * namespace with its own IPv4 address; the client is a remote host.  Nothing
 * is created, so topo_destroy() leaves the interface alone.
 */
int topo_create_iface(struct topo *t, const char *ifname, const char *peer)
{
	struct ifaddrs *ifa, *i;
	int err;

	memset(t, 0, sizeof(*t));
	end_init(&t->server);
	end_init(&t->client);
	t->hardware = true;
	t->orig_nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (t->orig_nsfd < 0)
		return -errno;
	snprintf(t->server.ifname, sizeof(t->server.ifname), "%s", ifname);
	t->server.ifindex = (int)if_nametoindex(ifname);
	if (!t->server.ifindex) {
		err = -ENODEV;
		goto fail;
	}
	if (getifaddrs(&ifa)) {
		err = -errno;
		goto fail;
	}
	err = -EADDRNOTAVAIL;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, ifname)) {
			t->server.addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			err = 0;
			break;
		}
	freeifaddrs(ifa);
	if (!err)
		err = parse_peer(peer, &t->client);
	if (!err)
		return 0;
fail:
	close(t->orig_nsfd);
	t->orig_nsfd = -1;
	return err;
}

int topo_enter(const struct topo *t, enum topo_side side)
{
	const struct topo_end *e = side == TOPO_SERVER ? &t->server : &t->client;

	if (e->nsfd < 0)
		return t->hardware && side == TOPO_SERVER ? 0 : -EOPNOTSUPP;
	return setns(e->nsfd, CLONE_NEWNET) ? -errno : 0;
}

int topo_leave(const struct topo *t)
{
	return setns(t->orig_nsfd, CLONE_NEWNET) ? -errno : 0;
}

int topo_socket(const struct topo *t, enum topo_side side, int domain, int type)
{
	int fd, err;

	err = topo_enter(t, side);
	if (err)
		return err;
	fd = socket(domain, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = -errno;
	if (topo_leave(t)) {
		perror("obench: setns back to the original namespace");
		abort();
	}
	return fd;
}

/* Deletes link @name in the namespace @nsfd (its veth peer goes with it). */
static void link_delete(int nsfd, int orig_nsfd, const char *name)
{
	struct nl_sock *sk = nl_open_in(nsfd, orig_nsfd);
	struct rtnl_link *l;

	if (!sk)
		return;
	if (rtnl_link_get_kernel(sk, 0, name, &l) == 0) {
		rtnl_link_delete(sk, l);
		rtnl_link_put(l);
	}
	nl_socket_free(sk);
}

void topo_destroy(struct topo *t)
{
	if (t->hardware) {
		if (t->orig_nsfd >= 0)
			close(t->orig_nsfd);
		t->orig_nsfd = -1;
		return;
	}
	/*
	 * Delete the veth explicitly: unregistering it detaches its XDP/TC
	 * programs now, whereas a namespace is dismantled asynchronously.
	 */
	if (t->server.nsfd >= 0 && t->server.ifname[0])
		link_delete(t->server.nsfd, t->orig_nsfd, t->server.ifname);
	if (t->server.nsfd >= 0)
		close(t->server.nsfd);
	if (t->client.nsfd >= 0)
		close(t->client.nsfd);
	t->server.nsfd = t->client.nsfd = -1;
	if (t->server.netns[0])
		netns_delete(t->server.netns);
	if (t->client.netns[0])
		netns_delete(t->client.netns);
	if (t->orig_nsfd > 0)
		close(t->orig_nsfd);
	t->orig_nsfd = -1;
}

/* The creator of obench-<pid>-... is gone (or @force). */
static bool is_stale(const char *name, bool force, unsigned int *pid)
{
	char role[16];

	if (sscanf(name, NS_PREFIX "%u-%15s", pid, role) != 2)
		return false;
	if (force)
		return true;
	/* PID reuse by an unrelated process keeps a namespace until --force-style cleanup */
	return kill((pid_t)*pid, 0) && errno == ESRCH;
}

/* Deletes every link named ob<pid>s/ob<pid>c in the namespace @nsfd. */
static void delete_obench_links(int nsfd, int orig_nsfd, unsigned int pid)
{
	char s[16], c[16];

	snprintf(s, sizeof(s), "ob%us", pid);
	snprintf(c, sizeof(c), "ob%uc", pid);
	link_delete(nsfd, orig_nsfd, s);
	link_delete(nsfd, orig_nsfd, c);
}

int topo_cleanup(bool force)
{
	int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	unsigned int pid;
	struct dirent *de;
	int removed = 0;
	DIR *d;

	if (orig < 0)
		return -errno;
	d = opendir(NETNS_DIR);
	while (d && (de = readdir(d))) {
		char path[300];
		int fd;

		if (strncmp(de->d_name, NS_PREFIX, strlen(NS_PREFIX)) ||
		    !is_stale(de->d_name, force, &pid))
			continue;
		snprintf(path, sizeof(path), NETNS_DIR "/%s", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			delete_obench_links(fd, orig, pid);
			close(fd);
		}
		netns_delete(de->d_name);
		removed++;
	}
	if (d)
		closedir(d);
	close(orig);
	return removed;
}

int topo_cleanup_stale(void)
{
	return topo_cleanup(false);
}
