// SPDX-License-Identifier: GPL-2.0
/*
 * The command line of `obench run [ID...] [flags]`: picks the experiments,
 * fills and validates every flag of every selected experiment before
 * anything is created.
 *
 * Flag scoping: --name=value goes to the global flags or to every selected
 * experiment that declares --name (and must be valid for each of them);
 * --ID.name=value goes to experiment ID only.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/run_args.h"

#define CFG(f) offsetof(struct run_cfg, f)
static const struct opt_spec run_opts[] = {
	{ "quick", OPT_BOOL, CFG(quick), .help = "fewer samples: a minute for the micro-benchmarks" },
	{ "full", OPT_BOOL, CFG(full), .help = "more samples, as close to the paper's counts as practical" },
	{ "repeat", OPT_INT, CFG(repeat), .min = 1, .max = 100000,
	  .help = "measured samples per configuration (overrides the profile)" },
	{ "out", OPT_STR, CFG(out), .def = "results",
	  .help = "directory that receives <UTC timestamp>/ and latest" },
	{ "no-report", OPT_BOOL, CFG(no_report), .help = "do not write report.md at the end" },
	{ "testbed", OPT_BOOL, CFG(testbed),
	  .help = "run inside the QEMU testbed VM with the obench module (timings emulated)" },
	{ "testbed-kernel", OPT_STR, CFG(testbed_kernel),
	  .help = "with --testbed: boot DIR/bzImage and load DIR/obench_kmod.ko, the patched "
		  "kernel of make kernel (build/kernel/6.12), instead of the stock kernel" },
	OPT_END
};
#undef CFG

void run_args_help(const struct run_args *a)
{
	const struct experiment *const *e;
	int i;

	printf("usage: obench run [ID...] [--quick|--full] [--repeat N] [--out DIR] [experiment flags]\n\n"
	       "Runs the given experiments (all of the default suite when none is given),\n"
	       "writes results/<UTC timestamp>/{run.json,ID.csv,report.md} and prints a summary.\n"
	       "A flag goes to every selected experiment that declares it; --ID.flag=value to ID only.\n\n"
	       "Flags:\n");
	opt_print_help(stdout, run_opts, "  ");
	for (e = obench_experiments; *e; e++) {
		bool shown = a->n == 0;

		for (i = 0; i < a->n; i++)
			shown |= a->exps[i] == *e;
		if (!shown || !(*e)->opts || !(*e)->opts[0].name)
			continue;
		printf("\n%s (%s) flags:\n", (*e)->name, (*e)->paper_ref);
		opt_print_help(stdout, (*e)->opts, "  ");
	}
}

/* The spec --@name refers to, in the global table or any experiment's ("ID.flag" too). */
static const struct opt_spec *any_spec(const char *name)
{
	const struct experiment *const *e;
	const struct opt_spec *s = opt_find(run_opts, name);
	const char *dot = strchr(name, '.');

	for (e = obench_experiments; !s && *e; e++)
		s = opt_find((*e)->opts, dot ? dot + 1 : name);
	return s;
}

/* argv[i] is the value of the flag before it ("--flag value"). */
static bool is_flag_value(char **argv, int i)
{
	const struct opt_spec *s;
	char name[96];

	if (i < 2 || strncmp(argv[i - 1], "--", 2) || opt_split(argv[i - 1], name, sizeof(name)))
		return false;
	s = any_spec(name);
	return s && s->type != OPT_BOOL;
}

/* --testbed-kernel DIR: the image and the module built against it must be there. */
static int check_testbed_kernel(struct run_cfg *r)
{
	static const char *const need[] = { "bzImage", "obench_kmod.ko" };
	char path[4096];
	size_t i;

	if (!r->testbed_kernel)
		return 0;
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", r->testbed_kernel, need[i]);
		if (access(path, R_OK)) {
			fprintf(stderr, "obench run: --testbed-kernel: %s not found (build it with "
				"make kernel, or pass its output directory)\n", path);
			return -1;
		}
	}
	r->testbed = true;
	return 0;
}

/* Pass 1: the experiment ids, in order, each once. */
static int pick_experiments(struct run_args *a, int argc, char **argv)
{
	const struct experiment *const *ep;
	int i, j;

	for (i = 1; i < argc; i++) {
		const struct experiment *e;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			a->help = true;
			continue;
		}
		if (argv[i][0] == '-' || is_flag_value(argv, i))
			continue;
		e = experiment_find(argv[i]);
		if (!e) {
			fprintf(stderr, "obench run: unknown experiment '%s' (see obench list)\n", argv[i]);
			return -1;
		}
		for (j = 0; j < a->n; j++)
			if (a->exps[j] == e) {
				fprintf(stderr, "obench run: experiment '%s' is given twice: name it once\n",
					argv[i]);
				return -1;
			}
		if (a->n == MAX_RUN)
			break;
		a->exps[a->n++] = e;
	}
	if (a->n == 0 && !a->help)
		for (ep = obench_experiments; *ep; ep++)
			if ((*ep)->in_default_suite)
				a->exps[a->n++] = *ep;
	return 0;
}

/* Sets --@name=@val on experiment @j if it declares it; 1 if it did, -1 on a bad value. */
static int set_on(struct run_args *a, int j, const char *name, const char *val)
{
	const struct opt_spec *s = opt_find(a->exps[j]->opts, name);
	char err[320];

	if (!s)
		return 0;
	if (opt_parse(s, val, a->cfgs[j], err, sizeof(err))) {
		fprintf(stderr, "obench run: %s%s%s\n", a->n > 1 ? a->exps[j]->name : "",
			a->n > 1 ? ": " : "", err);
		return -1;
	}
	opt_mark_given(&a->given[j], s);
	return 1;
}

/* Finds the experiment named by "ID.flag"; -1 with a message when it is not selected. */
static int scoped_target(const struct run_args *a, const char *name, const char **flag)
{
	const char *dot = strchr(name, '.');
	int j;

	*flag = dot + 1;
	for (j = 0; j < a->n; j++)
		if (strlen(a->exps[j]->name) == (size_t)(dot - name) &&
		    !strncmp(a->exps[j]->name, name, (size_t)(dot - name)))
			return j;
	fprintf(stderr, "obench run: --%s names an experiment that is not selected (see obench list)\n",
		name);
	return -1;
}

/* One flag with its value: global, scoped to one experiment, or to all that declare it. */
static int apply_flag(struct run_args *a, const char *name, const char *val)
{
	const struct opt_spec *gs = opt_find(run_opts, name);
	const char *flag = name;
	int j, r, hits = 0;

	if (gs)
		return opt_mark_given(&a->run_given, gs), 0;
	if (strchr(name, '.')) {
		j = scoped_target(a, name, &flag);
		if (j < 0)
			return -1;
		r = set_on(a, j, flag, val);
		if (r == 0)
			fprintf(stderr, "obench run: %s has no flag --%s (see obench run %s --help)\n",
				a->exps[j]->name, flag, a->exps[j]->name);
		return r > 0 ? 0 : -1;
	}
	for (j = 0; j < a->n; j++) {
		r = set_on(a, j, name, val);
		if (r < 0)
			return -1;
		hits += r;
	}
	if (!hits)
		fprintf(stderr, "obench run: unknown flag --%s for the selected experiments "
			"(see obench run ID --help)\n", name);
	return hits ? 0 : -1;
}

/* The value of the flag at argv[*i] ("--f=v", "--f v", or a bare boolean). */
static const char *flag_value(int argc, char **argv, int *i, char *name, size_t len)
{
	const char *val = opt_split(argv[*i], name, len);
	const struct opt_spec *s = any_spec(name);

	if (val)
		return val;
	if (s && s->type == OPT_BOOL)
		return "true";
	return *i + 1 < argc ? argv[++*i] : "";
}

/* Pass 2 for the global flags (the profile must be known before the defaults). */
static int parse_global(struct run_args *a, int argc, char **argv)
{
	char name[96], err[320];
	int i;

	opt_defaults(run_opts, &a->run, PROFILE_DEFAULT);
	a->run_given.specs = run_opts;
	for (i = 1; i < argc; i++) {
		const struct opt_spec *s;
		const char *val;

		if (strncmp(argv[i], "--", 2) || !strcmp(argv[i], "--help"))
			continue;
		val = flag_value(argc, argv, &i, name, sizeof(name));
		s = opt_find(run_opts, name);
		if (s && opt_parse(s, val, &a->run, err, sizeof(err))) {
			fprintf(stderr, "obench run: %s\n", err);
			return -1;
		}
	}
	if (a->run.quick && a->run.full) {
		fprintf(stderr, "obench run: --quick and --full exclude each other: pick one\n");
		return -1;
	}
	return check_testbed_kernel(&a->run);
}

/* Pass 3: every experiment flag, then each experiment's own cross-field checks. */
static int parse_experiment_flags(struct run_args *a, int argc, char **argv, enum profile p)
{
	char name[96], err[320];
	int i, j;

	for (j = 0; j < a->n; j++) {
		a->cfgs[j] = calloc(1, a->exps[j]->cfg_size ? a->exps[j]->cfg_size : 1);
		if (!a->cfgs[j])
			return -1;
		opt_defaults(a->exps[j]->opts, a->cfgs[j], p);
		a->given[j].specs = a->exps[j]->opts;
	}
	for (i = 1; i < argc; i++) {
		const char *val;

		if (argv[i][0] != '-' || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			continue;
		if (argv[i][1] != '-') {
			fprintf(stderr, "obench run: unknown option '%s' (flags are --name=value; "
				"see obench run --help)\n", argv[i]);
			return -1;
		}
		val = flag_value(argc, argv, &i, name, sizeof(name));
		if (apply_flag(a, name, val))
			return -1;
	}
	for (j = 0; j < a->n; j++)
		if (a->exps[j]->validate && a->exps[j]->validate(a->cfgs[j], err, sizeof(err))) {
			fprintf(stderr, "obench run: %s: %s\n", a->exps[j]->name, err);
			return -1;
		}
	return 0;
}

void run_args_free(struct run_args *a)
{
	int j;

	for (j = 0; j < a->n; j++)
		free(a->cfgs[j]);
}

int run_args_parse(struct run_args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->profile = PROFILE_DEFAULT;
	if (pick_experiments(a, argc, argv))
		return -1;
	if (a->help)
		return 0;
	if (parse_global(a, argc, argv))
		return -1;
	a->profile = a->run.quick ? PROFILE_QUICK : a->run.full ? PROFILE_FULL : PROFILE_DEFAULT;
	return parse_experiment_flags(a, argc, argv, a->profile);
}
