// SPDX-License-Identifier: GPL-2.0
/* obench: the command table, which also writes the usage text. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const struct command commands[] = {
	{ "list", "", "the experiments, their paper artefact and tiers", cmd_list },
	{ "run", "[ID...] [flags]", "run experiments (none given: the default suite)", cmd_run },
	{ "report", "[DIR]", "write DIR/report.md and report.html (default results/latest)", cmd_report },
	{ "compare", "RUN_A RUN_B [--out DIR]", "two runs side by side: what changed, and is it significant", cmd_compare },
	{ "cleanup", "", "remove what a killed run left behind", cmd_cleanup },
	{ "jit", "OBJECT[:PROG] | --id N", "print the x86-64 disassembly of programs' JIT images", cmd_jit },
	{ "advise", "[--omega W] [--rho R | --from DIR]", "does a fast-path offload pay? (§3.2)", cmd_advise },
	{ 0 }
};

static void usage(FILE *f)
{
	const struct command *c;
	char left[64];

	fprintf(f, "usage: obench <command> [args]\n\n");
	for (c = commands; c->name; c++) {
		snprintf(left, sizeof(left), "%s %s", c->name, c->args);
		fprintf(f, "  %-42s %s\n", left, c->summary);
	}
	fprintf(f, "\nEach command takes --help.  Results go to results/<UTC timestamp>/.\n");
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "peer-agent"))
		return cmd_peer_agent(argc - 1, argv + 1);
	for (c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "obench: unknown command '%s' (try obench --help)\n", argv[1]);
	return EXIT_USAGE;
}
