/* bgpmini: minimal BGP-4 encoding and TCP plumbing for the load tools.
 * See bgpmini.h for why this does not reuse speaker/wire.c. */
#include "bench/bgpmini.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BM_AS_TRANS 23456

int bm_buf_reserve(struct bm_buf *b, size_t more, struct err *e)
{
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return err_set(e, -ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

void bm_put8(struct bm_buf *b, uint8_t v)
{
	b->data[b->len++] = v;
}

void bm_put16(struct bm_buf *b, uint16_t v)
{
	bm_put8(b, (uint8_t)(v >> 8));
	bm_put8(b, (uint8_t)v);
}

void bm_put32(struct bm_buf *b, uint32_t v)
{
	bm_put16(b, (uint16_t)(v >> 16));
	bm_put16(b, (uint16_t)v);
}

void bm_putmem(struct bm_buf *b, const void *p, size_t n)
{
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void bm_buf_free(struct bm_buf *b)
{
	free(b->data);
	*b = (struct bm_buf){0};
}

size_t bm_begin_msg(struct bm_buf *b, enum bm_type type)
{
	size_t start = b->len;
	memset(b->data + b->len, 0xff, 16);
	b->len += 16;
	bm_put16(b, 0); /* length, filled in by bm_end_msg */
	bm_put8(b, (uint8_t)type);
	return start;
}

void bm_end_msg(struct bm_buf *b, size_t start)
{
	size_t len = b->len - start;
	b->data[start + 16] = (uint8_t)(len >> 8);
	b->data[start + 17] = (uint8_t)len;
}

int bm_encode_open(struct bm_buf *b, uint32_t as, uint16_t hold, uint32_t router_id, struct err *e)
{
	int rc = bm_buf_reserve(b, 64, e);
	if (rc < 0)
		return rc;
	size_t m = bm_begin_msg(b, BM_OPEN);
	bm_put8(b, 4);
	bm_put16(b, as > 65535 ? BM_AS_TRANS : (uint16_t)as);
	bm_put16(b, hold);
	bm_put32(b, router_id);
	/* One optional parameter (type 2, capabilities) holding two capabilities. */
	bm_put8(b, 2 + 6 + 6);
	bm_put8(b, 2);
	bm_put8(b, 6 + 6);
	bm_put8(b, 1); /* multiprotocol: AFI 1, reserved, SAFI 1 */
	bm_put8(b, 4);
	bm_put16(b, 1);
	bm_put8(b, 0);
	bm_put8(b, 1);
	bm_put8(b, 65); /* 4-octet AS */
	bm_put8(b, 4);
	bm_put32(b, as);
	bm_end_msg(b, m);
	return 0;
}

int bm_encode_keepalive(struct bm_buf *b, struct err *e)
{
	int rc = bm_buf_reserve(b, BM_HEADER_LEN, e);
	if (rc < 0)
		return rc;
	bm_end_msg(b, bm_begin_msg(b, BM_KEEPALIVE));
	return 0;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void decode_caps(const uint8_t *p, size_t n, struct bm_peer_open *out)
{
	while (n >= 2) {
		uint8_t code = p[0], len = p[1];
		if ((size_t)len + 2 > n)
			return;
		if (code == 1 && len == 4 && get16(p + 2) == 1 && p[5] == 1)
			out->mp_ipv4 = true;
		if (code == 65 && len == 4) {
			out->as4 = true;
			out->as = get32(p + 2);
		}
		p += 2 + len;
		n -= 2 + (size_t)len;
	}
}

int bm_decode_open(const uint8_t *msg, size_t len, struct bm_peer_open *out, struct err *e)
{
	if (len < BM_HEADER_LEN + 10 || msg[18] != BM_OPEN)
		return err_set(e, -EBADMSG, "expected an OPEN of at least 29 bytes, got type %u length %zu",
			len > 18 ? msg[18] : 0, len);
	const uint8_t *p = msg + BM_HEADER_LEN;
	*out = (struct bm_peer_open){
		.as = get16(p + 1),
		.hold = get16(p + 3),
		.router_id = get32(p + 5),
	};
	size_t optlen = p[9];
	if (BM_HEADER_LEN + 10 + optlen > len)
		return err_set(e, -EBADMSG, "OPEN optional parameters length %zu runs past the message", optlen);
	const uint8_t *o = p + 10;
	while (optlen >= 2) {
		uint8_t type = o[0], plen = o[1];
		if ((size_t)plen + 2 > optlen)
			return err_set(e, -EBADMSG, "OPEN optional parameter length %u runs past the list", plen);
		if (type == 2)
			decode_caps(o + 2, plen, out);
		o += 2 + plen;
		optlen -= 2 + (size_t)plen;
	}
	return 0;
}

static const char *notification_name(uint8_t code)
{
	static const char *const names[] = {
		[1] = "Message Header Error", [2] = "OPEN Message Error", [3] = "UPDATE Message Error",
		[4] = "Hold Timer Expired",   [5] = "FSM Error",          [6] = "Cease",
		[7] = "ROUTE-REFRESH Message Error",
	};
	return code < sizeof(names) / sizeof(names[0]) && names[code] ? names[code] : "unknown";
}

int bm_notification_err(const uint8_t *msg, size_t len, struct err *e)
{
	if (len < BM_HEADER_LEN + 2)
		return err_set(e, -EPROTO, "peer sent a truncated NOTIFICATION (%zu bytes)", len);
	uint8_t code = msg[19], sub = msg[20];
	return err_set(e, -EPROTO, "peer sent NOTIFICATION %u/%u (%s) with %zu data bytes", code, sub,
		notification_name(code), len - BM_HEADER_LEN - 2);
}

int bm_reader_init(struct bm_reader *r, size_t cap, struct err *e)
{
	*r = (struct bm_reader){.cap = cap};
	r->buf = malloc(cap);
	if (!r->buf)
		return err_set(e, -ENOMEM, "out of memory for a %zu byte read buffer", cap);
	return 0;
}

void bm_reader_free(struct bm_reader *r)
{
	free(r->buf);
	*r = (struct bm_reader){0};
}

long bm_reader_fill(struct bm_reader *r, int fd, struct err *e)
{
	if (r->start > 0 && r->cap - r->end < BM_MAX_MSG) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	ssize_t n = read(fd, r->buf + r->end, r->cap - r->end);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return err_set(e, -errno, "read from peer: %s", strerror(errno));
	}
	if (n == 0)
		return err_set(e, -ECONNRESET, "peer closed the connection");
	r->end += (size_t)n;
	r->bytes += (uint64_t)n;
	return n;
}

int bm_reader_next(struct bm_reader *r, const uint8_t **msg, size_t *len, struct err *e)
{
	size_t have = r->end - r->start;
	if (have < BM_HEADER_LEN)
		return 0;
	const uint8_t *p = r->buf + r->start;
	for (int i = 0; i < 16; i++)
		if (p[i] != 0xff)
			return err_set(e, -EBADMSG, "message marker is not all ones at stream offset %" PRIu64,
				r->bytes - have);
	/* Extended messages (RFC 8654) are never offered, so 4096 is the limit. */
	size_t mlen = get16(p + 16);
	if (mlen < BM_HEADER_LEN || mlen > BM_MAX_MSG)
		return err_set(e, -EBADMSG, "message length %zu outside 19..4096", mlen);
	if (have < mlen)
		return 0;
	*msg = p;
	*len = mlen;
	r->start += mlen;
	return 1;
}

static int write_all(int fd, const uint8_t *p, size_t n, struct err *e)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};
				poll(&pfd, 1, 1000);
				continue;
			}
			return err_set(e, -errno, "write to peer: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Waits for the next message during the handshake; with !consume it stays
 * in the reader. */
static int handshake_next(int fd, struct bm_reader *r, const uint8_t **msg, size_t *len, bool consume,
	double deadline, struct err *e)
{
	for (;;) {
		size_t start = r->start;
		int rc = bm_reader_next(r, msg, len, e);
		if (rc > 0 && !consume)
			r->start = start;
		if (rc != 0)
			return rc;
		int left = (int)((deadline - bm_now()) * 1000);
		if (left <= 0)
			return err_set(e, -ETIMEDOUT, "no complete message from the peer within the handshake timeout");
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			return err_set(e, -errno, "poll: %s", strerror(errno));
		long n = bm_reader_fill(r, fd, e);
		if (n < 0)
			return (int)n;
	}
}

int bm_handshake(int fd, const struct bm_buf *our_open, struct bm_reader *r, struct bm_peer_open *peer,
	int timeout_ms, struct err *e)
{
	double deadline = bm_now() + timeout_ms / 1000.0;
	int rc = write_all(fd, our_open->data, our_open->len, e);
	if (rc < 0)
		return rc;
	const uint8_t *msg;
	size_t len;
	rc = handshake_next(fd, r, &msg, &len, true, deadline, e);
	if (rc < 0)
		return rc;
	if (msg[18] == BM_NOTIFICATION)
		return bm_notification_err(msg, len, e);
	rc = bm_decode_open(msg, len, peer, e);
	if (rc < 0)
		return rc;
	if (!peer->as4)
		return err_set(e, -EPROTO, "peer AS %u did not announce 4-octet AS; the feed uses 4-octet AS paths",
			peer->as);
	uint8_t ka[BM_HEADER_LEN];
	memset(ka, 0xff, 16);
	ka[16] = 0;
	ka[17] = BM_HEADER_LEN;
	ka[18] = BM_KEEPALIVE;
	rc = write_all(fd, ka, sizeof(ka), e);
	if (rc < 0)
		return rc;
	/* An UPDATE right away also confirms the session; it stays in the
	 * reader for the caller, so only peek here. */
	rc = handshake_next(fd, r, &msg, &len, false, deadline, e);
	if (rc < 0)
		return rc;
	if (msg[18] == BM_NOTIFICATION)
		return bm_notification_err(msg, len, e);
	if (msg[18] != BM_KEEPALIVE && msg[18] != BM_UPDATE)
		return err_set(e, -EPROTO, "expected KEEPALIVE after OPEN, got message type %u", msg[18]);
	if (msg[18] == BM_KEEPALIVE)
		r->start += len;
	return 0;
}

int bm_parse_endpoint(const char *text, uint16_t default_port, struct sockaddr_storage *ss, unsigned *sslen,
	struct err *e)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *port = NULL;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || (size_t)(close - text - 1) >= sizeof(host))
			return err_set(e, -EINVAL, "endpoint '%s': expected [IPv6]:PORT", text);
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = 0;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return err_set(e, -EINVAL, "endpoint '%s': junk after ']'", text);
	} else {
		const char *colon = strchr(text, ':');
		bool v4_with_port = colon && !strchr(colon + 1, ':');
		size_t n = v4_with_port ? (size_t)(colon - text) : strlen(text);
		if (n >= sizeof(host))
			return err_set(e, -EINVAL, "endpoint '%s': address too long", text);
		memcpy(host, text, n);
		host[n] = 0;
		if (v4_with_port)
			port = colon + 1;
	}
	uint64_t p = default_port;
	if (port) {
		int rc = bm_parse_u64("port", port, 1, 65535, &p, e);
		if (rc < 0)
			return err_set(e, rc, "endpoint '%s': port '%s' is not in 1..65535", text, port);
	}
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)p);
		*sslen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(*s6);
	} else {
		return err_set(e, -EINVAL, "endpoint '%s': '%s' is not an IPv4 or IPv6 address", text, host);
	}
	return 0;
}

int bm_connect(const char *remote, const char *local, struct err *e)
{
	struct sockaddr_storage ss;
	unsigned sslen;
	int rc = bm_parse_endpoint(remote, 179, &ss, &sslen, e);
	if (rc < 0)
		return rc;
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, -errno, "socket: %s", strerror(errno));
	if (local) {
		struct sockaddr_storage ls;
		unsigned lslen;
		rc = bm_parse_endpoint(local, 0, &ls, &lslen, e);
		if (rc == 0 && bind(fd, (struct sockaddr *)&ls, lslen) < 0)
			rc = err_set(e, -errno, "bind to %s: %s", local, strerror(errno));
		if (rc < 0) {
			close(fd);
			return rc;
		}
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0) {
		rc = err_set(e, -errno, "connect to %s: %s", remote, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

int bm_accept_one(const char *local, struct err *e)
{
	struct sockaddr_storage ss;
	unsigned sslen;
	int rc = bm_parse_endpoint(local, 179, &ss, &sslen, e);
	if (rc < 0)
		return rc;
	int lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return err_set(e, -errno, "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, sslen) < 0 || listen(lfd, 1) < 0) {
		rc = err_set(e, -errno, "listen on %s: %s", local, strerror(errno));
		close(lfd);
		return rc;
	}
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		rc = err_set(e, -errno, "accept on %s: %s", local, strerror(errno));
	close(lfd);
	return fd < 0 ? rc : fd;
}

int bm_set_nonblock(int fd, struct err *e)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return err_set(e, -errno, "fcntl O_NONBLOCK: %s", strerror(errno));
	return 0;
}

double bm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void bm_cpu(double *user, double *sys)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	*user = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int bm_parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out, struct err *e)
{
	char *end;
	errno = 0;
	if (!text[0] || text[0] == '-')
		return err_set(e, -EINVAL, "%s = '%s': not an unsigned number", opt, text);
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end)
		return err_set(e, -EINVAL, "%s = '%s': not an unsigned number", opt, text);
	if (v < min || v > max)
		return err_set(e, -ERANGE, "%s = '%s': outside %" PRIu64 "..%" PRIu64, opt, text, min, max);
	*out = v;
	return 0;
}

int bm_parse_ipv4(const char *opt, const char *text, uint32_t *out, struct err *e)
{
	struct in_addr a;
	if (inet_pton(AF_INET, text, &a) != 1)
		return err_set(e, -EINVAL, "%s = '%s': not a dotted-quad IPv4 address", opt, text);
	*out = ntohl(a.s_addr);
	return 0;
}

long bm_proc_status_kb(unsigned long pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

volatile sig_atomic_t bm_stop_signal;

static void on_stop_signal(int sig)
{
	bm_stop_signal = sig;
}

void bm_catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
