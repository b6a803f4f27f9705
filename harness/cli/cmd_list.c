// SPDX-License-Identifier: GPL-2.0
/* `obench list`: every experiment, its paper artefact, tiers and summary. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/obench.h"

int cmd_list(int argc, char **argv)
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
