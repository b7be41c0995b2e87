/* The validation pipeline of resources.md §5.2: client checks, the Go
 * validator (metadata, field tags, struct-level rules), the v3.32 CRD layer,
 * and calicoctl's rendering of the error list (§5.1). */
#include "lib/resource.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scalar.h"
#include "lib/schema.h"
#include "lib/selector.h"

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
	verrs_addf(l, go_field, value, "Reason: failed to validate Field: %s because of Tag: %s ",
		   go_field, tag);
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
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\"%s\"", i ? ", " : "",
					 values[i]);
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

		if ((f->flags & F_TAGEMPTY) && (!v || json_is_string(v)) &&
		    !f->check(v ? json_string_value(v) : "")) {
			verrs_tag(errs, f->go, v ? json_string_value(v) : "", f->tag);
			continue;
		}
		if (!v || json_is_null(v) || (f->type == FT_STRING && json_string_length(v) == 0)) {
			/* required: the zero value as Go's %v prints it */
			if (f->flags & F_REQ)
				verrs_tag(errs, f->go,
					  f->type == FT_LIST	 ? "[]"
					  : f->type == FT_STRING ? ""
					  : (f->flags & F_PTR)	 ? "<nil>"
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
				} else if (f->tag && json_is_string(item) &&
					   !f->check(json_string_value(item))) {
					char *name = xasprintf("%s[%zu]", f->go, i);

					verrs_tag(errs, name, json_string_value(item), f->tag);
					free(name);
				}
			}
		} else if (f->tag && json_is_string(v) && json_string_length(v) > 0 &&
			   !f->check(json_string_value(v))) {
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

			if (f->maxitems && json_array_size(v) > f->maxitems)
				verrs_addf(errs, path, NULL, "must have at most %zu items", f->maxitems);

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
		verrs_addf(errs, "Metadata.Name", name, "name is too long by %zu bytes",
			   strlen(name) - 253);
	if (!name_valid(name))
		verrs_add(
		    errs, "Metadata.Name", name,
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

		verrs_addf(errs, "Metadata.Annotations (key)", v,
			   "total size of annotations is too large by %lld bytes",
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
				verrs_add(errs, "Metadata.Labels (value)", json_string_value(val),
					  r);
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
		verrs_add(errs, "Metadata.ResourceVersion", rv,
			  "field must not be set for a Create request");
	if (!js_or(meta, "name", "")[0]) {
		if (js_or(meta, "generateName", "")[0])
			verrs_add(errs, "Metadata.Name", "",
				  "field must be set for a Create request (GenerateName is not "
				  "supported)");
		else
			verrs_add(errs, "Metadata.Name", "",
				  "field must be set for a Create request");
	}
}

int res_validate(const struct kind_desc *k, json_t *obj, enum res_op op,
		 const struct res_validate_ctx *ctx, struct err *e)
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
