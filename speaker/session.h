/* One BGP session: the RFC 4271 finite state machine (§8), its timers, its
 * TCP connection, and the traffic between the connection and the RIB.
 *
 * The FSM is one state × event switch (session_fsm() in session.c) and
 * every state change goes through change_state(). Messages are read into a
 * buffer, at most SESSION_READ_BUDGET per wakeup, and outbound UPDATEs are
 * pulled from the RIB in slices while the write buffer is short, so that a
 * full table in either direction never delays a keepalive, another session
 * or the control socket.
 *
 * Collision detection (§6.8): a session owns one connection; an incoming
 * connection that arrives while the session is in OpenSent or OpenConfirm
 * is kept aside as the "pending" connection, our OPEN is sent on it, and
 * when its OPEN arrives the BGP identifiers decide which connection lives:
 * the one initiated by the side with the higher identifier. A connection
 * that arrives while Established is closed (Cease, connection collision).
 *
 * Graceful restart (RFC 4724): as receiving speaker, when a session with
 * a GR-capable peer fails (TCP error, EOF, hold timer), the peer's routes
 * stay in the RIB as stale until the peer's restart time expires, or, once
 * it is back, until its End-of-RIB per family (or our maxRestartTime). As
 * restarting speaker (speaker->gr_restarting), OPENs carry the R bit and
 * the forwarding bits, and our UPDATEs wait for every peer's End-of-RIB
 * (or the restart time). */
#ifndef CALICO_SESSION_H
#define CALICO_SESSION_H

#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/peering.h"
#include "speaker/net.h"
#include "speaker/rib.h"
#include "speaker/wire.h"

struct speaker;

enum session_state {
	SESSION_IDLE,
	SESSION_CONNECT,
	SESSION_ACTIVE,
	SESSION_OPENSENT,
	SESSION_OPENCONFIRM,
	SESSION_ESTABLISHED,
	SESSION_STATE_COUNT
};

/* FSM events (RFC 4271 §8.1, the ones a speaker like ours can see). */
enum session_event {
	SESSION_EV_START,		/* ManualStart / AutomaticStart */
	SESSION_EV_STOP,		/* ManualStop (deconfigured, shutdown) */
	SESSION_EV_CONNECT_RETRY,	/* ConnectRetryTimer_Expires (also idle hold) */
	SESSION_EV_HOLD_EXPIRED,	/* HoldTimer_Expires */
	SESSION_EV_KEEPALIVE_TIMER,	/* KeepaliveTimer_Expires */
	SESSION_EV_TCP_CONNECTED,	/* Tcp_CR_Acked: our connect completed */
	SESSION_EV_TCP_ACCEPTED,	/* TcpConnectionConfirmed: incoming connection */
	SESSION_EV_TCP_FAILED,		/* TcpConnectionFails: error or EOF */
	SESSION_EV_OPEN,		/* BGPOpen: a valid OPEN was received */
	SESSION_EV_KEEPALIVE,		/* KeepAliveMsg */
	SESSION_EV_UPDATE,		/* UpdateMsg */
	SESSION_EV_ROUTE_REFRESH,	/* ROUTE-REFRESH received */
	SESSION_EV_NOTIFICATION,	/* NotifMsg */
	SESSION_EV_MSG_ERROR,		/* a decode error: NOTIFICATION s->err to send */
	SESSION_EV_COUNT
};

/* Per-session timer defaults (BIRD's, as Calico configures them). */
#define SESSION_CONNECT_RETRY 5	/* seconds between connection attempts, at most */
#define SESSION_RETRY_FIRST 0.25	/* the first retry after a failed attempt; doubles up to
				 * SESSION_CONNECT_RETRY (a peer that is still starting is
				 * reached within a fraction of a second, not 5 s later) */
#define SESSION_IDLE_HOLD 5	/* seconds in Idle after an error */
#define SESSION_OPEN_HOLD 240	/* hold timer while waiting for OPEN (§8: large value) */
#define SESSION_READ_BUDGET 256 /* messages handled per wakeup */
/* Bytes read per wakeup. Draining more of the socket at a time keeps the
 * peer's send window open while we work through what was read (ingest of
 * 1M prefixes: median 0.234 s with 64 KiB, 0.172 s with 128 KiB, nine
 * interleaved runs each; 256 KiB and 1 MiB were no better). */
#define SESSION_READ_CHUNK (128 * 1024)
#define SESSION_OUT_SLICE 2048	/* prefixes pulled from the RIB per slice */
#define SESSION_OUT_HIGH_WATER (1024 * 1024) /* stop pulling above this much queued */
#define SESSION_IN_HIGH_WATER (1024 * 1024)  /* stop reading above this much unprocessed */

/* Scales every timer duration (tests set it small, e.g. 0.01). */
extern double session_time_scale;

/* A TCP connection and its buffers. */
struct session_conn {
	int fd;			/* -1 when none */
	bool outgoing;		/* we initiated it (collision detection) */
	bool connecting;	/* non-blocking connect in progress */
	ev_io rw, ww;
	struct net_buf in, out;
	struct bgp_open peer_open; /* pending connection: its OPEN, once received */
	bool open_received;
	struct session *s;
};

struct session_counters {
	uint64_t msgs_in, msgs_out, updates_in, updates_out;
	unsigned flaps;		    /* times Established was left */
};

struct session {
	struct speaker *sp;
	struct peering_session cfg; /* own copy: password/error strings owned */
	bool enabled;		    /* started and not stopped */
	uint8_t stop_subcode;	    /* Cease subcode for SESSION_EV_STOP */
	enum session_state state;
	ev_tstamp since;	    /* time of the last state change */
	ev_tstamp established_at;
	char last_error[256];	    /* shown by `peers` and node status */

	struct session_conn conn;
	struct session_conn pending; /* incoming connection during OpenSent/OpenConfirm */

	ev_timer connect_retry, hold, keepalive, pending_hold, stale, gr_wait;
	unsigned failed_attempts;   /* connection attempts failed since Established */
	ev_idle work;		    /* continues reading and the outbound dump */

	struct bgp_open local_open; /* what we sent */
	struct bgp_open peer_open;  /* what we accepted */
	struct wire_ctx ctx;	    /* negotiated at OPEN */
	uint16_t rib_peer;	    /* id in the RIB */
	bool peer_up;		    /* rib_peer_up() done */
	bool stale_kept;	    /* the RIB holds stale routes of ours */
	bool eor_received[BGP_FAM_COUNT];
	bool eor_sent[BGP_FAM_COUNT];
	/* The NOTIFICATION to send, set only while SESSION_EV_MSG_ERROR is
	 * handled (it points at the decoder's stack: 8 KB a session saved). */
	const struct wire_err *err;
	struct session_counters cnt;
};

const char *session_state_name(enum session_state st);	/* "Idle", ..., "Established" */
const char *session_event_name(enum session_event ev);

/* Creates a session for cfg (copied) and registers it as a RIB peer. The
 * session stays Idle until session_start(). */
struct session *session_new(struct speaker *sp, const struct peering_session *cfg, struct err *e);
/* Stops (Cease with subcode, 0 = administrative shutdown), removes it from
 * the RIB and frees it. */
void session_free(struct session *s, uint8_t cease_subcode);

void session_start(struct session *s);
/* Sends Cease/subcode when a connection is up and goes Idle (disabled). */
void session_stop(struct session *s, uint8_t cease_subcode);

/* Feeds one event into the FSM. */
void session_fsm(struct session *s, enum session_event ev);

/* Hands an accepted connection from the peer's address to the session
 * (ownership of fd passes). The session takes it, keeps it for collision
 * resolution, or closes it, as §6.8 and its state decide. */
void session_accept(struct session *s, int fd);

/* The RIB has outbound changes for this session (rib_hooks.out_ready). */
void session_kick(struct session *s);

/* Seconds since the session became Established, 0 when it is not. */
unsigned session_uptime(const struct session *s, ev_tstamp now);

#endif
