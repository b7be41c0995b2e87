/* The peering planner: a pure function from the datastore's BGP resources to
 * the peering plan of one node (lib/peering.h), implementing how Calico turns
 * Nodes, BGPConfigurations, BGPPeers and IPPools into BGP sessions
 * (shared/spec/calicoctl.md §8) with the compatibility decisions of
 * shared/spec/README.md. docs/PLANNER.md lists every rule and where we
 * depart from Calico.
 *
 * Pure: the only inputs are the arguments (plus the password secret files
 * named by the resources); the same inputs always give the same plan, byte
 * for byte in its JSON form, so the speaker can diff plans. */
#ifndef CALICO_PLANNER_H
#define CALICO_PLANNER_H

#include <jansson.h>

#include "lib/err.h"
#include "lib/peering.h"

/* Where password secrets live: <dir>/<secretKeyRef.name>/<secretKeyRef.key>. */
#define PLANNER_SECRETS_DIR "/etc/calico/secrets"

/* The resources, each a JSON array of v3 envelopes ({"kind", "apiVersion",
 * "metadata": {"name", "labels"}, "spec"}) exactly as store_list() returns
 * them. NULL means none. Order does not matter: the planner sorts by name. */
struct planner_input {
	const json_t *nodes;
	const json_t *bgp_configs;
	const json_t *bgp_peers;
	const json_t *ip_pools;
};

/* A resource the planner skipped or a field it could not honour, as one
 * line naming the resource, the field, the value and the reason. */
typedef void (*planner_warn_fn)(void *ctx, const char *msg);

/* The environment the planner needs besides the resources. */
struct planner_env {
	/* CALICO_ROUTER_ID: "hash" (derived from the node name), an IPv4 address
	 * used verbatim, or NULL/"" for the node's IPv4 address. */
	const char *router_id;
	/* Directory of password secrets; NULL = PLANNER_SECRETS_DIR. */
	const char *secrets_dir;
	/* Receives warnings; NULL logs them with log_warn(). */
	planner_warn_fn warn;
	void *warn_ctx;
};

/* Fills env from the process environment: CALICO_ROUTER_ID and
 * CALICO_SECRETS_DIR; warnings go to the log. The strings point into the
 * environment. */
void planner_env_from_environ(struct planner_env *env);

/* Computes the plan of node `node`. Sessions are sorted by name and carry
 * every parameter of §8.3 (a session whose password secret is missing or
 * whose parameters cannot be honoured is planned with its `error` set, never
 * silently changed). BGPPeers with invalid fields are skipped with a warning,
 * as calico-node does.
 *
 * Fails (-ENOENT) when the node does not exist, (-EINVAL) when it has no BGP
 * address or no usable router id; the message names the node and the field.
 * *out is freed with peering_plan_free(). */
int planner_plan(const struct planner_input *in, const char *node, const struct planner_env *env,
		 struct peering_plan **out, struct err *e);

/* CALICO_ROUTER_ID=hash: the first four bytes of SHA-256(node name) as an
 * IPv4 address (host order), the first octet reduced by 32 when above 223 so
 * that the id is never a multicast or reserved address. */
uint32_t planner_router_id_hash(const char *node);

#endif
