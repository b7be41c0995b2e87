/* store/sqlite: CRUD, revisions, optimistic concurrency, batches, the
 * change log, file problems and several writing processes. */
#include "store/store.h"
#include "tests/unit/check.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

static struct store *open_at(const char *file, int busy_ms)
{
	struct store_config cfg = {0};
	struct store *st = NULL;
	char path[256];
	struct err e;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	cfg.backend = STORE_BACKEND_SQLITE;
	cfg.datastore_type = "sqlite";
	cfg.sqlite_path = path;
	cfg.busy_timeout_ms = busy_ms;
	if (store_open(&cfg, &st, &e) < 0)
		printf("# open failed: %s\n", e.msg);
	return st;
}

static json_t *peer(const char *name, const char *ip)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:i}}", "kind", "BGPPeer", "apiVersion",
			 "projectcalico.org/v3", "metadata", "name", name, "spec", "peerIP", ip,
			 "asNumber", 64512);
}

static const char *meta(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj, "metadata"), key));
}

static bool is_uuid_v4(const char *s)
{
	if (!s || strlen(s) != 36 || s[14] != '4' || !strchr("89ab", s[19]))
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
			return false;
	}
	return true;
}

static void test_crud(void)
{
	struct store *st = open_at("crud/sub/calico.db", 5000);
	json_t *p = peer("rack1-tor", "192.0.2.1"), *got = NULL, *list = NULL, *old = NULL;
	struct err e;
	int64_t rev = -1;
	char path[256];
	struct stat sb;

	/* Reads of a file that does not exist: an error when even its
	 * directory is missing, and nothing is created. */
	CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), -ENOENT);
	CHECK(strstr(e.msg, "does not exist") != NULL);
	snprintf(path, sizeof(path), "%s/crud", dir);
	CHECK(stat(path, &sb) < 0);

	/* The first write creates directories and file. */
	CHECK_INT(store_create(st, p, &e), 0);
	CHECK_STR(meta(p, "resourceVersion"), "1");
	CHECK(is_uuid_v4(meta(p, "uid")));
	CHECK(meta(p, "creationTimestamp") && strlen(meta(p, "creationTimestamp")) == 20 &&
	      meta(p, "creationTimestamp")[19] == 'Z');
	CHECK_INT(store_revision(st), 1);

	CHECK_INT(store_get(st, "BGPPeer", "rack1-tor", &got, &e), 0);
	CHECK_STR(meta(got, "resourceVersion"), "1");
	CHECK_STR(meta(got, "uid"), meta(p, "uid"));
	CHECK_STR(json_string_value(json_object_get(json_object_get(got, "spec"), "peerIP")),
		  "192.0.2.1");
	{
		/* After a write resourceVersion sits where Go's ObjectMeta puts it. */
		const char *order[4], *k;
		json_t *v;
		int n = 0;

		json_object_foreach(json_object_get(p, "metadata"), k, v) if (n < 4) order[n++] = k;
		CHECK(n == 4 && !strcmp(order[0], "name") && !strcmp(order[1], "uid") &&
		      !strcmp(order[2], "resourceVersion") &&
		      !strcmp(order[3], "creationTimestamp"));
	}
	json_decref(got);

	CHECK_INT(store_create(st, p, &e), -EINVAL);
	CHECK_STR(e.msg, "error with field Metadata.ResourceVersion = '1' (field must not be set "
			 "for a Create request)");
	json_object_del(json_object_get(p, "metadata"), "resourceVersion");
	CHECK_INT(store_create(st, p, &e), -EEXIST);
	CHECK_STR(e.msg, "resource already exists: BGPPeer(rack1-tor) with error: <nil>");
	CHECK_INT(store_get(st, "BGPPeer", "nope", &got, &e), -ENOENT);
	CHECK_STR(e.msg, "resource does not exist: BGPPeer(nope) with error: <nil>");
	CHECK_INT(store_revision(st), 1);

	/* Update with the current version succeeds and bumps it. */
	json_object_set_new(json_object_get(p, "metadata"), "resourceVersion", json_string("1"));
	json_object_set_new(json_object_get(p, "spec"), "peerIP", json_string("192.0.2.9"));
	json_object_set_new(json_object_get(p, "metadata"), "uid", json_string("forged"));
	CHECK_INT(store_update(st, p, &e), 0);
	CHECK_STR(meta(p, "resourceVersion"), "2");
	CHECK(is_uuid_v4(meta(p, "uid")));
	/* A stale version is a conflict, and nothing changes. */
	json_object_set_new(json_object_get(p, "metadata"), "resourceVersion", json_string("1"));
	CHECK_INT(store_update(st, p, &e), -ESTALE);
	CHECK_STR(e.msg, "update conflict: BGPPeer(rack1-tor)");
	json_object_del(json_object_get(p, "metadata"), "resourceVersion");
	CHECK_INT(store_update(st, p, &e), -EINVAL);
	CHECK_STR(e.msg, "error with field Metadata.ResourceVersion = '' (field must be set for an "
			 "Update request)");
	CHECK_INT(store_revision(st), 2);

	/* Lists are sorted by name and carry the revision. */
	json_t *b = peer("b", "192.0.2.2"), *a = peer("a", "192.0.2.3"),
	       *n = json_pack("{s:s, s:{s:s}}", "kind", "Node", "metadata", "name", "a");
	CHECK_INT(store_create(st, b, &e), 0);
	CHECK_INT(store_create(st, a, &e), 0);
	CHECK_INT(store_create(st, n, &e), 0);
	CHECK_INT(store_list(st, "BGPPeer", NULL, &list, &rev, &e), 0);
	CHECK_INT(json_array_size(list), 3);
	CHECK_STR(meta(json_array_get(list, 0), "name"), "a");
	CHECK_STR(meta(json_array_get(list, 2), "name"), "rack1-tor");
	CHECK_INT(rev, 5);
	json_decref(list);
	CHECK_INT(store_list(st, "BGPPeer", "ra", &list, &rev, &e), 0);
	CHECK_INT(json_array_size(list), 1);
	json_decref(list);
	CHECK_INT(store_list(st, "IPPool", NULL, &list, &rev, &e), 0);
	CHECK_INT(json_array_size(list), 0);
	json_decref(list);

	/* Delete: conditional on a version when given. */
	CHECK_INT(store_delete(st, "BGPPeer", "a", "3", NULL, &e), -ESTALE);
	CHECK_STR(e.msg, "update conflict: BGPPeer(a)");
	CHECK_INT(store_delete(st, "BGPPeer", "a", "4", &old, &e), 0);
	CHECK_STR(meta(old, "name"), "a");
	json_decref(old);
	CHECK_INT(store_delete(st, "BGPPeer", "a", NULL, NULL, &e), -ENOENT);
	CHECK_STR(e.msg, "resource does not exist: BGPPeer(a) with error: <nil>");
	CHECK_INT(store_revision(st), 6);

	json_decref(a);
	json_decref(b);
	json_decref(n);
	json_decref(p);
	store_close(st);
}

static void test_changes(void)
{
	struct store *st = open_at("changes.db", 5000);
	json_t *c = NULL, *p = peer("p1", "192.0.2.1"), *q = peer("p2", "192.0.2.2");
	int64_t now = -1;
	struct err e;

	/* A missing file in an existing directory reads as empty. */
	CHECK_INT(store_changes_since(st, 0, &c, &now, &e), 0);
	CHECK_INT(json_array_size(c), 0);
	CHECK_INT(now, 0);
	json_decref(c);
	CHECK_INT(store_revision(st), 0);

	store_create(st, p, &e);
	store_create(st, q, &e);
	store_delete(st, "BGPPeer", "p1", NULL, NULL, &e);
	CHECK_INT(store_changes_since(st, 0, &c, &now, &e), 0);
	CHECK_INT(now, 3);
	CHECK_INT(json_array_size(c), 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(c, 0), "name")), "p2");
	CHECK_STR(json_string_value(json_object_get(json_array_get(c, 0), "type")), "put");
	CHECK_STR(json_string_value(json_object_get(json_array_get(c, 1), "type")), "delete");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(c, 1), "revision")), 3);
	json_decref(c);
	CHECK_INT(store_changes_since(st, 2, &c, &now, &e), 0);
	CHECK_INT(json_array_size(c), 1);
	json_decref(c);
	CHECK_INT(store_changes_since(st, 3, &c, &now, &e), 0);
	CHECK_INT(json_array_size(c), 0);
	json_decref(c);
	json_decref(p);
	json_decref(q);
	store_close(st);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: what the batch costs, independent of how
 * busy the machine running the tests is. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_batch(void)
{
	struct store *st = open_at("batch.db", 5000), *other = open_at("batch.db", 5000);
	json_t *list = NULL;
	struct err e;
	double t0, c0, dt, dc;
	int fails = 0;
	char name[32], ip[32];

	/* Nothing is visible before the commit; a failed op keeps the batch. */
	CHECK_INT(store_begin(st, &e), 0);
	CHECK_INT(store_begin(st, &e), -EINVAL);
	t0 = now_s();
	c0 = cpu_s();
	for (int i = 0; i < 10000; i++) {
		json_t *p;

		snprintf(name, sizeof(name), "peer-%05d", i);
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
		p = peer(name, ip);
		if (store_create(st, p, &e) < 0)
			fails++;
		json_decref(p);
	}
	{
		json_t *dup = peer("peer-00000", "10.0.0.1");

		CHECK_INT(store_create(st, dup, &e), -EEXIST);
		json_decref(dup);
	}
	CHECK_INT(store_revision(other), 0);
	CHECK_INT(store_commit(st, &e), 0);
	dt = now_s() - t0;
	dc = cpu_s() - c0;
	CHECK_INT(fails, 0);
	printf("# 10000 BGPPeer creates in one batch: %.1f ms (%.1f ms CPU)\n", dt * 1000,
	       dc * 1000);
	/* The figure is a diagnostic; speed is proven by bench/, not by a timed
	 * assertion that a loaded machine can fail. */
	CHECK_INT(store_revision(other), 10000);
	t0 = now_s();
	c0 = cpu_s();
	CHECK_INT(store_list(other, "BGPPeer", NULL, &list, NULL, &e), 0);
	printf("# listing 10000 BGPPeers: %.1f ms (%.1f ms CPU)\n", (now_s() - t0) * 1000,
	       (cpu_s() - c0) * 1000);
	CHECK_INT(json_array_size(list), 10000);
	json_decref(list);

	/* A rolled-back batch leaves nothing behind. */
	CHECK_INT(store_begin(st, &e), 0);
	{
		json_t *p = peer("ghost", "10.9.9.9");

		CHECK_INT(store_create(st, p, &e), 0);
		json_decref(p);
	}
	store_rollback(st);
	CHECK_INT(store_get(other, "BGPPeer", "ghost", &list, &e), -ENOENT);
	CHECK_INT(store_revision(st), 10000);
	store_close(st);
	store_close(other);
}

/* Several processes increment a counter label with read-modify-write
 * updates, retrying on conflict: no increment may be lost. */
static void test_concurrent_writers(void)
{
	enum { WRITERS = 4, ROUNDS = 50 };
	struct store *st = open_at("race.db", 10000);
	json_t *c = json_pack("{s:s, s:{s:s, s:{s:s}}}", "kind", "Node", "metadata", "name",
			      "counter", "labels", "n", "0"),
	       *got = NULL;
	struct err e;
	int status, ok = 1;
	pid_t pids[WRITERS];

	CHECK_INT(store_create(st, c, &e), 0);
	json_decref(c);
	store_close(st);
	fflush(stdout); /* or the children print our buffered lines again */
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			struct store *mine = open_at("race.db", 10000);
			int conflicts = 0;

			for (int r = 0; r < ROUNDS;) {
				json_t *obj = NULL, *labels;
				char buf[16];
				int rc;

				if (store_get(mine, "Node", "counter", &obj, &e) < 0)
					_exit(2);
				labels =
				    json_object_get(json_object_get(obj, "metadata"), "labels");
				snprintf(buf, sizeof(buf), "%d",
					 atoi(json_string_value(json_object_get(labels, "n"))) + 1);
				json_object_set_new(labels, "n", json_string(buf));
				rc = store_update(mine, obj, &e);
				json_decref(obj);
				if (rc == -ESTALE)
					conflicts++;
				else if (rc < 0)
					_exit(3);
				else
					r++;
			}
			store_close(mine);
			printf("# writer %d: %d conflicts retried\n", w, conflicts);
			fflush(stdout);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++)
		if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			ok = 0;
	CHECK_MSG(ok, "every writer process finished cleanly");
	st = open_at("race.db", 10000);
	CHECK_INT(store_get(st, "Node", "counter", &got, &e), 0);
	CHECK_STR(json_string_value(json_object_get(
		      json_object_get(json_object_get(got, "metadata"), "labels"), "n")),
		  "200");
	CHECK_INT(store_revision(st), 1 + WRITERS * ROUNDS);
	json_decref(got);
	store_close(st);
}

static void test_locked(void)
{
	struct store *holder = open_at("locked.db", 5000), *st = open_at("locked.db", 100);
	json_t *p = peer("x", "192.0.2.1"), *got = NULL;
	struct err e;

	CHECK_INT(store_create(holder, p, &e), 0);
	json_object_del(json_object_get(p, "metadata"), "resourceVersion");
	CHECK_INT(store_begin(holder, &e), 0);
	json_object_set_new(json_object_get(p, "metadata"), "name", json_string("y"));
	CHECK_INT(store_create(st, p, &e), -EBUSY);
	CHECK(strstr(e.msg, "is locked by another process (waited 100 ms)") != NULL);
	/* Readers are not blocked by the writer (WAL). */
	CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), 0);
	json_decref(got);
	store_rollback(holder);
	CHECK_INT(store_create(st, p, &e), 0);
	json_decref(p);
	store_close(holder);
	store_close(st);
}

static void test_bad_files(void)
{
	char path[256];
	struct store *st;
	json_t *got = NULL, *p = peer("x", "192.0.2.1");
	struct err e;
	FILE *f;

	snprintf(path, sizeof(path), "%s/corrupt.db", dir);
	f = fopen(path, "w");
	if (f) {
		for (int i = 0; i < 200; i++)
			fputs("this is not a database at all. ", f);
		fclose(f);
	}
	st = open_at("corrupt.db", 100);
	CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), -EIO);
	CHECK(strstr(e.msg, "is not a valid SQLite database") != NULL);
	CHECK_INT(store_create(st, p, &e), -EIO);
	store_close(st);

	/* An empty file is a valid empty database. */
	snprintf(path, sizeof(path), "%s/empty.db", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	st = open_at("empty.db", 100);
	CHECK_INT(store_revision(st), 0);
	CHECK_INT(store_create(st, p, &e), 0);
	store_close(st);

	if (geteuid() != 0) {
		json_object_del(json_object_get(p, "metadata"), "resourceVersion");
		snprintf(path, sizeof(path), "%s/ro.db", dir);
		st = open_at("ro.db", 100);
		CHECK_INT(store_create(st, p, &e), 0);
		store_close(st);
		chmod(path, 0444);
		st = open_at("ro.db", 100);
		json_object_del(json_object_get(p, "metadata"), "resourceVersion");
		json_object_set_new(json_object_get(p, "metadata"), "name", json_string("z"));
		CHECK_INT(store_create(st, p, &e), -EROFS);
		CHECK(strstr(e.msg, "is read-only") != NULL);
		store_close(st);
		chmod(path, 0);
		st = open_at("ro.db", 100);
		CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), -EACCES);
		store_close(st);
	}
	json_decref(p);
}

static void test_schema_version(void)
{
	char path[256];
	struct store *st = open_at("future.db", 100);
	json_t *p = peer("x", "192.0.2.1"), *got = NULL;
	struct err e;
	sqlite3 *db;

	CHECK_INT(store_create(st, p, &e), 0);
	store_close(st);
	/* A file written by a newer build is refused, not misread. */
	snprintf(path, sizeof(path), "%s/future.db", dir);
	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_exec(db, "UPDATE schema_version SET version = 99", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	st = open_at("future.db", 100);
	CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), -EPROTO);
	CHECK(strstr(e.msg, "has schema version 99") != NULL);
	store_close(st);
	json_decref(p);
}

static void test_backends(void)
{
	struct store_config cfg = {.datastore_type = "etcdv3", .backend = STORE_BACKEND_ETCDV3};
	struct store *st = NULL;
	struct err e;

	/* etcdv3 without endpoints: the etcd backend says what is missing. */
	CHECK_INT(store_open(&cfg, &st, &e), -EINVAL);
	CHECK(strstr(e.msg, "no etcd endpoints specified") != NULL);
	cfg.backend = STORE_BACKEND_KUBERNETES;
	cfg.datastore_type = "kubernetes";
	CHECK_INT(store_open(&cfg, &st, &e), -ENOTSUP);
	CHECK(strstr(e.msg, "kubernetes is not supported") != NULL);
	cfg.backend = STORE_BACKEND_UNKNOWN;
	cfg.datastore_type = "consul";
	CHECK_INT(store_open(&cfg, &st, &e), -EINVAL);
	CHECK_STR(e.msg, "unknown datastore type: consul");
}

int main(void)
{
	char cmd[256];

	snprintf(dir, sizeof(dir), "/tmp/test-store-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_crud();
	test_changes();
	test_batch();
	test_concurrent_writers();
	test_locked();
	test_bad_files();
	test_schema_version();
	test_backends();
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwX '%s'; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		printf("# cleanup of %s failed\n", dir);
	return check_done();
}
