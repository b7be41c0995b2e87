/* Interned BGP path-attribute sets.
 *
 * A million routes usually share a few thousand distinct attribute sets, so
 * the RIB never stores attributes per route: every set is interned once in an
 * attr_store (hash table, reference counted) and routes hold a reference (or
 * its 32-bit id). Interned sets are immutable; to change one (export policy,
 * origination) fill a struct attr_in from it, modify, and intern the result.
 *
 * Values are host-order integers: router ids, ORIGINATOR_ID, CLUSTER_LIST
 * entries and the AGGREGATOR address are the 32-bit number whose big-endian
 * bytes are the wire value, so numeric comparison is the RFC's comparison.
 * The AS_PATH is kept as a sequence of 4-octet segments (the form wire.h
 * produces after merging AS4_PATH): per segment one type byte, one count byte
 * and count big-endian 4-byte AS numbers. */
#ifndef CALICO_ATTR_H
#define CALICO_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "speaker/bgp.h"

/* AS_PATH segment types (RFC 4271 §4.3, RFC 5065 confederations). */
enum attr_seg_type {
	ATTR_SEG_SET = 1,
	ATTR_SEG_SEQUENCE = 2,
	ATTR_SEG_CONFED_SEQUENCE = 3,
	ATTR_SEG_CONFED_SET = 4,
};

/* Which optional fields are present (attr_set.flags / attr_in.flags). */
enum attr_flag {
	ATTR_F_MED = 1 << 0,
	ATTR_F_LOCAL_PREF = 1 << 1,
	ATTR_F_ATOMIC_AGGREGATE = 1 << 2,
	ATTR_F_AGGREGATOR = 1 << 3,
	ATTR_F_ORIGINATOR_ID = 1 << 4,
	ATTR_F_CLUSTER_LIST = 1 << 5, /* present, possibly empty */
};

/* Largest next hop: an IPv6 global address followed by a link-local one
 * (RFC 2545). */
#define ATTR_NH_MAX 32

/* The caller-side, non-interned form: pointers to arrays the caller owns.
 * Used as input to attr_intern() and as a mutable view of an interned set
 * (attr_view()). Unused optional fields must be zero. */
struct attr_in {
	uint8_t origin; /* enum bgp_origin */
	uint8_t flags;	/* enum attr_flag */
	uint8_t nh_len; /* 0 (none), 4 (IPv4), 16 (IPv6) or 32 (IPv6 + link-local) */
	uint8_t next_hop[ATTR_NH_MAX];
	uint32_t med;
	uint32_t local_pref;
	uint32_t originator_id;
	uint32_t aggregator_as;
	uint32_t aggregator_addr;
	const uint8_t *as_path; /* 4-octet segments, see above */
	uint16_t as_path_bytes;
	const uint32_t *communities; /* RFC 1997 values */
	uint16_t n_communities;
	const uint32_t *large; /* RFC 8092: 3 words per community */
	uint16_t n_large;      /* number of communities (words / 3) */
	const uint32_t *cluster_list;
	uint16_t n_cluster;
	/* Optional transitive attributes we do not understand, carried through
	 * as raw wire TLVs (flags, type, length, value); the encoder sets the
	 * Partial bit when passing them on (RFC 4271 §5). */
	const uint8_t *unknown;
	uint16_t unknown_len;
};

/* An interned, immutable attribute set. Fields mirror struct attr_in; the
 * variable-length parts live in the same allocation. */
struct attr_set {
	struct attr_set *hnext; /* private: intern hash chain */
	uint64_t serial; /* unique for the store's lifetime (ids are reused) */
	uint32_t hash;
	uint32_t refcnt;
	uint32_t id; /* small integer, stable while the set lives */
	/* Compared and hashed from here on. */
	uint8_t origin;
	uint8_t flags;
	uint8_t nh_len;
	uint8_t pad_;
	uint16_t as_path_bytes;
	uint16_t n_communities;
	uint16_t n_large;
	uint16_t n_cluster;
	uint16_t unknown_len;
	uint16_t path_len; /* RFC 4271 §9.1.2.2 length: SET counts 1, confed 0 */
	uint32_t med;
	uint32_t local_pref;
	uint32_t originator_id;
	uint32_t aggregator_as;
	uint32_t aggregator_addr;
	uint8_t next_hop[ATTR_NH_MAX];
	/* Variable part: communities, large, cluster list (uint32 aligned),
	 * then AS_PATH bytes, then unknown TLVs. */
	uint32_t data[];
};

/* Accessors for the variable part. */
const uint32_t *attr_communities(const struct attr_set *a);
const uint32_t *attr_large(const struct attr_set *a);
const uint32_t *attr_cluster_list(const struct attr_set *a);
const uint8_t *attr_as_path(const struct attr_set *a);
const uint8_t *attr_unknown(const struct attr_set *a);

struct attr_store;

struct attr_store *attr_store_new(void);
/* Frees the store. Sets still referenced are freed too (callers must not use
 * them afterwards); attr_store_count() tells tests whether any leaked. */
void attr_store_free(struct attr_store *s);

/* Returns the interned set equal to *in with one reference taken for the
 * caller (a new set is created when none exists), or NULL when memory runs
 * out or *in is malformed (AS_PATH segments overrunning their bytes). */
struct attr_set *attr_intern(struct attr_store *s, const struct attr_in *in);

/* Reference counting. attr_unref() frees the set at zero; NULL is ignored. */
struct attr_set *attr_ref(struct attr_set *a);
void attr_unref(struct attr_store *s, struct attr_set *a);

/* The set with this id, or NULL. Ids are dense (reused after free), so
 * holders that care about size store the id instead of the pointer. */
struct attr_set *attr_by_id(const struct attr_store *s, uint32_t id);

/* Number of live sets and the bytes they use (sets plus hash table). */
size_t attr_store_count(const struct attr_store *s);
size_t attr_store_bytes(const struct attr_store *s);

/* Fills *in as a view of a (pointers into a; valid while a is referenced). */
void attr_view(const struct attr_set *a, struct attr_in *in);

/* AS_PATH helpers over the 4-octet segment encoding. */

/* RFC 4271 §9.1.2.2 path length of a segment sequence; -1 if malformed. */
int attr_path_length(const uint8_t *path, size_t bytes);
/* Number of times asn occurs anywhere in the path (all segment types). */
unsigned attr_path_count_as(const struct attr_set *a, uint32_t asn);
/* The first AS of the path (the neighbour AS for MED comparison, RFC 4271
 * §9.1.2.2 c), or 0 when the path is empty or starts with a set. Confed
 * segments are skipped. */
uint32_t attr_path_first_as(const struct attr_set *a);
/* Writes into buf (capacity cap) the path with asn prepended `times` times
 * (merged into a leading AS_SEQUENCE when there is room, else a new segment)
 * and returns the new byte length, or -1 when cap is too small. */
int attr_path_prepend(const uint8_t *path, size_t bytes, uint32_t asn, unsigned times, uint8_t *buf,
		      size_t cap);

/* --- The wire codec's forms (speaker/wire.h) --- */
struct bgp_path_attrs;
struct bgp_nexthop;

/* Interns a decoded attribute set with the next hop of its NLRI (nh may be
 * NULL: no next hop). A missing ORIGIN counts as INCOMPLETE. Returns a new
 * reference, or NULL when memory runs out or a part exceeds what one
 * attribute can hold (an AS_PATH over 65535 octets after widening). */
struct attr_set *attr_intern_wire(struct attr_store *s, const struct bgp_path_attrs *a,
				  const struct bgp_nexthop *nh);
/* Octets of scratch attr_to_wire() needs for a. */
size_t attr_wire_scratch(const struct attr_set *a);
/* Fills the encoder's view of a: *out points into a and into scratch (cap
 * octets, at least attr_wire_scratch(a)); *nh gets the next hop. Valid while
 * a is referenced and scratch unchanged. Returns 0 or -ENOSPC. */
int attr_to_wire(const struct attr_set *a, struct bgp_path_attrs *out, struct bgp_nexthop *nh,
		 uint8_t *scratch, size_t cap);

/* Text forms for the control socket and logs. Each writes a NUL-terminated
 * string into buf (truncated to cap) and returns buf. */
char *attr_format_as_path(const struct attr_set *a, char *buf, size_t cap);     /* "65001 {1 2}" */
char *attr_format_communities(const struct attr_set *a, char *buf, size_t cap); /* "(65000,100)" */
char *attr_format_large(const struct attr_set *a, char *buf, size_t cap); /* "(65000,1,2)" */
/* Next hop as an address string ("" when absent; v6 global part only). */
char *attr_format_next_hop(const struct attr_set *a, char *buf, size_t cap);

#endif
