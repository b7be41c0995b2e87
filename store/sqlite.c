/* The SQLite datastore backend.
 *
 * One file shared by every calicoctl call and every speaker on the host:
 * WAL mode (readers never wait for the writer), a busy timeout (a writer
 * waits for another writer instead of failing at once), and every write in
 * BEGIN IMMEDIATE (the write lock is taken before anything is read, so a
 * read-check-write such as the resourceVersion comparison cannot
 * interleave with another process's write).
 *
 * Tables (schema version 1):
 *   schema_version(version)               one row; migrations[] bring it up to date
 *   meta(key, value)                      'revision': the global write counter
 *   resources(kind, name, revision, data) live resources; data is the JSON
 *                                         text without metadata.resourceVersion
 *   changes(kind, name, revision, deleted) the latest write per resource,
 *                                         deletes included (tombstones), for
 *                                         changes-since polling
 */
#include "store/store_int.h"
#include "lib/jsonfast.h"

#include <errno.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE schema_version(version INTEGER NOT NULL);"
    "INSERT INTO schema_version VALUES(0);"
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta VALUES('revision', 0);"
    "CREATE TABLE resources(kind TEXT NOT NULL, name TEXT NOT NULL,"
    " revision INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY(kind, name)) WITHOUT ROWID;"
    "CREATE TABLE changes(kind TEXT NOT NULL, name TEXT NOT NULL,"
    " revision INTEGER NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY(kind, name)) WITHOUT ROWID;"
    "CREATE INDEX changes_by_revision ON changes(revision);",
};
#define SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt_id {
	Q_GET,
	Q_LIST,
	Q_LIST_ALL,
	Q_INSERT,
	Q_UPDATE,
	Q_DELETE,
	Q_CHANGE,
	Q_CHANGES,
	Q_REVISION,
	Q_SET_REVISION,
	Q_COUNT
};

static const char *const stmt_sql[Q_COUNT] = {
    [Q_GET] = "SELECT revision, data FROM resources WHERE kind = ?1 AND name = ?2",
    [Q_LIST] = "SELECT revision, data FROM resources WHERE kind = ?1 AND name >= ?2"
	       " AND substr(name, 1, length(?2)) = ?2 ORDER BY name",
    /* Q_LIST without a prefix: no substr() per row. */
    [Q_LIST_ALL] = "SELECT revision, data FROM resources WHERE kind = ?1 ORDER BY name",
    [Q_INSERT] = "INSERT INTO resources(kind, name, revision, data) VALUES(?1, ?2, ?3, ?4)",
    [Q_UPDATE] = "UPDATE resources SET revision = ?3, data = ?4 WHERE kind = ?1 AND name = ?2",
    [Q_DELETE] = "DELETE FROM resources WHERE kind = ?1 AND name = ?2",
    [Q_CHANGE] = "INSERT INTO changes(kind, name, revision, deleted) VALUES(?1, ?2, ?3, ?4)"
		 " ON CONFLICT(kind, name) DO UPDATE SET revision = ?3, deleted = ?4",
    [Q_CHANGES] = "SELECT kind, name, revision, deleted FROM changes WHERE revision > ?1"
		  " ORDER BY revision",
    [Q_REVISION] = "SELECT value FROM meta WHERE key = 'revision'",
    [Q_SET_REVISION] = "UPDATE meta SET value = ?1 WHERE key = 'revision'",
};
_Static_assert(sizeof(stmt_sql) / sizeof(stmt_sql[0]) == Q_COUNT, "one SQL text per statement");

struct sq {
	struct store base; /* first: store.c sees this */
	char *path;
	int busy_ms;
	sqlite3 *db; /* NULL while the file does not exist */
	bool batch;  /* inside store_begin/store_commit */
	bool in_txn; /* a write transaction is open */
	bool dirty;  /* rev changed in the open transaction */
	int64_t rev; /* the revision counter inside the open transaction */
	sqlite3_stmt *stmt[Q_COUNT];
};

/* ---- errors ---- */

static int db_error(struct sq *st, int rc, const char *what, struct err *e)
{
	const char *msg = st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(
		    e, -EBUSY,
		    "datastore %s is locked by another process (waited %d ms); try again", st->path,
		    st->busy_ms);
	case SQLITE_READONLY:
		return err_set(e, -EROFS, "datastore %s is read-only: %s", st->path, msg);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return err_set(e, -EIO, "datastore %s is not a valid SQLite database: %s", st->path,
			       msg);
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH: {
		int errnum = st->db ? sqlite3_system_errno(st->db) : 0;

		if (errnum == EACCES || errnum == EPERM || (rc & 0xff) != SQLITE_CANTOPEN)
			return err_set(e, -EACCES, "cannot open datastore %s: permission denied",
				       st->path);
		return err_set(e, -EIO, "cannot open datastore %s: %s%s%s", st->path, msg,
			       errnum ? ": " : "", errnum ? strerror(errnum) : "");
	}
	case SQLITE_FULL:
		return err_set(e, -ENOSPC, "datastore %s: disk full while %s", st->path, what);
	case SQLITE_NOMEM:
		return err_set(e, -ENOMEM, "out of memory while %s", what);
	default:
		return err_set(e, -EIO, "datastore %s: %s while %s", st->path, msg, what);
	}
}

/* ---- connection ---- */

static void close_db(struct sq *st)
{
	for (int i = 0; i < Q_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	if (st->db)
		sqlite3_close(st->db);
	st->db = NULL;
}

static int exec(struct sq *st, const char *sql, const char *what, struct err *e)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_error(st, rc, what, e);
}

static int stmt(struct sq *st, enum stmt_id id, sqlite3_stmt **out, struct err *e)
{
	int rc;

	if (!st->stmt[id]) {
		rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					&st->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return db_error(st, rc, "preparing a query", e);
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	*out = st->stmt[id];
	return 0;
}

/* The schema version, 0 for a database we have not set up yet. */
static int read_schema_version(struct sq *st, int *version, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_prepare_v2(st->db,
				"SELECT count(*) FROM sqlite_master WHERE type = 'table'"
				" AND name = 'schema_version'",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_error(st, rc, "reading the schema version", e);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_error(st, rc, "reading the schema version", e);
	}
	if (sqlite3_column_int(s, 0) == 0) {
		sqlite3_finalize(s);
		*version = 0;
		return 0;
	}
	sqlite3_finalize(s);
	rc = sqlite3_prepare_v2(st->db, "SELECT version FROM schema_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_error(st, rc, "reading the schema version", e);
	rc = sqlite3_step(s);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(st, rc, "reading the schema version", e);
	if (*version > SCHEMA_VERSION)
		return err_set(
		    e, -EPROTO,
		    "datastore %s has schema version %d; this build understands up to %d", st->path,
		    *version, SCHEMA_VERSION);
	return 0;
}

/* Brings the schema up to date, under the write lock so that two
 * processes opening a new file do not both migrate it. */
static int migrate(struct sq *st, struct err *e)
{
	char sql[64];
	int version, rc;

	/* WAL is a property of the file; it needs no transaction. */
	if ((rc = exec(st, "PRAGMA journal_mode=WAL", "enabling WAL", e)) < 0)
		return rc;
	if ((rc = exec(st, "BEGIN IMMEDIATE", "locking the datastore", e)) < 0)
		return rc;
	rc = read_schema_version(st, &version, e);
	for (; rc == 0 && version < SCHEMA_VERSION; version++) {
		rc = exec(st, migrations[version], "migrating the schema", e);
		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d", version + 1);
		if (rc == 0)
			rc = exec(st, sql, "migrating the schema", e);
	}
	if (rc == 0)
		rc = exec(st, "COMMIT", "migrating the schema", e);
	if (rc < 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static int mkdir_parents(struct sq *st, struct err *e)
{
	char *copy = strdup(st->path), *dir;
	int rc = 0;

	if (!copy)
		return err_set(e, -ENOMEM, "out of memory opening the datastore");
	dir = dirname(copy);
	for (char *p = dir + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			rc = err_set(e, errno == EROFS ? -EROFS : -errno,
				     "cannot create datastore directory %s: %s", dir,
				     strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return rc;
}

/* Opens path for ensure_db. SQLite reads a WAL database through its -shm
 * file, which it cannot create in a directory it cannot write (a read-only
 * mount, no write permission): every open then fails with "unable to open
 * database file". When the -wal file is missing or empty every committed
 * row is in the main file, so such a database is opened immutable instead:
 * read-only, without -shm or locks. Writes then get the read-only error. A
 * -wal with content means a writer is (or was) active and the rows in it
 * count, so that case keeps the ordinary open and its error. */
static int open_db(const char *path, int flags, sqlite3 **db)
{
	char *dir = strdup(path), *wal = NULL, *uri;
	struct stat sb;
	bool immutable;
	size_t n = 0;
	int rc;

	immutable = dir && access(dirname(dir), W_OK) < 0 && asprintf(&wal, "%s-wal", path) >= 0 &&
		    (stat(wal, &sb) < 0 || sb.st_size == 0);
	free(dir);
	free(wal);
	if (!immutable || !(uri = malloc(3 * strlen(path) + sizeof("file:?immutable=1"))))
		return sqlite3_open_v2(path, db, flags, NULL);
	/* In a URI '?', '#' and '%' end or escape the path. */
	n += (size_t)sprintf(uri, "file:");
	for (const char *p = path; *p; p++)
		n += (size_t)(strchr("?#%", *p) ? sprintf(uri + n, "%%%02X", (unsigned char)*p)
						: sprintf(uri + n, "%c", *p));
	strcpy(uri + n, "?immutable=1");
	rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
			     NULL);
	free(uri);
	return rc;
}

static bool parent_exists(const char *path)
{
	char *copy = strdup(path);
	struct stat sb;
	bool ok;

	if (!copy)
		return false;
	ok = stat(dirname(copy), &sb) == 0 && S_ISDIR(sb.st_mode);
	free(copy);
	return ok;
}

/* Opens the database if needed. Returns 1 when it does not exist and
 * `create` is false: the datastore then reads as empty. */
static int ensure_db(struct sq *st, bool create, struct err *e)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int version, rc;

	if (st->db) {
		if (!create || !sqlite3_db_readonly(st->db, "main"))
			return 0;
		/* Opened read-only earlier; the write below will say so. */
		return 0;
	}
	if (access(st->path, F_OK) < 0) {
		if (!create) {
			if (parent_exists(st->path))
				return 1;
			return err_set(e, -ENOENT,
				       "datastore %s does not exist (its directory is missing)",
				       st->path);
		}
		if ((rc = mkdir_parents(st, e)) < 0)
			return rc;
		flags |= SQLITE_OPEN_CREATE;
	}
	rc = open_db(st->path, flags, &st->db);
	if (rc != SQLITE_OK) {
		rc = db_error(st, rc, "opening", e);
		close_db(st);
		return rc;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	rc = read_schema_version(st, &version, e);
	if (rc == 0 && version < SCHEMA_VERSION && !sqlite3_db_readonly(st->db, "main"))
		rc = migrate(st, e);
	else if (rc == 0 && version == 0) {
		/* A read-only file we never set up: empty for a reader; a writer
		 * is told it is read-only. */
		close_db(st);
		if (!create)
			return 1;
		return err_set(e, -EROFS,
			       "datastore %s is read-only: attempt to write a readonly database",
			       st->path);
	}
	if (rc < 0)
		close_db(st);
	return rc;
}

static const struct store_ops sqlite_ops;

int store_sqlite_open(const struct store_config *cfg, struct store **out, struct err *e)
{
	struct sq *st;

	*out = NULL;
	if (!cfg->sqlite_path || !*cfg->sqlite_path)
		return err_set(e, -EINVAL, "sqlitePath must not be empty");
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(cfg->sqlite_path))) {
		free(st);
		return err_set(e, -ENOMEM, "out of memory opening the datastore");
	}
	st->base.ops = &sqlite_ops;
	st->busy_ms =
	    cfg->busy_timeout_ms >= 0 ? cfg->busy_timeout_ms : STORE_DEFAULT_BUSY_TIMEOUT_MS;
	*out = &st->base;
	return 0;
}

static void sq_rollback(struct store *base);

static void sq_close(struct store *base)
{
	struct sq *st = (struct sq *)base;

	if (st->in_txn)
		sq_rollback(base);
	close_db(st);
	free(st->path);
	free(st);
}

/* ---- transactions ---- */

static int read_revision(struct sq *st, int64_t *rev, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = stmt(st, Q_REVISION, &s, e)) < 0)
		return rc;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW)
		return db_error(st, rc, "reading the revision", e);
	*rev = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

static int write_begin(struct sq *st, struct err *e)
{
	int rc;

	if (st->in_txn)
		return 0;
	if ((rc = ensure_db(st, true, e)) < 0)
		return rc;
	if (sqlite3_db_readonly(st->db, "main"))
		return err_set(e, -EROFS,
			       "datastore %s is read-only: attempt to write a readonly database",
			       st->path);
	if ((rc = exec(st, "BEGIN IMMEDIATE", "locking the datastore", e)) < 0)
		return rc;
	if ((rc = read_revision(st, &st->rev, e)) < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	st->in_txn = true;
	st->dirty = false;
	return 0;
}

static int write_commit(struct sq *st, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (st->dirty) {
		if ((rc = stmt(st, Q_SET_REVISION, &s, e)) < 0)
			goto fail;
		sqlite3_bind_int64(s, 1, st->rev);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			rc = db_error(st, rc, "saving the revision", e);
			goto fail;
		}
	}
	if ((rc = exec(st, "COMMIT", "committing", e)) < 0)
		goto fail;
	st->in_txn = false;
	return 0;
fail:
	sq_rollback(&st->base);
	return rc;
}

/* Ends a single operation's transaction (a batch ends in store_commit). */
static int write_end(struct sq *st, int rc, struct err *e)
{
	if (st->batch)
		return rc;
	if (rc < 0) {
		sq_rollback(&st->base);
		return rc;
	}
	return write_commit(st, e);
}

static int sq_begin(struct store *base, struct err *e)
{
	struct sq *st = (struct sq *)base;
	int rc;

	if (st->batch)
		return err_set(e, -EINVAL, "a datastore batch is already open");
	if ((rc = write_begin(st, e)) < 0)
		return rc;
	st->batch = true;
	return 0;
}

static int sq_commit(struct store *base, struct err *e)
{
	struct sq *st = (struct sq *)base;

	if (!st->batch)
		return err_set(e, -EINVAL, "no datastore batch is open");
	st->batch = false;
	return write_commit(st, e);
}

static void sq_rollback(struct store *base)
{
	struct sq *st = (struct sq *)base;

	st->batch = false;
	if (!st->in_txn)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		if (st->stmt[i])
			sqlite3_reset(st->stmt[i]);
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
	st->dirty = false;
}

/* Reads outside a write transaction run in one deferred transaction, so
 * that a list and its revision are one snapshot. */
static int read_begin(struct sq *st, struct err *e)
{
	int rc = ensure_db(st, false, e);

	if (rc != 0 || st->in_txn)
		return rc;
	return exec(st, "BEGIN", "reading", e);
}

static void read_end(struct sq *st)
{
	if (!st->in_txn)
		sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
}

/* ---- objects ---- */

/* set_revision for a row just read: metadata (stored in Go's order) only
 * gains resourceVersion at its end. Without printf and UTF-8 checks: a
 * list of 10,000 resources does this 10,000 times. */
static int put_read_revision(json_t *meta, int64_t rev)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = rev < 0 ? 0 - (uint64_t)rev : (uint64_t)rev;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (rev < 0)
		*--p = '-';
	return json_object_set_new_nocheck(meta, "resourceVersion",
					   json_stringn_nocheck(p, (size_t)(buf + sizeof(buf) - p)));
}

static int row_object(struct sq *st, sqlite3_stmt *s, json_t **out, struct err *e)
{
	struct err perr = {"no data"};
	const char *text = (const char *)sqlite3_column_text(s, 1);
	/* lib/jsonfast: reading 10,000 resources with json_loads was most of
	 * `calicoctl get bgppeers`. */
	json_t *obj = text ? json_fast_parse(text, (size_t)sqlite3_column_bytes(s, 1), &perr) : NULL;

	if (!obj || !json_is_object(obj) || !json_is_object(json_object_get(obj, "metadata"))) {
		json_decref(obj);
		return err_set(e, -EIO, "datastore %s holds a damaged resource: %s", st->path,
			       obj ? "not a resource object" : perr.msg);
	}
	if (put_read_revision(json_object_get(obj, "metadata"), sqlite3_column_int64(s, 0)) < 0) {
		json_decref(obj);
		return err_set(e, -ENOMEM, "out of memory reading the datastore");
	}
	*out = obj;
	return 0;
}

/* Looks (kind, name) up: 0 with *out set, or -ENOENT. */
static int lookup(struct sq *st, const char *kind, const char *name, json_t **out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = stmt(st, Q_GET, &s, e)) < 0)
		return rc;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = row_object(st, s, out, e);
	else if (rc == SQLITE_DONE)
		rc = store_err_not_found(kind, name, e);
	else
		rc = db_error(st, rc, "reading", e);
	sqlite3_reset(s);
	return rc;
}

static int record_change(struct sq *st, const char *kind, const char *name, bool deleted,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = stmt(st, Q_CHANGE, &s, e)) < 0)
		return rc;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, st->rev + 1);
	sqlite3_bind_int(s, 4, deleted);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_error(st, rc, "recording a change", e);
}

/* Writes obj's row with the next revision (INSERT or UPDATE). */
static int write_row(struct sq *st, enum stmt_id id, const char *kind, const char *name,
		     json_t *obj, struct err *e)
{
	char *text = store_stored_text(obj);
	sqlite3_stmt *s;
	int rc;

	if (!text)
		return err_set(e, -ENOMEM, "out of memory writing the datastore");
	if ((rc = stmt(st, id, &s, e)) < 0) {
		free(text);
		return rc;
	}
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, st->rev + 1);
	sqlite3_bind_text(s, 4, text, -1, free);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "writing", e);
	if ((rc = record_change(st, kind, name, false, e)) < 0)
		return rc;
	st->rev++;
	st->dirty = true;
	return 0;
}

/* ---- the interface ---- */

static int sq_get(struct store *base, const char *kind, const char *name, json_t **out,
		  struct err *e)
{
	struct sq *st = (struct sq *)base;
	int rc;

	*out = NULL;
	rc = read_begin(st, e);
	if (rc == 1)
		return store_err_not_found(kind, name, e);
	if (rc < 0)
		return rc;
	rc = lookup(st, kind, name, out, e);
	read_end(st);
	return rc;
}

static int sq_list(struct store *base, const char *kind, const char *name_prefix,
		   json_t **items, int64_t *revision, struct err *e)
{
	struct sq *st = (struct sq *)base;
	json_t *list = json_array();
	sqlite3_stmt *s;
	int64_t rev = 0;
	int rc;

	*items = NULL;
	if (!list)
		return err_set(e, -ENOMEM, "out of memory listing");
	rc = read_begin(st, e);
	if (rc == 1) {
		*items = list;
		if (revision)
			*revision = 0;
		return 0;
	}
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	rc = st->in_txn ? (rev = st->rev, 0) : read_revision(st, &rev, e);
	if (rc == 0)
		rc = stmt(st, name_prefix && *name_prefix ? Q_LIST : Q_LIST_ALL, &s, e);
	if (rc == 0) {
		sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
		if (name_prefix && *name_prefix)
			sqlite3_bind_text(s, 2, name_prefix, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			json_t *obj;

			if ((rc = row_object(st, s, &obj, e)) < 0)
				break;
			if (json_array_append_new(list, obj) < 0) {
				rc = err_set(e, -ENOMEM, "out of memory listing");
				break;
			}
		}
		rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : db_error(st, rc, "listing", e);
		sqlite3_reset(s);
	}
	read_end(st);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*items = list;
	if (revision)
		*revision = rev;
	return 0;
}

static int sq_create(struct store *base, json_t *obj, struct err *e)
{
	struct sq *st = (struct sq *)base;
	const char *kind, *name;
	json_t *old = NULL;
	int rc;

	if ((rc = store_check_object(obj, &kind, &name, e)) < 0 ||
	    (rc = store_check_create_rv(obj, e)) < 0)
		return rc;
	if ((rc = write_begin(st, e)) < 0)
		return rc;
	rc = lookup(st, kind, name, &old, e);
	if (rc == 0) {
		json_decref(old);
		return write_end(st, store_err_exists(kind, name, e), e);
	}
	if (rc != -ENOENT)
		return write_end(st, rc, e);
	rc = store_stamp_new(obj, e);
	if (rc == 0)
		rc = write_row(st, Q_INSERT, kind, name, obj, e);
	if (rc == 0 && store_set_revision(obj, st->rev, true) < 0)
		rc = err_set(e, -ENOMEM, "out of memory writing the datastore");
	return write_end(st, rc, e);
}

static int sq_update(struct store *base, json_t *obj, struct err *e)
{
	struct sq *st = (struct sq *)base;
	const char *kind, *name, *rv;
	json_t *old = NULL;
	int rc;

	if ((rc = store_check_object(obj, &kind, &name, e)) < 0 ||
	    (rc = store_check_update_rv(obj, e)) < 0)
		return rc;
	rv = store_meta_string(obj, "resourceVersion");
	if ((rc = write_begin(st, e)) < 0)
		return rc;
	if ((rc = lookup(st, kind, name, &old, e)) < 0)
		return write_end(st, rc, e);
	if (strcmp(rv, store_meta_string(old, "resourceVersion")) != 0) {
		json_decref(old);
		return write_end(st, store_err_conflict(kind, name, e), e);
	}
	rc = store_keep_identity(obj, old, e);
	json_decref(old);
	if (rc == 0)
		rc = write_row(st, Q_UPDATE, kind, name, obj, e);
	if (rc == 0 && store_set_revision(obj, st->rev, true) < 0)
		rc = err_set(e, -ENOMEM, "out of memory writing the datastore");
	return write_end(st, rc, e);
}

static int sq_delete(struct store *base, const char *kind, const char *name,
		     const char *expected_rv, json_t **old, struct err *e)
{
	struct sq *st = (struct sq *)base;
	json_t *cur = NULL;
	sqlite3_stmt *s;
	int rc;

	if (old)
		*old = NULL;
	if ((rc = write_begin(st, e)) < 0)
		return rc;
	if ((rc = lookup(st, kind, name, &cur, e)) < 0)
		return write_end(st, rc, e);
	if (expected_rv && *expected_rv &&
	    strcmp(expected_rv, store_meta_string(cur, "resourceVersion")) != 0) {
		json_decref(cur);
		return write_end(st, store_err_conflict(kind, name, e), e);
	}
	if ((rc = stmt(st, Q_DELETE, &s, e)) == 0) {
		sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		rc = rc == SQLITE_DONE ? 0 : db_error(st, rc, "deleting", e);
	}
	if (rc == 0 && (rc = record_change(st, kind, name, true, e)) == 0) {
		st->rev++;
		st->dirty = true;
	}
	rc = write_end(st, rc, e);
	if (rc == 0 && old)
		*old = cur;
	else
		json_decref(cur);
	return rc;
}

static int64_t sq_revision(struct store *base)
{
	struct sq *st = (struct sq *)base;
	int64_t rev = 0;
	int rc;

	if (st->in_txn)
		return st->rev;
	rc = read_begin(st, NULL);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return rc;
	rc = read_revision(st, &rev, NULL);
	read_end(st);
	return rc < 0 ? rc : rev;
}

static int sq_changes_since(struct store *base, int64_t rev, json_t **changes, int64_t *now,
			    struct err *e)
{
	struct sq *st = (struct sq *)base;
	json_t *list = json_array();
	sqlite3_stmt *s;
	int64_t cur = 0;
	int rc;

	*changes = NULL;
	if (!list)
		return err_set(e, -ENOMEM, "out of memory reading changes");
	rc = read_begin(st, e);
	if (rc == 1) {
		*changes = list;
		if (now)
			*now = 0;
		return 0;
	}
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	rc = st->in_txn ? (cur = st->rev, 0) : read_revision(st, &cur, e);
	if (rc == 0)
		rc = stmt(st, Q_CHANGES, &s, e);
	if (rc == 0) {
		sqlite3_bind_int64(s, 1, rev);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			json_t *c = json_pack("{s:s, s:s, s:s, s:I}", "type",
					      sqlite3_column_int(s, 3) ? "delete" : "put", "kind",
					      (const char *)sqlite3_column_text(s, 0), "name",
					      (const char *)sqlite3_column_text(s, 1), "revision",
					      (json_int_t)sqlite3_column_int64(s, 2));

			if (!c || json_array_append_new(list, c) < 0) {
				rc = err_set(e, -ENOMEM, "out of memory reading changes");
				break;
			}
		}
		rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : db_error(st, rc, "reading changes", e);
		sqlite3_reset(s);
	}
	read_end(st);
	if (rc < 0) {
		json_decref(list);
		return rc;
	}
	*changes = list;
	if (now)
		*now = cur;
	return 0;
}

static int sq_watch_start(struct store *base, struct ev_loop *loop, int64_t from_rev,
			  store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e)
{
	return sqlite_watch_start(base, ((struct sq *)base)->path, loop, from_rev, fn, ctx, out, e);
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .get = sq_get,
    .list = sq_list,
    .create = sq_create,
    .update = sq_update,
    .del = sq_delete,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .revision = sq_revision,
    .changes_since = sq_changes_since,
    .watch_start = sq_watch_start,
};
