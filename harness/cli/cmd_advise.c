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

#include "cli/commands.h"
#include "kv/advisor.h"
#include "core/options.h"
#include "core/results.h"


/* advise's flags */
struct advise_cfg {
	double omega;
	double rho;
	const char *from;
};

#define CFG(f) offsetof(struct advise_cfg, f)
static const struct opt_spec advise_opts[] = {
	{ "omega", OPT_DOUBLE, CFG(omega), .min = 0, .max = 1,
	  .help = "fraction of requests the fast path serves (default: the run's measured one)" },
	{ "rho", OPT_DOUBLE, CFG(rho), .min = 0, .max = 1e9,
	  .help = "eBPF program cost per request / cost per request without offload" },
	{ "from", OPT_STR, CFG(from),
	  .help = "a run directory holding kvcache.csv (default results/latest)" },
	OPT_END
};
#undef CFG

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
	struct advise_cfg cfg;
	struct opt_given given = { .specs = advise_opts };
	char err[512], path[4096], verdict[256];
	double omega = NAN, rho = NAN;
	bool help = false, has_omega, has_rho;
	int i, rc = EXIT_USAGE;

	opt_defaults(advise_opts, &cfg, PROFILE_DEFAULT);
	if (opt_parse_argv(advise_opts, &cfg, &given, argc, argv, "obench advise",
			   NULL, NULL, &help))
		return EXIT_USAGE;
	if (help) {
		advise_help();
		return 0;
	}
	has_omega = opt_was_given(&given, opt_find(advise_opts, "omega"));
	has_rho = opt_was_given(&given, opt_find(advise_opts, "rho"));
	if (has_rho && cfg.from) {
		fprintf(stderr, "obench advise: give --rho or --from, not both\n");
		return EXIT_USAGE;
	}
	if (has_omega)
		omega = cfg.omega;
	if (has_rho) {
		rho = cfg.rho;
		if (!has_omega) {
			fprintf(stderr, "obench advise: --rho needs --omega (a measured omega comes only with --from)\n");
			return EXIT_USAGE;
		}
	} else {
		struct result_set rs;

		snprintf(path, sizeof(path), "%s/kvcache.csv", cfg.from ? cfg.from : "results/latest");
		result_set_init(&rs, "kvcache");
		if (result_read_csv(path, &rs)) {
			fprintf(stderr, "obench advise: cannot read %s (run: obench run kvcache, or give --rho)\n", path);
			result_set_free(&rs);
			return EXIT_USAGE;
		}
		if (row_value(&rs, "rho", &rho, path, err, sizeof(err)) ||
		    (!has_omega && row_value(&rs, "omega_mixed", &omega, path, err, sizeof(err)))) {
			fprintf(stderr, "obench advise: %s\n", err);
			result_set_free(&rs);
			return EXIT_USAGE;
		}
		result_set_free(&rs);
	}
	i = advisor_verdict(omega, rho, verdict, sizeof(verdict));
	if (i < 0) {
		fprintf(stderr, "obench advise: %s\n", verdict);
		return rc;
	}
	printf("%s\n", verdict);
	return 0;
}
