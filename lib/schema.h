/* Internal to the resource model: how a kind describes itself. Each
 * lib/kind_*.c defines one `const struct kind_desc`; lib/resource.c walks
 * the tables generically (decode, tag validation, defaults, output order,
 * cells). Not for use outside lib/. */
#ifndef CALICO_SCHEMA_H
#define CALICO_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "lib/resource.h"

enum fty {
	FT_STRING, /* Go string; numbers/bools are coerced into it */
	FT_BOOL,
	FT_INT,	     /* integer with the Go type's range [min, max] */
	FT_ASN,	     /* numorstring.ASNumber: integer or plain/dotted string */
	FT_DURATION, /* metav1.Duration: Go duration string, normalised */
	FT_TIME,     /* metav1.Time: RFC 3339 or null, normalised to UTC */
	FT_OBJECT,   /* struct: sub lists its fields */
	FT_LIST,     /* slice: sub is the element (one field) */
	FT_MAP,	     /* map[string]string */
	FT_ANY,	     /* opaque JSON kept as is (unused k8s metadata) */
};

/* flags */
#define F_PTR 0x01	/* pointer or no omitempty: a zero value is kept */
#define F_STRUCT 0x02	/* non-pointer struct: always emitted, {} when empty */
#define F_ZERO 0x04	/* scalar without omitempty: emitted as zero when absent */
#define F_REQ 0x08	/* Go validator tag "required" */
#define F_RANGE 0x10	/* Go validator tags gte=vmin,lte=vmax on an integer */
#define F_CRDREQ 0x20	/* CRD schema: required ("Required value") */
#define F_TAGEMPTY 0x40 /* the tag has no omitempty: it also checks "" */

struct field {
	const char *json; /* canonical JSON key; NULL ends a field list */
	const char *go;	  /* Go field name, used by validator messages */
	enum fty type;
	unsigned flags;
	const char *gotype; /* Go type named in decode errors; for FT_OBJECT the
			       struct's type name (the Struct of its fields'
			       errors) */
	const struct field *sub;
	int64_t min, max;   /* FT_INT: the Go type's range (decoding) */
	int64_t vmin, vmax; /* F_RANGE: validator bounds */
	/* Go validator tag applied to a non-empty string value (or to each
	 * element of a string list): name and predicate. */
	const char *tag;
	bool (*check)(const char *s);
	/* CRD enum (v3.32 client-side CRD validation), NULL-terminated. */
	const char *const *enums;
	/* CRD maxLength of a string / maxItems of a list (0 = none). */
	size_t maxlen;
	size_t maxitems;
};

/* One validation error entry (libcalico-go ErroredField). */
struct verr {
	char *name;
	char *value; /* already rendered with Go %v; NULL = no value */
	char *reason;
};

struct verrs {
	struct verr *v;
	size_t n, cap;
};

void verrs_add(struct verrs *l, const char *name, const char *value, const char *reason);
void verrs_addf(struct verrs *l, const char *name, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void verrs_free(struct verrs *l);
/* Renders the list as calicoctl does into e; returns -EINVAL (or 0 when
 * the list is empty). */
int verrs_render(const struct verrs *l, struct err *e);

/* Go's "Reason: failed to validate Field: X because of Tag: T " text. */
void verrs_tag(struct verrs *l, const char *go_field, const char *value, const char *tag);

/* What a kind's hooks get. */
struct vctx {
	json_t *obj;
	json_t *spec; /* never NULL after decoding */
	enum res_op op;
	const struct res_validate_ctx *ctx;
};

struct kind_desc {
	const char *name;
	const char *list_name;
	const char *const *aliases;
	bool readonly;
	bool has_status;
	const struct field *spec;   /* fields of spec */
	const char *spec_type;	    /* Go type name of the spec struct */
	const struct field *status; /* fields of status, NULL if none */
	const char *status_type;
	bool status_always; /* status emitted as {} even when absent */
	const char *const *columns;
	const char *const *wide_columns;
	/* Cell text for one heading (heading is one of the kind's columns). */
	char *(*cell)(const json_t *obj, const char *heading, const struct res_print_ctx *pctx);
	/* Client-layer checks that run BEFORE the generic validator (IPPool
	 * defaults and checks; BGPPeer filters). Errors stop validation. */
	void (*client_pre)(struct vctx *v, struct verrs *errs);
	/* Struct-level checks of spec, run after the field tags of spec. */
	void (*spec_struct)(struct vctx *v, struct verrs *errs);
	/* CRD-layer checks appended after the Go validator's (v3.32). */
	void (*crd)(struct vctx *v, struct verrs *errs);
	/* Client-layer checks that run only when the validator passed
	 * (BGPConfiguration default-only fields). */
	void (*client_post)(struct vctx *v, struct verrs *errs);
	/* Defaults written into the object (CRD defaulting). */
	void (*defaults)(struct vctx *v);
};

extern const struct kind_desc kind_node, kind_bgpconfig, kind_bgppeer, kind_ippool, kind_nodestatus,
    kind_clusterinfo;

/* The envelope fields (kind, apiVersion, metadata, spec, status) of k. */
void schema_top_fields(const struct kind_desc *k, struct field top[6]);
/* Adds the always-present structs and zero members to obj (res_decode.c). */
void schema_fill_structs(const struct field *fields, json_t *obj, const char *type);
/* A JSON number as Go prints it: integers exactly, reals shortest. */
char *json_number_text(const json_t *v);

/* ---- Go-order view (lib/resource.c) ----
 * What res_ordered/res_list_ordered build, as a view over the stored tree:
 * the streaming printers (lib/jsongo.c, lib/yamldump.c) ask each node for
 * its members in Go's output order instead of printing a reordered copy.
 * Virtual members (a null creationTimestamp, an empty spec, a defaulted
 * status) are supplied by the view; nothing is copied. */
enum go_shape {
	GO_PLAIN,	/* any JSON, printed as stored */
	GO_RESULTS,	/* array: each element is classified by go_classify */
	GO_RESOURCE,	/* a resource of kind k (envelope in Go order) */
	GO_LIST,	/* a <Kind>List object made by res_list: items are GO_RESOURCE */
	GO_ITEMS,	/* array of GO_RESOURCE of kind k */
	GO_META,	/* ObjectMeta (v NULL or non-object: only creationTimestamp) */
	GO_STRUCT,	/* struct with fields (v NULL or non-object: {}) */
	GO_MAP,		/* map[string]string: keys sorted bytewise */
	GO_STRUCT_LIST, /* array of GO_STRUCT with fields */
};

struct go_node {
	const json_t *v;
	enum go_shape shape;
	const struct field *fields;
	const struct kind_desc *k;
};

struct go_member {
	const char *key;
	struct go_node node;
	unsigned rank; /* internal: Go order */
};

/* How a top-level printed value is laid out: a resource of a known kind, a
 * List of one, an array of results, or plain JSON. */
struct go_node go_classify(const json_t *v);

/* True when n prints as an object (its members from go_members); as an
 * array (elements from go_elem). */
static inline bool go_is_object(const struct go_node *n)
{
	switch (n->shape) {
	case GO_RESOURCE:
	case GO_LIST:
	case GO_META:
	case GO_STRUCT:
	case GO_MAP:
		return true;
	case GO_PLAIN:
		return json_is_object(n->v);
	default:
		return false;
	}
}

static inline bool go_is_array(const struct go_node *n)
{
	switch (n->shape) {
	case GO_RESULTS:
	case GO_ITEMS:
	case GO_STRUCT_LIST:
		return true;
	case GO_PLAIN:
		return json_is_array(n->v);
	default:
		return false;
	}
}

/* The members of an object-shaped node in Go's output order. Uses buf when
 * they fit in cap, else a malloc'd array that the caller frees when *out !=
 * buf. Returns the count; (size_t)-1 on allocation failure. */
size_t go_members(const struct go_node *n, struct go_member *buf, size_t cap,
		  struct go_member **out);

/* Element count and element i of an array-shaped node. */
size_t go_size(const struct go_node *n);
struct go_node go_elem(const struct go_node *n, size_t i);

/* Helpers for kinds. */
const char *js(const json_t *obj, const char *key); /* string or NULL */
const char *js_or(const json_t *obj, const char *key, const char *dflt);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Go %v rendering of a JSON value (strings raw, lists "[a b]"). */
char *go_value(const json_t *v);
/* Enum check with the CRD's message (field path like "spec.nextHopMode"). */
void crd_enum(struct verrs *errs, const char *path, const json_t *v, const char *const *values);

/* Tag predicates shared by kinds. */
bool chk_name(const char *s);
bool chk_selector(const char *s);
bool chk_ipport(const char *s);
bool chk_ip(const char *s);
bool chk_ipv4(const char *s);
bool chk_ipv6(const char *s);
bool chk_net(const char *s);
bool chk_cidr(const char *s);
bool chk_cidrv4(const char *s);
bool chk_cidrv6(const char *s);
bool chk_mac(const char *s);

#endif
