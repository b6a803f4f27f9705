// SPDX-License-Identifier: GPL-2.0
#include "core/results.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_HEADER "experiment,config,metric,unit,status,median,q1,q3,p1,p99,p999," \
		   "mean,stddev,cv,min,max,n,tier,note"

void result_set_init(struct result_set *rs, const char *experiment)
{
	memset(rs, 0, sizeof(*rs));
	snprintf(rs->experiment, sizeof(rs->experiment), "%s", experiment);
}

void result_set_free(struct result_set *rs)
{
	free(rs->rows);
	rs->rows = NULL;
	rs->n = rs->cap = 0;
}

/* CSV fields must not contain separators: replace them rather than quote. */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t i;

	snprintf(dst, len, "%s", src ? src : "");
	for (i = 0; dst[i]; i++)
		if (dst[i] == ',' || dst[i] == '\n' || dst[i] == '\r')
			dst[i] = dst[i] == ',' ? ';' : ' ';
}

static struct result_row *new_row(struct result_set *rs)
{
	struct result_row *r;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 16;

		r = realloc(rs->rows, cap * sizeof(*r));
		if (!r)
			return NULL;
		rs->rows = r;
		rs->cap = cap;
	}
	r = &rs->rows[rs->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

struct result_row *result_add(struct result_set *rs, const char *config,
			      const char *metric, const char *unit,
			      const char *tier, const struct stats *st,
			      const char *note)
{
	struct result_row *r = new_row(rs);

	if (!r)
		return NULL;
	copy_field(r->config, sizeof(r->config), config);
	copy_field(r->metric, sizeof(r->metric), metric);
	copy_field(r->unit, sizeof(r->unit), unit);
	copy_field(r->tier, sizeof(r->tier), tier);
	copy_field(r->note, sizeof(r->note), note);
	r->st = *st;
	return r;
}

struct result_row *result_skip(struct result_set *rs, const char *config,
			       const char *metric, const char *reason)
{
	struct result_row *r = new_row(rs);

	if (!r)
		return NULL;
	copy_field(r->config, sizeof(r->config), config);
	copy_field(r->metric, sizeof(r->metric), metric);
	copy_field(r->note, sizeof(r->note), reason);
	r->skipped = true;
	return r;
}

const struct result_row *result_find(const struct result_set *rs,
				     const char *config, const char *metric)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (!strcmp(rs->rows[i].config, config) &&
		    (!metric || !strcmp(rs->rows[i].metric, metric)))
			return &rs->rows[i];
	return NULL;
}

int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	size_t off = 0;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	close(fd);
	if (rename(tmp, path) < 0) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	return 0;
fail:
	{
		int err = -errno;

		close(fd);
		unlink(tmp);
		return err;
	}
}

int result_write_csv(const struct result_set *rs, const char *dir)
{
	char path[4096], *buf = NULL;
	size_t len = 0, i;
	FILE *f;
	int err;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\n", CSV_HEADER);
	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i];
		const struct stats *s = &r->st;

		fprintf(f, "%s,%s,%s,%s,%s,", rs->experiment, r->config,
			r->metric, r->unit, r->skipped ? "skipped" : "ok");
		if (r->skipped)
			fprintf(f, ",,,,,,,,,,,0");
		else
			fprintf(f, "%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%zu",
				s->median, s->q1, s->q3, s->p1, s->p99, s->p999,
				s->mean, s->stddev, s->cv, s->min, s->max, s->n);
		fprintf(f, ",%s,%s\n", r->tier, r->note);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.csv", dir, rs->experiment);
	err = write_file_atomic(path, buf, len);
	free(buf);
	return err;
}

/* Splits @line in place at commas; returns the number of fields. */
static int split_csv(char *line, char **fields, int max)
{
	int n = 0;

	fields[n++] = line;
	for (; *line && n < max; line++) {
		if (*line == ',') {
			*line = '\0';
			fields[n++] = line + 1;
		}
	}
	return n;
}

int result_read_csv(const char *path, struct result_set *rs)
{
	char line[2048], *f[20];
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		struct result_row *r;
		int nf;

		line[strcspn(line, "\n")] = '\0';
		if (lineno++ == 0) {
			if (strcmp(line, CSV_HEADER))
				goto bad;
			continue;
		}
		nf = split_csv(line, f, 20);
		if (nf != 19)
			goto bad;
		if (rs->n == 0 && !rs->experiment[0])
			snprintf(rs->experiment, sizeof(rs->experiment), "%s", f[0]);
		if (!strcmp(f[4], "skipped")) {
			r = result_skip(rs, f[1], f[2], f[18]);
		} else {
			struct stats s = {
				.median = atof(f[5]), .q1 = atof(f[6]), .q3 = atof(f[7]),
				.p1 = atof(f[8]), .p99 = atof(f[9]), .p999 = atof(f[10]),
				.mean = atof(f[11]), .stddev = atof(f[12]), .cv = atof(f[13]),
				.min = atof(f[14]), .max = atof(f[15]),
				.n = strtoul(f[16], NULL, 10),
			};
			r = result_add(rs, f[1], f[2], f[3], f[17], &s, f[18]);
		}
		if (!r)
			goto bad;
	}
	fclose(fp);
	return lineno > 0 ? 0 : -1;
bad:
	fclose(fp);
	return -1;
}
