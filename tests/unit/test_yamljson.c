/* lib/yamljson: YAML/JSON reading as calicoctl reads it, and the two
 * printers byte for byte (golden strings). */
#include "lib/yamljson.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdlib.h>

static json_t *load1(const char *text)
{
	json_t *docs = NULL, *doc;
	struct err e;

	if (yaml_load(text, strlen(text), "test", &docs, &e) < 0) {
		printf("# load failed: %s\n", e.msg);
		return NULL;
	}
	doc = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return doc;
}

/* Loads "v: <scalar>" and returns the value's compact Go JSON. */
static char *scalar(const char *yaml_value)
{
	char text[256];
	json_t *doc;
	char *out;

	snprintf(text, sizeof(text), "v: %s\n", yaml_value);
	doc = load1(text);
	if (!doc)
		return strdup("(error)");
	out = json_dump_go_compact(json_object_get(doc, "v"));
	json_decref(doc);
	return out;
}

static void check_scalar(const char *in, const char *want)
{
	char *got = scalar(in);
	char what[256];
	int ok = strcmp(got, want) == 0;

	snprintf(what, sizeof(what), "scalar %s -> %s", in, want);
	check_report(ok, what, __FILE__, __LINE__);
	if (!ok)
		printf("#   got: %s\n", got);
	free(got);
}

static void test_scalars(void)
{
	static const char *const cases[][2] = {
	    {"123", "123"},
	    {"-5", "-5"},
	    {"+12", "12"},
	    {"0x1F", "31"},
	    {"-0x10", "-16"},
	    {"010", "8"},
	    {"0o17", "15"},
	    {"0b101", "5"},
	    {"1_000", "1000"},
	    {"08", "8"},
	    {"1e3", "1000"},
	    {"1.5", "1.5"},
	    {".5", "0.5"},
	    {"1e21", "1e+21"},
	    {"1e-7", "1e-7"},
	    {"1e400", "\"1e400\""},
	    {"9223372036854775807", "9223372036854775807"},
	    {"true", "true"},
	    {"True", "true"},
	    {"yes", "true"},
	    {"on", "true"},
	    {"Y", "true"},
	    {"false", "false"},
	    {"no", "false"},
	    {"OFF", "false"},
	    {"n", "false"},
	    {"null", "null"},
	    {"~", "null"},
	    {"", "null"},
	    {"\"123\"", "\"123\""},
	    {"'true'", "\"true\""},
	    {"!!str 123", "\"123\""},
	    {"abc", "\"abc\""},
	    {"12abc", "\"12abc\""},
	    {"1:20", "\"1:20\""},
	    {"2025-01-01", "\"2025-01-01\""},
	    {"2025-01-01T00:00:00Z", "\"2025-01-01T00:00:00Z\""},
	    {"192.0.2.1", "\"192.0.2.1\""},
	    {"10.0.0.0/8", "\"10.0.0.0/8\""},
	    {"64512.100", "64512.1"},
	    {"\"a<b>&c\"", "\"a\\u003cb\\u003e\\u0026c\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_scalar(cases[i][0], cases[i][1]);
}

static int load_err(const char *text, struct err *e)
{
	json_t *docs = NULL;
	int rc = yaml_load(text, strlen(text), "test", &docs, e);

	json_decref(docs);
	return rc;
}

static void test_documents(void)
{
	json_t *docs;
	struct err e;
	const char *multi;

	multi = "a: 1\n---\nb: 2\n--- trailing text is dropped\nc: 3\n";

	CHECK_INT(yaml_load(multi, strlen(multi), "m", &docs, &e), 0);
	CHECK_INT(json_array_size(docs), 3);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(docs, 2), "c")), 3);
	json_decref(docs);

	/* A leading "---" is a YAML marker; empty documents contribute nothing. */
	multi = "---\na: 1\n---\n---\n# only a comment\n---\nnull\n";
	CHECK_INT(yaml_load(multi, strlen(multi), "m", &docs, &e), 0);
	CHECK_INT(json_array_size(docs), 1);
	json_decref(docs);

	CHECK_INT(yaml_load("", 0, "m", &docs, &e), 0);
	CHECK_INT(json_array_size(docs), 0);
	json_decref(docs);

	/* JSON is YAML. */
	docs =
	    load1("{\"kind\": \"BGPPeer\", \"spec\": {\"asNumber\": 64512, \"x\": [true, null]}}");
	CHECK(docs && json_integer_value(
			  json_object_get(json_object_get(docs, "spec"), "asNumber")) == 64512);
	json_decref(docs);

	/* Aliases are expanded. */
	docs = load1("a: &x {b: 1}\nc: *x\n");
	CHECK(docs && json_equal(json_object_get(docs, "a"), json_object_get(docs, "c")));
	json_decref(docs);

	/* UTF-16 with a byte order mark is read, as go-yaml does. */
	{
		static const char utf16[] = "\xff\xfe"
					    "a\0:\0 \0"
					    "1\0\n\0";

		CHECK_INT(yaml_load(utf16, sizeof(utf16) - 1, "u", &docs, &e), 0);
		CHECK_INT(json_integer_value(json_object_get(json_array_get(docs, 0), "a")), 1);
		json_decref(docs);
	}

	/* A "---" inside a line is not a separator. */
	docs = load1("a: x---y\n");
	CHECK(docs && strcmp(json_string_value(json_object_get(docs, "a")), "x---y") == 0);
	json_decref(docs);
}

static void test_errors(void)
{
	struct err e;

	CHECK_INT(load_err("apiVersion: v3\nkind: a: b\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: line 2: mapping values are not "
			 "allowed in this context");
	/* Line numbers count from the start of the file, not the document. */
	CHECK_INT(load_err("a: 1\n---\nb: 2\nc: d: e\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: line 4: mapping values are not "
			 "allowed in this context");
	CHECK_INT(load_err("a:\n  b: 1\n c: 2\n", &e), -EINVAL);
	/* go-yaml reports parser (not scanner) errors one line early. */
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: line 2: did not find expected key");
	CHECK_INT(load_err("a:\n\t- b\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: line 2: found character that cannot "
			 "start any token");
	CHECK_INT(load_err("{\"a\": 1,\n \"b\": [}\n", &e), -EINVAL);
	CHECK(strstr(e.msg, "error converting YAML to JSON: yaml: line ") == e.msg);
	CHECK_INT(load_err("metadata:\n  name: a\n  name: b\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: unmarshal errors:\n  line 3: key "
			 "\"name\" already set in map");
	CHECK_INT(load_err("a: *nope\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: yaml: unknown anchor 'nope' referenced");
	CHECK_INT(load_err("a: .inf\n", &e), -EINVAL);
	CHECK_STR(e.msg, "error converting YAML to JSON: json: unsupported value: +Inf");
	CHECK_INT(load_err("a: &a [*a, *a]\n", &e), -EINVAL);
	/* An alias bomb is refused, not expanded. */
	CHECK_INT(
	    load_err(
		"a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
		&e),
	    -EINVAL);
	CHECK_STR(e.msg,
		  "error converting YAML to JSON: yaml: document contains excessive aliasing");
}

static void check_yaml(const char *in_json, const char *want)
{
	json_error_t jerr;
	json_t *v = json_loads(in_json, JSON_DECODE_ANY, &jerr);
	char *got = v ? yaml_dump(v) : NULL;

	CHECK_STR(got, want);
	free(got);
	json_decref(v);
}

static void test_yaml_dump(void)
{
	check_yaml("{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/"
		   "v3\",\"metadata\":{\"name\":\"rack1-tor\","
		   "\"uid\":\"0b6f5a3e-0000-4000-8000-000000000001\",\"resourceVersion\":\"4711\","
		   "\"creationTimestamp\":\"2025-01-01T00:00:00Z\"},\"spec\":{\"peerIP\":\"192.0.2."
		   "1\",\"asNumber\":64513}}",
		   "apiVersion: projectcalico.org/v3\n"
		   "kind: BGPPeer\n"
		   "metadata:\n"
		   "  creationTimestamp: \"2025-01-01T00:00:00Z\"\n"
		   "  name: rack1-tor\n"
		   "  resourceVersion: \"4711\"\n"
		   "  uid: 0b6f5a3e-0000-4000-8000-000000000001\n"
		   "spec:\n"
		   "  asNumber: 64513\n"
		   "  peerIP: 192.0.2.1\n");
	check_yaml("{\"kind\":\"BGPPeerList\",\"apiVersion\":\"projectcalico.org/"
		   "v3\",\"metadata\":{\"resourceVersion\":\"4720\"},"
		   "\"items\":[{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/"
		   "v3\",\"metadata\":{\"name\":\"a\"},"
		   "\"spec\":{\"nodeSelector\":\"has(rr)\",\"peerSelector\":\"rack == 'r1'\"}}]}",
		   "apiVersion: projectcalico.org/v3\n"
		   "items:\n"
		   "- apiVersion: projectcalico.org/v3\n"
		   "  kind: BGPPeer\n"
		   "  metadata:\n"
		   "    name: a\n"
		   "  spec:\n"
		   "    nodeSelector: has(rr)\n"
		   "    peerSelector: rack == 'r1'\n"
		   "kind: BGPPeerList\n"
		   "metadata:\n"
		   "  resourceVersion: \"4720\"\n");
	check_yaml("{\"items\":[],\"status\":{},\"x\":null}", "items: []\nstatus: {}\nx: null\n");
	/* YAML 1.1 reads a plain n or y as a boolean, so go-yaml quotes them. */
	check_yaml("{\"n\":\"y\"}", "\"n\": \"y\"\n");
	check_yaml("null", "null\n");
	check_yaml("[]", "[]\n");
	check_yaml("[{\"a\":1},{\"b\":[1,2]}]", "- a: 1\n- b:\n  - 1\n  - 2\n");
	/* Strings that would read back as something else are quoted. */
	check_yaml(
	    "{\"a\":\"\",\"b\":\"true\",\"c\":\"123\",\"d\":\"1.5\",\"e\":\"null\",\"f\":\"yes\","
	    "\"g\":\"1:20\",\"h\":\"0x10\",\"i\":\"2025-01-01\",\"j\":\"~\"}",
	    "a: \"\"\nb: \"true\"\nc: \"123\"\nd: \"1.5\"\ne: \"null\"\nf: \"yes\"\ng: \"1:20\"\n"
	    "h: \"0x10\"\ni: \"2025-01-01\"\nj: \"~\"\n");
	/* ... and what YAML syntax forbids plain gets the emitter's quotes. */
	check_yaml("{\"a\":\"!has(x)\",\"b\":\"foo: bar\",\"c\":\"- x\",\"d\":\" lead\",\"e\":\"x "
		   "#y\",\"f\":\"all()\"}",
		   "a: '!has(x)'\nb: 'foo: bar'\nc: '- x'\nd: ' lead'\ne: 'x #y'\nf: all()\n");
	check_yaml("{\"m\":\"line1\\nline2\"}", "m: |-\n  line1\n  line2\n");
	check_yaml("{\"m\":\"a\\n\\n\"}", "m: |+\n  a\n\n");
	check_yaml("{\"m\":\" a\\nb\"}", "m: |2-\n   a\n  b\n");
	/* Numbers as Go prints them after the JSON round trip. */
	check_yaml("{\"i\":64512,\"r\":1.5,\"w\":8.0,\"big\":1e21,\"small\":0.0000001,\"neg\":-2}",
		   "big: 1e+21\ni: 64512\nneg: -2\nr: 1.5\nsmall: 1e-07\nw: 8\n");
	/* go-yaml's key order: non-letters first, case-sensitive letters,
	 * digit runs numerically. */
	check_yaml("{\"b\":1,\"a10\":2,\"a9\":3,\"B\":4,\"_x\":5,\"a\":6}",
		   "_x: 5\nB: 4\na: 6\na9: 3\na10: 2\nb: 1\n");
	check_yaml("{\"labels\":{\"kubernetes.io/hostname\":\"node-1\",\"rack\":\"r1\"}}",
		   "labels:\n  kubernetes.io/hostname: node-1\n  rack: r1\n");
}

static void check_json(const char *in_json, const char *want)
{
	json_error_t jerr;
	json_t *v = json_loads(in_json, JSON_DECODE_ANY, &jerr);
	char *got = v ? json_dump_go(v) : NULL;

	CHECK_STR(got, want);
	free(got);
	json_decref(v);
}

static void test_json_dump(void)
{
	check_json(
	    "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/"
	    "v3\",\"metadata\":{\"name\":\"rack1-tor\","
	    "\"resourceVersion\":\"4711\"},\"spec\":{\"peerIP\":\"192.0.2.1\",\"asNumber\":64513}}",
	    "{\n"
	    "  \"kind\": \"BGPPeer\",\n"
	    "  \"apiVersion\": \"projectcalico.org/v3\",\n"
	    "  \"metadata\": {\n"
	    "    \"name\": \"rack1-tor\",\n"
	    "    \"resourceVersion\": \"4711\"\n"
	    "  },\n"
	    "  \"spec\": {\n"
	    "    \"peerIP\": \"192.0.2.1\",\n"
	    "    \"asNumber\": 64513\n"
	    "  }\n"
	    "}");
	check_json("{\"items\":[],\"status\":{},\"n\":null,\"t\":true,\"l\":[1,[]]}",
		   "{\n  \"items\": [],\n  \"status\": {},\n  \"n\": null,\n  \"t\": true,\n  "
		   "\"l\": [\n    1,\n    []\n  ]\n}");
	check_json("[]", "[]");
	check_json("null", "null");
	check_json(
	    "{\"s\":\"<a&b>\\u2028\\u0001\\t\\n\\\"\\\\\\b\\f\\u00e9\"}",
	    "{\n  \"s\": \"\\u003ca\\u0026b\\u003e\\u2028\\u0001\\t\\n\\\"\\\\\\b\\f\xc3\xa9\"\n}");
	check_json("[1.5,100.0,1e21,1e-7,0.000001,123456789.25,-0.5]",
		   "[\n  1.5,\n  100,\n  1e+21,\n  1e-7,\n  0.000001,\n  123456789.25,\n  -0.5\n]");
	{
		json_t *v = json_pack("{s:i,s:s}", "z", 1, "a", "x");
		char *c = json_dump_go_compact(v);

		/* Insertion order, not sorted. */
		CHECK_STR(c, "{\"z\":1,\"a\":\"x\"}");
		free(c);
		json_decref(v);
	}
}

/* Whatever we print reads back as the same value. */
static void test_round_trip(void)
{
	const char *src =
	    "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  labels:\n    a: "
	    "\"true\"\n"
	    "    b: \"123\"\n  name: x\nspec:\n  asNumber: 64512\n  nodeSelector: '!has(a)'\n"
	    "  password:\n    secretKeyRef:\n      key: k\n      name: sec\n";
	json_t *a = load1(src), *b;
	char *out = a ? yaml_dump(a) : NULL;

	CHECK_STR(out, src);
	b = out ? load1(out) : NULL;
	CHECK(a && b && json_equal(a, b));
	free(out);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	test_scalars();
	test_documents();
	test_errors();
	test_yaml_dump();
	test_json_dump();
	test_round_trip();
	return check_done();
}
