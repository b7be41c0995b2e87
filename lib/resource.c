/* The resource model's front door: the kind registry and its accessors,
 * small JSON helpers shared by the kinds, and output (Go-order JSON, table
 * cells). Decoding is in res_decode.c, validation in validate.c. */
#include "lib/resource.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/schema.h"

static const struct kind_desc *const kinds[] = {
    &kind_bgpconfig, &kind_bgppeer, &kind_nodestatus, &kind_clusterinfo, &kind_ippool,
    &kind_node,	     NULL,
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
		return err_set(e, -EINVAL, "unknown resource type (%s) and/or version (%s)",
			       kind ? kind : "", api ? api : "");
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

static const struct field f_string_elem[] = {
    {.json = "", .go = "", .type = FT_STRING, .gotype = "string"}};

/* clang-format off */
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
/* clang-format on */

/* The top level of a kind, built on the fly from its descriptor. */
void schema_top_fields(const struct kind_desc *k, struct field top[6])
{
	memset(top, 0, 6 * sizeof(top[0]));
	top[0] =
	    (struct field){.json = "kind", .go = "Kind", .type = FT_STRING, .gotype = "string"};
	top[1] = (struct field){
	    .json = "apiVersion", .go = "APIVersion", .type = FT_STRING, .gotype = "string"};
	top[2] = (struct field){.json = "metadata",
				.go = "ObjectMeta",
				.type = FT_OBJECT,
				.flags = F_STRUCT,
				.gotype = "ObjectMeta",
				.sub = meta_fields};
	top[3] = (struct field){.json = "spec",
				.go = "Spec",
				.type = FT_OBJECT,
				.flags = F_STRUCT,
				.gotype = k->spec_type,
				.sub = k->spec};
	if (k->status)
		top[4] = (struct field){.json = "status",
					.go = "Status",
					.type = FT_OBJECT,
					.flags = k->status_always ? F_STRUCT : 0,
					.gotype = k->status_type,
					.sub = k->status};
}

/* A JSON number as text: integers exactly, reals in the shortest form that
 * reads back to the same double (as Go's strconv 'g', -1 does). */
char *json_number_text(const json_t *v)
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
		piece = json_number_text(v);
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
				json_array_append_new(
				    arr, ordered_object(f->sub->sub, json_array_get(v, i)));
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

	schema_top_fields(k, top);
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
			if (!placed && strcmp(key, "labels") != 0 &&
			    strcmp(key, "annotations") != 0 &&
			    strcmp(key, "deletionTimestamp") != 0 &&
			    strcmp(key, "deletionGracePeriodSeconds") != 0 &&
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

		schema_fill_structs(k->status, st, k->status_type);
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

json_t *res_list(const struct kind_desc *k, json_t *items, const char *revision)
{
	json_t *out = json_object(), *meta = json_object();

	if (!out || !meta) {
		json_decref(out);
		json_decref(meta);
		return NULL;
	}
	json_object_set_new(out, "kind", json_string(k->list_name));
	json_object_set_new(out, "apiVersion", json_string(RES_API_VERSION));
	if (revision && revision[0])
		json_object_set_new(meta, "resourceVersion", json_string(revision));
	json_object_set_new(out, "metadata", meta);
	json_object_set_new(out, "items", items ? json_incref(items) : json_array());
	return out;
}

/* ---- Go-order view (schema.h) ----
 * The same order as res_ordered, computed per object from ranks instead of
 * by building a copy: a known key ranks by its schema index, an unknown key
 * after all known ones in stored order, and the members res_ordered adds
 * (metadata, spec, status when absent) come last, in that order. */

#define RANK_VIRTUAL (UINT_MAX - 8)

static struct go_node plain(const json_t *v)
{
	return (struct go_node){.v = v, .shape = GO_PLAIN};
}

/* The node res_ordered makes of a field's value. */
static struct go_node field_node(const struct field *f, const json_t *v)
{
	if (f && f->type == FT_OBJECT && json_is_object(v))
		return (struct go_node){.v = v, .shape = GO_STRUCT, .fields = f->sub};
	if (f && f->type == FT_MAP && json_is_object(v))
		return (struct go_node){.v = v, .shape = GO_MAP};
	if (f && f->type == FT_LIST && json_is_array(v) && f->sub->type == FT_OBJECT)
		return (struct go_node){.v = v, .shape = GO_STRUCT_LIST, .fields = f->sub->sub};
	return plain(v);
}

struct go_node go_classify(const json_t *v)
{
	const char *kind = js(v, "kind");
	const struct kind_desc *k;

	if (json_is_array(v))
		return (struct go_node){.v = v, .shape = GO_RESULTS};
	if (kind && (k = kind_by_name(kind)))
		return (struct go_node){.v = v, .shape = GO_RESOURCE, .k = k};
	if (kind && (k = kind_by_list_name(kind)))
		return (struct go_node){.v = v, .shape = GO_LIST, .k = k};
	return plain(v);
}

size_t go_size(const struct go_node *n)
{
	return json_array_size(n->v);
}

struct go_node go_elem(const struct go_node *n, size_t i)
{
	const json_t *v = json_array_get(n->v, i);

	switch (n->shape) {
	case GO_RESULTS:
		return go_classify(v);
	case GO_ITEMS:
		return (struct go_node){.v = v, .shape = GO_RESOURCE, .k = n->k};
	case GO_STRUCT_LIST:
		return (struct go_node){.v = v, .shape = GO_STRUCT, .fields = n->fields};
	default:
		return plain(v);
	}
}

/* Index of key in fields, searching from *cursor on (stored objects are
 * usually in schema order, so the next key is usually the next field). */
static const struct field *find_field(const struct field *fields, size_t nfields, size_t *cursor,
				      const char *key, unsigned *rank)
{
	for (size_t step = 0, i = *cursor; step < nfields; step++, i++) {
		if (i == nfields)
			i = 0;
		if (fields[i].json[0] == key[0] && strcmp(fields[i].json, key) == 0) {
			*cursor = i + 1;
			*rank = (unsigned)i;
			return &fields[i];
		}
	}
	return NULL;
}

static size_t count_fields(const struct field *fields)
{
	size_t n = 0;

	while (fields && fields[n].json)
		n++;
	return n;
}

/* A member array: buf while it fits, then the heap. */
struct members {
	struct go_member *m;
	size_t n, cap;
	bool heap, failed;
};

static void add_member(struct members *ms, const char *key, struct go_node node, unsigned rank)
{
	if (ms->failed)
		return;
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		struct go_member *m = ms->heap ? realloc(ms->m, cap * sizeof(*m))
					       : malloc(cap * sizeof(*m));

		if (!m) {
			ms->failed = true;
			return;
		}
		if (!ms->heap && ms->n)
			memcpy(m, ms->m, ms->n * sizeof(*m));
		ms->m = m;
		ms->cap = cap;
		ms->heap = true;
	}
	ms->m[ms->n++] = (struct go_member){.key = key, .node = node, .rank = rank};
}

/* Stable insertion sort by rank: objects have a handful of members. */
static void sort_by_rank(struct go_member *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct go_member t = m[i];
		size_t j = i;

		for (; j > 0 && m[j - 1].rank > t.rank; j--)
			m[j] = m[j - 1];
		m[j] = t;
	}
}

/* Stored members of a struct, ranked by fields. Returns the largest known
 * rank seen (or -1). */
static long struct_members(struct members *ms, const struct field *fields, const json_t *obj)
{
	size_t nfields = count_fields(fields), cursor = 0;
	unsigned extra = (unsigned)nfields;
	long max_known = -1;
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)obj, key, val)
	{
		unsigned rank;
		const struct field *f = find_field(fields, nfields, &cursor, key, &rank);

		if (f) {
			if ((long)rank > max_known)
				max_known = (long)rank;
			add_member(ms, key, field_node(f, val), rank);
		} else {
			add_member(ms, key, plain(val), extra++);
		}
	}
	return max_known;
}

/* The filled status res_ordered adds when a status_always kind has none,
 * built once per kind and kept for the life of the process. */
static const json_t *default_status(const struct kind_desc *k)
{
	static json_t *cache[sizeof(kinds) / sizeof(kinds[0])];

	for (size_t i = 0; kinds[i]; i++) {
		if (kinds[i] != k)
			continue;
		if (!cache[i]) {
			cache[i] = json_object();
			if (cache[i])
				schema_fill_structs(k->status, cache[i], k->status_type);
		}
		return cache[i];
	}
	return NULL;
}

static void resource_members(struct members *ms, const struct kind_desc *k, const json_t *obj)
{
	struct field top[6];
	bool has_meta = false, has_spec = false, has_status = false;
	unsigned extra = 5;
	const char *key;
	json_t *val;

	schema_top_fields(k, top);
	json_object_foreach((json_t *)obj, key, val)
	{
		unsigned rank = 0;

		while (top[rank].json && (top[rank].json[0] != key[0] || strcmp(top[rank].json, key) != 0))
			rank++;
		if (!top[rank].json) {
			add_member(ms, key, plain(val), extra++);
		} else if (rank == 2) {
			has_meta = true;
			add_member(ms, key, (struct go_node){.v = val, .shape = GO_META}, rank);
		} else {
			has_spec |= rank == 3;
			has_status |= rank == 4;
			add_member(ms, key, field_node(&top[rank], val), rank);
		}
	}
	if (!has_meta)
		add_member(ms, "metadata", (struct go_node){.v = NULL, .shape = GO_META},
			   RANK_VIRTUAL);
	if (!has_spec)
		add_member(ms, "spec", (struct go_node){.v = NULL, .shape = GO_STRUCT, .fields = k->spec},
			   RANK_VIRTUAL + 1);
	if (k->status_always && !has_status) {
		const json_t *st = default_status(k);

		add_member(ms, "status", (struct go_node){.v = st, .shape = GO_STRUCT, .fields = k->status},
			   RANK_VIRTUAL + 2);
	}
}

/* ObjectMeta. metav1.Time has no omitempty, so an absent creationTimestamp
 * prints null: res_ordered puts it before the first of the fields that
 * follow it in Go's struct, or last when none of them is present. */
static void meta_members(struct members *ms, const json_t *meta)
{
	long max_known = -1;
	size_t ts;

	for (ts = 0; strcmp(meta_fields[ts].json, "creationTimestamp") != 0; ts++)
		;
	if (json_is_object(meta)) {
		if (json_object_get(meta, "creationTimestamp")) {
			struct_members(ms, meta_fields, meta);
			return;
		}
		max_known = struct_members(ms, meta_fields, meta);
	}
	add_member(ms, "creationTimestamp", plain(json_null()),
		   max_known > (long)ts ? (unsigned)ts : RANK_VIRTUAL);
}

static int cmp_member_keys(const void *a, const void *b)
{
	return strcmp(((const struct go_member *)a)->key, ((const struct go_member *)b)->key);
}

size_t go_members(const struct go_node *n, struct go_member *buf, size_t cap,
		  struct go_member **out)
{
	struct members ms = {.m = buf, .cap = cap};
	unsigned i = 0;
	const char *key;
	json_t *val;

	switch (n->shape) {
	case GO_RESOURCE:
		resource_members(&ms, n->k, json_is_object(n->v) ? n->v : NULL);
		break;
	case GO_META:
		meta_members(&ms, n->v);
		break;
	case GO_STRUCT:
		if (json_is_object(n->v))
			struct_members(&ms, n->fields, n->v);
		break;
	case GO_LIST:
		json_object_foreach((json_t *)n->v, key, val)
		{
			struct go_node c = plain(val);

			if (strcmp(key, "items") == 0 && json_is_array(val))
				c = (struct go_node){.v = val, .shape = GO_ITEMS, .k = n->k};
			add_member(&ms, key, c, i++);
		}
		break;
	default: /* GO_MAP and plain objects: stored order (maps sorted below) */
		json_object_foreach((json_t *)n->v, key, val) add_member(&ms, key, plain(val), i++);
		break;
	}
	if (ms.failed) {
		if (ms.heap)
			free(ms.m);
		*out = buf;
		return (size_t)-1;
	}
	if (n->shape == GO_MAP)
		qsort(ms.m, ms.n, sizeof(*ms.m), cmp_member_keys); /* keys are unique */
	else
		sort_by_rank(ms.m, ms.n);
	*out = ms.m;
	return ms.n;
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

char *res_cell(const struct kind_desc *k, const json_t *obj, const char *column,
	       const struct res_print_ctx *ctx)
{
	static const struct res_print_ctx dflt = {.global_asn = NULL};

	if (!kind_has_column(k, column))
		return NULL;
	if (strcmp(column, "NAME") == 0)
		return xstrdup(res_name(obj));
	return k->cell(obj, column, ctx ? ctx : &dflt);
}
