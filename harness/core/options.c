// SPDX-License-Identifier: GPL-2.0
#include "core/options.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *default_of(const struct opt_spec *s, enum profile p)
{
	if (p == PROFILE_QUICK && s->quick)
		return s->quick;
	if (p == PROFILE_FULL && s->full)
		return s->full;
	return s->def;
}

static void clear_field(const struct opt_spec *s, void *cfg)
{
	void *f = opt_field(s, cfg);

	switch (s->type) {
	case OPT_BOOL: *(bool *)f = false; break;
	case OPT_INT: case OPT_ENUM: *(int *)f = 0; break;
	case OPT_LONG: *(long long *)f = 0; break;
	case OPT_DOUBLE: *(double *)f = 0; break;
	case OPT_STR: *(const char **)f = NULL; break;
	default: memset(f, 0, sizeof(struct opt_list)); break;
	}
}

void opt_defaults(const struct opt_spec *specs, void *cfg, enum profile profile)
{
	char err[256];

	for (; specs && specs->name; specs++) {
		const char *d = default_of(specs, profile);

		clear_field(specs, cfg);
		/* a default that does not parse is a bug in the table */
		if (d && opt_parse(specs, d, cfg, err, sizeof(err))) {
			fprintf(stderr, "obench: internal error: default of %s\n", err);
			abort();
		}
	}
}

const struct opt_spec *opt_find(const struct opt_spec *specs, const char *name)
{
	for (; specs && specs->name; specs++)
		if (!strcmp(specs->name, name))
			return specs;
	return NULL;
}

static bool has_range(const struct opt_spec *s)
{
	return s->min != 0 || s->max != 0;
}

static void choices_text(const struct opt_spec *s, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; s->choices && s->choices[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 s->choices[i]);
}

static int choice_index(const struct opt_spec *s, const char *text, size_t n)
{
	int i;

	for (i = 0; s->choices && s->choices[i]; i++)
		if (strlen(s->choices[i]) == n && !strncmp(s->choices[i], text, n))
			return i;
	return -1;
}

/* One number: decimal only, the whole text, finite, in range. */
static int parse_number(const struct opt_spec *s, const char *text, size_t n,
			bool whole, double *out, char *err, size_t errlen)
{
	char buf[64], *end;
	double d;

	if (n == 0 || n >= sizeof(buf))
		goto bad;
	memcpy(buf, text, n);
	buf[n] = '\0';
	/* strtod would take hex, inf and nan: only digits, sign, point, exponent */
	if (strspn(buf, "+-0123456789.eE") != n)
		goto bad;
	errno = 0;
	if (whole) {
		long long v = strtoll(buf, &end, 10);

		d = (double)v;
	} else {
		d = strtod(buf, &end);
	}
	if (*end || errno || !isfinite(d))
		goto bad;
	if (has_range(s) && (d < s->min || d > s->max)) {
		snprintf(err, errlen, "--%s: %s is out of range: use a value in [%g, %g]",
			 s->name, buf, s->min, s->max);
		return -1;
	}
	*out = d;
	return 0;
bad:
	snprintf(err, errlen, "--%s expects %s, got '%.*s' (e.g. --%s=%s)", s->name,
		 whole ? "a whole number" : "a number", (int)n, text, s->name,
		 s->def ? s->def : has_range(s) ? "1" : "N");
	return -1;
}

static int parse_list(const struct opt_spec *s, const char *text, struct opt_list *l,
		      char *err, size_t errlen)
{
	const char *p = text;

	l->n = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (l->n == OPT_LIST_MAX) {
			snprintf(err, errlen, "--%s takes at most %d values", s->name, OPT_LIST_MAX);
			return -1;
		}
		if (s->type == OPT_ENUM_LIST) {
			int c = choice_index(s, p, n);
			char ch[256];

			if (c < 0) {
				choices_text(s, ch, sizeof(ch));
				snprintf(err, errlen, "--%s: unknown value '%.*s' (choose from %s)",
					 s->name, (int)n, p, ch);
				return -1;
			}
			l->v[l->n++] = c;
		} else if (parse_number(s, p, n, s->type == OPT_INT_LIST, &l->v[l->n++],
					err, errlen)) {
			return -1;
		}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int opt_parse(const struct opt_spec *s, const char *text, void *cfg,
	      char *err, size_t errlen)
{
	void *f = opt_field(s, cfg);
	struct opt_list l;
	char ch[256];
	double d;
	int c;

	if (!text)
		text = "";
	switch (s->type) {
	case OPT_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "1"))
			*(bool *)f = true;
		else if (!strcmp(text, "false") || !strcmp(text, "0"))
			*(bool *)f = false;
		else
			return snprintf(err, errlen, "--%s expects true or false, got '%s'",
					s->name, text), -1;
		return 0;
	case OPT_STR:
		if (!*text)
			return snprintf(err, errlen, "--%s needs a value, e.g. --%s=%s", s->name,
					s->name, s->def ? s->def : "VALUE"), -1;
		*(const char **)f = text;
		return 0;
	case OPT_ENUM:
		c = choice_index(s, text, strlen(text));
		if (c < 0) {
			choices_text(s, ch, sizeof(ch));
			return snprintf(err, errlen, "--%s: unknown value '%s' (choose from %s)",
					s->name, text, ch), -1;
		}
		*(int *)f = c;
		return 0;
	case OPT_INT:
	case OPT_LONG:
	case OPT_DOUBLE:
		if (parse_number(s, text, strlen(text), s->type != OPT_DOUBLE, &d, err, errlen))
			return -1;
		if (s->type == OPT_INT)
			*(int *)f = (int)d;
		else if (s->type == OPT_LONG)
			*(long long *)f = strtoll(text, NULL, 10);
		else
			*(double *)f = d;
		return 0;
	default:
		if (parse_list(s, text, &l, err, errlen))
			return -1;
		memcpy(f, &l, sizeof(l));
		return 0;
	}
}

void opt_format(const struct opt_spec *s, const void *cfg, char *buf, size_t len)
{
	const void *f = (const char *)cfg + s->off;
	const struct opt_list *l = f;
	size_t used = 0;
	int i;

	buf[0] = '\0';
	switch (s->type) {
	case OPT_BOOL: snprintf(buf, len, "%s", *(const bool *)f ? "true" : "false"); break;
	case OPT_INT: snprintf(buf, len, "%d", *(const int *)f); break;
	case OPT_LONG: snprintf(buf, len, "%lld", *(const long long *)f); break;
	case OPT_DOUBLE: snprintf(buf, len, "%g", *(const double *)f); break;
	case OPT_STR: snprintf(buf, len, "%s", *(const char *const *)f ? *(const char *const *)f : ""); break;
	case OPT_ENUM: snprintf(buf, len, "%s", s->choices[*(const int *)f]); break;
	default:
		for (i = 0; i < l->n && used < len; i++)
			used += (size_t)(s->type == OPT_ENUM_LIST ?
				snprintf(buf + used, len - used, "%s%s", i ? "," : "",
					 s->choices[(int)l->v[i]]) :
				snprintf(buf + used, len - used, "%s%g", i ? "," : "", l->v[i]));
	}
}

void opt_mark_given(struct opt_given *g, const struct opt_spec *spec)
{
	g->mask |= 1ULL << (spec - g->specs);
}

bool opt_was_given(const struct opt_given *g, const struct opt_spec *spec)
{
	return g && g->specs && (g->mask >> (spec - g->specs)) & 1;
}

static const char *value_word(const struct opt_spec *s)
{
	switch (s->type) {
	case OPT_INT: case OPT_LONG: return "N";
	case OPT_DOUBLE: return "X";
	case OPT_INT_LIST: return "N,N,..";
	case OPT_DOUBLE_LIST: return "X,X,..";
	case OPT_ENUM_LIST: return "A,B,..";
	default: return "STR";
	}
}

void opt_print_help(FILE *f, const struct opt_spec *specs, const char *indent)
{
	char left[64], ch[256];

	for (; specs && specs->name; specs++) {
		if (specs->type == OPT_BOOL)
			snprintf(left, sizeof(left), "--%s", specs->name);
		else
			snprintf(left, sizeof(left), "--%s=%s", specs->name,
				 specs->type == OPT_ENUM ? "WORD" : value_word(specs));
		fprintf(f, "%s%-26s %s", indent, left, specs->help);
		if (specs->choices) {
			choices_text(specs, ch, sizeof(ch));
			fprintf(f, " [%s]", ch);
		}
		if (specs->def && (specs->type != OPT_BOOL || strcmp(specs->def, "false"))) {
			fprintf(f, " (default %s", specs->def);
			if (specs->quick)
				fprintf(f, ", --quick %s", specs->quick);
			if (specs->full)
				fprintf(f, ", --full %s", specs->full);
			fputc(')', f);
		}
		fputc('\n', f);
	}
}

const char *opt_split(const char *arg, char *name, size_t len)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg) - 2;

	if (n >= len)
		n = len - 1;
	memcpy(name, arg + 2, n);
	name[n] = '\0';
	return eq ? eq + 1 : NULL;
}

int opt_parse_argv(const struct opt_spec *specs, void *cfg, struct opt_given *given,
		   int argc, char **argv, const char *cmd,
		   int (*positional)(const char *arg, void *ctx), void *ctx, bool *help)
{
	char name[64], err[320];
	int i;

	for (i = 1; i < argc; i++) {
		const struct opt_spec *s;
		const char *val;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			*help = true;
			continue;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			if (positional && !positional(argv[i], ctx))
				continue;
			if (!positional)
				fprintf(stderr, "%s: unexpected argument '%s' (see %s --help)\n",
					cmd, argv[i], cmd);
			return -1;
		}
		if (argv[i][1] != '-') {
			fprintf(stderr, "%s: unknown option '%s' (flags are --name=value; see %s --help)\n",
				cmd, argv[i], cmd);
			return -1;
		}
		val = opt_split(argv[i], name, sizeof(name));
		s = opt_find(specs, name);
		if (!s) {
			fprintf(stderr, "%s: unknown flag --%s (see %s --help)\n", cmd, name, cmd);
			return -1;
		}
		if (!val)
			val = s->type == OPT_BOOL ? "true" : i + 1 < argc ? argv[++i] : "";
		if (opt_parse(s, val, cfg, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			return -1;
		}
		if (given)
			opt_mark_given(given, s);
	}
	return 0;
}
