/* Plan diffing for soft reconfiguration (see plan.h). */
#include "speaker/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool same_prefix(const struct peering_route *a, const struct peering_route *b)
{
	return a->len == b->len && a->prefix.family == b->prefix.family &&
	       memcmp(a->prefix.bytes, b->prefix.bytes, 16) == 0;
}

bool plan_route_equal(const struct peering_route *a, const struct peering_route *b)
{
	return same_prefix(a, b) && a->n_communities == b->n_communities &&
	       a->n_large == b->n_large &&
	       (!a->n_communities ||
		memcmp(a->communities, b->communities, a->n_communities * sizeof(uint32_t)) == 0) &&
	       (!a->n_large || memcmp(a->large, b->large, a->n_large * sizeof(*a->large)) == 0);
}

static long find_session(const struct peering_plan *p, const char *name)
{
	if (!p)
		return -1;
	for (size_t i = 0; i < p->n_sessions; i++)
		if (strcmp(p->sessions[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void diff_routes(const struct peering_plan *old, const struct peering_plan *new,
			struct plan_diff *d)
{
	size_t n_old = old ? old->n_routes : 0;

	for (size_t i = 0; i < n_old; i++) {
		bool kept = false;

		for (size_t j = 0; j < new->n_routes && !kept; j++)
			kept = same_prefix(&old->routes[i], &new->routes[j]);
		d->route_removed[i] = !kept;
		d->n_routes_removed += !kept;
	}
	for (size_t j = 0; j < new->n_routes; j++) {
		bool same = false;

		for (size_t i = 0; i < n_old && !same; i++)
			same = !d->restart_all && plan_route_equal(&old->routes[i], &new->routes[j]);
		d->route_added[j] = !same;
		d->n_routes_added += !same;
	}
}

int plan_diff(const struct peering_plan *old, const struct peering_plan *new, struct plan_diff *d)
{
	size_t n_old = old ? old->n_sessions : 0, r_old = old ? old->n_routes : 0;

	memset(d, 0, sizeof(*d));
	d->change = calloc(new->n_sessions + 1, sizeof(*d->change));
	d->old_index = calloc(new->n_sessions + 1, sizeof(*d->old_index));
	d->removed = calloc(n_old + 1, sizeof(*d->removed));
	d->route_removed = calloc(r_old + 1, sizeof(*d->route_removed));
	d->route_added = calloc(new->n_routes + 1, sizeof(*d->route_added));
	if (!d->change || !d->old_index || !d->removed || !d->route_removed || !d->route_added) {
		plan_diff_free(d);
		return -ENOMEM;
	}
	d->restart_all = old && (old->router_id != new->router_id || old->local_as != new->local_as);
	for (size_t i = 0; i < new->n_sessions; i++) {
		long o = find_session(old, new->sessions[i].name);

		d->old_index[i] = o;
		if (o < 0) {
			d->change[i] = PLAN_ADDED;
			d->n_added++;
		} else if (!d->restart_all &&
			   peering_session_equal(&old->sessions[o], &new->sessions[i])) {
			d->change[i] = PLAN_SAME;
			d->n_same++;
		} else {
			d->change[i] = PLAN_CHANGED;
			d->n_changed++;
		}
	}
	for (size_t i = 0; i < n_old; i++) {
		d->removed[i] = find_session(new, old->sessions[i].name) < 0;
		d->n_removed += d->removed[i];
	}
	diff_routes(old, new, d);
	return 0;
}

void plan_diff_free(struct plan_diff *d)
{
	free(d->change);
	free(d->old_index);
	free(d->removed);
	free(d->route_removed);
	free(d->route_added);
	memset(d, 0, sizeof(*d));
}
