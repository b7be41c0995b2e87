/* The RIB's prefix table: lookups stay right through growth and
 * backward-shift deletions, host bits are ignored, indexes are reused. */
#include "speaker/prefix_table.h"
#include "tests/unit/check.h"

#include <stdlib.h>
#include <string.h>

static struct bgp_prefix v4(uint32_t net, uint8_t len)
{
	struct bgp_prefix p;

	memset(&p, 0, sizeof(p));
	p.family = BGP_FAM_IPV4;
	p.len = len;
	p.addr[0] = (uint8_t)(net >> 24);
	p.addr[1] = (uint8_t)(net >> 16);
	p.addr[2] = (uint8_t)(net >> 8);
	p.addr[3] = (uint8_t)net;
	return p;
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void test_v4(void)
{
	enum { N = 60000 };
	struct ptab t;
	uint32_t *idx = calloc(N, sizeof(*idx));
	struct bgp_prefix *ps = calloc(N, sizeof(*ps));
	uint64_t seed = 42;
	bool created, ok = true;

	ptab_init(&t, BGP_FAM_IPV4);
	/* Half consecutive /24s (clustered slots), half random prefixes. */
	for (uint32_t i = 0; i < N; i++) {
		ps[i] = i < N / 2 ? v4(0x0a000000u + (i << 8), 24)
				  : v4(rnd(&seed) & 0xfffffff0u, (uint8_t)(8 + i % 21));
		idx[i] = ptab_get(&t, &ps[i], &created);
		if (!idx[i])
			ok = false;
		else if (created)
			t.values[idx[i]] = i + 1;
		else
			idx[i] = 0; /* a random duplicate: remember only the first */
	}
	CHECK_MSG(ok, "every insert got an index");
	for (uint32_t i = 0; i < N; i++)
		if (idx[i] && ptab_find(&t, &ps[i]) != idx[i])
			ok = false;
	CHECK_MSG(ok, "every prefix found at its index after growth");

	/* Delete every other one in a scrambled order; the rest stay findable. */
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 7919u) % N;

		if (i % 2 == 0 && idx[i]) {
			ptab_del(&t, idx[i]);
			idx[i] = 0;
		}
	}
	for (uint32_t i = 0; i < N; i++) {
		uint32_t f = ptab_find(&t, &ps[i]);

		if (idx[i] && (f != idx[i] || t.values[f] != i + 1))
			ok = false;
		if (i % 2 == 0 && f && !idx[i] && i >= N / 2)
			; /* a random prefix may equal a kept one */
		else if (i % 2 == 0 && f)
			ok = false;
	}
	CHECK_MSG(ok, "deletions keep the other prefixes findable and remove theirs");
	CHECK_MSG(!ptab_in_use(&t, 0), "index 0 is never in use");

	/* Freed indexes are reused, host bits do not matter. */
	uint32_t top = t.top;
	struct bgp_prefix q = v4(0xc0a80101u, 24), q2 = v4(0xc0a80100u, 24);
	uint32_t i1 = ptab_get(&t, &q, &created);
	CHECK(created);
	CHECK_MSG(t.top == top, "a freed index was reused");
	CHECK_INT(ptab_find(&t, &q2), i1);
	struct bgp_prefix out;
	ptab_prefix(&t, i1, &out);
	CHECK_INT(out.addr[3], 0);
	CHECK_INT(out.len, 24);
	CHECK_MSG(ptab_covers(&(struct bgp_prefix){.family = BGP_FAM_IPV4, .len = 16,
						   .addr = {192, 168}},
			      &out),
		  "192.168.0.0/16 covers 192.168.1.0/24");
	CHECK_MSG(!ptab_covers(&out, &(struct bgp_prefix){.family = BGP_FAM_IPV4, .len = 16,
							   .addr = {192, 168}}),
		  "a longer prefix does not cover a shorter one");
	struct bgp_prefix v6 = {.family = BGP_FAM_IPV6, .len = 64};
	CHECK_MSG(ptab_find(&t, &v6) == 0, "wrong family is not found");
	ptab_free(&t);
	free(idx);
	free(ps);
}

static void test_v6(void)
{
	struct ptab t;
	bool created, ok = true;
	uint32_t ids[3000];

	ptab_init(&t, BGP_FAM_IPV6);
	for (unsigned i = 0; i < 3000; i++) {
		struct bgp_prefix p = {.family = BGP_FAM_IPV6, .len = (uint8_t)(i < 1000 ? 64 : 128)};

		p.addr[0] = 0xfd;
		p.addr[6] = (uint8_t)(i >> 8);
		p.addr[7] = (uint8_t)i;
		p.addr[15] = (uint8_t)(i * 3);
		if (i < 1000)
			p.addr[15] = 0xff; /* host bits: ignored for /64 */
		ids[i] = ptab_get(&t, &p, &created);
		t.values[ids[i]] = i + 1;
		if (!created)
			ok = false;
	}
	CHECK_MSG(ok, "3000 distinct IPv6 prefixes");
	for (unsigned i = 0; i < 3000; i++) {
		struct bgp_prefix p = {.family = BGP_FAM_IPV6, .len = (uint8_t)(i < 1000 ? 64 : 128)};

		p.addr[0] = 0xfd;
		p.addr[6] = (uint8_t)(i >> 8);
		p.addr[7] = (uint8_t)i;
		p.addr[15] = i < 1000 ? 0 : (uint8_t)(i * 3);
		if (ptab_find(&t, &p) != ids[i])
			ok = false;
	}
	CHECK_MSG(ok, "IPv6 prefixes found, /64 without host bits");
	CHECK_INT(t.count, 3000);
	ptab_free(&t);
}

/* Key sets whose low network bits are all alike: every 64th /24 (one lane
 * if lanes came from those bits alone) and /128s of one /64 (one network
 * number). Both must spread so inserts, lookups and deletions stay cheap and
 * correct; a probe that never ends would hang this test. */
static void test_skewed(void)
{
	enum { N = 40000 };
	struct ptab t4, t6;
	bool created, ok = true;
	uint32_t *id4 = calloc(N, sizeof(*id4)), *id6 = calloc(N, sizeof(*id6));

	ptab_init(&t4, BGP_FAM_IPV4);
	ptab_init(&t6, BGP_FAM_IPV6);
	for (uint32_t i = 0; i < N; i++) {
		struct bgp_prefix a = v4(0x10000000u + (i << 14), 24);
		struct bgp_prefix b = {.family = BGP_FAM_IPV6, .len = 128, .addr = {0x20, 0x01, 0x0d, 0xb8}};

		b.addr[13] = (uint8_t)(i >> 16);
		b.addr[14] = (uint8_t)(i >> 8);
		b.addr[15] = (uint8_t)i;
		id4[i] = ptab_get(&t4, &a, &created);
		ok = ok && id4[i] && created;
		t4.values[id4[i]] = i + 1;
		id6[i] = ptab_get(&t6, &b, &created);
		ok = ok && id6[i] && created;
		t6.values[id6[i]] = i + 1;
	}
	CHECK_MSG(ok, "40000 every-64th /24s and 40000 /128s of one /64 inserted");
	CHECK_MSG(t4.n_slots <= 65536 && t6.n_slots <= 65536,
		  "the table grew for the load, not for a full lane");
	for (uint32_t i = 0; i < N; i += 2) {
		ptab_del(&t4, id4[i]);
		ptab_del(&t6, id6[i]);
	}
	for (uint32_t i = 0; i < N; i++) {
		struct bgp_prefix a = v4(0x10000000u + (i << 14), 24);
		struct bgp_prefix b = {.family = BGP_FAM_IPV6, .len = 128, .addr = {0x20, 0x01, 0x0d, 0xb8}};
		uint32_t want4 = i % 2 ? id4[i] : 0, want6 = i % 2 ? id6[i] : 0;

		b.addr[13] = (uint8_t)(i >> 16);
		b.addr[14] = (uint8_t)(i >> 8);
		b.addr[15] = (uint8_t)i;
		if (ptab_find(&t4, &a) != want4 || ptab_find(&t6, &b) != want6)
			ok = false;
	}
	CHECK_MSG(ok, "after deleting every other one, the rest are found and the deleted are not");
	CHECK_INT(t4.count, N / 2);
	CHECK_INT(t6.count, N / 2);
	ptab_free(&t4);
	ptab_free(&t6);
	free(id4);
	free(id6);
}

int main(void)
{
	test_v4();
	test_v6();
	test_skewed();
	return check_done();
}
