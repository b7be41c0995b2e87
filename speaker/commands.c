/* Control command handlers (see commands.h and docs/IPC.md). */
#include "speaker/commands.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

/* Routes streamed per handler call; small enough that the loop stays
 * responsive, big enough that a million routes stream in seconds. */
#define ROUTES_SLICE 512

static json_t *time_json(ev_tstamp t)
{
	char buf[32];
	time_t secs = (time_t)t;
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *id_json(uint32_t id)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", id >> 24, (id >> 16) & 255, (id >> 8) & 255,
		 id & 255);
	return json_string(buf);
}

static json_t *families_json(const bool fam[BGP_FAM_COUNT])
{
	json_t *a = json_array();

	for (int f = 0; f < BGP_FAM_COUNT; f++)
		if (fam[f])
			json_array_append_new(a, json_string(peering_family_name(f)));
	return a;
}

json_t *bgpd_status_record(const struct bgpd *d)
{
	const struct speaker *sp = d->sp;
	const struct peering_plan *p = sp->plan;
	ev_tstamp now = ev_now(sp->loop);
	unsigned established = 0;

	for (size_t i = 0; i < sp->n_sessions; i++)
		established += sp->sessions[i]->state == SESSION_ESTABLISHED;
	return json_pack("{s:s,s:s,s:o,s:I,s:I,s:o,s:I,s:o,s:I,s:s,s:I,s:I,s:I,s:{s:I,s:I},s:I,s:I,"
			 "s:b,s:s,s:s}",
			 "version", PROJECT_VERSION, "node", p->node ? p->node : "", "routerID",
			 id_json(p->router_id), "asNumber", (json_int_t)p->local_as, "pid",
			 (json_int_t)getpid(), "started", time_json(sp->started), "uptime",
			 (json_int_t)(now - sp->started), "lastReload", time_json(sp->last_reload),
			 "reloads", (json_int_t)sp->reloads, "logLevel",
			 log_level_name(log_threshold), "sessions", (json_int_t)sp->n_sessions,
			 "established", (json_int_t)established, "originated",
			 (json_int_t)p->n_routes, "prefixes", "ipv4",
			 (json_int_t)rib_prefix_count(sp->rib, BGP_FAM_IPV4), "ipv6",
			 (json_int_t)rib_prefix_count(sp->rib, BGP_FAM_IPV6), "ribBytes",
			 (json_int_t)rib_bytes(sp->rib), "listenPort", (json_int_t)sp->listen_port,
			 "gracefulRestartDeferring", sp->gr_restarting, "plan",
			 d->plan_path ? d->plan_path : "", "socket", d->ctl_path ? d->ctl_path : "");
}

/* BIRD's protocol state word, which `calicoctl node status` shows as STATE. */
static const char *bird_state(const struct session *s)
{
	if (!s->enabled)
		return "down";
	return s->state == SESSION_ESTABLISHED ? "up" : "start";
}

json_t *bgpd_peer_record(const struct speaker *sp, const struct session *s)
{
	const struct peering_session *c = &s->cfg;
	struct rib_peer_stats st;
	ev_tstamp now = ev_now(sp->loop);
	json_t *o, *caps;

	memset(&st, 0, sizeof(st));
	rib_peer_stats(sp->rib, s->rib_peer, &st);
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:o,s:I,s:I,s:s,s:b,s:b}", "name",
		      c->name, "type", peering_type_name(c->type), "typeLabel",
		      peering_type_label(c->type), "peerIP", c->peer.text, "port",
		      (json_int_t)c->port, "peerAS", (json_int_t)c->peer_as, "localAS",
		      (json_int_t)c->local_as, "state", session_state_name(s->state), "birdState",
		      bird_state(s), "since", time_json(s->since), "sinceUnix",
		      (json_int_t)s->since, "uptime", (json_int_t)session_uptime(s, now),
		      "lastError", s->last_error, "passive", c->passive, "rrClient", c->rr_client);
	json_object_set_new(o, "prefixes",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "received",
				      (json_int_t)st.received, "accepted", (json_int_t)st.best,
				      "rejected", (json_int_t)st.rejected, "advertised",
				      (json_int_t)st.advertised, "stale", (json_int_t)st.stale,
				      "pending", (json_int_t)st.pending));
	json_object_set_new(o, "messages",
			    json_pack("{s:I,s:I,s:I,s:I}", "in", (json_int_t)s->cnt.msgs_in, "out",
				      (json_int_t)s->cnt.msgs_out, "updatesIn",
				      (json_int_t)s->cnt.updates_in, "updatesOut",
				      (json_int_t)s->cnt.updates_out));
	json_object_set_new(o, "flaps", json_integer(s->cnt.flaps));
	if (s->state >= SESSION_OPENCONFIRM) {
		caps = json_pack("{s:o,s:b,s:o,s:o,s:b,s:b,s:b,s:I}", "families",
				 families_json(s->ctx.fam), "as4", s->ctx.as4, "addPathRx",
				 families_json(s->ctx.add_path_rx), "addPathTx",
				 families_json(s->ctx.add_path_tx), "routeRefresh",
				 s->ctx.route_refresh, "extendedMessage", s->ctx.ext_msg,
				 "gracefulRestart", s->ctx.peer_gr, "peerRestartTime",
				 (json_int_t)s->ctx.peer_gr_time);
		json_object_set_new(o, "capabilities", caps);
		json_object_set_new(o, "peerRouterID", id_json(s->ctx.peer_id));
		json_object_set_new(o, "holdTime", json_integer(s->ctx.hold_time));
	} else {
		json_object_set_new(o, "capabilities", json_null());
	}
	return o;
}

/* --- handlers ---------------------------------------------------------- */

static int cmd_status(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	(void)args;
	(void)state;
	control_record(r, bgpd_status_record(ctx));
	return CONTROL_DONE;
}

static int cmd_peers(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	struct bgpd *d = ctx;

	(void)args;
	(void)state;
	for (size_t i = 0; i < d->sp->n_sessions; i++)
		control_record(r, bgpd_peer_record(d->sp, d->sp->sessions[i]));
	return CONTROL_DONE;
}

static int cmd_peer(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	struct bgpd *d = ctx;
	const char *name = json_string_value(json_object_get(args, "name"));
	struct session *s;

	(void)state;
	if (!name) {
		control_error(r, IPC_ERR_BAD_ARGS, "peer: argument \"name\" (a session name) is required");
		return -EINVAL;
	}
	s = speaker_session(d->sp, name);
	if (!s) {
		control_error(r, IPC_ERR_NO_SUCH_PEER, "no session named \"%s\"", name);
		return -ENOENT;
	}
	control_record(r, bgpd_peer_record(d->sp, s));
	return CONTROL_DONE;
}

/* A routes request in progress. */
struct routes_state {
	struct rib_filter filter;
	struct rib_cursor cursor;
	struct control_reply *reply;
	struct speaker *sp;
};

static int parse_cidr(const char *text, struct bgp_prefix *p)
{
	char buf[64], *slash;
	struct peering_addr a;
	long len;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (peering_addr_parse(buf, &a))
		return -EINVAL;
	len = a.family == PEERING_FAM_IPV4 ? 32 : 128;
	if (slash) {
		char *end;
		long l = strtol(slash + 1, &end, 10);

		if (!slash[1] || *end || l < 0 || l > len)
			return -EINVAL;
		len = l;
	}
	memset(p, 0, sizeof(*p));
	p->family = a.family;
	p->len = (uint8_t)len;
	for (long bit = 0; bit < len; bit++)
		if (a.bytes[bit / 8] & (0x80 >> (bit % 8)))
			p->addr[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	return 0;
}

static int routes_parse(struct bgpd *d, struct control_reply *r, const json_t *args,
			struct routes_state *st)
{
	const char *family = json_string_value(json_object_get(args, "family"));
	const char *prefix = json_string_value(json_object_get(args, "prefix"));
	const char *peer = json_string_value(json_object_get(args, "peer"));
	const char *table = json_string_value(json_object_get(args, "table"));
	static const char *const views[] = {
		[RIB_VIEW_BEST] = "best",
		[RIB_VIEW_ALL] = "all",
		[RIB_VIEW_RECEIVED] = "received",
		[RIB_VIEW_ADVERTISED] = "advertised",
	};

	st->filter.view = RIB_VIEW_BEST;
	st->filter.family = -1;
	if (table) {
		size_t v;

		for (v = 0; v < sizeof(views) / sizeof(views[0]); v++)
			if (strcmp(views[v], table) == 0)
				break;
		if (v == sizeof(views) / sizeof(views[0])) {
			control_error(r, IPC_ERR_BAD_ARGS,
				      "table '%s': must be best, all, received or advertised", table);
			return -EINVAL;
		}
		st->filter.view = (enum rib_view)v;
	}
	if (family) {
		if (strcmp(family, "ipv4") == 0)
			st->filter.family = BGP_FAM_IPV4;
		else if (strcmp(family, "ipv6") == 0)
			st->filter.family = BGP_FAM_IPV6;
		else {
			control_error(r, IPC_ERR_BAD_ARGS, "family '%s': must be ipv4 or ipv6", family);
			return -EINVAL;
		}
	}
	if (prefix) {
		if (parse_cidr(prefix, &st->filter.prefix)) {
			control_error(r, IPC_ERR_BAD_ARGS, "prefix '%s': not an IPv4 or IPv6 CIDR",
				      prefix);
			return -EINVAL;
		}
		st->filter.has_prefix = true;
		st->filter.exact = json_is_true(json_object_get(args, "exact"));
	}
	if (st->filter.view == RIB_VIEW_RECEIVED || st->filter.view == RIB_VIEW_ADVERTISED) {
		struct session *s;

		if (!peer) {
			control_error(r, IPC_ERR_BAD_ARGS, "table '%s' needs the argument \"peer\"",
				      table);
			return -EINVAL;
		}
		s = speaker_session(d->sp, peer);
		if (!s) {
			control_error(r, IPC_ERR_NO_SUCH_PEER, "no session named \"%s\"", peer);
			return -ENOENT;
		}
		st->filter.peer = s->rib_peer;
	} else if (peer) {
		control_error(r, IPC_ERR_BAD_ARGS,
			      "argument \"peer\" needs table received or advertised");
		return -EINVAL;
	}
	return 0;
}

static json_t *route_record(struct speaker *sp, const struct rib_route *rt, bool best)
{
	char pfx[INET6_ADDRSTRLEN + 8], buf[4096];
	const struct attr_set *a = rt->attrs;
	struct session *s = rt->peer == RIB_PEER_LOCAL ? NULL : speaker_session_by_rib_peer(sp, rt->peer);
	static const char *const origins[] = { "IGP", "EGP", "incomplete" };
	json_t *o;

	inet_ntop(rt->prefix->family == BGP_FAM_IPV4 ? AF_INET : AF_INET6, rt->prefix->addr, pfx,
		  sizeof(pfx));
	snprintf(pfx + strlen(pfx), sizeof(pfx) - strlen(pfx), "/%u", rt->prefix->len);
	o = json_pack("{s:s,s:s,s:I,s:s,s:b,s:b}", "prefix", pfx, "family",
		      peering_family_name(rt->prefix->family), "pathID",
		      (json_int_t)rt->prefix->path_id, "peer",
		      rt->peer == RIB_PEER_LOCAL ? "local" : (s ? s->cfg.name : "?"), "best", best,
		      "stale", rt->stale);
	if (!a)
		return o;
	json_object_set_new(o, "nextHop", json_string(attr_format_next_hop(a, buf, sizeof(buf))));
	json_object_set_new(o, "asPath", json_string(attr_format_as_path(a, buf, sizeof(buf))));
	json_object_set_new(o, "origin", json_string(a->origin < 3 ? origins[a->origin] : "?"));
	if (a->flags & ATTR_F_MED)
		json_object_set_new(o, "med", json_integer(a->med));
	if (a->flags & ATTR_F_LOCAL_PREF)
		json_object_set_new(o, "localPref", json_integer(a->local_pref));
	{
		json_t *c = json_array();
		const uint32_t *v = attr_communities(a);

		for (unsigned i = 0; i < a->n_communities; i++) {
			snprintf(buf, sizeof(buf), "%u:%u", v[i] >> 16, v[i] & 0xffff);
			json_array_append_new(c, json_string(buf));
		}
		v = attr_large(a);
		for (unsigned i = 0; i < a->n_large; i++) {
			snprintf(buf, sizeof(buf), "%u:%u:%u", v[3 * i], v[3 * i + 1], v[3 * i + 2]);
			json_array_append_new(c, json_string(buf));
		}
		json_object_set_new(o, "communities", c);
	}
	if (a->flags & ATTR_F_ORIGINATOR_ID)
		json_object_set_new(o, "originatorID", id_json(a->originator_id));
	return o;
}

static int route_cb(void *ctx, const struct rib_route *rt, bool best)
{
	struct routes_state *st = ctx;

	return control_record(st->reply, route_record(st->sp, rt, best)) == -ENOMEM ? -ENOMEM : 0;
}

static int cmd_routes(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	struct bgpd *d = ctx;
	struct routes_state *st = *state;
	int rc;

	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st) {
			control_error(r, IPC_ERR_FAILED, "out of memory");
			return -ENOMEM;
		}
		*state = st;
		if ((rc = routes_parse(d, r, args, st)))
			return rc;
	}
	st->reply = r;
	st->sp = d->sp;
	rc = rib_walk(d->sp->rib, &st->filter, &st->cursor, ROUTES_SLICE, route_cb, st);
	if (rc < 0) {
		control_error(r, IPC_ERR_FAILED, "routes: %s", strerror(-rc));
		return rc;
	}
	return rc == 1 ? CONTROL_MORE : CONTROL_DONE;
}

static int cmd_reload(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	struct bgpd *d = ctx;
	struct speaker_apply_summary sum;
	struct err e = { "" };

	(void)args;
	(void)state;
	if (d->reload(d, &sum, &e)) {
		control_error(r, IPC_ERR_FAILED, "%s", e.msg);
		return -EINVAL;
	}
	control_record(r, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "added", (json_int_t)sum.added,
				    "changed", (json_int_t)sum.changed, "removed",
				    (json_int_t)sum.removed, "unchanged", (json_int_t)sum.unchanged,
				    "routesAdded", (json_int_t)sum.routes_added, "routesRemoved",
				    (json_int_t)sum.routes_removed));
	return CONTROL_DONE;
}

static int cmd_loglevel(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	const char *level = json_string_value(json_object_get(args, "level"));
	const char *previous = log_level_name(log_threshold);
	int l;

	(void)ctx;
	(void)state;
	if (level) {
		l = log_level_parse(level);
		if (l < 0) {
			control_error(r, IPC_ERR_BAD_ARGS,
				      "level '%s': must be panic, fatal, error, warn, info or debug",
				      level);
			return -EINVAL;
		}
		log_threshold = (enum log_level)l;
		log_info("log level %s -> %s (control socket)", previous, level);
	}
	control_record(r, json_pack("{s:s,s:s}", "previous", previous, "level",
				    log_level_name(log_threshold)));
	return CONTROL_DONE;
}

static int cmd_stop(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	struct bgpd *d = ctx;

	(void)r;
	(void)args;
	(void)state;
	log_info("stop requested on the control socket");
	d->stop(d);
	return CONTROL_DONE;
}

const struct control_cmd bgpd_commands[IPC_CMD_COUNT] = {
	[IPC_CMD_STATUS] = { cmd_status, NULL },
	[IPC_CMD_PEERS] = { cmd_peers, NULL },
	[IPC_CMD_PEER] = { cmd_peer, NULL },
	[IPC_CMD_ROUTES] = { cmd_routes, free },
	[IPC_CMD_RELOAD] = { cmd_reload, NULL },
	[IPC_CMD_LOGLEVEL] = { cmd_loglevel, NULL },
	[IPC_CMD_STOP] = { cmd_stop, NULL },
};
