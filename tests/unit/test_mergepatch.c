/* RFC 7386 appendix A test vectors, plus the strategic "$patch" directive
 * calicoctl's patch honours. */
#include "lib/mergepatch.h"
#include "tests/unit/check.h"

#include <stdlib.h>

static char *apply(const char *target, const char *patch)
{
	json_error_t je;
	struct err e = { "" };
	json_t *t = json_loads(target, JSON_DECODE_ANY, &je);
	json_t *p = json_loads(patch, JSON_DECODE_ANY, &je);
	json_t *r = merge_patch(t, p, &e);
	char *s = r ? json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS)
		    : strdup(e.msg);

	json_decref(t);
	json_decref(p);
	json_decref(r);
	return s;
}

#define VEC(t, p, want)                                                                            \
	do {                                                                                       \
		char *got_ = apply(t, p);                                                          \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

int main(void)
{
	VEC("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	VEC("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}");
	VEC("{\"a\":\"b\"}", "{\"a\":null}", "{}");
	VEC("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}");
	VEC("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}");
	VEC("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}");
	VEC("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}");
	VEC("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}");
	VEC("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]");
	VEC("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]");
	VEC("{\"a\":\"foo\"}", "null", "null");
	VEC("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"");
	VEC("{\"e\":null}", "{\"a\":1}", "{\"a\":1,\"e\":null}");
	VEC("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}");
	VEC("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}");
	/* The seed guide's patches. */
	VEC("{\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/24\"}}}",
	    "{\"spec\":{\"bgp\":{\"routeReflectorClusterID\":\"244.0.0.1\"}}}",
	    "{\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/24\",\"routeReflectorClusterID\":\"244.0.0.1\"}}}");
	/* Strategic directives. */
	VEC("{\"a\":{\"x\":1,\"y\":2}}", "{\"a\":{\"$patch\":\"replace\",\"z\":3}}", "{\"a\":{\"z\":3}}");
	VEC("{\"a\":{\"x\":1},\"b\":1}", "{\"a\":{\"$patch\":\"delete\"}}", "{\"b\":1}");
	VEC("{\"a\":{}}", "{\"a\":{\"$patch\":\"bogus\"}}", "unknown patch type: bogus");
	return check_done();
}
