// SPDX-License-Identifier: GPL-2.0
/* Two-host mode, DUT side: the ssh session to `obench peer-agent` (see peer.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "core/obench.h"
#include "core/spawn.h"
#include "net/net_opts.h"
#include "net/peer.h"

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

