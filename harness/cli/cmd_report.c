// SPDX-License-Identifier: GPL-2.0
/* `obench report [DIR]`: rewrites DIR/report.md from the run's files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/report.h"

int cmd_report(int argc, char **argv)
{
	const char *dir = "results/latest";
	char why[512];
	int err;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: obench report [DIR]\n\nWrites DIR/report.md and report.html from DIR's run.json and CSV files\n"
		       "(default DIR: results/latest) and prints a summary.\n");
		return 0;
	}
	if (argc > 2) {
		fprintf(stderr, "obench report: too many arguments (usage: obench report [DIR])\n");
		return EXIT_USAGE;
	}
	if (argc == 2)
		dir = argv[1];
	if (dir[0] == '-') {
		fprintf(stderr, "obench report: unknown option '%s' (usage: obench report [DIR])\n", dir);
		return EXIT_USAGE;
	}
	err = report_write(dir, why, sizeof(why));
	if (err == -ENOENT || err == -EINVAL) {
		fprintf(stderr, "obench report: %s\n", why);
		return EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "obench report: cannot write %s/report.md: %s\n", dir, strerror(-err));
		return 1;
	}
	return report_summary(dir, stdout) ? 1 : 0;
}
