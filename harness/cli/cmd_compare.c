// SPDX-License-Identifier: GPL-2.0
/* `obench compare RUN_A RUN_B [--out DIR]`: two runs side by side. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "core/compare.h"
#include "core/run_data.h"

#define COMPARE_USAGE "(usage: obench compare RUN_A RUN_B [--out DIR])"

static void compare_usage(FILE *f)
{
	fprintf(f, "usage: obench compare RUN_A RUN_B [--out DIR]\n\n"
		"Puts two runs side by side (two kernels, JIT hardening on/off, a patched kernel\n"
		"against a stock one, hardware against a VM).  For every row both runs measured:\n"
		"A's and B's median, the change B/A with a bootstrap 95 %% interval and a\n"
		"Mann-Whitney p; a change is significant only when its interval excludes 1.\n"
		"Rows without samples (older runs) show the median ratio only.  The paper's\n"
		"claims are judged on each run, side by side.\n\n"
		"Writes DIR/compare.md and DIR/figures/compare-<experiment>.svg/.png (B/A per row;\n"
		"needs gnuplot), prints a summary.  Default DIR: RUN_B.\n\n"
		"  --out DIR   where to write (created if missing)\n"
		"  --help      this text\n");
}

/* RUN_A, RUN_B and --out from the arguments; -1 with one line on stderr. */
static int parse_args(int argc, char **argv, const char **dir_a, const char **dir_b, const char **out)
{
	int i, npos = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc) {
			*out = argv[++i];
		} else if (!strncmp(argv[i], "--out=", 6) && argv[i][6]) {
			*out = argv[i] + 6;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "obench compare: unknown option '%s' " COMPARE_USAGE "\n", argv[i]);
			return -1;
		} else if (npos < 2) {
			*(npos++ ? dir_b : dir_a) = argv[i];
		} else {
			fprintf(stderr, "obench compare: too many arguments " COMPARE_USAGE "\n");
			return -1;
		}
	}
	if (npos < 2) {
		fprintf(stderr, "obench compare: give two run directories " COMPARE_USAGE "\n");
		return -1;
	}
	return 0;
}

/* Both runs loaded and the output directory there, or one line and EXIT_USAGE. */
static int load_both(const char *dir_a, const char *dir_b, const char *out, struct run_data *a,
		     struct run_data *b)
{
	char err[600];
	struct stat st;

	if (run_data_load(dir_a, a, err, sizeof(err)) || run_data_load(dir_b, b, err, sizeof(err))) {
		fprintf(stderr, "obench compare: %s\n", err);
		return EXIT_USAGE;
	}
	if (!stat(out, &st) && !S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	else if (!stat(out, &st) || !mkdir(out, 0755))
		return 0;
	fprintf(stderr, "obench compare: cannot use %s as the output directory: %s\n", out,
		strerror(errno));
	return EXIT_USAGE;
}

int cmd_compare(int argc, char **argv)
{
	const char *dir_a = NULL, *dir_b = NULL, *out = NULL;
	struct run_data a = { 0 }, b = { 0 };
	struct comparison c;
	int rc, i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return compare_usage(stdout), 0;
	if (parse_args(argc, argv, &dir_a, &dir_b, &out))
		return EXIT_USAGE;
	rc = load_both(dir_a, dir_b, out ? out : dir_b, &a, &b);
	if (!rc && compare_runs(&a, &b, &c))
		rc = 1;
	if (!rc) {
		int err = compare_write(&c, out ? out : dir_b);

		compare_summary(&c, stdout);
		if (err)
			fprintf(stderr, "obench compare: cannot write %s/compare.md: %s\n",
				out ? out : dir_b, strerror(-err));
		else
			printf("compare: %s/compare.md\n", out ? out : dir_b);
		rc = err ? 1 : 0;
		compare_free(&c);
	}
	run_data_free(&a);
	run_data_free(&b);
	return rc;
}
