#include "speaker/dsync.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "store/store.h"

struct dsync {
	struct ev_loop *loop;
	struct store *store;
	char *node;
	struct planner_env env;
	double replan_interval;
	ev_timer poll;
	ev_timer kick;		    /* a replan soon after a watch event */
	struct store_watch *watch; /* NULL: polling (no watch could start) */
	ev_tstamp last_plan;
	int64_t revision;  /* what the last plan was computed from */
	char *plan_json;   /* canonical JSON of the last plan handed out */
	char last_error[ERR_LEN];
	dsync_plan_fn fn;
	void *ctx;
};

static const char *const plan_kinds[] = {"Node", "BGPConfiguration", "BGPPeer", "IPPool"};
#define N_KINDS (sizeof(plan_kinds) / sizeof(plan_kinds[0]))

/* Logs an error once, not on every poll while it lasts. */
static void report(struct dsync *d, const char *msg)
{
	if (strcmp(d->last_error, msg) == 0)
		return;
	snprintf(d->last_error, sizeof(d->last_error), "%s", msg);
	log_error("datastore: %s", msg);
}

static int plan_from_store(struct dsync *d, struct peering_plan **plan, int64_t *rev, struct err *e)
{
	json_t *lists[N_KINDS] = {0};
	struct planner_input in;
	int rc = 0;

	*rev = store_revision(d->store);
	if (*rev < 0)
		return err_set(e, (int)*rev, "cannot read the datastore revision");
	for (size_t i = 0; i < N_KINDS && rc == 0; i++)
		rc = store_list(d->store, plan_kinds[i], NULL, &lists[i], NULL, e);
	if (rc == 0) {
		in = (struct planner_input){lists[0], lists[1], lists[2], lists[3]};
		rc = planner_plan(&in, d->node, &d->env, plan, e);
	}
	for (size_t i = 0; i < N_KINDS; i++)
		json_decref(lists[i]);
	return rc;
}

static char *plan_text(const struct peering_plan *plan)
{
	json_t *j = peering_plan_to_json(plan);
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(j);
	return s;
}

/* Plans and, when the plan changed, hands it out. */
static void replan(struct dsync *d)
{
	struct peering_plan *plan;
	struct err e = {""};
	int64_t rev;
	char *text;

	d->last_plan = ev_now(d->loop);
	if (plan_from_store(d, &plan, &rev, &e) < 0) {
		report(d, e.msg);
		return;
	}
	d->last_error[0] = '\0';
	d->revision = rev;
	text = plan_text(plan);
	if (text && d->plan_json && strcmp(text, d->plan_json) == 0) {
		free(text);
		peering_plan_free(plan);
		return;
	}
	free(d->plan_json);
	d->plan_json = text;
	log_info("datastore revision %lld: new plan with %zu sessions", (long long)rev,
		 plan->n_sessions);
	if (d->fn)
		d->fn(d->ctx, plan);
	else
		peering_plan_free(plan);
}

static bool plan_kind(const char *kind)
{
	for (size_t i = 0; kind && i < N_KINDS; i++)
		if (strcmp(kind, plan_kinds[i]) == 0)
			return true;
	return false;
}

/* Replans a moment after a watch event rather than inside it: a burst of
 * events (a `calicoctl create -f` of many resources arrives in one or a
 * few messages) costs one replan. */
static void kick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	replan(w->data);
}

static void watch_cb(void *ctx, enum store_watch_event ev, const json_t *changes, int64_t rev,
		     const char *msg)
{
	struct dsync *d = ctx;
	bool relevant = ev == STORE_WATCH_RESYNC;
	size_t i;
	json_t *c;

	if (ev == STORE_WATCH_LOST) {
		report(d, msg);
		return;
	}
	if (d->last_error[0]) {
		log_info("datastore: watch resumed at revision %lld", (long long)rev);
		d->last_error[0] = '\0';
	}
	if (ev == STORE_WATCH_RESYNC)
		log_warn("datastore: %s; re-reading everything", msg);
	/* The speaker's own CalicoNodeStatus writes do not change the plan. */
	json_array_foreach(changes, i, c) relevant |=
	    plan_kind(json_string_value(json_object_get(c, "kind")));
	if (relevant && !ev_is_active(&d->kick))
		ev_timer_start(d->loop, &d->kick);
}

static void poll_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dsync *d = w->data;
	int64_t rev = store_revision(d->store);

	(void)loop;
	(void)revents;
	if (rev < 0) {
		report(d, "cannot read the datastore revision");
		return;
	}
	if (rev != d->revision || ev_now(d->loop) - d->last_plan >= d->replan_interval)
		replan(d);
}

int dsync_new(struct ev_loop *loop, const struct dsync_options *o, dsync_plan_fn fn, void *ctx,
	      struct dsync **out, struct err *e)
{
	struct dsync *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return err_set(e, -ENOMEM, "out of memory");
	d->loop = loop;
	d->fn = fn;
	d->ctx = ctx;
	d->env = o->env;
	d->replan_interval = o->replan_interval > 0 ? o->replan_interval : 10.0;
	d->revision = -1;
	d->node = strdup(o->node);
	if (!d->node) {
		free(d);
		return err_set(e, -ENOMEM, "out of memory");
	}
	rc = store_open(o->store, &d->store, e);
	if (rc < 0) {
		dsync_free(d);
		return rc;
	}
	ev_timer_init(&d->poll, poll_cb, 0., o->poll_interval > 0 ? o->poll_interval : 0.1);
	d->poll.data = d;
	ev_timer_init(&d->kick, kick_cb, DSYNC_KICK_DELAY, 0.);
	d->kick.data = d;
	*out = d;
	return 0;
}

void dsync_free(struct dsync *d)
{
	if (!d)
		return;
	if (d->loop) {
		ev_timer_stop(d->loop, &d->poll);
		ev_timer_stop(d->loop, &d->kick);
	}
	store_watch_stop(d->watch);
	store_close(d->store);
	free(d->plan_json);
	free(d->node);
	free(d);
}

int dsync_plan_now(struct dsync *d, struct peering_plan **plan, struct err *e)
{
	int64_t rev;
	int rc = plan_from_store(d, plan, &rev, e);

	if (rc < 0)
		return rc;
	d->revision = rev;
	d->last_plan = ev_now(d->loop);
	free(d->plan_json);
	d->plan_json = plan_text(*plan);
	return 0;
}

void dsync_set_callback(struct dsync *d, dsync_plan_fn fn, void *ctx)
{
	d->fn = fn;
	d->ctx = ctx;
}

void dsync_start(struct dsync *d)
{
	struct err e = {""};
	int rc = 0;

	if (!d->watch)
		rc = store_watch_start(d->store, d->loop, d->revision > 0 ? d->revision : 0,
				       watch_cb, d, &d->watch, &e);
	if (rc == 0) {
		/* Changes come from the watch; the timer only replans for
		 * secrets and is a safety net should the watch miss one. */
		d->poll.repeat = d->replan_interval;
		log_info("datastore: watching for changes after revision %lld",
			 (long long)d->revision);
	} else if (rc != -ENOTSUP) {
		log_warn("datastore: cannot watch (%s); polling instead", e.msg);
	}
	ev_timer_again(d->loop, &d->poll);
}

struct store *dsync_store(struct dsync *d)
{
	return d->store;
}

int64_t dsync_revision(const struct dsync *d)
{
	return d->revision;
}
