/* Kernel route programming, tested for real inside a private network
 * namespace that this process creates for itself (needs root). */
#include "speaker/fib.h"
#include "tests/unit/check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen {
	int count;	   /* routes matching want */
	int total;	   /* every route of our protocol */
	struct fib_route last;
	const char *want;  /* "a.b.c.d/len" or NULL */
	int events_added, events_removed;
};

static bool route_is(const struct fib_route *r, const char *cidr)
{
	char text[INET6_ADDRSTRLEN + 4], addr[INET6_ADDRSTRLEN];

	inet_ntop(r->family, r->dst, addr, sizeof(addr));
	snprintf(text, sizeof(text), "%s/%u", addr, r->dst_len);
	return strcmp(text, cidr) == 0;
}

static void collect(void *arg, enum fib_event ev, const struct fib_route *r)
{
	struct seen *s = arg;

	if (ev == FIB_ROUTE_ADDED && r->protocol == RTPROT_BIRD)
		s->total++;
	if (s->want && route_is(r, s->want)) {
		s->count++;
		s->last = *r;
		if (ev == FIB_ROUTE_ADDED)
			s->events_added++;
		else
			s->events_removed++;
	}
}

static int n_errors, last_error;
static void on_error(void *arg, const struct fib_route *r, int error)
{
	(void)arg;
	(void)r;
	n_errors++;
	last_error = error;
}

static struct fib_route route4(const char *dst, int len, const char *gw, int oif, int type)
{
	struct fib_route r = {.family = AF_INET, .dst_len = (uint8_t)len, .type = (uint8_t)type,
			      .protocol = RTPROT_BIRD, .scope = RT_SCOPE_UNIVERSE,
			      .table = RT_TABLE_MAIN, .oif = oif};

	inet_pton(AF_INET, dst, r.dst);
	if (gw) {
		inet_pton(AF_INET, gw, r.gateway);
		r.has_gateway = true;
	}
	return r;
}

static struct seen dump(struct fib *f, int family, const char *want)
{
	struct seen s = {.want = want};
	struct err e;

	CHECK_INT(fib_dump(f, (uint8_t)family, RT_TABLE_MAIN, collect, &s, &e), 0);
	return s;
}

static int shell(const char *cmd)
{
	return system(cmd);
}

int main(void)
{
	struct fib *f;
	struct err e;
	struct seen s;
	struct fib_route r;
	int ifindex, mon;
	char text[200];

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("1..0 # SKIP needs root to create a private network namespace\n");
		return 0;
	}
	if (shell("ip link set lo up && ip link add fibt0 type veth peer name fibt1 && ip link set fibt0 up && ip link set fibt1 up && "
		  "ip addr add 10.77.0.1/24 dev fibt0 && "
		  "ip -6 addr add fd77::1/64 dev fibt0 nodad") != 0) {
		printf("1..0 # SKIP iproute2 could not set up the test interface\n");
		return 0;
	}
	ifindex = (int)if_nametoindex("fibt0");
	CHECK(ifindex > 0);
	CHECK_INT(fib_open(&f, &e), 0);
	fib_set_error_cb(f, on_error, NULL);

	/* Install a pod block blackhole and a learned route, then see them. */
	r = route4("10.80.1.0", 26, NULL, 0, RTN_BLACKHOLE);
	CHECK_INT(fib_replace(f, &r), 0);
	r = route4("10.80.2.0", 26, "10.77.0.2", ifindex, RTN_UNICAST);
	CHECK_INT(fib_replace(f, &r), 0);
	CHECK_INT(fib_flush(f, &e), 0);
	s = dump(f, AF_INET, "10.80.2.0/26");
	CHECK_INT(s.count, 1);
	CHECK(s.last.has_gateway);
	CHECK_INT(s.last.oif, ifindex);
	CHECK_INT(s.last.protocol, RTPROT_BIRD);
	s = dump(f, AF_INET, "10.80.1.0/26");
	CHECK_INT(s.count, 1);
	CHECK_INT(s.last.type, RTN_BLACKHOLE);
	CHECK_INT(shell("ip route show proto bird | grep -q '^10.80.2.0/26 via 10.77.0.2 dev fibt0'"), 0);

	/* Replace changes the next hop in place: still exactly one route. */
	r = route4("10.80.2.0", 26, "10.77.0.3", ifindex, RTN_UNICAST);
	CHECK_INT(fib_replace(f, &r), 0);
	CHECK_INT(fib_flush(f, &e), 0);
	s = dump(f, AF_INET, "10.80.2.0/26");
	CHECK_INT(s.count, 1);
	fib_route_format(&s.last, text, sizeof(text));
	CHECK_MSG(strstr(text, "via 10.77.0.3") != NULL, "replaced route has the new next hop");

	/* IPv6. */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	r.dst_len = 64;
	r.type = RTN_UNICAST;
	r.protocol = RTPROT_BIRD;
	r.table = RT_TABLE_MAIN;
	r.oif = ifindex;
	r.has_gateway = true;
	inet_pton(AF_INET6, "fd80:1::", r.dst);
	inet_pton(AF_INET6, "fd77::2", r.gateway);
	CHECK_INT(fib_replace(f, &r), 0);
	CHECK_INT(fib_flush(f, &e), 0);
	s = dump(f, AF_INET6, "fd80:1::/64");
	CHECK_INT(s.count, 1);
	CHECK(s.last.has_gateway);

	/* A next hop the kernel cannot reach is reported per route. */
	r = route4("10.81.0.0", 24, "10.55.0.1", 0, RTN_UNICAST);
	CHECK_INT(fib_replace(f, &r), 0);
	CHECK_INT(fib_flush(f, &e), 1);
	CHECK_INT(n_errors, 1);
	CHECK_INT(last_error, -ENETUNREACH);

	/* Delete. */
	r = route4("10.80.1.0", 26, NULL, 0, RTN_BLACKHOLE);
	CHECK_INT(fib_delete(f, &r), 0);
	CHECK_INT(fib_flush(f, &e), 0);
	s = dump(f, AF_INET, "10.80.1.0/26");
	CHECK_INT(s.count, 0);

	/* Monitor: routes others add and remove are seen. */
	mon = fib_monitor_open(f, &e);
	CHECK(mon >= 0);
	CHECK_INT(shell("ip route add blackhole 10.90.0.0/26 proto static"), 0);
	s = (struct seen){.want = "10.90.0.0/26"};
	CHECK_INT(fib_monitor_read(f, collect, &s), 0);
	CHECK_INT(s.events_added, 1);
	CHECK_INT(s.last.type, RTN_BLACKHOLE);
	CHECK_INT(s.last.protocol, RTPROT_STATIC);
	CHECK_INT(shell("ip route del blackhole 10.90.0.0/26"), 0);
	s = (struct seen){.want = "10.90.0.0/26"};
	CHECK_INT(fib_monitor_read(f, collect, &s), 0);
	CHECK_INT(s.events_removed, 1);

	/* Many routes, more than one batch, in and out. */
	n_errors = 0;
	for (int i = 0; i < 5000; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "10.100.%d.%d", i / 64, (i % 64) * 4);
		r = route4(dst, 30, "10.77.0.2", ifindex, RTN_UNICAST);
		if (fib_replace(f, &r) != 0)
			break;
	}
	CHECK_INT(fib_flush(f, &e), 0);
	CHECK_INT(n_errors, 0);
	s = dump(f, AF_INET, NULL);
	CHECK_INT(s.total, 5000 + 1); /* plus 10.80.2.0/26 */
	for (int i = 0; i < 5000; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "10.100.%d.%d", i / 64, (i % 64) * 4);
		r = route4(dst, 30, "10.77.0.2", ifindex, RTN_UNICAST);
		fib_delete(f, &r);
	}
	CHECK_INT(fib_flush(f, &e), 0);
	s = dump(f, AF_INET, NULL);
	CHECK_INT(s.total, 1);
	CHECK_INT(n_errors, 0);

	fib_close(f);
	return check_done();
}
