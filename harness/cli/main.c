// SPDX-License-Identifier: GPL-2.0
/* obench: the command line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kv/advisor.h"
#include "core/jit.h"
#include "core/obench.h"
#include "core/report.h"
#include "core/runner.h"
#include "core/testbed.h"

#define EXIT_USAGE 2

static const struct opt_spec run_opts[] = {
	{ "quick", OPT_BOOL, NULL, 0, 0, "fewer samples: a minute for the micro-benchmarks" },
	{ "full", OPT_BOOL, NULL, 0, 0, "more samples, as close to the paper's counts as practical" },
	{ "repeat", OPT_INT, NULL, 1, 100000, "measured samples per configuration (overrides the profile)" },
	{ "out", OPT_STR, "results", 0, 0, "directory that receives <UTC timestamp>/ and latest" },
	{ "no-report", OPT_BOOL, NULL, 0, 0, "do not write report.md at the end" },
	{ "testbed", OPT_BOOL, NULL, 0, 0, "run inside the QEMU testbed VM with the obench module (timings emulated)" },
	OPT_END
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: obench <command> [args]\n\n"
		"  list                       the experiments, their paper artefact and tiers\n"
		"  run [ID...] [flags]        run experiments (none given: the default suite)\n"
		"  report [DIR]               write DIR/report.md (default results/latest)\n"
		"  cleanup                    remove what a killed run left behind\n"
		"  jit OBJECT[:PROG] | --id N  print the x86-64 disassembly of programs' JIT images\n"
		"  advise [--omega W] [--rho R | --from DIR]  does a fast-path offload pay? (§3.2)\n\n"
		"Each command takes --help.  Results go to results/<UTC timestamp>/.\n");
}

static int cmd_list(int argc, char **argv)
{
	const struct experiment *const *e;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: obench list\n\nLists every experiment: id, paper artefact, tiers, summary.\n");
			return 0;
		}
		fprintf(stderr, "obench list: unexpected argument '%s' (obench list takes none)\n", argv[1]);
		return EXIT_USAGE;
	}
	printf("%-14s %-12s %-12s %s\n", "ID", "PAPER", "TIERS", "MEASURES");
	for (e = obench_experiments; *e; e++)
		printf("%-14s %-12s %-12s %s\n", (*e)->name, (*e)->paper_ref,
		       (*e)->tiers, (*e)->summary);
	return 0;
}

static void run_help(const struct experiment **only, int n)
{
	const struct experiment *const *e;
	int i;

	printf("usage: obench run [ID...] [--quick|--full] [--repeat N] [--out DIR] [experiment flags]\n\n"
	       "Runs the given experiments (all of the default suite when none is given),\n"
	       "writes results/<UTC timestamp>/{run.json,ID.csv,report.md} and prints a summary.\n\n"
	       "Flags:\n");
	opt_print_help(stdout, run_opts, "  ");
	for (e = obench_experiments; *e; e++) {
		bool shown = n == 0;

		for (i = 0; i < n; i++)
			shown |= only[i] == *e;
		if (!shown || !(*e)->opts || !(*e)->opts[0].name)
			continue;
		printf("\n%s (%s) flags:\n", (*e)->name, (*e)->paper_ref);
		opt_print_help(stdout, (*e)->opts, "  ");
	}
}

/* "--name=value" or "--name value"; returns the flag name (without --) in @name. */
static const char *split_flag(const char *arg, char *name, size_t len)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg) - 2;

	if (n >= len)
		n = len - 1;
	memcpy(name, arg + 2, n);
	name[n] = '\0';
	return eq ? eq + 1 : NULL;
}

static int set_flag(struct opt_values *ov, const struct opt_spec *spec, const char *val)
{
	char err[256];

	if (opt_validate(spec, val, err, sizeof(err))) {
		fprintf(stderr, "obench run: %s\n", err);
		return -1;
	}
	opt_set(ov, spec->name, val);
	return 0;
}

/* @arg is "--name" (no "=value") of a declared flag that is not boolean. */
static bool flag_takes_value(const char *arg)
{
	const struct experiment *const *e;
	const struct opt_spec *s;
	char name[64];

	if (strncmp(arg, "--", 2) || split_flag(arg, name, sizeof(name)))
		return false;
	s = opt_find(run_opts, name);
	for (e = obench_experiments; !s && *e; e++)
		s = opt_find((*e)->opts, name);
	return s && s->type != OPT_BOOL;
}

static int cmd_run(int argc, char **argv)
{
	const struct experiment *exps[64];
	struct opt_values global, eopts[64];
	struct run_request req = { 0 };
	const struct experiment *const *ep;
	int n = 0, i, j, rc;
	bool help = false;

	/* pass 1: experiment ids */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			help = true;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (i > 1 && flag_takes_value(argv[i - 1]))
			continue;	/* the value of "--flag value" */
		if (!experiment_find(argv[i])) {
			fprintf(stderr, "obench run: unknown experiment '%s' (see obench list)\n", argv[i]);
			return EXIT_USAGE;
		}
		if (n == 64)
			break;
		exps[n++] = experiment_find(argv[i]);
	}
	if (help) {
		run_help(exps, n);
		return 0;
	}
	if (n == 0)
		for (ep = obench_experiments; *ep; ep++)
			if ((*ep)->in_default_suite)
				exps[n++] = *ep;

	opt_values_init(&global, run_opts);
	for (j = 0; j < n; j++)
		opt_values_init(&eopts[j], exps[j]->opts);

	/* pass 2: flags, each set on the global table or every experiment that declares it */
	for (i = 1; i < argc; i++) {
		const struct opt_spec *gs;
		const char *val;
		char name[64];
		bool known = false;

		if (argv[i][0] != '-')
			continue;
		if (argv[i][1] != '-') {
			fprintf(stderr, "obench run: unknown option '%s' (flags are --name=value; see obench run --help)\n", argv[i]);
			rc = EXIT_USAGE;
			goto out;
		}
		val = split_flag(argv[i], name, sizeof(name));
		gs = opt_find(run_opts, name);
		for (j = 0; !gs && j < n; j++)
			if (opt_find(exps[j]->opts, name))
				gs = opt_find(exps[j]->opts, name);
		if (!gs) {
			fprintf(stderr, "obench run: unknown flag --%s for the selected experiments "
				"(see obench run ID --help)\n", name);
			rc = EXIT_USAGE;
			goto out;
		}
		if (!val)
			val = gs->type == OPT_BOOL ? "true" : (i + 1 < argc ? argv[++i] : "");
		if (opt_find(run_opts, name)) {
			known = true;
			if (set_flag(&global, gs, val)) {
				rc = EXIT_USAGE;
				goto out;
			}
		}
		for (j = 0; j < n; j++) {
			const struct opt_spec *s = opt_find(exps[j]->opts, name);

			if (!s)
				continue;
			known = true;
			if (set_flag(&eopts[j], s, val)) {
				rc = EXIT_USAGE;
				goto out;
			}
		}
		(void)known;
	}
	if (opt_bool(&global, "quick") && opt_bool(&global, "full")) {
		fprintf(stderr, "obench run: --quick and --full exclude each other: pick one\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (require_bpf_privileges("obench run")) {
		rc = EXIT_USAGE;
		goto out;
	}
	req.exps = exps;
	req.exp_opts = eopts;
	req.n = n;
	req.profile = opt_bool(&global, "quick") ? PROFILE_QUICK :
		      opt_bool(&global, "full") ? PROFILE_FULL : PROFILE_DEFAULT;
	req.repeat = (int)opt_int(&global, "repeat");
	req.out_base = testbed_results_dir() ? testbed_results_dir() : opt_str(&global, "out");
	if (opt_bool(&global, "testbed") && !testbed_inside()) {
		testbed_reexec(argc, argv, req.out_base);
		rc = 1;
		goto out;
	}
	req.report = !opt_bool(&global, "no-report");
	req.argc = argc;
	req.argv = argv;
	rc = runner_run(&req);
out:
	for (j = 0; j < n; j++)
		opt_values_free(&eopts[j]);
	opt_values_free(&global);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	const char *dir = "results/latest";
	int err;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: obench report [DIR]\n\nWrites DIR/report.md from DIR's run.json and CSV files\n"
		       "(default DIR: results/latest) and prints a summary.\n");
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "obench report: too many arguments (usage: obench report [DIR])\n");
		return EXIT_USAGE;
	}
	if (argc == 2)
		dir = argv[1];
	err = report_write(dir);
	if (err == -ENOENT) {
		fprintf(stderr, "obench report: %s/run.json not found (give a run directory, "
			"e.g. obench report results/latest)\n", dir);
		return EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "obench report: cannot write %s/report.md: %s\n", dir, strerror(-err));
		return 1;
	}
	return report_summary(dir, stdout) ? 1 : 0;
}

static int cmd_cleanup(int argc, char **argv)
{
	const struct experiment *const *e;
	int rc = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: obench cleanup\n\nRemoves what a killed run left behind: obench network "
		       "namespaces, veth links, qdiscs, attached programs, servers.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "obench cleanup: unexpected argument '%s' (it takes none)\n", argv[1]);
		return EXIT_USAGE;
	}
	if (require_bpf_privileges("obench cleanup"))
		return EXIT_USAGE;
	for (e = obench_experiments; *e; e++)
		if ((*e)->cleanup && (*e)->cleanup() < 0)
			rc = 1;
	printf("obench cleanup: done\n");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cleanup"))
		return cmd_cleanup(argc - 1, argv + 1);
	if (!strcmp(argv[1], "jit"))
		return cmd_jit(argc - 1, argv + 1);
	if (!strcmp(argv[1], "advise"))
		return cmd_advise(argc - 1, argv + 1);
	fprintf(stderr, "obench: unknown command '%s' (try obench --help)\n", argv[1]);
	return EXIT_USAGE;
}
