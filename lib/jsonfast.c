#include "lib/jsonfast.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct jp {
	const char *p, *end, *start;
	char *buf; /* scratch for strings with escapes */
	size_t cap;
	struct err *e;
	bool failed;
};

static json_t *fail(struct jp *j, const char *reason)
{
	if (!j->failed)
		err_set(j->e, -EINVAL, "invalid JSON at byte %zu: %s", (size_t)(j->p - j->start),
			reason);
	j->failed = true;
	return NULL;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static bool reserve(struct jp *j, size_t need)
{
	char *nb;
	size_t cap = j->cap ? j->cap : 256;

	if (need <= j->cap)
		return true;
	while (cap < need)
		cap *= 2;
	nb = realloc(j->buf, cap);
	if (!nb)
		return false;
	j->buf = nb;
	j->cap = cap;
	return true;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0], len, min;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (unsigned i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the \u escape(s) at j->p (just after the backslash-u) into out.
 * Returns the bytes written, or 0 on error. */
static size_t unicode_escape(struct jp *j, char *out)
{
	int hi, lo;

	if (j->end - j->p < 4 || (hi = hex4(j->p)) < 0)
		return fail(j, "invalid \\u escape"), 0;
	j->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail(j, "lone low surrogate in \\u escape"), 0;
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
		    (lo = hex4(j->p + 2)) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return fail(j, "high surrogate without a low surrogate"), 0;
		j->p += 6;
		return put_utf8(out, 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00));
	}
	if (hi == 0)
		return fail(j, "\\u0000 is not allowed"), 0;
	return put_utf8(out, (uint32_t)hi);
}

/* Bytes that end a plain run inside a string: the closing quote, a
 * backslash, control characters and every non-ASCII byte. */
static const unsigned char str_stop[256] = {
    [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

/* True when none of the 8 bytes at p is a str_stop byte. Bit tricks on a
 * 64-bit word (a byte below n: (x - n) & ~x has its high bit set); a
 * false "no" only sends the word to the byte loop. */
static bool word_is_plain(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t w, quote, bslash;

	memcpy(&w, p, sizeof(w));
	quote = w ^ (ones * '"');
	bslash = w ^ (ones * '\\');
	return ((((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
		 ((w - ones * 0x20) & ~w) | w) &
		highs) == 0;
}

/* Parses the string at j->p (just after the opening quote). On success
 * *s and *n describe it: either a slice of the input (no escapes) or j->buf. */
static bool parse_string(struct jp *j, const char **s, size_t *n)
{
	const char *q = j->p;
	size_t len = 0;

	/* Fast path: no escapes. Plain ASCII is skipped eight bytes at a
	 * time, then a byte per test; the rest is looked at one by one. */
	while (j->end - q >= 8 && word_is_plain(q))
		q += 8;
	while (q < j->end) {
		unsigned char c = (unsigned char)*q;

		if (!str_stop[c]) {
			q++;
			continue;
		}
		if (c == '"' || c == '\\')
			break;
		if (c < 0x20)
			return j->p = q, fail(j, "control character in string"), false;
		len = utf8_seq((const unsigned char *)q, (size_t)(j->end - q));
		if (!len)
			return j->p = q, fail(j, "invalid UTF-8 in string"), false;
		q += len;
	}
	if (q >= j->end)
		return j->p = q, fail(j, "unterminated string"), false;
	if (*q == '"') {
		*s = j->p;
		*n = (size_t)(q - j->p);
		j->p = q + 1;
		return true;
	}
	/* Slow path: copy with escapes decoded. Output never exceeds input. */
	len = (size_t)(q - j->p);
	if (!reserve(j, (size_t)(j->end - j->p) + 4))
		return fail(j, "out of memory"), false;
	memcpy(j->buf, j->p, len);
	j->p = q;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		size_t k;

		if (c == '\\') {
			if (j->end - j->p < 2)
				return fail(j, "unterminated string"), false;
			j->p += 2;
			switch (j->p[-1]) {
			case '"': j->buf[len++] = '"'; break;
			case '\\': j->buf[len++] = '\\'; break;
			case '/': j->buf[len++] = '/'; break;
			case 'b': j->buf[len++] = '\b'; break;
			case 'f': j->buf[len++] = '\f'; break;
			case 'n': j->buf[len++] = '\n'; break;
			case 'r': j->buf[len++] = '\r'; break;
			case 't': j->buf[len++] = '\t'; break;
			case 'u':
				k = unicode_escape(j, j->buf + len);
				if (!k)
					return false;
				len += k;
				break;
			default:
				j->p--;
				return fail(j, "invalid escape"), false;
			}
			continue;
		}
		if (c < 0x20)
			return fail(j, "control character in string"), false;
		k = utf8_seq((const unsigned char *)j->p, (size_t)(j->end - j->p));
		if (!k)
			return fail(j, "invalid UTF-8 in string"), false;
		memcpy(j->buf + len, j->p, k);
		len += k;
		j->p += k;
	}
	if (j->p >= j->end)
		return fail(j, "unterminated string"), false;
	j->p++;
	*s = j->buf;
	*n = len;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static json_t *parse_number(struct jp *j)
{
	const char *q = j->p, *start = j->p;
	bool real = false;
	char tmp[64], *endp;

	if (q < j->end && *q == '-')
		q++;
	if (q >= j->end || !is_digit(*q))
		return fail(j, "invalid number");
	if (*q == '0')
		q++;
	else
		while (q < j->end && is_digit(*q))
			q++;
	if (q < j->end && *q == '.') {
		real = true;
		q++;
		if (q >= j->end || !is_digit(*q))
			return j->p = q, fail(j, "invalid number");
		while (q < j->end && is_digit(*q))
			q++;
	}
	if (q < j->end && (*q == 'e' || *q == 'E')) {
		real = true;
		q++;
		if (q < j->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= j->end || !is_digit(*q))
			return j->p = q, fail(j, "invalid number");
		while (q < j->end && is_digit(*q))
			q++;
	}
	if ((size_t)(q - start) >= sizeof(tmp))
		return fail(j, "number too long");
	memcpy(tmp, start, (size_t)(q - start));
	tmp[q - start] = '\0';
	j->p = q;
	errno = 0;
	if (!real) {
		long long v = strtoll(tmp, &endp, 10);

		if (errno == ERANGE)
			return j->p = start, fail(j, "integer out of range");
		return json_integer((json_int_t)v);
	}
	{
		double d = strtod(tmp, &endp);

		if (errno == ERANGE && (d > 1.0 || d < -1.0))
			return j->p = start, fail(j, "real number overflow");
		return json_real(d);
	}
}

static json_t *parse_value(struct jp *j, int depth);

static json_t *parse_object(struct jp *j, int depth)
{
	json_t *obj = json_object();

	if (!obj)
		return fail(j, "out of memory");
	skip_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return obj;
	}
	for (;;) {
		const char *key;
		size_t klen;
		char *kcopy;
		json_t *v;

		skip_ws(j);
		if (j->p >= j->end || *j->p != '"')
			return json_decref(obj), fail(j, "expected a string key");
		j->p++;
		if (!parse_string(j, &key, &klen))
			return json_decref(obj), NULL;
		if (memchr(key, '\0', klen))
			return json_decref(obj), fail(j, "NUL in object key");
		/* A key with escapes sits in the scratch buffer the value may
		 * reuse: only that one is copied. */
		kcopy = NULL;
		if (key == j->buf) {
			kcopy = strndup(key, klen);
			if (!kcopy)
				return json_decref(obj), fail(j, "out of memory");
			key = kcopy;
		}
		skip_ws(j);
		if (j->p >= j->end || *j->p != ':') {
			free(kcopy);
			return json_decref(obj), fail(j, "expected ':'");
		}
		j->p++;
		v = parse_value(j, depth + 1);
		if (!v || json_object_setn_new_nocheck(obj, key, klen, v) < 0) {
			free(kcopy);
			return json_decref(obj), v ? fail(j, "out of memory") : NULL;
		}
		free(kcopy);
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return obj;
		}
		return json_decref(obj), fail(j, "expected ',' or '}'");
	}
}

static json_t *parse_array(struct jp *j, int depth)
{
	json_t *arr = json_array();

	if (!arr)
		return fail(j, "out of memory");
	skip_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return arr;
	}
	for (;;) {
		json_t *v = parse_value(j, depth + 1);

		if (!v || json_array_append_new(arr, v) < 0)
			return json_decref(arr), v ? fail(j, "out of memory") : NULL;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return arr;
		}
		return json_decref(arr), fail(j, "expected ',' or ']'");
	}
}

static bool literal(struct jp *j, const char *word, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
		return false;
	j->p += n;
	return true;
}

static json_t *parse_value(struct jp *j, int depth)
{
	const char *s;
	size_t n;

	if (depth > JSON_FAST_MAX_DEPTH)
		return fail(j, "nesting too deep");
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "unexpected end of input");
	switch (*j->p) {
	case '{':
		j->p++;
		return parse_object(j, depth);
	case '[':
		j->p++;
		return parse_array(j, depth);
	case '"':
		j->p++;
		if (!parse_string(j, &s, &n))
			return NULL;
		if (memchr(s, '\0', n))
			return fail(j, "NUL in string");
		return json_stringn_nocheck(s, n);
	case 't':
		return literal(j, "true", 4) ? json_true() : fail(j, "invalid literal");
	case 'f':
		return literal(j, "false", 5) ? json_false() : fail(j, "invalid literal");
	case 'n':
		return literal(j, "null", 4) ? json_null() : fail(j, "invalid literal");
	default:
		return parse_number(j);
	}
}

json_t *json_fast_parse(const char *text, size_t len, struct err *e)
{
	struct jp j = {.p = text, .end = text + len, .start = text, .e = e};
	json_t *v = parse_value(&j, 0);

	if (v) {
		skip_ws(&j);
		if (j.p != j.end) {
			json_decref(v);
			v = fail(&j, "trailing characters after the value");
		}
	}
	free(j.buf);
	return v;
}
