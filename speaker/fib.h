/* Kernel routing table access over rtnetlink (libmnl): install and remove
 * routes in batches, dump the table, and monitor changes made by others
 * (Felix's blackhole routes for the node's pod blocks, for instance).
 *
 * Writes are pipelined: requests are queued in one buffer, sent with a
 * single sendmsg() and their ACKs collected afterwards, matched by sequence
 * number. This is what makes installing 100,000 routes as fast as
 * `ip -batch`, which does the same. Routes are always written with
 * NLM_F_REPLACE: a changed route is replaced in place, never deleted and
 * re-added, so traffic never sees a gap. */
#ifndef CALICO_FIB_H
#define CALICO_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct fib;

/* A route as the kernel sees it. family is AF_INET or AF_INET6; type,
 * protocol and scope are the kernel's RTN_*, RTPROT_* and RT_SCOPE_*
 * values. */
struct fib_route {
	uint8_t family;
	uint8_t dst_len;
	uint8_t type;
	uint8_t protocol;
	uint8_t scope;
	bool has_gateway;
	bool onlink; /* RTNH_F_ONLINK: gateway reachable through oif without a covering route */
	uint8_t dst[16];
	uint8_t gateway[16];
	int oif; /* output interface index, 0 = none */
	uint32_t table;
	uint32_t priority; /* metric */
};

enum fib_event {
	FIB_ROUTE_ADDED,
	FIB_ROUTE_REMOVED,
	/* An interface that was administratively down is up again (monitor
	 * only). The kernel flushed the IPv4 routes through it when it went
	 * down without a notification per route, so the owner must check its
	 * routes. The route is all zero but for oif, the interface index. */
	FIB_LINK_UP,
};

typedef void (*fib_route_cb)(void *arg, enum fib_event ev, const struct fib_route *r);

/* Called once per failed request of a batch, with the route that failed and
 * the negative errno the kernel answered. */
typedef void (*fib_error_cb)(void *arg, const struct fib_route *r, int error);

/* Opens the request socket. Returns 0 or -errno. */
int fib_open(struct fib **out, struct err *e);
void fib_close(struct fib *f);

/* Queues an add-or-replace / a delete of r. The queue is sent when it is
 * full or on fib_flush(). Returns 0 or a negative errno from a flush that
 * happened on the way (per-route kernel errors go to the error callback). */
int fib_replace(struct fib *f, const struct fib_route *r);
int fib_delete(struct fib *f, const struct fib_route *r);

/* Sends what is queued and waits for every ACK. Returns 0 when the kernel
 * accepted everything, else the number of failed requests (each reported to
 * the error callback) or a negative errno for a socket failure. */
int fib_flush(struct fib *f, struct err *e);

void fib_set_error_cb(struct fib *f, fib_error_cb cb, void *arg);

/* Reads every route of family (AF_INET, AF_INET6) in table (RT_TABLE_MAIN
 * = 254) and calls cb with FIB_ROUTE_ADDED for each. */
int fib_dump(struct fib *f, uint8_t family, uint32_t table, fib_route_cb cb, void *arg,
	     struct err *e);

/* Subscribes to IPv4 and IPv6 route changes and to interface changes on a
 * second socket. Returns its file descriptor (non-blocking) for the event
 * loop, or -errno. */
int fib_monitor_open(struct fib *f, struct err *e);

/* Reads whatever the monitor socket holds and calls cb per route change and
 * per interface back up (FIB_LINK_UP). Returns
 * 0, or -ENOBUFS when the kernel dropped notifications (the caller must
 * dump again to resynchronise), or another -errno. */
int fib_monitor_read(struct fib *f, fib_route_cb cb, void *arg);

/* "10.0.0.0/24 via 192.0.2.1 dev 3 proto 12 metric 0" style text for logs. */
void fib_route_format(const struct fib_route *r, char *buf, size_t len);

#endif
