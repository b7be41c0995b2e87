/* The etcd watch stream for long-running readers, on the caller's libev
 * loop.
 *
 * One streaming POST /v3/watch over every resource key, driven by libcurl's
 * multi-socket interface: curl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION -> ev_io) and when to call it back
 * (CURLMOPT_TIMERFUNCTION -> ev_timer), so the stream never blocks the
 * loop. The gateway writes one JSON message per line.
 *
 * When the stream ends (member killed, connection reset, an error message)
 * the watch reports STORE_WATCH_LOST, moves to the next endpoint and
 * reconnects after a short delay (doubling up to 2 s while it keeps
 * failing), resuming at the revision after the last one it delivered. If
 * etcd has compacted that revision away it answers "canceled" with a
 * compact_revision: the watch reports STORE_WATCH_RESYNC and resumes from
 * that oldest revision etcd still has. */
#include "store/etcd_kv.h"
#include "store/store_int.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MIN 0.05 /* seconds */
#define RETRY_MAX 2.0
/* A line longer than this is not a watch message we can use. */
#define MAX_LINE (64u << 20)

struct sockw {
	ev_io io;
	struct etcd_watch *w;
};

struct etcd_watch {
	struct store_watch base; /* first: store_watch_stop() sees this */
	struct ev_loop *loop;
	struct etcd_client *cl;
	store_watch_fn fn;
	void *ctx;
	CURLM *multi;
	CURL *easy; /* NULL between connections */
	struct curl_slist *hdrs;
	ev_timer curl_timer; /* curl's timeout */
	ev_timer retry;	     /* reconnect delay */
	double backoff;
	int64_t next_rev; /* resume here (first revision not yet delivered), >= 1 */
	char *line;	  /* the partial message */
	size_t len, cap;
	bool got_data;	  /* this connection delivered a message */
	bool restart;	  /* end this connection and reconnect at once */
	int depth;	  /* inside a callback into fn */
	bool stopped;	  /* store_watch_stop ran inside fn */
	char why[256];	  /* why the stream ended */
};

static void connect_stream(struct etcd_watch *w);

/* ---- messages ---- */

static void deliver(struct etcd_watch *w, enum store_watch_event ev, const json_t *changes,
		    int64_t rev, const char *msg)
{
	w->depth++;
	w->fn(w->ctx, ev, changes, rev, msg);
	w->depth--;
}

static void on_events(struct etcd_watch *w, const json_t *result)
{
	json_t *changes = json_array(), *ev;
	int64_t last = 0;
	size_t i;

	if (!changes)
		return;
	json_array_foreach(json_object_get(result, "events"), i, ev)
	{
		const json_t *kv = json_object_get(ev, "kv");
		const char *type = json_string_value(json_object_get(ev, "type"));
		int64_t mod = etcd_int(kv, "mod_revision");
		char *key = etcd_unb64(json_object_get(kv, "key"), NULL);
		json_t *c = key ? etcd_change(key, type && strcmp(type, "DELETE") == 0, mod) : NULL;

		if (c)
			json_array_append_new(changes, c);
		free(key);
		if (mod > last)
			last = mod;
	}
	if (last >= w->next_rev)
		w->next_rev = last + 1;
	if (json_array_size(changes))
		deliver(w, STORE_WATCH_CHANGED, changes, w->next_rev - 1, NULL);
	json_decref(changes);
}

static void on_message(struct etcd_watch *w, const char *text, size_t len)
{
	json_t *msg = json_loadb(text, len, 0, NULL), *result;

	if (!msg) {
		snprintf(w->why, sizeof(w->why), "etcd sent a watch message that is not JSON");
		w->restart = true;
		return;
	}
	w->got_data = true;
	result = json_object_get(msg, "result");
	if (json_object_get(msg, "error") || !result) {
		const json_t *err = json_object_get(msg, "error");
		const char *m = json_string_value(json_object_get(err, "message"));

		if (etcd_int(err, "grpc_code") == 16 || etcd_int(err, "code") == 16)
			etcd_drop_token(w->cl);
		snprintf(w->why, sizeof(w->why), "etcd ended the watch: %s",
			 m ? m : json_is_string(err) ? json_string_value(err) : "unknown error");
		w->restart = true;
	} else if (etcd_int(result, "compact_revision") > 0) {
		/* Asked for history etcd no longer has. Go on from the oldest
		 * revision it still has: together with the caller's full
		 * re-read nothing after it is missed (a few changes may come
		 * twice, which a re-reader does not mind). */
		int64_t oldest = etcd_int(result, "compact_revision");

		w->next_rev = oldest;
		w->restart = true;
		w->why[0] = '\0';
		deliver(w, STORE_WATCH_RESYNC, NULL, oldest,
			"etcd compacted the revisions the watch would resume from");
	} else if (json_is_true(json_object_get(result, "canceled"))) {
		const char *r = json_string_value(json_object_get(result, "cancel_reason"));

		snprintf(w->why, sizeof(w->why), "etcd canceled the watch: %s",
			 r ? r : "no reason given");
		w->restart = true;
	} else {
		on_events(w, result);
	}
	json_decref(msg);
}

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct etcd_watch *w = ud;
	size_t add = size * n, start = 0;

	if (w->stopped || w->restart)
		return 0; /* ends the transfer */
	if (w->len + add > MAX_LINE) {
		snprintf(w->why, sizeof(w->why), "etcd sent a watch message over %u bytes",
			 MAX_LINE);
		w->restart = true;
		return 0;
	}
	if (w->len + add > w->cap) {
		size_t cap = w->cap ? w->cap : 8192;
		char *p;

		while (cap < w->len + add)
			cap *= 2;
		if (!(p = realloc(w->line, cap)))
			return 0;
		w->line = p;
		w->cap = cap;
	}
	memcpy(w->line + w->len, ptr, add);
	w->len += add;
	for (size_t i = 0; i < w->len && !w->stopped && !w->restart; i++)
		if (w->line[i] == '\n') {
			if (i > start)
				on_message(w, w->line + start, i - start);
			start = i + 1;
		}
	if (w->stopped || w->restart)
		return add; /* the transfer is ended from check_done */
	memmove(w->line, w->line + start, w->len - start);
	w->len -= start;
	return add;
}

/* ---- connection lifecycle ---- */

static void drop_connection(struct etcd_watch *w)
{
	if (w->easy) {
		curl_dl->multi_remove_handle(w->multi, w->easy);
		curl_dl->easy_cleanup(w->easy);
		w->easy = NULL;
	}
	curl_dl->slist_free_all(w->hdrs);
	w->hdrs = NULL;
	w->len = 0;
}

static void destroy(struct etcd_watch *w)
{
	drop_connection(w);
	ev_timer_stop(w->loop, &w->curl_timer);
	ev_timer_stop(w->loop, &w->retry);
	if (w->multi)
		curl_dl->multi_cleanup(w->multi);
	free(w->line);
	free(w);
}

static void schedule_retry(struct etcd_watch *w, double delay)
{
	ev_timer_stop(w->loop, &w->retry);
	ev_timer_set(&w->retry, delay, 0.);
	ev_timer_start(w->loop, &w->retry);
}

/* The connection ended: say so (unless it was a planned restart), move to
 * the next endpoint and come back. */
static void connection_ended(struct etcd_watch *w, const char *why)
{
	bool planned = w->restart && !w->why[0];

	drop_connection(w);
	w->restart = false;
	if (planned) {
		w->backoff = RETRY_MIN;
		schedule_retry(w, 0.);
		return;
	}
	if (w->got_data)
		w->backoff = RETRY_MIN;
	etcd_failover(w->cl);
	deliver(w, STORE_WATCH_LOST, NULL, w->next_rev ? w->next_rev - 1 : 0, why);
	if (w->stopped)
		return;
	schedule_retry(w, w->backoff);
	w->backoff = w->backoff * 2 > RETRY_MAX ? RETRY_MAX : w->backoff * 2;
}

static void check_done(struct etcd_watch *w)
{
	CURLMsg *m;
	int left;

	while ((m = curl_dl->multi_info_read(w->multi, &left)))
		if (m->msg == CURLMSG_DONE && m->easy_handle == w->easy) {
			char why[512];

			if (w->why[0])
				snprintf(why, sizeof(why), "%s", w->why);
			else if (m->data.result != CURLE_OK && m->data.result != CURLE_WRITE_ERROR)
				snprintf(why, sizeof(why), "watch on %s: %s", etcd_endpoint(w->cl),
					 curl_dl->easy_strerror(m->data.result));
			else
				snprintf(why, sizeof(why), "watch on %s: the stream ended",
					 etcd_endpoint(w->cl));
			connection_ended(w, why);
			break;
		}
	if (w->easy && w->restart)
		connection_ended(w, w->why);
}

/* Runs after every entry into curl: handles ended transfers, and a stop
 * requested from inside fn. */
static void after_curl(struct etcd_watch *w)
{
	if (!w->stopped)
		check_done(w);
	if (w->stopped && w->depth == 0)
		destroy(w);
}

static void on_io(struct ev_loop *loop, ev_io *io, int revents)
{
	struct sockw *s = (struct sockw *)io;
	struct etcd_watch *w = s->w;
	int action = (revents & EV_READ ? CURL_CSELECT_IN : 0) |
		     (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
	int running;

	(void)loop;
	curl_dl->multi_socket_action(w->multi, io->fd, action, &running);
	after_curl(w);
}

static void on_curl_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct etcd_watch *w = t->data;
	int running;

	(void)loop;
	(void)revents;
	curl_dl->multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	after_curl(w);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *ud, void *sockp)
{
	struct etcd_watch *w = ud;
	struct sockw *s = sockp;
	int events = (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0);

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			ev_io_stop(w->loop, &s->io);
			free(s);
		}
		curl_dl->multi_assign(w->multi, fd, NULL);
		return 0;
	}
	if (!s) {
		if (!(s = calloc(1, sizeof(*s))))
			return -1;
		s->w = w;
		curl_dl->multi_assign(w->multi, fd, s);
	} else {
		ev_io_stop(w->loop, &s->io);
	}
	ev_io_init(&s->io, on_io, fd, events);
	ev_io_start(w->loop, &s->io);
	return 0;
}

static int timer_cb(CURLM *multi, long ms, void *ud)
{
	struct etcd_watch *w = ud;

	(void)multi;
	ev_timer_stop(w->loop, &w->curl_timer);
	if (ms >= 0) {
		ev_timer_set(&w->curl_timer, (double)ms / 1000., 0.);
		ev_timer_start(w->loop, &w->curl_timer);
	}
	return 0;
}

static void connect_stream(struct etcd_watch *w)
{
	json_t *req;
	char *body = NULL;
	struct err e = {""};
	char start[32];
	int rc;

	snprintf(start, sizeof(start), "%lld", (long long)w->next_rev);
	req = json_pack("{s:{s:o, s:o, s:s}}", "create_request", "key",
			etcd_b64(ETCD_RESOURCE_ROOT, strlen(ETCD_RESOURCE_ROOT)), "range_end",
			etcd_prefix_end(ETCD_RESOURCE_ROOT), "start_revision", start);
	if (req)
		body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	w->got_data = false;
	w->why[0] = '\0';
	w->easy = body ? curl_dl->easy_init() : NULL;
	rc = w->easy ? etcd_stream_setup(w->cl, w->easy, "/v3/watch", body, &w->hdrs, &e)
		     : err_set(&e, -ENOMEM, "out of memory starting the watch");
	free(body);
	if (rc == 0) {
		curl_dl->easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, on_data);
		curl_dl->easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
		if (curl_dl->multi_add_handle(w->multi, w->easy) != CURLM_OK)
			rc = err_set(&e, -EIO, "cannot start the watch transfer");
	}
	if (rc < 0)
		connection_ended(w, e.msg);
}

static void on_retry(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct etcd_watch *w = t->data;

	(void)loop;
	(void)revents;
	connect_stream(w);
	if (w->stopped && w->depth == 0)
		destroy(w);
}

static void etcd_watch_stop(struct store_watch *base)
{
	struct etcd_watch *w = (struct etcd_watch *)base;

	if (w->depth > 0) {
		w->stopped = true;
		return;
	}
	destroy(w);
}

int etcd_watch_start(struct store *st, struct ev_loop *loop, int64_t from_rev,
		     store_watch_fn fn, void *ctx, struct store_watch **out, struct err *e)
{
	struct etcd_watch *w;
	int rc;

	*out = NULL;
	if ((rc = curl_dl_load(e)))
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->multi = curl_dl->multi_init())) {
		free(w);
		return err_set(e, -ENOMEM, "out of memory starting the watch");
	}
	w->base.stop = etcd_watch_stop;
	w->loop = loop;
	w->cl = etcd_store_client(st);
	w->fn = fn;
	w->ctx = ctx;
	w->backoff = RETRY_MIN;
	/* start_revision 0 would mean "now"; from_rev 0 means "everything". */
	w->next_rev = from_rev + 1;
	ev_timer_init(&w->curl_timer, on_curl_timer, 0., 0.);
	w->curl_timer.data = w;
	ev_timer_init(&w->retry, on_retry, 0., 0.);
	w->retry.data = w;
	curl_dl->multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_dl->multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	curl_dl->multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_dl->multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	/* Connect from the loop, so fn never runs inside this call. */
	schedule_retry(w, 0.);
	*out = &w->base;
	return 0;
}
