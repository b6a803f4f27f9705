// SPDX-License-Identifier: GPL-2.0
/* `obench jit`: the x86-64 disassembly of obench programs' JIT images. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpfutil.h"
#include "cli/commands.h"
#include "core/jit.h"
#include "core/runner.h"


static void jit_usage(FILE *f)
{
	fprintf(f,
		"usage: obench jit OBJECT[:PROG]   load <obench dir>/bpf/OBJECT.bpf.o (or a path to a .bpf.o)\n"
		"                                  and print each program's (or PROG's) JIT image\n"
		"       obench jit --id N          print the JIT image of loaded program N (bpftool prog list)\n\n"
		"x86-64 disassembly by capstone, with kernel addresses; programs are unloaded on exit.\n");
}

static int print_prog(int fd, const char *name)
{
	struct jit_code c;
	uint64_t addr = 0;
	void *img = NULL;
	size_t len = 0;
	int err;

	err = jit_prog_image(fd, &img, &len, &addr);
	if (err == -ENOENT) {
		fprintf(stderr, "obench jit: %s is not JIT-compiled (set sysctl net.core.bpf_jit_enable=1)\n", name);
		return 1;
	}
	if (err) {
		fprintf(stderr, "obench jit: cannot read the JIT image of %s: %s\n", name, strerror(-err));
		return 1;
	}
	err = jit_disasm(img, len, addr, &c);
	free(img);
	if (err) {
		fprintf(stderr, "obench jit: capstone cannot disassemble %s\n", name);
		return 1;
	}
	printf("%s: %zu bytes, %zu instructions\n", name, len, c.n);
	jit_print(stdout, &c);
	jit_code_free(&c);
	return 0;
}

static int jit_by_id(const char *arg)
{
	char *end, name[64];
	long id = strtol(arg ? arg : "", &end, 10);
	int fd, rc;

	if (!arg || !*arg || *end || id <= 0 || id > UINT_MAX) {
		fprintf(stderr, "obench jit: --id needs a program id, a positive integer (see bpftool prog list)\n");
		return EXIT_USAGE;
	}
	fd = bpf_prog_get_fd_by_id((__u32)id);
	if (fd < 0) {
		fprintf(stderr, "obench jit: no program with id %ld (see bpftool prog list): %s\n", id, strerror(errno));
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "prog id %ld", id);
	rc = print_prog(fd, name);
	close(fd);
	return rc;
}

/* <dir of /proc/self/exe>/bpf/@obj.bpf.o, or @obj itself when it is a path. */
static void object_path(const char *obj, char *path, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (strchr(obj, '/') || strstr(obj, ".bpf.o")) {
		snprintf(path, len, "%s", obj);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(path, len, "%s/bpf/%s.bpf.o", slash ? exe : ".", obj);
}

static int jit_object(const char *spec)
{
	char obj[256], path[PATH_MAX + 300], *prog_name;
	struct bpf_program *prog;
	struct bpf_object *o;
	int err, rc = 0, shown = 0;

	snprintf(obj, sizeof(obj), "%s", spec);
	prog_name = strchr(obj, ':');
	if (prog_name)
		*prog_name++ = '\0';
	object_path(obj, path, sizeof(path));
	if (access(path, R_OK)) {
		fprintf(stderr, "obench jit: %s not found (build it with make, or give a path to a .bpf.o)\n", path);
		return EXIT_USAGE;
	}
	o = bpf_object__open_file(path, NULL);
	if (!o) {
		fprintf(stderr, "obench jit: %s is not a BPF object: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (prog_name) {
		if (!bpf_object__find_program_by_name(o, prog_name)) {
			fprintf(stderr, "obench jit: %s has no program '%s' (try obench jit %s to list them)\n",
				path, prog_name, obj);
			bpf_object__close(o);
			return EXIT_USAGE;
		}
		bpf_object__for_each_program(prog, o)
			bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), prog_name));
	}
	err = bpf_object__load(o);
	if (err) {
		fprintf(stderr, "obench jit: the kernel rejected %s (%s); OBENCH_DEBUG=1 shows the verifier log\n",
			path, strerror(-err));
		bpf_object__close(o);
		return 1;
	}
	bpf_object__for_each_program(prog, o) {
		if (!bpf_program__autoload(prog))
			continue;
		if (shown++)
			printf("\n");
		rc |= print_prog(bpf_program__fd(prog), bpf_program__name(prog));
	}
	bpf_object__close(o);
	return rc;
}

int cmd_jit(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "obench jit: give an object (e.g. obench jit complexity:xdp_sum64) or --id N\n");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		jit_usage(stdout);
		return 0;
	}
	if (!strncmp(argv[1], "--id", 4) && (argv[1][4] == '\0' || argv[1][4] == '=')) {
		const char *val = argv[1][4] == '=' ? argv[1] + 5 : argc > 2 ? argv[2] : NULL;

		if (argc > (argv[1][4] == '=' ? 2 : 3)) {
			fprintf(stderr, "obench jit: too many arguments (usage: obench jit --id N)\n");
			return EXIT_USAGE;
		}
		if (require_bpf_privileges("obench jit"))
			return EXIT_USAGE;
		return jit_by_id(val);
	}
	if (argv[1][0] == '-' || argc > 2) {
		fprintf(stderr, "obench jit: unexpected argument '%s' (usage: obench jit OBJECT[:PROG] | --id N)\n",
			argv[argc > 2 ? 2 : 1]);
		return EXIT_USAGE;
	}
	if (require_bpf_privileges("obench jit"))
		return EXIT_USAGE;
	bpfutil_quiet_libbpf();
	return jit_object(argv[1]);
}
