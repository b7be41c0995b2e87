/* Decoding the v3 resources into what the planner reads. The store has
 * validated them already; still, nothing here trusts its input: a field of
 * the wrong type or value skips the resource (or the field) with a warning
 * naming both, which is what calico-node does with resources it cannot use. */
#include "lib/planner_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

void pl_warn(const struct pl_world *w, const char *fmt, ...)
{
	char msg[ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->env && w->env->warn)
		w->env->warn(w->env->warn_ctx, msg);
	else
		log_warn("planner: %s", msg);
}

int pl_json_asn(const json_t *v, uint32_t *out)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 0 || n > UINT32_MAX)
			return -EINVAL;
		*out = (uint32_t)n;
		return 0;
	}
	if (json_is_string(v))
		return asn_parse(json_string_value(v), out);
	return -EINVAL;
}

static const char *res_name(const json_t *res)
{
	const json_t *n = json_object_get(json_object_get(res, "metadata"), "name");

	return json_is_string(n) ? json_string_value(n) : NULL;
}

/* A string field: absent/null gives "", any other non-string fails. */
static int get_str(const json_t *obj, const char *key, const char **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = "";
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	*out = json_string_value(v);
	return 0;
}

/* --- nodes -------------------------------------------------------------- */

/* spec.bgp.ipv4Address / ipv6Address: an address with or without /len. */
static int node_addr(const char *text, int want_family, struct pl_node *n, int f)
{
	char host[IP_STRLEN];
	const char *slash = strchr(text, '/');
	size_t hl = slash ? (size_t)(slash - text) : strlen(text);
	struct ip_cidr c;

	if (!*text)
		return 0;
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, hl);
	host[hl] = '\0';
	if (ip_parse(host, &n->addr[f]) || n->addr[f].family != want_family)
		return -EINVAL;
	n->plen[f] = want_family == 4 ? 32 : 128;
	if (slash) {
		if (cidr_parse(text, &c))
			return -EINVAL;
		n->plen[f] = (uint8_t)c.len;
	}
	strcpy(n->text[f], host);
	n->has_addr[f] = true;
	return 0;
}

static int load_node(const struct pl_world *w, const json_t *res, struct pl_node *n)
{
	const json_t *bgp = json_object_get(json_object_get(res, "spec"), "bgp");
	const json_t *labels = json_object_get(json_object_get(res, "metadata"), "labels");
	static const char *const fields[PEERING_FAM_COUNT] = { "ipv4Address", "ipv6Address" };
	const char *s;
	struct ip_addr id;

	memset(n, 0, sizeof(*n));
	n->name = res_name(res);
	if (!n->name) {
		pl_warn(w, "Node without metadata.name: skipped");
		return -EINVAL;
	}
	n->labels = json_is_object(labels) ? labels : NULL;
	if (!bgp || json_is_null(bgp))
		return 0; /* no BGP: still a node for selectors, never a peer */
	for (int f = 0; f < PEERING_FAM_COUNT; f++) {
		if (get_str(bgp, fields[f], &s) || node_addr(s, f ? 6 : 4, n, f)) {
			pl_warn(w, "Node(%s): spec.bgp.%s = '%s': not an %s address; ignored",
				n->name, fields[f], json_is_string(json_object_get(bgp, fields[f]))
				? json_string_value(json_object_get(bgp, fields[f])) : "?",
				f ? "IPv6" : "IPv4");
			n->has_addr[f] = false;
		}
	}
	if (pl_json_asn(json_object_get(bgp, "asNumber"), &n->asn)) {
		pl_warn(w, "Node(%s): spec.bgp.asNumber: not an AS number; the global AS applies",
			n->name);
		n->asn = 0;
	}
	if (get_str(bgp, "routeReflectorClusterID", &s) ||
	    (*s && (ip_parse(s, &id) || id.family != 4))) {
		pl_warn(w, "Node(%s): spec.bgp.routeReflectorClusterID = '%s': not an IPv4 address; "
			"ignored", n->name, json_is_string(json_object_get(bgp,
			"routeReflectorClusterID")) ? s : "?");
	} else if (strlen(s) < sizeof(n->cluster_id)) {
		strcpy(n->cluster_id, s);
	}
	return 0;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct pl_node *)a)->name, ((const struct pl_node *)b)->name);
}

const struct pl_node *pl_node_find(const struct pl_world *w, const char *name)
{
	struct pl_node key = { .name = name };

	if (!w->n_nodes)
		return NULL;
	return bsearch(&key, w->nodes, w->n_nodes, sizeof(key), cmp_node);
}

static int load_nodes(struct pl_world *w, const json_t *list, struct err *e)
{
	size_t i;
	const json_t *res;

	if (!json_is_array(list))
		return 0;
	w->nodes = calloc(json_array_size(list) + 1, sizeof(*w->nodes));
	if (!w->nodes)
		return err_set(e, -ENOMEM, "out of memory");
	json_array_foreach(list, i, res) {
		if (load_node(w, res, &w->nodes[w->n_nodes]) == 0)
			w->n_nodes++;
	}
	qsort(w->nodes, w->n_nodes, sizeof(*w->nodes), cmp_node);
	for (i = 1; i < w->n_nodes; i++)
		if (strcmp(w->nodes[i - 1].name, w->nodes[i].name) == 0)
			return err_set(e, -EINVAL, "Node(%s) listed twice", w->nodes[i].name);
	return 0;
}

/* --- BGP configurations ------------------------------------------------- */

static int load_secret_ref(const json_t *obj, struct pl_secret *s)
{
	const json_t *ref = json_object_get(obj, "secretKeyRef");
	const json_t *opt;

	memset(s, 0, sizeof(*s));
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(ref))
		return -EINVAL;
	if (get_str(ref, "name", &s->name) || get_str(ref, "key", &s->key) || !*s->key)
		return -EINVAL;
	opt = json_object_get(ref, "optional");
	if (opt && !json_is_boolean(opt) && !json_is_null(opt))
		return -EINVAL;
	s->optional = json_is_true(opt);
	s->set = true;
	return 0;
}

/* A Go duration string in whole seconds (rounded, as confd does). */
static int get_seconds(const json_t *obj, const char *key, bool *has, uint64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	int64_t ns;

	*has = false;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || duration_parse(json_string_value(v), &ns, NULL, 0) || ns < 0)
		return -EINVAL;
	*out = (uint64_t)((ns + 500000000) / 1000000000);
	*has = true;
	return 0;
}

static uint16_t get_port(const struct pl_world *w, const char *cfg, const json_t *spec)
{
	const json_t *v = json_object_get(spec, "listenPort");

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535) {
		pl_warn(w, "BGPConfiguration(%s): listenPort: must be 1..65535; ignored", cfg);
		return 0;
	}
	return (uint16_t)json_integer_value(v);
}

static void load_default_config(struct pl_world *w)
{
	const json_t *spec = w->default_spec, *v;
	const char *s;

	w->global_as = PL_DEFAULT_AS;
	w->mesh = true;
	if (!spec)
		return;
	if (pl_json_asn(json_object_get(spec, "asNumber"), &w->global_as) || !w->global_as) {
		pl_warn(w, "BGPConfiguration(default): asNumber: not an AS number; 64512 applies");
		w->global_as = PL_DEFAULT_AS;
	}
	v = json_object_get(spec, "nodeToNodeMeshEnabled");
	if (json_is_boolean(v))
		w->mesh = json_is_true(v);
	else if (v && !json_is_null(v))
		pl_warn(w, "BGPConfiguration(default): nodeToNodeMeshEnabled: must be true or false; "
			"the mesh stays enabled");
	w->global_port = get_port(w, "default", spec);
	if (load_secret_ref(json_object_get(spec, "nodeMeshPassword"), &w->mesh_password))
		pl_warn(w, "BGPConfiguration(default): nodeMeshPassword.secretKeyRef: needs a name "
			"and a key; mesh sessions get no password");
	if (get_seconds(spec, "nodeMeshMaxRestartTime", &w->has_mesh_restart, &w->mesh_restart_s))
		pl_warn(w, "BGPConfiguration(default): nodeMeshMaxRestartTime: not a duration; "
			"ignored");
	if (get_str(spec, "bindMode", &s) || (*s && strcmp(s, "None") && strcmp(s, "NodeIP")))
		pl_warn(w, "BGPConfiguration(default): bindMode: must be None or NodeIP; None applies");
	else
		w->bind_node_ip = strcmp(s, "NodeIP") == 0;
}

static void load_configs(struct pl_world *w, const json_t *list, const char *self)
{
	size_t i;
	const json_t *res;

	json_array_foreach(list, i, res) {
		const char *name = res_name(res);
		const json_t *spec = json_object_get(res, "spec");
		struct pl_node *n;

		if (!name || !json_is_object(spec))
			continue;
		if (strcmp(name, "default") == 0) {
			w->default_spec = spec;
		} else if (strncmp(name, "node.", 5) == 0) {
			n = (struct pl_node *)pl_node_find(w, name + 5);
			if (n)
				n->listen_port = get_port(w, name, spec);
			if (strcmp(name + 5, self) == 0)
				w->self_spec = spec;
		}
		/* any other name is ignored, as calico-node does */
	}
	load_default_config(w);
}

/* --- BGP peers ---------------------------------------------------------- */

static int peer_selector(const struct pl_world *w, const char *peer, const json_t *spec,
			 const char *key, struct selector **out)
{
	const char *s;
	struct err e;

	*out = NULL;
	if (get_str(spec, key, &s)) {
		pl_warn(w, "BGPPeer(%s): %s: must be a string; peer skipped", peer, key);
		return -EINVAL;
	}
	if (!*s)
		return 0;
	if (sel_parse(s, out, &e)) {
		pl_warn(w, "BGPPeer(%s): %s = '%s': %s; peer skipped", peer, key, s, e.msg);
		return -EINVAL;
	}
	return 0;
}

static const char *const nexthop_words[PEERING_NH_COUNT] = { "Auto", "Self", "Keep" };

/* The per-session fields; the scope and remote fields are checked by the
 * caller. */
static int peer_params(const struct pl_world *w, const json_t *spec, struct pl_peer *p)
{
	const char *s;
	const json_t *v;

	p->has_local_as = json_object_get(spec, "localASNumber") &&
			  !json_is_null(json_object_get(spec, "localASNumber"));
	if (pl_json_asn(json_object_get(spec, "localASNumber"), &p->local_as) ||
	    (p->has_local_as && !p->local_as)) {
		pl_warn(w, "BGPPeer(%s): localASNumber: not an AS number; peer skipped", p->name);
		return -EINVAL;
	}
	if (load_secret_ref(json_object_get(spec, "password"), &p->password)) {
		pl_warn(w, "BGPPeer(%s): password.secretKeyRef: needs a name and a key; peer skipped",
			p->name);
		return -EINVAL;
	}
	if (get_str(spec, "sourceAddress", &s) ||
	    (*s && strcmp(s, "UseNodeIP") && strcmp(s, "None"))) {
		pl_warn(w, "BGPPeer(%s): sourceAddress: must be UseNodeIP or None; peer skipped",
			p->name);
		return -EINVAL;
	}
	p->source_none = strcmp(s, "None") == 0;
	if (get_seconds(spec, "maxRestartTime", &p->has_restart, &p->restart_s) ||
	    get_seconds(spec, "keepaliveTime", &p->has_keepalive, &p->keepalive_s)) {
		pl_warn(w, "BGPPeer(%s): maxRestartTime/keepaliveTime: not a duration; peer skipped",
			p->name);
		return -EINVAL;
	}
	v = json_object_get(spec, "keepOriginalNextHop");
	if (v && !json_is_boolean(v) && !json_is_null(v)) {
		pl_warn(w, "BGPPeer(%s): keepOriginalNextHop: must be true or false; peer skipped",
			p->name);
		return -EINVAL;
	}
	p->keep_nh = json_is_true(v);
	if (get_str(spec, "nextHopMode", &s)) {
		pl_warn(w, "BGPPeer(%s): nextHopMode: must be a string; peer skipped", p->name);
		return -EINVAL;
	}
	p->next_hop = PEERING_NH_AUTO;
	if (*s) {
		int m;

		for (m = 0; m < PEERING_NH_COUNT && strcmp(s, nexthop_words[m]); m++)
			;
		if (m == PEERING_NH_COUNT) {
			pl_warn(w, "BGPPeer(%s): nextHopMode = '%s': must be Auto, Self or Keep; "
				"peer skipped", p->name, s);
			return -EINVAL;
		}
		if (p->keep_nh) {
			pl_warn(w, "BGPPeer(%s): keepOriginalNextHop and nextHopMode cannot both be "
				"set; peer skipped", p->name);
			return -EINVAL;
		}
		p->next_hop = m;
	}
	v = json_object_get(spec, "numAllowedLocalASNumbers");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255) {
			pl_warn(w, "BGPPeer(%s): numAllowedLocalASNumbers: must be 0..255; peer "
				"skipped", p->name);
			return -EINVAL;
		}
		p->allow_local_as = (uint32_t)json_integer_value(v);
	}
	v = json_object_get(spec, "ttlSecurity");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255) {
			pl_warn(w, "BGPPeer(%s): ttlSecurity: must be 0..255; peer skipped", p->name);
			return -EINVAL;
		}
		p->ttl = (uint32_t)json_integer_value(v);
	}
	if (get_str(spec, "reversePeering", &s) ||
	    (*s && strcmp(s, "Auto") && strcmp(s, "Manual"))) {
		pl_warn(w, "BGPPeer(%s): reversePeering: must be Auto or Manual; peer skipped",
			p->name);
		return -EINVAL;
	}
	p->reverse_manual = strcmp(s, "Manual") == 0;
	return 0;
}

/* Scope and remote side: node/nodeSelector, peerIP/peerSelector/asNumber. */
static int peer_scope(const struct pl_world *w, const json_t *spec, struct pl_peer *p)
{
	const char *ip, *lws;
	bool has_asn;

	if (get_str(spec, "node", &p->node)) {
		pl_warn(w, "BGPPeer(%s): node: must be a string; peer skipped", p->name);
		return -EINVAL;
	}
	if (peer_selector(w, p->name, spec, "nodeSelector", &p->node_sel) ||
	    peer_selector(w, p->name, spec, "peerSelector", &p->peer_sel))
		return -EINVAL;
	if (*p->node && p->node_sel) {
		pl_warn(w, "BGPPeer(%s): node and nodeSelector cannot both be set; peer skipped",
			p->name);
		return -EINVAL;
	}
	if (get_str(spec, "localWorkloadSelector", &lws) || *lws) {
		pl_warn(w, "BGPPeer(%s): localWorkloadSelector: local workload peering is not "
			"supported; peer skipped", p->name);
		return -EINVAL;
	}
	has_asn = json_object_get(spec, "asNumber") &&
		  !json_is_null(json_object_get(spec, "asNumber"));
	if (pl_json_asn(json_object_get(spec, "asNumber"), &p->asn)) {
		pl_warn(w, "BGPPeer(%s): asNumber: not an AS number; peer skipped", p->name);
		return -EINVAL;
	}
	if (get_str(spec, "peerIP", &ip)) {
		pl_warn(w, "BGPPeer(%s): peerIP: must be a string; peer skipped", p->name);
		return -EINVAL;
	}
	if (*ip && p->peer_sel) {
		pl_warn(w, "BGPPeer(%s): peerIP and peerSelector cannot both be set; peer skipped",
			p->name);
		return -EINVAL;
	}
	if (p->peer_sel) {
		if (p->asn) {
			pl_warn(w, "BGPPeer(%s): asNumber must not be set with peerSelector; peer "
				"skipped", p->name);
			return -EINVAL;
		}
		return 0;
	}
	if (!*ip) {
		pl_warn(w, "BGPPeer(%s): neither peerIP nor peerSelector is set; peer skipped",
			p->name);
		return -EINVAL;
	}
	if (peerip_parse(ip, &p->ip, &p->port, NULL)) {
		pl_warn(w, "BGPPeer(%s): peerIP = '%s': not an IP address with an optional port; "
			"peer skipped", p->name, ip);
		return -EINVAL;
	}
	if (!p->asn) {
		/* Calico would render "as 0", which no speaker accepts */
		pl_warn(w, "BGPPeer(%s): asNumber: required with peerIP%s; peer skipped", p->name,
			has_asn ? " (0 is not an AS)" : "");
		return -EINVAL;
	}
	return 0;
}

static void peer_free(struct pl_peer *p)
{
	sel_free(p->node_sel);
	sel_free(p->peer_sel);
	p->node_sel = p->peer_sel = NULL;
}

static int load_peer(const struct pl_world *w, const json_t *res, struct pl_peer *p)
{
	const json_t *spec = json_object_get(res, "spec");
	const json_t *filters;
	const char *s;

	memset(p, 0, sizeof(*p));
	p->name = res_name(res);
	if (!p->name) {
		pl_warn(w, "BGPPeer without metadata.name: skipped");
		return -EINVAL;
	}
	if (!json_is_object(spec)) {
		pl_warn(w, "BGPPeer(%s): spec: must be an object; peer skipped", p->name);
		return -EINVAL;
	}
	if (peer_scope(w, spec, p) || peer_params(w, spec, p)) {
		peer_free(p);
		return -EINVAL;
	}
	filters = json_object_get(spec, "filters");
	if (json_is_array(filters) && json_array_size(filters))
		pl_warn(w, "BGPPeer(%s): filters: BGPFilter is not supported; sessions are planned "
			"without them", p->name);
	if (!get_str(spec, "reachableBy", &s) && *s)
		pl_warn(w, "BGPPeer(%s): reachableBy: the static route to %s is not installed",
			p->name, s);
	return 0;
}

static int cmp_peer(const void *a, const void *b)
{
	return strcmp(((const struct pl_peer *)a)->name, ((const struct pl_peer *)b)->name);
}

static int load_peers(struct pl_world *w, const json_t *list, struct err *e)
{
	size_t i;
	const json_t *res;

	if (!json_is_array(list))
		return 0;
	w->peers = calloc(json_array_size(list) + 1, sizeof(*w->peers));
	if (!w->peers)
		return err_set(e, -ENOMEM, "out of memory");
	json_array_foreach(list, i, res) {
		if (load_peer(w, res, &w->peers[w->n_peers]) == 0)
			w->n_peers++;
	}
	/* Calico iterates a Go map here, so which of two clashing peers wins is
	 * unspecified; sorting by name makes it the first by name. */
	qsort(w->peers, w->n_peers, sizeof(*w->peers), cmp_peer);
	return 0;
}

int pl_world_load(struct pl_world *w, const struct planner_input *in, const char *self,
		  struct err *e)
{
	int rc;

	if ((rc = load_nodes(w, in->nodes, e)))
		return rc;
	/* after the nodes: node.<name> configs set their listen ports */
	load_configs(w, in->bgp_configs, self);
	return load_peers(w, in->bgp_peers, e);
}

void pl_world_free(struct pl_world *w)
{
	for (size_t i = 0; i < w->n_peers; i++)
		peer_free(&w->peers[i]);
	free(w->peers);
	free(w->nodes);
	w->peers = NULL;
	w->nodes = NULL;
	w->n_peers = w->n_nodes = 0;
}
