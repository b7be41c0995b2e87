/* datastore migrate export / import / lock / unlock (see datastore.h).
 *
 * Steps, checks and messages follow calicoctl v3.32's migrate commands:
 * lock sets ClusterInformation "default" spec.datastoreReady to false
 * (creating the ClusterInformation first if needed), export refuses an
 * unlocked datastore, import refuses a target that already holds Calico
 * resources, locks the target, applies the YAML part, then carries the
 * cluster GUID and Calico version over. Where calicoctl's text names
 * Kubernetes CRDs or IPAM, which our datastores do not have, the message
 * says what applies here instead (docs/DATASTORE.md). */
#include "cli/datastore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/crud.h"
#include "cli/print.h"
#include "lib/input.h"
#include "lib/yamljson.h"

/* calicoctl's export order (allV3Resources) restricted to our kinds; a
 * kind the model does not have (BGPFilter today) is skipped. */
static const char *const export_kinds[] = { "IPPool", "BGPPeer", "Node", "BGPConfiguration",
					    "BGPFilter", NULL };

#define CLUSTERINFO "ClusterInformation"

/* What ties a resource to one datastore, cleared as calicoctl's export does. */
static void strip_datastore_metadata(json_t *obj)
{
	static const char *const keys[] = { "uid", "resourceVersion", "creationTimestamp",
					    "deletionTimestamp", "deletionGracePeriodSeconds" };
	json_t *md = json_object_get(obj, "metadata");

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_del(md, keys[i]);
}

/* calicoctl's CheckLocked: locked when datastoreReady is set and false. */
static int check_locked(struct cli *c, bool *locked, struct err *e)
{
	json_t *ci = NULL, *ready;
	int rc = store_get(c->st, CLUSTERINFO, "default", &ci, e);

	if (rc < 0)
		return rc;
	ready = json_object_get(json_object_get(ci, "spec"), "datastoreReady");
	*locked = json_is_false(ready);
	json_decref(ci);
	return 0;
}

/* Sets datastoreReady on ClusterInformation "default". */
static int set_ready(struct cli *c, bool ready, const char *what)
{
	struct err e = { "" };
	json_t *ci = NULL, *spec;
	int rc;

	rc = store_get(c->st, CLUSTERINFO, "default", &ci, &e);
	if (rc < 0)
		return cli_fail(c, "Error retrieving ClusterInformation for %s: %s", what, e.msg);
	spec = json_object_get(ci, "spec");
	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(ci, "spec", spec);
	}
	json_object_set_new(spec, "datastoreReady", json_boolean(ready));
	rc = store_update(c->st, ci, &e);
	json_decref(ci);
	if (rc < 0)
		return cli_fail(c, "Error updating ClusterInformation for %s: %s", what, e.msg);
	return CLI_OK;
}

/* lock's steps after the store is open; prints "Datastore locked.". */
static int do_lock(struct cli *c)
{
	struct err e = { "" };
	json_t *ci = NULL;

	cli_ensure_initialized(c);
	if (store_get(c->st, CLUSTERINFO, "default", &ci, &e) < 0)
		return cli_fail(c,
				"Unable to initialize cluster information for the datastore migration: %s",
				e.msg);
	json_decref(ci);
	if (set_ready(c, false, "locking") < 0)
		return CLI_FAIL;
	printf("Datastore locked.\n");
	return CLI_OK;
}

int cmd_datastore_lock(struct cli *c)
{
	if (cli_check_version(c) < 0 || cli_open_store(c) < 0)
		return CLI_FAIL;
	return do_lock(c);
}

int cmd_datastore_unlock(struct cli *c)
{
	if (cli_check_version(c) < 0 || cli_open_store(c) < 0)
		return CLI_FAIL;
	if (set_ready(c, true, "unlocking") < 0)
		return CLI_FAIL;
	printf("Datastore unlocked.\n");
	return CLI_OK;
}

/* ---- export ---- */

/* One kind as calicoctl prints `get <kind> -o yaml --export`, then "---". */
static int export_kind(struct cli *c, const struct printer *p, const struct kind_desc *k,
		       struct err *e)
{
	json_t *items = NULL, *results, *obj;
	struct text_out out;
	size_t i;
	int rc = store_list(c->st, kind_name(k), NULL, &items, NULL, e);

	if (rc < 0)
		return rc;
	json_array_foreach(items, i, obj)
		strip_datastore_metadata(obj);
	results = json_array();
	/* The printer puts each item in Go's order as it prints. */
	json_array_append_new(results, res_list(k, items, NULL));
	json_decref(items);
	tout_init(&out, NULL);
	rc = printer_print(p, results, &out, e);
	if (rc == 0) {
		fwrite(out.buf, 1, out.len, stdout);
		fputs("---\n", stdout);
	}
	tout_free(&out);
	json_decref(results);
	return rc;
}

static int export_clusterinfo(struct cli *c, struct err *e)
{
	const struct kind_desc *k = kind_by_name(CLUSTERINFO);
	json_t *ci = NULL, *ordered;
	char *text;
	int rc = store_get(c->st, CLUSTERINFO, "default", &ci, e);

	if (rc < 0)
		return rc;
	strip_datastore_metadata(ci);
	ordered = res_ordered(k, ci);
	text = json_dump_go(ordered);
	printf("%s\n", text);
	free(text);
	json_decref(ordered);
	json_decref(ci);
	return 0;
}

int cmd_datastore_export(struct cli *c)
{
	struct err e = { "" };
	struct printer p;
	bool locked = false;
	int rc = 0;

	if (cli_check_version(c) < 0 || cli_open_store(c) < 0)
		return CLI_FAIL;
	if (check_locked(c, &locked, &e) < 0)
		return cli_fail(c, "error while checking if datastore was locked: %s", e.msg);
	if (!locked)
		return cli_fail(c, "datastore is not locked. Run the `calicoctl datastore migrate lock` "
				   "command in order to begin migration");
	if (printer_init(&p, "yaml", &e) < 0) {
		printer_free(&p);
		return cli_fail(c, "%s", e.msg);
	}
	for (size_t i = 0; rc == 0 && export_kinds[i]; i++) {
		const struct kind_desc *k = kind_by_name(export_kinds[i]);
		if (k)
			rc = export_kind(c, &p, k, &e);
	}
	printer_free(&p);
	if (rc < 0)
		return cli_fail(c, "%s", e.msg);
	/* calicoctl's separators: v3 resources, ClusterInformation, IPAM. */
	fputs("===\n", stdout);
	if (export_clusterinfo(c, &e) < 0)
		return cli_fail(c, "%s", e.msg);
	fputs("===\n", stdout);
	/* calicoctl's IPAM section with nothing in it (every field omitempty). */
	fputs("{}\n", stdout);
	return CLI_OK;
}

/* ---- import ---- */

/* calicoctl's checkCalicoResourcesNotExist over our kinds (Nodes included:
 * they are ours, not Kubernetes'), ClusterInformation last. */
static int check_target_empty(struct cli *c)
{
	static const char *const kinds[] = { "IPPool", "BGPPeer", "Node", "BGPConfiguration",
					     "BGPFilter", CLUSTERINFO, NULL };
	static const char prefix[] = "Datastore already has Calico resources: ";
	static const char hint[] = "Clear out all Calico resources before importing.";

	for (size_t i = 0; kinds[i]; i++) {
		struct err e = { "" };
		json_t *items = NULL;
		size_t n;

		if (!kind_by_name(kinds[i]))
			continue;
		if (store_list(c->st, kinds[i], NULL, &items, NULL, &e) < 0)
			return cli_fail(c,
					"%sFailed to retrieve %ss resources during datastore check: %s. %s",
					prefix, kinds[i], e.msg, hint);
		n = json_array_size(items);
		json_decref(items);
		if (n > 0)
			return cli_fail(c, "%sFound existing Calico %s resource. %s", prefix, kinds[i],
					hint);
	}
	return CLI_OK;
}

/* Reads the whole file ("-" = stdin), as Go's os.ReadFile would. */
static char *read_all(const char *path, size_t *len, struct err *e)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	struct strbuf sb;
	char buf[65536];
	size_t n;

	if (!f) {
		err_set(e, -errno, "open %s: %s", path,
			errno == ENOENT ? "no such file or directory" : strerror(errno));
		return NULL;
	}
	sb_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_addn(&sb, buf, n);
	if (ferror(f)) {
		err_set(e, -EIO, "read %s: input/output error", path);
		sb_free(&sb);
		sb_init(&sb);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	*len = sb.len;
	return sb_detach(&sb);
}

/* Splits at every "===\n" (calicoctl's bytes.Split): exactly three parts
 * or the file is not an export. parts[i] point into buf. */
static bool split_export(char *buf, size_t len, const char *parts[3], size_t plen[3])
{
	static const char sep[] = "===\n";
	const char *p = buf, *end = buf + len;
	int n = 0;

	for (;;) {
		const char *hit = NULL;
		for (const char *q = p; q + 4 <= end; q++)
			if (!memcmp(q, sep, 4)) {
				hit = q;
				break;
			}
		if (n == 3)
			return false;
		parts[n] = p;
		plen[n] = (size_t)((hit ? hit : end) - p);
		n++;
		if (!hit)
			break;
		p = hit + 4;
	}
	return n == 3;
}

/* Decodes the YAML part as `apply -f` does, and runs the static
 * validation (`calicoctl validate`) on a copy of every resource, so that a
 * file with a bad resource is refused before the target is touched. *errs
 * collects the validation failures (Go's %v of []error). */
static int parse_v3(const char *text, size_t len, const char *name, json_t **out,
		    struct strbuf *errs, struct err *e)
{
	json_t *res = NULL, *obj;
	size_t i;
	int rc = input_parse(text, len, name, &res, e);

	if (rc < 0)
		return rc;
	json_array_foreach(res, i, obj) {
		const struct kind_desc *k;
		json_t *copy;
		struct err ve = { "" };
		rc = res_kind_of(obj, &k, e);
		if (rc == 0)
			rc = res_decode_strict(k, obj, e);
		if (rc < 0) {
			json_decref(res);
			return rc;
		}
		copy = json_deep_copy(obj);
		if (res_validate(k, copy, RES_OP_VALIDATE, NULL, &ve) < 0) {
			if (errs->len)
				sb_add(errs, " ");
			sb_add(errs, ve.msg);
		}
		json_decref(copy);
	}
	*out = res;
	return 0;
}

static const char *single_kind(const json_t *resources)
{
	const char *kind = NULL;
	const json_t *obj;
	size_t i;

	json_array_foreach(resources, i, obj) {
		const char *k = json_string_value(json_object_get(obj, "kind"));
		if (kind && strcmp(kind, k))
			return NULL;
		kind = k;
	}
	return kind;
}

#define V3_PREFIX "Failed to import v3 resources: Failed to import v3 resources: "

static int import_v3(struct cli *c, json_t *res)
{
	struct err e = { "" };
	struct strbuf errs;
	size_t handled = 0, nerrs = 0;
	const char *kind;
	int rc;

	sb_init(&errs);
	rc = crud_apply_resources(c, res, &handled, &nerrs, &errs, &e);
	if (rc < 0)
		rc = cli_fail(c, V3_PREFIX "%s\n\n", e.msg);
	else if (handled == 0)
		rc = cli_fail(c, V3_PREFIX "Failed to apply any resources: [%s]\n\n",
			      errs.buf ? errs.buf : "");
	else if (nerrs > 0)
		rc = cli_fail(c, V3_PREFIX "Hit error(s): [%s]\n\n", errs.buf);
	else if ((kind = single_kind(res)))
		printf("Successfully applied %zu '%s' resource(s)\n", handled, kind);
	else
		printf("Successfully applied %zu resource(s)\n", handled);
	sb_free(&errs);
	return rc;
}

#define CI_PREFIX "Failed to update cluster information: "

static int parse_clusterinfo(struct cli *c, const char *text, size_t len, json_t **out)
{
	json_error_t je;
	json_t *in = json_loadb(text, len, 0, &je);

	if (!json_is_object(in)) {
		json_decref(in);
		return cli_fail(c, CI_PREFIX "Error reading exported cluster info for migration: %s",
				in ? "not a JSON object" : je.text);
	}
	*out = in;
	return CLI_OK;
}

/* calicoctl's updateClusterInfo: the cluster GUID and Calico version. */
static int import_clusterinfo(struct cli *c, const json_t *in)
{
	struct err e = { "" };
	json_t *cur = NULL, *spec;
	int rc = store_get(c->st, CLUSTERINFO, "default", &cur, &e);

	if (rc < 0)
		return cli_fail(c, CI_PREFIX "Error retrieving current cluster info for migration: %s",
				e.msg);
	spec = json_object_get(cur, "spec");
	for (int i = 0; i < 2; i++) {
		const char *key = i ? "calicoVersion" : "clusterGUID";
		json_t *v = json_object_get(json_object_get(in, "spec"), key);
		/* Go copies the field: an absent one becomes "" (omitted). */
		if (json_is_string(v) && *json_string_value(v))
			json_object_set(spec, key, v);
		else
			json_object_del(spec, key);
	}
	rc = store_update(c->st, cur, &e);
	json_decref(cur);
	if (rc < 0)
		return cli_fail(c, CI_PREFIX "Error updating current cluster info for migration: %s",
				e.msg);
	return CLI_OK;
}

/* The IPAM section: our datastores keep no IPAM objects (calico-bgpd learns
 * the node's blocks from the kernel), so only an empty one is accepted. */
static int check_ipam(struct cli *c, const char *text, size_t len)
{
	static const char *const fields[] = { "block_affinities", "blocks", "handles", "config" };
	json_error_t je;
	json_t *in = json_loadb(text, len, 0, &je);

	if (!json_is_object(in)) {
		json_decref(in);
		return cli_fail(c, "Failed to read IPAM resources: %s\n",
				in ? "not a JSON object" : je.text);
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		json_t *v = json_object_get(in, fields[i]);
		if (v && !json_is_null(v) && !(json_is_array(v) && json_array_size(v) == 0)) {
			json_decref(in);
			return cli_fail(c, "Failed to read IPAM resources: the file has IPAM %s, which "
					   "this datastore does not store\n",
					fields[i]);
		}
	}
	json_decref(in);
	return CLI_OK;
}

/* Reads and checks the whole file; *res and *ci on success. */
static int load_export(struct cli *c, const char *path, json_t **res, json_t **ci)
{
	const char *name = strcmp(path, "-") ? path : "/dev/stdin";
	struct err e = { "" };
	const char *parts[3];
	size_t plen[3], len = 0;
	char *buf = read_all(path, &len, &e);
	struct strbuf invalid;
	int rc;

	if (!buf)
		return cli_fail(c, "Error while reading migration file: %s\n", e.msg);
	if (!split_export(buf, len, parts, plen)) {
		free(buf);
		return cli_fail(c,
				"Error while reading migration file: Imported file: %s is improperly "
				"formatted. Try recreating with 'calicoctl export'\n",
				name);
	}
	sb_init(&invalid);
	rc = parse_v3(parts[0], plen[0], name, res, &invalid, &e);
	if (rc < 0)
		rc = cli_fail(c, V3_PREFIX "Failed to execute command: %s\n\n", e.msg);
	else if (invalid.len)
		rc = cli_fail(c, V3_PREFIX "Hit error(s): [%s]\n\n", invalid.buf);
	else
		rc = parse_clusterinfo(c, parts[1], plen[1], ci);
	if (rc == CLI_OK)
		rc = check_ipam(c, parts[2], plen[2]);
	if (rc < 0) {
		json_decref(*res);
		json_decref(*ci);
		*res = *ci = NULL;
	}
	sb_free(&invalid);
	free(buf);
	return rc;
}

int cmd_datastore_import(struct cli *c)
{
	struct err e = { "" };
	json_t *res = NULL, *ci = NULL;
	bool locked = false;
	int rc;

	/* Unlike calicoctl, the whole file is read and checked before the
	 * target is touched, so a wrong file leaves the target as it was
	 * (calicoctl has initialized and locked it by then). No
	 * version-mismatch check, as in calicoctl. */
	if (load_export(c, c->o.val[OPT_FILENAME], &res, &ci) < 0)
		return CLI_FAIL;
	rc = cli_open_store(c);
	if (rc == CLI_OK)
		rc = check_target_empty(c);
	if (rc == CLI_OK) {
		cli_ensure_initialized(c);
		if (check_locked(c, &locked, &e) < 0)
			rc = cli_fail(c, "Error while checking if datastore was locked: %s", e.msg);
	}
	if (rc == CLI_OK && !locked && do_lock(c) < 0) {
		char *inner = c->error;
		c->error = NULL;
		rc = cli_fail(c, "Error while attempting to lock the datastore for import: %s",
			      inner ? inner : "");
		free(inner);
	}
	if (rc == CLI_OK)
		rc = import_v3(c, res);
	if (rc == CLI_OK)
		rc = import_clusterinfo(c, ci);
	json_decref(res);
	json_decref(ci);
	if (rc == CLI_OK)
		printf("Datastore information successfully imported. Please refer to the datastore "
		       "migration documentation for next steps.\n");
	return rc;
}
