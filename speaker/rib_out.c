/* Outbound: per-peer queues of changed prefixes, pulled in slices, and the
 * update-group export cache.
 *
 * There is no stored Adj-RIB-Out. What a peer holds is the export of the
 * current best path, and one bit per prefix records that it holds anything
 * (so a withdrawal goes only where an announcement went). A change to a best
 * path sets the prefix's "pending" bit and queues its index once; the pull
 * evaluates the export at that moment, so several changes between pulls cost
 * one announcement. A full dump (session up, route refresh) is a cursor over
 * the prefix table rather than a queue of a million entries.
 *
 * An empty prefix stays in the table (a "zombie") while some peer still has
 * it queued, so that its key is known when the withdrawal is pulled. */
#include "speaker/rib_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Per-call cap on prefixes a dump visits, as a multiple of `max`, so that a
 * dump over routes the peer does not get (its own) still yields often. */
#define RIB_DUMP_VISIT_FACTOR 16
/* Queued changes per peer before it switches to scanning its pending bits
 * (struct rib_out.scan): 256 KB of queue. */
#define RIB_FIFO_MAX 65536

bool rib_out_bit(const uint64_t *bits, size_t words, uint32_t idx)
{
	return idx / 64 < words && (bits[idx / 64] >> (idx % 64)) & 1;
}

/* Makes both bitmaps of family f cover idx. */
static int bits_cover(struct rib_out *o, int f, uint32_t idx)
{
	size_t need = idx / 64 + 1, words;
	uint64_t *a, *p;

	if (need <= o->words[f])
		return 0;
	words = need + need / 2 + 16;
	a = realloc(o->adv[f], words * sizeof(*a));
	if (!a)
		return -ENOMEM;
	o->adv[f] = a;
	p = realloc(o->pend[f], words * sizeof(*p));
	if (!p)
		return -ENOMEM;
	o->pend[f] = p;
	memset(a + o->words[f], 0, (words - o->words[f]) * sizeof(*a));
	memset(p + o->words[f], 0, (words - o->words[f]) * sizeof(*p));
	o->words[f] = words;
	return 0;
}

static void bit_put(uint64_t *bits, size_t words, uint32_t idx, bool on)
{
	if (idx / 64 >= words)
		return;
	if (on)
		bits[idx / 64] |= 1ULL << (idx % 64);
	else
		bits[idx / 64] &= ~(1ULL << (idx % 64));
}

static int fifo_push(struct rib_out *o, uint32_t v)
{
	if (o->fifo_len == o->fifo_cap) {
		size_t cap = o->fifo_cap ? o->fifo_cap * 2 : 256;
		uint32_t *n = malloc(cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		for (size_t i = 0; i < o->fifo_len; i++)
			n[i] = o->fifo[(o->fifo_head + i) & (o->fifo_cap - 1)];
		free(o->fifo);
		o->fifo = n;
		o->fifo_cap = cap;
		o->fifo_head = 0;
	}
	o->fifo[(o->fifo_head + o->fifo_len++) & (o->fifo_cap - 1)] = v;
	return 0;
}

static uint32_t fifo_peek(const struct rib_out *o)
{
	return o->fifo[o->fifo_head];
}

static void fifo_pop(struct rib_out *o)
{
	o->fifo_head = (o->fifo_head + 1) & (o->fifo_cap - 1);
	o->fifo_len--;
}

static bool dumping(const struct rib_out *o)
{
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		if (o->dumping[f] || o->eor_due[f])
			return true;
	return false;
}

/* Calls fn on every prefix index whose pending bit is set. */
static void for_each_pending(const struct rib_out *o, enum bgp_family f,
			     void (*fn)(struct rib *r, enum bgp_family f, uint32_t idx), struct rib *r)
{
	for (size_t w = 0; w < o->words[f]; w++)
		for (uint64_t bits = o->pend[f][w]; bits; bits &= bits - 1)
			fn(r, f, (uint32_t)(w * 64 + (unsigned)__builtin_ctzll(bits)));
}

static void free_if_zombie(struct rib *r, enum bgp_family f, uint32_t idx)
{
	if (ptab_in_use(&r->tab[f], idx) && !r->tab[f].values[idx])
		rib_prefix_maybe_free(r, f, idx);
}

static void ready(struct rib *r, struct rib_peer *p)
{
	if (r->hooks.out_ready)
		r->hooks.out_ready(r->hooks.ctx, p->pol.id);
}

void rib_out_init(struct rib *r, struct rib_peer *p)
{
	struct rib_out *o = &p->out;

	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!o->families[f])
			continue;
		o->dumping[f] = true;
		o->dump_cursor[f] = 1;
		o->eor_due[f] = true;
	}
	ready(r, p);
}

void rib_out_fini(struct rib *r, struct rib_peer *p)
{
	struct rib_out *o = &p->out;
	uint32_t *fifo = o->fifo;
	size_t head = o->fifo_head, len = o->fifo_len, cap = o->fifo_cap;

	/* In scan mode the pending bits are the queue: prefixes only this
	 * peer still needed can go (it is no longer in r->up). */
	for (int f = 0; f < BGP_FAM_COUNT && o->scan; f++)
		for_each_pending(o, (enum bgp_family)f, free_if_zombie, r);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		free(o->adv[f]);
		free(o->pend[f]);
	}
	memset(o, 0, sizeof(*o));
	/* Prefixes only this peer still needed can go now (the peer is no
	 * longer in r->up). */
	for (size_t i = 0; i < len; i++) {
		uint32_t v = fifo[(head + i) & (cap - 1)];
		enum bgp_family f = (enum bgp_family)(v >> 31);
		uint32_t idx = v & 0x7fffffff;

		if (ptab_in_use(&r->tab[f], idx) && !r->tab[f].values[idx])
			rib_prefix_maybe_free(r, f, idx);
	}
	free(fifo);
}

void rib_prefix_maybe_free(struct rib *r, enum bgp_family fam, uint32_t idx)
{
	for (size_t i = 0; i < r->n_up; i++) {
		const struct rib_out *o = &r->peers[r->up[i]].out;

		if (rib_out_bit(o->adv[fam], o->words[fam], idx) ||
		    rib_out_bit(o->pend[fam], o->words[fam], idx))
			return;
	}
	ptab_del(&r->tab[fam], idx);
}

void rib_out_mark(struct rib *r, enum bgp_family fam, uint32_t idx, int old_peer, int new_peer)
{
	for (size_t i = 0; i < r->n_up; i++) {
		struct rib_peer *p = &r->peers[r->up[i]];
		struct rib_out *o = &p->out;
		int id = p->pol.id;
		bool adv;

		if (!o->families[fam])
			continue;
		/* Split horizon: the peer got neither the old nor the new. */
		if ((old_peer < 0 || old_peer == id) && (new_peer < 0 || new_peer == id))
			continue;
		adv = rib_out_bit(o->adv[fam], o->words[fam], idx);
		/* A running dump will reach it; queue it anyway when the peer
		 * holds it, so that an emptied prefix is always queued. */
		if (o->dumping[fam] && idx >= o->dump_cursor[fam] && !adv)
			continue;
		if (rib_out_bit(o->pend[fam], o->words[fam], idx))
			continue;
		if (bits_cover(o, fam, idx) < 0) {
			/* Without memory for the bits, resend everything later. */
			o->dumping[fam] = true;
			o->dump_cursor[fam] = 1;
			continue;
		}
		if (!o->scan && (o->fifo_len >= RIB_FIFO_MAX ||
				 fifo_push(o, idx | (uint32_t)fam << 31) < 0)) {
			o->scan = true;
			o->scan_behind = false;
			memset(o->scan_cursor, 0, sizeof(o->scan_cursor));
			ready(r, p);
		}
		if (o->scan && idx < o->scan_cursor[fam])
			o->scan_behind = true;
		bit_put(o->pend[fam], o->words[fam], idx, true);
		if (o->fifo_len == 1 && !o->scan && !dumping(o))
			ready(r, p);
	}
}

/* --- update groups ------------------------------------------------------ */

static void group_key(const struct policy_peer *pol, struct policy_peer *key)
{
	memset(key, 0, sizeof(*key));
	key->id = RIB_PEER_GROUP;
	key->ibgp = pol->ibgp;
	key->rr_client = pol->rr_client;
	key->local_as = pol->local_as;
	key->nh_mode = pol->nh_mode;
	key->keep_original_nh = pol->keep_original_nh;
	key->has_local4 = pol->has_local4;
	key->has_local6 = pol->has_local6;
	key->has_local6_ll = pol->has_local6_ll;
	memcpy(key->local4, pol->local4, 4);
	memcpy(key->local6, pol->local6, 16);
	memcpy(key->local6_ll, pol->local6_ll, 16);
}

static void cache_flush(struct rib *r, struct rib_group *g)
{
	for (size_t i = 0; i < g->cap; i++)
		if (g->tab[i].serial)
			attr_unref(r->attrs, g->tab[i].out);
	memset(g->tab, 0, g->cap * sizeof(*g->tab));
	g->n = 0;
}

struct rib_group *rib_group_get(struct rib *r, const struct policy_peer *pol)
{
	struct policy_peer key;
	struct rib_group *g;

	group_key(pol, &key);
	for (g = r->groups; g; g = g->next) {
		if (memcmp(&g->key, &key, sizeof(key)) == 0) {
			g->users++;
			return g;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->cap = 256;
	g->tab = calloc(g->cap, sizeof(*g->tab));
	if (!g->tab) {
		free(g);
		return NULL;
	}
	g->key = key;
	g->users = 1;
	g->next = r->groups;
	r->groups = g;
	return g;
}

void rib_group_put(struct rib *r, struct rib_group *g)
{
	struct rib_group **pp;

	if (!g || --g->users > 0)
		return;
	cache_flush(r, g);
	for (pp = &r->groups; *pp; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	free(g->tab);
	free(g);
}

static size_t xhash(uint64_t serial, uint16_t src, uint8_t fam, size_t cap)
{
	uint64_t h = (serial * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)src << 8 | fam);

	h *= 0xff51afd7ed558ccdULL;
	return (size_t)(h >> 20) & (cap - 1);
}

static struct rib_xent *cache_slot(struct rib_group *g, uint64_t serial, uint16_t src, uint8_t fam)
{
	size_t i = xhash(serial, src, fam, g->cap);

	for (;; i = (i + 1) & (g->cap - 1)) {
		struct rib_xent *x = &g->tab[i];

		if (!x->serial || (x->serial == serial && x->src == src && x->fam == fam))
			return x;
	}
}

static int cache_grow(struct rib *r, struct rib_group *g)
{
	size_t live = attr_store_count(r->attrs);

	/* Entries whose input set died are garbage: start over rather than
	 * grow past a few times the live sets. */
	if (g->n > 4 * live + 4096) {
		cache_flush(r, g);
		return 0;
	}
	size_t cap = g->cap * 2;
	struct rib_xent *old = g->tab, *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	g->tab = n;
	for (size_t i = 0; i < g->cap; i++)
		if (old[i].serial)
			*cache_slot(g, old[i].serial, old[i].src, old[i].fam) = old[i];
	free(old);
	g->cap = cap;
	return 0;
}

struct attr_set *rib_out_export(struct rib *r, struct rib_peer *p, enum bgp_family fam,
				uint32_t idx)
{
	uint32_t head = r->tab[fam].values[idx];
	const struct rib_path *path;
	struct rib_group *g = p->group;
	struct attr_set *in, *out;
	struct rib_xent *x;
	bool nomem;

	if (!head)
		return NULL;
	path = rib_path_at(r, head);
	if (path->peer == p->pol.id)
		return NULL; /* never back to where it came from */
	in = attr_by_id(r->attrs, path->attr);
	if (r->export_filter) {
		struct bgp_prefix pfx;

		ptab_prefix(&r->tab[fam], idx, &pfx);
		pfx.path_id = path->path_id;
		if (!r->export_filter(r->export_ctx, &pfx, path->peer, in))
			return NULL;
	}
	x = cache_slot(g, in->serial, path->peer, (uint8_t)fam);
	if (x->serial)
		return attr_ref(x->out);
	out = policy_export(&r->self, &r->peers[path->peer].pol, &g->key, fam, r->attrs, in,
			    &nomem);
	if (nomem)
		return NULL;
	if ((g->n + 1) * 2 > g->cap) {
		if (cache_grow(r, g) < 0)
			return out; /* uncached, still correct */
		x = cache_slot(g, in->serial, path->peer, (uint8_t)fam);
	}
	x->serial = in->serial;
	x->src = path->peer;
	x->fam = (uint8_t)fam;
	x->out = attr_ref(out);
	g->n++;
	return out;
}

/* --- pulling ------------------------------------------------------------ */

void rib_out_batch_init(struct rib_out_batch *b)
{
	memset(b, 0, sizeof(*b));
}

void rib_out_batch_clear(struct rib *r, struct rib_out_batch *b)
{
	for (size_t i = 0; i < b->n_groups; i++)
		attr_unref(r->attrs, b->groups[i].attrs);
	b->n_groups = 0;
	b->n_prefixes = 0;
	b->eor = false;
}

void rib_out_batch_free(struct rib *r, struct rib_out_batch *b)
{
	rib_out_batch_clear(r, b);
	free(b->prefixes);
	free(b->groups);
	rib_out_batch_init(b);
}

/* Adds one prefix with its outbound attributes (reference passed in; NULL:
 * withdrawal) to the batch; groups are formed afterwards. The attribute
 * pointer rides in groups[] one entry per prefix until batch_group(). */
static int batch_add(struct rib_out_batch *b, struct attr_set *a, const struct bgp_prefix *p)
{
	if (b->n_prefixes == b->cap_prefixes) {
		size_t cap = b->cap_prefixes ? b->cap_prefixes * 2 : 256;
		struct bgp_prefix *np = realloc(b->prefixes, cap * sizeof(*np));
		struct rib_out_group *ng;

		if (!np)
			return -ENOMEM;
		b->prefixes = np;
		ng = realloc(b->groups, cap * sizeof(*ng));
		if (!ng)
			return -ENOMEM;
		b->groups = ng;
		b->cap_prefixes = b->cap_groups = cap;
	}
	b->prefixes[b->n_prefixes] = *p;
	b->groups[b->n_prefixes] = (struct rib_out_group){a, b->n_prefixes, 1};
	b->n_prefixes++;
	b->n_groups = b->n_prefixes;
	return 0;
}

static size_t ptr_hash(const void *p, size_t mask)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & mask;
}

/* Groups the per-prefix entries by attribute set in O(n): withdrawals
 * first, then sets in order of first appearance, prefixes in arrival order
 * within a group (a sort cost half the pull time in the reflector bench).
 * Each group keeps one reference. */
static int batch_group(struct rib *r, struct rib_out_batch *b)
{
	struct rib_group_scratch *g = &r->gs;
	size_t n = b->n_prefixes, n_ids = 1, mask;

	if (n < 2)
		return 0;
	if (g->cap < n) {
		size_t cap = 1;
		void *keys, *ids, *count, *sorted, *first;

		while (cap < 2 * n)
			cap *= 2;
		keys = realloc(g->keys, cap * sizeof(*g->keys));
		ids = realloc(g->ids, cap * sizeof(*g->ids));
		count = realloc(g->count, (cap + 1) * sizeof(*g->count));
		sorted = realloc(g->sorted, cap * sizeof(*g->sorted));
		first = realloc(g->first, (cap + 1) * sizeof(*g->first));
		if (keys)
			g->keys = keys;
		if (ids)
			g->ids = ids;
		if (count)
			g->count = count;
		if (sorted)
			g->sorted = sorted;
		if (first)
			g->first = first;
		if (!keys || !ids || !count || !sorted || !first)
			return -ENOMEM;
		g->cap = cap / 2;
		g->slots = cap;
	}
	mask = g->slots - 1;
	memset(g->keys, 0, g->slots * sizeof(*g->keys));
	/* Group 0 is the withdrawals; ids[s] is the group of keys[s]. Each
	 * entry's group id goes into its `count` field meanwhile. */
	g->count[0] = 0;
	for (size_t i = 0; i < n; i++) {
		struct attr_set *a = b->groups[i].attrs;
		size_t id = 0;

		if (a) {
			size_t s = ptr_hash(a, mask);

			while (g->keys[s] && g->keys[s] != a)
				s = (s + 1) & mask;
			if (!g->keys[s]) {
				g->keys[s] = a;
				g->ids[s] = (uint32_t)n_ids;
				g->count[n_ids++] = 0;
			}
			id = g->ids[s];
		}
		g->count[id]++;
		b->groups[i].count = id;
	}
	/* Offsets, then scatter the prefixes into group order. */
	size_t off = 0;
	for (size_t id = 0; id < n_ids; id++) {
		size_t c = g->count[id];

		g->count[id] = off;
		off += c;
	}
	for (size_t i = 0; i < n; i++)
		g->sorted[g->count[b->groups[i].count]++] = b->prefixes[b->groups[i].first];
	/* count[id] is now the end of group id; rebuild groups[] in id order.
	 * The first entry of each id carries the reference kept. */
	struct attr_set **first = g->first;
	for (size_t id = 0; id < n_ids; id++)
		first[id] = NULL;
	for (size_t i = 0; i < n; i++) {
		size_t id = b->groups[i].count;

		if (id && first[id])
			attr_unref(r->attrs, b->groups[i].attrs);
		else if (id)
			first[id] = b->groups[i].attrs;
	}
	size_t ng = 0, start = 0;
	for (size_t id = 0; id < n_ids; id++) {
		size_t end = g->count[id];

		if (end > start)
			b->groups[ng++] = (struct rib_out_group){id ? first[id] : NULL, start,
								 end - start};
		start = end;
	}
	memcpy(b->prefixes, g->sorted, n * sizeof(*b->prefixes));
	b->n_groups = ng;
	return 0;
}

/* Decides what the peer must hear about prefix idx now and adds it. */
static int evaluate(struct rib *r, struct rib_peer *p, enum bgp_family f, uint32_t idx,
		    struct rib_out_batch *b)
{
	struct rib_out *o = &p->out;
	struct attr_set *out = rib_out_export(r, p, f, idx);
	bool adv = rib_out_bit(o->adv[f], o->words[f], idx);
	struct bgp_prefix pfx;
	int rc = 0;

	if (out || adv) {
		ptab_prefix(&r->tab[f], idx, &pfx);
		rc = bits_cover(o, f, idx);
		if (rc == 0)
			rc = batch_add(b, out, &pfx);
		if (rc < 0) {
			attr_unref(r->attrs, out);
			return rc;
		}
		if (out && !adv)
			o->advertised++;
		else if (!out)
			o->advertised--;
		bit_put(o->adv[f], o->words[f], idx, out != NULL);
	}
	bit_put(o->pend[f], o->words[f], idx, false);
	if (!r->tab[f].values[idx])
		rib_prefix_maybe_free(r, f, idx);
	return 0;
}

static int pull_dump(struct rib *r, struct rib_peer *p, enum bgp_family f, size_t max,
		     struct rib_out_batch *b)
{
	struct rib_out *o = &p->out;
	struct ptab *t = &r->tab[f];
	size_t visits = max * RIB_DUMP_VISIT_FACTOR;
	int rc;

	while (o->dump_cursor[f] < t->top && b->n_prefixes < max && visits--) {
		uint32_t idx = o->dump_cursor[f]++;

		if (!ptab_in_use(t, idx))
			continue;
		rc = evaluate(r, p, f, idx, b);
		if (rc < 0) {
			o->dump_cursor[f]--;
			return rc;
		}
	}
	if (o->dump_cursor[f] >= t->top) {
		o->dumping[f] = false;
		if (o->eor_due[f]) {
			o->eor_due[f] = false;
			b->eor = true;
		}
	}
	return 0;
}

static int pull_fifo(struct rib *r, struct rib_peer *p, size_t max, struct rib_out_batch *b)
{
	struct rib_out *o = &p->out;
	enum bgp_family f = (enum bgp_family)(fifo_peek(o) >> 31);
	int rc;

	b->family = f;
	while (o->fifo_len && b->n_prefixes < max && (enum bgp_family)(fifo_peek(o) >> 31) == f) {
		uint32_t idx = fifo_peek(o) & 0x7fffffff;

		rc = evaluate(r, p, f, idx, b);
		if (rc < 0)
			return rc;
		fifo_pop(o);
	}
	/* A burst (a reflector passing on a thousand clients' routes) can grow
	 * every peer's queue; give the memory back once it is worked off. */
	if (!o->fifo_len && o->fifo_cap > 256) {
		free(o->fifo);
		o->fifo = NULL;
		o->fifo_cap = o->fifo_head = 0;
	}
	return 0;
}

/* Scan mode: the pending prefixes in index order, one family at a time,
 * from the cursors; when every family is scanned the scan starts over if
 * a prefix behind a cursor became pending meanwhile, else it ends. */
static int pull_scan(struct rib *r, struct rib_peer *p, size_t max, struct rib_out_batch *b)
{
	struct rib_out *o = &p->out;

	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		size_t words = o->words[f];

		while (o->scan_cursor[f] / 64 < words) {
			uint32_t w = o->scan_cursor[f] / 64;
			uint64_t bits = o->pend[f][w] & (~0ULL << (o->scan_cursor[f] % 64));
			int rc;

			if (!bits) {
				o->scan_cursor[f] = (w + 1) * 64;
				continue;
			}
			if (b->n_prefixes && (b->family != (enum bgp_family)f || b->n_prefixes >= max))
				return 0;
			b->family = (enum bgp_family)f;
			o->scan_cursor[f] = w * 64 + (unsigned)__builtin_ctzll(bits);
			rc = evaluate(r, p, (enum bgp_family)f, o->scan_cursor[f], b);
			if (rc < 0)
				return rc;
			o->scan_cursor[f]++;
		}
	}
	if (o->scan_behind) {
		o->scan_behind = false;
		memset(o->scan_cursor, 0, sizeof(o->scan_cursor));
	} else {
		o->scan = false;
	}
	return 0;
}

int rib_out_pull(struct rib *r, uint16_t id, size_t max, struct rib_out_batch *b)
{
	struct rib_peer *p = id < r->peers_cap && r->peers[id].used ? &r->peers[id] : NULL;
	int rc = 0;

	rib_out_batch_clear(r, b);
	if (!p || !p->up)
		return -ENOTCONN;
	if (max == 0)
		max = 1;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (p->out.dumping[f] || p->out.eor_due[f]) {
			b->family = (enum bgp_family)f;
			rc = pull_dump(r, p, (enum bgp_family)f, max, b);
			goto out;
		}
	}
	if (p->out.fifo_len)
		rc = pull_fifo(r, p, max, b);
	else if (p->out.scan)
		rc = pull_scan(r, p, max, b);
out:
	if (rc == 0)
		rc = batch_group(r, b);
	if (rc < 0) {
		/* Some prefixes of this slice were marked sent: resend the family
		 * rather than leave the peer out of step. */
		rib_out_batch_clear(r, b);
		p->out.dumping[b->family] = true;
		p->out.dump_cursor[b->family] = 1;
		return rc;
	}
	return (int)b->n_prefixes;
}

bool rib_out_pending(const struct rib *r, uint16_t id)
{
	const struct rib_peer *p = id < r->peers_cap && r->peers[id].used ? &r->peers[id] : NULL;

	return p && p->up && (dumping(&p->out) || p->out.fifo_len > 0 || p->out.scan);
}

int rib_out_refresh(struct rib *r, uint16_t id, enum bgp_family fam)
{
	struct rib_peer *p = id < r->peers_cap && r->peers[id].used ? &r->peers[id] : NULL;

	if (!p || !p->up)
		return -ENOTCONN;
	if (fam >= BGP_FAM_COUNT || !p->out.families[fam])
		return -EINVAL;
	bool was = rib_out_pending(r, id);
	p->out.dumping[fam] = true;
	p->out.dump_cursor[fam] = 1;
	if (!was)
		ready(r, p);
	return 0;
}

void rib_set_export_filter(struct rib *r, rib_export_filter_fn fn, void *ctx)
{
	r->export_filter = fn;
	r->export_ctx = ctx;
	for (size_t i = 0; i < r->n_up; i++)
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if (r->peers[r->up[i]].out.families[f])
				rib_out_refresh(r, r->up[i], (enum bgp_family)f);
}

size_t rib_out_queued(const struct rib_out *o)
{
	size_t n = o->fifo_len;

	for (int f = 0; f < BGP_FAM_COUNT && o->scan; f++)
		for (size_t w = 0; w < o->words[f]; w++)
			n += (size_t)__builtin_popcountll(o->pend[f][w]);
	return n;
}

size_t rib_out_bytes(const struct rib *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_up; i++) {
		const struct rib_out *o = &r->peers[r->up[i]].out;

		for (int f = 0; f < BGP_FAM_COUNT; f++)
			n += 2 * o->words[f] * sizeof(uint64_t);
		n += o->fifo_cap * sizeof(uint32_t);
	}
	for (const struct rib_group *g = r->groups; g; g = g->next)
		n += sizeof(*g) + g->cap * sizeof(*g->tab);
	return n;
}
