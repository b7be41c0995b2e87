/* The speaker's datastore sync on etcd: a change reaches the planner
 * through the watch well within 300 ms (SQLite polls; test_dsync.c), the
 * speaker's own status writes do not replan, and a killed member does not
 * stop later changes from arriving. */
#include "speaker/dsync.h"
#include "store/store.h"
#include "tests/unit/check.h"
#include "tests/unit/test_store_etcd_fixture.h"

#include <ev.h>
#include "ev_fixture.h"

static struct etcd_fixture fx;

static void put(struct store *st, const char *json)
{
	json_error_t je;
	json_t *o = json_loads(json, 0, &je);
	struct err e;

	if (!o || store_create(st, o, &e) != 0)
		printf("# cannot create %s: %s\n", json, o ? e.msg : je.text);
	json_decref(o);
}

struct catcher {
	int plans;
	struct peering_plan *last;
	struct ev_loop *loop;
	ev_tstamp at;
};

static void on_plan(void *ctx, struct peering_plan *plan)
{
	struct catcher *c = ctx;

	c->plans++;
	c->at = ev_time();
	peering_plan_free(c->last);
	c->last = plan;
	ev_break(c->loop, EVBREAK_ALL);
}

int main(void)
{
	struct store_config cfg;
	/* A poll interval far longer than the test: only the watch can
	 * deliver changes in time. */
	struct dsync_options o = {.store = &cfg, .node = "node1", .poll_interval = 60,
				  .replan_interval = 60};
	struct catcher c = {0};
	struct peering_plan *plan = NULL;
	struct store *st;
	struct dsync *d;
	struct err e;
	ev_tstamp t0;

	if (!fx_start(&fx, false)) {
		CHECK_MSG(0, "etcd starts");
		fx_stop(&fx);
		return check_done();
	}
	cfg = fx_config(&fx);
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	put(st, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"node1\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/24\"}}}");
	put(st, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"node2\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.2/24\"}}}");

	c.loop = ev_loop_new(0);
	CHECK_INT(dsync_new(c.loop, &o, on_plan, &c, &d, &e), 0);
	CHECK_INT(dsync_plan_now(d, &plan, &e), 0);
	CHECK_INT(plan ? (long long)plan->n_sessions : -1, 1);
	peering_plan_free(plan);
	dsync_start(d);
	run_for(c.loop, 0.3);
	CHECK_INT(c.plans, 0);

	/* A global peer appears. */
	t0 = ev_time();
	put(st, "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"tor\"},\"spec\":{\"peerIP\":\"10.0.0.254\",\"asNumber\":64567}}");
	run_for(c.loop, 5.0);
	CHECK_INT(c.plans, 1);
	printf("# change to plan: %.1f ms\n", (c.at - t0) * 1000.);
	CHECK_MSG(c.plans == 1 && c.at - t0 < 0.3, "the new plan comes within 300 ms");
	CHECK(c.last && c.last->n_sessions == 2);

	/* A status write is no reason to replan. */
	put(st, "{\"kind\":\"CalicoNodeStatus\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":"
		"{\"name\":\"s\"},\"spec\":{\"node\":\"node1\",\"classes\":[\"BGP\"],"
		"\"updatePeriodSeconds\":5}}");
	run_for(c.loop, 0.3);
	CHECK_INT(c.plans, 1);

	/* The member restarts; the next change still arrives. */
	fx_kill(&fx);
	run_for(c.loop, 0.3);
	CHECK(fx_restart(&fx));
	put(st, "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"tor2\"},\"spec\":{\"peerIP\":\"10.0.0.253\",\"asNumber\":64567}}");
	run_for(c.loop, 10.0);
	CHECK_INT(c.plans, 2);
	CHECK(c.last && c.last->n_sessions == 3);

	peering_plan_free(c.last);
	dsync_free(d);
	ev_loop_destroy(c.loop);
	store_close(st);
	fx_stop(&fx);
	return check_done();
}
