/* Change notification for the SQLite datastore, on the caller's libev loop.
 *
 * SQLite has no change feed, but every commit writes the database file or
 * its WAL with write(), which inotify reports. The watch listens on the
 * database's directory (the file and its WAL may not exist yet), and after
 * an event reads the changes table from the last revision it delivered
 * (store_changes_since), so subscribers get the same change records as from
 * etcd's watch. A calicoctl write reaches the speaker in milliseconds
 * instead of at the next revision poll. */
#include "store/store_int.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* A WAL commit writes its frames with write() (seen) and then publishes
 * them in the -shm index through a shared mapping (not seen), so the read
 * waits this long after the last event for the writer to finish... */
#define SETTLE 0.005
/* ...and reads once more this long after it, for a writer that a busy
 * machine held up for longer than SETTLE. */
#define LATE 0.1

#define EVENTS (IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_DELETE)

struct sqlite_watch {
	struct store_watch base; /* first: store_watch_stop() sees this */
	struct store *st;
	struct ev_loop *loop;
	int fd;
	ev_io io;
	ev_timer settle, late;
	char *name; /* the database's file name in its directory */
	int64_t rev; /* delivered up to here */
	store_watch_fn fn;
	void *ctx;
	int depth;    /* inside fn */
	bool stopped; /* store_watch_stop ran inside fn */
};

static void destroy(struct sqlite_watch *w)
{
	ev_io_stop(w->loop, &w->io);
	ev_timer_stop(w->loop, &w->settle);
	ev_timer_stop(w->loop, &w->late);
	if (w->fd >= 0)
		close(w->fd);
	free(w->name);
	free(w);
}

static void sqlite_watch_stop(struct store_watch *base)
{
	struct sqlite_watch *w = (struct sqlite_watch *)base;

	if (w->depth > 0)
		w->stopped = true;
	else
		destroy(w);
}

static void deliver(struct sqlite_watch *w, enum store_watch_event ev, const json_t *changes,
		    int64_t rev, const char *msg)
{
	w->depth++;
	w->fn(w->ctx, ev, changes, rev, msg);
	w->depth--;
}

/* Reads what changed since the last delivery and hands it out. */
static void check(struct sqlite_watch *w)
{
	struct err e = {""};
	json_t *changes = NULL;
	int64_t now = 0;

	if (store_changes_since(w->st, w->rev, &changes, &now, &e) < 0) {
		deliver(w, STORE_WATCH_LOST, NULL, w->rev, e.msg);
	} else if (json_array_size(changes) > 0) {
		w->rev = now;
		deliver(w, STORE_WATCH_CHANGED, changes, now, NULL);
	}
	json_decref(changes);
	if (w->stopped && w->depth == 0)
		destroy(w);
}

static void on_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	check(t->data);
}

/* True when an event names the database file, its WAL or its rollback
 * journal (not -shm: readers touch it, and only through a mapping). */
static bool ours(const struct sqlite_watch *w, const struct inotify_event *ev)
{
	size_t n = strlen(w->name);

	if (ev->mask & IN_Q_OVERFLOW)
		return true;
	if (!ev->len || strncmp(ev->name, w->name, n) != 0)
		return false;
	return !ev->name[n] || !strcmp(ev->name + n, "-wal") || !strcmp(ev->name + n, "-journal");
}

static void on_inotify(struct ev_loop *loop, ev_io *io, int revents)
{
	struct sqlite_watch *w = io->data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	(void)revents;
	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;

			hit |= ours(w, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	if (!hit)
		return;
	ev_timer_stop(loop, &w->settle);
	ev_timer_set(&w->settle, SETTLE, 0.);
	ev_timer_start(loop, &w->settle);
	ev_timer_stop(loop, &w->late);
	ev_timer_set(&w->late, LATE, 0.);
	ev_timer_start(loop, &w->late);
}

int sqlite_watch_start(struct store *st, const char *path, struct ev_loop *loop, int64_t from_rev,
		       store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e)
{
	struct sqlite_watch *w = calloc(1, sizeof(*w));
	const char *slash = strrchr(path, '/');
	char *dir;

	*out = NULL;
	if (!w)
		return err_set(e, -ENOMEM, "out of memory starting the watch");
	w->loop = loop;
	w->fd = -1;
	w->name = strdup(slash ? slash + 1 : path);
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!w->name || !dir) {
		free(dir);
		destroy(w);
		return err_set(e, -ENOMEM, "out of memory starting the watch");
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 || inotify_add_watch(w->fd, dir, EVENTS) < 0) {
		int rc = err_set(e, -errno, "cannot watch %s for changes: %s", dir, strerror(errno));

		free(dir);
		destroy(w);
		return rc;
	}
	free(dir);
	w->base.stop = sqlite_watch_stop;
	w->st = st;
	w->rev = from_rev;
	w->fn = fn;
	w->ctx = ctx;
	ev_io_init(&w->io, on_inotify, w->fd, EV_READ);
	w->io.data = w;
	ev_io_start(loop, &w->io);
	ev_init(&w->settle, on_timer);
	w->settle.data = w;
	ev_init(&w->late, on_timer);
	w->late.data = w;
	/* Changes between from_rev and now: from the loop, never inside this
	 * call. */
	ev_timer_set(&w->settle, 0., 0.);
	ev_timer_start(loop, &w->settle);
	*out = &w->base;
	return 0;
}
