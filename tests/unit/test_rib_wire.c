/* The RIB with the wire codec: a table pulled from one RIB, encoded with
 * wire.h, decoded and applied to a second RIB arrives intact; attribute
 * sets survive intern -> encoder view -> canonical bytes; treat-as-withdraw
 * and End-of-RIB take effect. */
#include "speaker/rib.h"
#include "speaker/wire.h"
#include "tests/unit/check.h"
#include "tests/unit/rib_fixture.h"

#include <stdlib.h>

struct pair {
	struct rib *a, *b;
	uint16_t a_to_b, b_from_a;
	struct wire_ctx ctx; /* as seen by b (decoding what a sends) */
	struct bgp_update *u;
	int messages;
};

static void pair_init(struct pair *p)
{
	struct rib_config ca = {.router_id = ip4("10.0.0.1"), .local_as = 64512};
	struct rib_config cb = {.router_id = ip4("10.0.0.2"), .local_as = 65002};
	struct rib_peer_config pa = {.addr_family = BGP_FAM_IPV4, .remote_as = 65002};
	struct rib_peer_config pb = {.addr_family = BGP_FAM_IPV4, .remote_as = 64512};
	struct rib_peer_session sa = {.router_id = ip4("10.0.0.2"), .has_local4 = true,
				      .has_local6 = true, .has_local6_ll = true,
				      .families = {true, true}};
	struct rib_peer_session sb = {.router_id = ip4("10.0.0.1"), .families = {true, true}};
	struct err e;

	memset(p, 0, sizeof(*p));
	rib_new(&ca, NULL, &p->a, &e);
	rib_new(&cb, NULL, &p->b, &e);
	inet_pton(AF_INET, "192.0.2.2", pa.addr);
	inet_pton(AF_INET, "192.0.2.1", pb.addr);
	inet_pton(AF_INET, "192.0.2.1", sa.local4);
	inet_pton(AF_INET6, "fd00::1", sa.local6);
	inet_pton(AF_INET6, "fe80::1", sa.local6_ll);
	p->a_to_b = (uint16_t)rib_peer_add(p->a, &pa, &e);
	p->b_from_a = (uint16_t)rib_peer_add(p->b, &pb, &e);
	rib_peer_up(p->a, p->a_to_b, &sa, &e);
	rib_peer_up(p->b, p->b_from_a, &sb, &e);
	wire_ctx_init(&p->ctx);
	p->ctx.as4 = true;
	p->ctx.fam[BGP_FAM_IPV6] = true;
	p->ctx.ebgp = true;
	p->ctx.local_as = 65002;
	p->ctx.peer_as = 64512;
	p->u = malloc(sizeof(*p->u));
}

static void pair_free(struct pair *p)
{
	rib_free(p->a);
	rib_free(p->b);
	free(p->u);
}

/* Decodes one message and applies it to b; returns the decode status. */
static int deliver(struct pair *p, const uint8_t *msg, size_t len)
{
	struct wire_err we;
	struct err e;
	int st = wire_decode_update(&p->ctx, msg, len, p->u, &we);

	p->messages++;
	if (st >= 0)
		rib_apply_update(p->b, p->b_from_a, p->u, st, &e);
	else
		printf("# decode: %s\n", we.e.msg);
	return st;
}

/* Moves everything a has queued for b through the codec. */
static int transfer(struct pair *p)
{
	struct rib_out_batch batch;
	uint8_t msg[BGP_MAX_MSG_LEN], scratch[4096];
	int bad = 0;

	rib_out_batch_init(&batch);
	while (rib_out_pending(p->a, p->a_to_b)) {
		rib_out_pull(p->a, p->a_to_b, 500, &batch);
		for (size_t g = 0; g < batch.n_groups; g++) {
			const struct rib_out_group *gr = &batch.groups[g];
			struct bgp_path_attrs wa;
			struct bgp_nexthop nh;
			size_t done = 0;

			if (gr->attrs && attr_to_wire(gr->attrs, &wa, &nh, scratch, sizeof(scratch)))
				bad++;
			while (done < gr->count) {
				size_t used = 0, len = 0;
				struct err e;

				if (wire_encode_update(&p->ctx, batch.family, gr->attrs ? &wa : NULL,
						       gr->attrs ? &nh : NULL,
						       batch.prefixes + gr->first + done,
						       gr->count - done, msg, sizeof(msg), &used,
						       &len, &e) < 0 ||
				    !used) {
					printf("# encode: %s\n", e.msg);
					bad++;
					break;
				}
				if (deliver(p, msg, len) != WIRE_OK)
					bad++;
				done += used;
			}
		}
		if (batch.eor) {
			int n = wire_encode_eor(batch.family, msg, sizeof(msg));
			if (n < 0 || deliver(p, msg, (size_t)n) != WIRE_OK)
				bad++;
		}
	}
	rib_out_batch_free(p->a, &batch);
	return bad;
}

struct find {
	const char *want;
	char path[64], comm[64], large[64], nh[64];
	int n;
};

static int find_fn(void *ctx, const struct rib_route *rt, bool best)
{
	struct find *f = ctx;

	(void)best;
	f->n++;
	attr_format_as_path(rt->attrs, f->path, sizeof(f->path));
	attr_format_communities(rt->attrs, f->comm, sizeof(f->comm));
	attr_format_large(rt->attrs, f->large, sizeof(f->large));
	attr_format_next_hop(rt->attrs, f->nh, sizeof(f->nh));
	return 0;
}

static struct find lookup(struct rib *r, const char *prefix)
{
	struct rib_filter f = {.view = RIB_VIEW_BEST, .family = -1, .has_prefix = true,
			       .exact = true, .prefix = pfx(prefix)};
	struct rib_cursor c = {0};
	struct find out = {.want = prefix};

	rib_walk(r, &f, &c, 10, find_fn, &out);
	return out;
}

static void test_transfer(void)
{
	struct pair p;
	uint32_t comm[] = {(64512u << 16) | 100};
	uint32_t large[] = {64512, 1, 2};
	struct err e;
	char buf[64];

	pair_init(&p);
	/* 2000 IPv4 prefixes (two attribute sets) and one IPv6 prefix. */
	for (int i = 0; i < 2000; i++) {
		struct bgp_prefix q;
		snprintf(buf, sizeof(buf), "10.%d.%d.0/24", i / 256, i % 256);
		q = pfx(buf);
		rib_originate(p.a, &q, comm, (size_t)(i % 2), large, 1, &e);
	}
	struct bgp_prefix v6 = pfx("fd00:1::/64");
	rib_originate(p.a, &v6, comm, 1, NULL, 0, &e);

	CHECK_INT(transfer(&p), 0);
	CHECK_INT(rib_prefix_count(p.b, BGP_FAM_IPV4), 2000);
	CHECK_INT(rib_prefix_count(p.b, BGP_FAM_IPV6), 1);
	CHECK_MSG(p.messages < 20, "prefixes packed many per UPDATE");
	struct find f = lookup(p.b, "10.0.1.0/24");
	CHECK_INT(f.n, 1);
	CHECK_STR(f.path, "64512");
	CHECK_STR(f.comm, "(64512,100)");
	CHECK_STR(f.large, "(64512,1,2)");
	CHECK_STR(f.nh, "192.0.2.1");
	f = lookup(p.b, "10.0.2.0/24");
	CHECK_STR(f.comm, "");
	f = lookup(p.b, "fd00:1::/64");
	CHECK_STR(f.nh, "fd00::1");
	CHECK_STR(f.path, "64512");

	/* Withdrawals travel too. */
	struct bgp_prefix w = pfx("10.0.1.0/24");
	rib_unoriginate(p.a, &w, &e);
	rib_unoriginate(p.a, &v6, &e);
	CHECK_INT(transfer(&p), 0);
	CHECK_INT(lookup(p.b, "10.0.1.0/24").n, 0);
	CHECK_INT(rib_prefix_count(p.b, BGP_FAM_IPV4), 1999);
	CHECK_INT(rib_prefix_count(p.b, BGP_FAM_IPV6), 0);

	/* Treat-as-withdraw: the announced prefixes are withdrawn. */
	struct rib_out_batch batch;
	uint8_t msg[BGP_MAX_MSG_LEN], scratch[256];
	struct bgp_path_attrs wa;
	struct bgp_nexthop nh;
	struct bgp_prefix q = pfx("10.0.3.0/24");
	struct attr_set *a = mkattr(rib_attrs(p.a), &(struct tattr){.path = {64512},
								     .nh = "192.0.2.1"});
	size_t used, len;
	struct wire_err we;

	attr_to_wire(a, &wa, &nh, scratch, sizeof(scratch));
	wire_encode_update(&p.ctx, BGP_FAM_IPV4, &wa, &nh, &q, 1, msg, sizeof(msg), &used, &len,
			   &e);
	CHECK_INT(wire_decode_update(&p.ctx, msg, len, p.u, &we), WIRE_OK);
	CHECK_INT(rib_apply_update(p.b, p.b_from_a, p.u, WIRE_TREAT_AS_WITHDRAW, &e), 0);
	CHECK_INT(lookup(p.b, "10.0.3.0/24").n, 0);
	CHECK_INT(rib_apply_update(p.b, p.b_from_a, p.u, WIRE_NOTIFY, &e), -EINVAL);
	attr_unref(rib_attrs(p.a), a);
	rib_out_batch_init(&batch);
	rib_out_batch_free(p.a, &batch);

	/* End-of-RIB after a graceful restart sweeps what was not refreshed. */
	struct rib_peer_session sb = {.router_id = ip4("10.0.0.1"), .families = {true, true}};
	struct rib_peer_stats st;
	rib_peer_down(p.b, p.b_from_a, true);
	rib_peer_up(p.b, p.b_from_a, &sb, &e);
	deliver(&p, msg, len); /* re-announces 10.0.3.0/24 only */
	int n = wire_encode_eor(BGP_FAM_IPV4, msg, sizeof(msg));
	deliver(&p, msg, (size_t)n);
	while (rib_work(p.b, 4096))
		;
	rib_peer_stats(p.b, p.b_from_a, &st);
	CHECK_INT(st.received, 1);
	CHECK_INT(st.stale, 0);
	CHECK_INT(rib_prefix_count(p.b, BGP_FAM_IPV4), 1);
	pair_free(&p);
}

/* Every attribute survives intern_wire -> to_wire, compared as canonical
 * bytes. */
static void test_attr_round_trip(void)
{
	struct attr_store *s = attr_store_new();
	uint8_t path[] = {2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea, 1, 1, 0, 0, 0, 7};
	uint8_t comm[] = {0xfd, 0xe8, 0, 1, 0xff, 0xff, 0xff, 0x01};
	uint8_t large[] = {0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2};
	uint8_t cl[] = {10, 0, 0, 9, 10, 0, 0, 8};
	uint8_t unk[] = {0xc0, 99, 2, 0xab, 0xcd};
	struct bgp_path_attrs in = {0}, out;
	struct bgp_nexthop nh = {.family = BGP_FAM_IPV6, .has_ll = true}, nh2;
	uint8_t c1[1024], c2[1024], scratch[256];
	struct attr_set *a, *again;
	int l1, l2;

	in.present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(BGP_ATTR_MED) | WIRE_ATTR_BIT(BGP_ATTR_LOCAL_PREF) |
		     WIRE_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE) | WIRE_ATTR_BIT(BGP_ATTR_AGGREGATOR) |
		     WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES) | WIRE_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID) |
		     WIRE_ATTR_BIT(BGP_ATTR_CLUSTER_LIST) |
		     WIRE_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
	in.origin = BGP_ORIGIN_EGP;
	in.as_path = path;
	in.as_path_len = sizeof(path);
	in.med = 5;
	in.local_pref = 250;
	in.aggregator_as = 65001;
	in.aggregator_id = 0x01020304;
	in.communities = comm;
	in.communities_len = sizeof(comm);
	in.originator_id = 0x0a000009;
	in.cluster_list = cl;
	in.cluster_list_len = sizeof(cl);
	in.large_communities = large;
	in.large_communities_len = sizeof(large);
	in.unknown = unk;
	in.unknown_len = sizeof(unk);
	nh.addr[0] = 0xfd;
	nh.addr[15] = 2;
	nh.ll[0] = 0xfe;
	nh.ll[1] = 0x80;
	nh.ll[15] = 2;

	a = attr_intern_wire(s, &in, &nh);
	CHECK(a != NULL);
	CHECK_INT(a->path_len, 3);
	CHECK_INT(a->nh_len, 32);
	CHECK_INT(a->n_cluster, 2);
	CHECK_INT(attr_wire_scratch(a), 8 + 12 + 8);
	CHECK_INT(attr_to_wire(a, &out, &nh2, scratch, 4), -ENOSPC);
	CHECK_INT(attr_to_wire(a, &out, &nh2, scratch, sizeof(scratch)), 0);
	l1 = wire_attrs_canon(&in, c1, sizeof(c1));
	l2 = wire_attrs_canon(&out, c2, sizeof(c2));
	CHECK_INT(l1, l2);
	CHECK_MSG(l1 > 0 && memcmp(c1, c2, (size_t)l1) == 0, "canonical bytes equal after round trip");
	CHECK_MSG(memcmp(&nh, &nh2, sizeof(nh)) == 0, "next hop round trip");
	again = attr_intern_wire(s, &out, &nh2);
	CHECK_MSG(again == a, "the round-tripped set interns to the same set");
	attr_unref(s, again);
	attr_unref(s, a);

	/* Without ORIGIN (a withdraw-only or broken set) it counts INCOMPLETE. */
	memset(&in, 0, sizeof(in));
	a = attr_intern_wire(s, &in, NULL);
	CHECK_INT(a->origin, BGP_ORIGIN_INCOMPLETE);
	CHECK_INT(a->nh_len, 0);
	attr_unref(s, a);
	CHECK_INT(attr_store_count(s), 0);
	attr_store_free(s);
}

int main(void)
{
	test_transfer();
	test_attr_round_trip();
	return check_done();
}
