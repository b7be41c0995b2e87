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

/* The table with each cell's display width (UTF-8 runes, as Go's
 * tabwriter counts) measured once; lines are written straight to out. */
static void tab_write(char ***rows, size_t nrows, size_t ncols, struct text_out *out)
{
	static const char spaces[] = "                                                                ";
	size_t *width = calloc(ncols ? ncols : 1, sizeof(*width));
	size_t *len = calloc(nrows * ncols + 1, sizeof(*len));
	size_t *runes = calloc(nrows * ncols + 1, sizeof(*runes));

	if (!width || !len || !runes)
		abort();
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			const char *c = rows[i][j];
			size_t n = 0, r = 0;

			for (; c[n]; n++)
				r += ((unsigned char)c[n] & 0xc0) != 0x80;
			len[i * ncols + j] = n;
			runes[i * ncols + j] = r;
		}
	}
	for (size_t j = 0; j < ncols; j++) {
		width[j] = 5; /* minwidth */
		for (size_t i = 0; i < nrows; i++)
			if (runes[i * ncols + j] + 3 > width[j]) /* padding 3 */
				width[j] = runes[i * ncols + j] + 3;
	}
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			size_t pad = width[j] - runes[i * ncols + j];

			tout_put(out, rows[i][j], len[i * ncols + j]);
			for (; pad > sizeof(spaces) - 1; pad -= sizeof(spaces) - 1)
				tout_put(out, spaces, sizeof(spaces) - 1);
			tout_put(out, spaces, pad);
		}
		tout_put(out, "\n", 1);
	}
	free(width);
	free(len);
	free(runes);
}

void tab_render(char ***rows, size_t nrows, size_t ncols, struct strbuf *out)
{
	struct text_out o;

	tout_init(&o, NULL);
	tab_write(rows, nrows, ncols, &o);
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

	char ***rows = calloc(nrows, sizeof(*rows));
	if (!rows)
		abort();
	rows[0] = (char **)cols;
	for (size_t i = 1; i < nrows; i++) {
		const json_t *item = json_array_get(items, i - 1);
		rows[i] = calloc(ncols ? ncols : 1, sizeof(char *));
		if (!rows[i])
			abort();
		for (size_t j = 0; j < ncols; j++) {
			char *cell = res_cell(k, item, cols[j], &p->ctx);
			rows[i][j] = cell ? cell : strdup("");
		}
	}
	tab_write(rows, nrows, ncols, out);
	tout_put(out, "\n", 1); /* calicoctl leaves a gap after each table */
	for (size_t i = 1; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++)
			free(rows[i][j]);
		free(rows[i]);
	}
	free(rows);
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
