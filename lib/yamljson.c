/* YAML/JSON text -> jansson, read the way calicoctl reads manifests:
 * documents split at "\n---" lines (util/yaml/separator.go), each parsed
 * by go-yaml v2 and converted to JSON by sigs.k8s.io/yaml. libyaml is the
 * C original go-yaml was ported from, so its events, problems and marks
 * are the ones go-yaml reports. */
#include "lib/yamljson.h"
#include "lib/yamlscalar.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Nesting deeper than this is refused instead of recursing further. */
#define LOAD_MAX_DEPTH 1000
/* Values created through alias expansion before we call it a bomb. */
#define LOAD_MAX_ALIAS_NODES 4000000

#define YAML_PREFIX "error converting YAML to JSON: yaml: "

struct anchor {
	char *name;
	json_t *value;
	size_t nodes;
};

struct loader {
	yaml_parser_t parser;
	int line_off; /* lines of the file before this document */
	struct anchor *anchors;
	size_t nanchors, cap;
	size_t alias_nodes;
	struct err *e;
};

static int load_node(struct loader *l, yaml_event_t *ev, int depth, json_t **out);

/* go-yaml v2's parser.fail(): the problem line (+1 for scanner errors,
 * whose marks are 0-based), else the context line; nothing when 0. */
static int parser_fail(struct loader *l)
{
	yaml_parser_t *p = &l->parser;
	size_t line = 0;
	const char *msg = p->problem ? p->problem : "unknown problem parsing YAML content";

	if (p->error == YAML_MEMORY_ERROR)
		return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
	if (p->problem_mark.line != 0) {
		line = p->problem_mark.line;
		if (p->error == YAML_SCANNER_ERROR)
			line++;
	} else if (p->context_mark.line != 0) {
		line = p->context_mark.line;
	}
	if (line == 0)
		return err_set(l->e, -EINVAL, YAML_PREFIX "%s", msg);
	return err_set(l->e, -EINVAL, YAML_PREFIX "line %zu: %s", line + (size_t)l->line_off, msg);
}

static int next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return parser_fail(l);
	return 0;
}

static size_t count_nodes(const json_t *v)
{
	size_t n = 1;
	const char *k;
	json_t *c;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c) n += count_nodes(c);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) n += count_nodes(c);
	}
	return n;
}

static int remember_anchor(struct loader *l, const yaml_char_t *name, json_t *v)
{
	struct anchor *a;

	if (!name)
		return 0;
	/* A redefined anchor replaces the old one for later aliases. */
	for (size_t i = 0; i < l->nanchors; i++) {
		if (strcmp(l->anchors[i].name, (const char *)name) == 0) {
			json_decref(l->anchors[i].value);
			l->anchors[i].value = json_incref(v);
			l->anchors[i].nodes = count_nodes(v);
			return 0;
		}
	}
	if (l->nanchors == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		a = realloc(l->anchors, cap * sizeof(*a));
		if (!a)
			return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
		l->anchors = a;
		l->cap = cap;
	}
	a = &l->anchors[l->nanchors];
	a->name = strdup((const char *)name);
	if (!a->name)
		return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
	a->value = json_incref(v);
	a->nodes = count_nodes(v);
	l->nanchors++;
	return 0;
}

static int load_alias(struct loader *l, const yaml_event_t *ev, json_t **out)
{
	const char *name = (const char *)ev->data.alias.anchor;

	for (size_t i = l->nanchors; i-- > 0;) {
		if (strcmp(l->anchors[i].name, name) != 0)
			continue;
		l->alias_nodes += l->anchors[i].nodes;
		if (l->alias_nodes > LOAD_MAX_ALIAS_NODES)
			return err_set(l->e, -EINVAL,
				       YAML_PREFIX "document contains excessive aliasing");
		/* A copy, so that editing one occurrence later (defaults,
		 * patches) does not change the others. */
		*out = json_deep_copy(l->anchors[i].value);
		return *out ? 0 : err_set(l->e, -ENOMEM, "out of memory parsing YAML");
	}
	return err_set(l->e, -EINVAL, YAML_PREFIX "unknown anchor '%s' referenced", name);
}

static int scalar_error(struct loader *l, int rc, const char *value)
{
	/* Go's names for the values JSON cannot hold. */
	if (rc == -ERANGE)
		return err_set(l->e, -EINVAL,
			       "error converting YAML to JSON: json: unsupported value: %s",
			       strpbrk(value, "aA") ? "NaN"
			       : value[0] == '-'    ? "-Inf"
						    : "+Inf");
	return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
}

static int load_scalar(struct loader *l, const yaml_event_t *ev, json_t **out)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	bool plain =
	    ev->data.scalar.plain_implicit && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	int rc;

	/* go-yaml: an untagged non-plain scalar is a string; a tagged one is
	 * resolved unless the tag is !!str or a tag it does not know. */
	if (!tag && !plain)
		*out = json_stringn(value, len);
	else if (tag && !yscalar_resolvable_tag(tag))
		*out = json_stringn(value, len);
	else if ((rc = yscalar_to_json(value, len, out)) < 0)
		return scalar_error(l, rc, value);
	return *out ? 0 : err_set(l->e, -ENOMEM, "out of memory parsing YAML");
}

/* sigs.k8s.io/yaml turns non-string keys into their text form. */
static int key_string(struct loader *l, json_t *k, size_t line, char **out)
{
	char buf[64];

	if (json_is_string(k)) {
		*out = strdup(json_string_value(k));
	} else if (json_is_integer(k)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(k));
		*out = strdup(buf);
	} else if (json_is_real(k)) {
		yscalar_format_number(json_real_value(k), buf);
		*out = strdup(buf);
	} else if (json_is_boolean(k)) {
		*out = strdup(json_is_true(k) ? "true" : "false");
	} else if (json_is_null(k)) {
		*out = strdup("null");
	} else {
		return err_set(
		    l->e, -EINVAL,
		    "error converting YAML to JSON: yaml: line %zu: mapping key is not a scalar",
		    line);
	}
	return *out ? 0 : err_set(l->e, -ENOMEM, "out of memory parsing YAML");
}

static int load_mapping(struct loader *l, int depth, json_t **out)
{
	json_t *map = json_object();
	yaml_event_t ev;
	int rc;

	if (!map)
		return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
	for (;;) {
		json_t *k = NULL, *v = NULL;
		char *ks = NULL;
		size_t key_line;

		if ((rc = next_event(l, &ev)) < 0)
			break;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			*out = map;
			return 0;
		}
		key_line = ev.start_mark.line + 1 + (size_t)l->line_off;
		rc = load_node(l, &ev, depth + 1, &k);
		if (rc == 0)
			rc = key_string(l, k, key_line, &ks);
		json_decref(k);
		if (rc < 0)
			break;
		if ((rc = next_event(l, &ev)) < 0 || (rc = load_node(l, &ev, depth + 1, &v)) < 0) {
			free(ks);
			break;
		}
		/* calicoctl decodes strictly, and go-yaml's strict mode
		 * refuses a key given twice in one mapping. */
		if (json_object_get(map, ks)) {
			rc = err_set(l->e, -EINVAL,
				     "error converting YAML to JSON: yaml: unmarshal errors:\n"
				     "  line %zu: key \"%s\" already set in map",
				     key_line, ks);
			json_decref(v);
			free(ks);
			break;
		}
		rc = json_object_set_new(map, ks, v);
		free(ks);
		if (rc < 0) {
			rc = err_set(l->e, -ENOMEM, "out of memory parsing YAML");
			break;
		}
	}
	json_decref(map);
	return rc;
}

static int load_sequence(struct loader *l, int depth, json_t **out)
{
	json_t *seq = json_array();
	yaml_event_t ev;
	int rc;

	if (!seq)
		return err_set(l->e, -ENOMEM, "out of memory parsing YAML");
	for (;;) {
		json_t *v = NULL;

		if ((rc = next_event(l, &ev)) < 0)
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			*out = seq;
			return 0;
		}
		if ((rc = load_node(l, &ev, depth + 1, &v)) < 0)
			break;
		if (json_array_append_new(seq, v) < 0) {
			rc = err_set(l->e, -ENOMEM, "out of memory parsing YAML");
			break;
		}
	}
	json_decref(seq);
	return rc;
}

/* Builds the node that starts with *ev (consumed). */
static int load_node(struct loader *l, yaml_event_t *ev, int depth, json_t **out)
{
	const yaml_char_t *anchor = NULL;
	int rc;

	*out = NULL;
	if (depth > LOAD_MAX_DEPTH) {
		rc = err_set(l->e, -EINVAL, YAML_PREFIX "line %zu: exceeded max depth of %d",
			     ev->start_mark.line + 1 + (size_t)l->line_off, LOAD_MAX_DEPTH);
		yaml_event_delete(ev);
		return rc;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		rc = load_scalar(l, ev, out);
		break;
	case YAML_ALIAS_EVENT:
		rc = load_alias(l, ev, out);
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		rc = load_mapping(l, depth, out);
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		rc = load_sequence(l, depth, out);
		break;
	default:
		rc = err_set(l->e, -EINVAL, YAML_PREFIX "unexpected YAML event %d", (int)ev->type);
		break;
	}
	if (rc == 0)
		rc = remember_anchor(l, anchor, *out);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
	}
	yaml_event_delete(ev);
	return rc;
}

int yaml_load_one(const char *buf, size_t len, int first_line, json_t **doc, struct err *e)
{
	struct loader l = {.line_off = first_line > 0 ? first_line - 1 : 0, .e = e};
	yaml_event_t ev;
	int rc;

	*doc = NULL;
	if (!yaml_parser_initialize(&l.parser))
		return err_set(e, -ENOMEM, "out of memory parsing YAML");
	/* The encoding is detected as go-yaml does (UTF-8 unless a UTF-16
	 * byte order mark says otherwise). */
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)buf, len);

	/* Only the first document counts, as in go-yaml's Unmarshal. */
	rc = next_event(&l, &ev); /* STREAM-START */
	if (rc == 0) {
		yaml_event_delete(&ev);
		rc = next_event(&l, &ev);
	}
	if (rc == 0 && ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		*doc = json_null();
	} else if (rc == 0) {
		yaml_event_delete(&ev); /* DOCUMENT-START */
		rc = next_event(&l, &ev);
		if (rc == 0)
			rc = load_node(&l, &ev, 0, doc);
		if (rc == 0) {
			rc = next_event(&l,
					&ev); /* DOCUMENT-END, or a syntax error after the node */
			if (rc == 0)
				yaml_event_delete(&ev);
		}
	}
	for (size_t i = 0; i < l.nanchors; i++) {
		free(l.anchors[i].name);
		json_decref(l.anchors[i].value);
	}
	free(l.anchors);
	yaml_parser_delete(&l.parser);
	if (rc < 0) {
		json_decref(*doc);
		*doc = NULL;
	}
	return rc;
}

/* calicoctl's splitYAMLDocument: a separator is "\n---" anywhere; the rest
 * of that line is dropped. Returns the length of the document starting at
 * buf and sets *next to where the following one starts (len if none). */
static size_t next_document(const char *buf, size_t len, size_t *next)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		const char *eol;

		if (buf[i] != '\n' || memcmp(buf + i + 1, "---", 3) != 0)
			continue;
		eol = memchr(buf + i + 4, '\n', len - i - 4);
		*next = eol ? (size_t)(eol - buf) + 1 : len;
		return i;
	}
	*next = len;
	return len;
}

static int count_lines(const char *buf, size_t len)
{
	int n = 0;

	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		n++;
	return n;
}

int yaml_load(const char *buf, size_t len, const char *source, json_t **docs, struct err *e)
{
	json_t *all = json_array();
	size_t off = 0;
	int line = 1;

	(void)source;
	*docs = NULL;
	if (!all)
		return err_set(e, -ENOMEM, "out of memory parsing YAML");
	while (off < len) {
		size_t next, n = next_document(buf + off, len - off, &next);
		json_t *doc;
		int rc;

		if (n > YAML_MAX_DOCUMENT) {
			json_decref(all);
			return err_set(e, -EFBIG, "bufio.Scanner: token too long");
		}
		rc = yaml_load_one(buf + off, n, line, &doc, e);
		if (rc < 0) {
			json_decref(all);
			return rc;
		}
		if (json_is_null(doc))
			json_decref(doc);
		else if (json_array_append_new(all, doc) < 0) {
			json_decref(all);
			return err_set(e, -ENOMEM, "out of memory parsing YAML");
		}
		line += count_lines(buf + off, next);
		off += next;
	}
	*docs = all;
	return 0;
}
