/* The generic resource walker: kind lookup, strict decoding, the validation
 * pipeline, Go-order output and table cells, all driven by the descriptor
 * tables in lib/kind_*.c. */
#include "lib/resource.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/scalar.h"
#include "lib/schema.h"
#include "lib/selector.h"

static const struct kind_desc *const kinds[] = {
	&kind_bgpconfig, &kind_bgppeer, &kind_nodestatus, &kind_clusterinfo, &kind_ippool, &kind_node, NULL,
};

/* ---- kinds ---- */

const struct kind_desc *const *kind_all(void)
{
	return kinds;
}

const struct kind_desc *kind_by_word(const char *word)
{
	for (size_t i = 0; kinds[i]; i++)
		for (size_t j = 0; kinds[i]->aliases[j]; j++)
			if (strcasecmp(kinds[i]->aliases[j], word) == 0)
				return kinds[i];
	return NULL;
}

const struct kind_desc *kind_by_name(const char *kind)
{
	for (size_t i = 0; kind && kinds[i]; i++)
		if (strcmp(kinds[i]->name, kind) == 0)
			return kinds[i];
	return NULL;
}

const struct kind_desc *kind_by_list_name(const char *list_kind)
{
	for (size_t i = 0; list_kind && kinds[i]; i++)
		if (strcmp(kinds[i]->list_name, list_kind) == 0)
			return kinds[i];
	return NULL;
}

const char *kind_name(const struct kind_desc *k)
{
	return k->name;
}

const char *kind_list_name(const struct kind_desc *k)
{
	return k->list_name;
}

const char *const *kind_aliases(const struct kind_desc *k)
{
	return k->aliases;
}

bool kind_namespaced(const struct kind_desc *k)
{
	(void)k;
	return false;
}

bool kind_readonly(const struct kind_desc *k)
{
	return k->readonly;
}

bool kind_has_status(const struct kind_desc *k)
{
	return k->has_status;
}

int res_kind_of(const json_t *obj, const struct kind_desc **out, struct err *e)
{
	const char *kind = js(obj, "kind"), *api = js(obj, "apiVersion");
	const struct kind_desc *k = kind_by_name(kind);

	if (!k || !api || strcmp(api, RES_API_VERSION) != 0)
		return err_set(e, -EINVAL, "unknown resource type (%s) and/or version (%s)", kind ? kind : "",
			       api ? api : "");
	*out = k;
	return 0;
}

const char *res_name(const json_t *obj)
{
	return js_or(json_object_get(obj, "metadata"), "name", "");
}

/* ---- small helpers ---- */

const char *js(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *js_or(const json_t *obj, const char *key, const char *dflt)
{
	const char *s = js(obj, key);

	return s ? s : dflt;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort(); /* out of memory is a broken invariant for a CLI */
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return p;
}

/* ---- field metadata (ObjectMeta) and envelope ---- */

static const struct field f_string_elem[] = {{.json = "", .go = "", .type = FT_STRING, .gotype = "string"}};

static const struct field meta_fields[] = {
	{.json = "name", .go = "Name", .type = FT_STRING, .gotype = "string"},
	{.json = "generateName", .go = "GenerateName", .type = FT_STRING, .gotype = "string"},
	{.json = "namespace", .go = "Namespace", .type = FT_STRING, .gotype = "string"},
	{.json = "selfLink", .go = "SelfLink", .type = FT_STRING, .gotype = "string"},
	{.json = "uid", .go = "UID", .type = FT_STRING, .gotype = "types.UID"},
	{.json = "resourceVersion", .go = "ResourceVersion", .type = FT_STRING, .gotype = "string"},
	{.json = "generation", .go = "Generation", .type = FT_INT, .gotype = "int64", .min = INT64_MIN, .max = INT64_MAX},
	{.json = "creationTimestamp", .go = "CreationTimestamp", .type = FT_TIME, .flags = F_PTR, .gotype = "v1.Time"},
	{.json = "deletionTimestamp", .go = "DeletionTimestamp", .type = FT_TIME, .gotype = "v1.Time"},
	{.json = "deletionGracePeriodSeconds", .go = "DeletionGracePeriodSeconds", .type = FT_INT, .flags = F_PTR,
	 .gotype = "int64", .min = INT64_MIN, .max = INT64_MAX},
	{.json = "labels", .go = "Labels", .type = FT_MAP, .gotype = "map[string]string"},
	{.json = "annotations", .go = "Annotations", .type = FT_MAP, .gotype = "map[string]string"},
	{.json = "ownerReferences", .go = "OwnerReferences", .type = FT_ANY},
	{.json = "finalizers", .go = "Finalizers", .type = FT_LIST, .gotype = "[]string", .sub = f_string_elem},
	{.json = "managedFields", .go = "ManagedFields", .type = FT_ANY},
	{0},
};

/* The top level of a kind, built on the fly from its descriptor. */
static void top_fields(const struct kind_desc *k, struct field top[6])
{
	memset(top, 0, 6 * sizeof(top[0]));
	top[0] = (struct field){.json = "kind", .go = "Kind", .type = FT_STRING, .gotype = "string"};
	top[1] = (struct field){.json = "apiVersion", .go = "APIVersion", .type = FT_STRING, .gotype = "string"};
	top[2] = (struct field){.json = "metadata", .go = "ObjectMeta", .type = FT_OBJECT, .flags = F_STRUCT,
			       .gotype = "ObjectMeta", .sub = meta_fields};
	top[3] = (struct field){.json = "spec", .go = "Spec", .type = FT_OBJECT, .flags = F_STRUCT,
			       .gotype = k->spec_type, .sub = k->spec};
	if (k->status)
		top[4] = (struct field){.json = "status", .go = "Status", .type = FT_OBJECT,
				       .flags = k->status_always ? F_STRUCT : 0, .gotype = k->status_type,
				       .sub = k->status};
}

/* ---- decoding ---- */

struct dctx {
	struct err *e;
	char path[512]; /* JSON path from the root, e.g. "spec.asNumber" */
};

#define DECODE_PREFIX "error unmarshaling JSON: while decoding JSON: "

static const char *json_kind_word(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	default:
		return "null";
	}
}

static int type_error(struct dctx *d, const char *value, const char *strct, const char *gotype)
{
	return err_set(d->e, -EINVAL, DECODE_PREFIX "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
		       value, strct, d->path, gotype);
}

/* A JSON number as text: integers exactly, reals in the shortest form that
 * reads back to the same double (as Go's strconv 'g', -1 does). */
static char *number_text(const json_t *v)
{
	double d;

	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	d = json_real_value(v);
	for (int prec = 1; prec < 17; prec++) {
		char *s = xasprintf("%.*g", prec, d);

		if (strtod(s, NULL) == d)
			return s;
		free(s);
	}
	return xasprintf("%.17g", d);
}

static int decode_value(struct dctx *d, const struct field *f, json_t **vp, const char *strct);

static const struct field *find_field(const struct field *fields, const char *key)
{
	for (const struct field *f = fields; f->json; f++)
		if (strcmp(f->json, key) == 0)
			return f;
	/* encoding/json falls back to a case-insensitive match. */
	for (const struct field *f = fields; f->json; f++)
		if (strcasecmp(f->json, key) == 0)
			return f;
	return NULL;
}

static bool is_zero(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) == 0;
	case JSON_INTEGER:
		return json_integer_value(v) == 0;
	case JSON_FALSE:
	case JSON_NULL:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) == 0;
	case JSON_OBJECT:
		return json_object_size(v) == 0;
	default:
		return false;
	}
}

static int decode_object(struct dctx *d, const struct field *fields, json_t *obj, const char *strct)
{
	size_t base = strlen(d->path);
	json_t *out = json_object();
	const char *key;
	json_t *val;
	int rc = 0;

	json_object_foreach(obj, key, val)
	{
		const struct field *f = find_field(fields, key);
		json_t *v;

		if (!f) {
			rc = err_set(d->e, -EBADMSG, "field in document is not recognized or is in the wrong location: %s",
				     key);
			break;
		}
		snprintf(d->path + base, sizeof(d->path) - base, "%s%s", base ? "." : "", f->json);
		v = json_incref(val);
		rc = decode_value(d, f, &v, strct);
		d->path[base] = '\0';
		if (rc) {
			json_decref(v);
			break;
		}
		/* Go marshals with omitempty: zero scalars of non-pointer
		 * fields vanish, empty slices and maps too. */
		if (!v || (!(f->flags & (F_PTR | F_STRUCT | F_ZERO)) && f->type != FT_OBJECT && is_zero(v)) ||
		    (f->type == FT_ANY && json_is_null(v))) {
			json_decref(v);
			json_object_del(out, f->json);
			continue;
		}
		json_object_set_new(out, f->json, v);
	}
	if (rc == 0) {
		/* Always-present structs and non-omitempty scalars. */
		for (const struct field *f = fields; f->json; f++) {
			if (json_object_get(out, f->json))
				continue;
			if (f->type == FT_OBJECT && (f->flags & F_STRUCT)) {
				json_t *empty = json_object();

				snprintf(d->path + base, sizeof(d->path) - base, "%s%s", base ? "." : "", f->json);
				decode_object(d, f->sub, empty, f->gotype);
				d->path[base] = '\0';
				json_object_set_new(out, f->json, empty);
			} else if (f->flags & F_ZERO) {
				json_object_set_new(out, f->json,
						    f->type == FT_STRING ? json_string("")
						    : f->type == FT_BOOL ? json_false()
						    : f->type == FT_TIME ? json_null()
									 : json_integer(0));
			}
		}
		json_object_clear(obj);
		json_object_update(obj, out);
	}
	json_decref(out);
	return rc;
}

static int decode_string(struct dctx *d, const struct field *f, json_t **vp, const char *strct)
{
	json_t *v = *vp;
	char *s;

	if (json_is_string(v))
		return 0;
	/* YAML scalars of other types are coerced into string fields. */
	if (json_is_integer(v) || json_is_real(v))
		s = number_text(v);
	else if (json_is_boolean(v))
		s = xstrdup(json_is_true(v) ? "true" : "false");
	else
		return type_error(d, json_kind_word(v), strct, f->gotype);
	json_decref(v);
	*vp = json_string(s);
	free(s);
	return 0;
}

static int decode_asn(struct dctx *d, json_t **vp, const char *strct)
{
	json_t *v = *vp;
	uint32_t asn;

	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= UINT32_MAX)
		return 0;
	if (!json_is_string(v))
		return type_error(d, json_kind_word(v), strct, "string");
	if (asn_parse(json_string_value(v), &asn))
		return err_set(d->e, -EINVAL, DECODE_PREFIX "invalid AS Number format (%s)", json_string_value(v));
	json_decref(v);
	*vp = json_integer(asn);
	return 0;
}

static int decode_duration(struct dctx *d, json_t **vp, const char *strct)
{
	char msg[256], buf[64];
	int64_t ns;

	if (!json_is_string(*vp))
		return type_error(d, json_kind_word(*vp), strct, "string");
	if (duration_parse(json_string_value(*vp), &ns, msg, sizeof(msg)))
		return err_set(d->e, -EINVAL, DECODE_PREFIX "%s", msg);
	json_decref(*vp);
	*vp = json_string(duration_format(ns, buf, sizeof(buf)));
	return 0;
}

/* RFC 3339 as Go's time.Parse(time.RFC3339) accepts it, normalised to UTC
 * with second precision as metav1.Time marshals it. */
static int decode_time(struct dctx *d, json_t **vp, const char *strct)
{
	const char *s;
	struct tm tm = {0};
	int off = 0, n = 0;
	char sign, buf[32];
	time_t t;
	const char *p;

	if (json_is_null(*vp))
		return 0;
	if (!json_is_string(*vp))
		return type_error(d, json_kind_word(*vp), strct, "string");
	s = json_string_value(*vp);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &n) != 6 || n != 19)
		goto bad;
	p = s + n;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' && p[1] == '\0') {
		off = 0;
	} else {
		int hh, mm;

		if (sscanf(p, "%c%2d:%2d%n", &sign, &hh, &mm, &n) != 3 || p[n] != '\0' || (sign != '+' && sign != '-'))
			goto bad;
		off = (hh * 60 + mm) * 60 * (sign == '-' ? -1 : 1);
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		goto bad;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm) - off;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_decref(*vp);
	*vp = json_string(buf);
	return 0;
bad:
	return err_set(d->e, -EINVAL, DECODE_PREFIX "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"%s\" as \"2006\"",
		       s, s);
}

static int decode_value(struct dctx *d, const struct field *f, json_t **vp, const char *strct)
{
	json_t *v = *vp;
	size_t base;
	int rc;

	/* JSON null leaves a Go field at its zero value. */
	if (json_is_null(v) && f->type != FT_TIME && f->type != FT_ANY) {
		json_decref(v);
		*vp = NULL;
		return 0;
	}
	switch (f->type) {
	case FT_STRING:
		return decode_string(d, f, vp, strct);
	case FT_BOOL:
		return json_is_boolean(v) ? 0 : type_error(d, json_kind_word(v), strct, "bool");
	case FT_INT:
		if (json_is_integer(v) && json_integer_value(v) >= f->min && json_integer_value(v) <= f->max)
			return 0;
		if (json_is_number(v)) {
			char *n = number_text(v), *w = xasprintf("number %s", n);

			rc = type_error(d, w, strct, f->gotype);
			free(n);
			free(w);
			return rc;
		}
		return type_error(d, json_kind_word(v), strct, f->gotype);
	case FT_ASN:
		return decode_asn(d, vp, strct);
	case FT_DURATION:
		return decode_duration(d, vp, strct);
	case FT_TIME:
		return decode_time(d, vp, strct);
	case FT_OBJECT:
		if (!json_is_object(v))
			return type_error(d, json_kind_word(v), strct, f->gotype);
		return decode_object(d, f->sub, v, f->gotype);
	case FT_MAP: {
		const char *key;
		json_t *val;

		if (!json_is_object(v))
			return type_error(d, json_kind_word(v), strct, f->gotype);
		json_object_foreach(v, key, val)
		{
			json_t *nv = json_incref(val);
			static const struct field elem = {.json = "", .type = FT_STRING, .gotype = "string"};

			if (json_is_null(nv)) {
				json_decref(nv);
				json_object_set_new(v, key, json_string(""));
				continue;
			}
			rc = decode_string(d, &elem, &nv, strct);
			if (rc) {
				json_decref(nv);
				return rc;
			}
			json_object_set_new(v, key, nv);
		}
		return 0;
	}
	case FT_LIST:
		if (!json_is_array(v))
			return type_error(d, json_kind_word(v), strct, f->gotype);
		base = strlen(d->path);
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *item = json_incref(json_array_get(v, i));

			rc = decode_value(d, f->sub, &item, strct);
			if (rc) {
				json_decref(item);
				d->path[base] = '\0';
				return rc;
			}
			if (!item) /* null element: the zero value */
				item = f->sub->type == FT_OBJECT ? json_object()
				       : f->sub->type == FT_STRING ? json_string("")
								   : json_integer(0);
			if (f->sub->type == FT_OBJECT && json_object_size(item) == 0) {
				/* A null/empty element still gets its
				 * always-present members. */
				decode_object(d, f->sub->sub, item, f->sub->gotype);
			}
			json_array_set_new(v, i, item);
		}
		return 0;
	case FT_ANY:
		return 0;
	}
	return 0;
}

int res_decode_strict(const struct kind_desc *k, json_t *obj, struct err *e)
{
	struct field top[6];
	struct dctx d = {.e = e};

	if (!json_is_object(obj))
		return err_set(e, -EINVAL, DECODE_PREFIX "json: cannot unmarshal %s into Go value of type v3.%s",
			       json_kind_word(obj), k->name);
	top_fields(k, top);
	return decode_object(&d, top, obj, k->name);
}

/* ---- validation errors ---- */

void verrs_add(struct verrs *l, const char *name, const char *value, const char *reason)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct verr *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			abort();
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = xstrdup(name);
	l->v[l->n].value = value ? xstrdup(value) : NULL;
	l->v[l->n].reason = xstrdup(reason);
	l->n++;
}

void verrs_addf(struct verrs *l, const char *name, const char *value, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		abort();
	va_end(ap);
	verrs_add(l, name, value, r);
	free(r);
}

void verrs_tag(struct verrs *l, const char *go_field, const char *value, const char *tag)
{
	verrs_addf(l, go_field, value, "Reason: failed to validate Field: %s because of Tag: %s ", go_field, tag);
}

void verrs_free(struct verrs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
		free(l->v[i].reason);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static size_t render_entry(const struct verr *v, char *buf, size_t len)
{
	int n;

	if (v->value)
		n = snprintf(buf, len, "%s = '%s'", v->name, v->value);
	else
		n = snprintf(buf, len, "%s", v->name);
	if (n < 0 || (size_t)n >= len)
		return len ? len - 1 : 0;
	if (v->reason[0]) {
		int m = snprintf(buf + n, len - (size_t)n, " (%s)", v->reason);

		if (m < 0 || (size_t)(n + m) >= len)
			return len - 1;
		n += m;
	}
	return (size_t)n;
}

int verrs_render(const struct verrs *l, struct err *e)
{
	char buf[ERR_LEN];
	size_t used;

	if (l->n == 0)
		return 0;
	if (!e)
		return -EINVAL;
	if (l->n == 1) {
		used = (size_t)snprintf(e->msg, sizeof(e->msg), "error with field ");
		render_entry(&l->v[0], e->msg + used, sizeof(e->msg) - used);
		return -EINVAL;
	}
	used = (size_t)snprintf(e->msg, sizeof(e->msg), "error with the following fields:\n");
	for (size_t i = 0; i < l->n && used + 1 < sizeof(e->msg); i++) {
		render_entry(&l->v[i], buf, sizeof(buf));
		used += (size_t)snprintf(e->msg + used, sizeof(e->msg) - used, "-  %s\n", buf);
		if (used >= sizeof(e->msg))
			used = sizeof(e->msg) - 1;
	}
	return -EINVAL;
}

/* ---- Go %v rendering ---- */

static void append_value(char **out, const json_t *v)
{
	char *old = *out, *piece;

	switch (json_typeof(v)) {
	case JSON_STRING:
		piece = xstrdup(json_string_value(v));
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		piece = number_text(v);
		break;
	case JSON_TRUE:
		piece = xstrdup("true");
		break;
	case JSON_FALSE:
		piece = xstrdup("false");
		break;
	case JSON_ARRAY: {
		char *acc = xstrdup("[");

		for (size_t i = 0; i < json_array_size(v); i++) {
			char *tmp = acc;

			if (i) {
				acc = xasprintf("%s ", tmp);
				free(tmp);
			}
			append_value(&acc, json_array_get(v, i));
		}
		piece = xasprintf("%s]", acc);
		free(acc);
		break;
	}
	case JSON_OBJECT: {
		/* Go prints maps with sorted keys: map[k:v k2:v2]. */
		const char **keys = calloc(json_object_size(v) + 1, sizeof(*keys));
		const char *key;
		json_t *val;
		size_t n = 0;
		char *acc = xstrdup("map[");

		if (!keys)
			abort();
		json_object_foreach((json_t *)v, key, val) keys[n++] = key;
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
				const char *t = keys[j];

				keys[j] = keys[j - 1];
				keys[j - 1] = t;
			}
		for (size_t i = 0; i < n; i++) {
			char *tmp = acc;

			acc = xasprintf("%s%s%s:", tmp, i ? " " : "", keys[i]);
			free(tmp);
			append_value(&acc, json_object_get(v, keys[i]));
		}
		piece = xasprintf("%s]", acc);
		free(acc);
		free(keys);
		break;
	}
	default:
		piece = xstrdup("<nil>");
		break;
	}
	*out = xasprintf("%s%s", old, piece);
	free(old);
	free(piece);
}

char *go_value(const json_t *v)
{
	char *out = xstrdup("");

	append_value(&out, v);
	return out;
}

void crd_enum(struct verrs *errs, const char *path, const json_t *v, const char *const *values)
{
	char buf[512];
	size_t used = 0;

	if (!json_is_string(v))
		return;
	for (size_t i = 0; values[i]; i++)
		if (strcmp(values[i], json_string_value(v)) == 0)
			return;
	used = (size_t)snprintf(buf, sizeof(buf), "supported values: ");
	for (size_t i = 0; values[i] && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\"%s\"", i ? ", " : "", values[i]);
	verrs_add(errs, path, NULL, buf);
}

/* ---- tag predicates ---- */

bool chk_name(const char *s)
{
	return name_valid(s);
}

bool chk_selector(const char *s)
{
	return sel_valid(s);
}

bool chk_ipport(const char *s)
{
	struct ip_addr ip;
	uint16_t port;

	return peerip_parse(s, &ip, &port, NULL) == 0;
}

bool chk_ip(const char *s)
{
	struct ip_addr ip;

	return ip_parse(s, &ip) == 0;
}

bool chk_ipv4(const char *s)
{
	struct ip_addr ip;

	return ip_parse(s, &ip) == 0 && ip.family == 4;
}

bool chk_ipv6(const char *s)
{
	struct ip_addr ip;

	return ip_parse(s, &ip) == 0 && ip.family == 6;
}

bool chk_net(const char *s)
{
	struct ip_cidr c;

	return cidr_parse_or_ip(s, &c) == 0 && cidr_is_masked(&c);
}

bool chk_cidr(const char *s)
{
	struct ip_cidr c;

	return cidr_parse_or_ip(s, &c) == 0;
}

/* Calico's Version() of a parsed CIDR: an IPv4-mapped IPv6 literal counts
 * as IPv4 (To4() != nil). */
static int cidr_version(const struct ip_cidr *c)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (c->ip.family == 6 && memcmp(c->ip.b, mapped, 12) == 0)
		return 4;
	return c->ip.family;
}

bool chk_cidrv4(const char *s)
{
	struct ip_cidr c;

	return cidr_parse_or_ip(s, &c) == 0 && cidr_version(&c) == 4;
}

bool chk_cidrv6(const char *s)
{
	struct ip_cidr c;

	return cidr_parse_or_ip(s, &c) == 0 && cidr_version(&c) == 6;
}

/* Go net.ParseMAC: 6, 8 or 20 octets as xx:xx:.., xx-xx-.. or xxxx.xxxx.. */
bool chk_mac(const char *s)
{
	size_t n = strlen(s);

	if (n < 14)
		return false;
	if (s[2] == ':' || s[2] == '-') {
		size_t groups = (n + 1) / 3;

		if ((n + 1) % 3 != 0 || (groups != 6 && groups != 8 && groups != 20))
			return false;
		for (size_t i = 0; i < n; i++) {
			if (i % 3 == 2) {
				if (s[i] != s[2])
					return false;
			} else if (!isxdigit((unsigned char)s[i])) {
				return false;
			}
		}
		return true;
	}
	if (s[4] == '.') {
		size_t groups = (n + 1) / 5;

		if ((n + 1) % 5 != 0 || (groups * 2 != 6 && groups * 2 != 8 && groups * 2 != 20))
			return false;
		for (size_t i = 0; i < n; i++) {
			if (i % 5 == 4) {
				if (s[i] != '.')
					return false;
			} else if (!isxdigit((unsigned char)s[i])) {
				return false;
			}
		}
		return true;
	}
	return false;
}

/* ---- the validation pipeline ---- */

/* Field tags of one struct, depth first in field order, as go-playground's
 * validator walks it. */
static void walk_tags(const struct field *fields, json_t *obj, struct verrs *errs)
{
	for (const struct field *f = fields; f->json; f++) {
		json_t *v = json_object_get(obj, f->json);

		if ((f->flags & F_TAGEMPTY) && (!v || json_is_string(v)) && !f->check(v ? json_string_value(v) : "")) {
			verrs_tag(errs, f->go, v ? json_string_value(v) : "", f->tag);
			continue;
		}
		if (!v || json_is_null(v) || (f->type == FT_STRING && json_string_length(v) == 0)) {
			/* required: the zero value as Go's %v prints it */
			if (f->flags & F_REQ)
				verrs_tag(errs, f->go,
					  f->type == FT_LIST		? "[]"
					  : f->type == FT_STRING	? ""
					  : (f->flags & F_PTR)		? "<nil>"
									: "0",
					  "required");
			continue;
		}
		if ((f->flags & F_RANGE) && json_is_integer(v)) {
			char num[32];

			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
			if (json_integer_value(v) < f->vmin)
				verrs_tag(errs, f->go, num, "gte");
			else if (json_integer_value(v) > f->vmax)
				verrs_tag(errs, f->go, num, "lte");
		}
		if (f->type == FT_OBJECT && json_is_object(v)) {
			walk_tags(f->sub, v, errs);
		} else if (f->type == FT_LIST && json_is_array(v)) {
			for (size_t i = 0; i < json_array_size(v); i++) {
				json_t *item = json_array_get(v, i);

				if (f->sub->type == FT_OBJECT) {
					walk_tags(f->sub->sub, item, errs);
				} else if (f->tag && json_is_string(item) && !f->check(json_string_value(item))) {
					char *name = xasprintf("%s[%zu]", f->go, i);

					verrs_tag(errs, name, json_string_value(item), f->tag);
					free(name);
				}
			}
		} else if (f->tag && json_is_string(v) && json_string_length(v) > 0 && !f->check(json_string_value(v))) {
			verrs_tag(errs, f->go, json_string_value(v), f->tag);
		}
	}
}

/* The CRD schema layer (v3.32 validates it client-side): enums, maxLength
 * and required members, depth first, named by JSON path as Kubernetes
 * reports them. */
static void crd_scalar(const struct field *f, const json_t *v, const char *path, struct verrs *errs)
{
	if (f->enums)
		crd_enum(errs, path, v, f->enums);
	if (f->maxlen && json_is_string(v) && json_string_length(v) > f->maxlen)
		verrs_addf(errs, path, NULL, "may not be more than %zu bytes", f->maxlen);
}

/* path is a buffer of PATH_LEN the walk appends to and restores. */
#define PATH_LEN 512

static void walk_crd(const struct field *fields, json_t *obj, char *path, struct verrs *errs)
{
	size_t base = strlen(path);

	for (const struct field *f = fields; f->json; f++) {
		json_t *v = json_object_get(obj, f->json);

		snprintf(path + base, PATH_LEN - base, ".%s", f->json);
		if (!v) {
			if (f->flags & F_CRDREQ)
				verrs_add(errs, path, NULL, "Required value");
		} else if (f->type == FT_OBJECT && json_is_object(v)) {
			walk_crd(f->sub, v, path, errs);
		} else if (f->type == FT_LIST && json_is_array(v)) {
			size_t lbase = strlen(path);

			for (size_t i = 0; i < json_array_size(v); i++) {
				snprintf(path + lbase, PATH_LEN - lbase, "[%zu]", i);
				if (f->sub->type == FT_OBJECT)
					walk_crd(f->sub->sub, json_array_get(v, i), path, errs);
				else
					crd_scalar(f->sub, json_array_get(v, i), path, errs);
				path[lbase] = '\0';
			}
		} else {
			crd_scalar(f, v, path, errs);
		}
		path[base] = '\0';
	}
}

static void validate_metadata(json_t *meta, struct verrs *errs)
{
	const char *name = js_or(meta, "name", "");
	json_t *labels = json_object_get(meta, "annotations");
	const char *key;
	json_t *val;
	char reason[2048];
	long long total = 0;

	if (strlen(name) > 253)
		verrs_addf(errs, "Metadata.Name", name, "name is too long by %zu bytes", strlen(name) - 253);
	if (!name_valid(name))
		verrs_add(errs, "Metadata.Name", name,
			  "name must consist of lower case alphanumeric characters, '-' or '.' (regex: "
			  "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)");
	/* Go walks maps in random order; we use the document order, which is
	 * stable. */
	json_object_foreach(labels, key, val)
	{
		char *lower = xstrdup(key);

		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!label_key_valid(lower, reason, sizeof(reason)))
			for (char *r = strtok(reason, "\n"); r; r = strtok(NULL, "\n"))
				verrs_add(errs, "Metadata.Annotations (key)", key, r);
		free(lower);
		total += (long long)strlen(key) + (long long)json_string_length(val);
	}
	if (total > 256 * 1024) {
		char *v = go_value(labels);

		verrs_addf(errs, "Metadata.Annotations (key)", v, "total size of annotations is too large by %lld bytes",
			   total - 256 * 1024);
		free(v);
	}
	labels = json_object_get(meta, "labels");
	json_object_foreach(labels, key, val)
	{
		if (!label_key_valid(key, reason, sizeof(reason)))
			for (char *r = strtok(reason, "\n"); r; r = strtok(NULL, "\n"))
				verrs_add(errs, "Metadata.Labels (label)", key, r);
		if (!label_value_valid(json_string_value(val), reason, sizeof(reason)))
			for (char *r = strtok(reason, "\n"); r; r = strtok(NULL, "\n"))
				verrs_add(errs, "Metadata.Labels (value)", json_string_value(val), r);
	}
}

/* resources.go: what a Create/Update request must (not) carry. */
static void client_metadata(struct vctx *v, struct verrs *errs)
{
	json_t *meta = json_object_get(v->obj, "metadata");
	const char *rv = js_or(meta, "resourceVersion", "");

	if (v->op != RES_OP_CREATE)
		return;
	if (rv[0])
		verrs_add(errs, "Metadata.ResourceVersion", rv, "field must not be set for a Create request");
	if (!js_or(meta, "name", "")[0]) {
		if (js_or(meta, "generateName", "")[0])
			verrs_add(errs, "Metadata.Name", "",
				  "field must be set for a Create request (GenerateName is not supported)");
		else
			verrs_add(errs, "Metadata.Name", "", "field must be set for a Create request");
	}
}

int res_validate(const struct kind_desc *k, json_t *obj, enum res_op op, const struct res_validate_ctx *ctx,
		 struct err *e)
{
	struct vctx v = {.obj = obj, .op = op, .ctx = ctx};
	struct verrs errs = {0};
	json_t *meta;
	int rc;

	if (!json_is_object(json_object_get(obj, "spec")))
		json_object_set_new(obj, "spec", json_object());
	if (!json_is_object(json_object_get(obj, "metadata")))
		json_object_set_new(obj, "metadata", json_object());
	v.spec = json_object_get(obj, "spec");
	meta = json_object_get(obj, "metadata");

	/* 1. kind-specific client checks that precede everything (IPPool). */
	if (op != RES_OP_VALIDATE && k->client_pre)
		k->client_pre(&v, &errs);
	/* 2. the generic client's request checks. */
	if (!errs.n && op != RES_OP_VALIDATE)
		client_metadata(&v, &errs);
	if (errs.n)
		goto out;
	/* 3. the Go validator: metadata, spec field tags, spec struct level,
	 * status field tags. Then the CRD layer, after defaulting. */
	validate_metadata(meta, &errs);
	walk_tags(k->spec, v.spec, &errs);
	if (k->spec_struct)
		k->spec_struct(&v, &errs);
	if (k->status && json_is_object(json_object_get(obj, "status")))
		walk_tags(k->status, json_object_get(obj, "status"), &errs);
	if (k->defaults)
		k->defaults(&v);
	{
		char path[PATH_LEN] = "spec";

		walk_crd(k->spec, v.spec, path, &errs);
	}
	if (k->crd)
		k->crd(&v, &errs);
	/* 4. client checks that only run on a valid object. */
	if (!errs.n && op != RES_OP_VALIDATE && k->client_post)
		k->client_post(&v, &errs);
out:
	rc = verrs_render(&errs, e);
	verrs_free(&errs);
	return rc;
}

/* ---- output ---- */

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's encoding/json writes map keys sorted. */
static json_t *sorted_map(const json_t *map)
{
	size_t n = json_object_size(map), i = 0;
	const char **keys = calloc(n + 1, sizeof(*keys));
	json_t *out = json_object(), *val;
	const char *key;

	if (!keys)
		abort();
	json_object_foreach((json_t *)map, key, val) keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(map, keys[i]));
	free(keys);
	return out;
}

static json_t *ordered_object(const struct field *fields, const json_t *obj)
{
	json_t *out = json_object();
	const char *key;
	json_t *val;

	for (const struct field *f = fields; f->json; f++) {
		json_t *v = json_object_get(obj, f->json);

		if (!v)
			continue;
		if (f->type == FT_OBJECT && json_is_object(v)) {
			json_object_set_new(out, f->json, ordered_object(f->sub, v));
		} else if (f->type == FT_MAP && json_is_object(v)) {
			json_object_set_new(out, f->json, sorted_map(v));
		} else if (f->type == FT_LIST && json_is_array(v) && f->sub->type == FT_OBJECT) {
			json_t *arr = json_array();

			for (size_t i = 0; i < json_array_size(v); i++)
				json_array_append_new(arr, ordered_object(f->sub->sub, json_array_get(v, i)));
			json_object_set_new(out, f->json, arr);
		} else {
			json_object_set_new(out, f->json, json_deep_copy(v));
		}
	}
	/* Keys the schema does not know (an object that skipped decoding)
	 * are kept, after the known ones. */
	json_object_foreach((json_t *)obj, key, val)
	{
		if (!json_object_get(out, key))
			json_object_set_new(out, key, json_deep_copy(val));
	}
	return out;
}

json_t *res_ordered(const struct kind_desc *k, const json_t *obj)
{
	struct field top[6];
	json_t *out, *meta;

	top_fields(k, top);
	out = ordered_object(top, obj);
	meta = json_object_get(out, "metadata");
	if (!meta) {
		meta = json_object();
		json_object_set_new(out, "metadata", meta);
	}
	if (!json_object_get(meta, "creationTimestamp")) {
		/* metav1.Time has no omitempty: zero marshals as null. Put it
		 * where Go's struct order has it. */
		json_t *copy = json_object();
		const char *key;
		json_t *val;
		bool placed = false;

		json_object_foreach(meta, key, val)
		{
			if (!placed && strcmp(key, "labels") != 0 && strcmp(key, "annotations") != 0 &&
			    strcmp(key, "deletionTimestamp") != 0 && strcmp(key, "deletionGracePeriodSeconds") != 0 &&
			    strcmp(key, "ownerReferences") != 0 && strcmp(key, "finalizers") != 0 &&
			    strcmp(key, "managedFields") != 0) {
				json_object_set(copy, key, val);
				continue;
			}
			if (!placed) {
				json_object_set_new(copy, "creationTimestamp", json_null());
				placed = true;
			}
			json_object_set(copy, key, val);
		}
		if (!placed)
			json_object_set_new(copy, "creationTimestamp", json_null());
		json_object_set_new(out, "metadata", copy);
	}
	if (!json_object_get(out, "spec"))
		json_object_set_new(out, "spec", json_object());
	if (k->status_always && !json_object_get(out, "status")) {
		json_t *st = json_object();
		struct dctx d = {0};

		decode_object(&d, k->status, st, k->status_type);
		json_object_set_new(out, "status", ordered_object(k->status, st));
		json_decref(st);
	}
	return out;
}

json_t *res_list_ordered(const struct kind_desc *k, const json_t *items, const char *revision)
{
	json_t *out = json_object(), *arr = json_array(), *meta = json_object();

	json_object_set_new(out, "kind", json_string(k->list_name));
	json_object_set_new(out, "apiVersion", json_string(RES_API_VERSION));
	if (revision && revision[0])
		json_object_set_new(meta, "resourceVersion", json_string(revision));
	json_object_set_new(out, "metadata", meta);
	for (size_t i = 0; i < json_array_size(items); i++)
		json_array_append_new(arr, res_ordered(k, json_array_get(items, i)));
	json_object_set_new(out, "items", arr);
	return out;
}

const char *const *kind_columns(const struct kind_desc *k, bool wide)
{
	return wide ? k->wide_columns : k->columns;
}

bool kind_has_column(const struct kind_desc *k, const char *heading)
{
	for (size_t i = 0; k->columns[i]; i++)
		if (strcmp(k->columns[i], heading) == 0)
			return true;
	for (size_t i = 0; k->wide_columns[i]; i++)
		if (strcmp(k->wide_columns[i], heading) == 0)
			return true;
	return false;
}

char *res_cell(const struct kind_desc *k, const json_t *obj, const char *column, const struct res_print_ctx *ctx)
{
	static const struct res_print_ctx dflt = {.global_asn = NULL};

	if (!kind_has_column(k, column))
		return NULL;
	if (strcmp(column, "NAME") == 0)
		return xstrdup(res_name(obj));
	return k->cell(obj, column, ctx ? ctx : &dflt);
}
