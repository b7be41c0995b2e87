/* The decision process (one table row per step of RFC 4271 §9.1.2.2 and RFC
 * 4456 §9), import rejection, graceful-restart stale marking and sweeping,
 * best-route callbacks and iteration. */
#include "speaker/rib.h"
#include "tests/unit/check.h"
#include "tests/unit/rib_fixture.h"

#include <errno.h>
#include <stdlib.h>

#define MY_AS 64512

/* Peers of the decision fixture, by role. */
enum {
	E1,  /* eBGP AS 65001, id 1.1.1.1, 192.0.2.1 */
	E2,  /* eBGP AS 65001, id 2.2.2.2, 192.0.2.2 */
	E3,  /* eBGP AS 65002, id 3.3.3.3, 192.0.2.3 */
	I4,  /* iBGP, id 0.0.0.4, 192.0.2.4 */
	I5,  /* iBGP, id 5.5.5.5, 192.0.2.5 */
	I6,  /* iBGP, id 5.5.5.5, 192.0.2.9 */
	NPEERS,
	LOCAL = 99,
};

static const struct {
	uint32_t as;
	const char *id, *addr;
} fixture_peers[NPEERS] = {
	[E1] = {65001, "1.1.1.1", "192.0.2.1"}, [E2] = {65001, "2.2.2.2", "192.0.2.2"},
	[E3] = {65002, "3.3.3.3", "192.0.2.3"}, [I4] = {MY_AS, "0.0.0.4", "192.0.2.4"},
	[I5] = {MY_AS, "5.5.5.5", "192.0.2.5"}, [I6] = {MY_AS, "5.5.5.5", "192.0.2.9"},
};

struct events {
	int changes;
	int last_new_peer; /* -1 when the prefix went away */
	int last_old_peer;
};

static void on_best(void *ctx, const struct bgp_prefix *p, const struct rib_route *o,
		    const struct rib_route *n)
{
	struct events *ev = ctx;

	(void)p;
	ev->changes++;
	ev->last_old_peer = o ? o->peer : -1;
	ev->last_new_peer = n ? n->peer : -1;
}

static struct rib *setup(bool always_med, uint16_t ids[NPEERS], struct events *ev)
{
	struct rib_config cfg = {.router_id = ip4("10.0.0.1"), .local_as = MY_AS,
				 .always_compare_med = always_med};
	struct rib_hooks hooks = {.best_changed = on_best, .ctx = ev};
	struct rib *r;
	struct err e;

	memset(ev, 0, sizeof(*ev));
	if (rib_new(&cfg, &hooks, &r, &e) < 0)
		return NULL;
	for (int i = 0; i < NPEERS; i++) {
		struct rib_peer_config pc = {.addr_family = BGP_FAM_IPV4,
					     .remote_as = fixture_peers[i].as};
		struct rib_peer_session s = {.router_id = ip4(fixture_peers[i].id)};

		inet_pton(AF_INET, fixture_peers[i].addr, pc.addr);
		ids[i] = (uint16_t)rib_peer_add(r, &pc, &e);
		rib_peer_up(r, ids[i], &s, &e);
	}
	return r;
}

struct route {
	int peer; /* fixture index or LOCAL; -1 ends the list */
	struct tattr a;
};

static int announce(struct rib *r, uint16_t peer, const struct tattr *t, const char *prefix)
{
	struct attr_set *a = mkattr(rib_attrs(r), t);
	struct bgp_prefix p = pfx(prefix);
	struct err e;
	int rc = rib_announce(r, peer, a, &p, 1, &e);

	attr_unref(rib_attrs(r), a);
	return rc;
}

static void test_decision(void)
{
	static const struct {
		const char *name;
		bool always_med;
		struct route routes[4];
		int want;
	} cases[] = {
		{"higher LOCAL_PREF wins",
		 false,
		 {{I5, {.nh = "10.0.0.5", .has_lp = true, .lp = 100}},
		  {I4, {.nh = "10.0.0.4", .has_lp = true, .lp = 200}},
		  {.peer = -1}},
		 I4},
		{"iBGP LOCAL_PREF 200 beats eBGP (default 100)",
		 false,
		 {{E1, {.nh = "192.0.2.1", .path = {65001}}},
		  {I5, {.nh = "10.0.0.5", .path = {65001, 7, 8}, .has_lp = true, .lp = 200}},
		  {.peer = -1}},
		 I5},
		{"LOCAL_PREF sent by an eBGP peer is ignored",
		 false,
		 {{E1, {.path = {65001}, .has_lp = true, .lp = 500}},
		  {I5, {.nh = "10.0.0.5", .path = {65001}, .has_lp = true, .lp = 200}},
		  {.peer = -1}},
		 I5},
		{"MED compared between routes from our own AS (empty AS_PATH)",
		 false,
		 {{I4, {.nh = "10.0.0.4", .has_med = true, .med = 20}},
		  {I5, {.nh = "10.0.0.5", .has_med = true, .med = 10}},
		  {.peer = -1}},
		 I5},
		{"shorter AS_PATH wins",
		 false,
		 {{E1, {.path = {65001, 1, 2}}}, {E3, {.path = {65002}}}, {.peer = -1}},
		 E3},
		{"lower ORIGIN wins (IGP over EGP)",
		 false,
		 {{E1, {.origin = BGP_ORIGIN_EGP, .path = {65001}}},
		  {E3, {.origin = BGP_ORIGIN_IGP, .path = {65002}}},
		  {.peer = -1}},
		 E3},
		{"lower ORIGIN wins (EGP over INCOMPLETE)",
		 false,
		 {{E1, {.origin = BGP_ORIGIN_INCOMPLETE, .path = {65001}}},
		  {E3, {.origin = BGP_ORIGIN_EGP, .path = {65002}}},
		  {.peer = -1}},
		 E3},
		{"lower MED wins within one neighbour AS",
		 false,
		 {{E1, {.path = {65001}, .has_med = true, .med = 10}},
		  {E2, {.path = {65001}, .has_med = true, .med = 5}},
		  {.peer = -1}},
		 E2},
		{"missing MED counts as lowest",
		 false,
		 {{E1, {.path = {65001}, .has_med = true, .med = 5}}, {E2, {.path = {65001}}}, {.peer = -1}},
		 E2},
		{"MED ignored across neighbour ASes",
		 false,
		 {{E1, {.path = {65001}, .has_med = true, .med = 10}},
		  {E3, {.path = {65002}, .has_med = true, .med = 5}},
		  {.peer = -1}},
		 E1},
		{"always-compare-med compares across ASes",
		 true,
		 {{E1, {.path = {65001}, .has_med = true, .med = 10}},
		  {E3, {.path = {65002}, .has_med = true, .med = 5}},
		  {.peer = -1}},
		 E3},
		{"MED elimination is by group, not pairwise",
		 false,
		 {{E1, {.path = {65001}, .has_med = true, .med = 10}},
		  {E3, {.path = {65002}}},
		  {E2, {.path = {65001}, .has_med = true, .med = 5}},
		  {.peer = -1}},
		 E2},
		{"eBGP beats iBGP",
		 false,
		 {{I4, {.nh = "10.0.0.4", .path = {65001}, .has_lp = true, .lp = 100}},
		  {E2, {.path = {65001}}},
		  {.peer = -1}},
		 E2},
		{"lowest router id",
		 false,
		 {{I5, {.nh = "10.0.0.5"}}, {I4, {.nh = "10.0.0.4"}}, {.peer = -1}},
		 I4},
		{"ORIGINATOR_ID replaces the router id",
		 false,
		 {{I4, {.nh = "10.0.0.4", .originator = 0x09090909}}, {I5, {.nh = "10.0.0.5"}}, {.peer = -1}},
		 I5},
		{"shorter CLUSTER_LIST wins",
		 false,
		 {{I4, {.nh = "10.0.0.4", .originator = 7, .cluster = {1, 2}}},
		  {I5, {.nh = "10.0.0.5", .originator = 7, .cluster = {3}}},
		  {.peer = -1}},
		 I5},
		{"lowest peer address breaks the last tie",
		 false,
		 {{I6, {.nh = "10.0.0.6"}}, {I5, {.nh = "10.0.0.5"}}, {.peer = -1}},
		 I5},
		{"our own route beats any learned one",
		 false,
		 {{I4, {.nh = "10.0.0.4", .has_lp = true, .lp = 500}}, {LOCAL, {0}}, {.peer = -1}},
		 LOCAL},
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint16_t ids[NPEERS];
		struct events ev;
		struct rib *r = setup(cases[c].always_med, ids, &ev);
		struct err e;
		int want;

		for (const struct route *rt = cases[c].routes; rt->peer >= 0; rt++) {
			if (rt->peer == LOCAL) {
				struct bgp_prefix p = pfx("10.0.0.0/24");
				rib_originate(r, &p, NULL, 0, NULL, 0, &e);
			} else {
				announce(r, ids[rt->peer], &rt->a, "10.0.0.0/24");
			}
		}
		want = cases[c].want == LOCAL ? RIB_PEER_LOCAL : ids[cases[c].want];
		CHECK_MSG(ev.last_new_peer == want, cases[c].name);
		if (ev.last_new_peer != want)
			printf("#   got peer %d, want %d\n", ev.last_new_peer, want);

		/* The same routes in reverse order give the same winner. */
		struct events ev2;
		struct rib *r2 = setup(cases[c].always_med, ids, &ev2);
		int n = 0;
		while (cases[c].routes[n].peer >= 0)
			n++;
		for (int i = n - 1; i >= 0; i--) {
			const struct route *rt = &cases[c].routes[i];
			if (rt->peer == LOCAL) {
				struct bgp_prefix p = pfx("10.0.0.0/24");
				rib_originate(r2, &p, NULL, 0, NULL, 0, &e);
			} else {
				announce(r2, ids[rt->peer], &rt->a, "10.0.0.0/24");
			}
		}
		CHECK_MSG(ev2.last_new_peer == want, "same winner in reverse arrival order");
		rib_free(r2);
		rib_free(r);
	}
}

static void test_changes(void)
{
	uint16_t ids[NPEERS];
	struct events ev;
	struct rib *r = setup(false, ids, &ev);
	struct bgp_prefix p = pfx("10.1.0.0/16");
	struct rib_peer_stats st;
	struct err e;

	announce(r, ids[E1], &(struct tattr){.path = {65001, 9}}, "10.1.0.0/16");
	CHECK_INT(ev.changes, 1);
	CHECK_INT(ev.last_old_peer, -1);
	announce(r, ids[E3], &(struct tattr){.path = {65002}}, "10.1.0.0/16");
	CHECK_INT(ev.changes, 2);
	CHECK_INT(ev.last_new_peer, ids[E3]);
	CHECK_INT(ev.last_old_peer, ids[E1]);
	/* A repeat changes nothing. */
	announce(r, ids[E3], &(struct tattr){.path = {65002}}, "10.1.0.0/16");
	CHECK_INT(ev.changes, 2);
	/* A loser changing does not move the best. */
	announce(r, ids[E1], &(struct tattr){.path = {65001, 9, 10}}, "10.1.0.0/16");
	CHECK_INT(ev.changes, 2);
	/* The best changing its attributes is a change. */
	announce(r, ids[E3], &(struct tattr){.path = {65002}, .has_med = true, .med = 1},
		 "10.1.0.0/16");
	CHECK_INT(ev.changes, 3);
	CHECK_INT(ev.last_new_peer, ids[E3]);
	/* Withdrawing the best falls back to the other path. */
	rib_withdraw(r, ids[E3], &p, 1, &e);
	CHECK_INT(ev.last_new_peer, ids[E1]);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 1);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.received, 1);
	CHECK_INT(st.best, 1);
	rib_withdraw(r, ids[E1], &p, 1, &e);
	CHECK_INT(ev.last_new_peer, -1);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);
	/* Withdrawing what is not there is harmless. */
	rib_withdraw(r, ids[E1], &p, 1, &e);
	CHECK_INT(ev.changes, 5);

	/* Import checks reject and withdraw the peer's earlier route. */
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.2.0.0/16");
	CHECK_INT(announce(r, ids[E1], &(struct tattr){.path = {65001, MY_AS}}, "10.2.0.0/16"), 0);
	CHECK_INT(ev.last_new_peer, -1);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.rejected, 1);
	CHECK_INT(st.received, 0);
	CHECK_INT(announce(r, ids[I4], &(struct tattr){.originator = ip4("10.0.0.1")}, "10.3.0.0/16"),
		  0);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);

	/* ADD-PATH: two paths from one peer, lowest path id breaks the tie. */
	struct attr_set *a = mkattr(rib_attrs(r), &(struct tattr){.nh = "10.0.0.4"});
	struct bgp_prefix two[2] = {pfx("10.4.0.0/16"), pfx("10.4.0.0/16")};
	two[0].path_id = 7;
	two[1].path_id = 3;
	CHECK_INT(rib_announce(r, ids[I4], a, two, 2, &e), 2);
	rib_peer_stats(r, ids[I4], &st);
	CHECK_INT(st.received, 2);
	attr_unref(rib_attrs(r), a);

	/* Errors. */
	struct bgp_prefix bad = pfx("10.0.0.0/8");
	bad.len = 33;
	a = mkattr(rib_attrs(r), &(struct tattr){0});
	CHECK_INT(rib_announce(r, ids[E1], a, &bad, 1, &e), -EINVAL);
	CHECK_STR(e.msg, "prefix length 33: too long for IPv4");
	rib_peer_down(r, ids[E2], false);
	CHECK_INT(rib_announce(r, ids[E2], a, &p, 1, &e), -ENOTCONN);
	CHECK_INT(rib_announce(r, 999, a, &p, 1, &e), -ENOTCONN);
	attr_unref(rib_attrs(r), a);
	rib_free(r);
}

static void test_graceful_restart(void)
{
	uint16_t ids[NPEERS];
	struct events ev;
	struct rib *r = setup(false, ids, &ev);
	struct rib_peer_session s = {.router_id = ip4("1.1.1.1")};
	struct rib_peer_stats st;
	struct err e;
	int slices;

	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.1.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.2.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.3.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}, .nh = "fd00::1"}, "fd00:1::/64");
	CHECK_INT(ev.changes, 4);

	CHECK_INT(rib_peer_down(r, ids[E1], true), 0);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.stale, 4);
	CHECK_INT(st.received, 4);
	CHECK_MSG(!rib_work(r, 1000), "keeping stale routes schedules no work");
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 3);
	CHECK_INT(ev.changes, 4);

	/* The peer is back and refreshes two of the IPv4 routes. */
	rib_peer_up(r, ids[E1], &s, &e);
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.1.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001, 5}}, "10.0.2.0/24");
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.stale, 2);
	CHECK_INT(ev.changes, 5); /* only the changed path is a best change */

	/* End-of-RIB for IPv4: the stale IPv4 route goes, IPv6 stays. */
	rib_peer_sweep_stale(r, ids[E1], BGP_FAM_IPV4);
	slices = 0;
	while (rib_work(r, 1))
		slices++;
	CHECK_MSG(slices >= 2, "the sweep runs in slices");
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 2);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV6), 1);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.stale, 1);
	CHECK_INT(st.received, 3);

	/* Restart timer expiry: everything stale goes. */
	rib_peer_sweep_stale(r, ids[E1], BGP_FAM_COUNT);
	while (rib_work(r, 100))
		;
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV6), 0);

	/* A plain session loss flushes everything (in rib_work). */
	rib_peer_down(r, ids[E1], false);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 2);
	while (rib_work(r, 1))
		;
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.received, 0);
	CHECK_INT(st.stale, 0);
	CHECK_INT(st.best, 0);

	/* Removing a peer drops its routes at once. */
	announce(r, ids[E3], &(struct tattr){.path = {65002}}, "10.9.0.0/16");
	CHECK_INT(rib_peer_remove(r, ids[E3], &e), 0);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);
	CHECK_INT(rib_peer_remove(r, ids[E3], &e), -ENOENT);
	CHECK_INT(attr_store_count(rib_attrs(r)), 0);
	rib_free(r);
}

/* An End-of-RIB schedules a sweep; if the peer goes down for a graceful
 * restart before rib_work ran it, the sweep must not remove the paths that
 * down keeps (found by tests/reliability/0200-netfaults.bats). */
static void test_pending_sweep_then_restart(void)
{
	uint16_t ids[NPEERS];
	struct events ev;
	struct rib *r = setup(false, ids, &ev);
	struct rib_peer_stats st;

	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.1.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.2.0/24");
	rib_peer_sweep_stale(r, ids[E1], BGP_FAM_IPV4); /* End-of-RIB, nothing stale */
	CHECK_INT(rib_peer_down(r, ids[E1], true), 0);
	while (rib_work(r, 1))
		;
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 2);
	rib_peer_stats(r, ids[E1], &st);
	CHECK_INT(st.stale, 2);
	CHECK_INT(st.received, 2);
	/* The restart time runs out: now they go. */
	rib_peer_sweep_stale(r, ids[E1], BGP_FAM_COUNT);
	while (rib_work(r, 1))
		;
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);
	rib_free(r);
}

struct collect {
	int n, best;
	char last[64];
};

static int collect_fn(void *ctx, const struct rib_route *rt, bool best)
{
	struct collect *c = ctx;
	char a[INET6_ADDRSTRLEN];

	c->n++;
	c->best += best;
	inet_ntop(rt->prefix->family == BGP_FAM_IPV4 ? AF_INET : AF_INET6, rt->prefix->addr, a,
		  sizeof(a));
	snprintf(c->last, sizeof(c->last), "%s/%u", a, rt->prefix->len);
	return 0;
}

static int stop_fn(void *ctx, const struct rib_route *rt, bool best)
{
	(void)rt;
	(void)best;
	(*(int *)ctx)++;
	return -1;
}

static void test_walk(void)
{
	uint16_t ids[NPEERS];
	struct events ev;
	struct rib *r = setup(false, ids, &ev);
	struct rib_cursor cur = {0};
	struct collect c = {0};
	struct rib_filter f = {.view = RIB_VIEW_BEST, .family = -1};
	int rc, calls = 0, stops = 0;

	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.1.0/24");
	announce(r, ids[E3], &(struct tattr){.path = {65002, 1}}, "10.0.1.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.0.2.0/24");
	announce(r, ids[E1], &(struct tattr){.path = {65001}}, "10.7.0.0/16");
	announce(r, ids[E3], &(struct tattr){.path = {65002}, .nh = "fd00::3"}, "fd00:7::/64");

	rc = rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(rc, 0);
	CHECK_INT(c.n, 4);
	CHECK_INT(c.best, 4);

	f.view = RIB_VIEW_ALL;
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(c.n, 5);
	CHECK_INT(c.best, 4);

	/* Slices of one prefix. */
	f.view = RIB_VIEW_BEST;
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	while ((rc = rib_walk(r, &f, &cur, 1, collect_fn, &c)) == 1)
		calls++;
	CHECK_INT(rc, 0);
	CHECK_INT(c.n, 4);
	CHECK_MSG(calls == 3, "one prefix per slice: three resumptions for four");

	/* Received from E3 only. */
	f.view = RIB_VIEW_RECEIVED;
	f.peer = ids[E3];
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(c.n, 2);
	CHECK_INT(c.best, 1);

	/* Family and prefix filters. */
	f = (struct rib_filter){.view = RIB_VIEW_BEST, .family = BGP_FAM_IPV6};
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.last, "fd00:7::/64");
	f = (struct rib_filter){.view = RIB_VIEW_BEST, .family = -1, .has_prefix = true,
				.prefix = pfx("10.0.0.0/16")};
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(c.n, 2);
	f.exact = true;
	f.prefix = pfx("10.7.0.0/16");
	memset(&cur, 0, sizeof(cur));
	memset(&c, 0, sizeof(c));
	rib_walk(r, &f, &cur, 1000, collect_fn, &c);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.last, "10.7.0.0/16");

	/* A callback can stop the walk. */
	f = (struct rib_filter){.view = RIB_VIEW_BEST, .family = -1};
	memset(&cur, 0, sizeof(cur));
	CHECK_INT(rib_walk(r, &f, &cur, 1000, stop_fn, &stops), -1);
	CHECK_INT(stops, 1);
	f.view = RIB_VIEW_RECEIVED;
	f.peer = 4000;
	CHECK_INT(rib_walk(r, &f, &cur, 1000, stop_fn, &stops), -ENOENT);
	rib_free(r);
}

int main(void)
{
	test_decision();
	test_changes();
	test_graceful_restart();
	test_pending_sweep_then_restart();
	test_walk();
	return check_done();
}
