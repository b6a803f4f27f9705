/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Result rows of one experiment and their CSV form.  One row per measured
 * configuration (tidy data): the figure obench prints, its spread, its unit,
 * the tier that produced it, or the reason it was skipped.
 */
#ifndef OBENCH_RESULTS_H
#define OBENCH_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/stats.h"

#define RESULT_TEXT 96
#define RESULT_NOTE 192

struct result_row {
	char config[RESULT_TEXT];	/* what was measured, e.g. "hash" */
	char metric[RESULT_TEXT];	/* e.g. "ns_per_lookup" */
	char unit[32];			/* e.g. "ns" */
	char tier[RESULT_TEXT];
	bool skipped;
	struct stats st;
	char note[RESULT_NOTE];		/* method note, or the skip reason */
	double *samples;		/* the st.n values st was computed from (NULL: not kept) */
};

struct result_set {
	char experiment[64];
	struct result_row *rows;
	size_t n, cap;
};

void result_set_init(struct result_set *rs, const char *experiment);
void result_set_free(struct result_set *rs);

struct result_row *result_add(struct result_set *rs, const char *config,
			      const char *metric, const char *unit,
			      const char *tier, const struct stats *st,
			      const char *note);
/* The same, keeping a copy of the @n samples @st summarises (for intervals). */
struct result_row *result_add_samples(struct result_set *rs, const char *config,
				      const char *metric, const char *unit,
				      const char *tier, const struct stats *st,
				      const char *note, const double *v, size_t n);
struct result_row *result_skip(struct result_set *rs, const char *config,
			       const char *metric, const char *reason);

const struct result_row *result_find(const struct result_set *rs,
				     const char *config, const char *metric);

/*
 * Writes DIR/<experiment>.csv atomically (temporary file + rename), and the
 * rows' samples to DIR/<experiment>.samples.csv (config,metric,index,value).
 */
int result_write_csv(const struct result_set *rs, const char *dir);
/*
 * Reads a CSV written by result_write_csv(): strictly (every field where it
 * belongs, numbers that are numbers).  -1 on a missing or malformed file,
 * with one line naming the file, the line and the problem in @err (if given).
 */
int result_read_csv(const char *path, struct result_set *rs);
int result_read_csv_err(const char *path, struct result_set *rs, char *err, size_t len);
/*
 * DIR/<experiment>.csv and, when present, its samples file: -ENOENT when the
 * CSV is missing, -EINVAL (and @err) when either file is malformed.
 */
int result_load(const char *dir, const char *experiment, struct result_set *rs,
		char *err, size_t len);

/* Writes @len bytes to @path atomically: @path.tmp, fsync, rename. */
int write_file_atomic(const char *path, const char *data, size_t len);

#endif
