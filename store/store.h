/* The datastore interface shared by calicoctl and calico-bgpd.
 *
 * Resources are jansson objects in the v3 envelope (kind, apiVersion,
 * metadata, spec, status). The store does not validate them (lib/resource
 * does); it keys them by (kind, metadata.name), assigns metadata.uid (random
 * UUID v4) and metadata.creationTimestamp (RFC 3339, UTC, seconds) on
 * create, and metadata.resourceVersion on every write: a decimal string of
 * the datastore-wide revision counter, bumped once per write. The counter
 * is what changes-since polling and optimistic concurrency use.
 *
 * Backends (store/store.c picks one from the config):
 * - SQLite (store/sqlite.c), one file shared by many processes (WAL mode,
 *   busy timeout, writes in BEGIN IMMEDIATE). A read never creates
 *   anything: if the file is missing but its directory exists the datastore
 *   reads as empty (revision 0, as a fresh etcd); if the directory is
 *   missing too, reads fail. The first write creates the missing
 *   directories (like Calico creates /var/lib/calico) and the file.
 * - etcd v3 (store/etcd_*.c) over etcd's JSON gateway, keys laid out as
 *   libcalico-go's etcdv3 backend does
 *   (/calico/resources/v3/projectcalico.org/<plural>/<name>); the
 *   resourceVersion is the key's mod_revision and the revision counter is
 *   the cluster's revision, so revisions jump by more than one when other
 *   keys change.
 *
 * Errors fill *e with calicoctl's wording where calicoctl has one and return:
 *   -ENOENT  resource missing:  "resource does not exist: BGPPeer(x) with error: <nil>"
 *   -EEXIST  on create:         "resource already exists: BGPPeer(x) with error: <nil>"
 *   -ESTALE  resourceVersion differs from the stored one: "update conflict: BGPPeer(x)"
 *   -EINVAL  malformed object (no kind, no metadata.name, bad resourceVersion)
 *   -EBUSY   another process held the write lock longer than the busy timeout
 *   -EROFS   the datastore file (or its directory) is read-only
 *   -EACCES  the datastore cannot be read (permissions)
 *   -EIO     corrupt / not a database / other SQLite failures; etcd
 *            unreachable (every endpoint tried) or answering with an error
 *   -EPERM   etcd refused the credentials or the operation (auth)
 *   -ERANGE  (STORE_ECOMPACTED) changes_since / a watch asked for history
 *            etcd has compacted away: the caller must re-read everything
 *   -ENOTSUP datastore type kubernetes (not supported); store_watch_start
 *            on SQLite (poll store_revision instead)
 */
#ifndef CALICO_STORE_H
#define CALICO_STORE_H

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/config.h"

struct store;
struct ev_loop;

/* History before the asked revision is gone (etcd compaction): re-read
 * everything. */
#define STORE_ECOMPACTED (-ERANGE)

/* Writes per etcd transaction in a batch: etcd's --max-txn-ops default. */
#define STORE_ETCD_TXN_OPS 128

/* Opens the datastore described by cfg. Cheap: nothing is created. */
int store_open(const struct store_config *cfg, struct store **out, struct err *e);
/* Closes; an open batch is rolled back. NULL is ignored. */
void store_close(struct store *st);

/* The resource (kind, name) as a new object with resourceVersion set. */
int store_get(struct store *st, const char *kind, const char *name, json_t **out, struct err *e);

/* All resources of a kind (name_prefix NULL or "" for all) as a new array
 * sorted by name (bytewise), and the revision the list was read at (may be
 * NULL). One consistent snapshot. */
int store_list(struct store *st, const char *kind, const char *name_prefix, json_t **items,
	       int64_t *revision, struct err *e);

/* Stores obj as a new resource. metadata.resourceVersion must be absent or
 * empty (-EINVAL otherwise). On success obj is updated in place with uid,
 * creationTimestamp and resourceVersion. */
int store_create(struct store *st, json_t *obj, struct err *e);

/* Replaces the stored resource. metadata.resourceVersion is required and
 * must equal the stored one (-ESTALE otherwise; checked inside the write
 * transaction, so concurrent writers cannot lose an update). uid and
 * creationTimestamp are kept from the stored resource. On success obj gets
 * the stored uid/creationTimestamp and its new resourceVersion. */
int store_update(struct store *st, json_t *obj, struct err *e);

/* Deletes (kind, name). expected_rv NULL or "" deletes unconditionally;
 * otherwise it must equal the stored resourceVersion (-ESTALE). *old (if
 * old is non-NULL) receives the deleted resource. */
int store_delete(struct store *st, const char *kind, const char *name, const char *expected_rv,
		 json_t **old, struct err *e);

/* Batches: every write between store_begin and store_commit runs in one
 * transaction (SQLite: BEGIN IMMEDIATE, 10,000 creates take tens of
 * milliseconds instead of one fsync each). A failed operation inside a
 * batch leaves the batch usable (calicoctl continues after a per-resource
 * error). Nesting is an error.
 * SQLite: nothing is visible to other processes before store_commit.
 * etcd: the writes are checked when made (so per-resource errors come at
 * once) and sent as etcd transactions whose compares repeat the checks.
 * etcd caps a transaction at --max-txn-ops operations (default 128): a
 * batch is sent in transactions of at most STORE_ETCD_TXN_OPS writes (and
 * 1 MiB of keys and values, under etcd's 1.5 MiB request cap), each
 * atomic, sent as soon as it is full; a read of a key written earlier in
 * the batch also sends what is queued first (so the batch reads its own
 * writes, as in SQLite). Creates in a batch check existence against one
 * read of their kind's names (kept up to date with the batch's own writes)
 * instead of a read each. A transaction whose compare fails (another
 * writer got in between) fails with -EEXIST/-ENOENT/-ESTALE naming the
 * resource, reported by the call that sent it (a later write of the batch,
 * or store_commit); nothing of that transaction is applied, writes of
 * earlier transactions of the same batch stay. The objects a batch wrote
 * get their resourceVersion when their transaction is sent. */
int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* The current revision (0 for an empty or missing datastore), or a
 * negative errno on failure. */
int64_t store_revision(struct store *st);

/* What changed after revision `rev`, for the speaker's poll: a new array of
 * {"type": "put"|"delete", "kind": K, "name": N, "revision": R} ordered by
 * revision, and in *now the revision the answer is complete up to. Only the
 * latest change per resource is kept (a put then a delete shows as one
 * delete), so a poller re-reads the named resources. SQLite keeps deletes
 * forever (tombstones); etcd keeps them until it compacts its history, and
 * a `rev` older than its compaction gives STORE_ECOMPACTED. */
int store_changes_since(struct store *st, int64_t rev, json_t **changes, int64_t *now,
			struct err *e);

/* ---- change notification for long-running readers (the speaker) ---- */

struct store_watch;

enum store_watch_event {
	/* Resources changed; `changes` lists them as store_changes_since does
	 * and `rev` is the revision they are complete up to. */
	STORE_WATCH_CHANGED,
	/* History after the resume revision was compacted: re-read
	 * everything; the watch goes on with the changes from `rev` (the
	 * oldest revision etcd still has) on. */
	STORE_WATCH_RESYNC,
	/* The stream broke (`msg` says why); the watch reconnects by itself,
	 * to the next endpoint, and resumes after the last revision seen. */
	STORE_WATCH_LOST,
};

typedef void (*store_watch_fn)(void *ctx, enum store_watch_event ev, const json_t *changes,
			       int64_t rev, const char *msg);

/* Watches every resource for changes after from_rev, driven by the caller's
 * libev loop (single-threaded: fn runs on the loop, never blocks it). The
 * watch uses its own connection; st stays usable for reads meanwhile and
 * must outlive the watch. etcd: etcd's watch stream. SQLite: inotify on
 * the database file and its WAL, then the changes table (an error when
 * inotify cannot watch its directory: poll store_revision instead).
 * -ENOTSUP when the backend cannot push changes. */
int store_watch_start(struct store *st, struct ev_loop *loop, int64_t from_rev, store_watch_fn fn,
		      void *ctx, struct store_watch **out, struct err *e);
/* Stops and frees; NULL is ignored. Safe to call from fn. */
void store_watch_stop(struct store_watch *w);

#endif
