/* rib-bench: the route decision engine alone, without sockets.
 *
 *   rib-bench [PREFIXES [ATTRSETS [wire]]]   defaults: 1000000 prefixes, 5000 sets
 *
 * With "wire" only phase 3 runs (what an ingest costs the speaker apart from
 * its socket; the phase to profile with perf or callgrind).
 *
 * Phase 1 inserts PREFIXES distinct IPv4 /24s from one eBGP peer, in
 * UPDATE-sized runs of 200 prefixes sharing one of ATTRSETS attribute sets
 * (the shape of issue 5's ingest scenario), with a best-route hook counting
 * changes as the kernel sync would. It reports the time and the memory per
 * route three ways: the RIB's own accounting (rib_bytes), the malloc heap
 * delta (mallinfo2) and the RSS delta. Phase 2 brings up a second eBGP peer
 * and pulls the full table for it in 4096-prefix slices (export + grouping,
 * no encoding). Phase 3 repeats phase 1 through the codec: the same routes
 * pre-encoded as UPDATE messages, decoded by wire.h and applied with
 * rib_apply_update(). Phase 4 withdraws everything. Phase 5 is the Calico
 * route-reflector shape: 1,000 iBGP clients each announce 4 prefixes and
 * every client's outbound queue is drained (each gets the 3,996 others). */
#include "speaker/rib.h"
#include "speaker/wire.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUN 200 /* prefixes per simulated UPDATE */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t rss_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return (size_t)rss * (size_t)sysconf(_SC_PAGESIZE);
}

/* AnonHugePages of /proc/self/smaps_rollup in kB (0 when unknown). */
static long huge_kb(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static unsigned long changes;

static void on_best(void *ctx, const struct bgp_prefix *p, const struct rib_route *o,
		    const struct rib_route *n)
{
	(void)ctx;
	(void)p;
	(void)o;
	(void)n;
	changes++;
}

static struct bgp_prefix prefix_of(size_t i)
{
	struct bgp_prefix p;
	uint32_t net = 0x01000000u + ((uint32_t)i << 8); /* 1.0.0.0/24 upwards */

	memset(&p, 0, sizeof(p));
	p.family = BGP_FAM_IPV4;
	p.len = 24;
	p.addr[0] = (uint8_t)(net >> 24);
	p.addr[1] = (uint8_t)(net >> 16);
	p.addr[2] = (uint8_t)(net >> 8);
	return p;
}

/* Attribute set k: AS_PATH 65001 <k+1> 65100, MED k, next hop 192.0.2.1. */
static void attrs_of(size_t k, struct bgp_path_attrs *a, uint8_t path[14], struct bgp_nexthop *nh)
{
	uint32_t as[3] = {65001, (uint32_t)k + 1, 65100};

	memset(a, 0, sizeof(*a));
	path[0] = 2;
	path[1] = 3;
	for (int i = 0; i < 3; i++) {
		path[2 + 4 * i] = (uint8_t)(as[i] >> 24);
		path[3 + 4 * i] = (uint8_t)(as[i] >> 16);
		path[4 + 4 * i] = (uint8_t)(as[i] >> 8);
		path[5 + 4 * i] = (uint8_t)as[i];
	}
	a->present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(BGP_ATTR_MED) | WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	a->origin = BGP_ORIGIN_IGP;
	a->as_path = path;
	a->as_path_len = 14;
	a->med = (uint32_t)k;
	memset(nh, 0, sizeof(*nh));
	nh->family = BGP_FAM_IPV4;
	nh->addr[0] = 192;
	nh->addr[2] = 2;
	nh->addr[3] = 1;
	memcpy(a->next_hop, nh->addr, 4);
}

struct setup {
	struct rib *r;
	uint16_t feeder, out;
};

static int setup(struct setup *s)
{
	struct rib_config cfg = {.router_id = 0x0a000001, .local_as = 64512};
	struct rib_hooks hooks = {.best_changed = on_best};
	struct rib_peer_config pf = {.addr_family = BGP_FAM_IPV4, .remote_as = 65001,
				     .addr = {192, 0, 2, 1}};
	struct rib_peer_config po = {.addr_family = BGP_FAM_IPV4, .remote_as = 65002,
				     .addr = {192, 0, 2, 2}};
	struct rib_peer_session sf = {.router_id = 0x01010101, .families = {true, false},
				      .has_local4 = true, .local4 = {192, 0, 2, 100}};
	struct err e;
	int id;

	if (rib_new(&cfg, &hooks, &s->r, &e) < 0)
		goto fail;
	if ((id = rib_peer_add(s->r, &pf, &e)) < 0)
		goto fail;
	s->feeder = (uint16_t)id;
	if ((id = rib_peer_add(s->r, &po, &e)) < 0)
		goto fail;
	s->out = (uint16_t)id;
	if (rib_peer_up(s->r, s->feeder, &sf, &e) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "rib-bench: %s\n", e.msg);
	return -1;
}

/* Phase 1 and 4 over the direct API. */
static int phase_direct(size_t n, size_t sets)
{
	struct attr_set **as = calloc(sets, sizeof(*as));
	struct bgp_prefix *run = calloc(RUN, sizeof(*run));
	struct setup s;
	struct err e;
	size_t heap0, rss0, heap1, rss1, rb;
	double t0, t1;

	if (!as || !run || setup(&s) < 0)
		return 1;
	for (size_t k = 0; k < sets; k++) {
		struct bgp_path_attrs a;
		struct bgp_nexthop nh;
		uint8_t path[14];

		attrs_of(k, &a, path, &nh);
		as[k] = attr_intern_wire(rib_attrs(s.r), &a, &nh);
	}
	malloc_trim(0);
	heap0 = heap_bytes();
	rss0 = rss_bytes();
	changes = 0;
	t0 = now();
	for (size_t i = 0, k = 0; i < n; i += RUN, k++) {
		size_t m = n - i < RUN ? n - i : RUN;

		for (size_t j = 0; j < m; j++)
			run[j] = prefix_of(i + j);
		if (rib_announce(s.r, s.feeder, as[k % sets], run, m, &e) < 0) {
			fprintf(stderr, "rib-bench: %s\n", e.msg);
			return 1;
		}
	}
	t1 = now();
	heap1 = heap_bytes();
	rss1 = rss_bytes();
	rb = rib_bytes(s.r);
	printf("insert: %zu prefixes, %zu attribute sets, one peer: %.3f s (%.0f ns/prefix), "
	       "%lu best changes\n",
	       n, sets, t1 - t0, (t1 - t0) * 1e9 / (double)n, changes);
	printf("memory per route: rib accounting %.1f B, malloc heap delta %.1f B, "
	       "RSS delta %.1f B\n",
	       (double)rb / (double)n, (double)(heap1 - heap0) / (double)n,
	       (double)(rss1 - rss0) / (double)n);
	printf("prefixes in table: %zu\n", rib_prefix_count(s.r, BGP_FAM_IPV4));

	/* Phase 2: full dump to a new peer in slices. */
	struct rib_peer_session so = {.router_id = 0x02020202, .families = {true, false},
				      .has_local4 = true, .local4 = {192, 0, 2, 100}};
	struct rib_out_batch b;
	size_t sent = 0, slices = 0, groups = 0;

	rib_out_batch_init(&b);
	rib_peer_up(s.r, s.out, &so, &e);
	t0 = now();
	while (rib_out_pending(s.r, s.out)) {
		int got = rib_out_pull(s.r, s.out, 4096, &b);

		if (got < 0)
			break;
		sent += (size_t)got;
		groups += b.n_groups;
		slices++;
	}
	t1 = now();
	printf("dump to a new eBGP peer: %zu prefixes in %zu slices of <= 4096, %zu attribute "
	       "groups: %.3f s (%.0f ns/prefix)\n",
	       sent, slices, groups, t1 - t0, (t1 - t0) * 1e9 / (double)(sent ? sent : 1));
	rib_out_batch_free(s.r, &b);
	printf("memory with the out peer: rib accounting %.1f B/route\n",
	       (double)rib_bytes(s.r) / (double)n);

	/* Phase 4: withdraw everything. */
	changes = 0;
	t0 = now();
	for (size_t i = 0; i < n; i += RUN) {
		size_t m = n - i < RUN ? n - i : RUN;

		for (size_t j = 0; j < m; j++)
			run[j] = prefix_of(i + j);
		rib_withdraw(s.r, s.feeder, run, m, &e);
	}
	t1 = now();
	printf("withdraw all: %.3f s (%.0f ns/prefix), %lu best changes\n", t1 - t0,
	       (t1 - t0) * 1e9 / (double)n, changes);
	for (size_t k = 0; k < sets; k++)
		attr_unref(rib_attrs(s.r), as[k]);
	rib_free(s.r);
	free(as);
	free(run);
	return 0;
}

/* Phase 3: the same feed through wire_decode_update + rib_apply_update. */
static int phase_wire(size_t n, size_t sets)
{
	struct wire_ctx ctx;
	struct setup s;
	struct err e;
	struct wire_err we;
	struct bgp_update *u = malloc(sizeof(*u));
	size_t cap = n * 5 + (n / RUN + 1) * 128, used_total = 0, msgs = 0;
	uint8_t *stream = malloc(cap);
	struct bgp_prefix *run = calloc(RUN, sizeof(*run));
	double t0, t1, c0, c1;

	if (!u || !stream || !run || setup(&s) < 0)
		return 1;
	wire_ctx_init(&ctx);
	ctx.as4 = true;
	ctx.ebgp = true;
	ctx.local_as = 64512;
	ctx.peer_as = 65001;
	for (size_t i = 0, k = 0; i < n; k++) {
		struct bgp_path_attrs a;
		struct bgp_nexthop nh;
		uint8_t path[14];
		size_t m = n - i < RUN ? n - i : RUN, used = 0, len = 0;

		attrs_of(k % sets, &a, path, &nh);
		for (size_t j = 0; j < m; j++)
			run[j] = prefix_of(i + j);
		if (cap - used_total < BGP_MAX_MSG_LEN ||
		    wire_encode_update(&ctx, BGP_FAM_IPV4, &a, &nh, run, m, stream + used_total,
				       BGP_MAX_MSG_LEN, &used, &len, &e) < 0) {
			fprintf(stderr, "rib-bench: encode failed\n");
			return 1;
		}
		i += used;
		used_total += len;
		msgs++;
	}
	changes = 0;
	t0 = now();
	c0 = cpu_now();
	for (size_t off = 0; off < used_total;) {
		size_t len = (size_t)stream[off + 16] << 8 | stream[off + 17];
		int st = wire_decode_update(&ctx, stream + off, len, u, &we);

		if (st < 0 || rib_apply_update(s.r, s.feeder, u, st, &e) < 0) {
			fprintf(stderr, "rib-bench: decode/apply failed\n");
			return 1;
		}
		off += len;
	}
	c1 = cpu_now();
	t1 = now();
	printf("decode + apply through wire.h: %zu UPDATEs, %zu prefixes: %.3f s "
	       "(%.0f ns/prefix, CPU %.0f ns/prefix), %lu best changes\n",
	       msgs, n, t1 - t0, (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n, changes);
	printf("RSS %.1f MiB, of it in huge pages %.1f MiB\n", (double)rss_bytes() / 1048576.0,
	       (double)huge_kb() / 1024.0);
	rib_free(s.r);
	free(stream);
	free(run);
	free(u);
	return 0;
}

/* Phase 5: one reflector, `clients` route-reflector clients x 4 prefixes. */
static int phase_reflector(size_t clients)
{
	struct rib_config cfg = {.router_id = 0x0a000001, .local_as = 64512};
	struct rib_out_batch b;
	struct attr_store *st;
	struct rib *r;
	struct err e;
	uint16_t *ids = calloc(clients, sizeof(*ids));
	size_t sent = 0;
	double t0, t1, t2;

	if (!ids || rib_new(&cfg, NULL, &r, &e) < 0)
		return 1;
	st = rib_attrs(r);
	for (size_t i = 0; i < clients; i++) {
		uint32_t a = 0x0a800000u + (uint32_t)i + 1; /* 10.128.x.y */
		struct rib_peer_config pc = {.addr_family = BGP_FAM_IPV4, .remote_as = 64512,
					     .rr_client = true,
					     .addr = {(uint8_t)(a >> 24), (uint8_t)(a >> 16),
						      (uint8_t)(a >> 8), (uint8_t)a}};
		struct rib_peer_session ss = {.router_id = a, .families = {true, false},
					      .has_local4 = true, .local4 = {10, 0, 0, 1}};
		int id = rib_peer_add(r, &pc, &e);

		if (id < 0 || rib_peer_up(r, (uint16_t)id, &ss, &e) < 0) {
			fprintf(stderr, "rib-bench: %s\n", e.msg);
			return 1;
		}
		ids[i] = (uint16_t)id;
	}
	rib_out_batch_init(&b);
	for (size_t i = 0; i < clients; i++) /* the empty initial dumps */
		while (rib_out_pending(r, ids[i]))
			rib_out_pull(r, ids[i], 4096, &b);
	t0 = now();
	for (size_t i = 0; i < clients; i++) {
		struct attr_in in = {.origin = BGP_ORIGIN_IGP, .nh_len = 4};
		struct bgp_prefix p[4];
		struct attr_set *a;

		in.next_hop[0] = 10;
		in.next_hop[1] = 128;
		in.next_hop[2] = (uint8_t)((i + 1) >> 8);
		in.next_hop[3] = (uint8_t)(i + 1);
		a = attr_intern(st, &in);
		for (int k = 0; k < 4; k++) {
			uint32_t net = 0x0a000000u + ((uint32_t)(i * 4 + (size_t)k) << 6);

			memset(&p[k], 0, sizeof(p[k]));
			p[k].family = BGP_FAM_IPV4;
			p[k].len = 26; /* Calico's default block size */
			p[k].addr[0] = (uint8_t)(net >> 24);
			p[k].addr[1] = (uint8_t)(net >> 16);
			p[k].addr[2] = (uint8_t)(net >> 8);
			p[k].addr[3] = (uint8_t)net;
		}
		rib_announce(r, ids[i], a, p, 4, &e);
		attr_unref(st, a);
	}
	t1 = now();
	for (size_t i = 0; i < clients; i++) {
		while (rib_out_pending(r, ids[i])) {
			int n = rib_out_pull(r, ids[i], 4096, &b);

			if (n < 0)
				break;
			sent += (size_t)n;
		}
	}
	t2 = now();
	printf("route reflector: %zu clients x 4 prefixes: ingest %.3f s, outbound to all "
	       "clients %.3f s (%zu prefixes sent, %.0f ns each)\n",
	       clients, t1 - t0, t2 - t1, sent, (t2 - t1) * 1e9 / (double)(sent ? sent : 1));
	rib_out_batch_free(r, &b);
	rib_free(r);
	free(ids);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t sets = argc > 2 ? strtoul(argv[2], NULL, 10) : 5000;
	bool wire_only = argc > 3 && strcmp(argv[3], "wire") == 0;

	if (n == 0 || n > (1u << 24) || sets == 0 || (argc > 3 && !wire_only) || argc > 4) {
		fprintf(stderr, "usage: rib-bench [PREFIXES (1..16777216) [ATTRSETS (>= 1) [wire]]]\n");
		return 2;
	}
	if (wire_only)
		return phase_wire(n, sets);
	if (phase_direct(n, sets) || phase_wire(n, sets))
		return 1;
	return phase_reflector(1000);
}
