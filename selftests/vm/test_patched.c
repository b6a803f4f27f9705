// SPDX-License-Identifier: GPL-2.0
/*
 * test_patched: the kernel-patches/ series at work, run as root inside the
 * testbed VM booted with the patched kernel and the obench module loaded
 * (selftests/vm/in_vm_patched.sh):
 *  - kernel.bpf_complexity_limit: default 1M, below 1M refused, 10M taken;
 *  - the module's native fib, registered on an XDP program through
 *    xdp_native_register(), runs wherever that program would
 *    (BPF_PROG_TEST_RUN, and veth's XDP call site: the module counts its
 *    calls), and no longer once unregistered, also while it runs;
 *  - net:netif_rx_driver fires once per frame a veth delivers, for the
 *    receiving device.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "complexity.skel.h"
#include "harness.h"

#define SYSCTL_LIMIT	"/proc/sys/kernel/bpf_complexity_limit"
#define NATIVE_XDP	"/sys/kernel/debug/obench/native_xdp"

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

/* The module's count of native calls, -1 if unreadable. */
static long long native_runs(void)
{
	char buf[128], *p;

	if (read_file(NATIVE_XDP, buf, sizeof(buf)) || !(p = strstr(buf, "runs=")))
		return -1;
	return atoll(p + 5);
}

/* @n runs of @fd through BPF_PROG_TEST_RUN on a 64-byte frame; its XDP action in *@ret. */
static int test_run(int fd, unsigned int n, __u32 *ret)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = n);
	int err = bpf_prog_test_run_opts(fd, &o);

	*ret = o.retval;
	return err ? -errno : 0;
}

/* complexity.bpf.o with only xdp_fib loaded: the placeholder the native fib stands in for. */
static struct complexity_bpf *load_fib(void)
{
	struct complexity_bpf *s = complexity_bpf__open();
	struct bpf_program *p;

	if (!s)
		return NULL;
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, p == s->progs.xdp_fib);
	if (complexity_bpf__load(s)) {
		complexity_bpf__destroy(s);
		return NULL;
	}
	return s;
}

TEST(complexity_limit_is_a_sysctl)
{
	char buf[32];

	ASSERT(!read_file(SYSCTL_LIMIT, buf, sizeof(buf)), "%s: not there (patch 0001 missing?)",
	       SYSCTL_LIMIT);
	EXPECT(atol(buf) == 1000000, "default %ld, want 1000000", atol(buf));
	EXPECT(write_file(SYSCTL_LIMIT, "999999") == -EINVAL, "999999 (below 1M) taken");
	EXPECT(!write_file(SYSCTL_LIMIT, "10000000"), "10M refused");
	EXPECT(!read_file(SYSCTL_LIMIT, buf, sizeof(buf)) && atol(buf) == 10000000,
	       "reads %s after writing 10M", buf);
	write_file(SYSCTL_LIMIT, "1000000");
}

TEST(native_function_runs_at_the_xdp_call_site)
{
	struct complexity_bpf *s;
	long long r0, r1, r2;
	char req[64], buf[128];
	__u32 ret = 0;
	int fd;

	if (access(NATIVE_XDP, F_OK))
		SKIP(return, "%s missing: the module was built without xdp_native_register", NATIVE_XDP);
	s = load_fib();
	ASSERT(s, "open and load xdp_fib of complexity.bpf.o");
	fd = bpf_program__fd(s->progs.xdp_fib);
	snprintf(req, sizeof(req), "fd=%d fn=fib arg=10", fd);
	EXPECT(!write_file(NATIVE_XDP, req), "register: %s", strerror(errno));
	EXPECT(!read_file(NATIVE_XDP, buf, sizeof(buf)) && strstr(buf, "fn=fib"), "reads: %s", buf);
	r0 = native_runs();
	EXPECT(!test_run(fd, 1000, &ret) && ret == 2 /* XDP_PASS */, "test_run: ret %u", ret);
	r1 = native_runs();
	TH_LOG("native calls: %lld before, %lld after 1000 test runs", r0, r1);
	EXPECT(r0 >= 0 && r1 - r0 == 1000, "the native fib ran %lld times, want 1000", r1 - r0);
	EXPECT(!write_file(NATIVE_XDP, "off"), "unregister");
	EXPECT(!test_run(fd, 1000, &ret), "test_run after off");
	r2 = native_runs();
	EXPECT(r2 == r1, "ran %lld times after unregistering", r2 - r1);
	complexity_bpf__destroy(s);
}

/* Registering and unregistering 200 times while another process runs the program. */
TEST(unregister_while_it_runs)
{
	struct complexity_bpf *s;
	char req[64];
	__u32 ret;
	pid_t pid;
	int fd, i, st = 0, fails = 0;

	if (access(NATIVE_XDP, F_OK))
		SKIP(return, "%s missing", NATIVE_XDP);
	s = load_fib();
	ASSERT(s, "open and load xdp_fib of complexity.bpf.o");
	fd = bpf_program__fd(s->progs.xdp_fib);
	snprintf(req, sizeof(req), "fd=%d fn=fib arg=20", fd);
	pid = fork();
	if (pid == 0) {		/* the traffic: test runs until killed */
		for (;;)
			test_run(fd, 10000, &ret);
	}
	ASSERT(pid > 0, "fork");
	for (i = 0; i < 200; i++) {
		fails += !!write_file(NATIVE_XDP, req);
		fails += !!write_file(NATIVE_XDP, "off");
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	TH_LOG("200 register/unregister cycles under test_run traffic: %d writes failed", fails);
	EXPECT(fails == 0, "%d register/unregister writes failed", fails);
	EXPECT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the traffic process died on its own (%#x)", st);
	complexity_bpf__destroy(s);
}

#define TRACING		"/sys/kernel/tracing"
#define TP_ENABLE	TRACING "/events/net/netif_rx_driver/enable"

/* Lines of the trace buffer naming @ifindex. */
static int trace_lines(int ifindex)
{
	char line[512], want[32];
	FILE *f = fopen(TRACING "/trace", "r");
	int n = 0;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "ifindex=%d ", ifindex);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "netif_rx_driver") && strstr(line, want))
			n++;
	fclose(f);
	return n;
}

/* A veth pair @a <-> @b, @net.1 on @a, a static neighbour @net.2 behind it; @b's ifindex. */
static int veth_pair(const char *a, const char *b, const char *net)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name %s && "
		 "ip addr add %s.1/24 dev %s && ip link set %s up && ip link set %s up && "
		 "ip neigh add %s.2 lladdr 02:00:00:00:00:02 dev %s", a, b, net, a, a, b, net, a);
	return system(cmd) ? -1 : (int)if_nametoindex(b);
}

/* @n one-byte UDP datagrams to @net.2 (they cross the pair once each). */
static void send_frames(const char *net, int n)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	char ip[32];
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;

	snprintf(ip, sizeof(ip), "%s.2", net);
	inet_pton(AF_INET, ip, &to.sin_addr);
	for (i = 0; fd >= 0 && i < n; i++)
		sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
	if (fd >= 0)
		close(fd);
	usleep(100000);
}

/* net:netif_rx_driver events for @ifindex while 50 frames go to @net.2; < 0: tracing failed. */
static int rx_driver_events(int ifindex, const char *net)
{
	int err;

	write_file(TRACING "/trace", "");
	err = write_file(TP_ENABLE, "1");
	send_frames(net, 50);
	write_file(TP_ENABLE, "0");
	return err ? -1 : trace_lines(ifindex);
}

TEST(driver_entry_tracepoint_fires_per_frame)
{
	int n, ifindex;

	if (access(TP_ENABLE, F_OK))
		SKIP(return, "%s missing (patch 0003 missing, or no tracefs)", TP_ENABLE);
	ifindex = veth_pair("obtp0", "obtp1", "10.99.0");
	ASSERT(ifindex > 0, "veth pair");
	n = rx_driver_events(ifindex, "10.99.0");
	TH_LOG("net:netif_rx_driver on obtp1 (ifindex %d): %d events for 50 frames", ifindex, n);
	EXPECT(n >= 50, "%d events, want one per frame (50; more: IPv6 chatter)", n);
	system("ip link del obtp0");
}

/*
 * The native fib registered on xdp_fib attached (native mode) to @ifindex
 * (@name): one native call per frame of 50 sent to @net.2.  Returns the calls.
 */
static long long native_calls_at_xdp(int ifindex, const char *name, const char *net)
{
	struct complexity_bpf *s = load_fib();
	long long r0, r1;
	char req[64];
	int fd;

	if (!s)
		return -1;
	fd = bpf_program__fd(s->progs.xdp_fib);
	if (bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL)) {
		complexity_bpf__destroy(s);
		return -2;
	}
	snprintf(req, sizeof(req), "fd=%d fn=fib arg=5", fd);
	r0 = write_file(NATIVE_XDP, req) ? -1 : native_runs();
	send_frames(net, 50);
	r1 = native_runs();
	TH_LOG("native calls at %s's XDP: %lld for 50 frames", name, r0 < 0 ? -1 : r1 - r0);
	write_file(NATIVE_XDP, "off");
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	complexity_bpf__destroy(s);
	return r0 < 0 ? -3 : r1 - r0;
}

/* The same native function at veth's own XDP call site (native mode), per frame. */
TEST(native_function_runs_at_veth_xdp)
{
	long long n;
	int ifindex;

	if (access(NATIVE_XDP, F_OK))
		SKIP(return, "%s missing", NATIVE_XDP);
	ifindex = veth_pair("obnx0", "obnx1", "10.98.0");
	ASSERT(ifindex > 0, "veth pair");
	n = native_calls_at_xdp(ifindex, "obnx1", "10.98.0");
	EXPECT(n >= 50, "the native fib ran %lld times for 50 frames (< 0: load/attach/register failed)", n);
	system("ip link del obnx0");
}

/*
 * testbed/vmrun's two virtio-net NICs share a QEMU hub: eth0 (52:54:00:0b:00:01)
 * sends, eth1 (…:02) receives through virtio_net's receive_buf().  eth0 gets
 * @net.1 and a static neighbour @net.2 at eth1's MAC; eth1's ifindex, or -1
 * when the VM has no such NICs (an older vmrun).
 */
static int virtio_pair(const char *net)
{
	char cmd[256], drv[128] = "";
	ssize_t n = readlink("/sys/class/net/eth1/device/driver", drv, sizeof(drv) - 1);

	if (n <= 0 || !strstr(drv, "virtio_net"))
		return -1;
	snprintf(cmd, sizeof(cmd), "ip addr flush dev eth0 && ip addr add %s.1/24 dev eth0 && "
		 "ip link set eth0 up && ip link set eth1 up && "
		 "ip neigh replace %s.2 lladdr 52:54:00:0b:00:02 dev eth0", net, net);
	return system(cmd) ? -1 : (int)if_nametoindex("eth1");
}

TEST(driver_entry_tracepoint_fires_per_virtio_frame)
{
	int n, ifindex;

	if (access(TP_ENABLE, F_OK))
		SKIP(return, "%s missing (patch 0003 missing, or no tracefs)", TP_ENABLE);
	ifindex = virtio_pair("10.97.0");
	if (ifindex <= 0)
		SKIP(return, "no virtio-net NIC pair in this VM (testbed/vmrun adds two on a hub)");
	usleep(500000);	/* link up, IPv6 autoconf chatter first */
	n = rx_driver_events(ifindex, "10.97.0");
	TH_LOG("net:netif_rx_driver on eth1 (virtio_net, ifindex %d): %d events for 50 frames", ifindex, n);
	EXPECT(n >= 50, "%d events, want one per frame (50; more: IPv6 chatter)", n);
}

/* The native function at virtio_net's XDP call site (receive_small/mergeable), per frame. */
TEST(native_function_runs_at_virtio_xdp)
{
	long long n;
	int ifindex;

	if (access(NATIVE_XDP, F_OK))
		SKIP(return, "%s missing", NATIVE_XDP);
	ifindex = virtio_pair("10.96.0");
	if (ifindex <= 0)
		SKIP(return, "no virtio-net NIC pair in this VM (testbed/vmrun adds two on a hub)");
	n = native_calls_at_xdp(ifindex, "eth1 (virtio_net)", "10.96.0");
	EXPECT(n >= 50, "the native fib ran %lld times for 50 frames (< 0: load/attach/register failed)", n);
}

TEST_HARNESS_MAIN
