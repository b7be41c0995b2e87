#include "speaker/kernel.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "speaker/attr.h"
#include "speaker/fib.h"
#include "speaker/prefix_table.h"

/* Per-prefix state, kept as the value of a prefix table entry (an entry
 * with no flag left is deleted). */
enum {
	KS_INSTALLED = 1 << 0,	   /* we hold a route for it in the kernel */
	KS_STALE = 1 << 1,	   /* installed by an earlier run, not yet refreshed */
	KS_ORIGINATED = 1 << 2,	   /* originated into the RIB */
	KS_LOCAL = 1 << 3,	   /* the kernel has a route of someone else's for it */
	KS_LOCAL_BLACKHOLE = 1 << 4, /* ... and it is a blackhole (a block route) */
	KS_SEEN = 1 << 5,	   /* marked during a re-dump */
	KS_WALKED = 1 << 6,	   /* installed again during a re-evaluation */
};

struct kernel_sync {
	struct fib *fib;
	struct rib *rib;
	struct ptab tab[BGP_FAM_COUNT];
	struct kernel_config cfg; /* deep copy, arrays below */
	struct kernel_pool *pools;
	struct bgp_prefix *no_install;
	struct kernel_advert *adverts;
	uint32_t *words; /* all advert communities, one allocation */
	char tunnel_dev[IFNAMSIZ];
	bool tunnel_warned;
	bool monitoring;
	bool resync_due; /* an interface came back up: check our routes */
	bool resyncing;	 /* the dump of a resync is running */
	size_t errors;
	struct bgp_prefix *blocks; /* local blackholes: the node's blocks */
	size_t n_blocks, cap_blocks;
};

static enum bgp_family fam_of(uint8_t af)
{
	return af == AF_INET6 ? BGP_FAM_IPV6 : BGP_FAM_IPV4;
}

static uint8_t af_of(enum bgp_family fam)
{
	return fam == BGP_FAM_IPV6 ? AF_INET6 : AF_INET;
}

static size_t alen(enum bgp_family fam)
{
	return fam == BGP_FAM_IPV6 ? 16 : 4;
}

static uint32_t *state(struct kernel_sync *ks, const struct bgp_prefix *p, bool create)
{
	struct ptab *t = &ks->tab[p->family];
	bool created;
	uint32_t i = create ? ptab_get(t, p, &created) : ptab_find(t, p);

	return i ? &t->values[i] : NULL;
}

/* Drops the entry when no flag is left. */
static void settle(struct kernel_sync *ks, const struct bgp_prefix *p)
{
	struct ptab *t = &ks->tab[p->family];
	uint32_t i = ptab_find(t, p);

	if (i && t->values[i] == 0)
		ptab_del(t, i);
}

static struct bgp_prefix prefix_of_route(const struct fib_route *r)
{
	struct bgp_prefix p = {.family = (uint8_t)fam_of(r->family), .len = r->dst_len};

	memcpy(p.addr, r->dst, alen(p.family));
	return p;
}

static struct fib_route route_of_prefix(const struct kernel_sync *ks, const struct bgp_prefix *p)
{
	struct fib_route r = {.family = af_of(p->family), .dst_len = p->len, .type = RTN_UNICAST,
			      .protocol = ks->cfg.protocol, .scope = RT_SCOPE_UNIVERSE,
			      .table = ks->cfg.table};

	memcpy(r.dst, p->addr, alen(p->family));
	return r;
}

/* The longest pool containing p, or NULL. */
static const struct kernel_pool *pool_for(const struct kernel_sync *ks, const struct bgp_prefix *p)
{
	const struct kernel_pool *best = NULL;

	for (size_t i = 0; i < ks->cfg.n_pools; i++) {
		const struct kernel_pool *k = &ks->cfg.pools[i];

		if (k->cidr.family == p->family && ptab_covers(&k->cidr, p) &&
		    (!best || k->cidr.len > best->cidr.len))
			best = k;
	}
	return best;
}

static bool in_no_install(const struct kernel_sync *ks, const struct bgp_prefix *p)
{
	for (size_t i = 0; i < ks->cfg.n_no_install; i++)
		if (ks->cfg.no_install[i].family == p->family && ptab_covers(&ks->cfg.no_install[i], p))
			return true;
	return false;
}

static bool is_own_address(const struct kernel_sync *ks, enum bgp_family fam, const uint8_t *a)
{
	if (fam == BGP_FAM_IPV4)
		return ks->cfg.has_addr4 && memcmp(a, ks->cfg.addr4, 4) == 0;
	return ks->cfg.has_addr6 && memcmp(a, ks->cfg.addr6, 16) == 0;
}

static bool next_hop_in_subnet(const struct kernel_sync *ks, const uint8_t *nh)
{
	struct bgp_prefix host = {.family = BGP_FAM_IPV4, .len = 32};

	if (!ks->cfg.has_subnet4)
		return false;
	memcpy(host.addr, nh, 4);
	return ptab_covers(&ks->cfg.subnet4, &host);
}

/* Whether routes of a pool with this encapsulation are ours to install. */
static bool programs_pool(enum kernel_cluster_routes mode, enum kernel_encap encap)
{
	bool ipip = encap == KERNEL_ENCAP_IPIP_ALWAYS || encap == KERNEL_ENCAP_IPIP_CROSS_SUBNET;

	if (encap == KERNEL_ENCAP_VXLAN)
		return false; /* Felix programs VXLAN routes itself */
	switch (mode) {
	case KERNEL_CR_ENABLED:
		return true;
	case KERNEL_CR_IPIP_ONLY:
		return ipip;
	case KERNEL_CR_NOENCAP_ONLY:
		return encap == KERNEL_ENCAP_NONE;
	case KERNEL_CR_DISABLED:
		break;
	}
	return false;
}

/* Works out the kernel route for a learned best path. Returns false when
 * Calico's rules say it must not be in the kernel. */
static bool route_for_best(struct kernel_sync *ks, const struct bgp_prefix *p,
			   const struct rib_route *best, struct fib_route *out)
{
	const struct attr_set *a = best->attrs;
	enum bgp_family fam = p->family;
	const struct kernel_pool *pool;
	bool tunnel = false;

	if (best->peer == RIB_PEER_LOCAL || !a)
		return false;
	if (a->nh_len < alen(fam) || is_own_address(ks, fam, a->next_hop))
		return false;
	if (in_no_install(ks, p))
		return false;
	pool = pool_for(ks, p);
	if (pool) {
		if (!programs_pool(ks->cfg.cluster_routes, pool->encap))
			return false;
		if (fam == BGP_FAM_IPV4)
			tunnel = pool->encap == KERNEL_ENCAP_IPIP_ALWAYS ||
				 (pool->encap == KERNEL_ENCAP_IPIP_CROSS_SUBNET &&
				  !next_hop_in_subnet(ks, a->next_hop));
	}
	*out = route_of_prefix(ks, p);
	out->has_gateway = true;
	memcpy(out->gateway, a->next_hop, alen(fam));
	if (tunnel) {
		unsigned idx = if_nametoindex(ks->tunnel_dev);

		if (idx) {
			out->oif = (int)idx;
			out->onlink = true;
		} else if (!ks->tunnel_warned) {
			/* Without the tunnel device the route still gets the
			 * packets towards the node, unencapsulated; say so once. */
			log_warn("kernel: IPIP pool route but no %s device; installing without "
				 "encapsulation",
				 ks->tunnel_dev);
			ks->tunnel_warned = true;
		}
	}
	return true;
}

static void remove_installed(struct kernel_sync *ks, const struct bgp_prefix *p, uint32_t *st)
{
	struct fib_route r = route_of_prefix(ks, p);

	fib_delete(ks->fib, &r);
	*st &= ~(uint32_t)(KS_INSTALLED | KS_STALE);
}

/* Brings the kernel in line with the best path of p (NULL: none). */
static void apply_best(struct kernel_sync *ks, const struct bgp_prefix *p,
		       const struct rib_route *best)
{
	struct fib_route r;
	uint32_t *st;

	if (best && route_for_best(ks, p, best, &r)) {
		st = state(ks, p, true);
		if (!st)
			return;
		fib_replace(ks->fib, &r);
		*st = (*st | KS_INSTALLED | KS_WALKED) & ~(uint32_t)KS_STALE;
		return;
	}
	st = state(ks, p, false);
	if (st && (*st & KS_INSTALLED)) {
		remove_installed(ks, p, st);
		settle(ks, p);
	}
}

void kernel_sync_best_changed(struct kernel_sync *ks, const struct bgp_prefix *prefix,
			      const struct rib_route *old_best, const struct rib_route *new_best)
{
	struct bgp_prefix p = *prefix;

	(void)old_best;
	p.path_id = 0;
	apply_best(ks, &p, new_best);
}

/* The communities prefixAdvertisements give p: the most specific match. */
static const struct kernel_advert *advert_for(const struct kernel_sync *ks,
					      const struct bgp_prefix *p)
{
	const struct kernel_advert *best = NULL;

	for (size_t i = 0; i < ks->cfg.n_adverts; i++) {
		const struct kernel_advert *a = &ks->cfg.adverts[i];

		if (a->cidr.family == p->family && ptab_covers(&a->cidr, p) &&
		    (!best || a->cidr.len > best->cidr.len))
			best = a;
	}
	return best;
}

/* True when a local blackhole (one of the node's blocks) other than p
 * itself covers p: more-specifics inside our own blocks are not exported. */
static bool inside_local_block(const struct kernel_sync *ks, const struct bgp_prefix *p)
{
	for (size_t i = 0; i < ks->n_blocks; i++) {
		const struct bgp_prefix *q = &ks->blocks[i];

		if (q->family == p->family && q->len < p->len && ptab_covers(q, p))
			return true;
	}
	return false;
}

static bool same_prefix(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, alen((enum bgp_family)a->family)) == 0;
}

/* Keeps the list of local blackholes in step with the kernel. */
static void track_block(struct kernel_sync *ks, const struct bgp_prefix *p, bool present)
{
	for (size_t i = 0; i < ks->n_blocks; i++) {
		if (!same_prefix(&ks->blocks[i], p))
			continue;
		if (!present)
			ks->blocks[i] = ks->blocks[--ks->n_blocks];
		return;
	}
	if (!present)
		return;
	if (ks->n_blocks == ks->cap_blocks) {
		size_t cap = ks->cap_blocks ? 2 * ks->cap_blocks : 16;
		struct bgp_prefix *nb = realloc(ks->blocks, cap * sizeof(*nb));

		if (!nb)
			return;
		ks->blocks = nb;
		ks->cap_blocks = cap;
	}
	ks->blocks[ks->n_blocks++] = *p;
}

static bool should_originate(struct kernel_sync *ks, const struct bgp_prefix *p, uint32_t st)
{
	const struct kernel_pool *pool;

	if (!(st & KS_LOCAL))
		return false;
	pool = pool_for(ks, p);
	if (!pool || pool->disable_export)
		return false;
	return (st & KS_LOCAL_BLACKHOLE) || !inside_local_block(ks, p);
}

/* Originates or withdraws p according to its local state and the config. */
static void apply_local(struct kernel_sync *ks, const struct bgp_prefix *p)
{
	uint32_t *st = state(ks, p, false);
	struct err e;

	if (!st)
		return;
	if (should_originate(ks, p, *st)) {
		const struct kernel_advert *adv = advert_for(ks, p);

		if (rib_originate(ks->rib, p, adv ? adv->communities : NULL,
				  adv ? adv->n_communities : 0, adv ? adv->large : NULL,
				  adv ? adv->n_large : 0, &e) == 0)
			*st |= KS_ORIGINATED;
		else
			log_warn("kernel: cannot originate local route: %s", e.msg);
	} else if (*st & KS_ORIGINATED) {
		rib_unoriginate(ks->rib, p, &e);
		*st &= ~(uint32_t)KS_ORIGINATED;
	}
	settle(ks, p);
}

/* Whether a kernel route that is not ours is a candidate local route. */
static bool is_local_candidate(const struct kernel_sync *ks, const struct fib_route *r)
{
	if (r->protocol == ks->cfg.protocol || r->protocol == RTPROT_KERNEL)
		return false;
	if (r->table != ks->cfg.table)
		return false;
	return r->type == RTN_UNICAST || r->type == RTN_BLACKHOLE;
}

static void local_seen(struct kernel_sync *ks, const struct fib_route *r, bool present)
{
	struct bgp_prefix p = prefix_of_route(r);
	uint32_t *st = state(ks, &p, present);

	if (!st)
		return;
	if (present) {
		*st |= KS_LOCAL | KS_SEEN;
		if (r->type == RTN_BLACKHOLE)
			*st |= KS_LOCAL_BLACKHOLE;
		else
			*st &= ~(uint32_t)KS_LOCAL_BLACKHOLE;
	} else {
		*st &= ~(uint32_t)(KS_LOCAL | KS_LOCAL_BLACKHOLE);
	}
	track_block(ks, &p, present && r->type == RTN_BLACKHOLE);
	apply_local(ks, &p);
}

static void on_kernel_route(void *arg, enum fib_event ev, const struct fib_route *r)
{
	struct kernel_sync *ks = arg;

	if (ev == FIB_LINK_UP) {
		ks->resync_due = true;
		return;
	}
	if (r->table != ks->cfg.table)
		return;
	if (r->protocol == ks->cfg.protocol) {
		struct bgp_prefix p = prefix_of_route(r);
		uint32_t *st;

		if (ks->resyncing) { /* what the kernel still holds of ours */
			st = state(ks, &p, false);
			if (st)
				*st |= KS_SEEN;
			return;
		}

		/* Our own writes echo back through the monitor; only a dump at
		 * start-up (no monitor yet) finds routes of an earlier run. */
		if (ks->monitoring || ev != FIB_ROUTE_ADDED)
			return;
		st = state(ks, &p, true);
		if (st)
			*st |= KS_INSTALLED | KS_STALE;
		return;
	}
	if (is_local_candidate(ks, r))
		local_seen(ks, r, ev == FIB_ROUTE_ADDED);
}

/* Dumps both families; routes we no longer see lose their local state. */
static int redump(struct kernel_sync *ks, struct err *e)
{
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		struct ptab *t = &ks->tab[fam];
		int rc;

		for (uint32_t i = 1; i < t->top; i++)
			if (ptab_in_use(t, i))
				t->values[i] &= ~(uint32_t)KS_SEEN;
		rc = fib_dump(ks->fib, af_of((enum bgp_family)fam), ks->cfg.table, on_kernel_route,
			      ks, e);
		if (rc < 0)
			return rc;
		for (uint32_t i = 1; i < t->top; i++) {
			struct bgp_prefix p;

			if (!ptab_in_use(t, i) || !(t->values[i] & KS_LOCAL) ||
			    (t->values[i] & KS_SEEN))
				continue;
			ptab_prefix(t, i, &p);
			t->values[i] &= ~(uint32_t)(KS_LOCAL | KS_LOCAL_BLACKHOLE);
			track_block(ks, &p, false);
			apply_local(ks, &p);
		}
	}
	return 0;
}

int kernel_sync_start(struct kernel_sync *ks, struct err *e)
{
	int rc, fd;

	ks->monitoring = false;
	rc = redump(ks, e);
	if (rc < 0)
		return rc;
	fd = fib_monitor_open(ks->fib, e);
	if (fd < 0)
		return fd;
	ks->monitoring = true;
	return fd;
}

static int resync(struct kernel_sync *ks, struct err *e);

int kernel_sync_monitor(struct kernel_sync *ks, struct err *e)
{
	int rc = fib_monitor_read(ks->fib, on_kernel_route, ks);

	if (rc == -ENOBUFS) {
		log_warn("kernel: route monitor overflowed; re-reading the routing table");
		ks->resync_due = false;
		return resync(ks, e);
	}
	if (rc < 0)
		return err_set(e, rc, "kernel route monitor: %s", strerror(-rc));
	if (ks->resync_due) {
		ks->resync_due = false;
		return resync(ks, e);
	}
	return 0;
}

static void on_fib_error(void *arg, const struct fib_route *r, int error)
{
	struct kernel_sync *ks = arg;
	struct bgp_prefix p = prefix_of_route(r);
	char text[160];
	uint32_t *st;

	fib_route_format(r, text, sizeof(text));
	log_error("kernel refused %s: %s", text, strerror(-error));
	ks->errors++;
	/* A failed delete of a route that is already gone is not a problem;
	 * a failed install means we do not hold the route. */
	st = state(ks, &p, false);
	if (st && error != -ESRCH) {
		*st &= ~(uint32_t)(KS_INSTALLED | KS_STALE);
		settle(ks, &p);
	}
}

int kernel_sync_flush(struct kernel_sync *ks, struct err *e)
{
	return fib_flush(ks->fib, e);
}

int kernel_sync_sweep(struct kernel_sync *ks, struct err *e)
{
	size_t swept = 0;

	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		struct ptab *t = &ks->tab[fam];

		for (uint32_t i = 1; i < t->top; i++) {
			struct bgp_prefix p;

			if (!ptab_in_use(t, i) || !(t->values[i] & KS_STALE))
				continue;
			ptab_prefix(t, i, &p);
			remove_installed(ks, &p, &t->values[i]);
			if (t->values[i] == 0)
				ptab_del(t, i);
			swept++;
		}
	}
	if (swept)
		log_info("kernel: removed %zu stale routes left by an earlier run", swept);
	return kernel_sync_flush(ks, e);
}

static int reevaluate_best(void *ctx, const struct rib_route *route, bool best)
{
	struct kernel_sync *ks = ctx;
	struct bgp_prefix p = *route->prefix;

	if (best) {
		p.path_id = 0;
		apply_best(ks, &p, route);
	}
	return 0;
}

/* After a configuration change: installed routes and originations are
 * decided again under the new rules. */
static void reevaluate(struct kernel_sync *ks)
{
	struct rib_filter f = {.view = RIB_VIEW_BEST, .family = -1};
	struct rib_cursor c = {0};

	/* Every best path is decided again; an installed route the walk did
	 * not install again (no best path, or refused by the new rules) goes.
	 * Stale routes wait for the sweep. */
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++)
		for (uint32_t i = 1; i < ks->tab[fam].top; i++)
			ks->tab[fam].values[i] &= ~(uint32_t)KS_WALKED;
	while (rib_walk(ks->rib, &f, &c, 4096, reevaluate_best, ks) == 1)
		;
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		struct ptab *t = &ks->tab[fam];

		for (uint32_t i = 1; i < t->top; i++) {
			struct bgp_prefix p;
			uint32_t v = t->values[i];

			if (!ptab_in_use(t, i))
				continue;
			ptab_prefix(t, i, &p);
			if ((v & KS_INSTALLED) && !(v & (KS_WALKED | KS_STALE)))
				remove_installed(ks, &p, &t->values[i]);
			t->values[i] &= ~(uint32_t)KS_WALKED;
			if (t->values[i] & KS_LOCAL)
				apply_local(ks, &p);
			else if (t->values[i] == 0)
				ptab_del(t, i);
		}
	}
}

/* Reads the table again and re-installs the routes we hold installed but the
 * kernel no longer has: an interface set down takes the IPv4 routes through
 * it away without one notification per route, and nothing else would put
 * them back while their best path stays the same. */
static int resync(struct kernel_sync *ks, struct err *e)
{
	size_t missing = 0;
	int rc;

	ks->resyncing = true;
	rc = redump(ks, e);
	ks->resyncing = false;
	if (rc < 0)
		return rc;
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		struct ptab *t = &ks->tab[fam];

		for (uint32_t i = 1; i < t->top; i++) {
			uint32_t v = t->values[i];

			if (!ptab_in_use(t, i) || !(v & KS_INSTALLED) || (v & KS_SEEN))
				continue;
			t->values[i] &= ~(uint32_t)(KS_INSTALLED | KS_STALE);
			missing++;
		}
	}
	if (!missing)
		return 0;
	log_info("kernel: %zu of our routes are gone from the kernel (interface down); "
		 "installing them again",
		 missing);
	reevaluate(ks);
	return kernel_sync_flush(ks, e);
}

/* memcpy that accepts an empty NULL source (configs may leave arrays out). */
static void copy_items(void *dst, const void *src, size_t n, size_t size)
{
	if (n)
		memcpy(dst, src, n * size);
}

static void free_config(struct kernel_sync *ks)
{
	free(ks->pools);
	free(ks->no_install);
	free(ks->adverts);
	free(ks->words);
	ks->pools = NULL;
	ks->no_install = NULL;
	ks->adverts = NULL;
	ks->words = NULL;
}

int kernel_sync_configure(struct kernel_sync *ks, const struct kernel_config *cfg, struct err *e)
{
	size_t n_words = 0, w = 0;

	free_config(ks);
	ks->cfg = *cfg;
	for (size_t i = 0; i < cfg->n_adverts; i++)
		n_words += cfg->adverts[i].n_communities + 3 * cfg->adverts[i].n_large;
	ks->pools = calloc(cfg->n_pools + 1, sizeof(*ks->pools));
	ks->no_install = calloc(cfg->n_no_install + 1, sizeof(*ks->no_install));
	ks->adverts = calloc(cfg->n_adverts + 1, sizeof(*ks->adverts));
	ks->words = calloc(n_words + 1, sizeof(*ks->words));
	if (!ks->pools || !ks->no_install || !ks->adverts || !ks->words) {
		free_config(ks);
		memset(&ks->cfg, 0, sizeof(ks->cfg));
		return err_set(e, -ENOMEM, "out of memory");
	}
	copy_items(ks->pools, cfg->pools, cfg->n_pools, sizeof(*ks->pools));
	copy_items(ks->no_install, cfg->no_install, cfg->n_no_install, sizeof(*ks->no_install));
	for (size_t i = 0; i < cfg->n_adverts; i++) {
		struct kernel_advert *a = &ks->adverts[i];

		*a = cfg->adverts[i];
		copy_items(&ks->words[w], a->communities, a->n_communities, sizeof(uint32_t));
		a->communities = &ks->words[w];
		w += a->n_communities;
		copy_items(&ks->words[w], a->large, 3 * a->n_large, sizeof(uint32_t));
		a->large = &ks->words[w];
		w += 3 * a->n_large;
	}
	ks->cfg.pools = ks->pools;
	ks->cfg.no_install = ks->no_install;
	ks->cfg.adverts = ks->adverts;
	snprintf(ks->tunnel_dev, sizeof(ks->tunnel_dev), "%s",
		 cfg->tunnel_dev ? cfg->tunnel_dev : "tunl0");
	ks->cfg.tunnel_dev = ks->tunnel_dev;
	if (!ks->cfg.protocol)
		ks->cfg.protocol = RTPROT_BIRD;
	if (!ks->cfg.table)
		ks->cfg.table = RT_TABLE_MAIN;
	reevaluate(ks);
	return 0;
}

int kernel_sync_new(struct fib *fib, struct rib *rib, struct kernel_sync **out, struct err *e)
{
	struct kernel_sync *ks = calloc(1, sizeof(*ks));
	struct kernel_config defaults = {.cluster_routes = KERNEL_CR_ENABLED};

	if (!ks)
		return err_set(e, -ENOMEM, "out of memory");
	ks->fib = fib;
	ks->rib = rib;
	ptab_init(&ks->tab[BGP_FAM_IPV4], BGP_FAM_IPV4);
	ptab_init(&ks->tab[BGP_FAM_IPV6], BGP_FAM_IPV6);
	fib_set_error_cb(fib, on_fib_error, ks);
	if (kernel_sync_configure(ks, &defaults, e) != 0) {
		kernel_sync_free(ks);
		return -ENOMEM;
	}
	*out = ks;
	return 0;
}

void kernel_sync_free(struct kernel_sync *ks)
{
	if (!ks)
		return;
	free_config(ks);
	free(ks->blocks);
	ptab_free(&ks->tab[BGP_FAM_IPV4]);
	ptab_free(&ks->tab[BGP_FAM_IPV6]);
	free(ks);
}

void kernel_sync_set_rib(struct kernel_sync *ks, struct rib *rib)
{
	ks->rib = rib;
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		struct ptab *t = &ks->tab[fam];

		for (uint32_t i = 1; i < t->top; i++) {
			if (!ptab_in_use(t, i))
				continue;
			if (t->values[i] & KS_INSTALLED)
				t->values[i] |= KS_STALE;
			t->values[i] &= ~(uint32_t)KS_ORIGINATED;
		}
	}
}

void kernel_sync_stats(const struct kernel_sync *ks, struct kernel_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->errors = ks->errors;
	for (int fam = 0; fam < BGP_FAM_COUNT; fam++) {
		const struct ptab *t = &ks->tab[fam];

		for (uint32_t i = 1; i < t->top; i++) {
			if (!ptab_in_use(t, i))
				continue;
			st->installed += !!(t->values[i] & KS_INSTALLED);
			st->stale += !!(t->values[i] & KS_STALE);
			st->originated += !!(t->values[i] & KS_ORIGINATED);
		}
	}
}
