#include "speaker/dsmode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "speaker/fib.h"
#include "speaker/kernel.h"
#include "speaker/nodestatus.h"
#include "speaker/poolpolicy.h"
#include "speaker/session.h"

struct dsmode {
	struct ev_loop *loop;
	struct speaker *sp;
	struct dsync *ds;
	struct rib *rib; /* the RIB the kernel sync and filter are attached to */
	struct pool_policy policy;
	char *policy_key; /* the export part of the plan, to see when it changes */
	struct fib *fib;
	struct kernel_sync *ks;
	ev_io kernel_w;
	ev_check flush_w;
	ev_timer sweep_w;
	ev_tstamp started, sweep_deadline;
	double sweep_after; /* seconds from (re)start to the forced sweep */
	bool swept;
	struct ns_publisher *pub;
	ev_timer status_w;
	ev_tstamp booted, reconfigured;
};

/* --- kernel ------------------------------------------------------------ */

static void best_changed(void *ctx, const struct bgp_prefix *prefix, const struct rib_route *old,
			 const struct rib_route *new_best)
{
	struct dsmode *dm = ctx;

	if (dm->ks)
		kernel_sync_best_changed(dm->ks, prefix, old, new_best);
}

static void kernel_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dsmode *dm = w->data;
	struct err e = {""};

	(void)loop;
	(void)revents;
	if (kernel_sync_monitor(dm->ks, &e) < 0)
		log_error("%s", e.msg);
}

/* Once per loop iteration: what the RIB changed goes to the kernel in a few
 * netlink batches. */
static void flush_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct dsmode *dm = w->data;
	struct err e = {""};

	(void)loop;
	(void)revents;
	if (kernel_sync_flush(dm->ks, &e) < 0)
		log_error("kernel: %s", e.msg);
}

/* Every enabled session is back with its End-of-RIB for each family it
 * carries: the routes of an earlier run that were not refreshed are stale. */
static bool peers_resynced(const struct speaker *sp)
{
	for (size_t i = 0; i < sp->n_sessions; i++) {
		const struct session *s = sp->sessions[i];

		if (!s->enabled)
			continue;
		if (s->state != SESSION_ESTABLISHED)
			return false;
		for (int f = 0; f < BGP_FAM_COUNT; f++)
			if ((s->cfg.families & PEERING_FAM_BIT(f)) && !s->eor_received[f])
				return false;
	}
	return true;
}

static void sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dsmode *dm = w->data;
	struct err e = {""};

	(void)revents;
	if (dm->swept)
		return;
	if (!peers_resynced(dm->sp) && ev_now(loop) < dm->sweep_deadline)
		return;
	if (kernel_sync_sweep(dm->ks, &e) < 0)
		log_error("kernel sweep: %s", e.msg);
	dm->swept = true;
	ev_timer_stop(loop, w);
}

/* Restarts the wait for peers before a sweep (after start-up, or when the
 * speaker had to rebuild its RIB). */
static void arm_sweep(struct dsmode *dm, double deadline)
{
	dm->swept = false;
	dm->sweep_deadline = ev_now(dm->loop) + deadline;
	ev_timer_again(dm->loop, &dm->sweep_w);
}

static int start_kernel(struct dsmode *dm, struct err *e)
{
	int fd, rc;

	rc = fib_open(&dm->fib, e);
	if (rc < 0)
		return rc;
	rc = kernel_sync_new(dm->fib, dm->sp->rib, &dm->ks, e);
	if (rc < 0)
		return rc;
	rc = kernel_sync_configure(dm->ks, &dm->policy.kernel, e);
	if (rc < 0)
		return rc;
	fd = kernel_sync_start(dm->ks, e);
	if (fd < 0)
		return fd;
	ev_io_init(&dm->kernel_w, kernel_cb, fd, EV_READ);
	dm->kernel_w.data = dm;
	ev_io_start(dm->loop, &dm->kernel_w);
	ev_check_init(&dm->flush_w, flush_cb);
	dm->flush_w.data = dm;
	ev_check_start(dm->loop, &dm->flush_w);
	return 0;
}

/* --- plans ------------------------------------------------------------- */

static char *export_key(const struct peering_plan *plan)
{
	json_t *o = json_object();
	char *s;

	peering_export_to_json(plan, o);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* Brings the export filter and the kernel config in line with the running
 * plan (after start-up or a reconcile). */
static int follow_plan(struct dsmode *dm, struct err *e)
{
	const struct peering_plan *plan = dm->sp->plan;
	bool new_rib = dm->rib != dm->sp->rib;
	char *key = export_key(plan);
	int rc;

	if (!new_rib && key && dm->policy_key && strcmp(key, dm->policy_key) == 0) {
		free(key);
		return 0;
	}
	free(dm->policy_key);
	dm->policy_key = key;
	pool_policy_clear(&dm->policy);
	rc = pool_policy_from_plan(plan, &dm->policy, e);
	if (rc < 0)
		return rc;
	dm->rib = dm->sp->rib;
	/* Installing the filter re-sends every family to every peer, which
	 * is also what withdraws what the new rules refuse. */
	rib_set_export_filter(dm->rib, pool_policy_export, &dm->policy);
	if (!dm->ks)
		return 0;
	if (new_rib) {
		/* A new router id or AS rebuilt the RIB: the routes it had are
		 * re-learned; until then they are stale in the kernel. */
		kernel_sync_set_rib(dm->ks, dm->rib);
		arm_sweep(dm, dm->sweep_after);
	}
	return kernel_sync_configure(dm->ks, &dm->policy.kernel, e);
}

/* Applies a plan to the speaker, then the export rules and kernel config. */
static int apply(struct dsmode *dm, struct peering_plan *plan, struct speaker_apply_summary *sum,
		 struct err *e)
{
	struct speaker_apply_summary local = {0};
	int rc;

	if (!sum)
		sum = &local;
	rc = speaker_apply(dm->sp, plan, sum, e);
	if (rc < 0)
		log_error("reconcile: %s", e->msg);
	else
		log_info("reconcile: %u added, %u changed, %u removed, %u unchanged sessions",
			 sum->added, sum->changed, sum->removed, sum->unchanged);
	dm->reconfigured = ev_now(dm->loop);
	dm->sp->reloads++;
	if (follow_plan(dm, e) < 0) {
		log_error("reconcile: %s", e->msg);
		return -EIO;
	}
	return rc;
}

static void on_plan(void *ctx, struct peering_plan *plan)
{
	struct err e = {""};

	apply(ctx, plan, NULL, &e);
}

int dsmode_reload(struct dsmode *dm, struct speaker_apply_summary *sum, struct err *e)
{
	struct peering_plan *plan;
	int rc = dsync_plan_now(dm->ds, &plan, e);

	if (rc < 0)
		return rc;
	return apply(dm, plan, sum, e);
}

/* --- CalicoNodeStatus -------------------------------------------------- */

static void format_since(ev_tstamp t, ev_tstamp now, char *buf, size_t len)
{
	time_t secs = (time_t)t;
	struct tm tm;

	/* BIRD's default: time of day within the last 20 hours, else the date. */
	localtime_r(&secs, &tm);
	strftime(buf, len, now - t < 20 * 3600 ? "%H:%M:%S" : "%Y-%m-%d", &tm);
}

static void format_stamp(ev_tstamp t, char *buf, size_t len)
{
	time_t secs = (time_t)t;
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static const char *const ns_type_names[PEERING_TYPE_COUNT] = {
	[PEERING_MESH] = "NodeMesh",
	[PEERING_GLOBAL] = "GlobalPeer",
	[PEERING_NODE] = "NodePeer",
};

struct route_snap {
	struct ns_route *routes;
	char (*text)[3][INET6_ADDRSTRLEN + 8];
	size_t n, cap;
	struct speaker *sp;
};

static int snap_route(void *ctx, const struct rib_route *r, bool best)
{
	struct route_snap *rs = ctx;
	const struct bgp_prefix *p = r->prefix;
	int af = p->family == BGP_FAM_IPV6 ? AF_INET6 : AF_INET;
	struct session *s;
	char addr[INET6_ADDRSTRLEN];
	size_t i;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? 2 * rs->cap : 64;
		struct ns_route *nr = realloc(rs->routes, cap * sizeof(*nr));
		void *nt;

		if (!nr)
			return -ENOMEM;
		rs->routes = nr;
		nt = realloc(rs->text, cap * sizeof(*rs->text));
		if (!nt)
			return -ENOMEM;
		rs->text = nt;
		rs->cap = cap;
	}
	i = rs->n++;
	inet_ntop(af, p->addr, addr, sizeof(addr));
	snprintf(rs->text[i][0], sizeof(rs->text[i][0]), "%s/%u", addr, p->len);
	rs->routes[i] = (struct ns_route){.ipv6 = af == AF_INET6, .fib = best,
					  .destination = rs->text[i][0]};
	if (r->peer == RIB_PEER_LOCAL) {
		rs->routes[i].gateway = "N/A";
		rs->routes[i].interface = "blackhole";
		rs->routes[i].source_type = "Kernel";
		return 0;
	}
	attr_format_next_hop(r->attrs, rs->text[i][1], sizeof(rs->text[i][1]));
	rs->routes[i].gateway = rs->text[i][1];
	rs->routes[i].interface = "";
	s = speaker_session_by_rib_peer(rs->sp, r->peer);
	rs->routes[i].source_type = s && s->cfg.type == PEERING_MESH ? "NodeMesh" : "BGPPeer";
	if (s) {
		snprintf(rs->text[i][2], sizeof(rs->text[i][2]), "%s", s->cfg.peer.text);
		rs->routes[i].peer_ip = rs->text[i][2];
	}
	return 0;
}

static void status_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dsmode *dm = w->data;
	struct speaker *sp = dm->sp;
	struct rib_filter f = {.view = RIB_VIEW_ALL, .family = -1};
	struct rib_cursor c = {0};
	struct route_snap rs = {.sp = sp};
	struct ns_peer *peers = calloc(sp->n_sessions + 1, sizeof(*peers));
	char (*since)[16] = calloc(sp->n_sessions + 1, sizeof(*since));
	char rid[16], boot[32], reconf[32];
	struct ns_snapshot snap = {0};
	struct err e = {""};
	uint32_t id = sp->plan->router_id;

	(void)revents;
	if (!peers || !since)
		goto out;
	for (size_t i = 0; i < sp->n_sessions; i++) {
		const struct session *s = sp->sessions[i];

		format_since(s->since, ev_now(loop), since[i], sizeof(since[i]));
		peers[i] = (struct ns_peer){.ipv6 = s->cfg.peer.family == PEERING_FAM_IPV6,
					    .peer_ip = s->cfg.peer.text,
					    .type = ns_type_names[s->cfg.type],
					    .state = session_state_name(s->state),
					    .since = since[i]};
	}
	while (rib_walk(sp->rib, &f, &c, 4096, snap_route, &rs) == 1)
		;
	snprintf(rid, sizeof(rid), "%u.%u.%u.%u", id >> 24, (id >> 16) & 255, (id >> 8) & 255,
		 id & 255);
	format_stamp(dm->booted, boot, sizeof(boot));
	format_stamp(dm->reconfigured, reconf, sizeof(reconf));
	snap.v4 = (struct ns_daemon){.ready = sp->plan->has_ipv4, .version = PROJECT_VERSION,
				     .router_id = rid, .boot_time = boot, .reconfig_time = reconf};
	snap.v6 = snap.v4;
	snap.v6.ready = sp->plan->has_ipv6;
	snap.peers = peers;
	snap.n_peers = sp->n_sessions;
	snap.routes = rs.routes;
	snap.n_routes = rs.n;
	if (nodestatus_publish(dm->pub, dsync_store(dm->ds), &snap, time(NULL), &e) < 0)
		log_warn("CalicoNodeStatus: %s", e.msg);
out:
	free(rs.routes);
	free(rs.text);
	free(peers);
	free(since);
}

/* --- life cycle -------------------------------------------------------- */

int dsmode_new(struct ev_loop *loop, struct speaker *sp, struct dsync *ds, const char *node,
	       const struct dsmode_options *o, struct dsmode **out, struct err *e)
{
	struct dsmode *dm = calloc(1, sizeof(*dm));
	double deadline = o && o->sweep_deadline > 0 ? o->sweep_deadline : 120.0;
	double status = o && o->status_interval > 0 ? o->status_interval : 1.0;
	int rc;

	if (!dm)
		return err_set(e, -ENOMEM, "out of memory");
	dm->loop = loop;
	dm->sp = sp;
	dm->ds = ds;
	dm->started = dm->booted = dm->reconfigured = ev_now(loop);
	dm->pub = nodestatus_publisher_new(node);
	if (!dm->pub) {
		free(dm);
		return err_set(e, -ENOMEM, "out of memory");
	}
	rc = follow_plan(dm, e);
	if (rc < 0) {
		dsmode_free(dm);
		return rc;
	}
	ev_timer_init(&dm->sweep_w, sweep_cb, 0., 1.);
	dm->sweep_w.data = dm;
	dm->sweep_after = deadline;
	dm->sweep_deadline = dm->started + deadline;
	if (start_kernel(dm, e) < 0) {
		log_warn("kernel routes are not programmed: %s", e->msg);
		kernel_sync_free(dm->ks);
		fib_close(dm->fib);
		dm->ks = NULL;
		dm->fib = NULL;
	} else {
		sp->best_changed = best_changed;
		sp->best_ctx = dm;
		arm_sweep(dm, deadline);
	}
	ev_timer_init(&dm->status_w, status_cb, status, status);
	dm->status_w.data = dm;
	ev_timer_start(loop, &dm->status_w);
	dsync_set_callback(ds, on_plan, dm);
	dsync_start(ds);
	*out = dm;
	return 0;
}

void dsmode_free(struct dsmode *dm)
{
	if (!dm)
		return;
	/* The kernel keeps our routes when we stop (graceful restart): the
	 * speaker's shutdown must not withdraw them from the kernel. */
	if (dm->sp && dm->sp->best_ctx == dm) {
		dm->sp->best_changed = NULL;
		dm->sp->best_ctx = NULL;
	}
	if (dm->rib == dm->sp->rib)
		rib_set_export_filter(dm->rib, NULL, NULL);
	dsync_set_callback(dm->ds, NULL, NULL);
	ev_timer_stop(dm->loop, &dm->status_w);
	ev_timer_stop(dm->loop, &dm->sweep_w);
	if (dm->ks) {
		ev_io_stop(dm->loop, &dm->kernel_w);
		ev_check_stop(dm->loop, &dm->flush_w);
		kernel_sync_flush(dm->ks, NULL);
	}
	kernel_sync_free(dm->ks);
	fib_close(dm->fib);
	nodestatus_publisher_free(dm->pub);
	pool_policy_clear(&dm->policy);
	free(dm->policy_key);
	free(dm);
}

static void count_ours(void *arg, enum fib_event ev, const struct fib_route *r)
{
	(void)ev;
	if (r->protocol == RTPROT_BIRD)
		++*(size_t *)arg;
}

bool dsmode_kernel_has_earlier_routes(void)
{
	struct fib *f;
	struct err e = {""};
	size_t n = 0;

	if (fib_open(&f, &e) < 0)
		return false;
	if (fib_dump(f, AF_INET, RT_TABLE_MAIN, count_ours, &n, &e) < 0 ||
	    fib_dump(f, AF_INET6, RT_TABLE_MAIN, count_ours, &n, &e) < 0) {
		log_warn("cannot read the kernel routes: %s", e.msg);
		n = 0;
	}
	fib_close(f);
	return n > 0;
}
