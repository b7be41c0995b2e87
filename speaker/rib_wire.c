/* The RIB's seam with the wire codec: interning decoded attributes,
 * applying a decoded UPDATE, and the encoder's view of an outbound set. */
#include "speaker/rib_int.h"
#include "speaker/wire.h"

#include "lib/log.h"

#include <errno.h>
#include <string.h>

/* Largest counts one message can carry (a 65535-octet attribute). */
#define MAX_WORDS (65535 / 4)

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

static bool has(const struct bgp_path_attrs *a, unsigned code)
{
	return a->present & WIRE_ATTR_BIT(code);
}

/* Wire byte order to host words. */
static void words(const uint8_t *src, uint32_t len, uint32_t *dst)
{
	for (uint32_t i = 0; i < len / 4; i++)
		dst[i] = get32(src + 4 * i);
}

struct attr_set *attr_intern_wire(struct attr_store *s, const struct bgp_path_attrs *a,
				  const struct bgp_nexthop *nh)
{
	/* Static scratch: the speaker is single-threaded and these are too big
	 * for the stack. */
	static uint32_t comm[MAX_WORDS], large[MAX_WORDS], cluster[MAX_WORDS];
	struct attr_in in;

	if (a->as_path_len > 65535 || a->unknown_len > 65535 || a->communities_len / 4 > MAX_WORDS ||
	    a->large_communities_len / 4 > MAX_WORDS || a->cluster_list_len / 4 > MAX_WORDS)
		return NULL;
	memset(&in, 0, sizeof(in));
	in.origin = has(a, BGP_ATTR_ORIGIN) ? a->origin : BGP_ORIGIN_INCOMPLETE;
	if (has(a, BGP_ATTR_AS_PATH)) {
		in.as_path = a->as_path;
		in.as_path_bytes = (uint16_t)a->as_path_len;
	}
	if (has(a, BGP_ATTR_MED)) {
		in.flags |= ATTR_F_MED;
		in.med = a->med;
	}
	if (has(a, BGP_ATTR_LOCAL_PREF)) {
		in.flags |= ATTR_F_LOCAL_PREF;
		in.local_pref = a->local_pref;
	}
	if (has(a, BGP_ATTR_ATOMIC_AGGREGATE))
		in.flags |= ATTR_F_ATOMIC_AGGREGATE;
	if (has(a, BGP_ATTR_AGGREGATOR)) {
		in.flags |= ATTR_F_AGGREGATOR;
		in.aggregator_as = a->aggregator_as;
		in.aggregator_addr = a->aggregator_id;
	}
	if (has(a, BGP_ATTR_ORIGINATOR_ID)) {
		in.flags |= ATTR_F_ORIGINATOR_ID;
		in.originator_id = a->originator_id;
	}
	if (has(a, BGP_ATTR_COMMUNITIES)) {
		words(a->communities, a->communities_len, comm);
		in.communities = comm;
		in.n_communities = (uint16_t)(a->communities_len / 4);
	}
	if (has(a, BGP_ATTR_LARGE_COMMUNITIES)) {
		words(a->large_communities, a->large_communities_len, large);
		in.large = large;
		in.n_large = (uint16_t)(a->large_communities_len / 12);
	}
	if (has(a, BGP_ATTR_CLUSTER_LIST)) {
		words(a->cluster_list, a->cluster_list_len, cluster);
		in.flags |= ATTR_F_CLUSTER_LIST;
		in.cluster_list = cluster;
		in.n_cluster = (uint16_t)(a->cluster_list_len / 4);
	}
	in.unknown = a->unknown;
	in.unknown_len = (uint16_t)a->unknown_len;
	if (nh && nh->family == BGP_FAM_IPV4) {
		in.nh_len = 4;
		memcpy(in.next_hop, nh->addr, 4);
	} else if (nh && nh->family == BGP_FAM_IPV6) {
		in.nh_len = nh->has_ll ? 32 : 16;
		memcpy(in.next_hop, nh->addr, 16);
		if (nh->has_ll)
			memcpy(in.next_hop + 16, nh->ll, 16);
	}
	return attr_intern(s, &in);
}

size_t attr_wire_scratch(const struct attr_set *a)
{
	return ((size_t)a->n_communities + 3u * a->n_large + a->n_cluster) * 4;
}

int attr_to_wire(const struct attr_set *a, struct bgp_path_attrs *out, struct bgp_nexthop *nh,
		 uint8_t *scratch, size_t cap)
{
	const uint32_t *w = a->data; /* communities, large, cluster list in order */
	size_t n = (size_t)a->n_communities + 3u * a->n_large + a->n_cluster;

	if (cap < n * 4)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		put32(scratch + 4 * i, w[i]);
	memset(out, 0, sizeof(*out));
	out->present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH);
	out->origin = a->origin;
	out->as_path = attr_as_path(a);
	out->as_path_len = a->as_path_bytes;
	if (a->flags & ATTR_F_MED) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_MED);
		out->med = a->med;
	}
	if (a->flags & ATTR_F_LOCAL_PREF) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_LOCAL_PREF);
		out->local_pref = a->local_pref;
	}
	if (a->flags & ATTR_F_ATOMIC_AGGREGATE)
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_ATOMIC_AGGREGATE);
	if (a->flags & ATTR_F_AGGREGATOR) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_AGGREGATOR);
		out->aggregator_as = a->aggregator_as;
		out->aggregator_id = a->aggregator_addr;
	}
	if (a->flags & ATTR_F_ORIGINATOR_ID) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_ORIGINATOR_ID);
		out->originator_id = a->originator_id;
	}
	if (a->n_communities) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_COMMUNITIES);
		out->communities = scratch;
		out->communities_len = a->n_communities * 4u;
	}
	if (a->n_large) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_LARGE_COMMUNITIES);
		out->large_communities = scratch + a->n_communities * 4u;
		out->large_communities_len = a->n_large * 12u;
	}
	if (a->flags & ATTR_F_CLUSTER_LIST) {
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_CLUSTER_LIST);
		out->cluster_list = scratch + (a->n_communities + 3u * a->n_large) * 4u;
		out->cluster_list_len = a->n_cluster * 4u;
	}
	out->unknown = attr_unknown(a);
	out->unknown_len = a->unknown_len;
	memset(nh, 0, sizeof(*nh));
	if (a->nh_len == 4) {
		nh->family = BGP_FAM_IPV4;
		memcpy(nh->addr, a->next_hop, 4);
		memcpy(out->next_hop, a->next_hop, 4);
		out->present |= WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	} else if (a->nh_len >= 16) {
		nh->family = BGP_FAM_IPV6;
		memcpy(nh->addr, a->next_hop, 16);
		if (a->nh_len == 32) {
			nh->has_ll = true;
			memcpy(nh->ll, a->next_hop + 16, 16);
		}
	}
	return 0;
}

/* Applies the prefixes of one NLRI range straight from the message: one
 * import-policy check for the range, then each prefix as it is decoded (the
 * decoder checked every length, so no prefix needs checking again). */
static int apply_range(struct rib *r, uint16_t peer, const struct wire_nlri *n,
		       struct attr_set *a, struct err *e)
{
	struct attr_set *imp = NULL;
	struct wire_nlri_iter it;
	struct bgp_prefix p;
	int rc = 0;

	if (a) {
		rc = rib_import(r, peer, a, n->count, &imp, e);
		if (rc < 0)
			return rc;
	}
	wire_nlri_iter_init(&it, n);
	while (wire_nlri_next(&it, &p)) {
		rc = rib_prefix_set(r, &p, peer, imp);
		if (rc < 0) {
			rc = err_set(e, rc, "rib: out of memory");
			break;
		}
	}
	attr_unref(r->attrs, imp);
	return rc < 0 ? rc : 0;
}

int rib_apply_update(struct rib *r, uint16_t peer, const struct bgp_update *u, int status,
		     struct err *e)
{
	int rc;

	if (status < 0)
		return err_set(e, -EINVAL, "rib: UPDATE with decode status %d", status);
	if (peer == RIB_PEER_LOCAL || peer >= r->peers_cap || !r->peers[peer].up)
		return err_set(e, -ENOTCONN, "rib: peer %u is not established", peer);
	for (unsigned i = 0; i < u->n_withdrawn; i++) {
		rc = apply_range(r, peer, &u->withdrawn[i], NULL, e);
		if (rc < 0)
			return rc;
	}
	for (unsigned i = 0; i < u->n_reach; i++) {
		struct attr_set *a = NULL;

		if (status != WIRE_TREAT_AS_WITHDRAW && u->has_attrs) {
			a = attr_intern_wire(r->attrs, &u->attrs, &u->reach[i].nh);
			if (!a)
				log_warn("rib: peer %u: attribute set not storable, "
					 "treating %u prefixes as withdrawn",
					 peer, u->reach[i].nlri.count);
		}
		rc = apply_range(r, peer, &u->reach[i].nlri, a, e);
		attr_unref(r->attrs, a);
		if (rc < 0)
			return rc;
	}
	if (u->eor && u->eor_family < BGP_FAM_COUNT)
		rib_peer_sweep_stale(r, peer, (enum bgp_family)u->eor_family);
	return 0;
}
