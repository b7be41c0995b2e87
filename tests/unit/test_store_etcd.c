/* The etcd v3 backend against a real single-member etcd started by the test:
 * CRUD with calicoctl's messages, revisions, list order, the key layout,
 * batches (several transactions, conflicts), changes-since with deletes,
 * compaction, endpoint failover, configuration errors and user/password
 * auth. TLS and the watch are in test_store_etcd_watch.c. */
#include "store/store.h"
#include "tests/unit/check.h"
#include "tests/unit/test_store_etcd_fixture.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct etcd_fixture fx;

static json_t *peer(const char *name, const char *ip)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:i}}", "apiVersion",
			 "projectcalico.org/v3", "kind", "BGPPeer", "metadata", "name", name, "spec",
			 "peerIP", ip, "asNumber", 64512);
}

static const char *rv_of(const json_t *o)
{
	const char *rv = json_string_value(
	    json_object_get(json_object_get(o, "metadata"), "resourceVersion"));

	return rv ? rv : "";
}

static const char *meta(const json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(json_object_get(o, "metadata"), k));

	return v ? v : "";
}

static struct store *open_fx(void)
{
	struct store_config cfg = fx_config(&fx);
	struct store *st = NULL;
	struct err e;

	if (store_open(&cfg, &st, &e) < 0)
		printf("# store_open: %s\n", e.msg);
	return st;
}

/* The stored value of a key, read with etcdctl (NULL if absent). */
static char *etcdctl_value(const char *key)
{
	char cmd[512], *buf = calloc(1, 65536);
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ETCDCTL_API=3 etcdctl --endpoints=%s get --print-value-only %s",
		 fx.endpoint, key);
	if (!buf || !(p = popen(cmd, "r"))) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 65535, p);
	pclose(p);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (!n) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_crud(struct store *st)
{
	json_t *a = peer("crud-a", "10.0.0.1"), *got = NULL, *old = NULL, *dup;
	struct err e;
	char rv1[32], *val;
	int64_t rev0 = store_revision(st);

	CHECK(rev0 > 0);
	CHECK_INT(store_create(st, a, &e), 0);
	CHECK(atoll(rv_of(a)) > rev0);
	CHECK_INT(store_revision(st), atoll(rv_of(a)));
	CHECK_INT(strlen(meta(a, "uid")), 36);
	CHECK_INT(strlen(meta(a, "creationTimestamp")), 20);
	snprintf(rv1, sizeof(rv1), "%s", rv_of(a));

	/* Key layout and stored value as libcalico-go's etcdv3 backend. */
	val = etcdctl_value("/calico/resources/v3/projectcalico.org/bgppeers/crud-a");
	CHECK(val != NULL);
	CHECK(val && strstr(val, "\"peerIP\":\"10.0.0.1\"") != NULL);
	CHECK(val && strstr(val, "resourceVersion") == NULL);
	free(val);

	CHECK_INT(store_get(st, "BGPPeer", "crud-a", &got, &e), 0);
	CHECK_STR(rv_of(got), rv1);
	CHECK_STR(meta(got, "uid"), meta(a, "uid"));
	CHECK(json_equal(got, a));

	dup = peer("crud-a", "10.0.0.9");
	CHECK_INT(store_create(st, dup, &e), -EEXIST);
	CHECK_STR(e.msg, "resource already exists: BGPPeer(crud-a) with error: <nil>");
	json_decref(dup);

	/* Update with the stored version. */
	json_object_set_new(json_object_get(got, "spec"), "peerIP", json_string("10.0.0.2"));
	json_object_set_new(json_object_get(got, "metadata"), "uid", json_string("forged"));
	CHECK_INT(store_update(st, got, &e), 0);
	CHECK(atoll(rv_of(got)) > atoll(rv1));
	CHECK_STR(meta(got, "uid"), meta(a, "uid"));
	/* A stale version: calicoctl's conflict. */
	CHECK_INT(store_update(st, a, &e), -ESTALE);
	CHECK_STR(e.msg, "update conflict: BGPPeer(crud-a)");
	json_object_del(json_object_get(a, "metadata"), "resourceVersion");
	CHECK_INT(store_update(st, a, &e), -EINVAL);
	CHECK(strstr(e.msg, "field must be set for an Update request") != NULL);
	json_object_set_new(json_object_get(a, "metadata"), "resourceVersion", json_string("1"));
	CHECK_INT(store_create(st, a, &e), -EINVAL);

	dup = peer("crud-missing", "10.0.0.3");
	json_object_set_new(json_object_get(dup, "metadata"), "resourceVersion", json_string("5"));
	CHECK_INT(store_update(st, dup, &e), -ENOENT);
	CHECK_STR(e.msg, "resource does not exist: BGPPeer(crud-missing) with error: <nil>");
	json_decref(dup);

	CHECK_INT(store_delete(st, "BGPPeer", "crud-a", rv1, NULL, &e), -ESTALE);
	CHECK_STR(e.msg, "update conflict: BGPPeer(crud-a)");
	CHECK_INT(store_delete(st, "BGPPeer", "crud-a", rv_of(got), &old, &e), 0);
	CHECK_STR(json_string_value(json_object_get(json_object_get(old, "spec"), "peerIP")),
		  "10.0.0.2");
	CHECK_INT(store_delete(st, "BGPPeer", "crud-a", NULL, NULL, &e), -ENOENT);
	CHECK_STR(e.msg, "resource does not exist: BGPPeer(crud-a) with error: <nil>");
	json_decref(got);
	CHECK_INT(store_get(st, "BGPPeer", "crud-a", &got, &e), -ENOENT);
	CHECK_STR(e.msg, "resource does not exist: BGPPeer(crud-a) with error: <nil>");
	json_decref(a);
	json_decref(old);
}

static void test_list(struct store *st)
{
	static const char *const names[] = {"l-b", "l-a", "l-c", "l-a-1"};
	json_t *items = NULL, *o;
	struct err e;
	int64_t rev = 0;
	size_t i;

	for (i = 0; i < 4; i++) {
		o = peer(names[i], "10.1.0.1");
		CHECK_INT(store_create(st, o, &e), 0);
		json_decref(o);
	}
	CHECK_INT(store_list(st, "BGPPeer", "l-", &items, &rev, &e), 0);
	CHECK_INT(json_array_size(items), 4);
	CHECK_STR(meta(json_array_get(items, 0), "name"), "l-a");
	CHECK_STR(meta(json_array_get(items, 1), "name"), "l-a-1");
	CHECK_STR(meta(json_array_get(items, 2), "name"), "l-b");
	CHECK_STR(meta(json_array_get(items, 3), "name"), "l-c");
	CHECK_INT(rev, store_revision(st));
	json_array_foreach(items, i, o) CHECK(atoll(rv_of(o)) > 0 && atoll(rv_of(o)) <= rev);
	json_decref(items);
	CHECK_INT(store_list(st, "BGPPeer", "l-a", &items, NULL, &e), 0);
	CHECK_INT(json_array_size(items), 2);
	json_decref(items);
	/* Kinds do not leak into each other. */
	CHECK_INT(store_list(st, "IPPool", NULL, &items, NULL, &e), 0);
	CHECK_INT(json_array_size(items), 0);
	json_decref(items);
	for (i = 0; i < 4; i++)
		CHECK_INT(store_delete(st, "BGPPeer", names[i], NULL, NULL, &e), 0);
}

/* 300 creates in one batch: three transactions (etcd's 128-operation
 * limit), a per-resource error in the middle, reads of the batch's own
 * writes. */
static void test_batch(struct store *st)
{
	json_t *objs[300], *got = NULL, *items = NULL, *dup;
	struct err e;
	char name[32];
	int ok = 0;

	CHECK_INT(store_begin(st, &e), 0);
	CHECK_INT(store_begin(st, &e), -EINVAL);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "b-%03d", i);
		objs[i] = peer(name, "10.2.0.1");
		ok += store_create(st, objs[i], &e) == 0;
	}
	CHECK_INT(ok, 300);
	dup = peer("b-005", "10.2.0.2");
	CHECK_INT(store_create(st, dup, &e), -EEXIST);
	CHECK_STR(e.msg, "resource already exists: BGPPeer(b-005) with error: <nil>");
	json_decref(dup);
	/* The last 44 are still queued: a read of one sends them first. */
	CHECK_INT(store_get(st, "BGPPeer", "b-299", &got, &e), 0);
	json_decref(got);
	CHECK_INT(store_commit(st, &e), 0);
	CHECK_INT(store_list(st, "BGPPeer", "b-", &items, NULL, &e), 0);
	CHECK_INT(json_array_size(items), 300);
	CHECK_STR(rv_of(json_array_get(items, 0)), rv_of(objs[0]));
	CHECK_STR(rv_of(json_array_get(items, 127)), rv_of(objs[0]));
	CHECK(atoll(rv_of(objs[128])) > atoll(rv_of(objs[0])));
	CHECK_STR(rv_of(json_array_get(items, 299)), rv_of(objs[299]));
	json_decref(items);

	/* Rollback drops what was not sent. */
	CHECK_INT(store_begin(st, &e), 0);
	for (int i = 0; i < 300; i++)
		store_delete(st, "BGPPeer", meta(objs[i], "name"), NULL, NULL, &e);
	store_rollback(st);
	CHECK_INT(store_list(st, "BGPPeer", "b-", &items, NULL, &e), 0);
	CHECK_INT(json_array_size(items), 300 - 2 * 128);
	json_decref(items);

	/* Another writer between the check and the commit: the commit fails
	 * with the resource named, and nothing of that transaction is kept. */
	{
		struct store *other = open_fx();
		json_t *mine = NULL, *theirs = NULL;

		CHECK_INT(store_begin(st, &e), 0);
		store_get(st, "BGPPeer", "b-298", &mine, &e);
		CHECK_INT(store_update(st, mine, &e), 0);
		store_get(st, "BGPPeer", "b-299", &got, &e);
		CHECK_INT(store_update(st, got, &e), 0); /* queued: checked at commit */
		store_get(other, "BGPPeer", "b-299", &theirs, &e);
		CHECK_INT(store_update(other, theirs, &e), 0);
		CHECK_INT(store_commit(st, &e), -ESTALE);
		CHECK_STR(e.msg, "update conflict: BGPPeer(b-299)");
		json_decref(theirs);
		json_decref(got);
		CHECK_INT(store_get(st, "BGPPeer", "b-298", &got, &e), 0);
		CHECK(strcmp(rv_of(got), rv_of(mine)) != 0); /* the failed txn wrote nothing */
		json_decref(got);
		json_decref(mine);
		store_close(other);
	}
	/* Creates in a batch check one read of the kind's names: another
	 * writer creating the same name afterwards is caught by the
	 * transaction's compare, and none of its writes are applied. */
	{
		struct store *other = open_fx();
		json_t *r1 = peer("b-race-1", "10.2.0.3"), *r2 = peer("b-race-2", "10.2.0.4");
		json_t *theirs = peer("b-race-2", "10.2.0.5");

		CHECK_INT(store_begin(st, &e), 0);
		CHECK_INT(store_create(st, r1, &e), 0);
		CHECK_INT(store_create(other, theirs, &e), 0);
		CHECK_INT(store_create(st, r2, &e), 0);
		CHECK_INT(store_commit(st, &e), -EEXIST);
		CHECK_STR(e.msg, "resource already exists: BGPPeer(b-race-2) with error: <nil>");
		CHECK_INT(store_get(st, "BGPPeer", "b-race-1", &got, &e), -ENOENT);
		/* A delete and a create of one name in one batch: two
		 * transactions (etcd refuses a key twice in one). */
		CHECK_INT(store_begin(st, &e), 0);
		CHECK_INT(store_delete(st, "BGPPeer", "b-race-2", NULL, NULL, &e), 0);
		CHECK_INT(store_create(st, r1, &e), 0);
		json_object_del(json_object_get(r2, "metadata"), "resourceVersion");
		json_object_del(json_object_get(theirs, "metadata"), "resourceVersion");
		CHECK_INT(store_create(st, r2, &e), 0);
		CHECK_INT(store_create(st, theirs, &e), -EEXIST);
		CHECK_INT(store_commit(st, &e), 0);
		CHECK_INT(store_get(st, "BGPPeer", "b-race-2", &got, &e), 0);
		CHECK_STR(rv_of(got), rv_of(r2));
		json_decref(got);
		/* A delete in a batch of something another writer deleted
		 * meanwhile: does not exist, at commit. */
		CHECK_INT(store_begin(st, &e), 0);
		CHECK_INT(store_delete(st, "BGPPeer", "b-race-1", NULL, NULL, &e), 0);
		CHECK_INT(store_delete(other, "BGPPeer", "b-race-2", NULL, NULL, &e), 0);
		CHECK_INT(store_delete(st, "BGPPeer", "b-race-2", NULL, NULL, &e), 0);
		CHECK_INT(store_commit(st, &e), -ENOENT);
		CHECK_STR(e.msg, "resource does not exist: BGPPeer(b-race-2) with error: <nil>");
		CHECK_INT(store_get(st, "BGPPeer", "b-race-1", &got, &e), 0); /* not applied */
		json_decref(got);
		store_delete(st, "BGPPeer", "b-race-1", NULL, NULL, &e);
		json_decref(r1);
		json_decref(r2);
		json_decref(theirs);
		store_close(other);
	}
	/* A batch that reads many resources (apply) reads their kind once
	 * and answers the rest from that; the transaction's compare still
	 * catches a writer that changed one since. */
	{
		struct store *other = open_fx();
		json_t *theirs = NULL;
		int failed = 0;

		CHECK_INT(store_begin(st, &e), 0);
		for (int i = 256; i < 290; i++) {
			snprintf(name, sizeof(name), "b-%03d", i);
			failed += store_get(st, "BGPPeer", name, &got, &e) != 0;
			failed += got && strcmp(meta(got, "name"), name) != 0;
			json_decref(got);
			got = NULL;
		}
		CHECK_INT(failed, 0);
		CHECK_INT(store_get(st, "BGPPeer", "b-nope", &got, &e), -ENOENT);
		CHECK_STR(e.msg, "resource does not exist: BGPPeer(b-nope) with error: <nil>");
		CHECK_INT(store_get(other, "BGPPeer", "b-295", &theirs, &e), 0);
		CHECK_INT(store_update(other, theirs, &e), 0);
		CHECK_INT(store_get(st, "BGPPeer", "b-295", &got, &e), 0);
		CHECK(strcmp(rv_of(got), rv_of(theirs)) != 0); /* as the batch read it */
		CHECK_INT(store_update(st, got, &e), 0);
		CHECK_INT(store_commit(st, &e), -ESTALE);
		CHECK_STR(e.msg, "update conflict: BGPPeer(b-295)");
		json_decref(got);
		json_decref(theirs);
		store_close(other);
	}
	for (int i = 0; i < 300; i++)
		json_decref(objs[i]);
	CHECK_INT(store_list(st, "BGPPeer", "b-", &items, NULL, &e), 0);
	for (size_t i = 0; i < json_array_size(items); i++)
		store_delete(st, "BGPPeer", meta(json_array_get(items, i), "name"), NULL, NULL, &e);
	json_decref(items);
}

static const json_t *change_for(const json_t *changes, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c) if (strcmp(json_string_value(json_object_get(c, "name")),
						     name) == 0) return c;
	return NULL;
}

static void test_changes(struct store *st)
{
	json_t *a = peer("ch-a", "10.3.0.1"), *b = peer("ch-b", "10.3.0.2"), *t = peer("ch-t", "1.1.1.1");
	json_t *changes = NULL;
	struct err e;
	int64_t rev0 = store_revision(st), rev1, now = 0;
	char cmd[128];

	CHECK_INT(store_create(st, a, &e), 0);
	CHECK_INT(store_create(st, b, &e), 0);
	rev1 = store_revision(st);
	CHECK_INT(store_update(st, a, &e), 0);
	CHECK_INT(store_delete(st, "BGPPeer", "ch-b", NULL, NULL, &e), 0);
	CHECK_INT(store_create(st, t, &e), 0);
	CHECK_INT(store_delete(st, "BGPPeer", "ch-t", NULL, NULL, &e), 0);

	CHECK_INT(store_changes_since(st, rev1, &changes, &now, &e), 0);
	CHECK_INT(now, store_revision(st));
	CHECK_INT(json_array_size(changes), 2);
	CHECK_STR(json_string_value(json_object_get(change_for(changes, "ch-a"), "type")), "put");
	CHECK_INT(json_integer_value(json_object_get(change_for(changes, "ch-a"), "revision")),
		  atoll(rv_of(a)));
	CHECK_STR(json_string_value(json_object_get(change_for(changes, "ch-b"), "type")),
		  "delete");
	CHECK_STR(json_string_value(json_object_get(change_for(changes, "ch-b"), "kind")),
		  "BGPPeer");
	/* Ordered by revision: the put of ch-a comes before the delete. */
	CHECK_STR(json_string_value(json_object_get(json_array_get(changes, 0), "name")), "ch-a");
	json_decref(changes);

	/* From before both were created: ch-b never existed at either end. */
	CHECK_INT(store_changes_since(st, rev0, &changes, &now, &e), 0);
	CHECK(change_for(changes, "ch-a") != NULL);
	CHECK(change_for(changes, "ch-b") == NULL);
	json_decref(changes);
	CHECK_INT(store_changes_since(st, now, &changes, &now, &e), 0);
	CHECK_INT(json_array_size(changes), 0);
	json_decref(changes);

	/* Compaction: history before it is gone; the caller must resync. */
	snprintf(cmd, sizeof(cmd), "compaction %lld", (long long)store_revision(st));
	CHECK_INT(fx_etcdctl(&fx, cmd), 0);
	CHECK_INT(store_changes_since(st, rev1, &changes, &now, &e), STORE_ECOMPACTED);
	CHECK(strstr(e.msg, "compacted") != NULL);
	CHECK_INT(store_changes_since(st, store_revision(st), &changes, &now, &e), 0);
	json_decref(changes);
	store_delete(st, "BGPPeer", "ch-a", NULL, NULL, &e);
	json_decref(a);
	json_decref(b);
	json_decref(t);
}

static void test_failover(void)
{
	struct store_config cfg = fx_config(&fx);
	struct store *st = NULL;
	json_t *o = peer("fo", "10.4.0.1"), *got = NULL;
	struct err e;
	char eps[256];

	/* A dead first endpoint: the next one answers. */
	snprintf(eps, sizeof(eps), "http://127.0.0.1:%d, %s", fx_free_port(), fx.endpoint);
	cfg.etcd_endpoints = eps;
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_create(st, o, &e), 0);
	CHECK_INT(store_get(st, "BGPPeer", "fo", &got, &e), 0);
	CHECK_INT(store_delete(st, "BGPPeer", "fo", NULL, NULL, &e), 0);
	store_close(st);
	json_decref(got);
	json_decref(o);

	/* Nothing answers: one error naming every endpoint tried. */
	snprintf(eps, sizeof(eps), "http://127.0.0.1:%d,127.0.0.1:%d", fx_free_port(),
		 fx_free_port());
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_get(st, "BGPPeer", "x", &got, &e), -EIO);
	CHECK(strstr(e.msg, "cannot reach the etcd cluster at any endpoint") != NULL);
	CHECK(strstr(e.msg, "Couldn't connect to server") != NULL);
	CHECK_INT(store_revision(st), -EIO);
	store_close(st);
}

static void test_config_errors(void)
{
	struct store_config cfg = fx_config(&fx);
	struct store *st = NULL;
	struct err e;

	cfg.etcd_endpoints = (char *)" , ";
	CHECK_INT(store_open(&cfg, &st, &e), -EINVAL);
	CHECK(strstr(e.msg, "no etcd endpoints specified") != NULL);
	cfg.etcd_endpoints = (char *)"ftp://127.0.0.1:1";
	CHECK_INT(store_open(&cfg, &st, &e), -EINVAL);
	CHECK_STR(e.msg, "etcdEndpoints: invalid endpoint ftp://127.0.0.1:1: the scheme must be "
			 "http or https");
	cfg.etcd_endpoints = fx.endpoint;
	cfg.etcd_ca_cert_file = (char *)"/nonexistent/ca.pem";
	CHECK_INT(store_open(&cfg, &st, &e), -ENOENT);
	CHECK_STR(e.msg, "etcdCACertFile: cannot read /nonexistent/ca.pem: No such file or "
			 "directory");
	cfg.etcd_ca_cert_file = NULL;
	cfg.etcd_cert_file = (char *)"/etc/hostname";
	CHECK_INT(store_open(&cfg, &st, &e), -EINVAL);
	CHECK(strstr(e.msg, "must be given together") != NULL);
	CHECK(st == NULL);
}

/* Users last: once auth is on, every client needs credentials. */
static void test_auth(void)
{
	struct store_config cfg = fx_config(&fx);
	struct store *st = NULL;
	json_t *o = peer("auth", "10.5.0.1"), *got = NULL;
	struct err e;

	CHECK_INT(fx_etcdctl(&fx, "user add root --new-user-password=s3cret"), 0);
	CHECK_INT(fx_etcdctl(&fx, "user grant-role root root"), 0);
	CHECK_INT(fx_etcdctl(&fx, "auth enable"), 0);

	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_get(st, "BGPPeer", "auth", &got, &e), -EPERM);
	printf("# %s\n", e.msg);
	CHECK(strstr(e.msg, "no etcdUsername is configured") != NULL);
	store_close(st);

	cfg.etcd_username = (char *)"root";
	cfg.etcd_password = (char *)"wrong";
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_get(st, "BGPPeer", "auth", &got, &e), -EPERM);
	CHECK(strstr(e.msg, "etcd authentication as user root failed") != NULL);
	store_close(st);

	cfg.etcd_password = (char *)"s3cret";
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_create(st, o, &e), 0);
	CHECK_INT(store_get(st, "BGPPeer", "auth", &got, &e), 0);
	json_decref(got);
	/* A token etcd no longer accepts (a restarted member forgets simple
	 * tokens): the client authenticates again by itself. */
	fx_kill(&fx);
	if (!fx_restart(&fx)) {
		CHECK_MSG(0, "etcd restarts");
		fx_sh("tail -5 %s/etcd.log", fx.dir);
	}
	CHECK_INT(store_get(st, "BGPPeer", "auth", &got, &e), 0);
	json_decref(got);
	CHECK_INT(store_delete(st, "BGPPeer", "auth", NULL, NULL, &e), 0);
	store_close(st);
	json_decref(o);
}

int main(void)
{
	struct store *st;

	if (!fx_start(&fx, false)) {
		CHECK_MSG(0, "etcd starts");
		fx_stop(&fx);
		return check_done();
	}
	st = open_fx();
	CHECK(st != NULL);
	if (st) {
		test_crud(st);
		test_list(st);
		test_batch(st);
		test_changes(st);
		store_close(st);
	}
	test_failover();
	test_config_errors();
	test_auth();
	fx_stop(&fx);
	return check_done();
}
