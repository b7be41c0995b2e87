/* The RIB core: peers, the Adj-RIB-In (paths per prefix), best-path changes
 * and background sweeps. The decision itself is in rib_decide.c, outbound
 * queues in rib_out.c, iteration in rib_walk.c. */
#include "speaker/rib_int.h"
#include "speaker/bigmem.h"

#include "lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The best path of a prefix before a change, with a reference on its
 * attributes so that an in-place replacement cannot free them. */
struct saved_best {
	uint32_t path; /* 0 = none */
	uint16_t peer;
	uint32_t path_id;
	bool stale;
	struct attr_set *attrs;
};

static bool path_stale(const struct rib *r, const struct rib_path *p)
{
	return p->epoch != r->peers[p->peer].epoch;
}

static void save_best(struct rib *r, uint32_t head, struct saved_best *s)
{
	memset(s, 0, sizeof(*s));
	if (!head)
		return;
	const struct rib_path *p = rib_path_at(r, head);

	s->path = head;
	s->peer = p->peer;
	s->path_id = p->path_id;
	s->stale = path_stale(r, p);
	s->attrs = attr_ref(attr_by_id(r->attrs, p->attr));
}

/* Tells the owner and the outbound queues about a best-path change, if there
 * was one, and releases *old. */
static void best_update(struct rib *r, enum bgp_family fam, uint32_t idx, struct saved_best *old)
{
	uint32_t head = r->tab[fam].values[idx];
	const struct rib_path *np = head ? rib_path_at(r, head) : NULL;
	struct attr_set *na = np ? attr_by_id(r->attrs, np->attr) : NULL;

	if (old->path != head || old->attrs != na) {
		struct bgp_prefix pfx, opfx;
		struct rib_route o = {0}, n = {0};

		ptab_prefix(&r->tab[fam], idx, &pfx);
		opfx = pfx;
		if (old->path) {
			opfx.path_id = old->path_id;
			o = (struct rib_route){&opfx, old->peer, old->stale, old->attrs};
			r->peers[old->peer].best--;
		}
		if (np) {
			pfx.path_id = np->path_id;
			n = (struct rib_route){&pfx, np->peer, path_stale(r, np), na};
			r->peers[np->peer].best++;
		}
		if (r->hooks.best_changed)
			r->hooks.best_changed(r->hooks.ctx, &pfx, old->path ? &o : NULL,
					      np ? &n : NULL);
		rib_out_mark(r, fam, idx, old->path ? old->peer : -1, np ? np->peer : -1);
	}
	if (!old->path && head)
		r->n_prefixes[fam]++;
	else if (old->path && !head)
		r->n_prefixes[fam]--;
	attr_unref(r->attrs, old->attrs);
	old->attrs = NULL;
	if (!head)
		rib_prefix_maybe_free(r, fam, idx);
}

static uint32_t path_alloc(struct rib *r)
{
	uint32_t i;

	if (r->free_path) {
		i = r->free_path;
		r->free_path = r->paths[i].next;
	} else {
		if (r->paths_top >= r->paths_cap) {
			uint32_t cap = r->paths_cap + r->paths_cap / 2;
			struct rib_path *n = bigmem_grow(r->paths, (size_t)r->paths_cap * sizeof(*n),
							 (size_t)cap * sizeof(*n));

			if (!n)
				return 0;
			r->paths = n;
			r->paths_cap = cap;
		}
		i = r->paths_top++;
	}
	memset(&r->paths[i], 0, sizeof(r->paths[i]));
	r->paths_live++;
	return i;
}

static void path_free(struct rib *r, uint32_t i)
{
	struct rib_path *p = &r->paths[i];
	struct rib_peer *peer = &r->peers[p->peer];

	attr_unref(r->attrs, attr_by_id(r->attrs, p->attr));
	peer->received--;
	if (path_stale(r, p))
		peer->stale--;
	p->next = r->free_path;
	r->free_path = i;
	r->paths_live--;
}

/* A prefix with no paths gets its first, which is the best at once: the
 * common case of a table dump, so it skips the general path (no list to
 * search, no decision to run, no previous best to save). */
static int prefix_first_path(struct rib *r, enum bgp_family fam, uint32_t idx, uint16_t peer_id,
			     uint32_t path_id, struct attr_set *a)
{
	struct ptab *t = &r->tab[fam];
	struct rib_peer *peer = &r->peers[peer_id];
	uint32_t n = path_alloc(r);
	struct rib_path *q;

	if (!n) {
		rib_prefix_maybe_free(r, fam, idx);
		return -ENOMEM;
	}
	q = rib_path_at(r, n);
	q->attr = attr_ref(a)->id;
	q->path_id = path_id;
	q->peer = peer_id;
	q->epoch = peer->epoch;
	peer->received++;
	peer->best++;
	t->values[idx] = n;
	r->n_prefixes[fam]++;
	if (r->hooks.best_changed) {
		struct bgp_prefix pfx;
		struct rib_route nr;

		ptab_prefix(t, idx, &pfx);
		pfx.path_id = path_id;
		nr = (struct rib_route){&pfx, peer_id, false, a};
		r->hooks.best_changed(r->hooks.ctx, &pfx, NULL, &nr);
	}
	rib_out_mark(r, fam, idx, -1, peer_id);
	return 0;
}

int rib_prefix_set(struct rib *r, const struct bgp_prefix *p, uint16_t peer_id, struct attr_set *a)
{
	enum bgp_family fam = p->family;
	struct ptab *t = &r->tab[fam];
	struct rib_peer *peer = &r->peers[peer_id];
	struct saved_best old;
	uint32_t idx, i, prev = 0;
	bool created;

	idx = a ? ptab_get(t, p, &created) : ptab_find(t, p);
	if (!idx)
		return a ? -ENOMEM : 0;
	if (a && !t->values[idx])
		return prefix_first_path(r, fam, idx, peer_id, p->path_id, a);
	for (i = t->values[idx]; i; prev = i, i = rib_path_at(r, i)->next) {
		const struct rib_path *q = rib_path_at(r, i);

		if (q->peer == peer_id && q->path_id == p->path_id)
			break;
	}
	if (!a && !i)
		return 0;
	if (a && i && rib_path_at(r, i)->attr == a->id && !path_stale(r, rib_path_at(r, i)))
		return 0; /* a repeat of what we hold */
	save_best(r, t->values[idx], &old);
	if (a && i) {
		struct rib_path *q = rib_path_at(r, i);

		attr_unref(r->attrs, attr_by_id(r->attrs, q->attr));
		q->attr = attr_ref(a)->id;
		if (path_stale(r, q))
			peer->stale--;
		q->epoch = peer->epoch;
	} else if (a) {
		uint32_t n = path_alloc(r);
		struct rib_path *q;

		if (!n) {
			attr_unref(r->attrs, old.attrs);
			if (!t->values[idx])
				rib_prefix_maybe_free(r, fam, idx);
			return -ENOMEM;
		}
		q = rib_path_at(r, n);
		q->attr = attr_ref(a)->id;
		q->path_id = p->path_id;
		q->peer = peer_id;
		q->epoch = peer->epoch;
		peer->received++;
		/* Second in the list: the head is the current best. */
		if (t->values[idx]) {
			q->next = rib_path_at(r, t->values[idx])->next;
			rib_path_at(r, t->values[idx])->next = n;
		} else {
			t->values[idx] = n;
		}
	} else {
		uint32_t next = rib_path_at(r, i)->next;

		if (prev)
			rib_path_at(r, prev)->next = next;
		else
			t->values[idx] = next;
		path_free(r, i);
	}
	t->values[idx] = rib_decide(r, t->values[idx]);
	best_update(r, fam, idx, &old);
	return 0;
}

size_t rib_prefix_drop_peer(struct rib *r, enum bgp_family fam, uint32_t idx, uint16_t peer,
			    bool stale_only)
{
	struct ptab *t = &r->tab[fam];
	struct saved_best old;
	uint32_t i, prev = 0, next;
	size_t dropped = 0;

	save_best(r, t->values[idx], &old);
	for (i = t->values[idx]; i; i = next) {
		const struct rib_path *q = rib_path_at(r, i);

		next = q->next;
		if (q->peer != peer || (stale_only && !path_stale(r, q))) {
			prev = i;
			continue;
		}
		if (prev)
			rib_path_at(r, prev)->next = next;
		else
			t->values[idx] = next;
		path_free(r, i);
		dropped++;
	}
	if (!dropped) {
		attr_unref(r->attrs, old.attrs);
		return 0;
	}
	t->values[idx] = rib_decide(r, t->values[idx]);
	best_update(r, fam, idx, &old);
	return dropped;
}

static int check_prefix(const struct bgp_prefix *p, struct err *e)
{
	if (p->family >= BGP_FAM_COUNT)
		return err_set(e, -EINVAL, "prefix family %u: not IPv4 or IPv6", p->family);
	if (p->len > (p->family == BGP_FAM_IPV4 ? 32 : 128))
		return err_set(e, -EINVAL, "prefix length %u: too long for %s", p->len,
			       p->family == BGP_FAM_IPV4 ? "IPv4" : "IPv6");
	return 0;
}

static int check_prefixes(const struct bgp_prefix *p, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int rc = check_prefix(&p[i], e);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static struct rib_peer *peer_get(struct rib *r, uint16_t id)
{
	return id < r->peers_cap && r->peers[id].used ? &r->peers[id] : NULL;
}

int rib_new(const struct rib_config *cfg, const struct rib_hooks *hooks, struct rib **out,
	    struct err *e)
{
	struct rib *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return err_set(e, -ENOMEM, "rib: out of memory");
	r->cfg = *cfg;
	if (hooks)
		r->hooks = *hooks;
	r->self.router_id = cfg->router_id;
	r->self.local_as = cfg->local_as;
	r->self.cluster_id = cfg->cluster_id ? cfg->cluster_id : cfg->router_id;
	r->attrs = attr_store_new();
	r->paths_cap = 1024;
	r->paths = bigmem_grow(NULL, 0, (size_t)r->paths_cap * sizeof(*r->paths));
	r->peers_cap = 16;
	r->peers = calloc(r->peers_cap, sizeof(*r->peers));
	r->up = calloc(r->peers_cap, sizeof(*r->up));
	if (!r->attrs || !r->paths || !r->peers || !r->up) {
		rib_free(r);
		return err_set(e, -ENOMEM, "rib: out of memory");
	}
	r->paths_top = 1;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		ptab_init(&r->tab[f], (enum bgp_family)f);
	/* Peer 0: ourselves, the source of originated routes. */
	r->peers[0].used = true;
	r->peers[0].cfg.remote_as = cfg->local_as;
	r->peers[0].cfg.local_as = cfg->local_as;
	r->peers[0].pol.id = RIB_PEER_LOCAL;
	r->peers[0].pol.local_as = cfg->local_as;
	r->peers[0].pol.router_id = cfg->router_id;
	*out = r;
	return 0;
}

void rib_free(struct rib *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->peers_cap; i++)
		if (r->peers && r->peers[i].up)
			rib_peer_down(r, (uint16_t)i, true);
	while (r->groups)
		rib_group_put(r, r->groups); /* only reached for leaked groups */
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		ptab_free(&r->tab[f]);
	bigmem_free(r->paths, (size_t)r->paths_cap * sizeof(*r->paths));
	free(r->peers);
	free(r->up);
	free(r->cand);
	free(r->gs.keys);
	free(r->gs.ids);
	free(r->gs.count);
	free(r->gs.sorted);
	free(r->gs.first);
	attr_store_free(r->attrs);
	free(r);
}

struct attr_store *rib_attrs(struct rib *r)
{
	return r->attrs;
}

const struct rib_config *rib_get_config(const struct rib *r)
{
	return &r->cfg;
}

size_t rib_bytes(const struct rib *r)
{
	size_t n = sizeof(*r) + attr_store_bytes(r->attrs) + (size_t)r->paths_cap * sizeof(*r->paths) +
		   r->peers_cap * (sizeof(*r->peers) + sizeof(*r->up)) +
		   r->cand_cap * sizeof(*r->cand) + rib_out_bytes(r) +
		   r->gs.slots * (sizeof(*r->gs.keys) + sizeof(*r->gs.ids)) +
		   r->gs.cap * (sizeof(*r->gs.count) + sizeof(*r->gs.sorted) + sizeof(*r->gs.first));

	for (int f = 0; f < BGP_FAM_COUNT; f++)
		n += ptab_bytes(&r->tab[f]);
	return n;
}

size_t rib_prefix_count(const struct rib *r, enum bgp_family fam)
{
	return fam < BGP_FAM_COUNT ? r->n_prefixes[fam] : 0;
}

int rib_peer_add(struct rib *r, const struct rib_peer_config *cfg, struct err *e)
{
	size_t id;

	if (cfg->addr_family >= BGP_FAM_COUNT)
		return err_set(e, -EINVAL, "peer address family %u: not IPv4 or IPv6",
			       cfg->addr_family);
	if (cfg->nh_mode > RIB_NH_KEEP)
		return err_set(e, -EINVAL, "next hop mode %d: not Auto, Self or Keep", cfg->nh_mode);
	for (id = 1; id < r->peers_cap && r->peers[id].used; id++)
		;
	if (id > RIB_PEER_MAX)
		return err_set(e, -ENOSPC, "rib: more than %d peers", RIB_PEER_MAX);
	if (id == r->peers_cap) {
		size_t cap = r->peers_cap * 2;
		struct rib_peer *p = realloc(r->peers, cap * sizeof(*p));
		uint16_t *up;

		if (!p)
			return err_set(e, -ENOMEM, "rib: out of memory");
		memset(p + r->peers_cap, 0, (cap - r->peers_cap) * sizeof(*p));
		r->peers = p;
		up = realloc(r->up, cap * sizeof(*up));
		if (!up)
			return err_set(e, -ENOMEM, "rib: out of memory");
		r->up = up;
		r->peers_cap = cap;
	}
	struct rib_peer *p = &r->peers[id];
	uint8_t epoch = p->epoch; /* keep counting so old paths never look fresh */

	memset(p, 0, sizeof(*p));
	p->used = true;
	p->epoch = (uint8_t)(epoch + 1);
	p->cfg = *cfg;
	if (!p->cfg.local_as)
		p->cfg.local_as = r->cfg.local_as;
	p->pol.id = (uint16_t)id;
	p->pol.local_as = p->cfg.local_as;
	p->pol.ibgp = p->cfg.remote_as == p->cfg.local_as;
	p->pol.rr_client = cfg->rr_client;
	p->pol.nh_mode = cfg->nh_mode;
	p->pol.keep_original_nh = cfg->keep_original_nh;
	p->pol.allow_local_as = cfg->allow_local_as;
	return (int)id;
}

/* Schedules a sweep of the peer's stale paths in family f. */
static void sweep_start(struct rib *r, struct rib_peer *p, enum bgp_family f)
{
	if (!p->sweeping[f])
		r->n_sweeping++;
	p->sweeping[f] = true;
	p->sweep_cursor[f] = 1;
}

int rib_peer_remove(struct rib *r, uint16_t id, struct err *e)
{
	struct rib_peer *p = peer_get(r, id);

	if (!p || id == RIB_PEER_LOCAL)
		return err_set(e, -ENOENT, "rib: no peer %u", id);
	if (p->up)
		rib_peer_down(r, id, false);
	else
		p->epoch++;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (p->sweeping[f])
			r->n_sweeping--;
		p->sweeping[f] = false;
		for (uint32_t i = 1; i < r->tab[f].top; i++)
			if (r->tab[f].values[i])
				rib_prefix_drop_peer(r, (enum bgp_family)f, i, id, false);
	}
	p->used = false;
	return 0;
}

int rib_peer_stats(const struct rib *r, uint16_t id, struct rib_peer_stats *st)
{
	const struct rib_peer *p = id < r->peers_cap && r->peers[id].used ? &r->peers[id] : NULL;

	memset(st, 0, sizeof(*st));
	if (!p)
		return -ENOENT;
	st->received = p->received;
	st->stale = p->stale;
	st->best = p->best;
	st->rejected = p->rejected;
	if (p->up) {
		st->advertised = p->out.advertised;
		st->pending = rib_out_queued(&p->out);
	}
	return 0;
}

int rib_peer_up(struct rib *r, uint16_t id, const struct rib_peer_session *s, struct err *e)
{
	struct rib_peer *p = peer_get(r, id);

	if (!p || id == RIB_PEER_LOCAL)
		return err_set(e, -ENOENT, "rib: no peer %u", id);
	if (p->up)
		return err_set(e, -EALREADY, "rib: peer %u is already up", id);
	p->pol.router_id = s->router_id;
	p->pol.has_local4 = s->has_local4;
	p->pol.has_local6 = s->has_local6;
	p->pol.has_local6_ll = s->has_local6_ll;
	memcpy(p->pol.local4, s->local4, 4);
	memcpy(p->pol.local6, s->local6, 16);
	memcpy(p->pol.local6_ll, s->local6_ll, 16);
	p->group = rib_group_get(r, &p->pol);
	if (!p->group)
		return err_set(e, -ENOMEM, "rib: out of memory");
	memset(&p->out, 0, sizeof(p->out));
	bool any = false;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		any |= s->families[f];
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		p->out.families[f] = any ? s->families[f] : f == BGP_FAM_IPV4;
	p->up = true;
	r->up[r->n_up++] = id;
	rib_out_init(r, p);
	return 0;
}

int rib_peer_down(struct rib *r, uint16_t id, bool keep_stale)
{
	struct rib_peer *p = peer_get(r, id);

	if (!p || id == RIB_PEER_LOCAL)
		return -ENOENT;
	if (p->up) {
		for (size_t i = 0; i < r->n_up; i++) {
			if (r->up[i] == id) {
				r->up[i] = r->up[--r->n_up];
				break;
			}
		}
		p->up = false;
		rib_out_fini(r, p);
		rib_group_put(r, p->group);
		p->group = NULL;
	}
	/* All paths become stale in O(1): they keep the old epoch. */
	p->epoch++;
	p->stale = p->received;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!keep_stale) {
			sweep_start(r, p, (enum bgp_family)f);
		} else if (p->sweeping[f]) {
			/* A sweep still pending from an End-of-RIB would now
			 * remove the paths kept over the restart; the paths it
			 * meant stay stale and go with the next sweep. */
			p->sweeping[f] = false;
			r->n_sweeping--;
		}
	}
	return 0;
}

int rib_peer_sweep_stale(struct rib *r, uint16_t id, enum bgp_family fam)
{
	struct rib_peer *p = peer_get(r, id);

	if (!p || id == RIB_PEER_LOCAL || fam > BGP_FAM_COUNT)
		return -ENOENT;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		if (fam == BGP_FAM_COUNT || (int)fam == f)
			sweep_start(r, p, (enum bgp_family)f);
	return 0;
}

bool rib_work(struct rib *r, size_t budget)
{
	for (size_t id = 1; id < r->peers_cap && r->n_sweeping && budget; id++) {
		struct rib_peer *p = &r->peers[id];

		for (int f = 0; f < BGP_FAM_COUNT && budget; f++) {
			struct ptab *t = &r->tab[f];

			if (!p->sweeping[f])
				continue;
			if (!p->stale)
				p->sweep_cursor[f] = t->top; /* nothing left to sweep */
			while (budget && p->sweep_cursor[f] < t->top) {
				uint32_t i = p->sweep_cursor[f]++;

				budget--;
				if (t->values[i])
					rib_prefix_drop_peer(r, (enum bgp_family)f, i, (uint16_t)id,
							     true);
			}
			if (p->sweep_cursor[f] >= t->top) {
				p->sweeping[f] = false;
				r->n_sweeping--;
			}
		}
	}
	return r->n_sweeping > 0;
}

int rib_import(struct rib *r, uint16_t id, struct attr_set *attrs, size_t n, struct attr_set **imp,
	       struct err *e)
{
	struct rib_peer *p = &r->peers[id];
	enum policy_verdict v;

	*imp = NULL;
	v = policy_import(&r->self, &p->pol, r->attrs, attrs, imp);
	if (v == POLICY_REJECT_NOMEM)
		return err_set(e, -ENOMEM, "rib: out of memory");
	if (v != POLICY_ACCEPT) {
		p->rejected += n;
		log_debug("rib: peer %u: %zu prefixes rejected: %s", id, n,
			  policy_verdict_name(v));
		return 0;
	}
	return 1;
}

int rib_announce(struct rib *r, uint16_t id, struct attr_set *attrs, const struct bgp_prefix *nlri,
		 size_t n, struct err *e)
{
	struct rib_peer *p = peer_get(r, id);
	struct attr_set *imp = NULL;
	int rc;

	if (!p || (id != RIB_PEER_LOCAL && !p->up))
		return err_set(e, -ENOTCONN, "rib: peer %u is not established", id);
	rc = check_prefixes(nlri, n, e);
	if (rc < 0)
		return rc;
	rc = rib_import(r, id, attrs, n, &imp, e);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		/* RFC 4271 §9.1.2: not eligible, so it replaces (withdraws) what
		 * the peer sent before for these prefixes. */
		for (size_t i = 0; i < n; i++)
			rib_prefix_set(r, &nlri[i], id, NULL);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		rc = rib_prefix_set(r, &nlri[i], id, imp);
		if (rc < 0) {
			attr_unref(r->attrs, imp);
			return err_set(e, rc, "rib: out of memory");
		}
	}
	attr_unref(r->attrs, imp);
	return (int)n;
}

int rib_withdraw(struct rib *r, uint16_t id, const struct bgp_prefix *prefixes, size_t n,
		 struct err *e)
{
	struct rib_peer *p = peer_get(r, id);
	int rc;

	if (!p || (id != RIB_PEER_LOCAL && !p->up))
		return err_set(e, -ENOTCONN, "rib: peer %u is not established", id);
	rc = check_prefixes(prefixes, n, e);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		rib_prefix_set(r, &prefixes[i], id, NULL);
	return 0;
}

int rib_originate(struct rib *r, const struct bgp_prefix *p, const uint32_t *communities,
		  size_t n_communities, const uint32_t *large, size_t n_large, struct err *e)
{
	struct attr_in in = {0};
	struct attr_set *a;
	struct bgp_prefix q;
	int rc;

	rc = check_prefix(p, e);
	if (rc < 0)
		return rc;
	if (n_communities > 16383 || n_large > 5461)
		return err_set(e, -EINVAL, "rib: %zu communities, %zu large communities: too many",
			       n_communities, n_large);
	in.origin = BGP_ORIGIN_IGP;
	in.communities = communities;
	in.n_communities = (uint16_t)n_communities;
	in.large = large;
	in.n_large = (uint16_t)n_large;
	a = attr_intern(r->attrs, &in);
	if (!a)
		return err_set(e, -ENOMEM, "rib: out of memory");
	q = *p;
	q.path_id = 0;
	rc = rib_prefix_set(r, &q, RIB_PEER_LOCAL, a);
	attr_unref(r->attrs, a);
	return rc < 0 ? err_set(e, rc, "rib: out of memory") : 0;
}

int rib_unoriginate(struct rib *r, const struct bgp_prefix *p, struct err *e)
{
	struct bgp_prefix q;
	int rc = check_prefix(p, e);

	if (rc < 0)
		return rc;
	q = *p;
	q.path_id = 0;
	return rib_prefix_set(r, &q, RIB_PEER_LOCAL, NULL);
}
