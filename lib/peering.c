/* The peering plan: JSON parse/print and the small helpers the speaker
 * uses to reconcile plans. Parsing is strict: every key is known, every
 * value is checked, and errors name the JSON path of the field. */
#include "lib/peering.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[PEERING_TYPE_COUNT] = {
	[PEERING_MESH] = "mesh",
	[PEERING_GLOBAL] = "global",
	[PEERING_NODE] = "node",
};
_Static_assert(sizeof(type_names) / sizeof(type_names[0]) == PEERING_TYPE_COUNT, "type names");

static const char *const type_labels[PEERING_TYPE_COUNT] = {
	[PEERING_MESH] = "node-to-node mesh",
	[PEERING_GLOBAL] = "global",
	[PEERING_NODE] = "node specific",
};
_Static_assert(sizeof(type_labels) / sizeof(type_labels[0]) == PEERING_TYPE_COUNT, "type labels");

static const char *const type_prefixes[PEERING_TYPE_COUNT] = {
	[PEERING_MESH] = "Mesh",
	[PEERING_GLOBAL] = "Global",
	[PEERING_NODE] = "Node",
};

static const char *const nexthop_names[PEERING_NH_COUNT] = {
	[PEERING_NH_AUTO] = "Auto",
	[PEERING_NH_SELF] = "Self",
	[PEERING_NH_KEEP] = "Keep",
};
_Static_assert(sizeof(nexthop_names) / sizeof(nexthop_names[0]) == PEERING_NH_COUNT, "nh names");

static const char *const family_names[PEERING_FAM_COUNT] = {
	[PEERING_FAM_IPV4] = "ipv4",
	[PEERING_FAM_IPV6] = "ipv6",
};
_Static_assert(sizeof(family_names) / sizeof(family_names[0]) == PEERING_FAM_COUNT, "fam names");

const char *peering_type_name(enum peering_type t)
{
	return t < PEERING_TYPE_COUNT ? type_names[t] : "unknown";
}

const char *peering_type_label(enum peering_type t)
{
	return t < PEERING_TYPE_COUNT ? type_labels[t] : "unknown";
}

const char *peering_nexthop_name(enum peering_nexthop m)
{
	return m < PEERING_NH_COUNT ? nexthop_names[m] : "unknown";
}

const char *peering_family_name(enum peering_family f)
{
	return f < PEERING_FAM_COUNT ? family_names[f] : "unknown";
}

int peering_addr_parse(const char *text, struct peering_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->bytes) == 1)
		a->family = PEERING_FAM_IPV4;
	else if (inet_pton(AF_INET6, text, a->bytes) == 1)
		a->family = PEERING_FAM_IPV6;
	else
		return -EINVAL;
	inet_ntop(a->family == PEERING_FAM_IPV4 ? AF_INET : AF_INET6, a->bytes, a->text,
		  sizeof(a->text));
	return 0;
}

void peering_session_name(enum peering_type t, const struct peering_addr *peer, uint16_t port,
			  bool explicit_port, char *out, size_t len)
{
	char ip[PEERING_ADDR_TEXT];
	size_t i;
	int n;

	for (i = 0; peer->text[i] && i < sizeof(ip) - 1; i++)
		ip[i] = (peer->text[i] == '.' || peer->text[i] == ':') ? '_' : peer->text[i];
	ip[i] = '\0';
	n = snprintf(out, len, "%s_%s", t < PEERING_TYPE_COUNT ? type_prefixes[t] : "Peer", ip);
	if (t != PEERING_MESH && explicit_port && n >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "_port_%u", port);
}

/* --- strict JSON field readers ----------------------------------------- */

/* Fails on any key of obj not listed in keys (NULL-terminated). */
static int check_keys(const json_t *obj, const char *path, const char *const *keys, struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *k;

		(void)v;
		for (k = keys; *k; k++)
			if (strcmp(*k, key) == 0)
				break;
		if (!*k)
			return err_set(e, -EINVAL, "%s%s%s: unknown field", path, *path ? "." : "",
				       key);
	}
	return 0;
}

static int get_uint(const json_t *obj, const char *path, const char *key, uint64_t max,
		    uint64_t *out, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return err_set(e, -EINVAL, "%s.%s: must be an integer", path, key);
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n > max)
		return err_set(e, -EINVAL, "%s.%s = %" JSON_INTEGER_FORMAT ": must be 0..%" PRIu64,
			       path, key, n, max);
	*out = (uint64_t)n;
	return 0;
}

static int get_bool(const json_t *obj, const char *path, const char *key, bool *out, struct err *e)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return err_set(e, -EINVAL, "%s.%s: must be true or false", path, key);
	*out = json_is_true(v);
	return 0;
}

/* *out is NULL when the key is absent or null. */
static int get_str(const json_t *obj, const char *path, const char *key, const char **out,
		   struct err *e)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(e, -EINVAL, "%s.%s: must be a string", path, key);
	*out = json_string_value(v);
	return 0;
}

static int get_addr(const json_t *obj, const char *path, const char *key, bool *has,
		    struct peering_addr *a, struct err *e)
{
	const char *s;
	int rc = get_str(obj, path, key, &s, e);

	if (rc)
		return rc;
	*has = s && *s;
	if (!*has)
		return 0;
	if (peering_addr_parse(s, a))
		return err_set(e, -EINVAL, "%s.%s = '%s': not an IPv4 or IPv6 address", path, key,
			       s);
	return 0;
}

/* A dotted-quad id (router id, cluster id) into host order. */
static int get_id(const json_t *obj, const char *path, const char *key, uint32_t *out,
		  struct err *e)
{
	const char *s;
	struct in_addr in;
	int rc = get_str(obj, path, key, &s, e);

	if (rc || !s || !*s)
		return rc;
	if (inet_pton(AF_INET, s, &in) != 1)
		return err_set(e, -EINVAL, "%s.%s = '%s': must be a dotted-quad IPv4 address", path,
			       key, s);
	*out = ntohl(in.s_addr);
	if (*out == 0)
		return err_set(e, -EINVAL, "%s.%s = '%s': must not be 0.0.0.0", path, key, s);
	return 0;
}

static int get_enum(const json_t *obj, const char *path, const char *key,
		    const char *const *names, int count, int *out, struct err *e)
{
	const char *s;
	int rc = get_str(obj, path, key, &s, e);

	if (rc || !s)
		return rc;
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	if (count == 3)
		return err_set(e, -EINVAL, "%s.%s = '%s': must be one of %s, %s, %s", path, key, s,
			       names[0], names[1], names[2]);
	return err_set(e, -EINVAL, "%s.%s = '%s': not a known value", path, key, s);
}

/* --- sessions ---------------------------------------------------------- */

static const char *const session_keys[] = {
	"name", "type", "peerIP", "port", "peerASNumber", "localASNumber", "passive", "rrClient",
	"clusterID", "nextHopMode", "keepOriginalNextHop", "password", "ttlSecurity",
	"sourceAddress", "holdTime", "keepaliveTime", "maxRestartTime",
	"numAllowedLocalASNumbers", "families", "addPaths", "error", NULL,
};

static int parse_families(const json_t *obj, const char *path, unsigned *out, struct err *e)
{
	json_t *v = json_object_get(obj, "families"), *f;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return err_set(e, -EINVAL, "%s.families: must be a non-empty list of \"ipv4\"/\"ipv6\"",
			       path);
	*out = 0;
	json_array_foreach(v, i, f) {
		int k;

		for (k = 0; k < PEERING_FAM_COUNT; k++)
			if (json_is_string(f) && strcmp(json_string_value(f), family_names[k]) == 0)
				break;
		if (k == PEERING_FAM_COUNT)
			return err_set(e, -EINVAL, "%s.families[%zu]: must be \"ipv4\" or \"ipv6\"",
				       path, i);
		*out |= PEERING_FAM_BIT(k);
	}
	return 0;
}

static int parse_session(const json_t *obj, const char *path, const struct peering_plan *plan,
			 struct peering_session *s, struct err *e)
{
	const char *str;
	uint64_t n;
	int rc, en;
	bool has, explicit_port;

	if (!json_is_object(obj))
		return err_set(e, -EINVAL, "%s: must be an object", path);
	if ((rc = check_keys(obj, path, session_keys, e)))
		return rc;
	s->type = PEERING_NODE;
	s->port = PEERING_DEFAULT_PORT;
	s->local_as = plan->local_as;
	s->hold_time = PEERING_DEFAULT_HOLD;
	s->max_restart_time = PEERING_DEFAULT_RESTART;
	s->add_path = true;

	en = s->type;
	if ((rc = get_enum(obj, path, "type", type_names, PEERING_TYPE_COUNT, &en, e)))
		return rc;
	s->type = en;
	if ((rc = get_addr(obj, path, "peerIP", &has, &s->peer, e)))
		return rc;
	if (!has)
		return err_set(e, -EINVAL, "%s.peerIP: required", path);
	explicit_port = json_object_get(obj, "port") != NULL;
	n = s->port;
	if ((rc = get_uint(obj, path, "port", 65535, &n, e)))
		return rc;
	if (n == 0)
		return err_set(e, -EINVAL, "%s.port = 0: must be 1..65535", path);
	s->port = (uint16_t)n;
	if (!json_object_get(obj, "peerASNumber"))
		return err_set(e, -EINVAL, "%s.peerASNumber: required", path);
	n = 0;
	if ((rc = get_uint(obj, path, "peerASNumber", UINT32_MAX, &n, e)))
		return rc;
	if (n == 0)
		return err_set(e, -EINVAL, "%s.peerASNumber = 0: must be 1..4294967295", path);
	s->peer_as = (uint32_t)n;
	n = s->local_as;
	if ((rc = get_uint(obj, path, "localASNumber", UINT32_MAX, &n, e)))
		return rc;
	if (n == 0)
		return err_set(e, -EINVAL, "%s.localASNumber = 0: must be 1..4294967295", path);
	s->local_as = (uint32_t)n;
	if ((rc = get_bool(obj, path, "passive", &s->passive, e)) ||
	    (rc = get_bool(obj, path, "rrClient", &s->rr_client, e)) ||
	    (rc = get_id(obj, path, "clusterID", &s->cluster_id, e)) ||
	    (rc = get_bool(obj, path, "keepOriginalNextHop", &s->keep_original_next_hop, e)) ||
	    (rc = get_bool(obj, path, "addPaths", &s->add_path, e)))
		return rc;
	if (s->rr_client && s->peer_as != s->local_as)
		return err_set(e, -EINVAL,
			       "%s.rrClient: a route-reflector client must be iBGP (peerASNumber %u "
			       "!= localASNumber %u)",
			       path, s->peer_as, s->local_as);
	if (s->rr_client && !s->cluster_id)
		s->cluster_id = plan->router_id; /* RFC 4456 §7: default is the router id */
	en = PEERING_NH_AUTO;
	if ((rc = get_enum(obj, path, "nextHopMode", nexthop_names, PEERING_NH_COUNT, &en, e)))
		return rc;
	s->next_hop = en;
	if ((rc = get_str(obj, path, "password", &str, e)))
		return rc;
	if (str && *str) {
		if (strlen(str) > 80) /* TCP_MD5SIG_MAXKEYLEN */
			return err_set(e, -EINVAL, "%s.password: longer than 80 bytes", path);
		s->password = strdup(str);
	}
	n = 0;
	if ((rc = get_uint(obj, path, "ttlSecurity", 255, &n, e)))
		return rc;
	s->ttl_security = (uint8_t)n;
	if ((rc = get_addr(obj, path, "sourceAddress", &s->has_source, &s->source, e)))
		return rc;
	if (s->has_source && s->source.family != s->peer.family)
		return err_set(e, -EINVAL, "%s.sourceAddress = '%s': family differs from peerIP '%s'",
			       path, s->source.text, s->peer.text);
	n = s->hold_time;
	if ((rc = get_uint(obj, path, "holdTime", 65535, &n, e)))
		return rc;
	if (n == 1 || n == 2)
		return err_set(e, -EINVAL, "%s.holdTime = %" PRIu64 ": must be 0 or at least 3 (RFC 4271)",
			       path, n);
	s->hold_time = (uint16_t)n;
	n = 0;
	if ((rc = get_uint(obj, path, "keepaliveTime", 65535, &n, e)))
		return rc;
	if (n && s->hold_time && n >= s->hold_time)
		return err_set(e, -EINVAL, "%s.keepaliveTime = %" PRIu64 ": must be below holdTime %u",
			       path, n, s->hold_time);
	s->keepalive_time = (uint16_t)n;
	n = s->max_restart_time;
	if ((rc = get_uint(obj, path, "maxRestartTime", 4095, &n, e))) /* 12-bit field */
		return rc;
	s->max_restart_time = (uint32_t)n;
	n = 0;
	if ((rc = get_uint(obj, path, "numAllowedLocalASNumbers", 255, &n, e)))
		return rc;
	s->allow_local_as = (uint8_t)n;
	s->families = PEERING_FAM_BIT(s->peer.family);
	if ((rc = parse_families(obj, path, &s->families, e)))
		return rc;
	if ((rc = get_str(obj, path, "error", &str, e)))
		return rc;
	if (str && *str)
		s->error = strdup(str);
	if ((rc = get_str(obj, path, "name", &str, e)))
		return rc;
	if (str && *str) {
		if (strlen(str) >= sizeof(s->name))
			return err_set(e, -EINVAL, "%s.name: longer than %zu characters", path,
				       sizeof(s->name) - 1);
		strcpy(s->name, str);
	} else {
		peering_session_name(s->type, &s->peer, s->port, explicit_port, s->name,
				     sizeof(s->name));
	}
	return 0;
}

/* --- routes ------------------------------------------------------------ */

static const char *const route_keys[] = { "prefix", "communities", NULL };

static int parse_prefix(const char *text, struct peering_route *r)
{
	char buf[PEERING_ADDR_TEXT + 8], *slash, *end;
	unsigned long len;
	unsigned max;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (peering_addr_parse(buf, &r->prefix))
		return -EINVAL;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	max = r->prefix.family == PEERING_FAM_IPV4 ? 32 : 128;
	if (!slash[1] || *end || errno || len > max)
		return -EINVAL;
	r->len = (uint8_t)len;
	/* host bits must be zero: a prefix is a network, not an address */
	for (unsigned bit = r->len; bit < max; bit++)
		if (r->prefix.bytes[bit / 8] & (0x80 >> (bit % 8)))
			return -ERANGE;
	return 0;
}

/* "a:b" (each 0..65535) or "a:b:c" (each 0..4294967295). */
static int parse_community(const char *text, struct peering_route *r)
{
	unsigned long long v[3];
	int n = 0;
	const char *p = text;
	char *end;

	while (n < 3) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v[n] = strtoull(p, &end, 10);
		if (errno || v[n] > UINT32_MAX)
			return -EINVAL;
		n++;
		if (*end == '\0')
			break;
		if (*end != ':')
			return -EINVAL;
		p = end + 1;
	}
	if (*end != '\0' || n < 2)
		return -EINVAL;
	if (n == 2) {
		if (v[0] > 65535 || v[1] > 65535)
			return -EINVAL;
		r->communities[r->n_communities++] = (uint32_t)(v[0] << 16 | v[1]);
	} else {
		r->large[r->n_large++] = (struct peering_large_community){
			(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]
		};
	}
	return 0;
}

static int parse_route(const json_t *obj, const char *path, struct peering_route *r,
		       struct err *e)
{
	const char *str;
	json_t *list, *c;
	size_t i;
	int rc;

	if (!json_is_object(obj))
		return err_set(e, -EINVAL, "%s: must be an object", path);
	if ((rc = check_keys(obj, path, route_keys, e)) || (rc = get_str(obj, path, "prefix", &str, e)))
		return rc;
	if (!str)
		return err_set(e, -EINVAL, "%s.prefix: required", path);
	rc = parse_prefix(str, r);
	if (rc == -ERANGE)
		return err_set(e, -EINVAL, "%s.prefix = '%s': host bits set", path, str);
	if (rc)
		return err_set(e, -EINVAL, "%s.prefix = '%s': not an IPv4 or IPv6 CIDR", path, str);
	list = json_object_get(obj, "communities");
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return err_set(e, -EINVAL, "%s.communities: must be a list of strings", path);
	r->communities = calloc(json_array_size(list) + 1, sizeof(*r->communities));
	r->large = calloc(json_array_size(list) + 1, sizeof(*r->large));
	if (!r->communities || !r->large)
		return err_set(e, -ENOMEM, "out of memory");
	json_array_foreach(list, i, c) {
		if (!json_is_string(c) || parse_community(json_string_value(c), r))
			return err_set(e, -EINVAL,
				       "%s.communities[%zu]: must be \"a:b\" (16-bit parts) or "
				       "\"a:b:c\" (32-bit parts)",
				       path, i);
	}
	return 0;
}

int peering_route_parse(const json_t *obj, const char *path, struct peering_route *r,
			struct err *e)
{
	return parse_route(obj, path, r, e);
}

/* --- the plan ---------------------------------------------------------- */

static const char *const plan_keys[] = {
	"version", "node", "routerID", "asNumber", "ipv4Address", "ipv6Address", "listenAddress",
	"listenPort", "sessions", "routes",
	/* export policy (peering_export.c) */
	"routeReflectorClusterID", "ipv4PrefixLength", "ipv6PrefixLength", "ipPools", "serviceCIDRs",
	"prefixAdvertisements", "programClusterRoutes", NULL,
};

static int cmp_session(const void *a, const void *b)
{
	return strcmp(((const struct peering_session *)a)->name,
		      ((const struct peering_session *)b)->name);
}

static int check_unique(const struct peering_plan *p, struct err *e)
{
	for (size_t i = 1; i < p->n_sessions; i++)
		if (strcmp(p->sessions[i - 1].name, p->sessions[i].name) == 0)
			return err_set(e, -EINVAL, "sessions: name '%s' used twice",
				       p->sessions[i].name);
	for (size_t i = 0; i < p->n_sessions; i++)
		for (size_t j = i + 1; j < p->n_sessions; j++) {
			const struct peering_session *a = &p->sessions[i], *b = &p->sessions[j];

			if (a->port == b->port && a->peer.family == b->peer.family &&
			    memcmp(a->peer.bytes, b->peer.bytes, 16) == 0)
				return err_set(e, -EINVAL,
					       "sessions: '%s' and '%s' both peer with %s port %u",
					       a->name, b->name, a->peer.text, a->port);
		}
	return 0;
}

static int parse_plan_top(const json_t *doc, struct peering_plan *p, struct err *e)
{
	uint64_t n;
	const char *str;
	int rc;

	if ((rc = check_keys(doc, "", plan_keys, e)))
		return rc;
	n = PEERING_PLAN_VERSION;
	if ((rc = get_uint(doc, "plan", "version", UINT32_MAX, &n, e)))
		return rc;
	if (n != PEERING_PLAN_VERSION)
		return err_set(e, -EINVAL, "version = %" PRIu64 ": only version %d is understood", n,
			       PEERING_PLAN_VERSION);
	if ((rc = get_str(doc, "plan", "node", &str, e)))
		return rc;
	if (str && *str)
		p->node = strdup(str);
	n = 64512; /* Calico's default AS */
	if ((rc = get_uint(doc, "plan", "asNumber", UINT32_MAX, &n, e)))
		return rc;
	if (n == 0)
		return err_set(e, -EINVAL, "asNumber = 0: must be 1..4294967295");
	p->local_as = (uint32_t)n;
	if ((rc = get_addr(doc, "plan", "ipv4Address", &p->has_ipv4, &p->ipv4, e)) ||
	    (rc = get_addr(doc, "plan", "ipv6Address", &p->has_ipv6, &p->ipv6, e)) ||
	    (rc = get_addr(doc, "plan", "listenAddress", &p->has_listen_addr, &p->listen_addr, e)) ||
	    (rc = get_id(doc, "plan", "routerID", &p->router_id, e)))
		return rc;
	if (p->has_ipv4 && p->ipv4.family != PEERING_FAM_IPV4)
		return err_set(e, -EINVAL, "ipv4Address = '%s': not an IPv4 address", p->ipv4.text);
	if (p->has_ipv6 && p->ipv6.family != PEERING_FAM_IPV6)
		return err_set(e, -EINVAL, "ipv6Address = '%s': not an IPv6 address", p->ipv6.text);
	if (!p->router_id && p->has_ipv4)
		p->router_id = (uint32_t)p->ipv4.bytes[0] << 24 | (uint32_t)p->ipv4.bytes[1] << 16 |
			       (uint32_t)p->ipv4.bytes[2] << 8 | p->ipv4.bytes[3];
	if (!p->router_id)
		return err_set(e, -EINVAL, "routerID: required when ipv4Address is not set");
	n = PEERING_DEFAULT_PORT;
	if ((rc = get_uint(doc, "plan", "listenPort", 65535, &n, e)))
		return rc;
	p->listen_port = (uint16_t)n;
	return 0;
}

/* get_* helpers prefix paths with "plan."; top-level messages read better
 * without it. */
static void strip_plan_prefix(struct err *e)
{
	if (e && strncmp(e->msg, "plan.", 5) == 0)
		memmove(e->msg, e->msg + 5, strlen(e->msg + 5) + 1);
}

int peering_plan_parse(const json_t *doc, struct peering_plan **out, struct err *e)
{
	struct peering_plan *p;
	json_t *list, *item;
	char path[48];
	size_t i;
	int rc;

	*out = NULL;
	if (!json_is_object(doc))
		return err_set(e, -EINVAL, "plan: must be a JSON object");
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, -ENOMEM, "out of memory");
	rc = parse_plan_top(doc, p, e);
	if (rc) {
		strip_plan_prefix(e);
		goto fail;
	}
	list = json_object_get(doc, "sessions");
	if (list && !json_is_null(list)) {
		if (!json_is_array(list)) {
			rc = err_set(e, -EINVAL, "sessions: must be a list");
			goto fail;
		}
		p->sessions = calloc(json_array_size(list) + 1, sizeof(*p->sessions));
		if (!p->sessions) {
			rc = err_set(e, -ENOMEM, "out of memory");
			goto fail;
		}
		json_array_foreach(list, i, item) {
			snprintf(path, sizeof(path), "sessions[%zu]", i);
			p->n_sessions++;
			if ((rc = parse_session(item, path, p, &p->sessions[i], e)))
				goto fail;
		}
		qsort(p->sessions, p->n_sessions, sizeof(*p->sessions), cmp_session);
		if ((rc = check_unique(p, e)))
			goto fail;
	}
	list = json_object_get(doc, "routes");
	if (list && !json_is_null(list)) {
		if (!json_is_array(list)) {
			rc = err_set(e, -EINVAL, "routes: must be a list");
			goto fail;
		}
		p->routes = calloc(json_array_size(list) + 1, sizeof(*p->routes));
		if (!p->routes) {
			rc = err_set(e, -ENOMEM, "out of memory");
			goto fail;
		}
		json_array_foreach(list, i, item) {
			snprintf(path, sizeof(path), "routes[%zu]", i);
			p->n_routes++;
			if ((rc = parse_route(item, path, &p->routes[i], e)))
				goto fail;
		}
	}
	if ((rc = peering_export_parse(doc, p, e)))
		goto fail;
	*out = p;
	return 0;
fail:
	peering_plan_free(p);
	return rc;
}

int peering_plan_load(const char *path, struct peering_plan **out, struct err *e)
{
	json_error_t je;
	json_t *doc;
	int rc;

	*out = NULL;
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		if (je.line < 0)
			return err_set(e, -ENOENT, "%s: %s", path, je.text);
		return err_set(e, -EINVAL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	}
	rc = peering_plan_parse(doc, out, e);
	json_decref(doc);
	if (rc)
		err_prefix(e, "%s: ", path);
	return rc;
}

/* --- printing ---------------------------------------------------------- */

static json_t *id_json(uint32_t id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", id >> 24, (id >> 16) & 255, (id >> 8) & 255,
		 id & 255);
	return json_string(buf);
}

json_t *peering_session_to_json(const struct peering_session *s)
{
	json_t *o = json_object(), *fams = json_array();

	for (int f = 0; f < PEERING_FAM_COUNT; f++)
		if (s->families & PEERING_FAM_BIT(f))
			json_array_append_new(fams, json_string(family_names[f]));
	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "type", json_string(peering_type_name(s->type)));
	json_object_set_new(o, "peerIP", json_string(s->peer.text));
	json_object_set_new(o, "port", json_integer(s->port));
	json_object_set_new(o, "peerASNumber", json_integer(s->peer_as));
	json_object_set_new(o, "localASNumber", json_integer(s->local_as));
	json_object_set_new(o, "passive", json_boolean(s->passive));
	json_object_set_new(o, "rrClient", json_boolean(s->rr_client));
	json_object_set_new(o, "clusterID", s->cluster_id ? id_json(s->cluster_id) : json_string(""));
	json_object_set_new(o, "nextHopMode", json_string(peering_nexthop_name(s->next_hop)));
	json_object_set_new(o, "keepOriginalNextHop", json_boolean(s->keep_original_next_hop));
	json_object_set_new(o, "password", json_string(s->password ? s->password : ""));
	json_object_set_new(o, "ttlSecurity", json_integer(s->ttl_security));
	json_object_set_new(o, "sourceAddress", json_string(s->has_source ? s->source.text : ""));
	json_object_set_new(o, "holdTime", json_integer(s->hold_time));
	json_object_set_new(o, "keepaliveTime", json_integer(s->keepalive_time));
	json_object_set_new(o, "maxRestartTime", json_integer(s->max_restart_time));
	json_object_set_new(o, "numAllowedLocalASNumbers", json_integer(s->allow_local_as));
	json_object_set_new(o, "families", fams);
	json_object_set_new(o, "addPaths", json_boolean(s->add_path));
	json_object_set_new(o, "error", json_string(s->error ? s->error : ""));
	return o;
}

static json_t *route_to_json(const struct peering_route *r)
{
	json_t *o = json_object(), *comms = json_array();
	char buf[80];

	snprintf(buf, sizeof(buf), "%s/%u", r->prefix.text, r->len);
	json_object_set_new(o, "prefix", json_string(buf));
	for (size_t i = 0; i < r->n_communities; i++) {
		snprintf(buf, sizeof(buf), "%u:%u", r->communities[i] >> 16,
			 r->communities[i] & 0xffff);
		json_array_append_new(comms, json_string(buf));
	}
	for (size_t i = 0; i < r->n_large; i++) {
		snprintf(buf, sizeof(buf), "%u:%u:%u", r->large[i].global, r->large[i].local1,
			 r->large[i].local2);
		json_array_append_new(comms, json_string(buf));
	}
	json_object_set_new(o, "communities", comms);
	return o;
}

json_t *peering_route_to_json(const struct peering_route *r)
{
	return route_to_json(r);
}

json_t *peering_plan_to_json(const struct peering_plan *p)
{
	json_t *o = json_object(), *sessions = json_array(), *routes = json_array();

	json_object_set_new(o, "version", json_integer(PEERING_PLAN_VERSION));
	json_object_set_new(o, "node", json_string(p->node ? p->node : ""));
	json_object_set_new(o, "routerID", id_json(p->router_id));
	json_object_set_new(o, "asNumber", json_integer(p->local_as));
	json_object_set_new(o, "ipv4Address", json_string(p->has_ipv4 ? p->ipv4.text : ""));
	json_object_set_new(o, "ipv6Address", json_string(p->has_ipv6 ? p->ipv6.text : ""));
	json_object_set_new(o, "listenAddress",
			    json_string(p->has_listen_addr ? p->listen_addr.text : ""));
	json_object_set_new(o, "listenPort", json_integer(p->listen_port));
	for (size_t i = 0; i < p->n_sessions; i++)
		json_array_append_new(sessions, peering_session_to_json(&p->sessions[i]));
	for (size_t i = 0; i < p->n_routes; i++)
		json_array_append_new(routes, route_to_json(&p->routes[i]));
	json_object_set_new(o, "sessions", sessions);
	json_object_set_new(o, "routes", routes);
	peering_export_to_json(p, o);
	return o;
}

void peering_plan_free(struct peering_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_sessions; i++) {
		free(p->sessions[i].password);
		free(p->sessions[i].error);
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		free(p->routes[i].communities);
		free(p->routes[i].large);
	}
	free(p->sessions);
	free(p->routes);
	peering_export_free(p);
	free(p->node);
	free(p);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool peering_session_equal(const struct peering_session *a, const struct peering_session *b)
{
	return strcmp(a->name, b->name) == 0 && a->type == b->type &&
	       a->peer.family == b->peer.family && memcmp(a->peer.bytes, b->peer.bytes, 16) == 0 &&
	       a->port == b->port && a->peer_as == b->peer_as && a->local_as == b->local_as &&
	       a->passive == b->passive && a->rr_client == b->rr_client &&
	       a->cluster_id == b->cluster_id && a->next_hop == b->next_hop &&
	       a->keep_original_next_hop == b->keep_original_next_hop &&
	       str_eq(a->password, b->password) && a->ttl_security == b->ttl_security &&
	       a->has_source == b->has_source &&
	       (!a->has_source || memcmp(a->source.bytes, b->source.bytes, 16) == 0) &&
	       a->hold_time == b->hold_time && a->keepalive_time == b->keepalive_time &&
	       a->max_restart_time == b->max_restart_time &&
	       a->allow_local_as == b->allow_local_as && a->families == b->families &&
	       a->add_path == b->add_path && str_eq(a->error, b->error);
}

const struct peering_session *peering_plan_find(const struct peering_plan *plan,
						const struct peering_addr *peer, uint16_t port)
{
	for (size_t i = 0; i < plan->n_sessions; i++) {
		const struct peering_session *s = &plan->sessions[i];

		if (s->peer.family == peer->family && memcmp(s->peer.bytes, peer->bytes, 16) == 0 &&
		    (port == 0 || port == s->port))
			return s;
	}
	return NULL;
}

unsigned peering_session_keepalive(const struct peering_session *s)
{
	if (s->keepalive_time)
		return s->keepalive_time;
	return s->hold_time / 3;
}
