/* Socket helpers for BGP sessions (see net.h). */
#include "speaker/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

socklen_t net_sockaddr(const struct peering_addr *addr, uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (addr->family == PEERING_FAM_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr->bytes, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr->bytes, 16);
		return sizeof(*sin6);
	}
}

int net_addr_from_sockaddr(const struct sockaddr *sa, struct peering_addr *addr, uint16_t *port)
{
	memset(addr, 0, sizeof(*addr));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		addr->family = PEERING_FAM_IPV4;
		memcpy(addr->bytes, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		*port = ntohs(sin6->sin6_port);
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			addr->family = PEERING_FAM_IPV4;
			memcpy(addr->bytes, sin6->sin6_addr.s6_addr + 12, 4);
		} else {
			addr->family = PEERING_FAM_IPV6;
			memcpy(addr->bytes, &sin6->sin6_addr, 16);
		}
	} else {
		return -EAFNOSUPPORT;
	}
	inet_ntop(addr->family == PEERING_FAM_IPV4 ? AF_INET : AF_INET6, addr->bytes, addr->text,
		  sizeof(addr->text));
	return 0;
}

int net_listen(int family, const struct peering_addr *addr, uint16_t port, struct err *e)
{
	struct peering_addr any = { .family = (uint8_t)family };
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, rc;

	if (!addr) {
		strcpy(any.text, family == PEERING_FAM_IPV4 ? "0.0.0.0" : "::");
		addr = &any;
	}
	sl = net_sockaddr(addr, port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(e, -errno, "listen on %s port %u: socket: %s", addr->text, port,
			       strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* Keep each SYN's IP header for net_syn_ttl() (GTSM on accepted
	 * connections); without it GTSM falls back to the minimum TTL set
	 * after accept. */
	setsockopt(fd, IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		rc = -errno;
		close(fd);
		return err_set(e, rc, "listen on %s port %u: %s", addr->text, port, strerror(-rc));
	}
	return fd;
}

int net_set_md5(int fd, const struct peering_addr *peer, const char *key, struct err *e)
{
	struct tcp_md5sig sig;
	size_t klen = key ? strlen(key) : 0;

	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return err_set(e, -EINVAL, "MD5 key for %s longer than %d bytes", peer->text,
			       TCP_MD5SIG_MAXKEYLEN);
	memset(&sig, 0, sizeof(sig));
	net_sockaddr(peer, 0, (struct sockaddr_storage *)(void *)&sig.tcpm_addr);
	sig.tcpm_keylen = (uint16_t)klen;
	if (klen)
		memcpy(sig.tcpm_key, key, klen);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig)) < 0) {
		/* Removing a key that was never set is not an error. */
		if (!klen && errno == ENOENT)
			return 0;
		return err_set(e, -errno, "TCP MD5 key for %s: %s", peer->text, strerror(errno));
	}
	return 0;
}

int net_set_ttl(int fd, uint8_t family, uint8_t hops, struct err *e)
{
	int ttl = 255, min = 256 - hops;

	if (family == PEERING_FAM_IPV4) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0)
			return err_set(e, -errno, "IP_TTL: %s", strerror(errno));
		if (hops && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof(min)) < 0)
			return err_set(e, -errno, "IP_MINTTL: %s", strerror(errno));
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			return err_set(e, -errno, "IPV6_UNICAST_HOPS: %s", strerror(errno));
		if (hops && setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof(min)) < 0)
			return err_set(e, -errno, "IPV6_MINHOPCOUNT: %s", strerror(errno));
	}
	return 0;
}

int net_syn_ttl(int fd)
{
	uint8_t syn[512];
	socklen_t len = sizeof(syn);

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0)
		return -errno;
	if (len >= 20 && syn[0] >> 4 == 4)
		return syn[8]; /* IPv4 TTL */
	if (len >= 40 && syn[0] >> 4 == 6)
		return syn[7]; /* IPv6 hop limit */
	return -ENOENT;
}

int net_connect(const struct peering_addr *peer, uint16_t port, const struct peering_addr *source,
		const char *md5_key, uint8_t ttl_hops, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl = net_sockaddr(peer, port, &ss);
	int fd, rc, one = 1;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(e, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (source) {
		struct sockaddr_storage src;
		socklen_t srcl = net_sockaddr(source, 0, &src);

		if (bind(fd, (struct sockaddr *)&src, srcl) < 0) {
			rc = err_set(e, -errno, "bind to source address %s: %s", source->text,
				     strerror(errno));
			goto fail;
		}
	}
	if (md5_key && (rc = net_set_md5(fd, peer, md5_key, e)))
		goto fail;
	if ((rc = net_set_ttl(fd, peer->family, ttl_hops, e)))
		goto fail;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		rc = err_set(e, -errno, "connect: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

int net_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

int net_local_addr(int fd, struct peering_addr *addr, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	return net_addr_from_sockaddr((struct sockaddr *)&ss, addr, port);
}

int net_peer_addr(int fd, struct peering_addr *addr, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return -errno;
	return net_addr_from_sockaddr((struct sockaddr *)&ss, addr, port);
}

/* --- buffers ----------------------------------------------------------- */

void net_buf_free(struct net_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

uint8_t *net_buf_reserve(struct net_buf *b, size_t n)
{
	if (b->start == b->end)
		b->start = b->end = 0;
	if (b->cap - b->end >= n)
		return b->data + b->end;
	/* Compact first: consumed bytes at the front are free space. */
	if (b->start) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
		if (b->cap - b->end >= n)
			return b->data + b->end;
	}
	{
		size_t cap = b->cap ? b->cap : 8192;
		uint8_t *nd;

		while (cap - b->end < n)
			cap *= 2;
		nd = realloc(b->data, cap);
		if (!nd)
			return NULL;
		b->data = nd;
		b->cap = cap;
	}
	return b->data + b->end;
}

void net_buf_commit(struct net_buf *b, size_t n)
{
	b->end += n;
}

int net_buf_append(struct net_buf *b, const void *data, size_t n)
{
	uint8_t *p = net_buf_reserve(b, n);

	if (!p)
		return -ENOMEM;
	memcpy(p, data, n);
	b->end += n;
	return 0;
}

void net_buf_consume(struct net_buf *b, size_t n)
{
	b->start += n;
	if (b->start >= b->end)
		b->start = b->end = 0;
}

void net_buf_release_if_empty(struct net_buf *b)
{
	if (b->start == b->end && b->data)
		net_buf_free(b);
}

ssize_t net_buf_read(int fd, struct net_buf *b, size_t max)
{
	uint8_t *p = net_buf_reserve(b, max);
	ssize_t n;

	if (!p)
		return -ENOMEM;
	do
		n = read(fd, p, max);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return (errno == EWOULDBLOCK) ? -EAGAIN : -errno;
	b->end += (size_t)n;
	return n;
}

int net_buf_flush(int fd, struct net_buf *b)
{
	while (net_buf_len(b)) {
		ssize_t n = send(fd, net_buf_head(b), net_buf_len(b), MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (errno == EWOULDBLOCK) ? -EAGAIN : -errno;
		net_buf_consume(b, (size_t)n);
	}
	return 0;
}
