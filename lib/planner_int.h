/* Private to the planner (planner*.c): the resources decoded into the few
 * fields the planner reads, and small shared helpers. */
#ifndef CALICO_PLANNER_INT_H
#define CALICO_PLANNER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/planner.h"
#include "lib/scalar.h"
#include "lib/selector.h"

#define PL_DEFAULT_AS 64512u

/* Families are indexed by enum peering_family (0 = IPv4, 1 = IPv6). */
struct pl_node {
	const char *name;
	const json_t *labels;	      /* metadata.labels or NULL */
	bool has_addr[PEERING_FAM_COUNT];
	struct ip_addr addr[PEERING_FAM_COUNT];
	/* The address as written with the mask removed: Calico compares these
	 * strings for the mesh passive side, so we do too. */
	char text[PEERING_FAM_COUNT][IP_STRLEN];
	uint8_t plen[PEERING_FAM_COUNT];
	uint32_t asn;		      /* 0 = unset: the global default applies */
	char cluster_id[IP_STRLEN];   /* routeReflectorClusterID, "" = not an RR */
	uint16_t listen_port;	      /* node.<name> BGPConfiguration, 0 = unset */
};

/* password.secretKeyRef / nodeMeshPassword.secretKeyRef */
struct pl_secret {
	bool set;
	const char *name, *key;
	bool optional;
};

/* A BGPPeer that passed the planner's checks. */
struct pl_peer {
	const char *name;
	const char *node;		/* "" = none */
	struct selector *node_sel;	/* NULL = none */
	struct selector *peer_sel;	/* NULL = peerIP peer */
	struct ip_addr ip;		/* peerIP peers */
	uint16_t port;			/* from peerIP, 0 = none */
	uint32_t asn;			/* 0 = unset (peerSelector peers) */
	bool has_local_as;
	uint32_t local_as;
	struct pl_secret password;
	bool source_none;		/* sourceAddress: None */
	bool has_restart, has_keepalive;
	uint64_t restart_s, keepalive_s;
	bool keep_nh;			/* keepOriginalNextHop */
	enum peering_nexthop next_hop;
	uint32_t allow_local_as;
	uint32_t ttl;
	bool reverse_manual;
};

struct pl_world {
	const struct planner_env *env;
	struct pl_node *nodes;		/* sorted by name */
	size_t n_nodes;
	struct pl_peer *peers;		/* sorted by name */
	size_t n_peers;
	const json_t *default_spec;	/* BGPConfiguration "default" spec, or NULL */
	const json_t *self_spec;	/* BGPConfiguration "node.<self>" spec, or NULL */
	const struct pl_node *self;
	uint32_t global_as;
	bool mesh;
	uint16_t global_port;		/* 0 = unset */
	struct pl_secret mesh_password;
	bool has_mesh_restart;
	uint64_t mesh_restart_s;
	bool bind_node_ip;
};

/* planner_input.c: decodes the resources into w (w->env set by the caller);
 * self is the planned node's name (for its node.<self> BGPConfiguration).
 * Invalid resources are skipped with a warning; fails only on allocation or
 * a node listed twice. */
int pl_world_load(struct pl_world *w, const struct planner_input *in, const char *self,
		  struct err *e);
void pl_world_free(struct pl_world *w);
const struct pl_node *pl_node_find(const struct pl_world *w, const char *name);

/* Reports a warning through env->warn (or the log). */
void pl_warn(const struct pl_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* AS number from JSON: an integer or a string ("64512", "1.10"). Absent or
 * null leaves *out at 0. */
int pl_json_asn(const json_t *v, uint32_t *out);

/* planner_secret.c: reads <dir>/<name>/<key> into a malloc'd string with
 * one trailing newline removed. On failure returns NULL, sets *missing when
 * the file does not exist and writes why into why (the file and the
 * reason). */
char *pl_secret_read(const char *dir, const struct pl_secret *s, bool *missing, char *why,
		     size_t why_len);

/* planner_export.c: fills the export-policy part of the plan and the routes
 * the node originates (service CIDRs). */
int pl_plan_export(const struct pl_world *w, const json_t *ip_pools, struct peering_plan *p,
		   struct err *e);

#endif
