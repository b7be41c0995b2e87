/* Helpers for the wire codec tests: hex byte vectors and message framing. */
#ifndef CALICO_WIRE_UTIL_H
#define CALICO_WIRE_UTIL_H

#include "speaker/wire.h"
#include "tests/unit/check.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MARKER "ffffffffffffffffffffffffffffffff"

/* Parses hex digits (spaces ignored) into out; returns the octet count. */
static inline size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		int v =
		    isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* Builds a message: marker, length, type, then the body in hex. */
static inline size_t msg(uint8_t *out, uint8_t type, const char *body)
{
	size_t n = hex(body, out + 19);

	memset(out, 0xff, 16);
	out[16] = (uint8_t)((n + 19) >> 8);
	out[17] = (uint8_t)(n + 19);
	out[18] = type;
	return n + 19;
}

/* Builds an UPDATE from withdrawn, attribute and NLRI hex fields. */
static inline size_t upd(uint8_t *out, const char *withdrawn, const char *attrs, const char *nlri)
{
	uint8_t *p = out + 19;
	size_t w = hex(withdrawn, p + 2);
	p[0] = (uint8_t)(w >> 8);
	p[1] = (uint8_t)w;
	size_t a = hex(attrs, p + 4 + w);
	p[2 + w] = (uint8_t)(a >> 8);
	p[3 + w] = (uint8_t)a;
	size_t n = hex(nlri, p + 4 + w + a);
	size_t len = 19 + 4 + w + a + n;
	memset(out, 0xff, 16);
	out[16] = (uint8_t)(len >> 8);
	out[17] = (uint8_t)len;
	out[18] = BGP_MSG_UPDATE;
	return len;
}

static inline int bytes_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen || memcmp(a, b, alen) != 0) {
		printf("#   got  (%zu):", alen);
		for (size_t i = 0; i < alen; i++)
			printf(" %02x", a[i]);
		printf("\n#   want (%zu):", blen);
		for (size_t i = 0; i < blen; i++)
			printf(" %02x", b[i]);
		printf("\n");
		return 0;
	}
	return 1;
}

/* Compares got bytes with a hex string. */
#define CHECK_HEX(got, got_len, want_hex)                                                          \
	do {                                                                                       \
		uint8_t w_[70000];                                                                 \
		size_t wn_ = hex((want_hex), w_);                                                  \
		check_report(bytes_eq((got), (got_len), w_, wn_), #got " == " #want_hex, __FILE__, \
			     __LINE__);                                                            \
	} while (0)

/* Checks a NOTIFY outcome: status, code, subcode and data (hex). */
#define CHECK_NOTIFY(rc, we, c, s, data_hex)                                                       \
	do {                                                                                       \
		uint8_t d_[8192];                                                                  \
		size_t dn_ = hex((data_hex), d_);                                                  \
		int ok_ = (rc) == WIRE_NOTIFY && (we).code == (c) && (we).subcode == (s) &&        \
			  bytes_eq((we).data, (we).data_len, d_, dn_);                             \
		check_report(ok_, #rc " notifies " #c "/" #s, __FILE__, __LINE__);                 \
		if (!ok_)                                                                          \
			printf("#   rc %d code %u subcode %u: %s\n", (rc), (we).code,              \
			       (we).subcode, (we).e.msg);                                          \
	} while (0)

/* Checks a non-fatal outcome with the error the RFC 4271 rule would send. */
#define CHECK_OUTCOME(rc, want, we, c, s)                                                          \
	do {                                                                                       \
		int ok_ = (rc) == (want) && (we).code == (c) && (we).subcode == (s);               \
		check_report(ok_, #rc " is " #want " (" #c "/" #s ")", __FILE__, __LINE__);        \
		if (!ok_)                                                                          \
			printf("#   rc %d code %u subcode %u: %s\n", (rc), (we).code,              \
			       (we).subcode, (we).e.msg);                                          \
	} while (0)

#endif
