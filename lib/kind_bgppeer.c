/* BGPPeer (resources.md §2.3): spec schema in Go struct order, the v3.32 Go
 * struct-level rules, the client's BGPFilter existence check, table cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scalar.h"
#include "lib/schema.h"

static const char *const aliases[] = {"bgppeer", "bgppeers", "bgpp", "bgpps", "bp", "bps", NULL};
static const char *const columns[] = {"NAME", "PEERIP", "NODE", "ASN", NULL};

static const char *const next_hop_modes[] = {"Auto", "Self", "Keep", NULL};
static const char *const reverse_modes[] = {"Auto", "Manual", NULL};

static bool chk_source_address(const char *s)
{
	return strcmp(s, "UseNodeIP") == 0 || strcmp(s, "None") == 0;
}

/* clang-format off */
static const struct field secret_ref_fields[] = {
	{.json = "name", .go = "Name", .type = FT_STRING, .gotype = "string"},
	{.json = "key", .go = "Key", .type = FT_STRING, .flags = F_CRDREQ, .gotype = "string"},
	{.json = "optional", .go = "Optional", .type = FT_BOOL, .flags = F_PTR, .gotype = "bool"},
	{0},
};
/* clang-format on */

/* Shared with BGPConfiguration's nodeMeshPassword. */
/* clang-format off */
const struct field bgp_password_fields[] = {
	{.json = "secretKeyRef", .go = "SecretKeyRef", .type = FT_OBJECT, .gotype = "SecretKeySelector",
	 .sub = secret_ref_fields},
	{0},
};

static const struct field filter_elem[] = {
	{.json = "", .go = "Filters", .type = FT_STRING, .gotype = "string"},
};

static const struct field spec_fields[] = {
	{.json = "node", .go = "Node", .type = FT_STRING, .gotype = "string", .tag = "name", .check = chk_name,
	 .maxlen = 253},
	{.json = "nodeSelector", .go = "NodeSelector", .type = FT_STRING, .gotype = "string", .tag = "selector",
	 .check = chk_selector, .maxlen = 1024},
	{.json = "peerIP", .go = "PeerIP", .type = FT_STRING, .gotype = "string", .tag = "IP:port",
	 .check = chk_ipport, .maxlen = 64},
	{.json = "asNumber", .go = "ASNumber", .type = FT_ASN, .gotype = "numorstring.ASNumber"},
	{.json = "localASNumber", .go = "LocalASNumber", .type = FT_ASN, .flags = F_PTR,
	 .gotype = "numorstring.ASNumber"},
	{.json = "peerSelector", .go = "PeerSelector", .type = FT_STRING, .gotype = "string", .tag = "selector",
	 .check = chk_selector, .maxlen = 1024},
	{.json = "keepOriginalNextHop", .go = "KeepOriginalNextHop", .type = FT_BOOL, .gotype = "bool"},
	{.json = "nextHopMode", .go = "NextHopMode", .type = FT_STRING, .gotype = "v3.NextHopMode",
	 .enums = next_hop_modes},
	{.json = "password", .go = "Password", .type = FT_OBJECT, .gotype = "BGPPassword", .sub = bgp_password_fields},
	{.json = "sourceAddress", .go = "SourceAddress", .type = FT_STRING, .gotype = "v3.SourceAddress",
	 .tag = "sourceAddress", .check = chk_source_address},
	{.json = "maxRestartTime", .go = "MaxRestartTime", .type = FT_DURATION, .flags = F_PTR, .gotype = "v1.Duration"},
	{.json = "keepaliveTime", .go = "KeepaliveTime", .type = FT_DURATION, .flags = F_PTR, .gotype = "v1.Duration"},
	{.json = "numAllowedLocalASNumbers", .go = "NumAllowedLocalASNumbers", .type = FT_INT, .flags = F_PTR,
	 .gotype = "int32", .min = INT32_MIN, .max = INT32_MAX},
	{.json = "ttlSecurity", .go = "TTLSecurity", .type = FT_INT, .flags = F_PTR, .gotype = "uint8", .min = 0,
	 .max = 255},
	{.json = "reachableBy", .go = "ReachableBy", .type = FT_STRING, .gotype = "string", .tag = "reachableBy",
	 .check = chk_ip, .maxlen = 64},
	{.json = "filters", .go = "Filters", .type = FT_LIST, .gotype = "[]string", .sub = filter_elem,
	 .tag = "name", .check = chk_name},
	{.json = "localWorkloadSelector", .go = "LocalWorkloadSelector", .type = FT_STRING, .gotype = "string",
	 .tag = "selector", .check = chk_selector, .maxlen = 1024},
	{.json = "reversePeering", .go = "ReversePeering", .type = FT_STRING, .gotype = "v3.ReversePeeringMode",
	 .enums = reverse_modes},
	{0},
};
/* clang-format on */

static json_int_t asn_of(const json_t *spec)
{
	const json_t *v = json_object_get(spec, "asNumber");

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* reachableBy: the v3.32 Go checks, which stop at the first failure. */
static void check_reachable_by(const char *rb, const char *peer_ip, struct verrs *errs)
{
	struct ip_addr rba, pa;
	char host[IP_STRLEN];
	uint16_t port;

	if (!rb[0])
		return;
	if (!peer_ip[0]) {
		/* Calico reports the (empty) peerIP as the value. */
		verrs_add(errs, "ReachableBy", peer_ip,
			  "ReachablyBy field must be empty when PeerIP is empty");
		return;
	}
	if (ip_parse(rb, &rba)) {
		verrs_add(errs, "ReachableBy", rb, "ReachableBy is invalid address");
		return;
	}
	if (peerip_parse(peer_ip, &pa, &port, host)) {
		verrs_add(errs, "PeerIP", peer_ip, "PeerIP is invalid address");
		return;
	}
	if (rba.family != pa.family)
		verrs_add(errs, "ReachableBy", rb,
			  "ReachableBy and PeerIP address family mismatched");
}

static void spec_struct(struct vctx *v, struct verrs *errs)
{
	const char *node = js_or(v->spec, "node", ""),
		   *node_sel = js_or(v->spec, "nodeSelector", "");
	const char *peer_ip = js_or(v->spec, "peerIP", ""),
		   *peer_sel = js_or(v->spec, "peerSelector", "");
	const char *lws = js_or(v->spec, "localWorkloadSelector", "");
	json_int_t asn = asn_of(v->spec);
	char asn_text[24];

	snprintf(asn_text, sizeof(asn_text), "%lld", (long long)asn);
	if (node[0] && node_sel[0])
		verrs_add(errs, "Node", node,
			  "Node field must be empty when NodeSelector is specified");
	if (peer_ip[0] && peer_sel[0])
		verrs_add(errs, "PeerIP", peer_ip,
			  "PeerIP field must be empty when PeerSelector is specified");
	if (asn != 0 && peer_sel[0])
		verrs_add(errs, "ASNumber", asn_text,
			  "ASNumber field must be empty when PeerSelector is specified");
	if (lws[0]) {
		if (asn == 0)
			verrs_add(errs, "ASNumber", asn_text,
				  "ASNumber field must NOT be empty when LocalWorkloadSelector is "
				  "specified");
		if (peer_ip[0])
			verrs_add(
			    errs, "PeerIP", peer_ip,
			    "PeerIP field must be empty when LocalWorkloadSelector is specified");
		if (peer_sel[0])
			verrs_add(errs, "PeerSelector", peer_sel,
				  "PeerSelector field must be empty when LocalWorkloadSelector is "
				  "specified");
	}
	check_reachable_by(js_or(v->spec, "reachableBy", ""), peer_ip, errs);
	if (json_is_true(json_object_get(v->spec, "keepOriginalNextHop")) &&
	    js_or(v->spec, "nextHopMode", "")[0])
		verrs_add(errs, "KeepOriginalNextHop", "true",
			  "The KeepOriginalNextHop field is deprecated. It must not be set to true "
			  "when NextHopMode "
			  "is configured.");
}

/* bgppeer.go: every filter must name an existing BGPFilter; checked before
 * the validator. */
static void client_pre(struct vctx *v, struct verrs *errs)
{
	json_t *filters = json_object_get(v->spec, "filters");
	json_t *missing = json_array();
	json_t *f;
	size_t i;

	json_array_foreach(filters, i, f)
	{
		const char *name = json_string_value(f);

		if (!name || !v->ctx || !v->ctx->filter_exists ||
		    !v->ctx->filter_exists(v->ctx->arg, name))
			json_array_append(missing, f);
	}
	if (json_array_size(missing)) {
		char *val = go_value(missing);

		verrs_add(errs, "BGPPeer.Spec.Filters", val, "BGPFilter(s) not found");
		free(val);
	}
	json_decref(missing);
}

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	const json_t *spec = json_object_get(obj, "spec");

	(void)pctx;
	if (strcmp(heading, "PEERIP") == 0)
		return xstrdup(js_or(spec, "peerIP", ""));
	if (strcmp(heading, "NODE") == 0) {
		if (js_or(spec, "node", "")[0])
			return xstrdup(js(spec, "node"));
		if (js_or(spec, "nodeSelector", "")[0])
			return xstrdup(js(spec, "nodeSelector"));
		return xstrdup("(global)");
	}
	return xasprintf("%lld", (long long)asn_of(spec));
}

/* clang-format off */
const struct kind_desc kind_bgppeer = {
	.name = "BGPPeer",
	.list_name = "BGPPeerList",
	.aliases = aliases,
	.spec = spec_fields,
	.spec_type = "BGPPeerSpec",
	.columns = columns,
	.wide_columns = columns,
	.cell = cell,
	.client_pre = client_pre,
	.spec_struct = spec_struct,
};
/* clang-format on */
