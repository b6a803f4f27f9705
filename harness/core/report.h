/* SPDX-License-Identifier: GPL-2.0 */
/* report.md and the terminal summary, both made from a run directory's files. */
#ifndef OBENCH_REPORT_H
#define OBENCH_REPORT_H

#include <stdio.h>

/* Writes RUN_DIR/report.md atomically.  0 on success, negative errno otherwise. */
int report_write(const char *run_dir);

/* A compact summary of RUN_DIR for the terminal. */
int report_summary(const char *run_dir, FILE *out);

#endif
