/* Inside the store: the backend table behind store.h and the helpers every
 * backend shares (error wording, metadata stamping), so that the SQLite and
 * etcd backends give byte-identical objects and messages. Not for callers
 * outside store/. */
#ifndef CALICO_STORE_INT_H
#define CALICO_STORE_INT_H

#include "store/store.h"

/* The keys of a Kubernetes ObjectMeta in Go's field order: the order the
 * backends print metadata in, and the keys calicoctl.cfg allows under
 * metadata. */
extern const char *const store_meta_keys[];
extern const size_t store_meta_nkeys;

/* One backend. Every member is required except watch_start (NULL: the
 * backend cannot push changes; store_watch_start says -ENOTSUP). */
struct store_ops {
	void (*close)(struct store *st);
	int (*get)(struct store *st, const char *kind, const char *name, json_t **out,
		   struct err *e);
	int (*list)(struct store *st, const char *kind, const char *name_prefix, json_t **items,
		    int64_t *revision, struct err *e);
	int (*create)(struct store *st, json_t *obj, struct err *e);
	int (*update)(struct store *st, json_t *obj, struct err *e);
	int (*del)(struct store *st, const char *kind, const char *name, const char *expected_rv,
		   json_t **old, struct err *e);
	int (*begin)(struct store *st, struct err *e);
	int (*commit)(struct store *st, struct err *e);
	void (*rollback)(struct store *st);
	int64_t (*revision)(struct store *st);
	int (*changes_since)(struct store *st, int64_t rev, json_t **changes, int64_t *now,
			     struct err *e);
	int (*watch_start)(struct store *st, struct ev_loop *loop, int64_t from_rev,
			   store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e);
};

/* Every backend's watch starts with this. stop frees it, or marks it to be
 * freed when called from inside its own callback. */
struct store_watch {
	void (*stop)(struct store_watch *w);
};

/* Every backend's handle starts with this. */
struct store {
	const struct store_ops *ops;
};

int store_sqlite_open(const struct store_config *cfg, struct store **out, struct err *e);
int store_etcd_open(const struct store_config *cfg, struct store **out, struct err *e);
/* sqlite_watch.c: inotify on the database file and its WAL. */
int sqlite_watch_start(struct store *st, const char *path, struct ev_loop *loop, int64_t from_rev,
		       store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e);

/* ---- calicoctl's messages (libcalico-go errors.go wording) ---- */

/* -ENOENT "resource does not exist: <Kind>(<name>) with error: <nil>" */
int store_err_not_found(const char *kind, const char *name, struct err *e);
/* -EEXIST "resource already exists: <Kind>(<name>) with error: <nil>" */
int store_err_exists(const char *kind, const char *name, struct err *e);
/* -ESTALE "update conflict: <Kind>(<name>)" */
int store_err_conflict(const char *kind, const char *name, struct err *e);

/* ---- objects ---- */

/* metadata.<key> as a string, or NULL. */
const char *store_meta_string(const json_t *obj, const char *key);
/* Sets metadata.<key> to a string; -ENOMEM on failure. */
int store_set_meta(json_t *obj, const char *key, const char *value);

/* Checks obj has a kind and metadata.name (-EINVAL otherwise). */
int store_check_object(const json_t *obj, const char **kind, const char **name, struct err *e);
/* The resourceVersion rules of create (must be empty) and update (must be
 * set), with libcalico-go's field errors. */
int store_check_create_rv(const json_t *obj, struct err *e);
int store_check_update_rv(const json_t *obj, struct err *e);

/* Gives a new resource a uid (random UUID v4) and a creationTimestamp
 * (RFC 3339, UTC, seconds) unless it already carries them. */
int store_stamp_new(json_t *obj, struct err *e);
/* Copies uid and creationTimestamp from the stored resource (identity and
 * birth never come from an update's input). */
int store_keep_identity(json_t *obj, const json_t *stored, struct err *e);

/* Rebuilds metadata in Go's ObjectMeta key order (unknown keys last). */
int store_order_metadata(json_t *obj);
/* Sets metadata.resourceVersion to the decimal rev; reorder as in a write
 * (so the caller's object looks like a later read). -ENOMEM on failure. */
int store_set_revision(json_t *obj, int64_t rev, bool reorder);
/* The stored form: obj without metadata.resourceVersion (dropped in place;
 * the caller sets the new one afterwards), compact JSON, malloc'd. */
char *store_stored_text(json_t *obj);

#endif
