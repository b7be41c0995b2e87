/* The etcd watch (store_watch_start) on a libev loop against a private etcd:
 * a change arrives within 300 ms, deletes are reported, a compacted resume
 * revision asks for a resync, a killed member is reconnected to and the
 * changes made meanwhile are delivered, a dead first endpoint is skipped.
 * Then TLS with a CA and a client certificate, for
 * the store and the watch. */
#include "store/store.h"
#include "tests/unit/check.h"
#include "tests/unit/test_store_etcd_fixture.h"

#include <ev.h>
#include "ev_fixture.h"

static struct etcd_fixture fx;

struct seen {
	struct ev_loop *loop;
	int changed, resync, lost;
	json_t *changes; /* every change record delivered */
	int64_t rev;	 /* of the last event */
	ev_tstamp first_change;
	bool stop_in_cb;
	struct store_watch **self;
	const char *want; /* break the loop when a change for this name arrives */
};

static void on_watch(void *ctx, enum store_watch_event ev, const json_t *changes, int64_t rev,
		     const char *msg)
{
	struct seen *s = ctx;
	size_t i;
	json_t *c;

	s->rev = rev;
	if (ev == STORE_WATCH_LOST) {
		s->lost++;
		printf("# lost: %s\n", msg);
		return;
	}
	if (ev == STORE_WATCH_RESYNC) {
		s->resync++;
		ev_break(s->loop, EVBREAK_ALL);
		return;
	}
	s->changed++;
	if (!s->first_change)
		s->first_change = ev_time();
	json_array_foreach(changes, i, c)
	{
		json_array_append(s->changes, c);
		if (s->want && strcmp(json_string_value(json_object_get(c, "name")), s->want) == 0)
			ev_break(s->loop, EVBREAK_ALL);
	}
	if (s->stop_in_cb) {
		store_watch_stop(*s->self);
		*s->self = NULL;
	}
}

static json_t *peer(const char *name)
{
	return json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:i}}", "apiVersion",
			 "projectcalico.org/v3", "kind", "BGPPeer", "metadata", "name", name, "spec",
			 "peerIP", "10.9.0.1", "asNumber", 64512);
}

static int put(struct store *st, const char *name)
{
	json_t *o = peer(name);
	struct err e;
	int rc = store_create(st, o, &e);

	if (rc < 0)
		printf("# create %s: %s\n", name, e.msg);
	json_decref(o);
	return rc;
}

/* A write made from a timer on the loop, timed. */
struct writer {
	ev_timer t;
	struct store *st;
	const char *name;
	bool del;
	ev_tstamp at, done;
};

static void write_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct writer *w = (struct writer *)t;
	struct err e;

	(void)loop;
	(void)revents;
	w->at = ev_time();
	if (w->del)
		store_delete(w->st, "BGPPeer", w->name, NULL, NULL, &e);
	else
		put(w->st, w->name);
	w->done = ev_time();
}

static const json_t *last_for(const json_t *changes, const char *name)
{
	const json_t *found = NULL;
	size_t i;
	json_t *c;

	json_array_foreach(changes, i, c) if (strcmp(json_string_value(json_object_get(c, "name")),
						     name) == 0) found = c;
	return found;
}

static struct store *open_cfg(struct store_config *cfg)
{
	struct store *st = NULL;
	struct err e;

	if (store_open(cfg, &st, &e) < 0)
		printf("# store_open: %s\n", e.msg);
	return st;
}

static void test_latency(struct store *st, struct store *writer_st, struct ev_loop *loop)
{
	struct seen s = {.loop = loop, .changes = json_array(), .want = "w-fast"};
	struct store_watch *w = NULL;
	struct writer wr = {.st = writer_st, .name = "w-fast"};
	struct err e;
	const json_t *c;

	CHECK_INT(store_watch_start(st, loop, store_revision(st), on_watch, &s, &w, &e), 0);
	/* Let the stream connect, then write (from now: the loop's clock
	 * stood still while etcd started). */
	ev_now_update(loop);
	ev_timer_init(&wr.t, write_cb, 0.3, 0.);
	ev_timer_start(loop, &wr.t);
	run_for(loop, 5.0);
	CHECK(wr.at > 0 && s.first_change > 0);
	printf("# watch latency: %.1f ms (the write itself took %.1f ms)\n",
	       (s.first_change - wr.at) * 1000., (wr.done - wr.at) * 1000.);
	CHECK_MSG(s.first_change - wr.at < 0.3, "a change arrives within 300 ms");
	c = last_for(s.changes, "w-fast");
	CHECK(c != NULL);
	CHECK_STR(json_string_value(json_object_get(c, "type")), "put");
	CHECK_STR(json_string_value(json_object_get(c, "kind")), "BGPPeer");

	/* A delete is reported as one. */
	wr.del = true;
	ev_timer_set(&wr.t, 0.05, 0.);
	ev_timer_start(loop, &wr.t);
	json_array_clear(s.changes);
	run_for(loop, 5.0);
	c = last_for(s.changes, "w-fast");
	CHECK(c != NULL);
	CHECK_STR(c ? json_string_value(json_object_get(c, "type")) : "", "delete");
	CHECK_INT(s.lost, 0);
	store_watch_stop(w);
	json_decref(s.changes);
}

/* Resuming from a revision etcd compacted away: RESYNC, then the watch
 * goes on from the present. */
static void test_compacted(struct store *st, struct store *writer_st, struct ev_loop *loop)
{
	struct seen s = {.loop = loop, .changes = json_array(), .want = "w-after"};
	struct store_watch *w = NULL;
	int64_t old = store_revision(st);
	struct err e;
	char cmd[64];

	put(writer_st, "w-c1");
	put(writer_st, "w-c2");
	snprintf(cmd, sizeof(cmd), "compaction %lld", (long long)store_revision(st));
	CHECK_INT(fx_etcdctl(&fx, cmd), 0);
	CHECK_INT(store_watch_start(st, loop, old, on_watch, &s, &w, &e), 0);
	run_for(loop, 5.0);
	CHECK_INT(s.resync, 1);
	CHECK(s.rev >= old + 2);
	put(writer_st, "w-after");
	run_for(loop, 5.0);
	CHECK(last_for(s.changes, "w-after") != NULL);
	CHECK(last_for(s.changes, "w-c1") == NULL);
	store_watch_stop(w);
	json_decref(s.changes);
}

/* The member dies and comes back: LOST, then the watch resumes after the
 * last revision it delivered, so a write made while it was down is not
 * missed. */
static void test_reconnect(struct store *st, struct ev_loop *loop)
{
	struct seen s = {.loop = loop, .changes = json_array(), .want = "w-before"};
	struct store_watch *w = NULL;
	struct store *other;
	struct err e;

	CHECK_INT(store_watch_start(st, loop, store_revision(st), on_watch, &s, &w, &e), 0);
	other = open_cfg(&(struct store_config){.backend = STORE_BACKEND_ETCDV3,
						.etcd_endpoints = fx.endpoint});
	put(other, "w-before");
	run_for(loop, 5.0);
	CHECK(last_for(s.changes, "w-before") != NULL);
	fx_kill(&fx);
	run_for(loop, 0.5);
	CHECK(s.lost >= 1);
	CHECK(fx_restart(&fx));
	put(other, "w-while-away"); /* may land before the watch is back */
	s.want = "w-while-away";
	run_for(loop, 10.0);
	CHECK(last_for(s.changes, "w-while-away") != NULL);
	store_watch_stop(w);
	store_close(other);
	json_decref(s.changes);
}

/* The first endpoint is dead: the watch moves on; and the callback may
 * stop its own watch. */
static void test_failover_and_stop(struct ev_loop *loop)
{
	char eps[256];
	struct store_config cfg = {.backend = STORE_BACKEND_ETCDV3, .etcd_endpoints = eps};
	struct seen s = {.loop = loop, .changes = json_array(), .want = "w-fo", .stop_in_cb = true};
	struct store_watch *w = NULL;
	struct store *st, *other;
	struct err e;

	snprintf(eps, sizeof(eps), "http://127.0.0.1:%d,%s", fx_free_port(), fx.endpoint);
	st = open_cfg(&cfg);
	other = open_cfg(&(struct store_config){.backend = STORE_BACKEND_ETCDV3,
						.etcd_endpoints = fx.endpoint});
	s.self = &w;
	CHECK_INT(store_watch_start(st, loop, store_revision(other), on_watch, &s, &w, &e), 0);
	run_for(loop, 0.5);
	put(other, "w-fo");
	run_for(loop, 5.0);
	CHECK(last_for(s.changes, "w-fo") != NULL);
	CHECK(w == NULL); /* stopped from inside the callback */
	put(other, "w-fo2");
	run_for(loop, 0.3);
	CHECK(last_for(s.changes, "w-fo2") == NULL);
	store_close(st);
	store_close(other);
	json_decref(s.changes);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n = 0;

	if (f && buf)
		n = fread(buf, 1, 65535, f);
	if (f)
		fclose(f);
	if (!n) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_tls(struct ev_loop *loop)
{
	struct etcd_fixture tfx;
	struct store_config cfg;
	struct seen s = {.loop = loop, .changes = json_array(), .want = "tls-2"};
	struct store_watch *w = NULL;
	struct store *st;
	json_t *got = NULL;
	struct err e;

	if (!fx_start(&tfx, true)) {
		CHECK_MSG(0, "etcd with TLS starts");
		fx_stop(&tfx);
		json_decref(s.changes);
		return;
	}
	cfg = fx_config(&tfx);
	st = open_cfg(&cfg);
	CHECK_INT(put(st, "tls-1"), 0);
	CHECK_INT(store_get(st, "BGPPeer", "tls-1", &got, &e), 0);
	json_decref(got);
	CHECK_INT(store_watch_start(st, loop, store_revision(st), on_watch, &s, &w, &e), 0);
	run_for(loop, 0.3);
	CHECK_INT(put(st, "tls-2"), 0);
	run_for(loop, 5.0);
	CHECK(last_for(s.changes, "tls-2") != NULL);
	store_watch_stop(w);
	store_close(st);

	/* Without the client certificate the member refuses the handshake. */
	cfg.etcd_cert_file = cfg.etcd_key_file = NULL;
	st = open_cfg(&cfg);
	CHECK_INT(store_get(st, "BGPPeer", "tls-1", &got, &e), -EIO);
	printf("# %s\n", e.msg);
	CHECK(strstr(e.msg, "cannot reach the etcd cluster") != NULL);
	store_close(st);
	/* Without the CA the server certificate is not trusted. */
	cfg = fx_config(&tfx);
	cfg.etcd_ca_cert_file = NULL;
	st = open_cfg(&cfg);
	CHECK_INT(store_get(st, "BGPPeer", "tls-1", &got, &e), -EIO);
	printf("# %s\n", e.msg);
	CHECK(strstr(e.msg, "SSL certificate problem") != NULL);
	store_close(st);
	/* The inline PEM forms of calicoctl.cfg (etcdCACert, etcdCert,
	 * etcdKey) instead of files. */
	cfg = fx_config(&tfx);
	cfg.etcd_ca_cert = read_file(tfx.ca);
	cfg.etcd_cert = read_file(tfx.cert);
	cfg.etcd_key = read_file(tfx.key);
	cfg.etcd_ca_cert_file = cfg.etcd_cert_file = cfg.etcd_key_file = NULL;
	CHECK(cfg.etcd_ca_cert && cfg.etcd_cert && cfg.etcd_key);
	st = open_cfg(&cfg);
	CHECK_INT(st ? store_get(st, "BGPPeer", "tls-1", &got, &e) : -1, 0);
	json_decref(got);
	store_close(st);
	free(cfg.etcd_ca_cert);
	free(cfg.etcd_cert);
	free(cfg.etcd_key);
	/* An endpoint without a scheme gets https when TLS is configured. */
	cfg = fx_config(&tfx);
	cfg.etcd_endpoints = tfx.endpoint + strlen("https://");
	st = open_cfg(&cfg);
	CHECK_INT(store_get(st, "BGPPeer", "tls-1", &got, &e), 0);
	json_decref(got);
	store_close(st);
	fx_stop(&tfx);
	json_decref(s.changes);
}

int main(void)
{
	struct ev_loop *loop = ev_loop_new(0);
	struct store_config cfg;
	struct store *st, *writer_st;

	if (!fx_start(&fx, false)) {
		CHECK_MSG(0, "etcd starts");
		fx_stop(&fx);
		return check_done();
	}
	cfg = fx_config(&fx);
	st = open_cfg(&cfg);
	writer_st = open_cfg(&cfg);
	test_latency(st, writer_st, loop);
	test_compacted(st, writer_st, loop);
	test_reconnect(st, loop);
	store_close(writer_st);
	store_close(st);
	test_failover_and_stop(loop);
	fx_stop(&fx);
	test_tls(loop);
	ev_loop_destroy(loop);
	return check_done();
}
