// SPDX-License-Identifier: GPL-2.0
#include "core/testbed.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

bool testbed_inside(void)
{
	return getenv("VMRUN") != NULL;
}

const char *testbed_tier(void)
{
	return testbed_inside() ? TIER_TESTBED : TIER_HOST;
}

const char *testbed_results_dir(void)
{
	return testbed_inside() ? getenv("VMRUN_RESULTS") : NULL;
}

/* The source tree this binary was built in: <tree>/build/obench. */
static int tree_path(char *out, size_t len, const char *rel)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	snprintf(out, len, "%s/../%s", self, rel);
	return 0;
}

int testbed_load_module(const char *ko)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (access("/sys/module/obench_kmod", F_OK) == 0)
		return 0;
	if (ko)
		snprintf(path, sizeof(path), "%s", ko);
	else if (tree_path(path, sizeof(path), "kmod/obench_kmod.ko"))
		return -ENOENT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "obench: %s not built (run make kmod): the module rows will be skipped\n",
			path);
		return -errno;
	}
	if (syscall(SYS_finit_module, fd, "", 0)) {
		err = -errno;
		fprintf(stderr, "obench: cannot load %s: %s\n", path, strerror(errno));
	}
	close(fd);
	return err;
}

int testbed_reexec(int argc, char **argv, const char *out_base, const char *kernel_dir)
{
	char vmrun[PATH_MAX], self[PATH_MAX], kdir[PATH_MAX], kflag[PATH_MAX + 20], image[PATH_MAX + 16];
	char **args = calloc((size_t)argc + 10, sizeof(*args));
	int i, n = 0;
	ssize_t len;

	if (!args)
		return -ENOMEM;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0 || tree_path(vmrun, sizeof(vmrun), "testbed/vmrun")) {
		free(args);
		return -ENOENT;
	}
	self[len] = '\0';
	/* vmrun boots $KERNEL; the VM sees the host's root, so an absolute DIR works in there too */
	if (kernel_dir) {
		if (!realpath(kernel_dir, kdir)) {
			fprintf(stderr, "obench: --testbed-kernel %s: %s\n", kernel_dir, strerror(errno));
			free(args);
			return -errno;
		}
		snprintf(image, sizeof(image), "%s/bzImage", kdir);
		setenv("KERNEL", image, 1);
	}
	args[n++] = vmrun;
	args[n++] = "--timeout";
	args[n++] = "3600";
	args[n++] = "--results";
	args[n++] = (char *)out_base;
	args[n++] = "--";
	args[n++] = self;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--testbed") || !strcmp(argv[i], "--testbed=true"))
			continue;
		if (!strcmp(argv[i], "--out")) {	/* the VM writes to the results share */
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--out=", 6))
			continue;
		if (!strcmp(argv[i], "--testbed-kernel")) {
			i++;
			continue;
		}
		if (!strncmp(argv[i], "--testbed-kernel=", 17))
			continue;
		args[n++] = argv[i];
	}
	if (kernel_dir) {
		snprintf(kflag, sizeof(kflag), "--testbed-kernel=%s", kdir);
		args[n++] = kflag;
	}
	args[n] = NULL;
	fprintf(stderr, "obench: running inside the testbed VM (%s)\n", vmrun);
	execv(vmrun, args);
	fprintf(stderr, "obench: cannot start %s: %s (is the source tree complete?)\n",
		vmrun, strerror(errno));
	free(args);
	return -errno;
}
