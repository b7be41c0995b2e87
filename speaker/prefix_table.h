/* A compact table of the prefixes of one address family, private to the RIB.
 *
 * Prefixes get dense 32-bit indexes (1..); per index the table stores the key
 * (4 or 16 address bytes followed by the length byte) and one 32-bit value
 * (the RIB's first-path index). Lookup is an open-addressing hash of indexes
 * with linear probing inside "lanes" (see hash_key()). Each slot holds the
 * index and the key's 32-bit hash, so a probe past a foreign slot costs no
 * visit to its key, and growing the table never reads a key: the slots are
 * split in order into a table twice the size (every entry goes to its home
 * or home + old size), a sequential pass instead of one cache miss per
 * prefix. The hash keeps runs of consecutive prefixes in neighbouring slots.
 *
 * Why a hash and not a radix trie: the RIB only needs exact-match lookups
 * (longest-prefix match is the kernel's job), and at 1M IPv4 prefixes this
 * layout costs 4 (key) + 1 (length) + 4 (value) + ~17 (8-byte slots at
 * 0.375-0.75 load) = ~26 bytes per prefix, where a path-compressed trie needs
 * a leaf plus an internal node per prefix with two child pointers each
 * (>= 40 bytes). Dense indexes also let per-peer state be plain bitmaps (see
 * rib_out.c). */
#ifndef CALICO_PREFIX_TABLE_H
#define CALICO_PREFIX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "speaker/bgp.h"

struct ptab {
	uint8_t family;	  /* enum bgp_family */
	uint8_t key_len;  /* 4 or 16 */
	uint8_t *keys;	  /* key_len address bytes + 1 length byte per index */
	uint32_t *values; /* per index; 0 = slot unused */
	uint32_t cap;	  /* entries allocated in values (index 0 unused) */
	uint32_t keys_cap; /* entries allocated in keys (>= cap) */
	uint32_t top;	  /* highest index handed out + 1 */
	uint32_t count;	  /* live prefixes */
	uint64_t *slots;  /* hash << 32 | index, or 0 (empty) */
	uint32_t n_slots; /* power of two */
	uint32_t *free;	  /* indexes to reuse */
	uint32_t n_free, free_cap;
	uint64_t seed;	  /* random per table: a peer cannot aim prefixes at one group */
};

void ptab_init(struct ptab *t, enum bgp_family fam);
void ptab_free(struct ptab *t);

/* Index of p (family must match, host bits ignored), or 0. */
uint32_t ptab_find(const struct ptab *t, const struct bgp_prefix *p);
/* Index of p, created (value 0) when absent; 0 when memory runs out. */
uint32_t ptab_get(struct ptab *t, const struct bgp_prefix *p, bool *created);
/* Forgets index i; its index may be handed out again. */
void ptab_del(struct ptab *t, uint32_t i);
/* Writes index i's prefix into *p (path_id 0). */
void ptab_prefix(const struct ptab *t, uint32_t i, struct bgp_prefix *p);
/* Length byte of an index that holds no prefix. */
#define PTAB_FREE_LEN 0xff

/* True when index i is in the table (with or without a value). */
static inline bool ptab_in_use(const struct ptab *t, uint32_t i)
{
	return i > 0 && i < t->top && t->keys[(size_t)i * (t->key_len + 1u) + t->key_len] != PTAB_FREE_LEN;
}
/* True when index i holds a prefix with a non-zero value. */
static inline bool ptab_live(const struct ptab *t, uint32_t i)
{
	return i > 0 && i < t->top && t->values[i] != 0;
}
/* Whether q (same family) lies inside p (p's length <= q's, same leading bits). */
bool ptab_covers(const struct bgp_prefix *p, const struct bgp_prefix *q);
size_t ptab_bytes(const struct ptab *t);

#endif
