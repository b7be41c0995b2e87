/* libFuzzer target for the BGP wire decoder. The first input octet picks
 * the session parameters (4-octet AS, eBGP, ADD-PATH per family, extended
 * messages, enhanced route refresh, IPv6); the rest is one message. Besides
 * "no crash, no leak, no undefined behaviour" it checks invariants:
 *   - a decoded UPDATE's canonical attribute bytes read back (from_canon)
 *     and re-encode to the same bytes;
 *   - NLRI ranges the decoder accepted iterate to exactly count prefixes;
 *   - what the encoder produces from a decoded UPDATE never makes the
 *     decoder reset the session;
 *   - every NOTIFY has an encodable NOTIFICATION.
 * Also built without libFuzzer (replay_wire.c) to run the corpus in every
 * build. */
#include "speaker/wire.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bgp_update u, u2;
static struct wire_err we;
static uint8_t out[BGP_EXT_MAX_MSG_LEN], canon[WIRE_CANON_MAX];
static struct bgp_prefix pfx[BGP_EXT_MAX_MSG_LEN];

#define INVARIANT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__,         \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void ctx_from(uint8_t f, struct wire_ctx *c)
{
	wire_ctx_init(c);
	c->as4 = f & 0x01;
	c->ebgp = f & 0x02;
	c->add_path_rx[BGP_FAM_IPV4] = c->add_path_tx[BGP_FAM_IPV4] = f & 0x04;
	c->add_path_rx[BGP_FAM_IPV6] = c->add_path_tx[BGP_FAM_IPV6] = f & 0x08;
	c->ext_msg = f & 0x10;
	c->enhanced_rr = f & 0x20;
	c->fam[BGP_FAM_IPV6] = !(f & 0x40);
	c->local_as = 65001;
	c->peer_as = c->ebgp ? 65002 : 65001;
}

static size_t walk(const struct wire_nlri *n, size_t room)
{
	struct wire_nlri_iter it;
	size_t k = 0;
	struct bgp_prefix p;

	wire_nlri_iter_init(&it, n);
	while (wire_nlri_next(&it, k < room ? &pfx[k] : &p)) {
		INVARIANT(n->family == BGP_FAM_IPV4 ? (k < room ? pfx[k].len : p.len) <= 32
						    : (k < room ? pfx[k].len : p.len) <= 128);
		k++;
	}
	INVARIANT(k == n->count);
	return k < room ? k : room;
}

/* Re-encodes the first reach range and decodes the result again. */
static void reencode(const struct wire_ctx *c)
{
	size_t n, used, len, off = 0;
	struct err e;

	if (!u.n_reach)
		return;
	struct bgp_reach r = u.reach[0];
	struct bgp_path_attrs a = u.attrs;
	n = walk(&r.nlri, sizeof(pfx) / sizeof(pfx[0]));
	if (!(a.present & WIRE_ATTR_BIT(BGP_ATTR_ORIGIN)) ||
	    !(a.present & WIRE_ATTR_BIT(BGP_ATTR_AS_PATH)))
		return;
	while (off < n) {
		if (wire_encode_update(c, r.nlri.family, &a, &r.nh, pfx + off, n - off, out,
				       sizeof(out), &used, &len, &e) < 0)
			return; /* attributes too big for one message */
		int rc = wire_decode_update(c, out, len, &u2, &we);
		INVARIANT(rc != WIRE_NOTIFY);
		INVARIANT(u2.n_reach == 1 && u2.reach[0].nlri.count == used);
		off += used;
	}
	/* Withdrawals of the same prefixes. */
	if (wire_encode_update(c, r.nlri.family, NULL, NULL, pfx, n, out, sizeof(out), &used, &len,
			       &e) == 0)
		INVARIANT(wire_decode_update(c, out, len, &u2, &we) == WIRE_OK);
}

static void update(const struct wire_ctx *c, const uint8_t *m, size_t len)
{
	struct bgp_path_attrs v;
	int rc = wire_decode_update(c, m, len, &u, &we);

	if (rc == WIRE_NOTIFY)
		return;
	INVARIANT(u.n_reach <= 2 && u.n_withdrawn <= 2);
	for (unsigned i = 0; i < u.n_withdrawn; i++)
		walk(&u.withdrawn[i], 0);
	for (unsigned i = 0; i < u.n_reach; i++)
		walk(&u.reach[i].nlri, 0);
	INVARIANT(wire_attrs_from_canon(u.canon, u.canon_len, &v) == 0);
	int n = wire_attrs_canon(&v, canon, sizeof(canon));
	INVARIANT(n >= 0 && (size_t)n == u.canon_len && memcmp(canon, u.canon, u.canon_len) == 0);
	INVARIANT(wire_hash(u.canon, u.canon_len, 0) == u.attrs_hash);
	if (u.attrs.present & WIRE_ATTR_BIT(BGP_ATTR_AS_PATH)) {
		(void)wire_aspath_length(u.attrs.as_path, u.attrs.as_path_len);
		(void)wire_aspath_origin_as(u.attrs.as_path, u.attrs.as_path_len);
		int p = wire_aspath_prepend(u.attrs.as_path, u.attrs.as_path_len, 65001, 3, canon,
					    sizeof(canon));
		INVARIANT(p >= 0 && wire_aspath_first_as(canon, (size_t)p) == 65001);
	}
	if (rc == WIRE_OK)
		reencode(c);
}

static void open_msg(const uint8_t *m, size_t len)
{
	struct bgp_open o, local, again;
	struct wire_ctx c;
	size_t n;
	struct err e;

	if (wire_decode_open(m, len, &o, &we) != WIRE_OK)
		return;
	wire_open_init(&local, 65001, 90, 0x0a000001);
	local.caps.mp[BGP_FAM_IPV6] = true;
	local.caps.add_path[BGP_FAM_IPV4] = WIRE_ADDPATH_RECEIVE | WIRE_ADDPATH_SEND;
	(void)wire_negotiate(&local, &o, 0, &c, &we);
	/* What we decoded encodes and decodes to the same capabilities. */
	if (wire_encode_open(&o, out, sizeof(out), &n, &e) == 0) {
		INVARIANT(wire_decode_open(out, n, &again, &we) == WIRE_OK);
		INVARIANT(wire_open_as(&again) == wire_open_as(&o));
		INVARIANT(memcmp(again.caps.add_path, o.caps.add_path, sizeof(o.caps.add_path)) ==
			  0);
		INVARIANT(again.caps.gr_time == o.caps.gr_time && again.caps.n_raw == o.caps.n_raw);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_ctx c;
	uint8_t type;
	size_t len;

	if (size < 1)
		return 0;
	ctx_from(data[0], &c);
	data++;
	size--;
	if (size < BGP_HEADER_LEN)
		return 0;
	int rc = wire_header(&c, data, size, &type, &len, &we);
	if (rc == WIRE_OK && len <= size) {
		struct bgp_notification n;
		struct bgp_route_refresh rr;
		switch (type) {
		case BGP_MSG_OPEN:
			open_msg(data, len);
			break;
		case BGP_MSG_UPDATE:
			update(&c, data, len);
			break;
		case BGP_MSG_NOTIFICATION:
			rc = wire_decode_notification(data, len, &n, &we);
			INVARIANT(rc != WIRE_OK || (size_t)n.data_len + 21 == len);
			break;
		case BGP_MSG_KEEPALIVE:
			INVARIANT(wire_decode_keepalive(data, len, &we) == WIRE_OK);
			break;
		case BGP_MSG_ROUTE_REFRESH:
			(void)wire_decode_route_refresh(&c, data, len, &rr, &we);
			break;
		}
	}
	if (rc == WIRE_NOTIFY) {
		int n = wire_encode_err(&we, out, sizeof(out));
		INVARIANT(n >= 21 && n <= BGP_MAX_MSG_LEN);
		INVARIANT(wire_subcode_name(we.code, we.subcode) != NULL);
	}
	/* The whole input as one UPDATE too, to reach the decoder past a lying header. */
	(void)wire_decode_update(&c, data, size, &u, &we);
	return 0;
}
