/* Open-addressing prefix table; see prefix_table.h for the layout. */
#include "speaker/prefix_table.h"
#include "speaker/bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void ptab_init(struct ptab *t, enum bgp_family fam)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)fam;
	t->key_len = fam == BGP_FAM_IPV4 ? 4 : 16;
	t->top = 1; /* index 0 means "none" */
	/* Without a secret seed, a peer that knows the hash could send
	 * prefixes that all land in one group and lengthen every probe there. */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
}

void ptab_free(struct ptab *t)
{
	bigmem_free(t->keys, (size_t)t->keys_cap * (t->key_len + 1u));
	bigmem_free(t->values, (size_t)t->cap * sizeof(*t->values));
	bigmem_free(t->slots, (size_t)t->n_slots * sizeof(*t->slots));
	free(t->free);
	memset(t, 0, sizeof(*t));
}

/* The stored key of index i: address bytes, then the length byte. */
static uint8_t *key_at(const struct ptab *t, uint32_t i)
{
	return t->keys + (size_t)i * (t->key_len + 1u);
}

/* Copies p's address with host bits cleared, then its length. */
static void make_key(const struct ptab *t, const struct bgp_prefix *p, uint8_t *key)
{
	unsigned bits = p->len > t->key_len * 8 ? t->key_len * 8u : p->len;

	if (t->key_len == 4) {
		/* One 32-bit mask instead of byte loops: every IPv4 insert comes here. */
		uint32_t a = (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
			     (uint32_t)p->addr[2] << 8 | p->addr[3];

		a &= bits ? ~0u << (32 - bits) : 0;
		key[0] = (uint8_t)(a >> 24);
		key[1] = (uint8_t)(a >> 16);
		key[2] = (uint8_t)(a >> 8);
		key[3] = (uint8_t)a;
		key[4] = (uint8_t)bits;
		return;
	}
	memset(key, 0, t->key_len);
	memcpy(key, p->addr, (bits + 7) / 8);
	if (bits % 8)
		key[bits / 8] &= (uint8_t)(0xff00 >> (bits % 8));
	key[t->key_len] = (uint8_t)bits;
}

/* Network number of a key: the prefix bits as an integer (IPv6: the first
 * 64 bits), so that p and the next prefix of the same length differ by 1. */
static uint64_t network(const struct ptab *t, const uint8_t *key)
{
	unsigned len = key[t->key_len], bits = t->key_len == 4 ? 32 : 64;
	uint64_t n = 0;

	if (t->key_len == 4) {
		n = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
		return len == 0 ? 0 : n >> (32 - len); /* len <= 32: make_key clamps */
	}
	for (unsigned i = 0; i < bits / 8; i++)
		n = n << 8 | key[i];
	if (len == 0)
		return 0;
	return len >= bits ? n : n >> (bits - len);
}

/* Slots come in groups of PTAB_GROUP; slot g * PTAB_GROUP + k is in lane k.
 * Probing steps by PTAB_GROUP, so it never leaves the key's lane: each lane
 * is an ordinary linear-probing table. */
#define PTAB_GROUP_BITS 6
#define PTAB_GROUP (1u << PTAB_GROUP_BITS)
/* Smallest slot array: 16 slots per lane. */
#define PTAB_MIN_SLOTS (PTAB_GROUP * 16)

/* Locality-preserving hash: a mix of the length and everything but the low
 * PTAB_GROUP_BITS bits of the network number picks a group of slots; the
 * low bits, rotated by more bits of the mix, pick the lane. A feed in
 * address order (what peers send when they dump a table) then fills whole
 * groups, PTAB_GROUP consecutive prefixes in one 512-byte run of slots, and
 * so touches memory in sequence instead of once per prefix at random.
 * Probing inside the lane keeps filled groups from clumping into long runs
 * (1M consecutive /24s: 3.4 probes per insert; stepping by 1 slot, 10.4),
 * and the rotation spreads keys over the lanes even when their low bits are
 * all alike (every 4th /24, or /128s of one /64), so no lane fills up while
 * the others stay empty. With bench/rib-bench, 1M ordered inserts took ~400
 * ns/prefix with a plain hash and ~180 with groups of 4 and step 1. */
static uint32_t hash_key(const struct ptab *t, const uint8_t *key)
{
	uint64_t n = network(t, key), h;

	h = ((n >> PTAB_GROUP_BITS) ^ (uint64_t)key[t->key_len] << 56 ^ t->seed) *
	    0x9e3779b97f4a7c15ULL;
	if (t->key_len == 16) {
		/* The last 64 bits, big-endian so that neighbouring /128s differ
		 * in the low bits, which the multiply spreads upwards. */
		uint64_t lo = 0;

		for (unsigned i = 8; i < 16; i++)
			lo = lo << 8 | key[i];
		h = (h ^ lo) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return (uint32_t)(h << PTAB_GROUP_BITS) | (uint32_t)((n + (h >> 40)) & (PTAB_GROUP - 1));
}

static uint64_t slot_make(uint32_t h, uint32_t i)
{
	return (uint64_t)h << 32 | i;
}

static uint32_t slot_index(uint64_t v)
{
	return (uint32_t)v;
}

static uint32_t slot_hash(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

static bool key_eq(const struct ptab *t, uint32_t i, const uint8_t *key)
{
	if (t->key_len == 4) /* a constant size the compiler inlines */
		return memcmp(key_at(t, i), key, 5) == 0;
	return memcmp(key_at(t, i), key, 17) == 0;
}

/* No empty slot in the lane (see probe()). */
#define NO_HOLE UINT32_MAX

/* Index of key (hash h), or 0; *hole gets the empty slot that ends the probe
 * (where the key would be inserted), or NO_HOLE when the lane is full. */
static uint32_t probe(const struct ptab *t, const uint8_t *key, uint32_t h, uint32_t *hole)
{
	uint32_t mask = t->n_slots - 1, s = h & mask;
	uint64_t v;

	for (uint32_t left = t->n_slots / PTAB_GROUP; left; left--, s = (s + PTAB_GROUP) & mask) {
		v = t->slots[s];
		if (!v) {
			*hole = s;
			return 0;
		}
		if (slot_hash(v) == h && key_eq(t, slot_index(v), key))
			return slot_index(v);
	}
	*hole = NO_HOLE;
	return 0;
}

uint32_t ptab_find(const struct ptab *t, const struct bgp_prefix *p)
{
	uint8_t key[17];
	uint32_t hole;

	if (p->family != t->family || !t->n_slots)
		return 0;
	make_key(t, p, key);
	return probe(t, key, hash_key(t, key), &hole);
}

/* Doubles the slots. The old slots are walked in order and every entry goes
 * to its home in the new table (old home or old home + old size), so both
 * tables are touched sequentially and no key is read. Lanes keep their
 * entries and double in size, so every lane has room afterwards. */
static int grow_slots(struct ptab *t)
{
	uint32_t n = t->n_slots ? t->n_slots * 2 : PTAB_MIN_SLOTS, mask = n - 1;
	uint64_t *slots = bigmem_grow(NULL, 0, (size_t)n * sizeof(*slots)); /* zeroed */

	if (!slots)
		return -1;
	bigmem_populate(slots, (size_t)n * sizeof(*slots));
	for (uint32_t s = 0; s < t->n_slots; s++) {
		uint64_t v = t->slots[s];
		uint32_t d;

		if (!v)
			continue;
		for (d = slot_hash(v) & mask; slots[d]; d = (d + PTAB_GROUP) & mask)
			;
		slots[d] = v;
	}
	bigmem_free(t->slots, (size_t)t->n_slots * sizeof(*t->slots));
	t->slots = slots;
	t->n_slots = n;
	return 0;
}

static int grow_entries(struct ptab *t)
{
	uint32_t cap = t->cap ? t->cap + t->cap / 2 : 1024;
	size_t kl = t->key_len + 1u;

	/* keys_cap tracks the keys' own size, so that a failure between the two
	 * arrays leaves each freeable with its true size. */
	if (t->keys_cap < cap) {
		uint8_t *keys = bigmem_grow(t->keys, (size_t)t->keys_cap * kl, (size_t)cap * kl);

		if (!keys)
			return -1;
		t->keys = keys;
		t->keys_cap = cap;
	}
	uint32_t *values = bigmem_grow(t->values, (size_t)t->cap * sizeof(*values),
				       (size_t)cap * sizeof(*values)); /* tail zeroed */
	if (!values)
		return -1;
	t->values = values;
	t->cap = cap;
	return 0;
}

uint32_t ptab_get(struct ptab *t, const struct bgp_prefix *p, bool *created)
{
	uint8_t key[17];
	uint32_t i, h, hole;

	*created = false;
	if (p->family != t->family)
		return 0;
	/* Keep the load at or below 3/4 so probe chains stay short. Growing
	 * first (even when p turns out to be present) lets the probe below
	 * also find the slot for an insert. */
	if ((uint64_t)(t->count + 1) * 4 > (uint64_t)t->n_slots * 3 && grow_slots(t) < 0)
		return 0;
	make_key(t, p, key);
	h = hash_key(t, key);
	for (;;) {
		i = probe(t, key, h, &hole);
		if (i)
			return i;
		if (hole != NO_HOLE)
			break;
		/* The key's lane is full while others have room: rare (lanes fill
		 * evenly), and doubling the table doubles every lane. */
		if (grow_slots(t) < 0)
			return 0;
	}
	if (t->n_free) {
		i = t->free[--t->n_free];
	} else {
		if (t->top >= t->cap && grow_entries(t) < 0)
			return 0;
		i = t->top++;
	}
	if (t->key_len == 4)
		memcpy(key_at(t, i), key, 5);
	else
		memcpy(key_at(t, i), key, 17);
	t->values[i] = 0;
	t->slots[hole] = slot_make(h, i);
	t->count++;
	*created = true;
	return i;
}

void ptab_del(struct ptab *t, uint32_t i)
{
	uint32_t mask = t->n_slots - 1, s, j, h;

	if (!ptab_in_use(t, i) || !t->n_slots)
		return;
	h = hash_key(t, key_at(t, i));
	for (s = h & mask, j = t->n_slots / PTAB_GROUP; slot_index(t->slots[s]) != i;
	     s = (s + PTAB_GROUP) & mask)
		if (!t->slots[s] || !--j)
			return; /* not in the table: nothing to do */
	/* Backward-shift deletion (within the lane) keeps linear probing
	 * correct without tombstones. */
	t->slots[s] = 0;
	for (j = (s + PTAB_GROUP) & mask; t->slots[j]; j = (j + PTAB_GROUP) & mask) {
		uint64_t v = t->slots[j];
		uint32_t home = slot_hash(v) & mask;

		/* Move it into the hole when its home is not in (s, j]. */
		if ((j > s && (home <= s || home > j)) || (j < s && (home <= s && home > j))) {
			t->slots[s] = v;
			t->slots[j] = 0;
			s = j;
		}
	}
	t->values[i] = 0;
	key_at(t, i)[t->key_len] = PTAB_FREE_LEN;
	t->count--;
	if (t->n_free == t->free_cap) {
		uint32_t cap = t->free_cap ? t->free_cap * 2 : 256;
		uint32_t *f = realloc(t->free, (size_t)cap * sizeof(*f));

		if (!f)
			return; /* the index is simply not reused */
		t->free = f;
		t->free_cap = cap;
	}
	t->free[t->n_free++] = i;
}

void ptab_prefix(const struct ptab *t, uint32_t i, struct bgp_prefix *p)
{
	const uint8_t *k = key_at(t, i);

	memset(p, 0, sizeof(*p));
	p->family = t->family;
	if (t->key_len == 4) {
		memcpy(p->addr, k, 4);
		p->len = k[4];
	} else {
		memcpy(p->addr, k, 16);
		p->len = k[16];
	}
}

bool ptab_covers(const struct bgp_prefix *p, const struct bgp_prefix *q)
{
	unsigned bits = p->len;

	if (p->family != q->family || p->len > q->len)
		return false;
	if (memcmp(p->addr, q->addr, bits / 8) != 0)
		return false;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff00 >> (bits % 8));

		return (p->addr[bits / 8] & m) == (q->addr[bits / 8] & m);
	}
	return true;
}

size_t ptab_bytes(const struct ptab *t)
{
	return (size_t)t->keys_cap * (t->key_len + 1u) + (size_t)t->cap * sizeof(uint32_t) +
	       (size_t)t->n_slots * sizeof(*t->slots) + (size_t)t->free_cap * sizeof(uint32_t);
}
