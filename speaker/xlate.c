/* wire.h <-> attr.h attribute translation (see xlate.h). */
#include "speaker/xlate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void xlate_scratch_free(struct xlate_scratch *sc)
{
	free(sc->words);
	free(sc->bytes);
	memset(sc, 0, sizeof(*sc));
}

static int grow_words(struct xlate_scratch *sc, size_t n)
{
	uint32_t *w;

	if (sc->n_words >= n)
		return 0;
	w = realloc(sc->words, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	sc->words = w;
	sc->n_words = n;
	return 0;
}

static int grow_bytes(struct xlate_scratch *sc, size_t n)
{
	uint8_t *b;

	if (sc->n_bytes >= n)
		return 0;
	b = realloc(sc->bytes, n);
	if (!b)
		return -ENOMEM;
	sc->bytes = b;
	sc->n_bytes = n;
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool has(const struct bgp_path_attrs *pa, int code)
{
	return (pa->present & WIRE_ATTR_BIT(code)) != 0;
}

int xlate_from_wire(const struct bgp_path_attrs *pa, const struct bgp_nexthop *nh,
		    struct attr_in *in, struct xlate_scratch *sc)
{
	size_t nc = has(pa, BGP_ATTR_COMMUNITIES) ? pa->communities_len / 4 : 0;
	size_t nl = has(pa, BGP_ATTR_LARGE_COMMUNITIES) ? pa->large_communities_len / 12 : 0;
	size_t ncl = has(pa, BGP_ATTR_CLUSTER_LIST) ? pa->cluster_list_len / 4 : 0;
	uint32_t *w;

	memset(in, 0, sizeof(*in));
	if (grow_words(sc, nc + nl * 3 + ncl + 1))
		return -ENOMEM;
	w = sc->words;
	in->origin = pa->origin;
	if (has(pa, BGP_ATTR_MED)) {
		in->flags |= ATTR_F_MED;
		in->med = pa->med;
	}
	if (has(pa, BGP_ATTR_LOCAL_PREF)) {
		in->flags |= ATTR_F_LOCAL_PREF;
		in->local_pref = pa->local_pref;
	}
	if (has(pa, BGP_ATTR_ATOMIC_AGGREGATE))
		in->flags |= ATTR_F_ATOMIC_AGGREGATE;
	if (has(pa, BGP_ATTR_AGGREGATOR)) {
		in->flags |= ATTR_F_AGGREGATOR;
		in->aggregator_as = pa->aggregator_as;
		in->aggregator_addr = pa->aggregator_id;
	}
	if (has(pa, BGP_ATTR_ORIGINATOR_ID)) {
		in->flags |= ATTR_F_ORIGINATOR_ID;
		in->originator_id = pa->originator_id;
	}
	if (has(pa, BGP_ATTR_AS_PATH)) {
		in->as_path = pa->as_path;
		in->as_path_bytes = (uint16_t)pa->as_path_len;
	}
	for (size_t i = 0; i < nc; i++)
		w[i] = get32(pa->communities + 4 * i);
	in->communities = w;
	in->n_communities = (uint16_t)nc;
	w += nc;
	for (size_t i = 0; i < nl * 3; i++)
		w[i] = get32(pa->large_communities + 4 * i);
	in->large = w;
	in->n_large = (uint16_t)nl;
	w += nl * 3;
	if (has(pa, BGP_ATTR_CLUSTER_LIST)) {
		in->flags |= ATTR_F_CLUSTER_LIST;
		for (size_t i = 0; i < ncl; i++)
			w[i] = get32(pa->cluster_list + 4 * i);
		in->cluster_list = w;
		in->n_cluster = (uint16_t)ncl;
	}
	if (pa->unknown_len) {
		in->unknown = pa->unknown;
		in->unknown_len = (uint16_t)pa->unknown_len;
	}
	if (nh) {
		if (nh->family == BGP_FAM_IPV4) {
			in->nh_len = 4;
			memcpy(in->next_hop, nh->addr, 4);
		} else {
			in->nh_len = nh->has_ll ? 32 : 16;
			memcpy(in->next_hop, nh->addr, 16);
			if (nh->has_ll)
				memcpy(in->next_hop + 16, nh->ll, 16);
		}
	}
	return 0;
}

int xlate_to_wire(const struct attr_set *a, enum bgp_family fam, struct bgp_path_attrs *pa,
		  struct bgp_nexthop *nh, struct xlate_scratch *sc)
{
	size_t nc = a->n_communities, nl = a->n_large, ncl = a->n_cluster;
	uint8_t *b;

	memset(pa, 0, sizeof(*pa));
	memset(nh, 0, sizeof(*nh));
	if (grow_bytes(sc, 4 * (nc + nl * 3 + ncl) + 1))
		return -ENOMEM;
	b = sc->bytes;
	pa->present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH);
	pa->origin = a->origin;
	pa->as_path = attr_as_path(a);
	pa->as_path_len = a->as_path_bytes;
	if (a->flags & ATTR_F_MED) {
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_MED);
		pa->med = a->med;
	}
	if (a->flags & ATTR_F_LOCAL_PREF) {
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		pa->local_pref = a->local_pref;
	}
	if (a->flags & ATTR_F_ATOMIC_AGGREGATE)
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE);
	if (a->flags & ATTR_F_AGGREGATOR) {
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_AGGREGATOR);
		pa->aggregator_as = a->aggregator_as;
		pa->aggregator_id = a->aggregator_addr;
	}
	if (a->flags & ATTR_F_ORIGINATOR_ID) {
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID);
		pa->originator_id = a->originator_id;
	}
	if (nc) {
		const uint32_t *c = attr_communities(a);

		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES);
		for (size_t i = 0; i < nc; i++)
			put32(b + 4 * i, c[i]);
		pa->communities = b;
		pa->communities_len = (uint32_t)(4 * nc);
		b += 4 * nc;
	}
	if (nl) {
		const uint32_t *l = attr_large(a);

		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
		for (size_t i = 0; i < nl * 3; i++)
			put32(b + 4 * i, l[i]);
		pa->large_communities = b;
		pa->large_communities_len = (uint32_t)(12 * nl);
		b += 12 * nl;
	}
	if (a->flags & ATTR_F_CLUSTER_LIST) {
		const uint32_t *cl = attr_cluster_list(a);

		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_CLUSTER_LIST);
		for (size_t i = 0; i < ncl; i++)
			put32(b + 4 * i, cl[i]);
		pa->cluster_list = b;
		pa->cluster_list_len = (uint32_t)(4 * ncl);
	}
	if (a->unknown_len) {
		pa->unknown = attr_unknown(a);
		pa->unknown_len = a->unknown_len;
	}
	if (fam == BGP_FAM_IPV4) {
		if (a->nh_len != 4)
			return -EINVAL;
		nh->family = BGP_FAM_IPV4;
		memcpy(nh->addr, a->next_hop, 4);
		memcpy(pa->next_hop, a->next_hop, 4);
		pa->present |= WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	} else {
		if (a->nh_len != 16 && a->nh_len != 32)
			return -EINVAL;
		nh->family = BGP_FAM_IPV6;
		memcpy(nh->addr, a->next_hop, 16);
		if (a->nh_len == 32) {
			nh->has_ll = true;
			memcpy(nh->ll, a->next_hop + 16, 16);
		}
	}
	return 0;
}
