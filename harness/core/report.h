/* SPDX-License-Identifier: GPL-2.0 */
/* report.md (and report.html) and the terminal summary, made from a run directory's files. */
#ifndef OBENCH_REPORT_H
#define OBENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct run_data;

/*
 * Writes RUN_DIR/report.md and report.html atomically.  0, -ENOENT (no
 * run.json), -EINVAL (a malformed file: one line in @err), or -errno.
 */
int report_write(const char *run_dir, char *err, size_t errlen);
int report_write_data(const struct run_data *rd);

/* @v for a table: "-" for NAN, 3 significant digits, no exponent for large values. */
void fmt_num(char *buf, size_t len, double v);

/* Each experiment's status and its claims' verdicts, for the terminal. */
int report_summary(const char *run_dir, FILE *out);

#endif
