/* create, apply, replace, delete and validate: one engine (DESIGN), with
 * calicoctl's counting and reporting (calicoctl.md §4.1-4.4, 4.8).
 *
 * Everything is read, checked and decoded before the first write. Writes run
 * in one store batch (one transaction), begun lazily before the first write
 * so that a command that fails for every resource leaves the datastore
 * untouched (not even created). Per-resource failures are collected and the
 * others still succeed, as in calicoctl. */
#include "cli/crud.h"
#include "cli/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/input.h"
#include "lib/log.h"

enum crud_action { ACT_CREATE, ACT_APPLY, ACT_REPLACE, ACT_DELETE, ACT_VALIDATE };

static const char *const verb_past[] = {
	[ACT_CREATE] = "created", [ACT_APPLY] = "applied", [ACT_REPLACE] = "replaced",
	[ACT_DELETE] = "deleted", [ACT_VALIDATE] = "validated",
};
static const char *const verb[] = {
	[ACT_CREATE] = "create", [ACT_APPLY] = "apply", [ACT_REPLACE] = "replace",
	[ACT_DELETE] = "delete", [ACT_VALIDATE] = "validate",
};

/* CommandResults of calicoctl's ExecuteConfigCommand. */
struct results {
	size_t num_resources;
	size_t num_handled;
	const char *single_kind; /* NULL when kinds are mixed */
	size_t nerrs;
	struct strbuf errs; /* Go's %v of []error, without the brackets */
	char **err_list;    /* delete prints one line per error */
	char *last_err;     /* replace keeps only the last error */
};

struct batch {
	bool open;
	bool wrote;
	bool init; /* ensure-initialized on begin (create/apply/replace) */
};

static void results_add_err(struct results *r, const char *msg)
{
	char **l = realloc(r->err_list, (r->nerrs + 1) * sizeof(*l));
	if (!l)
		abort();
	r->err_list = l;
	r->err_list[r->nerrs] = strdup(msg);
	if (r->nerrs)
		sb_add(&r->errs, " ");
	sb_add(&r->errs, msg);
	r->nerrs++;
}

static void results_free(struct results *r)
{
	for (size_t i = 0; i < r->nerrs; i++)
		free(r->err_list[i]);
	free(r->err_list);
	sb_free(&r->errs);
	free(r->last_err);
}

const struct kind_desc *crud_kind(const json_t *obj)
{
	return kind_by_name(json_string_value(json_object_get(obj, "kind")));
}

int crud_load_files(struct cli *c, json_t **out)
{
	struct err e = { "" };
	unsigned flags = 0;
	json_t *res = NULL, *obj;
	size_t i;
	int rc;

	if (c->o.set[OPT_RECURSIVE])
		flags |= INPUT_RECURSIVE;
	if (c->o.set[OPT_SKIP_EMPTY])
		flags |= INPUT_SKIP_EMPTY;
	rc = input_read_flags(c->o.val[OPT_FILENAME], flags, &res, &e);
	if (rc == -ENODATA)
		return cli_fail(c, "%s", e.msg);
	if (rc < 0)
		return cli_fail(c, "failed to execute command: %s", e.msg);
	json_array_foreach(res, i, obj) {
		const struct kind_desc *k;
		rc = res_kind_of(obj, &k, &e);
		if (rc == 0)
			rc = res_decode_strict(k, obj, &e);
		if (rc == -EBADMSG) {
			json_decref(res);
			return cli_fail(c, "%s", e.msg);
		}
		if (rc < 0) {
			json_decref(res);
			return cli_fail(c, "failed to execute command: %s", e.msg);
		}
	}
	*out = res;
	return CLI_OK;
}

int crud_from_args(struct cli *c, const char *prefix, bool list_without_names, json_t **out)
{
	const struct kind_desc *k = kind_by_word(c->o.pos[0]);
	json_t *res;

	if (!k)
		return cli_fail(c, "%sresource type '%s' is not supported", prefix, c->o.pos[0]);
	res = json_array();
	for (int i = 1; i < c->o.npos || (i == 1 && list_without_names && c->o.npos == 1); i++) {
		json_t *obj = json_pack("{s:s, s:s, s:{}}", "apiVersion", RES_API_VERSION, "kind",
					kind_name(k), "metadata");
		if (i < c->o.npos)
			json_object_set_new(json_object_get(obj, "metadata"), "name",
					    json_string(c->o.pos[i]));
		json_array_append_new(res, obj);
	}
	*out = res;
	return CLI_OK;
}

bool crud_empty_name(const json_t *resources)
{
	size_t i;
	const json_t *obj;

	json_array_foreach(resources, i, obj) {
		const char *name = json_string_value(json_object_get(json_object_get(obj, "metadata"),
								     "name"));
		if (name && !*name)
			return true;
	}
	return false;
}

static const char *res_rv(const json_t *obj)
{
	const char *rv = json_string_value(
		json_object_get(json_object_get(obj, "metadata"), "resourceVersion"));
	return rv ? rv : "";
}

/* calicoctl's prepareMetadataForCreate: only these metadata fields are
 * taken from the input; uid and creationTimestamp are assigned. */
static void prepare_create_metadata(json_t *obj)
{
	static const char *const keep[] = { "name", "namespace", "resourceVersion", "labels",
					    "annotations" };
	json_t *md = json_object_get(obj, "metadata");
	json_t *clean = json_object();

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_t *v = json_object_get(md, keep[i]);
		if (v)
			json_object_set(clean, keep[i], v);
	}
	json_object_set_new(obj, "metadata", clean);
}

/* Starts the batch before the first write; a failure here (e.g. the
 * datastore is locked) is fatal for the whole command. */
static int batch_write(struct cli *c, struct batch *b, struct err *e)
{
	int rc;

	if (b->open)
		return 0;
	rc = store_begin(c->st, e);
	if (rc < 0)
		return rc;
	b->open = true;
	if (b->init)
		cli_ensure_initialized(c);
	return 0;
}

/* Marks errors that stop the whole command instead of one resource. */
static bool fatal_store_error(int rc)
{
	return rc == -EBUSY || rc == -EROFS || rc == -EACCES || rc == -EIO || rc == -ENOMEM;
}

static json_t *existing_pools(struct cli *c)
{
	struct err e;
	json_t *items = NULL;

	if (store_list(c->st, "IPPool", NULL, &items, NULL, &e) < 0)
		return NULL;
	return items;
}

static int do_create(struct cli *c, struct batch *b, const struct kind_desc *k, json_t *obj,
		     struct err *e)
{
	struct res_validate_ctx vctx = { 0 };
	json_t *pools = NULL;
	int rc;

	prepare_create_metadata(obj);
	if (!strcmp(kind_name(k), "IPPool"))
		vctx.pools = pools = existing_pools(c);
	rc = res_validate(k, obj, RES_OP_CREATE, &vctx, e);
	json_decref(pools);
	if (rc < 0)
		return rc;
	rc = batch_write(c, b, e);
	if (rc < 0)
		return rc;
	rc = store_create(c->st, obj, e);
	if (rc == 0)
		b->wrote = true;
	if (rc == -EEXIST && c->o.set[OPT_SKIP_EXISTS])
		rc = 0;
	return rc;
}

/* Stored metadata wins, except labels and annotations (taken wholesale
 * from the input): calicoctl's mergeMetadataForUpdate. */
static void merge_metadata(json_t *obj, const json_t *stored)
{
	json_t *in = json_object_get(obj, "metadata");
	json_t *md = json_deep_copy(json_object_get(stored, "metadata"));
	static const char *const from_input[] = { "labels", "annotations" };

	for (size_t i = 0; i < 2; i++) {
		json_t *v = json_object_get(in, from_input[i]);
		if (v)
			json_object_set(md, from_input[i], v);
		else
			json_object_del(md, from_input[i]);
	}
	json_object_set_new(obj, "metadata", md);
}

int crud_update(struct cli *c, const struct kind_desc *k, json_t *obj, struct err *e)
{
	struct res_validate_ctx vctx = { 0 };
	json_t *cur = NULL;
	char *rv = strdup(res_rv(obj));
	int rc;

	rc = store_get(c->st, kind_name(k), res_name(obj), &cur, e);
	if (rc < 0)
		goto out;
	if (*rv && strcmp(rv, res_rv(cur)) != 0) {
		rc = err_set(e, -ESTALE, "update conflict: %s(%s)", kind_name(k), res_name(obj));
		goto out;
	}
	merge_metadata(obj, cur);
	vctx.old = cur;
	rc = res_validate(k, obj, RES_OP_UPDATE, &vctx, e);
	if (rc < 0)
		goto out;
	rc = store_update(c->st, obj, e);
out:
	free(rv);
	json_decref(cur);
	return rc;
}

static int do_update(struct cli *c, struct batch *b, const struct kind_desc *k, json_t *obj,
		     struct err *e)
{
	int rc = batch_write(c, b, e);
	if (rc < 0)
		return rc;
	rc = crud_update(c, k, obj, e);
	if (rc == 0)
		b->wrote = true;
	return rc;
}

static int do_apply(struct cli *c, struct batch *b, const struct kind_desc *k, json_t *obj,
		    struct err *e)
{
	json_t *cur = NULL;
	json_t *md = json_object_get(obj, "metadata");
	int rc;

	if (kind_readonly(k))
		return err_set(e, -EPERM, "operation apply is not supported on %s: resource is readonly",
			       kind_name(k));
	/* calicoctl tries a create without the resourceVersion and falls back
	 * to an update (with it) when the resource exists. */
	rc = store_get(c->st, kind_name(k), res_name(obj), &cur, e);
	json_decref(cur);
	if (rc == -ENOENT) {
		json_object_del(md, "resourceVersion");
		return do_create(c, b, k, obj, e);
	}
	if (rc < 0)
		return rc;
	return do_update(c, b, k, obj, e);
}

static int do_delete(struct cli *c, struct batch *b, const struct kind_desc *k, json_t *obj,
		     bool from_file, struct err *e)
{
	const char *rv = from_file ? res_rv(obj) : NULL;
	int rc = batch_write(c, b, e);

	if (rc < 0)
		return rc;
	rc = store_delete(c->st, kind_name(k), res_name(obj), rv, NULL, e);
	if (rc == 0)
		b->wrote = true;
	if (rc == -ENOENT && c->o.set[OPT_SKIP_NOT_EXISTS])
		rc = 0;
	return rc;
}

static int do_action(struct cli *c, enum crud_action act, struct batch *b, json_t *obj,
		     bool from_file, struct err *e)
{
	const struct kind_desc *k = crud_kind(obj);
	int rc = cli_check_namespace(c, k, obj, e);

	if (rc < 0)
		return rc;
	switch (act) {
	case ACT_CREATE:
		return do_create(c, b, k, obj, e);
	case ACT_APPLY:
		return do_apply(c, b, k, obj, e);
	case ACT_REPLACE:
		return do_update(c, b, k, obj, e);
	case ACT_DELETE:
		return do_delete(c, b, k, obj, from_file, e);
	case ACT_VALIDATE:
		return res_validate(k, obj, RES_OP_VALIDATE, NULL, e);
	}
	return -EINVAL;
}

/* The messages of create/apply/validate (calicoctl.md §4.1, 4.2, 4.8). */
static int report_collected(struct cli *c, enum crud_action act, struct results *r)
{
	const char *partial_prefix = act == ACT_CREATE ? "hit error" : "hit error(s)";

	if (r->num_handled == 0) {
		if (r->num_resources == 1)
			return cli_fail(c, "failed to %s '%s' resource: [%s]", verb[act],
					r->single_kind ? r->single_kind : "", r->errs.buf);
		if (r->single_kind)
			return cli_fail(c, "failed to %s any '%s' resources: [%s]", verb[act],
					r->single_kind, r->errs.buf);
		return cli_fail(c, "failed to %s any resources: [%s]", verb[act], r->errs.buf);
	}
	if (r->nerrs == 0) {
		if (r->single_kind)
			printf("Successfully %s %zu '%s' resource(s)\n", verb_past[act], r->num_handled,
			       r->single_kind);
		else
			printf("Successfully %s %zu resource(s)\n", verb_past[act], r->num_handled);
		return CLI_OK;
	}
	/* calicoctl's quirk: "the first N" although processing went on, and
	 * the line only when successes outnumber failures. */
	if (r->num_handled > r->nerrs) {
		if (r->single_kind)
			printf("Partial success: %s the first %zu out of %zu '%s' resources:\n",
			       verb_past[act], r->num_handled, r->num_resources, r->single_kind);
		else
			printf("Partial success: %s the first %zu out of %zu resources:\n",
			       verb_past[act], r->num_handled, r->num_resources);
	}
	return cli_fail(c, "%s: [%s]", partial_prefix, r->errs.buf);
}

/* replace: every resource counts as handled and only the last error is
 * kept (calicoctl.md §4.3 quirk). */
static int report_replace(struct cli *c, struct results *r)
{
	if (!r->last_err) {
		if (r->single_kind)
			printf("Successfully replaced %zu '%s' resource(s)\n", r->num_handled,
			       r->single_kind);
		else
			printf("Successfully replaced %zu resource(s)\n", r->num_handled);
		return CLI_OK;
	}
	if (r->single_kind)
		printf("Partial success: replaced the first %zu out of %zu '%s' resources:\n",
		       r->num_handled, r->num_resources, r->single_kind);
	else
		printf("Partial success: replaced the first %zu out of %zu resources:\n",
		       r->num_handled, r->num_resources);
	return cli_fail(c, "hit error: %s", r->last_err);
}

/* delete: a success line if anything was deleted, then one line per
 * failure (and calicoctl's extra blank line), exit 1. */
static int report_delete(struct cli *c, struct results *r)
{
	struct strbuf sb;

	if (r->num_handled > 0) {
		if (r->single_kind)
			printf("Successfully deleted %zu '%s' resource(s)\n", r->num_handled,
			       r->single_kind);
		else
			printf("Successfully deleted %zu resource(s)\n", r->num_handled);
	}
	if (r->nerrs == 0)
		return CLI_OK;
	sb_init(&sb);
	for (size_t i = 0; i < r->nerrs; i++) {
		if (r->single_kind)
			sb_addf(&sb, "Failed to delete '%s' resource: %s\n", r->single_kind,
				r->err_list[i]);
		else
			sb_addf(&sb, "Failed to delete resource: %s\n", r->err_list[i]);
	}
	return cli_fail_take(c, sb_detach(&sb));
}

static const char *single_kind_of(const json_t *resources, bool from_args)
{
	const char *kind = NULL;
	bool mixed = false;
	size_t i;
	const json_t *obj;

	json_array_foreach(resources, i, obj) {
		const char *k = json_string_value(json_object_get(obj, "kind"));
		if (kind && strcmp(kind, k) != 0)
			mixed = true;
		kind = k;
	}
	return mixed && !from_args ? NULL : kind;
}

static int run(struct cli *c, enum crud_action act)
{
	struct results r = { 0 };
	struct batch b = { .init = act == ACT_CREATE || act == ACT_APPLY || act == ACT_REPLACE };
	struct sessionless sl = { 0 };
	json_t *resources = NULL, *obj;
	bool from_file = c->o.set[OPT_FILENAME];
	size_t i;
	int rc;

	if (act != ACT_VALIDATE && cli_check_version(c) < 0)
		return CLI_FAIL;
	rc = from_file ? crud_load_files(c, &resources) : crud_from_args(c, "", false, &resources);
	if (rc < 0)
		return rc;
	if (json_array_size(resources) == 0) {
		json_decref(resources);
		if (from_file) {
			printf("No resources specified\n");
			return CLI_OK;
		}
		return cli_fail(c, "no resources specified");
	}
	if (act != ACT_VALIDATE && cli_open_store(c) < 0) {
		json_decref(resources);
		return CLI_FAIL;
	}
	r.num_resources = json_array_size(resources);
	r.single_kind = single_kind_of(resources, !from_file);
	sb_init(&r.errs);
	if (!from_file && crud_empty_name(resources)) {
		json_decref(resources);
		return cli_fail(c, "resource name may not be empty");
	}

	if (act != ACT_VALIDATE)
		sessionless_before(c, resources, NULL, &sl);
	json_array_foreach(resources, i, obj) {
		struct err e = { "" };
		rc = do_action(c, act, &b, obj, from_file, &e);
		if (rc < 0 && fatal_store_error(rc)) {
			if (b.open)
				store_rollback(c->st);
			sessionless_after(c, &sl);
			json_decref(resources);
			results_free(&r);
			return cli_fail(c, "%s", e.msg);
		}
		if (rc < 0 && act == ACT_REPLACE) {
			free(r.last_err);
			r.last_err = strdup(e.msg);
			r.num_handled++;
		} else if (rc < 0) {
			results_add_err(&r, e.msg);
		} else
			r.num_handled++;
	}

	if (b.open) {
		struct err e = { "" };
		if (!b.wrote)
			store_rollback(c->st);
		else if (store_commit(c->st, &e) < 0) {
			sessionless_after(c, &sl);
			results_free(&r);
			json_decref(resources);
			return cli_fail(c, "%s", e.msg);
		}
	}
	/* r.single_kind points into resources: report before freeing them. */
	if (act == ACT_REPLACE)
		rc = report_replace(c, &r);
	else if (act == ACT_DELETE)
		rc = report_delete(c, &r);
	else
		rc = report_collected(c, act, &r);
	/* After the report: the warning never changes stdout or the result. */
	sessionless_after(c, &sl);
	results_free(&r);
	cli_release(resources);
	return rc;
}

int crud_apply_resources(struct cli *c, json_t *resources, size_t *handled, size_t *nerrs,
			 struct strbuf *errs, struct err *fatal)
{
	struct batch b = { .init = true };
	json_t *obj;
	size_t i;

	*handled = *nerrs = 0;
	json_array_foreach(resources, i, obj) {
		struct err e = { "" };
		int rc = do_action(c, ACT_APPLY, &b, obj, true, &e);
		if (rc < 0 && fatal_store_error(rc)) {
			if (b.open)
				store_rollback(c->st);
			*fatal = e;
			return CLI_FAIL;
		}
		if (rc < 0) {
			if ((*nerrs)++)
				sb_add(errs, " ");
			sb_add(errs, e.msg);
		} else
			(*handled)++;
	}
	if (b.open && !b.wrote)
		store_rollback(c->st);
	else if (b.open && store_commit(c->st, fatal) < 0)
		return CLI_FAIL;
	return CLI_OK;
}

int cmd_create(struct cli *c)
{
	return run(c, ACT_CREATE);
}

int cmd_apply(struct cli *c)
{
	return run(c, ACT_APPLY);
}

int cmd_replace(struct cli *c)
{
	return run(c, ACT_REPLACE);
}

int cmd_delete(struct cli *c)
{
	return run(c, ACT_DELETE);
}

int cmd_validate(struct cli *c)
{
	return run(c, ACT_VALIDATE);
}
