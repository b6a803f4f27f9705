// SPDX-License-Identifier: GPL-2.0
/*
 * bandwidth (paper Table 2): TCP bandwidth measured by iperf 2 through the
 * veth pair with nothing, a minimal XDP, TC or SK_SKB program on the server
 * side.  For SK_SKB the iperf server runs in its own cgroup v2, where a
 * sock_ops program puts each accepted connection into a sockhash whose
 * verdict program passes everything.  Configurations are interleaved per
 * repeat so drift hits them alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/measure.h"
#include "core/obench.h"
#include "core/spawn.h"
#include "minimal.skel.h"
#include "net/iperf.h"
#include "net/netpath.h"
#include "net/net_opts.h"
#include "net/peer.h"
#include "net/topology.h"

#define BW_PORT		5301	/* the SK_SKB server's, in the cgroup */
#define BW_PORT_PLAIN	5302	/* the other configurations' server, outside it */

/* bandwidth's flags, filled and validated by the runner before setup() */
struct bandwidth_cfg {
	int streams;
	double duration;
	int repeats;
	struct net_remote remote;
};

#define CFG(f) offsetof(struct bandwidth_cfg, f)
static const struct opt_spec bandwidth_opts[] = {
	{ "streams", OPT_INT, CFG(streams), .def = "48", .quick = "8", .min = 1, .max = 128,
	  .help = "parallel TCP streams, iperf -P (paper: 48)" },
	/*
	 * Short runs, more of them: a verdict needs >= 6 paired rounds for an
	 * interval, and the default suite has a 10-minute budget (the paper's
	 * 100 x 10 s runs per configuration take over an hour: --full --repeats 100).
	 */
	{ "duration", OPT_DOUBLE, CFG(duration), .def = "2", .quick = "1", .full = "10", .min = 0.5, .max = 600,
	  .help = "seconds per iperf run, iperf -t: decimals allowed, 10 ms steps (paper: 10)" },
	/* 10 s runs: the default profile's 30 samples would take 20 minutes */
	{ "repeats", OPT_INT, CFG(repeats), .def = "8", .quick = "6", .full = "20", .min = 1, .max = 1000,
	  .help = "runs per configuration (paper: 100)" },
	NET_REMOTE_OPTS(CFG(remote)),
	OPT_END
};
#undef CFG

static int bandwidth_validate(const void *cfg, char *err, size_t errlen)
{
	return net_remote_validate(&((const struct bandwidth_cfg *)cfg)->remote, err, errlen);
}

enum { C_NONE, C_XDP, C_TC, C_SKSKB, NCONF };
static const char *const conf_name[NCONF] = { "none", "xdp", "tc", "sk_skb" };

struct bandwidth {
	const struct bandwidth_cfg *cfg;
	struct topo topo;
	bool topo_up;
	struct minimal_bpf *skel;
	struct bpf_link *sockops;
	bool verdict_on;
	char cgroup[256];
	pid_t server, server_skskb;	/* iperf -s, plain and in the SK_SKB cgroup */
	/* proof that SK_SKB was on the path: sockets added, verdicts run (all runs) */
	__u64 skskb_socks, skskb_verdicts;
	int skskb_runs_unproven;	/* sk_skb runs with no insert or no verdict */
	struct peer peer;		/* two-host mode: iperf's client host */
	bool remote;
};

/* Sum of the per-CPU verdict counters of sk_skb_pass. */
static __u64 verdict_count(const struct bandwidth *bw)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	__u64 v[512] = { 0 }, sum = 0;
	__u32 k = 0;

	if (ncpu <= 0 || ncpu > 512 ||
	    bpf_map_lookup_elem(bpf_map__fd(bw->skel->maps.verdicts), &k, v))
		return 0;
	for (c = 0; c < ncpu; c++)
		sum += v[c];
	return sum;
}

/* The cgroup v2 hierarchy: /sys/fs/cgroup itself, or its "unified" part under v1. */
static const char *cgroup2_root(void)
{
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
		return "/sys/fs/cgroup";
	if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK) == 0)
		return "/sys/fs/cgroup/unified";
	return NULL;
}

/*
 * The iperf server's own cgroup, with sock_ops putting its sockets into the
 * sockhash and the verdict program on it.  Without cgroup v2, verdict_on
 * stays false and sk_skb is skipped in run().
 */
static void skskb_setup(struct bandwidth *bw)
{
	const char *root = cgroup2_root();
	int cg;

	if (!root)
		return;
	snprintf(bw->cgroup, sizeof(bw->cgroup), "%s/obench-%d-bw", root, (int)getpid());
	if (mkdir(bw->cgroup, 0755)) {
		bw->cgroup[0] = '\0';
		return;
	}
	cg = open(bw->cgroup, O_RDONLY | O_DIRECTORY);
	if (cg >= 0) {
		bw->sockops = bpf_program__attach_cgroup(bw->skel->progs.sockops_add, cg);
		close(cg);
	}
	if (bw->sockops &&
	    !bpf_prog_attach(bpf_program__fd(bw->skel->progs.sk_skb_pass),
			     bpf_map__fd(bw->skel->maps.socks), BPF_SK_SKB_VERDICT, 0))
		bw->verdict_on = true;
}

/*
 * The iperf servers, started once for all runs (each start costs ~0.3 s
 * to listen, each stop a grace period): one plain, one in the cgroup whose
 * sock_ops program puts its connections into the SK_SKB sockhash.
 */
static int servers_start(struct bandwidth *bw)
{
	bw->server = iperf_server_start(&bw->topo, BW_PORT_PLAIN, NULL);
	if (bw->server < 0) {
		int err = bw->server;

		bw->server = 0;
		return err;
	}
	if (!bw->verdict_on)
		return 0;
	bw->server_skskb = iperf_server_start(&bw->topo, BW_PORT, bw->cgroup);
	if (bw->server_skskb < 0) {
		int err = bw->server_skskb;

		bw->server_skskb = 0;
		return err;
	}
	return 0;
}

static int bandwidth_setup(struct exp_env *env)
{
	struct bandwidth *bw = calloc(1, sizeof(*bw));
	int err;

	if (!bw)
		return -ENOMEM;
	env->priv = bw;
	bw->cfg = env->cfg;
	if (access("/usr/bin/iperf", X_OK)) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "iperf 2 is not installed (apt-get install iperf)");
		return EXP_SKIP;
	}
	bw->skel = minimal_bpf__open();
	if (!bw->skel)
		return -errno;
	bw->skel->rodata->port = BW_PORT;
	err = minimal_bpf__load(bw->skel);
	if (err) {
		snprintf(env->skip_reason, sizeof(env->skip_reason),
			 "the kernel rejected the minimal programs (%s)", strerror(-err));
		return EXP_SKIP;
	}
	err = bw->cfg->remote.iface ?
	      peer_topology(env, &bw->cfg->remote, &bw->topo, &bw->peer, &bw->remote) :
	      netpath_topo_create(env, &bw->topo);
	if (err)
		return err;
	bw->topo_up = true;
	skskb_setup(bw);
	return servers_start(bw);
}

/* Attaches (@on) or detaches the minimal XDP or TC program of configuration @c. */
static int hook_set(struct bandwidth *bw, int c, bool on)
{
	struct minimal_bpf *s = bw->skel;

	if (c == C_XDP)
		return netpath_xdp(&bw->topo, on ? bpf_program__fd(s->progs.xdp_pass) : -1);
	if (c == C_TC)
		return netpath_tc(&bw->topo, on ? bpf_program__fd(s->progs.tc_pass) : -1);
	return 0;
}

/* One iperf run (against the server in the SK_SKB cgroup for sk_skb), here or on the peer. */
static int iperf_once(struct exp_env *env, struct bandwidth *bw, int c, double *bps)
{
	int port = c == C_SKSKB ? BW_PORT : BW_PORT_PLAIN;
	char ip[INET_ADDRSTRLEN];

	if (!bw->remote)
		return iperf_client_run(&bw->topo, port, bw->cfg->streams, bw->cfg->duration, bps);
	inet_ntop(AF_INET, &bw->topo.server.addr, ip, sizeof(ip));
	return peer_iperf(&bw->peer, ip, port, bw->cfg->streams, bw->cfg->duration, bps,
			  env->skip_reason, sizeof(env->skip_reason));
}

/* A real NIC keeps its offloads with XDP attached; veth (a virtual device) does not. */
static bool iface_is_nic(const struct topo *t)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/net/%s/device", t->server.ifname);
	return t->hardware && !access(path, F_OK);
}

/* The sampler's step: one iperf run of configuration @c, in Gbit/s. */
static int run_one(struct exp_env *env, int c, size_t round, double *gbps, void *ctx)
{
	struct bandwidth *bw = ctx;
	struct minimal_bpf *s = bw->skel;
	__u64 socks0 = s->bss->sockets_added, verd0 = verdict_count(bw);
	double bps = 0;
	int err;

	(void)round;
	err = hook_set(bw, c, true);
	if (err)
		return err;
	err = iperf_once(env, bw, c, &bps);
	hook_set(bw, c, false);
	*gbps = bps / 1e9;
	if (c == C_SKSKB && !err) {
		__u64 ds = s->bss->sockets_added - socks0, dv = verdict_count(bw) - verd0;

		bw->skskb_socks += ds;
		bw->skskb_verdicts += dv;
		if (!ds || !dv)
			bw->skskb_runs_unproven++;
	}
	return err;
}

/* The row of configuration @c from its @reps runs in @gbps, or why it is skipped. */
static void add_conf_row(struct exp_env *env, struct bandwidth *bw, int c, const double *gbps,
			 size_t runs)
{
	const struct bandwidth_cfg *cfg = bw->cfg;
	char note[RESULT_NOTE], run[96];

	if (c == C_SKSKB && !bw->verdict_on) {
		result_skip(env->rs, conf_name[c], "gbps",
			    "no cgroup v2 to attach the sock_ops program that fills the sockhash");
		return;
	}
	if (c == C_SKSKB && bw->skskb_runs_unproven) {
		snprintf(note, sizeof(note), "SK_SKB not on the path in %d of %d runs "
			 "(%llu sockets entered the sockhash, %llu verdicts ran)",
			 bw->skskb_runs_unproven, (int)runs, (unsigned long long)bw->skskb_socks,
			 (unsigned long long)bw->skskb_verdicts);
		result_skip(env->rs, conf_name[c], "gbps", note);
		return;
	}
	snprintf(run, sizeof(run), "iperf 2, -P %d x %g s, %zu runs%s", cfg->streams, cfg->duration,
		 runs,
		 env->profile == PROFILE_QUICK ? " (--quick; paper: -P 48 x 10 s, 100 runs)" : "");
	if (c == C_XDP)
		snprintf(note, sizeof(note), "%s; XDP on veth turns off the peer's "
			 "GSO/TSO: TCP crosses as MTU frames (veth's cost, see report)", run);
	else if (c == C_SKSKB)
		snprintf(note, sizeof(note), "%s; %llu sockets in the sockhash, %llu "
			 "verdicts ran", run, (unsigned long long)bw->skskb_socks,
			 (unsigned long long)bw->skskb_verdicts);
	else
		snprintf(note, sizeof(note), "%s", run);
	env_add_samples_nowarm(env, conf_name[c], "gbps", "Gbit/s", gbps, runs, note);
}

static int bandwidth_run(struct exp_env *env)
{
	struct bandwidth *bw = env->priv;
	bool off[NCONF] = { [C_SKSKB] = !bw->verdict_on };
	struct sampler s = {
		.nconf = NCONF, .rounds = (size_t)bw->cfg->repeats, .off = off,
		.step = run_one, .ctx = bw, .names = conf_name, .adaptive = true,
	};
	double *gbps;
	int c, err;

	if (bw->topo.hardware && !bw->remote) {
		for (c = 0; c < NCONF; c++)
			result_skip(env->rs, conf_name[c], "gbps", "hardware tier: server attached; pass "
				    "--peer-ssh to run iperf's client on the peer host");
		return 0;
	}
	gbps = sampler_alloc(env, &s);
	if (!gbps)
		return -ENOMEM;
	/* configurations interleaved per repeat, so drift hits them alike */
	err = sample_interleaved(env, &s, gbps);
	for (c = 0; c < NCONF && !err; c++)
		add_conf_row(env, bw, c, sample_series(env, &s, gbps, 0, c), s.done);
	/*
	 * The XDP claim's condition: veth stops offering GSO/TSO to its peer
	 * while a native XDP program is attached, so the XDP runs carry MTU-sized
	 * frames; a NIC keeps its offloads.
	 */
	if (!err)
		env_add_value(env, "xdp", "gso_kept", "bool", iface_is_nic(&bw->topo) ? 1 : 0,
			      iface_is_nic(&bw->topo) ? "real NIC: offloads unchanged by XDP" :
			      "veth: segmentation offload off while native XDP is attached");
	free(gbps);
	return err;
}

static void bandwidth_teardown(struct exp_env *env)
{
	struct bandwidth *bw = env->priv;

	if (!bw)
		return;
	if (bw->remote)
		peer_close(&bw->peer);
	spawn_stop(bw->server, 1000);
	spawn_stop(bw->server_skskb, 1000);
	if (bw->topo_up)
		topo_destroy(&bw->topo);
	if (bw->verdict_on)
		bpf_prog_detach2(bpf_program__fd(bw->skel->progs.sk_skb_pass),
				 bpf_map__fd(bw->skel->maps.socks), BPF_SK_SKB_VERDICT);
	bpf_link__destroy(bw->sockops);
	if (bw->cgroup[0])
		rmdir(bw->cgroup);
	minimal_bpf__destroy(bw->skel);
	free(bw);
	env->priv = NULL;
}

static void bandwidth_report(const struct result_set *rs, FILE *md)
{
	const struct result_row *none = result_find(rs, "none", "gbps");
	const char *c[] = { "xdp", "tc", "sk_skb" };
	unsigned int i;

	fprintf(md, "\n**Method.** `iperf -c` in the client namespace against `iperf -s` in the "
		"server namespace over a veth pair (paper: 100G NIC, one queue, 48 streams, 10 s, 100 "
		"runs). Minimal programs return pass; SK_SKB gets the server's sockets through a "
		"sock_ops program on the iperf server's own cgroup, and the row is kept only when "
		"every SK_SKB run put sockets into the sockhash and ran the verdict program (a "
		"per-CPU counter in it). The XDP drop is a veth property, not the program's cost: "
		"while a native XDP program without frags support is attached, veth removes "
		"GSO/TSO from the peer device (veth_xdp_set) and copies every skb into an XDP "
		"buffer, so the client's TCP sends MTU-sized segments that each cross veth, XDP "
		"and the receive stack on their own; a real NIC (the paper) has no such switch.\n\n");
	if (!none || none->skipped || none->st.median <= 0)
		return;
	for (i = 0; i < 3; i++) {
		const struct result_row *r = result_find(rs, c[i], "gbps");

		if (r && !r->skipped)
			fprintf(md, "- %s: %+.1f%% vs no program\n", c[i],
				100.0 * (r->st.median / none->st.median - 1));
	}
}

const struct experiment exp_bandwidth = {
	.name = "bandwidth",
	.paper_ref = "Table 2",
	.summary = "iperf TCP bandwidth with a minimal XDP / TC / SK_SKB program on the path",
	.tiers = "host,hw",
	.opts = bandwidth_opts,
	.validate = bandwidth_validate,
	.cfg_size = sizeof(struct bandwidth_cfg),
	.in_default_suite = true,
	.setup = bandwidth_setup,
	.run = bandwidth_run,
	.teardown = bandwidth_teardown,
	.report = bandwidth_report,
	.cleanup = netpath_cleanup,
};
