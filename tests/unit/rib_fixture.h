/* Helpers shared by the RIB and policy unit tests: build prefixes and
 * attribute sets from short literals. */
#ifndef CALICO_RIB_FIXTURE_H
#define CALICO_RIB_FIXTURE_H

#include "speaker/attr.h"
#include "speaker/bgp.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* "10.0.0.0/24" or "fd00::/64" (path id 0). */
static inline struct bgp_prefix pfx(const char *text)
{
	struct bgp_prefix p;
	char buf[64];
	char *slash;

	memset(&p, 0, sizeof(p));
	strncpy(buf, text, sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	slash = strchr(buf, '/');
	*slash = 0;
	p.len = (uint8_t)atoi(slash + 1);
	if (strchr(buf, ':')) {
		p.family = BGP_FAM_IPV6;
		inet_pton(AF_INET6, buf, p.addr);
	} else {
		p.family = BGP_FAM_IPV4;
		inet_pton(AF_INET, buf, p.addr);
	}
	return p;
}

/* Dotted quad as a host-order id. */
static inline uint32_t ip4(const char *text)
{
	struct in_addr a;

	inet_pton(AF_INET, text, &a);
	return ntohl(a.s_addr);
}

/* A description of an attribute set for tests; zero fields are absent. */
struct tattr {
	uint8_t origin;
	const char *nh; /* IPv4 or IPv6 text */
	uint32_t path[8];    /* AS_SEQUENCE, 0-terminated */
	bool has_med, has_lp;
	uint32_t med, lp;
	uint32_t originator;	/* 0 = absent */
	uint32_t cluster[4];	/* 0-terminated; has_cluster even when empty */
	bool has_cluster;
	uint32_t comm[4];	/* 0-terminated */
};

static inline struct attr_set *mkattr(struct attr_store *s, const struct tattr *t)
{
	struct attr_in in;
	uint8_t path[64];
	unsigned n = 0, nc = 0, ncomm = 0;

	memset(&in, 0, sizeof(in));
	in.origin = t->origin;
	while (n < 8 && t->path[n])
		n++;
	if (n) {
		path[0] = 2; /* AS_SEQUENCE */
		path[1] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			path[2 + 4 * i] = (uint8_t)(t->path[i] >> 24);
			path[3 + 4 * i] = (uint8_t)(t->path[i] >> 16);
			path[4 + 4 * i] = (uint8_t)(t->path[i] >> 8);
			path[5 + 4 * i] = (uint8_t)t->path[i];
		}
		in.as_path = path;
		in.as_path_bytes = (uint16_t)(2 + 4 * n);
	}
	if (t->nh && strchr(t->nh, ':')) {
		in.nh_len = 16;
		inet_pton(AF_INET6, t->nh, in.next_hop);
	} else if (t->nh) {
		in.nh_len = 4;
		inet_pton(AF_INET, t->nh, in.next_hop);
	}
	if (t->has_med) {
		in.flags |= ATTR_F_MED;
		in.med = t->med;
	}
	if (t->has_lp) {
		in.flags |= ATTR_F_LOCAL_PREF;
		in.local_pref = t->lp;
	}
	if (t->originator) {
		in.flags |= ATTR_F_ORIGINATOR_ID;
		in.originator_id = t->originator;
	}
	while (nc < 4 && t->cluster[nc])
		nc++;
	if (nc || t->has_cluster) {
		in.flags |= ATTR_F_CLUSTER_LIST;
		in.cluster_list = t->cluster;
		in.n_cluster = (uint16_t)nc;
	}
	while (ncomm < 4 && t->comm[ncomm])
		ncomm++;
	in.communities = t->comm;
	in.n_communities = (uint16_t)ncomm;
	return attr_intern(s, &in);
}

#endif
