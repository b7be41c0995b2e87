/* libFuzzer target for the label selector parser (lib/selector.h).
 * Invariants beyond "no crash, no leak, no undefined behaviour":
 *   - sel_valid agrees with sel_parse, and a failure names a reason;
 *   - the canonical form parses back and matches exactly the same label
 *     sets, and from the second canonicalisation on it is a fixed point.
 *     (Not from the first: like Calico's Go parser, runs of "!" collapse,
 *     while "!(!a == 'x')" prints as "!!a == \"x\"", which reads back as
 *     a == "x"; the Go code prints and parses the same way.)
 * The input is the selector text up to the first NUL; the bytes after it,
 * if any, give label values for the match checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/selector.h"
#include "tests/fuzz/fuzz_inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A few label sets: fixed ones plus one built from the tail of the input. */
static json_t *label_sets(const char *tail, size_t n)
{
	json_t *sets = json_array();
	json_t *own = json_object();
	char key[2] = "a", *val = strndup(tail, n);

	json_array_append_new(sets, json_null());
	json_array_append_new(sets, json_pack("{ss}", "a", "b"));
	json_array_append_new(sets, json_pack("{ssssss}", "a", "1", "b", "x y",
					      "projectcalico.org/name", "node-1"));
	/* one label per input byte value pair, keyed "a".."z" */
	for (size_t i = 0; val && i + 1 < n && i < 52; i += 2) {
		key[0] = (char)('a' + (tail[i] & 0x0f));
		char v[2] = {tail[i + 1], 0};
		json_object_set_new(own, key, json_string(v[0] ? v : ""));
	}
	json_array_append_new(sets, own);
	free(val);
	return sets;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	struct selector *s = NULL, *s2 = NULL;
	char *text = strndup((const char *)data, size);
	size_t tlen = strlen(text);
	const char *tail = tlen < size ? (const char *)data + tlen + 1 : "";
	size_t taillen = tlen < size ? size - tlen - 1 : 0;

	int rc = sel_parse(text, &s, &e);
	INVARIANT(sel_valid(text) == (rc == 0));
	if (rc < 0) {
		INVARIANT(e.msg[0]);
		free(text);
		return 0;
	}
	char *canon = sel_string(s);
	INVARIANT(canon);
	INVARIANT(sel_parse(canon, &s2, &e) == 0);
	char *canon2 = sel_string(s2);
	struct selector *s3 = NULL;
	INVARIANT(canon2 && sel_parse(canon2, &s3, &e) == 0);
	char *canon3 = sel_string(s3);
	INVARIANT(canon3 && strcmp(canon2, canon3) == 0);
	free(canon3);
	sel_free(s3);
	INVARIANT(sel_uses_global(s) == sel_uses_global(s2));

	json_t *sets = label_sets(tail, taillen);
	size_t i;
	json_t *labels;
	json_array_foreach(sets, i, labels)
		INVARIANT(sel_match(s, json_is_null(labels) ? NULL : labels) ==
			  sel_match(s2, json_is_null(labels) ? NULL : labels));
	json_decref(sets);
	free(canon);
	free(canon2);
	sel_free(s);
	sel_free(s2);
	free(text);
	return 0;
}
