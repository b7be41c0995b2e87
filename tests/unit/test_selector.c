/* Selector language: parsing (valid and invalid, with the parser's
 * reasons), canonical form, and evaluation against label maps. */
#include "lib/selector.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <stdlib.h>

struct canon_case {
	const char *in, *canon;
};

static const struct canon_case canon_cases[] = {
    {"", "all()"},
    {"   \t ", "all()"},
    {"all()", "all()"},
    {"all( )", "all()"},
    {"global()", "global()"},
    {"has(a)", "has(a)"},
    {"has( a )", "has(a)"},
    {"! (has( b)||! has(a ))", "!(has(b) || !has(a))"},
    {"a startswith '\"'", "a starts with '\"'"},
    {"a in {\"z\",\"z\",\"x\"}", "a in {\"x\", \"z\"}"},
    {"rack == 'r1'", "rack == \"r1\""},
    {"rack=='r1'", "rack == \"r1\""},
    {"a != \"b\"", "a != \"b\""},
    {"has(route-reflector)", "has(route-reflector)"},
    {"!has(route-reflector)", "!has(route-reflector)"},
    {"kubernetes.io/hostname in {'node-1', \"node-2\"}",
     "kubernetes.io/hostname in {\"node-1\", \"node-2\"}"},
    {"zone not in {'a','b',} && env != \"prod\"",
     "(zone not in {\"a\", \"b\"} && env != \"prod\")"},
    {"zone notin {'a'}", "zone not in {\"a\"}"},
    {"(a == 'x' || b starts with 'y') && !c ends with 'z'",
     "((a == \"x\" || b starts with \"y\") && !c ends with \"z\")"},
    {"name contains 'edge'", "name contains \"edge\""},
    {"a endswith 'x'", "a ends with \"x\""},
    {"a ends   with 'x'", "a ends with \"x\""},
    {"a in {}", "a in {}"},
    {"a not in {}", "a not in {}"},
    {"a in{'x'}", "a in {\"x\"}"},
    {"a contains'x'", "a contains \"x\""},
    {"a == 'b' && c == 'd' && e == 'f'", "(a == \"b\" && c == \"d\" && e == \"f\")"},
    {"a == 'b' || c == 'd' && e == 'f'", "(a == \"b\" || (c == \"d\" && e == \"f\"))"},
    {"!!a == 'x'", "a == \"x\""},
    {"!!!a == 'x'", "!a == \"x\""},
    {"! a == 'a1' || ! b == 'b1'", "(!a == \"a1\" || !b == \"b1\")"},
    {"a == \"it's\"", "a == \"it's\""},
    {"a == 'say \"hi\"'", "a == 'say \"hi\"'"},
    {"a == ''", "a == \"\""},
    {"in == 'x'", "in == \"x\""},
    {"has == 'x'", "has == \"x\""},
    {"all == 'x'", "all == \"x\""},
    {"startswith == 'x'", "startswith == \"x\""},
    {"((a == 'b'))", "a == \"b\""},
    {"a_b.c/d-e == 'v'", "a_b.c/d-e == \"v\""},
};

struct bad_case {
	const char *in, *reason;
};

static const struct bad_case bad_cases[] = {
    {"rack == r1", "expected string"},
    {"has (x)", "expected == or != not: ("},
    {"a = 'b'", "expected =="},
    {"a == 'b' &", "expected &&"},
    {"a == 'b' | c == 'd'", "expected ||"},
    {"kubernetes.io/hostname: == 'n'", "expected operator after label \"kubernetes.io/hostname\""},
    {": == 'n'", "unexpected characters: : == 'n'"},
    {"(a == 'b'", "expected )"},
    {"a", "unexpected end of string looking for op"},
    {"b == b", "expected string"},
    {"'b1' == b", "unexpected token: string"},
    {"()", "unexpected token: )"},
    {"a == 'x", "unterminated string"},
    {"a in 'x'", "expected set literal"},
    {"a in {'x'", "expected }"},
    {"a in {'x' 'y'}", "expected }"},
    {"a == 'x' b == 'y'", "unexpected content at end of selector [3 token(s)]"},
    {"a == 'x'\nb", "unexpected characters: \nb"},
    {"has(", "expected identifier"},
    {"has(a", "no closing ')' after has("},
    {"all(x)", "no closing ')' after all("},
    {"global(", "no closing ')' after global("},
    {"a foo 'x'", "expected operator after label \"a\""},
    {"a inx {'x'}", "expected operator after label \"a\""},
    {"a && ", "expected == or != not: &&"},
    {"a == 'x' && ", "unexpected end of string looking for op"},
    {"!", "unexpected end of string looking for op"},
    {"a == 'x' )", "unexpected content at end of selector [1 token(s)]"},
};

static void test_canonical(void)
{
	for (size_t i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		struct selector *s = NULL;
		struct err e = {{0}};
		int rc = sel_parse(canon_cases[i].in, &s, &e);
		char *str;

		CHECK_MSG(rc == 0, canon_cases[i].in);
		if (rc) {
			printf("#   error: %s\n", e.msg);
			continue;
		}
		str = sel_string(s);
		CHECK_STR(str, canon_cases[i].canon);
		free(str);
		/* The canonical form parses back to itself. */
		{
			struct selector *again = NULL;

			CHECK_INT(sel_parse(canon_cases[i].canon, &again, NULL), 0);
			if (again) {
				str = sel_string(again);
				CHECK_STR(str, canon_cases[i].canon);
				free(str);
				sel_free(again);
			}
		}
		sel_free(s);
	}
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct selector *s = (struct selector *)&s;
		struct err e = {{0}};

		CHECK_INT(sel_parse(bad_cases[i].in, &s, &e), -EINVAL);
		CHECK(s == NULL);
		CHECK_STR(e.msg, bad_cases[i].reason);
		CHECK(!sel_valid(bad_cases[i].in));
	}
}

static void test_label_length(void)
{
	char buf[600];

	memset(buf, 'a', 512);
	strcpy(buf + 512, " == 'x'");
	CHECK(sel_valid(buf));
	memset(buf, 'a', 513);
	strcpy(buf + 513, " == 'x'");
	CHECK(!sel_valid(buf));
}

struct match_case {
	const char *sel, *labels;
	bool want;
};

static const struct match_case match_cases[] = {
    {"", "{}", true},
    {"all()", "{\"a\":\"b\"}", true},
    {"!all()", "{\"a\":\"b\"}", false},
    {"global()", "{}", true},
    {"has(a)", "{\"a\":\"\"}", true},
    {"has(a)", "{\"b\":\"x\"}", false},
    {"!has(a)", "{\"b\":\"x\"}", true},
    {"a == 'x'", "{\"a\":\"x\"}", true},
    {"a == 'x'", "{\"a\":\"X\"}", false},
    {"a == 'x'", "{}", false},
    {"a != 'x'", "{}", true},
    {"a != 'x'", "{\"a\":\"x\"}", false},
    {"a != 'x'", "{\"a\":\"y\"}", true},
    {"a in {'x','y'}", "{\"a\":\"y\"}", true},
    {"a in {'x','y'}", "{\"a\":\"z\"}", false},
    {"a in {'x','y'}", "{}", false},
    {"a in {}", "{\"a\":\"\"}", false},
    {"a not in {'x','y'}", "{}", true},
    {"a not in {'x','y'}", "{\"a\":\"x\"}", false},
    {"a not in {'x','y'}", "{\"a\":\"q\"}", true},
    {"a not in {}", "{\"a\":\"q\"}", true},
    {"a contains 'dg'", "{\"a\":\"edge\"}", true},
    {"a contains 'dg'", "{\"a\":\"eDGe\"}", false},
    {"a contains ''", "{\"a\":\"x\"}", true},
    {"a contains 'x'", "{}", false},
    {"a starts with 'ed'", "{\"a\":\"edge\"}", true},
    {"a starts with 'dg'", "{\"a\":\"edge\"}", false},
    {"a ends with 'ge'", "{\"a\":\"edge\"}", true},
    {"a ends with 'edgee'", "{\"a\":\"edge\"}", false},
    {"a == 'x' && b == 'y'", "{\"a\":\"x\",\"b\":\"y\"}", true},
    {"a == 'x' && b == 'y'", "{\"a\":\"x\",\"b\":\"n\"}", false},
    {"a == 'x' || b == 'y'", "{\"a\":\"n\",\"b\":\"y\"}", true},
    {"a == 'x' || b == 'y'", "{}", false},
    {"!(a == 'x' || b == 'y')", "{}", true},
    {"rack == 'r1' && !has(route-reflector)", "{\"rack\":\"r1\"}", true},
    {"rack == 'r1' && !has(route-reflector)", "{\"rack\":\"r1\",\"route-reflector\":\"true\"}",
     false},
    {"kubernetes.io/hostname in {'node-1'}", "{\"kubernetes.io/hostname\":\"node-1\"}", true},
    {"a == '1'", "{\"a\":1}", false}, /* non-string label values never match */
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct selector *s = NULL;
		json_t *labels = json_loads(match_cases[i].labels, 0, NULL);

		CHECK_INT(sel_parse(match_cases[i].sel, &s, NULL), 0);
		if (s) {
			CHECK_MSG(sel_match(s, labels) == match_cases[i].want, match_cases[i].sel);
			sel_free(s);
		}
		json_decref(labels);
	}
	/* NULL labels: nothing is present. */
	{
		struct selector *s = NULL;

		sel_parse("a != 'x'", &s, NULL);
		CHECK(sel_match(s, NULL));
		sel_free(s);
		sel_parse("has(a)", &s, NULL);
		CHECK(!sel_match(s, NULL));
		sel_free(s);
	}
}

static void test_global(void)
{
	struct selector *s = NULL;

	sel_parse("global()", &s, NULL);
	CHECK(sel_uses_global(s));
	sel_free(s);
	sel_parse("a == 'global()'", &s, NULL);
	CHECK(!sel_uses_global(s));
	sel_free(s);
	sel_parse("has(a) && global()", &s, NULL);
	CHECK(sel_uses_global(s));
	sel_free(s);
}

/* Property: random token soups never crash; whatever parses prints a
 * canonical form that parses back to the same form and matches the same
 * label sets. */
static void test_random(void)
{
	static const char *const frags[] = {
	    "a",	   "b",		"k.io/x", " ",	    "\t",    "==",	 "!=",
	    "!",	   "&&",	"||",	  "(",	    ")",     "{",	 "}",
	    ",",	   "'v'",	"\"w\"",  "''",	    "in",    "not in",	 "contains",
	    "starts with", "ends with", "has(a)", "has(b)", "all()", "global()", "=",
	    "&",	   "|",		"'",	  "\n",	    "has(",  "x",
	};
	static const char *const label_sets[] = {
	    "{}",
	    "{\"a\":\"v\"}",
	    "{\"a\":\"w\",\"b\":\"\"}",
	    "{\"k.io/x\":\"v\",\"b\":\"w\"}",
	};
	json_t *labels[4];
	unsigned seed = 12345;
	int parsed = 0, mismatches = 0;

	for (size_t i = 0; i < 4; i++)
		labels[i] = json_loads(label_sets[i], 0, NULL);
	for (int iter = 0; iter < 60000; iter++) {
		char buf[256] = "";
		int n = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 9;
		struct selector *s = NULL, *again = NULL;

		for (int j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			strcat(buf, frags[(seed >> 16) % (sizeof(frags) / sizeof(frags[0]))]);
			strcat(buf, (seed >> 8) & 1 ? " " : "");
		}
		if (sel_parse(buf, &s, NULL))
			continue;
		parsed++;
		char *c1 = sel_string(s), *c2 = NULL;

		if (sel_parse(c1, &again, NULL) == 0) {
			c2 = sel_string(again);
			for (size_t l = 0; l < 4; l++)
				if (sel_match(s, labels[l]) != sel_match(again, labels[l]))
					mismatches++;
		}
		if (!c2 || strcmp(c1, c2) != 0) {
			mismatches++;
			printf("# %s -> %s -> %s\n", buf, c1, c2 ? c2 : "(error)");
		}
		free(c1);
		free(c2);
		sel_free(s);
		sel_free(again);
	}
	printf("# %d of 60000 random selectors parsed\n", parsed);
	CHECK(parsed > 1000);
	CHECK_INT(mismatches, 0);
	for (size_t i = 0; i < 4; i++)
		json_decref(labels[i]);
}

int main(void)
{
	test_canonical();
	test_bad();
	test_label_length();
	test_match();
	test_global();
	test_random();
	return check_done();
}
