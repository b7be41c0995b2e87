#include "speaker/fib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Requests per sendmsg(). The kernel handles a batch synchronously inside
 * sendmsg() and queues one ACK per request on our socket; the batch must
 * stay small enough for those ACKs to fit the receive buffer. */
#define FIB_BATCH_MAX 512
#define FIB_MSG_MAX 160 /* one route request, with every attribute we set */
#define FIB_BATCH_BYTES (FIB_BATCH_MAX * FIB_MSG_MAX)
#define FIB_RCVBUF (8 * 1024 * 1024)

struct fib {
	struct mnl_socket *req;
	struct mnl_socket *mon;
	uint32_t seq_base; /* sequence number of pending[0] */
	char *batch;
	size_t batch_len;
	struct fib_route pending[FIB_BATCH_MAX];
	size_t n_pending;
	fib_error_cb err_cb;
	void *err_arg;
	/* Interfaces the monitor saw administratively down, to report their
	 * return (FIB_LINK_UP). */
	int *down;
	size_t n_down, cap_down;
};

static size_t addr_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void grow_rcvbuf(struct mnl_socket *s)
{
	int size = FIB_RCVBUF;
	int fd = mnl_socket_get_fd(s);

	/* FORCE works for root and ignores rmem_max; plain SO_RCVBUF is the
	 * best an unprivileged caller gets. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static struct mnl_socket *open_socket(unsigned groups, struct err *e)
{
	struct mnl_socket *s = mnl_socket_open(NETLINK_ROUTE);
	int one = 1;

	if (!s) {
		err_set(e, -errno, "netlink socket: %s", strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(s, groups, MNL_SOCKET_AUTOPID) < 0) {
		err_set(e, -errno, "netlink bind: %s", strerror(errno));
		mnl_socket_close(s);
		return NULL;
	}
	/* Error ACKs then carry only the header of the failed request, so a
	 * batch of failures cannot overflow the receive buffer. */
	mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, sizeof(one));
	grow_rcvbuf(s);
	return s;
}

int fib_open(struct fib **out, struct err *e)
{
	struct fib *f = calloc(1, sizeof(*f));

	if (!f)
		return err_set(e, -ENOMEM, "out of memory");
	f->batch = malloc(FIB_BATCH_BYTES);
	f->req = open_socket(0, e);
	if (!f->batch || !f->req) {
		free(f->batch);
		if (f->req)
			mnl_socket_close(f->req);
		free(f);
		return -ENOMEM;
	}
	f->seq_base = (uint32_t)time(NULL);
	*out = f;
	return 0;
}

void fib_close(struct fib *f)
{
	if (!f)
		return;
	if (f->req)
		mnl_socket_close(f->req);
	if (f->mon)
		mnl_socket_close(f->mon);
	free(f->down);
	free(f->batch);
	free(f);
}

void fib_set_error_cb(struct fib *f, fib_error_cb cb, void *arg)
{
	f->err_cb = cb;
	f->err_arg = arg;
}

/* Appends one RTM_NEWROUTE/RTM_DELROUTE request for r to the batch. */
static void put_route_msg(struct fib *f, uint16_t type, uint16_t flags, const struct fib_route *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(f->batch + f->batch_len);
	struct rtmsg *rtm;
	bool del = type == RTM_DELROUTE;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = f->seq_base + (uint32_t)f->n_pending;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	/* A delete must not be narrowed by scope: NOWHERE matches any. */
	rtm->rtm_scope = del ? RT_SCOPE_NOWHERE : r->scope;
	rtm->rtm_type = r->type;
	rtm->rtm_flags = r->onlink ? RTNH_F_ONLINK : 0;
	mnl_attr_put(nlh, RTA_DST, addr_len(r->family), r->dst);
	if (r->table >= 256)
		mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->has_gateway)
		mnl_attr_put(nlh, RTA_GATEWAY, addr_len(r->family), r->gateway);
	if (r->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	if (r->priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	f->batch_len += nlh->nlmsg_len;
	f->pending[f->n_pending++] = *r;
}

static int queue(struct fib *f, uint16_t type, uint16_t flags, const struct fib_route *r)
{
	int rc = 0;

	if (f->n_pending == FIB_BATCH_MAX) {
		rc = fib_flush(f, NULL);
		if (rc > 0)
			rc = 0; /* per-route failures were reported to the callback */
	}
	put_route_msg(f, type, flags, r);
	return rc;
}

int fib_replace(struct fib *f, const struct fib_route *r)
{
	return queue(f, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r);
}

int fib_delete(struct fib *f, const struct fib_route *r)
{
	return queue(f, RTM_DELROUTE, 0, r);
}

/* Handles one ACK or error of the batch. Returns 1 when it was a failure. */
static int take_ack(struct fib *f, const struct nlmsghdr *nlh, bool *acked)
{
	const struct nlmsgerr *ne = mnl_nlmsg_get_payload(nlh);
	uint32_t idx = nlh->nlmsg_seq - f->seq_base;

	if (idx >= f->n_pending || acked[idx])
		return 0; /* not ours, or a duplicate: ignore */
	acked[idx] = true;
	if (ne->error == 0)
		return 0;
	if (f->err_cb)
		f->err_cb(f->err_arg, &f->pending[idx], ne->error);
	return 1;
}

int fib_flush(struct fib *f, struct err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	bool acked[FIB_BATCH_MAX] = {0};
	size_t n_acked = 0;
	int failed = 0, rc = 0;

	if (f->n_pending == 0)
		return 0;
	if (mnl_socket_sendto(f->req, f->batch, f->batch_len) < 0) {
		rc = err_set(e, -errno, "netlink send: %s", strerror(errno));
		goto done;
	}
	/* The kernel has processed the whole batch when sendto() returns, so
	 * every ACK is already queued: read without blocking. */
	while (n_acked < f->n_pending) {
		ssize_t n = recv(mnl_socket_get_fd(f->req), buf, sizeof(buf), MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0) {
			rc = err_set(e, -errno, "netlink ack: %s (%zu of %zu requests answered)",
				     strerror(errno), n_acked, f->n_pending);
			goto done;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			failed += take_ack(f, nlh, acked);
			n_acked++;
		}
	}
	rc = failed;
done:
	f->seq_base += (uint32_t)f->n_pending;
	f->n_pending = 0;
	f->batch_len = 0;
	return rc;
}

struct parse_state {
	struct fib_route *r;
};

static int parse_attr(const struct nlattr *a, void *data)
{
	struct fib_route *r = ((struct parse_state *)data)->r;
	size_t alen = addr_len(r->family);
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case RTA_DST:
		if (mnl_attr_get_payload_len(a) == alen)
			memcpy(r->dst, mnl_attr_get_payload(a), alen);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == alen) {
			memcpy(r->gateway, mnl_attr_get_payload(a), alen);
			r->has_gateway = true;
		}
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->oif = (int)mnl_attr_get_u32(a);
		break;
	case RTA_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->priority = mnl_attr_get_u32(a);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->table = mnl_attr_get_u32(a);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

/* Decodes an RTM_NEWROUTE/RTM_DELROUTE message. Returns false for what we
 * never report: cloned (cache) routes and families we do not handle. */
static bool parse_route(const struct nlmsghdr *nlh, struct fib_route *r)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct parse_state st = {r};

	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return false;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return false;
	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->table = rtm->rtm_table;
	r->onlink = rtm->rtm_flags & RTNH_F_ONLINK;
	mnl_attr_parse(nlh, sizeof(*rtm), parse_attr, &st);
	return true;
}

struct dump_state {
	uint32_t table;
	fib_route_cb cb;
	void *arg;
};

static int dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_state *d = data;
	struct fib_route r;

	if (nlh->nlmsg_type == RTM_NEWROUTE && parse_route(nlh, &r) && r.table == d->table)
		d->cb(d->arg, FIB_ROUTE_ADDED, &r);
	return MNL_CB_OK;
}

int fib_dump(struct fib *f, uint8_t family, uint32_t table, fib_route_cb cb, void *arg,
	     struct err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct dump_state d = {table, cb, arg};
	uint32_t seq, portid = mnl_socket_get_portid(f->req);
	int rc;

	/* A dump must not interleave with queued writes' ACKs. */
	rc = fib_flush(f, e);
	if (rc < 0)
		return rc;
	seq = f->seq_base++;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	if (mnl_socket_sendto(f->req, nlh, nlh->nlmsg_len) < 0)
		return err_set(e, -errno, "netlink dump request: %s", strerror(errno));
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(f->req, buf, sizeof(buf));

		if (n < 0)
			return err_set(e, -errno, "netlink dump: %s", strerror(errno));
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, dump_msg, &d);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return err_set(e, -errno, "netlink dump: %s", strerror(errno));
	}
}

int fib_monitor_open(struct fib *f, struct err *e)
{
	int fd;

	if (f->mon)
		return mnl_socket_get_fd(f->mon);
	f->mon = open_socket(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_LINK, e);
	if (!f->mon)
		return -EIO;
	fd = mnl_socket_get_fd(f->mon);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		return err_set(e, -errno, "netlink monitor: %s", strerror(errno));
	return fd;
}

/* Keeps the set of interfaces seen down; true when ifindex was down and is
 * up now. */
static bool link_came_up(struct fib *f, int ifindex, bool up, bool gone)
{
	for (size_t i = 0; i < f->n_down; i++) {
		if (f->down[i] != ifindex)
			continue;
		if (up || gone)
			f->down[i] = f->down[--f->n_down];
		return up && !gone;
	}
	if (up || gone)
		return false;
	if (f->n_down == f->cap_down) {
		size_t cap = f->cap_down ? 2 * f->cap_down : 8;
		int *nd = realloc(f->down, cap * sizeof(*nd));

		if (!nd)
			return false; /* its return goes unnoticed; routes are re-added on change */
		f->down = nd;
		f->cap_down = cap;
	}
	f->down[f->n_down++] = ifindex;
	return false;
}

static void link_msg(struct fib *f, const struct nlmsghdr *nlh, fib_route_cb cb, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct fib_route r;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	if (!link_came_up(f, ifi->ifi_index, ifi->ifi_flags & IFF_UP,
			  nlh->nlmsg_type == RTM_DELLINK))
		return;
	memset(&r, 0, sizeof(r));
	r.oif = ifi->ifi_index;
	cb(arg, FIB_LINK_UP, &r);
}

int fib_monitor_read(struct fib *f, fib_route_cb cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];

	if (!f->mon)
		return -EBADF;
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(f->mon), buf, sizeof(buf), 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			struct fib_route r;

			if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
				link_msg(f, nlh, cb, arg);
				continue;
			}
			if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
				continue;
			if (!parse_route(nlh, &r))
				continue;
			cb(arg, nlh->nlmsg_type == RTM_NEWROUTE ? FIB_ROUTE_ADDED : FIB_ROUTE_REMOVED,
			   &r);
		}
	}
}

void fib_route_format(const struct fib_route *r, char *buf, size_t len)
{
	char dst[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];
	const char *type = r->type == RTN_BLACKHOLE	? "blackhole "
			   : r->type == RTN_UNREACHABLE ? "unreachable "
			   : r->type == RTN_PROHIBIT	? "prohibit "
							: "";

	inet_ntop(r->family, r->dst, dst, sizeof(dst));
	inet_ntop(r->family, r->gateway, gw, sizeof(gw));
	snprintf(buf, len, "%s%s/%u%s%s%s dev %d proto %u metric %u table %u", type, dst, r->dst_len,
		 r->has_gateway ? " via " : "", r->has_gateway ? gw : "", r->onlink ? " onlink" : "",
		 r->oif, r->protocol, r->priority, r->table);
}
