/* The Calico label selector language (resources.md §3): parser, evaluator
 * against a label map, and the canonical string form Calico uses for
 * identity. Used by BGPPeer nodeSelector/peerSelector/localWorkloadSelector
 * and the IPPool selectors, both when validating and when the planner picks
 * nodes. */
#ifndef CALICO_SELECTOR_H
#define CALICO_SELECTOR_H

#include <stdbool.h>

#include <jansson.h>

#include "lib/err.h"

struct selector;

/* Parses text. "" and all-blank text parse as all(). Only space and TAB
 * separate tokens. On failure returns -EINVAL and fills e with the parser's
 * reason, e.g. "expected string", "unexpected content at end of selector
 * [...]" (these are the Go parser's words; the API validator itself never
 * shows them, see resource.h). */
int sel_parse(const char *text, struct selector **out, struct err *e);

/* True when the selector matches labels (a JSON object of string values, or
 * NULL meaning no labels). Non-string label values never match. */
bool sel_match(const struct selector *s, const json_t *labels);

/* Canonical form (resources.md §3.5), malloc'd; NULL only on allocation
 * failure. */
char *sel_string(const struct selector *s);

/* True when the selector text contains the global() function anywhere
 * (IPPool selectors forbid it). */
bool sel_uses_global(const struct selector *s);

void sel_free(struct selector *s);

/* Convenience: true when text parses. */
bool sel_valid(const char *text);

#endif
