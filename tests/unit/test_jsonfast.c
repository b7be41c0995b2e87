/* lib/jsonfast: the same trees as jansson's json_loads, valid and invalid. */
#include "lib/jsonfast.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

/* Both parsers agree: same tree (with key order) or both refuse. */
static void agree(const char *text)
{
	json_error_t je;
	struct err e;
	json_t *want = json_loads(text, JSON_DECODE_ANY, &je);
	json_t *got = json_fast_parse(text, strlen(text), &e);
	char msg[160];

	snprintf(msg, sizeof(msg), "same as json_loads: %.100s", text);
	for (char *c = msg; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	if (!want || !got) {
		check_report(!want && !got, msg, __FILE__, __LINE__);
	} else {
		char *a = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		char *b = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

		check_report(json_equal(want, got) && strcmp(a, b) == 0, msg, __FILE__, __LINE__);
		free(a);
		free(b);
	}
	json_decref(want);
	json_decref(got);
}

static const char *const valid[] = {
	"{}", "[]", "0", "-0", "12", "-12", "1.5", "-1.5e3", "1E+2", "2e-2", "true", "false",
	"null", "\"\"", "\"abc\"", " \t\n\r{ \"a\" : [ 1 , 2 , {\"b\":null} ] } \n",
	"{\"apiVersion\":\"projectcalico.org/v3\",\"kind\":\"BGPPeer\",\"metadata\":{\"name\":"
	"\"peer-00000\",\"uid\":\"604eb98f-be4a-47ce-84cd-34a70fada40e\",\"creationTimestamp\":"
	"\"2026-11-30T03:44:49Z\"},\"spec\":{\"peerIP\":\"10.0.0.1\",\"asNumber\":64513}}",
	"\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9\\u4e2d\\ud83d\\ude00\"",
	"\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\"", "{\"k\\u00e9y\":\"v\",\"k2\":[\"\\n\"]}",
	"{\"a\":1,\"a\":2}", "9223372036854775807", "-9223372036854775808", "[[[[[]]]]]",
	"{\"z\":1,\"a\":2,\"m\":3}", "1e308", "123456789012345678e-5",
};

static const char *const invalid[] = {
	"", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-",
	"1e", "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
	"\"\\u0000\"", "\"a\tb\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "[1] 2",
	"9223372036854775808", "-9223372036854775809", "{\"a\":1}}", "[\"a\" \"b\"]", "NaN",
	"1e400",
};

/* A random tree with awkward strings, to compare the two parsers on. */
static json_t *random_value(int depth)
{
	static const char *const words[] = {"a", "peer", "\xc3\xa9t\xc3\xa9", "q\"uote", "back\\slash",
					    "tab\there", "line\nbreak", "\xf0\x9f\x98\x80", "/",
					    "ctl\x01x", ""};
	int pick = rand() % (depth > 4 ? 5 : 7);

	switch (pick) {
	case 0:
		return json_integer((json_int_t)rand() - RAND_MAX / 2);
	case 1:
		return json_real((double)rand() / 7.0);
	case 2:
		return json_string(words[rand() % 11]);
	case 3:
		return rand() % 2 ? json_true() : json_null();
	case 4:
		return json_false();
	case 5: {
		json_t *a = json_array();
		for (int i = rand() % 5; i > 0; i--)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	default: {
		json_t *o = json_object();
		for (int i = rand() % 5; i > 0; i--) {
			char key[32];
			snprintf(key, sizeof(key), "%s%d", words[rand() % 11], rand() % 100);
			json_object_set_new(o, key, random_value(depth + 1));
		}
		return o;
	}
	}
}

int main(void)
{
	struct err e;
	int mismatches = 0;

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		agree(valid[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		json_t *v = json_fast_parse(invalid[i], strlen(invalid[i]), &e);
		char msg[120];

		snprintf(msg, sizeof(msg), "refused: '%.60s'", invalid[i]);
		for (char *c = msg; *c; c++)
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		check_report(v == NULL && strstr(e.msg, "invalid JSON at byte") != NULL, msg, __FILE__,
			     __LINE__);
		json_decref(v);
		agree(invalid[i]);
	}
	{
		/* Nesting beyond the limit is refused, not a stack overflow. */
		size_t n = 100000;
		char *deep = malloc(2 * n + 1);

		memset(deep, '[', n);
		memset(deep + n, ']', n);
		deep[2 * n] = '\0';
		CHECK(json_fast_parse(deep, 2 * n, &e) == NULL);
		CHECK(strstr(e.msg, "nesting too deep") != NULL);
		free(deep);
	}
	srand(7);
	for (int i = 0; i < 2000; i++) {
		json_t *v = random_value(0);
		size_t flags = JSON_ENCODE_ANY | JSON_PRESERVE_ORDER |
			       (i % 3 == 0 ? JSON_INDENT(2) : JSON_COMPACT) |
			       (i % 5 == 0 ? JSON_ENSURE_ASCII : 0);
		char *text = json_dumps(v, flags);
		json_t *got = json_fast_parse(text, strlen(text), &e);

		if (!got || !json_equal(v, got)) {
			if (mismatches++ < 3)
				printf("# mismatch on: %s\n", text);
		}
		json_decref(got);
		json_decref(v);
		free(text);
	}
	CHECK_INT(mismatches, 0);
	return check_done();
}
