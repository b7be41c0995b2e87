/* Node (resources.md §2.1): a host running the speaker; its BGP section
 * gives the router address, AS and route-reflector role. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/schema.h"

static const char *const aliases[] = {"node", "nodes", "no", "nos", NULL};
static const char *const columns[] = {"NAME", NULL};
static const char *const wide_columns[] = {"NAME", "ASN", "IPV4", "IPV6", NULL};

static bool chk_ip_type(const char *s)
{
	return strcmp(s, "CalicoNodeIP") == 0 || strcmp(s, "InternalIP") == 0 ||
	       strcmp(s, "ExternalIP") == 0;
}

/* A WireGuard public key: standard base64 of 32 bytes (44 chars, one '='). */
static bool chk_wireguard_key(const char *s)
{
	if (strlen(s) != 44 || s[43] != '=')
		return false;
	for (size_t i = 0; i < 43; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	/* The last character before '=' carries 4 bits: its 2 low bits are 0. */
	return strchr("AEIMQUYcgkosw048", s[42]) != NULL;
}

/* clang-format off */
static const struct field bgp_fields[] = {
	{.json = "asNumber", .go = "ASNumber", .type = FT_ASN, .flags = F_PTR, .gotype = "numorstring.ASNumber"},
	{.json = "ipv4Address", .go = "IPv4Address", .type = FT_STRING, .gotype = "string", .tag = "cidrv4",
	 .check = chk_cidrv4},
	{.json = "ipv6Address", .go = "IPv6Address", .type = FT_STRING, .gotype = "string", .tag = "cidrv6",
	 .check = chk_cidrv6},
	{.json = "ipv4IPIPTunnelAddr", .go = "IPv4IPIPTunnelAddr", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv4", .check = chk_ipv4},
	{.json = "routeReflectorClusterID", .go = "RouteReflectorClusterID", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv4", .check = chk_ipv4},
	{0},
};

static const struct field orch_ref_fields[] = {
	{.json = "nodeName", .go = "NodeName", .type = FT_STRING, .gotype = "string"},
	{.json = "orchestrator", .go = "Orchestrator", .type = FT_STRING, .gotype = "string"},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field orch_ref_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "OrchRef", .sub = orch_ref_fields},
};

static const struct field wireguard_fields[] = {
	{.json = "interfaceIPv4Address", .go = "InterfaceIPv4Address", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv4", .check = chk_ipv4},
	{.json = "interfaceIPv6Address", .go = "InterfaceIPv6Address", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv6", .check = chk_ipv6},
	{0},
};

static const struct field address_fields[] = {
	{.json = "address", .go = "Address", .type = FT_STRING, .flags = F_ZERO, .gotype = "string", .tag = "net",
	 .check = chk_net},
	{.json = "type", .go = "Type", .type = FT_STRING, .gotype = "internalapi.NodeAddressType", .tag = "ipType",
	 .check = chk_ip_type},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field address_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "NodeAddress", .sub = address_fields},
};

static const struct field spec_fields[] = {
	{.json = "bgp", .go = "BGP", .type = FT_OBJECT, .gotype = "NodeBGPSpec", .sub = bgp_fields},
	{.json = "ipv4VXLANTunnelAddr", .go = "IPv4VXLANTunnelAddr", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv4", .check = chk_ipv4},
	{.json = "vxlanTunnelMACAddr", .go = "VXLANTunnelMACAddr", .type = FT_STRING, .gotype = "string", .tag = "mac",
	 .check = chk_mac},
	{.json = "ipv6VXLANTunnelAddr", .go = "IPv6VXLANTunnelAddr", .type = FT_STRING, .gotype = "string",
	 .tag = "ipv6", .check = chk_ipv6},
	{.json = "vxlanTunnelMACAddrV6", .go = "VXLANTunnelMACAddrV6", .type = FT_STRING, .gotype = "string",
	 .tag = "mac", .check = chk_mac},
	{.json = "orchRefs", .go = "OrchRefs", .type = FT_LIST, .gotype = "[]internalapi.OrchRef",
	 .sub = orch_ref_elem},
	{.json = "wireguard", .go = "Wireguard", .type = FT_OBJECT, .gotype = "NodeWireguardSpec",
	 .sub = wireguard_fields},
	{.json = "addresses", .go = "Addresses", .type = FT_LIST, .gotype = "[]internalapi.NodeAddress",
	 .sub = address_elem},
	{0},
};
/* clang-format on */

static const struct field pod_cidr_elem[] = {
    {.json = "", .go = "", .type = FT_STRING, .gotype = "string"}};

/* clang-format off */
static const struct field status_fields[] = {
	{.json = "wireguardPublicKey", .go = "WireguardPublicKey", .type = FT_STRING, .gotype = "string",
	 .tag = "wireguardPublicKey", .check = chk_wireguard_key},
	{.json = "wireguardPublicKeyV6", .go = "WireguardPublicKeyV6", .type = FT_STRING, .gotype = "string",
	 .tag = "wireguardPublicKey", .check = chk_wireguard_key},
	{.json = "podCIDRs", .go = "PodCIDRs", .type = FT_LIST, .gotype = "[]string", .sub = pod_cidr_elem},
	{0},
};
/* clang-format on */

static void spec_struct(struct vctx *v, struct verrs *errs)
{
	json_t *bgp = json_object_get(v->spec, "bgp");

	/* Go compares *BGP with the zero NodeBGPSpec and prints the pointer
	 * with %v: &{<ASNumber> <IPv4Address> ...}. */
	if (json_is_object(bgp) && json_object_size(bgp) == 0)
		verrs_add(errs, "BGP", "&{<nil>    }", "Spec.BGP should not be empty");
}

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	const json_t *bgp = json_object_get(json_object_get(obj, "spec"), "bgp"), *asn;

	if (!json_is_object(bgp))
		return xstrdup("");
	if (strcmp(heading, "ASN") == 0) {
		asn = json_object_get(bgp, "asNumber");
		if (json_is_integer(asn))
			return xasprintf("%lld", (long long)json_integer_value(asn));
		return xasprintf("(%s)", pctx->global_asn ? pctx->global_asn : "64512");
	}
	if (strcmp(heading, "IPV4") == 0)
		return xstrdup(js_or(bgp, "ipv4Address", ""));
	return xstrdup(js_or(bgp, "ipv6Address", ""));
}

/* clang-format off */
const struct kind_desc kind_node = {
	.name = "Node",
	.list_name = "NodeList",
	.aliases = aliases,
	.has_status = true,
	.spec = spec_fields,
	.spec_type = "NodeSpec",
	.status = status_fields,
	.status_type = "NodeStatus",
	.status_always = true,
	.columns = columns,
	.wide_columns = wide_columns,
	.cell = cell,
	.spec_struct = spec_struct,
};
/* clang-format on */
