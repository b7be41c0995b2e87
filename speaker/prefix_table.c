/* Open-addressing prefix table; see prefix_table.h for the layout. */
#include "speaker/prefix_table.h"

#include <stdlib.h>
#include <string.h>

void ptab_init(struct ptab *t, enum bgp_family fam)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)fam;
	t->key_len = fam == BGP_FAM_IPV4 ? 4 : 16;
	t->top = 1; /* index 0 means "none" */
}

void ptab_free(struct ptab *t)
{
	free(t->keys);
	free(t->values);
	free(t->slots);
	free(t->tags);
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

	for (unsigned i = 0; i < bits / 8; i++)
		n = n << 8 | key[i];
	if (len == 0)
		return 0;
	return len >= bits ? n : n >> (bits - len);
}

/* Locality-preserving hash: a mix of everything but the low 2 bits of the
 * network number picks a group of 4 slots, the low 2 bits pick the slot in
 * it. A feed in address order (what peers send when they dump a table) then
 * misses the cache once per 4 prefixes instead of once per prefix: with
 * bench/rib-bench, 1M ordered inserts went from ~400 to ~180 ns/prefix.
 * Groups of 16 (a whole cache line) were no faster but made probe runs at
 * 1M consecutive /24s 4x longer (weighted mean 74 slots against 18). */
static uint32_t hash_key(const struct ptab *t, const uint8_t *key)
{
	uint64_t n = network(t, key), h;

	h = ((n >> 2) ^ (uint64_t)key[t->key_len] << 56) * 0x9e3779b97f4a7c15ULL;
	if (t->key_len == 16) {
		uint64_t lo;

		memcpy(&lo, key + 8, 8);
		h = (h ^ lo) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return (uint32_t)((h << 2) | (n & 3));
}

/* Slot bits come from the low end of the hash, the tag from the top. */
static uint8_t tag_of(uint32_t h)
{
	return (uint8_t)(h >> 24);
}

static uint32_t find_key(const struct ptab *t, const uint8_t *key)
{
	uint32_t mask, s, h;
	uint8_t tag;

	if (!t->n_slots)
		return 0;
	mask = t->n_slots - 1;
	h = hash_key(t, key);
	tag = tag_of(h);
	for (s = h & mask; t->slots[s]; s = (s + 1) & mask)
		if (t->tags[s] == tag && memcmp(key_at(t, t->slots[s]), key, t->key_len + 1u) == 0)
			return t->slots[s];
	return 0;
}

uint32_t ptab_find(const struct ptab *t, const struct bgp_prefix *p)
{
	uint8_t key[17];

	if (p->family != t->family)
		return 0;
	make_key(t, p, key);
	return find_key(t, key);
}

static void slot_insert(uint32_t *slots, uint8_t *tags, uint32_t n_slots, uint32_t h, uint32_t i)
{
	uint32_t s;

	for (s = h & (n_slots - 1); slots[s]; s = (s + 1) & (n_slots - 1))
		;
	slots[s] = i;
	tags[s] = tag_of(h);
}

static int grow_slots(struct ptab *t)
{
	uint32_t n = t->n_slots ? t->n_slots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof(*slots));
	uint8_t *tags = malloc(n);

	if (!slots || !tags) {
		free(slots);
		free(tags);
		return -1;
	}
	for (uint32_t s = 0; s < t->n_slots; s++) {
		uint32_t i = t->slots[s];

		if (i)
			slot_insert(slots, tags, n, hash_key(t, key_at(t, i)), i);
	}
	free(t->slots);
	free(t->tags);
	t->slots = slots;
	t->tags = tags;
	t->n_slots = n;
	return 0;
}

static int grow_entries(struct ptab *t)
{
	uint32_t cap = t->cap ? t->cap + t->cap / 2 : 1024;
	uint8_t *keys = realloc(t->keys, (size_t)cap * (t->key_len + 1u));

	if (!keys)
		return -1;
	t->keys = keys;
	uint32_t *values = realloc(t->values, (size_t)cap * sizeof(*values));
	if (!values)
		return -1;
	t->values = values;
	memset(t->values + t->cap, 0, (size_t)(cap - t->cap) * sizeof(*values));
	t->cap = cap;
	return 0;
}

uint32_t ptab_get(struct ptab *t, const struct bgp_prefix *p, bool *created)
{
	uint8_t key[17];
	uint32_t i;

	*created = false;
	if (p->family != t->family)
		return 0;
	make_key(t, p, key);
	i = find_key(t, key);
	if (i)
		return i;
	/* Keep the load at or below 3/4 so probe chains stay short. */
	if ((uint64_t)(t->count + 1) * 4 > (uint64_t)t->n_slots * 3 && grow_slots(t) < 0)
		return 0;
	if (t->n_free) {
		i = t->free[--t->n_free];
	} else {
		if (t->top >= t->cap && grow_entries(t) < 0)
			return 0;
		i = t->top++;
	}
	memcpy(key_at(t, i), key, t->key_len + 1u);
	t->values[i] = 0;
	slot_insert(t->slots, t->tags, t->n_slots, hash_key(t, key), i);
	t->count++;
	*created = true;
	return i;
}

void ptab_del(struct ptab *t, uint32_t i)
{
	uint32_t mask = t->n_slots - 1, s, j;

	for (s = hash_key(t, key_at(t, i)) & mask; t->slots[s] != i; s = (s + 1) & mask)
		if (!t->slots[s])
			return; /* not in the table: nothing to do */
	/* Backward-shift deletion keeps linear probing correct without
	 * tombstones. */
	t->slots[s] = 0;
	for (j = (s + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		uint32_t k = t->slots[j];
		uint32_t home = hash_key(t, key_at(t, k)) & mask;

		/* Move k into the hole when its home is not in (s, j]. */
		if ((j > s && (home <= s || home > j)) || (j < s && (home <= s && home > j))) {
			t->slots[s] = k;
			t->tags[s] = t->tags[j];
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
	memset(p, 0, sizeof(*p));
	p->family = t->family;
	p->len = key_at(t, i)[t->key_len];
	memcpy(p->addr, key_at(t, i), t->key_len);
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
	return (size_t)t->cap * (t->key_len + 1 + sizeof(uint32_t)) +
	       (size_t)t->n_slots * (sizeof(uint32_t) + 1) + (size_t)t->free_cap * sizeof(uint32_t);
}
