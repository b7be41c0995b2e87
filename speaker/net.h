/* Sockets for BGP sessions: listening, non-blocking connects, TCP MD5
 * signatures (RFC 2385, Linux TCP_MD5SIG), GTSM (RFC 5082: send with TTL
 * 255, accept only TTL >= 256 - hops), source address binding, and the
 * byte buffers a session reads into and writes from without blocking. */
#ifndef CALICO_NET_H
#define CALICO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "lib/err.h"
#include "lib/peering.h"

/* sockaddr for addr:port (v4 or v6). Returns the length used. */
socklen_t net_sockaddr(const struct peering_addr *addr, uint16_t port,
		       struct sockaddr_storage *ss);
/* The address and port of a sockaddr; IPv4-mapped IPv6 addresses come back
 * as IPv4. Returns 0 or -EAFNOSUPPORT. */
int net_addr_from_sockaddr(const struct sockaddr *sa, struct peering_addr *addr, uint16_t *port);

/* A non-blocking listening TCP socket on addr (NULL = any address of
 * family; an IPv6 "any" socket is v6-only so that an IPv4 one can coexist)
 * and port. Returns the fd or a negative code with e naming the address. */
int net_listen(int family, const struct peering_addr *addr, uint16_t port, struct err *e);

/* Installs (key non-NULL) or removes (key NULL) the TCP MD5 key for peer
 * on fd; on a listening socket this is what lets the peer's signed SYN in.
 * Returns 0 or a negative code with e filled. */
int net_set_md5(int fd, const struct peering_addr *peer, const char *key, struct err *e);

/* GTSM: outgoing TTL/hop limit 255, and with hops > 0 the minimum
 * accepted TTL 256 - hops. hops == 0 only sets the outgoing TTL to 255
 * (BGP sessions here are multihop by default, as Calico's are). */
int net_set_ttl(int fd, uint8_t family, uint8_t hops, struct err *e);

/* The TTL (IPv4) or hop limit (IPv6) of the SYN that opened an accepted
 * connection, as the listener saved it (TCP_SAVE_SYN): GTSM must judge the
 * peer before any of its data is read, and a minimum TTL set after accept()
 * comes too late for data already queued. Readable once; -errno when the
 * kernel kept no SYN. */
int net_syn_ttl(int fd);

/* Starts a non-blocking connection to peer:port, optionally from source,
 * with the MD5 key and GTSM applied before the SYN. Returns the fd (the
 * connection completes later: wait for writability, then net_connect_result)
 * or a negative code with e filled. */
int net_connect(const struct peering_addr *peer, uint16_t port, const struct peering_addr *source,
		const char *md5_key, uint8_t ttl_hops, struct err *e);
/* 0 when the connect finished, else the negative errno it failed with. */
int net_connect_result(int fd);

/* Local and remote addresses of a connected socket. */
int net_local_addr(int fd, struct peering_addr *addr, uint16_t *port);
int net_peer_addr(int fd, struct peering_addr *addr, uint16_t *port);

/* A growable byte buffer with a read offset: received bytes are appended
 * at the end and whole messages consumed from the front; pending output is
 * appended and flushed from the front. */
struct net_buf {
	uint8_t *data;
	size_t start, end, cap;
};

void net_buf_free(struct net_buf *b);
static inline size_t net_buf_len(const struct net_buf *b)
{
	return b->end - b->start;
}
/* The unread bytes; NULL for a buffer whose storage was released (no
 * arithmetic on a null pointer). */
static inline const uint8_t *net_buf_head(const struct net_buf *b)
{
	return b->data ? b->data + b->start : NULL;
}
/* Room for at least n more bytes at the end; returns the write pointer or
 * NULL when out of memory. Commit with net_buf_commit. */
uint8_t *net_buf_reserve(struct net_buf *b, size_t n);
void net_buf_commit(struct net_buf *b, size_t n);
int net_buf_append(struct net_buf *b, const void *data, size_t n);
void net_buf_consume(struct net_buf *b, size_t n);
/* Frees the storage of an empty buffer: an idle session then holds no
 * buffer memory (a route reflector has thousands of idle sessions). */
void net_buf_release_if_empty(struct net_buf *b);

/* Reads what is available (at most max bytes) into b. Returns the number
 * of bytes read, 0 at EOF, -EAGAIN when nothing is there, or -errno. */
ssize_t net_buf_read(int fd, struct net_buf *b, size_t max);
/* Writes as much of b as the socket takes. Returns 0 when b is empty
 * afterwards, -EAGAIN when some is left, or -errno. */
int net_buf_flush(int fd, struct net_buf *b);

#endif
