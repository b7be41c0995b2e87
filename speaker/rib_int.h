/* Private to rib.c, rib_decide.c, rib_out.c and rib_walk.c: the RIB's data
 * structures. */
#ifndef CALICO_RIB_INT_H
#define CALICO_RIB_INT_H

#include "speaker/policy.h"
#include "speaker/prefix_table.h"
#include "speaker/rib.h"

/* Peer id used as the "to" side when computing exports for a whole update
 * group (the per-peer split-horizon check is done before). */
#define RIB_PEER_GROUP 65535

/* One path: a route to a prefix from one peer (one per ADD-PATH id). Paths
 * of a prefix form a singly linked list through `next`, best first. 16 bytes
 * so that a million routes cost 16 MB here. */
struct rib_path {
	uint32_t attr;	  /* interned attribute set id */
	uint32_t next;	  /* next path index, 0 = end */
	uint32_t path_id; /* RFC 7911 */
	uint16_t peer;
	/* Stale when != the peer's epoch (graceful restart). 8 bits: a path
	 * could look fresh again only after 256 session losses of one peer with
	 * no sweep in between; every non-graceful loss and every restart-timer
	 * expiry sweeps. */
	uint8_t epoch;
	uint8_t pad_;
};
_Static_assert(sizeof(struct rib_path) == 16, "rib_path stays 16 bytes");

/* Export results shared by the peers of an update group: (input attribute
 * set serial, source peer, family) -> output set or "not exported". */
struct rib_xent {
	uint64_t serial; /* 0 = empty slot */
	struct attr_set *out;
	uint16_t src;
	uint8_t fam;
};

struct rib_group {
	struct rib_group *next;
	unsigned users;
	struct policy_peer key; /* id = RIB_PEER_GROUP */
	struct rib_xent *tab;
	size_t n, cap;
};

/* Outbound state of an established peer. Which prefixes the peer holds is
 * one bit per prefix index ("advertised"); the attributes are recomputed
 * from the current best path. "pending" bits dedupe the FIFO of changed
 * prefixes, so repeated changes to one prefix are sent once. */
struct rib_out {
	uint64_t *adv[BGP_FAM_COUNT];
	uint64_t *pend[BGP_FAM_COUNT];
	size_t words[BGP_FAM_COUNT];
	uint32_t *fifo; /* prefix index | family << 31 */
	size_t fifo_head, fifo_len, fifo_cap;
	/* Past RIB_FIFO_MAX queued changes (a full table arriving while the
	 * peer is up) the FIFO takes no more: the pending bits alone record
	 * the changes and pulls scan them in index order, so a peer's queue
	 * never costs more than 256 KB however many prefixes change. */
	bool scan;
	bool scan_behind; /* a prefix behind a cursor became pending */
	uint32_t scan_cursor[BGP_FAM_COUNT];
	bool dumping[BGP_FAM_COUNT];
	uint32_t dump_cursor[BGP_FAM_COUNT];
	bool eor_due[BGP_FAM_COUNT];
	bool families[BGP_FAM_COUNT];
	size_t advertised;
};

struct rib_peer {
	bool used, up;
	struct rib_peer_config cfg;
	struct policy_peer pol;
	uint8_t epoch;
	bool sweeping[BGP_FAM_COUNT];
	uint32_t sweep_cursor[BGP_FAM_COUNT];
	size_t received, stale, best, rejected;
	struct rib_out out;
	struct rib_group *group;
};

/* Scratch for grouping a pulled batch by attribute set (rib_out.c). */
struct rib_group_scratch {
	struct attr_set **keys; /* open addressing: set -> ids[] */
	uint32_t *ids;
	size_t *count;
	struct bgp_prefix *sorted;
	struct attr_set **first; /* group id -> its set */
	size_t cap;   /* entries the arrays hold (slots / 2) */
	size_t slots; /* power of two */
};

struct rib {
	struct rib_config cfg;
	struct policy_self self;
	struct rib_hooks hooks;
	struct attr_store *attrs;
	struct ptab tab[BGP_FAM_COUNT];
	size_t n_prefixes[BGP_FAM_COUNT]; /* prefixes with at least one path */
	struct rib_path *paths; /* index 0 unused */
	uint32_t paths_cap, paths_top, free_path, paths_live;
	struct rib_peer *peers; /* by id; [0] is the local pseudo-peer */
	size_t peers_cap;
	uint16_t *up; /* ids of established peers */
	size_t n_up;
	size_t n_sweeping;
	struct rib_group *groups;
	rib_export_filter_fn export_filter;
	void *export_ctx;
	struct rib_group_scratch gs;
	uint32_t *cand; /* decision scratch */
	size_t cand_cap;
};

/* rib_decide.c: picks the best of the prefix's paths and moves it to the
 * head of the list. Returns the new head. */
uint32_t rib_decide(struct rib *r, uint32_t head);

/* rib.c */
/* Sets (a != NULL: the path takes a reference) or removes the path of
 * (peer, p->path_id) for prefix p and runs the decision. p must be valid for
 * its family (rib_announce checks; the wire decoder guarantees it). 0 or
 * -ENOMEM. */
int rib_prefix_set(struct rib *r, const struct bgp_prefix *p, uint16_t peer, struct attr_set *a);
/* Import policy for n prefixes from established peer id: 1 with *imp (a new
 * reference) when accepted; 0 when rejected (counted, and the prefixes are
 * to be withdrawn: RFC 4271 §9.1.2); negative on error. */
int rib_import(struct rib *r, uint16_t id, struct attr_set *attrs, size_t n, struct attr_set **imp,
	       struct err *e);
static inline struct rib_path *rib_path_at(const struct rib *r, uint32_t i)
{
	return &r->paths[i];
}
/* Removes paths of `peer` (only stale ones when stale_only) from prefix idx
 * and runs the decision; returns paths removed. */
size_t rib_prefix_drop_peer(struct rib *r, enum bgp_family fam, uint32_t idx, uint16_t peer,
			    bool stale_only);
/* Frees an empty prefix once no peer still needs to hear its withdrawal. */
void rib_prefix_maybe_free(struct rib *r, enum bgp_family fam, uint32_t idx);

/* rib_out.c */
void rib_out_init(struct rib *r, struct rib_peer *p);
void rib_out_fini(struct rib *r, struct rib_peer *p);
/* The best path of prefix idx changed from old_peer to new_peer (0xffffffff
 * for none): queue it for every established peer that may care. */
void rib_out_mark(struct rib *r, enum bgp_family fam, uint32_t idx, int old_peer, int new_peer);
/* Export of prefix idx's best path to peer p (a new reference) or NULL. */
struct attr_set *rib_out_export(struct rib *r, struct rib_peer *p, enum bgp_family fam,
				uint32_t idx);
bool rib_out_bit(const uint64_t *bits, size_t words, uint32_t idx);
size_t rib_out_bytes(const struct rib *r);
/* Changes queued for the peer (FIFO entries, plus pending bits in scan mode;
 * in scan mode a prefix may be counted in both). */
size_t rib_out_queued(const struct rib_out *o);
void rib_group_put(struct rib *r, struct rib_group *g);
struct rib_group *rib_group_get(struct rib *r, const struct policy_peer *pol);

#endif
