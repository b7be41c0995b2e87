/* CalicoNodeStatus: the speaker publishes its state into the `status` of
 * every CalicoNodeStatus resource whose spec.node names its node, for the
 * classes the resource asks for (Agent, BGP, Routes), at most every
 * spec.updatePeriodSeconds (0 stops refreshing), and only when something
 * changed (shared spec, resources.md §2.4). The shape is calico-node's, so
 * tools written for it read ours; "bird" in the field names is kept. */
#ifndef CALICO_NODESTATUS_H
#define CALICO_NODESTATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/err.h"

struct store;

/* What the speaker knows, gathered by its owner for one publish round.
 * Strings are borrowed. */
struct ns_daemon {
	bool ready;
	const char *version;	    /* e.g. "v0.1.0" */
	const char *router_id;	    /* dotted quad */
	const char *boot_time;	    /* "YYYY-MM-DD hh:mm:ss" */
	const char *reconfig_time;  /* same format */
};

struct ns_peer {
	bool ipv6;
	const char *peer_ip;
	const char *type;  /* "NodeMesh", "NodePeer", "GlobalPeer" */
	const char *state; /* BGP FSM state: "Idle" ... "Established" */
	const char *since; /* "hh:mm:ss" or "YYYY-MM-DD" */
};

struct ns_route {
	bool ipv6;
	bool fib;		/* the selected route (type FIB) or another candidate (RIB) */
	const char *destination; /* "10.244.1.0/26" */
	const char *gateway;	 /* next hop, or "N/A" */
	const char *interface;	 /* device, "blackhole" or "unreachable" */
	const char *source_type; /* "Kernel", "Static", "Direct", "NodeMesh", "BGPPeer" */
	const char *peer_ip;	 /* for NodeMesh / BGPPeer, else NULL */
};

struct ns_snapshot {
	struct ns_daemon v4, v6;
	const struct ns_peer *peers;
	size_t n_peers;
	const struct ns_route *routes;
	size_t n_routes;
};

enum ns_class {
	NS_CLASS_AGENT = 1 << 0,
	NS_CLASS_BGP = 1 << 1,
	NS_CLASS_ROUTES = 1 << 2,
};

/* The `status` object (without lastUpdated) for the given classes. */
json_t *nodestatus_build(const struct ns_snapshot *s, unsigned classes);

/* Parses spec.classes into enum ns_class bits (unknown names ignored, as
 * calico-node only warns about them). */
unsigned nodestatus_classes(const json_t *resource);

struct ns_publisher;

struct ns_publisher *nodestatus_publisher_new(const char *node);
void nodestatus_publisher_free(struct ns_publisher *p);

/* One round at time `now`: for each CalicoNodeStatus of our node that is due,
 * writes the new status when it differs from the stored one. Returns the
 * number of resources written, or a negative code (store errors other than
 * a concurrent-update conflict, which just waits for the next round). */
int nodestatus_publish(struct ns_publisher *p, struct store *st, const struct ns_snapshot *s,
		       time_t now, struct err *e);

#endif
