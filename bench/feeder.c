/* feeder: a BGP load generator that is never the bottleneck.
 *
 * It pre-encodes N IPv4 prefixes spread over A distinct attribute sets into
 * one buffer of UPDATE messages (plus End-of-RIB) before it connects, opens a
 * session (active or passive), writes the buffer as fast as the peer reads
 * it, and keeps the session up afterwards (KEEPALIVEs, discarding whatever
 * the peer sends). It prints one line per event with wall-clock timestamps
 * (CLOCK_REALTIME, comparable with other processes) and its own CPU time, so
 * a run limited by the feeder shows up in its numbers.
 *
 * Prefix p (0 <= p < N) is BASE + p * 2^(32-LEN)/LEN; attribute set j covers
 * the contiguous block [j*N/A, (j+1)*N/A) and carries ORIGIN IGP, AS_PATH
 * (our AS on eBGP, then 4200000000+j), NEXT_HOP, MED j and, on iBGP,
 * LOCAL_PREF 100. Each block is packed into as few 4096-byte UPDATEs as fit.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bgpmini.h"

struct feed_opts {
	const char *connect_to;
	const char *listen_on;
	const char *local;
	uint32_t local_as;
	uint32_t peer_as; /* 0: not given, assume eBGP */
	uint32_t router_id;
	uint32_t next_hop;
	bool have_next_hop;
	uint64_t prefixes;
	uint64_t attr_sets;
	uint32_t base;
	unsigned length;
	uint16_t hold;
	double linger; /* < 0: until the peer closes or a signal */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: feeder (--connect IP[:PORT] | --listen IP[:PORT]) [options]\n"
		"  --local IP          source address for --connect (also the default next hop)\n"
		"  --as N              our AS (default 65000)\n"
		"  --peer-as N         the peer's AS; equal to --as means iBGP (default: any, eBGP)\n"
		"  --router-id A.B.C.D BGP identifier (default 192.0.2.1)\n"
		"  --next-hop A.B.C.D  NEXT_HOP of every route (default: --local or --listen address)\n"
		"  --prefixes N        prefixes to announce (default 1000000)\n"
		"  --attr-sets A       distinct attribute sets (default 5000)\n"
		"  --base A.B.C.D      first prefix (default 16.0.0.0)\n"
		"  --length L          prefix length 8..32 (default 24)\n"
		"  --hold S            hold time we offer, 0 or 3..65535 (default 90)\n"
		"  --linger S          seconds to stay up after End-of-RIB (default: until closed)\n");
}

/* One attribute set; returns its length in out (at most 64 bytes). */
static size_t encode_attrs(const struct feed_opts *o, bool ibgp, uint32_t j, uint8_t *out)
{
	struct bm_buf b = {.data = out, .cap = 64};
	bm_put8(&b, 0x40); /* ORIGIN IGP */
	bm_put8(&b, 1);
	bm_put8(&b, 1);
	bm_put8(&b, 0);
	unsigned nas = ibgp ? 1 : 2;
	bm_put8(&b, 0x40); /* AS_PATH: one AS_SEQUENCE of 4-octet ASes */
	bm_put8(&b, 2);
	bm_put8(&b, (uint8_t)(2 + 4 * nas));
	bm_put8(&b, 2);
	bm_put8(&b, (uint8_t)nas);
	if (!ibgp)
		bm_put32(&b, o->local_as);
	bm_put32(&b, 4200000000u + j);
	bm_put8(&b, 0x40); /* NEXT_HOP */
	bm_put8(&b, 3);
	bm_put8(&b, 4);
	bm_put32(&b, o->next_hop);
	bm_put8(&b, 0x80); /* MULTI_EXIT_DISC */
	bm_put8(&b, 4);
	bm_put8(&b, 4);
	bm_put32(&b, j);
	if (ibgp) {
		bm_put8(&b, 0x40); /* LOCAL_PREF */
		bm_put8(&b, 5);
		bm_put8(&b, 4);
		bm_put32(&b, 100);
	}
	return b.len;
}

/* Builds every UPDATE and the End-of-RIB into feed; counts messages. */
static int build_feed(const struct feed_opts *o, struct bm_buf *feed, uint64_t *updates, struct err *e)
{
	bool ibgp = o->peer_as && o->peer_as == o->local_as;
	unsigned shift = 32 - o->length;
	unsigned plen = (o->length + 7) / 8;
	*updates = 0;
	for (uint64_t j = 0; j < o->attr_sets; j++) {
		uint64_t p = j * o->prefixes / o->attr_sets;
		uint64_t last = (j + 1) * o->prefixes / o->attr_sets;
		uint8_t attrs[64];
		size_t alen = encode_attrs(o, ibgp, (uint32_t)j, attrs);
		while (p < last) {
			int rc = bm_buf_reserve(feed, BM_MAX_MSG, e);
			if (rc < 0)
				return rc;
			size_t m = bm_begin_msg(feed, BM_UPDATE);
			bm_put16(feed, 0); /* no withdrawn routes */
			bm_put16(feed, (uint16_t)alen);
			bm_putmem(feed, attrs, alen);
			while (p < last && feed->len - m + 1 + plen <= BM_MAX_MSG) {
				uint32_t a = o->base + (uint32_t)(p << shift);
				bm_put8(feed, (uint8_t)o->length);
				for (unsigned k = 0; k < plen; k++)
					bm_put8(feed, (uint8_t)(a >> (24 - 8 * k)));
				p++;
			}
			bm_end_msg(feed, m);
			(*updates)++;
		}
	}
	int rc = bm_buf_reserve(feed, 23, e);
	if (rc < 0)
		return rc;
	size_t m = bm_begin_msg(feed, BM_UPDATE); /* End-of-RIB: an empty UPDATE */
	bm_put16(feed, 0);
	bm_put16(feed, 0);
	bm_end_msg(feed, m);
	return 0;
}

static int parse_args(int argc, char **argv, struct feed_opts *o, struct err *e)
{
	static const struct option longopts[] = {
		{"connect", required_argument, NULL, 'c'},  {"listen", required_argument, NULL, 'l'},
		{"local", required_argument, NULL, 'L'},    {"as", required_argument, NULL, 'a'},
		{"peer-as", required_argument, NULL, 'p'},  {"router-id", required_argument, NULL, 'r'},
		{"next-hop", required_argument, NULL, 'n'}, {"prefixes", required_argument, NULL, 'N'},
		{"attr-sets", required_argument, NULL, 'A'}, {"base", required_argument, NULL, 'b'},
		{"length", required_argument, NULL, 'P'},   {"hold", required_argument, NULL, 'H'},
		{"linger", required_argument, NULL, 'g'},   {"help", no_argument, NULL, 'h'},
		{0},
	};
	*o = (struct feed_opts){
		.local_as = 65000, .router_id = 0xc0000201, .prefixes = 1000000, .attr_sets = 5000,
		.base = 0x10000000, .length = 24, .hold = 90, .linger = -1,
	};
	int c, rc = 0;
	uint64_t v;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->connect_to = optarg; break;
		case 'l': o->listen_on = optarg; break;
		case 'L': o->local = optarg; break;
		case 'a': rc = bm_parse_u64("--as", optarg, 1, UINT32_MAX, &v, e); o->local_as = (uint32_t)v; break;
		case 'p': rc = bm_parse_u64("--peer-as", optarg, 1, UINT32_MAX, &v, e); o->peer_as = (uint32_t)v; break;
		case 'r': rc = bm_parse_ipv4("--router-id", optarg, &o->router_id, e); break;
		case 'n': rc = bm_parse_ipv4("--next-hop", optarg, &o->next_hop, e); o->have_next_hop = true; break;
		case 'N': rc = bm_parse_u64("--prefixes", optarg, 1, 1u << 24, &o->prefixes, e); break;
		case 'A': rc = bm_parse_u64("--attr-sets", optarg, 1, 1000000, &o->attr_sets, e); break;
		case 'b': rc = bm_parse_ipv4("--base", optarg, &o->base, e); break;
		case 'P': rc = bm_parse_u64("--length", optarg, 8, 32, &v, e); o->length = (unsigned)v; break;
		case 'H':
			rc = bm_parse_u64("--hold", optarg, 0, 65535, &v, e);
			if (rc == 0 && v > 0 && v < 3)
				rc = err_set(e, -EINVAL, "--hold = '%s': must be 0 or at least 3 (RFC 4271)", optarg);
			o->hold = (uint16_t)v;
			break;
		case 'g': rc = bm_parse_u64("--linger", optarg, 0, 86400, &v, e); o->linger = (double)v; break;
		case 'h': usage(stdout); return 1;
		default: return err_set(e, -EINVAL, "unknown option (see --help)");
		}
		if (rc < 0)
			return rc;
	}
	if (optind < argc)
		return err_set(e, -EINVAL, "unexpected argument '%s'", argv[optind]);
	if (!o->connect_to == !o->listen_on)
		return err_set(e, -EINVAL, "give exactly one of --connect and --listen");
	if (o->attr_sets > o->prefixes)
		return err_set(e, -EINVAL, "--attr-sets = %" PRIu64 " exceeds --prefixes = %" PRIu64, o->attr_sets,
			o->prefixes);
	unsigned shift = 32 - o->length;
	if (shift < 32 && (o->base & ((1u << shift) - 1)))
		return err_set(e, -EINVAL, "--base has host bits set for --length %u", o->length);
	if ((uint64_t)o->base + ((o->prefixes - 1) << shift) > UINT32_MAX)
		return err_set(e, -ERANGE, "%" PRIu64 " /%u prefixes from --base run past 255.255.255.255",
			o->prefixes, o->length);
	if (!o->have_next_hop) {
		const char *src = o->local ? o->local : o->listen_on;
		char host[16];
		size_t n = src ? strcspn(src, ":") : 0;
		if (!src || n >= sizeof(host) || strchr(src, '['))
			return err_set(e, -EINVAL, "--next-hop is required unless --local/--listen is an IPv4 address");
		memcpy(host, src, n);
		host[n] = 0;
		rc = bm_parse_ipv4("--next-hop (from the local address)", host, &o->next_hop, e);
	}
	return rc;
}

struct feeder {
	const struct feed_opts *o;
	int fd;
	struct bm_buf feed;
	size_t off;       /* next feed byte to write */
	size_t msg_start; /* the feed message containing off (or starting at it) */
	size_t msg_end;
	uint8_t ka[BM_HEADER_LEN];
	size_t ka_off; /* < sizeof(ka): a KEEPALIVE is being written */
	bool ka_due;
	double next_ka;
	double eor_sent;
	struct bm_reader in;
	uint64_t recv_updates;
	bool recv_eor;
};

static void advance_msg_end(struct feeder *f)
{
	while (f->off >= f->msg_end && f->msg_end < f->feed.len) {
		f->msg_start = f->msg_end;
		f->msg_end += (size_t)(f->feed.data[f->msg_end + 16] << 8 | f->feed.data[f->msg_end + 17]);
	}
}

static bool at_boundary(const struct feeder *f)
{
	return f->off == f->msg_start || f->off == f->feed.len;
}

/* Writes what the socket takes. A due KEEPALIVE goes in at the next message
 * boundary so it never splits an UPDATE. */
static int pump_out(struct feeder *f, struct err *e)
{
	for (;;) {
		const uint8_t *p;
		size_t n;
		bool ka = f->ka_off < sizeof(f->ka) || (f->ka_due && at_boundary(f));
		if (ka) {
			if (f->ka_off >= sizeof(f->ka)) {
				f->ka_off = 0;
				f->ka_due = false;
			}
			p = f->ka + f->ka_off;
			n = sizeof(f->ka) - f->ka_off;
		} else if (f->off < f->feed.len) {
			p = f->feed.data + f->off;
			n = (f->ka_due ? f->msg_end : f->feed.len) - f->off;
		} else {
			return 0;
		}
		ssize_t w = write(f->fd, p, n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return err_set(e, -errno, "write to peer: %s", strerror(errno));
		}
		if (ka) {
			f->ka_off += (size_t)w;
		} else {
			f->off += (size_t)w;
			advance_msg_end(f);
			if (f->off == f->feed.len) {
				f->eor_sent = bm_now();
				printf("feeder sent-eor t=%.6f bytes=%zu\n", f->eor_sent, f->feed.len);
				fflush(stdout);
			}
		}
	}
}

static int pump_in(struct feeder *f, struct err *e)
{
	long n = bm_reader_fill(&f->in, f->fd, e);
	if (n < 0)
		return (int)n;
	const uint8_t *msg;
	size_t len;
	int rc;
	while ((rc = bm_reader_next(&f->in, &msg, &len, e)) > 0) {
		if (msg[18] == BM_NOTIFICATION)
			return bm_notification_err(msg, len, e);
		if (msg[18] != BM_UPDATE)
			continue;
		f->recv_updates++;
		if (len == 23 && !f->recv_eor) {
			f->recv_eor = true;
			printf("feeder received-eor t=%.6f updates=%" PRIu64 "\n", bm_now(), f->recv_updates);
			fflush(stdout);
		}
	}
	return rc;
}

/* Connects, establishes, feeds, lingers. Returns 0 (linger over or a
 * signal), 1 (the peer closed after the whole feed) or a negative error. */
static int run(struct feeder *f, struct err *e)
{
	const struct feed_opts *o = f->o;
	struct bm_buf open = {0};
	int rc = bm_encode_open(&open, o->local_as, o->hold, o->router_id, e);
	if (rc < 0)
		return rc;
	f->fd = o->connect_to ? bm_connect(o->connect_to, o->local, e) : bm_accept_one(o->listen_on, e);
	if (f->fd < 0) {
		bm_buf_free(&open);
		return f->fd;
	}
	printf("feeder connected t=%.6f\n", bm_now());
	struct bm_peer_open peer;
	rc = bm_handshake(f->fd, &open, &f->in, &peer, 30000, e);
	bm_buf_free(&open);
	if (rc < 0)
		return rc;
	if (o->peer_as && peer.as != o->peer_as)
		return err_set(e, -EPROTO, "peer AS is %u, --peer-as says %u", peer.as, o->peer_as);
	if (!o->peer_as && peer.as == o->local_as)
		return err_set(e, -EPROTO, "peer AS %u equals ours: give --peer-as for iBGP (LOCAL_PREF, AS_PATH)",
			peer.as);
	unsigned hold = peer.hold < o->hold ? peer.hold : o->hold;
	double now = bm_now();
	printf("feeder established t=%.6f peer_as=%u hold=%u mp_ipv4=%d\n", now, peer.as, hold, peer.mp_ipv4);
	fflush(stdout);
	rc = bm_set_nonblock(f->fd, e);
	if (rc < 0)
		return rc;
	f->next_ka = hold ? now + hold / 3.0 : 0;
	while (!bm_stop_signal) {
		now = bm_now();
		if (hold && now >= f->next_ka) {
			f->ka_due = true;
			f->next_ka = now + hold / 3.0;
		}
		if (o->linger >= 0 && f->eor_sent > 0 && now >= f->eor_sent + o->linger)
			return 0;
		rc = pump_out(f, e);
		if (rc < 0)
			return rc;
		struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
		if (f->off < f->feed.len || f->ka_due || f->ka_off < sizeof(f->ka))
			pfd.events |= POLLOUT;
		int timeout = 1000;
		if (hold)
			timeout = (int)((f->next_ka - now) * 1000) + 1;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			return err_set(e, -errno, "poll: %s", strerror(errno));
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			rc = pump_in(f, e);
			/* A peer that hangs up after the whole feed (the sink) ends
			 * the run normally. */
			if (rc == -ECONNRESET && f->eor_sent > 0)
				return 1;
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {""};
	struct feed_opts o;
	int rc = parse_args(argc, argv, &o, &e);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "feeder: %s\n", e.msg);
		return rc < 0 ? 2 : 0;
	}
	bm_catch_signals();

	struct feeder f = {.o = &o, .fd = -1, .ka_off = BM_HEADER_LEN};
	memset(f.ka, 0xff, 16);
	f.ka[17] = BM_HEADER_LEN;
	f.ka[18] = BM_KEEPALIVE;
	double t0 = bm_now();
	uint64_t updates;
	rc = build_feed(&o, &f.feed, &updates, &e);
	if (rc == 0)
		rc = bm_reader_init(&f.in, 1 << 20, &e);
	if (rc == 0) {
		f.msg_end = (size_t)(f.feed.data[16] << 8 | f.feed.data[17]);
		printf("feeder prepared prefixes=%" PRIu64 " attr_sets=%" PRIu64 " updates=%" PRIu64
		       " bytes=%zu seconds=%.3f\n",
			o.prefixes, o.attr_sets, updates + 1, f.feed.len, bm_now() - t0);
		fflush(stdout);
		rc = run(&f, &e);
	}
	double user, sys;
	bm_cpu(&user, &sys);
	printf("feeder done t=%.6f sent=%zu/%zu received=%" PRIu64 " recv_updates=%" PRIu64
	       " user=%.3f sys=%.3f result=%s\n",
		bm_now(), f.off, f.feed.len, f.in.bytes, f.recv_updates, user, sys,
		rc < 0 ? "error" : rc == 1 ? "closed" : bm_stop_signal ? "signal" : "ok");
	if (rc < 0)
		fprintf(stderr, "feeder: %s\n", e.msg);
	if (f.fd >= 0)
		close(f.fd);
	bm_buf_free(&f.feed);
	bm_reader_free(&f.in);
	return rc < 0 ? 1 : 0;
}
