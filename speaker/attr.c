/* Interned attribute sets: a chained hash table over the compared part of
 * struct attr_set, plus a dense id table so that routes can refer to a set
 * with 4 bytes instead of a pointer. */
#include "speaker/attr.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct attr_store {
	struct attr_set **buckets;
	size_t n_buckets; /* power of two */
	size_t count;
	size_t bytes; /* live sets only */
	struct attr_set **by_id;
	size_t ids_cap;
	uint32_t *free_ids;
	size_t n_free_ids, free_cap;
	uint32_t next_id;
	uint64_t next_serial;
};

/* The compared region: from `origin` to the end of the fixed part. */
#define ATTR_CMP_OFF offsetof(struct attr_set, origin)
#define ATTR_CMP_LEN (sizeof(struct attr_set) - ATTR_CMP_OFF)

static size_t var_words(const struct attr_set *a)
{
	return a->n_communities + 3u * a->n_large + a->n_cluster;
}

static size_t var_bytes(const struct attr_set *a)
{
	return var_words(a) * 4 + a->as_path_bytes + a->unknown_len;
}

const uint32_t *attr_communities(const struct attr_set *a)
{
	return a->data;
}

const uint32_t *attr_large(const struct attr_set *a)
{
	return a->data + a->n_communities;
}

const uint32_t *attr_cluster_list(const struct attr_set *a)
{
	return a->data + a->n_communities + 3u * a->n_large;
}

const uint8_t *attr_as_path(const struct attr_set *a)
{
	return (const uint8_t *)(a->data + var_words(a));
}

const uint8_t *attr_unknown(const struct attr_set *a)
{
	return attr_as_path(a) + a->as_path_bytes;
}

/* FNV-1a, 64-bit, folded; attribute sets are hashed once per UPDATE, not per
 * prefix, so simplicity wins over speed here. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint32_t attr_hash(const struct attr_set *a)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, (const uint8_t *)a + ATTR_CMP_OFF, ATTR_CMP_LEN);
	h = fnv(h, a->data, var_bytes(a));
	return (uint32_t)(h ^ (h >> 32));
}

static bool attr_equal(const struct attr_set *a, const struct attr_set *b)
{
	return memcmp((const uint8_t *)a + ATTR_CMP_OFF, (const uint8_t *)b + ATTR_CMP_OFF,
		      ATTR_CMP_LEN) == 0 &&
	       memcmp(a->data, b->data, var_bytes(a)) == 0;
}

struct attr_store *attr_store_new(void)
{
	struct attr_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->n_buckets = 256;
	s->buckets = calloc(s->n_buckets, sizeof(*s->buckets));
	if (!s->buckets) {
		free(s);
		return NULL;
	}
	s->next_id = 1; /* id 0 means "no attributes" to holders */
	return s;
}

void attr_store_free(struct attr_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_buckets; i++) {
		struct attr_set *a = s->buckets[i], *n;

		for (; a; a = n) {
			n = a->hnext;
			free(a);
		}
	}
	free(s->buckets);
	free(s->by_id);
	free(s->free_ids);
	free(s);
}

int attr_path_length(const uint8_t *path, size_t bytes)
{
	size_t off = 0;
	int len = 0;

	while (off < bytes) {
		uint8_t type, count;

		if (bytes - off < 2)
			return -1;
		type = path[off];
		count = path[off + 1];
		off += 2;
		if (count == 0 || bytes - off < (size_t)count * 4)
			return -1;
		off += (size_t)count * 4;
		switch (type) {
		case ATTR_SEG_SEQUENCE:
			len += count;
			break;
		case ATTR_SEG_SET:
			len += 1;
			break;
		case ATTR_SEG_CONFED_SEQUENCE:
		case ATTR_SEG_CONFED_SET:
			break; /* RFC 5065 §5.3: not counted */
		default:
			return -1;
		}
	}
	return len;
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

static int grow_ids(struct attr_store *s)
{
	size_t cap = s->ids_cap ? s->ids_cap * 2 : 256;
	struct attr_set **n = realloc(s->by_id, cap * sizeof(*n));

	if (!n)
		return -1;
	memset(n + s->ids_cap, 0, (cap - s->ids_cap) * sizeof(*n));
	s->by_id = n;
	s->ids_cap = cap;
	return 0;
}

static int alloc_id(struct attr_store *s, struct attr_set *a)
{
	uint32_t id;

	if (s->n_free_ids) {
		id = s->free_ids[--s->n_free_ids];
	} else {
		if (s->next_id >= s->ids_cap && grow_ids(s) < 0)
			return -1;
		id = s->next_id++;
	}
	s->by_id[id] = a;
	a->id = id;
	return 0;
}

static void release_id(struct attr_store *s, uint32_t id)
{
	s->by_id[id] = NULL;
	if (s->n_free_ids == s->free_cap) {
		size_t cap = s->free_cap ? s->free_cap * 2 : 64;
		uint32_t *n = realloc(s->free_ids, cap * sizeof(*n));

		if (!n)
			return; /* the id is simply never reused */
		s->free_ids = n;
		s->free_cap = cap;
	}
	s->free_ids[s->n_free_ids++] = id;
}

static void rehash(struct attr_store *s)
{
	size_t nb = s->n_buckets * 2;
	struct attr_set **b = calloc(nb, sizeof(*b));

	if (!b)
		return; /* keep the longer chains */
	for (size_t i = 0; i < s->n_buckets; i++) {
		struct attr_set *a = s->buckets[i], *n;

		for (; a; a = n) {
			n = a->hnext;
			a->hnext = b[a->hash & (nb - 1)];
			b[a->hash & (nb - 1)] = a;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->n_buckets = nb;
}

/* Builds the candidate set in a scratch buffer laid out exactly like an
 * interned one, so lookup is hash + memcmp. */
static struct attr_set *attr_build(const struct attr_in *in, size_t *size)
{
	size_t words = in->n_communities + 3u * in->n_large + in->n_cluster;
	size_t sz = sizeof(struct attr_set) + words * 4 + in->as_path_bytes + in->unknown_len;
	struct attr_set *a;
	uint32_t *w;
	uint8_t *b;
	int plen;

	plen = attr_path_length(in->as_path, in->as_path_bytes);
	if (plen < 0 || in->nh_len > ATTR_NH_MAX)
		return NULL;
	a = calloc(1, sz);
	if (!a)
		return NULL;
	a->origin = in->origin;
	a->flags = in->flags;
	a->nh_len = in->nh_len;
	a->as_path_bytes = in->as_path_bytes;
	a->n_communities = in->n_communities;
	a->n_large = in->n_large;
	a->n_cluster = in->n_cluster;
	a->unknown_len = in->unknown_len;
	a->path_len = (uint16_t)plen;
	a->med = (in->flags & ATTR_F_MED) ? in->med : 0;
	a->local_pref = (in->flags & ATTR_F_LOCAL_PREF) ? in->local_pref : 0;
	a->originator_id = (in->flags & ATTR_F_ORIGINATOR_ID) ? in->originator_id : 0;
	if (in->flags & ATTR_F_AGGREGATOR) {
		a->aggregator_as = in->aggregator_as;
		a->aggregator_addr = in->aggregator_addr;
	}
	memcpy(a->next_hop, in->next_hop, in->nh_len);
	w = a->data;
	if (in->n_communities)
		memcpy(w, in->communities, in->n_communities * 4u);
	w += in->n_communities;
	if (in->n_large)
		memcpy(w, in->large, in->n_large * 12u);
	w += 3u * in->n_large;
	if (in->n_cluster)
		memcpy(w, in->cluster_list, in->n_cluster * 4u);
	w += in->n_cluster;
	b = (uint8_t *)w;
	if (in->as_path_bytes)
		memcpy(b, in->as_path, in->as_path_bytes);
	b += in->as_path_bytes;
	if (in->unknown_len)
		memcpy(b, in->unknown, in->unknown_len);
	*size = sz;
	return a;
}

struct attr_set *attr_intern(struct attr_store *s, const struct attr_in *in)
{
	struct attr_set *cand, *a;
	size_t sz = 0;

	cand = attr_build(in, &sz);
	if (!cand)
		return NULL;
	cand->hash = attr_hash(cand);
	for (a = s->buckets[cand->hash & (s->n_buckets - 1)]; a; a = a->hnext) {
		if (a->hash == cand->hash && attr_equal(a, cand)) {
			free(cand);
			a->refcnt++;
			return a;
		}
	}
	if (alloc_id(s, cand) < 0) {
		free(cand);
		return NULL;
	}
	cand->refcnt = 1;
	cand->serial = ++s->next_serial;
	cand->hnext = s->buckets[cand->hash & (s->n_buckets - 1)];
	s->buckets[cand->hash & (s->n_buckets - 1)] = cand;
	s->count++;
	s->bytes += sz;
	if (s->count > s->n_buckets)
		rehash(s);
	return cand;
}

struct attr_set *attr_ref(struct attr_set *a)
{
	if (a)
		a->refcnt++;
	return a;
}

void attr_unref(struct attr_store *s, struct attr_set *a)
{
	struct attr_set **pp;

	if (!a || --a->refcnt > 0)
		return;
	for (pp = &s->buckets[a->hash & (s->n_buckets - 1)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == a) {
			*pp = a->hnext;
			break;
		}
	}
	release_id(s, a->id);
	s->count--;
	s->bytes -= sizeof(*a) + var_bytes(a);
	free(a);
}

struct attr_set *attr_by_id(const struct attr_store *s, uint32_t id)
{
	return id < s->ids_cap ? s->by_id[id] : NULL;
}

size_t attr_store_count(const struct attr_store *s)
{
	return s->count;
}

size_t attr_store_bytes(const struct attr_store *s)
{
	return sizeof(*s) + s->bytes + s->n_buckets * sizeof(*s->buckets) +
	       s->ids_cap * sizeof(*s->by_id) + s->free_cap * sizeof(*s->free_ids);
}

void attr_view(const struct attr_set *a, struct attr_in *in)
{
	memset(in, 0, sizeof(*in));
	in->origin = a->origin;
	in->flags = a->flags;
	in->nh_len = a->nh_len;
	memcpy(in->next_hop, a->next_hop, a->nh_len);
	in->med = a->med;
	in->local_pref = a->local_pref;
	in->originator_id = a->originator_id;
	in->aggregator_as = a->aggregator_as;
	in->aggregator_addr = a->aggregator_addr;
	in->as_path = attr_as_path(a);
	in->as_path_bytes = a->as_path_bytes;
	in->communities = attr_communities(a);
	in->n_communities = a->n_communities;
	in->large = attr_large(a);
	in->n_large = a->n_large;
	in->cluster_list = attr_cluster_list(a);
	in->n_cluster = a->n_cluster;
	in->unknown = attr_unknown(a);
	in->unknown_len = a->unknown_len;
}

unsigned attr_path_count_as(const struct attr_set *a, uint32_t asn)
{
	const uint8_t *p = attr_as_path(a);
	size_t off = 0;
	unsigned n = 0;

	/* Interned paths were validated by attr_path_length(). */
	while (off + 2 <= a->as_path_bytes) {
		uint8_t count = p[off + 1];

		off += 2;
		for (unsigned i = 0; i < count; i++, off += 4)
			if (get32(p + off) == asn)
				n++;
	}
	return n;
}

uint32_t attr_path_first_as(const struct attr_set *a)
{
	const uint8_t *p = attr_as_path(a);
	size_t off = 0;

	while (off + 2 <= a->as_path_bytes) {
		uint8_t type = p[off], count = p[off + 1];

		if (type == ATTR_SEG_SEQUENCE)
			return get32(p + off + 2);
		if (type == ATTR_SEG_SET)
			return 0;
		off += 2 + (size_t)count * 4;
	}
	return 0;
}

int attr_path_prepend(const uint8_t *path, size_t bytes, uint32_t asn, unsigned times, uint8_t *buf,
		      size_t cap)
{
	size_t out = 0;

	while (times > 0) {
		unsigned merge = 0;

		/* Merge into a leading AS_SEQUENCE while its count allows. */
		if (bytes >= 2 && path[0] == ATTR_SEG_SEQUENCE && path[1] < 255) {
			merge = 255u - path[1];
			if (merge > times)
				merge = times;
		}
		if (merge) {
			size_t seg = 2 + (size_t)path[1] * 4;

			if (cap < out + bytes + merge * 4)
				return -1;
			buf[out] = ATTR_SEG_SEQUENCE;
			buf[out + 1] = (uint8_t)(path[1] + merge);
			for (unsigned i = 0; i < merge; i++)
				put32(buf + out + 2 + i * 4, asn);
			memcpy(buf + out + 2 + merge * 4, path + 2, seg - 2);
			memcpy(buf + out + 2 + merge * 4 + seg - 2, path + seg, bytes - seg);
			return (int)(out + bytes + merge * 4);
		}
		/* Otherwise a new leading segment of up to 255 ASes. */
		unsigned k = times > 255 ? 255 : times;

		if (cap < out + 2 + k * 4)
			return -1;
		buf[out] = ATTR_SEG_SEQUENCE;
		buf[out + 1] = (uint8_t)k;
		for (unsigned i = 0; i < k; i++)
			put32(buf + out + 2 + i * 4, asn);
		out += 2 + k * 4;
		times -= k;
	}
	if (cap < out + bytes)
		return -1;
	if (bytes)
		memcpy(buf + out, path, bytes);
	return (int)(out + bytes);
}

/* Appends formatted text at *len, keeping buf NUL-terminated. */
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

char *attr_format_as_path(const struct attr_set *a, char *buf, size_t cap)
{
	const uint8_t *p = attr_as_path(a);
	size_t off = 0, len = 0;

	if (!cap)
		return buf;
	buf[0] = 0;
	while (off + 2 <= a->as_path_bytes) {
		uint8_t type = p[off], count = p[off + 1];
		bool set = type == ATTR_SEG_SET || type == ATTR_SEG_CONFED_SET;
		bool confed = type == ATTR_SEG_CONFED_SEQUENCE || type == ATTR_SEG_CONFED_SET;

		off += 2;
		append(buf, cap, &len, "%s%s", len ? " " : "", confed ? "(" : set ? "{" : "");
		for (unsigned i = 0; i < count; i++, off += 4)
			append(buf, cap, &len, "%s%u", i ? " " : "", get32(p + off));
		if (set && confed)
			append(buf, cap, &len, "})");
		else
			append(buf, cap, &len, "%s", confed ? ")" : set ? "}" : "");
	}
	return buf;
}

char *attr_format_communities(const struct attr_set *a, char *buf, size_t cap)
{
	const uint32_t *c = attr_communities(a);
	size_t len = 0;

	if (!cap)
		return buf;
	buf[0] = 0;
	for (unsigned i = 0; i < a->n_communities; i++)
		append(buf, cap, &len, "%s(%u,%u)", i ? " " : "", c[i] >> 16, c[i] & 0xffff);
	return buf;
}

char *attr_format_large(const struct attr_set *a, char *buf, size_t cap)
{
	const uint32_t *c = attr_large(a);
	size_t len = 0;

	if (!cap)
		return buf;
	buf[0] = 0;
	for (unsigned i = 0; i < a->n_large; i++)
		append(buf, cap, &len, "%s(%u,%u,%u)", i ? " " : "", c[3 * i], c[3 * i + 1],
		       c[3 * i + 2]);
	return buf;
}

char *attr_format_next_hop(const struct attr_set *a, char *buf, size_t cap)
{
	if (!cap)
		return buf;
	buf[0] = 0;
	if (a->nh_len == 4)
		inet_ntop(AF_INET, a->next_hop, buf, (socklen_t)cap);
	else if (a->nh_len >= 16)
		inet_ntop(AF_INET6, a->next_hop, buf, (socklen_t)cap);
	return buf;
}
