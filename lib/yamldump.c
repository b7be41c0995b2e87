/* jansson -> YAML exactly as calicoctl -o yaml prints it. calicoctl
 * marshals to JSON, reads that back with go-yaml v2 and marshals it with
 * go-yaml v2; go-yaml's emitter is a port of libyaml's, so we feed
 * libyaml's emitter the events go-yaml's encoder would produce: keys in
 * go-yaml's order, styles chosen as go-yaml chooses them. */
#include "lib/schema.h"
#include "lib/yamljson.h"
#include "lib/yamlscalar.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

static bool is_digit_byte(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* The value of the digit run at s, as Go's int64 arithmetic computes it:
 * wrapping on overflow (19 digits and more), which C only defines for
 * unsigned types. *end is set past the run. */
static int64_t digit_run(const unsigned char *s, uint64_t start, const unsigned char **end)
{
	uint64_t n = start;

	for (; is_digit_byte(*s); s++)
		n = n * 10 + (uint64_t)(*s - '0');
	*end = s;
	return (int64_t)n; /* two's complement, as Go's int64 */
}

/* go-yaml v2 keyList.Less for two string keys: letters by code point,
 * non-letters before letters, digit runs by numeric value. Walks both
 * strings rune by rune; digits are single bytes, so runs and the look-back
 * over earlier digits work on bytes. */
static bool key_less(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;

	while (*pa && *pb) {
		const unsigned char *ra = pa, *rb = pb, *ea, *eb;
		uint32_t ca = next_rune(&pa), cb = next_rune(&pb);
		bool al, bl;
		uint64_t seed = 0;
		int64_t an, bn;

		if (ca == cb)
			continue;
		al = rune_is_letter(ca);
		bl = rune_is_letter(cb);
		if (al && bl)
			return ca < cb;
		if (al || bl)
			return bl;
		if (ca == '0' || cb == '0') {
			/* A zero inside a number (not a leading zero) counts as
			 * a digit of it: go-yaml starts both values at 1. */
			for (const unsigned char *q = ra; q > (const unsigned char *)a &&
							  is_digit_byte(q[-1]);
			     q--) {
				if (q[-1] != '0') {
					seed = 1;
					break;
				}
			}
		}
		an = digit_run(ra, seed, &ea);
		bn = digit_run(rb, seed, &eb);
		if (an != bn)
			return an < bn;
		if (ea - ra != eb - rb)
			return ea - ra < eb - rb;
		return ca < cb;
	}
	return *pa == '\0' && *pb != '\0';
}

static int key_cmp(const void *x, const void *y, void *keys)
{
	const char *a = ((const char **)keys)[*(const size_t *)x];
	const char *b = ((const char **)keys)[*(const size_t *)y];

	if (key_less(a, b))
		return -1;
	return key_less(b, a) ? 1 : 0;
}

/* The order of keys[0..n) (order[i] is the index of the i-th key) as Go's
 * sort.Sort gives it for short slices (insertion sort, up to 12 elements:
 * what maps of resources have), by a stable merge sort beyond. The two
 * agree whenever key_less is a strict order; digit runs that wrap past
 * int64 can make it cyclic (a9999999999999999999 < a1 < a9 <
 * a9999999999999999999), and then one fixed algorithm keeps every printer
 * of this file in agreement. */
static void sort_keys(const char **keys, size_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (n > 12) {
		qsort_r(order, n, sizeof(*order), key_cmp, keys);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		size_t t = order[i], j = i;

		for (; j > 0 && key_less(keys[t], keys[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = t;
	}
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

/* A JSON number as go-yaml prints it. */
static const char *number_text(const json_t *v, char buf[GO_FLOAT_MAX])
{
	double f;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
		char *p = buf + GO_FLOAT_MAX;

		*--p = '\0';
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (i < 0)
			*--p = '-';
		return p;
	}
	/* The JSON text of an integral float64 below 1e21 has no fraction,
	 * so go-yaml reads it back as an integer. */
	f = json_real_value(v);
	if (f == floor(f) && fabs(f) < 1e21) {
		if (fabs(f) < 9.2233720368547758e18)
			snprintf(buf, GO_FLOAT_MAX, "%lld", (long long)f);
		else if (f > 0 && f < 1.8446744073709552e19)
			snprintf(buf, GO_FLOAT_MAX, "%llu", (unsigned long long)f);
		else
			yscalar_format_number(f, buf);
	} else {
		yscalar_format_number(f, buf);
	}
	return buf;
}

static bool emit_number(yaml_emitter_t *em, const json_t *v)
{
	char buf[GO_FLOAT_MAX];
	const char *text = number_text(v, buf);

	return emit_scalar(em, text, strlen(text), YAML_PLAIN_SCALAR_STYLE);
}

static bool emit_value(yaml_emitter_t *em, const json_t *v);

static bool emit_object(yaml_emitter_t *em, const json_t *v)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = malloc((n ? n : 1) * sizeof(*keys));
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	const char *k;
	json_t *c;
	yaml_event_t ev;
	bool ok = keys && order;

	if (ok) {
		json_object_foreach((json_t *)v, k, c) keys[i++] = k;
		sort_keys(keys, order, n);
		ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) &&
		     emit(em, &ev);
	}
	for (i = 0; ok && i < n; i++)
		ok = emit_string(em, keys[order[i]], strlen(keys[order[i]])) &&
		     emit_value(em, json_object_get(v, keys[order[i]]));
	if (ok)
		ok = yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
	free(keys);
	free(order);
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

/* One document holding one value, as go-yaml's Marshal writes it, through
 * libyaml's emitter; body emits the value. */
static bool emit_document(yaml_emitter_t *em, bool (*body)(yaml_emitter_t *, const void *),
			  const void *arg)
{
	yaml_event_t ev;

	yaml_emitter_set_unicode(em, 1);
	return yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && emit(em, &ev) &&
	       yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && emit(em, &ev) &&
	       body(em, arg) && yaml_document_end_event_initialize(&ev, 1) && emit(em, &ev) &&
	       yaml_stream_end_event_initialize(&ev) && emit(em, &ev) && yaml_emitter_flush(em);
}

static bool emit_json_body(yaml_emitter_t *em, const void *v)
{
	return emit_value(em, v);
}

char *yaml_dump(const json_t *v)
{
	struct outbuf o = {0};
	yaml_emitter_t em;
	bool ok;

	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, out_write, &o);
	ok = emit_document(&em, emit_json_body, v ? v : json_null());
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

/* ---- `get` results: the Go-order view, streamed ----
 * go-yaml sorts keys at every level, so the view matters for which members
 * exist (a null creationTimestamp, an empty spec, a default status), not
 * for their order. Two writers produce the same text: libyaml's emitter,
 * for anything, and a direct writer for the block layout of simple scalars
 * (what resources almost always hold), which is several times faster. A
 * dry run of the direct writer over the whole value decides which one
 * prints it, so the output is libyaml's in every case. */

#define MEMBERS_ON_STACK 32

/* Members sorted as go-yaml sorts them: sort_keys over the Go order, as
 * yaml_dump sorts the keys of res_ordered's copy. Unsorted (the dry run)
 * order is NULL. Freed by members_free. */
struct sorted_members {
	struct go_member buf[MEMBERS_ON_STACK], *m;
	const char *kbuf[MEMBERS_ON_STACK], **keys;
	size_t obuf[MEMBERS_ON_STACK], *order;
	size_t n;
};

static void members_free(struct sorted_members *sm)
{
	if (sm->m != sm->buf)
		free(sm->m);
	if (sm->keys != sm->kbuf)
		free(sm->keys);
	if (sm->order != sm->obuf)
		free(sm->order);
}

static bool members_get(const struct go_node *n, struct sorted_members *sm, bool sort)
{
	sm->keys = sm->kbuf;
	sm->order = sm->obuf;
	sm->n = go_members(n, sm->buf, MEMBERS_ON_STACK, &sm->m);
	if (sm->n == (size_t)-1)
		return false;
	if (!sort) {
		sm->order = NULL;
		return true;
	}
	if (sm->n > MEMBERS_ON_STACK) {
		sm->keys = malloc(sm->n * sizeof(*sm->keys));
		sm->order = malloc(sm->n * sizeof(*sm->order));
		if (!sm->keys || !sm->order) {
			members_free(sm);
			return false;
		}
	}
	for (size_t i = 0; i < sm->n; i++)
		sm->keys[i] = sm->m[i].key;
	sort_keys(sm->keys, sm->order, sm->n);
	return true;
}

static const struct go_member *member_at(const struct sorted_members *sm, size_t i)
{
	return &sm->m[sm->order ? sm->order[i] : i];
}

/* -- through libyaml -- */

static bool emit_node(yaml_emitter_t *em, const struct go_node *n)
{
	yaml_event_t ev;
	bool ok;

	if (go_is_object(n)) {
		struct sorted_members sm;

		if (!members_get(n, &sm, true))
			return false;
		ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) &&
		     emit(em, &ev);
		for (size_t i = 0; ok && i < sm.n; i++) {
			const struct go_member *m = member_at(&sm, i);

			ok = emit_string(em, m->key, strlen(m->key)) && emit_node(em, &m->node);
		}
		members_free(&sm);
		return ok && yaml_mapping_end_event_initialize(&ev) && emit(em, &ev);
	}
	if (go_is_array(n)) {
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    !emit(em, &ev))
			return false;
		for (size_t i = 0; i < go_size(n); i++) {
			struct go_node e = go_elem(n, i);

			if (!emit_node(em, &e))
				return false;
		}
		return yaml_sequence_end_event_initialize(&ev) && emit(em, &ev);
	}
	return emit_value(em, n->v ? n->v : json_null());
}

static bool emit_node_body(yaml_emitter_t *em, const void *n)
{
	return emit_node(em, n);
}

static int tout_write(void *data, unsigned char *buf, size_t size)
{
	struct text_out *o = data;

	tout_put(o, (const char *)buf, size);
	return o->err == 0;
}

/* Through libyaml into memory first: the "..." that yaml_dump trims after
 * a "|+" block can only be trimmed before it is written. */
static int print_libyaml(struct text_out *o, const struct go_node *n)
{
	struct text_out mem;
	yaml_emitter_t em;
	bool ok;

	if (!yaml_emitter_initialize(&em))
		return -ENOMEM;
	tout_init(&mem, NULL);
	yaml_emitter_set_output(&em, tout_write, &mem);
	ok = emit_document(&em, emit_node_body, n);
	yaml_emitter_delete(&em);
	if (!ok || mem.err) {
		tout_free(&mem);
		return o->err ? o->err : -ENOMEM;
	}
	if (mem.len >= 5 && memcmp(mem.buf + mem.len - 5, "\n...\n", 5) == 0)
		mem.len -= 4;
	tout_put(o, mem.buf, mem.len);
	tout_free(&mem);
	return o->err;
}

/* -- direct -- */

/* libyaml's best_width: plain scalars fold at spaces past this column. */
#define YAML_WIDTH 80
/* libyaml's limit for a simple (implicit) key. */
#define YAML_SIMPLE_KEY_MAX 128

struct yw {
	struct text_out *o; /* NULL: dry run, only checks */
	bool ok;	    /* false once something needs libyaml */
};

/* What the direct writer may print of a byte: PLAIN_TAIL in a plain
 * scalar after its first byte (which must be alphanumeric): no ':' or '#'
 * (indicators next to spaces), no flow indicators, quotes, backslash,
 * control or non-ASCII bytes; QUOTED_OK inside double quotes: printable
 * ASCII but space (libyaml folds there), '"' and '\\'. */
#define PLAIN_TAIL 1
#define QUOTED_OK 2
#define ALNUM 4
#define ALL_CLASSES (PLAIN_TAIL | QUOTED_OK | ALNUM)
static const unsigned char byte_class[256] = {
    ['0' ... '9'] = ALL_CLASSES, ['a' ... 'z'] = ALL_CLASSES, ['A' ... 'Z'] = ALL_CLASSES,
    [' '] = PLAIN_TAIL, ['.'] = PLAIN_TAIL | QUOTED_OK, ['_'] = PLAIN_TAIL | QUOTED_OK,
    ['/'] = PLAIN_TAIL | QUOTED_OK, ['-'] = PLAIN_TAIL | QUOTED_OK, ['('] = PLAIN_TAIL | QUOTED_OK,
    [')'] = PLAIN_TAIL | QUOTED_OK, ['!'] = PLAIN_TAIL | QUOTED_OK, ['='] = PLAIN_TAIL | QUOTED_OK,
    ['&'] = PLAIN_TAIL | QUOTED_OK, ['|'] = PLAIN_TAIL | QUOTED_OK, ['\''] = PLAIN_TAIL | QUOTED_OK,
    ['@'] = PLAIN_TAIL | QUOTED_OK, ['+'] = PLAIN_TAIL | QUOTED_OK, ['~'] = PLAIN_TAIL | QUOTED_OK,
    ['#'] = QUOTED_OK, [':'] = QUOTED_OK, [','] = QUOTED_OK, ['['] = QUOTED_OK, [']'] = QUOTED_OK,
    ['{'] = QUOTED_OK, ['}'] = QUOTED_OK, ['?'] = QUOTED_OK, ['*'] = QUOTED_OK, ['%'] = QUOTED_OK,
    ['`'] = QUOTED_OK, ['<'] = QUOTED_OK, ['>'] = QUOTED_OK, [';'] = QUOTED_OK, ['$'] = QUOTED_OK,
    ['^'] = QUOTED_OK,
};

/* The plain scalar s is a string for go-yaml (1), is not (0), or ask
 * yscalar_resolve (-1), decided from its shape before parsing numbers and
 * dates: a letter starting none of go-yaml's words (y, yes, n, no, true,
 * false, on, off, null in their cases) or a scalar that is not one of them
 * is a string; so is a digit followed by a second '.' (no number or date
 * has two) or by a letter no number or date holds (not e/E, T/t/Z, and no
 * 0x/0o/0b prefix). Up to 18 digits are an int64. */
static int plain_is_str(const char *s, size_t len)
{
	static const char *const words[] = {"y",   "yes", "n",	  "no",	 "true",
					    "false", "on",  "off", "null"};
	unsigned char c = len ? (unsigned char)s[0] : 0;
	size_t dots = 0;
	bool digits = true;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		if (len > 5 || !strchr("yYnNtTfFoO", c))
			return 1;
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i]) == len && strncasecmp(words[i], s, len) == 0)
				return -1;
		return 1;
	}
	if (!(c >= '0' && c <= '9'))
		return -1;
	if (len >= 2 && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' ||
			 s[1] == 'B'))
		return -1;
	for (size_t i = 1; i < len; i++) {
		unsigned char d = (unsigned char)s[i];

		digits &= d >= '0' && d <= '9';
		if (d == '.' && ++dots == 2)
			return 1;
		if (((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z')) && !strchr("eEtTZ", d))
			return 1;
	}
	return digits && len <= 18 ? 0 : -1;
}

/* The style go-yaml picks for a string (*quoted) and, with check, whether
 * the direct writer can print it exactly as libyaml would at column col
 * (key: a simple key). The dry run checks; the real run only needs the
 * style. */
static bool direct_string(const char *s, size_t len, size_t col, bool key, bool check,
			  bool *quoted)
{
	int str = plain_is_str(s, len);
	unsigned char all = ALL_CLASSES;
	bool spaces = false;

	if (str < 0)
		str = yscalar_resolve(s, len) == YSCALAR_STR;
	/* base 60 needs a ':' */
	*quoted = !str || (memchr(s, ':', len) && yscalar_is_base60_float(s));
	if (!check)
		return true;
	if (key && len > YAML_SIMPLE_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		all &= byte_class[(unsigned char)s[i]];
		spaces |= s[i] == ' ';
	}
	if (*quoted) /* libyaml escapes nothing in these and folds only at spaces */
		return (all & QUOTED_OK) != 0;
	if (!len || !(byte_class[(unsigned char)s[0]] & ALNUM) || s[len - 1] == ' ' ||
	    !(all & PLAIN_TAIL))
		return false;
	/* Values fold at a space past the width; keys never do. */
	return !spaces || key || col + len <= YAML_WIDTH;
}

static void yw_put(struct yw *w, const char *s, size_t n)
{
	if (w->o)
		tout_put(w->o, s, n);
}

static void yw_indent(struct yw *w, size_t col)
{
	static const char spaces[] = "                                                                ";

	while (col > 0) {
		size_t k = col < sizeof(spaces) - 1 ? col : sizeof(spaces) - 1;

		yw_put(w, spaces, k);
		col -= k;
	}
}

/* Writes a string scalar at column col; returns its width. */
static size_t yw_string(struct yw *w, const char *s, size_t len, size_t col, bool key)
{
	bool quoted;

	if (!direct_string(s, len, col, key, w->o == NULL, &quoted)) {
		w->ok = false;
		return 0;
	}
	if (quoted)
		yw_put(w, "\"", 1);
	yw_put(w, s, len);
	if (quoted)
		yw_put(w, "\"", 1);
	return len + (quoted ? 2 : 0);
}

/* A scalar or empty container (flow "{}"/"[]"), then the line break. */
static void yw_scalar(struct yw *w, const struct go_node *n, size_t col)
{
	const json_t *v = n->v ? n->v : json_null();
	char buf[GO_FLOAT_MAX];
	const char *text;

	if (go_is_object(n))
		text = "{}";
	else if (go_is_array(n))
		text = "[]";
	else if (json_is_string(v))
		text = NULL;
	else if (json_is_number(v))
		text = number_text(v, buf);
	else if (json_is_true(v))
		text = "true";
	else if (json_is_false(v))
		text = "false";
	else
		text = "null";
	if (text)
		yw_put(w, text, strlen(text));
	else
		yw_string(w, json_string_value(v), json_string_length(v), col, false);
	yw_put(w, "\n", 1);
}

/* Whether n prints as "{}"/"[]": the view's virtual members make a
 * resource and its metadata never empty. */
static bool node_empty(const struct go_node *n)
{
	if (go_is_array(n))
		return go_size(n) == 0;
	if (n->shape == GO_RESOURCE || n->shape == GO_META)
		return false;
	return json_object_size(n->v) == 0; /* 0 for a non-object too */
}

static void yw_block(struct yw *w, const struct go_node *n, size_t col, bool inline_first);

enum yw_ctx { YW_TOP, YW_MAPVAL, YW_SEQITEM };

/* The value of a key ("key:" written, key ending at column col_after) or
 * of a sequence item ("- " written), or the document's value. col is the
 * column of the key or dash. */
static void yw_value(struct yw *w, const struct go_node *n, size_t col, size_t col_after,
		     enum yw_ctx ctx)
{
	bool block = (go_is_object(n) || go_is_array(n)) && !node_empty(n);

	if (!block) {
		if (ctx == YW_MAPVAL)
			yw_put(w, " ", 1);
		yw_scalar(w, n, col_after + (ctx == YW_MAPVAL));
		return;
	}
	if (ctx == YW_MAPVAL) {
		yw_put(w, "\n", 1);
		/* libyaml does not indent a sequence under its key. */
		yw_block(w, n, go_is_array(n) ? col : col + 2, false);
	} else if (ctx == YW_SEQITEM) {
		if (go_is_array(n)) /* "- - x": leave to libyaml */
			w->ok = false;
		else
			yw_block(w, n, col + 2, true);
	} else {
		yw_block(w, n, 0, false);
	}
}

/* A non-empty mapping or sequence whose lines start at column col; with
 * inline_first its first line is already indented (after "- "). */
static void yw_block(struct yw *w, const struct go_node *n, size_t col, bool inline_first)
{
	if (go_is_array(n)) {
		for (size_t i = 0; w->ok && i < go_size(n); i++) {
			struct go_node e = go_elem(n, i);

			if (i || !inline_first)
				yw_indent(w, col);
			yw_put(w, "- ", 2);
			yw_value(w, &e, col, col + 2, YW_SEQITEM);
		}
		return;
	}
	struct sorted_members sm;

	/* The dry run checks every member; order does not change columns. */
	if (!members_get(n, &sm, w->o != NULL)) {
		w->ok = false;
		return;
	}
	for (size_t i = 0; w->ok && i < sm.n; i++) {
		const struct go_member *m = member_at(&sm, i);
		size_t width;

		if (i || !inline_first)
			yw_indent(w, col);
		width = yw_string(w, m->key, strlen(m->key), col, true);
		yw_put(w, ":", 1);
		yw_value(w, &m->node, col, col + width + 1, YW_MAPVAL);
	}
	members_free(&sm);
}

int yaml_print(struct text_out *o, const json_t *v)
{
	struct go_node n = go_classify(v ? v : json_null());
	struct yw dry = {.o = NULL, .ok = true}, w = {.o = o, .ok = true};

	yw_value(&dry, &n, 0, 0, YW_TOP);
	if (!dry.ok)
		return print_libyaml(o, &n);
	yw_value(&w, &n, 0, 0, YW_TOP);
	if (!w.ok && !o->err)
		o->err = -ENOMEM; /* only an allocation can fail after the dry run */
	return o->err;
}
