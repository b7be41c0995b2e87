/* sink: the raw TCP floor for ingest benchmarks.
 *
 * It does the least a BGP peer can do: answers the OPEN (offering hold time
 * 0, so no KEEPALIVEs are needed afterwards) and the KEEPALIVE, then reads
 * and discards everything, cutting the stream into messages only to spot
 * the End-of-RIB (an empty UPDATE). The time from the session coming up to
 * the End-of-RIB is what reading the same bytes costs with no BGP work at
 * all; a speaker's ingest time is compared against it.
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

struct sink_opts {
	const char *connect_to;
	const char *listen_on;
	const char *local;
	uint32_t as;
	uint32_t router_id;
	uint16_t hold;
	bool exit_on_eor;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sink (--listen IP[:PORT] | --connect IP[:PORT]) [options]\n"
		"  --local IP          source address for --connect\n"
		"  --as N              our AS (default 65100)\n"
		"  --router-id A.B.C.D BGP identifier (default 192.0.2.2)\n"
		"  --hold S            hold time we offer (default 0: no keepalives at all)\n"
		"  --exit-on-eor       exit as soon as the End-of-RIB has been read\n");
}

static int parse_args(int argc, char **argv, struct sink_opts *o, struct err *e)
{
	static const struct option longopts[] = {
		{"listen", required_argument, NULL, 'l'}, {"connect", required_argument, NULL, 'c'},
		{"local", required_argument, NULL, 'L'},  {"as", required_argument, NULL, 'a'},
		{"router-id", required_argument, NULL, 'r'}, {"hold", required_argument, NULL, 'H'},
		{"exit-on-eor", no_argument, NULL, 'x'},  {"help", no_argument, NULL, 'h'},
		{0},
	};
	*o = (struct sink_opts){.as = 65100, .router_id = 0xc0000202};
	int c, rc = 0;
	uint64_t v;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o->listen_on = optarg; break;
		case 'c': o->connect_to = optarg; break;
		case 'L': o->local = optarg; break;
		case 'a': rc = bm_parse_u64("--as", optarg, 1, UINT32_MAX, &v, e); o->as = (uint32_t)v; break;
		case 'r': rc = bm_parse_ipv4("--router-id", optarg, &o->router_id, e); break;
		case 'H':
			rc = bm_parse_u64("--hold", optarg, 0, 65535, &v, e);
			if (rc == 0 && v > 0 && v < 3)
				rc = err_set(e, -EINVAL, "--hold = '%s': must be 0 or at least 3 (RFC 4271)", optarg);
			o->hold = (uint16_t)v;
			break;
		case 'x': o->exit_on_eor = true; break;
		case 'h': usage(stdout); return 1;
		default: return err_set(e, -EINVAL, "unknown option (see --help)");
		}
		if (rc < 0)
			return rc;
	}
	if (optind < argc)
		return err_set(e, -EINVAL, "unexpected argument '%s'", argv[optind]);
	if (!o->connect_to == !o->listen_on)
		return err_set(e, -EINVAL, "give exactly one of --listen and --connect");
	return 0;
}

struct sink_stats {
	uint64_t updates;
	double established;
	double first_update;
	double eor;
};

/* Reads until End-of-RIB (then returns 1 with exit_on_eor), EOF or a signal. */
static int drain(int fd, const struct sink_opts *o, struct bm_reader *r, struct sink_stats *st, struct err *e)
{
	for (;;) {
		const uint8_t *msg;
		size_t len;
		int rc;
		while ((rc = bm_reader_next(r, &msg, &len, e)) > 0) {
			if (msg[18] == BM_NOTIFICATION)
				return bm_notification_err(msg, len, e);
			if (msg[18] != BM_UPDATE)
				continue;
			if (st->updates++ == 0)
				st->first_update = bm_now();
			if (len == 23 && st->eor == 0) {
				st->eor = bm_now();
				printf("sink eor t=%.6f updates=%" PRIu64 " bytes=%" PRIu64 "\n", st->eor, st->updates,
					r->bytes - (r->end - r->start));
				fflush(stdout);
				if (o->exit_on_eor)
					return 1;
			}
		}
		if (rc < 0)
			return rc;
		if (bm_stop_signal)
			return 0;
		/* Blocking reads: the socket stays blocking so the loop costs one
		 * read() per buffer refill and nothing else. */
		long n = bm_reader_fill(r, fd, e);
		if (n == -ECONNRESET)
			return 0;
		if (n < 0)
			return (int)n;
	}
}

int main(int argc, char **argv)
{
	struct err e = {""};
	struct sink_opts o;
	int rc = parse_args(argc, argv, &o, &e);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "sink: %s\n", e.msg);
		return rc < 0 ? 2 : 0;
	}
	bm_catch_signals();

	struct bm_buf open = {0};
	struct bm_reader r = {0};
	struct sink_stats st = {0};
	int fd = -1;
	rc = bm_encode_open(&open, o.as, o.hold, o.router_id, &e);
	if (rc == 0)
		rc = bm_reader_init(&r, 4 << 20, &e);
	if (rc == 0) {
		fd = o.connect_to ? bm_connect(o.connect_to, o.local, &e) : bm_accept_one(o.listen_on, &e);
		rc = fd < 0 ? fd : 0;
	}
	struct bm_peer_open peer;
	if (rc == 0)
		rc = bm_handshake(fd, &open, &r, &peer, 30000, &e);
	if (rc == 0) {
		st.established = bm_now();
		printf("sink established t=%.6f peer_as=%u\n", st.established, peer.as);
		fflush(stdout);
		rc = drain(fd, &o, &r, &st, &e);
	}
	double user, sys;
	bm_cpu(&user, &sys);
	printf("sink done t=%.6f bytes=%" PRIu64 " updates=%" PRIu64 " first_update=%.6f eor=%.6f user=%.3f "
	       "sys=%.3f result=%s\n",
		bm_now(), r.bytes, st.updates, st.first_update, st.eor, user, sys,
		rc < 0 ? "error" : st.eor > 0 ? "ok" : "no-eor");
	if (rc < 0)
		fprintf(stderr, "sink: %s\n", e.msg);
	if (fd >= 0)
		close(fd);
	bm_buf_free(&open);
	bm_reader_free(&r);
	return rc < 0 ? 1 : 0;
}
