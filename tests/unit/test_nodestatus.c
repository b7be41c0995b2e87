/* CalicoNodeStatus publishing into a real (temporary) SQLite datastore. */
#include "speaker/nodestatus.h"
#include "store/store.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *status_resource(const char *name, const char *node, int period, const char *classes)
{
	json_error_t je;
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"kind\":\"CalicoNodeStatus\",\"apiVersion\":\"projectcalico.org/v3\","
		 "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"node\":\"%s\",\"classes\":%s,"
		 "\"updatePeriodSeconds\":%d}}",
		 name, node, classes, period);
	return json_loads(text, 0, &je);
}

static json_t *get(struct store *st, const char *name)
{
	json_t *o = NULL;
	struct err e;

	store_get(st, "CalicoNodeStatus", name, &o, &e);
	return o;
}

static const char *str_at(json_t *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
		if (json_is_array(o))
			o = json_array_get(o, (size_t)atoi(tok));
		else
			o = json_object_get(o, tok);
	}
	return json_string_value(o);
}

static long long int_at(json_t *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	return json_is_integer(o) ? json_integer_value(o) : -1;
}

int main(void)
{
	char dir[] = "/tmp/nodestatus-test-XXXXXX", path[128];
	struct store_config cfg = {0};
	struct ns_peer peers[] = {
		{.peer_ip = "10.0.0.2", .type = "NodeMesh", .state = "Established", .since = "10:00:01"},
		{.peer_ip = "10.0.0.3", .type = "GlobalPeer", .state = "Active", .since = "10:00:02"},
		{.ipv6 = true, .peer_ip = "fd00::2", .type = "NodePeer", .state = "Established",
		 .since = "10:00:03"},
	};
	struct ns_route routes[] = {
		{.fib = true, .destination = "10.244.2.0/26", .gateway = "10.0.0.2",
		 .interface = "eth0", .source_type = "NodeMesh", .peer_ip = "10.0.0.2"},
		{.fib = true, .destination = "10.244.1.0/26", .gateway = "N/A",
		 .interface = "blackhole", .source_type = "Kernel"},
	};
	struct ns_snapshot snap = {
		.v4 = {.ready = true, .version = "v0.1.0", .router_id = "10.0.0.1",
		       .boot_time = "2026-11-30 10:00:00", .reconfig_time = "2026-11-30 10:00:00"},
		.v6 = {.ready = false},
		.peers = peers, .n_peers = 3, .routes = routes, .n_routes = 2};
	struct ns_publisher *pub;
	struct store *st;
	struct err e;
	json_t *o;
	int64_t rev;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/calico.db", dir);
	cfg.backend = STORE_BACKEND_SQLITE;
	cfg.sqlite_path = path;
	cfg.busy_timeout_ms = 1000;
	CHECK_INT(store_open(&cfg, &st, &e), 0);
	o = status_resource("all", "node1", 10, "[\"Agent\",\"BGP\",\"Routes\"]");
	CHECK_INT(store_create(st, o, &e), 0);
	json_decref(o);
	o = status_resource("bgp-only", "node1", 10, "[\"BGP\"]");
	CHECK_INT(store_create(st, o, &e), 0);
	json_decref(o);
	o = status_resource("stopped", "node1", 0, "[\"BGP\"]");
	CHECK_INT(store_create(st, o, &e), 0);
	json_decref(o);
	o = status_resource("other", "node2", 10, "[\"BGP\"]");
	CHECK_INT(store_create(st, o, &e), 0);
	json_decref(o);

	pub = nodestatus_publisher_new("node1");
	CHECK_INT(nodestatus_publish(pub, st, &snap, 1000, &e), 2);

	o = get(st, "all");
	CHECK_STR(str_at(o, "status.agent.birdV4.state"), "Ready");
	CHECK_STR(str_at(o, "status.agent.birdV4.routerID"), "10.0.0.1");
	CHECK_STR(str_at(o, "status.agent.birdV6.state"), "NotReady");
	CHECK_INT(int_at(o, "status.bgp.numberEstablishedV4"), 1);
	CHECK_INT(int_at(o, "status.bgp.numberNotEstablishedV4"), 1);
	CHECK_INT(int_at(o, "status.bgp.numberEstablishedV6"), 1);
	CHECK_INT(int_at(o, "status.bgp.numberNotEstablishedV6"), 0);
	CHECK_STR(str_at(o, "status.bgp.peersV4.1.type"), "GlobalPeer");
	CHECK_STR(str_at(o, "status.bgp.peersV6.0.peerIP"), "fd00::2");
	CHECK_STR(str_at(o, "status.routes.routesV4.0.learnedFrom.sourceType"), "NodeMesh");
	CHECK_STR(str_at(o, "status.routes.routesV4.1.gateway"), "N/A");
	CHECK_STR(str_at(o, "status.lastUpdated"), "1970-01-01T00:16:40Z");
	json_decref(o);

	o = get(st, "bgp-only");
	CHECK(json_object_size(json_object_get(json_object_get(o, "status"), "agent")) == 0);
	CHECK(json_object_get(json_object_get(json_object_get(o, "status"), "routes"), "routesV4") ==
	      NULL);
	CHECK_INT(int_at(o, "status.bgp.numberEstablishedV4"), 1);
	json_decref(o);

	o = get(st, "stopped");
	CHECK_MSG(json_object_get(o, "status") == NULL, "updatePeriodSeconds 0 is never written");
	json_decref(o);
	o = get(st, "other");
	CHECK_MSG(json_object_get(o, "status") == NULL, "another node's resource is untouched");
	json_decref(o);

	/* Not due yet, then due but unchanged: nothing is written. */
	rev = store_revision(st);
	CHECK_INT(nodestatus_publish(pub, st, &snap, 1005, &e), 0);
	CHECK_INT(nodestatus_publish(pub, st, &snap, 1010, &e), 0);
	CHECK_INT(store_revision(st), rev);

	/* A change is written at the next due time. */
	peers[1].state = "Established";
	CHECK_INT(nodestatus_publish(pub, st, &snap, 1015, &e), 0);
	CHECK_INT(nodestatus_publish(pub, st, &snap, 1020, &e), 2);
	o = get(st, "bgp-only");
	CHECK_INT(int_at(o, "status.bgp.numberEstablishedV4"), 2);
	json_decref(o);

	nodestatus_publisher_free(pub);
	store_close(st);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_INT(system(path), 0);
	return check_done();
}
