/* Iteration over the RIB for the control socket, resumable by cursor. */
#include "speaker/rib_int.h"

#include <errno.h>

static bool path_stale(const struct rib *r, const struct rib_path *p)
{
	return p->epoch != r->peers[p->peer].epoch;
}

/* Calls fn for what prefix idx shows in the view; returns fn's result. */
static int visit(struct rib *r, const struct rib_filter *f, enum bgp_family fam, uint32_t idx,
		 rib_walk_fn fn, void *ctx)
{
	uint32_t head = r->tab[fam].values[idx];
	struct bgp_prefix pfx;
	struct rib_route rt;
	int rc = 0;

	ptab_prefix(&r->tab[fam], idx, &pfx);
	if (f->view == RIB_VIEW_ADVERTISED) {
		struct rib_peer *p = &r->peers[f->peer];
		const struct rib_path *b = rib_path_at(r, head);
		struct attr_set *out;

		if (!rib_out_bit(p->out.adv[fam], p->out.words[fam], idx))
			return 0;
		out = rib_out_export(r, p, fam, idx);
		if (!out)
			return 0; /* a withdrawal is queued */
		pfx.path_id = b->path_id;
		rt = (struct rib_route){&pfx, b->peer, path_stale(r, b), out};
		rc = fn(ctx, &rt, true);
		attr_unref(r->attrs, out);
		return rc;
	}
	for (uint32_t i = head; i && rc == 0; i = rib_path_at(r, i)->next) {
		const struct rib_path *p = rib_path_at(r, i);

		if (f->view == RIB_VIEW_RECEIVED && p->peer != f->peer)
			continue;
		pfx.path_id = p->path_id;
		rt = (struct rib_route){&pfx, p->peer, path_stale(r, p),
					attr_by_id(r->attrs, p->attr)};
		rc = fn(ctx, &rt, i == head);
		if (f->view == RIB_VIEW_BEST)
			break;
	}
	return rc;
}

static bool wanted(const struct rib *r, const struct rib_filter *f, enum bgp_family fam,
		   uint32_t idx)
{
	struct bgp_prefix pfx;

	if (!r->tab[fam].values[idx])
		return false;
	if (!f->has_prefix)
		return true;
	ptab_prefix(&r->tab[fam], idx, &pfx);
	return ptab_covers(&f->prefix, &pfx);
}

int rib_walk(struct rib *r, const struct rib_filter *f, struct rib_cursor *c, size_t max,
	     rib_walk_fn fn, void *ctx)
{
	size_t seen = 0;
	int rc;

	if (f->view == RIB_VIEW_RECEIVED || f->view == RIB_VIEW_ADVERTISED) {
		if (f->peer >= r->peers_cap || !r->peers[f->peer].used)
			return -ENOENT;
		if (f->view == RIB_VIEW_ADVERTISED && !r->peers[f->peer].up)
			return 0; /* a peer that is down holds nothing */
	}
	if (f->has_prefix && f->prefix.family >= BGP_FAM_COUNT)
		return -EINVAL;
	if (f->has_prefix && f->exact) {
		enum bgp_family fam = f->prefix.family;
		uint32_t idx;

		if (c->family > fam || (f->family >= 0 && f->family != (int)fam))
			return 0;
		c->family = BGP_FAM_COUNT;
		idx = ptab_find(&r->tab[fam], &f->prefix);
		if (!idx || !r->tab[fam].values[idx])
			return 0;
		rc = visit(r, f, fam, idx, fn, ctx);
		return rc < 0 ? rc : 0;
	}
	if (f->family >= 0 && c->family < f->family) {
		c->family = (uint8_t)f->family;
		c->index = 0;
	}
	for (; c->family < BGP_FAM_COUNT; c->family++, c->index = 0) {
		enum bgp_family fam = c->family;
		struct ptab *t = &r->tab[fam];

		if (f->family >= 0 && f->family != (int)fam)
			continue;
		if (f->has_prefix && f->prefix.family != fam)
			continue;
		if (c->index < 1)
			c->index = 1;
		for (; c->index < t->top; c->index++) {
			if (seen >= max)
				return 1;
			if (!wanted(r, f, fam, c->index))
				continue;
			seen++;
			rc = visit(r, f, fam, c->index, fn, ctx);
			if (rc) {
				c->index++;
				return rc < 0 ? rc : 1;
			}
		}
	}
	return 0;
}
