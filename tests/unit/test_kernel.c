/* Kernel route synchronisation against a real routing table, inside a
 * private network namespace this process creates (needs root). */
#include "speaker/fib.h"
#include "speaker/kernel.h"
#include "tests/unit/check.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct bgp_prefix pfx(const char *text)
{
	struct bgp_prefix p = {0};
	char addr[64];
	const char *slash = strchr(text, '/');

	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - text), text);
	p.len = (uint8_t)atoi(slash + 1);
	if (strchr(addr, ':')) {
		p.family = BGP_FAM_IPV6;
		inet_pton(AF_INET6, addr, p.addr);
	} else {
		p.family = BGP_FAM_IPV4;
		inet_pton(AF_INET, addr, p.addr);
	}
	return p;
}

static int sh(const char *cmd)
{
	return system(cmd);
}

/* Is `route` (an `ip route show` line prefix) in the kernel? */
static bool kernel_has(const char *family_flag, const char *route)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "ip %s route show | grep -q '^%s'", family_flag, route);
	return sh(cmd) == 0;
}

struct local_count {
	int n;
	struct bgp_prefix want;
	size_t n_comm;
	uint32_t comm;
};

static int count_local(void *ctx, const struct rib_route *route, bool best)
{
	struct local_count *c = ctx;

	if (best && route->peer == RIB_PEER_LOCAL && route->prefix->len == c->want.len &&
	    memcmp(route->prefix->addr, c->want.addr, 16) == 0) {
		c->n++;
		c->n_comm = route->attrs->n_communities;
		if (c->n_comm)
			c->comm = attr_communities(route->attrs)[0];
	}
	return 0;
}

static struct local_count originated(struct rib *rib, const char *prefix)
{
	struct rib_filter f = {.view = RIB_VIEW_BEST, .family = -1};
	struct rib_cursor c = {0};
	struct local_count lc = {.want = pfx(prefix)};

	while (rib_walk(rib, &f, &c, 1024, count_local, &lc) == 1)
		;
	return lc;
}

static struct rib_route learned(struct rib *rib, const struct bgp_prefix *p, const char *nh)
{
	struct attr_in in = {.origin = BGP_ORIGIN_IGP, .nh_len = 4};
	struct rib_route r = {.prefix = p, .peer = 1};

	inet_pton(AF_INET, nh, in.next_hop);
	r.attrs = attr_intern(rib_attrs(rib), &in);
	return r;
}

int main(void)
{
	struct rib_config rc = {.router_id = 0x0a4d0001, .local_as = 64512};
	struct kernel_pool pools[3];
	uint32_t comm = (65000u << 16) | 100;
	struct kernel_advert adv = {.cidr = pfx("10.244.0.0/16"), .n_communities = 1,
				    .communities = &comm};
	struct bgp_prefix svc = pfx("10.96.0.0/12");
	struct kernel_config cfg = {.pools = pools, .n_pools = 3, .adverts = &adv, .n_adverts = 1,
				    .no_install = &svc, .n_no_install = 1,
				    .cluster_routes = KERNEL_CR_ENABLED, .has_addr4 = true};
	struct kernel_stats st;
	struct kernel_sync *ks;
	struct local_count lc;
	struct rib_route r;
	struct bgp_prefix p;
	struct fib *fib;
	struct rib *rib;
	struct err e;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("1..0 # SKIP needs root to create a private network namespace\n");
		return 0;
	}
	if (sh("ip link set lo up && ip link add kst0 type veth peer name kst1 && "
	       "ip link set kst0 up && ip link set kst1 up && ip addr add 10.77.0.1/24 dev kst0 && "
	       "ip link add tunl0 type ipip 2>/dev/null; ip link set tunl0 up 2>/dev/null; "
	       "ip route add 10.199.0.0/24 via 10.77.0.2 proto bird && "
	       "ip route add blackhole 10.244.1.0/26 proto 80") != 0) {
		printf("1..0 # SKIP iproute2 could not set up the test routes\n");
		return 0;
	}
	inet_pton(AF_INET, "10.77.0.1", cfg.addr4);
	pools[0] = (struct kernel_pool){.cidr = pfx("10.244.0.0/16"), .encap = KERNEL_ENCAP_NONE};
	pools[1] = (struct kernel_pool){.cidr = pfx("10.245.0.0/16"), .encap = KERNEL_ENCAP_VXLAN};
	pools[2] = (struct kernel_pool){.cidr = pfx("10.246.0.0/16"),
					.encap = KERNEL_ENCAP_IPIP_ALWAYS};

	CHECK_INT(rib_new(&rc, NULL, &rib, &e), 0);
	CHECK_INT(fib_open(&fib, &e), 0);
	CHECK_INT(kernel_sync_new(fib, rib, &ks, &e), 0);
	CHECK_INT(kernel_sync_configure(ks, &cfg, &e), 0);
	CHECK(kernel_sync_start(ks, &e) >= 0);

	/* The route an earlier run installed is stale; the node's block is
	 * originated with the community prefixAdvertisements give it. */
	kernel_sync_stats(ks, &st);
	CHECK_INT(st.stale, 1);
	CHECK_INT(st.installed, 1);
	lc = originated(rib, "10.244.1.0/26");
	CHECK_INT(lc.n, 1);
	CHECK_INT(lc.n_comm, 1);
	CHECK_INT(lc.comm, comm);

	/* A learned route is installed, proto bird, via its next hop. */
	p = pfx("10.244.2.0/26");
	r = learned(rib, &p, "10.77.0.2");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	CHECK_INT(kernel_sync_flush(ks, &e), 0);
	CHECK(kernel_has("-4", "10.244.2.0/26 via 10.77.0.2 dev kst0 proto bird"));

	/* Re-learning the stale route refreshes it in place; then the sweep
	 * removes nothing of it. */
	p = pfx("10.199.0.0/24");
	attr_unref(rib_attrs(rib), r.attrs);
	r = learned(rib, &p, "10.77.0.3");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	CHECK_INT(kernel_sync_sweep(ks, &e), 0);
	CHECK(kernel_has("-4", "10.199.0.0/24 via 10.77.0.3 dev kst0 proto bird"));
	kernel_sync_stats(ks, &st);
	CHECK_INT(st.stale, 0);

	/* VXLAN pools and service ranges are never installed; IPIP Always
	 * goes through tunl0 when it exists. */
	p = pfx("10.245.3.0/26");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	p = pfx("10.96.0.0/12");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	p = pfx("10.246.1.0/26");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	CHECK_INT(kernel_sync_flush(ks, &e), 0);
	CHECK(!kernel_has("-4", "10.245.3.0/26"));
	CHECK(!kernel_has("-4", "10.96.0.0/12"));
	if (kernel_has("-4", "10.246.1.0/26 via 10.77.0.3 dev tunl0"))
		CHECK_MSG(kernel_has("-4", "10.246.1.0/26 via 10.77.0.3 dev tunl0 proto bird onlink"),
			  "IPIP route is onlink through tunl0");
	else
		CHECK_MSG(kernel_has("-4", "10.246.1.0/26 via 10.77.0.3 dev kst0 proto bird"),
			  "without tunl0 the IPIP route is installed plainly");

	/* The best path going away removes the kernel route; an unrelated
	 * stale-free sweep leaves the rest alone. */
	p = pfx("10.244.2.0/26");
	kernel_sync_best_changed(ks, &p, &r, NULL);
	CHECK_INT(kernel_sync_flush(ks, &e), 0);
	CHECK(!kernel_has("-4", "10.244.2.0/26"));
	CHECK(kernel_has("-4", "10.199.0.0/24"));

	/* Local routes appearing and disappearing are followed. */
	CHECK_INT(sh("ip route add blackhole 10.244.7.0/26 proto 80"), 0);
	CHECK_INT(kernel_sync_monitor(ks, &e), 0);
	CHECK_INT(originated(rib, "10.244.7.0/26").n, 1);
	/* A workload route inside our own block is not originated on its own. */
	CHECK_INT(sh("ip route add 10.244.7.5/32 dev kst0 proto 80"), 0);
	CHECK_INT(kernel_sync_monitor(ks, &e), 0);
	CHECK_INT(originated(rib, "10.244.7.5/32").n, 0);
	/* ... but a borrowed one outside our blocks is. */
	CHECK_INT(sh("ip route add 10.244.9.9/32 dev kst0 proto 80"), 0);
	CHECK_INT(kernel_sync_monitor(ks, &e), 0);
	CHECK_INT(originated(rib, "10.244.9.9/32").n, 1);
	/* Outside every pool: never. */
	CHECK_INT(sh("ip route add blackhole 192.168.50.0/24 proto 80"), 0);
	CHECK_INT(kernel_sync_monitor(ks, &e), 0);
	CHECK_INT(originated(rib, "192.168.50.0/24").n, 0);
	CHECK_INT(sh("ip route del blackhole 10.244.7.0/26"), 0);
	CHECK_INT(kernel_sync_monitor(ks, &e), 0);
	CHECK_INT(originated(rib, "10.244.7.0/26").n, 0);

	/* A pool switched to disableBGPExport stops the origination. */
	pools[0].disable_export = true;
	CHECK_INT(kernel_sync_configure(ks, &cfg, &e), 0);
	CHECK_INT(originated(rib, "10.244.1.0/26").n, 0);
	pools[0].disable_export = false;
	CHECK_INT(kernel_sync_configure(ks, &cfg, &e), 0);
	CHECK_INT(originated(rib, "10.244.1.0/26").n, 1);

	/* programClusterRoutes EnabledNoEncapOnly: IPIP pools are Felix's. */
	cfg.cluster_routes = KERNEL_CR_NOENCAP_ONLY;
	CHECK_INT(kernel_sync_configure(ks, &cfg, &e), 0);
	p = pfx("10.246.5.0/26");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	p = pfx("10.244.5.0/26");
	kernel_sync_best_changed(ks, &p, NULL, &r);
	CHECK_INT(kernel_sync_flush(ks, &e), 0);
	CHECK(!kernel_has("-4", "10.246.5.0/26"));
	CHECK(!kernel_has("-4", "10.246.1.0/26"));
	CHECK(kernel_has("-4", "10.244.5.0/26 via 10.77.0.3"));

	kernel_sync_stats(ks, &st);
	CHECK_INT(st.errors, 0);
	attr_unref(rib_attrs(rib), r.attrs);
	kernel_sync_free(ks);
	fib_close(fib);
	rib_free(rib);
	return check_done();
}
