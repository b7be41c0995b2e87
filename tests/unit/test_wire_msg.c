/* Wire codec: framing, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH, OPEN and
 * the negotiation of session parameters, against golden byte vectors. */
#include "tests/unit/wire_util.h"

static struct wire_err we;

static void test_header(void)
{
	uint8_t b[4200];
	uint8_t type;
	size_t len, n;
	struct wire_ctx ctx;

	wire_ctx_init(&ctx);
	n = hex(MARKER "0013 04", b);
	CHECK_INT(wire_header(NULL, b, n, &type, &len, &we), WIRE_OK);
	CHECK_INT(type, BGP_MSG_KEEPALIVE);
	CHECK_INT(len, 19);

	/* Connection Not Synchronized: a marker octet is not 0xff. */
	b[3] = 0xfe;
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_NOT_SYNCHRONIZED, "");
	/* Bad Message Length carries the length field. */
	n = hex(MARKER "0012 04", b);
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0012");
	n = hex(MARKER "0014 04", b);
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0014");
	n = hex(MARKER "001c 01", b); /* OPEN shorter than 29 */
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "001c");
	n = hex(MARKER "0016 02", b); /* UPDATE shorter than 23 */
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0016");
	n = hex(MARKER "0014 03", b); /* NOTIFICATION shorter than 21 */
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0014");
	n = hex(MARKER "1001 02", b); /* 4097 without extended messages */
	CHECK_NOTIFY(wire_header(&ctx, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "1001");
	ctx.ext_msg = true;
	CHECK_INT(wire_header(&ctx, b, n, &type, &len, &we), WIRE_OK);
	CHECK_INT(len, 4097);
	/* RFC 8654: OPEN stays within 4096 even then. */
	n = hex(MARKER "1001 01", b);
	CHECK_NOTIFY(wire_header(&ctx, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "1001");
	/* Bad Message Type carries the type. */
	n = hex(MARKER "0013 06", b);
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_TYPE, "06");
	/* A length outside 19..4096 is reported before an unknown type. */
	n = hex(MARKER "0005 09", b);
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0005");
	n = hex(MARKER "0013 00", b);
	CHECK_NOTIFY(wire_header(NULL, b, n, &type, &len, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_TYPE, "00");
}

static void test_keepalive_notification(void)
{
	uint8_t b[5000];
	struct bgp_notification n;
	size_t len;

	CHECK_INT(wire_encode_keepalive(b, sizeof(b)), 19);
	CHECK_HEX(b, 19, MARKER "0013 04");
	CHECK_INT(wire_decode_keepalive(b, 19, &we), WIRE_OK);
	CHECK_INT(wire_encode_keepalive(b, 18), -ENOSPC);

	int r = wire_encode_notification(BGP_ERR_OPEN, WIRE_OPEN_UNSUPPORTED_VERSION,
					 (const uint8_t *)"\0\4", 2, b, sizeof(b));
	CHECK_INT(r, 23);
	CHECK_HEX(b, 23, MARKER "0017 03 02 01 0004");
	CHECK_INT(wire_decode_notification(b, 23, &n, &we), WIRE_OK);
	CHECK(n.code == 2 && n.subcode == 1 && n.data_len == 2 && n.data[1] == 4);

	/* RFC 9003 shutdown communication. */
	len = msg(b, BGP_MSG_NOTIFICATION, "06 02 05 6d61696e74");
	CHECK_INT(wire_decode_notification(b, len, &n, &we), WIRE_OK);
	CHECK(n.shutdown_msg_len == 5 && memcmp(n.shutdown_msg, "maint", 5) == 0);
	/* A length octet beyond the data is not a message. */
	len = msg(b, BGP_MSG_NOTIFICATION, "06 02 09 6d61696e74");
	CHECK_INT(wire_decode_notification(b, len, &n, &we), WIRE_OK);
	CHECK(n.shutdown_msg == NULL && n.data_len == 6);

	/* Data longer than a 4096-octet message is cut. */
	static uint8_t big[5000];
	CHECK_INT(wire_encode_notification(6, 0, big, sizeof(big), b, sizeof(b)), 4096);
	CHECK_INT(wire_encode_notification(6, 0, big, 10, b, 30), -ENOSPC);

	we.code = 3;
	we.subcode = 11;
	we.data_len = 0;
	CHECK_INT(wire_encode_err(&we, b, sizeof(b)), 21);
	CHECK_HEX(b, 21, MARKER "0015 03 030b");
	CHECK_STR(wire_subcode_name(3, 11), "Malformed AS_PATH");
	CHECK_STR(wire_code_name(6), "Cease");
	CHECK_STR(wire_subcode_name(6, 2), "Administrative Shutdown");
	CHECK_STR(wire_subcode_name(3, 7), "Unknown Subcode");
	CHECK_STR(wire_status_name(WIRE_TREAT_AS_WITHDRAW), "treat-as-withdraw");
}

static void test_route_refresh(void)
{
	uint8_t b[64];
	struct bgp_route_refresh rr;
	struct wire_ctx ctx;
	size_t len;

	wire_ctx_init(&ctx);
	CHECK_INT(wire_encode_route_refresh(BGP_FAM_IPV6, WIRE_RR_NORMAL, b, sizeof(b)), 23);
	CHECK_HEX(b, 23, MARKER "0017 05 0002 00 01");
	CHECK_INT(wire_encode_route_refresh(BGP_FAM_IPV4, WIRE_RR_BORR, b, sizeof(b)), 23);
	CHECK_HEX(b, 23, MARKER "0017 05 0001 01 01");
	CHECK_INT(wire_decode_route_refresh(&ctx, b, 23, &rr, &we), WIRE_OK);
	CHECK(rr.known && rr.family == BGP_FAM_IPV4 && rr.subtype == WIRE_RR_BORR);
	len = msg(b, BGP_MSG_ROUTE_REFRESH, "0002 02 01");
	CHECK_INT(wire_decode_route_refresh(&ctx, b, len, &rr, &we), WIRE_OK);
	CHECK(rr.known && rr.family == BGP_FAM_IPV6 && rr.subtype == WIRE_RR_EORR);
	/* Unknown subtype or family: decoded, marked for the caller to ignore. */
	len = msg(b, BGP_MSG_ROUTE_REFRESH, "0001 07 01");
	CHECK_INT(wire_decode_route_refresh(&ctx, b, len, &rr, &we), WIRE_OK);
	CHECK(!rr.known);
	len = msg(b, BGP_MSG_ROUTE_REFRESH, "0019 00 41");
	CHECK_INT(wire_decode_route_refresh(&ctx, b, len, &rr, &we), WIRE_OK);
	CHECK(!rr.known && rr.afi == 25 && rr.safi == 65);
	/* Wrong length: header error, or RFC 7313's own error for BoRR/EoRR. */
	len = msg(b, BGP_MSG_ROUTE_REFRESH, "0001 01 01 00");
	CHECK_NOTIFY(wire_decode_route_refresh(&ctx, b, len, &rr, &we), we, BGP_ERR_HEADER,
		     WIRE_HDR_BAD_LENGTH, "0018");
	ctx.enhanced_rr = true;
	CHECK_NOTIFY(wire_decode_route_refresh(&ctx, b, len, &rr, &we), we, BGP_ERR_ROUTE_REFRESH,
		     WIRE_RR_INVALID_LENGTH, MARKER "0018 05 0001 01 01 00");
}

/* Our usual OPEN: AS 65001, hold 90, id 10.0.0.1, MP IPv4, RR, AS4. */
#define OPEN_65001                                                                                 \
	MARKER "002d 01 04 fde9 005a 0a000001 10 02 0e 01 04 0001 00 01 0200 4104 0000fde9"

static void test_open_codec(void)
{
	uint8_t b[4200];
	struct bgp_open o, d;
	size_t len;
	struct err e;

	wire_open_init(&o, 65001, 90, 0x0a000001);
	CHECK_INT(wire_encode_open(&o, b, sizeof(b), &len, &e), 0);
	CHECK_HEX(b, len, OPEN_65001);
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK(d.version == 4 && d.my_as == 65001 && d.hold_time == 90 && d.bgp_id == 0x0a000001);
	CHECK(d.caps.mp_seen && d.caps.mp[BGP_FAM_IPV4] && !d.caps.mp[BGP_FAM_IPV6]);
	CHECK(d.caps.as4 && d.caps.as4_number == 65001 && d.caps.route_refresh);
	CHECK_INT(wire_open_as(&d), 65001);
	CHECK_INT(wire_encode_open(&o, b, 44, &len, &e), -ENOSPC);

	/* Everything: 4-octet AS, both families, GR, ADD-PATH, ext msg, ERR. */
	wire_open_init(&o, 4200000001u, 240, 0xc0a80101);
	o.caps.mp[BGP_FAM_IPV6] = true;
	o.caps.enhanced_rr = true;
	o.caps.ext_msg = true;
	o.caps.gr = true;
	o.caps.gr_restarting = true;
	o.caps.gr_time = 120;
	o.caps.gr_fam[BGP_FAM_IPV4] = o.caps.gr_fam[BGP_FAM_IPV6] = true;
	o.caps.gr_fwd[BGP_FAM_IPV6] = true;
	o.caps.add_path[BGP_FAM_IPV4] = WIRE_ADDPATH_RECEIVE | WIRE_ADDPATH_SEND;
	o.caps.add_path[BGP_FAM_IPV6] = WIRE_ADDPATH_RECEIVE;
	static const uint8_t fqdn[] = {4, 'n', 'o', 'd', 'e', 0};
	o.caps.n_raw = 1;
	o.caps.raw[0] = (struct bgp_cap_raw){.code = BGP_CAP_FQDN, .len = 6, .data = fqdn};
	CHECK_INT(wire_encode_open(&o, b, sizeof(b), &len, &e), 0);
	CHECK_HEX(b, len,
		  MARKER "0055 01 04 5ba0 00f0 c0a80101 38 02 36"
			 "01 04 0001 00 01  01 04 0002 00 01  0200  4600  0600"
			 "40 0a 8078 0001 01 00 0002 01 80"
			 "41 04 fa56ea01"
			 "45 08 0001 01 03 0002 01 01"
			 "49 06 046e6f646500");
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK(d.my_as == BGP_AS_TRANS && wire_open_as(&d) == 4200000001u);
	CHECK(d.caps.mp[BGP_FAM_IPV6] && d.caps.enhanced_rr && d.caps.ext_msg);
	CHECK(d.caps.gr && d.caps.gr_restarting && !d.caps.gr_notification &&
	      d.caps.gr_time == 120);
	CHECK(d.caps.gr_fam[0] && d.caps.gr_fam[1] && !d.caps.gr_fwd[0] && d.caps.gr_fwd[1]);
	CHECK(d.caps.add_path[0] == 3 && d.caps.add_path[1] == 1);
	CHECK(d.caps.n_raw == 1 && d.caps.raw[0].code == BGP_CAP_FQDN && d.caps.raw[0].len == 6 &&
	      memcmp(d.caps.raw[0].data, fqdn, 6) == 0);

	/* No MP capability at all: IPv4 unicast implied; old RR code 128;
	 * capabilities spread over two parameters. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 08 0202 8000 0202 0200");
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK(!d.caps.mp_seen && d.caps.route_refresh && !d.caps.as4);
	len = msg(b, BGP_MSG_OPEN, "04 0064 0000 01020304 00");
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK_INT(d.hold_time, 0);

	/* RFC 9072 extended optional parameters, decoded and encoded. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 ff ff 0009 02 0006 41 04 00010000");
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK(d.ext_params && d.caps.as4 && d.caps.as4_number == 65536);
	static uint8_t blob[250];
	memset(blob, 0xab, sizeof(blob));
	wire_open_init(&o, 100, 90, 1);
	o.caps.n_raw = 1;
	o.caps.raw[0] = (struct bgp_cap_raw){.code = 200, .len = 250, .data = blob};
	CHECK_INT(wire_encode_open(&o, b, sizeof(b), &len, &e), 0);
	CHECK(b[28] == 255 && b[29] == 255 && b[32] == 2);
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK(d.ext_params && d.caps.n_raw == 1 && d.caps.raw[0].len == 250 &&
	      d.caps.as4_number == 100);
}

static void test_open_errors(void)
{
	uint8_t b[512];
	struct bgp_open d;
	size_t len;

	len = msg(b, BGP_MSG_OPEN, "03 0064 00b4 01020304 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNSUPPORTED_VERSION, "0004");
	len = msg(b, BGP_MSG_OPEN, "04 0000 00b4 01020304 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS,
		     "");
	len = msg(b, BGP_MSG_OPEN, "04 5ba0 00b4 01020304 08 02 06 4104 00000000");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS,
		     "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 00000000 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_BAD_BGP_ID, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 0001 01020304 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNACCEPTABLE_HOLD_TIME, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 0002 01020304 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNACCEPTABLE_HOLD_TIME, "");
	/* Authentication (type 1) is not a supported parameter. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 03 01 01 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNSUPPORTED_OPT_PARAM, "");
	/* Malformed parameters and capabilities: subcode 0. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 05 02 06 0104 0001");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 05 02 03 0103 0001");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 06 02 04 4102 0001");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 05 02 03 40 01 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 05 02 03 45 01 00");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	/* Optional parameters length disagreeing with the message. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 09 02 02 0200");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, "");
	/* Not an OPEN at all. */
	len = msg(b, BGP_MSG_KEEPALIVE, "");
	CHECK_NOTIFY(wire_decode_open(b, len, &d, &we), we, BGP_ERR_HEADER, WIRE_HDR_BAD_TYPE,
		     "04");
	/* ADD-PATH with an invalid Send/Receive value: tuple ignored. */
	len = msg(b, BGP_MSG_OPEN, "04 0064 00b4 01020304 0a 02 08 4504 0001 01 07 0200");
	CHECK_INT(wire_decode_open(b, len, &d, &we), WIRE_OK);
	CHECK_INT(d.caps.add_path[BGP_FAM_IPV4], 0);
}

static void test_negotiate(void)
{
	struct bgp_open l, r;
	struct wire_ctx ctx;

	wire_open_init(&l, 65001, 90, 0x0a000001);
	wire_open_init(&r, 65002, 30, 0x0a000002);
	l.caps.mp[BGP_FAM_IPV6] = true;
	l.caps.add_path[BGP_FAM_IPV4] = 3;
	r.caps.add_path[BGP_FAM_IPV4] = WIRE_ADDPATH_SEND;
	l.caps.ext_msg = r.caps.ext_msg = true;
	r.caps.gr = true;
	r.caps.gr_time = 300;
	r.caps.gr_fam[BGP_FAM_IPV4] = true;
	r.caps.gr_fwd[BGP_FAM_IPV4] = true;
	CHECK_INT(wire_negotiate(&l, &r, 65002, &ctx, &we), WIRE_OK);
	CHECK(ctx.as4 && ctx.ext_msg && ctx.ebgp && ctx.hold_time == 30 && ctx.keepalive == 10);
	CHECK(ctx.fam[BGP_FAM_IPV4] && !ctx.fam[BGP_FAM_IPV6]);
	CHECK(ctx.add_path_rx[BGP_FAM_IPV4] && !ctx.add_path_tx[BGP_FAM_IPV4]);
	CHECK(ctx.peer_gr && ctx.peer_gr_time == 300 && ctx.peer_gr_fwd[BGP_FAM_IPV4]);
	CHECK_INT(wire_max_msg(&ctx), 65535);

	/* Hold time 0 on either side disables keepalives. */
	r.hold_time = 0;
	CHECK_INT(wire_negotiate(&l, &r, 0, &ctx, &we), WIRE_OK);
	CHECK(ctx.hold_time == 0 && ctx.keepalive == 0);
	r.hold_time = 2;
	CHECK_NOTIFY(wire_negotiate(&l, &r, 0, &ctx, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNACCEPTABLE_HOLD_TIME, "");
	r.hold_time = 30;
	CHECK_NOTIFY(wire_negotiate(&l, &r, 65003, &ctx, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_BAD_PEER_AS, "");
	/* iBGP peer with our identifier. */
	wire_open_init(&r, 65001, 90, 0x0a000001);
	CHECK_NOTIFY(wire_negotiate(&l, &r, 65001, &ctx, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_BAD_BGP_ID, "");
	/* The same identifier is fine across ASes (RFC 6286). */
	wire_open_init(&r, 65009, 90, 0x0a000001);
	CHECK_INT(wire_negotiate(&l, &r, 0, &ctx, &we), WIRE_OK);
	/* A 2-octet peer: no AS4, its AS from my_as. */
	wire_open_init(&r, 65009, 90, 0x0a000009);
	r.caps.as4 = false;
	CHECK_INT(wire_negotiate(&l, &r, 65009, &ctx, &we), WIRE_OK);
	CHECK(!ctx.as4 && ctx.peer_as == 65009);
	/* No family in common: Unsupported Capability with our MP caps. */
	l.caps.mp[BGP_FAM_IPV4] = false;
	CHECK_NOTIFY(wire_negotiate(&l, &r, 0, &ctx, &we), we, BGP_ERR_OPEN,
		     WIRE_OPEN_UNSUPPORTED_CAPABILITY, "01 04 0002 00 01");
	/* Peer without MP capabilities only speaks IPv4. */
	r.caps.mp_seen = false;
	l.caps.mp[BGP_FAM_IPV4] = true;
	CHECK_INT(wire_negotiate(&l, &r, 0, &ctx, &we), WIRE_OK);
	CHECK(ctx.fam[BGP_FAM_IPV4] && !ctx.fam[BGP_FAM_IPV6]);
}

int main(void)
{
	test_header();
	test_keepalive_notification();
	test_route_refresh();
	test_open_codec();
	test_open_errors();
	test_negotiate();
	return check_done();
}
