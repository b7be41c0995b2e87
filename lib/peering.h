/* The peering plan: everything one speaker needs to know to run its BGP
 * sessions and originate its routes. The issue-4 planner computes it from
 * the datastore (Nodes, BGPConfigurations, BGPPeers, IPPools); until then,
 * and for standalone use, `calico-bgpd --plan FILE` reads it from JSON.
 * The JSON form is documented in docs/PLAN-FORMAT.md; peering_plan_to_json()
 * prints exactly what peering_plan_parse() accepts (round trip).
 *
 * Addresses are kept both as canonical text (for names, logs and JSON) and
 * as bytes (for sockets and comparisons). All strings are owned by the plan
 * and freed by peering_plan_free(). */
#ifndef CALICO_PEERING_H
#define CALICO_PEERING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define PEERING_PLAN_VERSION 1
#define PEERING_ADDR_TEXT 46 /* INET6_ADDRSTRLEN */
#define PEERING_NAME_LEN 96
#define PEERING_DEFAULT_PORT 179
#define PEERING_DEFAULT_HOLD 240	 /* spec README decision */
#define PEERING_DEFAULT_RESTART 120 /* BIRD's graceful restart time */

/* Session type, as `calicoctl node status` shows it. */
enum peering_type {
	PEERING_MESH,	/* "node-to-node mesh", name Mesh_<ip> */
	PEERING_GLOBAL, /* "global", name Global_<ip>[_port_<n>] */
	PEERING_NODE,	/* "node specific", name Node_<ip>[_port_<n>] */
	PEERING_TYPE_COUNT
};

/* BGPPeer nextHopMode; AUTO is the BGP default (self towards eBGP, keep
 * towards iBGP, keep when reflecting). */
enum peering_nexthop {
	PEERING_NH_AUTO,
	PEERING_NH_SELF,
	PEERING_NH_KEEP,
	PEERING_NH_COUNT
};

/* Address families; the indices match enum bgp_family in speaker/bgp.h. */
enum peering_family {
	PEERING_FAM_IPV4,
	PEERING_FAM_IPV6,
	PEERING_FAM_COUNT
};
#define PEERING_FAM_BIT(f) (1u << (f))

/* An IP address of either family, bytes in network order. */
struct peering_addr {
	uint8_t family; /* enum peering_family */
	uint8_t bytes[16];
	char text[PEERING_ADDR_TEXT]; /* canonical (inet_ntop) form */
};

struct peering_session {
	char name[PEERING_NAME_LEN]; /* BIRD-like protocol name, unique in a plan */
	enum peering_type type;
	struct peering_addr peer;	/* remote address */
	uint16_t port;			/* remote port, default 179 */
	uint32_t peer_as;
	uint32_t local_as;		/* effective local AS for this session */
	bool passive;			/* never connect, only accept */
	bool rr_client;			/* the peer is our route-reflector client */
	uint32_t cluster_id;		/* RR cluster id (host order), 0 = none */
	enum peering_nexthop next_hop;
	bool keep_original_next_hop;	/* legacy: keep next hop towards eBGP */
	char *password;			/* TCP MD5 key, NULL = none */
	uint8_t ttl_security;		/* GTSM hop count, 0 = off */
	bool has_source;		/* bind the connection to `source` */
	struct peering_addr source;
	uint16_t hold_time;		/* seconds, default 240; 0 disables keepalives */
	uint16_t keepalive_time;	/* seconds, 0 = hold_time / 3 */
	uint32_t max_restart_time;	/* graceful restart time we advertise, seconds */
	uint8_t allow_local_as;		/* numAllowedLocalASNumbers */
	unsigned families;		/* PEERING_FAM_BIT set, never 0 */
	bool add_path;			/* RFC 7911 send+receive for every family */
	char *error;			/* set when the planner could not configure the
					   session (e.g. missing secret): it is shown,
					   never started. NULL otherwise */
};

/* Large community a:b:c (RFC 8092). */
struct peering_large_community {
	uint32_t global, local1, local2;
};

/* A route this node originates. */
struct peering_route {
	struct peering_addr prefix; /* network address, host bits zero */
	uint8_t len;
	size_t n_communities;
	uint32_t *communities; /* standard a:b as (a << 16) | b */
	size_t n_large;
	struct peering_large_community *large;
};

/* IPPool ipipMode / vxlanMode. */
enum peering_encap {
	PEERING_ENCAP_NEVER,
	PEERING_ENCAP_ALWAYS,
	PEERING_ENCAP_CROSS_SUBNET,
	PEERING_ENCAP_COUNT
};

/* BGPConfiguration programClusterRoutes: which pools' learned routes the
 * speaker installs in the kernel. */
enum peering_cluster_routes {
	PEERING_CR_ENABLED,
	PEERING_CR_DISABLED,
	PEERING_CR_IPIP_ONLY,	/* EnabledIPIPOnly */
	PEERING_CR_NOENCAP_ONLY,	/* EnabledNoEncapOnly */
	PEERING_CR_COUNT
};

/* Which BGPConfiguration list a service CIDR comes from. */
enum peering_service_type {
	PEERING_SVC_CLUSTER_IP,
	PEERING_SVC_EXTERNAL_IP,
	PEERING_SVC_LOADBALANCER_IP,
	PEERING_SVC_COUNT
};

/* An enabled IP pool. */
struct peering_pool {
	struct peering_addr prefix;
	uint8_t len;
	bool disable_bgp_export;
	enum peering_encap ipip_mode, vxlan_mode;
};

/* A service CIDR from the default BGPConfiguration. */
struct peering_service_cidr {
	struct peering_addr prefix;
	uint8_t len;
	enum peering_service_type type;
};

struct peering_plan {
	char *node;			/* node name, may be NULL */
	uint32_t router_id;		/* host order, never 0 */
	uint32_t local_as;
	bool has_ipv4, has_ipv6;	/* the node's own addresses (next hop self) */
	struct peering_addr ipv4, ipv6;
	bool has_listen_addr;		/* bindMode NodeIP: listen on this address only */
	struct peering_addr listen_addr;
	uint16_t listen_port;		/* default 179; 0 = do not listen */
	size_t n_sessions;
	struct peering_session *sessions; /* sorted by name */
	size_t n_routes;
	struct peering_route *routes;
	/* What the export and kernel-programming policy needs (spec §8.5);
	 * filled by the planner, printed and parsed by lib/peering_export.c. */
	uint32_t cluster_id;		/* routeReflectorClusterID (host order), 0 = not an RR */
	uint8_t ipv4_prefix_len;	/* the node's subnet (ipv4Address mask), 0 = unknown */
	uint8_t ipv6_prefix_len;
	size_t n_pools;
	struct peering_pool *pools;	/* enabled IP pools, sorted by prefix */
	size_t n_service_cidrs;
	struct peering_service_cidr *service_cidrs;
	size_t n_advertisements;	/* prefixAdvertisements: communities added to */
	struct peering_route *advertisements; /* exported routes inside prefix */
	enum peering_cluster_routes program_cluster_routes;
};

/* Name tables indexed by the enums ("mesh", "global", "node"; "Auto",
 * "Self", "Keep"; "ipv4", "ipv6"). */
const char *peering_type_name(enum peering_type t);
/* What `calicoctl node status` prints: "node-to-node mesh", "global",
 * "node specific". */
const char *peering_type_label(enum peering_type t);
const char *peering_nexthop_name(enum peering_nexthop m);
const char *peering_family_name(enum peering_family f);

/* Parses "10.0.0.1" or "fd00::1" into a. Returns 0 or -EINVAL. */
int peering_addr_parse(const char *text, struct peering_addr *a);

/* Writes the BIRD-like protocol name for a session: Mesh_10_0_0_2,
 * Node_fd00__2_port_1790 (port appended for non-mesh types when
 * explicit_port). */
void peering_session_name(enum peering_type t, const struct peering_addr *peer, uint16_t port,
			  bool explicit_port, char *out, size_t len);

/* Builds a plan from its JSON form. Fills defaults, checks every field and
 * fails with a message naming the field path (e.g. "sessions[2].peerIP"),
 * the value and the reason. *out is freed with peering_plan_free(). */
int peering_plan_parse(const json_t *doc, struct peering_plan **out, struct err *e);

/* Reads and parses a plan file. Errors are prefixed with the path. */
int peering_plan_load(const char *path, struct peering_plan **out, struct err *e);

/* The canonical JSON form of a plan, every field present. */
json_t *peering_plan_to_json(const struct peering_plan *plan);
json_t *peering_session_to_json(const struct peering_session *s);

void peering_plan_free(struct peering_plan *plan);

/* True when two sessions have identical parameters: a reload leaves such a
 * session running untouched. */
bool peering_session_equal(const struct peering_session *a, const struct peering_session *b);

/* The session for a remote address and port, or NULL. port 0 matches any
 * port (used for incoming connections, whose source port is ephemeral). */
const struct peering_session *peering_plan_find(const struct peering_plan *plan,
						const struct peering_addr *peer, uint16_t port);

/* The keepalive interval a session uses: keepalive_time or hold_time / 3. */
unsigned peering_session_keepalive(const struct peering_session *s);

/* --- export policy fields (lib/peering_export.c) --- */

/* "Never", "Always", "CrossSubnet"; "Enabled", "Disabled", "EnabledIPIPOnly",
 * "EnabledNoEncapOnly"; "ClusterIP", "ExternalIP", "LoadBalancerIP". */
const char *peering_encap_name(enum peering_encap m);
const char *peering_cluster_routes_name(enum peering_cluster_routes m);
const char *peering_service_type_name(enum peering_service_type t);

/* One route object ({"prefix", "communities"}) as in `routes`; also used for
 * `prefixAdvertisements`. */
int peering_route_parse(const json_t *obj, const char *path, struct peering_route *r,
			struct err *e);
json_t *peering_route_to_json(const struct peering_route *r);

/* Parses/prints/frees the export policy keys of a plan (routeReflectorClusterID,
 * ipv4PrefixLength, ipv6PrefixLength, ipPools, serviceCIDRs,
 * prefixAdvertisements, programClusterRoutes). Called by the plan's own
 * parse/print/free. */
int peering_export_parse(const json_t *doc, struct peering_plan *p, struct err *e);
void peering_export_to_json(const struct peering_plan *p, json_t *o);
void peering_export_free(struct peering_plan *p);

#endif
