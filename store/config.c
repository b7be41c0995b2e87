/* CalicoAPIConfig loading (libcalico-go apiconfig/load.go and calicoctl's
 * clientmgr.LoadClientConfig), with our sqlite settings added. */
#include "store/config.h"
#include "store/store_int.h"
#include "lib/gofmt.h"
#include "lib/yamljson.h"

#include <ctype.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define API_VERSION "projectcalico.org/v3"
#define CONFIG_KIND "CalicoAPIConfig"
#define SYNTAX "failed to parse config as YAML/JSON: "
#define DECODE "error unmarshaling JSON: while decoding JSON: json: "

enum field_type { F_STRING, F_BOOL, F_INT, F_FLOAT };

/* One spec setting: its JSON key, its environment name (NULL when the
 * setting is file-only, as calicoctl's inline PEM keys are), its type, and
 * where a string lands in struct store_config (NULL: accepted, unused). */
struct field {
	const char *key;
	const char *env;
	const char *go_name;
	enum field_type type;
	size_t offset;
	bool stored;
};

#define STR(k, env, go, member)                                                                    \
	{                                                                                          \
		k, env, go, F_STRING, offsetof(struct store_config, member), true                  \
	}
#define IGN(k, env, go, t)                                                                         \
	{                                                                                          \
		k, env, go, t, 0, false                                                            \
	}

static const struct field fields[] = {
    STR("datastoreType", "DATASTORE_TYPE", "DatastoreType", datastore_type),
    STR("sqlitePath", "SQLITE_PATH", "SqlitePath", sqlite_path),
    {"sqliteBusyTimeout", "SQLITE_BUSY_TIMEOUT", "SqliteBusyTimeout", F_INT,
     offsetof(struct store_config, busy_timeout_ms), true},
    STR("etcdEndpoints", "ETCD_ENDPOINTS", "EtcdEndpoints", etcd_endpoints),
    STR("etcdDiscoverySrv", "ETCD_DISCOVERY_SRV", "EtcdDiscoverySrv", etcd_discovery_srv),
    STR("etcdUsername", "ETCD_USERNAME", "EtcdUsername", etcd_username),
    STR("etcdPassword", "ETCD_PASSWORD", "EtcdPassword", etcd_password),
    STR("etcdKeyFile", "ETCD_KEY_FILE", "EtcdKeyFile", etcd_key_file),
    STR("etcdCertFile", "ETCD_CERT_FILE", "EtcdCertFile", etcd_cert_file),
    STR("etcdCACertFile", "ETCD_CA_CERT_FILE", "EtcdCACertFile", etcd_ca_cert_file),
    STR("etcdKey", NULL, "EtcdKey", etcd_key),
    STR("etcdCert", NULL, "EtcdCert", etcd_cert),
    STR("etcdCACert", NULL, "EtcdCACert", etcd_ca_cert),
    STR("kubeconfig", "KUBECONFIG", "Kubeconfig", kubeconfig),
    IGN("k8sAPIEndpoint", "K8S_API_ENDPOINT", "K8sAPIEndpoint", F_STRING),
    IGN("k8sKeyFile", "K8S_KEY_FILE", "K8sKeyFile", F_STRING),
    IGN("k8sCertFile", "K8S_CERT_FILE", "K8sCertFile", F_STRING),
    IGN("k8sCAFile", "K8S_CA_FILE", "K8sCAFile", F_STRING),
    IGN("k8sAPIToken", NULL, "K8sAPIToken", F_STRING),
    IGN("k8sInsecureSkipTLSVerify", "K8S_INSECURE_SKIP_TLS_VERIFY", "K8sInsecureSkipTLSVerify",
	F_BOOL),
    IGN("k8sDisableNodePoll", "K8S_DISABLE_NODE_POLL", "K8sDisableNodePoll", F_BOOL),
    IGN("usePodCIDR", "USE_POD_CIDR", "K8sUsePodCIDR", F_BOOL),
    IGN("kubeconfigInline", NULL, "KubeconfigInline", F_STRING),
    IGN("k8sClientQPS", "K8S_CLIENT_QPS", "K8sClientQPS", F_FLOAT),
    IGN("k8sClientBurst", "K8S_CLIENT_BURST", "K8sClientBurst", F_INT),
    IGN("k8sCurrentContext", "K8S_CURRENT_CONTEXT", "K8sCurrentContext", F_STRING),
    IGN("calicoAPIGroup", "CALICO_API_GROUP", "CalicoAPIGroup", F_STRING),
};

static char **str_slot(struct store_config *cfg, const struct field *f)
{
	return (char **)((char *)cfg + f->offset);
}

static void config_init(struct store_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->busy_timeout_ms = -1;
}

void store_config_free(struct store_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].stored && fields[i].type == F_STRING)
			free(*str_slot(cfg, &fields[i]));
	free(cfg->source);
	config_init(cfg);
}

static int set_string(struct store_config *cfg, const struct field *f, const char *v, struct err *e)
{
	char *copy;

	if (!f->stored)
		return 0;
	copy = strdup(v);
	if (!copy)
		return err_set(e, -ENOMEM, "out of memory loading config");
	free(*str_slot(cfg, f));
	*str_slot(cfg, f) = copy;
	return 0;
}

/* Defaults applied after either source, as applyConfigDefaults does, with
 * sqlite taking kubernetes' place as the fallback. */
static int apply_defaults(struct store_config *cfg, struct err *e)
{
	static const struct {
		const char *name;
		enum store_backend backend;
	} types[] = {
	    {"sqlite", STORE_BACKEND_SQLITE},
	    {"etcdv3", STORE_BACKEND_ETCDV3},
	    {"kubernetes", STORE_BACKEND_KUBERNETES},
	};
	const char *type;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].stored && fields[i].type == F_STRING && !*str_slot(cfg, &fields[i]))
			rc = set_string(cfg, &fields[i], "", e);
	if (rc < 0)
		return rc;
	if (!*cfg->datastore_type)
		rc = set_string(cfg, &fields[0], *cfg->etcd_endpoints ? "etcdv3" : "sqlite", e);
	if (rc == 0 && !*cfg->sqlite_path)
		rc = set_string(cfg, &fields[1], STORE_DEFAULT_SQLITE_PATH, e);
	if (rc < 0)
		return rc;
	if (cfg->busy_timeout_ms < 0)
		cfg->busy_timeout_ms = STORE_DEFAULT_BUSY_TIMEOUT_MS;
	type = cfg->datastore_type;
	cfg->backend = STORE_BACKEND_UNKNOWN;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i].name) == 0)
			cfg->backend = types[i].backend;
	return 0;
}

/* ---- environment ---- */

static bool parse_go_bool(const char *s, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};

	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, t[i]) == 0)
			return *out = true, true;
		if (strcmp(s, f[i]) == 0)
			return *out = false, true;
	}
	return false;
}

static bool parse_int(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s && !*end && errno == 0;
}

static int env_field(struct store_config *cfg, const struct field *f, struct err *e)
{
	char key[128];
	const char *v;
	long long n;
	bool b;
	char *end;

	snprintf(key, sizeof(key), "CALICO_%s", f->env);
	v = getenv(key);
	if (!v)
		v = getenv(f->env);
	if (!v)
		return 0;
	switch (f->type) {
	case F_STRING:
		return set_string(cfg, f, v, e);
	case F_BOOL:
		if (parse_go_bool(v, &b))
			return 0;
		return err_set(
		    e, -EINVAL,
		    "failed to load config from env vars: envconfig.Process: assigning %s to %s: "
		    "converting '%s' to type bool. details: strconv.ParseBool: parsing \"%s\": "
		    "invalid syntax",
		    key, f->go_name, v, v);
	case F_INT:
		if (!parse_int(v, &n) || n < 0 || n > 3600000)
			return err_set(e, -EINVAL,
				       "failed to load config from env vars: envconfig.Process: "
				       "assigning %s to "
				       "%s: converting '%s' to type int. details: "
				       "strconv.ParseInt: parsing \"%s\": "
				       "invalid syntax",
				       key, f->go_name, v, v);
		if (f->stored)
			*(int *)((char *)cfg + f->offset) = (int)n;
		return 0;
	case F_FLOAT:
		errno = 0;
		(void)strtod(v, &end);
		if (*v && !*end && errno == 0)
			return 0;
		return err_set(
		    e, -EINVAL,
		    "failed to load config from env vars: envconfig.Process: assigning %s to %s: "
		    "converting '%s' to type float32. details: strconv.ParseFloat: parsing \"%s\": "
		    "invalid syntax",
		    key, f->go_name, v, v);
	}
	return 0;
}

int store_config_from_env(struct store_config *cfg, struct err *e)
{
	int rc = 0;

	config_init(cfg);
	for (size_t i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].env)
			rc = env_field(cfg, &fields[i], e);
	if (rc == 0 && !(cfg->source = strdup("environment")))
		rc = err_set(e, -ENOMEM, "out of memory loading config");
	return rc < 0 ? rc : apply_defaults(cfg, e);
}

/* ---- file ---- */

static int type_error(const char *name, const json_t *v, const char *path, const char *gotype,
		      struct err *e)
{
	return err_set(e, -EINVAL,
		       "syntax error in %s: " SYNTAX DECODE
		       "cannot unmarshal %s into Go struct field %s of type %s",
		       name, go_json_type_name(v), path, gotype);
}

static int file_field(struct store_config *cfg, const struct field *f, const json_t *v,
		      const char *name, struct err *e)
{
	char path[128], num[GO_FLOAT_MAX];
	static const char *const gotypes[] = {"string", "bool", "int", "float32"};

	snprintf(path, sizeof(path), "CalicoAPIConfig.spec.%s", f->key);
	if (json_is_null(v))
		return 0;
	switch (f->type) {
	case F_STRING:
		/* sigs.k8s.io/yaml turns scalars aimed at a string field into
		 * strings, so "etcdEndpoints: 123" is "123". */
		if (json_is_string(v))
			return set_string(cfg, f, json_string_value(v), e);
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			return set_string(cfg, f, num, e);
		}
		if (json_is_real(v))
			return set_string(cfg, f, go_format_float(json_real_value(v), 'g', num), e);
		if (json_is_boolean(v))
			return set_string(cfg, f, json_is_true(v) ? "true" : "false", e);
		break;
	case F_BOOL:
		if (json_is_boolean(v))
			return 0;
		break;
	case F_INT:
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= 3600000) {
			if (f->stored)
				*(int *)((char *)cfg + f->offset) = (int)json_integer_value(v);
			return 0;
		}
		break;
	case F_FLOAT:
		if (json_is_number(v))
			return 0;
		break;
	}
	return type_error(name, v, path, gotypes[f->type], e);
}

static int unknown_field(const char *name, const char *key, struct err *e)
{
	return err_set(e, -EINVAL, "syntax error in %s: " SYNTAX DECODE "unknown field \"%s\"",
		       name, key);
}

static int parse_spec(struct store_config *cfg, const json_t *spec, const char *name, struct err *e)
{
	const char *key;
	json_t *v;
	int rc;

	if (json_is_null(spec))
		return 0;
	if (!json_is_object(spec))
		return type_error(name, spec, "CalicoAPIConfig.spec",
				  "apiconfig.CalicoAPIConfigSpec", e);
	json_object_foreach((json_t *)spec, key, v)
	{
		const struct field *f = NULL;

		/* encoding/json: exact key first, then case-insensitive. */
		for (size_t i = 0; !f && i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i].key) == 0)
				f = &fields[i];
		for (size_t i = 0; !f && i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcasecmp(key, fields[i].key) == 0)
				f = &fields[i];
		if (!f)
			return unknown_field(name, key, e);
		if ((rc = file_field(cfg, f, v, name, e)) < 0)
			return rc;
	}
	return 0;
}

static int parse_meta(const json_t *meta, const char *name, struct err *e)
{
	const char *key;
	json_t *v;

	if (json_is_null(meta))
		return 0;
	if (!json_is_object(meta))
		return type_error(name, meta, "CalicoAPIConfig.metadata", "v1.ObjectMeta", e);
	json_object_foreach((json_t *)meta, key, v)
	{
		bool known = false;

		for (size_t i = 0; !known && i < store_meta_nkeys; i++)
			known = strcasecmp(key, store_meta_keys[i]) == 0;
		if (!known)
			return unknown_field(name, key, e);
	}
	return 0;
}

static const char *type_string(const json_t *doc, const char *key)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)doc, k, v) if (strcasecmp(k, key) == 0 &&
						     json_is_string(v)) return json_string_value(v);
	return "";
}

static int parse_doc(struct store_config *cfg, const json_t *doc, const char *name, struct err *e)
{
	const char *key, *api, *kind;
	json_t *v;
	int rc;

	if (!json_is_object(doc) && !json_is_null(doc))
		return err_set(
		    e, -EINVAL,
		    "syntax error in %s: " SYNTAX DECODE
		    "cannot unmarshal %s into Go value of type apiconfig.CalicoAPIConfig",
		    name, go_json_type_name(doc));
	if (json_is_object(doc)) {
		json_object_foreach((json_t *)doc, key, v)
		{
			if (strcasecmp(key, "kind") == 0 || strcasecmp(key, "apiVersion") == 0) {
				if (!json_is_string(v) && !json_is_null(v))
					return type_error(name, v, "CalicoAPIConfig.TypeMeta",
							  "string", e);
			} else if (strcasecmp(key, "metadata") == 0) {
				if ((rc = parse_meta(v, name, e)) < 0)
					return rc;
			} else if (strcasecmp(key, "spec") == 0) {
				if ((rc = parse_spec(cfg, v, name, e)) < 0)
					return rc;
			} else {
				return unknown_field(name, key, e);
			}
		}
	}
	api = json_is_object(doc) ? type_string(doc, "apiVersion") : "";
	kind = json_is_object(doc) ? type_string(doc, "kind") : "";
	if (strcmp(api, API_VERSION) != 0)
		return err_set(e, -EINVAL, "invalid config file: unknown APIVersion '%s'", api);
	if (strcmp(kind, CONFIG_KIND) != 0)
		return err_set(e, -EINVAL, "invalid config file: expected kind '%s', got '%s'",
			       CONFIG_KIND, kind);
	return 0;
}

int store_config_parse(const char *buf, size_t len, const char *name, struct store_config *cfg,
		       struct err *e)
{
	json_t *doc;
	int rc;

	config_init(cfg);
	if ((rc = yaml_load_one(buf, len, 1, &doc, e)) < 0) {
		err_prefix(e, "syntax error in %s: " SYNTAX, name);
		return rc;
	}
	rc = parse_doc(cfg, doc, name, e);
	json_decref(doc);
	if (rc == 0 && asprintf(&cfg->source, "file %s", name) < 0) {
		cfg->source = NULL;
		rc = err_set(e, -ENOMEM, "out of memory loading config");
	}
	return rc < 0 ? rc : apply_defaults(cfg, e);
}

static int read_config_file(const char *path, char **buf, size_t *len, struct err *e)
{
	struct stat st;
	char msg[128];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int errnum = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : errno;

		if (fd >= 0)
			close(fd);
		snprintf(msg, sizeof(msg), "%s", strerror(errnum));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		return err_set(e, -errnum, "%s %s: %s", errnum == EISDIR ? "read" : "open", path,
			       msg);
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return err_set(e, -ENOMEM, "out of memory loading config");
	}
	*len = 0;
	while ((n = read(fd, *buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	if (n < 0) {
		int errnum = errno;

		close(fd);
		free(*buf);
		snprintf(msg, sizeof(msg), "%s", strerror(errnum));
		msg[0] = (char)tolower((unsigned char)msg[0]);
		return err_set(e, -errnum, "read %s: %s", path, msg);
	}
	close(fd);
	return 0;
}

int store_config_load(const char *path, bool explicit_path, struct store_config *cfg, struct err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	(void)explicit_path;
	config_init(cfg);
	if (!path)
		path = STORE_DEFAULT_CONFIG_PATH;
	if (stat(path, &st) < 0) {
		/* calicoctl compares the path, not whether -c was given. */
		if (strcmp(path, STORE_DEFAULT_CONFIG_PATH) == 0)
			return store_config_from_env(cfg, e);
		return err_set(e, -ENOENT, "Error reading config file: %s", path);
	}
	if ((rc = read_config_file(path, &buf, &len, e)) < 0)
		return rc;
	rc = store_config_parse(buf, len, path, cfg, e);
	free(buf);
	return rc;
}
