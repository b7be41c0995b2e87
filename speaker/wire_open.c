/* OPEN messages: optional parameters, RFC 5492 capabilities (with RFC 9072
 * extended parameter lengths), and the negotiation of session parameters. */
#include "speaker/wire_int.h"

#define CAP_ROUTE_REFRESH_OLD 128 /* pre-standard Cisco code, same meaning */
#define OPT_PARAM_CAPABILITIES 2
#define OPT_PARAM_EXTENDED 255 /* RFC 9072 */

void wire_open_init(struct bgp_open *o, uint32_t as, uint16_t hold_time, uint32_t bgp_id)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = as > 0xffff ? BGP_AS_TRANS : (uint16_t)as;
	o->hold_time = hold_time;
	o->bgp_id = bgp_id;
	o->caps.as4 = true;
	o->caps.as4_number = as;
	o->caps.route_refresh = true;
	o->caps.mp_seen = true;
	o->caps.mp[BGP_FAM_IPV4] = true;
}

uint32_t wire_open_as(const struct bgp_open *o)
{
	return o->caps.as4 ? o->caps.as4_number : o->my_as;
}

static int malformed(struct wire_err *we, const char *what, unsigned code, size_t len)
{
	return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL, 0,
			 "OPEN: capability %u (%s): length %zu is invalid", code, what, len);
}

/* Decodes one capability into caps. */
static int decode_cap(uint8_t code, const uint8_t *v, size_t len, struct bgp_caps *caps,
		      struct wire_err *we)
{
	int fam;

	switch (code) {
	case BGP_CAP_MP:
		if (len != 4)
			return malformed(we, "multiprotocol", code, len);
		caps->mp_seen = true;
		fam = wire_afi_family(get16(v), v[3]);
		if (fam >= 0)
			caps->mp[fam] = true;
		return WIRE_OK;
	case BGP_CAP_ROUTE_REFRESH:
	case CAP_ROUTE_REFRESH_OLD:
		if (len != 0)
			return malformed(we, "route refresh", code, len);
		caps->route_refresh = true;
		return WIRE_OK;
	case BGP_CAP_ENHANCED_RR:
		if (len != 0)
			return malformed(we, "enhanced route refresh", code, len);
		caps->enhanced_rr = true;
		return WIRE_OK;
	case BGP_CAP_EXT_MESSAGE:
		if (len != 0)
			return malformed(we, "extended message", code, len);
		caps->ext_msg = true;
		return WIRE_OK;
	case BGP_CAP_AS4:
		if (len != 4)
			return malformed(we, "4-octet AS", code, len);
		caps->as4 = true;
		caps->as4_number = get32(v);
		return WIRE_OK;
	case BGP_CAP_GRACEFUL_RESTART:
		if (len < 2 || (len - 2) % 4)
			return malformed(we, "graceful restart", code, len);
		caps->gr = true;
		caps->gr_restarting = v[0] & 0x80;
		caps->gr_notification = v[0] & 0x40;
		caps->gr_time = get16(v) & 0x0fff;
		for (size_t i = 2; i < len; i += 4) {
			fam = wire_afi_family(get16(v + i), v[i + 2]);
			if (fam < 0)
				continue;
			caps->gr_fam[fam] = true;
			caps->gr_fwd[fam] = v[i + 3] & 0x80;
		}
		return WIRE_OK;
	case BGP_CAP_ADD_PATH:
		if (len == 0 || len % 4)
			return malformed(we, "ADD-PATH", code, len);
		for (size_t i = 0; i < len; i += 4) {
			fam = wire_afi_family(get16(v + i), v[i + 2]);
			/* RFC 7911 §4: other Send/Receive values void the tuple. */
			if (fam < 0 || v[i + 3] < 1 || v[i + 3] > 3)
				continue;
			caps->add_path[fam] = v[i + 3];
		}
		return WIRE_OK;
	default:
		if (caps->n_raw < WIRE_MAX_RAW_CAPS) {
			struct bgp_cap_raw *r = &caps->raw[caps->n_raw++];
			r->code = code;
			r->len = (uint8_t)len;
			r->data = v;
		}
		return WIRE_OK;
	}
}

static int decode_caps(const uint8_t *p, size_t len, struct bgp_caps *caps, struct wire_err *we)
{
	size_t i = 0;

	while (i < len) {
		if (len - i < 2 || len - i - 2 < p[i + 1])
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL,
					 0, "OPEN: capability at offset %zu overruns its parameter",
					 i);
		int rc = decode_cap(p[i], p + i + 2, p[i + 1], caps, we);
		if (rc != WIRE_OK)
			return rc;
		i += 2 + (size_t)p[i + 1];
	}
	return WIRE_OK;
}

/* Walks the optional parameters at p (len octets); ext selects 2-octet
 * parameter lengths (RFC 9072). */
static int decode_params(const uint8_t *p, size_t len, bool ext, struct bgp_open *o,
			 struct wire_err *we)
{
	size_t hdr = ext ? 3 : 2, i = 0;

	while (i < len) {
		size_t plen;

		if (len - i < hdr)
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL,
					 0, "OPEN: optional parameter at offset %zu is truncated",
					 i);
		plen = ext ? get16(p + i + 1) : p[i + 1];
		if (len - i - hdr < plen)
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL,
					 0,
					 "OPEN: optional parameter length %zu overruns the "
					 "parameters",
					 plen);
		if (p[i] != OPT_PARAM_CAPABILITIES)
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN,
					 WIRE_OPEN_UNSUPPORTED_OPT_PARAM, NULL, 0,
					 "OPEN: optional parameter type %u is not supported", p[i]);
		int rc = decode_caps(p + i + hdr, plen, &o->caps, we);
		if (rc != WIRE_OK)
			return rc;
		i += hdr + plen;
	}
	return WIRE_OK;
}

int wire_decode_open(const uint8_t *msg, size_t len, struct bgp_open *o, struct wire_err *we)
{
	static const uint8_t version4[2] = {0, 4};
	uint8_t type;
	size_t mlen, off, plen;
	int rc = wire_header(NULL, msg, len, &type, &mlen, we);

	if (rc != WIRE_OK)
		return rc;
	if (type != BGP_MSG_OPEN || mlen != len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER,
				 type != BGP_MSG_OPEN ? WIRE_HDR_BAD_TYPE : WIRE_HDR_BAD_LENGTH,
				 type != BGP_MSG_OPEN ? msg + 18 : msg + 16,
				 type != BGP_MSG_OPEN ? 1 : 2,
				 "OPEN: header type %u length %zu for %zu octets", type, mlen, len);
	memset(o, 0, sizeof(*o));
	o->version = msg[19];
	o->my_as = get16(msg + 20);
	o->hold_time = get16(msg + 22);
	o->bgp_id = get32(msg + 24);
	if (o->version != 4)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSUPPORTED_VERSION,
				 version4, 2, "OPEN: version %u is not supported (only 4)",
				 o->version);
	if (o->my_as == 0)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS, NULL, 0,
				 "OPEN: My Autonomous System is 0 (RFC 7607)");
	if (o->hold_time == 1 || o->hold_time == 2)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNACCEPTABLE_HOLD_TIME,
				 NULL, 0, "OPEN: hold time %u is not 0 or at least 3",
				 o->hold_time);
	if (o->bgp_id == 0)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_BAD_BGP_ID, NULL, 0,
				 "OPEN: BGP identifier 0.0.0.0 is invalid");
	off = 29;
	plen = msg[28];
	if (plen && len > 29 && msg[29] == OPT_PARAM_EXTENDED) {
		/* RFC 9072: Non-Ext OP Type 255 announces a 2-octet length. */
		if (len < 32)
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL,
					 0, "OPEN: extended optional parameters are truncated");
		o->ext_params = true;
		plen = get16(msg + 30);
		off = 32;
	}
	if (off + plen != len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSPECIFIC, NULL, 0,
				 "OPEN: optional parameters length %zu does not match the "
				 "message (%zu octets after the fixed part)",
				 plen, len - off);
	rc = decode_params(msg + off, plen, o->ext_params, o, we);
	if (rc != WIRE_OK)
		return rc;
	if (o->caps.as4 && o->caps.as4_number == 0)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS, NULL, 0,
				 "OPEN: 4-octet AS capability carries AS 0 (RFC 7607)");
	return WIRE_OK;
}

/* Appends one capability TLV; returns the new offset or 0 when full. */
static size_t put_cap(uint8_t *buf, size_t off, size_t cap, uint8_t code, const uint8_t *v,
		      size_t len)
{
	if (len > 255 || off + 2 + len > cap)
		return 0;
	buf[off] = code;
	buf[off + 1] = (uint8_t)len;
	if (len)
		memcpy(buf + off + 2, v, len);
	return off + 2 + len;
}

/* Writes the capability TLVs of caps into buf; returns the length or -1. */
static int encode_caps(const struct bgp_caps *c, uint8_t *buf, size_t cap)
{
	uint8_t v[4 * BGP_FAM_COUNT + 2];
	size_t off = 0, n;

#define PUT(code, val, len)                                                                        \
	do {                                                                                       \
		off = put_cap(buf, off, cap, (code), (val), (len));                                \
		if (!off)                                                                          \
			return -1;                                                                 \
	} while (0)

	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!c->mp[f])
			continue;
		put16(v, wire_family_afi(f));
		v[2] = 0;
		v[3] = BGP_SAFI_UNICAST;
		PUT(BGP_CAP_MP, v, 4);
	}
	if (c->route_refresh)
		PUT(BGP_CAP_ROUTE_REFRESH, NULL, 0);
	if (c->enhanced_rr)
		PUT(BGP_CAP_ENHANCED_RR, NULL, 0);
	if (c->ext_msg)
		PUT(BGP_CAP_EXT_MESSAGE, NULL, 0);
	if (c->gr) {
		put16(v, (uint16_t)((c->gr_restarting ? 0x8000 : 0) |
				    (c->gr_notification ? 0x4000 : 0) | (c->gr_time & 0x0fff)));
		n = 2;
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			if (!c->gr_fam[f])
				continue;
			put16(v + n, wire_family_afi(f));
			v[n + 2] = BGP_SAFI_UNICAST;
			v[n + 3] = c->gr_fwd[f] ? 0x80 : 0;
			n += 4;
		}
		PUT(BGP_CAP_GRACEFUL_RESTART, v, n);
	}
	if (c->as4) {
		put32(v, c->as4_number);
		PUT(BGP_CAP_AS4, v, 4);
	}
	n = 0;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!c->add_path[f])
			continue;
		put16(v + n, wire_family_afi(f));
		v[n + 2] = BGP_SAFI_UNICAST;
		v[n + 3] = c->add_path[f] & 3;
		n += 4;
	}
	if (n)
		PUT(BGP_CAP_ADD_PATH, v, n);
	for (unsigned i = 0; i < c->n_raw && i < WIRE_MAX_RAW_CAPS; i++)
		PUT(c->raw[i].code, c->raw[i].data, c->raw[i].len);
#undef PUT
	return (int)off;
}

int wire_encode_open(const struct bgp_open *o, uint8_t *buf, size_t cap, size_t *len, struct err *e)
{
	uint8_t caps[BGP_MAX_MSG_LEN];
	int n = encode_caps(&o->caps, caps, sizeof(caps));
	size_t total;

	if (n < 0)
		return err_set(e, -EINVAL, "OPEN: capabilities do not fit a 4096-octet message");
	if (o->hold_time == 1 || o->hold_time == 2)
		return err_set(e, -EINVAL, "OPEN: hold time %u is not 0 or at least 3",
			       o->hold_time);
	/* One Capabilities parameter; RFC 9072 form only when it must. */
	bool ext = n + 2 > 255;
	total = 29 + (n ? (ext ? 3 + 3 : 2) + (size_t)n : 0);
	if (total > BGP_MAX_MSG_LEN)
		return err_set(e, -EINVAL, "OPEN: %zu octets exceed 4096", total);
	if (cap < total)
		return err_set(e, -ENOSPC, "OPEN: needs %zu octets, buffer has %zu", total, cap);
	wire_put_header(buf, BGP_MSG_OPEN, total);
	buf[19] = o->version;
	put16(buf + 20, o->my_as);
	put16(buf + 22, o->hold_time);
	put32(buf + 24, o->bgp_id);
	if (!n) {
		buf[28] = 0;
	} else if (!ext) {
		buf[28] = (uint8_t)(n + 2);
		buf[29] = OPT_PARAM_CAPABILITIES;
		buf[30] = (uint8_t)n;
		memcpy(buf + 31, caps, (size_t)n);
	} else {
		buf[28] = 255;
		buf[29] = OPT_PARAM_EXTENDED;
		put16(buf + 30, (uint16_t)(n + 3));
		buf[32] = OPT_PARAM_CAPABILITIES;
		put16(buf + 33, (uint16_t)n);
		memcpy(buf + 35, caps, (size_t)n);
	}
	*len = total;
	return 0;
}

/* The unicast families an OPEN enables: MP capabilities, or IPv4 alone
 * when it has none (RFC 4760 §8). */
static void families(const struct bgp_open *o, bool out[BGP_FAM_COUNT])
{
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		out[f] = o->caps.mp_seen ? o->caps.mp[f] : f == BGP_FAM_IPV4;
}

int wire_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
		   uint32_t expected_peer_as, struct wire_ctx *ctx, struct wire_err *we)
{
	bool lf[BGP_FAM_COUNT], rf[BGP_FAM_COUNT], any = false;
	uint16_t hold;

	memset(ctx, 0, sizeof(*ctx));
	ctx->local_as = wire_open_as(local);
	ctx->peer_as = wire_open_as(remote);
	ctx->local_id = local->bgp_id;
	ctx->peer_id = remote->bgp_id;
	ctx->ebgp = ctx->local_as != ctx->peer_as;
	if (expected_peer_as && ctx->peer_as != expected_peer_as) {
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS, NULL, 0,
				 "OPEN: peer AS %u, expected %u", ctx->peer_as, expected_peer_as);
	}
	if (!ctx->ebgp && remote->bgp_id == local->bgp_id)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_BAD_BGP_ID, NULL, 0,
				 "OPEN: iBGP peer uses our own BGP identifier %u.%u.%u.%u",
				 remote->bgp_id >> 24, (remote->bgp_id >> 16) & 0xff,
				 (remote->bgp_id >> 8) & 0xff, remote->bgp_id & 0xff);
	hold = local->hold_time < remote->hold_time ? local->hold_time : remote->hold_time;
	if (hold == 1 || hold == 2)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNACCEPTABLE_HOLD_TIME,
				 NULL, 0, "OPEN: negotiated hold time %u is not 0 or at least 3",
				 hold);
	families(local, lf);
	families(remote, rf);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		ctx->fam[f] = lf[f] && rf[f];
		any |= ctx->fam[f];
	}
	if (!any) {
		uint8_t data[6 * BGP_FAM_COUNT];
		size_t n = 0;
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			if (!lf[f])
				continue;
			data[n] = BGP_CAP_MP;
			data[n + 1] = 4;
			put16(data + n + 2, wire_family_afi(f));
			data[n + 4] = 0;
			data[n + 5] = BGP_SAFI_UNICAST;
			n += 6;
		}
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_OPEN, WIRE_OPEN_UNSUPPORTED_CAPABILITY,
				 data, n, "OPEN: no address family in common with the peer");
	}
	ctx->hold_time = hold;
	ctx->keepalive = hold / 3;
	ctx->as4 = local->caps.as4 && remote->caps.as4;
	ctx->ext_msg = local->caps.ext_msg && remote->caps.ext_msg;
	ctx->route_refresh = remote->caps.route_refresh;
	ctx->enhanced_rr = local->caps.enhanced_rr && remote->caps.enhanced_rr;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		uint8_t l = local->caps.add_path[f], r = remote->caps.add_path[f];
		ctx->add_path_rx[f] =
		    ctx->fam[f] && (l & WIRE_ADDPATH_RECEIVE) && (r & WIRE_ADDPATH_SEND);
		ctx->add_path_tx[f] =
		    ctx->fam[f] && (l & WIRE_ADDPATH_SEND) && (r & WIRE_ADDPATH_RECEIVE);
		ctx->peer_gr_fam[f] = remote->caps.gr_fam[f];
		ctx->peer_gr_fwd[f] = remote->caps.gr_fwd[f];
	}
	ctx->peer_gr = remote->caps.gr;
	ctx->peer_gr_restarting = remote->caps.gr_restarting;
	ctx->peer_gr_notification = remote->caps.gr_notification;
	ctx->peer_gr_time = remote->caps.gr_time;
	return WIRE_OK;
}
