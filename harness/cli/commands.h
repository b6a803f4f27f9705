/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The obench commands.  Each takes the command's own argc/argv (argv[0] is
 * the command name) and returns the process exit status: 0, 1 when the work
 * failed, 2 (EXIT_USAGE) on bad input, 130 when interrupted.
 */
#ifndef OBENCH_COMMANDS_H
#define OBENCH_COMMANDS_H

#define EXIT_USAGE 2

struct command {
	const char *name;
	const char *args;	/* argument synopsis for the usage text */
	const char *summary;
	int (*fn)(int argc, char **argv);
};

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_jit(int argc, char **argv);
int cmd_advise(int argc, char **argv);
/* hidden (not in the usage text): two-host mode's peer end, run over ssh */
int cmd_peer_agent(int argc, char **argv);

#endif
