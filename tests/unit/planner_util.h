/* Helpers for the planner tests: worlds written as compact JSON (single
 * quotes for readability), one summary line per session so that expected
 * plans read like a table, and the invariants every plan must keep. */
#ifndef CALICO_TEST_PLANNER_UTIL_H
#define CALICO_TEST_PLANNER_UTIL_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/planner.h"

/* Warnings of the last plan, one per line. */
static char warnings[8192];

static void collect_warning(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

/* Parses text with ' standing for ". */
static json_t *jq(const char *text)
{
	char *s = strdup(text);
	json_error_t je;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, 0, &je);
	if (!v)
		printf("# bad test JSON: %s: %s\n", je.text, s);
	free(s);
	return v;
}

/* Wraps each item of list into a v3 envelope of kind k, as the store
 * returns them. */
static void envelope(json_t *list, const char *k)
{
	size_t i;
	json_t *it;

	json_array_foreach(list, i, it) {
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(k));
		json_object_set_new(o, "apiVersion", json_string("projectcalico.org/v3"));
		json_object_update(o, it);
		json_array_set_new(list, i, o);
	}
}

/* A world: {'nodes': [...], 'configs': [...], 'peers': [...], 'pools': [...]}
 * each item {'metadata': {...}, 'spec': {...}}. reversed lists the items in
 * reverse order (the plan must not depend on it). */
struct world {
	json_t *nodes, *configs, *peers, *pools;
};

static json_t *list_of(json_t *w, const char *key, const char *kind, bool reversed)
{
	json_t *src = json_object_get(w, key), *out = json_array();
	size_t n = json_array_size(src);

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_deep_copy(json_array_get(src, reversed ? n - 1 - i : i)));
	envelope(out, kind);
	return out;
}

static void world_load(struct world *wd, const char *text, bool reversed)
{
	json_t *w = jq(text);

	wd->nodes = list_of(w, "nodes", "Node", reversed);
	wd->configs = list_of(w, "configs", "BGPConfiguration", reversed);
	wd->peers = list_of(w, "peers", "BGPPeer", reversed);
	wd->pools = list_of(w, "pools", "IPPool", reversed);
	json_decref(w);
}

static void world_free(struct world *wd)
{
	json_decref(wd->nodes);
	json_decref(wd->configs);
	json_decref(wd->peers);
	json_decref(wd->pools);
}

static const char *secrets_dir; /* set by main() */

/* Plans node for the world; returns the plan or NULL (err in e). */
static struct peering_plan *plan_world(const char *text, const char *node, const char *router_id,
				       bool reversed, struct err *e)
{
	struct world wd;
	struct planner_input in;
	struct planner_env env = { .router_id = router_id, .secrets_dir = secrets_dir,
				   .warn = collect_warning };
	struct peering_plan *p = NULL;

	world_load(&wd, text, reversed);
	in = (struct planner_input){ wd.nodes, wd.configs, wd.peers, wd.pools };
	warnings[0] = '\0';
	e->msg[0] = '\0';
	planner_plan(&in, node, &env, &p, e);
	world_free(&wd);
	return p;
}

static void id_text(uint32_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 255, (id >> 8) & 255, id & 255);
}

/* One line per session: name, type, peer[:port], "as" peer AS [/local AS
 * when it differs from the plan's], then only what is not the default. */
static void session_line(const struct peering_plan *p, const struct peering_session *s,
			 char *out, size_t len)
{
	char buf[256];
	size_t n;

	n = (size_t)snprintf(out, len, "%s %s %s", s->name, peering_type_name(s->type),
			     s->peer.text);
	if (s->port != 179)
		n += (size_t)snprintf(out + n, len - n, ":%u", s->port);
	n += (size_t)snprintf(out + n, len - n, " as %u", s->peer_as);
	if (s->local_as != p->local_as)
		n += (size_t)snprintf(out + n, len - n, "/%u", s->local_as);
	if (s->passive)
		n += (size_t)snprintf(out + n, len - n, " passive");
	if (s->rr_client) {
		id_text(s->cluster_id, buf, sizeof(buf));
		n += (size_t)snprintf(out + n, len - n, " rr %s", buf);
	}
	if (s->next_hop != PEERING_NH_AUTO)
		n += (size_t)snprintf(out + n, len - n, " nh %s", peering_nexthop_name(s->next_hop));
	if (s->keep_original_next_hop)
		n += (size_t)snprintf(out + n, len - n, " keepnh");
	if (s->password)
		n += (size_t)snprintf(out + n, len - n, " pw %s", s->password);
	if (s->ttl_security)
		n += (size_t)snprintf(out + n, len - n, " ttl %u", s->ttl_security);
	if (s->has_source)
		n += (size_t)snprintf(out + n, len - n, " src %s", s->source.text);
	if (s->keepalive_time)
		n += (size_t)snprintf(out + n, len - n, " ka %u", s->keepalive_time);
	if (s->max_restart_time != 120)
		n += (size_t)snprintf(out + n, len - n, " gr %u", s->max_restart_time);
	if (s->allow_local_as)
		n += (size_t)snprintf(out + n, len - n, " allowas %u", s->allow_local_as);
	if (s->error)
		snprintf(out + n, len - n, " err %s", s->error);
}

/* All session lines, '\n'-terminated, in plan order. */
static __attribute__((unused)) char *plan_lines(const struct peering_plan *p)
{
	size_t cap = 256 * (p->n_sessions + 1), n = 0;
	char *out = calloc(1, cap), line[512];

	for (size_t i = 0; i < p->n_sessions; i++) {
		session_line(p, &p->sessions[i], line, sizeof(line));
		n += (size_t)snprintf(out + n, cap - n, "%s\n", line);
	}
	return out;
}

static char *plan_dump(const struct peering_plan *p)
{
	json_t *j = peering_plan_to_json(p);
	char *s = json_dumps(j, JSON_INDENT(1));

	json_decref(j);
	return s;
}

/* Invariants of every plan: sessions sorted by unique names, fixed hold
 * time, ADD-PATH on, one family (the peer's), the JSON form parses back to
 * the same JSON, and listing the resources in reverse order gives the same
 * plan byte for byte. */
static void check_invariants(const char *what, const char *world, const char *node,
			     const char *router_id, const struct peering_plan *p)
{
	struct peering_plan *q = NULL, *r;
	char *d1 = plan_dump(p), *d2 = NULL, *d3 = NULL, label[160];
	struct err e;
	json_t *j;
	bool ok = true;
	char saved[sizeof(warnings)];

	for (size_t i = 0; i < p->n_sessions; i++) {
		const struct peering_session *s = &p->sessions[i];

		if (i && strcmp(p->sessions[i - 1].name, s->name) >= 0)
			ok = false;
		if (s->hold_time != 240 || !s->add_path ||
		    s->families != PEERING_FAM_BIT(s->peer.family))
			ok = false;
	}
	snprintf(label, sizeof(label), "%s: sessions sorted, hold 240, add-path, one family", what);
	CHECK_MSG(ok, label);
	j = json_loads(d1, 0, NULL);
	if (peering_plan_parse(j, &q, &e) == 0)
		d2 = plan_dump(q);
	else
		printf("# parse: %s\n", e.msg);
	json_decref(j);
	snprintf(label, sizeof(label), "%s: JSON round trip", what);
	CHECK_MSG(d2 && strcmp(d1, d2) == 0, label);
	memcpy(saved, warnings, sizeof(saved));
	r = plan_world(world, node, router_id, true, &e);
	memcpy(warnings, saved, sizeof(saved));
	if (r)
		d3 = plan_dump(r);
	snprintf(label, sizeof(label), "%s: same plan from reversed input", what);
	CHECK_MSG(d3 && strcmp(d1, d3) == 0, label);
	peering_plan_free(q);
	peering_plan_free(r);
	free(d1);
	free(d2);
	free(d3);
}

#endif
