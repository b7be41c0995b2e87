/* Wire codec: UPDATE decoding with every RFC 4271 §6.3 error and its RFC
 * 7606 outcome, the RFC 6793 AS4 merge, ADD-PATH and End-of-RIB. */
#include "tests/unit/wire_util.h"

#define A_ORIGIN "40 01 01 00"
#define A_PATH "40 02 06 0201 0000fdea"
#define A_NH "40 03 04 0a000002"
#define A_BASE A_ORIGIN A_PATH A_NH
#define NLRI "18 c0a801"

static struct bgp_update u;
static struct wire_err we;
static uint8_t b[70000];

/* eBGP, 4-octet AS, peer AS 65002, both families. */
static struct wire_ctx ebgp(void)
{
	struct wire_ctx c;

	wire_ctx_init(&c);
	c.as4 = true;
	c.ebgp = true;
	c.local_as = 65001;
	c.peer_as = 65002;
	c.fam[BGP_FAM_IPV6] = true;
	return c;
}

static struct wire_ctx ibgp(void)
{
	struct wire_ctx c = ebgp();

	c.ebgp = false;
	c.peer_as = 65001;
	return c;
}

static int dec(const struct wire_ctx *c, const char *w, const char *a, const char *n)
{
	size_t len = upd(b, w, a, n);

	memset(&we, 0, sizeof(we));
	return wire_decode_update(c, b, len, &u, &we);
}

static int prefix_is(const struct wire_nlri *n, unsigned idx, const char *addr_hex, unsigned len,
		     uint32_t path_id)
{
	struct wire_nlri_iter it;
	struct bgp_prefix p;
	uint8_t want[16] = {0};

	hex(addr_hex, want);
	wire_nlri_iter_init(&it, n);
	for (unsigned i = 0; i <= idx; i++)
		if (!wire_nlri_next(&it, &p))
			return 0;
	return p.len == len && p.path_id == path_id && memcmp(p.addr, want, 16) == 0;
}

static void test_decode_ok(void)
{
	struct wire_ctx c = ebgp();
	int rc;

	rc = dec(&c, "", A_BASE "80 04 04 00000064 c0 08 08 fdea0001 fdea0002", "10 0a01" NLRI);
	CHECK_INT(rc, WIRE_OK);
	CHECK(u.n_reach == 1 && u.n_withdrawn == 0 && !u.eor && u.has_attrs);
	CHECK(u.reach[0].nlri.count == 2 && u.reach[0].nlri.family == BGP_FAM_IPV4);
	CHECK(prefix_is(&u.reach[0].nlri, 0, "0a01", 16, 0));
	CHECK(prefix_is(&u.reach[0].nlri, 1, "c0a801", 24, 0));
	CHECK(u.reach[0].nh.family == BGP_FAM_IPV4 && u.reach[0].nh.addr[3] == 2);
	CHECK(u.attrs.origin == BGP_ORIGIN_IGP && u.attrs.med == 100);
	CHECK(u.attrs.present == (WIRE_ATTR_BIT(1) | WIRE_ATTR_BIT(2) | WIRE_ATTR_BIT(3) |
				  WIRE_ATTR_BIT(4) | WIRE_ATTR_BIT(8)));
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0201 0000fdea");
	CHECK_HEX(u.attrs.communities, u.attrs.communities_len, "fdea0001 fdea0002");
	/* Canonical bytes: ascending, NEXT_HOP left out. */
	CHECK_HEX(u.canon, u.canon_len,
		  A_ORIGIN A_PATH "80 04 04 00000064 c0 08 08 fdea0001 fdea0002");
	CHECK(u.attrs_hash == wire_hash(u.canon, u.canon_len, 0));
	uint64_t h = u.attrs_hash;
	/* Same set in another order with an extended length header: same
	 * canonical bytes, same hash. */
	rc = dec(&c, "",
		 "c0 08 08 fdea0001 fdea0002 50 02 0006 0201 0000fdea" A_NH
		 "80 04 04 00000064" A_ORIGIN,
		 NLRI);
	CHECK_INT(rc, WIRE_OK);
	CHECK(u.attrs_hash == h);

	/* Host bits in a prefix are cleared. */
	rc = dec(&c, "", A_BASE, "17 c0a8ff");
	CHECK(rc == WIRE_OK && prefix_is(&u.reach[0].nlri, 0, "c0a8fe", 23, 0));
	/* Withdrawals only; /0 and /32 lengths. */
	rc = dec(&c, "00 20 0a000001", "", "");
	CHECK(rc == WIRE_OK && u.n_withdrawn == 1 && u.withdrawn[0].count == 2 && !u.eor);
	CHECK(prefix_is(&u.withdrawn[0], 0, "", 0, 0) &&
	      prefix_is(&u.withdrawn[0], 1, "0a000001", 32, 0));

	/* All the other attributes, iBGP with route reflection. */
	struct wire_ctx i = ibgp();
	rc = dec(&i, "",
		 "40 01 01 02 40 02 00" A_NH "40 05 04 000000c8 40 06 00 c0 07 08 0000fde9 0a000009"
		 "80 09 04 0a000007 80 0a 08 01010101 02020202"
		 "c0 20 0c 0000fde9 00000001 00000002",
		 NLRI);
	CHECK_INT(rc, WIRE_OK);
	CHECK(u.attrs.origin == BGP_ORIGIN_INCOMPLETE && u.attrs.as_path_len == 0);
	CHECK(u.attrs.local_pref == 200 && (u.attrs.present & WIRE_ATTR_BIT(6)));
	CHECK(u.attrs.aggregator_as == 65001 && u.attrs.aggregator_id == 0x0a000009);
	CHECK(u.attrs.originator_id == 0x0a000007 && u.attrs.cluster_list_len == 8);
	CHECK_HEX(u.attrs.large_communities, u.attrs.large_communities_len,
		  "0000fde9 00000001 00000002");
	/* A canonical set reads back to the same view. */
	struct bgp_path_attrs v;
	CHECK_INT(wire_attrs_from_canon(u.canon, u.canon_len, &v), 0);
	CHECK(v.present == (u.attrs.present & ~WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP)) &&
	      v.local_pref == 200 && v.cluster_list_len == 8);
	uint8_t again[256];
	CHECK_INT(wire_attrs_canon(&v, again, sizeof(again)), (int)u.canon_len);
	CHECK(memcmp(again, u.canon, u.canon_len) == 0);
	CHECK_INT(wire_attrs_from_canon((const uint8_t *)"\x40\x01\x02\x00", 4, &v), -EINVAL);
}

static void test_decode_mp(void)
{
	struct wire_ctx c = ebgp();
	int rc;

	/* IPv6 via MP_REACH with global and link-local next hops. */
	rc = dec(&c, "",
		 "90 0e 0035 0002 01 20 20010db8000000000000000000000001"
		 "fe800000000000000000000000000001 00 30 20010db80001 40 20010db800000005" A_ORIGIN
		     A_PATH,
		 "");
	CHECK_INT(rc, WIRE_OK);
	CHECK(u.n_reach == 1 && u.reach[0].nlri.family == BGP_FAM_IPV6 &&
	      u.reach[0].nlri.count == 2);
	CHECK(u.reach[0].nh.family == BGP_FAM_IPV6 && u.reach[0].nh.has_ll &&
	      u.reach[0].nh.addr[15] == 1 && u.reach[0].nh.ll[0] == 0xfe);
	CHECK(prefix_is(&u.reach[0].nlri, 0, "20010db80001", 48, 0));
	CHECK(prefix_is(&u.reach[0].nlri, 1, "20010db800000005", 64, 0));
	/* MP_REACH holds no next hop of its own in canon. */
	CHECK_HEX(u.canon, u.canon_len, A_ORIGIN A_PATH);

	/* MP_UNREACH for IPv6 together with classic IPv4 withdrawals. */
	rc = dec(&c, "18 0a0101", "80 0f 0a 0002 01 30 20010db80002", "");
	CHECK(rc == WIRE_OK && u.n_withdrawn == 2 && u.withdrawn[1].family == BGP_FAM_IPV6);
	CHECK(prefix_is(&u.withdrawn[1], 0, "20010db80002", 48, 0));

	/* IPv4 in MP_REACH. */
	rc = dec(&c, "", "80 0e 0d 0001 01 04 0a000003 00 18 0a0203" A_ORIGIN A_PATH, "");
	CHECK(rc == WIRE_OK && u.n_reach == 1 && u.reach[0].nh.addr[3] == 3 &&
	      prefix_is(&u.reach[0].nlri, 0, "0a0203", 24, 0));

	/* Beside MP_REACH only, NEXT_HOP is ignored even when bogus; an
	 * all-zero link-local next hop is no link-local. */
	rc = dec(&c, "",
		 "90 0e 002c 0002 01 20 20010db8000000000000000000000001"
		 "00000000000000000000000000000000 00 30 20010db80001" A_ORIGIN A_PATH
		 "40 03 04 00000000",
		 "");
	CHECK(rc == WIRE_OK && u.n_reach == 1 && !u.reach[0].nh.has_ll &&
	      !(u.attrs.present & WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP)));
	/* No context: the pre-OPEN defaults (2-octet AS, IPv4). */
	size_t l0 = upd(b, "", A_ORIGIN "40 02 04 0201 fdea" A_NH, NLRI);
	CHECK_INT(wire_decode_update(NULL, b, l0, &u, &we), WIRE_OK);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0201 0000fdea");

	/* A family not negotiated is ignored (RFC 4760 §7). */
	c.fam[BGP_FAM_IPV6] = false;
	rc = dec(&c, "",
		 "80 0e 1c 0002 01 10 20010db8000000000000000000000001 00 30 20010db80001" A_ORIGIN
		     A_PATH,
		 "");
	CHECK(rc == WIRE_OK && u.n_reach == 0);
	rc = dec(&c, "", "80 0e 07 4019 46 00 00 00 00", "");
	CHECK(rc == WIRE_OK && u.n_reach == 0);

	/* End-of-RIB markers, both families. */
	c = ebgp();
	rc = dec(&c, "", "", "");
	CHECK(rc == WIRE_OK && u.eor && u.eor_family == BGP_FAM_IPV4);
	rc = dec(&c, "", "80 0f 03 0002 01", "");
	CHECK(rc == WIRE_OK && u.eor && u.eor_family == BGP_FAM_IPV6 && !u.has_attrs);
	rc = dec(&c, "", "90 0f 0003 0002 01", "");
	CHECK(rc == WIRE_OK && u.eor && u.eor_family == BGP_FAM_IPV6);
	rc = dec(&c, "", "80 0f 03 0002 01" A_ORIGIN, "");
	CHECK(rc == WIRE_OK && !u.eor);
}

static void test_decode_add_path(void)
{
	struct wire_ctx c = ebgp();
	int rc;

	c.add_path_rx[BGP_FAM_IPV4] = c.add_path_rx[BGP_FAM_IPV6] = true;
	rc = dec(&c, "00000007 18 0a0a0a", A_BASE, "00000001 18 c0a801 00000002 18 c0a801");
	CHECK_INT(rc, WIRE_OK);
	CHECK(u.withdrawn[0].add_path && prefix_is(&u.withdrawn[0], 0, "0a0a0a", 24, 7));
	CHECK(u.reach[0].nlri.count == 2 && prefix_is(&u.reach[0].nlri, 1, "c0a801", 24, 2));
	rc = dec(&c, "", "80 0f 0c 0002 01 00000005 20 20010db8", "");
	CHECK(rc == WIRE_OK && prefix_is(&u.withdrawn[0], 0, "20010db8", 32, 5));
	/* A path identifier without its prefix. */
	rc = dec(&c, "", A_BASE, "00000001");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, "");
	/* Without ADD-PATH the same bytes are a bad prefix length. */
	c.add_path_rx[BGP_FAM_IPV4] = false;
	rc = dec(&c, "", A_BASE, "00000001 18 c0a801");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, "");
}

/* Session-reset errors (RFC 4271 §6.3 where RFC 7606 keeps them). */
static void test_decode_notify(void)
{
	struct wire_ctx c = ebgp();
	size_t len;
	int rc;

	/* Withdrawn Routes Length overruns the message. */
	len = msg(b, BGP_MSG_UPDATE, "0005 0a 00 00");
	CHECK_NOTIFY(wire_decode_update(&c, b, len, &u, &we), we, BGP_ERR_UPDATE,
		     WIRE_UPD_MALFORMED_ATTR_LIST, "");
	/* Total Attribute Length overruns the message. */
	len = msg(b, BGP_MSG_UPDATE, "0000 0010 400101 00");
	CHECK_NOTIFY(wire_decode_update(&c, b, len, &u, &we), we, BGP_ERR_UPDATE,
		     WIRE_UPD_MALFORMED_ATTR_LIST, "");
	/* NLRI errors: Invalid Network Field. */
	rc = dec(&c, "", A_BASE, "21 0a000000 00");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, "");
	rc = dec(&c, "", A_BASE, "18 0a00");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, "");
	rc = dec(&c, "21 0a00000000", "", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, "");
	/* Unrecognized well-known attribute carries the attribute. */
	rc = dec(&c, "", A_BASE "40 63 02 abcd", NLRI);
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_UNRECOGNIZED_WELL_KNOWN, "40 63 02 abcd");
	/* Duplicate MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 7606 §3(g)). */
	rc = dec(&c, "", "80 0f 03 0002 01 80 0f 03 0002 01", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST, "");
	rc = dec(&c, "",
		 "80 0e 0d 0001 01 04 0a000003 00 18 0a0203 80 0e 0b 0001 01 04 0a000003 00 18 "
		 "0a0204" A_ORIGIN A_PATH,
		 "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST, "");
	/* Malformed MP_REACH_NLRI: next hop length, short, NLRI, flags. */
	rc = dec(&c, "", "80 0e 0e 0002 01 08 0000000000000001 00 00" A_ORIGIN A_PATH, "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR,
		     "80 0e 0e 0002 01 08 0000000000000001 00 00");
	rc = dec(&c, "", "80 0e 04 0002 01 10", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, "80 0e 04 0002 01 10");
	rc = dec(&c, "", "80 0e 05 0002 01 10 00", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, "80 0e 05 0002 01 10 00");
	rc = dec(
	    &c, "",
	    "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 81 20010db8" A_ORIGIN A_PATH,
	    "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR,
		     "80 0e 1a 0002 01 10 20010db8000000000000000000000001 00 81 20010db8");
	rc = dec(&c, "", "c0 0f 03 0002 01", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_FLAGS, "c0 0f 03 0002 01");
	/* Malformed MP_UNREACH_NLRI. */
	rc = dec(&c, "", "80 0f 02 0002", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, "80 0f 02 0002");
	rc = dec(&c, "", "80 0f 05 0002 01 40 20", "");
	CHECK_NOTIFY(rc, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, "80 0f 05 0002 01 40 20");
	/* Not an UPDATE, or a length field that lies. */
	len = msg(b, BGP_MSG_KEEPALIVE, "");
	CHECK_NOTIFY(wire_decode_update(&c, b, len, &u, &we), we, BGP_ERR_HEADER, WIRE_HDR_BAD_TYPE,
		     "04");
	len = upd(b, "", "", "");
	CHECK_NOTIFY(wire_decode_update(&c, b, len + 1, &u, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0017");
}

/* RFC 7606 treat-as-withdraw and attribute discard. */
static void test_decode_7606(void)
{
	struct wire_ctx c = ebgp(), i = ibgp();
	int rc;

	/* Missing well-known attributes with NLRI: treat-as-withdraw, data
	 * is the missing type. */
	rc = dec(&c, "", A_PATH A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MISSING_WELL_KNOWN);
	CHECK(we.data_len == 1 && we.data[0] == 1 && u.reach[0].nlri.count == 1);
	rc = dec(&c, "", A_ORIGIN A_NH, NLRI);
	CHECK(rc == WIRE_TREAT_AS_WITHDRAW && we.data[0] == 2);
	rc = dec(&c, "", A_ORIGIN A_PATH, NLRI);
	CHECK(rc == WIRE_TREAT_AS_WITHDRAW && we.data[0] == 3);
	rc = dec(&c, "", "", NLRI); /* no attributes at all */
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MISSING_WELL_KNOWN);
	/* Without NLRI nothing is mandatory; MP_REACH needs no NEXT_HOP. */
	rc = dec(&c, "18 0a0101", A_ORIGIN, "");
	CHECK_INT(rc, WIRE_OK);
	rc = dec(&c, "", "80 0e 0d 0001 01 04 0a000003 00 18 0a0203" A_ORIGIN, "");
	CHECK(rc == WIRE_TREAT_AS_WITHDRAW && we.data[0] == 2);

	/* Attribute list problems (RFC 7606 §4): treat-as-withdraw, the
	 * NLRI still found from the total length. */
	rc = dec(&c, "", A_BASE "c0 08", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST);
	CHECK(u.n_reach == 1 && u.reach[0].nlri.count == 1);
	rc = dec(&c, "", A_BASE "c0 08 08 fdea0001", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_BASE "d0 08 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST);

	/* Attribute Flags Error: data is the attribute. */
	rc = dec(&c, "", "c0 01 01 00" A_PATH A_NH, NLRI);
	CHECK_NOTIFY(rc == WIRE_TREAT_AS_WITHDRAW ? WIRE_NOTIFY : 0, we, BGP_ERR_UPDATE,
		     WIRE_UPD_ATTR_FLAGS, "c0 01 01 00");
	rc = dec(&c, "", "60 01 01 00" A_PATH A_NH, NLRI); /* Partial on well-known */
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_FLAGS);
	rc = dec(&c, "", A_BASE "c0 04 04 00000001", NLRI); /* MED marked transitive */
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_FLAGS);
	rc = dec(&c, "", A_BASE "e0 08 04 fdea0001", NLRI); /* Partial on optional transitive */
	CHECK_INT(rc, WIRE_OK);

	/* Attribute Length Error / invalid values. */
	rc = dec(&c, "", "40 01 02 0000" A_PATH A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	CHECK_HEX(we.data, we.data_len, "40 01 02 0000");
	rc = dec(&c, "", "40 01 00" A_PATH A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", "40 01 01 03" A_PATH A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_ORIGIN);
	CHECK_HEX(we.data, we.data_len, "40 01 01 03");
	rc = dec(&c, "", A_ORIGIN A_PATH "40 03 05 0a00000200", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_ORIGIN A_PATH "40 03 04 00000000", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NEXT_HOP);
	CHECK_HEX(we.data, we.data_len, "40 03 04 00000000");
	rc = dec(&c, "", A_ORIGIN A_PATH "40 03 04 e0000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NEXT_HOP);
	rc = dec(&c, "", A_ORIGIN A_PATH "40 03 04 7f000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NEXT_HOP);
	rc = dec(&c, "", A_BASE "80 04 03 000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_BASE "c0 08 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_BASE "c0 08 06 fdea0001 0000", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_BASE "c0 20 0d 0000fde9 00000001 00000002 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&i, "", A_ORIGIN "40 02 00" A_NH "40 05 02 0064", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&i, "", A_ORIGIN "40 02 00" A_NH "80 09 03 0a0000", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&i, "", A_ORIGIN "40 02 00" A_NH "80 0a 05 0a00000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&i, "", A_ORIGIN "40 02 00" A_NH "80 0a 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);

	/* Malformed AS_PATH: no data. */
	rc = dec(&c, "", A_ORIGIN "40 02 06 0501 0000fdea" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	CHECK_INT(we.data_len, 0);
	rc = dec(&c, "", A_ORIGIN "40 02 02 0200" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	rc = dec(&c, "", A_ORIGIN "40 02 06 0202 0000fdea" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	rc = dec(&c, "", A_ORIGIN "40 02 01 02" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	/* RFC 7607: AS 0 in AS_PATH is malformed, in AS4_PATH discarded. */
	rc = dec(&c, "", A_ORIGIN "40 02 0a 0202 0000fdea 00000000" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	/* eBGP: the path must start with the peer's AS. */
	rc = dec(&c, "", A_ORIGIN "40 02 06 0201 0000fdeb" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	rc = dec(&c, "", A_ORIGIN "40 02 00" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	rc = dec(&c, "", A_ORIGIN "40 02 06 0101 0000fdea" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	/* Confederation segments from outside. */
	rc = dec(&c, "", A_ORIGIN "40 02 0c 0201 0000fdea 0301 0000fdeb" A_NH, NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_AS_PATH);
	rc = dec(&i, "", A_ORIGIN "40 02 06 0301 0000fdeb" A_NH, NLRI);
	CHECK_INT(rc, WIRE_OK);

	/* Attribute discard: LOCAL_PREF from eBGP, ATOMIC_AGGREGATE and
	 * AGGREGATOR malformed. The rest of the set is used. */
	rc = dec(&c, "", A_BASE "40 05 04 00000064", NLRI);
	CHECK(rc == WIRE_ATTR_DISCARD && !(u.attrs.present & WIRE_ATTR_BIT(5)));
	rc = dec(&c, "", A_BASE "40 06 01 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	CHECK(!(u.attrs.present & WIRE_ATTR_BIT(6)) && u.reach[0].nlri.count == 1);
	rc = dec(&c, "", A_BASE "c0 06 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_FLAGS);
	rc = dec(&c, "", A_BASE "c0 07 06 fdea 0a000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	CHECK(!(u.attrs.present & WIRE_ATTR_BIT(7)));
	rc = dec(&c, "", A_BASE "c0 07 08 00000000 0a000001", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR);
	/* Treat-as-withdraw outranks attribute discard. */
	rc = dec(&c, "", "40 01 01 07" A_PATH A_NH "40 06 01 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_INVALID_ORIGIN);
	rc = dec(&c, "", A_BASE "40 06 01 00 80 04 00", NLRI);
	CHECK_OUTCOME(rc, WIRE_TREAT_AS_WITHDRAW, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	/* ... and withdrawals in the message still stand. */
	rc = dec(&c, "18 0a0101", "40 01 01 07" A_PATH A_NH, NLRI);
	CHECK(rc == WIRE_TREAT_AS_WITHDRAW && u.n_withdrawn == 1 && u.withdrawn[0].count == 1);

	/* Repeated attributes: the first copy wins. */
	rc = dec(&c, "", A_BASE "80 04 04 00000001 80 04 04 00000002", NLRI);
	CHECK(rc == WIRE_OK && u.attrs.med == 1);
	rc = dec(&c, "", A_BASE "40 01 01 07", NLRI);
	CHECK(rc == WIRE_OK && u.attrs.origin == 0);

	/* Unknown optional attributes: transitive kept (in type order),
	 * non-transitive dropped. */
	rc = dec(&c, "", A_BASE "c0 63 02 beef 80 62 01 aa c0 10 08 0002fdea00000001", NLRI);
	CHECK_INT(rc, WIRE_OK);
	CHECK_HEX(u.attrs.unknown, u.attrs.unknown_len, "c0 10 08 0002fdea00000001 c0 63 02 beef");
	CHECK_HEX(u.canon, u.canon_len, A_ORIGIN A_PATH "c0 10 08 0002fdea00000001 c0 63 02 beef");
	/* AS4_PATH between 4-octet speakers is ignored. */
	rc = dec(&c, "", A_BASE "c0 11 06 0201 0000fdeb", NLRI);
	CHECK(rc == WIRE_OK && u.attrs.as_path_len == 6 && u.canon_len == 4 + 9);
}

/* RFC 6793 §4.2.3 on a 2-octet session. */
static void test_decode_as4(void)
{
	struct wire_ctx c = ebgp();
	int rc;

	c.as4 = false;
	/* AS_PATH 65002 23456 23456 + AS4_PATH 4200000001 4200000002. */
	rc = dec(&c, "",
		 A_ORIGIN "40 02 08 0203 fdea 5ba0 5ba0" A_NH "c0 11 0a 0202 fa56ea01 fa56ea02",
		 NLRI);
	CHECK_INT(rc, WIRE_OK);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0203 0000fdea fa56ea01 fa56ea02");
	/* Plain 2-octet path widened. */
	rc = dec(&c, "", A_ORIGIN "40 02 08 0201 fdea 0101 0064" A_NH, NLRI);
	CHECK(rc == WIRE_OK);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0201 0000fdea 0101 00000064");
	/* AS4_PATH longer than AS_PATH: ignored. */
	rc =
	    dec(&c, "", A_ORIGIN "40 02 04 0201 fdea" A_NH "c0 11 0a 0202 fa56ea01 fa56ea02", NLRI);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0201 0000fdea");
	/* AS_SET counts one. */
	rc =
	    dec(&c, "",
		A_ORIGIN "40 02 0a 0201 fdea 0102 5ba0 0064" A_NH "c0 11 0a 0102 fa56ea01 00000064",
		NLRI);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0201 0000fdea 0102 fa56ea01 00000064");
	/* AGGREGATOR AS_TRANS + AS4_AGGREGATOR. */
	rc = dec(&c, "",
		 A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 07 06 5ba0 0a000009"
			  "c0 11 06 0201 fa56ea01 c0 12 08 fa56ea01 0a000009",
		 NLRI);
	CHECK(rc == WIRE_OK && u.attrs.aggregator_as == 4200000001u &&
	      u.attrs.aggregator_id == 0x0a000009);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0202 0000fdea fa56ea01");
	/* AGGREGATOR from an OLD speaker: AS4_* ignored. */
	rc = dec(&c, "",
		 A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 07 06 fdea 0a000009"
			  "c0 11 06 0201 fa56ea01 c0 12 08 fa56ea01 0a000009",
		 NLRI);
	CHECK(rc == WIRE_OK && u.attrs.aggregator_as == 65002);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0202 0000fdea 00005ba0");
	/* Malformed AS4_PATH / AS4_AGGREGATOR: discarded, AS_PATH used. */
	rc = dec(&c, "", A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 11 05 0201 fa56ea", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0202 0000fdea 00005ba0");
	rc = dec(&c, "", A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 11 06 0301 fa56ea01", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR);
	rc = dec(&c, "", A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 11 06 0201 00000000", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0202 0000fdea 00005ba0");
	rc = dec(&c, "", A_ORIGIN "40 02 04 0201 fdea" A_NH "c0 12 06 fa56ea01 0a00", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
	rc = dec(&c, "", A_ORIGIN "40 02 04 0201 fdea" A_NH "c0 07 08 0000fdea 0a000009", NLRI);
	CHECK_OUTCOME(rc, WIRE_ATTR_DISCARD, we, BGP_ERR_UPDATE, WIRE_UPD_ATTR_LENGTH);
}

int main(void)
{
	test_decode_ok();
	test_decode_mp();
	test_decode_add_path();
	test_decode_notify();
	test_decode_7606();
	test_decode_as4();
	return check_done();
}
