/* The speaker: one event loop holding the RIB, the sessions of the running
 * plan, the listening sockets and the originated routes. speaker_apply()
 * reconciles a new plan softly (CONVENTIONS 9): sessions whose parameters
 * are unchanged keep running, a changed one is re-established alone, a
 * removed one is closed with a Cease; routes are (un)originated by diff. */
#ifndef CALICO_SPEAKER_H
#define CALICO_SPEAKER_H

#include <ev.h>
#include <stdbool.h>

#include "lib/err.h"
#include "lib/peering.h"
#include "speaker/rib.h"
#include "speaker/session.h"
#include "speaker/wire.h"

struct speaker {
	struct ev_loop *loop;
	struct rib *rib;
	struct peering_plan *plan; /* the running plan */
	struct session **sessions; /* parallel to plan->sessions (same order) */
	size_t n_sessions;
	int listen_fd[PEERING_FAM_COUNT];
	ev_io listen_w[PEERING_FAM_COUNT];
	uint16_t listen_port;	   /* what the sockets are bound to */
	struct peering_addr listen_addr;
	bool has_listen_addr;
	ev_tstamp started;
	ev_tstamp last_reload;
	unsigned reloads;
	ev_idle rib_work;	   /* background RIB work (flushes, sweeps) */

	/* Graceful restart as the restarting speaker (--graceful-restart). */
	bool gr_restarting;	   /* R bit in our OPENs, updates deferred */
	ev_timer gr_timer;	   /* ends the deferral at the latest */

	/* Optional observer of best-path changes (datastore mode's kernel
	 * sync); survives a RIB rebuild by speaker_apply(). */
	void (*best_changed)(void *ctx, const struct bgp_prefix *prefix,
			     const struct rib_route *old_best, const struct rib_route *new_best);
	void *best_ctx;

	/* Scratch for decoding: one UPDATE at a time on this thread. */
	struct bgp_update *upd;
	/* Scratch for one outbound slice: sessions pull, encode and clear it
	 * in one go, so a thousand sessions share one instead of each keeping
	 * a slice's worth of arrays. */
	struct rib_out_batch out_batch;
};

/* Creates the speaker around loop: the RIB configured from plan's router
 * id and AS. The plan is applied (sessions started, listeners opened,
 * routes originated) by speaker_apply(). */
int speaker_new(struct ev_loop *loop, const struct peering_plan *plan, bool gr_restarting,
		struct speaker **out, struct err *e);

/* Takes ownership of plan and reconciles to it. A plan whose router id or
 * local AS differs from the running one restarts every session. Listening
 * sockets are re-opened when the listen address or port change. On error
 * (e.g. a port already in use) the running state is kept where possible and
 * the error returned. *summary (may be NULL) receives counts of sessions
 * added, changed, removed, unchanged and routes added/removed. */
struct speaker_apply_summary {
	unsigned added, changed, removed, unchanged, routes_added, routes_removed;
};
int speaker_apply(struct speaker *sp, struct peering_plan *plan,
		  struct speaker_apply_summary *summary, struct err *e);

/* Sends Cease to every peer, flushes what it can, and frees everything. */
void speaker_free(struct speaker *sp);

/* The session with this name, or NULL. */
struct session *speaker_session(struct speaker *sp, const char *name);
/* The session owning a RIB peer id, or NULL. */
struct session *speaker_session_by_rib_peer(struct speaker *sp, uint16_t peer);

/* Called by sessions when the restarting-speaker deferral may end (every
 * peer sent End-of-RIB). */
void speaker_gr_check(struct speaker *sp);

#endif
