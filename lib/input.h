/* Reading resource manifests for -f, as calicoctl does (calicoctl.md §3):
 * a file, a directory of manifests (optionally recursive), or "-" (stdin);
 * multi-document YAML/JSON, arrays of resources and typed Lists flattened. */
#ifndef CALICO_INPUT_H
#define CALICO_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/err.h"

enum input_flags {
	INPUT_RECURSIVE = 1 << 0,  /* -R: descend into sub-directories */
	INPUT_SKIP_EMPTY = 1 << 1, /* --skip-empty: empty files contribute nothing */
};

/* Reads every resource named by path into a new json array of plain
 * resource objects, in input order. Everything is read and parsed before
 * returning, so a caller can refuse to write anything on error.
 * - "-" reads stdin (named "-" in messages).
 * - A directory: every *.yaml, *.yml, *.json (extension case-insensitive)
 *   in lexical order; sub-directories only with INPUT_RECURSIVE (visited in
 *   place, like Go's filepath.Walk); other files ignored.
 * - Each document may be a resource (a mapping), a sequence of resources,
 *   or a typed list: apiVersion projectcalico.org/v3, kind "<Kind>List" of
 *   a known kind (lib/resource.h kind_by_list_name), "items": [...]; its
 *   items are returned (items without a kind get the list's). The generic
 *   Kubernetes "List" and unknown "<X>List"s are not special: they come
 *   back as ordinary objects and the caller's res_kind_of() rejects them,
 *   as calicoctl does ("unknown resource type (List) and/or version (v1)").
 * - Each resource's own kind/apiVersion is NOT checked here: the caller
 *   runs res_kind_of() (so that messages come in calicoctl's order).
 * Errors (calicoctl's text, without the CLI's "failed to execute command: "):
 *   "open x.yaml: no such file or directory"           -ENOENT (or other -errno)
 *   "no resources specified in file <name>"            -ENODATA (without SKIP_EMPTY)
 *   "no resources specified in directory <dir>"        -ENODATA (without SKIP_EMPTY)
 *   YAML/JSON syntax errors from yaml_load              -EINVAL
 *   "bufio.Scanner: token too long"                     -EFBIG (document > 10 MB)
 *   a document that is a scalar: "error unmarshaling JSON: ..." -EINVAL
 * With INPUT_SKIP_EMPTY an input without resources gives an empty array and
 * 0; the CLI then prints "No resources specified". */
int input_read_flags(const char *path, unsigned flags, json_t **resources, struct err *e);

/* input_read_flags with INPUT_RECURSIVE if recursive, never SKIP_EMPTY. */
int input_read(const char *path, bool recursive, json_t **resources, struct err *e);

/* Parses an in-memory manifest (the body of one file) the same way;
 * `name` is used in messages. Empty input gives an empty array and 0 (the
 * "no resources specified" decision belongs to input_read). */
int input_parse(const char *buf, size_t len, const char *name, json_t **resources, struct err *e);

#endif
