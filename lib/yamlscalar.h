/* How go-yaml v2 resolves a plain YAML scalar (resolve.go), shared by the
 * loader (what a scalar means) and the printer (which strings must be
 * quoted so that they read back as strings). Internal to lib/yaml*.c. */
#ifndef CALICO_YAMLSCALAR_H
#define CALICO_YAMLSCALAR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/gofmt.h"

enum yscalar_kind {
	YSCALAR_STR,
	YSCALAR_NULL,
	YSCALAR_BOOL,
	YSCALAR_INT,
	YSCALAR_FLOAT,
	YSCALAR_TIMESTAMP,
	YSCALAR_MERGE,
};

/* What the plain scalar s resolves to. */
enum yscalar_kind yscalar_resolve(const char *s, size_t len);

/* True for tags go-yaml resolves (none, or a tag:yaml.org,2002 scalar tag
 * other than str/binary); any other tag leaves the scalar a string. */
bool yscalar_resolvable_tag(const char *tag);

/* The JSON value of the plain scalar s as sigs.k8s.io/yaml produces it:
 * null, true/false, integers, numbers (integral values below 1e21 that fit
 * become integers: Go prints them without a fraction), else a string.
 * Returns 0, -ERANGE for NaN/infinity (JSON cannot hold them) or -ENOMEM. */
int yscalar_to_json(const char *s, size_t len, json_t **out);

/* True for go-yaml's "base 60 float" look-alikes (1:20, 190:20:30.15),
 * which it quotes on output. */
bool yscalar_is_base60_float(const char *s);

/* A number as go-yaml prints a float64: FormatFloat 'g', shortest. */
char *yscalar_format_number(double v, char buf[GO_FLOAT_MAX]);

#endif
