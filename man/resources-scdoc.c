/* Prints calico-resources(5) in scdoc from the kind descriptors
 * (lib/kind_*.c): every kind, its aliases and every field with its type,
 * constraints and allowed values, so the page is the schema the CLI and the
 * speaker validate against and cannot drift from it. Run by man/meson.build. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/schema.h"

static void put_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '*' || *s == '_' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
}

static const char *type_word(const struct field *f)
{
	switch (f->type) {
	case FT_STRING:
		return "string";
	case FT_BOOL:
		return "boolean";
	case FT_INT:
		return "integer";
	case FT_ASN:
		return "AS number (integer, or \"a.b\" dotted)";
	case FT_DURATION:
		return "duration (Go syntax, e.g. \"90s\", \"2m0s\")";
	case FT_TIME:
		return "time (RFC 3339)";
	case FT_OBJECT:
		return "object";
	case FT_LIST:
		return "list";
	case FT_MAP:
		return "map of string to string";
	case FT_ANY:
		return "any JSON value";
	}
	return "value";
}

static void put_field(const struct field *f, const char *prefix)
{
	char path[256];

	snprintf(path, sizeof(path), "%s%s", prefix, f->json);
	printf("*");
	put_escaped(path);
	printf("*\n\t");
	if (f->type == FT_LIST && f->sub) {
		printf("List of %s", type_word(&f->sub[0]));
		if (f->sub[0].type == FT_OBJECT && f->sub[0].sub)
			printf(" (fields below)");
	} else {
		printf("%s", type_word(f));
	}
	printf(".");
	if (f->flags & (F_REQ | F_CRDREQ))
		printf(" Required.");
	if (f->type == FT_INT)
		printf(" Range %" PRId64 " to %" PRId64 ".", f->flags & F_RANGE ? f->vmin : f->min,
		       f->flags & F_RANGE ? f->vmax : f->max);
	if (f->tag) {
		printf(" Must be valid as: ");
		put_escaped(f->tag);
		printf(".");
	}
	if (f->maxlen)
		printf(" At most %zu characters.", f->maxlen);
	if (f->maxitems)
		printf(" At most %zu items.", f->maxitems);
	if (f->enums) {
		printf(" One of:");
		for (const char *const *e = f->enums; *e; e++) {
			printf(" *");
			put_escaped(**e ? *e : "\"\"");
			printf("*%s", e[1] ? "," : ".");
		}
	}
	printf("\n\n");
	if (f->type == FT_OBJECT && f->sub) {
		snprintf(path, sizeof(path), "%s%s.", prefix, f->json);
		for (const struct field *s = f->sub; s->json; s++)
			put_field(s, path);
	} else if (f->type == FT_LIST && f->sub && f->sub[0].type == FT_OBJECT && f->sub[0].sub) {
		snprintf(path, sizeof(path), "%s%s[].", prefix, f->json);
		for (const struct field *s = f->sub[0].sub; s->json; s++)
			put_field(s, path);
	}
}

static void put_kind(const struct kind_desc *k)
{
	printf("## %s\n\n", k->name);
	printf("List kind *%s*. CLI names (case-insensitive):", k->list_name);
	for (const char *const *a = k->aliases; a && *a; a++)
		printf(" *%s*%s", *a, a[1] ? "," : ".");
	printf("\n");
	if (k->readonly)
		printf("Read-only: managed by the system, not by *calicoctl create*.\n");
	printf("\n*metadata.name*\n\tstring. Required. The resource name.\n\n");
	printf("*metadata.labels*, *metadata.annotations*\n\tmap of string to string.\n\n");
	for (const struct field *f = k->spec; f && f->json; f++)
		put_field(f, "spec.");
	for (const struct field *f = k->status; f && f->json; f++)
		put_field(f, "status.");
}

int main(void)
{
	printf("calico-resources(5)\n\n"
	       "# NAME\n\n"
	       "calico-resources - the Calico resources calicoctl manages\n\n"
	       "# DESCRIPTION\n\n"
	       "Resources are YAML or JSON documents in the Calico v3 envelope:\n\n"
	       "```\n"
	       "apiVersion: %s\n"
	       "kind: BGPPeer\n"
	       "metadata:\n"
	       "  name: rack1-tor\n"
	       "spec:\n"
	       "  peerIP: 192.0.2.1\n"
	       "  asNumber: 64512\n"
	       "```\n\n"
	       "Field names are matched case-insensitively; an unknown field is an error. "
	       "This page is generated from the schema calicoctl validates with.\n\n"
	       "# KINDS\n\n",
	       RES_API_VERSION);
	for (const struct kind_desc *const *k = kind_all(); *k; k++)
		put_kind(*k);
	printf("# SEE ALSO\n\n*calicoctl*(1), *calicoctl-create*(1), *calicoctl-get*(1), "
	       "*calico-bgpd*(8)\n");
	return 0;
}
