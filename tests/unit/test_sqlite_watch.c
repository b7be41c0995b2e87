/* The SQLite datastore's watch (store/sqlite_watch.c): writes by another
 * connection arrive as change records on the loop, unrelated files in the
 * directory do not wake it, and it can be stopped from its own callback. */
#include "store/store.h"
#include "tests/unit/check.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ev_fixture.h"

struct seen {
	struct ev_loop *loop;
	int calls;
	enum store_watch_event ev;
	json_t *changes;
	int64_t rev;
	struct store_watch **stop_me; /* stop the watch inside the callback */
};

static void on_change(void *ctx, enum store_watch_event ev, const json_t *changes, int64_t rev,
		      const char *msg)
{
	struct seen *s = ctx;

	(void)msg;
	s->calls++;
	s->ev = ev;
	s->rev = rev;
	json_decref(s->changes);
	s->changes = changes ? json_deep_copy(changes) : NULL;
	if (s->stop_me) {
		store_watch_stop(*s->stop_me);
		*s->stop_me = NULL;
	}
	ev_break(s->loop, EVBREAK_ALL);
}

static void put(struct store *st, const char *name)
{
	char buf[256];
	json_t *o;
	struct err e;

	snprintf(buf, sizeof(buf),
		 "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":"
		 "{\"name\":\"%s\"},\"spec\":{\"peerIP\":\"10.0.0.9\",\"asNumber\":64512}}",
		 name);
	o = json_loads(buf, 0, NULL);
	if (store_create(st, o, &e))
		printf("# create %s: %s\n", name, e.msg);
	json_decref(o);
}

static const char *change_field(const struct seen *s, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(s->changes, i), key));
}

int main(void)
{
	char dir[] = "/tmp/sqlite-watch-XXXXXX", path[128], other[160];
	struct store_config cfg = {0};
	struct store *st, *writer;
	struct store_watch *w = NULL;
	struct seen s = {0};
	struct err e = {""};
	ev_tstamp t0;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	s.loop = ev_loop_new(0);
	snprintf(path, sizeof(path), "%s/calico.db", dir);
	cfg.backend = STORE_BACKEND_SQLITE;
	cfg.sqlite_path = path;
	cfg.busy_timeout_ms = 1000;

	/* Watching before the file exists: its creation is a change. */
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	CHECK_INT(store_watch_start(st, s.loop, 0, on_change, &s, &w, &e), 0);
	CHECK(w != NULL);
	run_for(s.loop, 0.05);
	CHECK_INT(s.calls, 0);

	CHECK_INT(store_open(&cfg, &writer, &e), 0);
	put(writer, "a");
	t0 = ev_time();
	run_for(s.loop, 2.0);
	printf("# first change delivered after %.1f ms\n", (ev_time() - t0) * 1000);
	CHECK_INT(s.calls, 1);
	CHECK_INT(s.ev, STORE_WATCH_CHANGED);
	CHECK_INT(json_array_size(s.changes), 1);
	CHECK_STR(change_field(&s, 0, "type"), "put");
	CHECK_STR(change_field(&s, 0, "kind"), "BGPPeer");
	CHECK_STR(change_field(&s, 0, "name"), "a");
	CHECK_INT(s.rev, store_revision(writer));

	/* A batch of writes in one transaction arrives as one delivery. */
	CHECK_INT(store_begin(writer, &e), 0);
	put(writer, "b");
	put(writer, "c");
	CHECK_INT(store_commit(writer, &e), 0);
	run_for(s.loop, 2.0);
	CHECK_INT(s.calls, 2);
	CHECK_INT(json_array_size(s.changes), 2);
	CHECK_STR(change_field(&s, 1, "name"), "c");

	/* A deletion. */
	CHECK_INT(store_delete(writer, "BGPPeer", "b", NULL, NULL, &e), 0);
	run_for(s.loop, 2.0);
	CHECK_INT(s.calls, 3);
	CHECK_STR(change_field(&s, 0, "type"), "delete");
	CHECK_STR(change_field(&s, 0, "name"), "b");

	/* Another file in the directory does not wake the watch. */
	snprintf(other, sizeof(other), "%s/calico.db.bak", dir);
	f = fopen(other, "w");
	if (f) {
		fputs("x", f);
		fclose(f);
	}
	run_for(s.loop, 0.2);
	CHECK_INT(s.calls, 3);

	/* Stopped from inside its callback: no use after free (ASan). */
	s.stop_me = &w;
	put(writer, "d");
	run_for(s.loop, 2.0);
	CHECK_INT(s.calls, 4);
	CHECK(w == NULL);
	put(writer, "e");
	run_for(s.loop, 0.2);
	CHECK_INT(s.calls, 4);

	/* A directory that does not exist. */
	{
		struct store_config bad = cfg;
		struct store *st2;

		bad.sqlite_path = "/nonexistent-calico-dir/calico.db";
		CHECK_INT(store_open(&bad, &st2, &e), 0);
		CHECK(store_watch_start(st2, s.loop, 0, on_change, &s, &w, &e) < 0);
		CHECK_STR(e.msg, "cannot watch /nonexistent-calico-dir for changes: No such file or "
				 "directory");
		CHECK(w == NULL);
		store_close(st2);
	}

	json_decref(s.changes);
	store_close(writer);
	store_close(st);
	ev_loop_destroy(s.loop);
	snprintf(other, sizeof(other), "rm -rf %s", dir);
	CHECK_INT(system(other), 0);
	return check_done();
}
