/* CalicoNodeStatus (resources.md §2.4): a request for a node's BGP status;
 * the speaker fills .status. */
#include <stdlib.h>
#include <string.h>

#include "lib/schema.h"

static const char *const aliases[] = {"caliconodestatus", "caliconodestatuses", "nodestatus",
				      "nodestatuses", NULL};
static const char *const columns[] = {"NAME", "NODE", NULL};
static const char *const wide_columns[] = {"NAME", "NODE", "CLASSES", NULL};

static const char *const classes[] = {"Agent", "BGP", "Routes", NULL};
static const char *const daemon_states[] = {"Ready", "NotReady", NULL};
static const char *const peer_types[] = {"NodeMesh", "NodePeer", "GlobalPeer", NULL};
static const char *const session_states[] = {"Idle",	    "Connect",	   "Active", "OpenSent",
					     "OpenConfirm", "Established", "Close",  NULL};
static const char *const route_types[] = {"FIB", "RIB", NULL};
static const char *const source_types[] = {"Kernel",   "Static",  "Direct",
					   "NodeMesh", "BGPPeer", NULL};

/* clang-format off */
static const struct field class_elem[] = {
	{.json = "", .go = "Classes", .type = FT_STRING, .gotype = "v3.NodeStatusClassType", .enums = classes},
};

static const struct field spec_fields[] = {
	{.json = "node", .go = "Node", .type = FT_STRING, .flags = F_REQ, .gotype = "string", .tag = "name",
	 .check = chk_name},
	{.json = "classes", .go = "Classes", .type = FT_LIST, .flags = F_REQ, .gotype = "[]v3.NodeStatusClassType",
	 .sub = class_elem},
	{.json = "updatePeriodSeconds", .go = "UpdatePeriodSeconds", .type = FT_INT, .flags = F_PTR | F_REQ | F_RANGE,
	 .gotype = "uint32", .min = 0, .max = UINT32_MAX, .vmin = 0, .vmax = 86400},
	{0},
};

static const struct field daemon_fields[] = {
	{.json = "state", .go = "State", .type = FT_STRING, .gotype = "v3.BGPDaemonState",
	 .enums = daemon_states},
	{.json = "version", .go = "Version", .type = FT_STRING, .gotype = "string"},
	{.json = "routerID", .go = "RouterID", .type = FT_STRING, .gotype = "string"},
	{.json = "lastBootTime", .go = "LastBootTime", .type = FT_STRING, .gotype = "string"},
	{.json = "lastReconfigurationTime", .go = "LastReconfigurationTime", .type = FT_STRING, .gotype = "string"},
	{0},
};

static const struct field agent_fields[] = {
	{.json = "birdV4", .go = "BIRDV4", .type = FT_OBJECT, .flags = F_STRUCT, .gotype = "BGPDaemonStatus",
	 .sub = daemon_fields},
	{.json = "birdV6", .go = "BIRDV6", .type = FT_OBJECT, .flags = F_STRUCT, .gotype = "BGPDaemonStatus",
	 .sub = daemon_fields},
	{0},
};

static const struct field peer_fields[] = {
	{.json = "peerIP", .go = "PeerIP", .type = FT_STRING, .gotype = "string"},
	{.json = "type", .go = "Type", .type = FT_STRING, .gotype = "v3.BGPPeerType",
	 .enums = peer_types},
	{.json = "state", .go = "State", .type = FT_STRING, .gotype = "v3.BGPSessionState",
	 .enums = session_states},
	{.json = "since", .go = "Since", .type = FT_STRING, .gotype = "string"},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field peer_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "BGPPeerStatus", .sub = peer_fields},
};

static const struct field bgp_fields[] = {
	{.json = "numberEstablishedV4", .go = "NumberEstablishedV4", .type = FT_INT, .flags = F_ZERO, .gotype = "int",
	 .min = INT64_MIN, .max = INT64_MAX},
	{.json = "numberNotEstablishedV4", .go = "NumberNotEstablishedV4", .type = FT_INT, .flags = F_ZERO,
	 .gotype = "int", .min = INT64_MIN, .max = INT64_MAX},
	{.json = "numberEstablishedV6", .go = "NumberEstablishedV6", .type = FT_INT, .flags = F_ZERO, .gotype = "int",
	 .min = INT64_MIN, .max = INT64_MAX},
	{.json = "numberNotEstablishedV6", .go = "NumberNotEstablishedV6", .type = FT_INT, .flags = F_ZERO,
	 .gotype = "int", .min = INT64_MIN, .max = INT64_MAX},
	{.json = "peersV4", .go = "PeersV4", .type = FT_LIST, .gotype = "[]v3.BGPPeerStatus", .sub = peer_elem},
	{.json = "peersV6", .go = "PeersV6", .type = FT_LIST, .gotype = "[]v3.BGPPeerStatus", .sub = peer_elem},
	{0},
};

static const struct field learned_fields[] = {
	{.json = "sourceType", .go = "SourceType", .type = FT_STRING, .gotype = "v3.BGPRouteSourceType",
	 .enums = source_types},
	{.json = "peerIP", .go = "PeerIP", .type = FT_STRING, .gotype = "string"},
	{0},
};

static const struct field route_fields[] = {
	{.json = "type", .go = "Type", .type = FT_STRING, .gotype = "v3.CalicoNodeRouteType",
	 .enums = route_types},
	{.json = "destination", .go = "Destination", .type = FT_STRING, .gotype = "string"},
	{.json = "gateway", .go = "Gateway", .type = FT_STRING, .gotype = "string"},
	{.json = "interface", .go = "Interface", .type = FT_STRING, .gotype = "string"},
	{.json = "learnedFrom", .go = "LearnedFrom", .type = FT_OBJECT, .flags = F_STRUCT,
	 .gotype = "CalicoNodeRouteLearnedFrom", .sub = learned_fields},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field route_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "CalicoNodeRoute", .sub = route_fields},
};

static const struct field routes_fields[] = {
	{.json = "routesV4", .go = "RoutesV4", .type = FT_LIST, .gotype = "[]v3.CalicoNodeRoute", .sub = route_elem},
	{.json = "routesV6", .go = "RoutesV6", .type = FT_LIST, .gotype = "[]v3.CalicoNodeRoute", .sub = route_elem},
	{0},
};

static const struct field status_fields[] = {
	{.json = "lastUpdated", .go = "LastUpdated", .type = FT_TIME, .flags = F_PTR | F_ZERO, .gotype = "v1.Time"},
	{.json = "agent", .go = "Agent", .type = FT_OBJECT, .flags = F_STRUCT, .gotype = "CalicoNodeAgentStatus",
	 .sub = agent_fields},
	{.json = "bgp", .go = "BGP", .type = FT_OBJECT, .flags = F_STRUCT, .gotype = "CalicoNodeBGPStatus",
	 .sub = bgp_fields},
	{.json = "routes", .go = "Routes", .type = FT_OBJECT, .flags = F_STRUCT, .gotype = "CalicoNodeBGPRouteStatus",
	 .sub = routes_fields},
	{0},
};
/* clang-format on */

/* classes: dive,... plus unique (go-playground "unique"). */
static void spec_struct(struct vctx *v, struct verrs *errs)
{
	json_t *cls = json_object_get(v->spec, "classes");

	for (size_t i = 0; i < json_array_size(cls); i++)
		for (size_t j = 0; j < i; j++)
			if (json_equal(json_array_get(cls, i), json_array_get(cls, j))) {
				char *val = go_value(cls);

				verrs_tag(errs, "Classes", val, "unique");
				free(val);
				return;
			}
}

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	const json_t *spec = json_object_get(obj, "spec"), *cls, *c;
	char *out = xstrdup("");
	size_t i;

	(void)pctx;
	if (strcmp(heading, "NODE") == 0) {
		free(out);
		return xstrdup(js_or(spec, "node", ""));
	}
	cls = json_object_get(spec, "classes");
	json_array_foreach(cls, i, c)
	{
		char *tmp = out;

		out = xasprintf("%s%s%s", tmp, i ? "," : "",
				json_is_string(c) ? json_string_value(c) : "");
		free(tmp);
	}
	return out;
}

/* clang-format off */
const struct kind_desc kind_nodestatus = {
	.name = "CalicoNodeStatus",
	.list_name = "CalicoNodeStatusList",
	.aliases = aliases,
	.has_status = true,
	.spec = spec_fields,
	.spec_type = "CalicoNodeStatusSpec",
	.status = status_fields,
	.status_type = "CalicoNodeStatusStatus",
	.status_always = true,
	.columns = columns,
	.wide_columns = wide_columns,
	.cell = cell,
	.spec_struct = spec_struct,
};
/* clang-format on */
