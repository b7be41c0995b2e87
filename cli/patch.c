/* patch: read the stored resource, apply the merge patch (-p, JSON or
 * YAML; -t is accepted and ignored, as in calicoctl), decode the result
 * strictly and write it back with the resourceVersion that was read, so a
 * concurrent change is a conflict, not a lost update (calicoctl.md §4.6). */
#include "cli/crud.h"
#include "cli/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mergepatch.h"
#include "lib/yamljson.h"

/* The patch document: JSON (a YAML superset's subset) or YAML, an object. */
static json_t *parse_patch(const char *text)
{
	struct err e;
	json_t *doc = NULL;
	size_t len = strlen(text);

	if (yaml_load_one(text, len, 1, &doc, &e) < 0)
		return NULL;
	if (!json_is_object(doc) && !json_is_null(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int cmd_patch(struct cli *c)
{
	const struct kind_desc *k;
	const char *name = c->o.pos[1];
	struct err e = { "" };
	json_t *cur = NULL, *patch = NULL, *patched = NULL;
	int rc;

	if (cli_check_version(c) < 0)
		return CLI_FAIL;
	k = kind_by_word(c->o.pos[0]);
	if (!k)
		return cli_fail(c, "resource type '%s' is not supported", c->o.pos[0]);
	if (cli_open_store(c) < 0)
		return CLI_FAIL;
	if (!*name)
		return cli_fail(c, "resource name may not be empty");
	if (c->o.set[OPT_NAMESPACE] && *c->o.val[OPT_NAMESPACE] && !kind_namespaced(k))
		return cli_fail(c, "hit error: %s is not namespaced", kind_name(k));

	rc = store_get(c->st, kind_name(k), name, &cur, &e);
	if (rc < 0)
		return cli_fail(c, "hit error: %s", e.msg);

	patch = parse_patch(c->o.val[OPT_PATCH]);
	if (!patch) {
		rc = cli_fail(c, "hit error: performing strategic merge patch: invalid JSON document");
		goto out;
	}
	patched = merge_patch(cur, patch, &e);
	if (!patched) {
		rc = cli_fail(c, "hit error: performing strategic merge patch: %s", e.msg);
		goto out;
	}
	/* The patched text is decoded like a manifest. */
	const struct kind_desc *pk;
	rc = res_kind_of(patched, &pk, &e);
	if (rc == 0)
		rc = res_decode_strict(pk, patched, &e);
	if (rc == -EBADMSG) {
		rc = cli_fail(c, "%s", e.msg);
		goto out;
	}
	if (rc < 0) {
		rc = cli_fail(c, "hit error: creating resource from patched data: %s", e.msg);
		goto out;
	}
	/* Optimistic: the update must find the version we read. */
	json_object_set(json_object_get(patched, "metadata"), "resourceVersion",
			json_object_get(json_object_get(cur, "metadata"), "resourceVersion"));
	struct res_validate_ctx vctx = { .old = cur };
	rc = res_validate(pk, patched, RES_OP_UPDATE, &vctx, &e);
	if (rc == 0) {
		struct sessionless sl;
		sessionless_before(c, NULL, kind_name(pk), &sl);
		rc = store_update(c->st, patched, &e);
		sessionless_after(c, &sl);
	}
	if (rc < 0) {
		rc = cli_fail(c, "hit error: updating existing resource: %s", e.msg);
		goto out;
	}
	printf("Successfully patched 1 '%s' resource\n", kind_name(k));
	rc = CLI_OK;
out:
	json_decref(cur);
	json_decref(patch);
	json_decref(patched);
	return rc;
}
