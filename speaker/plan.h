/* Plan mode: what changes between two peering plans. Pure functions over
 * lib/peering.h structures, so that soft reconfiguration (CONVENTIONS 9) is
 * decided in one testable place and speaker_apply() only carries it out. */
#ifndef CALICO_PLAN_H
#define CALICO_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/peering.h"

enum plan_change {
	PLAN_SAME,    /* identical parameters: keep the running session */
	PLAN_CHANGED, /* same name, different parameters: re-establish */
	PLAN_ADDED,   /* new name */
};

struct plan_diff {
	/* Per session of the new plan: its fate and the index of the old
	 * session with the same name (-1 when added). */
	enum plan_change *change;
	long *old_index;
	/* Per session of the old plan: true when the new plan drops it. */
	bool *removed;
	/* Per route of the old plan: withdrawn (not in the new plan). Per
	 * route of the new plan: to (re-)originate (new, or its communities
	 * changed). */
	bool *route_removed;
	bool *route_added;
	/* Router id or local AS changed: every session restarts. */
	bool restart_all;
	unsigned n_same, n_changed, n_added, n_removed, n_routes_added, n_routes_removed;
};

/* Compares old (may be NULL: everything is added) with new. Returns 0 or
 * -ENOMEM. Free with plan_diff_free(). */
int plan_diff(const struct peering_plan *old, const struct peering_plan *new, struct plan_diff *d);
void plan_diff_free(struct plan_diff *d);

/* Whether two routes announce the same prefix with the same communities. */
bool plan_route_equal(const struct peering_route *a, const struct peering_route *b);

#endif
