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
	*out = d;
	return 0;
}

void dsync_free(struct dsync *d)
{
	if (!d)
		return;
	if (d->loop)
		ev_timer_stop(d->loop, &d->poll);
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
