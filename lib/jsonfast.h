/* A fast JSON reader that builds jansson values.
 *
 * jansson's json_loads() costs about 40,000 instructions for a 220-byte
 * BGPPeer (a lexer over a stream abstraction, a string buffer per token,
 * locale-aware number conversion), which made reading 10,000 resources
 * from the datastore the bulk of `calicoctl get bgppeers`. This reader
 * works on the whole buffer at once and hands keys and strings to jansson
 * without copying them twice; the result is the same jansson tree.
 *
 * It accepts exactly RFC 8259 JSON with jansson's own restrictions (so it
 * can replace json_loads(text, 0, ...) anywhere): one value with optional
 * surrounding white space; strings valid UTF-8 without NUL (\u0000 is
 * refused) and without lone surrogates; integers that do not fit json_int_t
 * are an error, numbers with a fraction or exponent are reals; duplicate
 * object keys keep the last value; nesting is limited to JSON_FAST_MAX_DEPTH. */
#ifndef CALICO_JSONFAST_H
#define CALICO_JSONFAST_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

#define JSON_FAST_MAX_DEPTH 512

/* Parses text[0..len). Returns the value (a new reference) or NULL with e
 * naming the byte offset and the reason. */
json_t *json_fast_parse(const char *text, size_t len, struct err *e);

#endif
