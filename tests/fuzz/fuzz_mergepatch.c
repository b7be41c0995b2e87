/* libFuzzer target for JSON merge patch (lib/mergepatch.h). The input is
 * two JSON texts separated by a NUL byte: target, then patch (no NUL: the
 * whole input is the patch applied to an absent target). Invariants beyond
 * "no crash, no leak, no undefined behaviour":
 *   - the target is not modified;
 *   - a failure names a reason;
 *   - merge patch is idempotent: applying the patch to its own result gives
 *     the same result (RFC 7386 §1; the $patch directives keep this).
 *   - without $patch directives, every non-null, non-object member of the
 *     patch appears unchanged in the result. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/err.h"
#include "lib/mergepatch.h"
#include "tests/fuzz/fuzz_inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has_directive(const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach((json_t *)v, i, m)
			if (has_directive(m))
				return true;
		return false;
	}
	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, key, m)
		if (!strcmp(key, "$patch") || has_directive(m))
			return true;
	return false;
}

/* Every scalar or array member of patch is in result as given. */
static void check_members(const json_t *patch, const json_t *result)
{
	const char *key;
	json_t *m;

	if (!json_is_object(patch)) {
		INVARIANT(json_equal(patch, result));
		return;
	}
	INVARIANT(json_is_object(result));
	json_object_foreach((json_t *)patch, key, m) {
		json_t *r = json_object_get(result, key);
		if (json_is_null(m))
			INVARIANT(!r);
		else
			check_members(m, r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, 0, size);
	json_t *target = NULL, *patch;
	json_error_t je;
	struct err e = {0};
	size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL;

	if (nul) {
		target = json_loadb((const char *)data, (size_t)(nul - (const char *)data), flags,
				    &je);
		if (!target)
			return 0;
		patch = json_loadb(nul + 1, size - (size_t)(nul - (const char *)data) - 1, flags,
				   &je);
	} else {
		patch = json_loadb((const char *)data, size, flags, &je);
	}
	if (!patch) {
		json_decref(target);
		return 0;
	}
	json_t *before = target ? json_deep_copy(target) : NULL;
	json_t *r = merge_patch(target, patch, &e);
	INVARIANT(!target || json_equal(target, before));
	if (!r) {
		INVARIANT(e.msg[0]);
	} else {
		json_t *r2 = merge_patch(r, patch, &e);
		INVARIANT(r2 && json_equal(r, r2));
		if (!has_directive(patch))
			check_members(patch, r);
		json_decref(r2);
	}
	json_decref(r);
	json_decref(before);
	json_decref(target);
	json_decref(patch);
	return 0;
}
