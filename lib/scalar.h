/* Scalar formats of the Calico v3 API (resources.md §4): AS numbers, IP
 * addresses and CIDRs with Go net.ParseIP/ParseCIDR semantics, peerIP with an
 * optional port, DNS-1123 names, Kubernetes label keys and values, BGP
 * communities and Go durations. Pure functions, no allocation unless said. */
#ifndef CALICO_SCALAR_H
#define CALICO_SCALAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- AS numbers ---- */

/* Parses a plain decimal ("64512", 0..4294967295) or dotted asdot string
 * ("1.10" = 65546, each half 0..65535, leading zeros allowed). Returns 0 or
 * -EINVAL. */
int asn_parse(const char *s, uint32_t *out);

/* ---- IP addresses ---- */

struct ip_addr {
	int family;    /* 4 or 6 (an IPv4-mapped IPv6 address counts as 4) */
	uint8_t b[16]; /* v4: b[0..3]; v6: all 16 */
};

/* Longest text ip_format()/cidr_format() write, with terminator. */
#define IP_STRLEN 64

/* Go net.ParseIP: dotted-quad without leading zeros, or IPv6 (with an
 * optional embedded IPv4 tail); no zones, no brackets. 0 or -EINVAL. */
int ip_parse(const char *s, struct ip_addr *out);

/* Go net.IP.String(): v4 dotted, v6 RFC 5952 compressed lower-case. */
char *ip_format(const struct ip_addr *ip, char buf[IP_STRLEN]);

bool ip_equal(const struct ip_addr *a, const struct ip_addr *b);

/* ---- CIDRs ---- */

struct ip_cidr {
	struct ip_addr ip; /* the address as written (host bits kept) */
	int len;	   /* prefix length */
};

/* Go net.ParseCIDR: "addr/len" only. 0 or -EINVAL. */
int cidr_parse(const char *s, struct ip_cidr *out);

/* Calico cnet.ParseCIDROrIP: "addr/len", or a bare address meaning /32 or
 * /128. 0 or -EINVAL. */
int cidr_parse_or_ip(const char *s, struct ip_cidr *out);

/* The network of c (host bits cleared). */
void cidr_network(const struct ip_cidr *c, struct ip_cidr *net);

/* True when c has no host bits set ("strictly masked"). */
bool cidr_is_masked(const struct ip_cidr *c);

/* True when the two networks share any address (same family only). */
bool cidr_overlaps(const struct ip_cidr *a, const struct ip_cidr *b);

/* True when ip lies inside c. */
bool cidr_contains(const struct ip_cidr *c, const struct ip_addr *ip);

/* "network/len" in Go's form (the canonical CIDR Calico stores). */
char *cidr_format(const struct ip_cidr *c, char buf[IP_STRLEN]);

/* ---- peerIP[:port] (validator tag IP:port, processIPPort) ---- */

/* Accepts "ip", "a.b.c.d:port" and "[v6-or-v4]:port" with port 1..65535.
 * port is set to 0 when absent. host (optional, IP_STRLEN) receives the
 * address text as written. 0 or -EINVAL. */
int peerip_parse(const char *s, struct ip_addr *ip, uint16_t *port, char *host);

/* ---- names and labels ---- */

/* Lower-case DNS-1123 subdomain pattern (no length limit): Calico's `name`
 * validator. */
bool name_valid(const char *s);

/* Kubernetes IsQualifiedName / IsValidLabelValue / IsDNS1123Subdomain. On
 * failure they return false and write every apimachinery reason into reason,
 * one per line ('\n'-separated, no trailing newline): the validator reports
 * each reason as its own field error. */
bool label_key_valid(const char *key, char *reason, size_t reason_len);
bool label_value_valid(const char *value, char *reason, size_t reason_len);
bool dns1123_subdomain_valid(const char *s, char *reason, size_t reason_len);

/* ---- communities ---- */

/* Returns 0 when s is a valid standard (aa:nn, 16-bit parts) or large
 * (aa:nn:mm, 32-bit parts) community; -EINVAL when it has neither shape;
 * -ERANGE when the shape is right but parts are too big: *bits is then 16 or
 * 32 and *nbad the number of parts out of range (Calico reports each). */
int community_check(const char *s, int *bits, int *nbad);

/* ---- Go durations (time.ParseDuration / Duration.String) ---- */

/* Parses "90s", "1h30m", "1.5h", "-2m", "0"... into nanoseconds. On failure
 * returns -EINVAL and writes Go's message (time: invalid duration "x") into
 * msg when non-NULL. */
int duration_parse(const char *s, int64_t *ns, char *msg, size_t msg_len);

/* Go's Duration.String() ("2m0s", "1h30m0s", "1.5s", "0s"). buf >= 32. */
char *duration_format(int64_t ns, char *buf, size_t len);

#endif
