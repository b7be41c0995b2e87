/* Manifest input for -f, following calicoctl's file.Iter (directory walk)
 * and resourcemgr.CreateResourcesFromFile (documents, arrays, lists). */
#include "lib/input.h"
#include "lib/resource.h"
#include "lib/yamljson.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define API_VERSION RES_API_VERSION

/* Go's error strings are strerror() in lower case ("no such file or
 * directory", "permission denied", "is a directory"). */
static int os_error(struct err *e, int errnum, const char *op, const char *path)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s", strerror(errnum));
	msg[0] = (char)tolower((unsigned char)msg[0]);
	return err_set(e, -errnum, "%s %s: %s", op, path, msg);
}

static int read_fd(int fd, const char *name, char **buf, size_t *len, struct err *e)
{
	size_t cap = 65536, n = 0;
	char *p = malloc(cap);

	if (!p)
		return err_set(e, -ENOMEM, "out of memory reading %s", name);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *q = realloc(p, cap * 2);

			if (!q) {
				free(p);
				return err_set(e, -ENOMEM, "out of memory reading %s", name);
			}
			p = q;
			cap *= 2;
		}
		r = read(fd, p + n, cap - n);
		if (r == 0)
			break;
		if (r < 0) {
			int errnum = errno;

			if (errnum == EINTR)
				continue;
			free(p);
			return os_error(e, errnum, "read", name);
		}
		n += (size_t)r;
	}
	*buf = p;
	*len = n;
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len, struct err *e)
{
	int fd, rc;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "-", buf, len, e);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return os_error(e, errno, "open", path);
	rc = read_fd(fd, path, buf, len, e);
	close(fd);
	return rc;
}

static const char *go_type_name(const json_t *v)
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
	default:
		return "object";
	}
}

static int append(json_t *out, json_t *obj, struct err *e)
{
	if (json_array_append(out, obj) < 0)
		return err_set(e, -ENOMEM, "out of memory reading resources");
	return 0;
}

/* A typed list is a known kind's "<Kind>List" in our API group. The
 * generic Kubernetes "List" and unknown "FooList"s are not: they stay
 * objects, and the kind check rejects them as calicoctl does ("unknown
 * resource type (List) and/or version (v1)"). */
static const struct kind_desc *typed_list_kind(const json_t *obj)
{
	const char *kind = json_string_value(json_object_get(obj, "kind"));
	const char *api = json_string_value(json_object_get(obj, "apiVersion"));

	if (!kind || !api || strcmp(api, API_VERSION) != 0)
		return NULL;
	return kind_by_list_name(kind);
}

static int add_list(json_t *out, json_t *list, const struct kind_desc *k, struct err *e)
{
	const char *kind = kind_list_name(k), *item_kind = kind_name(k);
	json_t *items = json_object_get(list, "items");
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(list, key, v)
	{
		if (strcmp(key, "kind") && strcmp(key, "apiVersion") && strcmp(key, "metadata") &&
		    strcmp(key, "items"))
			return err_set(
			    e, -EINVAL,
			    "field in document is not recognized or is in the wrong location: %s",
			    key);
	}
	if (!items || json_is_null(items))
		return 0;
	if (!json_is_array(items))
		return err_set(e, -EINVAL,
			       "error unmarshaling JSON: while decoding JSON: json: cannot "
			       "unmarshal %s into Go "
			       "struct field %s.items of type []v3.%s",
			       go_type_name(items), kind, item_kind);
	json_array_foreach(items, i, v)
	{
		int rc;

		if (!json_is_object(v))
			return err_set(e, -EINVAL,
				       "error unmarshaling JSON: while decoding JSON: json: cannot "
				       "unmarshal %s "
				       "into Go struct field %s.items of type v3.%s",
				       go_type_name(v), kind, item_kind);
		/* Items printed by get -o yaml carry their kind; bare items
		 * take the list's, as the list type decides theirs in Go. */
		if (!json_object_get(v, "kind")) {
			if (json_object_set_new(v, "kind", json_string(item_kind)) < 0 ||
			    json_object_set_new(v, "apiVersion", json_string(API_VERSION)) < 0)
				return err_set(e, -ENOMEM, "out of memory reading resources");
		}
		if ((rc = append(out, v, e)) < 0)
			return rc;
	}
	return 0;
}

static int add_object(json_t *out, json_t *obj, struct err *e)
{
	const struct kind_desc *k = typed_list_kind(obj);

	if (k)
		return add_list(out, obj, k, e);
	return append(out, obj, e);
}

static int add_document(json_t *out, json_t *doc, struct err *e)
{
	json_t *v;
	size_t i;
	int rc;

	if (json_is_object(doc))
		return add_object(out, doc, e);
	if (!json_is_array(doc))
		return err_set(e, -EINVAL,
			       "error unmarshaling JSON: while decoding JSON: json: cannot "
			       "unmarshal %s into Go "
			       "value of type []unstructured.Unstructured",
			       go_type_name(doc));
	json_array_foreach(doc, i, v)
	{
		if (!json_is_object(v))
			return err_set(e, -EINVAL,
				       "error unmarshaling JSON: while decoding JSON: json: cannot "
				       "unmarshal %s "
				       "into Go value of type map[string]interface {}",
				       go_type_name(v));
		if ((rc = add_object(out, v, e)) < 0)
			return rc;
	}
	return 0;
}

int input_parse(const char *buf, size_t len, const char *name, json_t **resources, struct err *e)
{
	json_t *docs, *out, *doc;
	size_t i;
	int rc;

	*resources = NULL;
	if ((rc = yaml_load(buf, len, name, &docs, e)) < 0)
		return rc;
	out = json_array();
	if (!out) {
		json_decref(docs);
		return err_set(e, -ENOMEM, "out of memory reading resources");
	}
	json_array_foreach(docs, i, doc)
	{
		if ((rc = add_document(out, doc, e)) < 0) {
			json_decref(docs);
			json_decref(out);
			return rc;
		}
	}
	json_decref(docs);
	*resources = out;
	return 0;
}

static int read_manifest(const char *path, unsigned flags, json_t *out, struct err *e)
{
	json_t *res;
	char *buf;
	size_t len;
	int rc;

	if ((rc = read_file(path, &buf, &len, e)) < 0)
		return rc;
	rc = input_parse(buf, len, path, &res, e);
	free(buf);
	if (rc < 0)
		return rc;
	if (json_array_size(res) == 0 && !(flags & INPUT_SKIP_EMPTY)) {
		json_decref(res);
		return err_set(e, -ENODATA, "no resources specified in file %s", path);
	}
	rc = json_array_extend(out, res) < 0
		 ? err_set(e, -ENOMEM, "out of memory reading resources")
		 : 0;
	json_decref(res);
	return rc;
}

static bool is_manifest_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0 ||
		       strcasecmp(dot, ".json") == 0);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* filepath.Join: the directory without trailing slashes, then the name. */
static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *p;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	while (n > 2 && dir[0] == '.' && dir[1] == '/') {
		dir += 2;
		n -= 2;
	}
	if (asprintf(&p, "%.*s%s%s", (int)n, dir, n == 1 && dir[0] == '/' ? "" : "/", name) < 0)
		return NULL;
	return p;
}

/* Go's filepath.Walk: entries in lexical order, each directory's contents
 * visited where the directory sorts. */
static int walk_dir(const char *dir, unsigned flags, json_t *out, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!d)
		return os_error(e, errno, "open", dir);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap ? cap * 2 : 16) * sizeof(*names));

			if (!p) {
				rc = err_set(e, -ENOMEM, "out of memory reading %s", dir);
				break;
			}
			names = p;
			cap = cap ? cap * 2 : 16;
		}
		if (!(names[n] = strdup(de->d_name))) {
			rc = err_set(e, -ENOMEM, "out of memory reading %s", dir);
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0) /* qsort(NULL, 0) is undefined behaviour */
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *path = join_path(dir, names[i]);
		struct stat st;

		if (!path) {
			rc = err_set(e, -ENOMEM, "out of memory reading %s", dir);
			break;
		}
		if (lstat(path, &st) < 0)
			rc = os_error(e, errno, "lstat", path);
		else if (S_ISDIR(st.st_mode))
			rc = (flags & INPUT_RECURSIVE) ? walk_dir(path, flags, out, e) : 0;
		else if (is_manifest_name(names[i]))
			rc = read_manifest(path, flags, out, e);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int input_read_flags(const char *path, unsigned flags, json_t **resources, struct err *e)
{
	json_t *out = json_array();
	struct stat st;
	bool dir;
	int rc;

	*resources = NULL;
	if (!out)
		return err_set(e, -ENOMEM, "out of memory reading resources");
	dir = strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	rc = dir ? walk_dir(path, flags, out, e) : read_manifest(path, flags, out, e);
	if (rc == 0 && dir && json_array_size(out) == 0 && !(flags & INPUT_SKIP_EMPTY))
		rc = err_set(e, -ENODATA, "no resources specified in directory %s", path);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	*resources = out;
	return 0;
}

int input_read(const char *path, bool recursive, json_t **resources, struct err *e)
{
	return input_read_flags(path, recursive ? INPUT_RECURSIVE : 0, resources, e);
}
