#include "speaker/poolpolicy.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "speaker/prefix_table.h"
#include "speaker/rib.h"

struct bgp_prefix pool_policy_prefix(const struct peering_addr *a, uint8_t len)
{
	struct bgp_prefix p = {.family = a->family == PEERING_FAM_IPV6 ? BGP_FAM_IPV6 : BGP_FAM_IPV4,
			       .len = len};

	memcpy(p.addr, a->bytes, p.family == BGP_FAM_IPV6 ? 16 : 4);
	return p;
}

static enum kernel_encap encap_of(const struct peering_pool *pool)
{
	if (pool->vxlan_mode != PEERING_ENCAP_NEVER)
		return KERNEL_ENCAP_VXLAN;
	switch (pool->ipip_mode) {
	case PEERING_ENCAP_ALWAYS:
		return KERNEL_ENCAP_IPIP_ALWAYS;
	case PEERING_ENCAP_CROSS_SUBNET:
		return KERNEL_ENCAP_IPIP_CROSS_SUBNET;
	default:
		return KERNEL_ENCAP_NONE;
	}
}

static enum kernel_cluster_routes cluster_routes_of(enum peering_cluster_routes m)
{
	switch (m) {
	case PEERING_CR_DISABLED:
		return KERNEL_CR_DISABLED;
	case PEERING_CR_IPIP_ONLY:
		return KERNEL_CR_IPIP_ONLY;
	case PEERING_CR_NOENCAP_ONLY:
		return KERNEL_CR_NOENCAP_ONLY;
	default:
		return KERNEL_CR_ENABLED;
	}
}

/* Copies the plan's prefixAdvertisements into kernel adverts; their
 * community words live in one array. */
static int copy_adverts(const struct peering_plan *plan, struct pool_policy *pp)
{
	size_t n_words = 0, w = 0;

	for (size_t i = 0; i < plan->n_advertisements; i++)
		n_words += plan->advertisements[i].n_communities + 3 * plan->advertisements[i].n_large;
	pp->adverts = calloc(plan->n_advertisements + 1, sizeof(*pp->adverts));
	pp->words = calloc(n_words + 1, sizeof(*pp->words));
	if (!pp->adverts || !pp->words)
		return -ENOMEM;
	for (size_t i = 0; i < plan->n_advertisements; i++) {
		const struct peering_route *r = &plan->advertisements[i];
		struct kernel_advert *a = &pp->adverts[i];

		a->cidr = pool_policy_prefix(&r->prefix, r->len);
		a->communities = &pp->words[w];
		a->n_communities = r->n_communities;
		for (size_t j = 0; j < r->n_communities; j++)
			pp->words[w++] = r->communities[j];
		a->large = &pp->words[w];
		a->n_large = r->n_large;
		for (size_t j = 0; j < r->n_large; j++) {
			pp->words[w++] = r->large[j].global;
			pp->words[w++] = r->large[j].local1;
			pp->words[w++] = r->large[j].local2;
		}
	}
	return 0;
}

int pool_policy_from_plan(const struct peering_plan *plan, struct pool_policy *pp, struct err *e)
{
	struct kernel_config *k = &pp->kernel;

	memset(pp, 0, sizeof(*pp));
	pp->pools = calloc(plan->n_pools + 1, sizeof(*pp->pools));
	pp->services = calloc(plan->n_service_cidrs + 1, sizeof(*pp->services));
	pp->service_lb = calloc(plan->n_service_cidrs + 1, sizeof(*pp->service_lb));
	if (!pp->pools || !pp->services || !pp->service_lb || copy_adverts(plan, pp) < 0) {
		pool_policy_clear(pp);
		return err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n_pools; i++) {
		const struct peering_pool *pool = &plan->pools[i];

		pp->pools[i].cidr = pool_policy_prefix(&pool->prefix, pool->len);
		pp->pools[i].encap = encap_of(pool);
		pp->pools[i].disable_export = pool->disable_bgp_export;
	}
	pp->n_pools = plan->n_pools;
	for (size_t i = 0; i < plan->n_service_cidrs; i++) {
		pp->services[i] = pool_policy_prefix(&plan->service_cidrs[i].prefix,
						     plan->service_cidrs[i].len);
		pp->service_lb[i] = plan->service_cidrs[i].type == PEERING_SVC_LOADBALANCER_IP;
	}
	pp->n_services = plan->n_service_cidrs;
	pp->route_reflector = plan->cluster_id != 0;

	k->pools = pp->pools;
	k->n_pools = pp->n_pools;
	k->no_install = pp->services;
	k->n_no_install = pp->n_services;
	k->adverts = pp->adverts;
	k->n_adverts = plan->n_advertisements;
	k->cluster_routes = cluster_routes_of(plan->program_cluster_routes);
	if (plan->has_ipv4) {
		k->has_addr4 = true;
		memcpy(k->addr4, plan->ipv4.bytes, 4);
		if (plan->ipv4_prefix_len) {
			k->has_subnet4 = true;
			k->subnet4 = pool_policy_prefix(&plan->ipv4, plan->ipv4_prefix_len);
			/* Host bits of the node address are not part of the subnet. */
			for (unsigned b = plan->ipv4_prefix_len; b < 32; b++)
				k->subnet4.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		}
	}
	if (plan->has_ipv6) {
		k->has_addr6 = true;
		memcpy(k->addr6, plan->ipv6.bytes, 16);
	}
	k->protocol = RTPROT_BIRD;
	k->table = RT_TABLE_MAIN;
	k->tunnel_dev = "tunl0";
	return 0;
}

void pool_policy_clear(struct pool_policy *pp)
{
	free(pp->pools);
	free(pp->services);
	free(pp->service_lb);
	free(pp->adverts);
	free(pp->words);
	memset(pp, 0, sizeof(*pp));
}

bool pool_policy_export(void *ctx, const struct bgp_prefix *prefix, uint16_t src_peer,
			const struct attr_set *attrs)
{
	const struct pool_policy *pp = ctx;
	const struct kernel_pool *best = NULL;

	(void)attrs;
	for (size_t i = 0; i < pp->n_pools; i++) {
		const struct kernel_pool *k = &pp->pools[i];

		if (k->cidr.family == prefix->family && ptab_covers(&k->cidr, prefix) &&
		    (!best || k->cidr.len > best->cidr.len))
			best = k;
	}
	if (best && best->disable_export)
		return false;
	for (size_t i = 0; i < pp->n_services; i++) {
		if (pp->services[i].family != prefix->family ||
		    !ptab_covers(&pp->services[i], prefix))
			continue;
		if (src_peer == RIB_PEER_LOCAL || (pp->route_reflector && pp->service_lb[i]))
			return true;
	}
	return best != NULL;
}
