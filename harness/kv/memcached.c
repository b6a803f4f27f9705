// SPDX-License-Identifier: GPL-2.0
#include "kv/memcached.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "core/clock.h"
#include "core/netns.h"
#include "core/spawn.h"
#include "core/obench.h"
#include "kv/mc_proto.h"
#include "net/netpath.h"

#define MC_IO_MAX	8192

bool memcached_available(void)
{
	const char *path = getenv("PATH");
	char buf[512], *dirs, *d, *save = NULL;
	bool found = false;

	dirs = strdup(path ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/memcached", d);
		found = access(buf, X_OK) == 0;
	}
	free(dirs);
	return found;
}

int memcached_check(struct exp_env *env)
{
	if (memcached_available())
		return 0;
	snprintf(env->skip_reason, sizeof(env->skip_reason),
		 "memcached is not installed (apt-get install memcached)");
	return EXP_SKIP;
}

int memcached_topology(struct exp_env *env, struct topo *t)
{
	int err = memcached_check(env);

	return err ? err : netpath_topo_create(env, t);
}

static int connect_to(int fd, struct in_addr addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr = addr };

	return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads from @fd until @buf ends with @end (or holds a whole get reply); the length or -errno. */
static int recv_until(int fd, char *buf, size_t cap, const char *end, bool get_reply)
{
	size_t len = 0, el = strlen(end);

	while (len < cap - 1) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		struct mc_value v;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? (errno == EAGAIN ? -ETIMEDOUT : -errno) : -ECONNRESET;
		len += (size_t)n;
		buf[len] = 0;
		if (get_reply) {
			int r = mc_parse_get_reply(buf, len, &v);

			if (r != 0)
				return r > 0 ? (int)len : -EPROTO;
		} else if (len >= el && !memcmp(buf + len - el, end, el)) {
			return (int)len;
		}
	}
	return -ENOBUFS;
}

static bool answers(int nsfd, struct in_addr addr, uint16_t port)
{
	int fd = netns_socket(nsfd, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), n = -1;
	char buf[128];

	if (fd < 0)
		return false;
	set_timeout(fd, 500);
	if (!connect_to(fd, addr, port) && !send_all(fd, "version\r\n", 9))
		n = recv_until(fd, buf, sizeof(buf), "\r\n", false);
	close(fd);
	return n > 0 && !strncmp(buf, "VERSION ", 8);
}

int memcached_start_on(struct memcached *mc, int nsfd, struct in_addr addr,
		       uint16_t tcp_port, uint16_t udp_port, int threads, int cpu)
{
	struct spawn_opts o = SPAWN_OPTS;
	char a[INET_ADDRSTRLEN], p[8], u[8], t[8];
	char *argv[] = { "memcached", "-l", a, "-p", p, "-U", u, "-t", t,
			 "-u", "root", "-m", "64", "-B", "ascii", NULL };
	double deadline;
	pid_t pid;

	memset(mc, 0, sizeof(*mc));
	mc->nsfd = nsfd;
	mc->addr = addr;
	mc->tcp_port = tcp_port;
	mc->udp_port = udp_port;
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	snprintf(p, sizeof(p), "%u", tcp_port);
	snprintf(u, sizeof(u), "%u", udp_port);
	snprintf(t, sizeof(t), "%d", threads > 0 ? threads : 1);
	/* pinned before exec: every thread memcached starts inherits the CPU */
	o.netns_fd = nsfd;
	o.cpu = cpu;
	pid = spawn_exec(&o, argv, NULL);
	if (pid < 0)
		return pid;
	mc->pid = pid;
	for (deadline = mono_s() + 5; mono_s() < deadline; usleep(20000)) {
		if (spawn_exited(pid)) {
			mc->pid = 0;
			fprintf(stderr, "memcached: exited at start (port in use, or its namespace "
				"or CPU could not be entered)\n");
			return -ECHILD;
		}
		if (answers(nsfd, addr, tcp_port))
			return 0;
	}
	memcached_stop(mc);
	return -ETIMEDOUT;
}

int memcached_start(struct memcached *mc, int nsfd, struct in_addr addr,
		    uint16_t tcp_port, uint16_t udp_port, int threads)
{
	return memcached_start_on(mc, nsfd, addr, tcp_port, udp_port, threads, -1);
}

void memcached_stop(struct memcached *mc)
{
	spawn_stop(mc->pid, 2000);
	mc->pid = 0;
}

int mc_client_open(struct mc_client *c, int nsfd, struct in_addr addr,
		   uint16_t tcp_port, uint16_t udp_port)
{
	int err;

	c->timeout_ms = 2000;
	c->next_id = 1;
	c->tcp = netns_socket(nsfd, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c->udp = netns_socket(nsfd, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->tcp < 0 || c->udp < 0) {
		err = c->tcp < 0 ? c->tcp : c->udp;
		goto fail;
	}
	set_timeout(c->tcp, c->timeout_ms);
	set_timeout(c->udp, c->timeout_ms);
	err = connect_to(c->tcp, addr, tcp_port);
	if (!err)
		err = connect_to(c->udp, addr, udp_port);
	if (!err)
		return 0;
fail:
	mc_client_close(c);
	return err;
}

void mc_client_close(struct mc_client *c)
{
	if (c->tcp >= 0)
		close(c->tcp);
	if (c->udp >= 0)
		close(c->udp);
	c->tcp = c->udp = -1;
}

/* Sends @req over TCP, reads one "\r\n"-terminated answer line. */
static int tcp_command(struct mc_client *c, const char *req, size_t len, char *line, size_t cap)
{
	int err = send_all(c->tcp, req, len);

	return err ? err : recv_until(c->tcp, line, cap, "\r\n", false);
}

/* Sends a UDP request, returns the reply datagram with the same request id. */
static int udp_exchange(struct mc_client *c, const char *req, size_t len, uint16_t id,
			void *buf, size_t cap)
{
	struct mc_udp_hdr h;
	ssize_t n;

	if (send(c->udp, req, len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(c->udp, buf, cap, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (!mc_udp_hdr_get(buf, (size_t)n, &h) && h.req_id == id)
			return (int)n;
		/* a late answer to an earlier request: drop it */
	}
}

static int store_answer(const char *line)
{
	if (!strcmp(line, "STORED\r\n") || !strcmp(line, "DELETED\r\n"))
		return 0;
	return !strcmp(line, "NOT_FOUND\r\n") ? 1 : -EPROTO;
}

int mc_set_tcp(struct mc_client *c, const char *key, uint32_t flags,
	       const void *value, size_t vlen)
{
	char *req = malloc(vlen + 512), line[256];
	int n, err;

	if (!req)
		return -ENOMEM;
	n = mc_build_set(req, vlen + 512, false, 0, key, flags, 0, value, vlen);
	err = n < 0 ? -EINVAL : tcp_command(c, req, (size_t)n, line, sizeof(line));
	free(req);
	return err < 0 ? err : store_answer(line);
}

int mc_delete_tcp(struct mc_client *c, const char *key)
{
	char req[300], line[256];
	int n = mc_build_delete(req, sizeof(req), false, 0, key), err;

	err = n < 0 ? -EINVAL : tcp_command(c, req, (size_t)n, line, sizeof(line));
	return err < 0 ? err : store_answer(line);
}

static int udp_store(struct mc_client *c, const char *req, int n, uint16_t id)
{
	char buf[512];
	int len;

	if (n < 0)
		return -EINVAL;
	len = udp_exchange(c, req, (size_t)n, id, buf, sizeof(buf) - 1);
	if (len < 0)
		return len;
	buf[len] = 0;
	return len < MC_UDP_HDR ? -EPROTO : store_answer(buf + MC_UDP_HDR);
}

int mc_set_udp(struct mc_client *c, const char *key, uint32_t flags,
	       const void *value, size_t vlen)
{
	char req[MC_UDP_MAX];
	uint16_t id = c->next_id++;

	return udp_store(c, req, mc_build_set(req, sizeof(req), true, id, key, flags, 0,
					      value, vlen), id);
}

int mc_delete_udp(struct mc_client *c, const char *key)
{
	char req[300];
	uint16_t id = c->next_id++;

	return udp_store(c, req, mc_build_delete(req, sizeof(req), true, id, key), id);
}

int mc_get_udp(struct mc_client *c, const char *key, void *buf, size_t cap)
{
	char req[300];
	uint16_t id = c->next_id++;
	int n = mc_build_get(req, sizeof(req), true, id, key);

	return n < 0 ? -EINVAL : udp_exchange(c, req, (size_t)n, id, buf, cap);
}

int mc_get_tcp(struct mc_client *c, const char *key, void *buf, size_t cap)
{
	char req[300];
	int n = mc_build_get(req, sizeof(req), false, 0, key), err;

	if (n < 0 || cap < 2)
		return -EINVAL;
	err = send_all(c->tcp, req, (size_t)n);
	return err ? err : recv_until(c->tcp, buf, cap, "", true);
}

int mc_stat(struct mc_client *c, const char *name, uint64_t *val)
{
	char *buf = malloc(MC_IO_MAX), pat[96], *p;
	int n, err = -ENOENT;

	if (!buf)
		return -ENOMEM;
	n = send_all(c->tcp, "stats\r\n", 7);
	if (!n)
		n = recv_until(c->tcp, buf, MC_IO_MAX, "END\r\n", false);
	if (n < 0) {
		free(buf);
		return n;
	}
	snprintf(pat, sizeof(pat), "STAT %s ", name);
	p = strstr(buf, pat);
	if (p) {
		*val = strtoull(p + strlen(pat), NULL, 10);
		err = 0;
	}
	free(buf);
	return err;
}
