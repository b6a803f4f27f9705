// SPDX-License-Identifier: GPL-2.0
/*
 * report.html: report.md turned into one self-contained page.  Only the
 * markdown report.c and the experiments write is understood: headings,
 * pipe tables, "- " lists, paragraphs, **bold**, *italic*, `code` and
 * images.  Figures are embedded as data: URIs (the PNG, else the SVG), and
 * a small script checks on load that each one loaded and is not blank (it
 * draws it into a canvas and counts distinct pixel values) and puts the
 * count in the title, e.g. "obench report: 14 figures, 14 loaded, 0 blank",
 * where a headless browser's --dump-dom can read it.
 */
#include "core/report_figures.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/results.h"

#define MAX_FIGURE_BYTES	(16u << 20)

static const char html_css[] =
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:#222;background:#fafafa;margin:0}\n"
	"main{max-width:1200px;margin:0 auto;padding:1.5em 2em 4em;background:#fff}\n"
	"h1{font-size:1.8em;margin:.3em 0}h2{font-size:1.35em;margin-top:2em;border-bottom:2px solid #4477aa;"
	"padding-bottom:.2em}h3{font-size:1.1em;margin-top:1.5em}\n"
	".tablewrap{overflow-x:auto;margin:.8em 0}\n"
	"table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px;"
	"vertical-align:top;text-align:left}th{background:#eef2f7}tr:nth-child(even) td{background:#f7f7f7}\n"
	"code{font:12.5px 'DejaVu Sans Mono',monospace;background:#f0f0f0;padding:0 3px;border-radius:3px}\n"
	"figure{margin:1.2em 0;text-align:center}figure img{max-width:100%;height:auto;"
	"border:1px solid #ddd}img.broken,img.blank{outline:4px solid #c00}\n"
	"#figcheck{font-size:13px;color:#555}nav ul{columns:3;font-size:13px}\n";

/*
 * Runs on load: every figure must have loaded (naturalWidth > 0) and must
 * not be blank (more than one distinct pixel value when drawn to a canvas).
 */
static const char html_script[] =
	"window.addEventListener('load',function(){\n"
	" var imgs=document.querySelectorAll('img.fig'),loaded=0,blank=0;\n"
	" imgs.forEach(function(img){\n"
	"  if(!img.complete||!img.naturalWidth){img.classList.add('broken');return;}\n"
	"  loaded++;\n"
	"  var c=document.createElement('canvas'),w=c.width=img.naturalWidth,h=c.height=img.naturalHeight;\n"
	"  var g=c.getContext('2d');g.drawImage(img,0,0,w,h);\n"
	"  var d=g.getImageData(0,0,w,h).data,seen=new Set();\n"
	"  for(var i=0;i<d.length&&seen.size<16;i+=4)seen.add(d[i]+','+d[i+1]+','+d[i+2]+','+d[i+3]);\n"
	"  if(seen.size<2){blank++;img.classList.add('blank');}\n"
	" });\n"
	" document.title='obench report: '+imgs.length+' figures, '+loaded+' loaded, '+blank+' blank';\n"
	" var s=document.getElementById('figcheck');if(s)s.textContent=document.title;\n"
	"});\n";

static void put_escaped(FILE *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", o); break;
		case '<': fputs("&lt;", o); break;
		case '>': fputs("&gt;", o); break;
		case '"': fputs("&quot;", o); break;
		default: fputc(s[i], o);
		}
	}
}

static void put_base64(FILE *o, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		fprintf(o, "%c%c%c%c", tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63]);
	}
	if (n - i == 1)
		fprintf(o, "%c%c==", tab[p[i] >> 2], tab[(p[i] & 3) << 4]);
	else if (n - i == 2)
		fprintf(o, "%c%c%c=", tab[p[i] >> 2], tab[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
			tab[(p[i + 1] & 15) << 2]);
}

/* The whole of @path, at most MAX_FIGURE_BYTES; NULL when it cannot be read. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) > 0 && (size_t)size <= MAX_FIGURE_BYTES &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)size)) &&
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	*len = buf ? (size_t)size : 0;
	fclose(f);
	return buf;
}

/* A figure of the run (figures/NAME.svg, nothing else), as a data: URI of its PNG or SVG. */
static void put_image(FILE *o, const struct run_data *rd, const char *alt, size_t alen,
		      const char *src, size_t slen)
{
	char rel[512], path[4700];
	unsigned char *data = NULL;
	size_t n = 0;
	bool png = false;

	snprintf(rel, sizeof(rel), "%.*s", (int)slen, src);
	if (!strncmp(rel, "figures/", 8) && !strstr(rel, "..") && slen > 12 &&
	    !strcmp(rel + strlen(rel) - 4, ".svg")) {
		snprintf(path, sizeof(path), "%s/%.*s.png", rd->dir, (int)strlen(rel) - 4, rel);
		data = slurp(path, &n);
		png = data != NULL;
		if (!data) {
			snprintf(path, sizeof(path), "%s/%s", rd->dir, rel);
			data = slurp(path, &n);
		}
	}
	fprintf(o, "<img class=\"fig\" alt=\"");
	put_escaped(o, alt, alen);
	fprintf(o, "\" src=\"");
	if (data) {
		fprintf(o, "data:image/%s;base64,", png ? "png" : "svg+xml");
		put_base64(o, data, n);
	} else {
		put_escaped(o, rel, strlen(rel));	/* not found: the check reports it */
	}
	fprintf(o, "\">");
	free(data);
}

/* The matching closer of a span opened by @mark at @s, within the line; NULL if none. */
static const char *closer(const char *s, const char *end, const char *mark)
{
	size_t m = strlen(mark);
	const char *p = s + m;

	if (p >= end || *p == ' ')
		return NULL;
	for (; p + m <= end; p++)
		if (!strncmp(p, mark, m) && p[-1] != ' ' && (m > 1 || p[1] != '*'))
			return p;
	return NULL;
}

/* An inline image "![alt](src)" at @s: its end, or NULL when @s is not one. */
static const char *inline_image(FILE *o, const struct run_data *rd, const char *s, const char *end)
{
	const char *alt_end, *src, *src_end;

	if (strncmp(s, "![", 2))
		return NULL;
	alt_end = memchr(s, ']', (size_t)(end - s));
	if (!alt_end || alt_end[1] != '(')
		return NULL;
	src = alt_end + 2;
	src_end = memchr(src, ')', (size_t)(end - src));
	if (!src_end)
		return NULL;
	put_image(o, rd, s + 2, (size_t)(alt_end - s - 2), src, (size_t)(src_end - src));
	return src_end + 1;
}

static void put_inline(FILE *o, const struct run_data *rd, const char *s, size_t n);

/* `code`, **bold** or *italic* at @s: its end, or NULL. */
static const char *inline_span(FILE *o, const struct run_data *rd, const char *s, const char *end)
{
	static const struct { const char *mark, *tag; } spans[] = {
		{ "`", "code" }, { "**", "strong" }, { "*", "em" },
	};
	const char *c;
	size_t k, m;

	for (k = 0; k < sizeof(spans) / sizeof(spans[0]); k++) {
		m = strlen(spans[k].mark);
		if (strncmp(s, spans[k].mark, m) || !(c = closer(s, end, spans[k].mark)))
			continue;
		fprintf(o, "<%s>", spans[k].tag);
		if (k == 0)
			put_escaped(o, s + m, (size_t)(c - s - m));
		else
			put_inline(o, rd, s + m, (size_t)(c - s - m));
		fprintf(o, "</%s>", spans[k].tag);
		return c + m;
	}
	return NULL;
}

static void put_inline(FILE *o, const struct run_data *rd, const char *s, size_t n)
{
	const char *end = s + n, *next;

	while (s < end) {
		next = inline_image(o, rd, s, end);
		if (!next)
			next = inline_span(o, rd, s, end);
		if (next) {
			s = next;
			continue;
		}
		put_escaped(o, s, 1);
		s++;
	}
}

/* ---- blocks ---- */

enum block { BLOCK_NONE, BLOCK_PARA, BLOCK_LIST, BLOCK_TABLE };

struct html {
	FILE *o, *toc;
	const struct run_data *rd;
	enum block open;
	int table_rows;
	int headings;
};

static void close_block(struct html *h)
{
	static const char *const closing[] = { "", "</p>\n", "</ul>\n", "</tbody></table></div>\n" };

	fputs(closing[h->open], h->o);
	h->open = BLOCK_NONE;
}

static void open_block(struct html *h, enum block b)
{
	static const char *const opening[] = { "", "<p>", "<ul>\n", "<div class=\"tablewrap\"><table>" };

	if (h->open == b)
		return;
	close_block(h);
	fputs(opening[b], h->o);
	h->open = b;
	h->table_rows = 0;
}

/* "|---|---|": the line under a table's header. */
static bool table_rule(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr("|-: ", s[i]))
			return false;
	return n > 2;
}

static void table_row(struct html *h, const char *s, size_t n)
{
	const char *tag = h->table_rows ? "td" : "th", *end = s + n, *cell, *bar;

	if (table_rule(s, n))
		return;
	open_block(h, BLOCK_TABLE);
	fputs(h->table_rows ? "<tr>" : "<thead><tr>", h->o);
	while (end > s && (end[-1] == '|' || end[-1] == ' '))
		end--;
	for (cell = s + 1; cell < end; cell = bar + 1) {
		bar = memchr(cell, '|', (size_t)(end - cell));
		if (!bar)
			bar = end;
		while (cell < bar && *cell == ' ')
			cell++;
		fprintf(h->o, "<%s>", tag);
		put_inline(h->o, h->rd, cell, (size_t)(bar - cell));
		fprintf(h->o, "</%s>", tag);
	}
	fputs(h->table_rows++ ? "</tr>\n" : "</tr></thead><tbody>\n", h->o);
}

static void heading(struct html *h, const char *s, size_t n)
{
	size_t level = 0;

	while (level < n && s[level] == '#')
		level++;
	close_block(h);
	s += level + 1;
	n -= level + 1;
	fprintf(h->o, "<h%zu id=\"s%d\">", level, h->headings);
	put_inline(h->o, h->rd, s, n);
	fprintf(h->o, "</h%zu>\n", level);
	if (level == 2) {
		fprintf(h->toc, "<li><a href=\"#s%d\">", h->headings);
		put_inline(h->toc, h->rd, s, n);
		fprintf(h->toc, "</a></li>\n");
	}
	h->headings++;
}

static void md_line(struct html *h, const char *s, size_t n)
{
	if (!n) {
		close_block(h);
	} else if (s[0] == '#' && memchr(s, ' ', n) && (size_t)((const char *)memchr(s, ' ', n) - s) <= 3) {
		heading(h, s, n);
	} else if (s[0] == '|') {
		table_row(h, s, n);
	} else if (n > 2 && !strncmp(s, "- ", 2)) {
		open_block(h, BLOCK_LIST);
		fputs("<li>", h->o);
		put_inline(h->o, h->rd, s + 2, n - 2);
		fputs("</li>\n", h->o);
	} else if (!strncmp(s, "![", 2) && s[n - 1] == ')') {
		close_block(h);
		fputs("<figure>", h->o);
		put_inline(h->o, h->rd, s, n);
		fputs("</figure>\n", h->o);
	} else {
		if (h->open == BLOCK_PARA)
			fputc('\n', h->o);
		open_block(h, BLOCK_PARA);
		put_inline(h->o, h->rd, s, n);
	}
}

/* The page: head, the figure check's status line, contents, @body, the script. */
static void html_page(FILE *o, const char *toc, size_t toc_len, const char *body, size_t len)
{
	fprintf(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>obench report</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", html_css);
	const char *h2 = strstr(body, "<h2");
	size_t head = h2 ? (size_t)(h2 - body) : len;

	fprintf(o, "<p id=\"figcheck\">figures not checked (the page's script did not run)</p>\n");
	fwrite(body, 1, head, o);	/* the title and the run's line, then the contents */
	if (toc_len)
		fprintf(o, "<nav><strong>Contents</strong><ul>\n%.*s</ul></nav>\n", (int)toc_len, toc);
	fwrite(body + head, 1, len - head, o);
	fprintf(o, "</main>\n<script>\n%s</script>\n</body>\n</html>\n", html_script);
}

int report_html(const struct run_data *rd, const char *md, size_t len)
{
	char *body = NULL, *toc = NULL, *page = NULL, path[4200];
	size_t body_len = 0, toc_len = 0, page_len = 0;
	struct html h = { .rd = rd };
	const char *line, *nl, *end = md + len;
	FILE *o;
	int err;

	h.o = open_memstream(&body, &body_len);
	h.toc = open_memstream(&toc, &toc_len);
	for (line = md; h.o && h.toc && line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		md_line(&h, line, (size_t)(nl - line));
	}
	if (h.o)
		close_block(&h);
	err = (h.o ? fclose(h.o) : -1) | (h.toc ? fclose(h.toc) : -1);
	o = err ? NULL : open_memstream(&page, &page_len);
	if (o) {
		html_page(o, toc, toc_len, body, body_len);
		err = fclose(o);
	}
	snprintf(path, sizeof(path), "%s/report.html", rd->dir);
	err = o && !err ? write_file_atomic(path, page, page_len) : -ENOMEM;
	free(body);
	free(toc);
	free(page);
	return err;
}
