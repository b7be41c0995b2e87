/* jansson -> YAML exactly as calicoctl -o yaml prints it. calicoctl
 * marshals to JSON, reads that back with go-yaml v2 and marshals it with
 * go-yaml v2; go-yaml's emitter is a port of libyaml's, so we feed
 * libyaml's emitter the events go-yaml's encoder would produce: keys in
 * go-yaml's order, styles chosen as go-yaml chooses them. */
#include "lib/yamljson.h"
#include "lib/yamlscalar.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct outbuf {
	char *data;
	size_t len, cap;
	bool failed;
};

static int out_write(void *data, unsigned char *buf, size_t size)
{
	struct outbuf *o = data;

	if (o->len + size + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *p;

		while (cap < o->len + size + 1)
			cap *= 2;
		p = realloc(o->data, cap);
		if (!p) {
			o->failed = true;
			return 0;
		}
		o->data = p;
		o->cap = cap;
	}
	memcpy(o->data + o->len, buf, size);
	o->len += size;
	o->data[o->len] = '\0';
	return 1;
}

/* Next code point of a UTF-8 string (jansson keeps strings valid). */
static uint32_t next_rune(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	int n = 0;

	if (c >= 0xf0) {
		c &= 0x07;
		n = 3;
	} else if (c >= 0xe0) {
		c &= 0x0f;
		n = 2;
	} else if (c >= 0xc0) {
		c &= 0x1f;
		n = 1;
	}
	s++;
	for (int i = 0; i < n && (*s & 0xc0) == 0x80; i++)
		c = (c << 6) | (*s++ & 0x3f);
	*p = s;
	return c;
}

/* unicode.IsLetter, close enough: ASCII letters and every non-ASCII code
 * point from Latin-1 letters on (keys here are ASCII in practice). */
static bool rune_is_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xc0;
}

static bool rune_is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* go-yaml v2 keyList.Less for two string keys: letters by code point,
 * non-letters before letters, digit runs by numeric value. */
static bool key_less(const char *a, const char *b)
{
	uint32_t ar[256], br[256];
	size_t na = 0, nb = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)a; *p && na < 256;)
		ar[na++] = next_rune(&p);
	for (p = (const unsigned char *)b; *p && nb < 256;)
		br[nb++] = next_rune(&p);
	for (size_t i = 0; i < na && i < nb; i++) {
		bool al, bl;
		size_t ai, bi;
		/* Go's int64 arithmetic wraps on a run of 19+ digits; unsigned
		 * arithmetic compared as signed gives its order without UB. */
		uint64_t an = 0, bn = 0;

		if (ar[i] == br[i])
			continue;
		al = rune_is_letter(ar[i]);
		bl = rune_is_letter(br[i]);
		if (al && bl)
			return ar[i] < br[i];
		if (al || bl)
			return bl;
		if (ar[i] == '0' || br[i] == '0') {
			for (size_t j = i; j-- > 0 && rune_is_digit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < na && rune_is_digit(ar[ai]); ai++)
			an = an * 10 + (uint64_t)(ar[ai] - '0');
		for (bi = i; bi < nb && rune_is_digit(br[bi]); bi++)
			bn = bn * 10 + (uint64_t)(br[bi] - '0');
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ar[i] < br[i];
	}
	return na < nb;
}

static int key_cmp(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;

	if (key_less(a, b))
		return -1;
	return key_less(b, a) ? 1 : 0;
}

static bool emit(yaml_emitter_t *em, yaml_event_t *ev)
{
	return yaml_emitter_emit(em, ev) != 0;
}

static bool emit_scalar(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style))
		return false;
	return emit(em, &ev);
}

/* go-yaml's stringv: quote what would read back as something else. */
static bool emit_string(yaml_emitter_t *em, const char *s, size_t len)
{
	yaml_scalar_style_t style;

	if (memchr(s, '\n', len))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (yscalar_resolve(s, len) == YSCALAR_STR && !yscalar_is_base60_float(s))
		style = YAML_PLAIN_SCALAR_STYLE;
	else
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return emit_scalar(em, s, len, style);
}

static bool emit_number(yaml_emitter_t *em, const json_t *v)
{
	char buf[GO_FLOAT_MAX];
	double f;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
	}
	/* The JSON text of an integral float64 below 1e21 has no fraction,
	 * so go-yaml reads it back as an integer. */
	f = json_real_value(v);
	if (f == floor(f) && fabs(f) < 1e21) {
		if (fabs(f) < 9.2233720368547758e18)
			snprintf(buf, sizeof(buf), "%lld", (long long)f);
		else if (f > 0 && f < 1.8446744073709552e19)
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)f);
		else
			yscalar_format_number(f, buf);
	} else {
		yscalar_format_number(f, buf);
	}
	return emit_scalar(em, buf, strlen(buf), YAML_PLAIN_SCALAR_STYLE);
}

static bool emit_value(yaml_emitter_t *em, const json_t *v);

static bool emit_object(yaml_emitter_t *em, const json_t *v)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	const char *k;
	json_t *c;
	yaml_event_t ev;
	bool ok = keys != NULL;

	if (ok) {
		json_object_foreach((json_t *)v, k, c) keys[i++] = k;
		qsort(keys, n, sizeof(*keys), key_cmp);
		ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) &&
		     emit(em, &ev);
	}
	for (i = 0; ok && i < n; i++)
		ok = emit_string(em, keys[i], strlen(keys[i])) &&
		     emit_value(em, json_object_get(v, keys[i]));
	if (ok)
		ok = yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
	free(keys);
	return ok;
}

static bool emit_array(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	size_t i;
	json_t *c;

	if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
	    !emit(em, &ev))
		return false;
	json_array_foreach(v, i, c) if (!emit_value(em, c)) return false;
	return yaml_sequence_end_event_initialize(&ev) && emit(em, &ev);
}

static bool emit_value(yaml_emitter_t *em, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return emit_object(em, v);
	case JSON_ARRAY:
		return emit_array(em, v);
	case JSON_STRING:
		return emit_string(em, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
	case JSON_REAL:
		return emit_number(em, v);
	case JSON_TRUE:
		return emit_scalar(em, "true", 4, YAML_PLAIN_SCALAR_STYLE);
	case JSON_FALSE:
		return emit_scalar(em, "false", 5, YAML_PLAIN_SCALAR_STYLE);
	default:
		return emit_scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
	}
}

char *yaml_dump(const json_t *v)
{
	struct outbuf o = {0};
	yaml_emitter_t em;
	yaml_event_t ev;
	bool ok;

	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, out_write, &o);
	yaml_emitter_set_unicode(&em, 1);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(&em, &ev) &&
	     yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(&em, &ev) &&
	     emit_value(&em, v ? v : json_null()) && yaml_document_end_event_initialize(&ev, 1) &&
	     emit(&em, &ev) && yaml_stream_end_event_initialize(&ev) && emit(&em, &ev) &&
	     yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok || o.failed) {
		free(o.data);
		return NULL;
	}
	/* libyaml closes a document that ends in an open-ended scalar (a
	 * "|+" block) with "..."; go-yaml clears open_ended first and does
	 * not. A "..." line at column 0 can only be that marker. */
	if (o.len >= 5 && strcmp(o.data + o.len - 5, "\n...\n") == 0)
		o.data[o.len - 4] = '\0';
	return o.data ? o.data : strdup("");
}
