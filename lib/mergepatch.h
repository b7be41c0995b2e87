/* JSON merge patch (RFC 7386), as calicoctl's `patch` effectively applies
 * it: calicoctl runs a Kubernetes strategic merge patch, and because
 * Calico's v3 types carry no patch-strategy tags that is a JSON merge
 * patch (objects merged recursively, null deletes a key, arrays and scalars
 * replaced wholesale) plus the strategic "$patch" directive on objects
 * ("$patch": "replace" replaces the object with the rest of the patch
 * object, "$patch": "delete" removes it). Pure; fuzzed. */
#ifndef CALICO_MERGEPATCH_H
#define CALICO_MERGEPATCH_H

#include <jansson.h>

#include "lib/err.h"

/* Returns a new value: target (not modified) with patch applied. target
 * may be NULL (absent). Returns NULL and fills e for an invalid "$patch"
 * directive ("unknown patch type: <v>") or on allocation failure. A
 * "$patch": "delete" at the top level yields JSON null. */
json_t *merge_patch(const json_t *target, const json_t *patch, struct err *e);

#endif
