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
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net/iperf.h"
#include "minimal.skel.h"
#include "net/netpath.h"
#include "core/obench.h"
#include "net/topology.h"

#define BW_PORT	5301

/* bandwidth's flags, filled and validated by the runner before setup() */
struct bandwidth_cfg {
	int streams;
	double duration;
	int repeats;
};

#define CFG(f) offsetof(struct bandwidth_cfg, f)
static const struct opt_spec bandwidth_opts[] = {
	{ "streams", OPT_INT, CFG(streams), .def = "48", .quick = "8", .min = 1, .max = 128,
	  .help = "parallel TCP streams, iperf -P (default 8 quick, 48 as the paper)" },
	{ "duration", OPT_DOUBLE, CFG(duration), .def = "10", .quick = "2", .min = 1, .max = 600,
	  .help = "seconds per iperf run (default 2 quick, 10 as the paper)" },
	{ "repeats", OPT_INT, CFG(repeats), .def = "5", .quick = "3", .full = "20", .min = 1, .max = 1000,
	  .help = "runs per configuration (default 3 quick, 5 default, 20 full; paper 100)" },
	OPT_END
};
#undef CFG

enum { C_NONE, C_XDP, C_TC, C_SKSKB, NCONF };
static const char *const conf_name[NCONF] = { "none", "xdp", "tc", "sk_skb" };

struct bandwidth {
	struct topo topo;
	bool topo_up;
	struct minimal_bpf *skel;
	struct bpf_link *sockops;
	bool verdict_on;
	char cgroup[256];
	pid_t server;
	/* proof that SK_SKB was on the path: sockets added, verdicts run (all runs) */
	__u64 skskb_socks, skskb_verdicts;
	int skskb_runs_unproven;	/* sk_skb runs with no insert or no verdict */
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

static int bandwidth_setup(struct exp_env *env)
{
	struct bandwidth *bw = calloc(1, sizeof(*bw));
	const char *root = cgroup2_root();
	int cg, err;

	if (!bw)
		return -ENOMEM;
	env->priv = bw;
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
	err = netpath_topo_create(env, &bw->topo);
	if (err)
		return err;
	bw->topo_up = true;
	if (!root)
		return 0;	/* sk_skb is skipped in run() */
	snprintf(bw->cgroup, sizeof(bw->cgroup), "%s/obench-%d-bw", root, (int)getpid());
	if (mkdir(bw->cgroup, 0755)) {
		bw->cgroup[0] = '\0';
		return 0;
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
	return 0;
}

static int run_one(struct exp_env *env, struct bandwidth *bw, int c, int streams, int secs,
		   double *gbps)
{
	struct minimal_bpf *s = bw->skel;
	__u64 socks0 = s->bss->sockets_added, verd0 = verdict_count(bw);
	double bps = 0;
	int err = 0;

	if (c == C_XDP)
		err = netpath_xdp(&bw->topo, bpf_program__fd(s->progs.xdp_pass));
	else if (c == C_TC)
		err = netpath_tc(&bw->topo, bpf_program__fd(s->progs.tc_pass));
	if (err)
		return err;
	bw->server = iperf_server_start(&bw->topo, BW_PORT, c == C_SKSKB ? bw->cgroup : NULL);
	if (bw->server < 0) {
		err = bw->server;
		bw->server = 0;
	} else {
		err = iperf_client_run(&bw->topo, BW_PORT, streams, secs, &bps);
		iperf_stop(bw->server);
		bw->server = 0;
	}
	if (c == C_XDP)
		netpath_xdp(&bw->topo, -1);
	else if (c == C_TC)
		netpath_tc(&bw->topo, -1);
	*gbps = bps / 1e9;
	(void)env;
	if (c == C_SKSKB && !err) {
		__u64 ds = s->bss->sockets_added - socks0, dv = verdict_count(bw) - verd0;

		bw->skskb_socks += ds;
		bw->skskb_verdicts += dv;
		if (!ds || !dv)
			bw->skskb_runs_unproven++;
	}
	return err;
}

static int bandwidth_run(struct exp_env *env)
{
	struct bandwidth *bw = env->priv;
	bool quick = env->profile == PROFILE_QUICK;
	int streams = opt_given(env->opts, "streams") ? (int)opt_int(env->opts, "streams") : quick ? 8 : 48;
	int secs = opt_given(env->opts, "duration") ? (int)opt_int(env->opts, "duration") : quick ? 2 : 10;
	/* 10 s runs: the default profile's 30 samples would take 20 minutes */
	int reps = opt_given(env->opts, "repeats") ? (int)opt_int(env->opts, "repeats") :
		quick ? 3 : env->profile == PROFILE_FULL ? 20 : 5;
	double *v = calloc((size_t)(NCONF * reps), sizeof(double));
	char note[RESULT_NOTE];
	int r, c, err = 0;

	if (!v)
		return -ENOMEM;
	for (r = 0; r < reps && !err; r++)
		for (c = 0; c < NCONF && !err; c++) {
			if (c == C_SKSKB && !bw->verdict_on)
				continue;
			progress(env, "repeat %d/%d: %s, %d streams x %d s", r + 1, reps,
				 conf_name[c], streams, secs);
			err = run_one(env, bw, c, streams, secs, &v[c * reps + r]);
		}
	if (err)
		goto out;
	for (c = 0; c < NCONF; c++) {
		struct stats st;
		char run[96];

		if (c == C_SKSKB && !bw->verdict_on) {
			result_skip(env->rs, conf_name[c], "gbps",
				    "no cgroup v2 to attach the sock_ops program that fills the sockhash");
			continue;
		}
		if (c == C_SKSKB && bw->skskb_runs_unproven) {
			snprintf(note, sizeof(note), "SK_SKB not on the path in %d of %d runs "
				 "(%llu sockets entered the sockhash, %llu verdicts ran)",
				 bw->skskb_runs_unproven, reps, (unsigned long long)bw->skskb_socks,
				 (unsigned long long)bw->skskb_verdicts);
			result_skip(env->rs, conf_name[c], "gbps", note);
			continue;
		}
		snprintf(run, sizeof(run), "iperf 2, -P %d x %d s, %d runs%s", streams, secs, reps,
			 quick ? " (--quick; paper: -P 48 x 10 s, 100 runs)" : "");
		if (c == C_XDP)
			snprintf(note, sizeof(note), "%s; XDP on veth turns off the peer's "
				 "GSO/TSO: TCP crosses as MTU frames (veth's cost, see report)", run);
		else if (c == C_SKSKB)
			snprintf(note, sizeof(note), "%s; %llu sockets in the sockhash, %llu "
				 "verdicts ran", run, (unsigned long long)bw->skskb_socks,
				 (unsigned long long)bw->skskb_verdicts);
		else
			snprintf(note, sizeof(note), "%s", run);
		stats_compute(&v[c * reps], (size_t)reps, 0, 0, &st);
		result_add(env->rs, conf_name[c], "gbps", "Gbit/s", env->tier, &st, note);
	}
out:
	free(v);
	return err;
}

static void bandwidth_teardown(struct exp_env *env)
{
	struct bandwidth *bw = env->priv;

	if (!bw)
		return;
	iperf_stop(bw->server);
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

static int bandwidth_cleanup(void)
{
	return topo_cleanup_stale();
}

const struct experiment exp_bandwidth = {
	.name = "bandwidth",
	.paper_ref = "Table 2",
	.summary = "iperf TCP bandwidth with a minimal XDP / TC / SK_SKB program on the path",
	.tiers = "host,hw",
	.opts = bandwidth_opts,
	.cfg_size = sizeof(struct bandwidth_cfg),
	.in_default_suite = true,
	.setup = bandwidth_setup,
	.run = bandwidth_run,
	.teardown = bandwidth_teardown,
	.report = bandwidth_report,
	.cleanup = bandwidth_cleanup,
};
