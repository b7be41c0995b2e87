/* loadsess: many BGP sessions in one epoll loop; see loadsess.h. */
#include "bench/loadsess.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define LS_ATTR_MP_REACH 14
#define LS_ATTR_MP_UNREACH 15

uint32_t ls_source(uint32_t first, unsigned i)
{
	/* Step over x.x.x.0 and x.x.x.255: count the usable addresses from
	 * the first one, 254 per last-octet block. */
	uint32_t a = first;
	uint32_t left = i;
	for (;;) {
		uint32_t oct = a & 0xff;
		if (oct == 0 || oct == 255) {
			a++;
			continue;
		}
		uint32_t room = 255 - oct; /* usable addresses from a up to .254 */
		if (left < room)
			return a + left;
		left -= room;
		a += room + 2; /* past .255 to the next block's .1 */
	}
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void set_error(struct ls_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct ls_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
}

int ls_init(struct ls_loop *l, const struct ls_config *cfg, struct err *e)
{
	*l = (struct ls_loop){.cfg = *cfg, .epfd = -1};
	if ((uint64_t)cfg->count * cfg->per_session > cfg->total)
		return err_set(e, -EINVAL, "%u sessions x %u prefixes exceed the prefix space of %u", cfg->count,
			cfg->per_session, cfg->total);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return err_set(e, -errno, "epoll_create1: %s", strerror(errno));
	l->s = calloc(cfg->count, sizeof(*l->s));
	if (!l->s)
		return err_set(e, -ENOMEM, "out of memory for %u sessions", cfg->count);
	size_t words = (cfg->total + 63) / 64;
	for (unsigned i = 0; i < cfg->count; i++) {
		struct ls_session *s = &l->s[i];
		s->idx = i;
		s->fd = -1;
		s->src = ls_source(cfg->first_src, i);
		s->need = cfg->total - cfg->per_session;
		s->held = calloc(words ? words : 1, sizeof(uint64_t));
		if (!s->held)
			return err_set(e, -ENOMEM, "out of memory for session %u's prefix bitmap", i);
		int rc = bm_reader_init(&s->in, cfg->rbuf, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void ls_free(struct ls_loop *l)
{
	if (l->s) {
		for (unsigned i = 0; i < l->cfg.count; i++) {
			struct ls_session *s = &l->s[i];
			if (s->fd >= 0)
				close(s->fd);
			free(s->held);
			bm_reader_free(&s->in);
			bm_buf_free(&s->out);
		}
		free(l->s);
	}
	if (l->epfd >= 0)
		close(l->epfd);
	*l = (struct ls_loop){.epfd = -1};
}

static void forget_routes(const struct ls_loop *l, struct ls_session *s)
{
	memset(s->held, 0, (l->cfg.total + 63) / 64 * sizeof(uint64_t));
	s->nheld = 0;
	s->complete = false;
}

/* Drops the connection; the session reconnects after retry_ms. */
static void drop(struct ls_loop *l, struct ls_session *s)
{
	if (s->fd >= 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
		s->fd = -1;
	}
	s->state = LS_DOWN;
	s->out.len = 0;
	s->out_off = 0;
	s->in.start = s->in.end = 0;
	forget_routes(l, s);
	s->retry_at = bm_now() + l->cfg.retry_ms / 1000.0;
}

static void want_write(struct ls_loop *l, struct ls_session *s, bool on)
{
	struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.u32 = s->idx};
	epoll_ctl(l->epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Writes what the socket takes of s->out. */
static int flush(struct ls_loop *l, struct ls_session *s)
{
	while (s->out_off < s->out.len) {
		ssize_t w = write(s->fd, s->out.data + s->out_off, s->out.len - s->out_off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				want_write(l, s, true);
				return 0;
			}
			set_error(s, "write: %s", strerror(errno));
			return -errno;
		}
		s->out_off += (size_t)w;
	}
	s->out.len = s->out_off = 0;
	want_write(l, s, false);
	return 0;
}

static int queue_keepalive(struct ls_session *s)
{
	struct err e;
	return bm_encode_keepalive(&s->out, &e);
}

/* Our K prefixes in one UPDATE per 4096 bytes, then End-of-RIB. */
static int queue_routes(const struct ls_loop *l, struct ls_session *s)
{
	const struct ls_config *c = &l->cfg;
	struct err e;
	unsigned shift = 32 - c->length, plen = (c->length + 7) / 8;
	uint32_t p = s->idx * c->per_session, last = p + c->per_session;
	uint32_t nh = c->next_hop ? c->next_hop : s->src;
	while (p < last) {
		int rc = bm_buf_reserve(&s->out, BM_MAX_MSG, &e);
		if (rc < 0)
			return rc;
		size_t m = bm_begin_msg(&s->out, BM_UPDATE);
		bm_put16(&s->out, 0);
		bm_put16(&s->out, (uint16_t)(s->ibgp ? 4 + 3 + 7 + 7 : 4 + 9 + 7));
		bm_put8(&s->out, 0x40); /* ORIGIN IGP */
		bm_put8(&s->out, 1);
		bm_put8(&s->out, 1);
		bm_put8(&s->out, 0);
		bm_put8(&s->out, 0x40); /* AS_PATH: empty on iBGP, our AS on eBGP */
		bm_put8(&s->out, 2);
		if (s->ibgp) {
			bm_put8(&s->out, 0);
		} else {
			bm_put8(&s->out, 6);
			bm_put8(&s->out, 2);
			bm_put8(&s->out, 1);
			bm_put32(&s->out, c->as);
		}
		bm_put8(&s->out, 0x40); /* NEXT_HOP */
		bm_put8(&s->out, 3);
		bm_put8(&s->out, 4);
		bm_put32(&s->out, nh);
		if (s->ibgp) {
			bm_put8(&s->out, 0x40); /* LOCAL_PREF */
			bm_put8(&s->out, 5);
			bm_put8(&s->out, 4);
			bm_put32(&s->out, 100);
		}
		while (p < last && s->out.len + 1 + plen <= m + BM_MAX_MSG) {
			uint32_t a = c->base + (uint32_t)((uint64_t)p << shift);
			bm_put8(&s->out, (uint8_t)c->length);
			for (unsigned k = 0; k < plen; k++)
				bm_put8(&s->out, (uint8_t)(a >> (24 - 8 * k)));
			p++;
		}
		bm_end_msg(&s->out, m);
	}
	int rc = bm_buf_reserve(&s->out, 23, &e);
	if (rc < 0)
		return rc;
	size_t m = bm_begin_msg(&s->out, BM_UPDATE);
	bm_put16(&s->out, 0);
	bm_put16(&s->out, 0);
	bm_end_msg(&s->out, m);
	return 0;
}

void ls_start(struct ls_loop *l, unsigned i)
{
	struct ls_session *s = &l->s[i];
	if (s->fd >= 0)
		drop(l, s);
	s->retry_at = 0;
	s->connects++;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_error(s, "socket: %s", strerror(errno));
		drop(l, s);
		return;
	}
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(s->src)};
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(l->cfg.port),
		.sin_addr.s_addr = htonl(l->cfg.remote)};
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &src.sin_addr, a, sizeof(a));
		set_error(s, "bind to %s: %s", a, strerror(errno));
		close(fd);
		drop(l, s);
		return;
	}
	/* Small messages in both directions: no Nagle delay. */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->fd = fd;
	s->state = LS_CONNECTING;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = i};
	epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS) {
		set_error(s, "connect: %s", strerror(errno));
		drop(l, s);
	}
}

void ls_restart(struct ls_loop *l, unsigned i)
{
	struct ls_session *s = &l->s[i];
	if (s->fd >= 0 && s->state >= LS_OPENSENT) {
		/* Cease / Administrative Reset: the peer restarts the session at
		 * once instead of applying an error back-off. */
		static const uint8_t cease[21] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 21, BM_NOTIFICATION, 6, 4};
		ssize_t w = write(s->fd, cease, sizeof(cease));
		(void)w; /* best effort: the close tells the peer anyway */
	}
	drop(l, s);
}

/* Marks (announce) or clears one received prefix. */
static void note_prefix(const struct ls_loop *l, struct ls_session *s, const uint8_t *p, unsigned plen,
	bool announce)
{
	const struct ls_config *c = &l->cfg;
	if (plen != c->length)
		return;
	uint32_t a = 0;
	for (unsigned k = 0; k < (plen + 7) / 8; k++)
		a |= (uint32_t)p[k] << (24 - 8 * k);
	if (a < c->base)
		return;
	unsigned shift = 32 - c->length;
	uint64_t idx = (uint64_t)(a - c->base) >> shift;
	if (idx >= c->total)
		return;
	uint64_t own = (uint64_t)s->idx * c->per_session;
	if (idx >= own && idx < own + c->per_session)
		return;
	uint64_t bit = 1ull << (idx % 64);
	uint64_t *w = &s->held[idx / 64];
	if (announce && !(*w & bit)) {
		*w |= bit;
		s->nheld++;
	} else if (!announce && (*w & bit)) {
		*w &= ~bit;
		s->nheld--;
	}
}

/* Walks a list of IPv4 prefixes (NLRI or withdrawn routes). */
static int walk_prefixes(const struct ls_loop *l, struct ls_session *s, const uint8_t *p, size_t n, bool announce)
{
	while (n > 0) {
		unsigned plen = p[0];
		size_t bytes = (plen + 7) / 8;
		if (plen > 32 || 1 + bytes > n) {
			set_error(s, "UPDATE: bad IPv4 prefix length %u", plen);
			return -EBADMSG;
		}
		note_prefix(l, s, p + 1, plen, announce);
		if (announce)
			s->announced++;
		else
			s->withdrawn++;
		p += 1 + bytes;
		n -= 1 + bytes;
	}
	return 0;
}

/* MP_REACH / MP_UNREACH for IPv4 unicast (a peer may carry IPv4 there). */
static int walk_mp(const struct ls_loop *l, struct ls_session *s, uint8_t type, const uint8_t *v, size_t n)
{
	if (n < 3 || get16(v) != 1 || v[2] != 1)
		return 0;
	if (type == LS_ATTR_MP_UNREACH)
		return walk_prefixes(l, s, v + 3, n - 3, false);
	if (n < 5 || 5 + (size_t)v[3] > n) {
		set_error(s, "UPDATE: MP_REACH_NLRI next hop runs past the attribute");
		return -EBADMSG;
	}
	size_t off = 4 + (size_t)v[3] + 1;
	return walk_prefixes(l, s, v + off, n - off, true);
}

static int handle_update(struct ls_loop *l, struct ls_session *s, const uint8_t *msg, size_t len)
{
	double now = bm_now();
	const uint8_t *b = msg + BM_HEADER_LEN;
	size_t n = len - BM_HEADER_LEN;
	s->updates++;
	l->last_update = now;
	if (len == 23) {
		s->t_eor = now;
		return 0;
	}
	if (!s->t_first_update) /* the first with routes, not an End-of-RIB */
		s->t_first_update = now;
	if (n < 4 || 2 + (size_t)get16(b) + 2 > n) {
		set_error(s, "UPDATE: withdrawn routes length runs past the message");
		return -EBADMSG;
	}
	size_t wlen = get16(b);
	int rc = walk_prefixes(l, s, b + 2, wlen, false);
	if (rc < 0)
		return rc;
	size_t alen = get16(b + 2 + wlen);
	const uint8_t *a = b + 4 + wlen;
	if (4 + wlen + alen > n) {
		set_error(s, "UPDATE: path attributes length runs past the message");
		return -EBADMSG;
	}
	const uint8_t *end = a + alen;
	while (a < end) {
		if (end - a < 3) {
			set_error(s, "UPDATE: truncated attribute header");
			return -EBADMSG;
		}
		bool ext = a[0] & 0x10;
		size_t hl = ext ? 4 : 3;
		if ((size_t)(end - a) < hl) {
			set_error(s, "UPDATE: truncated attribute header");
			return -EBADMSG;
		}
		size_t vl = ext ? get16(a + 2) : a[2];
		if ((size_t)(end - a) < hl + vl) {
			set_error(s, "UPDATE: attribute %u runs past the attributes", a[1]);
			return -EBADMSG;
		}
		if (a[1] == LS_ATTR_MP_REACH || a[1] == LS_ATTR_MP_UNREACH) {
			rc = walk_mp(l, s, a[1], a + hl, vl);
			if (rc < 0)
				return rc;
		}
		a += hl + vl;
	}
	rc = walk_prefixes(l, s, end, n - 4 - wlen - alen, true);
	if (rc < 0)
		return rc;
	bool complete = s->nheld == s->need;
	if (complete && !s->complete)
		s->t_complete = now;
	s->complete = complete;
	return 0;
}

static int established(struct ls_loop *l, struct ls_session *s)
{
	double now = bm_now();
	s->state = LS_ESTABLISHED;
	s->t_established = now;
	s->next_ka = s->hold ? now + s->hold / 3.0 : 0;
	if (s->need == 0 && !s->complete) {
		s->complete = true;
		s->t_complete = now;
	}
	if (l->cfg.per_session) {
		int rc = queue_routes(l, s);
		if (rc < 0)
			return rc;
	}
	return flush(l, s);
}

static int handle_msg(struct ls_loop *l, struct ls_session *s, const uint8_t *msg, size_t len)
{
	struct err e;
	uint8_t type = msg[18];
	if (type == BM_NOTIFICATION) {
		bm_notification_err(msg, len, &e);
		set_error(s, "%s", e.msg);
		return -EPROTO;
	}
	switch (s->state) {
	case LS_OPENSENT: {
		struct bm_peer_open po;
		if (bm_decode_open(msg, len, &po, &e) < 0) {
			set_error(s, "%s", e.msg);
			return -EPROTO;
		}
		s->ibgp = po.as == l->cfg.as;
		s->hold = po.hold < l->cfg.hold ? po.hold : l->cfg.hold;
		s->state = LS_OPENCONFIRM;
		int rc = queue_keepalive(s);
		return rc < 0 ? rc : flush(l, s);
	}
	case LS_OPENCONFIRM:
		if (type == BM_KEEPALIVE)
			return established(l, s);
		if (type == BM_UPDATE) {
			int rc = established(l, s);
			return rc < 0 ? rc : handle_update(l, s, msg, len);
		}
		set_error(s, "message type %u in OpenConfirm", type);
		return -EPROTO;
	case LS_ESTABLISHED:
		return type == BM_UPDATE ? handle_update(l, s, msg, len) : 0;
	default:
		return 0;
	}
}

static int on_readable(struct ls_loop *l, struct ls_session *s)
{
	struct err e;
	for (;;) {
		long n = bm_reader_fill(&s->in, s->fd, &e);
		if (n < 0) {
			set_error(s, "%s", e.msg);
			return (int)n;
		}
		l->bytes_in += (uint64_t)n;
		const uint8_t *msg;
		size_t len;
		int rc;
		while ((rc = bm_reader_next(&s->in, &msg, &len, &e)) > 0) {
			rc = handle_msg(l, s, msg, len);
			if (rc < 0)
				return rc;
		}
		if (rc < 0) {
			set_error(s, "%s", e.msg);
			return rc;
		}
		if (n == 0)
			return 0;
	}
}

static int on_connected(struct ls_loop *l, struct ls_session *s)
{
	int err = 0;
	socklen_t sl = sizeof(err);
	getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &sl);
	if (err) {
		set_error(s, "connect: %s", strerror(err));
		return -err;
	}
	struct err e;
	s->state = LS_OPENSENT;
	int rc = bm_encode_open(&s->out, l->cfg.as, l->cfg.hold, s->src, &e);
	return rc < 0 ? rc : flush(l, s);
}

void ls_start_all(struct ls_loop *l)
{
	double now = bm_now();
	for (unsigned i = 0; i < l->cfg.count; i++)
		if (l->s[i].state == LS_DOWN)
			l->s[i].retry_at = now;
}

static void timers(struct ls_loop *l)
{
	double now = bm_now();
	unsigned pending = 0;
	for (unsigned i = 0; i < l->cfg.count; i++)
		pending += l->s[i].state != LS_DOWN && l->s[i].state != LS_ESTABLISHED;
	for (unsigned i = 0; i < l->cfg.count; i++) {
		struct ls_session *s = &l->s[i];
		if (s->state == LS_DOWN && s->retry_at > 0 && now >= s->retry_at) {
			if (l->cfg.max_pending && pending >= l->cfg.max_pending)
				continue;
			ls_start(l, i);
			pending += s->state != LS_DOWN;
		} else if (s->state == LS_ESTABLISHED && s->hold && now >= s->next_ka) {
			s->next_ka = now + s->hold / 3.0;
			if (queue_keepalive(s) < 0 || flush(l, s) < 0)
				drop(l, s);
		}
	}
}

int ls_poll(struct ls_loop *l, int timeout_ms, struct err *e)
{
	struct epoll_event evs[256];
	double until = bm_now() + timeout_ms / 1000.0;
	for (;;) {
		double left = until - bm_now();
		if (left <= 0)
			return 0;
		/* Wake at least every 50 ms for retries and KEEPALIVEs. */
		int wait = left > 0.05 ? 50 : (int)(left * 1000) + 1;
		int n = epoll_wait(l->epfd, evs, 256, wait);
		if (n < 0) {
			if (errno == EINTR)
				return 0;
			return err_set(e, -errno, "epoll_wait: %s", strerror(errno));
		}
		for (int k = 0; k < n; k++) {
			struct ls_session *s = &l->s[evs[k].data.u32];
			if (s->fd < 0)
				continue;
			int rc = 0;
			if (s->state == LS_CONNECTING) {
				if (evs[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					rc = on_connected(l, s);
			} else {
				if (evs[k].events & EPOLLOUT)
					rc = flush(l, s);
				if (rc == 0 && (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
					rc = on_readable(l, s);
			}
			if (rc < 0)
				drop(l, s);
		}
		timers(l);
	}
}

unsigned ls_count_complete(const struct ls_loop *l)
{
	unsigned n = 0;
	for (unsigned i = 0; i < l->cfg.count; i++)
		n += l->s[i].state == LS_ESTABLISHED && l->s[i].complete;
	return n;
}
