/* Import checks and export rewriting (speaker/policy.c), table-driven. */
#include "speaker/policy.h"
#include "tests/unit/check.h"
#include "tests/unit/rib_fixture.h"

#include <stdlib.h>

#define MY_AS 64512
#define MY_ID 0x0a000001u /* 10.0.0.1 */
#define CLUSTER 0x0a0000feu

static const struct policy_self self = {.router_id = MY_ID, .local_as = MY_AS, .cluster_id = CLUSTER};

static struct policy_peer peer(uint16_t id, bool ibgp, bool client)
{
	struct policy_peer p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.ibgp = ibgp;
	p.rr_client = client;
	p.local_as = MY_AS;
	p.router_id = 0x0a000000u + id;
	p.has_local4 = true;
	p.local4[0] = 192;
	p.local4[1] = 0;
	p.local4[2] = 2;
	p.local4[3] = 1;
	p.has_local6 = true;
	p.local6[0] = 0xfd;
	p.local6[15] = 1;
	return p;
}

static void test_import(void)
{
	static const struct {
		const char *name;
		bool ibgp;
		uint8_t allow;
		uint32_t peer_local_as;
		struct tattr a;
		enum policy_verdict want;
	} cases[] = {
		{"clean eBGP path", false, 0, 0, {.path = {65001, 65002}}, POLICY_ACCEPT},
		{"own AS in path", false, 0, 0, {.path = {65001, MY_AS, 65002}}, POLICY_REJECT_AS_LOOP},
		{"own AS once, one allowed", false, 1, 0, {.path = {65001, MY_AS}}, POLICY_ACCEPT},
		{"own AS twice, one allowed", false, 1, 0, {.path = {MY_AS, 65001, MY_AS}},
		 POLICY_REJECT_AS_LOOP},
		{"per-peer local AS in path", false, 0, 65100, {.path = {65001, 65100}},
		 POLICY_REJECT_AS_LOOP},
		{"node AS in path with per-peer local AS", false, 0, 65100, {.path = {65001, MY_AS}},
		 POLICY_REJECT_AS_LOOP},
		{"originator is us", true, 0, 0, {.originator = MY_ID}, POLICY_REJECT_ORIGINATOR},
		{"originator is another", true, 0, 0, {.originator = MY_ID + 1}, POLICY_ACCEPT},
		{"our cluster in list", true, 0, 0, {.cluster = {1, CLUSTER}},
		 POLICY_REJECT_CLUSTER_LOOP},
		{"other clusters", true, 0, 0, {.cluster = {1, 2}}, POLICY_ACCEPT},
	};
	struct attr_store *s = attr_store_new();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_peer from = peer(1, cases[i].ibgp, false);
		struct attr_set *a = mkattr(s, &cases[i].a), *out = NULL;
		enum policy_verdict v;

		from.allow_local_as = cases[i].allow;
		if (cases[i].peer_local_as)
			from.local_as = cases[i].peer_local_as;
		v = policy_import(&self, &from, s, a, &out);
		CHECK_MSG(v == cases[i].want, cases[i].name);
		CHECK_MSG((v == POLICY_ACCEPT) == (out != NULL), "out only on accept");
		attr_unref(s, out);
		attr_unref(s, a);
	}

	/* LOCAL_PREF from an eBGP peer is dropped, from iBGP kept. */
	struct attr_set *a = mkattr(s, &(struct tattr){.path = {65001}, .has_lp = true, .lp = 300});
	struct attr_set *out;
	struct policy_peer e = peer(1, false, false), ib = peer(2, true, false);

	CHECK(policy_import(&self, &e, s, a, &out) == POLICY_ACCEPT);
	CHECK_MSG(!(out->flags & ATTR_F_LOCAL_PREF), "eBGP LOCAL_PREF ignored");
	attr_unref(s, out);
	CHECK(policy_import(&self, &ib, s, a, &out) == POLICY_ACCEPT);
	CHECK_MSG(out == a && out->local_pref == 300, "iBGP LOCAL_PREF kept");
	attr_unref(s, out);
	attr_unref(s, a);
	CHECK_INT(attr_store_count(s), 0);
	CHECK_STR(policy_verdict_name(POLICY_REJECT_AS_LOOP), "AS_PATH loop");
	attr_store_free(s);
}

/* RFC 4456 §6 and the iBGP split horizon. */
static void test_may_export(void)
{
	struct policy_peer local = peer(RIB_PEER_LOCAL, false, false);
	struct policy_peer ebgp = peer(1, false, false), ebgp2 = peer(2, false, false);
	struct policy_peer client = peer(3, true, true), client2 = peer(4, true, true);
	struct policy_peer nonclient = peer(5, true, false), nonclient2 = peer(6, true, false);
	static const struct {
		int from, to;
		bool want;
		const char *name;
	} cases[] = {
		{0, 1, true, "local to eBGP"},
		{0, 3, true, "local to client"},
		{0, 5, true, "local to non-client"},
		{1, 2, true, "eBGP to eBGP"},
		{1, 5, true, "eBGP to iBGP"},
		{1, 1, false, "never back to the source"},
		{3, 4, true, "client to client"},
		{3, 5, true, "client to non-client"},
		{5, 3, true, "non-client to client"},
		{5, 6, false, "non-client to non-client"},
		{5, 1, true, "iBGP to eBGP"},
		{3, 0, false, "nothing to ourselves"},
	};
	const struct policy_peer *by[] = {&local, &ebgp, &ebgp2, &client, &client2, &nonclient,
					  &nonclient2};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_MSG(policy_may_export(by[cases[i].from], by[cases[i].to]) == cases[i].want,
			  cases[i].name);
}

static void test_export_ebgp(void)
{
	struct attr_store *s = attr_store_new();
	struct policy_peer from = peer(1, true, true), to = peer(2, false, false);
	struct attr_set *in, *out;
	char buf[128];
	bool nomem;

	in = mkattr(s, &(struct tattr){.nh = "10.1.1.1", .path = {65001}, .has_med = true, .med = 7,
				       .has_lp = true, .lp = 200, .originator = 5,
				       .cluster = {9}});
	out = policy_export(&self, &from, &to, BGP_FAM_IPV4, s, in, &nomem);
	CHECK(out != NULL);
	CHECK_STR(attr_format_as_path(out, buf, sizeof(buf)), "64512 65001");
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "192.0.2.1");
	CHECK_MSG(!(out->flags & ATTR_F_LOCAL_PREF), "LOCAL_PREF stripped towards eBGP");
	CHECK_MSG(!(out->flags & ATTR_F_MED), "MED not passed to another AS");
	CHECK_MSG(!(out->flags & (ATTR_F_ORIGINATOR_ID | ATTR_F_CLUSTER_LIST)),
		  "RR attributes stripped towards eBGP");
	attr_unref(s, out);

	/* Per-session local AS is what gets prepended. */
	to.local_as = 65100;
	out = policy_export(&self, &from, &to, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_as_path(out, buf, sizeof(buf)), "65100 65001");
	attr_unref(s, out);
	to.local_as = MY_AS;

	/* Next hop kept with Keep or legacy keepOriginalNextHop. */
	to.nh_mode = RIB_NH_KEEP;
	out = policy_export(&self, &from, &to, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "10.1.1.1");
	attr_unref(s, out);
	to.nh_mode = RIB_NH_AUTO;
	to.keep_original_nh = true;
	out = policy_export(&self, &from, &to, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "10.1.1.1");
	attr_unref(s, out);

	/* No address for the family: not exported. */
	to.keep_original_nh = false;
	to.has_local4 = false;
	out = policy_export(&self, &from, &to, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_MSG(out == NULL && !nomem, "no next-hop-self address, no export");
	attr_unref(s, in);

	/* NO_EXPORT stays in the AS, NO_ADVERTISE goes nowhere. */
	to.has_local4 = true;
	struct policy_peer ib = peer(3, true, false);
	in = mkattr(s, &(struct tattr){.nh = "10.1.1.1", .comm = {POLICY_COMM_NO_EXPORT}});
	struct policy_peer eb = peer(4, false, false);
	CHECK_MSG(policy_export(&self, &eb, &to, BGP_FAM_IPV4, s, in, &nomem) == NULL,
		  "NO_EXPORT not sent to eBGP");
	out = policy_export(&self, &eb, &ib, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_MSG(out != NULL, "NO_EXPORT sent to iBGP");
	attr_unref(s, out);
	attr_unref(s, in);
	in = mkattr(s, &(struct tattr){.nh = "10.1.1.1", .comm = {POLICY_COMM_NO_ADVERTISE}});
	CHECK_MSG(policy_export(&self, &eb, &ib, BGP_FAM_IPV4, s, in, &nomem) == NULL,
		  "NO_ADVERTISE sent nowhere");
	attr_unref(s, in);
	CHECK_INT(attr_store_count(s), 0);
	attr_store_free(s);
}

static void test_export_ibgp(void)
{
	struct attr_store *s = attr_store_new();
	struct policy_peer local = peer(RIB_PEER_LOCAL, false, false);
	struct policy_peer client = peer(3, true, true), client2 = peer(4, true, true);
	struct policy_peer nonclient = peer(5, true, false), ebgp = peer(1, false, false);
	struct attr_set *in, *out;
	char buf[128];
	bool nomem;

	/* Our own route: next hop self, LOCAL_PREF 100, communities kept. */
	in = mkattr(s, &(struct tattr){.comm = {(65000u << 16) | 1}});
	out = policy_export(&self, &local, &nonclient, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "192.0.2.1");
	CHECK_MSG((out->flags & ATTR_F_LOCAL_PREF) && out->local_pref == 100, "LOCAL_PREF 100");
	CHECK_STR(attr_format_communities(out, buf, sizeof(buf)), "(65000,1)");
	CHECK_STR(attr_format_as_path(out, buf, sizeof(buf)), "");
	CHECK_MSG(!(out->flags & ATTR_F_ORIGINATOR_ID), "no ORIGINATOR_ID on our own routes");
	attr_unref(s, out);
	/* IPv6 own route: global and link-local next hop. */
	nonclient.has_local6_ll = true;
	nonclient.local6_ll[0] = 0xfe;
	nonclient.local6_ll[1] = 0x80;
	out = policy_export(&self, &local, &nonclient, BGP_FAM_IPV6, s, in, &nomem);
	CHECK_INT(out->nh_len, 32);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "fd00::1");
	attr_unref(s, out);
	attr_unref(s, in);

	/* eBGP-learned to iBGP: next hop kept (Auto), LOCAL_PREF set, MED kept. */
	in = mkattr(s, &(struct tattr){.nh = "10.9.9.9", .path = {65001}, .has_med = true, .med = 3});
	out = policy_export(&self, &ebgp, &nonclient, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "10.9.9.9");
	CHECK_MSG((out->flags & ATTR_F_MED) && out->med == 3, "MED kept inside the AS");
	CHECK_MSG(out->local_pref == 100, "LOCAL_PREF 100 on iBGP");
	CHECK_STR(attr_format_as_path(out, buf, sizeof(buf)), "65001");
	attr_unref(s, out);
	nonclient.nh_mode = RIB_NH_SELF;
	out = policy_export(&self, &ebgp, &nonclient, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "192.0.2.1");
	attr_unref(s, out);
	nonclient.nh_mode = RIB_NH_AUTO;
	attr_unref(s, in);

	/* Reflection: client route to a client gets ORIGINATOR_ID (the
	 * client's router id) and our cluster id first in CLUSTER_LIST. */
	in = mkattr(s, &(struct tattr){.nh = "10.0.0.3", .has_lp = true, .lp = 150});
	out = policy_export(&self, &client, &client2, BGP_FAM_IPV4, s, in, &nomem);
	CHECK(out != NULL);
	CHECK_INT(out->originator_id, client.router_id);
	CHECK_INT(out->n_cluster, 1);
	CHECK_INT(attr_cluster_list(out)[0], CLUSTER);
	CHECK_STR(attr_format_next_hop(out, buf, sizeof(buf)), "10.0.0.3");
	CHECK_INT(out->local_pref, 150);
	attr_unref(s, out);
	attr_unref(s, in);
	/* An existing ORIGINATOR_ID is kept, our id goes before the others. */
	in = mkattr(s, &(struct tattr){.nh = "10.0.0.3", .originator = 77, .cluster = {5, 6}});
	out = policy_export(&self, &nonclient, &client, BGP_FAM_IPV4, s, in, &nomem);
	CHECK_INT(out->originator_id, 77);
	CHECK_INT(out->n_cluster, 3);
	CHECK_INT(attr_cluster_list(out)[0], CLUSTER);
	CHECK_INT(attr_cluster_list(out)[2], 6);
	attr_unref(s, out);
	CHECK_MSG(policy_export(&self, &nonclient, &nonclient, BGP_FAM_IPV4, s, in, &nomem) == NULL,
		  "not back to the source");
	attr_unref(s, in);
	CHECK_INT(attr_store_count(s), 0);
	attr_store_free(s);
}

int main(void)
{
	test_import();
	test_may_export();
	test_export_ebgp();
	test_export_ibgp();
	return check_done();
}
