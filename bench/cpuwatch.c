/* cpuwatch: tells when a daemon has finished a burst of work, without
 * asking it anything.
 *
 * Polling a daemon for its route count makes it walk its table while it is
 * still loading; this tool instead samples the CPU time of every thread of
 * the given processes (/proc/PID/task/TID/schedstat, nanoseconds) every few
 * milliseconds. A sample counts as busy when the processes used at least
 * --busy-pct of its wall time, so a periodic timer (an interface scan, a
 * KEEPALIVE) that runs for microseconds does not count as work. Once at
 * least --min-cpu-ms of work has been seen and then no sample has been busy
 * for --idle-ms, it prints the end of the last busy sample ("last_active"), the CPU used since start, and the peak and
 * current RSS (VmHWM, VmRSS) summed over the processes.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bgpmini.h"

#define MAX_PIDS 8

struct watch_opts {
	unsigned npids;
	unsigned long pids[MAX_PIDS];
	uint64_t idle_ms;
	uint64_t interval_ms;
	uint64_t min_cpu_ms;
	uint64_t busy_pct;
	uint64_t timeout_s;
};

/* CPU nanoseconds of all threads of pid; -ESRCH when it is gone. */
static int64_t proc_cpu_ns(unsigned long pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lu/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -ESRCH;
	int64_t total = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[320];
		snprintf(p, sizeof(p), "/proc/%lu/task/%s/schedstat", pid, de->d_name);
		FILE *f = fopen(p, "r");
		if (!f)
			continue; /* the thread just exited */
		unsigned long long ns;
		if (fscanf(f, "%llu", &ns) == 1)
			total += (int64_t)ns;
		fclose(f);
	}
	closedir(d);
	return total;
}

static int64_t total_cpu_ns(const struct watch_opts *o, struct err *e)
{
	int64_t sum = 0;
	for (unsigned i = 0; i < o->npids; i++) {
		int64_t ns = proc_cpu_ns(o->pids[i]);
		if (ns < 0)
			return err_set(e, (int)ns, "process %lu is gone", o->pids[i]);
		sum += ns;
	}
	return sum;
}

static long total_kb(const struct watch_opts *o, const char *field)
{
	long sum = 0;
	for (unsigned i = 0; i < o->npids; i++) {
		long kb = bm_proc_status_kb(o->pids[i], field);
		if (kb > 0)
			sum += kb;
	}
	return sum;
}

static int parse_args(int argc, char **argv, struct watch_opts *o, struct err *e)
{
	static const struct option longopts[] = {
		{"pid", required_argument, NULL, 'p'},        {"idle-ms", required_argument, NULL, 'i'},
		{"interval-ms", required_argument, NULL, 'n'}, {"min-cpu-ms", required_argument, NULL, 'm'},
		{"timeout", required_argument, NULL, 't'},    {"busy-pct", required_argument, NULL, 'b'},
		{0},
	};
	*o = (struct watch_opts){.idle_ms = 1000, .interval_ms = 5, .min_cpu_ms = 20, .busy_pct = 10,
		.timeout_s = 600};
	int c, rc = 0;
	uint64_t v;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (o->npids == MAX_PIDS)
				return err_set(e, -E2BIG, "--pid: at most %d processes", MAX_PIDS);
			rc = bm_parse_u64("--pid", optarg, 1, 1u << 30, &v, e);
			o->pids[o->npids++] = (unsigned long)v;
			break;
		case 'i': rc = bm_parse_u64("--idle-ms", optarg, 10, 600000, &o->idle_ms, e); break;
		case 'n': rc = bm_parse_u64("--interval-ms", optarg, 1, 1000, &o->interval_ms, e); break;
		case 'm': rc = bm_parse_u64("--min-cpu-ms", optarg, 0, 600000, &o->min_cpu_ms, e); break;
		case 't': rc = bm_parse_u64("--timeout", optarg, 1, 86400, &o->timeout_s, e); break;
		case 'b': rc = bm_parse_u64("--busy-pct", optarg, 0, 100, &o->busy_pct, e); break;
		default:
			return err_set(e, -EINVAL,
				"usage: cpuwatch --pid PID [--pid PID...] [--idle-ms 1000] [--interval-ms 5] "
				"[--min-cpu-ms 20] [--busy-pct 10] [--timeout 600]");
		}
		if (rc < 0)
			return rc;
	}
	if (!o->npids)
		return err_set(e, -EINVAL, "give at least one --pid");
	return 0;
}

int main(int argc, char **argv)
{
	struct err e = {""};
	struct watch_opts o;
	int rc = parse_args(argc, argv, &o, &e);
	if (rc < 0) {
		fprintf(stderr, "cpuwatch: %s\n", e.msg);
		return 2;
	}
	int64_t start = total_cpu_ns(&o, &e);
	if (start < 0) {
		fprintf(stderr, "cpuwatch: %s\n", e.msg);
		return 1;
	}
	double t0 = bm_now();
	printf("cpuwatch start t=%.6f rss_kb=%ld hwm_kb=%ld\n", t0, total_kb(&o, "VmRSS"), total_kb(&o, "VmHWM"));
	fflush(stdout);
	int64_t last = start;
	double last_active = 0, prev = t0;
	struct timespec nap = {.tv_sec = 0, .tv_nsec = (long)o.interval_ms * 1000000L};
	for (;;) {
		nanosleep(&nap, NULL);
		double now = bm_now();
		int64_t cpu = total_cpu_ns(&o, &e);
		if (cpu < 0) {
			fprintf(stderr, "cpuwatch: %s\n", e.msg);
			return 1;
		}
		if ((double)(cpu - last) >= (now - prev) * 1e9 * (double)o.busy_pct / 100.0 && cpu != last)
			last_active = now;
		last = cpu;
		prev = now;
		bool worked = (uint64_t)(cpu - start) >= o.min_cpu_ms * 1000000ull;
		if (worked && last_active > 0 && (now - last_active) * 1000 >= (double)o.idle_ms) {
			printf("cpuwatch idle t=%.6f last_active=%.6f cpu=%.3f rss_kb=%ld hwm_kb=%ld\n", now,
				last_active, (double)(cpu - start) / 1e9, total_kb(&o, "VmRSS"), total_kb(&o, "VmHWM"));
			return 0;
		}
		if (now - t0 > (double)o.timeout_s) {
			fprintf(stderr, "cpuwatch: no idle period of %" PRIu64 " ms within %" PRIu64 " s\n", o.idle_ms,
				o.timeout_s);
			return 1;
		}
	}
}
