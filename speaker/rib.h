/* The route decision engine (RDE): Adj-RIB-In per peer, the Loc-RIB with the
 * RFC 4271 §9.1 decision process (plus RFC 4456 tie-breaks), and outbound
 * queues per peer. Pure: no sockets, no clocks, no I/O. The session layer
 * feeds decoded UPDATEs in, pulls outbound changes in slices, and runs
 * background work (flushes, stale sweeps) in slices through rib_work().
 *
 * Peers are small integers (uint16_t). Peer 0 is the speaker itself: routes
 * it holds are the locally originated ones (rib_originate()).
 *
 * Memory: prefixes live in a per-family table indexed by 32-bit ids, paths
 * in a pool of 16-byte records, attributes are interned (attr.h), and the
 * Adj-RIB-Out is not stored: what a peer was sent is recomputed from the
 * current best path by export policy, with one "advertised" bit per prefix
 * per peer so that withdrawals go only where an announcement went. */
#ifndef CALICO_RIB_H
#define CALICO_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "speaker/attr.h"
#include "speaker/bgp.h"

struct rib;

/* The local peer id: routes originated by this speaker. */
#define RIB_PEER_LOCAL 0
/* Highest peer id (65535 is reserved inside the RIB). */
#define RIB_PEER_MAX 65534

/* Default LOCAL_PREF where a route carries none (RFC 4271 leaves it to
 * policy; BIRD, FRR and Calico use 100). */
#define RIB_DEFAULT_LOCAL_PREF 100

/* Next-hop handling towards a peer (Calico's BGPPeer nextHopMode). */
enum rib_nh_mode {
	RIB_NH_AUTO, /* eBGP: self; iBGP: keep a learned next hop, self for our own routes */
	RIB_NH_SELF, /* always our address */
	RIB_NH_KEEP, /* always the route's next hop (self only if it has none) */
};

/* Speaker-wide settings. */
struct rib_config {
	uint32_t router_id;   /* our BGP identifier (host order) */
	uint32_t local_as;    /* the node's AS */
	uint32_t cluster_id;  /* route-reflection cluster id; 0 = router_id */
	bool always_compare_med; /* compare MED across neighbour ASes (off by default) */
};

/* A peer as configured (known before the session comes up). */
struct rib_peer_config {
	uint8_t addr_family; /* enum bgp_family of addr */
	uint8_t addr[16];    /* peer address, network order (tie-break and display) */
	uint32_t remote_as;
	uint32_t local_as;   /* effective local AS for this session; 0 = rib_config.local_as */
	bool rr_client;	     /* we reflect to this peer as its route reflector */
	enum rib_nh_mode nh_mode;
	bool keep_original_nh; /* legacy keepOriginalNextHop: keep next hop, eBGP only */
	uint8_t allow_local_as; /* numAllowedLocalASNumbers: own AS tolerated this often */
};

/* What the session learns when it reaches Established. */
struct rib_peer_session {
	uint32_t router_id; /* the peer's BGP identifier (host order) */
	/* Families negotiated (RFC 4760); only these are exported and get an
	 * End-of-RIB. None set means IPv4 only (a speaker without MP-BGP). */
	bool families[BGP_FAM_COUNT];
	/* Our addresses used as next hop self, per family; a family without an
	 * address is not exported to this peer. */
	bool has_local4, has_local6, has_local6_ll;
	uint8_t local4[4];
	uint8_t local6[16];
	uint8_t local6_ll[16];
};

/* A path as callbacks and iteration see it. Pointers are borrowed for the
 * duration of the call. */
struct rib_route {
	const struct bgp_prefix *prefix; /* path_id set to the path's id */
	uint16_t peer;
	bool stale; /* held across a graceful restart, not yet refreshed */
	struct attr_set *attrs;
};

/* Callbacks into the owner (all optional). */
struct rib_hooks {
	/* The best path of a prefix changed: old or new is NULL when the
	 * prefix appears or disappears. For the kernel FIB and counters. */
	void (*best_changed)(void *ctx, const struct bgp_prefix *prefix, const struct rib_route *old_best,
			     const struct rib_route *new_best);
	/* Peer `peer` went from nothing to send to something to send. */
	void (*out_ready)(void *ctx, uint16_t peer);
	void *ctx;
};

/* Per-peer counters. */
struct rib_peer_stats {
	size_t received;   /* paths held in the Adj-RIB-In */
	size_t stale;      /* of those, stale (graceful restart) */
	size_t best;       /* paths that are the Loc-RIB best */
	size_t advertised; /* prefixes currently announced to the peer */
	size_t rejected;   /* announcements rejected by import checks (cumulative) */
	size_t pending;    /* outbound changes queued */
};

/* Creation, configuration. The rib keeps its own attr_store (rib_attrs()). */
int rib_new(const struct rib_config *cfg, const struct rib_hooks *hooks, struct rib **out,
	    struct err *e);
void rib_free(struct rib *r);
struct attr_store *rib_attrs(struct rib *r);
const struct rib_config *rib_get_config(const struct rib *r);
/* Total bytes the rib's structures use (prefix tables, paths, attributes,
 * queues); for benchmarks and `status`. */
size_t rib_bytes(const struct rib *r);
/* Number of prefixes with at least one path, per family. */
size_t rib_prefix_count(const struct rib *r, enum bgp_family fam);

/* Peers. rib_peer_add() returns the new peer id (>= 1) or a negative code.
 * rib_peer_remove() withdraws everything the peer sent and forgets it; its id
 * may be reused. */
int rib_peer_add(struct rib *r, const struct rib_peer_config *cfg, struct err *e);
int rib_peer_remove(struct rib *r, uint16_t peer, struct err *e);
int rib_peer_stats(const struct rib *r, uint16_t peer, struct rib_peer_stats *st);

/* The session reached Established: records its parameters and starts the
 * outbound side (a full table dump, pulled with rib_out_pull(), followed by
 * End-of-RIB per family). */
int rib_peer_up(struct rib *r, uint16_t peer, const struct rib_peer_session *s, struct err *e);
/* The session went down. keep_stale (graceful restart as receiving speaker)
 * marks all its paths stale and keeps them; otherwise its paths are flushed
 * by rib_work(). Outbound state is dropped either way. */
int rib_peer_down(struct rib *r, uint16_t peer, bool keep_stale);
/* Removes the peer's stale paths of one family (fam = BGP_FAM_COUNT: all):
 * on End-of-RIB from the peer or when the restart / stale timer expires.
 * The sweep runs in rib_work(). */
int rib_peer_sweep_stale(struct rib *r, uint16_t peer, enum bgp_family fam);

/* Background work (flushes, sweeps), at most `budget` prefix visits per
 * call. Returns true while more remains, so the owner keeps an idle watcher
 * running. */
bool rib_work(struct rib *r, size_t budget);

/* Inbound. `attrs` is borrowed (the rib takes its own references; intern it
 * with attr_intern(rib_attrs(r), ...)). Import checks run once per call: an
 * AS_PATH loop (own AS more often than allow_local_as), ORIGINATOR_ID equal to
 * our router id or our cluster id in CLUSTER_LIST rejects the announcement,
 * which then counts as a withdrawal of those prefixes (RFC 4271 §9.1.2,
 * RFC 4456 §8). Returns the number of prefixes accepted or a negative code
 * (unknown peer, peer not up, bad prefix). */
int rib_announce(struct rib *r, uint16_t peer, struct attr_set *attrs,
		 const struct bgp_prefix *nlri, size_t n, struct err *e);
int rib_withdraw(struct rib *r, uint16_t peer, const struct bgp_prefix *prefixes, size_t n,
		 struct err *e);

/* Applies an UPDATE decoded by wire_decode_update() (status is its result:
 * WIRE_OK, WIRE_ATTR_DISCARD or WIRE_TREAT_AS_WITHDRAW; never call it for
 * WIRE_NOTIFY): withdrawals, then each announced range interned with its
 * own next hop (classic NEXT_HOP or MP_REACH), or withdrawn for
 * treat-as-withdraw. An End-of-RIB marker sweeps the peer's stale paths of
 * that family (graceful restart). Returns 0 or a negative code. */
struct bgp_update;
int rib_apply_update(struct rib *r, uint16_t peer, const struct bgp_update *u, int status,
		     struct err *e);

/* Local origination (the node's pod blocks, service IPs): ORIGIN IGP, empty
 * AS_PATH, next hop self on export, the given communities (may be NULL/0).
 * Re-originating a prefix replaces its attributes. */
int rib_originate(struct rib *r, const struct bgp_prefix *p, const uint32_t *communities,
		  size_t n_communities, const uint32_t *large, size_t n_large, struct err *e);
int rib_unoriginate(struct rib *r, const struct bgp_prefix *p, struct err *e);

/* Outbound. A batch holds prefixes of one family, grouped by the attribute
 * set to announce them with (attrs NULL: withdrawals); groups index into
 * prefixes[]. The batch holds a reference on each group's attributes until
 * rib_out_batch_clear(). */
struct rib_out_group {
	struct attr_set *attrs;
	size_t first, count;
};

struct rib_out_batch {
	enum bgp_family family;
	struct bgp_prefix *prefixes;
	size_t n_prefixes, cap_prefixes;
	struct rib_out_group *groups;
	size_t n_groups, cap_groups;
	bool eor; /* send End-of-RIB for `family` after this batch */
};

void rib_out_batch_init(struct rib_out_batch *b);
/* Drops the references and empties the batch (buffers kept for reuse). */
void rib_out_batch_clear(struct rib *r, struct rib_out_batch *b);
void rib_out_batch_free(struct rib *r, struct rib_out_batch *b);

/* Fills b (cleared first) with up to max prefixes of pending changes for the
 * peer: first the initial dump / refresh, then incremental changes, with
 * changes to one prefix coalesced. Returns the number of prefixes in b or a
 * negative code. A slice may come back empty while a dump is still walking
 * over routes the peer does not get: keep pulling while rib_out_pending(). */
int rib_out_pull(struct rib *r, uint16_t peer, size_t max, struct rib_out_batch *b);
bool rib_out_pending(const struct rib *r, uint16_t peer);
/* Route refresh (RFC 2918) from the peer: re-send the whole family. */
int rib_out_refresh(struct rib *r, uint16_t peer, enum bgp_family fam);

/* A prefix filter in front of export policy, for Calico's rules on what
 * leaves the node (only routes inside enabled IP pools, none inside pools
 * with disableBGPExport, service ranges; calicoctl.md §8.5). Called with
 * the prefix, the peer the best path came from and its attributes; false
 * keeps the route from every peer. */
typedef bool (*rib_export_filter_fn)(void *ctx, const struct bgp_prefix *prefix, uint16_t src_peer,
				     const struct attr_set *attrs);
/* Installs (fn NULL: removes) the filter. Every established peer then gets
 * its families re-sent, as by a route refresh, which also withdraws what the
 * new filter refuses. */
void rib_set_export_filter(struct rib *r, rib_export_filter_fn fn, void *ctx);

/* Iteration for the control socket. A cursor lets the caller stream a large
 * table in slices: zero it to start; rib_walk() returns 1 while more remains,
 * 0 at the end, or the callback's non-zero return (negative) to stop. */
enum rib_view {
	RIB_VIEW_BEST,	      /* Loc-RIB: the best path of each prefix */
	RIB_VIEW_ALL,	      /* every path of each prefix (best first) */
	RIB_VIEW_RECEIVED,    /* the Adj-RIB-In of filter.peer */
	RIB_VIEW_ADVERTISED,  /* what filter.peer is sent (attributes after export) */
};

struct rib_filter {
	enum rib_view view;
	uint16_t peer;	   /* for RECEIVED / ADVERTISED */
	int family;	   /* enum bgp_family, or -1 for both */
	bool has_prefix;   /* restrict to prefix and its more-specifics */
	bool exact;	   /* with has_prefix: only the prefix itself */
	struct bgp_prefix prefix;
};

struct rib_cursor {
	uint8_t family;
	uint32_t index;
};

typedef int (*rib_walk_fn)(void *ctx, const struct rib_route *route, bool best);
int rib_walk(struct rib *r, const struct rib_filter *f, struct rib_cursor *c, size_t max,
	     rib_walk_fn fn, void *ctx);

#endif
