/* The export-policy part of the peering plan (spec §8.5): the node's route
 * reflector cluster id and subnets, the enabled IP pools, the service CIDRs,
 * the prefix advertisements (communities) and programClusterRoutes. Strict
 * JSON parse and canonical print, like the rest of the plan (peering.c). */
#include "lib/peering.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const encap_names[PEERING_ENCAP_COUNT] = {
	[PEERING_ENCAP_NEVER] = "Never",
	[PEERING_ENCAP_ALWAYS] = "Always",
	[PEERING_ENCAP_CROSS_SUBNET] = "CrossSubnet",
};
_Static_assert(sizeof(encap_names) / sizeof(encap_names[0]) == PEERING_ENCAP_COUNT, "encap");

static const char *const cr_names[PEERING_CR_COUNT] = {
	[PEERING_CR_ENABLED] = "Enabled",
	[PEERING_CR_DISABLED] = "Disabled",
	[PEERING_CR_IPIP_ONLY] = "EnabledIPIPOnly",
	[PEERING_CR_NOENCAP_ONLY] = "EnabledNoEncapOnly",
};
_Static_assert(sizeof(cr_names) / sizeof(cr_names[0]) == PEERING_CR_COUNT, "cluster routes");

static const char *const svc_names[PEERING_SVC_COUNT] = {
	[PEERING_SVC_CLUSTER_IP] = "ClusterIP",
	[PEERING_SVC_EXTERNAL_IP] = "ExternalIP",
	[PEERING_SVC_LOADBALANCER_IP] = "LoadBalancerIP",
};
_Static_assert(sizeof(svc_names) / sizeof(svc_names[0]) == PEERING_SVC_COUNT, "service types");

const char *peering_encap_name(enum peering_encap m)
{
	return m < PEERING_ENCAP_COUNT ? encap_names[m] : "unknown";
}

const char *peering_cluster_routes_name(enum peering_cluster_routes m)
{
	return m < PEERING_CR_COUNT ? cr_names[m] : "unknown";
}

const char *peering_service_type_name(enum peering_service_type t)
{
	return t < PEERING_SVC_COUNT ? svc_names[t] : "unknown";
}

/* --- readers ------------------------------------------------------------ */

static int check_keys(const json_t *obj, const char *path, const char *const *keys, struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		for (i = 0; keys[i]; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (!keys[i])
			return err_set(e, -EINVAL, "%s%s%s: unknown field", path, *path ? "." : "",
				       key);
	}
	return 0;
}

static int get_enum(const json_t *obj, const char *path, const char *key,
		    const char *const *names, int count, int *out, struct err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (json_is_string(v))
		for (int i = 0; i < count; i++)
			if (strcmp(json_string_value(v), names[i]) == 0) {
				*out = i;
				return 0;
			}
	return err_set(e, -EINVAL, "%s%s%s: must be one of %s%s%s%s%s%s%s", path, *path ? "." : "",
		       key, names[0], count > 1 ? ", " : "", count > 1 ? names[1] : "",
		       count > 2 ? ", " : "", count > 2 ? names[2] : "", count > 3 ? ", " : "",
		       count > 3 ? names[3] : "");
}

/* "addr/len" with host bits zero. */
static int parse_cidr(const json_t *obj, const char *path, const char *key,
		      struct peering_addr *a, uint8_t *len, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	char buf[PEERING_ADDR_TEXT + 8], *slash, *end;
	unsigned long n;
	unsigned max;

	if (!v)
		return err_set(e, -EINVAL, "%s.%s: required", path, key);
	if (!json_is_string(v) || strlen(json_string_value(v)) >= sizeof(buf))
		return err_set(e, -EINVAL, "%s.%s: must be a CIDR string", path, key);
	strcpy(buf, json_string_value(v));
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	if (peering_addr_parse(buf, a))
		goto bad;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	max = a->family == PEERING_FAM_IPV4 ? 32 : 128;
	if (!slash[1] || *end || errno || n > max)
		goto bad;
	*len = (uint8_t)n;
	for (unsigned bit = *len; bit < max; bit++)
		if (a->bytes[bit / 8] & (0x80 >> (bit % 8)))
			return err_set(e, -EINVAL, "%s.%s = '%s': host bits set", path, key,
				       json_string_value(v));
	return 0;
bad:
	return err_set(e, -EINVAL, "%s.%s = '%s': not an IPv4 or IPv6 CIDR", path, key,
		       json_string_value(v));
}

static json_t *cidr_json(const struct peering_addr *a, uint8_t len)
{
	char buf[PEERING_ADDR_TEXT + 8];

	snprintf(buf, sizeof(buf), "%s/%u", a->text, len);
	return json_string(buf);
}

/* Returns the list at key (NULL when absent or null) or fails when it is not
 * a list. */
static int get_list(const json_t *doc, const char *key, json_t **list, struct err *e)
{
	*list = json_object_get(doc, key);
	if (*list && json_is_null(*list))
		*list = NULL;
	if (*list && !json_is_array(*list))
		return err_set(e, -EINVAL, "%s: must be a list", key);
	return 0;
}

static const char *const pool_keys[] = { "cidr", "disableBGPExport", "ipipMode", "vxlanMode",
					 NULL };

static int parse_pool(const json_t *obj, const char *path, struct peering_pool *pool,
		      struct err *e)
{
	json_t *v;
	int rc, m;

	if (!json_is_object(obj))
		return err_set(e, -EINVAL, "%s: must be an object", path);
	if ((rc = check_keys(obj, path, pool_keys, e)) ||
	    (rc = parse_cidr(obj, path, "cidr", &pool->prefix, &pool->len, e)))
		return rc;
	v = json_object_get(obj, "disableBGPExport");
	if (v && !json_is_boolean(v))
		return err_set(e, -EINVAL, "%s.disableBGPExport: must be true or false", path);
	pool->disable_bgp_export = v && json_is_true(v);
	m = PEERING_ENCAP_NEVER;
	if ((rc = get_enum(obj, path, "ipipMode", encap_names, PEERING_ENCAP_COUNT, &m, e)))
		return rc;
	pool->ipip_mode = m;
	m = PEERING_ENCAP_NEVER;
	if ((rc = get_enum(obj, path, "vxlanMode", encap_names, PEERING_ENCAP_COUNT, &m, e)))
		return rc;
	pool->vxlan_mode = m;
	return 0;
}

static const char *const svc_keys[] = { "cidr", "type", NULL };

static int parse_service(const json_t *obj, const char *path, struct peering_service_cidr *s,
			 struct err *e)
{
	int rc, t = PEERING_SVC_CLUSTER_IP;

	if (!json_is_object(obj))
		return err_set(e, -EINVAL, "%s: must be an object", path);
	if ((rc = check_keys(obj, path, svc_keys, e)) ||
	    (rc = parse_cidr(obj, path, "cidr", &s->prefix, &s->len, e)))
		return rc;
	if (!json_object_get(obj, "type"))
		return err_set(e, -EINVAL, "%s.type: required", path);
	if ((rc = get_enum(obj, path, "type", svc_names, PEERING_SVC_COUNT, &t, e)))
		return rc;
	s->type = t;
	return 0;
}

static int parse_prefix_len(const json_t *doc, const char *key, unsigned max, uint8_t *out,
			    struct err *e)
{
	json_t *v = json_object_get(doc, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return err_set(e, -EINVAL, "%s: must be an integer 0..%u", key, max);
	*out = (uint8_t)json_integer_value(v);
	return 0;
}

static int parse_cluster_id(const json_t *doc, uint32_t *out, struct err *e)
{
	json_t *v = json_object_get(doc, "routeReflectorClusterID");
	struct in_addr a;

	if (!v || (json_is_string(v) && !*json_string_value(v)))
		return 0;
	if (!json_is_string(v) || inet_pton(AF_INET, json_string_value(v), &a) != 1)
		return err_set(e, -EINVAL, "routeReflectorClusterID: must be a dotted quad");
	*out = ntohl(a.s_addr);
	return 0;
}

int peering_export_parse(const json_t *doc, struct peering_plan *p, struct err *e)
{
	json_t *list, *item;
	char path[64];
	size_t i;
	int rc, m;

	if ((rc = parse_cluster_id(doc, &p->cluster_id, e)) ||
	    (rc = parse_prefix_len(doc, "ipv4PrefixLength", 32, &p->ipv4_prefix_len, e)) ||
	    (rc = parse_prefix_len(doc, "ipv6PrefixLength", 128, &p->ipv6_prefix_len, e)))
		return rc;
	m = PEERING_CR_ENABLED;
	if ((rc = get_enum(doc, "", "programClusterRoutes", cr_names, PEERING_CR_COUNT, &m, e)))
		return rc;
	p->program_cluster_routes = m;

	if ((rc = get_list(doc, "ipPools", &list, e)))
		return rc;
	if (list) {
		p->pools = calloc(json_array_size(list) + 1, sizeof(*p->pools));
		if (!p->pools)
			return err_set(e, -ENOMEM, "out of memory");
		json_array_foreach(list, i, item) {
			snprintf(path, sizeof(path), "ipPools[%zu]", i);
			if ((rc = parse_pool(item, path, &p->pools[i], e)))
				return rc;
			p->n_pools++;
		}
	}
	if ((rc = get_list(doc, "serviceCIDRs", &list, e)))
		return rc;
	if (list) {
		p->service_cidrs = calloc(json_array_size(list) + 1, sizeof(*p->service_cidrs));
		if (!p->service_cidrs)
			return err_set(e, -ENOMEM, "out of memory");
		json_array_foreach(list, i, item) {
			snprintf(path, sizeof(path), "serviceCIDRs[%zu]", i);
			if ((rc = parse_service(item, path, &p->service_cidrs[i], e)))
				return rc;
			p->n_service_cidrs++;
		}
	}
	if ((rc = get_list(doc, "prefixAdvertisements", &list, e)))
		return rc;
	if (list) {
		p->advertisements = calloc(json_array_size(list) + 1, sizeof(*p->advertisements));
		if (!p->advertisements)
			return err_set(e, -ENOMEM, "out of memory");
		json_array_foreach(list, i, item) {
			snprintf(path, sizeof(path), "prefixAdvertisements[%zu]", i);
			/* counted first: a half-parsed entry still owns memory */
			p->n_advertisements++;
			if ((rc = peering_route_parse(item, path, &p->advertisements[i], e)))
				return rc;
		}
	}
	return 0;
}

void peering_export_to_json(const struct peering_plan *p, json_t *o)
{
	json_t *pools = json_array(), *svcs = json_array(), *advs = json_array();
	char buf[16];
	uint32_t id = p->cluster_id;

	if (id)
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", id >> 24, (id >> 16) & 255,
			 (id >> 8) & 255, id & 255);
	else
		buf[0] = '\0';
	json_object_set_new(o, "routeReflectorClusterID", json_string(buf));
	json_object_set_new(o, "ipv4PrefixLength", json_integer(p->ipv4_prefix_len));
	json_object_set_new(o, "ipv6PrefixLength", json_integer(p->ipv6_prefix_len));
	for (size_t i = 0; i < p->n_pools; i++) {
		const struct peering_pool *pool = &p->pools[i];
		json_t *j = json_object();

		json_object_set_new(j, "cidr", cidr_json(&pool->prefix, pool->len));
		json_object_set_new(j, "disableBGPExport", json_boolean(pool->disable_bgp_export));
		json_object_set_new(j, "ipipMode", json_string(peering_encap_name(pool->ipip_mode)));
		json_object_set_new(j, "vxlanMode",
				    json_string(peering_encap_name(pool->vxlan_mode)));
		json_array_append_new(pools, j);
	}
	for (size_t i = 0; i < p->n_service_cidrs; i++) {
		const struct peering_service_cidr *s = &p->service_cidrs[i];
		json_t *j = json_object();

		json_object_set_new(j, "cidr", cidr_json(&s->prefix, s->len));
		json_object_set_new(j, "type", json_string(peering_service_type_name(s->type)));
		json_array_append_new(svcs, j);
	}
	for (size_t i = 0; i < p->n_advertisements; i++)
		json_array_append_new(advs, peering_route_to_json(&p->advertisements[i]));
	json_object_set_new(o, "ipPools", pools);
	json_object_set_new(o, "serviceCIDRs", svcs);
	json_object_set_new(o, "prefixAdvertisements", advs);
	json_object_set_new(o, "programClusterRoutes",
			    json_string(peering_cluster_routes_name(p->program_cluster_routes)));
}

void peering_export_free(struct peering_plan *p)
{
	for (size_t i = 0; i < p->n_advertisements; i++) {
		free(p->advertisements[i].communities);
		free(p->advertisements[i].large);
	}
	free(p->advertisements);
	free(p->pools);
	free(p->service_cidrs);
	p->advertisements = NULL;
	p->pools = NULL;
	p->service_cidrs = NULL;
	p->n_advertisements = p->n_pools = p->n_service_cidrs = 0;
}
