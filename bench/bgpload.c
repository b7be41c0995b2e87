/* bgpload: M BGP sessions from one process, for the route-reflector,
 * full-mesh and re-advertise benchmarks (issue 5).
 *
 * Every session connects to one speaker from its own source address (give
 * the namespace many addresses), announces its K prefixes and counts which
 * of the others' prefixes it holds (loadsess.h). With --per-client 0 the
 * sessions announce nothing and are monitor peers that expect --expect
 * prefixes (e.g. the feeder's, re-advertised by the speaker).
 *
 * Phases, each ending when every session is Established and complete and
 * no UPDATE has arrived for --settle-ms:
 *   initial  all sessions start at once; time = last completion - start;
 *   restart  (--restart-pct P) P% of the sessions, spread evenly, send a
 *            Cease and reconnect at once; time = last (re)completion of any
 *            session - the restart.
 * Output: one "bgpload EVENT k=v ..." line per event, wall-clock times
 * (CLOCK_REALTIME, comparable across processes), and this process's CPU
 * time per phase so a tool-limited run is visible.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench/loadsess.h"

#define LOAD_MAX_WATCH 8

struct load_opts {
	struct ls_config cfg;
	uint64_t expect; /* 0: count * per_session */
	unsigned settle_ms;
	unsigned timeout_s;
	unsigned restart_pct;
	/* --watch-pid, repeatable: the speaker's processes (OpenBGPD runs
	 * three), reported summed. */
	unsigned long watch_pids[LOAD_MAX_WATCH];
	unsigned nwatch;
	bool per_session;
	bool print_addresses;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bgpload --connect IP[:PORT] --local FIRST_IP --count M [options]\n"
		"  --count M           sessions, source addresses FIRST_IP, FIRST_IP+1, ... (skipping .0/.255)\n"
		"  --per-client K      prefixes each session announces (default 4; 0: monitor peers)\n"
		"  --expect N          size of the prefix space: what a session expects is N minus its own K\n"
		"                      (default M*K)\n"
		"  --base A.B.C.D      first prefix (default 100.64.0.0)\n"
		"  --length L          prefix length 8..32 (default 26)\n"
		"  --as N              our AS, the same for every session (default 64512)\n"
		"  --hold S            hold time we offer, 0 or 3..65535 (default 90)\n"
		"  --next-hop A.B.C.D  NEXT_HOP we announce (default: each session's source address)\n"
		"  --retry-ms MS       pause before reconnecting a failed session (default 20)\n"
		"  --max-pending N     sessions in the OPEN exchange at once, 0 = all (default 8: BIRD's\n"
		"                      listen backlog; more overflow it and wait for SYN-ACK retransmits)\n"
		"  --settle-ms MS      quiet period that ends a phase (default 1000)\n"
		"  --timeout S         give up on a phase after S seconds (default 300)\n"
		"  --restart-pct P     after converging, restart P%% of the sessions at once (default 0)\n"
		"  --read-buffer B     read buffer per session in bytes (default 65536)\n"
		"  --watch-pid PID     report that process's CPU time and RSS per phase (the speaker);\n"
		"                      repeat it for a speaker of several processes (summed, at most 8)\n"
		"  --per-session       one line per session after each phase (always when M <= 16)\n"
		"  --print-addresses   print the M source addresses, one a line, and exit\n");
}

static int parse_args(int argc, char **argv, struct load_opts *o, struct err *e)
{
	static const struct option longopts[] = {
		{"connect", required_argument, NULL, 'c'},    {"local", required_argument, NULL, 'L'},
		{"count", required_argument, NULL, 'M'},      {"per-client", required_argument, NULL, 'K'},
		{"expect", required_argument, NULL, 'N'},     {"base", required_argument, NULL, 'b'},
		{"length", required_argument, NULL, 'P'},     {"as", required_argument, NULL, 'a'},
		{"hold", required_argument, NULL, 'H'},       {"next-hop", required_argument, NULL, 'n'},
		{"retry-ms", required_argument, NULL, 'r'},   {"max-pending", required_argument, NULL, 'x'},
		   {"settle-ms", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},    {"restart-pct", required_argument, NULL, 'R'},
		{"read-buffer", required_argument, NULL, 'B'}, {"per-session", no_argument, NULL, 'S'},
		{"print-addresses", no_argument, NULL, 'p'},  {"watch-pid", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	*o = (struct load_opts){
		.cfg = {.port = 179, .per_session = 4, .base = 0x64400000, .length = 26, .as = 64512, .hold = 90,
			.retry_ms = 20, .max_pending = 8, .rbuf = 65536},
		.settle_ms = 1000, .timeout_s = 300,
	};
	const char *connect_to = NULL, *local = NULL;
	int c, rc = 0;
	uint64_t v, count = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': connect_to = optarg; break;
		case 'L': local = optarg; break;
		case 'M': rc = bm_parse_u64("--count", optarg, 1, 60000, &count, e); break;
		case 'K': rc = bm_parse_u64("--per-client", optarg, 0, 100000, &v, e); o->cfg.per_session = (unsigned)v; break;
		case 'N': rc = bm_parse_u64("--expect", optarg, 1, 1u << 24, &o->expect, e); break;
		case 'b': rc = bm_parse_ipv4("--base", optarg, &o->cfg.base, e); break;
		case 'P': rc = bm_parse_u64("--length", optarg, 8, 32, &v, e); o->cfg.length = (unsigned)v; break;
		case 'a': rc = bm_parse_u64("--as", optarg, 1, UINT32_MAX, &v, e); o->cfg.as = (uint32_t)v; break;
		case 'H':
			rc = bm_parse_u64("--hold", optarg, 0, 65535, &v, e);
			if (rc == 0 && v > 0 && v < 3)
				rc = err_set(e, -EINVAL, "--hold = '%s': must be 0 or at least 3 (RFC 4271)", optarg);
			o->cfg.hold = (uint16_t)v;
			break;
		case 'n': rc = bm_parse_ipv4("--next-hop", optarg, &o->cfg.next_hop, e); break;
		case 'r': rc = bm_parse_u64("--retry-ms", optarg, 1, 60000, &v, e); o->cfg.retry_ms = (unsigned)v; break;
		case 'x': rc = bm_parse_u64("--max-pending", optarg, 0, 60000, &v, e); o->cfg.max_pending = (unsigned)v; break;
		case 's': rc = bm_parse_u64("--settle-ms", optarg, 0, 600000, &v, e); o->settle_ms = (unsigned)v; break;
		case 't': rc = bm_parse_u64("--timeout", optarg, 1, 86400, &v, e); o->timeout_s = (unsigned)v; break;
		case 'R': rc = bm_parse_u64("--restart-pct", optarg, 0, 100, &v, e); o->restart_pct = (unsigned)v; break;
		case 'B':
			rc = bm_parse_u64("--read-buffer", optarg, 2 * BM_MAX_MSG, 64u << 20, &v, e);
			o->cfg.rbuf = (size_t)v;
			break;
		case 'W':
			if (o->nwatch == LOAD_MAX_WATCH)
				return err_set(e, -E2BIG, "--watch-pid = '%s': at most %d processes", optarg,
					LOAD_MAX_WATCH);
			rc = bm_parse_u64("--watch-pid", optarg, 1, 1u << 30, &v, e);
			o->watch_pids[o->nwatch++] = (unsigned long)v;
			break;
		case 'S': o->per_session = true; break;
		case 'p': o->print_addresses = true; break;
		case 'h': usage(stdout); return 1;
		default: return err_set(e, -EINVAL, "unknown option (see --help)");
		}
		if (rc < 0)
			return rc;
	}
	if (optind < argc)
		return err_set(e, -EINVAL, "unexpected argument '%s'", argv[optind]);
	if (!local)
		return err_set(e, -EINVAL, "--local (the first source address) is required");
	if (!count)
		return err_set(e, -EINVAL, "--count is required");
	o->cfg.count = (unsigned)count;
	rc = bm_parse_ipv4("--local", local, &o->cfg.first_src, e);
	if (rc < 0)
		return rc;
	uint32_t last = ls_source(o->cfg.first_src, o->cfg.count - 1);
	if (last < o->cfg.first_src)
		return err_set(e, -ERANGE, "--count %u source addresses from --local %s run past 255.255.255.255",
			o->cfg.count, local);
	if (o->print_addresses)
		return 0;
	if (!connect_to)
		return err_set(e, -EINVAL, "--connect is required");
	struct sockaddr_storage ss;
	unsigned sslen;
	rc = bm_parse_endpoint(connect_to, 179, &ss, &sslen, e);
	if (rc < 0)
		return rc;
	if (ss.ss_family != AF_INET)
		return err_set(e, -EINVAL, "--connect = '%s': only IPv4 peers are supported", connect_to);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	o->cfg.remote = ntohl(s4->sin_addr.s_addr);
	o->cfg.port = ntohs(s4->sin_port);
	uint64_t total = o->expect ? o->expect : (uint64_t)o->cfg.count * o->cfg.per_session;
	if (total == 0)
		return err_set(e, -EINVAL, "--per-client 0 (monitor peers) needs --expect");
	if (total < (uint64_t)o->cfg.count * o->cfg.per_session)
		return err_set(e, -EINVAL, "--expect = %" PRIu64 " is less than --count x --per-client = %" PRIu64,
			total, (uint64_t)o->cfg.count * o->cfg.per_session);
	unsigned shift = 32 - o->cfg.length;
	if (shift < 32 && (o->cfg.base & ((1u << shift) - 1)))
		return err_set(e, -EINVAL, "--base has host bits set for --length %u", o->cfg.length);
	if ((uint64_t)o->cfg.base + ((total - 1) << shift) > UINT32_MAX)
		return err_set(e, -ERANGE, "%" PRIu64 " /%u prefixes from --base run past 255.255.255.255", total,
			o->cfg.length);
	o->cfg.total = (uint32_t)total;
	return 0;
}

static double cpu_now(void)
{
	double u, s;
	bm_cpu(&u, &s);
	return u + s;
}

/* What --watch-pid reports: CPU seconds (all threads) and memory. */
struct peer_sample {
	double cpu;
	long rss_kb;
	long hwm_kb;
};

/* utime + stime from /proc/PID/stat (fields 14 and 15, after the command
 * name, which may hold spaces, so parsing starts after its ')'). */
static struct peer_sample sample_peer(unsigned long pid)
{
	struct peer_sample ps = {.cpu = -1, .rss_kb = -1, .hwm_kb = -1};
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return ps;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')');
	unsigned long long ut, st;
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2)
		ps.cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	ps.rss_kb = bm_proc_status_kb(pid, "VmRSS");
	ps.hwm_kb = bm_proc_status_kb(pid, "VmHWM");
	return ps;
}

/* The --watch-pid processes summed; -1 fields when there are none or one
 * of them is gone (a sum missing a process would understate it). */
static struct peer_sample sample_peers(const struct load_opts *o)
{
	const struct peer_sample none = {.cpu = -1, .rss_kb = -1, .hwm_kb = -1};
	if (!o->nwatch)
		return none;
	struct peer_sample sum = {0};
	for (unsigned i = 0; i < o->nwatch; i++) {
		struct peer_sample ps = sample_peer(o->watch_pids[i]);
		if (ps.cpu < 0 || ps.rss_kb < 0 || ps.hwm_kb < 0)
			return none;
		sum.cpu += ps.cpu;
		sum.rss_kb += ps.rss_kb;
		sum.hwm_kb += ps.hwm_kb;
	}
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static const char *addr_text(uint32_t a, char *buf)
{
	struct in_addr in = {.s_addr = htonl(a)};
	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void print_sessions(const struct ls_loop *l, const char *phase)
{
	for (unsigned i = 0; i < l->cfg.count; i++) {
		const struct ls_session *s = &l->s[i];
		char a[INET_ADDRSTRLEN];
		printf("bgpload session phase=%s i=%u src=%s state=%d established=%.6f first_update=%.6f "
		       "complete=%.6f eor=%.6f held=%u need=%u updates=%" PRIu64 " announced=%" PRIu64
		       " withdrawn=%" PRIu64 " connects=%u error=\"%s\"\n",
			phase, i, addr_text(s->src, a), (int)s->state, s->t_established, s->t_first_update,
			s->t_complete, s->t_eor, s->nheld, s->need, s->updates, s->announced, s->withdrawn,
			s->connects, s->last_error);
	}
}

/* Runs until every session is Established and complete and nothing has
 * arrived for settle_ms. Prints the phase line; returns 0, 1 (timeout or
 * signal) or a negative error. */
static int run_phase(struct ls_loop *l, const struct load_opts *o, const char *name, double start,
	double cpu_start, struct peer_sample peer0, struct err *e)
{
	double deadline = start + o->timeout_s, next_progress = start + 5;
	bool all_up_said = false;
	int result = 0;
	for (;;) {
		int rc = ls_poll(l, 20, e);
		if (rc < 0)
			return rc;
		double now = bm_now();
		unsigned up = 0, done = ls_count_complete(l);
		for (unsigned i = 0; i < l->cfg.count; i++)
			up += l->s[i].state == LS_ESTABLISHED;
		if (up == l->cfg.count && !all_up_said) {
			all_up_said = true;
			printf("bgpload established phase=%s t=%.6f\n", name, now);
			fflush(stdout);
		}
		if (now >= next_progress) {
			next_progress = now + 5;
			printf("bgpload progress phase=%s t=%.6f established=%u complete=%u bytes_in=%" PRIu64 "\n",
				name, now, up, done, l->bytes_in);
			fflush(stdout);
		}
		if (done == l->cfg.count && now - l->last_update >= o->settle_ms / 1000.0)
			break;
		if (bm_stop_signal || now >= deadline) {
			result = 1;
			break;
		}
	}
	unsigned m = l->cfg.count;
	double *t = malloc(m * sizeof(*t));
	if (!t)
		return err_set(e, -ENOMEM, "out of memory for the phase summary");
	double first_est = 0, last_est = 0;
	for (unsigned i = 0; i < m; i++) {
		const struct ls_session *s = &l->s[i];
		/* A session that converged before this phase and was never
		 * disturbed counts as converged at the phase start. */
		t[i] = s->complete ? (s->t_complete > start ? s->t_complete - start : 0) : INFINITY;
		if (s->t_established >= start) {
			if (!first_est || s->t_established < first_est)
				first_est = s->t_established;
			if (s->t_established > last_est)
				last_est = s->t_established;
		}
	}
	qsort(t, m, sizeof(*t), cmp_double);
	struct peer_sample peer1 = sample_peers(o);
	printf("bgpload phase name=%s start=%.6f time=%.6f median=%.6f p90=%.6f first_established=%.6f "
	       "last_established=%.6f complete=%u/%u bytes_in=%" PRIu64 " cpu=%.3f peer_cpu=%.3f "
	       "peer_rss_start_kb=%ld peer_rss_kb=%ld peer_hwm_kb=%ld result=%s\n",
		name, start, t[m - 1], t[m / 2], t[(m * 9) / 10 < m ? (m * 9) / 10 : m - 1],
		first_est ? first_est - start : -1, last_est ? last_est - start : -1, ls_count_complete(l), m,
		l->bytes_in, cpu_now() - cpu_start, peer1.cpu >= 0 && peer0.cpu >= 0 ? peer1.cpu - peer0.cpu : -1,
		peer0.rss_kb, peer1.rss_kb, peer1.hwm_kb, result ? (bm_stop_signal ? "signal" : "timeout") : "ok");
	free(t);
	if (o->per_session || m <= 16 || result)
		print_sessions(l, name);
	fflush(stdout);
	return result;
}

static int run(const struct load_opts *o, struct err *e)
{
	struct ls_loop l;
	int rc = ls_init(&l, &o->cfg, e);
	if (rc < 0) {
		ls_free(&l);
		return rc;
	}
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	printf("bgpload start sessions=%u per_client=%u expect=%u first_src=%s last_src=%s t=%.6f\n",
		o->cfg.count, o->cfg.per_session, o->cfg.total, addr_text(o->cfg.first_src, a),
		addr_text(ls_source(o->cfg.first_src, o->cfg.count - 1), b), bm_now());
	fflush(stdout);
	struct peer_sample peer0 = sample_peers(o);
	double cpu0 = cpu_now(), t0 = bm_now();
	ls_start_all(&l);
	rc = run_phase(&l, o, "initial", t0, cpu0, peer0, e);
	if (rc == 0 && o->restart_pct) {
		unsigned n = (o->cfg.count * o->restart_pct + 99) / 100;
		struct peer_sample peer1 = sample_peers(o);
		double cpu1 = cpu_now(), t1 = bm_now();
		printf("bgpload restarting sessions=%u t=%.6f\n", n, t1);
		fflush(stdout);
		/* Spread evenly: session k * M / n for k < n. */
		for (unsigned k = 0; k < n; k++)
			ls_restart(&l, (unsigned)((uint64_t)k * o->cfg.count / n));
		rc = run_phase(&l, o, "restart", t1, cpu1, peer1, e);
	}
	double u, s;
	bm_cpu(&u, &s);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("bgpload done t=%.6f user=%.3f sys=%.3f maxrss_kb=%ld result=%s\n", bm_now(), u, s, ru.ru_maxrss,
		rc < 0 ? "error" : rc ? "incomplete" : "ok");
	fflush(stdout);
	ls_free(&l);
	return rc;
}

int main(int argc, char **argv)
{
	struct err e = {""};
	struct load_opts o;
	int rc = parse_args(argc, argv, &o, &e);
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "bgpload: %s\n", e.msg);
		return rc < 0 ? 2 : 0;
	}
	if (o.print_addresses) {
		char a[INET_ADDRSTRLEN];
		for (unsigned i = 0; i < o.cfg.count; i++)
			printf("%s\n", addr_text(ls_source(o.cfg.first_src, i), a));
		return 0;
	}
	bm_catch_signals();
	rc = run(&o, &e);
	if (rc < 0)
		fprintf(stderr, "bgpload: %s\n", e.msg);
	return rc == 0 ? 0 : 1;
}
