/* The streaming printers of `get -o json|yaml` (json_print_go, yaml_print
 * over the Go-order view) against the copying path they replace
 * (json_dump_go / yaml_dump of res_ordered / res_list_ordered), over many
 * generated resources of every kind: unknown and extra keys at every level,
 * missing and mistyped envelope members, empty maps and lists, unicode,
 * strings that need quoting, folding or literal blocks, big and real
 * numbers. Also go-yaml's key order for long digit runs. */
#include "lib/resource.h"
#include "lib/schema.h"
#include "lib/yamljson.h"
#include "tests/unit/check.h"

#include <stdint.h>
#include <stdlib.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static const char *const strings[] = {
    "",
    "abc",
    "peer-00001",
    "10.0.0.1",
    "fd00::1",
    "10.0.0.1:179",
    "2026-11-30T04:55:02Z",
    "2026-11-30",
    "123",
    "0123",
    "089",
    "0x1F",
    "1e5",
    "1.5",
    "99999999999999999999999",
    "1234567890123456789",
    "true",
    "Yes",
    "off",
    "NULL",
    "~",
    "y",
    "name",
    "1:20",
    "190:20:30.15",
    ".inf",
    "-1",
    "+5",
    "a b c",
    "has(rr) && rack == 'a'",
    "all()",
    "projectcalico.org/v3",
    "9bf93060-64fb-49d1-aaed-b9be94a892cb",
    "1.2.3.4.5",
    "a: b",
    "#hash",
    "a #b",
    "- dash",
    "-x",
    "@at",
    "  lead",
    "trail ",
    "quote\"d",
    "back\\slash",
    "<tag>&amp;",
    "line1\nline2",
    "ends with newline\n",
    "\n\nlead breaks",
    "tab\there",
    "ctl\x01x",
    "h\xc3\xa9llo",
    "\xe6\x97\xa5\xe6\x9c\xac",
    "emoji \xf0\x9f\x98\x80",
    "sep\xe2\x80\xa8x",
    "a very long string with spaces that goes past the eighty column limit of libyaml and folds",
    "averylongstringwithoutanyspacesthatgoespasttheeightycolumnlimitoflibyamlandthensomemore",
    "\"a very long double quoted string 2026-01-01 with spaces past the eighty column limit\"",
    "x:y",
    "[flow]",
    "{flow}",
    "a,b",
    "?q",
    "*star",
    "!bang",
    "%pct",
    "`tick",
    "'single'",
    "key=value",
    "A",
    "Z9",
};

static const char *const keys[] = {
    "zeta", "a1", "a10", "a01", "a9", "a9999999999999999999", "a99999999999999999999", "A", "_x",
    "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", "123", "", "with space", "k:v", "x-y", "projectcalico.org/label",
    "name", "spec", "kind", "status", "metadata", "items", "uid",
    ("a-very-long-key-name-that-is-more-than-one-hundred-and-twenty-eight-characters-long-so-that-"
     "libyaml-cannot-use-it-as-a-simple-key-at-all"),
};

/* What resources usually hold: rounds made of these alone print through
 * yaml_print's direct writer rather than libyaml. */
static const char *const simple_strings[] = {
    "", "abc", "peer-00001", "10.0.0.1", "2026-11-30T04:55:02Z", "123", "0123", "true", "Yes",
    "y", "name", "a b c", "has(rr) && rack == 'a'", "all()", "projectcalico.org/v3",
    "9bf93060-64fb-49d1-aaed-b9be94a892cb", "1.2.3.4.5", "-1", "0x1F", "1e5", "1.5", "A", "Z9",
    "key=value", "1234567890123456789", "99999999999999999999999", "1:20", "off",
    "a short one with spaces", "2026-11-30",
    /* around libyaml's 80 columns, at every depth: folding starts past it */
    "words and more words and yet more words to reach the width limit of eighty c",
    "words and more words and yet more words to reach the width limit of eighty co",
    "words and more words and yet more words to reach the width limit",
    "words and more words and yet more words to reach the width limit of",
    "averylongstringwithoutanyspacesthatgoespasttheeightycolumnlimitoflibyamlandthensomemore",
    "123456789012345678901234567890",
};
static const char *const simple_keys[] = {
    "zeta", "a1", "a10", "a01", "a9", "A", "x-y", "123", "projectcalico.org/label", "name", "uid",
    "spec", "with space",
    /* 128 and 129 bytes: libyaml's longest simple key and one past it */
    ("k2345678901234567890123456789012345678901234567890123456789012345678901234567890"
     "123456789012345678901234567890123456789012345678"),
    ("k2345678901234567890123456789012345678901234567890123456789012345678901234567890"
     "1234567890123456789012345678901234567890123456789"),
};
static bool simple;

static const char *rand_key(void)
{
	if (simple)
		return simple_keys[rnd(sizeof(simple_keys) / sizeof(simple_keys[0]))];
	return keys[rnd(sizeof(keys) / sizeof(keys[0]))];
}

static json_t *rand_string(void)
{
	if (simple)
		return json_string(simple_strings[rnd(sizeof(simple_strings) / sizeof(simple_strings[0]))]);
	return json_string(strings[rnd(sizeof(strings) / sizeof(strings[0]))]);
}

static json_t *rand_number(void)
{
	static const json_int_t ints[] = {0, 1, -1, 64512, 4294967295LL, INT64_MAX, INT64_MIN};
	static const double reals[] = {1.5, -2.25, 1e21, 1e20, 1e-7, 123456789.0, 0.1, 3e300,
				       9.3e18, 1.9e19};

	if (rnd(2))
		return json_integer(ints[rnd(sizeof(ints) / sizeof(ints[0]))]);
	return json_real(reals[rnd(sizeof(reals) / sizeof(reals[0]))]);
}

static json_t *rand_json(int depth);

static json_t *rand_object(int depth, unsigned max)
{
	json_t *o = json_object();
	unsigned n = rnd(max + 1);

	for (unsigned i = 0; i < n; i++)
		json_object_set_new(o, rand_key(), rand_json(depth + 1));
	return o;
}

static json_t *rand_json(int depth)
{
	switch (rnd(depth > 3 ? 5 : 8)) {
	case 0:
	case 1:
		return rand_string();
	case 2:
		return rand_number();
	case 3:
		return rnd(2) ? json_true() : json_false();
	case 4:
		return json_null();
	case 5:
	case 6:
		return rand_object(depth, 4);
	default: {
		json_t *a = json_array();
		unsigned n = rnd(4);

		for (unsigned i = 0; i < n; i++)
			json_array_append_new(a, rand_json(depth + 1));
		return a;
	}
	}
}

/* A map[string]string, sometimes empty, keys in random order. */
static json_t *rand_map(void)
{
	json_t *m = json_object();
	unsigned n = rnd(5);

	for (unsigned i = 0; i < n; i++)
		json_object_set_new(m, rand_key(), rand_string());
	return m;
}

static json_t *value_for(const struct field *f, int depth);

/* A struct from its fields, in random order, with extra unknown keys. */
static json_t *rand_struct(const struct field *fields, int depth)
{
	json_t *o = json_object();
	size_t n = 0;

	while (fields && fields[n].json)
		n++;
	for (size_t k = 0; k < n * 2; k++) {
		const struct field *f = &fields[rnd((uint32_t)n)];

		if (rnd(3) == 0)
			json_object_set_new(o, f->json, value_for(f, depth + 1));
	}
	if (rnd(4) == 0)
		json_object_set_new(o, rand_key(), rand_json(depth + 1));
	return o;
}

static json_t *value_for(const struct field *f, int depth)
{
	if (rnd(12) == 0 || depth > 5)
		return rand_json(depth); /* mistyped */
	switch (f->type) {
	case FT_OBJECT:
		return rand_struct(f->sub, depth);
	case FT_MAP:
		return rand_map();
	case FT_LIST: {
		json_t *a = json_array();
		unsigned n = rnd(4);

		for (unsigned i = 0; i < n; i++)
			json_array_append_new(a, f->sub->type == FT_OBJECT && rnd(8)
						     ? rand_struct(f->sub->sub, depth + 1)
						     : value_for(f->sub, depth + 1));
		return a;
	}
	case FT_INT:
	case FT_ASN:
		return rand_number();
	case FT_BOOL:
		return rnd(2) ? json_true() : json_false();
	case FT_ANY:
		return rand_json(depth);
	default:
		return rand_string();
	}
}

static const char *const meta_keys[] = {
    "name", "uid", "resourceVersion", "creationTimestamp", "labels", "annotations", "generation",
    "namespace", "finalizers", "ownerReferences", "deletionTimestamp", "managedFields", "selfLink",
    "generateName", "deletionGracePeriodSeconds",
};

static json_t *rand_meta(void)
{
	json_t *m = json_object();

	for (size_t i = 0; i < 6; i++) {
		const char *k = meta_keys[rnd(sizeof(meta_keys) / sizeof(meta_keys[0]))];

		if (!strcmp(k, "labels") || !strcmp(k, "annotations"))
			json_object_set_new(m, k, rnd(8) ? rand_map() : rand_json(2));
		else if (!strcmp(k, "finalizers"))
			json_object_set_new(m, k, json_pack("[s]", "x"));
		else if (!strcmp(k, "generation"))
			json_object_set_new(m, k, rand_number());
		else
			json_object_set_new(m, k, rnd(10) ? rand_string() : rand_json(2));
	}
	if (rnd(5) == 0)
		json_object_set_new(m, rand_key(), rand_json(2));
	return m;
}

/* A resource of kind k: envelope members in random order, some missing or
 * of the wrong type, unknown ones added. */
static json_t *rand_resource(const struct kind_desc *k)
{
	json_t *o = json_object();
	const char *order[] = {"kind", "apiVersion", "metadata", "spec", "status", "extra"};

	for (size_t i = 0; i < 6; i++) {
		size_t j = i + rnd((uint32_t)(6 - i));
		const char *t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < 6; i++) {
		const char *m = order[i];

		if (!strcmp(m, "kind"))
			json_object_set_new(o, m, json_string(kind_name(k)));
		else if (!strcmp(m, "apiVersion") && rnd(8))
			json_object_set_new(o, m, json_string(RES_API_VERSION));
		else if (!strcmp(m, "metadata") && rnd(10))
			json_object_set_new(o, m, rnd(15) ? rand_meta() : rand_json(2));
		else if (!strcmp(m, "spec") && rnd(6))
			json_object_set_new(o, m, rnd(15) ? rand_struct(k->spec, 1) : rand_json(2));
		else if (!strcmp(m, "status") && k->status && rnd(2))
			json_object_set_new(o, m, rnd(15) ? rand_struct(k->status, 1) : rand_json(2));
		else if (!strcmp(m, "extra") && rnd(5) == 0) {
			/* Any key but kind: `get` results are named by it. */
			const char *x = rand_key();

			if (strcmp(x, "kind") != 0)
				json_object_set_new(o, x, rand_json(1));
		}
	}
	return o;
}

static char *new_json(const json_t *v)
{
	struct text_out o;

	tout_init(&o, NULL);
	if (json_print_go(&o, v) < 0) {
		tout_free(&o);
		return NULL;
	}
	return tout_detach(&o);
}

static char *new_yaml(const json_t *v)
{
	struct text_out o;

	tout_init(&o, NULL);
	if (yaml_print(&o, v) < 0) {
		tout_free(&o);
		return NULL;
	}
	return tout_detach(&o);
}

static unsigned mismatches;

/* Compares the old and new text of one value; shows the first mismatch. */
static void same(const char *what, char *old, char *got)
{
	bool ok = old && got && strcmp(old, got) == 0;

	if (!ok && mismatches++ == 0)
		printf("# %s differs:\n# old:\n%s\n# new:\n%s\n", what, old ? old : "(null)",
		       got ? got : "(null)");
	free(old);
	free(got);
}

/* raw: what `get` now hands the printer; ordered: what it used to. */
static void compare(const json_t *raw, const json_t *ordered)
{
	same("json", json_dump_go(ordered), new_json(raw));
	same("yaml", yaml_dump(ordered), new_yaml(raw));
}

static void test_generated(void)
{
	unsigned objects = 0, lists = 0;

	for (const struct kind_desc *const *k = kind_all(); *k; k++) {
		for (int round = 0; round < 60; round++) {
			json_t *items = json_array(), *raw_list, *old_list, *raw_res, *old_res;
			unsigned n = rnd(round % 10 == 0 ? 1 : 30);

			simple = round % 2 == 0;

			for (unsigned i = 0; i < n; i++) {
				json_t *r = rand_resource(*k), *ord = res_ordered(*k, r);

				compare(r, ord);
				objects++;
				json_array_append_new(items, r);
				json_decref(ord);
			}
			raw_list = res_list(*k, items, round % 7 ? "42" : "");
			old_list = res_list_ordered(*k, items, round % 7 ? "42" : "");
			compare(raw_list, old_list);
			lists++;
			/* Several results: an array of a List and named objects. */
			raw_res = json_pack("[O]", raw_list);
			old_res = json_pack("[O]", old_list);
			for (size_t i = 0; i < json_array_size(items) && i < 3; i++) {
				json_array_append(raw_res, json_array_get(items, i));
				json_array_append_new(old_res,
						      res_ordered(*k, json_array_get(items, i)));
			}
			compare(raw_res, old_res);
			json_decref(raw_res);
			json_decref(old_res);
			json_decref(raw_list);
			json_decref(old_list);
			json_decref(items);
		}
	}
	printf("# %u resources, %u lists compared\n", objects, lists);
	CHECK(objects > 1000);
	CHECK_INT(mismatches, 0);
}

/* Values that are not resources print as they are. */
static void test_plain(void)
{
	const char *docs[] = {
	    "null", "[]", "{}", "[1, \"a\", null]", "{\"kind\": \"Nope\", \"b\": {\"a\": 1}}",
	    "{\"kind\": 7}", "\"just a string\"", "[[1, 2], {\"x\": []}]", "1.5e300",
	};

	mismatches = 0;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		json_t *v = json_loads(docs[i], JSON_DECODE_ANY, NULL);

		compare(v, v);
		json_decref(v);
	}
	CHECK_INT(mismatches, 0);
}

/* A stored BGPPeer as `get` prints it (the golden form of calicoctl). */
static void test_known_output(void)
{
	json_t *r = json_loads("{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\","
			       "\"metadata\":{\"name\":\"p1\",\"uid\":\"u-1\"},"
			       "\"spec\":{\"asNumber\":64513,\"peerIP\":\"10.0.0.2\"}}",
			       0, NULL);
	char *j = new_json(r), *y = new_yaml(r);

	CHECK_STR(j, "{\n  \"kind\": \"BGPPeer\",\n  \"apiVersion\": \"projectcalico.org/v3\",\n"
		     "  \"metadata\": {\n    \"name\": \"p1\",\n    \"uid\": \"u-1\",\n"
		     "    \"creationTimestamp\": null\n  },\n  \"spec\": {\n"
		     "    \"peerIP\": \"10.0.0.2\",\n    \"asNumber\": 64513\n  }\n}");
	CHECK_STR(y, "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n"
		     "  creationTimestamp: null\n  name: p1\n  uid: u-1\nspec:\n  asNumber: 64513\n"
		     "  peerIP: 10.0.0.2\n");
	free(j);
	free(y);
	json_decref(r);
}

/* go-yaml compares digit runs as int64, wrapping past 2^63-1 as Go does:
 * 9999999999999999999 (19 digits) wraps negative and sorts before 1. */
static void test_long_digit_keys(void)
{
	json_t *v = json_pack("{s:i, s:i, s:i, s:i}", "a1", 1, "a9999999999999999999", 2, "a10", 3,
			      "a99999999999999999999", 4);
	char *y = yaml_dump(v);

	/* 10^20-1 wraps to 7766279631452241919, above 10. */
	CHECK_STR(y, "a9999999999999999999: 2\na1: 1\na10: 3\na99999999999999999999: 4\n");
	free(y);
	json_decref(v);
}

/* The file sink: output larger than its buffer arrives whole. */
static void test_file_sink(void)
{
	FILE *f = tmpfile();
	struct text_out o;
	char buf[256];
	size_t total = 0, got;

	tout_init(&o, f);
	for (int i = 0; i < 50000; i++)
		tout_put(&o, "0123456789", 10);
	tout_put_slow(&o, "", 0);
	CHECK_INT(tout_flush(&o), 0);
	tout_free(&o);
	rewind(f);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		total += got;
	CHECK_INT(total, 500000);
	fclose(f);
}

int main(void)
{
	test_generated();
	test_plain();
	test_known_output();
	test_long_digit_keys();
	test_file_sink();
	return check_done();
}
