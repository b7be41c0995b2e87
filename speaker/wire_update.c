/* UPDATE messages: decoding (NLRI validated in place, attributes through
 * wire_attr.c) and the incremental encoder that packs prefixes. */
#include "speaker/wire_int.h"

int wire_nlri_check(const uint8_t *p, size_t len, int fam, bool add_path, uint32_t *count,
		    const char **why)
{
	unsigned max = fam == BGP_FAM_IPV6 ? 128 : 32;
	size_t i = 0;
	uint32_t n = 0;

	while (i < len) {
		if (add_path) {
			if (len - i < 5) {
				*why = "path identifier truncated";
				return -1;
			}
			i += 4;
		}
		unsigned bits = p[i];
		if (bits > max) {
			*why = "prefix length exceeds the address size";
			return -1;
		}
		size_t bytes = (bits + 7) / 8;
		if (len - i - 1 < bytes) {
			*why = "prefix overruns the field";
			return -1;
		}
		i += 1 + bytes;
		n++;
	}
	*count = n;
	return 0;
}

void wire_nlri_iter_init(struct wire_nlri_iter *it, const struct wire_nlri *n)
{
	it->p = n->data;
	it->end = n->data + n->len;
	it->family = n->family;
	it->add_path = n->add_path;
}

bool wire_nlri_next(struct wire_nlri_iter *it, struct bgp_prefix *p)
{
	const uint8_t *s = it->p;
	unsigned bits, bytes;

	if (s >= it->end)
		return false;
	p->path_id = 0;
	if (it->add_path) {
		p->path_id = get32(s);
		s += 4;
	}
	bits = *s++;
	bytes = (bits + 7) >> 3;
	p->family = it->family;
	p->len = (uint8_t)bits;
	memset(p->addr, 0, sizeof(p->addr));
	memcpy(p->addr, s, bytes);
	if (bits & 7)
		p->addr[bytes - 1] &= (uint8_t)(0xff << (8 - (bits & 7)));
	it->p = s + bytes;
	return true;
}

int wire_decode_update(const struct wire_ctx *ctx, const uint8_t *msg, size_t len,
		       struct bgp_update *u, struct wire_err *we)
{
	struct wire_attr_scan scan;
	uint8_t type;
	size_t mlen, wlen, alen, off;
	uint32_t count;
	const char *why;
	static struct wire_ctx defaults = {.fam = {[BGP_FAM_IPV4] = true}};
	int rc;
	bool ap4;

	if (!ctx)
		ctx = &defaults;
	ap4 = ctx->add_path_rx[BGP_FAM_IPV4];
	rc = wire_header(ctx, msg, len, &type, &mlen, we);
	if (rc != WIRE_OK)
		return rc;
	if (type != BGP_MSG_UPDATE || mlen != len)
		return wire_fail(
		    we, WIRE_NOTIFY, BGP_ERR_HEADER,
		    type != BGP_MSG_UPDATE ? WIRE_HDR_BAD_TYPE : WIRE_HDR_BAD_LENGTH,
		    type != BGP_MSG_UPDATE ? msg + 18 : msg + 16, type != BGP_MSG_UPDATE ? 1 : 2,
		    "UPDATE: header type %u length %zu for %zu octets", type, mlen, len);
	u->n_withdrawn = u->n_reach = 0;
	u->eor = false;
	u->eor_family = 0;
	u->has_attrs = false;
	u->canon_len = 0;
	u->attrs_hash = 0;

	/* RFC 4271 §6.3: lengths that overrun the message. */
	wlen = get16(msg + 19);
	if (21 + wlen + 2 > len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST,
				 NULL, 0,
				 "UPDATE: withdrawn routes length %zu overruns the message (%zu "
				 "octets)",
				 wlen, len);
	alen = get16(msg + 21 + wlen);
	if (23 + wlen + alen > len)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_MALFORMED_ATTR_LIST,
				 NULL, 0,
				 "UPDATE: total path attribute length %zu overruns the message "
				 "(%zu octets left)",
				 alen, len - 23 - wlen);
	/* RFC 7606 §5.3: NLRI that cannot be parsed resets the session. */
	if (wire_nlri_check(msg + 21, wlen, BGP_FAM_IPV4, ap4, &count, &why) < 0)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, NULL, 0,
				 "UPDATE: withdrawn routes: %s", why);
	if (count) {
		struct wire_nlri *w = &u->withdrawn[u->n_withdrawn++];
		w->data = msg + 21;
		w->len = (uint32_t)wlen;
		w->count = count;
		w->family = BGP_FAM_IPV4;
		w->add_path = ap4;
	}
	off = 23 + wlen + alen;
	if (wire_nlri_check(msg + off, len - off, BGP_FAM_IPV4, ap4, &count, &why) < 0)
		return wire_fail(we, WIRE_NOTIFY, BGP_ERR_UPDATE, WIRE_UPD_INVALID_NETWORK, NULL, 0,
				 "UPDATE: NLRI: %s", why);
	bool classic_nlri = count > 0;

	scan.classic_nlri = classic_nlri;
	rc = wire_parse_attrs(ctx, msg + 23 + wlen, alen, u, &scan, we);
	if (rc == WIRE_NOTIFY)
		return rc;
	if (classic_nlri) {
		struct bgp_reach *r = &u->reach[u->n_reach++];
		r->nlri.data = msg + off;
		r->nlri.len = (uint32_t)(len - off);
		r->nlri.count = count;
		r->nlri.family = BGP_FAM_IPV4;
		r->nlri.add_path = ap4;
		memset(&r->nh, 0, sizeof(r->nh));
		r->nh.family = BGP_FAM_IPV4;
		memcpy(r->nh.addr, u->attrs.next_hop, 4);
	}
	u->has_attrs = alen > 0;

	/* End-of-RIB (RFC 4724 §2). */
	if (wlen == 0 && alen == 0 && !classic_nlri) {
		u->eor = true;
		u->eor_family = BGP_FAM_IPV4;
		return rc;
	}
	if (wlen == 0 && !classic_nlri && scan.n_attrs == 1 && scan.unreach_fam >= 0 &&
	    scan.unreach_empty) {
		u->eor = true;
		u->eor_family = (uint8_t)scan.unreach_fam;
		u->has_attrs = false;
		return rc;
	}

	/* RFC 7606 §3(d): announcing without the mandatory attributes. */
	if (u->n_reach && rc != WIRE_TREAT_AS_WITHDRAW) {
		static const uint8_t codes[] = {BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH,
						BGP_ATTR_NEXT_HOP};
		for (size_t i = 0; i < sizeof(codes); i++) {
			if (codes[i] == BGP_ATTR_NEXT_HOP && !classic_nlri)
				continue;
			if (u->attrs.present & WIRE_ATTR_BIT(codes[i]))
				continue;
			wire_note(we, &rc, WIRE_TREAT_AS_WITHDRAW, BGP_ERR_UPDATE,
				  WIRE_UPD_MISSING_WELL_KNOWN, &codes[i], 1,
				  "UPDATE: well-known attribute type %u missing", codes[i]);
			break;
		}
	}
	return rc;
}

/* ---- encoding ----------------------------------------------------------- */

static size_t prefix_octets(const struct wire_ub *ub, const struct bgp_prefix *p)
{
	return (ub->add_path ? 4 : 0) + 1 + ((size_t)p->len + 7) / 8;
}

static int ub_start(struct wire_ub *ub, const struct wire_ctx *ctx, uint8_t *buf, size_t cap,
		    enum bgp_family fam, bool withdraw, struct err *e)
{
	if ((unsigned)fam >= BGP_FAM_COUNT)
		return err_set(e, -EINVAL, "UPDATE: family %d is not IPv4 or IPv6", (int)fam);
	memset(ub, 0, sizeof(*ub));
	ub->buf = buf;
	ub->max = wire_max_msg(ctx) < cap ? wire_max_msg(ctx) : cap;
	ub->family = (uint8_t)fam;
	ub->withdraw = withdraw;
	ub->add_path = ctx->add_path_tx[fam];
	if (ub->max < 32)
		return err_set(e, -ENOSPC, "UPDATE: buffer of %zu octets is too small", cap);
	return 0;
}

/* Writes the MP attribute header (always extended length) and the AFI/SAFI
 * at off; returns the offset after them. */
static size_t put_mp_head(struct wire_ub *ub, size_t off, uint8_t type)
{
	ub->buf[off] = BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_EXTENDED;
	ub->buf[off + 1] = type;
	ub->mp_hdr = off;
	put16(ub->buf + off + 4, wire_family_afi(ub->family));
	ub->buf[off + 6] = BGP_SAFI_UNICAST;
	return off + 7;
}

int wire_ub_announce(struct wire_ub *ub, const struct wire_ctx *ctx, uint8_t *buf, size_t cap,
		     enum bgp_family fam, const struct bgp_path_attrs *attrs,
		     const struct bgp_nexthop *nh, struct err *e)
{
	int rc = ub_start(ub, ctx, buf, cap, fam, false, e);
	int n;

	if (rc < 0)
		return rc;
	if (!(attrs->present & WIRE_ATTR_BIT(BGP_ATTR_ORIGIN)) ||
	    !(attrs->present & WIRE_ATTR_BIT(BGP_ATTR_AS_PATH)))
		return err_set(e, -EINVAL, "UPDATE: announcement without ORIGIN and AS_PATH");
	if (nh->family != fam)
		return err_set(e, -EINVAL, "UPDATE: next hop family %u for family %d routes",
			       nh->family, (int)fam);
	if (fam == BGP_FAM_IPV4) {
		n = wire_encode_attrs(ctx, attrs, nh->addr, buf + 23, ub->max - 23);
		if (n < 0)
			return err_set(e, -ENOSPC, "UPDATE: attributes do not fit %zu octets",
				       ub->max);
		ub->tail_len = (size_t)n;
		ub->pos = 23 + (size_t)n;
		return 0;
	}
	size_t nhlen = nh->has_ll ? 32 : 16;
	size_t off = put_mp_head(ub, 23, BGP_ATTR_MP_REACH_NLRI);
	if (off + 1 + nhlen + 1 > ub->max)
		return err_set(e, -ENOSPC, "UPDATE: buffer too small");
	buf[off] = (uint8_t)nhlen;
	memcpy(buf + off + 1, nh->addr, 16);
	if (nh->has_ll)
		memcpy(buf + off + 17, nh->ll, 16);
	buf[off + 1 + nhlen] = 0; /* reserved */
	ub->pos = off + 1 + nhlen + 1;
	ub->mp_start = ub->mp_hdr + 4;
	/* Other attributes are encoded after the MP_REACH header, then parked
	 * at the end of the message so that NLRI can grow in between. */
	n = wire_encode_attrs(ctx, attrs, NULL, buf + ub->pos, ub->max - ub->pos);
	if (n < 0)
		return err_set(e, -ENOSPC, "UPDATE: attributes do not fit %zu octets", ub->max);
	ub->tail_len = (size_t)n;
	ub->tail = ub->max - ub->tail_len;
	memmove(buf + ub->tail, buf + ub->pos, ub->tail_len);
	return 0;
}

int wire_ub_withdraw(struct wire_ub *ub, const struct wire_ctx *ctx, uint8_t *buf, size_t cap,
		     enum bgp_family fam, struct err *e)
{
	int rc = ub_start(ub, ctx, buf, cap, fam, true, e);

	if (rc < 0)
		return rc;
	if (fam == BGP_FAM_IPV4) {
		ub->pos = 21;
	} else {
		ub->pos = put_mp_head(ub, 23, BGP_ATTR_MP_UNREACH_NLRI);
		ub->mp_start = ub->mp_hdr + 4;
	}
	return 0;
}

bool wire_ub_add(struct wire_ub *ub, const struct bgp_prefix *p)
{
	size_t need = prefix_octets(ub, p), limit, bytes;
	unsigned maxlen = ub->family == BGP_FAM_IPV6 ? 128 : 32;

	if (p->len > maxlen)
		return false;
	if (ub->family == BGP_FAM_IPV4)
		limit = ub->withdraw ? ub->max - 2 : ub->max;
	else
		limit = ub->withdraw ? ub->max : ub->tail;
	if (ub->pos + need > limit)
		return false;
	uint8_t *o = ub->buf + ub->pos;
	if (ub->add_path) {
		put32(o, p->path_id);
		o += 4;
	}
	*o++ = p->len;
	bytes = ((size_t)p->len + 7) / 8;
	memcpy(o, p->addr, bytes);
	if (p->len & 7)
		o[bytes - 1] &= (uint8_t)(0xff << (8 - (p->len & 7)));
	ub->pos += need;
	ub->count++;
	return true;
}

size_t wire_ub_finish(struct wire_ub *ub)
{
	uint8_t *b = ub->buf;
	size_t total;

	if (ub->family == BGP_FAM_IPV4 && ub->withdraw) {
		put16(b + 19, (uint16_t)(ub->pos - 21));
		put16(b + ub->pos, 0);
		total = ub->pos + 2;
	} else if (ub->family == BGP_FAM_IPV4) {
		put16(b + 19, 0);
		put16(b + 21, (uint16_t)ub->tail_len);
		total = ub->pos;
	} else {
		put16(b + ub->mp_hdr + 2, (uint16_t)(ub->pos - ub->mp_start));
		if (!ub->withdraw) {
			memmove(b + ub->pos, b + ub->tail, ub->tail_len);
			total = ub->pos + ub->tail_len;
		} else {
			total = ub->pos;
		}
		put16(b + 19, 0);
		put16(b + 21, (uint16_t)(total - 23));
	}
	wire_put_header(b, BGP_MSG_UPDATE, total);
	return total;
}

int wire_encode_update(const struct wire_ctx *ctx, enum bgp_family fam,
		       const struct bgp_path_attrs *attrs, const struct bgp_nexthop *nh,
		       const struct bgp_prefix *pfx, size_t n, uint8_t *buf, size_t cap,
		       size_t *used, size_t *len, struct err *e)
{
	struct wire_ub ub;
	size_t i;
	int rc = attrs ? wire_ub_announce(&ub, ctx, buf, cap, fam, attrs, nh, e)
		       : wire_ub_withdraw(&ub, ctx, buf, cap, fam, e);

	if (rc < 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (pfx[i].family != fam || pfx[i].len > (fam == BGP_FAM_IPV6 ? 128 : 32))
			return err_set(e, -EINVAL,
				       "UPDATE: prefix %zu (family %u, length %u) is not a family "
				       "%d prefix",
				       i, pfx[i].family, pfx[i].len, (int)fam);
		if (!wire_ub_add(&ub, &pfx[i]))
			break;
	}
	if (i == 0 && n > 0)
		return err_set(e, -ENOSPC, "UPDATE: not even one prefix fits");
	*used = i;
	*len = wire_ub_finish(&ub);
	return 0;
}

int wire_encode_eor(enum bgp_family fam, uint8_t *buf, size_t cap)
{
	size_t len = fam == BGP_FAM_IPV4 ? 23 : 29;

	if (cap < len)
		return -ENOSPC;
	wire_put_header(buf, BGP_MSG_UPDATE, len);
	put16(buf + 19, 0);
	put16(buf + 21, (uint16_t)(len - 23));
	if (fam != BGP_FAM_IPV4) {
		buf[23] = BGP_ATTR_FLAG_OPTIONAL;
		buf[24] = BGP_ATTR_MP_UNREACH_NLRI;
		buf[25] = 3;
		put16(buf + 26, wire_family_afi(fam));
		buf[28] = BGP_SAFI_UNICAST;
	}
	return (int)len;
}
