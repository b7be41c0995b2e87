/* The speaker glue: RIB, sessions, listeners, origination, reconcile. */
#include "speaker/speaker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "speaker/net.h"
#include "speaker/plan.h"

/* RIB work done per idle callback (prefix visits). */
#define SPEAKER_RIB_BUDGET 8192

struct session *speaker_session(struct speaker *sp, const char *name)
{
	for (size_t i = 0; i < sp->n_sessions; i++)
		if (sp->sessions[i] && strcmp(sp->sessions[i]->cfg.name, name) == 0)
			return sp->sessions[i];
	return NULL;
}

struct session *speaker_session_by_rib_peer(struct speaker *sp, uint16_t peer)
{
	for (size_t i = 0; i < sp->n_sessions; i++)
		if (sp->sessions[i] && sp->sessions[i]->rib_peer == peer)
			return sp->sessions[i];
	return NULL;
}

static void out_ready_hook(void *ctx, uint16_t peer)
{
	struct speaker *sp = ctx;
	struct session *s = speaker_session_by_rib_peer(sp, peer);

	if (s)
		session_kick(s);
}

static void best_changed_hook(void *ctx, const struct bgp_prefix *prefix,
			      const struct rib_route *old_best, const struct rib_route *new_best)
{
	struct speaker *sp = ctx;

	if (sp->best_changed)
		sp->best_changed(sp->best_ctx, prefix, old_best, new_best);
}

static void rib_work_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct speaker *sp = w->data;

	(void)revents;
	if (!rib_work(sp->rib, SPEAKER_RIB_BUDGET))
		ev_idle_stop(loop, w);
}

/* --- graceful restart as the restarting speaker ------------------------ */

static void gr_end(struct speaker *sp, const char *why)
{
	if (!sp->gr_restarting)
		return;
	log_info("graceful restart: %s; sending our routes", why);
	sp->gr_restarting = false;
	ev_timer_stop(sp->loop, &sp->gr_timer);
	for (size_t i = 0; i < sp->n_sessions; i++)
		session_kick(sp->sessions[i]);
}

void speaker_gr_check(struct speaker *sp)
{
	if (!sp->gr_restarting)
		return;
	for (size_t i = 0; i < sp->n_sessions; i++) {
		const struct session *s = sp->sessions[i];

		if (!s->enabled)
			continue;
		if (s->state != SESSION_ESTABLISHED)
			return;
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if (s->ctx.fam[f] && !s->eor_received[f])
				return;
	}
	gr_end(sp, "End-of-RIB received from every peer");
}

static void gr_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	gr_end(w->data, "restart time over");
}

/* --- listeners --------------------------------------------------------- */

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct speaker *sp = w->data;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct peering_addr addr;
	uint16_t port;
	int fd, one = 1;

	(void)loop;
	(void)revents;
	fd = accept4(w->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* As on outgoing connections (net_connect): OPEN, KEEPALIVE and the
	 * first UPDATEs are small writes that Nagle would hold back until
	 * the peer's delayed ACK, tens of milliseconds per session. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (net_addr_from_sockaddr((struct sockaddr *)&ss, &addr, &port)) {
		close(fd);
		return;
	}
	for (size_t i = 0; i < sp->n_sessions; i++) {
		struct session *s = sp->sessions[i];

		if (s->cfg.peer.family == addr.family &&
		    memcmp(s->cfg.peer.bytes, addr.bytes, 16) == 0) {
			session_accept(s, fd);
			return;
		}
	}
	/* No session for this address: refused. */
	log_warn("refusing connection from %s port %u: no session configured for this address",
		 addr.text, port);
	close(fd);
}

static void close_listeners(struct speaker *sp)
{
	for (int f = 0; f < PEERING_FAM_COUNT; f++) {
		if (sp->listen_fd[f] < 0)
			continue;
		ev_io_stop(sp->loop, &sp->listen_w[f]);
		close(sp->listen_fd[f]);
		sp->listen_fd[f] = -1;
	}
}

static bool same_listen(const struct speaker *sp, const struct peering_plan *p)
{
	return sp->listen_port == p->listen_port && sp->has_listen_addr == p->has_listen_addr &&
	       (!p->has_listen_addr || memcmp(sp->listen_addr.bytes, p->listen_addr.bytes, 16) == 0);
}

static int open_listeners(struct speaker *sp, const struct peering_plan *p, struct err *e)
{
	int fds[PEERING_FAM_COUNT] = { -1, -1 };

	if (same_listen(sp, p) && (sp->listen_fd[0] >= 0 || sp->listen_fd[1] >= 0 || !p->listen_port))
		return 0;
	/* Open the new sockets before closing the old ones, so a failure
	 * leaves the running listeners alone. Same port: close first. */
	if (p->listen_port == sp->listen_port)
		close_listeners(sp);
	for (int f = 0; f < PEERING_FAM_COUNT && p->listen_port; f++) {
		if (p->has_listen_addr && p->listen_addr.family != f)
			continue;
		fds[f] = net_listen(f, p->has_listen_addr ? &p->listen_addr : NULL, p->listen_port, e);
		if (fds[f] < 0) {
			/* a host without IPv6 still serves IPv4 */
			if (f == PEERING_FAM_IPV6 && fds[f] == -EAFNOSUPPORT && !p->has_listen_addr) {
				log_warn("%s; IPv6 sessions can only be active", e->msg);
				fds[f] = -1;
				continue;
			}
			int rc = fds[f];

			for (int g = 0; g < f; g++)
				if (fds[g] >= 0)
					close(fds[g]);
			return rc;
		}
		/* SYN-ACKs leave with the listener's TTL: 255, so that peers
		 * using GTSM (RFC 5082) accept them. */
		net_set_ttl(fds[f], (uint8_t)f, 0, NULL);
	}
	close_listeners(sp);
	for (int f = 0; f < PEERING_FAM_COUNT; f++) {
		sp->listen_fd[f] = fds[f];
		if (fds[f] < 0)
			continue;
		ev_io_init(&sp->listen_w[f], accept_cb, fds[f], EV_READ);
		sp->listen_w[f].data = sp;
		ev_io_start(sp->loop, &sp->listen_w[f]);
	}
	sp->listen_port = p->listen_port;
	sp->has_listen_addr = p->has_listen_addr;
	sp->listen_addr = p->listen_addr;
	if (p->listen_port)
		log_info("listening on %s port %u", p->has_listen_addr ? p->listen_addr.text : "*",
			 p->listen_port);
	return 0;
}

/* TCP MD5 keys must be on the listening socket for signed SYNs to get in. */
static void set_listen_keys(struct speaker *sp, const struct peering_plan *p, bool install)
{
	struct err e = { "" };

	for (size_t i = 0; i < p->n_sessions; i++) {
		const struct peering_session *s = &p->sessions[i];
		int fd = sp->listen_fd[s->peer.family];

		if (!s->password || fd < 0)
			continue;
		if (net_set_md5(fd, &s->peer, install ? s->password : NULL, &e))
			log_warn("session %s: %s", s->name, e.msg);
	}
}

/* --- origination ------------------------------------------------------- */

static void route_prefix(const struct peering_route *r, struct bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = r->prefix.family;
	p->len = r->len;
	memcpy(p->addr, r->prefix.bytes, 16);
}

static void originate(struct speaker *sp, const struct peering_route *r)
{
	struct bgp_prefix p;
	struct err e = { "" };

	route_prefix(r, &p);
	if (rib_originate(sp->rib, &p, r->communities, r->n_communities,
			  r->n_large ? &r->large[0].global : NULL, r->n_large, &e))
		log_error("originate %s/%u: %s", r->prefix.text, r->len, e.msg);
}

static void unoriginate(struct speaker *sp, const struct peering_route *r)
{
	struct bgp_prefix p;
	struct err e = { "" };

	route_prefix(r, &p);
	if (rib_unoriginate(sp->rib, &p, &e))
		log_error("withdraw %s/%u: %s", r->prefix.text, r->len, e.msg);
}

/* --- life cycle -------------------------------------------------------- */

static int make_rib(struct speaker *sp, const struct peering_plan *plan, struct err *e)
{
	struct rib_config cfg = { .router_id = plan->router_id, .local_as = plan->local_as };
	struct rib_hooks hooks = { .out_ready = out_ready_hook, .best_changed = best_changed_hook,
				   .ctx = sp };

	/* One cluster id per speaker: the first route-reflector session's. */
	for (size_t i = 0; i < plan->n_sessions; i++)
		if (plan->sessions[i].rr_client) {
			cfg.cluster_id = plan->sessions[i].cluster_id;
			break;
		}
	return rib_new(&cfg, &hooks, &sp->rib, e);
}

int speaker_new(struct ev_loop *loop, const struct peering_plan *plan, bool gr_restarting,
		struct speaker **out, struct err *e)
{
	struct speaker *sp = calloc(1, sizeof(*sp));
	int rc;

	*out = NULL;
	if (!sp)
		return err_set(e, -ENOMEM, "out of memory");
	sp->upd = malloc(sizeof(*sp->upd));
	if (!sp->upd) {
		free(sp);
		return err_set(e, -ENOMEM, "out of memory");
	}
	sp->loop = loop;
	rib_out_batch_init(&sp->out_batch);
	sp->listen_fd[0] = sp->listen_fd[1] = -1;
	sp->listen_port = 0;
	sp->started = ev_now(loop);
	ev_idle_init(&sp->rib_work, rib_work_cb);
	sp->rib_work.data = sp;
	ev_timer_init(&sp->gr_timer, gr_timer_cb, 0., 0.);
	sp->gr_timer.data = sp;
	if ((rc = make_rib(sp, plan, e))) {
		free(sp->upd);
		free(sp);
		return rc;
	}
	if (gr_restarting) {
		unsigned t = PEERING_DEFAULT_RESTART;

		for (size_t i = 0; i < plan->n_sessions; i++)
			if (plan->sessions[i].max_restart_time > t)
				t = plan->sessions[i].max_restart_time;
		sp->gr_restarting = true;
		ev_timer_set(&sp->gr_timer, t * session_time_scale, 0.);
		ev_timer_start(loop, &sp->gr_timer);
		log_info("graceful restart: restarting speaker, deferring our updates for up to %us", t);
	}
	*out = sp;
	return 0;
}

static void free_sessions(struct speaker *sp, uint8_t subcode)
{
	/* Freeing a session withdraws its routes, and the RIB's out_ready hook
	 * then looks sessions up by peer: a freed one must not be found. */
	for (size_t i = 0; i < sp->n_sessions; i++) {
		struct session *s = sp->sessions[i];

		sp->sessions[i] = NULL;
		session_free(s, subcode);
	}
	free(sp->sessions);
	sp->sessions = NULL;
	sp->n_sessions = 0;
}

int speaker_apply(struct speaker *sp, struct peering_plan *plan,
		  struct speaker_apply_summary *summary, struct err *e)
{
	struct peering_plan *old = sp->plan;
	struct session **sessions;
	struct plan_diff d;
	int rc;

	if (plan_diff(old, plan, &d)) {
		peering_plan_free(plan);
		return err_set(e, -ENOMEM, "out of memory");
	}
	sessions = calloc(plan->n_sessions + 1, sizeof(*sessions));
	if (!sessions) {
		plan_diff_free(&d);
		peering_plan_free(plan);
		return err_set(e, -ENOMEM, "out of memory");
	}
	if (old)
		set_listen_keys(sp, old, false);
	if ((rc = open_listeners(sp, plan, e))) {
		if (old)
			set_listen_keys(sp, old, true);
		free(sessions);
		plan_diff_free(&d);
		peering_plan_free(plan);
		return rc;
	}
	if (d.restart_all && old) {
		log_info("router id or AS changed: restarting every session");
		free_sessions(sp, WIRE_CEASE_OTHER_CONFIG_CHANGE);
		rib_free(sp->rib);
		sp->rib = NULL;
		if ((rc = make_rib(sp, plan, e))) {
			/* nothing runs without a RIB: a broken invariant */
			log_error("cannot create the RIB: %s", e->msg);
			abort();
		}
	} else {
		/* Removed and changed sessions go first, freeing their RIB ids. */
		for (size_t i = 0; old && i < old->n_sessions; i++)
			if (d.removed[i]) {
				struct session *gone = sp->sessions[i];

				log_info("session %s removed from the plan", old->sessions[i].name);
				sp->sessions[i] = NULL;
				session_free(gone, WIRE_CEASE_PEER_DECONFIGURED);
			}
		for (size_t i = 0; i < plan->n_sessions; i++) {
			long o = d.old_index[i];

			if (d.change[i] == PLAN_SAME) {
				sessions[i] = sp->sessions[o];
				sp->sessions[o] = NULL;
			} else if (d.change[i] == PLAN_CHANGED) {
				log_info("session %s changed: re-establishing it", plan->sessions[i].name);
				session_free(sp->sessions[o], WIRE_CEASE_OTHER_CONFIG_CHANGE);
				sp->sessions[o] = NULL;
			}
		}
	}
	free(sp->sessions);
	sp->sessions = sessions;
	sp->n_sessions = plan->n_sessions;
	sp->plan = plan; /* sessions read the router id from here */
	for (size_t i = 0; i < plan->n_sessions; i++) {
		if (sessions[i])
			continue;
		sessions[i] = session_new(sp, &plan->sessions[i], e);
		if (!sessions[i]) {
			log_error("session %s: %s", plan->sessions[i].name, e->msg);
			abort(); /* the RIB refusing a peer id is a broken invariant */
		}
	}
	set_listen_keys(sp, plan, true);
	/* Routes: withdraw what left the plan, (re-)originate the rest. */
	for (size_t i = 0; old && i < old->n_routes; i++)
		if (d.route_removed[i] && !d.restart_all)
			unoriginate(sp, &old->routes[i]);
	for (size_t i = 0; i < plan->n_routes; i++)
		if (d.route_added[i] || d.restart_all)
			originate(sp, &plan->routes[i]);
	for (size_t i = 0; i < plan->n_sessions; i++)
		if (!sessions[i]->enabled && !sessions[i]->cfg.error)
			session_start(sessions[i]);
	if (summary) {
		summary->added = d.n_added;
		summary->changed = d.n_changed + (d.restart_all ? d.n_same : 0);
		summary->unchanged = d.restart_all ? 0 : d.n_same;
		summary->removed = d.n_removed;
		summary->routes_added = d.n_routes_added;
		summary->routes_removed = d.n_routes_removed;
	}
	log_info("plan applied: %u sessions added, %u changed, %u removed, %u unchanged; %u routes "
		 "originated, %u withdrawn",
		 d.n_added, d.n_changed, d.n_removed, d.n_same, d.n_routes_added,
		 d.n_routes_removed);
	plan_diff_free(&d);
	peering_plan_free(old);
	sp->last_reload = ev_now(sp->loop);
	ev_idle_start(sp->loop, &sp->rib_work);
	speaker_gr_check(sp);
	return 0;
}

void speaker_free(struct speaker *sp)
{
	if (!sp)
		return;
	free_sessions(sp, WIRE_CEASE_ADMIN_SHUTDOWN);
	close_listeners(sp);
	ev_idle_stop(sp->loop, &sp->rib_work);
	ev_timer_stop(sp->loop, &sp->gr_timer);
	rib_out_batch_free(sp->rib, &sp->out_batch);
	rib_free(sp->rib);
	peering_plan_free(sp->plan);
	free(sp->upd);
	free(sp);
}
