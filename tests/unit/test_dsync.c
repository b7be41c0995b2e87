/* Datastore mode: plans computed from a real (temporary) SQLite datastore,
 * re-planned when it changes; Calico's pool export rules from a plan. */
#include "speaker/dsync.h"
#include "speaker/poolpolicy.h"
#include "speaker/rib.h"
#include "store/store.h"
#include "tests/unit/check.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "ev_fixture.h"

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
};

static void on_plan(void *ctx, struct peering_plan *plan)
{
	struct catcher *c = ctx;

	c->plans++;
	peering_plan_free(c->last);
	c->last = plan;
	ev_break(c->loop, EVBREAK_ALL);
}

static struct bgp_prefix p4(const char *addr, int len)
{
	struct bgp_prefix p = {.family = BGP_FAM_IPV4, .len = (uint8_t)len};

	inet_pton(AF_INET, addr, p.addr);
	return p;
}

int main(void)
{
	char dir[] = "/tmp/dsync-test-XXXXXX", path[128];
	struct store_config cfg = {0};
	struct dsync_options o = {.store = &cfg, .node = "node1", .poll_interval = 0.02};
	struct catcher c = {0};
	struct peering_plan *plan;
	struct pool_policy pp;
	struct bgp_prefix p;
	struct store *st;
	struct dsync *d;
	struct err e;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/calico.db", dir);
	cfg.backend = STORE_BACKEND_SQLITE;
	cfg.sqlite_path = path;
	cfg.busy_timeout_ms = 1000;
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	put(st, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"node1\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/24\"}}}");
	put(st, "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"node2\"},\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.2/24\"}}}");
	put(st, "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"pods\"},\"spec\":{\"cidr\":\"10.244.0.0/16\",\"ipipMode\":\"Always\"}}");
	put(st, "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"quiet\"},\"spec\":{\"cidr\":\"10.250.0.0/16\",\"disableBGPExport\":true}}");
	put(st, "{\"kind\":\"BGPConfiguration\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":"
		"{\"name\":\"default\"},\"spec\":{\"serviceClusterIPs\":[{\"cidr\":\"10.96.0.0/12\"}]}}");

	c.loop = ev_loop_new(0);
	CHECK_INT(dsync_new(c.loop, &o, on_plan, &c, &d, &e), 0);
	CHECK_INT(dsync_plan_now(d, &plan, &e), 0);
	CHECK_INT(plan->n_sessions, 1);
	CHECK_STR(plan->sessions[0].name, "Mesh_10_0_0_2");
	CHECK_INT(plan->local_as, 64512);

	/* The pool policy the plan implies. */
	CHECK_INT(pool_policy_from_plan(plan, &pp, &e), 0);
	p = p4("10.244.1.0", 26);
	CHECK_MSG(pool_policy_export(&pp, &p, 1, NULL), "a pod block is exported");
	p = p4("8.8.8.0", 24);
	CHECK_MSG(!pool_policy_export(&pp, &p, 1, NULL), "a route outside every pool is not");
	p = p4("10.250.1.0", 26);
	CHECK_MSG(!pool_policy_export(&pp, &p, RIB_PEER_LOCAL, NULL),
		  "disableBGPExport keeps a pool's routes in");
	p = p4("10.96.0.0", 12);
	CHECK_MSG(pool_policy_export(&pp, &p, RIB_PEER_LOCAL, NULL),
		  "the node's own service range is exported");
	CHECK_MSG(!pool_policy_export(&pp, &p, 1, NULL),
		  "a learned service range is not re-advertised by a non-reflector");
	CHECK_INT(pp.kernel.n_pools, 2);
	CHECK_INT(pp.kernel.pools[0].encap, KERNEL_ENCAP_IPIP_ALWAYS);
	CHECK(pp.kernel.has_subnet4);
	CHECK_INT(pp.kernel.subnet4.len, 24);
	CHECK_INT(pp.kernel.subnet4.addr[3], 0);
	CHECK_INT(pp.kernel.n_no_install, 1);
	pool_policy_clear(&pp);
	peering_plan_free(plan);

	/* Nothing changes: no new plan. */
	dsync_start(d);
	run_for(c.loop, 0.3);
	CHECK_INT(c.plans, 0);

	/* A global peer appears: a new plan follows within the poll interval. */
	put(st, "{\"kind\":\"BGPPeer\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":"
		"\"tor\"},\"spec\":{\"peerIP\":\"10.0.0.254\",\"asNumber\":64567}}");
	run_for(c.loop, 5.0);
	CHECK_INT(c.plans, 1);
	CHECK(c.last && c.last->n_sessions == 2);
	if (c.last && c.last->n_sessions == 2)
		CHECK_STR(c.last->sessions[0].name, "Global_10_0_0_254");

	/* A write that does not change the plan (another node's label) hands
	 * out nothing. */
	put(st, "{\"kind\":\"CalicoNodeStatus\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":"
		"{\"name\":\"s\"},\"spec\":{\"node\":\"node1\",\"classes\":[\"BGP\"],"
		"\"updatePeriodSeconds\":5}}");
	run_for(c.loop, 0.3);
	CHECK_INT(c.plans, 1);

	peering_plan_free(c.last);
	dsync_free(d);
	ev_loop_destroy(c.loop);
	store_close(st);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_INT(system(path), 0);
	return check_done();
}
