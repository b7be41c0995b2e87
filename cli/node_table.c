/* The table layout of olekukonko/tablewriter v0.0.5 (what calicoctl node
 * status prints through), reproduced from its documented behaviour
 * (shared/spec/calicoctl.md §7): borders, centred headers, left-aligned
 * cells except numbers, word wrap at 30 columns with minimum raggedness. */
#include "cli/node.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TW_MAX_WIDTH 30
#define TW_PENALTY 100000

/* A cell split into display lines. */
struct tw_cell {
	char **lines;
	size_t n;
};

static void cell_add(struct tw_cell *c, const char *s, size_t len)
{
	char **l = realloc(c->lines, (c->n + 1) * sizeof(*l));
	if (!l)
		return;
	c->lines = l;
	c->lines[c->n] = strndup(s, len);
	if (c->lines[c->n])
		c->n++;
}

static void cell_free(struct tw_cell *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->lines[i]);
	free(c->lines);
}

/* tablewriter's WrapWords: words split on single spaces, the break points
 * minimising the sum of squared slack, lines over the limit penalised. */
static void wrap_para(const char *para, size_t lim, struct tw_cell *out, size_t *width)
{
	size_t n = 1, i, j;
	const char *p;

	for (p = para; *p; p++)
		if (*p == ' ')
			n++;
	const char **w = calloc(n, sizeof(*w));
	size_t *wl = calloc(n, sizeof(*wl));
	long *cost = calloc(n, sizeof(*cost));
	size_t *brk = calloc(n, sizeof(*brk));
	if (!w || !wl || !cost || !brk)
		goto out;
	p = para;
	for (i = 0; i < n; i++) {
		const char *sp = strchr(p, ' ');
		w[i] = p;
		wl[i] = sp ? (size_t)(sp - p) : strlen(p);
		if (wl[i] > lim)
			lim = wl[i]; /* a long word widens the limit */
		p = sp ? sp + 1 : p + wl[i];
	}
	for (size_t k = n; k-- > 0;) {
		size_t len = 0;
		for (j = k; j < n; j++)
			len += wl[j] + (j > k);
		if (len <= lim) {
			cost[k] = 0;
			brk[k] = n;
			continue;
		}
		cost[k] = LONG_MAX;
		len = wl[k];
		for (j = k + 1; j < n; j++) {
			long d = (long)lim - (long)len;
			long c = d * d + cost[j];
			if (len > lim)
				c += TW_PENALTY;
			if (c < cost[k]) {
				cost[k] = c;
				brk[k] = j;
			}
			len += 1 + wl[j];
		}
	}
	for (i = 0; i < n; i = brk[i]) {
		size_t len = (size_t)(w[brk[i] - 1] + wl[brk[i] - 1] - w[i]);
		cell_add(out, w[i], len);
		if (len > *width)
			*width = len;
	}
out:
	free(w);
	free(wl);
	free(cost);
	free(brk);
}

/* tablewriter's parseDimension: the cell's lines, wrapped to
 * min(longest line, 30); *width receives the column width it needs. */
static void cell_parse(const char *s, struct tw_cell *out, size_t *width)
{
	size_t longest = 0, lim;
	const char *p = s;

	memset(out, 0, sizeof(*out));
	for (;;) {
		size_t len = strcspn(p, "\n");
		if (len > longest)
			longest = len;
		if (!p[len])
			break;
		p += len + 1;
	}
	lim = longest > TW_MAX_WIDTH ? TW_MAX_WIDTH : longest;
	*width = lim;
	p = s;
	for (bool first = true;; first = false) {
		size_t len = strcspn(p, "\n");
		char *para = strndup(p, len);
		if (!first)
			cell_add(out, " ", 1);
		if (para)
			wrap_para(para, lim, out, width);
		free(para);
		if (!p[len])
			break;
		p += len + 1;
	}
}

/* tablewriter's decimal test: -?(digits with thousands commas | digits)(.digits)? */
static bool is_number(const char *s)
{
	const char *p = s;
	size_t run = 0;
	bool comma = false;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; *p && *p != '.'; p++) {
		if (isdigit((unsigned char)*p)) {
			run++;
		} else if (*p == ',') {
			if (run == 0 || run > 3 || (comma && run != 3))
				return false;
			comma = true;
			run = 0;
		} else
			return false;
	}
	if (comma && run != 3)
		return false;
	if (*p == '.') {
		p++;
		if (!*p)
			return false;
		for (; *p; p++)
			if (!isdigit((unsigned char)*p))
				return false;
	}
	return true;
}

static void border(const size_t *w, size_t ncols, struct strbuf *out)
{
	sb_add(out, "+");
	for (size_t j = 0; j < ncols; j++) {
		sb_pad(out, '-', w[j] + 2);
		sb_add(out, "+");
	}
	sb_add(out, "\n");
}

/* One table row, as many display lines as its tallest cell. */
static void print_row(const struct tw_cell *cells, const size_t *w, size_t ncols, bool header,
		      const bool *numeric, struct strbuf *out)
{
	size_t h = 0;

	for (size_t j = 0; j < ncols; j++)
		if (cells[j].n > h)
			h = cells[j].n;
	for (size_t l = 0; l < h; l++) {
		for (size_t j = 0; j < ncols; j++) {
			const char *s = l < cells[j].n ? cells[j].lines[l] : "";
			size_t len = strlen(s), gap = w[j] > len ? w[j] - len : 0;
			sb_add(out, "| ");
			if (header) {
				sb_pad(out, ' ', gap / 2);
				sb_add(out, s);
				sb_pad(out, ' ', gap - gap / 2);
			} else if (numeric[j]) {
				sb_pad(out, ' ', gap);
				sb_add(out, s);
			} else {
				sb_add(out, s);
				sb_pad(out, ' ', gap);
			}
			sb_add(out, " ");
		}
		sb_add(out, "|\n");
	}
}

void tw_render(const char *const *headers, size_t ncols, const char *const *cells, size_t nrows,
	       struct strbuf *out)
{
	struct tw_cell *hc = calloc(ncols, sizeof(*hc));
	struct tw_cell *dc = calloc(ncols * (nrows ? nrows : 1), sizeof(*dc));
	size_t *w = calloc(ncols, sizeof(*w));
	bool *num = calloc(ncols * (nrows ? nrows : 1), sizeof(*num));

	if (!hc || !dc || !w || !num)
		goto out;
	for (size_t j = 0; j < ncols; j++) {
		char *up = strdup(headers[j]);
		size_t cw;
		if (!up)
			goto out;
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		cell_parse(up, &hc[j], &cw);
		free(up);
		if (cw > w[j])
			w[j] = cw;
	}
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			const char *s = cells[i * ncols + j] ? cells[i * ncols + j] : "";
			size_t cw;
			cell_parse(s, &dc[i * ncols + j], &cw);
			num[i * ncols + j] = is_number(s);
			if (cw > w[j])
				w[j] = cw;
		}
	}
	border(w, ncols, out);
	print_row(hc, w, ncols, true, num, out);
	border(w, ncols, out);
	for (size_t i = 0; i < nrows; i++)
		print_row(&dc[i * ncols], w, ncols, false, &num[i * ncols], out);
	border(w, ncols, out);
out:
	if (hc)
		for (size_t j = 0; j < ncols; j++)
			cell_free(&hc[j]);
	if (dc)
		for (size_t k = 0; k < ncols * nrows; k++)
			cell_free(&dc[k]);
	free(hc);
	free(dc);
	free(w);
	free(num);
}
