/* The one output layer of `get` (CONVENTIONS 7): a printer is chosen once
 * per run from -o and prints every result the same way. Commands never
 * format a resource themselves.
 *
 * Table formats (ps, wide, custom-columns) reproduce calicoctl's Go
 * text/tabwriter output exactly: every cell (the last one too) is
 * tab-terminated and padded to the column width, width = max(5, longest cell
 * + 3), so every line ends in spaces; one table per result object (a List
 * is one table, each named object its own), each followed by a blank line.
 * yaml and json print one object bare, several as a sequence/array, none as
 * `null`; JSON has no trailing newline (v3.32). */
#ifndef CLI_PRINT_H
#define CLI_PRINT_H

#include <jansson.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "lib/resource.h"
#include "lib/yamljson.h"

enum print_fmt { PRINT_PS, PRINT_WIDE, PRINT_CUSTOM, PRINT_YAML, PRINT_JSON };

struct printer {
	enum print_fmt fmt;
	char **columns; /* custom-columns headings */
	size_t ncolumns;
	struct res_print_ctx ctx; /* e.g. the default AS shown for Nodes */
};

/* Chooses the printer from the -o value. Errors (calicoctl's): "need to
 * specify a template", "need to specify a template file", "need to specify
 * at least one column", "unrecognized output format '<x>'", and ours for
 * go-template, which we do not support. */
int printer_init(struct printer *p, const char *output, struct err *e);
void printer_free(struct printer *p);

/* True when the printer shows table cells (so the caller may need to fill
 * ctx, e.g. the default AS for the Node ASN column). */
bool printer_is_table(const struct printer *p);

/* Writes the results (a json array of stored resources and/or List objects
 * from res_list) to out; yaml and json put keys in Go's order as they go
 * (lib/yamljson.h json_print_go, yaml_print), without copying. Fails for
 * an unknown custom column: "unknown heading <X>, valid values are:
 * <list>" (what was printed before the failing table stays), or when out
 * fails ("out of memory", "error writing the output"). */
int printer_print(const struct printer *p, const json_t *results, struct text_out *out,
		  struct err *e);

/* Go text/tabwriter(minwidth 5, padding 3, ' ') over rows of cells, each
 * cell tab-terminated; exposed for tests. rows[i][j] for j < ncols. */
void tab_render(char ***rows, size_t nrows, size_t ncols, struct strbuf *out);

#endif
