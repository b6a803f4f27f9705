/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarative command-line flags: every flag is declared once (name, type,
 * default, range, help) and the same table drives parsing, validation and
 * --help, for the global flags and for each experiment's own flags.
 */
#ifndef OBENCH_OPTIONS_H
#define OBENCH_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum opt_type { OPT_BOOL, OPT_INT, OPT_DOUBLE, OPT_STR };

struct opt_spec {
	const char *name;	/* without the leading "--" */
	enum opt_type type;
	const char *def;	/* default value as text (NULL: unset) */
	double min, max;	/* range for OPT_INT / OPT_DOUBLE */
	const char *help;
};

#define OPT_END { .name = NULL }

/* The values given for one table (or the defaults). */
struct opt_values {
	const struct opt_spec *specs;
	const char **val;	/* one per spec, NULL if unset */
	int n;
};

int opt_values_init(struct opt_values *ov, const struct opt_spec *specs);
void opt_values_free(struct opt_values *ov);

const struct opt_spec *opt_find(const struct opt_spec *specs, const char *name);

/*
 * Checks @text against @spec's type and range.  On error writes a one-line
 * message (naming the fix) into @err and returns -1.
 */
int opt_validate(const struct opt_spec *spec, const char *text, char *err,
		 size_t errlen);

/* Sets a value already validated; @text must outlive @ov. */
int opt_set(struct opt_values *ov, const char *name, const char *text);

long long opt_int(const struct opt_values *ov, const char *name);
double opt_double(const struct opt_values *ov, const char *name);
const char *opt_str(const struct opt_values *ov, const char *name);
bool opt_bool(const struct opt_values *ov, const char *name);
bool opt_given(const struct opt_values *ov, const char *name);

void opt_print_help(FILE *f, const struct opt_spec *specs, const char *indent);

#endif
