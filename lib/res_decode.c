/* Strict decoding of a resource into its canonical JSON form, as
 * calicoctl's YAML/JSON decoding into the Go structs and marshalling back
 * would produce it (resources.md §1.5). */
#include "lib/gofmt.h"
#include "lib/resource.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/scalar.h"
#include "lib/schema.h"

/* ---- decoding ---- */

struct dctx {
	struct err *e;
	char path[512]; /* JSON path from the root, e.g. "spec.asNumber" */
};

#define DECODE_PREFIX "error unmarshaling JSON: while decoding JSON: "

static int type_error(struct dctx *d, const char *value, const char *strct, const char *gotype)
{
	return err_set(d->e, -EINVAL,
		       DECODE_PREFIX
		       "json: cannot unmarshal %s into Go struct field %s.%s of type %s",
		       value, strct, d->path, gotype);
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
			rc = err_set(
			    d->e, -EBADMSG,
			    "field in document is not recognized or is in the wrong location: %s",
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
		if (!v ||
		    (!(f->flags & (F_PTR | F_STRUCT | F_ZERO)) && f->type != FT_OBJECT &&
		     is_zero(v)) ||
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

				snprintf(d->path + base, sizeof(d->path) - base, "%s%s",
					 base ? "." : "", f->json);
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
		s = json_number_text(v);
	else if (json_is_boolean(v))
		s = xstrdup(json_is_true(v) ? "true" : "false");
	else
		return type_error(d, go_json_type_name(v), strct, f->gotype);
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
		return type_error(d, go_json_type_name(v), strct, "string");
	if (asn_parse(json_string_value(v), &asn))
		return err_set(d->e, -EINVAL, DECODE_PREFIX "invalid AS Number format (%s)",
			       json_string_value(v));
	json_decref(v);
	*vp = json_integer(asn);
	return 0;
}

static int decode_duration(struct dctx *d, json_t **vp, const char *strct)
{
	char msg[256], buf[64];
	int64_t ns;

	if (!json_is_string(*vp))
		return type_error(d, go_json_type_name(*vp), strct, "string");
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
		return type_error(d, go_json_type_name(*vp), strct, "string");
	s = json_string_value(*vp);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
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

		if (sscanf(p, "%c%2d:%2d%n", &sign, &hh, &mm, &n) != 3 || p[n] != '\0' ||
		    (sign != '+' && sign != '-'))
			goto bad;
		off = (hh * 60 + mm) * 60 * (sign == '-' ? -1 : 1);
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
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
	return err_set(
	    d->e, -EINVAL,
	    DECODE_PREFIX
	    "parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"%s\" as \"2006\"",
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
		return json_is_boolean(v) ? 0 : type_error(d, go_json_type_name(v), strct, "bool");
	case FT_INT:
		if (json_is_integer(v) && json_integer_value(v) >= f->min &&
		    json_integer_value(v) <= f->max)
			return 0;
		if (json_is_number(v)) {
			char *n = json_number_text(v), *w = xasprintf("number %s", n);

			rc = type_error(d, w, strct, f->gotype);
			free(n);
			free(w);
			return rc;
		}
		return type_error(d, go_json_type_name(v), strct, f->gotype);
	case FT_ASN:
		return decode_asn(d, vp, strct);
	case FT_DURATION:
		return decode_duration(d, vp, strct);
	case FT_TIME:
		return decode_time(d, vp, strct);
	case FT_OBJECT:
		if (!json_is_object(v))
			return type_error(d, go_json_type_name(v), strct, f->gotype);
		return decode_object(d, f->sub, v, f->gotype);
	case FT_MAP: {
		const char *key;
		json_t *val;

		if (!json_is_object(v))
			return type_error(d, go_json_type_name(v), strct, f->gotype);
		json_object_foreach(v, key, val)
		{
			json_t *nv = json_incref(val);
			static const struct field elem = {
			    .json = "", .type = FT_STRING, .gotype = "string"};

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
			return type_error(d, go_json_type_name(v), strct, f->gotype);
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
				item = f->sub->type == FT_OBJECT   ? json_object()
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
		return err_set(e, -EINVAL,
			       DECODE_PREFIX
			       "json: cannot unmarshal %s into Go value of type v3.%s",
			       go_json_type_name(obj), k->name);
	schema_top_fields(k, top);
	return decode_object(&d, top, obj, k->name);
}

void schema_fill_structs(const struct field *fields, json_t *obj, const char *type)
{
	struct dctx d = {0};

	decode_object(&d, fields, obj, type);
}
