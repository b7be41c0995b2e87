/* jansson -> JSON text as Go's encoding/json writes it (json.Marshal and
 * json.MarshalIndent with a two-space indent): HTML characters escaped, Go's
 * float formatting, no trailing newline. json_dump_go prints a value with
 * keys in stored order; json_print_go prints `get` results in Go struct
 * order through the view of lib/schema.h, streaming. Also the text_out
 * sink both printers write to. */
#include "lib/gofmt.h"
#include "lib/schema.h"
#include "lib/yamljson.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text_out ---- */

#define TOUT_FILE_BUF (64 * 1024)

void tout_init(struct text_out *o, FILE *f)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
}

static void tout_write_file(struct text_out *o)
{
	if (o->len && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = -EIO;
	o->len = 0;
}

void tout_put_slow(struct text_out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->f && o->buf) {
		tout_write_file(o);
		if (n >= o->cap) { /* larger than the buffer: straight through */
			if (!o->err && fwrite(s, 1, n, o->f) != n)
				o->err = -EIO;
			return;
		}
	} else if (o->len + n >= o->cap) {
		size_t cap = o->cap ? o->cap : (o->f ? TOUT_FILE_BUF : 256);
		char *p;

		while (cap <= o->len + n)
			cap *= 2;
		p = realloc(o->buf, cap);
		if (!p) {
			o->err = -ENOMEM;
			return;
		}
		o->buf = p;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

void tout_puts(struct text_out *o, const char *s)
{
	tout_put(o, s, strlen(s));
}

int tout_flush(struct text_out *o)
{
	if (o->f) {
		tout_write_file(o);
		if (fflush(o->f) != 0 && !o->err)
			o->err = -EIO;
	}
	return o->err;
}

char *tout_detach(struct text_out *o)
{
	char *s = NULL;

	if (!o->err) {
		/* Memory output always keeps a byte free past len; this makes
		 * the buffer exist when nothing was written. */
		tout_put(o, "", 0);
		if (!o->err) {
			o->buf[o->len] = '\0';
			s = o->buf;
			o->buf = NULL;
		}
	}
	tout_free(o);
	return s;
}

void tout_free(struct text_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* ---- the encoder ---- */

static void newline(struct text_out *o, int indent, int depth)
{
	static const char nl[] = "\n                                                               "
				 "                                                                ";
	size_t n = (size_t)(depth * indent);

	if (indent < 0)
		return;
	/* Whole runs of spaces, not one write per space: indentation is a
	 * third of a 10,000-resource `get -o json`. */
	if (n < sizeof(nl) - 1) {
		tout_put(o, nl, n + 1);
		return;
	}
	tout_put(o, nl, sizeof(nl) - 1);
	for (n -= sizeof(nl) - 2; n > 0;) {
		size_t k = n < sizeof(nl) - 2 ? n : sizeof(nl) - 2;

		tout_put(o, nl + 1, k);
		n -= k;
	}
}

/* Bytes put_string must look at: control characters, '"', '\\', the HTML
 * characters and 0xe2 (the lead byte of U+2028 and U+2029). */
static const unsigned char special[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1, [0xe2] = 1,
};

/* encodeState.string with HTML escaping on (Go >= 1.22 spells \b and \f). */
static void put_string(struct text_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;

	tout_put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc;
		char u[7];

		if (!special[c])
			continue;
		if (c == 0xe2) {
			if (i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
				tout_put(o, s + start, i - start);
				tout_puts(o, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
				i += 2;
				start = i + 1;
			}
			continue;
		}
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
			esc = u;
		}
		tout_put(o, s + start, i - start);
		tout_puts(o, esc);
		start = i + 1;
	}
	tout_put(o, s + start, n - start);
	tout_put(o, "\"", 1);
}

static void put_integer(struct text_out *o, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	tout_put(o, p, (size_t)(buf + sizeof(buf) - p));
}

static void put_value(struct text_out *o, const json_t *v, int indent, int depth)
{
	char num[GO_FLOAT_MAX];
	const char *k;
	json_t *c;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0) {
			tout_put(o, "{}", 2);
			return;
		}
		tout_put(o, "{", 1);
		json_object_foreach((json_t *)v, k, c)
		{
			if (!first)
				tout_put(o, ",", 1);
			first = false;
			newline(o, indent, depth + 1);
			put_string(o, k, strlen(k));
			tout_put(o, ": ", indent < 0 ? 1 : 2);
			put_value(o, c, indent, depth + 1);
		}
		newline(o, indent, depth);
		tout_put(o, "}", 1);
		return;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			tout_put(o, "[]", 2);
			return;
		}
		tout_put(o, "[", 1);
		json_array_foreach(v, i, c)
		{
			if (i)
				tout_put(o, ",", 1);
			newline(o, indent, depth + 1);
			put_value(o, c, indent, depth + 1);
		}
		newline(o, indent, depth);
		tout_put(o, "]", 1);
		return;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		put_integer(o, json_integer_value(v));
		return;
	case JSON_REAL:
		/* Go refuses NaN and infinities; jansson cannot hold them. */
		tout_puts(o, go_json_float(json_real_value(v), num));
		return;
	case JSON_TRUE:
		tout_put(o, "true", 4);
		return;
	case JSON_FALSE:
		tout_put(o, "false", 5);
		return;
	default:
		tout_put(o, "null", 4);
		return;
	}
}

static char *dump(const json_t *v, int indent)
{
	struct text_out o;

	tout_init(&o, NULL);
	put_value(&o, v ? v : json_null(), indent, 0);
	return tout_detach(&o);
}

char *json_dump_go(const json_t *v)
{
	return dump(v, 2);
}

char *json_dump_go_compact(const json_t *v)
{
	return dump(v, -1);
}

/* ---- `get` results in Go order ---- */

#define MEMBERS_ON_STACK 32

static void put_node(struct text_out *o, const struct go_node *n, int depth)
{
	if (go_is_object(n) && n->shape != GO_PLAIN) {
		struct go_member buf[MEMBERS_ON_STACK], *m;
		size_t count = go_members(n, buf, MEMBERS_ON_STACK, &m);

		if (count == (size_t)-1) {
			o->err = o->err ? o->err : -ENOMEM;
			return;
		}
		if (count == 0) {
			tout_put(o, "{}", 2);
			return;
		}
		tout_put(o, "{", 1);
		for (size_t i = 0; i < count; i++) {
			if (i)
				tout_put(o, ",", 1);
			newline(o, 2, depth + 1);
			put_string(o, m[i].key, strlen(m[i].key));
			tout_put(o, ": ", 2);
			put_node(o, &m[i].node, depth + 1);
		}
		newline(o, 2, depth);
		tout_put(o, "}", 1);
		if (m != buf)
			free(m);
		return;
	}
	if (go_is_array(n) && n->shape != GO_PLAIN) {
		size_t size = go_size(n);

		if (size == 0) {
			tout_put(o, "[]", 2);
			return;
		}
		tout_put(o, "[", 1);
		for (size_t i = 0; i < size; i++) {
			struct go_node e = go_elem(n, i);

			if (i)
				tout_put(o, ",", 1);
			newline(o, 2, depth + 1);
			put_node(o, &e, depth + 1);
		}
		newline(o, 2, depth);
		tout_put(o, "]", 1);
		return;
	}
	put_value(o, n->v ? n->v : json_null(), 2, depth);
}

int json_print_go(struct text_out *o, const json_t *v)
{
	struct go_node n = go_classify(v ? v : json_null());

	put_node(o, &n, 0);
	return o->err;
}
