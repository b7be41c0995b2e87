/* store.h's entry points: pick the backend, dispatch to it, and the object
 * helpers both backends share (store_int.h). */
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

int store_open(const struct store_config *cfg, struct store **out, struct err *e)
{
	*out = NULL;
	switch (cfg->backend) {
	case STORE_BACKEND_SQLITE:
		return store_sqlite_open(cfg, out, e);
	case STORE_BACKEND_ETCDV3:
		return store_etcd_open(cfg, out, e);
	case STORE_BACKEND_KUBERNETES:
		return err_set(
		    e, -ENOTSUP,
		    "datastore type kubernetes is not supported: calicoctl-c keeps its resources "
		    "in sqlite (DATASTORE_TYPE=sqlite) or etcd (DATASTORE_TYPE=etcdv3)");
	default:
		return err_set(e, -EINVAL, "unknown datastore type: %s", cfg->datastore_type);
	}
}

void store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

int store_get(struct store *st, const char *kind, const char *name, json_t **out, struct err *e)
{
	return st->ops->get(st, kind, name, out, e);
}

int store_list(struct store *st, const char *kind, const char *name_prefix, json_t **items,
	       int64_t *revision, struct err *e)
{
	return st->ops->list(st, kind, name_prefix, items, revision, e);
}

int store_create(struct store *st, json_t *obj, struct err *e)
{
	return st->ops->create(st, obj, e);
}

int store_update(struct store *st, json_t *obj, struct err *e)
{
	return st->ops->update(st, obj, e);
}

int store_delete(struct store *st, const char *kind, const char *name, const char *expected_rv,
		 json_t **old, struct err *e)
{
	return st->ops->del(st, kind, name, expected_rv, old, e);
}

int store_begin(struct store *st, struct err *e)
{
	return st->ops->begin(st, e);
}

int store_commit(struct store *st, struct err *e)
{
	return st->ops->commit(st, e);
}

void store_rollback(struct store *st)
{
	st->ops->rollback(st);
}

int64_t store_revision(struct store *st)
{
	return st->ops->revision(st);
}

int store_changes_since(struct store *st, int64_t rev, json_t **changes, int64_t *now,
			struct err *e)
{
	return st->ops->changes_since(st, rev, changes, now, e);
}

int store_watch_start(struct store *st, struct ev_loop *loop, int64_t from_rev, store_watch_fn fn,
		      void *ctx, struct store_watch **out, struct err *e)
{
	*out = NULL;
	if (!st->ops->watch_start)
		return err_set(e, -ENOTSUP,
			       "this datastore cannot push changes; poll its revision instead");
	return st->ops->watch_start(st, loop, from_rev, fn, ctx, out, e);
}

void store_watch_stop(struct store_watch *w)
{
	if (w)
		w->stop(w);
}

/* ---- messages ---- */

int store_err_not_found(const char *kind, const char *name, struct err *e)
{
	return err_set(e, -ENOENT, "resource does not exist: %s(%s) with error: <nil>", kind, name);
}

int store_err_exists(const char *kind, const char *name, struct err *e)
{
	return err_set(e, -EEXIST, "resource already exists: %s(%s) with error: <nil>", kind, name);
}

int store_err_conflict(const char *kind, const char *name, struct err *e)
{
	return err_set(e, -ESTALE, "update conflict: %s(%s)", kind, name);
}

/* ---- objects ---- */

/* Go's ObjectMeta order puts resourceVersion back where Go would print it;
 * the config loader uses the same list for the keys allowed under metadata. */
const char *const store_meta_keys[] = {
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
};
const size_t store_meta_nkeys = sizeof(store_meta_keys) / sizeof(store_meta_keys[0]);

const char *store_meta_string(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

int store_set_meta(json_t *obj, const char *key, const char *value)
{
	json_t *meta = json_object_get(obj, "metadata");

	return json_object_set_new(meta, key, json_string(value)) < 0 ? -ENOMEM : 0;
}

int store_check_object(const json_t *obj, const char **kind, const char **name, struct err *e)
{
	*kind = json_string_value(json_object_get(obj, "kind"));
	*name = store_meta_string(obj, "name");
	if (!json_is_object(obj) || !*kind || !**kind)
		return err_set(e, -EINVAL, "resource has no kind");
	if (!*name || !**name)
		return err_set(e, -EINVAL,
			       "error with field Metadata.Name = '' (name is required)");
	return 0;
}

int store_check_create_rv(const json_t *obj, struct err *e)
{
	const char *rv = store_meta_string(obj, "resourceVersion");

	if (rv && *rv)
		return err_set(
		    e, -EINVAL,
		    "error with field Metadata.ResourceVersion = '%s' (field must not be set for "
		    "a Create request)",
		    rv);
	return 0;
}

int store_check_update_rv(const json_t *obj, struct err *e)
{
	const char *rv = store_meta_string(obj, "resourceVersion");

	if (!rv || !*rv)
		return err_set(
		    e, -EINVAL,
		    "error with field Metadata.ResourceVersion = '' (field must be set for an "
		    "Update request)");
	return 0;
}

/* Random bytes come from a pool refilled 4 KiB at a time: one getrandom
 * call per 256 uids keeps 10,000 creates from being 10,000 syscalls. The
 * pool belongs to one process: after fork() the child refills, or parent
 * and child would hand out the same uids. */
static int random_bytes(unsigned char *out, size_t n)
{
	static unsigned char pool[4096];
	static size_t left;
	static pid_t owner;

	if (left < n || owner != getpid()) {
		ssize_t got = getrandom(pool, sizeof(pool), 0);

		if (got != (ssize_t)sizeof(pool))
			return got < 0 ? -errno : -EIO;
		left = sizeof(pool);
		owner = getpid();
	}
	memcpy(out, pool + sizeof(pool) - left, n);
	left -= n;
	return 0;
}

static int make_uid(char out[37])
{
	unsigned char b[16];
	int rc = random_bytes(b, sizeof(b));

	if (rc < 0)
		return rc;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (int i = 0, o = 0; i < 16; i++) {
		static const char hex[] = "0123456789abcdef";

		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[36] = '\0';
	return 0;
}

static void make_timestamp(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int store_stamp_new(json_t *obj, struct err *e)
{
	const char *uid = store_meta_string(obj, "uid");
	const char *ts = store_meta_string(obj, "creationTimestamp");
	char ubuf[37], tbuf[32];
	int rc;

	/* As libcalico-go: assigned when the object does not carry them
	 * (calicoctl always strips them). */
	if (!uid || !*uid) {
		if ((rc = make_uid(ubuf)) < 0)
			return err_set(e, rc, "cannot generate a uid: %s", strerror(-rc));
		if (store_set_meta(obj, "uid", ubuf) < 0)
			return err_set(e, -ENOMEM, "out of memory writing the datastore");
	}
	if (!ts || !*ts) {
		make_timestamp(tbuf);
		if (store_set_meta(obj, "creationTimestamp", tbuf) < 0)
			return err_set(e, -ENOMEM, "out of memory writing the datastore");
	}
	return 0;
}

int store_keep_identity(json_t *obj, const json_t *stored, struct err *e)
{
	const char *uid = store_meta_string(stored, "uid");
	const char *ts = store_meta_string(stored, "creationTimestamp");

	if (store_set_meta(obj, "uid", uid ? uid : "") < 0 ||
	    store_set_meta(obj, "creationTimestamp", ts ? ts : "") < 0)
		return err_set(e, -ENOMEM, "out of memory writing the datastore");
	return 0;
}

int store_order_metadata(json_t *obj)
{
	json_t *meta = json_object_get(obj, "metadata"), *ordered = json_object(), *v;
	const char *k;

	if (!ordered)
		return -ENOMEM;
	for (size_t i = 0; i < store_meta_nkeys; i++)
		if ((v = json_object_get(meta, store_meta_keys[i])))
			json_object_set(ordered, store_meta_keys[i], v);
	json_object_foreach(meta, k, v) if (!json_object_get(ordered, k))
	    json_object_set(ordered, k, v);
	return json_object_set_new(obj, "metadata", ordered) < 0 ? -ENOMEM : 0;
}

/* Metadata is stored in Go's ObjectMeta order, so a read only appends the
 * version (printers order keys themselves: res_ordered for JSON, sorted
 * for YAML); a write reorders so that the caller's object looks like what
 * a later read returns. */
int store_set_revision(json_t *obj, int64_t rev, bool reorder)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)rev);
	if (store_set_meta(obj, "resourceVersion", buf) < 0)
		return -ENOMEM;
	return reorder ? store_order_metadata(obj) : 0;
}

char *store_stored_text(json_t *obj)
{
	json_object_del(json_object_get(obj, "metadata"), "resourceVersion");
	if (store_order_metadata(obj) < 0)
		return NULL;
	return json_dumps(obj, JSON_COMPACT);
}
