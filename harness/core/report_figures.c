// SPDX-License-Identifier: GPL-2.0
#include "core/report_figures.h"

void report_figures_make(const struct run_data *rd)
{
	(void)rd;
}

void report_figure_md(FILE *md, const struct run_data *rd, const struct run_experiment *x)
{
	(void)md;
	(void)rd;
	(void)x;
}

int report_html(const struct run_data *rd, const char *md, size_t len)
{
	(void)rd;
	(void)md;
	(void)len;
	return 0;
}
