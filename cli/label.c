/* label: read-modify-write of metadata.labels with the update path of
 * replace, using the resourceVersion that was read (calicoctl.md §4.7).
 * <kind> and <name> are echoed as typed. */
#include "cli/crud.h"
#include "cli/node.h"
#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cmd_label(struct cli *c)
{
	const char *kind_word = c->o.pos[0], *name = c->o.pos[1], *kv = c->o.pos[2];
	bool remove = c->o.set[OPT_REMOVE], overwrite = c->o.set[OPT_OVERWRITE];
	bool overwritten = false;
	const struct kind_desc *k;
	struct err e = { "" };
	json_t *obj = NULL, *labels;
	char *key;
	const char *value = "";
	int rc;

	if (remove)
		key = strdup(kv);
	else {
		/* strings.Split(kv, "=") must give exactly two parts. */
		const char *eq = strchr(kv, '=');
		if (!eq || strchr(eq + 1, '='))
			return cli_fail(c, "invalid label %s", kv);
		key = strndup(kv, (size_t)(eq - kv));
		value = eq + 1;
	}

	if (cli_check_version(c) < 0)
		goto fail;
	k = kind_by_word(kind_word);
	if (!k) {
		cli_fail(c, "failed to get %s %s, error resource type '%s' is not supported", kind_word,
			 name, kind_word);
		goto fail;
	}
	if (cli_open_store(c) < 0)
		goto fail;
	if (!*name) {
		cli_fail(c, "failed to get %s %s, error resource name may not be empty", kind_word, name);
		goto fail;
	}
	rc = cli_check_namespace(c, k, NULL, &e);
	if (rc == 0)
		rc = store_get(c->st, kind_name(k), name, &obj, &e);
	if (rc < 0) {
		cli_fail(c, "%s %s not found", kind_word, name);
		goto fail;
	}

	json_t *md = json_object_get(obj, "metadata");
	labels = json_object_get(md, "labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(md, "labels", labels);
	}
	json_t *old = json_object_get(labels, key);
	if (remove) {
		if (!old) {
			cli_fail(c, "cannot remove label of %s %s, key %s does not exist", kind_word,
				 name, key);
			goto fail;
		}
		json_object_del(labels, key);
	} else {
		if (old) {
			const char *ov = json_string_value(old);
			if (!overwrite && !(ov && !strcmp(ov, value))) {
				cli_fail(c,
					 "failed to update label of %s %s, key %s is already present. "
					 "please use '--overwrite' to set a new value.",
					 kind_word, name, key);
				goto fail;
			}
			overwritten = true;
		}
		json_object_set_new(labels, key, json_string(value));
	}
	if (json_object_size(labels) == 0)
		json_object_del(md, "labels");

	struct sessionless sl;
	sessionless_before(c, NULL, kind_name(k), &sl);
	rc = crud_update(c, k, obj, &e);
	sessionless_after(c, &sl);
	if (rc < 0) {
		/* The message hides the cause, as calicoctl's does; the log
		 * (--log-level debug) keeps it. */
		log_debug("label: %s", e.msg);
		cli_fail(c, "failed to update %s %s, label not changed", kind_word, name);
		goto fail;
	}
	if (remove)
		printf("Successfully removed label %s from %s %s\n", key, kind_word, name);
	else if (overwritten)
		printf("Successfully updated label %s on %s %s\n", key, kind_word, name);
	else
		printf("Successfully set label %s on %s %s\n", key, kind_word, name);
	json_decref(obj);
	free(key);
	return CLI_OK;
fail:
	json_decref(obj);
	free(key);
	return CLI_FAIL;
}
