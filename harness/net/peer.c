// SPDX-License-Identifier: GPL-2.0
/* Two-host mode, DUT side: the ssh session to `obench peer-agent` (see peer.h). */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "core/obench.h"
#include "core/spawn.h"
#include "core/testbed.h"
#include "net/net_opts.h"
#include "net/peer.h"
#include "net/topology.h"

#ifndef OBENCH_GIT_REV
#define OBENCH_GIT_REV "unknown"
#endif

#define HELLO_MS	15000	/* ssh connect (ConnectTimeout 5) + agent start */
#define QUIET_MS	10000	/* the agent says "alive" every second while it works */

/* One object holds the revision both ends compare, so a build is always equal to itself. */
const char *peer_version(void)
{
	return OBENCH_GIT_REV;
}

int peer_readline(struct peer_lines *l, char *line, size_t cap, int timeout_ms)
{
	int waited = 0;

	for (;;) {
		char *nl = memchr(l->buf, '\n', l->len);
		struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t k = (size_t)(nl - l->buf);

			snprintf(line, cap, "%.*s", (int)k, l->buf);
			memmove(l->buf, nl + 1, l->len - k - 1);
			l->len -= k + 1;
			return 0;
		}
		if (l->len == sizeof(l->buf))
			l->len = 0;	/* an absurd line: drop it */
		if (obench_interrupted())
			return -EINTR;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, 200);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0) {
			waited += 200;
			continue;
		}
		n = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (n > 0)
			l->len += (size_t)n;
	}
}

/* Why the session ended before the agent answered: one line from ssh's exit status. */
static void explain_exit(struct peer *p, const struct peer_addr *a, char *err, size_t errlen)
{
	int st = spawn_wait(p->pid);

	p->pid = -1;
	if (st == 255)
		snprintf(err, errlen, "peer %s unreachable over ssh (%s); check the host, the key "
			 "(BatchMode, no password) and --ssh-config", a->dest, p->last[0] ? p->last : "no answer");
	else if (st == 127)
		snprintf(err, errlen, "no obench on peer %s ('%s' not found); install it there or pass "
			 "--peer-obench PATH", a->dest, a->obench);
	else
		snprintf(err, errlen, "obench peer-agent on %s exited (status %d): %s", a->dest, st,
			 p->last[0] ? p->last : "no output");
}

static int send_line(struct peer *p, const char *line)
{
	size_t len = strlen(line);

	return write(p->in_fd, line, len) == (ssize_t)len ? 0 : -EPIPE;
}

int peer_open(struct peer *p, const struct peer_addr *a, char *err, size_t errlen)
{
	char *argv[16];
	struct spawn_opts so = SPAWN_OPTS;
	char line[256];
	int n = 0, out, e;

	memset(p, 0, sizeof(*p));
	p->in_fd = -1;
	signal(SIGPIPE, SIG_IGN);	/* a dead peer is an error return, not a signal */
	argv[n++] = "ssh";
	if (a->ssh_config) {
		argv[n++] = "-F";
		argv[n++] = (char *)a->ssh_config;
	}
	/* ServerAlive: a peer that vanished (no RST) ends the session in ~6 s */
	argv[n++] = "-oBatchMode=yes";
	argv[n++] = "-oConnectTimeout=5";
	argv[n++] = "-oServerAliveInterval=2";
	argv[n++] = "-oServerAliveCountMax=3";
	argv[n++] = "--";
	argv[n++] = (char *)a->dest;
	argv[n++] = (char *)a->obench;
	argv[n++] = "peer-agent";
	argv[n] = NULL;
	so.capture = so.capture_stderr = so.pipe_stdin = true;
	p->pid = spawn_exec_io(&so, argv, &p->in_fd, &out);
	if (p->pid < 0) {
		snprintf(err, errlen, "cannot start ssh: %s (apt-get install openssh-client)", strerror(-p->pid));
		return -1;
	}
	p->out.fd = out;
	e = send_line(p, "hello\n");
	while (!e) {
		e = peer_readline(&p->out, line, sizeof(line), HELLO_MS);
		if (e)
			break;
		if (!strncmp(line, "obench-agent ", 13)) {
			if (!strcmp(line + 13, peer_version()))
				return 0;
			snprintf(err, errlen, "obench on peer %s is version %s, this one is %s; install the "
				 "same build there", a->dest, line + 13, peer_version());
			peer_close(p);
			return -1;
		}
		snprintf(p->last, sizeof(p->last), "%s", line);
	}
	if (e == -EPIPE) {
		close(p->in_fd);
		p->in_fd = -1;
		explain_exit(p, a, err, errlen);
	} else {
		snprintf(err, errlen, e == -ETIMEDOUT ? "peer %s did not answer within %d s" :
			 "peer %s: interrupted", a->dest, HELLO_MS / 1000);
	}
	peer_close(p);
	return -1;
}

int peer_preflight(const struct peer_addr *a, char *err, size_t errlen)
{
	struct peer p;

	if (peer_open(&p, a, err, errlen))
		return -1;
	peer_close(&p);
	return 0;
}

int peer_call(struct peer *p, const char *line, void (*answer)(const char *line, void *ctx),
	      void *ctx, char *err, size_t errlen)
{
	char buf[512];
	int status = 0, st, e;

	e = send_line(p, line);
	while (!e) {
		e = peer_readline(&p->out, buf, sizeof(buf), QUIET_MS);
		if (e)
			break;
		if (sscanf(buf, "err %d", &st) == 1) {
			status = -st;
		} else if (sscanf(buf, "done %d", &st) == 1 || !strcmp(buf, "done")) {
			/* the job died without saying why: killed on the peer */
			if (!strcmp(buf, "done"))
				st = 0;
			if (st && !status) {
				snprintf(err, errlen, "the load client on the peer died mid-run (killed?)");
				status = -ECHILD;
			}
			return status;
		} else if (strcmp(buf, "alive")) {
			answer(buf, ctx);
		}
	}
	if (e == -EINTR)
		return e;
	snprintf(err, errlen, e == -ETIMEDOUT ? "peer stopped answering for %d s (agent hung?)" :
		 "connection to the peer lost mid-run (ssh session ended)", QUIET_MS / 1000);
	return -EPIPE;
}

void peer_put_result(int out, const struct lg_result *r, int err)
{
	dprintf(out, "res %llu %llu %llu %llu %llu %.9f\n", (unsigned long long)r->sent,
		(unsigned long long)r->received, (unsigned long long)r->lost,
		(unsigned long long)r->mismatched, (unsigned long long)r->late, r->elapsed_s);
	if (err)
		dprintf(out, "err %d\n", -err);
}

int peer_parse_result(const char *line, struct lg_result *r)
{
	unsigned long long s, rc, l, m, late;
	double x;

	if (sscanf(line, "res %llu %llu %llu %llu %llu %lf", &s, &rc, &l, &m, &late, &x) != 6)
		return 0;
	*r = (struct lg_result){ s, rc, l, m, late, x };
	return 1;
}

void peer_put_hist(int out, int id, const struct histogram *h)
{
	unsigned int i;

	dprintf(out, "hist %d %llu %llu %llu %.17g %.17g\n", id, (unsigned long long)h->count,
		(unsigned long long)h->min, (unsigned long long)h->max, h->sum, h->sumsq);
	for (i = 0; i < HIST_BUCKETS; i++)
		if (h->b[i])
			dprintf(out, "b %d %u %llu\n", id, i, (unsigned long long)h->b[i]);
}

int peer_parse_hist(const char *line, struct histogram *const *hs, int nh)
{
	unsigned long long n, lo, hi;
	unsigned int idx;
	double x, y;
	int id;

	if (sscanf(line, "hist %d %llu %llu %llu %lf %lf", &id, &n, &lo, &hi, &x, &y) == 6) {
		if (id < 0 || id >= nh || !hs[id])
			return 1;
		hs[id]->count = n;
		hs[id]->min = lo;
		hs[id]->max = hi;
		hs[id]->sum = x;
		hs[id]->sumsq = y;
		return 1;
	}
	if (sscanf(line, "b %d %u %llu", &id, &idx, &n) == 3) {
		if (id >= 0 && id < nh && hs[id] && idx < HIST_BUCKETS)
			hs[id]->b[idx] = n;
		return 1;
	}
	return 0;
}

void peer_hist_answer(const char *line, void *ctx)
{
	struct peer_hist_answer *a = ctx;

	if (!peer_parse_hist(line, a->h, a->nh))
		peer_parse_result(line, a->r);
}

int peer_echo(struct peer *p, const char *ip, int port, size_t size, const struct lg_params *prm,
	      struct histogram *h, struct lg_result *r, char *err, size_t errlen)
{
	struct histogram *hs[1] = { h };
	struct peer_hist_answer a = { hs, 1, r };
	char line[512];

	snprintf(line, sizeof(line), "echo %s %d %zu %llu %llu %d %d %d %.17g\n", ip, port, size,
		 (unsigned long long)prm->requests, (unsigned long long)prm->warmup, prm->timeout_ms,
		 prm->stream, prm->cpu, prm->duration_s);
	hist_init(h);
	memset(r, 0, sizeof(*r));
	return peer_call(p, line, peer_hist_answer, &a, err, errlen);
}

int peer_load_topology(struct exp_env *env, const struct net_remote *r, struct topo *t,
		       struct peer *p, bool *up, const char *load)
{
	bool remote;
	int err = peer_topology(env, r, t, p, &remote);

	*up = !err;	/* an unusable peer: peer_topology() destroyed @t */
	if (err)
		return err == -EHOSTUNREACH ? EXP_SKIP : err;
	if (!remote) {
		snprintf(env->skip_reason, sizeof(env->skip_reason), "hardware tier: the server side "
			 "is on %s; pass --peer-ssh to run %s on the peer host", r->iface, load);
		return EXP_SKIP;
	}
	return 0;
}

void peer_close(struct peer *p)
{
	if (p->in_fd >= 0)
		close(p->in_fd);	/* EOF on the agent's stdin: it tears down and exits */
	p->in_fd = -1;
	for (int i = 0; p->pid > 0 && i < 40 && !spawn_exited(p->pid); i++)
		usleep(50000);	/* let ssh end the session itself */
	if (p->pid > 0 && !spawn_exited(p->pid))
		spawn_stop(p->pid, 1000);
	p->pid = -1;
	if (p->out.fd > 0)
		close(p->out.fd);
	p->out.fd = -1;
}

int net_remote_validate(const struct net_remote *r, char *err, size_t errlen)
{
	struct peer_addr a = { r->peer_ssh, r->ssh_config, r->peer_obench };

	if (r->iface && !r->peer) {
		snprintf(err, errlen, "--iface needs --peer IP[,MAC] (the load-generator host)");
		return -1;
	}
	if (r->peer_ssh && !r->iface) {
		snprintf(err, errlen, "--peer-ssh needs --iface IF and --peer IP (the DUT's interface "
			 "and the peer's address)");
		return -1;
	}
	/* pre-flight: a peer we cannot use fails here, in seconds, before anything is created */
	return r->peer_ssh ? peer_preflight(&a, err, errlen) : 0;
}

static void bps_answer(const char *line, void *ctx)
{
	sscanf(line, "bps %lf", (double *)ctx);
}

int peer_iperf(struct peer *p, const char *ip, int port, int streams, double secs, double *bps,
	       char *err, size_t errlen)
{
	char line[160];

	*bps = 0;
	snprintf(line, sizeof(line), "iperf %s %d %d %.17g\n", ip, port, streams, secs);
	return peer_call(p, line, bps_answer, bps, err, errlen);
}

void peer_result_answer(const char *line, void *ctx)
{
	peer_parse_result(line, ctx);
}

int peer_flood(struct peer *p, const char *ip, int port, size_t size, double secs, int cpu,
	       struct lg_result *r, char *err, size_t errlen)
{
	char line[160];

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "flood %s %d %zu %.17g %d\n", ip, port, size, secs, cpu);
	return peer_call(p, line, peer_result_answer, r, err, errlen);
}

int peer_paced(struct peer *p, const char *ip, int port, bool stream, size_t size,
	       unsigned int magic, unsigned int first, unsigned int count, int gap_us, int delay_ms,
	       struct lg_result *r, char *err, size_t errlen)
{
	char line[200];

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "pace %s %d %d %zu %u %u %u %d %d\n", ip, port, stream, size,
		 magic, first, count, gap_us, delay_ms);
	return peer_call(p, line, peer_result_answer, r, err, errlen);
}

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
