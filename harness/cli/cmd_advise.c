// SPDX-License-Identifier: GPL-2.0
/*
 * `obench advise --omega W [--rho R | --from DIR]`: the §3.2 verdict for a
 * fast-path fraction.  rho comes from the flag or from a kvcache run's
 * results (DIR/kvcache.csv, row "rho"; default results/latest); without
 * --omega the run's measured fast-path fraction (row "omega_mixed") is used.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv/advisor.h"
#include "core/options.h"
#include "core/results.h"

#define EXIT_USAGE 2

static const struct opt_spec advise_opts[] = {
	{ "omega", OPT_DOUBLE, NULL, 0, 1, "fraction of requests the fast path serves (default: the run's measured one)" },
	{ "rho", OPT_DOUBLE, NULL, 0, 1e9, "eBPF program cost per request / cost per request without offload" },
	{ "from", OPT_STR, NULL, 0, 0, "a run directory holding kvcache.csv (default results/latest)" },
	OPT_END
};

static void advise_help(void)
{
	printf("usage: obench advise [--omega W] [--rho R | --from DIR]\n\n"
	       "Prints whether offloading the fast path pays (paper §3.2: it does when rho < omega).\n"
	       "Without --rho, rho (and, without --omega, the measured omega) come from DIR/kvcache.csv\n"
	       "of `obench run kvcache` (default DIR: results/latest).\n\nFlags:\n");
	opt_print_help(stdout, advise_opts, "  ");
}

/* The median of row @config of a kvcache result set; 0 or a one-line error in @err. */
static int row_value(const struct result_set *rs, const char *config, double *v,
		     const char *path, char *err, size_t len)
{
	const struct result_row *r = result_find(rs, config, "fraction");

	if (!r) {
		snprintf(err, len, "%s has no '%s' row (run: obench run kvcache)", path, config);
		return -1;
	}
	if (r->skipped || !isfinite(r->st.median)) {
		snprintf(err, len, "%s: '%s' was not measured (%s)", path, config, r->note);
		return -1;
	}
	*v = r->st.median;
	return 0;
}

int cmd_advise(int argc, char **argv)
{
	struct opt_values ov;
	char err[512], path[4096], verdict[256];
	double omega = NAN, rho = NAN;
	const char *from;
	int i, rc = EXIT_USAGE;

	opt_values_init(&ov, advise_opts);
	for (i = 1; i < argc; i++) {
		const struct opt_spec *s;
		const char *eq, *val;
		char name[64];
		size_t n;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			advise_help();
			rc = 0;
			goto out;
		}
		if (strncmp(argv[i], "--", 2)) {
			fprintf(stderr, "obench advise: unexpected argument '%s' (see obench advise --help)\n", argv[i]);
			goto out;
		}
		eq = strchr(argv[i], '=');
		n = eq ? (size_t)(eq - argv[i] - 2) : strlen(argv[i] + 2);
		snprintf(name, sizeof(name), "%.*s", (int)(n < sizeof(name) ? n : sizeof(name) - 1), argv[i] + 2);
		s = opt_find(advise_opts, name);
		if (!s) {
			fprintf(stderr, "obench advise: unknown flag --%s (see obench advise --help)\n", name);
			goto out;
		}
		val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : "");
		if (opt_validate(s, val, err, sizeof(err))) {
			fprintf(stderr, "obench advise: %s\n", err);
			goto out;
		}
		opt_set(&ov, name, val);
	}
	if (opt_given(&ov, "rho") && opt_given(&ov, "from")) {
		fprintf(stderr, "obench advise: give --rho or --from, not both\n");
		goto out;
	}
	if (opt_given(&ov, "omega"))
		omega = opt_double(&ov, "omega");
	if (opt_given(&ov, "rho")) {
		rho = opt_double(&ov, "rho");
		if (!opt_given(&ov, "omega")) {
			fprintf(stderr, "obench advise: --rho needs --omega (a measured omega comes only with --from)\n");
			goto out;
		}
	} else {
		struct result_set rs;

		from = opt_given(&ov, "from") ? opt_str(&ov, "from") : "results/latest";
		snprintf(path, sizeof(path), "%s/kvcache.csv", from);
		result_set_init(&rs, "kvcache");
		if (result_read_csv(path, &rs)) {
			fprintf(stderr, "obench advise: cannot read %s (run: obench run kvcache, or give --rho)\n", path);
			result_set_free(&rs);
			goto out;
		}
		if (row_value(&rs, "rho", &rho, path, err, sizeof(err)) ||
		    (!opt_given(&ov, "omega") && row_value(&rs, "omega_mixed", &omega, path, err, sizeof(err)))) {
			fprintf(stderr, "obench advise: %s\n", err);
			result_set_free(&rs);
			goto out;
		}
		result_set_free(&rs);
	}
	i = advisor_verdict(omega, rho, verdict, sizeof(verdict));
	if (i < 0) {
		fprintf(stderr, "obench advise: %s\n", verdict);
		goto out;
	}
	printf("%s\n", verdict);
	rc = 0;
out:
	opt_values_free(&ov);
	return rc;
}
