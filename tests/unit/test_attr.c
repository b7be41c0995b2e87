/* Interned attribute sets: sharing, reference counts, AS_PATH helpers and
 * text forms. */
#include "speaker/attr.h"
#include "tests/unit/check.h"

#include <stdlib.h>

/* Builds a 4-octet AS_SEQUENCE of n ASes into buf; returns its length. */
static uint16_t seq(uint8_t *buf, const uint32_t *as, unsigned n)
{
	buf[0] = ATTR_SEG_SEQUENCE;
	buf[1] = (uint8_t)n;
	for (unsigned i = 0; i < n; i++) {
		buf[2 + 4 * i] = (uint8_t)(as[i] >> 24);
		buf[3 + 4 * i] = (uint8_t)(as[i] >> 16);
		buf[4 + 4 * i] = (uint8_t)(as[i] >> 8);
		buf[5 + 4 * i] = (uint8_t)as[i];
	}
	return (uint16_t)(2 + 4 * n);
}

static void test_interning(void)
{
	struct attr_store *s = attr_store_new();
	uint8_t path[64];
	uint32_t as[] = {65001, 65002};
	uint32_t comm[] = {(65000u << 16) | 100};
	struct attr_in in = {0};
	struct attr_set *a, *b, *c;

	in.origin = BGP_ORIGIN_IGP;
	in.nh_len = 4;
	in.next_hop[0] = 10;
	in.next_hop[3] = 1;
	in.as_path = path;
	in.as_path_bytes = seq(path, as, 2);
	in.communities = comm;
	in.n_communities = 1;
	a = attr_intern(s, &in);
	b = attr_intern(s, &in);
	CHECK(a != NULL);
	CHECK_MSG(a == b, "equal attributes intern to one set");
	CHECK_INT(a->refcnt, 2);
	CHECK_INT(attr_store_count(s), 1);
	CHECK_INT(a->path_len, 2);

	in.flags |= ATTR_F_MED;
	in.med = 5;
	c = attr_intern(s, &in);
	CHECK_MSG(c != a, "a different MED is a different set");
	CHECK_INT(attr_store_count(s), 2);
	CHECK(c->id != a->id);
	CHECK_MSG(attr_by_id(s, c->id) == c, "id lookup");

	/* A view re-interns to the same set. */
	struct attr_in v;
	attr_view(c, &v);
	b = attr_intern(s, &v);
	CHECK_MSG(b == c, "attr_view round trip");
	attr_unref(s, b);

	attr_unref(s, a);
	attr_unref(s, a);
	CHECK_INT(attr_store_count(s), 1);
	uint32_t cid = c->id;
	attr_unref(s, c);
	CHECK_INT(attr_store_count(s), 0);
	CHECK_MSG(attr_by_id(s, cid) == NULL, "freed id lookup is NULL");
	attr_store_free(s);
}

static void test_many(void)
{
	struct attr_store *s = attr_store_new();
	struct attr_set **sets = calloc(5000, sizeof(*sets));
	struct attr_in in = {0};
	int distinct = 1;

	in.flags = ATTR_F_MED;
	for (unsigned i = 0; i < 5000; i++) {
		in.med = i;
		sets[i] = attr_intern(s, &in);
	}
	CHECK_INT(attr_store_count(s), 5000);
	for (unsigned i = 0; i < 5000; i++) {
		in.med = i;
		struct attr_set *again = attr_intern(s, &in);
		if (again != sets[i])
			distinct = 0;
		attr_unref(s, again);
	}
	CHECK_MSG(distinct, "5000 sets found again after rehashing");
	for (unsigned i = 0; i < 5000; i++)
		attr_unref(s, sets[i]);
	CHECK_INT(attr_store_count(s), 0);
	free(sets);
	attr_store_free(s);
}

static void test_paths(void)
{
	struct attr_store *s = attr_store_new();
	uint8_t path[64], out[2048];
	uint32_t as[] = {65001, 65002, 65001};
	struct attr_in in = {0};
	struct attr_set *a;
	char buf[256];
	int n;

	in.as_path = path;
	in.as_path_bytes = seq(path, as, 3);
	/* Append an AS_SET {7 8}: a sequence whose type byte is changed. */
	in.as_path_bytes = (uint16_t)(in.as_path_bytes +
				      seq(path + in.as_path_bytes, (uint32_t[]){7, 8}, 2));
	path[14] = ATTR_SEG_SET;
	a = attr_intern(s, &in);
	CHECK(a != NULL);
	CHECK_MSG(a->path_len == 4, "sequence of 3 plus a set counts 4");
	CHECK_INT(attr_path_count_as(a, 65001), 2);
	CHECK_INT(attr_path_count_as(a, 8), 1);
	CHECK_INT(attr_path_count_as(a, 9), 0);
	CHECK_INT(attr_path_first_as(a), 65001);
	CHECK_STR(attr_format_as_path(a, buf, sizeof(buf)), "65001 65002 65001 {7 8}");

	n = attr_path_prepend(attr_as_path(a), a->as_path_bytes, 64512, 2, out, sizeof(out));
	CHECK_INT(n, a->as_path_bytes + 8);
	CHECK_INT(attr_path_length(out, (size_t)n), 6);
	CHECK_INT(out[1], 5);
	n = attr_path_prepend(NULL, 0, 64512, 300, out, sizeof(out));
	CHECK_INT(n, 2 + 255 * 4 + 2 + 45 * 4);
	CHECK_INT(attr_path_length(out, (size_t)n), 300);
	CHECK_INT(attr_path_prepend(NULL, 0, 1, 3, out, 10), -1);
	attr_unref(s, a);

	/* Malformed paths are refused. */
	uint8_t bad[] = {ATTR_SEG_SEQUENCE, 2, 0, 0, 0, 1};
	in.as_path = bad;
	in.as_path_bytes = sizeof(bad);
	CHECK_MSG(attr_intern(s, &in) == NULL, "truncated segment refused");
	uint8_t badtype[] = {9, 1, 0, 0, 0, 1};
	in.as_path = badtype;
	in.as_path_bytes = sizeof(badtype);
	CHECK_MSG(attr_intern(s, &in) == NULL, "unknown segment type refused");
	CHECK_INT(attr_store_count(s), 0);
	attr_store_free(s);
}

static void test_format(void)
{
	struct attr_store *s = attr_store_new();
	uint32_t comm[] = {(65000u << 16) | 100, 0xFFFFFF01};
	uint32_t large[] = {65000, 1, 2};
	uint32_t cl[] = {0x01020304};
	struct attr_in in = {0};
	struct attr_set *a;
	char buf[128];

	in.communities = comm;
	in.n_communities = 2;
	in.large = large;
	in.n_large = 1;
	in.cluster_list = cl;
	in.n_cluster = 1;
	in.flags = ATTR_F_CLUSTER_LIST;
	in.nh_len = 16;
	in.next_hop[0] = 0xfd;
	in.next_hop[15] = 1;
	a = attr_intern(s, &in);
	CHECK_STR(attr_format_communities(a, buf, sizeof(buf)), "(65000,100) (65535,65281)");
	CHECK_STR(attr_format_large(a, buf, sizeof(buf)), "(65000,1,2)");
	CHECK_STR(attr_format_next_hop(a, buf, sizeof(buf)), "fd00::1");
	CHECK_INT(attr_cluster_list(a)[0], 0x01020304);
	CHECK_INT(attr_large(a)[2], 2);
	CHECK_STR(attr_format_communities(a, buf, 6), "(6500");
	attr_unref(s, a);
	attr_store_free(s);
}

int main(void)
{
	test_interning();
	test_many();
	test_paths();
	test_format();
	return check_done();
}
