/* The "sessionless node" warning: a write that leaves a node without any
 * BGP session (typically the mesh disabled before the BGPPeers exist) still
 * does what was asked, but says so on stderr, naming the nodes. Only writes
 * to the four kinds the planner reads pay for it, and the lists of kinds the
 * write did not touch are read once. */
#include "cli/node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_NODE = 1 << 0,
	K_BGPCONFIG = 1 << 1,
	K_BGPPEER = 1 << 2,
	K_IPPOOL = 1 << 3,
};

static unsigned kind_bit(const char *kind)
{
	if (!kind)
		return 0;
	if (!strcmp(kind, "Node"))
		return K_NODE;
	if (!strcmp(kind, "BGPConfiguration"))
		return K_BGPCONFIG;
	if (!strcmp(kind, "BGPPeer"))
		return K_BGPPEER;
	if (!strcmp(kind, "IPPool"))
		return K_IPPOOL;
	return 0;
}

/* Number of planned sessions of a node; -1 when it cannot be planned (no
 * BGP address, say), which also means no session. */
static long sessions_of(const struct node_lists *l, const char *node)
{
	struct peering_plan *plan = NULL;
	struct err e;
	long n;

	if (node_plan(l, node, &plan, &e) < 0)
		return -1;
	n = (long)plan->n_sessions;
	peering_plan_free(plan);
	return n;
}

void sessionless_before(struct cli *c, const json_t *resources, const char *kind,
			struct sessionless *s)
{
	const json_t *obj, *n;
	struct err e;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->kinds = kind_bit(kind);
	json_array_foreach(resources, i, obj)
		s->kinds |= kind_bit(json_string_value(json_object_get(obj, "kind")));
	if (!s->kinds || !c->st)
		return;
	s->had_sessions = json_array();
	if (!s->had_sessions || node_lists_read(c->st, &s->before, &e) < 0) {
		node_lists_free(&s->before);
		json_decref(s->had_sessions);
		s->had_sessions = NULL;
		return;
	}
	json_array_foreach(s->before.nodes, i, n) {
		const char *name = json_string_value(json_object_get(json_object_get(n, "metadata"),
								     "name"));
		if (name && sessions_of(&s->before, name) > 0)
			json_array_append_new(s->had_sessions, json_string(name));
	}
	s->active = true;
}

static bool node_exists(const json_t *nodes, const char *name)
{
	const json_t *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		const char *nm = json_string_value(json_object_get(json_object_get(n, "metadata"),
								   "name"));
		if (nm && !strcmp(nm, name))
			return true;
	}
	return false;
}

/* True when some node is a route reflector: those leave the mesh, and so
 * does every session to them. */
static bool any_reflector(const json_t *nodes)
{
	const json_t *n;
	size_t i;

	json_array_foreach(nodes, i, n) {
		const char *id = json_string_value(json_object_get(
			json_object_get(json_object_get(n, "spec"), "bgp"), "routeReflectorClusterID"));
		if (id && *id)
			return true;
	}
	return false;
}

static bool mesh_disabled(const json_t *configs)
{
	const json_t *cfg;
	size_t i;

	json_array_foreach(configs, i, cfg) {
		const char *nm = json_string_value(json_object_get(json_object_get(cfg, "metadata"),
								   "name"));
		if (nm && !strcmp(nm, "default"))
			return json_is_false(json_object_get(json_object_get(cfg, "spec"),
							      "nodeToNodeMeshEnabled"));
	}
	return false;
}

/* The lists after the write: the kinds it touched are read again, the
 * others are shared with the before state. */
static int lists_after(struct cli *c, struct sessionless *s, struct node_lists *a)
{
	struct err e;

	memset(a, 0, sizeof(*a));
	if (!(s->kinds & K_NODE))
		a->nodes = json_incref(s->before.nodes);
	if (!(s->kinds & K_BGPCONFIG))
		a->bgp_configs = json_incref(s->before.bgp_configs);
	if (!(s->kinds & K_BGPPEER))
		a->bgp_peers = json_incref(s->before.bgp_peers);
	if (!(s->kinds & K_IPPOOL))
		a->ip_pools = json_incref(s->before.ip_pools);
	return node_lists_read(c->st, a, &e);
}

void sessionless_after(struct cli *c, struct sessionless *s)
{
	struct node_lists a;
	struct strbuf names;
	const json_t *n;
	size_t i, count = 0;
	bool unplannable = false;

	if (!s->active)
		goto out;
	if (json_array_size(s->had_sessions) == 0)
		goto out;
	if (lists_after(c, s, &a) < 0) {
		node_lists_free(&a);
		goto out;
	}
	sb_init(&names);
	json_array_foreach(s->had_sessions, i, n) {
		const char *name = json_string_value(n);
		long now;
		/* A deleted node has no sessions by design. */
		if (!node_exists(a.nodes, name))
			continue;
		now = sessions_of(&a, name);
		if (now > 0)
			continue;
		if (now < 0)
			unplannable = true;
		sb_addf(&names, "%s%s", count++ ? ", " : "", name);
	}
	if (count) {
		const char *why;
		if (mesh_disabled(a.bgp_configs))
			why = "node-to-node mesh disabled and no BGPPeer selects them";
		else if (unplannable)
			why = "no BGP address, or no peer left; see 'calicoctl node peers'";
		else if (any_reflector(a.nodes))
			why = "route reflectors are outside the node-to-node mesh and no BGPPeer "
			      "selects them";
		else
			why = "no other node in the node-to-node mesh and no BGPPeer selects them";
		fprintf(stderr, "Warning: node(s) %s now have no BGP sessions (%s)\n", names.buf, why);
	}
	sb_free(&names);
	node_lists_free(&a);
out:
	node_lists_free(&s->before);
	json_decref(s->had_sessions);
	memset(s, 0, sizeof(*s));
}
