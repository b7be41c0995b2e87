/* Datastore mode (`calico-bgpd --node NAME`): watches the datastore and turns
 * its BGP resources into this node's plan with the planner (lib/planner.h).
 * A new plan is handed to the owner only when it differs from the last one
 * (compared in canonical JSON), so the speaker's soft reconcile runs once
 * per real change.
 *
 * Watching (store_watch_start: etcd's watch stream, or inotify on the
 * SQLite file and its WAL): a watch event for a Node, BGPConfiguration,
 * BGPPeer or IPPool replans DSYNC_KICK_DELAY later (one replan per burst),
 * so a change reaches the planner within tens of milliseconds; a lost
 * watch stream reconnects by itself and a compaction makes it re-read
 * everything. When no watch can start (e.g. the inotify limit is reached)
 * it polls the store's revision on the event loop (one cheap read every
 * poll interval, 100 ms by default). Either way the plan is also
 * recomputed every replan interval (10 s) whatever the revision, because
 * password secrets are files outside the datastore. */
#ifndef CALICO_DSYNC_H
#define CALICO_DSYNC_H

#include <ev.h>

#include "lib/err.h"
#include "lib/peering.h"
#include "lib/planner.h"
#include "store/config.h"

struct store;
struct dsync;

/* Seconds from a watch event to the replan it causes. */
#define DSYNC_KICK_DELAY 0.01

/* Receives each new plan; takes ownership. */
typedef void (*dsync_plan_fn)(void *ctx, struct peering_plan *plan);

struct dsync_options {
	const struct store_config *store;
	const char *node;
	struct planner_env env;
	double poll_interval;	/* seconds; 0 = 0.1 */
	double replan_interval; /* seconds; 0 = 10 */
};

int dsync_new(struct ev_loop *loop, const struct dsync_options *o, dsync_plan_fn fn, void *ctx,
	      struct dsync **out, struct err *e);
void dsync_free(struct dsync *d);

/* Reads the datastore and plans now. On success *plan is the node's plan
 * (owned by the caller) and becomes the reference later plans are compared
 * with. */
int dsync_plan_now(struct dsync *d, struct peering_plan **plan, struct err *e);

/* Replaces the plan callback (fn NULL: new plans are dropped). */
void dsync_set_callback(struct dsync *d, dsync_plan_fn fn, void *ctx);

/* Starts watching: new plans go to the callback. */
void dsync_start(struct dsync *d);

/* The open datastore, for other writers on the same loop (the
 * CalicoNodeStatus publisher). */
struct store *dsync_store(struct dsync *d);

/* Revision of the datastore the last plan was computed from. */
int64_t dsync_revision(const struct dsync *d);

#endif
