#include "speaker/nodestatus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "store/store.h"

#define NS_KIND "CalicoNodeStatus"

/* When each resource was last considered, by name: spec.updatePeriodSeconds
 * counts from there. */
struct ns_due {
	char *name;
	time_t last;
};

struct ns_publisher {
	char *node;
	struct ns_due *due;
	size_t n_due;
};

static json_t *daemon_json(const struct ns_daemon *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "state", json_string(d->ready ? "Ready" : "NotReady"));
	if (!d->ready)
		return o;
	if (d->version)
		json_object_set_new(o, "version", json_string(d->version));
	if (d->router_id)
		json_object_set_new(o, "routerID", json_string(d->router_id));
	if (d->boot_time)
		json_object_set_new(o, "lastBootTime", json_string(d->boot_time));
	if (d->reconfig_time)
		json_object_set_new(o, "lastReconfigurationTime", json_string(d->reconfig_time));
	return o;
}

static json_t *bgp_json(const struct ns_snapshot *s)
{
	json_t *o = json_object(), *v4 = json_array(), *v6 = json_array();
	int est[2] = {0, 0}, notest[2] = {0, 0};

	for (size_t i = 0; i < s->n_peers; i++) {
		const struct ns_peer *p = &s->peers[i];
		json_t *pj = json_object();
		bool up = p->state && strcmp(p->state, "Established") == 0;

		json_object_set_new(pj, "peerIP", json_string(p->peer_ip));
		json_object_set_new(pj, "type", json_string(p->type));
		json_object_set_new(pj, "state", json_string(p->state ? p->state : ""));
		json_object_set_new(pj, "since", json_string(p->since ? p->since : ""));
		json_array_append_new(p->ipv6 ? v6 : v4, pj);
		(up ? est : notest)[p->ipv6]++;
	}
	json_object_set_new(o, "numberEstablishedV4", json_integer(est[0]));
	json_object_set_new(o, "numberEstablishedV6", json_integer(est[1]));
	json_object_set_new(o, "numberNotEstablishedV4", json_integer(notest[0]));
	json_object_set_new(o, "numberNotEstablishedV6", json_integer(notest[1]));
	/* Empty lists are omitted, as Go's omitempty does. */
	if (json_array_size(v4))
		json_object_set(o, "peersV4", v4);
	if (json_array_size(v6))
		json_object_set(o, "peersV6", v6);
	json_decref(v4);
	json_decref(v6);
	return o;
}

static json_t *routes_json(const struct ns_snapshot *s)
{
	json_t *o = json_object(), *v4 = json_array(), *v6 = json_array();

	for (size_t i = 0; i < s->n_routes; i++) {
		const struct ns_route *r = &s->routes[i];
		json_t *rj = json_object(), *from = json_object();

		json_object_set_new(rj, "type", json_string(r->fib ? "FIB" : "RIB"));
		json_object_set_new(rj, "destination", json_string(r->destination));
		json_object_set_new(rj, "gateway", json_string(r->gateway ? r->gateway : "N/A"));
		json_object_set_new(rj, "interface", json_string(r->interface ? r->interface : ""));
		json_object_set_new(from, "sourceType", json_string(r->source_type));
		if (r->peer_ip)
			json_object_set_new(from, "peerIP", json_string(r->peer_ip));
		json_object_set_new(rj, "learnedFrom", from);
		json_array_append_new(r->ipv6 ? v6 : v4, rj);
	}
	if (json_array_size(v4))
		json_object_set(o, "routesV4", v4);
	if (json_array_size(v6))
		json_object_set(o, "routesV6", v6);
	json_decref(v4);
	json_decref(v6);
	return o;
}

json_t *nodestatus_build(const struct ns_snapshot *s, unsigned classes)
{
	json_t *st = json_object(), *agent = json_object();

	/* Every class object is always present (Go serialises the structs);
	 * only the requested ones are filled. */
	if (classes & NS_CLASS_AGENT) {
		json_object_set_new(agent, "birdV4", daemon_json(&s->v4));
		json_object_set_new(agent, "birdV6", daemon_json(&s->v6));
	}
	json_object_set_new(st, "agent", agent);
	json_object_set_new(st, "bgp", classes & NS_CLASS_BGP ? bgp_json(s) : json_object());
	json_object_set_new(st, "routes", classes & NS_CLASS_ROUTES ? routes_json(s) : json_object());
	return st;
}

unsigned nodestatus_classes(const json_t *resource)
{
	json_t *classes = json_object_get(json_object_get(resource, "spec"), "classes");
	unsigned bits = 0;
	size_t i;
	json_t *c;

	json_array_foreach(classes, i, c)
	{
		const char *name = json_string_value(c);

		if (!name)
			continue;
		if (strcmp(name, "Agent") == 0)
			bits |= NS_CLASS_AGENT;
		else if (strcmp(name, "BGP") == 0)
			bits |= NS_CLASS_BGP;
		else if (strcmp(name, "Routes") == 0)
			bits |= NS_CLASS_ROUTES;
		else
			log_warn("CalicoNodeStatus: unknown class '%s' ignored", name);
	}
	return bits;
}

struct ns_publisher *nodestatus_publisher_new(const char *node)
{
	struct ns_publisher *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->node = strdup(node);
	if (!p->node) {
		free(p);
		return NULL;
	}
	return p;
}

void nodestatus_publisher_free(struct ns_publisher *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_due; i++)
		free(p->due[i].name);
	free(p->due);
	free(p->node);
	free(p);
}

static struct ns_due *due_entry(struct ns_publisher *p, const char *name)
{
	struct ns_due *d;

	for (size_t i = 0; i < p->n_due; i++)
		if (strcmp(p->due[i].name, name) == 0)
			return &p->due[i];
	d = realloc(p->due, (p->n_due + 1) * sizeof(*d));
	if (!d)
		return NULL;
	p->due = d;
	d = &p->due[p->n_due];
	d->name = strdup(name);
	if (!d->name)
		return NULL;
	d->last = 0;
	p->n_due++;
	return d;
}

/* True when the stored status equals `status` apart from lastUpdated. */
static bool status_unchanged(const json_t *res, const json_t *status)
{
	json_t *old = json_object_get(res, "status"), *copy;
	bool same;

	if (!json_is_object(old))
		return false;
	copy = json_deep_copy(old);
	json_object_del(copy, "lastUpdated");
	same = json_equal(copy, status);
	json_decref(copy);
	return same;
}

static void format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Publishes into one resource if due and changed. Returns 1 when written. */
static int publish_one(struct ns_publisher *p, struct store *st, json_t *res,
		       const struct ns_snapshot *s, time_t now, struct err *e)
{
	const json_t *spec = json_object_get(res, "spec");
	const char *name = json_string_value(json_object_get(json_object_get(res, "metadata"), "name"));
	json_t *period = json_object_get(spec, "updatePeriodSeconds");
	struct ns_due *due;
	json_t *status;
	char stamp[32];
	int rc;

	if (!name || !json_is_integer(period) || json_integer_value(period) <= 0)
		return 0; /* 0 (or missing) means: do not refresh */
	due = due_entry(p, name);
	if (!due)
		return err_set(e, -ENOMEM, "out of memory");
	if (due->last && now - due->last < (time_t)json_integer_value(period))
		return 0;
	due->last = now;
	status = nodestatus_build(s, nodestatus_classes(res));
	if (status_unchanged(res, status)) {
		json_decref(status);
		return 0;
	}
	format_time(now, stamp, sizeof(stamp));
	json_object_set_new(status, "lastUpdated", json_string(stamp));
	json_object_set_new(res, "status", status);
	rc = store_update(st, res, e);
	if (rc == -ESTALE || rc == -ENOENT) {
		/* Changed or deleted under us: the next round sees the new one. */
		due->last = 0;
		return 0;
	}
	return rc < 0 ? rc : 1;
}

int nodestatus_publish(struct ns_publisher *p, struct store *st, const struct ns_snapshot *s,
		       time_t now, struct err *e)
{
	json_t *items, *res;
	int written = 0, rc;
	size_t i;

	rc = store_list(st, NS_KIND, NULL, &items, NULL, e);
	if (rc < 0)
		return rc;
	json_array_foreach(items, i, res)
	{
		const char *node = json_string_value(json_object_get(json_object_get(res, "spec"), "node"));

		if (!node || strcmp(node, p->node) != 0)
			continue;
		rc = publish_one(p, st, res, s, now, e);
		if (rc < 0) {
			json_decref(items);
			return rc;
		}
		written += rc;
	}
	json_decref(items);
	return written;
}
