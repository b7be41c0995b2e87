/* BGPConfiguration (resources.md §2.2): `default` holds the cluster values,
 * `node.<name>` overrides a few per node; the client rejects the
 * cluster-only fields on any other name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scalar.h"
#include "lib/schema.h"

static const char *const aliases[] = {"bgpconfiguration", "bgpconfigurations", "bgpconfig",
				      "bgpconfigs", NULL};
static const char *const columns[] = {"NAME", "LOGSEVERITY", "MESHENABLED", "ASNUMBER", NULL};

static const char *const bind_modes[] = {"None", "NodeIP", NULL};
static const char *const lb_aggregation[] = {"Enabled", "Disabled", NULL};
static const char *const cluster_routes[] = {"Enabled", "Disabled", "EnabledIPIPOnly",
					     "EnabledNoEncapOnly", NULL};

extern const struct field bgp_password_fields[];

static bool chk_log_level(const char *s)
{
	static const char *const levels[] = {"Trace", "Debug", "Info", "Warning",
					     "Error", "Fatal", NULL};

	for (size_t i = 0; levels[i]; i++)
		if (strcmp(levels[i], s) == 0)
			return true;
	return false;
}

/* ^[a-zA-Z0-9_.*-]{1,15}$ and not "*" */
static bool chk_ignored_interface(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 15 || strcmp(s, "*") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '*' ||
		      s[i] == '-'))
			return false;
	return true;
}

/* clang-format off */
static const struct field service_cidr_fields[] = {
	{.json = "cidr", .go = "CIDR", .type = FT_STRING, .gotype = "string", .tag = "net", .check = chk_net},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field service_cidr_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "ServiceClusterIPBlock", .sub = service_cidr_fields},
};
/* clang-format on */
/* clang-format off */
static const struct field service_ext_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "ServiceExternalIPBlock", .sub = service_cidr_fields},
};
/* clang-format on */
/* clang-format off */
static const struct field service_lb_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "ServiceLoadBalancerIPBlock", .sub = service_cidr_fields},
};

static const struct field community_fields[] = {
	{.json = "name", .go = "Name", .type = FT_STRING, .flags = F_REQ, .gotype = "string", .tag = "name",
	 .check = chk_name, .maxlen = 253},
	{.json = "value", .go = "Value", .type = FT_STRING, .flags = F_REQ, .gotype = "string", .maxlen = 40},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field community_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "Community", .sub = community_fields},
};
/* clang-format on */

static const struct field string_elem[] = {
    {.json = "", .go = "", .type = FT_STRING, .gotype = "string"}};

/* clang-format off */
static const struct field prefix_adv_fields[] = {
	{.json = "cidr", .go = "CIDR", .type = FT_STRING, .gotype = "string", .tag = "net", .check = chk_net},
	{.json = "communities", .go = "Communities", .type = FT_LIST, .flags = F_REQ, .gotype = "[]string",
	 .sub = string_elem, .maxitems = 50},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field prefix_adv_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "PrefixAdvertisement", .sub = prefix_adv_fields},
};
/* clang-format on */

static const struct field ignored_elem[] = {
    {.json = "", .go = "", .type = FT_STRING, .gotype = "string"}};

/* clang-format off */
static const struct field spec_fields[] = {
	{.json = "logSeverityScreen", .go = "LogSeverityScreen", .type = FT_STRING, .gotype = "string",
	 .tag = "logLevel", .check = chk_log_level},
	{.json = "nodeToNodeMeshEnabled", .go = "NodeToNodeMeshEnabled", .type = FT_BOOL, .flags = F_PTR,
	 .gotype = "bool"},
	{.json = "asNumber", .go = "ASNumber", .type = FT_ASN, .flags = F_PTR, .gotype = "numorstring.ASNumber"},
	{.json = "serviceLoadBalancerIPs", .go = "ServiceLoadBalancerIPs", .type = FT_LIST,
	 .gotype = "[]v3.ServiceLoadBalancerIPBlock", .sub = service_lb_elem},
	{.json = "serviceExternalIPs", .go = "ServiceExternalIPs", .type = FT_LIST,
	 .gotype = "[]v3.ServiceExternalIPBlock", .sub = service_ext_elem},
	{.json = "serviceClusterIPs", .go = "ServiceClusterIPs", .type = FT_LIST,
	 .gotype = "[]v3.ServiceClusterIPBlock", .sub = service_cidr_elem},
	{.json = "communities", .go = "Communities", .type = FT_LIST, .gotype = "[]v3.Community",
	 .sub = community_elem, .maxitems = 500},
	{.json = "prefixAdvertisements", .go = "PrefixAdvertisements", .type = FT_LIST,
	 .gotype = "[]v3.PrefixAdvertisement", .sub = prefix_adv_elem, .maxitems = 500},
	{.json = "listenPort", .go = "ListenPort", .type = FT_INT, .gotype = "uint16", .min = 0, .max = 65535},
	{.json = "nodeMeshPassword", .go = "NodeMeshPassword", .type = FT_OBJECT, .gotype = "BGPPassword",
	 .sub = bgp_password_fields},
	{.json = "nodeMeshMaxRestartTime", .go = "NodeMeshMaxRestartTime", .type = FT_DURATION, .flags = F_PTR,
	 .gotype = "v1.Duration"},
	{.json = "bindMode", .go = "BindMode", .type = FT_STRING, .gotype = "v3.BindMode", .enums = bind_modes},
	{.json = "ignoredInterfaces", .go = "IgnoredInterfaces", .type = FT_LIST, .gotype = "[]string",
	 .sub = ignored_elem, .tag = "ignoredInterface", .check = chk_ignored_interface},
	{.json = "localWorkloadPeeringIPV4", .go = "LocalWorkloadPeeringIPV4", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv4", .check = chk_ipv4},
	{.json = "localWorkloadPeeringIPV6", .go = "LocalWorkloadPeeringIPV6", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv6", .check = chk_ipv6},
	{.json = "serviceLoadBalancerAggregation", .go = "ServiceLoadBalancerAggregation", .type = FT_STRING,
	 .gotype = "v3.ServiceLoadBalancerAggregation", .enums = lb_aggregation},
	{.json = "programClusterRoutes", .go = "ProgramClusterRoutes", .type = FT_STRING,
	 .gotype = "v3.ProgramClusterRoutes", .enums = cluster_routes},
	{.json = "ipv4NormalRoutePriority", .go = "IPv4NormalRoutePriority", .type = FT_INT, .flags = F_PTR | F_RANGE,
	 .gotype = "int", .min = INT64_MIN, .max = INT64_MAX, .vmin = 1, .vmax = 2147483646},
	{.json = "ipv6NormalRoutePriority", .go = "IPv6NormalRoutePriority", .type = FT_INT, .flags = F_PTR | F_RANGE,
	 .gotype = "int", .min = INT64_MIN, .max = INT64_MAX, .vmin = 1, .vmax = 2147483646},
	{0},
};
/* clang-format on */

/* A community literal: shape errors are the caller's, value errors are
 * reported here per bad part (Calico's validateCommunityValue). Returns
 * false when the shape is wrong. */
static bool valid_community(const char *value, const char *field, struct verrs *errs)
{
	int bits = 0, nbad = 0, rc = community_check(value, &bits, &nbad);

	if (rc == -EINVAL)
		return false;
	for (int i = 0; i < nbad; i++)
		verrs_addf(errs, field, value, "invalid community value, expected %d bit value",
			   bits);
	return true;
}

static bool community_defined(const char *name, const json_t *communities)
{
	const json_t *c;
	size_t i;

	json_array_foreach(communities, i, c)
	{
		const char *n = js(c, "name");

		if (n && strcmp(n, name) == 0)
			return true;
	}
	return false;
}

static void spec_struct(struct vctx *v, struct verrs *errs)
{
	json_t *communities = json_object_get(v->spec, "communities");
	json_t *ads = json_object_get(v->spec, "prefixAdvertisements");
	json_t *c, *mesh = json_object_get(v->spec, "nodeToNodeMeshEnabled");
	size_t i, j;

	json_array_foreach(communities, i, c)
	{
		const char *value = js_or(c, "value", "");

		if (!valid_community(value, "Spec.Communities[].Value", errs))
			verrs_add(errs, "Spec.Communities[].Value", value,
				  "invalid community value or format used.");
	}
	if (json_array_size(ads) == 0 && json_array_size(communities) != 0) {
		char *val = go_value(communities);

		verrs_add(errs, "Spec.Communities[]", val,
			  "communities are defined but not used in Spec.PrefixAdvertisement[].");
		free(val);
	}
	json_array_foreach(ads, i, c)
	{
		const char *cidr = js_or(c, "cidr", "");
		struct ip_cidr parsed;
		json_t *pc;

		if (cidr_parse_or_ip(cidr, &parsed))
			verrs_add(errs, "Spec.PrefixAdvertisement[].CIDR", cidr,
				  "invalid CIDR value.");
		json_array_foreach(json_object_get(c, "communities"), j, pc)
		{
			const char *value = json_string_value(pc);

			if (!valid_community(value, "Spec.PrefixAdvertisement[].Communities[]",
					     errs) &&
			    !community_defined(value, communities))
				verrs_add(errs, "Spec.PrefixAdvertisement[].Communities[]", value,
					  "community used is invalid or not defined.");
		}
	}
	if (json_is_false(mesh)) {
		if (json_object_get(v->spec, "nodeMeshPassword"))
			verrs_add(errs, "Spec.NodeMeshPassword", NULL,
				  "spec.NodeMeshPassword cannot be set if spec.NodeToNodeMesh is "
				  "disabled");
		if (json_object_get(v->spec, "nodeMeshMaxRestartTime"))
			verrs_add(errs, "Spec.NodeMeshMaxRestartTime",
				  js(v->spec, "nodeMeshMaxRestartTime"),
				  "spec.NodeMeshMaxRestartTime cannot be set if "
				  "spec.NodeToNodeMesh is disabled");
	}
}

/* bgpconfig.go: fields only the `default` configuration may carry. */
static void client_post(struct vctx *v, struct verrs *errs)
{
	static const struct {
		const char *json, *field, *word;
		bool nonempty; /* lists: only a non-empty one is rejected */
	} only_default[] = {
	    {"nodeToNodeMeshEnabled", "NodeToNodeMeshEnabled", "nodeToNodeMeshEnabled", false},
	    {"asNumber", "ASNumber", "ASNumber", false},
	    {"serviceLoadBalancerIPs", "ServiceLoadBalancerIPs", "ServiceLoadBalancerIPs", true},
	    {"serviceExternalIPs", "ServiceExternalIPs", "ServiceExternalIPs", true},
	    {"serviceClusterIPs", "ServiceClusterIPs", "ServiceClusterIPs", true},
	    {"nodeMeshPassword", "NodeMeshPassword", "nodeMeshPassword", false},
	    {"nodeMeshMaxRestartTime", "NodeMeshMaxRestartTime", "nodeMeshMaxRestartTime", false},
	};

	if (strcmp(res_name(v->obj), "default") == 0)
		return;
	for (size_t i = 0; i < sizeof(only_default) / sizeof(only_default[0]); i++) {
		json_t *f = json_object_get(v->spec, only_default[i].json);

		if (!f || (only_default[i].nonempty && json_array_size(f) == 0))
			continue;
		char *name = xasprintf("BGPConfiguration.Spec.%s", only_default[i].field);

		verrs_addf(errs, name, NULL, "Cannot set %s on a non default BGP Configuration.",
			   only_default[i].word);
		free(name);
	}
}

/* v3.32 CRD defaulting, written into the stored object. */
static void defaults(struct vctx *v)
{
	if (!json_object_get(v->spec, "logSeverityScreen"))
		json_object_set_new(v->spec, "logSeverityScreen", json_string("Info"));
	if (!json_object_get(v->spec, "serviceLoadBalancerAggregation"))
		json_object_set_new(v->spec, "serviceLoadBalancerAggregation",
				    json_string("Enabled"));
}

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	const json_t *spec = json_object_get(obj, "spec"), *v;

	(void)pctx;
	if (strcmp(heading, "LOGSEVERITY") == 0)
		return xstrdup(js_or(spec, "logSeverityScreen", ""));
	if (strcmp(heading, "MESHENABLED") == 0) {
		v = json_object_get(spec, "nodeToNodeMeshEnabled");
		return xstrdup(!json_is_boolean(v) ? "-" : json_is_true(v) ? "true" : "false");
	}
	v = json_object_get(spec, "asNumber");
	return json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v))
				  : xstrdup("-");
}

/* clang-format off */
const struct kind_desc kind_bgpconfig = {
	.name = "BGPConfiguration",
	.list_name = "BGPConfigurationList",
	.aliases = aliases,
	.spec = spec_fields,
	.spec_type = "BGPConfigurationSpec",
	.columns = columns,
	.wide_columns = columns,
	.cell = cell,
	.spec_struct = spec_struct,
	.client_post = client_post,
	.defaults = defaults,
};
/* clang-format on */
