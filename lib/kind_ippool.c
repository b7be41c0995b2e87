/* IPPool (resources.md §2.5). The client layer (ippool.go
 * validateAndSetDefaults) canonicalises the CIDR, stores the defaults and
 * runs its own checks first; only when those pass does the Go validator
 * (IPpool.* names) run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/scalar.h"
#include "lib/schema.h"
#include "lib/selector.h"

static const char *const aliases[] = {"ippool", "ippools", "ipp", "ipps", "pool", "pools", NULL};
static const char *const columns[] = {"NAME", "CIDR", "SELECTOR", NULL};
static const char *const wide_columns[] = {
    "NAME",	"CIDR",		  "NAT", "IPIPMODE", "VXLANMODE", "DISABLED", "DISABLEBGPEXPORT",
    "SELECTOR", "ASSIGNMENTMODE", NULL};

static const char *const assignment_modes[] = {"Automatic", "Manual", NULL};

static bool chk_encap_mode(const char *s)
{
	return strcmp(s, "Never") == 0 || strcmp(s, "Always") == 0 || strcmp(s, "CrossSubnet") == 0;
}

/* clang-format off */
static const struct field use_elem[] = {
	{.json = "", .go = "AllowedUses", .type = FT_STRING, .gotype = "v3.IPPoolAllowedUse"},
};

static const struct field spec_fields[] = {
	{.json = "cidr", .go = "CIDR", .type = FT_STRING, .flags = F_TAGEMPTY, .gotype = "string", .tag = "net",
	 .check = chk_net,
	 .maxlen = 48},
	{.json = "vxlanMode", .go = "VXLANMode", .type = FT_STRING, .gotype = "v3.VXLANMode", .tag = "vxlanMode",
	 .check = chk_encap_mode},
	{.json = "ipipMode", .go = "IPIPMode", .type = FT_STRING, .gotype = "v3.IPIPMode", .tag = "ipIpMode",
	 .check = chk_encap_mode},
	{.json = "natOutgoing", .go = "NATOutgoing", .type = FT_BOOL, .gotype = "bool"},
	{.json = "disabled", .go = "Disabled", .type = FT_BOOL, .gotype = "bool"},
	{.json = "disableBGPExport", .go = "DisableBGPExport", .type = FT_BOOL, .gotype = "bool"},
	{.json = "blockSize", .go = "BlockSize", .type = FT_INT, .gotype = "int", .min = INT64_MIN, .max = INT64_MAX},
	{.json = "nodeSelector", .go = "NodeSelector", .type = FT_STRING, .gotype = "string", .tag = "selector",
	 .check = chk_selector, .maxlen = 1024},
	{.json = "namespaceSelector", .go = "NamespaceSelector", .type = FT_STRING, .gotype = "string",
	 .tag = "selector", .check = chk_selector, .maxlen = 1024},
	{.json = "allowedUses", .go = "AllowedUses", .type = FT_LIST, .gotype = "[]v3.IPPoolAllowedUse",
	 .sub = use_elem, .maxitems = 10},
	{.json = "assignmentMode", .go = "AssignmentMode", .type = FT_STRING, .gotype = "v3.AssignmentMode",
	 .enums = assignment_modes},
	{0},
};

static const struct field condition_fields[] = {
	{.json = "type", .go = "Type", .type = FT_STRING, .flags = F_ZERO, .gotype = "string"},
	{.json = "status", .go = "Status", .type = FT_STRING, .flags = F_ZERO, .gotype = "v1.ConditionStatus"},
	{.json = "observedGeneration", .go = "ObservedGeneration", .type = FT_INT, .gotype = "int64", .min = INT64_MIN,
	 .max = INT64_MAX},
	{.json = "lastTransitionTime", .go = "LastTransitionTime", .type = FT_TIME, .flags = F_PTR | F_ZERO,
	 .gotype = "v1.Time"},
	{.json = "reason", .go = "Reason", .type = FT_STRING, .flags = F_ZERO, .gotype = "string"},
	{.json = "message", .go = "Message", .type = FT_STRING, .flags = F_ZERO, .gotype = "string"},
	{0},
};
/* clang-format on */
/* clang-format off */
static const struct field condition_elem[] = {
	{.json = "", .go = "", .type = FT_OBJECT, .gotype = "Condition", .sub = condition_fields},
};

static const struct field status_fields[] = {
	{.json = "conditions", .go = "Conditions", .type = FT_LIST, .gotype = "[]v1.Condition", .sub = condition_elem},
	{0},
};
/* clang-format on */

static bool has_use(const json_t *uses, const char *use)
{
	const json_t *u;
	size_t i;

	json_array_foreach(uses, i, u)
	{
		if (json_is_string(u) && strcmp(json_string_value(u), use) == 0)
			return true;
	}
	return false;
}

static bool encap_on(const char *mode)
{
	return mode && mode[0] && strcmp(mode, "Never") != 0;
}

static const struct ip_cidr *link_local(int family)
{
	static struct ip_cidr v4, v6;

	if (!v4.len) {
		cidr_parse("169.254.0.0/16", &v4);
		cidr_parse("fe80::/10", &v6);
	}
	return family == 4 ? &v4 : &v6;
}

static void check_overlaps(struct vctx *v, const struct ip_cidr *net, const char *cidr_text,
			   struct verrs *errs)
{
	const json_t *pool;
	size_t i;

	if (v->op != RES_OP_CREATE || !v->ctx || !v->ctx->pools)
		return;
	json_array_foreach(v->ctx->pools, i, pool)
	{
		const char *other = js_or(json_object_get(pool, "spec"), "cidr", "");
		struct ip_cidr oc;

		if (strcmp(res_name(pool), res_name(v->obj)) == 0 || cidr_parse_or_ip(other, &oc))
			continue;
		if (cidr_overlaps(net, &oc))
			verrs_addf(errs, "IPPool.Spec.CIDR", cidr_text,
				   "IPPool(%s) CIDR overlaps with IPPool(%s) CIDR %s",
				   res_name(v->obj), res_name(pool), other);
	}
}

/* ippool.go validateAndSetDefaults. */
static void client_pre(struct vctx *v, struct verrs *errs)
{
	const json_t *old_spec =
	    v->ctx && v->ctx->old ? json_object_get(v->ctx->old, "spec") : NULL;
	const char *cidr = js_or(v->spec, "cidr", "");
	struct ip_cidr parsed, net;
	char canon[IP_STRLEN], num[32];
	json_t *bs;
	int block;

	if (!cidr[0]) {
		verrs_add(errs, "IPPool.Spec.CIDR", NULL, "IPPool CIDR must be specified");
		return;
	}
	if (cidr_parse(cidr, &parsed)) {
		verrs_add(errs, "IPPool.Spec.CIDR", cidr, "IPPool CIDR must be a valid subnet");
		return;
	}
	cidr_network(&parsed, &net);
	cidr_format(&parsed, canon);
	json_object_set_new(v->spec, "cidr", json_string(canon));
	if (old_spec && strcmp(js_or(old_spec, "cidr", ""), canon) != 0)
		verrs_add(errs, "IPPool.Spec.CIDR", canon, "IPPool CIDR cannot be modified");

	bs = json_object_get(v->spec, "blockSize");
	if (!json_is_integer(bs) || json_integer_value(bs) == 0)
		json_object_set_new(v->spec, "blockSize",
				    json_integer(parsed.ip.family == 4 ? 26 : 122));
	block = (int)json_integer_value(json_object_get(v->spec, "blockSize"));
	snprintf(num, sizeof(num), "%d", block);
	if (old_spec && json_integer_value(json_object_get(old_spec, "blockSize")) != block)
		verrs_add(errs, "IPPool.Spec.BlockSize", num,
			  "IPPool BlockSize cannot be modified");
	if (parsed.ip.family == 4 && (block > 32 || block < 20))
		verrs_add(errs, "IPPool.Spec.BlockSize", num,
			  "IPv4 block size must be between 20 and 32");
	if (parsed.ip.family == 6 && (block > 128 || block < 116))
		verrs_add(errs, "IPPool.Spec.BlockSize", num,
			  "IPv6 block size must be between 116 and 128");

	if (!js_or(v->spec, "nodeSelector", "")[0])
		json_object_set_new(v->spec, "nodeSelector", json_string("all()"));
	if (json_array_size(json_object_get(v->spec, "allowedUses")) == 0)
		json_object_set_new(v->spec, "allowedUses",
				    json_pack("[ss]", "Workload", "Tunnel"));
	if (old_spec && has_use(json_object_get(old_spec, "allowedUses"), "LoadBalancer") &&
	    !has_use(json_object_get(v->spec, "allowedUses"), "LoadBalancer"))
		verrs_add(
		    errs, "IPPool.Spec.AllowedUses", NULL,
		    "IPPool allowed use cannot be changed from LoadBalacer to Workload or Tunnel");

	check_overlaps(v, &net, canon, errs);

	if (!js_or(v->spec, "ipipMode", "")[0])
		json_object_set_new(v->spec, "ipipMode", json_string("Never"));
	if (!js_or(v->spec, "vxlanMode", "")[0])
		json_object_set_new(v->spec, "vxlanMode", json_string("Never"));
	if (encap_on(js(v->spec, "vxlanMode")) && encap_on(js(v->spec, "ipipMode")))
		verrs_add(errs, "IPPool.Spec.VXLANMode", js(v->spec, "vxlanMode"),
			  "Cannot enable both VXLAN and IPIP on the same IPPool");
	if (parsed.ip.family == 6 && encap_on(js(v->spec, "ipipMode")))
		verrs_add(errs, "IPPool.Spec.IPIPMode", js(v->spec, "ipipMode"),
			  "IPIP is not supported on an IPv6 IP pool");
	if (!cidr_is_masked(&parsed))
		verrs_add(errs, "IPPool.Spec.CIDR", canon, "IPPool CIDR is not strictly masked");
	if (cidr_overlaps(&net, link_local(net.ip.family)))
		verrs_addf(errs, "IPPool.Spec.CIDR", canon,
			   "IPPool CIDR overlaps with %s Link Local range %s",
			   net.ip.family == 4 ? "IPv4" : "IPv6",
			   net.ip.family == 4 ? "169.254.0.0/16" : "fe80::/10");
	if (!json_is_true(json_object_get(v->spec, "disabled")) && net.len > block)
		verrs_add(errs, "IPPool.Spec.CIDR", canon,
			  "IP pool size is too small for use with Calico IPAM. It must be equal to "
			  "or greater than the "
			  "block size.");
	if (!js_or(v->spec, "assignmentMode", "")[0])
		json_object_set_new(v->spec, "assignmentMode", json_string("Automatic"));
}

static void check_selector_global(const char *sel, const char *field, const char *what,
				  struct verrs *errs)
{
	struct selector *s;

	if (!sel || !sel[0] || sel_parse(sel, &s, NULL))
		return;
	if (sel_uses_global(s))
		verrs_addf(errs, field, sel,
			   "global() selector is not valid for IPPool %s - use all() instead",
			   what);
	sel_free(s);
}

/* validator.go validateIPPoolSpec (v3.32); the order of its checks. */
static void spec_struct(struct vctx *v, struct verrs *errs)
{
	const char *cidr = js_or(v->spec, "cidr", "");
	const char *ipip = js(v->spec, "ipipMode"), *vxlan = js(v->spec, "vxlanMode");
	json_t *uses = json_object_get(v->spec, "allowedUses"), *u;
	struct ip_cidr parsed, net;
	json_int_t block;
	char *uses_text;
	size_t i;

	if (!cidr[0])
		verrs_add(errs, "IPpool.CIDR", cidr, "IPPool CIDR must be specified");
	if (cidr_parse_or_ip(cidr, &parsed)) {
		verrs_add(errs, "IPpool.CIDR", cidr, "IPPool CIDR must be a valid subnet");
		return;
	}
	cidr_network(&parsed, &net);
	if (parsed.ip.family == 6 && encap_on(ipip))
		verrs_add(errs, "IPpool.IPIPMode", ipip,
			  "IPIPMode other than 'Never' is not supported on an IPv6 IP pool");
	if (encap_on(ipip) && encap_on(vxlan))
		verrs_add(errs, "IPpool.IPIPMode", ipip,
			  "IPIPMode and VXLANMode cannot be enabled on LoadBalancer IP pool");
	block = json_integer_value(json_object_get(v->spec, "blockSize"));
	if (block == 0)
		block = parsed.ip.family == 4 ? 26 : 122;
	if (!json_is_true(json_object_get(v->spec, "disabled")) && net.len > block)
		verrs_add(errs, "IPpool.CIDR", cidr,
			  "IP pool size is too small for use with Calico IPAM. It must be equal to "
			  "or greater than the "
			  "block size.");
	if (!cidr_is_masked(&parsed))
		verrs_add(errs, "IPpool.CIDR", cidr, "IP pool CIDR is not strictly masked");
	if (cidr_overlaps(&net, link_local(net.ip.family)))
		verrs_addf(errs, "IPpool.CIDR", cidr,
			   "IP pool range overlaps with %s Link Local range %s",
			   net.ip.family == 4 ? "IPv4" : "IPv6",
			   net.ip.family == 4 ? "169.254.0.0/16" : "fe80::/10");
	/* The allowed-use errors carry the whole list as their value. */
	uses_text = uses ? go_value(uses) : xstrdup("[]");
	json_array_foreach(uses, i, u)
	{
		const char *use = json_is_string(u) ? json_string_value(u) : "";

		if (strcmp(use, "Workload") && strcmp(use, "Tunnel") && strcmp(use, "LoadBalancer"))
			verrs_addf(errs, "IPpool.AllowedUses", uses_text, "unknown use: %s", use);
		else if (strcmp(use, "LoadBalancer") != 0 && has_use(uses, "LoadBalancer"))
			verrs_addf(errs, "IPpool.AllowedUses", uses_text,
				   "LoadBalancer cannot be used at the same time as: %s", use);
	}
	if (has_use(uses, "LoadBalancer")) {
		if (encap_on(ipip) || encap_on(vxlan))
			verrs_add(errs, "IPpool.AllowedUses", uses_text,
				  "Neither IPIPMode nor VXLANMode can be enabled on AllowedUses "
				  "LoadBalancer IP pool");
		if (json_is_true(json_object_get(v->spec, "disableBGPExport")))
			verrs_add(errs, "IPpool.DisableBGPExport", "true",
				  "IP Pool with AllowedUse LoadBalancer must have DisableBGPExport "
				  "set to true");
		if (js_or(v->spec, "nodeSelector", "")[0] &&
		    strcmp(js(v->spec, "nodeSelector"), "all()") != 0)
			verrs_add(errs, "IPpool.NodeSelector", js(v->spec, "nodeSelector"),
				  "IP Pool with AllowedUse LoadBalancer must have node selector "
				  "set to all()");
	}
	free(uses_text);
	if (has_use(uses, "Tunnel") && js_or(v->spec, "namespaceSelector", "")[0])
		verrs_add(errs, "IPpool.NamespaceSelector", js(v->spec, "namespaceSelector"),
			  "IP Pool with AllowedUse Tunnel cannot have namespaceSelector specified "
			  "- tunnel IPs are not "
			  "namespaced resources");
	check_selector_global(js(v->spec, "nodeSelector"), "IPpool.NodeSelector", "nodeSelector",
			      errs);
	check_selector_global(js(v->spec, "namespaceSelector"), "IPpool.NamespaceSelector",
			      "namespaceSelector", errs);
}

static char *cell(const json_t *obj, const char *heading, const struct res_print_ctx *pctx)
{
	const json_t *spec = json_object_get(obj, "spec");

	(void)pctx;
	if (strcmp(heading, "CIDR") == 0)
		return xstrdup(js_or(spec, "cidr", ""));
	if (strcmp(heading, "SELECTOR") == 0)
		return xstrdup(js_or(spec, "nodeSelector", ""));
	if (strcmp(heading, "NAT") == 0)
		return xstrdup(json_is_true(json_object_get(spec, "natOutgoing")) ? "true"
										  : "false");
	if (strcmp(heading, "DISABLED") == 0)
		return xstrdup(json_is_true(json_object_get(spec, "disabled")) ? "true" : "false");
	if (strcmp(heading, "DISABLEBGPEXPORT") == 0)
		return xstrdup(json_is_true(json_object_get(spec, "disableBGPExport")) ? "true"
										       : "false");
	if (strcmp(heading, "IPIPMODE") == 0)
		return xstrdup(js_or(spec, "ipipMode", "")[0] ? js(spec, "ipipMode") : "Never");
	if (strcmp(heading, "VXLANMODE") == 0)
		return xstrdup(js_or(spec, "vxlanMode", "")[0] ? js(spec, "vxlanMode") : "Never");
	return xstrdup(js_or(spec, "assignmentMode", ""));
}

/* clang-format off */
const struct kind_desc kind_ippool = {
	.name = "IPPool",
	.list_name = "IPPoolList",
	.aliases = aliases,
	.has_status = true,
	.spec = spec_fields,
	.spec_type = "IPPoolSpec",
	.status = status_fields,
	.status_type = "IPPoolStatus",
	.columns = columns,
	.wide_columns = wide_columns,
	.cell = cell,
	.client_pre = client_pre,
	.spec_struct = spec_struct,
};
/* clang-format on */
