/* Attribute sets as bytes: the canonical form used for interning, and the
 * encoding sent to a peer (with RFC 6793 conversion for 2-octet sessions). */
#include "speaker/wire_int.h"

#define F_O BGP_ATTR_FLAG_OPTIONAL
#define F_T BGP_ATTR_FLAG_TRANSITIVE

int wire_put_attr(uint8_t *out, size_t cap, uint8_t flags, uint8_t type, const uint8_t *val,
		  size_t len)
{
	size_t hl = len > 255 ? 4 : 3;

	if (len > 0xffff || hl + len > cap)
		return -ENOSPC;
	flags &= (uint8_t)~BGP_ATTR_FLAG_EXTENDED;
	if (hl == 4) {
		out[0] = flags | BGP_ATTR_FLAG_EXTENDED;
		out[1] = type;
		put16(out + 2, (uint16_t)len);
	} else {
		out[0] = flags;
		out[1] = type;
		out[2] = (uint8_t)len;
	}
	/* memmove: the decoder builds AS_PATH inside the same buffer. */
	if (len)
		memmove(out + hl, val, len);
	return (int)(hl + len);
}

/* Output cursor that remembers the first failure. */
struct out {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static void emit(struct out *o, uint8_t flags, uint8_t type, const uint8_t *val, size_t len)
{
	int n;

	if (o->full)
		return;
	n = wire_put_attr(o->buf + o->len, o->cap - o->len, flags, type, val, len);
	if (n < 0)
		o->full = true;
	else
		o->len += (size_t)n;
}

static void emit32(struct out *o, uint8_t flags, uint8_t type, uint32_t v)
{
	uint8_t b[4];

	put32(b, v);
	emit(o, flags, type, b, 4);
}

static bool has(const struct bgp_path_attrs *a, unsigned code)
{
	return a->present & WIRE_ATTR_BIT(code);
}

/* List attributes are written only when non-empty: an empty COMMUNITIES,
 * LARGE_COMMUNITY or CLUSTER_LIST is malformed (RFC 7606 §7.8, §7.10,
 * RFC 8092 §6) and would make the peer treat our routes as withdrawn. */
static bool has_list(const struct bgp_path_attrs *a, unsigned code, uint32_t len)
{
	return has(a, code) && len > 0;
}

/* Canonical known attributes, ascending (NEXT_HOP excluded). */
static void canon_known(const struct bgp_path_attrs *a, struct out *o)
{
	uint8_t b[8];

	if (has(a, BGP_ATTR_ORIGIN))
		emit(o, F_T, BGP_ATTR_ORIGIN, &a->origin, 1);
	if (has(a, BGP_ATTR_AS_PATH))
		emit(o, F_T, BGP_ATTR_AS_PATH, a->as_path, a->as_path_len);
	if (has(a, BGP_ATTR_MED))
		emit32(o, F_O, BGP_ATTR_MED, a->med);
	if (has(a, BGP_ATTR_LOCAL_PREF))
		emit32(o, F_T, BGP_ATTR_LOCAL_PREF, a->local_pref);
	if (has(a, BGP_ATTR_ATOMIC_AGGREGATE))
		emit(o, F_T, BGP_ATTR_ATOMIC_AGGREGATE, NULL, 0);
	if (has(a, BGP_ATTR_AGGREGATOR)) {
		put32(b, a->aggregator_as);
		put32(b + 4, a->aggregator_id);
		emit(o, F_O | F_T, BGP_ATTR_AGGREGATOR, b, 8);
	}
	if (has_list(a, BGP_ATTR_COMMUNITIES, a->communities_len))
		emit(o, F_O | F_T, BGP_ATTR_COMMUNITIES, a->communities, a->communities_len);
	if (has(a, BGP_ATTR_ORIGINATOR_ID))
		emit32(o, F_O, BGP_ATTR_ORIGINATOR_ID, a->originator_id);
	if (has_list(a, BGP_ATTR_CLUSTER_LIST, a->cluster_list_len))
		emit(o, F_O, BGP_ATTR_CLUSTER_LIST, a->cluster_list, a->cluster_list_len);
	if (has_list(a, BGP_ATTR_LARGE_COMMUNITIES, a->large_communities_len))
		emit(o, F_O | F_T, BGP_ATTR_LARGE_COMMUNITIES, a->large_communities,
		     a->large_communities_len);
}

int wire_attrs_canon(const struct bgp_path_attrs *a, uint8_t *buf, size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};

	canon_known(a, &o);
	if (o.full || o.cap - o.len < a->unknown_len)
		return -ENOSPC;
	if (a->unknown_len)
		memmove(buf + o.len, a->unknown, a->unknown_len);
	return (int)(o.len + a->unknown_len);
}

static bool known_code(uint8_t t)
{
	switch (t) {
	case BGP_ATTR_ORIGIN:
	case BGP_ATTR_AS_PATH:
	case BGP_ATTR_MED:
	case BGP_ATTR_LOCAL_PREF:
	case BGP_ATTR_ATOMIC_AGGREGATE:
	case BGP_ATTR_AGGREGATOR:
	case BGP_ATTR_COMMUNITIES:
	case BGP_ATTR_ORIGINATOR_ID:
	case BGP_ATTR_CLUSTER_LIST:
	case BGP_ATTR_LARGE_COMMUNITIES:
		return true;
	default:
		return false;
	}
}

int wire_attrs_from_canon(const uint8_t *buf, size_t len, struct bgp_path_attrs *a)
{
	size_t i = 0;
	int last = 0;

	memset(a, 0, sizeof(*a));
	while (i < len) {
		size_t hl, vl;
		if (len - i < 3)
			return -EINVAL;
		hl = buf[i] & BGP_ATTR_FLAG_EXTENDED ? 4 : 3;
		if (len - i < hl)
			return -EINVAL;
		vl = hl == 4 ? get16(buf + i + 2) : buf[i + 2];
		if (len - i - hl < vl)
			return -EINVAL;
		uint8_t t = buf[i + 1];
		const uint8_t *v = buf + i + hl;
		if (!known_code(t)) {
			/* Unknown attributes close the set. */
			if (!a->unknown)
				a->unknown = buf + i;
			a->unknown_len = (uint32_t)(i + hl + vl - (size_t)(a->unknown - buf));
			i += hl + vl;
			continue;
		}
		if (a->unknown || t <= last)
			return -EINVAL;
		last = t;
		switch (t) {
		case BGP_ATTR_ORIGIN:
			if (vl != 1)
				return -EINVAL;
			a->origin = v[0];
			break;
		case BGP_ATTR_AS_PATH:
			a->as_path = v;
			a->as_path_len = (uint32_t)vl;
			break;
		case BGP_ATTR_MED:
		case BGP_ATTR_LOCAL_PREF:
		case BGP_ATTR_ORIGINATOR_ID:
			if (vl != 4)
				return -EINVAL;
			if (t == BGP_ATTR_MED)
				a->med = get32(v);
			else if (t == BGP_ATTR_LOCAL_PREF)
				a->local_pref = get32(v);
			else
				a->originator_id = get32(v);
			break;
		case BGP_ATTR_ATOMIC_AGGREGATE:
			if (vl != 0)
				return -EINVAL;
			break;
		case BGP_ATTR_AGGREGATOR:
			if (vl != 8)
				return -EINVAL;
			a->aggregator_as = get32(v);
			a->aggregator_id = get32(v + 4);
			break;
		case BGP_ATTR_COMMUNITIES:
			a->communities = v;
			a->communities_len = (uint32_t)vl;
			break;
		case BGP_ATTR_CLUSTER_LIST:
			a->cluster_list = v;
			a->cluster_list_len = (uint32_t)vl;
			break;
		case BGP_ATTR_LARGE_COMMUNITIES:
			a->large_communities = v;
			a->large_communities_len = (uint32_t)vl;
			break;
		}
		a->present |= WIRE_ATTR_BIT(t);
		i += hl + vl;
	}
	return 0;
}

/* Unknown transitive attributes with type below limit, from *pos on,
 * re-advertised with the Partial bit (RFC 4271 §5). */
static void emit_unknown_below(const struct bgp_path_attrs *a, size_t *pos, unsigned limit,
			       struct out *o)
{
	while (*pos < a->unknown_len) {
		const uint8_t *t = a->unknown + *pos;
		size_t hl, vl;
		if (a->unknown_len - *pos < 3)
			break;
		hl = t[0] & BGP_ATTR_FLAG_EXTENDED ? 4 : 3;
		if (a->unknown_len - *pos < hl)
			break;
		vl = hl == 4 ? get16(t + 2) : t[2];
		if (a->unknown_len - *pos - hl < vl || t[1] >= limit)
			break;
		emit(o, t[0] | BGP_ATTR_FLAG_PARTIAL, t[1], t + hl, vl);
		*pos += hl + vl;
	}
}

/* Largest AS_PATH in 2-octet form we can stage on the stack. */
#define ASPATH_STAGE (BGP_EXT_MAX_MSG_LEN)

int wire_encode_attrs(const struct wire_ctx *ctx, const struct bgp_path_attrs *a,
		      const uint8_t *nh4, uint8_t *out, size_t cap)
{
	static uint8_t narrow[ASPATH_STAGE], as4[ASPATH_STAGE];
	struct out o = {.buf = out, .cap = cap};
	size_t upos = 0, as4_len = 0;
	bool wide_as = false;
	uint8_t b[8];

	emit_unknown_below(a, &upos, BGP_ATTR_ORIGIN, &o);
	if (has(a, BGP_ATTR_ORIGIN))
		emit(&o, F_T, BGP_ATTR_ORIGIN, &a->origin, 1);
	emit_unknown_below(a, &upos, BGP_ATTR_AS_PATH, &o);
	if (has(a, BGP_ATTR_AS_PATH)) {
		if (ctx->as4) {
			emit(&o, F_T, BGP_ATTR_AS_PATH, a->as_path, a->as_path_len);
		} else {
			size_t n;
			if (a->as_path_len > ASPATH_STAGE)
				return -ENOSPC;
			n = wire_aspath_narrow(a->as_path, a->as_path_len, narrow, &wide_as);
			emit(&o, F_T, BGP_ATTR_AS_PATH, narrow, n);
			/* RFC 6793 §4.2.2: the real path goes in AS4_PATH,
			 * without confederation segments. */
			if (wide_as)
				as4_len = wire_aspath_strip_confed(a->as_path, a->as_path_len, as4);
		}
	}
	emit_unknown_below(a, &upos, BGP_ATTR_NEXT_HOP, &o);
	if (nh4)
		emit(&o, F_T, BGP_ATTR_NEXT_HOP, nh4, 4);
	emit_unknown_below(a, &upos, BGP_ATTR_MED, &o);
	if (has(a, BGP_ATTR_MED))
		emit32(&o, F_O, BGP_ATTR_MED, a->med);
	emit_unknown_below(a, &upos, BGP_ATTR_LOCAL_PREF, &o);
	if (has(a, BGP_ATTR_LOCAL_PREF))
		emit32(&o, F_T, BGP_ATTR_LOCAL_PREF, a->local_pref);
	emit_unknown_below(a, &upos, BGP_ATTR_ATOMIC_AGGREGATE, &o);
	if (has(a, BGP_ATTR_ATOMIC_AGGREGATE))
		emit(&o, F_T, BGP_ATTR_ATOMIC_AGGREGATE, NULL, 0);
	emit_unknown_below(a, &upos, BGP_ATTR_AGGREGATOR, &o);
	if (has(a, BGP_ATTR_AGGREGATOR)) {
		if (ctx->as4) {
			put32(b, a->aggregator_as);
			put32(b + 4, a->aggregator_id);
			emit(&o, F_O | F_T, BGP_ATTR_AGGREGATOR, b, 8);
		} else {
			uint32_t as = a->aggregator_as;
			put16(b, (uint16_t)(as > 0xffff ? BGP_AS_TRANS : as));
			put32(b + 2, a->aggregator_id);
			emit(&o, F_O | F_T, BGP_ATTR_AGGREGATOR, b, 6);
		}
	}
	emit_unknown_below(a, &upos, BGP_ATTR_COMMUNITIES, &o);
	if (has_list(a, BGP_ATTR_COMMUNITIES, a->communities_len))
		emit(&o, F_O | F_T, BGP_ATTR_COMMUNITIES, a->communities, a->communities_len);
	emit_unknown_below(a, &upos, BGP_ATTR_ORIGINATOR_ID, &o);
	if (has(a, BGP_ATTR_ORIGINATOR_ID))
		emit32(&o, F_O, BGP_ATTR_ORIGINATOR_ID, a->originator_id);
	emit_unknown_below(a, &upos, BGP_ATTR_CLUSTER_LIST, &o);
	if (has_list(a, BGP_ATTR_CLUSTER_LIST, a->cluster_list_len))
		emit(&o, F_O, BGP_ATTR_CLUSTER_LIST, a->cluster_list, a->cluster_list_len);
	emit_unknown_below(a, &upos, BGP_ATTR_AS4_PATH, &o);
	if (!ctx->as4 && wide_as)
		emit(&o, F_O | F_T, BGP_ATTR_AS4_PATH, as4, as4_len);
	emit_unknown_below(a, &upos, BGP_ATTR_AS4_AGGREGATOR, &o);
	if (!ctx->as4 && has(a, BGP_ATTR_AGGREGATOR) && a->aggregator_as > 0xffff) {
		put32(b, a->aggregator_as);
		put32(b + 4, a->aggregator_id);
		emit(&o, F_O | F_T, BGP_ATTR_AS4_AGGREGATOR, b, 8);
	}
	emit_unknown_below(a, &upos, BGP_ATTR_LARGE_COMMUNITIES, &o);
	if (has_list(a, BGP_ATTR_LARGE_COMMUNITIES, a->large_communities_len))
		emit(&o, F_O | F_T, BGP_ATTR_LARGE_COMMUNITIES, a->large_communities,
		     a->large_communities_len);
	emit_unknown_below(a, &upos, 256, &o);
	if (o.full)
		return -ENOSPC;
	return (int)o.len;
}
