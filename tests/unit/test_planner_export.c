/* The export side of the plan (spec §8.5): enabled IP pools, service CIDRs,
 * prefix advertisements with named communities (node-specific config over
 * global), the service routes each node originates and
 * programClusterRoutes. Expected values are the plan's JSON fragments. */
#include "planner_util.h"

#define N4(name, ip) "{'metadata':{'name':'" name "'},'spec':{'bgp':{'ipv4Address':'" ip "'}}}"
#define NL(name, ip, labels) \
	"{'metadata':{'name':'" name "','labels':" labels "},'spec':{'bgp':{'ipv4Address':'" ip "'}}}"
#define CFG(name, spec) "{'metadata':{'name':'" name "'},'spec':" spec "}"
#define POOL(name, spec) "{'metadata':{'name':'" name "'},'spec':" spec "}"

static const char *world =
	"{'nodes':[" N4("a", "10.0.0.1/24") "," N4("b", "10.0.0.2/24") ","
	NL("c", "10.0.0.3/24", "{'node.kubernetes.io/exclude-from-external-load-balancers':'true'}")
	"," NL("rr", "10.0.0.9/24", "{}") "],"
	"'pools':["
	POOL("p2", "{'cidr':'10.245.0.0/16','ipipMode':'Always','vxlanMode':'Never'}") ","
	POOL("p1", "{'cidr':'10.244.0.0/16','vxlanMode':'CrossSubnet','disableBGPExport':true}") ","
	POOL("off", "{'cidr':'10.246.0.0/16','disabled':true}") ","
	POOL("v6", "{'cidr':'fd10::/48','ipipMode':'','vxlanMode':'Always'}") ","
	POOL("cross", "{'cidr':'10.247.0.0/16','ipipMode':'CrossSubnet'}") "],"
	"'configs':["
	CFG("default", "{'serviceClusterIPs':[{'cidr':'10.96.0.0/12'}],"
	"'serviceExternalIPs':[{'cidr':'192.0.2.0/24'},{'cidr':'192.0.2.10'}],"
	"'serviceLoadBalancerIPs':[{'cidr':'198.51.100.0/24'},{'cidr':'fd20::/64'}],"
	"'communities':[{'name':'big','value':'65000:300:100'}],"
	"'prefixAdvertisements':[{'cidr':'10.96.0.0/12','communities':['big','65000:120']},"
	"{'cidr':'10.0.0.0/8','communities':['65000:1','65000:120']}],"
	"'programClusterRoutes':'Disabled'}") ","
	CFG("node.b", "{'prefixAdvertisements':[{'cidr':'198.51.100.0/24','communities':"
	"['65000:7','big','nope']}]}") "]}";

static char *fragment(const struct peering_plan *p, const char *key)
{
	json_t *j = peering_plan_to_json(p);
	char *s = json_dumps(json_object_get(j, key), JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(j);
	return s;
}

#define CHECK_FRAGMENT(p, key, want)                    \
	do {                                            \
		char *got_ = fragment(p, key);          \
		CHECK_STR(got_, want);                  \
		free(got_);                             \
	} while (0)

static void test_node_a(void)
{
	struct err e;
	struct peering_plan *p = plan_world(world, "a", NULL, false, &e);

	CHECK(p != NULL);
	if (!p)
		return;
	/* enabled pools only, by prefix, IPv4 first; "" mode is Never */
	CHECK_FRAGMENT(p, "ipPools",
		       "[{\"cidr\":\"10.244.0.0/16\",\"disableBGPExport\":true,\"ipipMode\":\"Never\","
		       "\"vxlanMode\":\"CrossSubnet\"},"
		       "{\"cidr\":\"10.245.0.0/16\",\"disableBGPExport\":false,\"ipipMode\":\"Always\","
		       "\"vxlanMode\":\"Never\"},"
		       "{\"cidr\":\"10.247.0.0/16\",\"disableBGPExport\":false,\"ipipMode\":"
		       "\"CrossSubnet\",\"vxlanMode\":\"Never\"},"
		       "{\"cidr\":\"fd10::/48\",\"disableBGPExport\":false,\"ipipMode\":\"Never\","
		       "\"vxlanMode\":\"Always\"}]");
	CHECK_FRAGMENT(p, "serviceCIDRs",
		       "[{\"cidr\":\"10.96.0.0/12\",\"type\":\"ClusterIP\"},"
		       "{\"cidr\":\"192.0.2.0/24\",\"type\":\"ExternalIP\"},"
		       "{\"cidr\":\"192.0.2.10/32\",\"type\":\"ExternalIP\"},"
		       "{\"cidr\":\"198.51.100.0/24\",\"type\":\"LoadBalancerIP\"},"
		       "{\"cidr\":\"fd20::/64\",\"type\":\"LoadBalancerIP\"}]");
	/* names resolved, standard communities listed before large ones */
	CHECK_FRAGMENT(p, "prefixAdvertisements",
		       "[{\"prefix\":\"10.96.0.0/12\",\"communities\":[\"65000:120\","
		       "\"65000:300:100\"]},"
		       "{\"prefix\":\"10.0.0.0/8\",\"communities\":[\"65000:1\",\"65000:120\"]}]");
	/* the service ranges this node originates, with the communities of
	 * every covering advertisement, once each; the single address is
	 * not originated (it is per Service) */
	CHECK_FRAGMENT(p, "routes",
		       "[{\"prefix\":\"10.96.0.0/12\",\"communities\":[\"65000:120\",\"65000:1\","
		       "\"65000:300:100\"]},"
		       "{\"prefix\":\"192.0.2.0/24\",\"communities\":[]},"
		       "{\"prefix\":\"198.51.100.0/24\",\"communities\":[]},"
		       "{\"prefix\":\"fd20::/64\",\"communities\":[]}]");
	CHECK_FRAGMENT(p, "programClusterRoutes", "\"Disabled\"");
	CHECK_FRAGMENT(p, "routeReflectorClusterID", "\"\"");
	CHECK_FRAGMENT(p, "ipv4PrefixLength", "24");
	CHECK(warnings[0] == '\0');
	check_invariants("export, node a", world, "a", NULL, p);
	peering_plan_free(p);
}

static void test_node_specific(void)
{
	struct err e;
	struct peering_plan *p = plan_world(world, "b", NULL, false, &e);

	CHECK(p != NULL);
	if (!p)
		return;
	/* node.b's list replaces the default one; names still resolve from
	 * default; an unknown name is reported and left out */
	CHECK_FRAGMENT(p, "prefixAdvertisements",
		       "[{\"prefix\":\"198.51.100.0/24\",\"communities\":[\"65000:7\","
		       "\"65000:300:100\"]}]");
	CHECK_FRAGMENT(p, "routes",
		       "[{\"prefix\":\"10.96.0.0/12\",\"communities\":[]},"
		       "{\"prefix\":\"192.0.2.0/24\",\"communities\":[]},"
		       "{\"prefix\":\"198.51.100.0/24\",\"communities\":[\"65000:7\","
		       "\"65000:300:100\"]},"
		       "{\"prefix\":\"fd20::/64\",\"communities\":[]}]");
	CHECK_STR(warnings, "BGPConfiguration(node-specific): prefixAdvertisements[0]."
			    "communities[2] = 'nope': neither a community nor a defined name; "
			    "ignored\n");
	check_invariants("export, node-specific advertisements", world, "b", NULL, p);
	peering_plan_free(p);
}

static void test_excluded_and_defaults(void)
{
	struct err e;
	struct peering_plan *p = plan_world(world, "c", NULL, false, &e);

	/* the exclude-from-external-load-balancers label: no service routes */
	CHECK(p && p->n_routes == 0 && p->n_service_cidrs == 5);
	peering_plan_free(p);

	/* nothing configured: no pools, no services, programClusterRoutes
	 * Enabled (no Felix here: the speaker programs routes itself) */
	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "]}", "a", NULL, false, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_FRAGMENT(p, "ipPools", "[]");
	CHECK_FRAGMENT(p, "serviceCIDRs", "[]");
	CHECK_FRAGMENT(p, "prefixAdvertisements", "[]");
	CHECK_FRAGMENT(p, "routes", "[]");
	CHECK_FRAGMENT(p, "programClusterRoutes", "\"Enabled\"");
	peering_plan_free(p);

	/* LoadBalancer aggregation Disabled: LB ranges are per Service */
	p = plan_world("{'nodes':[" N4("a", "10.0.0.1") "],'configs':[" CFG("default",
		       "{'serviceLoadBalancerIPs':[{'cidr':'198.51.100.0/24'}],"
		       "'serviceClusterIPs':[{'cidr':'10.96.0.0/12'}],"
		       "'serviceLoadBalancerAggregation':'Disabled',"
		       "'programClusterRoutes':'EnabledIPIPOnly'}") "]}", "a", NULL, false, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_FRAGMENT(p, "routes", "[{\"prefix\":\"10.96.0.0/12\",\"communities\":[]}]");
	CHECK_FRAGMENT(p, "programClusterRoutes", "\"EnabledIPIPOnly\"");
	peering_plan_free(p);
}

static void test_route_reflector_and_bad_pools(void)
{
	struct err e;
	struct peering_plan *p;

	p = plan_world("{'nodes':[{'metadata':{'name':'r'},'spec':{'bgp':{'ipv4Address':"
		       "'10.0.0.9','routeReflectorClusterID':'224.0.0.1'}}}],'pools':["
		       POOL("bad", "{'cidr':'10.0.0.0/33'}") "," POOL("mode",
		       "{'cidr':'10.1.0.0/16','ipipMode':'Sometimes'}") "," POOL("ok",
		       "{'cidr':'10.2.0.0/16'}") "]}", "r", NULL, false, &e);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_FRAGMENT(p, "routeReflectorClusterID", "\"224.0.0.1\"");
	CHECK_FRAGMENT(p, "ipPools", "[{\"cidr\":\"10.2.0.0/16\",\"disableBGPExport\":false,"
				     "\"ipipMode\":\"Never\",\"vxlanMode\":\"Never\"}]");
	CHECK(strstr(warnings, "IPPool(bad): cidr: not a CIDR; pool ignored") != NULL);
	CHECK(strstr(warnings, "IPPool(mode): ipipMode/vxlanMode: must be Never, Always or "
			       "CrossSubnet; pool ignored") != NULL);
	peering_plan_free(p);
}

/* The plan format's new keys are strict like the rest. */
static void test_parse_errors(void)
{
	static const struct {
		const char *doc, *msg;
	} bad[] = {
		{ "{'routerID':'1.1.1.1','ipPools':[{'cidr':'10.0.0.1/8'}]}",
		  "ipPools[0].cidr = '10.0.0.1/8': host bits set" },
		{ "{'routerID':'1.1.1.1','ipPools':[{'cidr':'10.0.0.0/8','ipipMode':'x'}]}",
		  "ipPools[0].ipipMode: must be one of Never, Always, CrossSubnet" },
		{ "{'routerID':'1.1.1.1','ipPools':[{'cidr':'10.0.0.0/8','nat':true}]}",
		  "ipPools[0].nat: unknown field" },
		{ "{'routerID':'1.1.1.1','serviceCIDRs':[{'cidr':'10.96.0.0/12'}]}",
		  "serviceCIDRs[0].type: required" },
		{ "{'routerID':'1.1.1.1','programClusterRoutes':'Sometimes'}",
		  "programClusterRoutes: must be one of Enabled, Disabled, EnabledIPIPOnly, "
		  "EnabledNoEncapOnly" },
		{ "{'routerID':'1.1.1.1','routeReflectorClusterID':'x'}",
		  "routeReflectorClusterID: must be a dotted quad" },
		{ "{'routerID':'1.1.1.1','ipv4PrefixLength':33}",
		  "ipv4PrefixLength: must be an integer 0..32" },
		{ "{'routerID':'1.1.1.1','prefixAdvertisements':[{'prefix':'10.0.0.0/8',"
		  "'communities':['1:2:3:4']}]}",
		  "prefixAdvertisements[0].communities[0]: must be \"a:b\" (16-bit parts) or "
		  "\"a:b:c\" (32-bit parts)" },
		{ "{'routerID':'1.1.1.1','ipPools':{}}", "ipPools: must be a list" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = jq(bad[i].doc);
		struct peering_plan *p = NULL;
		struct err e = { "" };

		CHECK(peering_plan_parse(doc, &p, &e) < 0 && p == NULL);
		CHECK_STR(e.msg, bad[i].msg);
		json_decref(doc);
	}
}

int main(void)
{
	test_node_a();
	test_node_specific();
	test_excluded_and_defaults();
	test_route_reflector_and_bad_pools();
	test_parse_errors();
	return check_done();
}
