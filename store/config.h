/* Datastore connection settings, loaded the way calicoctl loads them
 * (libcalico-go apiconfig): from a CalicoAPIConfig file when one is present,
 * otherwise from the environment. Shared by calicoctl and calico-bgpd. */
#ifndef CALICO_STORE_CONFIG_H
#define CALICO_STORE_CONFIG_H

#include <stdbool.h>

#include "lib/err.h"

#define STORE_DEFAULT_CONFIG_PATH "/etc/calico/calicoctl.cfg"
#define STORE_DEFAULT_SQLITE_PATH "/var/lib/calico/calico.db"
#define STORE_DEFAULT_BUSY_TIMEOUT_MS 5000

enum store_backend {
	STORE_BACKEND_SQLITE,	  /* ours, the default */
	STORE_BACKEND_ETCDV3,	  /* recognised; the backend is not built yet */
	STORE_BACKEND_KUBERNETES, /* recognised; not supported (no Kubernetes here) */
	STORE_BACKEND_UNKNOWN,	  /* anything else: store_open says "unknown datastore type: <v>" */
};

/* All strings are malloc'd ("" when unset); free with store_config_free. */
struct store_config {
	enum store_backend backend;
	char *datastore_type; /* as written (after defaulting), for messages */
	char *source;	      /* "file <path>" or "environment", for logs */

	/* sqlite (ours): sqlitePath / SQLITE_PATH, sqliteBusyTimeout /
	 * SQLITE_BUSY_TIMEOUT (milliseconds to wait for another writer). */
	char *sqlite_path;
	int busy_timeout_ms;

	/* etcdv3, kept for the etcd backend to come. */
	char *etcd_endpoints, *etcd_discovery_srv, *etcd_username, *etcd_password;
	char *etcd_key_file, *etcd_cert_file, *etcd_ca_cert_file;
	char *etcd_key, *etcd_cert, *etcd_ca_cert; /* inline PEM, file only */

	/* kubernetes: accepted (so valid calicoctl.cfg files load) but unused. */
	char *kubeconfig;
};

/* Loads settings into *cfg (which it initialises; always call
 * store_config_free afterwards, even on error).
 * path: the -c value, or NULL for the default STORE_DEFAULT_CONFIG_PATH.
 * - If the file exists it is used exclusively (no environment merge). It is
 *   YAML or JSON, strict: apiVersion projectcalico.org/v3, kind
 *   CalicoAPIConfig, optional metadata, settings under spec; unknown keys
 *   and wrong types are errors. Keys match case-insensitively like Go's
 *   encoding/json.
 * - If it does not exist and path is the default path (whether or not it
 *   was given explicitly, as calicoctl compares the string), settings come
 *   from the environment: CALICO_<NAME> first, then <NAME> (DATASTORE_TYPE,
 *   SQLITE_PATH, SQLITE_BUSY_TIMEOUT, ETCD_ENDPOINTS, ...).
 * - If it does not exist and is any other path: -ENOENT with
 *   "Error reading config file: <path>" (calicoctl prints that on stdout).
 * Defaults: datastoreType etcdv3 when etcdEndpoints is set, else sqlite;
 * sqlitePath STORE_DEFAULT_SQLITE_PATH; busy timeout 5000 ms.
 * explicit_path is kept for callers' logging; the decision above does not
 * depend on it (calicoctl's does not either).
 * Errors (calicoctl's wording):
 *   "syntax error in <file>: failed to parse config as YAML/JSON: <detail>"
 *   "invalid config file: unknown APIVersion '<v>'"
 *   "invalid config file: expected kind 'CalicoAPIConfig', got '<k>'"
 *   "open <file>: permission denied"
 *   "failed to load config from env vars: <detail>" (bad number/bool) */
int store_config_load(const char *path, bool explicit_path, struct store_config *cfg,
		      struct err *e);

/* Settings from the environment only (what the speaker uses when it has no
 * config file). Same defaults and errors. */
int store_config_from_env(struct store_config *cfg, struct err *e);

/* Parses a config document held in memory; `name` is used in messages. */
int store_config_parse(const char *buf, size_t len, const char *name, struct store_config *cfg,
		       struct err *e);

void store_config_free(struct store_config *cfg);

#endif
