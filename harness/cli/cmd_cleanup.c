// SPDX-License-Identifier: GPL-2.0
/* `obench cleanup`: removes what a killed run left behind. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/obench.h"
#include "core/runner.h"

int cmd_cleanup(int argc, char **argv)
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
