/* Path attribute decoding with the error handling of RFC 4271 §6.3 as
 * revised by RFC 7606: each known attribute type has a descriptor with its
 * required flags and the action a malformed copy triggers. */
#include "speaker/wire_int.h"

#include <stddef.h>
#include <stdio.h>

#define F_O BGP_ATTR_FLAG_OPTIONAL
#define F_T BGP_ATTR_FLAG_TRANSITIVE

struct attr_desc {
	const char *name;
	uint8_t flags;	 /* required Optional/Transitive bits */
	int8_t on_error; /* enum wire_status applied when malformed */
};

static const struct attr_desc descs[256] = {
    [BGP_ATTR_ORIGIN] = {"ORIGIN", F_T, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_AS_PATH] = {"AS_PATH", F_T, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_NEXT_HOP] = {"NEXT_HOP", F_T, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_MED] = {"MULTI_EXIT_DISC", F_O, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_LOCAL_PREF] = {"LOCAL_PREF", F_T, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_ATOMIC_AGGREGATE] = {"ATOMIC_AGGREGATE", F_T, WIRE_ATTR_DISCARD},
    [BGP_ATTR_AGGREGATOR] = {"AGGREGATOR", F_O | F_T, WIRE_ATTR_DISCARD},
    [BGP_ATTR_COMMUNITIES] = {"COMMUNITIES", F_O | F_T, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_ORIGINATOR_ID] = {"ORIGINATOR_ID", F_O, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_CLUSTER_LIST] = {"CLUSTER_LIST", F_O, WIRE_TREAT_AS_WITHDRAW},
    [BGP_ATTR_MP_REACH_NLRI] = {"MP_REACH_NLRI", F_O, WIRE_NOTIFY},
    [BGP_ATTR_MP_UNREACH_NLRI] = {"MP_UNREACH_NLRI", F_O, WIRE_NOTIFY},
    [BGP_ATTR_AS4_PATH] = {"AS4_PATH", F_O | F_T, WIRE_ATTR_DISCARD},
    [BGP_ATTR_AS4_AGGREGATOR] = {"AS4_AGGREGATOR", F_O | F_T, WIRE_ATTR_DISCARD},
    [BGP_ATTR_LARGE_COMMUNITIES] = {"LARGE_COMMUNITY", F_O | F_T, WIRE_TREAT_AS_WITHDRAW},
};

/* Parser state for one attribute field. */
struct parse {
	const struct wire_ctx *ctx;
	struct bgp_update *u;
	struct wire_attr_scan *scan;
	struct wire_err *we;
	int status;
	uint8_t seen[32];     /* bitmap of type codes seen */
	uint8_t unk_bits[32]; /* bitmap of unknown transitive types kept */
	bool any_unknown;
	const uint8_t *as_path, *as4_path; /* raw values */
	size_t as_path_len, as4_path_len;
	bool as4_aggregator;
	uint32_t as4_agg_as, as4_agg_id;
	/* Not cleared per message: valid where unk_bits says so. */
	const uint8_t *unknown[256]; /* TLV of each unknown transitive type */
	uint32_t unknown_len[256];
};

/* Marks the attribute at tlv malformed with the action of its type. */
static void bad(struct parse *ps, uint8_t type, uint8_t subcode, const uint8_t *tlv, size_t tlvlen,
		const char *why)
{
	const struct attr_desc *d = &descs[type];
	bool with_data =
	    subcode != WIRE_UPD_MALFORMED_AS_PATH && subcode != WIRE_UPD_MALFORMED_ATTR_LIST;

	wire_note(ps->we, &ps->status, d->on_error, BGP_ERR_UPDATE, subcode, with_data ? tlv : NULL,
		  with_data ? tlvlen : 0, "UPDATE: attribute %s (%u): %s", d->name, type, why);
	if (d->on_error == WIRE_ATTR_DISCARD || d->on_error == WIRE_TREAT_AS_WITHDRAW)
		ps->u->attrs.present &= ~WIRE_ATTR_BIT(type);
}

static bool martian_v4(const uint8_t *a)
{
	/* 0/8, 127/8, multicast and class E cannot be next hops. */
	return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

static int parse_mp_reach(struct parse *ps, const uint8_t *tlv, size_t tlvlen, const uint8_t *v,
			  size_t len)
{
	struct bgp_update *u = ps->u;
	size_t nhlen, off;
	uint32_t count;
	const char *why;
	int fam;

	if (len < 5)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen, "UPDATE: MP_REACH_NLRI: length %zu is too short", len);
	nhlen = v[3];
	if (4 + nhlen + 1 > len)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen,
				 "UPDATE: MP_REACH_NLRI: next hop length %zu overruns the "
				 "attribute",
				 nhlen);
	fam = wire_afi_family(get16(v), v[2]);
	/* RFC 4760 §7: families we did not negotiate are ignored. */
	if (fam < 0 || !ps->ctx->fam[fam])
		return WIRE_OK;
	if ((fam == BGP_FAM_IPV4 && nhlen != 4) ||
	    (fam == BGP_FAM_IPV6 && nhlen != 16 && nhlen != 32))
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen,
				 "UPDATE: MP_REACH_NLRI: next hop length %zu is invalid for AFI "
				 "%u",
				 nhlen, get16(v));
	off = 4 + nhlen + 1; /* the reserved (SNPA) octet is ignored */
	bool ap = ps->ctx->add_path_rx[fam];
	if (wire_nlri_check(v + off, len - off, fam, ap, &count, &why) < 0)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen, "UPDATE: MP_REACH_NLRI: NLRI %s", why);
	if (!count)
		return WIRE_OK;
	struct bgp_reach *r = &u->reach[u->n_reach++];
	memset(&r->nh, 0, sizeof(r->nh));
	r->nh.family = (uint8_t)fam;
	memcpy(r->nh.addr, v + 4, nhlen > 16 ? 16 : nhlen);
	if (nhlen == 32) {
		static const uint8_t zero[16];
		memcpy(r->nh.ll, v + 4 + 16, 16);
		/* Some speakers send an all-zero link-local: treat as absent. */
		r->nh.has_ll = memcmp(r->nh.ll, zero, 16) != 0;
	}
	r->nlri.data = v + off;
	r->nlri.len = (uint32_t)(len - off);
	r->nlri.count = count;
	r->nlri.family = (uint8_t)fam;
	r->nlri.add_path = ap;
	return WIRE_OK;
}

static int parse_mp_unreach(struct parse *ps, const uint8_t *tlv, size_t tlvlen, const uint8_t *v,
			    size_t len)
{
	struct bgp_update *u = ps->u;
	uint32_t count;
	const char *why;
	int fam;

	if (len < 3)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen, "UPDATE: MP_UNREACH_NLRI: length %zu is too short", len);
	fam = wire_afi_family(get16(v), v[2]);
	if (fam < 0 || !ps->ctx->fam[fam])
		return WIRE_OK;
	bool ap = ps->ctx->add_path_rx[fam];
	if (wire_nlri_check(v + 3, len - 3, fam, ap, &count, &why) < 0)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_OPTIONAL_ATTR, tlv,
				 tlvlen, "UPDATE: MP_UNREACH_NLRI: NLRI %s", why);
	ps->scan->unreach_fam = fam;
	ps->scan->unreach_empty = count == 0;
	if (!count)
		return WIRE_OK;
	struct wire_nlri *w = &u->withdrawn[u->n_withdrawn++];
	w->data = v + 3;
	w->len = (uint32_t)(len - 3);
	w->count = count;
	w->family = (uint8_t)fam;
	w->add_path = ap;
	return WIRE_OK;
}

/* Checks an AS_PATH / AS4_PATH value; returns true when usable. */
static bool check_path(struct parse *ps, uint8_t type, const uint8_t *tlv, size_t tlvlen,
		       const uint8_t *v, size_t len, unsigned width)
{
	bool confed;
	const char *why;

	if (wire_aspath_check(v, len, width, &confed, &why) < 0) {
		bad(ps, type,
		    type == BGP_ATTR_AS_PATH ? WIRE_UPD_MALFORMED_AS_PATH : WIRE_UPD_OPTIONAL_ATTR,
		    tlv, tlvlen, why);
		return false;
	}
	if (confed && type == BGP_ATTR_AS4_PATH) {
		/* RFC 6793 §6: confederation segments do not belong here. */
		bad(ps, type, WIRE_UPD_OPTIONAL_ATTR, tlv, tlvlen,
		    "confederation segment in AS4_PATH");
		return false;
	}
	if (confed && ps->ctx->ebgp) {
		/* RFC 5065 §5 / RFC 7606 §7.2. */
		bad(ps, type, WIRE_UPD_MALFORMED_AS_PATH, tlv, tlvlen,
		    "confederation segment from an external peer");
		return false;
	}
	return true;
}

static void check_len(struct parse *ps, uint8_t type, const uint8_t *tlv, size_t tlvlen, size_t len,
		      size_t want, bool *ok)
{
	char why[64];

	if (len == want)
		return;
	snprintf(why, sizeof(why), "length %zu, must be %zu", len, want);
	bad(ps, type, WIRE_UPD_ATTR_LENGTH, tlv, tlvlen, why);
	*ok = false;
}

static void check_multiple(struct parse *ps, uint8_t type, const uint8_t *tlv, size_t tlvlen,
			   size_t len, size_t unit, bool *ok)
{
	char why[64];

	if (len && len % unit == 0)
		return;
	snprintf(why, sizeof(why), "length %zu, must be a non-zero multiple of %zu", len, unit);
	bad(ps, type, WIRE_UPD_ATTR_LENGTH, tlv, tlvlen, why);
	*ok = false;
}

/* Decodes one known attribute. Returns WIRE_NOTIFY to stop. */
static int parse_known(struct parse *ps, uint8_t flags, uint8_t type, const uint8_t *tlv,
		       size_t tlvlen, const uint8_t *v, size_t len)
{
	const struct attr_desc *d = &descs[type];
	struct bgp_path_attrs *a = &ps->u->attrs;
	bool ok = true;
	uint8_t want = d->flags;

	/* Optional and Transitive must match; Partial only on optional
	 * transitive attributes (RFC 4271 §4.3, §6.3). */
	if ((flags & (F_O | F_T)) != want ||
	    ((flags & BGP_ATTR_FLAG_PARTIAL) && want != (F_O | F_T))) {
		char why[48];
		snprintf(why, sizeof(why), "flags 0x%02x conflict with the type", flags);
		if (d->on_error == WIRE_NOTIFY)
			return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_ATTR_FLAGS,
					 tlv, tlvlen, "UPDATE: attribute %s (%u): %s", d->name,
					 type, why);
		bad(ps, type, WIRE_UPD_ATTR_FLAGS, tlv, tlvlen, why);
		return WIRE_OK;
	}
	switch (type) {
	case BGP_ATTR_ORIGIN:
		check_len(ps, type, tlv, tlvlen, len, 1, &ok);
		if (ok && v[0] > BGP_ORIGIN_INCOMPLETE) {
			bad(ps, type, WIRE_UPD_INVALID_ORIGIN, tlv, tlvlen, "undefined value");
			ok = false;
		}
		if (ok)
			a->origin = v[0];
		break;
	case BGP_ATTR_AS_PATH:
		ok = check_path(ps, type, tlv, tlvlen, v, len, ps->ctx->as4 ? 4 : 2);
		if (ok) {
			ps->as_path = v;
			ps->as_path_len = len;
		}
		break;
	case BGP_ATTR_NEXT_HOP:
		/* RFC 4760 §3: without classic NLRI it SHOULD be ignored, so a
		 * bogus one beside MP_REACH_NLRI costs nothing. */
		if (!ps->scan->classic_nlri)
			return WIRE_OK;
		check_len(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok && martian_v4(v)) {
			bad(ps, type, WIRE_UPD_INVALID_NEXT_HOP, tlv, tlvlen,
			    "address is not a unicast host address");
			ok = false;
		}
		if (ok)
			memcpy(a->next_hop, v, 4);
		break;
	case BGP_ATTR_MED:
		check_len(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok)
			a->med = get32(v);
		break;
	case BGP_ATTR_LOCAL_PREF:
		if (ps->ctx->ebgp) {
			/* RFC 7606 §7.5: discarded when it comes from outside. */
			wire_note(ps->we, &ps->status, WIRE_ATTR_DISCARD, BGP_ERR_UPDATE,
				  WIRE_UPD_OPTIONAL_ATTR, tlv, tlvlen,
				  "UPDATE: attribute LOCAL_PREF (5) from an external peer "
				  "discarded");
			ok = false;
			break;
		}
		check_len(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok)
			a->local_pref = get32(v);
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		check_len(ps, type, tlv, tlvlen, len, 0, &ok);
		break;
	case BGP_ATTR_AGGREGATOR:
		check_len(ps, type, tlv, tlvlen, len, ps->ctx->as4 ? 8 : 6, &ok);
		if (ok) {
			a->aggregator_as = ps->ctx->as4 ? get32(v) : get16(v);
			a->aggregator_id = get32(v + len - 4);
			if (a->aggregator_as == 0) {
				/* RFC 7607 §2. */
				bad(ps, type, WIRE_UPD_OPTIONAL_ATTR, tlv, tlvlen, "AS 0");
				ok = false;
			}
		}
		break;
	case BGP_ATTR_COMMUNITIES:
		check_multiple(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok) {
			a->communities = v;
			a->communities_len = (uint32_t)len;
		}
		break;
	case BGP_ATTR_ORIGINATOR_ID:
		check_len(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok)
			a->originator_id = get32(v);
		break;
	case BGP_ATTR_CLUSTER_LIST:
		check_multiple(ps, type, tlv, tlvlen, len, 4, &ok);
		if (ok) {
			a->cluster_list = v;
			a->cluster_list_len = (uint32_t)len;
		}
		break;
	case BGP_ATTR_LARGE_COMMUNITIES:
		check_multiple(ps, type, tlv, tlvlen, len, 12, &ok);
		if (ok) {
			a->large_communities = v;
			a->large_communities_len = (uint32_t)len;
		}
		break;
	case BGP_ATTR_MP_REACH_NLRI:
		return parse_mp_reach(ps, tlv, tlvlen, v, len);
	case BGP_ATTR_MP_UNREACH_NLRI:
		return parse_mp_unreach(ps, tlv, tlvlen, v, len);
	case BGP_ATTR_AS4_PATH:
		/* RFC 6793 §4.1: between 4-octet speakers it is ignored. */
		if (ps->ctx->as4)
			return WIRE_OK;
		if (check_path(ps, type, tlv, tlvlen, v, len, 4)) {
			ps->as4_path = v;
			ps->as4_path_len = len;
		}
		return WIRE_OK;
	case BGP_ATTR_AS4_AGGREGATOR:
		if (ps->ctx->as4)
			return WIRE_OK;
		check_len(ps, type, tlv, tlvlen, len, 8, &ok);
		if (ok) {
			ps->as4_aggregator = true;
			ps->as4_agg_as = get32(v);
			ps->as4_agg_id = get32(v + 4);
		}
		return WIRE_OK;
	}
	if (ok)
		a->present |= WIRE_ATTR_BIT(type);
	return WIRE_OK;
}

/* RFC 6793 §4.2.3 on 2-octet sessions, then the eBGP first-AS check. The
 * final AS_PATH is staged at the end of u->canon. */
static int finish_as_path(struct parse *ps, const uint8_t **path, size_t *plen)
{
	struct bgp_update *u = ps->u;
	struct bgp_path_attrs *a = &u->attrs;

	*path = NULL;
	*plen = 0;
	if (!(a->present & WIRE_ATTR_BIT(BGP_ATTR_AS_PATH)))
		return WIRE_OK;
	if (ps->ctx->as4) {
		*path = ps->as_path;
		*plen = ps->as_path_len;
	} else {
		/* Widened path at the buffer's end with room for AS4_PATH; the
		 * merge works in place (it never writes ahead of its reads). */
		size_t wide = ps->as_path_len * 2;
		uint8_t *w = u->canon + WIRE_CANON_MAX - wide - ps->as4_path_len;
		wide = wire_aspath_widen(ps->as_path, ps->as_path_len, w);
		bool use_as4 = ps->as4_path != NULL;
		if ((a->present & WIRE_ATTR_BIT(BGP_ATTR_AGGREGATOR)) && ps->as4_aggregator) {
			if (a->aggregator_as == BGP_AS_TRANS) {
				a->aggregator_as = ps->as4_agg_as;
				a->aggregator_id = ps->as4_agg_id;
			} else {
				use_as4 = false; /* an OLD speaker aggregated after us */
			}
		}
		if (use_as4) {
			*path = w;
			*plen = wire_as4_merge(w, wide, ps->as4_path, ps->as4_path_len, w);
		} else {
			*path = w;
			*plen = wide;
		}
	}
	if (ps->ctx->ebgp && wire_aspath_first_as(*path, *plen) != ps->ctx->peer_as) {
		wire_note(ps->we, &ps->status, WIRE_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE,
			  WIRE_UPD_MALFORMED_AS_PATH, NULL, 0,
			  "UPDATE: AS_PATH does not start with the peer's AS %u", ps->ctx->peer_as);
		a->present &= ~WIRE_ATTR_BIT(BGP_ATTR_AS_PATH);
	}
	return WIRE_OK;
}

/* Writes the canonical set into u->canon and points u->attrs into it. */
static int build_canon(struct parse *ps)
{
	struct bgp_update *u = ps->u;
	struct bgp_path_attrs *a = &u->attrs;
	const uint8_t *path;
	size_t plen, len;
	uint8_t nh[4];
	bool has_nh = a->present & WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	int n;

	finish_as_path(ps, &path, &plen);
	a->as_path = path;
	a->as_path_len = (uint32_t)plen;
	a->unknown = NULL;
	a->unknown_len = 0;
	memcpy(nh, a->next_hop, 4);
	n = wire_attrs_canon(a, u->canon, WIRE_CANON_MAX);
	if (n < 0)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST,
				 NULL, 0, "UPDATE: attribute set too large");
	len = (size_t)n;
	if (ps->any_unknown) {
		for (unsigned t = 0; t < 256; t++) {
			if (!(ps->unk_bits[t >> 3] & (1u << (t & 7))))
				continue;
			if (len + ps->unknown_len[t] > WIRE_CANON_MAX)
				return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE,
						 WIRE_UPD_MALFORMED_ATTR_LIST, NULL, 0,
						 "UPDATE: attribute set too large");
			memcpy(u->canon + len, ps->unknown[t], ps->unknown_len[t]);
			len += ps->unknown_len[t];
		}
	}
	u->canon_len = (uint32_t)len;
	u->attrs_hash = wire_hash(u->canon, len, 0);
	if (wire_attrs_from_canon(u->canon, len, a) < 0)
		return wire_fail(ps->we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST,
				 NULL, 0, "UPDATE: internal error re-reading the attribute set");
	if (has_nh) {
		memcpy(a->next_hop, nh, 4);
		a->present |= WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	}
	return WIRE_OK;
}

int wire_parse_attrs(const struct wire_ctx *ctx, const uint8_t *p, size_t len, struct bgp_update *u,
		     struct wire_attr_scan *scan, struct wire_err *we)
{
	struct parse ps;
	size_t i = 0;

	memset(&ps, 0, offsetof(struct parse, unknown));
	ps.ctx = ctx;
	ps.u = u;
	ps.scan = scan;
	ps.we = we;
	ps.status = WIRE_OK;
	memset(&u->attrs, 0, sizeof(u->attrs));
	scan->n_attrs = 0; /* classic_nlri is the caller's */
	scan->unreach_fam = -1;
	scan->unreach_empty = false;

	while (i < len) {
		size_t hl, alen;
		uint8_t flags, type;

		/* RFC 7606 §4: a truncated or overrunning attribute list is
		 * treat-as-withdraw; the NLRI is found from the total length. */
		if (len - i < 3 || len - i < (hl = (p[i] & BGP_ATTR_FLAG_EXTENDED) ? 4 : 3)) {
			wire_note(we, &ps.status, WIRE_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE,
				  WIRE_UPD_MALFORMED_ATTR_LIST, NULL, 0,
				  "UPDATE: %zu octets left at the end of the attributes, too few "
				  "for an attribute",
				  len - i);
			break;
		}
		flags = p[i];
		type = p[i + 1];
		alen = hl == 4 ? get16(p + i + 2) : p[i + 2];
		if (len - i - hl < alen) {
			wire_note(we, &ps.status, WIRE_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE,
				  WIRE_UPD_ATTR_LENGTH, p + i, len - i,
				  "UPDATE: attribute type %u length %zu overruns the attributes "
				  "(%zu octets left)",
				  type, alen, len - i - hl);
			break;
		}
		const uint8_t *tlv = p + i, *v = p + i + hl;
		size_t tlvlen = hl + alen;
		i += tlvlen;
		scan->n_attrs++;
		if (ps.seen[type >> 3] & (1u << (type & 7))) {
			/* RFC 7606 §3(g). */
			if (type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI)
				return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE,
						 WIRE_UPD_MALFORMED_ATTR_LIST, NULL, 0,
						 "UPDATE: attribute %s appears twice",
						 descs[type].name);
			continue;
		}
		ps.seen[type >> 3] |= (uint8_t)(1u << (type & 7));
		if (!descs[type].name) {
			if (!(flags & BGP_ATTR_FLAG_OPTIONAL))
				return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE,
						 WIRE_UPD_UNRECOGNIZED_WELL_KNOWN, tlv, tlvlen,
						 "UPDATE: unrecognized well-known attribute type "
						 "%u",
						 type);
			if (flags & BGP_ATTR_FLAG_TRANSITIVE) {
				ps.unknown[type] = tlv;
				ps.unknown_len[type] = (uint32_t)tlvlen;
				ps.unk_bits[type >> 3] |= (uint8_t)(1u << (type & 7));
				ps.any_unknown = true;
			}
			continue;
		}
		if (parse_known(&ps, flags, type, tlv, tlvlen, v, alen) == WIRE_NOTIFY)
			return WIRE_NOTIFY;
	}
	if (build_canon(&ps) == WIRE_NOTIFY)
		return WIRE_NOTIFY;
	return ps.status;
}
