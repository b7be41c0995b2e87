/* Wire codec: UPDATE encoding (golden vectors, packing, ADD-PATH, AS4
 * generation for 2-octet peers, Partial bit), round trips through the
 * decoder, and the AS_PATH helpers. */
#include "tests/unit/wire_util.h"

#define A_ORIGIN "40 01 01 00"
#define A_PATH "40 02 06 0201 0000fdea"
#define A_NH "40 03 04 0a000002"
#define V6_GLOBAL "20010db8000000000000000000000001"
#define V6_LL "fe800000000000000000000000000001"

static struct bgp_update u;
static struct wire_err we;
static uint8_t b[70000], want[70000];

static struct wire_ctx ctx4(void)
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

static struct bgp_prefix pfx(int fam, const char *addr_hex, unsigned len, uint32_t id)
{
	struct bgp_prefix p = {.family = (uint8_t)fam, .len = (uint8_t)len, .path_id = id};

	hex(addr_hex, p.addr);
	return p;
}

static struct bgp_nexthop nh4(const char *h)
{
	struct bgp_nexthop n = {.family = BGP_FAM_IPV4};

	hex(h, n.addr);
	return n;
}

/* Decodes an UPDATE built from hex fields to get an attribute set. */
static const struct bgp_path_attrs *attrs_of(const struct wire_ctx *c, const char *attrs)
{
	size_t len = upd(b, "", attrs, "");
	int rc = wire_decode_update(c, b, len, &u, &we);

	if (rc != WIRE_OK)
		printf("# attrs_of: %s\n", we.e.msg);
	return &u.attrs;
}

static void test_goldens(void)
{
	struct wire_ctx c = ctx4();
	struct bgp_path_attrs a;
	struct bgp_prefix p[2];
	struct bgp_nexthop nh;
	size_t used, len, wl;
	struct err e;

	a = *attrs_of(&c, A_ORIGIN A_PATH A_NH "80 04 04 00000064 c0 08 04 fdea0001");
	p[0] = pfx(BGP_FAM_IPV4, "0a01", 16, 0);
	p[1] = pfx(BGP_FAM_IPV4, "c0a801", 24, 0);
	nh = nh4("0a000002");
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, p, 2, b, sizeof(b), &used, &len, &e), 0);
	wl = upd(want, "", A_ORIGIN A_PATH A_NH "80 04 04 00000064 c0 08 04 fdea0001",
		 "10 0a01 18 c0a801");
	CHECK(used == 2 && bytes_eq(b, len, want, wl));

	/* IPv6: MP_REACH_NLRI first, global + link-local next hop. */
	a = *attrs_of(&c, A_ORIGIN A_PATH);
	nh = (struct bgp_nexthop){.family = BGP_FAM_IPV6, .has_ll = true};
	hex(V6_GLOBAL, nh.addr);
	hex(V6_LL, nh.ll);
	p[0] = pfx(BGP_FAM_IPV6, "20010db80001", 48, 0);
	p[1] = pfx(BGP_FAM_IPV6, "20010db8", 32, 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV6, &a, &nh, p, 2, b, sizeof(b), &used, &len, &e), 0);
	wl = upd(want, "",
		 "90 0e 0031 0002 01 20" V6_GLOBAL V6_LL
		 "00 30 20010db80001 20 20010db8" A_ORIGIN A_PATH,
		 "");
	CHECK(used == 2 && bytes_eq(b, len, want, wl));
	nh.has_ll = false;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV6, &a, &nh, p, 1, b, sizeof(b), &used, &len, &e), 0);
	wl = upd(want, "", "90 0e 001c 0002 01 10" V6_GLOBAL "00 30 20010db80001" A_ORIGIN A_PATH,
		 "");
	CHECK(used == 1 && bytes_eq(b, len, want, wl));

	/* Withdrawals. */
	p[0] = pfx(BGP_FAM_IPV4, "0a0101", 24, 0);
	p[1] = pfx(BGP_FAM_IPV4, "0a", 8, 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, NULL, NULL, p, 2, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "18 0a0101 08 0a", "", "");
	CHECK(used == 2 && bytes_eq(b, len, want, wl));
	p[0] = pfx(BGP_FAM_IPV6, "20010db80001", 48, 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV6, NULL, NULL, p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "", "90 0f 000a 0002 01 30 20010db80001", "");
	CHECK(used == 1 && bytes_eq(b, len, want, wl));

	/* End-of-RIB. */
	CHECK_INT(wire_encode_eor(BGP_FAM_IPV4, b, sizeof(b)), 23);
	CHECK_HEX(b, 23, MARKER "0017 02 0000 0000");
	CHECK_INT(wire_encode_eor(BGP_FAM_IPV6, b, sizeof(b)), 29);
	CHECK_HEX(b, 29, MARKER "001d 02 0000 0006 80 0f 03 0002 01");
	CHECK_INT(wire_decode_update(&c, b, 29, &u, &we), WIRE_OK);
	CHECK(u.eor && u.eor_family == BGP_FAM_IPV6);
	CHECK_INT(wire_encode_eor(BGP_FAM_IPV6, b, 28), -ENOSPC);

	/* ADD-PATH: identifiers in front of each prefix. */
	c.add_path_tx[BGP_FAM_IPV4] = true;
	a = *attrs_of(&c, A_ORIGIN A_PATH A_NH);
	p[0] = pfx(BGP_FAM_IPV4, "c0a801", 24, 9);
	nh = nh4("0a000002");
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, p, 1, b, sizeof(b), &used, &len, &e), 0);
	wl = upd(want, "", A_ORIGIN A_PATH A_NH, "00000009 18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, NULL, NULL, p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "00000009 18 c0a801", "", "");
	CHECK(bytes_eq(b, len, want, wl));
}

static void test_encode_errors(void)
{
	struct wire_ctx c = ctx4();
	struct bgp_path_attrs a = {0};
	struct bgp_prefix p = pfx(BGP_FAM_IPV4, "0a", 8, 0);
	struct bgp_nexthop nh = nh4("0a000002");
	size_t used, len;
	struct err e;

	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    -EINVAL);
	a = *attrs_of(&c, A_ORIGIN A_PATH);
	nh.family = BGP_FAM_IPV6;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    -EINVAL);
	nh.family = BGP_FAM_IPV4;
	p.len = 33;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    -EINVAL);
	p = pfx(BGP_FAM_IPV6, "20", 8, 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    -EINVAL);
	/* Attributes bigger than the message. */
	static uint8_t comms[4096];
	a.communities = comms;
	a.communities_len = sizeof(comms);
	a.present |= WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES);
	p = pfx(BGP_FAM_IPV4, "0a", 8, 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    -ENOSPC);
	CHECK_INT(wire_encode_update(&c, BGP_FAM_IPV4, NULL, NULL, &p, 1, b, 16, &used, &len, &e),
		  -ENOSPC);
}

/* Many prefixes: as many per message as fit, none lost, order kept. */
static void test_packing(void)
{
	enum { N = 2000 };
	static struct bgp_prefix p[N];
	struct wire_ctx c = ctx4();
	struct bgp_path_attrs a;
	struct bgp_nexthop nh = nh4("0a000002");
	size_t used, len, done = 0, msgs = 0, seen = 0, first = 0;
	struct err e;
	bool order = true, size_ok = true;

	for (int i = 0; i < N; i++) {
		p[i] = pfx(BGP_FAM_IPV4, "", 24, 0);
		p[i].addr[0] = 10;
		p[i].addr[1] = (uint8_t)(i >> 8);
		p[i].addr[2] = (uint8_t)i;
	}
	a = *attrs_of(&c, A_ORIGIN A_PATH A_NH "80 04 04 00000064 c0 08 04 fdea0001");
	while (done < N) {
		if (wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, p + done, N - done, b, sizeof(b),
				       &used, &len, &e) < 0)
			break;
		if (!msgs)
			first = used;
		size_ok &= len <= 4096;
		if (wire_decode_update(&c, b, len, &u, &we) != WIRE_OK)
			break;
		struct wire_nlri_iter it;
		struct bgp_prefix q;
		wire_nlri_iter_init(&it, &u.reach[0].nlri);
		while (wire_nlri_next(&it, &q))
			order &= memcmp(&q, &p[seen++], sizeof(q)) == 0;
		done += used;
		msgs++;
	}
	/* 23 header octets + 34 of attributes leave 4039: 1009 /24s. */
	CHECK_INT(first, 1009);
	CHECK_INT(done, N);
	CHECK_INT(seen, N);
	CHECK_INT(msgs, 2);
	CHECK(order && size_ok);

	/* Extended messages take them all at once. */
	c.ext_msg = true;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, p, N, b, sizeof(b), &used, &len, &e), 0);
	CHECK(used == N && len == 23 + 34 + 4 * N);
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK_INT(u.reach[0].nlri.count, N);

	/* IPv6 withdrawals and announcements pack into MP attributes. */
	static struct bgp_prefix q[N];
	for (int i = 0; i < N; i++) {
		q[i] = pfx(BGP_FAM_IPV6, "20010db8", 64, 0);
		q[i].addr[6] = (uint8_t)(i >> 8);
		q[i].addr[7] = (uint8_t)i;
	}
	c.ext_msg = false;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV6, NULL, NULL, q, N, b, sizeof(b), &used, &len, &e),
	    0);
	/* 23 + 7 octets of MP_UNREACH header, 9 octets per /64. */
	CHECK(used == (4096 - 30) / 9 && len == 30 + 9 * used);
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(u.n_withdrawn == 1 && u.withdrawn[0].count == used);
	struct bgp_nexthop n6 = {.family = BGP_FAM_IPV6};
	hex(V6_GLOBAL, n6.addr);
	a = *attrs_of(&c, A_ORIGIN A_PATH);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV6, &a, &n6, q, N, b, sizeof(b), &used, &len, &e), 0);
	CHECK(len <= 4096 && len > 4096 - 9);
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(u.n_reach == 1 && u.reach[0].nlri.count == used && u.canon_len == 13);
}

/* RFC 6793 §4.2.2: AS_TRANS plus AS4_PATH/AS4_AGGREGATOR for OLD peers. */
static void test_as4_send(void)
{
	struct wire_ctx c4 = ctx4(), c2 = ctx4();
	struct bgp_path_attrs a;
	struct bgp_prefix p = pfx(BGP_FAM_IPV4, "c0a801", 24, 0);
	struct bgp_nexthop nh = nh4("0a000002");
	size_t used, len, wl;
	struct err e;

	c2.as4 = false;
	a = *attrs_of(&c4,
		      A_ORIGIN "40 02 0a 0202 0000fdea fa56ea01" A_NH "c0 07 08 fa56ea01 0a000009");
	CHECK_INT(
	    wire_encode_update(&c2, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "",
		 A_ORIGIN "40 02 06 0202 fdea 5ba0" A_NH "c0 07 06 5ba0 0a000009"
			  "c0 11 0a 0202 0000fdea fa56ea01 c0 12 08 fa56ea01 0a000009",
		 "18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));
	/* The OLD-speaker side rebuilds the 4-octet path. */
	CHECK_INT(wire_decode_update(&c2, b, len, &u, &we), WIRE_OK);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0202 0000fdea fa56ea01");
	CHECK(u.attrs.aggregator_as == 4200000001u && u.attrs.aggregator_id == 0x0a000009);

	/* Only mappable ASes: no AS4_PATH. */
	a = *attrs_of(&c4, A_ORIGIN A_PATH A_NH);
	CHECK_INT(
	    wire_encode_update(&c2, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "", A_ORIGIN "40 02 04 0201 fdea" A_NH, "18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));

	/* Confederation segments stay out of AS4_PATH. */
	struct wire_ctx ci = ctx4();
	ci.ebgp = false;
	ci.peer_as = 65001;
	a = *attrs_of(&ci, A_ORIGIN "40 02 0c 0301 fa56ea05 0201 fa56ea01" A_NH);
	c2.ebgp = false;
	CHECK_INT(
	    wire_encode_update(&c2, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	wl = upd(want, "", A_ORIGIN "40 02 08 0301 5ba0 0201 5ba0" A_NH "c0 11 06 0201 fa56ea01",
		 "18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));
	CHECK_INT(wire_decode_update(&c2, b, len, &u, &we), WIRE_OK);
	CHECK_HEX(u.attrs.as_path, u.attrs.as_path_len, "0301 00005ba0 0201 fa56ea01");
}

static void test_round_trips(void)
{
	struct wire_ctx c = ctx4();
	struct bgp_path_attrs a;
	struct bgp_prefix p = pfx(BGP_FAM_IPV4, "c0a801", 24, 0);
	struct bgp_nexthop nh = nh4("0a000002");
	size_t used, len, wl;
	uint8_t canon[512];
	struct err e;
	int cl;

	/* Unknown transitive attributes go out in type order with Partial. */
	a = *attrs_of(&c, A_ORIGIN A_PATH A_NH "c0 63 02 beef c0 10 08 0002fdea00000001"
					       "c0 20 0c 0000fde9 00000001 00000002");
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e), 0);
	wl =
	    upd(want, "",
		A_ORIGIN A_PATH A_NH "e0 10 08 0002fdea00000001 c0 20 0c 0000fde9 00000001 00000002"
				     "e0 63 02 beef",
		"18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));

	/* Full iBGP set: decode(encode(x)) has the same canonical bytes. */
	c.ebgp = false;
	c.peer_as = 65001;
	const char *full = A_ORIGIN "40 02 10 0201 0000fdea 0102 00000001 00000002" A_NH
				    "80 04 04 00000005 40 05 04 00000096 40 06 00"
				    "c0 07 08 0000fdea 0a000009 c0 08 04 fdea0001 80 09 04 0a000007"
				    "80 0a 04 01010101 c0 20 0c 0000fde9 00000001 00000002";
	a = *attrs_of(&c, full);
	cl = wire_attrs_canon(&a, canon, sizeof(canon));
	CHECK(cl > 0);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e), 0);
	wl = upd(want, "", full, "18 c0a801");
	CHECK(bytes_eq(b, len, want, wl));
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(bytes_eq(u.canon, u.canon_len, canon, (size_t)cl));
	CHECK_INT(wire_attrs_canon(&a, canon, 10), -ENOSPC);
	/* Empty list attributes are not sent (they would be malformed). */
	struct bgp_path_attrs empty = a;
	empty.communities_len = empty.cluster_list_len = empty.large_communities_len = 0;
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &empty, &nh, &p, 1, b, sizeof(b), &used, &len, &e),
	    0);
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(!(u.attrs.present &
		(WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES) | WIRE_ATTR_BIT(BGP_ATTR_CLUSTER_LIST) |
		 WIRE_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES))));
	CHECK(wire_attrs_canon(&empty, canon, sizeof(canon)) < cl);
	/* Big values use extended lengths. */
	static uint8_t comms[1000];
	memset(comms, 7, sizeof(comms));
	a.communities = comms;
	a.communities_len = sizeof(comms);
	CHECK_INT(
	    wire_encode_update(&c, BGP_FAM_IPV4, &a, &nh, &p, 1, b, sizeof(b), &used, &len, &e), 0);
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(u.attrs.communities_len == 1000 && u.attrs.communities[999] == 7);
}

static void test_aspath(void)
{
	uint8_t path[64], out[4096];
	size_t n = hex("0202 0000fdea 0000fdeb 0102 00000001 00000002 0301 00000009", path);
	int r;

	CHECK_INT(wire_aspath_length(path, n), 3);
	CHECK_INT(wire_aspath_first_as(path, n), 65002);
	CHECK_INT(wire_aspath_origin_as(path, n), 65003);
	CHECK(wire_aspath_contains(path, n, 2) && wire_aspath_contains(path, n, 9) &&
	      !wire_aspath_contains(path, n, 3));
	CHECK_INT(wire_aspath_first_as(path + 22, n - 22), 0);
	r = wire_aspath_prepend(path, n, 65001, 2, out, sizeof(out));
	CHECK_HEX(out, (size_t)(r > 0 ? r : 0),
		  "0204 0000fde9 0000fde9 0000fdea 0000fdeb 0102 00000001 00000002 0301 00000009");
	r = wire_aspath_prepend(path, 0, 65001, 1, out, sizeof(out));
	CHECK_HEX(out, (size_t)(r > 0 ? r : 0), "0201 0000fde9");
	r = wire_aspath_prepend(path + 10, n - 10, 7, 1, out, sizeof(out));
	CHECK_HEX(out, (size_t)(r > 0 ? r : 0),
		  "0201 00000007 0102 00000001 00000002 0301 00000009");
	/* A full leading sequence overflows into a new segment. */
	static uint8_t full[2 + 255 * 4];
	full[0] = 2;
	full[1] = 254;
	r = wire_aspath_prepend(full, 2 + 254 * 4, 5, 3, out, sizeof(out));
	CHECK(r == 2 + 2 * 4 + 2 + 255 * 4 && out[0] == 2 && out[1] == 2 && out[11] == 255);
	CHECK_INT(wire_aspath_prepend(path, n, 1, 1, out, 8), -ENOSPC);
}

/* The incremental builder directly: IPv6 with ADD-PATH, filling a small
 * buffer until wire_ub_add() refuses. */
static void test_builder(void)
{
	struct wire_ctx c = ctx4();
	struct bgp_path_attrs a;
	struct bgp_nexthop nh = {.family = BGP_FAM_IPV6};
	struct bgp_prefix p = pfx(BGP_FAM_IPV6, "20010db80001", 48, 3);
	struct wire_ub ub;
	struct err e;
	size_t len, wl;
	unsigned n = 0;

	c.add_path_tx[BGP_FAM_IPV6] = true;
	hex(V6_GLOBAL, nh.addr);
	a = *attrs_of(&c, A_ORIGIN A_PATH);
	CHECK_INT(wire_ub_announce(&ub, &c, b, 100, BGP_FAM_IPV6, &a, &nh, &e), 0);
	CHECK(wire_ub_add(&ub, &p));
	len = wire_ub_finish(&ub);
	wl = upd(want, "",
		 "90 0e 0020 0002 01 10" V6_GLOBAL "00 00000003 30 20010db80001" A_ORIGIN A_PATH,
		 "");
	CHECK(bytes_eq(b, len, want, wl));
	/* 23 + 4 + 21 + 13 = 61 octets before NLRI: 39 left, 11 per prefix. */
	CHECK_INT(wire_ub_announce(&ub, &c, b, 100, BGP_FAM_IPV6, &a, &nh, &e), 0);
	while (wire_ub_add(&ub, &p))
		n++;
	CHECK_INT(n, 3);
	len = wire_ub_finish(&ub);
	CHECK_INT(len, 61 + 33);
	c.add_path_rx[BGP_FAM_IPV6] = true;
	CHECK_INT(wire_decode_update(&c, b, len, &u, &we), WIRE_OK);
	CHECK(u.n_reach == 1 && u.reach[0].nlri.count == 3 && u.reach[0].nlri.add_path);
	/* Too small for the attributes themselves. */
	CHECK_INT(wire_ub_announce(&ub, &c, b, 40, BGP_FAM_IPV6, &a, &nh, &e), -ENOSPC);
	CHECK_INT(wire_ub_withdraw(&ub, &c, b, 100, (enum bgp_family)7, &e), -EINVAL);
}

int main(void)
{
	test_goldens();
	test_encode_errors();
	test_packing();
	test_as4_send();
	test_round_trips();
	test_aspath();
	test_builder();
	return check_done();
}
