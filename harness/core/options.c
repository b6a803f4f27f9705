// SPDX-License-Identifier: GPL-2.0
#include "core/options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int spec_count(const struct opt_spec *specs)
{
	int n = 0;

	while (specs && specs[n].name)
		n++;
	return n;
}

int opt_values_init(struct opt_values *ov, const struct opt_spec *specs)
{
	int i;

	ov->specs = specs;
	ov->n = spec_count(specs);
	ov->val = calloc(ov->n ? ov->n : 1, sizeof(*ov->val));
	if (!ov->val)
		return -ENOMEM;
	for (i = 0; i < ov->n; i++)
		ov->val[i] = specs[i].def;
	return 0;
}

void opt_values_free(struct opt_values *ov)
{
	free(ov->val);
	ov->val = NULL;
	ov->n = 0;
}

const struct opt_spec *opt_find(const struct opt_spec *specs, const char *name)
{
	for (; specs && specs->name; specs++)
		if (!strcmp(specs->name, name))
			return specs;
	return NULL;
}

static const char *type_word(enum opt_type t)
{
	switch (t) {
	case OPT_BOOL: return "true or false";
	case OPT_INT: return "an integer";
	case OPT_DOUBLE: return "a number";
	default: return "a string";
	}
}

int opt_validate(const struct opt_spec *spec, const char *text, char *err,
		 size_t errlen)
{
	char *end;
	double d;

	if (spec->type == OPT_STR)
		return text && *text ? 0 : (snprintf(err, errlen,
			"--%s needs a value, e.g. --%s=%s", spec->name,
			spec->name, spec->def ? spec->def : "VALUE"), -1);
	if (spec->type == OPT_BOOL) {
		if (!strcmp(text, "true") || !strcmp(text, "false") ||
		    !strcmp(text, "1") || !strcmp(text, "0"))
			return 0;
		snprintf(err, errlen, "--%s expects true or false, got '%s'",
			 spec->name, text);
		return -1;
	}
	errno = 0;
	if (spec->type == OPT_INT)
		d = (double)strtoll(text, &end, 0);
	else
		d = strtod(text, &end);
	if (!*text || *end || errno || isnan(d)) {
		snprintf(err, errlen, "--%s expects %s, got '%s' (try --%s=%s)",
			 spec->name, type_word(spec->type), text, spec->name,
			 spec->def ? spec->def : "N");
		return -1;
	}
	if ((spec->min != 0 || spec->max != 0) && (d < spec->min || d > spec->max)) {
		snprintf(err, errlen, "--%s=%s is out of range: use a value in [%g, %g]",
			 spec->name, text, spec->min, spec->max);
		return -1;
	}
	return 0;
}

static int index_of(const struct opt_values *ov, const char *name)
{
	int i;

	for (i = 0; i < ov->n; i++)
		if (!strcmp(ov->specs[i].name, name))
			return i;
	return -1;
}

int opt_set(struct opt_values *ov, const char *name, const char *text)
{
	int i = index_of(ov, name);

	if (i < 0)
		return -ENOENT;
	ov->val[i] = text;
	return 0;
}

static const char *value_of(const struct opt_values *ov, const char *name)
{
	int i = index_of(ov, name);

	if (i < 0) {
		/* A programming error: an experiment asked for a flag it never declared. */
		fprintf(stderr, "obench: internal error: undeclared flag --%s\n", name);
		abort();
	}
	return ov->val[i];
}

long long opt_int(const struct opt_values *ov, const char *name)
{
	const char *v = value_of(ov, name);

	return v ? strtoll(v, NULL, 0) : 0;
}

double opt_double(const struct opt_values *ov, const char *name)
{
	const char *v = value_of(ov, name);

	return v ? strtod(v, NULL) : 0;
}

const char *opt_str(const struct opt_values *ov, const char *name)
{
	return value_of(ov, name);
}

bool opt_bool(const struct opt_values *ov, const char *name)
{
	const char *v = value_of(ov, name);

	return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

bool opt_given(const struct opt_values *ov, const char *name)
{
	int i = index_of(ov, name);

	return i >= 0 && ov->val[i] != ov->specs[i].def;
}

void opt_print_help(FILE *f, const struct opt_spec *specs, const char *indent)
{
	char left[64];

	for (; specs && specs->name; specs++) {
		if (specs->type == OPT_BOOL)
			snprintf(left, sizeof(left), "--%s", specs->name);
		else
			snprintf(left, sizeof(left), "--%s=%s", specs->name,
				 specs->type == OPT_STR ? "STR" :
				 specs->type == OPT_INT ? "N" : "X");
		fprintf(f, "%s%-26s %s", indent, left, specs->help);
		if (specs->def && specs->type != OPT_BOOL)
			fprintf(f, " (default %s)", specs->def);
		fputc('\n', f);
	}
}
