/* Go's number formatting, needed to print exactly what calicoctl prints:
 * strconv.FormatFloat with precision -1 (shortest round-trip digits). */
#ifndef CALICO_GOFMT_H
#define CALICO_GOFMT_H

#include <jansson.h>

#include <stddef.h>

/* Longest output of go_format_float, with the terminating NUL. */
#define GO_FLOAT_MAX 40

/* Formats v like strconv.FormatFloat(v, fmt, -1, 64) for fmt 'e', 'f' or
 * 'g' ("+Inf", "-Inf", "NaN" for the specials). Returns buf. */
char *go_format_float(double v, char fmt, char buf[GO_FLOAT_MAX]);

/* Formats v as encoding/json does ('f' below 1e21 and from 1e-6, 'e'
 * otherwise with a one-digit exponent kept short: 1e-07, 1e+21). The
 * caller rejects NaN and infinities first. */
char *go_json_float(double v, char buf[GO_FLOAT_MAX]);

/* Shortest decimal digits of |v| (finite, non-zero) that read back as v,
 * and the decimal exponent: v = 0.d1d2d3... x 10^point. Returns the digit
 * count. */
int go_float_digits(double v, char digits[32], int *point);

/* The JSON type word Go's decoder uses in "cannot unmarshal <type> into ..."
 * messages: string, number, bool, array, object or null. */
const char *go_json_type_name(const json_t *v);

#endif
