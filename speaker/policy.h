/* Import checks and export policy: which routes a peer may send us, and what
 * each peer is sent and with which attributes. Pure functions over interned
 * attribute sets; the RIB caches export results per update group.
 *
 * Import (RFC 4271 §9.1.2, RFC 4456 §8): reject an AS_PATH holding our AS
 * more often than allowed, an ORIGINATOR_ID equal to our router id, or our
 * cluster id in the CLUSTER_LIST. LOCAL_PREF from an eBGP peer is ignored
 * (RFC 4271 §5.1.5).
 *
 * Export: never back to the peer the route came from; NO_ADVERTISE and
 * NO_EXPORT (RFC 1997) honoured; a route learned over iBGP goes to iBGP peers
 * only by route reflection (RFC 4456 §6: from a client to all clients and
 * non-clients, from a non-client to clients only), adding ORIGINATOR_ID and
 * prepending our cluster id to CLUSTER_LIST. Towards eBGP: prepend the
 * session's local AS, drop LOCAL_PREF, MED (RFC 4271 §5.1.4: not passed on to
 * other ASes), ORIGINATOR_ID and CLUSTER_LIST; next hop self unless kept.
 * Towards iBGP: LOCAL_PREF 100 when the route has none; next hop kept for
 * learned routes and self for our own (nextHopMode Auto), or as configured. */
#ifndef CALICO_POLICY_H
#define CALICO_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "speaker/attr.h"
#include "speaker/rib.h"

/* RFC 1997 well-known communities. */
#define POLICY_COMM_NO_EXPORT 0xFFFFFF01u
#define POLICY_COMM_NO_ADVERTISE 0xFFFFFF02u
#define POLICY_COMM_NO_EXPORT_SUBCONFED 0xFFFFFF03u

/* What policy needs to know about one side of a route's journey. */
struct policy_peer {
	uint16_t id;	     /* RIB peer id; RIB_PEER_LOCAL for our own routes */
	bool ibgp;	     /* remote AS == effective local AS */
	bool rr_client;	     /* we are this peer's route reflector */
	uint32_t local_as;   /* effective local AS of the session */
	uint32_t router_id;  /* the peer's BGP identifier */
	enum rib_nh_mode nh_mode;
	bool keep_original_nh; /* legacy: keep next hop on eBGP */
	uint8_t allow_local_as;
	/* Our next-hop-self addresses towards this peer. */
	bool has_local4, has_local6, has_local6_ll;
	uint8_t local4[4];
	uint8_t local6[16];
	uint8_t local6_ll[16];
};

/* Speaker-wide facts. */
struct policy_self {
	uint32_t router_id;
	uint32_t local_as;
	uint32_t cluster_id; /* already defaulted to router_id */
};

enum policy_verdict {
	POLICY_ACCEPT = 0,
	POLICY_REJECT_AS_LOOP,
	POLICY_REJECT_ORIGINATOR,
	POLICY_REJECT_CLUSTER_LOOP,
	POLICY_REJECT_NOMEM,
};

/* Text for a verdict ("AS_PATH loop", ...). */
const char *policy_verdict_name(enum policy_verdict v);

/* Checks an announcement from `from`. On POLICY_ACCEPT *out receives the
 * attributes to store (a new reference: `in` itself, or a copy without
 * LOCAL_PREF for eBGP peers). */
enum policy_verdict policy_import(const struct policy_self *self, const struct policy_peer *from,
				  struct attr_store *s, struct attr_set *in, struct attr_set **out);

/* The attributes to send `to` for a route with attributes `in` learned from
 * `from` (prefix family fam), as a new reference, or NULL when the route is
 * not exported to that peer (or memory ran out: *nomem is set then). */
struct attr_set *policy_export(const struct policy_self *self, const struct policy_peer *from,
			       const struct policy_peer *to, enum bgp_family fam,
			       struct attr_store *s, struct attr_set *in, bool *nomem);

/* Whether a route from `from` may go to `to` at all, ignoring attributes:
 * the split-horizon and iBGP/route-reflection rules. Part of
 * policy_export(), exposed for tests and for cheap pre-checks. */
bool policy_may_export(const struct policy_peer *from, const struct policy_peer *to);

#endif
