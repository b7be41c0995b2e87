/* The planner end to end on what calicoctl really stores: the seed guide's
 * manifests (YAML as users write them) go through the same steps as
 * `calicoctl create` (decode, validate with defaults, store) into a
 * temporary SQLite datastore, then store_list() feeds the planner. The
 * guide's later steps (patches) are replayed the same way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/planner.h"
#include "lib/resource.h"
#include "lib/yamljson.h"
#include "store/store.h"

static struct store *st;

/* calicoctl create -f - */
static int create(const char *yaml)
{
	const struct kind_desc *k;
	json_t *docs, *doc;
	struct err e;
	size_t i;
	int rc = 0;

	if (yaml_load(yaml, strlen(yaml), "test", &docs, &e)) {
		printf("# yaml: %s\n", e.msg);
		return -EINVAL;
	}
	json_array_foreach(docs, i, doc) {
		if ((rc = res_kind_of(doc, &k, &e)) || (rc = res_decode_strict(k, doc, &e)) ||
		    (rc = res_validate(k, doc, RES_OP_CREATE, NULL, &e)) ||
		    (rc = store_create(st, doc, &e))) {
			printf("# create: %s\n", e.msg);
			break;
		}
	}
	json_decref(docs);
	return rc;
}

/* calicoctl patch KIND NAME -p JSON (a merge patch of spec fields) */
static int patch(const char *kind, const char *name, const char *json_patch)
{
	const struct kind_desc *k = kind_by_name(kind);
	json_t *obj, *p = json_loads(json_patch, 0, NULL), *spec;
	struct err e;
	int rc;

	if ((rc = store_get(st, kind, name, &obj, &e))) {
		printf("# get: %s\n", e.msg);
		json_decref(p);
		return rc;
	}
	spec = json_object_get(obj, "spec");
	json_object_update_recursive(spec, json_object_get(p, "spec"));
	if ((rc = res_decode_strict(k, obj, &e)) || (rc = res_validate(k, obj, RES_OP_UPDATE,
		NULL, &e)) || (rc = store_update(st, obj, &e)))
		printf("# patch: %s\n", e.msg);
	json_decref(obj);
	json_decref(p);
	return rc;
}

static json_t *list(const char *kind)
{
	json_t *items = NULL;
	struct err e;

	if (store_list(st, kind, NULL, &items, NULL, &e))
		printf("# list %s: %s\n", kind, e.msg);
	return items;
}

/* "name:type:passive" per session, space-separated, e.g.
 * "Mesh_10_0_0_2:mesh:p Node_10_0_0_11:node:rr". */
static char *sessions_of(const char *node)
{
	struct planner_input in = { list("Node"), list("BGPConfiguration"), list("BGPPeer"),
				    list("IPPool") };
	struct peering_plan *p;
	struct err e;
	static char buf[ERR_LEN + 64];
	size_t n = 0;

	buf[0] = '\0';
	if (planner_plan(&in, node, NULL, &p, &e)) {
		snprintf(buf, sizeof(buf), "error: %s", e.msg);
	} else {
		for (size_t i = 0; i < p->n_sessions; i++) {
			const struct peering_session *s = &p->sessions[i];

			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:as%u%s%s", i ? " " : "",
					      s->name, s->peer_as, s->passive ? ":passive" : "",
					      s->rr_client ? ":rr" : "");
		}
		peering_plan_free(p);
	}
	json_decref((json_t *)in.nodes);
	json_decref((json_t *)in.bgp_configs);
	json_decref((json_t *)in.bgp_peers);
	json_decref((json_t *)in.ip_pools);
	return buf;
}

static const char *nodes_yaml =
	"apiVersion: projectcalico.org/v3\n"
	"kind: Node\n"
	"metadata:\n"
	"  name: node-1\n"
	"  labels: {rack: rack-1}\n"
	"spec:\n"
	"  bgp: {ipv4Address: 10.0.0.1/24}\n"
	"---\n"
	"apiVersion: projectcalico.org/v3\n"
	"kind: Node\n"
	"metadata:\n"
	"  name: node-2\n"
	"  labels: {rack: rack-2}\n"
	"spec:\n"
	"  bgp: {ipv4Address: 10.0.0.2/24}\n"
	"---\n"
	"apiVersion: projectcalico.org/v3\n"
	"kind: Node\n"
	"metadata: {name: my-node}\n"
	"spec:\n"
	"  bgp: {ipv4Address: 10.0.0.11/24}\n";

int main(void)
{
	char dir[] = "/tmp/test_planner_store.XXXXXX", path[256], cmd[300];
	struct store_config cfg = { 0 };
	struct err e;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/calico.db", dir);
	cfg.backend = STORE_BACKEND_SQLITE;
	cfg.datastore_type = "sqlite";
	cfg.sqlite_path = path;
	if (store_open(&cfg, &st, &e)) {
		printf("# %s\n", e.msg);
		return 1;
	}

	CHECK_INT(create(nodes_yaml), 0);
	/* full mesh by default */
	CHECK_STR(sessions_of("node-1"),
		  "Mesh_10_0_0_11:as64512:passive Mesh_10_0_0_2:as64512:passive");

	/* a global BGP peer */
	CHECK_INT(create("apiVersion: projectcalico.org/v3\nkind: BGPPeer\n"
			 "metadata: {name: my-global-peer}\n"
			 "spec: {peerIP: 192.20.30.40, asNumber: 64567}\n"), 0);
	/* lexically "10.0.0.11" < "10.0.0.2": node-2 connects to my-node */
	CHECK_STR(sessions_of("node-2"), "Global_192_20_30_40:as64567 Mesh_10_0_0_1:as64512 "
					 "Mesh_10_0_0_11:as64512");

	/* a per-node peer by label */
	CHECK_INT(create("apiVersion: projectcalico.org/v3\nkind: BGPPeer\n"
			 "metadata: {name: rack1-tor}\n"
			 "spec:\n  peerIP: 192.20.30.41\n  asNumber: 64567\n"
			 "  nodeSelector: rack == 'rack-1'\n"), 0);
	CHECK_STR(sessions_of("node-1"), "Global_192_20_30_40:as64567 Mesh_10_0_0_11:as64512:passive "
					 "Mesh_10_0_0_2:as64512:passive Node_192_20_30_41:as64567");
	CHECK_STR(sessions_of("node-2"), "Global_192_20_30_40:as64567 Mesh_10_0_0_1:as64512 "
					 "Mesh_10_0_0_11:as64512");

	/* a node acting as route reflector, then the peering, then the mesh
	 * disabled, in the guide's order */
	CHECK_INT(patch("Node", "my-node", "{\"spec\":{\"bgp\":{\"routeReflectorClusterID\":"
					   "\"244.0.0.1\"}}}"), 0);
	{
		const struct kind_desc *k = kind_by_name("Node");
		json_t *n;

		/* kubectl label node my-node route-reflector=true */
		CHECK_INT(store_get(st, "Node", "my-node", &n, &e), 0);
		json_object_set_new(json_object_get(n, "metadata"), "labels",
				    json_pack("{s:s}", "route-reflector", "true"));
		CHECK(res_validate(k, n, RES_OP_UPDATE, NULL, &e) == 0 &&
		      store_update(st, n, &e) == 0);
		json_decref(n);
	}
	CHECK_STR(sessions_of("my-node"), "Global_192_20_30_40:as64567");
	CHECK_INT(create("kind: BGPPeer\napiVersion: projectcalico.org/v3\n"
			 "metadata: {name: peer-with-route-reflectors}\n"
			 "spec:\n  nodeSelector: all()\n  peerSelector: route-reflector == 'true'\n"),
		  0);
	CHECK_STR(sessions_of("node-1"), "Global_192_20_30_40:as64567 Mesh_10_0_0_2:as64512:passive "
					 "Node_10_0_0_11:as64512 Node_192_20_30_41:as64567");
	CHECK_STR(sessions_of("my-node"), "Global_192_20_30_40:as64567 Node_10_0_0_1:as64512:rr "
					  "Node_10_0_0_2:as64512:rr");
	CHECK_INT(create("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\n"
			 "metadata: {name: default}\nspec: {nodeToNodeMeshEnabled: false}\n"), 0);
	CHECK_STR(sessions_of("node-2"), "Global_192_20_30_40:as64567 Node_10_0_0_11:as64512");

	/* change the default global AS number, then one node's */
	CHECK_INT(patch("BGPConfiguration", "default", "{\"spec\":{\"asNumber\":\"64513\"}}"), 0);
	CHECK_STR(sessions_of("node-2"), "Global_192_20_30_40:as64567 Node_10_0_0_11:as64513");
	CHECK_STR(sessions_of("my-node"), "Global_192_20_30_40:as64567 Node_10_0_0_1:as64513:rr "
					  "Node_10_0_0_2:as64513:rr");
	CHECK_INT(patch("Node", "node-1", "{\"spec\":{\"bgp\":{\"asNumber\":\"64514\"}}}"), 0);
	/* node-1 is now eBGP to the reflector: no longer its client */
	CHECK_STR(sessions_of("my-node"), "Global_192_20_30_40:as64567 Node_10_0_0_1:as64514 "
					  "Node_10_0_0_2:as64513:rr");
	CHECK_STR(sessions_of("node-1"), "Global_192_20_30_40:as64567 Node_10_0_0_11:as64513 "
					 "Node_192_20_30_41:as64567");

	/* durations as the store keeps them (Go form) reach the plan */
	CHECK_INT(create("apiVersion: projectcalico.org/v3\nkind: BGPPeer\n"
			 "metadata: {name: timers}\n"
			 "spec: {node: node-2, peerIP: '[fd00::1]:1790', asNumber: '1.10',\n"
			 "       maxRestartTime: 150s, keepaliveTime: 30s}\n"), 0);
	{
		struct planner_input in = { list("Node"), list("BGPConfiguration"), list("BGPPeer"),
					    list("IPPool") };
		struct peering_plan *p = NULL;

		/* node-2 has no IPv6 address: the IPv6 peer is not planned */
		CHECK_INT(planner_plan(&in, "node-2", NULL, &p, &e), 0);
		CHECK(p && p->n_sessions == 2);
		peering_plan_free(p);
		json_decref((json_t *)in.nodes);
		json_decref((json_t *)in.bgp_configs);
		json_decref((json_t *)in.bgp_peers);
		json_decref((json_t *)in.ip_pools);
	}
	CHECK_INT(patch("Node", "node-2", "{\"spec\":{\"bgp\":{\"ipv6Address\":\"fd00::2/64\"}}}"),
		  0);
	{
		struct planner_input in = { list("Node"), list("BGPConfiguration"), list("BGPPeer"),
					    list("IPPool") };
		struct peering_plan *p = NULL;
		const struct peering_session *s;

		CHECK_INT(planner_plan(&in, "node-2", NULL, &p, &e), 0);
		CHECK(p && p->n_sessions == 3);
		if (p && p->n_sessions == 3) {
			s = &p->sessions[2];
			CHECK_STR(s->name, "Node_fd00__1_port_1790");
			CHECK_INT(s->peer_as, 65546);
			CHECK_INT(s->max_restart_time, 150);
			CHECK_INT(s->keepalive_time, 30);
			CHECK_STR(s->source.text, "fd00::2");
		}
		peering_plan_free(p);
		json_decref((json_t *)in.nodes);
		json_decref((json_t *)in.bgp_configs);
		json_decref((json_t *)in.bgp_peers);
		json_decref((json_t *)in.ip_pools);
	}

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return check_done();
}
