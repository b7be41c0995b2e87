/* The session FSM driven end to end: a real speaker (RIB, sessions) on its
 * own libev loop, and the test playing the peer over loopback TCP or a
 * socketpair, speaking BGP with the wire codec. Timers run scaled down
 * (session_time_scale) so hold and keepalive expiries take milliseconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "speaker/session.h"
#include "speaker/speaker.h"
#include "speaker/wire.h"
#include "tests/unit/check.h"

#define PEER_ID 0x02020202u /* higher than ours (1.1.1.1) */

struct peer {
	int fd;
	uint8_t buf[1 << 17];
	size_t len;
	/* the last message taken */
	uint8_t type;
	uint8_t msg[BGP_EXT_MAX_MSG_LEN];
	size_t msg_len;
};

struct fixture {
	struct ev_loop *loop;
	struct speaker *sp;
	struct session *s;
	int lfd; /* where the session connects to */
	uint16_t port;
};

/* --- the loop ----------------------------------------------------------- */

static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

/* Runs the loop until cond(arg) or secs pass. */
static bool run_until(struct fixture *fx, bool (*cond)(struct fixture *, void *), void *arg,
		      double secs)
{
	ev_timer tick;
	ev_tstamp end;
	bool ok = false;

	ev_timer_init(&tick, tick_cb, 0.002, 0.002);
	ev_timer_start(fx->loop, &tick);
	ev_now_update(fx->loop);
	end = ev_now(fx->loop) + secs;
	while (ev_now(fx->loop) < end) {
		if (cond(fx, arg)) {
			ok = true;
			break;
		}
		ev_run(fx->loop, EVRUN_ONCE);
	}
	ev_timer_stop(fx->loop, &tick);
	return ok;
}

static bool in_state(struct fixture *fx, void *arg)
{
	return fx->s->state == *(enum session_state *)arg;
}

static bool wait_state(struct fixture *fx, enum session_state st, double secs)
{
	return run_until(fx, in_state, &st, secs);
}

/* --- the test's side of the connection ---------------------------------- */

/* Takes one complete message into p->msg if there is one. */
static bool peer_take(struct peer *p)
{
	ssize_t n = read(p->fd, p->buf + p->len, sizeof(p->buf) - p->len);
	size_t len;

	if (n > 0)
		p->len += (size_t)n;
	if (p->len < BGP_HEADER_LEN)
		return false;
	len = (size_t)p->buf[16] << 8 | p->buf[17];
	if (len < BGP_HEADER_LEN || p->len < len)
		return false;
	p->type = p->buf[18];
	memcpy(p->msg, p->buf, len);
	p->msg_len = len;
	memmove(p->buf, p->buf + len, p->len - len);
	p->len -= len;
	return true;
}

struct want {
	struct peer *p;
	uint8_t type;
};

static bool got_type(struct fixture *fx, void *arg)
{
	struct want *w = arg;

	(void)fx;
	while (peer_take(w->p))
		if (w->p->type == w->type)
			return true;
	return false;
}

/* Waits until the peer receives a message of type (others are skipped). */
static bool expect(struct fixture *fx, struct peer *p, uint8_t type)
{
	struct want w = { p, type };

	return run_until(fx, got_type, &w, 2.0);
}

static bool peer_closed(struct fixture *fx, void *arg)
{
	struct peer *p = arg;
	char buf[4096];
	ssize_t n;

	(void)fx;
	while ((n = read(p->fd, buf, sizeof(buf))) > 0)
		; /* unread messages are not the end */
	return n == 0 || (n < 0 && errno != EAGAIN);
}

static void peer_send(struct peer *p, const uint8_t *msg, size_t len)
{
	CHECK_INT(write(p->fd, msg, len), (long long)len);
}

static void peer_open(struct peer *p, uint32_t as, uint32_t id, uint16_t hold, bool gr)
{
	struct bgp_open o;
	uint8_t buf[BGP_MAX_MSG_LEN];
	size_t len;
	struct err e;

	wire_open_init(&o, as, hold, id);
	o.caps.mp_seen = true;
	o.caps.mp[BGP_FAM_IPV4] = true;
	if (gr) {
		o.caps.gr = true;
		o.caps.gr_time = 1;
		o.caps.gr_fam[BGP_FAM_IPV4] = true;
		o.caps.gr_fwd[BGP_FAM_IPV4] = true;
	}
	CHECK_INT(wire_encode_open(&o, buf, sizeof(buf), &len, &e), 0);
	peer_send(p, buf, len);
}

static void peer_keepalive(struct peer *p)
{
	uint8_t buf[BGP_HEADER_LEN];

	wire_encode_keepalive(buf, sizeof(buf));
	peer_send(p, buf, sizeof(buf));
}

static void peer_close(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->len = 0;
}

static void notification_of(struct peer *p, uint8_t *code, uint8_t *sub)
{
	struct bgp_notification n;
	struct wire_err we;

	*code = *sub = 0;
	if (p->type == BGP_MSG_NOTIFICATION &&
	    wire_decode_notification(p->msg, p->msg_len, &n, &we) == WIRE_OK) {
		*code = n.code;
		*sub = n.subcode;
	}
}

/* Waits for a NOTIFICATION and checks its code and subcode. */
static void expect_notification(struct fixture *fx, struct peer *p, uint8_t code, uint8_t sub,
				const char *what)
{
	uint8_t c, sc;

	if (!expect(fx, p, BGP_MSG_NOTIFICATION)) {
		CHECK_MSG(0, what);
		return;
	}
	notification_of(p, &c, &sc);
	check_report(c == code && sc == sub, what, __FILE__, __LINE__);
	if (c != code || sc != sub)
		printf("#   got %u/%u, want %u/%u\n", c, sc, code, sub);
}

/* --- fixture ------------------------------------------------------------ */

static void setup(struct fixture *fx, const char *extra)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct peering_plan *plan = NULL;
	struct err e = { "" };
	char text[1024];
	json_t *doc;
	int one = 1;

	memset(fx, 0, sizeof(*fx));
	fx->loop = ev_loop_new(EVFLAG_AUTO);
	fx->lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fx->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fx->lfd, (struct sockaddr *)&sa, sizeof(sa));
	listen(fx->lfd, 4);
	getsockname(fx->lfd, (struct sockaddr *)&sa, &sl);
	fx->port = ntohs(sa.sin_port);
	snprintf(text, sizeof(text),
		 "{\"routerID\":\"1.1.1.1\",\"asNumber\":65001,\"ipv4Address\":\"10.0.0.1\","
		 "\"listenPort\":0,\"sessions\":[{\"name\":\"t\",\"peerIP\":\"127.0.0.1\","
		 "\"port\":%u,\"peerASNumber\":65002%s}],"
		 "\"routes\":[{\"prefix\":\"10.1.0.0/24\"}]}",
		 fx->port, extra);
	doc = json_loads(text, 0, NULL);
	CHECK_INT(peering_plan_parse(doc, &plan, &e), 0);
	json_decref(doc);
	CHECK_INT(speaker_new(fx->loop, plan, false, &fx->sp, &e), 0);
	CHECK_INT(speaker_apply(fx->sp, plan, NULL, &e), 0);
	fx->s = fx->sp->sessions[0];
}

static void teardown(struct fixture *fx)
{
	speaker_free(fx->sp);
	close(fx->lfd);
	ev_loop_destroy(fx->loop);
}

static bool accepted(struct fixture *fx, void *arg)
{
	struct peer *p = arg;

	p->fd = accept4(fx->lfd, NULL, NULL, SOCK_NONBLOCK);
	return p->fd >= 0;
}

/* Accepts the session's outgoing connection and waits for its OPEN. */
static bool accept_session(struct fixture *fx, struct peer *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	fcntl(fx->lfd, F_SETFL, O_NONBLOCK);
	if (!run_until(fx, accepted, p, 2.0))
		return false;
	return expect(fx, p, BGP_MSG_OPEN);
}

/* Brings the session to Established over an outgoing connection. */
static bool establish(struct fixture *fx, struct peer *p, uint16_t hold, bool gr)
{
	if (!accept_session(fx, p))
		return false;
	peer_open(p, 65002, PEER_ID, hold, gr);
	peer_keepalive(p);
	return wait_state(fx, SESSION_ESTABLISHED, 2.0);
}

/* --- tests -------------------------------------------------------------- */

static void test_active_open(void)
{
	struct fixture fx;
	struct peer p;
	struct bgp_open o;
	struct wire_err we;

	setup(&fx, "");
	CHECK_INT(fx.s->state, SESSION_CONNECT); /* started: connecting */
	CHECK(accept_session(&fx, &p));
	CHECK_INT(fx.s->state, SESSION_OPENSENT);
	CHECK_INT(wire_decode_open(p.msg, p.msg_len, &o, &we), WIRE_OK);
	CHECK_INT(wire_open_as(&o), 65001);
	CHECK_INT(o.bgp_id, 0x01010101);
	CHECK_INT(o.hold_time, 240);
	CHECK(o.caps.as4 && o.caps.route_refresh && o.caps.gr && o.caps.ext_msg);
	CHECK_INT(o.caps.add_path[BGP_FAM_IPV4], WIRE_ADDPATH_RECEIVE | WIRE_ADDPATH_SEND);
	CHECK(!o.caps.gr_restarting);
	peer_open(&p, 65002, PEER_ID, 90, false);
	CHECK(expect(&fx, &p, BGP_MSG_KEEPALIVE));
	CHECK_INT(fx.s->state, SESSION_OPENCONFIRM);
	CHECK_INT(fx.s->ctx.hold_time, 90); /* the smaller offer */
	peer_keepalive(&p);
	CHECK(wait_state(&fx, SESSION_ESTABLISHED, 1.0));
	/* initial dump: our route, then End-of-RIB */
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE));
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE));
	CHECK(fx.s->eor_sent[BGP_FAM_IPV4]);
	/* Stop: Cease / administrative shutdown, Idle, no restart */
	session_stop(fx.s, 0);
	expect_notification(&fx, &p, BGP_ERR_CEASE, WIRE_CEASE_ADMIN_SHUTDOWN, "stop sends Cease");
	CHECK_INT(fx.s->state, SESSION_IDLE);
	CHECK(!ev_is_active(&fx.s->connect_retry));
	peer_close(&p);
	teardown(&fx);
}

static void test_timers(void)
{
	struct fixture fx;
	struct peer p;
	int keepalives = 0;

	session_time_scale = 0.01; /* hold 3 s -> 30 ms, keepalive 1 s -> 10 ms */
	setup(&fx, "");
	CHECK(establish(&fx, &p, 3, false));
	CHECK_INT(fx.s->ctx.hold_time, 3);
	/* we keep the session alive; the speaker sends keepalives */
	for (int i = 0; i < 10; i++) {
		if (expect(&fx, &p, BGP_MSG_KEEPALIVE))
			keepalives++;
		peer_keepalive(&p);
	}
	CHECK_MSG(keepalives == 10, "keepalives every hold/3");
	CHECK_INT(fx.s->state, SESSION_ESTABLISHED);
	/* now silence: the hold timer expires */
	expect_notification(&fx, &p, BGP_ERR_HOLD_TIMER, 0, "hold timer expiry notifies");
	CHECK_INT(fx.s->state, SESSION_IDLE);
	CHECK_STR(fx.s->last_error, "BGP Error: Hold timer expired");
	CHECK_INT(fx.s->cnt.flaps, 1);
	peer_close(&p);
	/* idle hold, then an automatic restart connects again */
	CHECK(wait_state(&fx, SESSION_CONNECT, 1.0) || fx.s->state == SESSION_OPENSENT);
	teardown(&fx);
	session_time_scale = 1.0;
}

static void test_keepalive_time(void)
{
	struct fixture fx;
	struct peer p;
	ev_tstamp t0;

	session_time_scale = 0.01;
	setup(&fx, ",\"keepaliveTime\":2,\"holdTime\":60");
	CHECK(establish(&fx, &p, 90, false));
	CHECK_INT(fx.s->ctx.hold_time, 60);
	ev_now_update(fx.loop);
	t0 = ev_now(fx.loop);
	CHECK(expect(&fx, &p, BGP_MSG_KEEPALIVE));
	CHECK(expect(&fx, &p, BGP_MSG_KEEPALIVE));
	ev_now_update(fx.loop);
	/* two keepalives at 2 s (20 ms scaled), far below hold/3 = 20 s */
	CHECK_MSG(ev_now(fx.loop) - t0 < 0.15, "keepaliveTime honoured");
	peer_close(&p);
	teardown(&fx);
	session_time_scale = 1.0;
}

static void test_open_errors(void)
{
	struct fixture fx;
	struct peer p;
	uint8_t bad[BGP_HEADER_LEN];

	setup(&fx, "");
	/* KEEPALIVE before OPEN in OpenSent: FSM error 5/1 */
	CHECK(accept_session(&fx, &p));
	peer_keepalive(&p);
	expect_notification(&fx, &p, BGP_ERR_FSM, 1, "unexpected KEEPALIVE in OpenSent");
	CHECK_INT(fx.s->state, SESSION_IDLE);
	peer_close(&p);
	session_stop(fx.s, 0);

	/* wrong peer AS: OPEN error / Bad Peer AS */
	session_start(fx.s);
	CHECK(accept_session(&fx, &p));
	peer_open(&p, 65099, PEER_ID, 90, false);
	expect_notification(&fx, &p, BGP_ERR_OPEN, WIRE_OPEN_BAD_PEER_AS, "bad peer AS");
	CHECK_STR(fx.s->last_error, "BGP Error: Bad Peer AS");
	peer_close(&p);
	session_stop(fx.s, 0);

	/* broken marker: header error / connection not synchronized */
	session_start(fx.s);
	CHECK(accept_session(&fx, &p));
	memset(bad, 0xff, sizeof(bad));
	bad[0] = 0;
	bad[16] = 0;
	bad[17] = BGP_HEADER_LEN;
	bad[18] = BGP_MSG_KEEPALIVE;
	peer_send(&p, bad, sizeof(bad));
	expect_notification(&fx, &p, BGP_ERR_HEADER, WIRE_HDR_NOT_SYNCHRONIZED, "bad marker");
	peer_close(&p);
	session_stop(fx.s, 0);

	/* OPEN again in OpenConfirm: FSM error 5/2 */
	session_start(fx.s);
	CHECK(accept_session(&fx, &p));
	peer_open(&p, 65002, PEER_ID, 90, false);
	CHECK(wait_state(&fx, SESSION_OPENCONFIRM, 1.0));
	peer_open(&p, 65002, PEER_ID, 90, false);
	expect_notification(&fx, &p, BGP_ERR_FSM, 2, "OPEN in OpenConfirm");
	peer_close(&p);

	/* peer closes in OpenSent: back to Active, retry later */
	session_stop(fx.s, 0);
	session_start(fx.s);
	CHECK(accept_session(&fx, &p));
	peer_close(&p);
	CHECK(wait_state(&fx, SESSION_ACTIVE, 1.0));
	CHECK(ev_is_active(&fx.s->connect_retry));
	teardown(&fx);
}

/* A failed attempt is retried after SESSION_RETRY_FIRST, doubling up to
 * SESSION_CONNECT_RETRY, each with 0.75..1 jitter; Established resets it. */
static void test_retry_backoff(void)
{
	struct fixture fx;
	struct peer p;
	double want = SESSION_RETRY_FIRST;

	setup(&fx, "");
	for (int i = 0; i < 7; i++) {
		double left;
		char why[128];

		CHECK(accept_session(&fx, &p));
		peer_close(&p);
		CHECK(wait_state(&fx, SESSION_ACTIVE, 1.0));
		CHECK(ev_is_active(&fx.s->connect_retry));
		left = ev_timer_remaining(fx.loop, &fx.s->connect_retry);
		snprintf(why, sizeof(why), "retry %d: %.3f s left, want %.3f..%.3f s", i, left,
			 want * 0.75, want);
		CHECK_MSG(left <= want + 0.01 && left >= want * 0.75 - 0.05, why);
		/* Fire it now rather than waiting seconds. */
		ev_timer_stop(fx.loop, &fx.s->connect_retry);
		session_fsm(fx.s, SESSION_EV_CONNECT_RETRY);
		want = want * 2 > SESSION_CONNECT_RETRY ? SESSION_CONNECT_RETRY : want * 2;
	}
	CHECK(want == SESSION_CONNECT_RETRY); /* the loop reached the cap */
	CHECK(establish(&fx, &p, 90, false));
	CHECK_INT(fx.s->failed_attempts, 0);
	peer_close(&p);
	teardown(&fx);
}

static void test_updates(void)
{
	struct fixture fx;
	struct peer p;
	struct bgp_path_attrs pa;
	struct bgp_nexthop nh;
	struct bgp_prefix pfx;
	uint8_t buf[4096], path[6] = { 2, 1, 0, 0, 0xfd, 0xea }; /* AS_SEQUENCE 65002 */
	size_t used, len;
	struct err e;
	int n;

	setup(&fx, ",\"addPaths\":false");
	CHECK(establish(&fx, &p, 90, false));
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE)); /* our route */
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE)); /* End-of-RIB */
	memset(&pa, 0, sizeof(pa));
	pa.present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	pa.as_path = path;
	pa.as_path_len = sizeof(path);
	memset(&nh, 0, sizeof(nh));
	nh.family = BGP_FAM_IPV4;
	nh.addr[0] = 10, nh.addr[3] = 2;
	memcpy(pa.next_hop, nh.addr, 4);
	memset(&pfx, 0, sizeof(pfx));
	pfx.family = BGP_FAM_IPV4;
	pfx.len = 24;
	pfx.addr[0] = 10, pfx.addr[1] = 9;
	CHECK_INT(wire_encode_update(&fx.s->ctx, BGP_FAM_IPV4, &pa, &nh, &pfx, 1, buf, sizeof(buf),
				     &used, &len, &e),
		  0);
	peer_send(&p, buf, len);
	n = wire_encode_eor(BGP_FAM_IPV4, buf, sizeof(buf));
	peer_send(&p, buf, (size_t)n);
	{
		struct rib_peer_stats st;
		bool ok = false;

		for (int i = 0; i < 200 && !ok; i++) {
			ev_run(fx.loop, EVRUN_NOWAIT);
			usleep(1000);
			rib_peer_stats(fx.sp->rib, fx.s->rib_peer, &st);
			ok = st.received == 1 && fx.s->eor_received[BGP_FAM_IPV4];
		}
		CHECK_MSG(ok, "announced prefix reaches the RIB, End-of-RIB noted");
		CHECK_INT(rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4), 2);
	}
	/* ROUTE-REFRESH: the Adj-RIB-Out is sent again */
	n = wire_encode_route_refresh(BGP_FAM_IPV4, WIRE_RR_NORMAL, buf, sizeof(buf));
	peer_send(&p, buf, (size_t)n);
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE));
	{
		struct wire_err we;

		/* (our next hop is 127.0.0.1 here, which a decoder refuses) */
		CHECK(wire_decode_update(&fx.s->ctx, p.msg, p.msg_len, fx.sp->upd, &we) >= 0);
		CHECK_INT(fx.sp->upd->n_reach, 1);
	}
	/* a malformed UPDATE (withdrawn length overruns): NOTIFICATION 3/1 */
	{
		uint8_t upd[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				  0xff, 0xff, 0xff, 0xff, 0,	23,   2,    0,	  10,	0,    0 };
		uint8_t c, sc;

		peer_send(&p, upd, sizeof(upd));
		CHECK(expect(&fx, &p, BGP_MSG_NOTIFICATION));
		notification_of(&p, &c, &sc);
		CHECK_INT(c, BGP_ERR_UPDATE);
	}
	CHECK_INT(fx.s->state, SESSION_IDLE);
	CHECK(strstr(fx.s->last_error, "BGP Error") != NULL);
	peer_close(&p);
	teardown(&fx);
}

static void test_collision(void)
{
	struct fixture fx;
	struct peer out, in;
	int sv[2];

	/* The peer's identifier is higher: its connection (the incoming one)
	 * wins, ours gets Cease / connection collision. */
	setup(&fx, "");
	CHECK(accept_session(&fx, &out));
	CHECK_INT(fx.s->state, SESSION_OPENSENT);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&in, 0, sizeof(in));
	in.fd = sv[0];
	session_accept(fx.s, sv[1]);
	CHECK(fx.s->pending.fd >= 0);
	CHECK(expect(&fx, &in, BGP_MSG_OPEN)); /* our OPEN on the second connection */
	peer_open(&in, 65002, PEER_ID, 90, false);
	expect_notification(&fx, &out, BGP_ERR_CEASE, WIRE_CEASE_COLLISION,
			    "higher remote id: our connection closed");
	CHECK(expect(&fx, &in, BGP_MSG_KEEPALIVE));
	CHECK_INT(fx.s->state, SESSION_OPENCONFIRM);
	CHECK(!fx.s->conn.outgoing);
	peer_keepalive(&in);
	CHECK(wait_state(&fx, SESSION_ESTABLISHED, 1.0));
	/* Established: a further connection is refused (no GR capability) */
	{
		struct peer third;

		CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
		memset(&third, 0, sizeof(third));
		third.fd = sv[0];
		session_accept(fx.s, sv[1]);
		CHECK(expect(&fx, &third, BGP_MSG_OPEN));
		peer_open(&third, 65002, PEER_ID, 90, false);
		expect_notification(&fx, &third, BGP_ERR_CEASE, WIRE_CEASE_COLLISION,
				    "collision while Established closes the new connection");
		CHECK_INT(fx.s->state, SESSION_ESTABLISHED);
		peer_close(&third);
	}
	peer_close(&out);
	peer_close(&in);
	teardown(&fx);

	/* The peer's identifier is lower: our outgoing connection stays. */
	setup(&fx, "");
	CHECK(accept_session(&fx, &out));
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&in, 0, sizeof(in));
	in.fd = sv[0];
	session_accept(fx.s, sv[1]);
	CHECK(expect(&fx, &in, BGP_MSG_OPEN));
	peer_open(&in, 65002, 0x00000009, 90, false);
	expect_notification(&fx, &in, BGP_ERR_CEASE, WIRE_CEASE_COLLISION,
			    "lower remote id: the new connection closed");
	CHECK(fx.s->conn.outgoing);
	CHECK(fx.s->pending.fd < 0);
	peer_close(&out);
	peer_close(&in);
	teardown(&fx);
}

static void test_passive_and_refuse(void)
{
	struct fixture fx;
	struct peer p;
	int sv[2];

	setup(&fx, ",\"passive\":true");
	CHECK_INT(fx.s->state, SESSION_ACTIVE);
	memset(&p, 0, sizeof(p));
	fcntl(fx.lfd, F_SETFL, O_NONBLOCK);
	CHECK(!run_until(&fx, accepted, &p, 0.2)); /* a passive session never connects */
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	p.fd = sv[0];
	session_accept(fx.s, sv[1]);
	CHECK_INT(fx.s->state, SESSION_OPENSENT);
	CHECK(expect(&fx, &p, BGP_MSG_OPEN));
	peer_close(&p);
	/* a stopped session refuses connections */
	session_stop(fx.s, 0);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	p.fd = sv[0];
	session_accept(fx.s, sv[1]);
	CHECK(run_until(&fx, peer_closed, &p, 1.0));
	CHECK_INT(fx.s->state, SESSION_IDLE);
	peer_close(&p);
	teardown(&fx);
}

static void test_graceful_restart(void)
{
	struct fixture fx;
	struct peer p;
	struct rib_peer_stats st;
	struct bgp_path_attrs pa;
	struct bgp_nexthop nh;
	struct bgp_prefix pfx;
	uint8_t buf[4096], path[6] = { 2, 1, 0, 0, 0xfd, 0xea };
	size_t used, len;
	struct err e;

	session_time_scale = 0.05; /* the peer's restart time 1 s -> 50 ms */
	setup(&fx, ",\"addPaths\":false");
	CHECK(establish(&fx, &p, 90, true));
	CHECK(fx.s->ctx.peer_gr);
	memset(&pa, 0, sizeof(pa));
	pa.present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	pa.as_path = path;
	pa.as_path_len = sizeof(path);
	memset(&nh, 0, sizeof(nh));
	nh.family = BGP_FAM_IPV4;
	nh.addr[0] = 10, nh.addr[3] = 2;
	memset(&pfx, 0, sizeof(pfx));
	pfx.family = BGP_FAM_IPV4;
	pfx.len = 24;
	pfx.addr[0] = 10, pfx.addr[1] = 9;
	CHECK_INT(wire_encode_update(&fx.s->ctx, BGP_FAM_IPV4, &pa, &nh, &pfx, 1, buf, sizeof(buf),
				     &used, &len, &e),
		  0);
	peer_send(&p, buf, len);
	for (int i = 0; i < 100; i++) {
		ev_run(fx.loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	rib_peer_stats(fx.sp->rib, fx.s->rib_peer, &st);
	CHECK_INT(st.received, 1);
	/* the peer's TCP session drops: its routes stay, marked stale */
	peer_close(&p);
	CHECK(wait_state(&fx, SESSION_IDLE, 1.0));
	for (int i = 0; i < 5; i++)
		ev_run(fx.loop, EVRUN_NOWAIT);
	rib_peer_stats(fx.sp->rib, fx.s->rib_peer, &st);
	CHECK_INT(st.stale, 1);
	CHECK(fx.s->stale_kept);
	CHECK_INT(rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4), 2);
	/* the restart time passes without the peer: the stale routes go */
	{
		bool gone = false;

		for (int i = 0; i < 400 && !gone; i++) {
			ev_run(fx.loop, EVRUN_NOWAIT);
			usleep(1000);
			gone = rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4) == 1;
		}
		CHECK_MSG(gone, "stale routes removed after the restart time");
	}
	teardown(&fx);
	session_time_scale = 1.0;
}

/* RFC 4724 §4.2: the peer restarts and reconnects while we still think the
 * old session is up: the new connection wins, the old routes turn stale and
 * the peer's End-of-RIB sweeps those it did not re-announce. */
static void test_peer_restart_reconnect(void)
{
	struct fixture fx;
	struct peer old, p;
	struct rib_peer_stats st;
	struct bgp_path_attrs pa;
	struct bgp_nexthop nh;
	struct bgp_prefix pfx;
	uint8_t buf[4096], path[6] = { 2, 1, 0, 0, 0xfd, 0xea };
	size_t used, len;
	struct err e;
	int sv[2], n;

	setup(&fx, ",\"addPaths\":false");
	CHECK(establish(&fx, &old, 90, true));
	memset(&pa, 0, sizeof(pa));
	pa.present = WIRE_ATTR_BIT(BGP_ATTR_ORIGIN) | WIRE_ATTR_BIT(BGP_ATTR_AS_PATH) |
		     WIRE_ATTR_BIT(BGP_ATTR_NEXT_HOP);
	pa.as_path = path;
	pa.as_path_len = sizeof(path);
	memset(&nh, 0, sizeof(nh));
	nh.family = BGP_FAM_IPV4;
	nh.addr[0] = 10, nh.addr[3] = 2;
	memset(&pfx, 0, sizeof(pfx));
	pfx.family = BGP_FAM_IPV4;
	pfx.len = 24;
	pfx.addr[0] = 10, pfx.addr[1] = 9;
	CHECK_INT(wire_encode_update(&fx.s->ctx, BGP_FAM_IPV4, &pa, &nh, &pfx, 1, buf, sizeof(buf),
				     &used, &len, &e),
		  0);
	peer_send(&old, buf, len);
	for (int i = 0; i < 50; i++) {
		ev_run(fx.loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	CHECK_INT(rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4), 2);
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	memset(&p, 0, sizeof(p));
	p.fd = sv[0];
	session_accept(fx.s, sv[1]);
	CHECK(expect(&fx, &p, BGP_MSG_OPEN));
	peer_open(&p, 65002, PEER_ID, 90, true);
	CHECK(expect(&fx, &p, BGP_MSG_KEEPALIVE));
	CHECK(run_until(&fx, peer_closed, &old, 1.0)); /* the old connection is gone */
	CHECK_INT(fx.s->state, SESSION_OPENCONFIRM);
	rib_peer_stats(fx.sp->rib, fx.s->rib_peer, &st);
	CHECK_INT(st.stale, 1);
	CHECK_INT(rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4), 2); /* still routed */
	peer_keepalive(&p);
	CHECK(wait_state(&fx, SESSION_ESTABLISHED, 1.0));
	n = wire_encode_eor(BGP_FAM_IPV4, buf, sizeof(buf));
	peer_send(&p, buf, (size_t)n);
	{
		bool gone = false;

		for (int i = 0; i < 300 && !gone; i++) {
			ev_run(fx.loop, EVRUN_NOWAIT);
			usleep(1000);
			gone = rib_prefix_count(fx.sp->rib, BGP_FAM_IPV4) == 1;
		}
		CHECK_MSG(gone, "End-of-RIB sweeps the routes not re-announced");
	}
	peer_close(&old);
	peer_close(&p);
	teardown(&fx);
}

static void test_restarting_speaker(void)
{
	struct fixture fx;
	struct peering_plan *plan = NULL;
	struct peer p;
	struct bgp_open o;
	struct wire_err we;
	struct err e;
	json_t *doc;
	char text[512];
	uint8_t buf[64];
	int n;

	/* Built by hand: the speaker starts as a restarting one. */
	memset(&fx, 0, sizeof(fx));
	fx.loop = ev_loop_new(EVFLAG_AUTO);
	{
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sa);

		fx.lfd = socket(AF_INET, SOCK_STREAM, 0);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(fx.lfd, (struct sockaddr *)&sa, sizeof(sa));
		listen(fx.lfd, 4);
		getsockname(fx.lfd, (struct sockaddr *)&sa, &sl);
		fx.port = ntohs(sa.sin_port);
	}
	snprintf(text, sizeof(text),
		 "{\"routerID\":\"1.1.1.1\",\"asNumber\":65001,\"ipv4Address\":\"10.0.0.1\","
		 "\"listenPort\":0,\"sessions\":[{\"name\":\"t\",\"peerIP\":\"127.0.0.1\","
		 "\"port\":%u,\"peerASNumber\":65002,\"addPaths\":false}],"
		 "\"routes\":[{\"prefix\":\"10.1.0.0/24\"}]}",
		 fx.port);
	doc = json_loads(text, 0, NULL);
	CHECK_INT(peering_plan_parse(doc, &plan, &e), 0);
	json_decref(doc);
	CHECK_INT(speaker_new(fx.loop, plan, true, &fx.sp, &e), 0);
	CHECK_INT(speaker_apply(fx.sp, plan, NULL, &e), 0);
	fx.s = fx.sp->sessions[0];
	CHECK(accept_session(&fx, &p));
	CHECK_INT(wire_decode_open(p.msg, p.msg_len, &o, &we), WIRE_OK);
	CHECK(o.caps.gr && o.caps.gr_restarting && o.caps.gr_fwd[BGP_FAM_IPV4]);
	peer_open(&p, 65002, PEER_ID, 90, true);
	peer_keepalive(&p);
	CHECK(wait_state(&fx, SESSION_ESTABLISHED, 1.0));
	/* deferred: nothing but keepalives until the peer's End-of-RIB */
	for (int i = 0; i < 50; i++) {
		ev_run(fx.loop, EVRUN_NOWAIT);
		usleep(1000);
	}
	CHECK(fx.sp->gr_restarting);
	CHECK(!fx.s->eor_sent[BGP_FAM_IPV4]);
	n = wire_encode_eor(BGP_FAM_IPV4, buf, sizeof(buf));
	peer_send(&p, buf, (size_t)n);
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE));
	CHECK(!fx.sp->gr_restarting);
	CHECK(expect(&fx, &p, BGP_MSG_UPDATE));
	CHECK(fx.s->eor_sent[BGP_FAM_IPV4]);
	peer_close(&p);
	teardown(&fx);
}

int main(void)
{
	/* A write to a connection the speaker closed must fail a CHECK that
	 * says which, not kill the test. */
	signal(SIGPIPE, SIG_IGN);
	log_threshold = getenv("TEST_LOG") ? LOG_DEBUG : LOG_PANIC;
	test_active_open();
	test_timers();
	test_keepalive_time();
	test_open_errors();
	test_retry_backoff();
	test_updates();
	test_collision();
	test_passive_and_refuse();
	test_graceful_restart();
	test_peer_restart_reconnect();
	test_restarting_speaker();
	return check_done();
}
