// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: what `obench report` and `obench compare` read -- a run
 * directory's run.json, an experiment's CSV and its samples file.  The
 * input holds the three files separated by lines "--8<--".  Whatever they
 * hold, reading them and judging the paper's claims on them must not crash
 * or trip a sanitizer: a malformed file is refused with a reason.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/paper.h"
#include "core/report.h"
#include "core/run_data.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/obench-fuzz-results-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	return 0;
}

static void put(const char *name, const uint8_t *data, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, len, f);
	fclose(f);
}

/* The next part of @data up to a "\n--8<--\n" separator. */
static size_t part(const uint8_t *data, size_t size, size_t *next)
{
	static const char sep[] = "\n--8<--\n";
	size_t i;

	for (i = 0; i + sizeof(sep) - 1 <= size; i++)
		if (!memcmp(data + i, sep, sizeof(sep) - 1)) {
			*next = i + sizeof(sep) - 1;
			return i;
		}
	*next = size;
	return size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[] = { "run.json", "map-access.csv", "map-access.samples.csv" };
	const struct claim *c;
	struct run_data rd;
	struct judgement j;
	char err[512];
	size_t off = 0, next;
	int i;

	for (i = 0; i < 3; i++) {
		size_t len = part(data + off, size - off, &next);

		put(names[i], data + off, len);
		off += next;
	}
	if (run_data_load(dir, &rd, err, sizeof(err)) == 0)
		for (c = paper_claims; c->experiment; c++)
			run_data_judge(&rd, c, &j);
	run_data_free(&rd);
	return 0;
}
