/* Outbound: slices of the initial dump with End-of-RIB, incremental changes
 * coalesced, withdrawals only where an announcement went, route reflection
 * end to end, route refresh, and reuse of freed prefix slots. */
#include "speaker/rib.h"
#include "speaker/rib_int.h"
#include "tests/unit/check.h"
#include "tests/unit/rib_fixture.h"

#include <errno.h>
#include <stdlib.h>

#define MY_AS 64512

enum { SRC, C1, C2, N1, E2, NPEERS };

static const struct {
	uint32_t as;
	bool client;
	const char *addr;
} fixture[NPEERS] = {
	[SRC] = {65001, false, "192.0.2.1"}, [C1] = {MY_AS, true, "192.0.2.11"},
	[C2] = {MY_AS, true, "192.0.2.12"},  [N1] = {MY_AS, false, "192.0.2.21"},
	[E2] = {65002, false, "192.0.2.2"},
};

struct ctx {
	uint16_t ids[NPEERS];
	int ready[RIB_PEER_MAX + 1];
};

static void on_ready(void *c, uint16_t peer)
{
	((struct ctx *)c)->ready[peer]++;
}

static struct rib *setup(struct ctx *c)
{
	struct rib_config cfg = {.router_id = ip4("10.0.0.1"), .local_as = MY_AS};
	struct rib_hooks hooks = {.out_ready = on_ready, .ctx = c};
	struct rib *r;
	struct err e;

	memset(c, 0, sizeof(*c));
	if (rib_new(&cfg, &hooks, &r, &e) < 0)
		return NULL;
	for (int i = 0; i < NPEERS; i++) {
		struct rib_peer_config pc = {.addr_family = BGP_FAM_IPV4, .remote_as = fixture[i].as,
					     .rr_client = fixture[i].client};

		inet_pton(AF_INET, fixture[i].addr, pc.addr);
		c->ids[i] = (uint16_t)rib_peer_add(r, &pc, &e);
	}
	return r;
}

static void up(struct rib *r, struct ctx *c, int which, bool v6)
{
	struct rib_peer_session s = {.router_id = ip4(fixture[which].addr), .has_local4 = true,
				     .has_local6 = true};
	struct err e;

	inet_pton(AF_INET, "192.0.2.100", s.local4);
	inet_pton(AF_INET6, "fd00::100", s.local6);
	s.families[BGP_FAM_IPV4] = true;
	s.families[BGP_FAM_IPV6] = v6;
	rib_peer_up(r, c->ids[which], &s, &e);
}

static int announce(struct rib *r, uint16_t peer, const struct tattr *t, const char *prefix)
{
	struct attr_set *a = mkattr(rib_attrs(r), t);
	struct bgp_prefix p = pfx(prefix);
	struct err e;
	int rc = rib_announce(r, peer, a, &p, 1, &e);

	attr_unref(rib_attrs(r), a);
	return rc;
}

static void withdraw(struct rib *r, uint16_t peer, const char *prefix)
{
	struct bgp_prefix p = pfx(prefix);
	struct err e;

	rib_withdraw(r, peer, &p, 1, &e);
}

struct tally {
	int announced, withdrawn, eor, batches, max_batch, groups;
	bool groups_ok;
	char last_announced[64], last_withdrawn[64];
	char last_path[64], last_nh[64];
};

static void fmt_prefix(const struct bgp_prefix *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == BGP_FAM_IPV4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, cap, "%s/%u", a, p->len);
}

/* Pulls until nothing is pending and checks every batch's shape. */
static struct tally drain(struct rib *r, uint16_t peer, size_t max)
{
	struct rib_out_batch b;
	struct tally t = {.groups_ok = true};
	int guard = 0;

	rib_out_batch_init(&b);
	while (rib_out_pending(r, peer) && guard++ < 100000) {
		int n = rib_out_pull(r, peer, max, &b);
		size_t sum = 0;

		if (n < 0)
			break;
		t.batches++;
		if (n > t.max_batch)
			t.max_batch = n;
		t.eor += b.eor;
		t.groups += (int)b.n_groups;
		for (size_t g = 0; g < b.n_groups; g++) {
			const struct rib_out_group *gr = &b.groups[g];

			/* Contiguous, withdrawals first, each set in one group. */
			if (gr->first != sum || gr->count == 0 || (g && !gr->attrs))
				t.groups_ok = false;
			for (size_t h = 0; h < g; h++)
				if (b.groups[h].attrs == gr->attrs)
					t.groups_ok = false;
			sum += gr->count;
			for (size_t i = gr->first; i < gr->first + gr->count; i++) {
				if (b.prefixes[i].family != b.family)
					t.groups_ok = false;
				if (gr->attrs) {
					t.announced++;
					fmt_prefix(&b.prefixes[i], t.last_announced,
						   sizeof(t.last_announced));
					attr_format_as_path(gr->attrs, t.last_path,
							    sizeof(t.last_path));
					attr_format_next_hop(gr->attrs, t.last_nh, sizeof(t.last_nh));
				} else {
					t.withdrawn++;
					fmt_prefix(&b.prefixes[i], t.last_withdrawn,
						   sizeof(t.last_withdrawn));
				}
			}
		}
		if (sum != b.n_prefixes)
			t.groups_ok = false;
	}
	rib_out_batch_free(r, &b);
	return t;
}

static void test_dump_and_incremental(void)
{
	struct ctx c;
	struct rib *r = setup(&c);
	struct rib_peer_stats st;
	struct tally t;
	char p[64];

	up(r, &c, SRC, false);
	/* 1000 prefixes over 3 attribute sets, interleaved. */
	for (int i = 0; i < 1000; i++) {
		snprintf(p, sizeof(p), "10.%d.%d.0/24", i / 256, i % 256);
		announce(r, c.ids[SRC], &(struct tattr){.path = {65001, (uint32_t)(i % 3) + 1}}, p);
	}
	CHECK_INT(c.ready[c.ids[SRC]], 1); /* only its own empty dump */
	t = drain(r, c.ids[SRC], 100);
	CHECK_MSG(t.announced == 0 && t.eor == 1, "nothing goes back to the source");

	up(r, &c, E2, false);
	CHECK_INT(c.ready[c.ids[E2]], 1);
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.announced, 1000);
	CHECK_INT(t.withdrawn, 0);
	CHECK_INT(t.eor, 1);
	CHECK_INT(t.max_batch, 100);
	CHECK_MSG(t.groups_ok, "groups cover each batch, one per attribute set");
	CHECK_MSG(t.groups <= 3 * t.batches, "at most 3 groups per batch");
	CHECK_STR(t.last_nh, "192.0.2.100");
	CHECK_MSG(strncmp(t.last_path, "64512 65001 ", 12) == 0, "our AS prepended");
	rib_peer_stats(r, c.ids[E2], &st);
	CHECK_INT(st.advertised, 1000);
	CHECK_INT(st.pending, 0);

	/* Withdrawals, and changes coalesced: three changes, one update. */
	withdraw(r, c.ids[SRC], "10.0.1.0/24");
	withdraw(r, c.ids[SRC], "10.0.2.0/24");
	CHECK_INT(c.ready[c.ids[E2]], 2);
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001, 50}}, "10.0.3.0/24");
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001, 51}}, "10.0.3.0/24");
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001, 52}}, "10.0.3.0/24");
	rib_peer_stats(r, c.ids[E2], &st);
	CHECK_INT(st.pending, 3);
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.withdrawn, 2);
	CHECK_INT(t.announced, 1);
	CHECK_STR(t.last_path, "64512 65001 52");
	CHECK_INT(t.eor, 0);
	CHECK_INT(t.batches, 1);

	/* A prefix that comes and goes between pulls: nothing to send for a
	 * prefix the peer never had, a withdrawal for one it had. */
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.200.0.0/16");
	withdraw(r, c.ids[SRC], "10.200.0.0/16");
	t = drain(r, c.ids[E2], 100);
	CHECK_MSG(t.announced == 0 && t.withdrawn == 0, "announce+withdraw between pulls: silence");

	/* A freed slot reused by another prefix before the pull: the peer still
	 * hears the right withdrawal and the right announcement. */
	withdraw(r, c.ids[SRC], "10.0.4.0/24");
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.201.0.0/16");
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.withdrawn, 1);
	CHECK_STR(t.last_withdrawn, "10.0.4.0/24");
	CHECK_INT(t.announced, 1);
	CHECK_STR(t.last_announced, "10.201.0.0/16");

	/* Route refresh re-sends the whole table, without End-of-RIB. */
	CHECK_INT(rib_out_refresh(r, c.ids[E2], BGP_FAM_IPV4), 0);
	CHECK_INT(rib_out_refresh(r, c.ids[E2], BGP_FAM_IPV6), -EINVAL);
	t = drain(r, c.ids[E2], 333);
	CHECK_INT(t.announced, 998);
	CHECK_INT(t.eor, 0);
	CHECK_INT(t.max_batch, 333);

	/* Session loss: queued state goes; the peer gets a full dump again. */
	withdraw(r, c.ids[SRC], "10.0.5.0/24");
	rib_peer_down(r, c.ids[E2], false);
	CHECK_MSG(!rib_out_pending(r, c.ids[E2]), "nothing pending for a peer that is down");
	struct rib_out_batch b;
	rib_out_batch_init(&b);
	CHECK_INT(rib_out_pull(r, c.ids[E2], 10, &b), -ENOTCONN);
	up(r, &c, E2, false);
	t = drain(r, c.ids[E2], 1000);
	CHECK_INT(t.announced, 997);
	CHECK_INT(t.withdrawn, 0);
	CHECK_INT(t.eor, 1);
	rib_free(r);
}

static void big_prefix(int i, char *buf, size_t cap)
{
	snprintf(buf, cap, "%d.%d.%d.0/24", 20 + (i >> 16), (i >> 8) & 255, i & 255);
}

/* A full table arriving while a peer is up: past 65,536 queued changes the
 * peer's queue stops growing and its pending bits are scanned instead;
 * changes behind and ahead of the scan still reach the peer once each. */
static void test_scan_mode(void)
{
	struct ctx c;
	struct rib *r = setup(&c);
	struct rib_out *o;
	struct rib_peer_stats st;
	struct rib_out_batch b;
	struct tally t;
	char p[64];
	int sent = 0, n = 100000;

	up(r, &c, SRC, false);
	up(r, &c, E2, false);
	drain(r, c.ids[E2], 100);
	o = &r->peers[c.ids[E2]].out;
	for (int i = 0; i < n; i++) {
		big_prefix(i, p, sizeof(p));
		announce(r, c.ids[SRC], &(struct tattr){.path = {65001, (uint32_t)(i % 50) + 1}}, p);
	}
	CHECK_MSG(o->scan, "the peer's queue switched to scanning");
	CHECK_MSG(o->fifo_cap <= 65536, "the queue stopped at 65,536 entries");
	rib_peer_stats(r, c.ids[E2], &st);
	CHECK_MSG(st.pending >= (size_t)n, "every change is counted as pending");

	/* Pull until the scan is well past the queue's part. */
	rib_out_batch_init(&b);
	while (sent < 80000) {
		int k = rib_out_pull(r, c.ids[E2], 1000, &b);

		if (k < 0)
			break;
		sent += k;
	}
	rib_out_batch_free(r, &b);
	CHECK_MSG(o->scan && o->fifo_len == 0, "queue drained, scan under way");
	big_prefix(10, p, sizeof(p));
	withdraw(r, c.ids[SRC], p); /* behind the scan, already sent */
	big_prefix(90000, p, sizeof(p));
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001, 777}}, p); /* ahead, changed */
	big_prefix(95000, p, sizeof(p));
	withdraw(r, c.ids[SRC], p); /* ahead, never sent */
	t = drain(r, c.ids[E2], 1000);
	CHECK_INT(sent + t.announced, n - 1);
	CHECK_INT(t.withdrawn, 1);
	CHECK_MSG(t.groups_ok, "scanned batches are well formed");
	CHECK_MSG(!o->scan, "the scan ended");
	rib_peer_stats(r, c.ids[E2], &st);
	CHECK_INT(st.advertised, n - 2);
	CHECK_INT(st.pending, 0);

	/* Back to the queue for the next change. */
	big_prefix(20, p, sizeof(p));
	withdraw(r, c.ids[SRC], p);
	CHECK_INT(o->fifo_len, 1);
	t = drain(r, c.ids[E2], 1000);
	CHECK_INT(t.withdrawn, 1);
	CHECK_STR(t.last_withdrawn, "20.0.20.0/24");

	/* A peer going down in scan mode frees what only it still needed. */
	for (int i = 0; i < n; i++) {
		big_prefix(i, p, sizeof(p));
		withdraw(r, c.ids[SRC], p);
	}
	CHECK_MSG(o->scan, "the withdrawals are scanned too");
	rib_peer_down(r, c.ids[E2], false);
	CHECK_INT(rib_prefix_count(r, BGP_FAM_IPV4), 0);
	CHECK_MSG(r->tab[BGP_FAM_IPV4].count == 0, "no withdrawn prefix left waiting for the peer");
	rib_free(r);
}

static int count_fn(void *ctx, const struct rib_route *rt, bool best)
{
	(void)rt;
	(void)best;
	(*(int *)ctx)++;
	return 0;
}

static void test_advertised_view(void)
{
	struct ctx c;
	struct rib *r = setup(&c);
	struct rib_filter f = {.view = RIB_VIEW_ADVERTISED, .family = -1};
	struct rib_cursor cur = {0};
	int n = 0;

	up(r, &c, SRC, false);
	up(r, &c, E2, false);
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.1.0.0/16");
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.2.0.0/16");
	f.peer = c.ids[E2];
	rib_walk(r, &f, &cur, 100, count_fn, &n);
	CHECK_MSG(n == 0, "nothing advertised before the pull");
	drain(r, c.ids[E2], 100);
	memset(&cur, 0, sizeof(cur));
	rib_walk(r, &f, &cur, 100, count_fn, &n);
	CHECK_INT(n, 2);
	n = 0;
	f.peer = c.ids[SRC];
	memset(&cur, 0, sizeof(cur));
	rib_walk(r, &f, &cur, 100, count_fn, &n);
	CHECK_INT(n, 0);
	rib_free(r);
}

/* Route reflection end to end: who hears what. */
static void test_reflection(void)
{
	struct ctx c;
	struct rib *r = setup(&c);
	struct tally t;

	for (int i = 0; i < NPEERS; i++)
		up(r, &c, i, true);
	for (int i = 0; i < NPEERS; i++) {
		t = drain(r, c.ids[i], 100);
		CHECK_MSG(t.eor == 2 && t.announced == 0, "empty dump: End-of-RIB per family");
	}

	/* From a client: to the other client, the non-client and eBGP. */
	announce(r, c.ids[C1], &(struct tattr){.nh = "192.0.2.11"}, "10.11.0.0/16");
	CHECK_INT(drain(r, c.ids[C1], 100).announced, 0);
	t = drain(r, c.ids[C2], 100);
	CHECK_INT(t.announced, 1);
	CHECK_STR(t.last_nh, "192.0.2.11");
	CHECK_INT(drain(r, c.ids[N1], 100).announced, 1);
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.announced, 1);
	CHECK_STR(t.last_path, "64512");
	CHECK_STR(t.last_nh, "192.0.2.100");
	CHECK_INT(drain(r, c.ids[SRC], 100).announced, 1);

	/* From a non-client: to clients and eBGP only. */
	announce(r, c.ids[N1], &(struct tattr){.nh = "192.0.2.21"}, "10.21.0.0/16");
	CHECK_INT(drain(r, c.ids[C1], 100).announced, 1);
	CHECK_INT(drain(r, c.ids[C2], 100).announced, 1);
	CHECK_INT(drain(r, c.ids[N1], 100).announced, 0);
	CHECK_INT(drain(r, c.ids[E2], 100).announced, 1);
	CHECK_INT(drain(r, c.ids[SRC], 100).announced, 1);

	/* Its withdrawal reaches exactly those. */
	withdraw(r, c.ids[N1], "10.21.0.0/16");
	CHECK_INT(drain(r, c.ids[C1], 100).withdrawn, 1);
	CHECK_MSG(!rib_out_pending(r, c.ids[N1]), "the source hears nothing");
	CHECK_INT(drain(r, c.ids[E2], 100).withdrawn, 1);

	/* Our own IPv6 route: everyone with IPv6, next hop self. */
	struct bgp_prefix p6 = pfx("fd00:10::/64");
	uint32_t comm[] = {(65000u << 16) | 100};
	struct err e;
	CHECK_INT(rib_originate(r, &p6, comm, 1, NULL, 0, &e), 0);
	for (int i = 0; i < NPEERS; i++) {
		t = drain(r, c.ids[i], 100);
		CHECK_INT(t.announced, 1);
		CHECK_STR(t.last_nh, "fd00::100");
	}
	CHECK_INT(rib_unoriginate(r, &p6, &e), 0);
	for (int i = 0; i < NPEERS; i++)
		CHECK_INT(drain(r, c.ids[i], 100).withdrawn, 1);
	rib_free(r);
}

/* Only prefixes inside 10.0.0.0/16 leave, and nothing from the peer `ctx`
 * points at. */
static bool inside_pool(void *ctx, const struct bgp_prefix *p, uint16_t src,
			const struct attr_set *a)
{
	(void)a;
	return p->family == BGP_FAM_IPV4 && p->addr[0] == 10 && p->addr[1] == 0 &&
	       (!ctx || src != *(uint16_t *)ctx);
}

static void test_export_filter(void)
{
	struct ctx c;
	struct rib *r = setup(&c);
	struct tally t;

	up(r, &c, SRC, false);
	up(r, &c, E2, false);
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.0.1.0/24");
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.5.0.0/16");
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.announced, 2);

	rib_set_export_filter(r, inside_pool, NULL);
	CHECK_MSG(rib_out_pending(r, c.ids[E2]), "a new filter re-sends the table");
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.withdrawn, 1);
	CHECK_STR(t.last_withdrawn, "10.5.0.0/16");
	CHECK_INT(t.announced, 1);
	CHECK_INT(t.eor, 0);
	announce(r, c.ids[SRC], &(struct tattr){.path = {65001}}, "10.6.0.0/16");
	CHECK_INT(drain(r, c.ids[E2], 100).announced, 0);

	/* The filter sees the source peer. */
	rib_set_export_filter(r, inside_pool, &c.ids[SRC]);
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.withdrawn, 1);
	CHECK_STR(t.last_withdrawn, "10.0.1.0/24");
	rib_set_export_filter(r, NULL, NULL);
	t = drain(r, c.ids[E2], 100);
	CHECK_INT(t.announced, 3);
	rib_free(r);
}

int main(void)
{
	test_export_filter();
	test_dump_and_incremental();
	test_advertised_view();
	test_reflection();
	test_scan_mode();
	return check_done();
}
