// SPDX-License-Identifier: GPL-2.0
/* `obench run [ID...] [flags]`: the parsed command line handed to the runner. */
#include "cli/commands.h"
#include "cli/run_args.h"
#include "core/runner.h"
#include "core/testbed.h"

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct run_request req = { 0 };
	char kmod[4096];
	int rc = EXIT_USAGE;

	if (run_args_parse(&a, argc, argv))
		goto out;
	if (a.help) {
		run_args_help(&a);
		rc = 0;
		goto out;
	}
	if (require_bpf_privileges("obench run"))
		goto out;
	req.exps = a.exps;
	req.cfgs = (const void *const *)a.cfgs;
	req.n = a.n;
	req.profile = a.profile;
	req.repeat = a.run.repeat;
	req.out_base = testbed_results_dir() ? testbed_results_dir() : a.run.out;
	if (a.run.testbed && !testbed_inside()) {
		testbed_reexec(argc, argv, req.out_base, a.run.testbed_kernel);
		rc = 1;
		goto out;
	}
	req.report = !a.run.no_report;
	if (a.run.testbed_kernel) {
		snprintf(kmod, sizeof(kmod), "%s/obench_kmod.ko", a.run.testbed_kernel);
		req.kmod = kmod;
	}
	req.argc = argc;
	req.argv = argv;
	rc = runner_run(&req);
out:
	run_args_free(&a);
	return rc;
}
