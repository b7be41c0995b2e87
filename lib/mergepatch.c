/* RFC 7386 section 2's MergePatch, with the strategic-merge "$patch"
 * directive on objects; see mergepatch.h. Recursion depth is bounded by the
 * patch's nesting, which the YAML/JSON parsers already limit. */
#include "lib/mergepatch.h"

#include <errno.h>
#include <string.h>

/* NULL on error; on "$patch": "delete" sets *deleted and returns NULL. */
static json_t *merge(const json_t *target, const json_t *patch, int *deleted, struct err *e)
{
	const char *key;
	json_t *val, *out;
	const json_t *directive;

	*deleted = 0;
	if (!json_is_object(patch))
		return json_deep_copy(patch);

	directive = json_object_get(patch, "$patch");
	if (directive) {
		const char *d = json_string_value(directive);
		if (d && !strcmp(d, "delete")) {
			*deleted = 1;
			return NULL;
		}
		if (!d || strcmp(d, "replace") != 0) {
			err_set(e, -EINVAL, "unknown patch type: %s",
				d ? d : "(not a string)");
			return NULL;
		}
		/* Replace: the object becomes the patch without the directive
		 * (null members removed, as a merge into nothing would). */
		target = NULL;
	}

	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	if (!out) {
		err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	json_object_foreach((json_t *)patch, key, val) {
		if (!strcmp(key, "$patch"))
			continue;
		if (json_is_null(val)) {
			json_object_del(out, key);
			continue;
		}
		int child_deleted;
		json_t *merged = merge(json_object_get(out, key), val, &child_deleted, e);
		if (child_deleted) {
			json_object_del(out, key);
			continue;
		}
		if (!merged) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, key, merged);
	}
	return out;
}

json_t *merge_patch(const json_t *target, const json_t *patch, struct err *e)
{
	int deleted;
	json_t *out = merge(target, patch, &deleted, e);

	if (deleted)
		return json_null();
	return out;
}
