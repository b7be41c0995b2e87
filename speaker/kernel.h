/* Kernel route synchronisation: the glue between the RIB and the kernel's
 * routing table (speaker/fib.h), following Calico's rules (shared spec,
 * calicoctl.md §8.5):
 *
 *  - learned best routes are installed with our protocol number (`proto
 *    bird`, main table), per IP pool mode: IPIP Always through tunl0
 *    (onlink), IPIP CrossSubnet through tunl0 unless the next hop is in the
 *    node's own subnet, VXLAN pools and (programClusterRoutes Disabled) pool
 *    routes not at all (Felix programs those), service ranges never;
 *  - the node's own routes inside enabled IP pools (Felix's blackhole routes
 *    for the node's blocks, and more-specific workload routes outside those
 *    blocks) are originated into the RIB with the communities that
 *    prefixAdvertisements assign; when they leave the kernel they are
 *    withdrawn;
 *  - across a speaker restart the routes it installed stay in the kernel
 *    (graceful restart): kernel_sync_start() marks them stale, re-learning
 *    a route refreshes it in place (replace, never delete-then-add), and
 *    kernel_sync_sweep() removes what was not refreshed.
 *
 * Writes are queued in the fib and sent by kernel_sync_flush(), which the
 * owner calls once per event-loop iteration, so a burst of RIB changes
 * costs a few netlink batches. */
#ifndef CALICO_KERNEL_H
#define CALICO_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "speaker/bgp.h"
#include "speaker/rib.h"

struct fib;

enum kernel_encap {
	KERNEL_ENCAP_NONE,
	KERNEL_ENCAP_IPIP_ALWAYS,
	KERNEL_ENCAP_IPIP_CROSS_SUBNET,
	KERNEL_ENCAP_VXLAN, /* Always or CrossSubnet: Felix programs the routes */
};

/* An enabled IP pool as the kernel sync needs it. */
struct kernel_pool {
	struct bgp_prefix cidr;
	enum kernel_encap encap;
	bool disable_export; /* disableBGPExport: never originated */
};

/* Communities to attach to originated routes inside `cidr`
 * (BGPConfiguration prefixAdvertisements, already resolved to values). */
struct kernel_advert {
	struct bgp_prefix cidr;
	size_t n_communities;
	const uint32_t *communities;
	size_t n_large;
	const uint32_t *large; /* 3 words each */
};

/* BGPConfiguration programClusterRoutes: which pools' learned routes are
 * installed (the others are Felix's to program). */
enum kernel_cluster_routes {
	KERNEL_CR_ENABLED,	/* every pool (Calico's default) */
	KERNEL_CR_DISABLED,	/* none: Felix programs them all */
	KERNEL_CR_IPIP_ONLY,	/* only pools with IPIP */
	KERNEL_CR_NOENCAP_ONLY, /* only pools without encapsulation */
};

struct kernel_config {
	const struct kernel_pool *pools;
	size_t n_pools;
	const struct bgp_prefix *no_install; /* service ranges: never installed */
	size_t n_no_install;
	const struct kernel_advert *adverts;
	size_t n_adverts;
	enum kernel_cluster_routes cluster_routes;
	/* The node's IPv4 subnet, for IPIP CrossSubnet. */
	bool has_subnet4;
	struct bgp_prefix subnet4;
	/* Our own addresses: a best route whose next hop is ours is not
	 * installed (it would loop). */
	bool has_addr4, has_addr6;
	uint8_t addr4[4], addr6[16];
	uint8_t protocol; /* kernel protocol number for our routes (RTPROT_BIRD) */
	uint32_t table;	  /* RT_TABLE_MAIN */
	const char *tunnel_dev; /* "tunl0" */
};

struct kernel_sync;

/* The sync uses fib for writes and dumps, and rib for origination. */
int kernel_sync_new(struct fib *fib, struct rib *rib, struct kernel_sync **out, struct err *e);
void kernel_sync_free(struct kernel_sync *ks);

/* Moves the sync to a new RIB (the speaker rebuilt its RIB): routes it
 * installed are kept but marked stale until re-learned or swept, and the
 * local routes are originated into the new RIB by the next
 * kernel_sync_configure(). */
void kernel_sync_set_rib(struct kernel_sync *ks, struct rib *rib);

/* Replaces the configuration (deep copy). Routes already installed or
 * originated are re-evaluated against it: what the new pools or ranges no
 * longer allow is removed, what they now allow is added. */
int kernel_sync_configure(struct kernel_sync *ks, const struct kernel_config *cfg, struct err *e);

/* Start-up: marks every route of our protocol in the kernel stale (kept until
 * the sweep) and originates the node's existing local routes. Then opens the
 * monitor; its fd is returned for the event loop (or -errno). */
int kernel_sync_start(struct kernel_sync *ks, struct err *e);

/* Reads the monitor socket: local routes appearing or disappearing inside
 * pools are originated or withdrawn. A monitor overflow triggers a full
 * re-dump. Returns 0 or -errno. */
int kernel_sync_monitor(struct kernel_sync *ks, struct err *e);

/* The RIB's best_changed hook: call it with the same arguments. */
void kernel_sync_best_changed(struct kernel_sync *ks, const struct bgp_prefix *prefix,
			      const struct rib_route *old_best, const struct rib_route *new_best);

/* Sends queued kernel writes. Returns 0 or the number of routes the kernel
 * refused (each logged), or -errno. */
int kernel_sync_flush(struct kernel_sync *ks, struct err *e);

/* Removes routes still marked stale since kernel_sync_start(). */
int kernel_sync_sweep(struct kernel_sync *ks, struct err *e);

struct kernel_stats {
	size_t installed;  /* routes we hold in the kernel */
	size_t stale;	   /* of those, awaiting refresh or sweep */
	size_t originated; /* local routes originated into the RIB */
	size_t errors;	   /* kernel refusals, cumulative */
};
void kernel_sync_stats(const struct kernel_sync *ks, struct kernel_stats *st);

#endif
