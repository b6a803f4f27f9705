/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnuplot, driven safely: a figure is one script file holding its data
 * (inline data blocks) and its commands, kept beside the images so a reader
 * can rerun or restyle it.  gnuplot runs through spawn_exec with the output
 * paths as script arguments (ARG1, ARG2), never through a shell, and every
 * string that reaches the script from a run's files goes through
 * plot_quote(): a config name cannot inject commands.
 */
#ifndef OBENCH_PLOT_H
#define OBENCH_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct plot {
	FILE *data, *cmds;		/* data blocks, then the commands (drawn twice: SVG, PNG) */
	char *data_buf, *cmds_buf;
	size_t data_len, cmds_len;
	int width, height;		/* pixels */
	int nblocks;
};

/* The gnuplot program found on PATH (false: figures are skipped). */
bool plot_have_gnuplot(void);

int plot_init(struct plot *p, int width, int height);
void plot_free(struct plot *p);

/* Starts data block $dN (N returned) and returns the stream to print its rows to. */
FILE *plot_block(struct plot *p, int *n);
void plot_block_end(struct plot *p);

/* Appends a command line (printf-style; quote strings with plot_quote). */
void plot_cmd(struct plot *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* @s as a gnuplot single-quoted string literal (quotes doubled, newlines dropped). */
const char *plot_quote(char *buf, size_t len, const char *s);

/*
 * Writes @dir/@name.gp and runs gnuplot on it to make @dir/@name.svg and
 * @dir/@name.png.  0, or -errno / a gnuplot failure with its first error
 * line in @err.
 */
int plot_render(struct plot *p, const char *dir, const char *name, char *err, size_t len);

#endif
