/* SHA-256 (FIPS 180-4 §6.2), small and dependency-free. The planner needs it
 * only for CALICO_ROUTER_ID=hash, where the router id is derived from the
 * node name exactly as Calico does. */
#ifndef CALICO_SHA256_H
#define CALICO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t len;      /* bytes hashed so far */
	uint8_t buf[64];   /* pending partial block */
	size_t fill;       /* bytes in buf */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
void sha256_final(struct sha256 *c, uint8_t out[SHA256_DIGEST_LEN]);

/* One-shot digest of data. */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);

#endif
