// SPDX-License-Identifier: GPL-2.0
#include "core/results.h"

#include <errno.h>
#include <math.h>
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
	size_t i;

	for (i = 0; i < rs->n; i++)
		free(rs->rows[i].samples);
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

struct result_row *result_add_samples(struct result_set *rs, const char *config,
				      const char *metric, const char *unit,
				      const char *tier, const struct stats *st,
				      const char *note, const double *v, size_t n)
{
	struct result_row *r = result_add(rs, config, metric, unit, tier, st, note);

	if (!r || !n)
		return r;
	r->samples = malloc(n * sizeof(*v));
	if (r->samples)
		memcpy(r->samples, v, n * sizeof(*v));
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

#define SAMPLES_HEADER "config,metric,index,value,count"

/*
 * DIR/<experiment>.samples.csv: every kept sample in measurement order, %.9g;
 * a run of equal values is one line with its count (latency rows made from a
 * histogram hold a few hundred distinct values for 10^5 requests).
 */
static int write_samples(const struct result_set *rs, const char *dir)
{
	char path[4096], *buf = NULL;
	size_t len = 0, i, k;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\n", SAMPLES_HEADER);
	for (i = 0; i < rs->n; i++) {
		const struct result_row *r = &rs->rows[i];

		for (k = 0; r->samples && k < r->st.n; ) {
			size_t run = 1;

			while (k + run < r->st.n && r->samples[k + run] == r->samples[k])
				run++;
			fprintf(f, "%s,%s,%zu,%.9g,%zu\n", r->config, r->metric, k, r->samples[k], run);
			k += run;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/%s.samples.csv", dir, rs->experiment);
	err = write_file_atomic(path, buf, len);
	free(buf);
	return err;
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
	return err ? err : write_samples(rs, dir);
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

/* A number that is all of @text ("nan" and "inf" included, as %g writes them). */
static bool parse_double(const char *text, double *out)
{
	char *end;

	if (!*text)
		return false;
	errno = 0;
	*out = strtod(text, &end);
	return !*end && errno != ERANGE;
}

static bool parse_size(const char *text, size_t *out)
{
	char *end;
	unsigned long long v;

	if (!*text || strspn(text, "0123456789") != strlen(text))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	*out = (size_t)v;
	return !*end && !errno;
}

#define CSV_FIELDS 19

/* One data line of an experiment CSV; false with a reason in @why. */
static bool read_row(char **f, struct result_set *rs, const char **why)
{
	double d[11];
	struct stats s;
	int i;

	if (strcmp(f[0], rs->experiment))
		return *why = "experiment column differs from the file's", false;
	if (!f[1][0] || !f[2][0])
		return *why = "empty config or metric", false;
	if (!strcmp(f[4], "skipped"))
		return result_skip(rs, f[1], f[2], f[18]) ? true : (*why = "out of memory", false);
	if (strcmp(f[4], "ok"))
		return *why = "status is neither ok nor skipped", false;
	for (i = 0; i < 11; i++)
		if (!parse_double(f[5 + i], &d[i]))
			return *why = "a statistic is not a number", false;
	memset(&s, 0, sizeof(s));
	s.median = d[0]; s.q1 = d[1]; s.q3 = d[2]; s.p1 = d[3]; s.p99 = d[4];
	s.p999 = d[5]; s.mean = d[6]; s.stddev = d[7]; s.cv = d[8]; s.min = d[9];
	s.max = d[10];
	if (!parse_size(f[16], &s.n) || s.n == 0)
		return *why = "n is not a positive whole number", false;
	return result_add(rs, f[1], f[2], f[3], f[17], &s, f[18]) ? true :
	       (*why = "out of memory", false);
}

int result_read_csv_err(const char *path, struct result_set *rs, char *err, size_t len)
{
	char line[2048], *f[CSV_FIELDS + 1];
	const char *why = "";
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (!fp) {
		if (err)
			snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			why = "line too long";
			goto bad;
		}
		line[strcspn(line, "\n")] = '\0';
		if (lineno == 1) {
			why = "not an obench result file (header differs)";
			if (strcmp(line, CSV_HEADER))
				goto bad;
			continue;
		}
		why = "wrong number of fields";
		if (split_csv(line, f, CSV_FIELDS + 1) != CSV_FIELDS)
			goto bad;
		if (rs->n == 0 && !rs->experiment[0])
			snprintf(rs->experiment, sizeof(rs->experiment), "%s", f[0]);
		if (!read_row(f, rs, &why))
			goto bad;
	}
	fclose(fp);
	if (lineno == 0) {
		if (err)
			snprintf(err, len, "%s: empty file", path);
		return -1;
	}
	return 0;
bad:
	fclose(fp);
	if (err)
		snprintf(err, len, "%s:%d: %s", path, lineno, why);
	return -1;
}

int result_read_csv(const char *path, struct result_set *rs)
{
	return result_read_csv_err(path, rs, NULL, 0);
}

/* Sets samples index..index+count-1 of @r (whose st.n says how many to expect) to @v. */
static bool add_sample(struct result_row *r, size_t index, double v, size_t count)
{
	size_t i;

	if (r->skipped || index >= r->st.n || count == 0 || count > r->st.n - index)
		return false;
	if (!r->samples) {
		r->samples = calloc(r->st.n, sizeof(double));
		if (!r->samples)
			return false;
		for (size_t i = 0; i < r->st.n; i++)
			r->samples[i] = NAN;
	}
	for (i = 0; i < count; i++)
		r->samples[index + i] = v;
	return true;
}

static int read_samples(const char *path, struct result_set *rs, char *err, size_t len)
{
	char line[512], *f[6];
	const char *why = "";
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (!fp)
		return errno == ENOENT ? 0 : -1;	/* runs before samples were kept */
	while (fgets(line, sizeof(line), fp)) {
		struct result_row *r;
		size_t index, count;
		double v;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		why = "not an obench samples file (header differs)";
		if (lineno == 1 && strcmp(line, SAMPLES_HEADER))
			goto bad;
		if (lineno == 1)
			continue;
		why = "wrong number of fields";
		if (split_csv(line, f, 6) != 5)
			goto bad;
		why = "index, value or count is not a number";
		if (!parse_size(f[2], &index) || !parse_double(f[3], &v) || !parse_size(f[4], &count))
			goto bad;
		why = "no such row, or more samples than its n";
		r = (struct result_row *)result_find(rs, f[0], f[1]);
		if (!r || !add_sample(r, index, v, count))
			goto bad;
	}
	fclose(fp);
	return 0;
bad:
	fclose(fp);
	snprintf(err, len, "%s:%d: %s", path, lineno, why);
	return -1;
}

int result_load(const char *dir, const char *experiment, struct result_set *rs,
		char *err, size_t len)
{
	char path[4096];

	result_set_init(rs, experiment);
	snprintf(path, sizeof(path), "%s/%s.csv", dir, experiment);
	if (access(path, F_OK))
		return snprintf(err, len, "%s: %s", path, strerror(errno)), -ENOENT;
	if (result_read_csv_err(path, rs, err, len))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s.samples.csv", dir, experiment);
	return read_samples(path, rs, err, len) ? -EINVAL : 0;
}
