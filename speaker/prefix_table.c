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
	free(t->lens);
	free(t->values);
	free(t->slots);
	free(t->free);
	memset(t, 0, sizeof(*t));
}

/* Copies p's address with host bits cleared. */
static void make_key(const struct ptab *t, const struct bgp_prefix *p, uint8_t *key, uint8_t *len)
{
	unsigned bits = p->len > t->key_len * 8 ? t->key_len * 8u : p->len;

	memset(key, 0, t->key_len);
	memcpy(key, p->addr, (bits + 7) / 8);
	if (bits % 8)
		key[bits / 8] &= (uint8_t)(0xff00 >> (bits % 8));
	*len = (uint8_t)bits;
}

static uint32_t hash_key(const struct ptab *t, const uint8_t *key, uint8_t len)
{
	uint64_t h = len * 0x9e3779b97f4a7c15ULL;

	for (unsigned i = 0; i < t->key_len; i += 4) {
		uint32_t w;

		memcpy(&w, key + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
	}
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool key_eq(const struct ptab *t, uint32_t i, const uint8_t *key, uint8_t len)
{
	return t->lens[i] == len && memcmp(t->keys + (size_t)i * t->key_len, key, t->key_len) == 0;
}

static uint32_t find_key(const struct ptab *t, const uint8_t *key, uint8_t len)
{
	uint32_t mask, s;

	if (!t->n_slots)
		return 0;
	mask = t->n_slots - 1;
	for (s = hash_key(t, key, len) & mask; t->slots[s]; s = (s + 1) & mask)
		if (key_eq(t, t->slots[s], key, len))
			return t->slots[s];
	return 0;
}

uint32_t ptab_find(const struct ptab *t, const struct bgp_prefix *p)
{
	uint8_t key[16], len;

	if (p->family != t->family)
		return 0;
	make_key(t, p, key, &len);
	return find_key(t, key, len);
}

static void slot_insert(uint32_t *slots, uint32_t n_slots, uint32_t h, uint32_t i)
{
	uint32_t s;

	for (s = h & (n_slots - 1); slots[s]; s = (s + 1) & (n_slots - 1))
		;
	slots[s] = i;
}

static int grow_slots(struct ptab *t)
{
	uint32_t n = t->n_slots ? t->n_slots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (uint32_t s = 0; s < t->n_slots; s++) {
		uint32_t i = t->slots[s];

		if (i)
			slot_insert(slots, n,
				    hash_key(t, t->keys + (size_t)i * t->key_len, t->lens[i]), i);
	}
	free(t->slots);
	t->slots = slots;
	t->n_slots = n;
	return 0;
}

static int grow_entries(struct ptab *t)
{
	uint32_t cap = t->cap ? t->cap + t->cap / 2 : 1024;
	uint8_t *keys = realloc(t->keys, (size_t)cap * t->key_len);

	if (!keys)
		return -1;
	t->keys = keys;
	uint8_t *lens = realloc(t->lens, cap);
	if (!lens)
		return -1;
	t->lens = lens;
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
	uint8_t key[16], len;
	uint32_t i;

	*created = false;
	if (p->family != t->family)
		return 0;
	make_key(t, p, key, &len);
	i = find_key(t, key, len);
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
	memcpy(t->keys + (size_t)i * t->key_len, key, t->key_len);
	t->lens[i] = len;
	t->values[i] = 0;
	slot_insert(t->slots, t->n_slots, hash_key(t, key, len), i);
	t->count++;
	*created = true;
	return i;
}

void ptab_del(struct ptab *t, uint32_t i)
{
	uint32_t mask = t->n_slots - 1, s, j;

	for (s = hash_key(t, t->keys + (size_t)i * t->key_len, t->lens[i]) & mask; t->slots[s] != i;
	     s = (s + 1) & mask)
		if (!t->slots[s])
			return; /* not in the table: nothing to do */
	/* Backward-shift deletion keeps linear probing correct without
	 * tombstones. */
	t->slots[s] = 0;
	for (j = (s + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		uint32_t k = t->slots[j];
		uint32_t home = hash_key(t, t->keys + (size_t)k * t->key_len, t->lens[k]) & mask;

		/* Move k into the hole when its home is not in (s, j]. */
		if ((j > s && (home <= s || home > j)) || (j < s && (home <= s && home > j))) {
			t->slots[s] = k;
			t->slots[j] = 0;
			s = j;
		}
	}
	t->values[i] = 0;
	t->lens[i] = PTAB_FREE_LEN;
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
	p->len = t->lens[i];
	memcpy(p->addr, t->keys + (size_t)i * t->key_len, t->key_len);
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
	       (size_t)t->n_slots * sizeof(uint32_t) + (size_t)t->free_cap * sizeof(uint32_t);
}
