/* Calico's IP-pool rules for a node's speaker, derived from its plan
 * (calicoctl.md §8.5): what may leave the node over BGP (the RIB's export
 * filter) and what the kernel sync installs and originates. Used when the
 * plan comes from the datastore; a standalone plan (--plan FILE) exports by
 * plain BGP rules. */
#ifndef CALICO_POOLPOLICY_H
#define CALICO_POOLPOLICY_H

#include <stdbool.h>

#include "lib/err.h"
#include "lib/peering.h"
#include "speaker/attr.h"
#include "speaker/bgp.h"
#include "speaker/kernel.h"

/* The export rules of one plan, in a form cheap to test per prefix. */
struct pool_policy {
	struct kernel_pool *pools; /* enabled pools */
	size_t n_pools;
	struct bgp_prefix *services; /* service CIDRs we advertise */
	bool *service_lb;	     /* per service: a LoadBalancer range */
	size_t n_services;
	bool route_reflector; /* the node has a routeReflectorClusterID */
	/* The kernel sync's view (arrays owned by this policy). */
	struct kernel_config kernel;
	struct kernel_advert *adverts;
	uint32_t *words;
};

/* Builds the policy of plan. Free with pool_policy_clear(). */
int pool_policy_from_plan(const struct peering_plan *plan, struct pool_policy *pp, struct err *e);
void pool_policy_clear(struct pool_policy *pp);

/* The RIB export filter (rib_export_filter_fn; ctx is a struct pool_policy):
 * first match wins, as calico_export_to_bgp_peers does —
 *  1. inside a pool with disableBGPExport: refused;
 *  2. a service CIDR this node originates: accepted;
 *  3. on a route reflector, inside a LoadBalancer service range: accepted;
 *  4. inside any enabled pool: accepted (pod blocks, reflected routes);
 *  5. anything else: refused. */
bool pool_policy_export(void *ctx, const struct bgp_prefix *prefix, uint16_t src_peer,
			const struct attr_set *attrs);

/* A plan address and length as a bgp_prefix. */
struct bgp_prefix pool_policy_prefix(const struct peering_addr *a, uint8_t len);

#endif
