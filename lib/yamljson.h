/* YAML and JSON text <-> jansson values, with calicoctl's dialect on both
 * sides: input is read the way calicoctl (go-yaml v2 via sigs.k8s.io/yaml)
 * reads it, output is printed byte for byte as calicoctl prints it. */
#ifndef CALICO_YAMLJSON_H
#define CALICO_YAMLJSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"

/* Largest single document accepted (calicoctl's scanner limit). */
#define YAML_MAX_DOCUMENT (10 * 1024 * 1024)

/* Parses a multi-document YAML (or JSON: JSON is read as YAML) stream into a
 * new json array, one element per non-empty document, in order.
 * Documents are split as calicoctl splits them: at every line that starts
 * with "---" (the rest of that line is discarded); a leading "---" on the
 * first line is an ordinary YAML document marker. Empty documents (nothing,
 * comments only, or "null") contribute nothing.
 * Scalars resolve as go-yaml v2 resolves plain scalars into JSON: decimal,
 * 0x, 0o/leading-0 octal and 0b integers, floats, YAML 1.1 booleans (true,
 * yes, on, y, ... and their negatives), null/~/empty; quoted or !!str-tagged
 * scalars stay strings, timestamp-looking scalars stay strings. Aliases are
 * expanded. Duplicate mapping keys are an error (calicoctl decodes strictly).
 * Errors use calicoctl's text, e.g.
 *   "error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context"
 * where the line counts from the start of buf (go-yaml counts from the start
 * of each document; we count from the file so the line can be found).
 * `source` names buf in messages that need it (may be NULL). Returns 0 or
 * -EINVAL (syntax) / -EFBIG (document over YAML_MAX_DOCUMENT) / -ENOMEM.
 * Known differences from go-yaml: merge keys ("<<: *base") are not
 * expanded (the key stays "<<", which strict decoding then rejects);
 * integers above 2^63-1 become JSON reals (Go keeps them exact). */
int yaml_load(const char *buf, size_t len, const char *source, json_t **docs, struct err *e);

/* Parses exactly one YAML/JSON document (no "---" splitting; an empty
 * document gives json null). Same scalar rules and errors as yaml_load,
 * line numbers offset by first_line - 1. */
int yaml_load_one(const char *buf, size_t len, int first_line, json_t **doc, struct err *e);

/* Prints v as calicoctl -o yaml prints it (go-yaml v2 Marshal of the JSON
 * form): mapping keys sorted at every level (go-yaml's natural order: digit
 * runs compare numerically), 2-space indent, sequences at their key's
 * column, strings that would read back as another type quoted ("1234",
 * "true", "2025-01-01T00:00:00Z", "" ...), `null`, `{}` and `[]` for empty
 * containers, strings folded at a space past column 80 (libyaml's default
 * width, which go-yaml v2.4 keeps), multi-line strings as "|-"/"|"
 * literal blocks. Always ends with a newline. Returns a malloc'd string, or
 * NULL on allocation failure. */
char *yaml_dump(const json_t *v);

/* Prints v as Go's json.MarshalIndent(v, "", "  "): object keys in the
 * object's insertion order, 2-space indent, `{}`/`[]` for empty containers,
 * '<' '>' '&' U+2028 U+2029 escaped as \u003c \u003e \u0026 \u2028 \u2029,
 * integers as decimal, reals in Go's shortest float64 form ('e' notation
 * below 1e-6 and from 1e21 on). No trailing newline. Returns a malloc'd
 * string, or NULL on allocation failure. */
char *json_dump_go(const json_t *v);

/* Compact Go encoding (json.Marshal): same escaping and number rules as
 * json_dump_go, no whitespace. Used for storage and IPC. */
char *json_dump_go_compact(const json_t *v);

/* ---- streaming output of `get -o json|yaml` ---- */

/* Where the streaming printers write: a FILE, through a 64 KiB buffer, or
 * (f NULL) a growing string in memory. The first write error or allocation
 * failure is kept in err (-EIO/-ENOMEM) and later writes are dropped. */
struct text_out {
	FILE *f;
	char *buf;
	size_t len, cap;
	int err;
};

void tout_init(struct text_out *o, FILE *f);
void tout_put_slow(struct text_out *o, const char *s, size_t n);
static inline void tout_put(struct text_out *o, const char *s, size_t n)
{
	if (o->len + n < o->cap) { /* keeps room for the NUL of memory output */
		memcpy(o->buf + o->len, s, n);
		o->len += n;
		return;
	}
	tout_put_slow(o, s, n);
}
void tout_puts(struct text_out *o, const char *s);
/* Writes what is buffered to the FILE (and fflushes it). Returns o->err. */
int tout_flush(struct text_out *o);
/* Memory output: the NUL-terminated text (never NULL unless o->err), which
 * the caller frees; o is left empty. */
char *tout_detach(struct text_out *o);
void tout_free(struct text_out *o);

/* Print what `get` prints for -o json and -o yaml, streaming: v is a
 * stored resource (recognised by its kind), a List from res_list, an array
 * of those, or any other JSON value (printed as is). The output is byte for
 * byte json_dump_go / yaml_dump of the value with every resource replaced by
 * res_ordered's copy and every List by res_list_ordered's, but no copy is
 * made: the printers walk the Go-order view of lib/schema.h. JSON has no
 * trailing newline. Returns 0 or o->err. */
int json_print_go(struct text_out *o, const json_t *v);
int yaml_print(struct text_out *o, const json_t *v);

#endif
