/* Kernel programming benchmark: installs and removes N routes through our
 * netlink path (speaker/fib.c) inside a private network namespace, and does
 * the same with `ip -batch` in a second namespace, reporting both rates.
 *
 *   fib-bench [N]      (root; default N = 100000)
 */
#include "speaker/fib.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


static void nth_host(int i, char *buf, size_t len)
{
	/* /32s spread over 10.100.0.0/10 so N up to ~4M stays distinct. */
	snprintf(buf, len, "10.%d.%d.%d", 100 + i / 65536, i / 256 % 256, i % 256);
}

static int setup_netns(void)
{
	if (unshare(CLONE_NEWNET) != 0)
		return -1;
	return system("ip link set lo up && ip link add fb0 type veth peer name fb1 && "
		      "ip link set fb0 up && ip link set fb1 up && ip addr add 192.168.250.1/24 dev fb0");
}

static double run_ours(int n, int ifindex, int delete)
{
	struct fib *f;
	struct err e;
	double t0;

	if (fib_open(&f, &e) != 0) {
		fprintf(stderr, "fib_open: %s\n", e.msg);
		exit(1);
	}
	t0 = now();
	for (int i = 0; i < n; i++) {
		char dst[32];
		struct fib_route r = {.family = AF_INET, .dst_len = 32, .type = RTN_UNICAST,
				      .protocol = RTPROT_BIRD, .table = RT_TABLE_MAIN,
				      .oif = ifindex, .has_gateway = true};

		nth_host(i, dst, sizeof(dst));
		inet_pton(AF_INET, dst, r.dst);
		inet_pton(AF_INET, "192.168.250.2", r.gateway);
		if ((delete ? fib_delete(f, &r) : fib_replace(f, &r)) != 0) {
			fprintf(stderr, "queue failed at %d\n", i);
			exit(1);
		}
	}
	if (fib_flush(f, &e) != 0) {
		fprintf(stderr, "flush: %s\n", e.msg);
		exit(1);
	}
	t0 = now() - t0;
	fib_close(f);
	return t0;
}

static double run_ip_batch(int n, int delete)
{
	char path[] = "/tmp/fib-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");
	char cmd[128];
	double t0;

	for (int i = 0; i < n; i++) {
		char dst[32];

		nth_host(i, dst, sizeof(dst));
		fprintf(out, "route %s %s/32 via 192.168.250.2 dev fb0 proto bird\n",
			delete ? "del" : "replace", dst);
	}
	fclose(out);
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	t0 = now();
	if (system(cmd) != 0) {
		fprintf(stderr, "ip -batch failed\n");
		exit(1);
	}
	t0 = now() - t0;
	unlink(path);
	return t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	double ours_add, ours_del, ip_add, ip_del;
	int ifindex;

	if (geteuid() != 0 || setup_netns() != 0) {
		fprintf(stderr, "fib-bench: needs root and network namespaces\n");
		return 1;
	}
	ifindex = (int)if_nametoindex("fb0");
	/* Interleave the two tools so machine noise hits both alike. */
	ip_add = run_ip_batch(n, 0);
	ip_del = run_ip_batch(n, 1);
	ours_add = run_ours(n, ifindex, 0);
	ours_del = run_ours(n, ifindex, 1);
	printf("routes %d\n", n);
	printf("install  ours %.3f s (%.0f routes/s)  ip -batch %.3f s (%.0f routes/s)  rate ratio %.2f\n",
	       ours_add, n / ours_add, ip_add, n / ip_add, ip_add / ours_add);
	printf("withdraw ours %.3f s (%.0f routes/s)  ip -batch %.3f s (%.0f routes/s)  rate ratio %.2f\n",
	       ours_del, n / ours_del, ip_del, n / ip_del, ip_del / ours_del);
	return 0;
}
