/* Framing, the small messages (KEEPALIVE, NOTIFICATION, ROUTE-REFRESH),
 * error bookkeeping and names. */
#include "speaker/wire_int.h"

#include <stdio.h>

static const char *const code_names[] = {
    [BGP_ERR_HEADER] = "Message Header Error",
    [BGP_ERR_OPEN] = "OPEN Message Error",
    [BGP_ERR_UPDATE] = "UPDATE Message Error",
    [BGP_ERR_HOLD_TIMER] = "Hold Timer Expired",
    [BGP_ERR_FSM] = "Finite State Machine Error",
    [BGP_ERR_CEASE] = "Cease",
    [BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
};

static const char *const header_names[] = {
    [WIRE_HDR_NOT_SYNCHRONIZED] = "Connection Not Synchronized",
    [WIRE_HDR_BAD_LENGTH] = "Bad Message Length",
    [WIRE_HDR_BAD_TYPE] = "Bad Message Type",
};

static const char *const open_names[] = {
    [WIRE_OPEN_UNSPECIFIC] = "Unspecific",
    [WIRE_OPEN_UNSUPPORTED_VERSION] = "Unsupported Version Number",
    [WIRE_OPEN_BAD_PEER_AS] = "Bad Peer AS",
    [WIRE_OPEN_BAD_BGP_ID] = "Bad BGP Identifier",
    [WIRE_OPEN_UNSUPPORTED_OPT_PARAM] = "Unsupported Optional Parameter",
    [WIRE_OPEN_UNACCEPTABLE_HOLD_TIME] = "Unacceptable Hold Time",
    [WIRE_OPEN_UNSUPPORTED_CAPABILITY] = "Unsupported Capability",
};

static const char *const update_names[] = {
    [WIRE_UPD_MALFORMED_ATTR_LIST] = "Malformed Attribute List",
    [WIRE_UPD_UNRECOGNIZED_WELL_KNOWN] = "Unrecognized Well-known Attribute",
    [WIRE_UPD_MISSING_WELL_KNOWN] = "Missing Well-known Attribute",
    [WIRE_UPD_ATTR_FLAGS] = "Attribute Flags Error",
    [WIRE_UPD_ATTR_LENGTH] = "Attribute Length Error",
    [WIRE_UPD_INVALID_ORIGIN] = "Invalid ORIGIN Attribute",
    [WIRE_UPD_INVALID_NEXT_HOP] = "Invalid NEXT_HOP Attribute",
    [WIRE_UPD_OPTIONAL_ATTR] = "Optional Attribute Error",
    [WIRE_UPD_INVALID_NETWORK] = "Invalid Network Field",
    [WIRE_UPD_MALFORMED_AS_PATH] = "Malformed AS_PATH",
};

static const char *const cease_names[] = {
    [WIRE_CEASE_MAX_PREFIXES] = "Maximum Number of Prefixes Reached",
    [WIRE_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
    [WIRE_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
    [WIRE_CEASE_ADMIN_RESET] = "Administrative Reset",
    [WIRE_CEASE_CONNECTION_REJECTED] = "Connection Rejected",
    [WIRE_CEASE_OTHER_CONFIG_CHANGE] = "Other Configuration Change",
    [WIRE_CEASE_COLLISION] = "Connection Collision Resolution",
    [WIRE_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
    [WIRE_CEASE_HARD_RESET] = "Hard Reset",
};

#define NAME_AT(table, i)                                                                          \
	((size_t)(i) < sizeof(table) / sizeof((table)[0]) && (table)[i] ? (table)[i] : NULL)

const char *wire_code_name(uint8_t code)
{
	const char *n = NAME_AT(code_names, code);

	return n ? n : "Unknown Error Code";
}

const char *wire_subcode_name(uint8_t code, uint8_t subcode)
{
	const char *n = NULL;

	switch (code) {
	case BGP_ERR_HEADER:
		n = NAME_AT(header_names, subcode);
		break;
	case BGP_ERR_OPEN:
		n = NAME_AT(open_names, subcode);
		break;
	case BGP_ERR_UPDATE:
		n = NAME_AT(update_names, subcode);
		break;
	case BGP_ERR_CEASE:
		n = NAME_AT(cease_names, subcode);
		break;
	case BGP_ERR_ROUTE_REFRESH:
		n = subcode == WIRE_RR_INVALID_LENGTH ? "Invalid Message Length" : NULL;
		break;
	default:
		break;
	}
	if (n)
		return n;
	return subcode == 0 ? "Unspecific" : "Unknown Subcode";
}

const char *wire_status_name(int status)
{
	switch (status) {
	case WIRE_OK:
		return "ok";
	case WIRE_ATTR_DISCARD:
		return "attribute-discard";
	case WIRE_TREAT_AS_WITHDRAW:
		return "treat-as-withdraw";
	case WIRE_NOTIFY:
		return "notify";
	default:
		return "unknown";
	}
}

static void fill(struct wire_err *we, uint8_t code, uint8_t subcode, const uint8_t *data,
		 size_t data_len, const char *fmt, va_list ap)
{
	we->code = code;
	we->subcode = subcode;
	if (data_len > WIRE_ERR_DATA_MAX)
		data_len = WIRE_ERR_DATA_MAX;
	if (data && data_len)
		memcpy(we->data, data, data_len);
	we->data_len = (uint16_t)(data ? data_len : 0);
	vsnprintf(we->e.msg, sizeof(we->e.msg), fmt, ap);
}

int wire_fail(struct wire_err *we, int status, uint8_t code, uint8_t subcode, const uint8_t *data,
	      size_t data_len, const char *fmt, ...)
{
	va_list ap;

	if (!we)
		return status;
	va_start(ap, fmt);
	fill(we, code, subcode, data, data_len, fmt, ap);
	va_end(ap);
	return status;
}

void wire_note(struct wire_err *we, int *cur, int status, uint8_t code, uint8_t subcode,
	       const uint8_t *data, size_t data_len, const char *fmt, ...)
{
	va_list ap;

	if (wire_severity(status) <= wire_severity(*cur))
		return;
	*cur = status;
	if (!we)
		return;
	va_start(ap, fmt);
	fill(we, code, subcode, data, data_len, fmt, ap);
	va_end(ap);
}

void wire_ctx_init(struct wire_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->fam[BGP_FAM_IPV4] = true;
}

size_t wire_max_msg(const struct wire_ctx *ctx)
{
	return ctx && ctx->ext_msg ? BGP_EXT_MAX_MSG_LEN : BGP_MAX_MSG_LEN;
}

/* Smallest legal length per message type (RFC 4271 §4, RFC 2918). */
static size_t min_len(uint8_t type)
{
	switch (type) {
	case BGP_MSG_OPEN:
		return 29;
	case BGP_MSG_UPDATE:
		return 23;
	case BGP_MSG_NOTIFICATION:
		return 21;
	case BGP_MSG_KEEPALIVE:
		return 19;
	case BGP_MSG_ROUTE_REFRESH:
		return 23;
	default:
		return 0;
	}
}

int wire_header(const struct wire_ctx *ctx, const uint8_t *buf, size_t avail, uint8_t *type,
		size_t *msg_len, struct wire_err *we)
{
	size_t len, max;
	uint8_t t;

	if (avail < BGP_HEADER_LEN)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, NULL, 0,
				 "message header: %zu octets, need %d", avail, BGP_HEADER_LEN);
	for (int i = 0; i < 16; i++)
		if (buf[i] != 0xff)
			return wire_fail(
			    we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_NOT_SYNCHRONIZED, NULL, 0,
			    "message header: marker octet %d is 0x%02x, not 0xff", i, buf[i]);
	len = get16(buf + 16);
	t = buf[18];
	/* RFC 4271 §6.1 order: the length bounds, then the type, then the
	 * length the type requires. */
	if (len < BGP_HEADER_LEN || len > wire_max_msg(ctx))
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, buf + 16, 2,
				 "message header: length %zu is outside %d..%zu", len,
				 BGP_HEADER_LEN, wire_max_msg(ctx));
	if (!min_len(t))
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_TYPE, buf + 18, 1,
				 "message header: type %u is not a BGP message type", t);
	/* RFC 8654: OPEN and KEEPALIVE stay within 4096 octets. */
	max = (t == BGP_MSG_OPEN || t == BGP_MSG_KEEPALIVE) ? BGP_MAX_MSG_LEN : wire_max_msg(ctx);
	if (len < min_len(t) || len > max || (t == BGP_MSG_KEEPALIVE && len != BGP_HEADER_LEN))
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, buf + 16, 2,
				 "message header: length %zu is invalid for message type %u "
				 "(allowed %zu..%zu)",
				 len, t, min_len(t), t == BGP_MSG_KEEPALIVE ? (size_t)19 : max);
	*type = t;
	*msg_len = len;
	return WIRE_OK;
}

void wire_put_header(uint8_t *buf, uint8_t type, size_t msg_len)
{
	memset(buf, 0xff, 16);
	put16(buf + 16, (uint16_t)msg_len);
	buf[18] = type;
}

/* Checks the header of a complete message of expected type. */
static int whole(const struct wire_ctx *ctx, const uint8_t *msg, size_t len, uint8_t want,
		 struct wire_err *we)
{
	uint8_t type;
	size_t mlen;
	int rc = wire_header(ctx, msg, len, &type, &mlen, we);

	if (rc != WIRE_OK)
		return rc;
	if (type != want)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_TYPE, msg + 18, 1,
				 "message type %u where %u was expected", type, want);
	if (mlen != len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, msg + 16, 2,
				 "message header: length field %zu but %zu octets given", mlen,
				 len);
	return WIRE_OK;
}

int wire_decode_keepalive(const uint8_t *msg, size_t len, struct wire_err *we)
{
	return whole(NULL, msg, len, BGP_MSG_KEEPALIVE, we);
}

int wire_encode_keepalive(uint8_t *buf, size_t cap)
{
	if (cap < BGP_HEADER_LEN)
		return -ENOSPC;
	wire_put_header(buf, BGP_MSG_KEEPALIVE, BGP_HEADER_LEN);
	return BGP_HEADER_LEN;
}

int wire_decode_notification(const uint8_t *msg, size_t len, struct bgp_notification *n,
			     struct wire_err *we)
{
	/* A NOTIFICATION may be as long as the session allows; accept the
	 * extended size so that a peer's long message is still read. */
	struct wire_ctx ext = {.ext_msg = true};
	int rc = whole(&ext, msg, len, BGP_MSG_NOTIFICATION, we);

	if (rc != WIRE_OK)
		return rc;
	memset(n, 0, sizeof(*n));
	n->code = msg[19];
	n->subcode = msg[20];
	n->data_len = (uint16_t)(len - 21);
	n->data = msg + 21;
	/* RFC 9003: a length octet and that many UTF-8 octets. */
	if (n->code == BGP_ERR_CEASE &&
	    (n->subcode == WIRE_CEASE_ADMIN_SHUTDOWN || n->subcode == WIRE_CEASE_ADMIN_RESET) &&
	    n->data_len >= 1 && msg[21] > 0 && (size_t)msg[21] + 1 <= n->data_len) {
		n->shutdown_msg = msg + 22;
		n->shutdown_msg_len = msg[21];
	}
	return WIRE_OK;
}

int wire_encode_notification(uint8_t code, uint8_t subcode, const uint8_t *data, size_t data_len,
			     uint8_t *buf, size_t cap)
{
	size_t len;

	if (data_len > WIRE_ERR_DATA_MAX)
		data_len = WIRE_ERR_DATA_MAX;
	len = 21 + data_len;
	if (cap < len)
		return -ENOSPC;
	wire_put_header(buf, BGP_MSG_NOTIFICATION, len);
	buf[19] = code;
	buf[20] = subcode;
	if (data_len)
		memcpy(buf + 21, data, data_len);
	return (int)len;
}

int wire_encode_err(const struct wire_err *we, uint8_t *buf, size_t cap)
{
	return wire_encode_notification(we->code, we->subcode, we->data, we->data_len, buf, cap);
}

int wire_decode_route_refresh(const struct wire_ctx *ctx, const uint8_t *msg, size_t len,
			      struct bgp_route_refresh *rr, struct wire_err *we)
{
	uint8_t type;
	size_t mlen;
	int rc = wire_header(ctx, msg, len, &type, &mlen, we);

	if (rc != WIRE_OK)
		return rc;
	if (type != BGP_MSG_ROUTE_REFRESH)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_TYPE, msg + 18, 1,
				 "message type %u where ROUTE-REFRESH was expected", type);
	if (mlen != len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, msg + 16, 2,
				 "message header: length field %zu but %zu octets given", mlen,
				 len);
	if (len != 23) {
		/* RFC 7313 §5: BoRR/EoRR of the wrong length get their own error
		 * carrying the whole message; anything else is a header error. */
		if (ctx && ctx->enhanced_rr && (msg[21] == WIRE_RR_BORR || msg[21] == WIRE_RR_EORR))
			return wire_fail(we, WIRE_NOTIFY, BGP_ERR_ROUTE_REFRESH,
					 WIRE_RR_INVALID_LENGTH, msg, len,
					 "ROUTE-REFRESH: length %zu, must be 23", len);
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_HEADER, WIRE_HDR_BAD_LENGTH, msg + 16, 2,
				 "ROUTE-REFRESH: length %zu, must be 23", len);
	}
	memset(rr, 0, sizeof(*rr));
	rr->afi = get16(msg + 19);
	rr->subtype = msg[21];
	rr->safi = msg[22];
	int fam = wire_afi_family(rr->afi, rr->safi);
	rr->known = fam >= 0 && rr->subtype <= WIRE_RR_EORR;
	rr->family = (uint8_t)(fam >= 0 ? fam : 0);
	return WIRE_OK;
}

int wire_encode_route_refresh(enum bgp_family fam, enum wire_rr_subtype subtype, uint8_t *buf,
			      size_t cap)
{
	if (cap < 23)
		return -ENOSPC;
	wire_put_header(buf, BGP_MSG_ROUTE_REFRESH, 23);
	put16(buf + 19, wire_family_afi(fam));
	buf[21] = (uint8_t)subtype;
	buf[22] = BGP_SAFI_UNICAST;
	return 23;
}

/* 64-bit multiply-xorshift hash over 8-octet words: a few cycles per word,
 * good enough dispersion for hash tables of attribute sets. */
static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= UINT64_C(0xd6e8feb86659fd93);
	h ^= h >> 32;
	h *= UINT64_C(0xd6e8feb86659fd93);
	h ^= h >> 32;
	return h;
}

uint64_t wire_hash(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (len + 1));
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = mix(h ^ w) + UINT64_C(0x9e3779b97f4a7c15);
		p += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, p, len);
	return mix(h ^ w ^ ((uint64_t)len << 59));
}
