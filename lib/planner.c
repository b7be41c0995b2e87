/* The peering planner (spec calicoctl.md §8.2–8.4, README decisions).
 *
 * Calico computes peerings for every node at once (confd's updatePeersV1)
 * and then renders one node's BIRD config; we compute the same result for
 * one node directly:
 *
 *   1. explicit peerings, in Calico's order: global BGPPeers first (a table
 *      shared by all nodes), then node-scoped BGPPeers that select this node
 *      (dropped when a global peering has the same address and port), then
 *      the automatic reverse peerings (reversePeering: Auto) of BGPPeers
 *      whose remote side is this node; the first entry for an address and
 *      port wins, peers in name order;
 *   2. "skipping ourselves": entries to this node's own address go;
 *   3. the node-to-node mesh (not on route reflectors, not to them);
 *      README decision: one session per peer address and port, so a mesh
 *      entry for an address and port an explicit peering already has is
 *      dropped — Calico would run both;
 *   4. each entry becomes a session with the parameters of §8.3.
 *
 * Entries of a family this node has no address for are dropped, as Calico
 * renders no BGP at all for such a family. */
#include "lib/planner_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sha256.h"

/* One planned peering before it becomes a session. */
struct pl_entry {
	enum peering_type type;
	int fam;			/* enum peering_family */
	struct ip_addr ip;
	uint16_t port;			/* 0 = none: 179, no _port_ in the name */
	uint32_t peer_as;
	const char *rr_cluster;		/* remote node's cluster id, "" otherwise */
	bool calico_node;		/* peerIP belongs to a Calico node */
	const struct pl_peer *res;	/* NULL for the mesh */
	const struct pl_node *remote;	/* the mesh remote node */
};

/* Entries keyed by address and port, with an open-addressing index: a plan
 * for a node of a large cluster looks up thousands of keys. */
struct pl_table {
	struct pl_entry *v;
	size_t n, cap;
	size_t *slot;		/* index + 1 into v, 0 = empty; n_slots a power of 2 */
	size_t n_slots;
};

static int fam_of(const struct ip_addr *ip)
{
	return ip->family == 6 ? PEERING_FAM_IPV6 : PEERING_FAM_IPV4;
}

/* Port 179 written explicitly is the same peering as no port. */
static uint16_t key_port(uint16_t port)
{
	return port ? port : PEERING_DEFAULT_PORT;
}

/* FNV-1a over the address bytes and the port. */
static size_t key_hash(const struct ip_addr *ip, uint16_t port)
{
	uint64_t h = 1469598103934665603ull;
	size_t len = ip->family == 6 ? 16 : 4;
	uint16_t kp = key_port(port);

	for (size_t i = 0; i < len; i++)
		h = (h ^ ip->b[i]) * 1099511628211ull;
	h = (h ^ (kp >> 8)) * 1099511628211ull;
	h = (h ^ (kp & 255)) * 1099511628211ull;
	return (size_t)h;
}

static bool key_equal(const struct pl_entry *en, const struct ip_addr *ip, uint16_t port)
{
	return ip_equal(&en->ip, ip) && key_port(en->port) == key_port(port);
}

static const struct pl_entry *table_find(const struct pl_table *t, const struct ip_addr *ip,
					 uint16_t port)
{
	size_t mask = t->n_slots - 1, i;

	if (!t->n_slots)
		return NULL;
	for (i = key_hash(ip, port) & mask; t->slot[i]; i = (i + 1) & mask)
		if (key_equal(&t->v[t->slot[i] - 1], ip, port))
			return &t->v[t->slot[i] - 1];
	return NULL;
}

static void index_put(struct pl_table *t, size_t k)
{
	size_t mask = t->n_slots - 1, i = key_hash(&t->v[k].ip, t->v[k].port) & mask;

	while (t->slot[i])
		i = (i + 1) & mask;
	t->slot[i] = k + 1;
}

/* Rebuilds the index for the entries in v (after growth or removals). */
static int table_reindex(struct pl_table *t, size_t n_slots, struct err *e)
{
	size_t *slot = calloc(n_slots, sizeof(*slot));

	if (!slot)
		return err_set(e, -ENOMEM, "out of memory");
	free(t->slot);
	t->slot = slot;
	t->n_slots = n_slots;
	for (size_t k = 0; k < t->n; k++)
		index_put(t, k);
	return 0;
}

static int table_add(struct pl_table *t, const struct pl_entry *en, struct err *e)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct pl_entry *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return err_set(e, -ENOMEM, "out of memory");
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *en;
	if (2 * t->n > t->n_slots) /* keep the load factor at most 1/2 */
		return table_reindex(t, t->n_slots ? 2 * t->n_slots : 32, e);
	index_put(t, t->n - 1);
	return 0;
}

static void table_free(struct pl_table *t)
{
	free(t->v);
	free(t->slot);
}

/* --- AS numbers and ports of Calico nodes ------------------------------- */

static uint32_t node_as(const struct pl_world *w, const struct pl_node *n)
{
	return n->asn ? n->asn : w->global_as;
}

/* The port to reach a Calico node at: its node.<name> listenPort, else the
 * global one, else none (179). */
static uint16_t node_port(const struct pl_world *w, const struct pl_node *n)
{
	return n->listen_port ? n->listen_port : w->global_port;
}

/* A Calico node as the remote end of a peering, one entry per family. */
static void node_entry(const struct pl_world *w, const struct pl_node *n, int f,
		       const struct pl_peer *res, enum peering_type type, struct pl_entry *en)
{
	memset(en, 0, sizeof(*en));
	en->type = type;
	en->fam = f;
	en->ip = n->addr[f];
	en->port = node_port(w, n);
	en->peer_as = node_as(w, n);
	en->rr_cluster = n->cluster_id;
	en->res = res;
	en->remote = n;
}

/* Nodes owning ip with AS asn (and listening on port, when given): the
 * Calico nodes a peerIP BGPPeer points at. */
static bool node_is_target(const struct pl_world *w, const struct pl_node *n,
			   const struct pl_peer *p)
{
	int f = fam_of(&p->ip);

	if (!n->has_addr[f] || !ip_equal(&n->addr[f], &p->ip) || node_as(w, n) != p->asn)
		return false;
	if (p->port && node_port(w, n) && node_port(w, n) != p->port)
		return false;
	return true;
}

static bool ip_is_calico_node(const struct pl_world *w, const struct ip_addr *ip)
{
	int f = fam_of(ip);

	for (size_t i = 0; i < w->n_nodes; i++)
		if (w->nodes[i].has_addr[f] && ip_equal(&w->nodes[i].addr[f], ip))
			return true;
	return false;
}

/* --- explicit peerings -------------------------------------------------- */

static bool is_global(const struct pl_peer *p)
{
	return !*p->node && !p->node_sel;
}

/* Whether node n is on the local side of p (gets p's forward peerings). */
static bool local_side(const struct pl_peer *p, const struct pl_node *n)
{
	if (p->node_sel)
		return sel_match(p->node_sel, n->labels);
	if (*p->node)
		return strcmp(p->node, n->name) == 0;
	return true;
}

/* Whether n is on the remote side of p (gets p's reverse peerings). */
static bool remote_side(const struct pl_world *w, const struct pl_peer *p,
			const struct pl_node *n)
{
	if (p->peer_sel)
		return sel_match(p->peer_sel, n->labels);
	return node_is_target(w, n, p);
}

/* Adds en unless an entry for its address and port exists in the node table
 * or (for node-specific entries) in the global table. */
static int add_unique(struct pl_table *mine, const struct pl_table *globals,
		      const struct pl_entry *en, struct err *e)
{
	if (table_find(mine, &en->ip, en->port))
		return 0;
	if (globals && table_find(globals, &en->ip, en->port))
		return 0;
	return table_add(mine, en, e);
}

/* The forward remotes of p: the selected nodes, or the peerIP. */
static int forward(const struct pl_world *w, const struct pl_peer *p, enum peering_type type,
		   struct pl_table *mine, const struct pl_table *globals, struct err *e)
{
	struct pl_entry en;
	int rc;

	if (p->peer_sel) {
		for (size_t i = 0; i < w->n_nodes; i++) {
			const struct pl_node *n = &w->nodes[i];

			if (!sel_match(p->peer_sel, n->labels))
				continue;
			for (int f = 0; f < PEERING_FAM_COUNT; f++) {
				if (!n->has_addr[f])
					continue;
				node_entry(w, n, f, p, type, &en);
				if ((rc = add_unique(mine, globals, &en, e)))
					return rc;
			}
		}
		return 0;
	}
	memset(&en, 0, sizeof(en));
	en.type = type;
	en.fam = fam_of(&p->ip);
	en.ip = p->ip;
	en.port = p->port;
	en.peer_as = p->asn;
	en.rr_cluster = "";
	en.res = p;
	en.calico_node = ip_is_calico_node(w, &p->ip);
	if (!en.port) {
		/* no port given: a Calico node at that address listens on its own */
		for (size_t i = 0; i < w->n_nodes; i++)
			if (node_is_target(w, &w->nodes[i], p)) {
				en.port = node_port(w, &w->nodes[i]);
				break;
			}
	}
	return add_unique(mine, globals, &en, e);
}

/* Reverse peerings: this node is a remote of p, so it peers back with p's
 * local side (all nodes for a global p). A peerSelector peer reverses over
 * both families, a peerIP peer over the peerIP's family only. */
static int reverse(const struct pl_world *w, const struct pl_peer *p, struct pl_table *mine,
		   const struct pl_table *globals, struct err *e)
{
	struct pl_entry en;
	int rc;

	if (p->reverse_manual || !remote_side(w, p, w->self))
		return 0;
	for (size_t i = 0; i < w->n_nodes; i++) {
		const struct pl_node *n = &w->nodes[i];

		if (!local_side(p, n))
			continue;
		for (int f = 0; f < PEERING_FAM_COUNT; f++) {
			if (!n->has_addr[f] || (!p->peer_sel && f != fam_of(&p->ip)))
				continue;
			node_entry(w, n, f, p, PEERING_NODE, &en);
			if ((rc = add_unique(mine, globals, &en, e)))
				return rc;
		}
	}
	return 0;
}

static int explicit_peerings(const struct pl_world *w, struct pl_table *globals,
			     struct pl_table *mine, struct err *e)
{
	int rc;

	for (size_t i = 0; i < w->n_peers; i++)
		if (is_global(&w->peers[i]) &&
		    (rc = forward(w, &w->peers[i], PEERING_GLOBAL, globals, NULL, e)))
			return rc;
	for (size_t i = 0; i < w->n_peers; i++)
		if (!is_global(&w->peers[i]) && local_side(&w->peers[i], w->self) &&
		    (rc = forward(w, &w->peers[i], PEERING_NODE, mine, globals, e)))
			return rc;
	for (size_t i = 0; i < w->n_peers; i++)
		if ((rc = reverse(w, &w->peers[i], mine, globals, e)))
			return rc;
	return 0;
}

/* --- the mesh ----------------------------------------------------------- */

static int mesh_peerings(const struct pl_world *w, const struct pl_table *globals,
			 const struct pl_table *mine, struct pl_table *mesh, struct err *e)
{
	const struct pl_node *self = w->self;
	struct pl_entry en;
	int rc;

	if (!w->mesh || *self->cluster_id)
		return 0; /* disabled, or we are a route reflector */
	for (size_t i = 0; i < w->n_nodes; i++) {
		const struct pl_node *n = &w->nodes[i];

		if (*n->cluster_id)
			continue; /* route reflectors are not in the mesh */
		for (int f = 0; f < PEERING_FAM_COUNT; f++) {
			const struct pl_entry *dup;

			if (!self->has_addr[f] || !n->has_addr[f] ||
			    ip_equal(&n->addr[f], &self->addr[f]))
				continue;
			node_entry(w, n, f, NULL, PEERING_MESH, &en);
			if (table_find(globals, &en.ip, en.port) || table_find(mine, &en.ip, en.port))
				continue; /* README: the explicit BGPPeer wins */
			if ((dup = table_find(mesh, &en.ip, en.port))) {
				pl_warn(w, "Node(%s) and Node(%s) both have address %s: one mesh "
					"session to it", dup->remote->name, n->name, n->text[f]);
				continue;
			}
			if ((rc = table_add(mesh, &en, e)))
				return rc;
		}
	}
	return 0;
}

/* --- sessions ----------------------------------------------------------- */

static void set_addr(struct peering_addr *a, const struct ip_addr *ip)
{
	char buf[IP_STRLEN];

	peering_addr_parse(ip_format(ip, buf), a);
}

static void session_error(struct peering_session *s, const char *msg)
{
	if (!s->error)
		s->error = strdup(msg);
}

static void session_password(const struct pl_world *w, const struct pl_secret *ref,
			     struct peering_session *s)
{
	const char *dir = w->env && w->env->secrets_dir && *w->env->secrets_dir
				  ? w->env->secrets_dir : PLANNER_SECRETS_DIR;
	char why[ERR_LEN];
	bool missing;

	if (!ref->set)
		return;
	s->password = pl_secret_read(dir, ref, &missing, why, sizeof(why));
	if (!s->password && !(missing && ref->optional))
		session_error(s, why);
}

static void session_restart(uint64_t secs, struct peering_session *s)
{
	char msg[128];

	if (secs > 4095) { /* the graceful restart time is a 12-bit field */
		snprintf(msg, sizeof(msg), "maxRestartTime = %llus: at most 4095 s",
			 (unsigned long long)secs);
		session_error(s, msg);
		return;
	}
	s->max_restart_time = (uint32_t)secs;
}

/* Parameters only BGPPeer resources carry. */
static void session_from_peer(const struct pl_world *w, const struct pl_entry *en,
			      struct peering_session *s)
{
	const struct pl_peer *p = en->res;
	const struct pl_node *self = w->self;
	char msg[160];
	uint32_t cluster;

	if (p->has_local_as)
		s->local_as = p->local_as;
	if (!p->source_none) {
		s->has_source = true;
		set_addr(&s->source, &self->addr[en->fam]);
	}
	s->ttl_security = (uint8_t)p->ttl;
	s->allow_local_as = (uint8_t)p->allow_local_as;
	s->next_hop = p->next_hop;
	/* legacy keepOriginalNextHop only ever applies towards eBGP */
	s->keep_original_next_hop = p->keep_nh && s->peer_as != s->local_as;
	if (p->has_restart)
		session_restart(p->restart_s, s);
	if (p->has_keepalive) {
		if (p->keepalive_s >= s->hold_time) {
			snprintf(msg, sizeof(msg),
				 "keepaliveTime = %llus: must be below the hold time (%u s)",
				 (unsigned long long)p->keepalive_s, s->hold_time);
			session_error(s, msg);
		} else {
			s->keepalive_time = (uint16_t)p->keepalive_s;
		}
	}
	/* Route reflector: every iBGP peer outside our cluster is a client. */
	if (*self->cluster_id && s->peer_as == s->local_as &&
	    strcmp(en->rr_cluster, self->cluster_id) != 0 &&
	    inet_pton(AF_INET, self->cluster_id, &cluster) == 1) {
		s->rr_client = true;
		s->cluster_id = ntohl(cluster);
	}
	/* Global peerings to a Calico node: the larger address string connects. */
	if (en->type == PEERING_GLOBAL && en->calico_node &&
	    strcmp(s->peer.text, self->text[en->fam]) > 0)
		s->passive = true;
	session_password(w, &p->password, s);
}

static void session_from_mesh(const struct pl_world *w, const struct pl_entry *en,
			      struct peering_session *s)
{
	const struct pl_node *self = w->self;

	s->has_source = true;
	set_addr(&s->source, &self->addr[en->fam]);
	/* Calico's one-directional mesh: compare the address strings */
	s->passive = strcmp(en->remote->text[en->fam], self->text[en->fam]) > 0;
	if (w->has_mesh_restart)
		session_restart(w->mesh_restart_s, s);
	session_password(w, &w->mesh_password, s);
}

static void make_session(const struct pl_world *w, const struct pl_entry *en,
			 struct peering_session *s)
{
	memset(s, 0, sizeof(*s));
	s->type = en->type;
	set_addr(&s->peer, &en->ip);
	s->port = key_port(en->port);
	peering_session_name(en->type, &s->peer, s->port, en->port != 0, s->name,
			     sizeof(s->name));
	s->peer_as = en->peer_as;
	s->local_as = node_as(w, w->self);
	s->hold_time = PEERING_DEFAULT_HOLD;
	s->max_restart_time = PEERING_DEFAULT_RESTART;
	s->families = PEERING_FAM_BIT(en->fam);
	s->add_path = true; /* Calico's template: add paths on */
	if (en->res)
		session_from_peer(w, en, s);
	else
		session_from_mesh(w, en, s);
}

static int cmp_session(const void *a, const void *b)
{
	return strcmp(((const struct peering_session *)a)->name,
		      ((const struct peering_session *)b)->name);
}

/* Turns the surviving entries into the plan's sessions. */
static int add_sessions(const struct pl_world *w, const struct pl_table *const *tables,
			size_t n_tables, struct peering_plan *p, struct err *e)
{
	size_t total = 0;

	for (size_t t = 0; t < n_tables; t++)
		total += tables[t]->n;
	p->sessions = calloc(total + 1, sizeof(*p->sessions));
	if (!p->sessions)
		return err_set(e, -ENOMEM, "out of memory");
	for (size_t t = 0; t < n_tables; t++)
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct pl_entry *en = &tables[t]->v[i];

			if (!w->self->has_addr[en->fam])
				continue; /* no BGP for a family we have no address in */
			make_session(w, en, &p->sessions[p->n_sessions++]);
		}
	qsort(p->sessions, p->n_sessions, sizeof(*p->sessions), cmp_session);
	return 0;
}

/* Removes entries to our own address before the mesh is de-duplicated
 * against the explicit ones: a skipped entry must not hide a mesh one. */
static int drop_self(const struct pl_world *w, struct pl_table *t, struct err *e)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct pl_entry *en = &t->v[i];

		if (w->self->has_addr[en->fam] && ip_equal(&en->ip, &w->self->addr[en->fam]))
			continue;
		t->v[k++] = *en;
	}
	if (k == t->n)
		return 0;
	t->n = k;
	return table_reindex(t, t->n_slots, e);
}

/* --- the plan's top level ---------------------------------------------- */

uint32_t planner_router_id_hash(const char *node)
{
	uint8_t d[SHA256_DIGEST_LEN];

	sha256(node, strlen(node), d);
	/* keep it out of the multicast and reserved ranges (224/3) */
	if (d[0] > 223)
		d[0] -= 32;
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

static int router_id(const struct pl_world *w, uint32_t *id, struct err *e)
{
	const char *env = w->env ? w->env->router_id : NULL;
	const struct pl_node *self = w->self;
	struct in_addr a;

	if (env && strcmp(env, "hash") == 0) {
		*id = planner_router_id_hash(self->name);
	} else if (env && *env) {
		if (inet_pton(AF_INET, env, &a) != 1)
			return err_set(e, -EINVAL, "CALICO_ROUTER_ID = '%s': not an IPv4 address "
				       "or \"hash\"", env);
		*id = ntohl(a.s_addr);
	} else if (self->has_addr[PEERING_FAM_IPV4]) {
		memcpy(&a, self->addr[PEERING_FAM_IPV4].b, 4);
		*id = ntohl(a.s_addr);
	} else {
		return err_set(e, -EINVAL, "Node(%s) has no IPv4 address for the router id: set "
			       "CALICO_ROUTER_ID (an IPv4 address or \"hash\")", self->name);
	}
	if (!*id)
		return err_set(e, -EINVAL, "Node(%s): router id 0.0.0.0 is not valid", self->name);
	return 0;
}

static void plan_listen(const struct pl_world *w, struct peering_plan *p)
{
	const struct pl_node *self = w->self;
	uint16_t port = node_port(w, self);

	p->listen_port = port ? port : PEERING_DEFAULT_PORT;
	if (!w->bind_node_ip)
		return;
	if (self->has_addr[PEERING_FAM_IPV4] && self->has_addr[PEERING_FAM_IPV6]) {
		/* one listening address in the plan: binding to one family's would
		 * refuse the other family's sessions */
		pl_warn(w, "Node(%s): bindMode NodeIP with IPv4 and IPv6 addresses: listening on "
			"all addresses", self->name);
		return;
	}
	p->has_listen_addr = true;
	set_addr(&p->listen_addr, &self->addr[self->has_addr[PEERING_FAM_IPV4]
						     ? PEERING_FAM_IPV4 : PEERING_FAM_IPV6]);
}

static int plan_top(const struct pl_world *w, struct peering_plan *p, struct err *e)
{
	const struct pl_node *self = w->self;
	int rc;

	if (!self->has_addr[PEERING_FAM_IPV4] && !self->has_addr[PEERING_FAM_IPV6])
		return err_set(e, -EINVAL, "Node(%s) has no BGP address (spec.bgp.ipv4Address "
			       "or spec.bgp.ipv6Address)", self->name);
	if ((rc = router_id(w, &p->router_id, e)))
		return rc;
	p->node = strdup(self->name);
	if (!p->node)
		return err_set(e, -ENOMEM, "out of memory");
	p->local_as = node_as(w, self);
	if ((p->has_ipv4 = self->has_addr[PEERING_FAM_IPV4]))
		set_addr(&p->ipv4, &self->addr[PEERING_FAM_IPV4]);
	if ((p->has_ipv6 = self->has_addr[PEERING_FAM_IPV6]))
		set_addr(&p->ipv6, &self->addr[PEERING_FAM_IPV6]);
	p->ipv4_prefix_len = p->has_ipv4 ? self->plen[PEERING_FAM_IPV4] : 0;
	p->ipv6_prefix_len = p->has_ipv6 ? self->plen[PEERING_FAM_IPV6] : 0;
	plan_listen(w, p);
	return 0;
}

/* --- entry point ------------------------------------------------------- */

static int build(struct pl_world *w, const struct planner_input *in, struct peering_plan *p,
		 struct err *e)
{
	struct pl_table globals = { 0 }, mine = { 0 }, mesh = { 0 };
	const struct pl_table *tables[] = { &globals, &mine, &mesh };
	int rc;

	if ((rc = plan_top(w, p, e)))
		return rc;
	if (!(rc = explicit_peerings(w, &globals, &mine, e)) && !(rc = drop_self(w, &globals, e)) &&
	    !(rc = drop_self(w, &mine, e)) && !(rc = mesh_peerings(w, &globals, &mine, &mesh, e)) &&
	    !(rc = add_sessions(w, tables, 3, p, e)))
		rc = pl_plan_export(w, in->ip_pools, p, e);
	table_free(&globals);
	table_free(&mine);
	table_free(&mesh);
	return rc;
}

int planner_plan(const struct planner_input *in, const char *node, const struct planner_env *env,
		 struct peering_plan **out, struct err *e)
{
	struct pl_world w = { .env = env };
	struct peering_plan *p;
	int rc;

	*out = NULL;
	if (!node || !*node)
		return err_set(e, -EINVAL, "node name: required");
	if ((rc = pl_world_load(&w, in, node, e)))
		goto done;
	w.self = pl_node_find(&w, node);
	if (!w.self) {
		rc = err_set(e, -ENOENT, "Node(%s) does not exist", node);
		goto done;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto done;
	}
	rc = build(&w, in, p, e);
	if (rc)
		peering_plan_free(p);
	else
		*out = p;
done:
	pl_world_free(&w);
	return rc;
}

void planner_env_from_environ(struct planner_env *env)
{
	memset(env, 0, sizeof(*env));
	env->router_id = getenv("CALICO_ROUTER_ID");
	env->secrets_dir = getenv("CALICO_SECRETS_DIR");
}
