/* jansson -> JSON text as Go's encoding/json writes it (json.Marshal and
 * json.MarshalIndent with a two-space indent): key order as stored, HTML
 * characters escaped, Go's float formatting, no trailing newline. */
#include "lib/gofmt.h"
#include "lib/yamljson.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void puts_(struct sbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void newline(struct sbuf *b, int indent, int depth)
{
	if (indent < 0)
		return;
	static const char spaces[] = "                                                                ";
	int n = depth * indent;

	/* Whole runs of spaces, not one put() per space: indentation is a
	 * third of a 10,000-resource `get -o json`. */
	put(b, "\n", 1);
	for (; n > 0; n -= (int)sizeof(spaces) - 1)
		put(b, spaces, n < (int)sizeof(spaces) - 1 ? (size_t)n : sizeof(spaces) - 1);
}

/* encodeState.string with HTML escaping on (Go >= 1.22 spells \b and \f). */
static void put_string(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;

	put(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			put(b, s + start, i - start);
			puts_(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
			start = i + 1;
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
			if (c < 0x20 || c == '<' || c == '>' || c == '&') {
				snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
				esc = u;
			}
		}
		if (!esc)
			continue;
		put(b, s + start, i - start);
		puts_(b, esc);
		start = i + 1;
	}
	put(b, s + start, n - start);
	put(b, "\"", 1);
}

static void put_value(struct sbuf *b, const json_t *v, int indent, int depth)
{
	char num[GO_FLOAT_MAX];
	const char *k;
	json_t *c;
	size_t i;
	bool first = true;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0) {
			puts_(b, "{}");
			return;
		}
		put(b, "{", 1);
		json_object_foreach((json_t *)v, k, c)
		{
			if (!first)
				put(b, ",", 1);
			first = false;
			newline(b, indent, depth + 1);
			put_string(b, k, strlen(k));
			puts_(b, indent < 0 ? ":" : ": ");
			put_value(b, c, indent, depth + 1);
		}
		newline(b, indent, depth);
		put(b, "}", 1);
		return;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			puts_(b, "[]");
			return;
		}
		put(b, "[", 1);
		json_array_foreach(v, i, c)
		{
			if (i)
				put(b, ",", 1);
			newline(b, indent, depth + 1);
			put_value(b, c, indent, depth + 1);
		}
		newline(b, indent, depth);
		put(b, "]", 1);
		return;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		puts_(b, num);
		return;
	case JSON_REAL:
		/* Go refuses NaN and infinities; jansson cannot hold them. */
		puts_(b, go_json_float(json_real_value(v), num));
		return;
	case JSON_TRUE:
		puts_(b, "true");
		return;
	case JSON_FALSE:
		puts_(b, "false");
		return;
	default:
		puts_(b, "null");
		return;
	}
}

static char *dump(const json_t *v, int indent)
{
	struct sbuf b = {0};

	put_value(&b, v ? v : json_null(), indent, 0);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

char *json_dump_go(const json_t *v)
{
	return dump(v, 2);
}

char *json_dump_go_compact(const json_t *v)
{
	return dump(v, -1);
}
