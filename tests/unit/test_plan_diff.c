/* Soft reconfiguration decisions: which sessions a new plan keeps,
 * re-establishes, adds and removes, and which routes change. */
#include <stdlib.h>

#include "lib/peering.h"
#include "speaker/plan.h"
#include "tests/unit/check.h"

static struct peering_plan *parse(const char *text)
{
	json_t *doc = json_loads(text, 0, NULL);
	struct peering_plan *p = NULL;
	struct err e = { "" };

	if (!doc || peering_plan_parse(doc, &p, &e))
		printf("# bad test plan: %s\n", e.msg);
	json_decref(doc);
	return p;
}

#define BASE "\"routerID\":\"1.1.1.1\",\"asNumber\":65001"

static void test_sessions(void)
{
	struct peering_plan *a = parse(
		"{" BASE ",\"sessions\":["
		"{\"peerIP\":\"10.0.0.2\",\"peerASNumber\":65002},"
		"{\"peerIP\":\"10.0.0.3\",\"peerASNumber\":65003},"
		"{\"peerIP\":\"10.0.0.4\",\"peerASNumber\":65004}]}");
	struct peering_plan *b = parse(
		"{" BASE ",\"sessions\":["
		"{\"peerIP\":\"10.0.0.2\",\"peerASNumber\":65002},"
		"{\"peerIP\":\"10.0.0.3\",\"peerASNumber\":65003,\"password\":\"new\"},"
		"{\"peerIP\":\"10.0.0.5\",\"peerASNumber\":65005}]}");
	struct plan_diff d;

	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_INT(plan_diff(a, b, &d), 0);
	CHECK(!d.restart_all);
	CHECK_INT(d.change[0], PLAN_SAME); /* Node_10_0_0_2 */
	CHECK_INT(d.old_index[0], 0);
	CHECK_INT(d.change[1], PLAN_CHANGED); /* password changed */
	CHECK_INT(d.old_index[1], 1);
	CHECK_INT(d.change[2], PLAN_ADDED);
	CHECK_INT(d.old_index[2], -1);
	CHECK(!d.removed[0] && !d.removed[1] && d.removed[2]);
	CHECK_INT(d.n_same, 1);
	CHECK_INT(d.n_changed, 1);
	CHECK_INT(d.n_added, 1);
	CHECK_INT(d.n_removed, 1);
	plan_diff_free(&d);

	/* no running plan: everything is added */
	CHECK_INT(plan_diff(NULL, a, &d), 0);
	CHECK_INT(d.n_added, 3);
	CHECK_INT(d.n_removed, 0);
	plan_diff_free(&d);

	/* identical plans change nothing */
	CHECK_INT(plan_diff(a, a, &d), 0);
	CHECK_INT(d.n_same, 3);
	CHECK_INT(d.n_changed + d.n_added + d.n_removed, 0);
	plan_diff_free(&d);
	peering_plan_free(a);
	peering_plan_free(b);
}

static void test_restart_all(void)
{
	struct peering_plan *a = parse("{" BASE ",\"sessions\":[{\"peerIP\":\"10.0.0.2\","
				       "\"peerASNumber\":65002}],\"routes\":[{\"prefix\":"
				       "\"10.1.0.0/24\"}]}");
	struct peering_plan *b = parse("{\"routerID\":\"1.1.1.9\",\"asNumber\":65001,"
				       "\"sessions\":[{\"peerIP\":\"10.0.0.2\","
				       "\"peerASNumber\":65002}],\"routes\":[{\"prefix\":"
				       "\"10.1.0.0/24\"}]}");
	struct plan_diff d;

	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_INT(plan_diff(a, b, &d), 0);
	CHECK(d.restart_all);
	CHECK_INT(d.change[0], PLAN_CHANGED);
	CHECK(d.route_added[0]);
	plan_diff_free(&d);
	peering_plan_free(a);
	peering_plan_free(b);
}

static void test_routes(void)
{
	struct peering_plan *a = parse("{" BASE ",\"routes\":["
				       "{\"prefix\":\"10.1.0.0/24\"},"
				       "{\"prefix\":\"10.2.0.0/24\",\"communities\":[\"1:1\"]},"
				       "{\"prefix\":\"fd00::/64\"}]}");
	struct peering_plan *b = parse("{" BASE ",\"routes\":["
				       "{\"prefix\":\"10.1.0.0/24\"},"
				       "{\"prefix\":\"10.2.0.0/24\",\"communities\":[\"1:2\"]},"
				       "{\"prefix\":\"fd01::/64\"}]}");
	struct plan_diff d;

	CHECK(a && b);
	if (!a || !b)
		return;
	CHECK_INT(plan_diff(a, b, &d), 0);
	CHECK(!d.route_removed[0]);
	CHECK(!d.route_removed[1]); /* same prefix: re-originated, not withdrawn */
	CHECK(d.route_removed[2]);
	CHECK(!d.route_added[0]);
	CHECK(d.route_added[1]); /* communities changed */
	CHECK(d.route_added[2]);
	CHECK_INT(d.n_routes_added, 2);
	CHECK_INT(d.n_routes_removed, 1);
	CHECK(plan_route_equal(&a->routes[0], &b->routes[0]));
	CHECK(!plan_route_equal(&a->routes[1], &b->routes[1]));
	plan_diff_free(&d);
	peering_plan_free(a);
	peering_plan_free(b);
}

int main(void)
{
	test_sessions();
	test_restart_all();
	test_routes();
	return check_done();
}
