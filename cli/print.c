/* Printers for `get`; see print.h for the formats' rules. */
#include "cli/print.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/yamljson.h"

int printer_init(struct printer *p, const char *output, struct err *e)
{
	const char *eq;

	memset(p, 0, sizeof(*p));
	if (!strcmp(output, "yaml") || !strcmp(output, "yml")) {
		p->fmt = PRINT_YAML;
		return 0;
	}
	if (!strcmp(output, "json")) {
		p->fmt = PRINT_JSON;
		return 0;
	}
	if (!strcmp(output, "ps") || !strcmp(output, "wide")) {
		p->fmt = !strcmp(output, "ps") ? PRINT_PS : PRINT_WIDE;
		return 0;
	}
	eq = strchr(output, '=');
	size_t keylen = eq ? (size_t)(eq - output) : strlen(output);
	const char *value = eq ? eq + 1 : "";
	if (keylen == 11 && !strncmp(output, "go-template", 11)) {
		if (!*value)
			return err_set(e, -EINVAL, "need to specify a template");
		return err_set(e, -ENOTSUP,
			       "go-template output is not supported by this calicoctl: use -o json "
			       "or -o custom-columns=<COLUMNS> instead");
	}
	if (keylen == 16 && !strncmp(output, "go-template-file", 16)) {
		if (!*value)
			return err_set(e, -EINVAL, "need to specify a template file");
		return err_set(e, -ENOTSUP,
			       "go-template-file output is not supported by this calicoctl: use -o "
			       "json or -o custom-columns=<COLUMNS> instead");
	}
	if (keylen == 14 && !strncmp(output, "custom-columns", 14)) {
		if (!*value)
			return err_set(e, -EINVAL, "need to specify at least one column");
		/* strings.Split(value, ","): empty headings are kept (and then
		 * rejected as unknown when printing). */
		size_t n = 1;
		for (const char *s = value; *s; s++)
			n += *s == ',';
		p->columns = calloc(n, sizeof(*p->columns));
		if (!p->columns)
			return err_set(e, -ENOMEM, "out of memory");
		const char *s = value;
		for (size_t i = 0; i < n; i++) {
			size_t len = strcspn(s, ",");
			p->columns[i] = strndup(s, len);
			s += len + (s[len] ? 1 : 0);
		}
		p->ncolumns = n;
		p->fmt = PRINT_CUSTOM;
		return 0;
	}
	return err_set(e, -EINVAL, "unrecognized output format '%s'", output);
}

void printer_free(struct printer *p)
{
	for (size_t i = 0; i < p->ncolumns; i++)
		free(p->columns[i]);
	free(p->columns);
	p->columns = NULL;
	p->ncolumns = 0;
}

bool printer_is_table(const struct printer *p)
{
	return p->fmt == PRINT_PS || p->fmt == PRINT_WIDE || p->fmt == PRINT_CUSTOM;
}

/* A table being built: every cell's text back to back in one buffer, its
 * start and display width (UTF-8 runes, as Go's tabwriter counts) beside
 * it. Cells are copied in as they come, so the caller frees each one at
 * once (and malloc hands the same memory to the next cell). */
struct table {
	size_t ncols, ncells, cap;
	struct text_out text;
	size_t *off; /* ncells + 1 entries: cell i is text[off[i], off[i+1]) */
	size_t *runes;
};

static void table_init(struct table *t, size_t ncols, size_t nrows)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->cap = ncols * nrows + 1;
	t->off = malloc(t->cap * sizeof(*t->off));
	t->runes = malloc(t->cap * sizeof(*t->runes));
	if (!t->off || !t->runes)
		abort();
	t->off[0] = 0;
	tout_init(&t->text, NULL);
}

static void table_add(struct table *t, const char *cell)
{
	size_t n = 0, r = 0;

	if (t->ncells + 1 >= t->cap)
		abort(); /* more cells than table_init was told */
	for (; cell[n]; n++)
		r += ((unsigned char)cell[n] & 0xc0) != 0x80;
	tout_put(&t->text, cell, n);
	if (t->text.err)
		abort();
	t->runes[t->ncells++] = r;
	t->off[t->ncells] = t->text.len;
}

static void table_write(struct table *t, struct text_out *out)
{
	static const char spaces[] = "                                                                ";
	size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));

	if (!width)
		abort();
	for (size_t j = 0; j < t->ncols; j++)
		width[j] = 5; /* minwidth */
	for (size_t i = 0; i < t->ncells; i++)
		if (t->runes[i] + 3 > width[i % t->ncols]) /* padding 3 */
			width[i % t->ncols] = t->runes[i] + 3;
	for (size_t i = 0; i < t->ncells; i++) {
		size_t pad = width[i % t->ncols] - t->runes[i];

		tout_put(out, t->text.buf + t->off[i], t->off[i + 1] - t->off[i]);
		for (; pad > sizeof(spaces) - 1; pad -= sizeof(spaces) - 1)
			tout_put(out, spaces, sizeof(spaces) - 1);
		tout_put(out, spaces, pad);
		if (i % t->ncols == t->ncols - 1)
			tout_put(out, "\n", 1);
	}
	free(width);
}

static void table_free(struct table *t)
{
	tout_free(&t->text);
	free(t->off);
	free(t->runes);
}

void tab_render(char ***rows, size_t nrows, size_t ncols, struct strbuf *out)
{
	struct text_out o;
	struct table t;

	table_init(&t, ncols, nrows);
	for (size_t i = 0; i < nrows; i++)
		for (size_t j = 0; j < ncols; j++)
			table_add(&t, rows[i][j]);
	tout_init(&o, NULL);
	table_write(&t, &o);
	table_free(&t);
	if (o.err)
		abort();
	sb_addn(out, o.buf ? o.buf : "", o.len);
	tout_free(&o);
}

/* ", "-joined headings of the kind, for the custom-columns error. */
static char *valid_headings(const struct kind_desc *k)
{
	struct strbuf sb;
	const char *seen[64];
	size_t nseen = 0;

	sb_init(&sb);
	for (int wide = 0; wide < 2; wide++) {
		for (const char *const *h = kind_columns(k, wide); h && *h; h++) {
			bool dup = false;
			for (size_t i = 0; i < nseen; i++)
				dup |= !strcmp(seen[i], *h);
			if (dup || nseen == 64)
				continue;
			seen[nseen++] = *h;
			sb_addf(&sb, "%s%s", sb.len ? ", " : "", *h);
		}
	}
	return sb_detach(&sb);
}

/* One table: headings, then one row per item. */
static int print_table(const struct printer *p, const struct kind_desc *k, const json_t *items,
		       struct text_out *out, struct err *e)
{
	const char *const *headings;
	size_t ncols = 0, nrows = json_array_size(items) + 1;
	const char **cols;

	if (p->fmt == PRINT_CUSTOM) {
		for (size_t j = 0; j < p->ncolumns; j++) {
			if (!kind_has_column(k, p->columns[j])) {
				char *valid = valid_headings(k);
				err_set(e, -EINVAL, "unknown heading %s, valid values are: %s",
					p->columns[j], valid);
				free(valid);
				return -EINVAL;
			}
		}
		cols = (const char **)p->columns;
		ncols = p->ncolumns;
	} else {
		headings = kind_columns(k, p->fmt == PRINT_WIDE);
		while (headings && headings[ncols])
			ncols++;
		cols = (const char **)headings;
	}

	struct table t;

	table_init(&t, ncols, nrows);
	for (size_t j = 0; j < ncols; j++)
		table_add(&t, cols[j]);
	for (size_t i = 1; i < nrows; i++) {
		const json_t *item = json_array_get(items, i - 1);

		for (size_t j = 0; j < ncols; j++) {
			char *cell = res_cell(k, item, cols[j], &p->ctx);

			table_add(&t, cell ? cell : "");
			free(cell);
		}
	}
	table_write(&t, out);
	tout_put(out, "\n", 1); /* calicoctl leaves a gap after each table */
	table_free(&t);
	return 0;
}

static int print_tables(const struct printer *p, const json_t *results, struct text_out *out,
			struct err *e)
{
	size_t i;
	const json_t *obj;

	json_array_foreach(results, i, obj) {
		const char *kind = json_string_value(json_object_get(obj, "kind"));
		const struct kind_desc *k = kind ? kind_by_name(kind) : NULL;
		int rc;

		if (k) {
			json_t *one = json_array();
			json_array_append(one, (json_t *)obj);
			rc = print_table(p, k, one, out, e);
			json_decref(one);
		} else if (kind && (k = kind_by_list_name(kind))) {
			rc = print_table(p, k, json_object_get(obj, "items"), out, e);
		} else
			continue;
		if (rc < 0)
			return rc;
	}
	return 0;
}

int printer_print(const struct printer *p, const json_t *results, struct text_out *out,
		  struct err *e)
{
	const json_t *v;
	int rc;

	if (printer_is_table(p))
		rc = print_tables(p, results, out, e);
	else {
		/* One result prints bare; none prints null (Go's nil slice). */
		if (json_array_size(results) == 1)
			v = json_array_get(results, 0);
		else if (json_array_size(results) == 0)
			v = json_null();
		else
			v = results;
		rc = p->fmt == PRINT_YAML ? yaml_print(out, v) : json_print_go(out, v);
	}
	if (rc < 0 && out->err)
		return err_set(e, out->err, "%s",
			       out->err == -ENOMEM ? "out of memory" : "error writing the output");
	return rc;
}
