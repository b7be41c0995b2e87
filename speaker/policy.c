/* Import checks and export rewriting; the rules are listed in policy.h. */
#include "speaker/policy.h"

#include <string.h>

/* Room for an AS_PATH after prepending: interned paths come from one
 * attribute (at most 64 KiB) and we prepend one AS. */
#define POLICY_PATH_MAX (65535 + 6)
/* CLUSTER_LIST entries after prepending ours. */
#define POLICY_CLUSTER_MAX 65535

static const char *const verdict_names[] = {
	[POLICY_ACCEPT] = "accepted",
	[POLICY_REJECT_AS_LOOP] = "AS_PATH loop",
	[POLICY_REJECT_ORIGINATOR] = "ORIGINATOR_ID is our router id",
	[POLICY_REJECT_CLUSTER_LOOP] = "our cluster id in CLUSTER_LIST",
	[POLICY_REJECT_NOMEM] = "out of memory",
};
_Static_assert(sizeof(verdict_names) / sizeof(verdict_names[0]) == POLICY_REJECT_NOMEM + 1,
	       "verdict name table");

const char *policy_verdict_name(enum policy_verdict v)
{
	return (unsigned)v <= POLICY_REJECT_NOMEM ? verdict_names[v] : "unknown";
}

static bool has_community(const struct attr_set *a, uint32_t c)
{
	const uint32_t *cs = attr_communities(a);

	for (unsigned i = 0; i < a->n_communities; i++)
		if (cs[i] == c)
			return true;
	return false;
}

enum policy_verdict policy_import(const struct policy_self *self, const struct policy_peer *from,
				  struct attr_store *s, struct attr_set *in, struct attr_set **out)
{
	unsigned own;
	struct attr_in v;

	*out = NULL;
	if (from->id != RIB_PEER_LOCAL) {
		/* Our AS as this session presents it, and the node's AS when a
		 * per-peer local AS differs from it. */
		own = attr_path_count_as(in, from->local_as);
		if (self->local_as != from->local_as)
			own += attr_path_count_as(in, self->local_as);
		if (own > from->allow_local_as)
			return POLICY_REJECT_AS_LOOP;
		if ((in->flags & ATTR_F_ORIGINATOR_ID) && in->originator_id == self->router_id)
			return POLICY_REJECT_ORIGINATOR;
		const uint32_t *cl = attr_cluster_list(in);
		for (unsigned i = 0; i < in->n_cluster; i++)
			if (cl[i] == self->cluster_id)
				return POLICY_REJECT_CLUSTER_LOOP;
	}
	if (from->id != RIB_PEER_LOCAL && !from->ibgp && (in->flags & ATTR_F_LOCAL_PREF)) {
		/* RFC 4271 §5.1.5: an external peer's LOCAL_PREF is ignored. */
		attr_view(in, &v);
		v.flags &= (uint8_t)~ATTR_F_LOCAL_PREF;
		v.local_pref = 0;
		*out = attr_intern(s, &v);
		return *out ? POLICY_ACCEPT : POLICY_REJECT_NOMEM;
	}
	*out = attr_ref(in);
	return POLICY_ACCEPT;
}

bool policy_may_export(const struct policy_peer *from, const struct policy_peer *to)
{
	if (to->id == from->id || to->id == RIB_PEER_LOCAL)
		return false;
	if (from->id == RIB_PEER_LOCAL || !from->ibgp || !to->ibgp)
		return true;
	/* iBGP to iBGP: only by reflection (RFC 4456 §6). */
	return from->rr_client || to->rr_client;
}

/* Sets v's next hop to our address for the family; false when we have none. */
static bool next_hop_self(const struct policy_peer *to, enum bgp_family fam, struct attr_in *v)
{
	memset(v->next_hop, 0, sizeof(v->next_hop));
	if (fam == BGP_FAM_IPV4) {
		if (!to->has_local4)
			return false;
		memcpy(v->next_hop, to->local4, 4);
		v->nh_len = 4;
		return true;
	}
	if (!to->has_local6)
		return false;
	memcpy(v->next_hop, to->local6, 16);
	v->nh_len = 16;
	if (to->has_local6_ll) {
		memcpy(v->next_hop + 16, to->local6_ll, 16);
		v->nh_len = 32;
	}
	return true;
}

/* Whether the route's own next hop is usable for a prefix of family fam. */
static bool next_hop_fits(const struct attr_set *a, enum bgp_family fam)
{
	return fam == BGP_FAM_IPV4 ? a->nh_len == 4 : a->nh_len >= 16;
}

static bool keep_next_hop(const struct policy_peer *from, const struct policy_peer *to,
			  const struct attr_set *in, enum bgp_family fam)
{
	if (from->id == RIB_PEER_LOCAL || !next_hop_fits(in, fam))
		return false; /* our own routes have no next hop but us */
	switch (to->nh_mode) {
	case RIB_NH_SELF:
		return false;
	case RIB_NH_KEEP:
		return true;
	case RIB_NH_AUTO:
		break;
	}
	return to->ibgp || to->keep_original_nh;
}

struct attr_set *policy_export(const struct policy_self *self, const struct policy_peer *from,
			       const struct policy_peer *to, enum bgp_family fam,
			       struct attr_store *s, struct attr_set *in, bool *nomem)
{
	/* Scratch for the rewritten path and cluster list: static because the
	 * speaker is single-threaded and they are too big for the stack. */
	static uint8_t path[POLICY_PATH_MAX];
	static uint32_t clusters[POLICY_CLUSTER_MAX];
	struct attr_in v;
	struct attr_set *out;

	*nomem = false;
	if (!policy_may_export(from, to))
		return NULL;
	if (has_community(in, POLICY_COMM_NO_ADVERTISE))
		return NULL;
	if (!to->ibgp && (has_community(in, POLICY_COMM_NO_EXPORT) ||
			  has_community(in, POLICY_COMM_NO_EXPORT_SUBCONFED)))
		return NULL;

	attr_view(in, &v);
	if (!keep_next_hop(from, to, in, fam) && !next_hop_self(to, fam, &v))
		return NULL;

	if (!to->ibgp) {
		int n = attr_path_prepend(v.as_path, v.as_path_bytes, to->local_as, 1, path,
					  sizeof(path));

		if (n < 0 || n > 65535)
			return NULL; /* a path that cannot grow cannot be sent */
		v.as_path = path;
		v.as_path_bytes = (uint16_t)n;
		v.flags &= (uint8_t)~(ATTR_F_LOCAL_PREF | ATTR_F_MED | ATTR_F_ORIGINATOR_ID |
				      ATTR_F_CLUSTER_LIST);
		v.local_pref = v.med = v.originator_id = 0;
		v.n_cluster = 0;
		v.cluster_list = NULL;
	} else {
		if (!(v.flags & ATTR_F_LOCAL_PREF)) {
			v.flags |= ATTR_F_LOCAL_PREF;
			v.local_pref = RIB_DEFAULT_LOCAL_PREF;
		}
		if (from->id != RIB_PEER_LOCAL && from->ibgp) {
			/* Reflection (RFC 4456 §8). */
			if (!(v.flags & ATTR_F_ORIGINATOR_ID)) {
				v.flags |= ATTR_F_ORIGINATOR_ID;
				v.originator_id = from->router_id;
			}
			if (v.n_cluster >= POLICY_CLUSTER_MAX)
				return NULL;
			clusters[0] = self->cluster_id;
			if (v.n_cluster)
				memcpy(clusters + 1, v.cluster_list, v.n_cluster * sizeof(uint32_t));
			v.cluster_list = clusters;
			v.n_cluster++;
			v.flags |= ATTR_F_CLUSTER_LIST;
		}
	}
	out = attr_intern(s, &v);
	if (!out)
		*nomem = true;
	return out;
}
