/* The BGP-4 wire codec: pure functions over byte buffers, no I/O, no
 * allocation. It decodes and encodes OPEN (RFC 5492 capabilities), UPDATE,
 * NOTIFICATION, KEEPALIVE and ROUTE-REFRESH messages, applies the error
 * rules of RFC 4271 §6 as revised by RFC 7606, and computes the session
 * parameters two OPENs negotiate.
 *
 * Aliasing (who owns which bytes):
 *   - struct wire_nlri .data, struct bgp_notification .data and .shutdown_msg,
 *     struct bgp_cap_raw .data of a decoded OPEN point INTO THE INPUT MESSAGE:
 *     valid only while the caller keeps that buffer unchanged.
 *   - struct bgp_path_attrs pointers of a decoded UPDATE point into the
 *     update's own canon[] buffer: valid as long as the struct bgp_update.
 *   - Encoders read their inputs and write only into the caller's buffer.
 *
 * Speed: decoding an UPDATE validates every prefix once and records the
 * NLRI as ranges of the input (struct wire_nlri); callers walk them with
 * wire_nlri_next() into a struct bgp_prefix on the stack, so there is no
 * allocation or copy per prefix. The attribute set is re-encoded once per
 * message into a canonical byte form with a 64-bit hash, so that the RIB
 * can intern identical sets by hash + memcmp without parsing them again. */
#ifndef CALICO_WIRE_H
#define CALICO_WIRE_H

#include "lib/err.h"
#include "speaker/bgp.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- results ------------------------------------------------------------ */

/* What a decoder returns. The non-negative values mean the message can be
 * used; WIRE_NOTIFY means the session must be reset with the NOTIFICATION
 * described in the struct wire_err. */
enum wire_status {
	WIRE_OK = 0,
	/* RFC 7606 "attribute discard": one or more malformed attributes were
	 * dropped from the set; the message is otherwise fine. */
	WIRE_ATTR_DISCARD = 1,
	/* RFC 7606 "treat-as-withdraw": every prefix the message announces
	 * (classic NLRI and MP_REACH_NLRI) must be handled as withdrawn;
	 * withdrawals in the message still apply. */
	WIRE_TREAT_AS_WITHDRAW = 2,
	/* Session reset: send NOTIFICATION(code, subcode, data) and close. */
	WIRE_NOTIFY = -EBADMSG,
};

/* Longest NOTIFICATION data we produce: what fits a 4096-octet message. */
#define WIRE_ERR_DATA_MAX (BGP_MAX_MSG_LEN - BGP_HEADER_LEN - 2)

/* The error a decoder found. For WIRE_NOTIFY it is the NOTIFICATION to send;
 * for WIRE_ATTR_DISCARD and WIRE_TREAT_AS_WITHDRAW it describes the most
 * severe problem (the code/subcode RFC 4271 alone would have sent) so that
 * the session can log it. e.msg names the field, the value and the reason. */
struct wire_err {
	uint8_t code;	 /* enum bgp_err_code */
	uint8_t subcode; /* enum wire_subcode_* below */
	uint16_t data_len;
	uint8_t data[WIRE_ERR_DATA_MAX];
	struct err e;
};

/* Resets we to "no error" without touching the 8 KB data area (a memset
 * of it for every message received cost 5% of an ingest). */
static inline void wire_err_init(struct wire_err *we)
{
	we->code = we->subcode = 0;
	we->data_len = 0;
	we->e.msg[0] = '\0';
}

/* Error subcodes (RFC 4271 §4.5, RFC 5492, RFC 7313). */
enum wire_subcode_header {
	WIRE_HDR_NOT_SYNCHRONIZED = 1,
	WIRE_HDR_BAD_LENGTH = 2,
	WIRE_HDR_BAD_TYPE = 3,
};
enum wire_subcode_open {
	WIRE_OPEN_UNSPECIFIC = 0,
	WIRE_OPEN_UNSUPPORTED_VERSION = 1,
	WIRE_OPEN_BAD_PEER_AS = 2,
	WIRE_OPEN_BAD_BGP_ID = 3,
	WIRE_OPEN_UNSUPPORTED_OPT_PARAM = 4,
	WIRE_OPEN_UNACCEPTABLE_HOLD_TIME = 6,
	WIRE_OPEN_UNSUPPORTED_CAPABILITY = 7,
};
enum wire_subcode_update {
	WIRE_UPD_MALFORMED_ATTR_LIST = 1,
	WIRE_UPD_UNRECOGNIZED_WELL_KNOWN = 2,
	WIRE_UPD_MISSING_WELL_KNOWN = 3,
	WIRE_UPD_ATTR_FLAGS = 4,
	WIRE_UPD_ATTR_LENGTH = 5,
	WIRE_UPD_INVALID_ORIGIN = 6,
	WIRE_UPD_INVALID_NEXT_HOP = 8,
	WIRE_UPD_OPTIONAL_ATTR = 9,
	WIRE_UPD_INVALID_NETWORK = 10,
	WIRE_UPD_MALFORMED_AS_PATH = 11,
};
enum wire_subcode_rr {
	WIRE_RR_INVALID_LENGTH = 1, /* RFC 7313 */
};
enum wire_subcode_cease {
	WIRE_CEASE_MAX_PREFIXES = 1,
	WIRE_CEASE_ADMIN_SHUTDOWN = 2,
	WIRE_CEASE_PEER_DECONFIGURED = 3,
	WIRE_CEASE_ADMIN_RESET = 4,
	WIRE_CEASE_CONNECTION_REJECTED = 5,
	WIRE_CEASE_OTHER_CONFIG_CHANGE = 6,
	WIRE_CEASE_COLLISION = 7,
	WIRE_CEASE_OUT_OF_RESOURCES = 8,
	WIRE_CEASE_HARD_RESET = 9, /* RFC 8538 */
};

/* "UPDATE Message Error / Malformed AS_PATH" style text for logs. Never NULL. */
const char *wire_code_name(uint8_t code);
const char *wire_subcode_name(uint8_t code, uint8_t subcode);
/* "ok", "attribute-discard", "treat-as-withdraw", "notify". */
const char *wire_status_name(int status);

/* ---- negotiated session parameters -------------------------------------- */

/* ADD-PATH Send/Receive field values (RFC 7911 §4). */
#define WIRE_ADDPATH_RECEIVE 1
#define WIRE_ADDPATH_SEND 2

/* What decoding and encoding depend on, computed by wire_negotiate() from
 * the two OPENs. Before the OPEN exchange use wire_ctx_init(). */
struct wire_ctx {
	bool as4;			 /* both sides 4-octet AS (RFC 6793) */
	bool ext_msg;			 /* both sides RFC 8654: 65535-octet messages */
	bool fam[BGP_FAM_COUNT];	 /* unicast families both sides enabled */
	bool add_path_rx[BGP_FAM_COUNT]; /* the peer sends us path identifiers */
	bool add_path_tx[BGP_FAM_COUNT]; /* we send path identifiers to the peer */
	bool route_refresh;		 /* peer can take ROUTE-REFRESH (RFC 2918) */
	bool enhanced_rr;		 /* both sides RFC 7313 */
	uint16_t hold_time;		 /* negotiated, seconds; 0 = no keepalives */
	uint16_t keepalive;		 /* hold_time / 3 */
	uint32_t local_as, peer_as;	 /* effective (4-octet) AS numbers */
	uint32_t local_id, peer_id;	 /* BGP identifiers, host order */
	bool ebgp;			 /* local_as != peer_as: enables eBGP checks */
	/* The peer's graceful restart capability (RFC 4724). */
	bool peer_gr;
	bool peer_gr_restarting;	 /* R bit: the peer has just restarted */
	bool peer_gr_notification;	 /* N bit (RFC 8538) */
	uint16_t peer_gr_time;		 /* restart time, seconds */
	bool peer_gr_fam[BGP_FAM_COUNT]; /* family listed in the capability */
	bool peer_gr_fwd[BGP_FAM_COUNT]; /* F bit: forwarding state preserved */
};

/* Pre-OPEN defaults: 2-octet AS, IPv4 unicast only, 4096-octet messages. */
void wire_ctx_init(struct wire_ctx *ctx);

/* Largest message allowed on the session (4096 or 65535). */
size_t wire_max_msg(const struct wire_ctx *ctx);

/* ---- framing ------------------------------------------------------------ */

/* Checks the 19-octet header at buf (avail >= BGP_HEADER_LEN) against RFC
 * 4271 §6.1: marker, length (per type and wire_max_msg(ctx); ctx may be NULL
 * before the OPEN exchange) and type. On success stores the type and the
 * whole message length and returns WIRE_OK; otherwise WIRE_NOTIFY. */
int wire_header(const struct wire_ctx *ctx, const uint8_t *buf, size_t avail, uint8_t *type,
		size_t *msg_len, struct wire_err *we);

/* Writes the 19-octet header for a message of msg_len octets. */
void wire_put_header(uint8_t *buf, uint8_t type, size_t msg_len);

/* ---- OPEN --------------------------------------------------------------- */

/* A capability kept as received (unknown codes), or added raw when encoding. */
struct bgp_cap_raw {
	uint8_t code;
	uint8_t len;
	const uint8_t *data; /* decode: aliases the input message */
};

#define WIRE_MAX_RAW_CAPS 16

struct bgp_caps {
	bool mp_seen;		/* any MP capability; without it IPv4 unicast is implied */
	bool mp[BGP_FAM_COUNT]; /* IPv4 / IPv6 unicast (RFC 4760) */
	bool route_refresh;	/* RFC 2918 (or the old Cisco code 128) */
	bool enhanced_rr;	/* RFC 7313 */
	bool ext_msg;		/* RFC 8654 */
	bool as4;		/* RFC 6793 */
	uint32_t as4_number;
	bool gr;	      /* RFC 4724 */
	bool gr_restarting;   /* R bit */
	bool gr_notification; /* N bit (RFC 8538) */
	uint16_t gr_time;     /* 12 bits, seconds */
	bool gr_fam[BGP_FAM_COUNT];
	bool gr_fwd[BGP_FAM_COUNT];	 /* F bit per family */
	uint8_t add_path[BGP_FAM_COUNT]; /* WIRE_ADDPATH_* bits (RFC 7911) */
	/* Capabilities this codec does not interpret (decode), or extra ones
	 * to send verbatim (encode). Beyond WIRE_MAX_RAW_CAPS, unknown ones are
	 * dropped on decode. */
	unsigned n_raw;
	struct bgp_cap_raw raw[WIRE_MAX_RAW_CAPS];
};

struct bgp_open {
	uint8_t version;    /* 4 */
	uint16_t my_as;	    /* the 2-octet field; AS_TRANS when the AS needs 4 octets */
	uint16_t hold_time; /* seconds: 0 or >= 3 */
	uint32_t bgp_id;    /* host order */
	bool ext_params;    /* decode: RFC 9072 extended optional parameters were used */
	struct bgp_caps caps;
};

/* Fills an OPEN for local AS as (any width): version 4, my_as/AS_TRANS,
 * the 4-octet AS capability, route refresh and enhanced route refresh, MP
 * IPv4 unicast; callers add the rest to o->caps. */
void wire_open_init(struct bgp_open *o, uint32_t as, uint16_t hold_time, uint32_t bgp_id);

/* The speaker's AS: the 4-octet capability's number if present, else my_as. */
uint32_t wire_open_as(const struct bgp_open *o);

/* Decodes a whole OPEN message (header included). Checks RFC 4271 §6.2
 * errors that depend only on the message: version (data = 0x0004),
 * zero/AS 0 peer AS (RFC 7607), zero BGP identifier, optional parameter
 * types (only Capabilities), hold time 1 or 2, malformed parameters and
 * capabilities (subcode 0). Returns WIRE_OK or WIRE_NOTIFY. */
int wire_decode_open(const uint8_t *msg, size_t len, struct bgp_open *o, struct wire_err *we);

/* Encodes o into buf (cap octets); uses RFC 9072 extended parameters only
 * when the capabilities exceed 255 octets. Stores the length in *len.
 * Returns 0 or -ENOSPC/-EINVAL with e filled. */
int wire_encode_open(const struct bgp_open *o, uint8_t *buf, size_t cap, size_t *len,
		     struct err *e);

/* Computes the session parameters from our OPEN and the peer's:
 * capability intersection (families, ADD-PATH directions, 4-octet AS,
 * extended messages, enhanced route refresh), hold time = min of both (0,
 * or >= 3 else Unacceptable Hold Time), peer AS against expected_peer_as
 * (0 = any; else Bad Peer AS), the peer's BGP identifier (Bad BGP Identifier
 * when it equals ours on an iBGP session), and at least one common family
 * (else Unsupported Capability with our MP capabilities as data).
 * Returns WIRE_OK or WIRE_NOTIFY. */
int wire_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
		   uint32_t expected_peer_as, struct wire_ctx *ctx, struct wire_err *we);

/* ---- path attributes ---------------------------------------------------- */

#define WIRE_ATTR_BIT(code) (UINT64_C(1) << (code))

/* AS_PATH segment types. */
enum wire_aspath_seg {
	WIRE_AS_SET = 1,
	WIRE_AS_SEQUENCE = 2,
	WIRE_AS_CONFED_SEQUENCE = 3,
	WIRE_AS_CONFED_SET = 4,
};

/* A decoded attribute set. Fields are meaningful when their bit is set in
 * present (WIRE_ATTR_BIT(BGP_ATTR_x)). Variable-length values are kept in
 * wire byte order:
 *   as_path: segments (type, count, count * 4-octet AS), always 4-octet
 *            form, after the RFC 6793 AS4_PATH merge on 2-octet sessions;
 *   communities: 4 octets each; large_communities: 12 octets each;
 *   cluster_list: 4 octets each;
 *   unknown: the optional transitive attributes this codec does not know,
 *            as complete TLVs (flags, type, length, value) in ascending type
 *            order, flags as received.
 * AS4_PATH and AS4_AGGREGATOR never appear here (merged on receive,
 * generated on send). next_hop is the classic NEXT_HOP attribute; MP next
 * hops travel with their NLRI (struct bgp_reach). */
struct bgp_path_attrs {
	uint64_t present;
	uint8_t origin; /* enum bgp_origin */
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint32_t aggregator_id; /* host order */
	uint32_t originator_id; /* host order */
	uint8_t next_hop[4];
	const uint8_t *as_path;
	const uint8_t *communities;
	const uint8_t *large_communities;
	const uint8_t *cluster_list;
	const uint8_t *unknown;
	uint32_t as_path_len;
	uint32_t communities_len;
	uint32_t large_communities_len;
	uint32_t cluster_list_len;
	uint32_t unknown_len;
};

/* Canonical form of an attribute set: the attributes of a, except
 * NEXT_HOP and empty COMMUNITIES/LARGE_COMMUNITY/CLUSTER_LIST (which the
 * encoder does not send either), each as a TLV with canonical flags
 * (Extended Length only when the value exceeds 255 octets), known types in
 * ascending order followed by a->unknown. Identical sets give identical
 * bytes. Returns the length, or -ENOSPC if cap is too small. */
int wire_attrs_canon(const struct bgp_path_attrs *a, uint8_t *buf, size_t cap);

/* Rebuilds the view of a canonical set (e.g. one the RIB interned); the
 * pointers in a alias buf. Returns 0 or -EINVAL for bytes that are not a
 * canonical set. */
int wire_attrs_from_canon(const uint8_t *buf, size_t len, struct bgp_path_attrs *a);

/* Fast 64-bit hash (for interning canonical attribute sets). */
uint64_t wire_hash(const void *data, size_t len, uint64_t seed);

/* AS_PATH helpers over the 4-octet segment form above. */
/* Path length for the decision process: AS_SET counts 1, confed segments 0. */
unsigned wire_aspath_length(const uint8_t *path, size_t len);
/* First AS of a leading AS_SEQUENCE (the neighbour AS), or 0. */
uint32_t wire_aspath_first_as(const uint8_t *path, size_t len);
/* Last AS of the last AS_SEQUENCE (the originating AS), or 0. */
uint32_t wire_aspath_origin_as(const uint8_t *path, size_t len);
/* Whether as appears anywhere in the path (loop detection). */
bool wire_aspath_contains(const uint8_t *path, size_t len, uint32_t as);
/* Writes path with as prepended count times (merged into a leading
 * AS_SEQUENCE while it has room for 255 ASes). Returns the new length or
 * -ENOSPC. */
int wire_aspath_prepend(const uint8_t *path, size_t len, uint32_t as, unsigned count, uint8_t *out,
			size_t cap);

/* ---- UPDATE ------------------------------------------------------------- */

/* A validated run of NLRI of one family inside the input message. */
struct wire_nlri {
	const uint8_t *data; /* aliases the input message */
	uint32_t len;	     /* octets */
	uint32_t count;	     /* prefixes */
	uint8_t family;	     /* enum bgp_family */
	bool add_path;	     /* each prefix carries a 4-octet path identifier */
};

struct wire_nlri_iter {
	const uint8_t *p, *end;
	uint8_t family;
	bool add_path;
};

void wire_nlri_iter_init(struct wire_nlri_iter *it, const struct wire_nlri *n);
/* Stores the next prefix (host bits cleared) and returns true, or false at
 * the end. Only for ranges a decoder validated. */
bool wire_nlri_next(struct wire_nlri_iter *it, struct bgp_prefix *p);

/* A next hop: family is the address family of addr (IPv4 next hops are in
 * addr[0..4)); ll is the optional IPv6 link-local next hop. */
struct bgp_nexthop {
	uint8_t family; /* enum bgp_family */
	bool has_ll;
	uint8_t addr[16];
	uint8_t ll[16];
};

/* Announced prefixes with their next hop: classic NLRI with NEXT_HOP, or
 * the NLRI of MP_REACH_NLRI with the next hop from that attribute. */
struct bgp_reach {
	struct wire_nlri nlri;
	struct bgp_nexthop nh;
};

/* Canonical attribute sets grow on 2-octet sessions (AS_PATH widened), so
 * the buffer is sized for twice the largest message. */
#define WIRE_CANON_MAX (2 * BGP_EXT_MAX_MSG_LEN + 64)

/* A decoded UPDATE (about 130 KB because of canon[]: keep one per session
 * or per thread and reuse it; decoding does not need it zeroed).
 * withdrawn: classic withdrawn routes and MP_UNREACH_NLRI;
 * reach: classic NLRI and MP_REACH_NLRI. Only non-empty ranges are listed.
 * MP attributes for families not negotiated in the ctx are ignored. */
struct bgp_update {
	unsigned n_withdrawn, n_reach;
	struct wire_nlri withdrawn[2];
	struct bgp_reach reach[2];
	bool eor;	    /* End-of-RIB marker (RFC 4724) for eor_family */
	uint8_t eor_family; /* enum bgp_family */
	bool has_attrs;	    /* a path attribute set was present */
	struct bgp_path_attrs attrs;
	uint64_t attrs_hash; /* wire_hash(canon, canon_len, 0) */
	uint32_t canon_len;
	uint8_t canon[WIRE_CANON_MAX]; /* wire_attrs_canon(&attrs) */
};

/* Decodes a whole UPDATE message (header included) for the session ctx
 * (NULL: the wire_ctx_init() defaults).
 * Returns WIRE_OK, WIRE_ATTR_DISCARD, WIRE_TREAT_AS_WITHDRAW (u is filled
 * in all three cases) or WIRE_NOTIFY. Rules applied (RFC 4271 §6.3 as
 * revised by RFC 7606):
 *  - withdrawn/attribute lengths overrunning the message, attributes
 *    overrunning the attribute field, a duplicate MP_REACH/MP_UNREACH, bad
 *    NLRI (prefix length > 32/128, overrun) in any NLRI field, malformed
 *    MP_REACH/MP_UNREACH, unrecognized well-known attribute: WIRE_NOTIFY;
 *  - ATOMIC_AGGREGATE, AGGREGATOR, AS4_PATH, AS4_AGGREGATOR malformed, and
 *    LOCAL_PREF from an eBGP peer: attribute discard;
 *  - other known attributes malformed (flags, length, value, invalid
 *    ORIGIN, NEXT_HOP, AS_PATH incl. eBGP first-AS and confed checks), and
 *    ORIGIN/AS_PATH/NEXT_HOP missing while prefixes are announced:
 *    treat-as-withdraw;
 *  - repeated attributes other than MP_*: later copies discarded silently;
 *  - unknown optional non-transitive attributes dropped, unknown optional
 *    transitive ones kept in attrs.unknown;
 *  - NEXT_HOP is ignored (not checked, not in attrs) when the message has
 *    no classic NLRI (RFC 4760 §3); an all-zero MP link-local next hop
 *    counts as absent. */
int wire_decode_update(const struct wire_ctx *ctx, const uint8_t *msg, size_t len,
		       struct bgp_update *u, struct wire_err *we);

/* Incremental UPDATE builder: one message of one family, either announcing
 * prefixes with one attribute set or withdrawing prefixes. Add prefixes
 * until wire_ub_add() returns false (message full), then finish, send, and
 * start another with the remaining prefixes. Classic NLRI carries IPv4,
 * MP_REACH_NLRI/MP_UNREACH_NLRI (first attribute, RFC 7606 §5.1) carries
 * IPv6. ADD-PATH identifiers are written when ctx->add_path_tx[fam]. On
 * 2-octet sessions AS_PATH/AGGREGATOR are written with AS_TRANS and
 * AS4_PATH/AS4_AGGREGATOR added as RFC 6793 §4.2.2 requires. Unknown
 * transitive attributes are sent with the Partial bit set. The encoder
 * writes the attributes it is given: export rules (strip LOCAL_PREF for
 * eBGP, prepend our AS, next hop self) are the caller's. */
struct wire_ub {
	uint8_t *buf;
	size_t max;	 /* min(cap, wire_max_msg) */
	size_t pos;	 /* end of the NLRI written so far */
	size_t tail;	 /* start of attributes parked at the end of buf */
	size_t tail_len; /* their length */
	size_t mp_hdr;	 /* offset of the MP attribute header, 0 if none */
	size_t mp_start; /* offset where the MP attribute value starts */
	size_t count;	 /* prefixes added */
	uint8_t family;
	bool withdraw;
	bool add_path;
};

/* Starts an announcement of fam prefixes with attrs and next hop nh (the
 * NEXT_HOP attribute for IPv4; MP_REACH next hop, global plus optional
 * link-local, for IPv6). attrs->next_hop is ignored. buf must hold cap
 * octets; the message is at most min(cap, wire_max_msg(ctx)).
 * Returns 0, -ENOSPC (attributes do not fit) or -EINVAL, with e filled. */
int wire_ub_announce(struct wire_ub *ub, const struct wire_ctx *ctx, uint8_t *buf, size_t cap,
		     enum bgp_family fam, const struct bgp_path_attrs *attrs,
		     const struct bgp_nexthop *nh, struct err *e);
/* Starts a withdrawal of fam prefixes. */
int wire_ub_withdraw(struct wire_ub *ub, const struct wire_ctx *ctx, uint8_t *buf, size_t cap,
		     enum bgp_family fam, struct err *e);
/* Appends one prefix; false when it does not fit (nothing written). */
bool wire_ub_add(struct wire_ub *ub, const struct bgp_prefix *p);
/* Completes the message in buf and returns its length. */
size_t wire_ub_finish(struct wire_ub *ub);

/* Convenience over the builder: encodes one UPDATE announcing (attrs
 * non-NULL) or withdrawing (attrs NULL) as many of pfx[0..n) as fit;
 * *used = how many, *len = message length. Returns 0 or negative. */
int wire_encode_update(const struct wire_ctx *ctx, enum bgp_family fam,
		       const struct bgp_path_attrs *attrs, const struct bgp_nexthop *nh,
		       const struct bgp_prefix *pfx, size_t n, uint8_t *buf, size_t cap,
		       size_t *used, size_t *len, struct err *e);

/* End-of-RIB for fam: an empty UPDATE (IPv4) or one holding an empty
 * MP_UNREACH_NLRI (IPv6). Returns the length or -ENOSPC. */
int wire_encode_eor(enum bgp_family fam, uint8_t *buf, size_t cap);

/* ---- NOTIFICATION, KEEPALIVE, ROUTE-REFRESH ----------------------------- */

struct bgp_notification {
	uint8_t code, subcode;
	uint16_t data_len;
	const uint8_t *data; /* aliases the input message */
	/* Cease/Administrative Shutdown or Reset with an RFC 9003 message. */
	const uint8_t *shutdown_msg; /* aliases the input; not NUL-terminated */
	uint8_t shutdown_msg_len;
};

/* Decodes a NOTIFICATION. Returns WIRE_OK or WIRE_NOTIFY (header errors). */
int wire_decode_notification(const uint8_t *msg, size_t len, struct bgp_notification *n,
			     struct wire_err *we);
/* Encodes a NOTIFICATION; data longer than fits a 4096-octet message is
 * cut. Returns the length or -ENOSPC. */
int wire_encode_notification(uint8_t code, uint8_t subcode, const uint8_t *data, size_t data_len,
			     uint8_t *buf, size_t cap);
/* Encodes the NOTIFICATION a decoder asked for. */
int wire_encode_err(const struct wire_err *we, uint8_t *buf, size_t cap);

/* Checks a KEEPALIVE (exactly 19 octets). */
int wire_decode_keepalive(const uint8_t *msg, size_t len, struct wire_err *we);
/* Returns BGP_HEADER_LEN or -ENOSPC. */
int wire_encode_keepalive(uint8_t *buf, size_t cap);

/* ROUTE-REFRESH subtypes (RFC 7313). */
enum wire_rr_subtype {
	WIRE_RR_NORMAL = 0,
	WIRE_RR_BORR = 1, /* beginning of route refresh */
	WIRE_RR_EORR = 2, /* end of route refresh */
};

struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype; /* enum wire_rr_subtype; others must be ignored */
	uint8_t safi;
	bool known;	/* afi/safi is IPv4 or IPv6 unicast and subtype is known */
	uint8_t family; /* enum bgp_family when known */
};

/* Decodes a ROUTE-REFRESH. A length other than 23 is a header Bad Message
 * Length, or with enhanced route refresh negotiated (ctx may be NULL) the
 * RFC 7313 ROUTE-REFRESH Message Error / Invalid Message Length carrying
 * the whole message. Returns WIRE_OK or WIRE_NOTIFY. */
int wire_decode_route_refresh(const struct wire_ctx *ctx, const uint8_t *msg, size_t len,
			      struct bgp_route_refresh *rr, struct wire_err *we);
/* Returns 23 or -ENOSPC. */
int wire_encode_route_refresh(enum bgp_family fam, enum wire_rr_subtype subtype, uint8_t *buf,
			      size_t cap);

#endif
