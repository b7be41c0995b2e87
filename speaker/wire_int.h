/* Private helpers shared by the wire codec's source files. */
#ifndef CALICO_WIRE_INT_H
#define CALICO_WIRE_INT_H

#include "speaker/wire.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Severity of a decode outcome, for keeping the worst one. */
static inline int wire_severity(int status)
{
	switch (status) {
	case WIRE_OK:
		return 0;
	case WIRE_ATTR_DISCARD:
		return 1;
	case WIRE_TREAT_AS_WITHDRAW:
		return 2;
	default:
		return 3;
	}
}

/* Records an error in we (may be NULL) and returns status. data may be NULL. */
int wire_fail(struct wire_err *we, int status, uint8_t code, uint8_t subcode, const uint8_t *data,
	      size_t data_len, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Like wire_fail(), but only overwrites we when status is more severe than
 * *cur; updates *cur. Used where one message can hold several errors. */
void wire_note(struct wire_err *we, int *cur, int status, uint8_t code, uint8_t subcode,
	       const uint8_t *data, size_t data_len, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Family index for an AFI/SAFI pair, or -1. */
static inline int wire_afi_family(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_FAM_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_FAM_IPV6;
	return -1;
}

static inline uint16_t wire_family_afi(int fam)
{
	return fam == BGP_FAM_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

/* Validates an NLRI field of fam; counts prefixes. Returns 0 or -1 with a
 * reason in *why. */
int wire_nlri_check(const uint8_t *p, size_t len, int fam, bool add_path, uint32_t *count,
		    const char **why);

/* What wire_parse_attrs() saw besides the attributes themselves. */
struct wire_attr_scan {
	bool classic_nlri;  /* input: the message has classic NLRI */
	unsigned n_attrs;   /* attributes parsed (including dropped ones) */
	int unreach_fam;    /* family of MP_UNREACH_NLRI, or -1 */
	bool unreach_empty; /* MP_UNREACH_NLRI without prefixes */
};

/* Attribute decoding core (wire_attr.c): parses the path attribute field of
 * an UPDATE into u (attrs, canon, hash, MP ranges appended to withdrawn and
 * reach). Returns the worst status seen; WIRE_NOTIFY stops at once. */
int wire_parse_attrs(const struct wire_ctx *ctx, const uint8_t *p, size_t len, struct bgp_update *u,
		     struct wire_attr_scan *scan, struct wire_err *we);

/* Writes one attribute TLV header+value at out (cap octets); returns the
 * length or -ENOSPC. */
int wire_put_attr(uint8_t *out, size_t cap, uint8_t flags, uint8_t type, const uint8_t *val,
		  size_t len);

/* Encodes the attributes of a for sending to a session (AS4 conversion,
 * Partial bit on unknown transitive), with NEXT_HOP nh4 if non-NULL.
 * Returns the length or -ENOSPC. */
int wire_encode_attrs(const struct wire_ctx *ctx, const struct bgp_path_attrs *a,
		      const uint8_t *nh4, uint8_t *out, size_t cap);

/* AS_PATH internals (wire_aspath.c). Paths are segment lists with AS
 * numbers of width 2 or 4 octets. */
/* Validates segment structure and rejects AS 0 (RFC 7607); sets *confed
 * when confed segments occur.
 * Returns 0 or -1 with a reason in *why. */
int wire_aspath_check(const uint8_t *p, size_t len, unsigned width, bool *confed, const char **why);
/* 2-octet path to 4-octet form; out holds 2 * len. Returns the length. */
size_t wire_aspath_widen(const uint8_t *p, size_t len, uint8_t *out);
/* 4-octet path to 2-octet form with AS_TRANS for wide ASes; out holds len.
 * *mapped tells whether any AS was replaced. Returns the length. */
size_t wire_aspath_narrow(const uint8_t *p, size_t len, uint8_t *out, bool *mapped);
/* 4-octet path without confed segments; out holds len. */
size_t wire_aspath_strip_confed(const uint8_t *p, size_t len, uint8_t *out);
/* RFC 6793 §4.2.3: rebuilds the path from AS_PATH (widened) and AS4_PATH;
 * out holds len + len4 and may equal path (the merge never writes ahead of
 * what it reads). Returns the length. */
size_t wire_as4_merge(const uint8_t *path, size_t len, const uint8_t *as4, size_t len4,
		      uint8_t *out);

#endif
