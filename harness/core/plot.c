// SPDX-License-Identifier: GPL-2.0
#include "core/plot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/results.h"
#include "core/spawn.h"

bool plot_have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char dir[4096], file[4200];
	const char *p, *end;

	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		snprintf(dir, sizeof(dir), "%.*s", (int)(end - p), p);
		snprintf(file, sizeof(file), "%s/gnuplot", dir[0] ? dir : ".");
		if (!access(file, X_OK))
			return true;
	}
	return false;
}

int plot_init(struct plot *p, int width, int height)
{
	memset(p, 0, sizeof(*p));
	p->width = width;
	p->height = height;
	p->data = open_memstream(&p->data_buf, &p->data_len);
	p->cmds = open_memstream(&p->cmds_buf, &p->cmds_len);
	if (!p->data || !p->cmds) {
		plot_free(p);
		return -ENOMEM;
	}
	return 0;
}

void plot_free(struct plot *p)
{
	if (p->data)
		fclose(p->data);
	if (p->cmds)
		fclose(p->cmds);
	free(p->data_buf);
	free(p->cmds_buf);
	memset(p, 0, sizeof(*p));
}

FILE *plot_block(struct plot *p, int *n)
{
	*n = p->nblocks++;
	fprintf(p->data, "$d%d << EOD\n", *n);
	return p->data;
}

void plot_block_end(struct plot *p)
{
	fprintf(p->data, "EOD\n");
}

void plot_cmd(struct plot *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(p->cmds, fmt, ap);
	va_end(ap);
	fputc('\n', p->cmds);
}

const char *plot_quote(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	if (len < 3)
		return "''";
	buf[o++] = '\'';
	for (; *s && o + 3 < len; s++) {
		if (*s == '\n' || *s == '\r')
			continue;
		if (*s == '\'')
			buf[o++] = '\'';	/* '' is a quote inside '...' */
		buf[o++] = *s;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

/* The script: data once, then the commands for each terminal. */
static int plot_script(struct plot *p, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);

	if (!f)
		return -ENOMEM;
	fflush(p->data);
	fflush(p->cmds);
	fprintf(f, "# obench figure, made from the run's CSV files by `obench report`.\n"
		"# Rerun: gnuplot -c THIS.gp OUT.svg OUT.png\n");
	fwrite(p->data_buf, 1, p->data_len, f);
	fprintf(f, "set terminal svg size %d,%d dynamic font 'DejaVu Sans,12' background rgb 'white'\n"
		"set termoption noenhanced\nset output ARG1\n", p->width, p->height);
	fwrite(p->cmds_buf, 1, p->cmds_len, f);
	fprintf(f, "unset output\nreset\n"
		"set terminal pngcairo size %d,%d font 'DejaVu Sans,10' background rgb 'white'\n"
		"set termoption noenhanced\nset output ARG2\n", p->width, p->height);
	fwrite(p->cmds_buf, 1, p->cmds_len, f);
	fprintf(f, "unset output\n");
	return fclose(f) ? -EIO : 0;
}

/* Runs gnuplot on @gp; its exit status, with its first complaint in @err. */
static int run_gnuplot(const char *gp, const char *svg, const char *png, char *err, size_t len)
{
	struct spawn_opts o = SPAWN_OPTS;
	char *argv[] = { "gnuplot", "-c", (char *)gp, (char *)svg, (char *)png, NULL };
	char out[2048], scratch[512];
	size_t n = 0;
	ssize_t r;
	int fd = -1, rc;
	pid_t pid;

	o.capture = o.capture_stderr = true;
	pid = spawn_exec(&o, argv, &fd);
	if (pid < 0)
		return snprintf(err, len, "cannot start gnuplot: %s", strerror((int)-pid)), (int)pid;
	/* keep the first 2 KB; drain the rest so gnuplot never blocks on the pipe */
	while ((r = read(fd, n + 1 < sizeof(out) ? out + n : scratch,
			 n + 1 < sizeof(out) ? sizeof(out) - 1 - n : sizeof(scratch))) > 0 ||
	       (r < 0 && errno == EINTR))
		if (r > 0 && n + 1 < sizeof(out))
			n += (size_t)r;
	close(fd);
	out[n] = '\0';
	rc = spawn_wait(pid);
	if (rc) {
		char *line = strstr(out, "rror") ? strstr(out, "rror") : out;

		while (line > out && line[-1] != '\n')
			line--;
		snprintf(err, len, "gnuplot failed (status %d): %.*s", rc, (int)strcspn(line, "\n"), line);
	}
	return rc;
}

int plot_render(struct plot *p, const char *dir, const char *name, char *err, size_t len)
{
	char gp[4200], svg[4200], png[4200], svg_tmp[4300], png_tmp[4300], *script = NULL;
	size_t slen = 0;
	int rc;

	snprintf(gp, sizeof(gp), "%s/%s.gp", dir, name);
	snprintf(svg, sizeof(svg), "%s/%s.svg", dir, name);
	snprintf(png, sizeof(png), "%s/%s.png", dir, name);
	snprintf(svg_tmp, sizeof(svg_tmp), "%s.tmp", svg);
	snprintf(png_tmp, sizeof(png_tmp), "%s.tmp", png);
	rc = plot_script(p, &script, &slen);
	if (!rc)
		rc = write_file_atomic(gp, script, slen);
	free(script);
	if (rc)
		return snprintf(err, len, "cannot write %s: %s", gp, strerror(-rc)), rc;
	rc = run_gnuplot(gp, svg_tmp, png_tmp, err, len);
	if (!rc && (rename(svg_tmp, svg) || rename(png_tmp, png))) {
		rc = -errno;
		snprintf(err, len, "cannot rename %s: %s", svg_tmp, strerror(errno));
	}
	if (rc) {
		unlink(svg_tmp);
		unlink(png_tmp);
	}
	return rc;
}
