/* The speaker's datastore mode (`calico-bgpd --node NAME`), the Calico node
 * agent: on top of a running speaker it
 *  - follows the datastore (dsync.h) and reconciles every new plan softly
 *    (speaker_apply),
 *  - applies Calico's IP-pool export rules to what leaves the node
 *    (poolpolicy.h) and keeps the kernel in step with the RIB (kernel.h:
 *    learned best routes installed, the node's pod routes originated, stale
 *    routes of an earlier run swept once the peers have re-sent theirs),
 *  - publishes CalicoNodeStatus (nodestatus.h).
 * Everything runs on the speaker's event loop. */
#ifndef CALICO_DSMODE_H
#define CALICO_DSMODE_H

#include <ev.h>

#include "lib/err.h"
#include "speaker/dsync.h"
#include "speaker/speaker.h"

struct dsmode;

struct dsmode_options {
	/* Seconds after start-up after which routes left in the kernel by an
	 * earlier run are swept even if some peer never came back. */
	double sweep_deadline; /* 0 = 120 */
	/* How often CalicoNodeStatus resources are considered. */
	double status_interval; /* 0 = 1 */
};

/* Attaches to sp (whose first plan came from ds) and starts watching: each
 * new plan is applied to the speaker, then export rules and kernel config
 * follow it. The
 * kernel part needs CAP_NET_ADMIN; without it the agent runs without
 * kernel programming and says so in the log. */
int dsmode_new(struct ev_loop *loop, struct speaker *sp, struct dsync *ds, const char *node,
	       const struct dsmode_options *o, struct dsmode **out, struct err *e);

/* Re-plans now and reconciles (SIGHUP, the `reload` command); *sum (may be
 * NULL) receives what changed. */
int dsmode_reload(struct dsmode *dm, struct speaker_apply_summary *sum, struct err *e);

void dsmode_free(struct dsmode *dm);

/* True when the kernel's main table holds routes of our protocol (proto
 * bird): an earlier run left them (a stopped speaker keeps its routes), so
 * this start is a restart and should be a graceful one (RFC 4724 R and F
 * bits), as calico-node runs BIRD with -R. False when the table cannot be
 * read. */
bool dsmode_kernel_has_earlier_routes(void);

#endif
