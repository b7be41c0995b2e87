/* The export side of the plan (spec §8.5): what the speaker needs to decide,
 * per node, which routes it exports with which communities and which learned
 * routes it installs in the kernel. The planner only gathers and resolves
 * the configuration; the speaker applies it to the routes it sees.
 *
 * - ipPools: the enabled IP pools (disabled ones are left out) with
 *   disableBGPExport and their encapsulation modes, sorted by prefix;
 * - serviceCIDRs: the default BGPConfiguration's serviceClusterIPs,
 *   serviceExternalIPs and serviceLoadBalancerIPs;
 * - prefixAdvertisements: the node-specific BGPConfiguration's list when it
 *   has one, else the default's, community names resolved to values;
 * - routes: the service CIDRs this node originates, with the communities of
 *   every advertisement that covers them;
 * - programClusterRoutes: as configured, Enabled when unset. */
#include "lib/planner_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PL_EXCLUDE_LB_LABEL "node.kubernetes.io/exclude-from-external-load-balancers"

static void to_prefix(const struct ip_cidr *c, struct peering_addr *a, uint8_t *len)
{
	struct ip_cidr net;
	char buf[IP_STRLEN];

	cidr_network(c, &net);
	peering_addr_parse(ip_format(&net.ip, buf), a);
	*len = (uint8_t)net.len;
}

static int cmp_prefix(const struct peering_addr *a, uint8_t alen, const struct peering_addr *b,
		      uint8_t blen)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->bytes, b->bytes, 16)))
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* a/alen lies inside b/blen */
static bool prefix_within(const struct peering_addr *a, uint8_t alen,
			  const struct peering_addr *b, uint8_t blen)
{
	if (a->family != b->family || alen < blen)
		return false;
	for (unsigned bit = 0; bit < blen; bit++) {
		uint8_t m = 0x80 >> (bit % 8);

		if ((a->bytes[bit / 8] & m) != (b->bytes[bit / 8] & m))
			return false;
	}
	return true;
}

/* --- IP pools ------------------------------------------------------------ */

static int encap_mode(const json_t *spec, const char *key, enum peering_encap *out)
{
	const json_t *v = json_object_get(spec, key);
	const char *s;

	*out = PEERING_ENCAP_NEVER;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	s = json_string_value(v);
	if (!*s || strcmp(s, "Never") == 0)
		return 0;
	if (strcmp(s, "Always") == 0)
		*out = PEERING_ENCAP_ALWAYS;
	else if (strcmp(s, "CrossSubnet") == 0)
		*out = PEERING_ENCAP_CROSS_SUBNET;
	else
		return -EINVAL;
	return 0;
}

static int cmp_pool(const void *a, const void *b)
{
	const struct peering_pool *x = a, *y = b;

	return cmp_prefix(&x->prefix, x->len, &y->prefix, y->len);
}

static const char *name_of(const json_t *res)
{
	const json_t *n = json_object_get(json_object_get(res, "metadata"), "name");

	return json_is_string(n) ? json_string_value(n) : "?";
}

static int plan_pools(const struct pl_world *w, const json_t *list, struct peering_plan *p,
		      struct err *e)
{
	const json_t *res;
	size_t i;

	if (!json_is_array(list))
		return 0;
	p->pools = calloc(json_array_size(list) + 1, sizeof(*p->pools));
	if (!p->pools)
		return err_set(e, -ENOMEM, "out of memory");
	json_array_foreach(list, i, res) {
		const json_t *spec = json_object_get(res, "spec");
		const json_t *cidr = json_object_get(spec, "cidr");
		struct peering_pool *pool = &p->pools[p->n_pools];
		struct ip_cidr c;

		if (json_is_true(json_object_get(spec, "disabled")))
			continue;
		if (!json_is_string(cidr) || cidr_parse(json_string_value(cidr), &c)) {
			pl_warn(w, "IPPool(%s): cidr: not a CIDR; pool ignored", name_of(res));
			continue;
		}
		if (encap_mode(spec, "ipipMode", &pool->ipip_mode) ||
		    encap_mode(spec, "vxlanMode", &pool->vxlan_mode)) {
			pl_warn(w, "IPPool(%s): ipipMode/vxlanMode: must be Never, Always or "
				"CrossSubnet; pool ignored", name_of(res));
			continue;
		}
		to_prefix(&c, &pool->prefix, &pool->len);
		pool->disable_bgp_export = json_is_true(json_object_get(spec, "disableBGPExport"));
		p->n_pools++;
	}
	qsort(p->pools, p->n_pools, sizeof(*p->pools), cmp_pool);
	return 0;
}

/* --- service CIDRs ------------------------------------------------------ */

static const char *const svc_keys[PEERING_SVC_COUNT] = {
	[PEERING_SVC_CLUSTER_IP] = "serviceClusterIPs",
	[PEERING_SVC_EXTERNAL_IP] = "serviceExternalIPs",
	[PEERING_SVC_LOADBALANCER_IP] = "serviceLoadBalancerIPs",
};

static int plan_services(const struct pl_world *w, struct peering_plan *p, struct err *e)
{
	size_t total = 0, i;
	const json_t *item;

	for (int t = 0; t < PEERING_SVC_COUNT; t++)
		total += json_array_size(json_object_get(w->default_spec, svc_keys[t]));
	p->service_cidrs = calloc(total + 1, sizeof(*p->service_cidrs));
	if (!p->service_cidrs)
		return err_set(e, -ENOMEM, "out of memory");
	for (int t = 0; t < PEERING_SVC_COUNT; t++) {
		json_array_foreach(json_object_get(w->default_spec, svc_keys[t]), i, item) {
			const json_t *cidr = json_object_get(item, "cidr");
			struct peering_service_cidr *s = &p->service_cidrs[p->n_service_cidrs];
			struct ip_cidr c;

			if (!json_is_string(cidr) || cidr_parse_or_ip(json_string_value(cidr), &c)) {
				pl_warn(w, "BGPConfiguration(default): %s[%zu].cidr: not a CIDR; "
					"ignored", svc_keys[t], i);
				continue;
			}
			to_prefix(&c, &s->prefix, &s->len);
			s->type = t;
			p->n_service_cidrs++;
		}
	}
	return 0;
}

/* --- prefix advertisements ---------------------------------------------- */

/* The value of a named community: the config's own definitions first, then
 * the default's (where names are defined cluster-wide). */
static const char *community_value(const struct pl_world *w, const json_t *spec,
				   const char *name)
{
	const json_t *specs[2] = { spec, w->default_spec }, *c;
	size_t i;

	for (int k = 0; k < 2; k++)
		json_array_foreach(json_object_get(specs[k], "communities"), i, c) {
			const json_t *n = json_object_get(c, "name"), *v = json_object_get(c, "value");

			if (json_is_string(n) && json_is_string(v) &&
			    strcmp(json_string_value(n), name) == 0)
				return json_string_value(v);
		}
	return NULL;
}

/* Appends one community ("a:b" or "a:b:c") to r unless already there. */
static void route_add_community(struct peering_route *r, const char *text)
{
	unsigned long long v[3];
	int n = 0;
	const char *s = text;
	char *end;

	for (;;) {
		v[n++] = strtoull(s, &end, 10);
		if (*end != ':' || n == 3)
			break;
		s = end + 1;
	}
	if (n == 2) {
		uint32_t c = (uint32_t)(v[0] << 16 | v[1]);

		for (size_t i = 0; i < r->n_communities; i++)
			if (r->communities[i] == c)
				return;
		r->communities[r->n_communities++] = c;
	} else {
		struct peering_large_community l = { (uint32_t)v[0], (uint32_t)v[1],
						     (uint32_t)v[2] };

		for (size_t i = 0; i < r->n_large; i++)
			if (!memcmp(&r->large[i], &l, sizeof(l)))
				return;
		r->large[r->n_large++] = l;
	}
}

static int alloc_communities(struct peering_route *r, size_t n, struct err *e)
{
	r->communities = calloc(n + 1, sizeof(*r->communities));
	r->large = calloc(n + 1, sizeof(*r->large));
	if (!r->communities || !r->large)
		return err_set(e, -ENOMEM, "out of memory");
	return 0;
}

static int plan_advertisements(const struct pl_world *w, struct peering_plan *p, struct err *e)
{
	const json_t *spec = w->self_spec, *list, *adv;
	const char *cfg = "node-specific";
	size_t i, j;
	int rc;

	list = json_object_get(spec, "prefixAdvertisements");
	if (!json_is_array(list)) { /* node-specific config over global */
		spec = w->default_spec;
		cfg = "default";
		list = json_object_get(spec, "prefixAdvertisements");
	}
	if (!json_is_array(list))
		return 0;
	p->advertisements = calloc(json_array_size(list) + 1, sizeof(*p->advertisements));
	if (!p->advertisements)
		return err_set(e, -ENOMEM, "out of memory");
	json_array_foreach(list, i, adv) {
		const json_t *cidr = json_object_get(adv, "cidr"), *comms, *c;
		struct peering_route *r = &p->advertisements[p->n_advertisements];
		struct ip_cidr net;

		if (!json_is_string(cidr) || cidr_parse_or_ip(json_string_value(cidr), &net)) {
			pl_warn(w, "BGPConfiguration(%s): prefixAdvertisements[%zu].cidr: not a "
				"CIDR; ignored", cfg, i);
			continue;
		}
		comms = json_object_get(adv, "communities");
		p->n_advertisements++;
		to_prefix(&net, &r->prefix, &r->len);
		if ((rc = alloc_communities(r, json_array_size(comms), e)))
			return rc;
		json_array_foreach(comms, j, c) {
			const char *text = json_is_string(c) ? json_string_value(c) : "";
			int bits, nbad;

			if (community_check(text, &bits, &nbad) != 0)
				text = *text ? community_value(w, spec, text) : NULL;
			if (!text || community_check(text, &bits, &nbad) != 0) {
				pl_warn(w, "BGPConfiguration(%s): prefixAdvertisements[%zu]."
					"communities[%zu] = '%s': neither a community nor a defined "
					"name; ignored", cfg, i, j,
					json_is_string(c) ? json_string_value(c) : "?");
				continue;
			}
			route_add_community(r, text);
		}
	}
	return 0;
}

/* --- originated routes -------------------------------------------------- */

static int cmp_route(const void *a, const void *b)
{
	const struct peering_route *x = a, *y = b;

	return cmp_prefix(&x->prefix, x->len, &y->prefix, y->len);
}

static bool excluded_from_services(const struct pl_world *w)
{
	const json_t *v = json_object_get(w->self->labels, PL_EXCLUDE_LB_LABEL);

	return json_is_string(v) && strcmp(json_string_value(v), "true") == 0;
}

/* The service CIDRs every node advertises. Single addresses (/32, /128) are
 * advertised per Service by nodes with local endpoints, and LoadBalancer
 * ranges are split per Service when aggregation is Disabled: both need the
 * Service objects, which this datastore does not have, so neither is
 * originated. */
static bool originated(const struct pl_world *w, const struct peering_service_cidr *s)
{
	const json_t *agg = json_object_get(w->default_spec, "serviceLoadBalancerAggregation");
	unsigned max = s->prefix.family == PEERING_FAM_IPV4 ? 32 : 128;

	if (s->len == max)
		return false;
	return !(s->type == PEERING_SVC_LOADBALANCER_IP && json_is_string(agg) &&
		 strcmp(json_string_value(agg), "Disabled") == 0);
}

static int plan_routes(const struct pl_world *w, struct peering_plan *p, struct err *e)
{
	size_t total = 0;
	int rc;

	for (size_t a = 0; a < p->n_advertisements; a++)
		total += p->advertisements[a].n_communities + p->advertisements[a].n_large;
	p->routes = calloc(p->n_service_cidrs + 1, sizeof(*p->routes));
	if (!p->routes)
		return err_set(e, -ENOMEM, "out of memory");
	if (excluded_from_services(w))
		return 0;
	for (size_t i = 0; i < p->n_service_cidrs; i++) {
		const struct peering_service_cidr *s = &p->service_cidrs[i];
		struct peering_route *r = NULL;

		if (!originated(w, s))
			continue;
		for (size_t k = 0; k < p->n_routes; k++)
			if (!cmp_prefix(&p->routes[k].prefix, p->routes[k].len, &s->prefix, s->len))
				r = &p->routes[k];
		if (r)
			continue; /* listed twice (e.g. as cluster and external IPs) */
		r = &p->routes[p->n_routes++];
		r->prefix = s->prefix;
		r->len = s->len;
		if ((rc = alloc_communities(r, total, e)))
			return rc;
		for (size_t a = 0; a < p->n_advertisements; a++) {
			const struct peering_route *adv = &p->advertisements[a];
			char buf[40];

			if (!prefix_within(&r->prefix, r->len, &adv->prefix, adv->len))
				continue;
			for (size_t c = 0; c < adv->n_communities; c++) {
				snprintf(buf, sizeof(buf), "%u:%u", adv->communities[c] >> 16,
					 adv->communities[c] & 0xffff);
				route_add_community(r, buf);
			}
			for (size_t c = 0; c < adv->n_large; c++) {
				snprintf(buf, sizeof(buf), "%u:%u:%u", adv->large[c].global,
					 adv->large[c].local1, adv->large[c].local2);
				route_add_community(r, buf);
			}
		}
	}
	qsort(p->routes, p->n_routes, sizeof(*p->routes), cmp_route);
	return 0;
}

static const char *const cr_words[PEERING_CR_COUNT] = {
	[PEERING_CR_ENABLED] = "Enabled",
	[PEERING_CR_DISABLED] = "Disabled",
	[PEERING_CR_IPIP_ONLY] = "EnabledIPIPOnly",
	[PEERING_CR_NOENCAP_ONLY] = "EnabledNoEncapOnly",
};

static void plan_cluster_routes(const struct pl_world *w, struct peering_plan *p)
{
	const json_t *v = json_object_get(w->default_spec, "programClusterRoutes");

	p->program_cluster_routes = PEERING_CR_ENABLED;
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
		return;
	for (int m = 0; m < PEERING_CR_COUNT; m++)
		if (json_is_string(v) && strcmp(json_string_value(v), cr_words[m]) == 0) {
			p->program_cluster_routes = m;
			return;
		}
	pl_warn(w, "BGPConfiguration(default): programClusterRoutes: must be Enabled, Disabled, "
		"EnabledIPIPOnly or EnabledNoEncapOnly; Enabled applies");
}

int pl_plan_export(const struct pl_world *w, const json_t *ip_pools, struct peering_plan *p,
		   struct err *e)
{
	struct in_addr a;
	int rc;

	if (*w->self->cluster_id && inet_pton(AF_INET, w->self->cluster_id, &a) == 1)
		p->cluster_id = ntohl(a.s_addr);
	plan_cluster_routes(w, p);
	if ((rc = plan_pools(w, ip_pools, p, e)) || (rc = plan_services(w, p, e)) ||
	    (rc = plan_advertisements(w, p, e)))
		return rc;
	return plan_routes(w, p, e);
}
