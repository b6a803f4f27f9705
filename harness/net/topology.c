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

#include "core/netns.h"

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
static int named_netns_dir_ready(void)
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

static void named_netns_delete(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), NETNS_DIR "/%s", name);
	umount2(path, MNT_DETACH);
	unlink(path);
}

static int named_netns_create(const char *name, int *fd)
{
	struct ns_create_arg a = { .fd = -1 };
	char path[128];
	pthread_t th;
	int err;

	err = named_netns_dir_ready();
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
		named_netns_delete(name);
		return a.err;
	}
	*fd = a.fd;
	return 0;
}

/* A route netlink socket inside the namespace @nsfd (-1: the caller's). */
static struct nl_sock *nl_open_in(int nsfd)
{
	struct nl_sock *sk;
	int saved, err;

	err = netns_enter(nsfd, &saved);
	if (err) {
		errno = -err;
		return NULL;
	}
	sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE)) {
		nl_socket_free(sk);
		sk = NULL;
	}
	/* a thread that cannot return to where it was can do nothing else safely */
	if (netns_leave(&saved))
		abort();
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
static int side_configure(struct topo_end *me, const struct topo_end *other)
{
	struct nl_sock *sk = nl_open_in(me->nsfd);
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

/* Empty ends, and the namespace obench started in (topo_leave's destination). */
static int topo_init(struct topo *t)
{
	memset(t, 0, sizeof(*t));
	t->server.nsfd = t->client.nsfd = -1;
	t->orig_nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return t->orig_nsfd < 0 ? -errno : 0;
}

/* Names, addresses and MACs from @pid: concurrent runs never share a namespace or link name. */
static void topo_name(struct topo *t, unsigned int pid)
{
	snprintf(t->server.netns, sizeof(t->server.netns), NS_PREFIX "%u-srv", pid);
	snprintf(t->client.netns, sizeof(t->client.netns), NS_PREFIX "%u-cli", pid);
	snprintf(t->server.ifname, sizeof(t->server.ifname), "ob%us", pid);
	snprintf(t->client.ifname, sizeof(t->client.ifname), "ob%uc", pid);
	/* 10.77.<pid & 0xff>.1 / .2, locally administered MACs 02:0b:<pid>:01 / :02 */
	t->server.addr.s_addr = htonl(0x0a4d0000u | (pid & 0xff) << 8 | 1);
	t->client.addr.s_addr = htonl(0x0a4d0000u | (pid & 0xff) << 8 | 2);
	memcpy(t->server.mac, (unsigned char[6]){ 0x02, 0x0b, pid >> 16, pid >> 8, pid, 1 }, 6);
	memcpy(t->client.mac, (unsigned char[6]){ 0x02, 0x0b, pid >> 16, pid >> 8, pid, 2 }, 6);
}

int topo_create(struct topo *t)
{
	struct nl_sock *sk;
	int err;

	err = topo_init(t);
	if (err)
		return err;
	topo_name(t, (unsigned int)getpid());
	err = named_netns_create(t->server.netns, &t->server.nsfd);
	if (err)
		goto fail;
	err = named_netns_create(t->client.netns, &t->client.nsfd);
	if (err)
		goto fail;
	sk = nl_open_in(t->server.nsfd);
	if (!sk) {
		err = -EIO;
		goto fail;
	}
	err = veth_create(sk, t);
	nl_socket_free(sk);
	if (err)
		goto fail;
	err = side_configure(&t->server, &t->client);
	if (!err)
		err = side_configure(&t->client, &t->server);
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

/* The first IPv4 address of @ifname. */
static int iface_addr(const char *ifname, struct in_addr *addr)
{
	struct ifaddrs *ifa, *i;
	int err = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, ifname)) {
			*addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
			err = 0;
			break;
		}
	freeifaddrs(ifa);
	return err;
}

/*
 * Hardware tier (thin path): the server side is @ifname in the current
 * namespace with its own IPv4 address; the client is a remote host.  Nothing
 * is created, so topo_destroy() leaves the interface alone.
 */
int topo_create_iface(struct topo *t, const char *ifname, const char *peer)
{
	int err;

	err = topo_init(t);
	if (err)
		return err;
	t->hardware = true;
	snprintf(t->server.ifname, sizeof(t->server.ifname), "%s", ifname);
	t->server.ifindex = (int)if_nametoindex(ifname);
	err = t->server.ifindex ? iface_addr(ifname, &t->server.addr) : -ENODEV;
	if (!err)
		err = parse_peer(peer, &t->client);
	if (!err)
		return 0;
	close(t->orig_nsfd);
	t->orig_nsfd = -1;
	return err;
}

/*
 * The namespace fd of @side in *@nsfd: -1 for the hardware tier's server,
 * which is the caller's own namespace; its client is a remote host.
 */
static int side_nsfd(const struct topo *t, enum topo_side side, int *nsfd)
{
	const struct topo_end *e = topo_end_of(t, side);

	*nsfd = e->nsfd;
	if (e->nsfd < 0 && !(t->hardware && side == TOPO_SERVER))
		return -EOPNOTSUPP;
	return 0;
}

int topo_nsfd(const struct topo *t, enum topo_side side)
{
	int nsfd, err = side_nsfd(t, side, &nsfd);

	return err ? err : nsfd;
}

int topo_enter(const struct topo *t, enum topo_side side)
{
	int nsfd, saved, err;

	err = side_nsfd(t, side, &nsfd);
	if (err)
		return err;
	err = netns_enter(nsfd, &saved);
	/* topo_leave() goes back to t->orig_nsfd, not to where this thread was */
	if (saved >= 0)
		close(saved);
	return err;
}

int topo_leave(const struct topo *t)
{
	int orig = fcntl(t->orig_nsfd, F_DUPFD_CLOEXEC, 0);

	if (orig < 0)
		return -errno;
	return netns_leave(&orig);
}

int topo_run_in(const struct topo *t, enum topo_side side, int (*fn)(void *arg), void *arg)
{
	int nsfd, saved, err, ret;

	err = side_nsfd(t, side, &nsfd);
	if (!err)
		err = netns_enter(nsfd, &saved);
	if (err)
		return err;
	ret = fn(arg);
	/* a thread that cannot return to where it was can do nothing else safely */
	if (netns_leave(&saved))
		abort();
	return ret;
}

int topo_socket(const struct topo *t, enum topo_side side, int domain, int type)
{
	int nsfd, err = side_nsfd(t, side, &nsfd);

	return err ? err : netns_socket(nsfd, domain, type | SOCK_CLOEXEC, 0);
}

/* Deletes link @name in the namespace @nsfd (its veth peer goes with it). */
static void link_delete(int nsfd, const char *name)
{
	struct nl_sock *sk = nl_open_in(nsfd);
	struct rtnl_link *l;

	if (!sk)
		return;
	if (rtnl_link_get_kernel(sk, 0, name, &l) == 0) {
		rtnl_link_delete(sk, l);
		rtnl_link_put(l);
	}
	nl_socket_free(sk);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void topo_destroy(struct topo *t)
{
	if (!t->hardware) {
		/*
		 * Delete the veth explicitly: unregistering it detaches its
		 * XDP/TC programs now, whereas a namespace is dismantled
		 * asynchronously.
		 */
		if (t->server.nsfd >= 0 && t->server.ifname[0])
			link_delete(t->server.nsfd, t->server.ifname);
		close_fd(&t->server.nsfd);
		close_fd(&t->client.nsfd);
		if (t->server.netns[0])
			named_netns_delete(t->server.netns);
		if (t->client.netns[0])
			named_netns_delete(t->client.netns);
	}
	/* > 0: a zeroed struct topo must not close stdin */
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
static void delete_obench_links(int nsfd, unsigned int pid)
{
	char s[16], c[16];

	snprintf(s, sizeof(s), "ob%us", pid);
	snprintf(c, sizeof(c), "ob%uc", pid);
	link_delete(nsfd, s);
	link_delete(nsfd, c);
}

int topo_cleanup(bool force)
{
	unsigned int pid;
	struct dirent *de;
	int removed = 0;
	DIR *d;

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
			delete_obench_links(fd, pid);
			close(fd);
		}
		named_netns_delete(de->d_name);
		removed++;
	}
	if (d)
		closedir(d);
	return removed;
}

int topo_cleanup_stale(void)
{
	return topo_cleanup(false);
}
