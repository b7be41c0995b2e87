/* The BGP session FSM (RFC 4271 §8) and its connection handling; see
 * session.h for the design. */
#include "speaker/session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "speaker/speaker.h"

double session_time_scale = 1.0;

static const char *const state_names[SESSION_STATE_COUNT] = {
	[SESSION_IDLE] = "Idle",	 [SESSION_CONNECT] = "Connect",
	[SESSION_ACTIVE] = "Active",	 [SESSION_OPENSENT] = "OpenSent",
	[SESSION_OPENCONFIRM] = "OpenConfirm", [SESSION_ESTABLISHED] = "Established",
};
_Static_assert(sizeof(state_names) / sizeof(state_names[0]) == SESSION_STATE_COUNT, "states");

static const char *const event_names[SESSION_EV_COUNT] = {
	[SESSION_EV_START] = "Start",
	[SESSION_EV_STOP] = "Stop",
	[SESSION_EV_CONNECT_RETRY] = "ConnectRetryTimer_Expires",
	[SESSION_EV_HOLD_EXPIRED] = "HoldTimer_Expires",
	[SESSION_EV_KEEPALIVE_TIMER] = "KeepaliveTimer_Expires",
	[SESSION_EV_TCP_CONNECTED] = "Tcp_CR_Acked",
	[SESSION_EV_TCP_ACCEPTED] = "TcpConnectionConfirmed",
	[SESSION_EV_TCP_FAILED] = "TcpConnectionFails",
	[SESSION_EV_OPEN] = "BGPOpen",
	[SESSION_EV_KEEPALIVE] = "KeepAliveMsg",
	[SESSION_EV_UPDATE] = "UpdateMsg",
	[SESSION_EV_ROUTE_REFRESH] = "RouteRefreshMsg",
	[SESSION_EV_NOTIFICATION] = "NotifMsg",
	[SESSION_EV_MSG_ERROR] = "MsgErr",
};
_Static_assert(sizeof(event_names) / sizeof(event_names[0]) == SESSION_EV_COUNT, "events");

/* RFC 6608 FSM error subcodes: unexpected message in a state. */
#define FSM_ERR_OPENSENT 1
#define FSM_ERR_OPENCONFIRM 2
#define FSM_ERR_ESTABLISHED 3

const char *session_state_name(enum session_state st)
{
	return st < SESSION_STATE_COUNT ? state_names[st] : "unknown";
}

const char *session_event_name(enum session_event ev)
{
	return ev < SESSION_EV_COUNT ? event_names[ev] : "unknown";
}

static void slog(enum log_level lvl, const struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every log line names the session and the peer. */
static void slog(enum log_level lvl, const struct session *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lvl > log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(lvl, "session %s (peer %s AS %u): %s", s->cfg.name, s->cfg.peer.text,
		s->cfg.peer_as, msg);
}

/* --- timers ------------------------------------------------------------ */

static void timer_start(struct session *s, ev_timer *t, double seconds)
{
	ev_timer_stop(s->sp->loop, t);
	ev_timer_set(t, seconds * session_time_scale, 0.);
	ev_timer_start(s->sp->loop, t);
}

static void timer_stop(struct session *s, ev_timer *t)
{
	ev_timer_stop(s->sp->loop, t);
}

/* Arms the ConnectRetry timer after a failed connection attempt: 0.25 s,
 * then doubling up to SESSION_CONNECT_RETRY, reset once Established. In a
 * mesh the passive side of each pair (the higher address) only waits, so
 * how soon the active side tries again after finding its peer not yet
 * listening is what bounds the time to bring a cluster up. The jitter
 * (RFC 4271 §10: 0.75..1 of the value) keeps peers that failed together
 * from retrying in lockstep. */
static void arm_retry(struct session *s)
{
	double d = SESSION_RETRY_FIRST;

	for (unsigned i = 0; i < s->failed_attempts && d < SESSION_CONNECT_RETRY; i++)
		d *= 2;
	if (d > SESSION_CONNECT_RETRY)
		d = SESSION_CONNECT_RETRY;
	s->failed_attempts++;
	timer_start(s, &s->connect_retry, d * (0.75 + 0.25 * (double)random() / RAND_MAX));
}

static unsigned keepalive_interval(const struct session *s)
{
	unsigned k = s->ctx.keepalive ? s->ctx.keepalive : s->ctx.hold_time / 3;

	/* keepaliveTime is honoured, but never beyond a third of the
	 * negotiated hold time (the peer may have offered less). */
	if (s->cfg.keepalive_time && s->cfg.keepalive_time < k)
		k = s->cfg.keepalive_time;
	return k ? k : 1;
}

/* --- connections ------------------------------------------------------- */

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);

static void conn_init(struct session *s, struct session_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->s = s;
	ev_init(&c->rw, conn_read_cb);
	ev_init(&c->ww, conn_write_cb);
	c->rw.data = c->ww.data = c;
}

static void conn_attach(struct session *s, struct session_conn *c, int fd, bool outgoing,
			bool connecting)
{
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = connecting;
	c->open_received = false;
	ev_io_set(&c->rw, fd, EV_READ);
	ev_io_set(&c->ww, fd, EV_WRITE);
	if (connecting)
		ev_io_start(s->sp->loop, &c->ww);
	else
		ev_io_start(s->sp->loop, &c->rw);
}

static void conn_close(struct session *s, struct session_conn *c)
{
	if (c->fd < 0)
		return;
	ev_io_stop(s->sp->loop, &c->rw);
	ev_io_stop(s->sp->loop, &c->ww);
	close(c->fd);
	c->fd = -1;
	c->connecting = false;
	c->open_received = false;
	net_buf_free(&c->in);
	net_buf_free(&c->out);
}

/* Writes what the socket takes now; the write watcher does the rest. */
static void conn_flush(struct session *s, struct session_conn *c)
{
	int rc;

	if (c->fd < 0 || c->connecting)
		return;
	rc = net_buf_flush(c->fd, &c->out);
	if (rc == -EAGAIN)
		ev_io_start(s->sp->loop, &c->ww);
	else
		ev_io_stop(s->sp->loop, &c->ww);
	net_buf_release_if_empty(&c->out);
	/* write errors surface as read errors/EOF on the next read */
}

static void conn_send(struct session *s, struct session_conn *c, const uint8_t *msg, size_t len)
{
	if (c->fd < 0)
		return;
	if (net_buf_append(&c->out, msg, len) == 0) {
		s->cnt.msgs_out++;
		conn_flush(s, c);
	}
}

static void send_keepalive(struct session *s, struct session_conn *c)
{
	uint8_t buf[BGP_HEADER_LEN];

	wire_encode_keepalive(buf, sizeof(buf));
	conn_send(s, c, buf, sizeof(buf));
}

/* Sends a NOTIFICATION and pushes it out before the caller closes. */
static void send_notification(struct session *s, struct session_conn *c, uint8_t code,
			      uint8_t subcode, const uint8_t *data, size_t len)
{
	uint8_t buf[BGP_MAX_MSG_LEN];
	int n;

	if (c->fd < 0 || c->connecting)
		return;
	n = wire_encode_notification(code, subcode, data, len, buf, sizeof(buf));
	if (n < 0)
		return;
	slog(LOG_INFO, s, "sending NOTIFICATION %s / %s", wire_code_name(code),
	     wire_subcode_name(code, subcode));
	conn_send(s, c, buf, (size_t)n);
	/* One best-effort blocking-free push; the socket closes right after. */
	net_buf_flush(c->fd, &c->out);
}

static void build_open(struct session *s)
{
	struct bgp_open *o = &s->local_open;
	const struct peering_session *cfg = &s->cfg;

	wire_open_init(o, cfg->local_as, cfg->hold_time, s->sp->plan->router_id);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		bool on = (cfg->families & PEERING_FAM_BIT(f)) != 0;

		o->caps.mp[f] = on;
		o->caps.add_path[f] =
			on && cfg->add_path ? (WIRE_ADDPATH_RECEIVE | WIRE_ADDPATH_SEND) : 0;
		o->caps.gr_fam[f] = on;
		/* Forwarding state is kept across our restart (routes stay in
		 * the kernel), so a restarting speaker sets the F bit. */
		o->caps.gr_fwd[f] = on && s->sp->gr_restarting;
	}
	o->caps.mp_seen = true;
	o->caps.ext_msg = true;
	o->caps.gr = true;
	o->caps.gr_restarting = s->sp->gr_restarting;
	o->caps.gr_time = (uint16_t)cfg->max_restart_time;
}

static void send_open(struct session *s, struct session_conn *c)
{
	uint8_t buf[BGP_MAX_MSG_LEN];
	struct err e = { "" };
	size_t len;

	build_open(s);
	if (wire_encode_open(&s->local_open, buf, sizeof(buf), &len, &e)) {
		slog(LOG_ERROR, s, "cannot encode OPEN: %s", e.msg);
		return;
	}
	conn_send(s, c, buf, len);
}

static void set_error(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(struct session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
}

/* --- state changes ----------------------------------------------------- */

static void session_up(struct session *s);
static void session_down(struct session *s, bool keep_stale);
static void out_pump(struct session *s);

/* Every state change goes through here: it logs, stamps `since`, and does
 * what entering or leaving a state implies. */
static void change_state(struct session *s, enum session_state to, bool keep_stale)
{
	enum session_state from = s->state;

	if (from == to)
		return;
	slog(LOG_INFO, s, "%s -> %s%s%s", state_names[from], state_names[to],
	     s->last_error[0] && to == SESSION_IDLE ? ": " : "",
	     to == SESSION_IDLE ? s->last_error : "");
	s->state = to;
	s->since = ev_now(s->sp->loop);
	if (from == SESSION_ESTABLISHED)
		session_down(s, keep_stale);
	switch (to) {
	case SESSION_IDLE:
		conn_close(s, &s->conn);
		conn_close(s, &s->pending);
		timer_stop(s, &s->connect_retry);
		timer_stop(s, &s->hold);
		timer_stop(s, &s->keepalive);
		timer_stop(s, &s->pending_hold);
		ev_idle_stop(s->sp->loop, &s->work);
		break;
	case SESSION_ACTIVE:
		timer_stop(s, &s->hold);
		timer_stop(s, &s->keepalive);
		break;
	case SESSION_ESTABLISHED:
		s->last_error[0] = '\0';
		s->failed_attempts = 0;
		s->established_at = s->since;
		session_up(s);
		break;
	default:
		break;
	}
}

/* Goes Idle after an error; an enabled session restarts after the idle
 * hold time (BIRD's "error wait time"). */
static void fail(struct session *s, bool keep_stale)
{
	change_state(s, SESSION_IDLE, keep_stale);
	if (s->enabled)
		timer_start(s, &s->connect_retry, SESSION_IDLE_HOLD);
}

/* Sends a NOTIFICATION on the main connection, then fails. */
static void notify_fail(struct session *s, uint8_t code, uint8_t subcode, const uint8_t *data,
			size_t len)
{
	if (code != BGP_ERR_HOLD_TIMER) /* hold_cb said it already */
		set_error(s, "BGP Error: %s", wire_subcode_name(code, subcode));
	send_notification(s, &s->conn, code, subcode, data, len);
	fail(s, false);
}

static void start_connect(struct session *s)
{
	struct err e = { "" };
	int fd;

	conn_close(s, &s->conn);
	timer_start(s, &s->connect_retry, SESSION_CONNECT_RETRY);
	fd = net_connect(&s->cfg.peer, s->cfg.port, s->cfg.has_source ? &s->cfg.source : NULL,
			 s->cfg.password, s->cfg.ttl_security, &e);
	if (fd < 0) {
		set_error(s, "Socket: %s", e.msg);
		slog(LOG_WARN, s, "cannot connect: %s", e.msg);
		arm_retry(s);
		change_state(s, SESSION_ACTIVE, false);
		return;
	}
	conn_attach(s, &s->conn, fd, true, true);
	change_state(s, SESSION_CONNECT, false);
}

/* Start or automatic restart from Idle. */
static void start_attempt(struct session *s)
{
	if (s->cfg.passive) {
		timer_stop(s, &s->connect_retry);
		change_state(s, SESSION_ACTIVE, false);
	} else {
		start_connect(s);
	}
}

/* The connection is up: send OPEN and wait for the peer's. */
static void open_sent(struct session *s)
{
	timer_stop(s, &s->connect_retry);
	send_open(s, &s->conn);
	timer_start(s, &s->hold, SESSION_OPEN_HOLD);
	change_state(s, SESSION_OPENSENT, false);
}

/* Negotiates with the OPEN in s->peer_open; sends KEEPALIVE. */
static void open_received(struct session *s)
{
	struct wire_err we;

	wire_err_init(&we);
	if (wire_negotiate(&s->local_open, &s->peer_open, s->cfg.peer_as, &s->ctx, &we) !=
	    WIRE_OK) {
		slog(LOG_WARN, s, "OPEN refused: %s", we.e.msg);
		set_error(s, "BGP Error: %s", wire_subcode_name(we.code, we.subcode));
		send_notification(s, &s->conn, we.code, we.subcode, we.data, we.data_len);
		fail(s, false);
		return;
	}
	send_keepalive(s, &s->conn);
	if (s->ctx.hold_time) {
		timer_start(s, &s->hold, s->ctx.hold_time);
		timer_start(s, &s->keepalive, keepalive_interval(s));
	} else {
		timer_stop(s, &s->hold);
	}
	change_state(s, SESSION_OPENCONFIRM, false);
}

static void restart_hold(struct session *s)
{
	if (s->ctx.hold_time)
		timer_start(s, &s->hold, s->ctx.hold_time);
}

/* ManualStop with a connection up: Cease (s->stop_subcode), then Idle. */
static void stop_conn(struct session *s)
{
	uint8_t sub = s->stop_subcode ? s->stop_subcode : WIRE_CEASE_ADMIN_SHUTDOWN;

	set_error(s, "Error: stopped (%s)", wire_subcode_name(BGP_ERR_CEASE, sub));
	send_notification(s, &s->conn, BGP_ERR_CEASE, sub, NULL, 0);
	change_state(s, SESSION_IDLE, false);
}

/* --- the FSM ----------------------------------------------------------- */

void session_fsm(struct session *s, enum session_event ev)
{
	log_debug("session %s: event %s in %s", s->cfg.name, event_names[ev],
		  state_names[s->state]);
	switch (s->state) {
	case SESSION_IDLE:
		switch (ev) {
		case SESSION_EV_START:
		case SESSION_EV_CONNECT_RETRY: /* idle hold over: automatic start */
			if (s->enabled)
				start_attempt(s);
			break;
		case SESSION_EV_TCP_ACCEPTED:
			open_sent(s);
			break;
		case SESSION_EV_STOP:
			timer_stop(s, &s->connect_retry);
			break;
		default:
			break; /* §8.2.2: other events are ignored in Idle */
		}
		break;

	case SESSION_CONNECT:
		switch (ev) {
		case SESSION_EV_CONNECT_RETRY:
			start_connect(s);
			break;
		case SESSION_EV_TCP_CONNECTED:
		case SESSION_EV_TCP_ACCEPTED:
			open_sent(s);
			break;
		case SESSION_EV_TCP_FAILED:
			conn_close(s, &s->conn);
			arm_retry(s);
			change_state(s, SESSION_ACTIVE, false);
			break;
		case SESSION_EV_STOP:
			change_state(s, SESSION_IDLE, false);
			break;
		default:
			fail(s, false);
			break;
		}
		break;

	case SESSION_ACTIVE:
		switch (ev) {
		case SESSION_EV_CONNECT_RETRY:
			if (!s->cfg.passive)
				start_connect(s);
			break;
		case SESSION_EV_TCP_ACCEPTED:
			open_sent(s);
			break;
		case SESSION_EV_STOP:
			change_state(s, SESSION_IDLE, false);
			break;
		case SESSION_EV_TCP_FAILED:
			break; /* a stale connect result; nothing is open */
		default:
			fail(s, false);
			break;
		}
		break;

	case SESSION_OPENSENT:
		switch (ev) {
		case SESSION_EV_OPEN:
			open_received(s);
			break;
		case SESSION_EV_HOLD_EXPIRED:
			notify_fail(s, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
			break;
		case SESSION_EV_TCP_FAILED:
			/* §8.2.2: back to Active and try again */
			conn_close(s, &s->conn);
			timer_stop(s, &s->hold);
			if (!s->cfg.passive)
				arm_retry(s);
			change_state(s, SESSION_ACTIVE, false);
			break;
		case SESSION_EV_NOTIFICATION:
			fail(s, false);
			break;
		case SESSION_EV_MSG_ERROR:
			set_error(s, "BGP Error: %s", wire_subcode_name(s->err->code, s->err->subcode));
			send_notification(s, &s->conn, s->err->code, s->err->subcode, s->err->data,
					  s->err->data_len);
			fail(s, false);
			break;
		case SESSION_EV_STOP:
			stop_conn(s);
			break;
		case SESSION_EV_KEEPALIVE_TIMER:
			break;
		default: /* KEEPALIVE, UPDATE, ROUTE-REFRESH before OPEN */
			notify_fail(s, BGP_ERR_FSM, FSM_ERR_OPENSENT, NULL, 0);
			break;
		}
		break;

	case SESSION_OPENCONFIRM:
		switch (ev) {
		case SESSION_EV_KEEPALIVE:
			restart_hold(s);
			change_state(s, SESSION_ESTABLISHED, false);
			break;
		case SESSION_EV_KEEPALIVE_TIMER:
			send_keepalive(s, &s->conn);
			timer_start(s, &s->keepalive, keepalive_interval(s));
			break;
		case SESSION_EV_HOLD_EXPIRED:
			notify_fail(s, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
			break;
		case SESSION_EV_TCP_FAILED:
		case SESSION_EV_NOTIFICATION:
			fail(s, false);
			break;
		case SESSION_EV_MSG_ERROR:
			set_error(s, "BGP Error: %s", wire_subcode_name(s->err->code, s->err->subcode));
			send_notification(s, &s->conn, s->err->code, s->err->subcode, s->err->data,
					  s->err->data_len);
			fail(s, false);
			break;
		case SESSION_EV_STOP:
			stop_conn(s);
			break;
		default: /* OPEN again, UPDATE, ROUTE-REFRESH */
			notify_fail(s, BGP_ERR_FSM, FSM_ERR_OPENCONFIRM, NULL, 0);
			break;
		}
		break;

	case SESSION_ESTABLISHED:
		switch (ev) {
		case SESSION_EV_UPDATE:
		case SESSION_EV_KEEPALIVE:
		case SESSION_EV_ROUTE_REFRESH:
			restart_hold(s);
			break;
		case SESSION_EV_KEEPALIVE_TIMER:
			send_keepalive(s, &s->conn);
			timer_start(s, &s->keepalive, keepalive_interval(s));
			break;
		case SESSION_EV_HOLD_EXPIRED:
			notify_fail(s, BGP_ERR_HOLD_TIMER, 0, NULL, 0);
			break;
		case SESSION_EV_TCP_FAILED:
			/* RFC 4724: the peer may be restarting; keep its routes */
			fail(s, s->ctx.peer_gr);
			break;
		case SESSION_EV_NOTIFICATION:
			fail(s, false);
			break;
		case SESSION_EV_MSG_ERROR:
			set_error(s, "BGP Error: %s", wire_subcode_name(s->err->code, s->err->subcode));
			send_notification(s, &s->conn, s->err->code, s->err->subcode, s->err->data,
					  s->err->data_len);
			fail(s, false);
			break;
		case SESSION_EV_STOP:
			stop_conn(s);
			break;
		default: /* OPEN */
			notify_fail(s, BGP_ERR_FSM, FSM_ERR_ESTABLISHED, NULL, 0);
			break;
		}
		break;

	case SESSION_STATE_COUNT:
		abort(); /* broken invariant: state out of range */
	}
}

/* --- Established: RIB side --------------------------------------------- */

static void stale_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct session *s = w->data;

	(void)loop;
	(void)revents;
	if (s->stale_kept) {
		slog(LOG_INFO, s, "graceful restart: stale routes expired, removing them");
		rib_peer_sweep_stale(s->sp->rib, s->rib_peer, BGP_FAM_COUNT);
		s->stale_kept = false;
		ev_idle_start(s->sp->loop, &s->sp->rib_work);
	}
}

static void session_up(struct session *s)
{
	struct rib_peer_session ps;
	struct peering_addr local;
	const struct peering_plan *plan = s->sp->plan;
	struct err e = { "" };
	uint16_t port;

	memset(&ps, 0, sizeof(ps));
	ps.router_id = s->peer_open.bgp_id;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		ps.families[f] = s->ctx.fam[f];
	if (net_local_addr(s->conn.fd, &local, &port) == 0) {
		if (local.family == PEERING_FAM_IPV4) {
			ps.has_local4 = true;
			memcpy(ps.local4, local.bytes, 4);
		} else {
			ps.has_local6 = true;
			memcpy(ps.local6, local.bytes, 16);
		}
	}
	/* The other family's next hop self comes from the node's address. */
	if (!ps.has_local4 && plan->has_ipv4) {
		ps.has_local4 = true;
		memcpy(ps.local4, plan->ipv4.bytes, 4);
	}
	if (!ps.has_local6 && plan->has_ipv6) {
		ps.has_local6 = true;
		memcpy(ps.local6, plan->ipv6.bytes, 16);
	}
	memset(s->eor_received, 0, sizeof(s->eor_received));
	memset(s->eor_sent, 0, sizeof(s->eor_sent));
	if (rib_peer_up(s->sp->rib, s->rib_peer, &ps, &e)) {
		slog(LOG_ERROR, s, "RIB refused the session: %s", e.msg);
		return;
	}
	s->peer_up = true;
	if (s->stale_kept) {
		/* RFC 4724 §4.2: families the peer no longer preserves are
		 * flushed now; the others when its End-of-RIB comes, at the
		 * latest after our restart time. */
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if (!s->ctx.peer_gr || !s->ctx.peer_gr_fam[f] || !s->ctx.peer_gr_fwd[f] ||
			    !s->ctx.fam[f])
				rib_peer_sweep_stale(s->sp->rib, s->rib_peer, f);
		timer_start(s, &s->stale, s->cfg.max_restart_time);
		ev_idle_start(s->sp->loop, &s->sp->rib_work);
	}
	slog(LOG_INFO, s, "established: hold %us, keepalive %us, 4-octet AS %s, families%s%s, "
			  "ADD-PATH rx %s tx %s, extended messages %s, graceful restart %s",
	     s->ctx.hold_time, s->ctx.hold_time ? keepalive_interval(s) : 0,
	     s->ctx.as4 ? "yes" : "no", s->ctx.fam[BGP_FAM_IPV4] ? " ipv4" : "",
	     s->ctx.fam[BGP_FAM_IPV6] ? " ipv6" : "",
	     s->ctx.add_path_rx[0] || s->ctx.add_path_rx[1] ? "yes" : "no",
	     s->ctx.add_path_tx[0] || s->ctx.add_path_tx[1] ? "yes" : "no",
	     s->ctx.ext_msg ? "yes" : "no", s->ctx.peer_gr ? "yes" : "no");
	out_pump(s);
}

static void session_down(struct session *s, bool keep_stale)
{
	s->cnt.flaps++;
	if (!s->peer_up)
		return;
	s->peer_up = false;
	rib_peer_down(s->sp->rib, s->rib_peer, keep_stale);
	if (keep_stale) {
		unsigned t = s->ctx.peer_gr_time;

		s->stale_kept = true;
		slog(LOG_INFO, s, "graceful restart: keeping the peer's routes as stale for %us", t);
		timer_start(s, &s->stale, t);
	} else {
		s->stale_kept = false;
		timer_stop(s, &s->stale);
	}
	ev_idle_start(s->sp->loop, &s->sp->rib_work);
	speaker_gr_check(s->sp);
}

/* Handles one inbound UPDATE decoded into u (status from the decoder):
 * the RIB applies it; the session notes End-of-RIB for graceful restart. */
static void handle_update(struct session *s, struct bgp_update *u, int status,
			  const struct wire_err *we)
{
	struct err e = { "" };

	if (status == WIRE_ATTR_DISCARD || status == WIRE_TREAT_AS_WITHDRAW)
		slog(LOG_WARN, s, "UPDATE: %s (%s)", wire_status_name(status), we->e.msg);
	s->cnt.updates_in++;
	if (rib_apply_update(s->sp->rib, s->rib_peer, u, status, &e))
		slog(LOG_ERROR, s, "RIB: %s", e.msg);
	if (u->eor && u->eor_family < BGP_FAM_COUNT) {
		slog(LOG_INFO, s, "End-of-RIB received for %s",
		     peering_family_name((enum peering_family)u->eor_family));
		s->eor_received[u->eor_family] = true;
		/* The RIB scheduled a sweep of this family's stale paths: run it
		 * now, even with none kept, so that it is not left pending until
		 * a later graceful-restart down, where it would remove the very
		 * paths that down keeps. */
		ev_idle_start(s->sp->loop, &s->sp->rib_work);
		speaker_gr_check(s->sp);
	}
}

/* Encodes prefixes p[0..n) of one group into UPDATE messages. */
static int encode_group(struct session *s, enum bgp_family fam, const struct bgp_path_attrs *pa,
			const struct bgp_nexthop *nh, const struct bgp_prefix *p, size_t n)
{
	size_t cap = wire_max_msg(&s->ctx), i = 0;
	struct err e = { "" };

	while (i < n) {
		uint8_t *buf = net_buf_reserve(&s->conn.out, cap);
		struct wire_ub ub;
		size_t start = i;
		int rc;

		if (!buf)
			return -ENOMEM;
		rc = pa ? wire_ub_announce(&ub, &s->ctx, buf, cap, fam, pa, nh, &e)
			: wire_ub_withdraw(&ub, &s->ctx, buf, cap, fam, &e);
		if (rc) {
			slog(LOG_ERROR, s, "cannot encode UPDATE: %s", e.msg);
			return rc;
		}
		while (i < n && wire_ub_add(&ub, &p[i]))
			i++;
		if (i == start) {
			slog(LOG_ERROR, s, "prefix does not fit an UPDATE; skipped");
			i++;
			continue;
		}
		net_buf_commit(&s->conn.out, wire_ub_finish(&ub));
		s->cnt.updates_out++;
		s->cnt.msgs_out++;
	}
	return 0;
}

/* Scratch for attr_to_wire(): one encoding at a time on this thread. */
static uint8_t *wire_scratch;
static size_t wire_scratch_len;

static int encode_batch(struct session *s, struct rib_out_batch *b)
{
	for (size_t g = 0; g < b->n_groups; g++) {
		const struct rib_out_group *grp = &b->groups[g];
		struct bgp_path_attrs pa;
		struct bgp_nexthop nh;
		int rc;

		if (grp->attrs) {
			size_t need = attr_wire_scratch(grp->attrs) + 1;

			if (need > wire_scratch_len) {
				uint8_t *p = realloc(wire_scratch, need);

				if (!p)
					return -ENOMEM;
				wire_scratch = p;
				wire_scratch_len = need;
			}
			if (attr_to_wire(grp->attrs, &pa, &nh, wire_scratch, wire_scratch_len)) {
				slog(LOG_ERROR, s, "cannot encode path attributes; %zu routes not sent",
				     grp->count);
				continue;
			}
		}
		rc = encode_group(s, b->family, grp->attrs ? &pa : NULL, &nh,
				  b->prefixes + grp->first, grp->count);
		if (rc)
			return rc;
	}
	if (b->eor && !s->eor_sent[b->family]) {
		uint8_t *buf = net_buf_reserve(&s->conn.out, 64);
		int n = buf ? wire_encode_eor(b->family, buf, 64) : -ENOMEM;

		if (n < 0)
			return n;
		net_buf_commit(&s->conn.out, (size_t)n);
		s->cnt.msgs_out++;
		s->eor_sent[b->family] = true;
		slog(LOG_INFO, s, "End-of-RIB sent for %s", peering_family_name((enum peering_family)b->family));
	}
	return 0;
}

/* Pulls at most one slice of outbound changes from the RIB and encodes it,
 * while the write buffer is short. Returns true when more remains. */
static bool out_slice(struct session *s)
{
	struct rib_out_batch *b;
	int rc;

	if (s->state != SESSION_ESTABLISHED || !s->peer_up || s->sp->gr_restarting)
		return false;
	if (net_buf_len(&s->conn.out) >= SESSION_OUT_HIGH_WATER)
		return false; /* the write watcher resumes us */
	b = &s->sp->out_batch;
	rc = rib_out_pull(s->sp->rib, s->rib_peer, SESSION_OUT_SLICE, b);
	if (rc < 0) {
		slog(LOG_ERROR, s, "cannot pull outbound routes: %s", strerror(-rc));
		return false;
	}
	if (rc == 0 && !b->eor) /* a dump may skip routes; keep pulling */
		return rib_out_pending(s->sp->rib, s->rib_peer);
	rc = encode_batch(s, b);
	rib_out_batch_clear(s->sp->rib, b);
	conn_flush(s, &s->conn);
	if (rc)
		return false;
	return rib_out_pending(s->sp->rib, s->rib_peer);
}

static void out_pump(struct session *s)
{
	if (out_slice(s))
		ev_idle_start(s->sp->loop, &s->work);
}

void session_kick(struct session *s)
{
	if (s->state == SESSION_ESTABLISHED)
		ev_idle_start(s->sp->loop, &s->work);
}

/* --- reading ----------------------------------------------------------- */

/* Decodes and dispatches one message of the main connection. The FSM may
 * close the connection, so nothing touches msg after session_fsm(). */
static void dispatch(struct session *s, uint8_t type, const uint8_t *msg, size_t len)
{
	struct wire_err we;
	int rc;

	wire_err_init(&we);
	s->cnt.msgs_in++;
	switch (type) {
	case BGP_MSG_OPEN:
		rc = wire_decode_open(msg, len, &s->peer_open, &we);
		s->peer_open.caps.n_raw = 0; /* raw capabilities alias msg */
		if (rc != WIRE_OK)
			break;
		session_fsm(s, SESSION_EV_OPEN);
		return;
	case BGP_MSG_UPDATE:
		if (s->state != SESSION_ESTABLISHED) {
			session_fsm(s, SESSION_EV_UPDATE);
			return;
		}
		rc = wire_decode_update(&s->ctx, msg, len, s->sp->upd, &we);
		if (rc == WIRE_NOTIFY)
			break;
		handle_update(s, s->sp->upd, rc, &we);
		session_fsm(s, SESSION_EV_UPDATE);
		return;
	case BGP_MSG_NOTIFICATION: {
		struct bgp_notification n;

		if (wire_decode_notification(msg, len, &n, &we) == WIRE_OK) {
			char text[300] = "";

			if (n.shutdown_msg_len)
				snprintf(text, sizeof(text), " \"%.*s\"", n.shutdown_msg_len,
					 (const char *)n.shutdown_msg);
			set_error(s, "Received: %s%s", wire_subcode_name(n.code, n.subcode), text);
			slog(LOG_WARN, s, "received NOTIFICATION %s / %s%s", wire_code_name(n.code),
			     wire_subcode_name(n.code, n.subcode), text);
		} else {
			set_error(s, "Received: malformed NOTIFICATION");
		}
		session_fsm(s, SESSION_EV_NOTIFICATION);
		return;
	}
	case BGP_MSG_KEEPALIVE:
		if (wire_decode_keepalive(msg, len, &we) != WIRE_OK)
			break;
		session_fsm(s, SESSION_EV_KEEPALIVE);
		return;
	case BGP_MSG_ROUTE_REFRESH: {
		struct bgp_route_refresh rr;

		if (wire_decode_route_refresh(&s->ctx, msg, len, &rr, &we) != WIRE_OK)
			break;
		if (s->state == SESSION_ESTABLISHED && rr.known && rr.subtype == WIRE_RR_NORMAL &&
		    s->ctx.fam[rr.family]) {
			slog(LOG_INFO, s, "route refresh requested for %s",
			     peering_family_name((enum peering_family)rr.family));
			rib_out_refresh(s->sp->rib, s->rib_peer, rr.family);
			session_kick(s);
		}
		session_fsm(s, SESSION_EV_ROUTE_REFRESH);
		return;
	}
	default:
		break;
	}
	/* a decode error: the decoder described the NOTIFICATION */
	slog(LOG_WARN, s, "bad message from peer: %s", we.e.msg);
	s->err = &we;
	session_fsm(s, SESSION_EV_MSG_ERROR);
	s->err = NULL;
}

/* Handles up to budget complete messages of the main connection. Returns
 * true when complete messages remain. */
static bool process_input(struct session *s, unsigned budget)
{
	struct session_conn *c = &s->conn;

	while (budget-- && c->fd >= 0) {
		size_t avail = net_buf_len(&c->in), len;
		const uint8_t *msg = net_buf_head(&c->in);
		struct wire_err we;
		uint8_t type;

		if (avail < BGP_HEADER_LEN)
			return false;
		wire_err_init(&we);
		if (wire_header(s->state >= SESSION_OPENCONFIRM ? &s->ctx : NULL, msg, avail, &type,
				&len, &we) != WIRE_OK) {
			slog(LOG_WARN, s, "bad message header: %s", we.e.msg);
			s->err = &we;
			session_fsm(s, SESSION_EV_MSG_ERROR);
			s->err = NULL;
			return false;
		}
		if (avail < len)
			return false;
		{
			enum session_state before = s->state;
			int fd = c->fd;

			dispatch(s, type, msg, len);
			/* the FSM may have closed or replaced the connection */
			if (c->fd != fd || (s->state == SESSION_IDLE && before != SESSION_IDLE))
				return false;
		}
		net_buf_consume(&c->in, len);
	}
	return c->fd >= 0 && net_buf_len(&c->in) >= BGP_HEADER_LEN;
}

static void pending_read(struct session *s);

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct session_conn *c = w->data;
	struct session *s = c->s;
	ssize_t n;

	(void)loop;
	(void)revents;
	n = net_buf_read(c->fd, &c->in, SESSION_READ_CHUNK);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		if (c == &s->pending) {
			conn_close(s, c);
			timer_stop(s, &s->pending_hold);
			return;
		}
		set_error(s, "Socket: %s", n == 0 ? "Connection closed" : strerror((int)-n));
		slog(LOG_WARN, s, "connection %s", n == 0 ? "closed by peer" : strerror((int)-n));
		session_fsm(s, SESSION_EV_TCP_FAILED);
		return;
	}
	if (c == &s->pending) {
		pending_read(s);
		return;
	}
	/* Bounded work per wakeup; the rest continues from the idle watcher.
	 * With a large backlog, stop reading until it is worked off. */
	if (process_input(s, SESSION_READ_BUDGET))
		ev_idle_start(s->sp->loop, &s->work);
	if (c->fd >= 0 && net_buf_len(&c->in) >= SESSION_IN_HIGH_WATER)
		ev_io_stop(s->sp->loop, &c->rw);
	net_buf_release_if_empty(&c->in);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct session_conn *c = w->data;
	struct session *s = c->s;

	(void)loop;
	(void)revents;
	if (c->connecting) {
		int rc = net_connect_result(c->fd);

		c->connecting = false;
		ev_io_stop(s->sp->loop, &c->ww);
		if (rc) {
			set_error(s, "Socket: %s", strerror(-rc));
			slog(LOG_INFO, s, "connect: %s", strerror(-rc));
			session_fsm(s, SESSION_EV_TCP_FAILED);
			return;
		}
		ev_io_start(s->sp->loop, &c->rw);
		session_fsm(s, SESSION_EV_TCP_CONNECTED);
		return;
	}
	conn_flush(s, c);
	if (c == &s->conn && net_buf_len(&c->out) < SESSION_OUT_HIGH_WATER / 2)
		session_kick(s);
}

static void work_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct session *s = w->data;
	bool more;

	(void)revents;
	more = process_input(s, SESSION_READ_BUDGET);
	if (s->conn.fd >= 0 && !s->conn.connecting && !ev_is_active(&s->conn.rw) &&
	    net_buf_len(&s->conn.in) < SESSION_IN_HIGH_WATER)
		ev_io_start(loop, &s->conn.rw); /* backlog worked off: read again */
	if (s->state == SESSION_ESTABLISHED)
		more = out_slice(s) || more;
	if (!more)
		ev_idle_stop(loop, w);
}

/* --- collision detection (§6.8) ---------------------------------------- */


/* The pending connection, detached from its watchers so that the main
 * connection can be torn down without touching it. */
struct taken_conn {
	int fd;
	struct net_buf in, out;
	struct bgp_open open;
};

static void take_pending(struct session *s, struct taken_conn *t)
{
	ev_io_stop(s->sp->loop, &s->pending.rw);
	ev_io_stop(s->sp->loop, &s->pending.ww);
	timer_stop(s, &s->pending_hold);
	t->fd = s->pending.fd;
	t->in = s->pending.in;
	t->out = s->pending.out;
	t->open = s->pending.peer_open;
	conn_init(s, &s->pending);
}

/* Makes a taken connection the session's connection: our OPEN was already
 * sent on it and the peer's OPEN received, so it continues in OpenSent with
 * that OPEN. */
static void adopt(struct session *s, struct taken_conn *t)
{
	conn_close(s, &s->conn);
	timer_stop(s, &s->hold);
	timer_stop(s, &s->keepalive);
	timer_stop(s, &s->connect_retry);
	conn_attach(s, &s->conn, t->fd, false, false);
	s->conn.in = t->in;
	s->conn.out = t->out;
	if (net_buf_len(&s->conn.out))
		ev_io_start(s->sp->loop, &s->conn.ww);
	s->peer_open = t->open;
	change_state(s, SESSION_OPENSENT, false);
	timer_start(s, &s->hold, SESSION_OPEN_HOLD);
	session_fsm(s, SESSION_EV_OPEN);
	/* bytes that followed the OPEN are handled like any input */
	if (s->conn.fd >= 0 && process_input(s, SESSION_READ_BUDGET))
		ev_idle_start(s->sp->loop, &s->work);
}

static void close_pending(struct session *s, uint8_t code, uint8_t subcode)
{
	send_notification(s, &s->pending, code, subcode, NULL, 0);
	conn_close(s, &s->pending);
	timer_stop(s, &s->pending_hold);
}

/* The pending connection's OPEN arrived: decide which connection lives. */
static void resolve_collision(struct session *s)
{
	uint32_t local_id = s->sp->plan->router_id, remote_id = s->pending.peer_open.bgp_id;
	struct taken_conn t;

	switch (s->state) {
	case SESSION_ESTABLISHED:
		if (s->pending.peer_open.caps.gr) {
			/* RFC 4724 §4.2: a new OPEN from a restarting peer ends
			 * the old session; its routes are kept as stale. */
			slog(LOG_INFO, s, "peer reconnected with graceful restart; replacing the "
					  "old connection");
			take_pending(s, &t);
			set_error(s, "Socket: peer restarted");
			s->ctx.peer_gr = true;
			change_state(s, SESSION_IDLE, true);
			adopt(s, &t);
		} else {
			slog(LOG_INFO, s, "connection collision while Established: closing the new "
					  "connection");
			close_pending(s, BGP_ERR_CEASE, WIRE_CEASE_COLLISION);
		}
		return;
	case SESSION_OPENSENT:
	case SESSION_OPENCONFIRM:
		/* Keep the connection initiated by the higher identifier. */
		if (local_id > remote_id && s->conn.outgoing) {
			slog(LOG_INFO, s, "connection collision: keeping ours (higher identifier)");
			close_pending(s, BGP_ERR_CEASE, WIRE_CEASE_COLLISION);
		} else {
			slog(LOG_INFO, s, "connection collision: keeping the peer's connection");
			send_notification(s, &s->conn, BGP_ERR_CEASE, WIRE_CEASE_COLLISION, NULL, 0);
			take_pending(s, &t);
			adopt(s, &t);
		}
		return;
	default:
		take_pending(s, &t);
		adopt(s, &t);
		return;
	}
}

static void pending_read(struct session *s)
{
	struct session_conn *c = &s->pending;
	size_t avail = net_buf_len(&c->in), len;
	const uint8_t *msg = net_buf_head(&c->in);
	struct wire_err we;
	uint8_t type;

	if (avail < BGP_HEADER_LEN)
		return;
	wire_err_init(&we);
	if (wire_header(NULL, msg, avail, &type, &len, &we) != WIRE_OK) {
		close_pending(s, we.code, we.subcode);
		return;
	}
	if (avail < len)
		return;
	if (type != BGP_MSG_OPEN) {
		close_pending(s, BGP_ERR_FSM, FSM_ERR_OPENSENT);
		return;
	}
	if (wire_decode_open(msg, len, &c->peer_open, &we) != WIRE_OK) {
		slog(LOG_WARN, s, "bad OPEN on the second connection: %s", we.e.msg);
		send_notification(s, c, we.code, we.subcode, we.data, we.data_len);
		conn_close(s, c);
		timer_stop(s, &s->pending_hold);
		return;
	}
	c->peer_open.caps.n_raw = 0;
	net_buf_consume(&c->in, len);
	c->open_received = true;
	resolve_collision(s);
}

static void pending_hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct session *s = w->data;

	(void)loop;
	(void)revents;
	close_pending(s, BGP_ERR_HOLD_TIMER, 0);
}

void session_accept(struct session *s, int fd)
{
	struct err e = { "" };

	if (!s->enabled || s->cfg.error) {
		close(fd);
		return;
	}
	if (s->cfg.ttl_security) {
		int ttl = net_syn_ttl(fd), min = 256 - s->cfg.ttl_security;

		if (ttl >= 0 && ttl < min) {
			slog(LOG_WARN, s, "refusing connection: TTL %d below %d (ttlSecurity %u, GTSM)",
			     ttl, min, s->cfg.ttl_security);
			close(fd);
			return;
		}
	}
	if (net_set_ttl(fd, s->cfg.peer.family, s->cfg.ttl_security, &e))
		slog(LOG_WARN, s, "%s", e.msg);
	switch (s->state) {
	case SESSION_IDLE:
	case SESSION_CONNECT:
	case SESSION_ACTIVE:
		conn_close(s, &s->conn); /* an outgoing attempt loses to an accepted one */
		conn_attach(s, &s->conn, fd, false, false);
		slog(LOG_INFO, s, "accepted connection");
		session_fsm(s, SESSION_EV_TCP_ACCEPTED);
		break;
	case SESSION_OPENSENT:
	case SESSION_OPENCONFIRM:
	case SESSION_ESTABLISHED:
		/* Keep it aside until its OPEN tells us the peer's identifier. */
		conn_close(s, &s->pending);
		conn_attach(s, &s->pending, fd, false, false);
		send_open(s, &s->pending);
		timer_start(s, &s->pending_hold, SESSION_OPEN_HOLD);
		slog(LOG_INFO, s, "second connection accepted in %s; resolving the collision",
		     state_names[s->state]);
		break;
	case SESSION_STATE_COUNT:
		abort();
	}
}

/* --- timers → events --------------------------------------------------- */

static void connect_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	session_fsm(w->data, SESSION_EV_CONNECT_RETRY);
}

static void hold_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct session *s = w->data;

	(void)loop;
	(void)revents;
	slog(LOG_WARN, s, "hold timer expired");
	set_error(s, "BGP Error: Hold timer expired");
	session_fsm(s, SESSION_EV_HOLD_EXPIRED);
}

static void keepalive_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	session_fsm(w->data, SESSION_EV_KEEPALIVE_TIMER);
}

/* --- life cycle -------------------------------------------------------- */

static enum rib_nh_mode nh_mode(enum peering_nexthop m)
{
	switch (m) {
	case PEERING_NH_SELF:
		return RIB_NH_SELF;
	case PEERING_NH_KEEP:
		return RIB_NH_KEEP;
	default:
		return RIB_NH_AUTO;
	}
}

struct session *session_new(struct speaker *sp, const struct peering_session *cfg, struct err *e)
{
	struct session *s = calloc(1, sizeof(*s));
	struct rib_peer_config pc;
	int id;

	if (!s) {
		err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	s->sp = sp;
	s->cfg = *cfg;
	s->cfg.password = cfg->password ? strdup(cfg->password) : NULL;
	s->cfg.error = cfg->error ? strdup(cfg->error) : NULL;
	s->state = SESSION_IDLE;
	s->since = ev_now(sp->loop);
	conn_init(s, &s->conn);
	conn_init(s, &s->pending);
	ev_init(&s->connect_retry, connect_retry_cb);
	ev_init(&s->hold, hold_cb);
	ev_init(&s->keepalive, keepalive_cb);
	ev_init(&s->pending_hold, pending_hold_cb);
	ev_init(&s->stale, stale_cb);
	ev_idle_init(&s->work, work_cb);
	s->connect_retry.data = s->hold.data = s->keepalive.data = s->pending_hold.data =
		s->stale.data = s->work.data = s;
	wire_ctx_init(&s->ctx);
	if (cfg->error)
		set_error(s, "Error: %s", cfg->error);

	memset(&pc, 0, sizeof(pc));
	pc.addr_family = cfg->peer.family;
	memcpy(pc.addr, cfg->peer.bytes, 16);
	pc.remote_as = cfg->peer_as;
	pc.local_as = cfg->local_as;
	pc.rr_client = cfg->rr_client;
	pc.nh_mode = nh_mode(cfg->next_hop);
	pc.keep_original_nh = cfg->keep_original_next_hop;
	pc.allow_local_as = cfg->allow_local_as;
	id = rib_peer_add(sp->rib, &pc, e);
	if (id < 0) {
		free(s->cfg.password);
		free(s->cfg.error);
		free(s);
		return NULL;
	}
	s->rib_peer = (uint16_t)id;
	return s;
}

void session_start(struct session *s)
{
	if (s->cfg.error) {
		slog(LOG_WARN, s, "not started: %s", s->cfg.error);
		return;
	}
	s->enabled = true;
	session_fsm(s, SESSION_EV_START);
}

void session_stop(struct session *s, uint8_t cease_subcode)
{
	s->enabled = false;
	s->stop_subcode = cease_subcode;
	session_fsm(s, SESSION_EV_STOP);
}

void session_free(struct session *s, uint8_t cease_subcode)
{
	struct err e = { "" };

	if (!s)
		return;
	session_stop(s, cease_subcode);
	timer_stop(s, &s->stale);
	if (rib_peer_remove(s->sp->rib, s->rib_peer, &e))
		slog(LOG_ERROR, s, "RIB: %s", e.msg);
	ev_idle_start(s->sp->loop, &s->sp->rib_work);
	free(s->cfg.password);
	free(s->cfg.error);
	free(s);
}

unsigned session_uptime(const struct session *s, ev_tstamp now)
{
	if (s->state != SESSION_ESTABLISHED)
		return 0;
	return (unsigned)(now - s->established_at);
}
