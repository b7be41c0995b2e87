/* The decision process.
 *
 * RFC 4271 §9.1 in three phases: (1) degree of preference of each route from
 * policy; (2) per destination, pick the most preferred route; (3) route
 * dissemination to peers. Phase 2 for routes of equal degree of preference
 * uses the tie-breaking of §9.1.2.2, as a series of eliminations:
 *   a) remove routes whose AS_PATH is longer than the shortest;
 *   b) remove routes whose ORIGIN is higher than the lowest;
 *   c) remove routes with a higher MULTI_EXIT_DISC than another route from
 *      the same neighbouring AS (a missing MED counts as the lowest value);
 *   d) if any route came from an external peer, remove the internal ones;
 *   e) remove routes with a higher interior cost to the NEXT_HOP;
 *   f) keep the route from the peer with the lowest BGP Identifier;
 *   g) keep the route from the peer with the lowest address.
 * RFC 4456 §9 replaces the BGP Identifier in f) by the ORIGINATOR_ID when
 * present and adds "shortest CLUSTER_LIST" before g).
 *
 * Where this code departs:
 * - Phase 1 is fixed: the degree of preference is LOCAL_PREF, 100 when a
 *   route has none (eBGP routes lose theirs on import), and locally
 *   originated routes beat every learned one (as BIRD's static protocol does
 *   with its higher preference).
 * - e) is skipped: the speaker has no IGP; every next hop costs the same.
 * - MED is compared across neighbour ASes only with always_compare_med; the
 *   neighbour AS of a route with an empty AS_PATH (from our own AS) is 0, so
 *   such routes compare MEDs among themselves.
 * - A final step keeps the lowest ADD-PATH path id, so that two paths from
 *   one peer still have a deterministic winner.
 * - Eliminations run over the whole candidate set, never pairwise, because
 *   the MED rule is not transitive and pairwise comparison would depend on
 *   the order paths arrived in. */
#include "speaker/rib_int.h"

#include <stdlib.h>
#include <string.h>

struct cand_ctx {
	struct rib *r;
	uint32_t *c;
	size_t n;
};

static const struct attr_set *cattr(const struct cand_ctx *x, size_t i)
{
	return attr_by_id(x->r->attrs, rib_path_at(x->r, x->c[i])->attr);
}

static const struct rib_peer *cpeer(const struct cand_ctx *x, size_t i)
{
	return &x->r->peers[rib_path_at(x->r, x->c[i])->peer];
}

typedef uint64_t (*key_fn)(const struct cand_ctx *x, size_t i);

/* Keeps only the candidates with the minimum key. */
static void keep_min(struct cand_ctx *x, key_fn key)
{
	uint64_t best = UINT64_MAX;
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++) {
		uint64_t k = key(x, i);

		if (k < best)
			best = k;
	}
	for (size_t i = 0; i < x->n; i++)
		if (key(x, i) == best)
			x->c[n++] = x->c[i];
	x->n = n;
}

static uint64_t key_not_local(const struct cand_ctx *x, size_t i)
{
	return rib_path_at(x->r, x->c[i])->peer != RIB_PEER_LOCAL;
}

static uint64_t key_local_pref(const struct cand_ctx *x, size_t i)
{
	const struct attr_set *a = cattr(x, i);
	uint32_t lp = (a->flags & ATTR_F_LOCAL_PREF) ? a->local_pref : RIB_DEFAULT_LOCAL_PREF;

	return UINT32_MAX - (uint64_t)lp; /* highest wins */
}

static uint64_t key_path_len(const struct cand_ctx *x, size_t i)
{
	return cattr(x, i)->path_len;
}

static uint64_t key_origin(const struct cand_ctx *x, size_t i)
{
	return cattr(x, i)->origin;
}

static uint64_t key_internal(const struct cand_ctx *x, size_t i)
{
	return cpeer(x, i)->pol.ibgp;
}

static uint64_t key_bgp_id(const struct cand_ctx *x, size_t i)
{
	const struct attr_set *a = cattr(x, i);

	if (a->flags & ATTR_F_ORIGINATOR_ID)
		return a->originator_id;
	return cpeer(x, i)->pol.router_id;
}

static uint64_t key_cluster_len(const struct cand_ctx *x, size_t i)
{
	return cattr(x, i)->n_cluster;
}

static uint64_t key_path_id(const struct cand_ctx *x, size_t i)
{
	return rib_path_at(x->r, x->c[i])->path_id;
}

/* Lowest peer address: family first, then the address bytes. */
static void keep_lowest_addr(struct cand_ctx *x)
{
	size_t best = 0, n = 0;

	for (size_t i = 1; i < x->n; i++) {
		const struct rib_peer_config *a = &cpeer(x, i)->cfg, *b = &cpeer(x, best)->cfg;

		if (a->addr_family < b->addr_family ||
		    (a->addr_family == b->addr_family && memcmp(a->addr, b->addr, 16) < 0))
			best = i;
	}
	const struct rib_peer_config *bc = &cpeer(x, best)->cfg;
	for (size_t i = 0; i < x->n; i++) {
		const struct rib_peer_config *a = &cpeer(x, i)->cfg;

		if (a->addr_family == bc->addr_family && memcmp(a->addr, bc->addr, 16) == 0)
			x->c[n++] = x->c[i];
	}
	x->n = n;
}

/* §9.1.2.2 c): a route loses if another route from the same neighbour AS
 * (any AS with always_compare_med) has a lower MED. */
static void eliminate_med(struct cand_ctx *x)
{
	bool always = x->r->cfg.always_compare_med;
	size_t n = 0;

	for (size_t i = 0; i < x->n; i++) {
		const struct attr_set *a = cattr(x, i);
		uint32_t nas = attr_path_first_as(a);
		bool lose = false;

		for (size_t j = 0; j < x->n && !lose; j++) {
			const struct attr_set *b = cattr(x, j);

			if (j == i || b->med >= a->med)
				continue;
			lose = always || attr_path_first_as(b) == nas;
		}
		if (!lose)
			x->c[n++] = x->c[i];
	}
	x->n = n;
}

uint32_t rib_decide(struct rib *r, uint32_t head)
{
	struct cand_ctx x = {.r = r};
	size_t count = 0;
	uint32_t i, best, prev;

	if (!head || !rib_path_at(r, head)->next)
		return head;
	for (i = head; i; i = rib_path_at(r, i)->next)
		count++;
	if (count > r->cand_cap) {
		size_t cap = count * 2;
		uint32_t *c = realloc(r->cand, cap * sizeof(*c));

		if (!c)
			return head; /* keep the current best rather than fail */
		r->cand = c;
		r->cand_cap = cap;
	}
	x.c = r->cand;
	for (i = head; i; i = rib_path_at(r, i)->next)
		x.c[x.n++] = i;

	keep_min(&x, key_not_local);
	keep_min(&x, key_local_pref);
	keep_min(&x, key_path_len);
	keep_min(&x, key_origin);
	eliminate_med(&x);
	keep_min(&x, key_internal);
	keep_min(&x, key_bgp_id);
	keep_min(&x, key_cluster_len);
	keep_lowest_addr(&x);
	keep_min(&x, key_path_id);

	best = x.c[0];
	if (best == head)
		return head;
	/* Unlink best and put it first. */
	for (prev = head; rib_path_at(r, prev)->next != best; prev = rib_path_at(r, prev)->next)
		;
	rib_path_at(r, prev)->next = rib_path_at(r, best)->next;
	rib_path_at(r, best)->next = head;
	return best;
}
