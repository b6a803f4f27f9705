// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the `obench run` command line and the option parser.
 * The input is argv, one argument per line.  Nothing may crash, leak or
 * trip a sanitizer, whatever the arguments; bad ones are refused with one
 * line (run.sh closes the target's stdout and stderr: -close_fd_mask=3).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/run_args.h"

#define MAX_ARGS 32

/* Every option type, for opt_parse_argv(). */
struct all_types {
	bool b;
	int i;
	long long l;
	double d;
	const char *s;
	int e;
	struct opt_list il, dl, el;
};

#define CFG(f) offsetof(struct all_types, f)
static const struct opt_spec all_opts[] = {
	{ "b", OPT_BOOL, CFG(b), .help = "" },
	{ "i", OPT_INT, CFG(i), .def = "3", .min = -5, .max = 1000 },
	{ "l", OPT_LONG, CFG(l), .min = 0, .max = 1e15 },
	{ "d", OPT_DOUBLE, CFG(d), .def = "0.5", .quick = "0.1", .min = 0, .max = 60 },
	{ "s", OPT_STR, CFG(s), .help = "" },
	{ "e", OPT_ENUM, CFG(e), .def = "a", .choices = (const char *const[]){ "a", "bb", NULL } },
	{ "il", OPT_INT_LIST, CFG(il), .def = "1,2", .min = 1, .max = 4000000 },
	{ "dl", OPT_DOUBLE_LIST, CFG(dl), .min = 0, .max = 5 },
	{ "el", OPT_ENUM_LIST, CFG(el), .choices = (const char *const[]){ "x", "y", "z", NULL } },
	OPT_END
};
#undef CFG

static int take_positional(const char *arg, void *ctx)
{
	(void)ctx;
	return arg[0] == 'x' ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2], *p;
	struct all_types cfg;
	struct opt_given given = { .specs = all_opts };
	struct run_args a;
	int argc = 1;
	bool help = false;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[0] = "run";
	for (p = buf; argc <= MAX_ARGS && p <= buf + size; ) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		argv[argc++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	argv[argc] = NULL;
	if (run_args_parse(&a, argc, argv) == 0 && a.help)
		run_args_help(&a);
	run_args_free(&a);
	opt_defaults(all_opts, &cfg, PROFILE_QUICK);
	opt_parse_argv(all_opts, &cfg, &given, argc, argv, "fuzz", take_positional, NULL, &help);
	free(buf);
	return 0;
}
