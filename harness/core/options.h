/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed, declarative command-line flags (the shape of xdp-tools' params.h).
 * Every flag is declared once in a table: its name, its type, where it lives
 * in the owner's config struct (offsetof), its default per profile, its
 * range or choices, and its help.  The same table fills the config with the
 * defaults, parses and validates every value given on the command line
 * (before anything is created), prints --help and writes the parameters into
 * run.json.
 */
#ifndef OBENCH_OPTIONS_H
#define OBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The sample-count profiles of `obench run`: --quick, default, --full. */
enum profile { PROFILE_QUICK, PROFILE_DEFAULT, PROFILE_FULL, NR_PROFILES };

enum opt_type {
	OPT_BOOL,		/* bool */
	OPT_INT,		/* int, decimal only ("010" is ten) */
	OPT_LONG,		/* long long, decimal only */
	OPT_DOUBLE,		/* double */
	OPT_STR,		/* const char *, points into argv or the table */
	OPT_ENUM,		/* int: index into .choices */
	OPT_INT_LIST,		/* struct opt_list of whole numbers, comma-separated */
	OPT_DOUBLE_LIST,	/* struct opt_list of numbers, comma-separated */
	OPT_ENUM_LIST,		/* struct opt_list of indexes into .choices */
};

#define OPT_LIST_MAX	32

/* A comma-separated list flag, in the order given. */
struct opt_list {
	int n;
	double v[OPT_LIST_MAX];
};

struct opt_spec {
	const char *name;		/* without the leading "--" */
	enum opt_type type;
	size_t off;			/* offsetof() the field in the config struct */
	/*
	 * Default as text, and the --quick / --full ones where they differ
	 * (NULL: same as .def).  No default at all leaves the field zero,
	 * which the owner reads as "derive it" (the help says from what).
	 */
	const char *def, *quick, *full;
	double min, max;		/* range of numbers and list elements (both 0: none) */
	const char *const *choices;	/* OPT_ENUM / OPT_ENUM_LIST: NULL-terminated */
	const char *help;
};

#define OPT_END { .name = NULL }

/* The values a config was given on the command line, for run.json and "given" checks. */
struct opt_given {
	const struct opt_spec *specs;
	unsigned long long mask;	/* bit i: specs[i] was given */
};

/* Sets every field of @cfg to its default for @profile (zero where none). */
void opt_defaults(const struct opt_spec *specs, void *cfg, enum profile profile);

const struct opt_spec *opt_find(const struct opt_spec *specs, const char *name);

/*
 * Parses @text as @spec's type, checks range and choices, and stores it in
 * @cfg.  On error writes one line that names the fix into @err and returns
 * -1; @cfg is then unchanged.
 */
int opt_parse(const struct opt_spec *spec, const char *text, void *cfg,
	      char *err, size_t errlen);

/* The field's value as text (as a user would write it), for run.json and help. */
void opt_format(const struct opt_spec *spec, const void *cfg, char *buf, size_t len);

/* Marks @spec as given in @g; true if it was given. */
void opt_mark_given(struct opt_given *g, const struct opt_spec *spec);
bool opt_was_given(const struct opt_given *g, const struct opt_spec *spec);

void opt_print_help(FILE *f, const struct opt_spec *specs, const char *indent);

/* The field a spec describes. */
static inline void *opt_field(const struct opt_spec *spec, void *cfg)
{
	return (char *)cfg + spec->off;
}

/* Choice names, e.g. for a config's enum field. */
static inline const char *opt_choice(const struct opt_spec *spec, int index)
{
	return spec->choices[index];
}

/*
 * Parses a whole command line of --name=value / --name value flags against
 * one table (`obench advise`, `obench jit`): bad input gets one line on
 * stderr prefixed with @cmd and -1.  Positional arguments are handed to
 * @positional (NULL: none accepted); "--help" sets *help.
 */
int opt_parse_argv(const struct opt_spec *specs, void *cfg, struct opt_given *given,
		   int argc, char **argv, const char *cmd,
		   int (*positional)(const char *arg, void *ctx), void *ctx, bool *help);

/* "--name=value" or "--name": copies the name into @name and returns the value or NULL. */
const char *opt_split(const char *arg, char *name, size_t len);

#endif
