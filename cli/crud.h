/* Helpers shared by the resource commands (crud.c, get.c, patch.c,
 * label.c): reading manifests for -f, building resources from
 * "<KIND> <NAME>..." and the per-resource write steps with calicoctl's
 * semantics. */
#ifndef CLI_CRUD_H
#define CLI_CRUD_H

#include <jansson.h>
#include <stdbool.h>

#include "cli/cli.h"

/* Reads -f (with -R/--skip-empty) and checks/decodes every resource (kind,
 * apiVersion, strict fields) before anything touches the datastore. On
 * failure records calicoctl's message ("failed to execute command: ..." or
 * the raw text) and returns CLI_FAIL. *out: array of resources. */
int crud_load_files(struct cli *c, json_t **out);

/* "<KIND> [<NAME>...]" from the positionals: resources holding only kind,
 * apiVersion and metadata.name (no names -> one without a name, i.e. a list
 * for get). Unknown kind: fails with "resource type '<word>' is not
 * supported" prefixed by `prefix` (may be ""). */
int crud_from_args(struct cli *c, const char *prefix, bool list_without_names, json_t **out);

/* True when a name given on the command line is "" (calicoctl refuses). */
bool crud_empty_name(const json_t *resources);

/* The kind descriptor of a (checked) resource. */
const struct kind_desc *crud_kind(const json_t *obj);

/* Update with calicoctl's resourcemgr.Update semantics (calicoctl.md §4.3):
 * a given resourceVersion must match the stored one ("update conflict:
 * <Kind>(<name>)"), stored metadata wins except labels and annotations,
 * then validation and the store's own optimistic check. */
int crud_update(struct cli *c, const struct kind_desc *k, json_t *obj, struct err *e);

/* apply for resources already read and decoded (datastore migrate import):
 * every resource through the same per-resource steps as `apply -f`, in one
 * store batch. *handled counts successes; errs receives the failures as
 * Go's %v of []error (space-separated, no brackets). A failure that stops
 * everything (datastore locked, read-only, I/O) rolls back and returns
 * CLI_FAIL with its message in *fatal. */
int crud_apply_resources(struct cli *c, json_t *resources, size_t *handled, size_t *nerrs,
			 struct strbuf *errs, struct err *fatal);

#endif
