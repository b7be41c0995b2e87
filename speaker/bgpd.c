/* calico-bgpd: the BGP speaker. Options, signals, the event loop, the log
 * and pid files; everything else lives in speaker.c, session.c and
 * control.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ipc.h"
#include "lib/log.h"
#include "lib/peering.h"
#include "speaker/commands.h"
#include "speaker/control.h"
#include "speaker/dsmode.h"
#include "speaker/dsync.h"
#include "speaker/speaker.h"
#include "store/config.h"

struct options {
	const char *plan;
	const char *node;   /* datastore mode */
	const char *config; /* datastore settings file (calicoctl's -c) */
	const char *ctl;
	const char *log_file;
	const char *pid_file;
	int log_level;
	bool foreground;
	bool check;
	bool graceful_restart;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: calico-bgpd --node NAME [options]\n"
		"       calico-bgpd --plan FILE [options]\n"
		"\n"
		"The Calico BGP speaker. With --node it is the node's BGP agent: it plans its\n"
		"sessions from the datastore (the same settings as calicoctl), follows every\n"
		"change, programs the kernel and publishes CalicoNodeStatus. With --plan it\n"
		"runs the sessions and originates the routes of a peering plan file\n"
		"(docs/PLAN-FORMAT.md). Either way it answers on a control socket\n"
		"(docs/IPC.md).\n"
		"\n"
		"Options:\n"
		"  --node NAME          datastore mode for Calico node NAME; SIGHUP re-plans\n"
		"                       (and reopens the log file)\n"
		"  --config FILE        datastore settings (CalicoAPIConfig), default\n"
		"                       /etc/calico/calicoctl.cfg, else the environment\n"
		"  --plan FILE          the peering plan (JSON); SIGHUP re-reads it (and\n"
		"                       reopens the log file)\n"
		"  --check              parse the plan, print its canonical form, exit\n"
		"  --ctl SOCKET         control socket (default $%s, else %s)\n"
		"  --log-file FILE      log to FILE instead of stderr\n"
		"  --log-level LEVEL    panic, fatal, error, warn, info (default) or debug\n"
		"  --pid-file FILE      write the process id to FILE\n"
		"  --foreground         do not detach\n"
		"  --graceful-restart   start as a restarting speaker (RFC 4724): set the R bit\n"
		"                       and defer our updates until the peers' End-of-RIB\n"
		"                       (automatic with --node when the kernel holds routes\n"
		"                       of an earlier run)\n"
		"  --help, --version\n",
		IPC_SOCKET_ENV, IPC_DEFAULT_SOCKET);
}

/* Returns 0 to run, 1 to exit 0, -1 to exit 1 (message printed). */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_PLAN = 256, OPT_NODE, OPT_CONFIG, OPT_CTL, OPT_LOGFILE, OPT_LOGLEVEL, OPT_PID, OPT_FG, OPT_CHECK,
	       OPT_GR, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{ "plan", required_argument, NULL, OPT_PLAN },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "ctl", required_argument, NULL, OPT_CTL },
		{ "log-file", required_argument, NULL, OPT_LOGFILE },
		{ "log-level", required_argument, NULL, OPT_LOGLEVEL },
		{ "pid-file", required_argument, NULL, OPT_PID },
		{ "foreground", no_argument, NULL, OPT_FG },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "graceful-restart", no_argument, NULL, OPT_GR },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->log_level = LOG_INFO;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PLAN:
			o->plan = optarg;
			break;
		case OPT_NODE:
			o->node = optarg;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_CTL:
			o->ctl = optarg;
			break;
		case OPT_LOGFILE:
			o->log_file = optarg;
			break;
		case OPT_LOGLEVEL:
			o->log_level = log_level_parse(optarg);
			if (o->log_level < 0) {
				fprintf(stderr,
					"calico-bgpd: invalid --log-level '%s': must be panic, fatal, "
					"error, warn, info or debug\n",
					optarg);
				return -1;
			}
			break;
		case OPT_PID:
			o->pid_file = optarg;
			break;
		case OPT_FG:
			o->foreground = true;
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_GR:
			o->graceful_restart = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("calico-bgpd %s (%s)\n", PROJECT_VERSION, GIT_COMMIT);
			return 1;
		case ':':
			fprintf(stderr, "calico-bgpd: option '%s' needs a value\n", argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "calico-bgpd: unknown option '%s' (see --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "calico-bgpd: unexpected argument '%s' (see --help)\n", argv[optind]);
		return -1;
	}
	if (!o->plan == !o->node) {
		fprintf(stderr, "calico-bgpd: exactly one of --node NAME and --plan FILE is required "
				"(see --help)\n");
		return -1;
	}
	if (o->check && !o->plan) {
		fprintf(stderr, "calico-bgpd: --check needs --plan FILE\n");
		return -1;
	}
	if (o->config && !o->node) {
		fprintf(stderr, "calico-bgpd: --config goes with --node\n");
		return -1;
	}
	o->ctl = ipc_socket_path(o->ctl);
	return 0;
}

/* --- the daemon -------------------------------------------------------- */

struct daemon {
	struct bgpd d;
	struct ev_loop *loop;
	struct control *ctl;
	ev_signal sighup, sigterm, sigint;
	ev_timer stop_timer;
	const struct options *opt;
	struct store_config scfg; /* datastore mode */
	struct dsync *ds;
	struct dsmode *dsm;
};

static int reload(struct bgpd *d, struct speaker_apply_summary *sum, struct err *e)
{
	struct daemon *dm = (struct daemon *)d;
	struct peering_plan *plan;
	int rc;

	if (dm->dsm) {
		rc = dsmode_reload(dm->dsm, sum, e);
		if (rc)
			log_error("reload: %s", e->msg);
		return rc;
	}
	rc = peering_plan_load(d->plan_path, &plan, e);
	if (rc) {
		log_error("reload: %s (the running plan stays)", e->msg);
		return rc;
	}
	rc = speaker_apply(d->sp, plan, sum, e);
	if (rc)
		log_error("reload: %s", e->msg);
	d->sp->reloads++;
	return rc;
}

static void stop_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Ends the loop at its next iteration, after the current replies went out. */
static void request_stop(struct bgpd *d)
{
	struct daemon *dm = (struct daemon *)d;

	ev_timer_set(&dm->stop_timer, 0., 0.);
	ev_timer_start(dm->loop, &dm->stop_timer);
}

static void sighup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *dm = w->data;
	struct speaker_apply_summary sum;
	struct err e = { "" };

	(void)loop;
	(void)revents;
	/* reopen the log file too, so that log rotation works with SIGHUP */
	if (dm->opt->log_file && log_open_file(dm->opt->log_file))
		fprintf(stderr, "calico-bgpd: cannot reopen log file %s\n", dm->opt->log_file);
	log_info("SIGHUP: re-reading %s", dm->d.plan_path ? dm->d.plan_path : "the datastore");
	reload(&dm->d, &sum, &e);
}

static void sigterm_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *dm = w->data;

	(void)loop;
	(void)revents;
	log_info("signal %d: shutting down", w->signum);
	request_stop(&dm->d);
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

/* Detaches; the parent waits until the child reports that it is running
 * (or why it is not), so that start-up errors reach the caller. */
static int daemonize(int *report_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		char buf[ERR_LEN + 1];
		ssize_t n;

		close(p[1]);
		n = read(p[0], buf, sizeof(buf) - 1);
		if (n <= 0) {
			fprintf(stderr, "calico-bgpd: the daemon exited during start-up\n");
			_exit(1);
		}
		buf[n] = '\0';
		if (buf[0] != '\0') {
			fprintf(stderr, "calico-bgpd: %s\n", buf + 1);
			_exit(1);
		}
		_exit(0);
	}
	close(p[0]);
	setsid();
	if (chdir("/") < 0) {
		/* not fatal: nothing below depends on the working directory */
	}
	{
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			if (!getenv("CALICO_BGPD_KEEP_STDERR"))
				dup2(null, STDERR_FILENO);
			if (null > 2)
				close(null);
		}
	}
	*report_fd = p[1];
	return 0;
}

static void report(int fd, const char *error)
{
	char buf[ERR_LEN + 2];

	if (fd < 0)
		return;
	if (error) {
		snprintf(buf, sizeof(buf), "E%s", error);
		(void)!write(fd, buf, strlen(buf));
	} else {
		(void)!write(fd, "", 1);
	}
	close(fd);
}

static int check_plan(const struct options *o)
{
	struct peering_plan *plan;
	struct err e = { "" };
	json_t *j;
	char *s;

	if (peering_plan_load(o->plan, &plan, &e)) {
		fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		return 1;
	}
	j = peering_plan_to_json(plan);
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	json_decref(j);
	peering_plan_free(plan);
	return 0;
}

/* Datastore mode: opens the datastore and plans this node's sessions. */
static int plan_from_datastore(struct daemon *dm, struct peering_plan **plan, struct err *e)
{
	struct dsync_options o = {.store = &dm->scfg, .node = dm->opt->node};
	int rc;

	planner_env_from_environ(&o.env);
	rc = dsync_new(dm->loop, &o, NULL, NULL, &dm->ds, e);
	if (rc)
		return rc;
	rc = dsync_plan_now(dm->ds, plan, e);
	if (rc)
		err_prefix(e, "cannot plan node %s: ", dm->opt->node);
	return rc;
}

int main(int argc, char **argv)
{
	struct options opt;
	struct daemon dm;
	struct peering_plan *plan;
	struct err e = { "" };
	int rc, report_fd = -1;

	rc = parse_options(argc, argv, &opt);
	if (rc)
		return rc > 0 ? 0 : 1;
	if (opt.check)
		return check_plan(&opt);
	log_threshold = (enum log_level)opt.log_level;
	if (opt.log_file && (rc = log_open_file(opt.log_file))) {
		fprintf(stderr, "calico-bgpd: cannot open log file %s: %s\n", opt.log_file,
			strerror(-rc));
		return 1;
	}
	memset(&dm, 0, sizeof(dm));
	if (opt.plan && peering_plan_load(opt.plan, &plan, &e)) {
		fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		return 1;
	}
	/* Datastore settings are checked before detaching, so that a typo is
	 * reported to whoever started us. */
	if (opt.node && store_config_load(opt.config, opt.config != NULL, &dm.scfg, &e)) {
		fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		store_config_free(&dm.scfg);
		return 1;
	}
	if (!opt.foreground && (rc = daemonize(&report_fd))) {
		fprintf(stderr, "calico-bgpd: cannot detach: %s\n", strerror(-rc));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	dm.opt = &opt;
	dm.loop = ev_default_loop(EVFLAG_AUTO);
	dm.d.plan_path = opt.plan;
	dm.d.ctl_path = opt.ctl;
	dm.d.reload = reload;
	dm.d.stop = request_stop;
	if (opt.node && plan_from_datastore(&dm, &plan, &e)) {
		log_error("%s", e.msg);
		if (opt.foreground)
			fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		report(report_fd, e.msg);
		dsync_free(dm.ds);
		store_config_free(&dm.scfg);
		return 1;
	}
	if (opt.node && !opt.graceful_restart && dsmode_kernel_has_earlier_routes()) {
		log_info("the kernel holds routes of an earlier run: restarting gracefully");
		opt.graceful_restart = true;
	}
	/* speaker_apply owns the plan from its call on, success or not. */
	rc = speaker_new(dm.loop, plan, opt.graceful_restart, &dm.d.sp, &e);
	if (rc)
		peering_plan_free(plan);
	else
		rc = speaker_apply(dm.d.sp, plan, NULL, &e);
	if (rc) {
		log_error("%s", e.msg);
		if (opt.foreground)
			fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		report(report_fd, e.msg);
		speaker_free(dm.d.sp);
		dsync_free(dm.ds);
		store_config_free(&dm.scfg);
		return 1;
	}
	if (control_open(dm.loop, opt.ctl, bgpd_commands, &dm.d, &dm.ctl, &e)) {
		log_error("%s", e.msg);
		if (opt.foreground)
			fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		report(report_fd, e.msg);
		speaker_free(dm.d.sp);
		dsync_free(dm.ds);
		store_config_free(&dm.scfg);
		return 1;
	}
	if (opt.node && dsmode_new(dm.loop, dm.d.sp, dm.ds, opt.node, NULL, &dm.dsm, &e)) {
		log_error("%s", e.msg);
		if (opt.foreground)
			fprintf(stderr, "calico-bgpd: %s\n", e.msg);
		report(report_fd, e.msg);
		control_close(dm.ctl);
		speaker_free(dm.d.sp);
		dsync_free(dm.ds);
		store_config_free(&dm.scfg);
		return 1;
	}
	if (opt.pid_file && (rc = write_pid_file(opt.pid_file)))
		log_warn("cannot write pid file %s: %s", opt.pid_file, strerror(-rc));
	ev_signal_init(&dm.sighup, sighup_cb, SIGHUP);
	ev_signal_init(&dm.sigterm, sigterm_cb, SIGTERM);
	ev_signal_init(&dm.sigint, sigterm_cb, SIGINT);
	dm.sighup.data = dm.sigterm.data = dm.sigint.data = &dm;
	ev_signal_start(dm.loop, &dm.sighup);
	ev_signal_start(dm.loop, &dm.sigterm);
	ev_signal_start(dm.loop, &dm.sigint);
	ev_timer_init(&dm.stop_timer, stop_timer_cb, 0., 0.);
	{
		uint32_t id = dm.d.sp->plan->router_id;

		log_info("calico-bgpd %s started: router id %u.%u.%u.%u, AS %u, %zu sessions, "
			 "control socket %s",
			 PROJECT_VERSION, id >> 24, (id >> 16) & 255, (id >> 8) & 255, id & 255,
			 dm.d.sp->plan->local_as, dm.d.sp->n_sessions, opt.ctl);
	}
	report(report_fd, NULL);

	ev_run(dm.loop, 0);

	control_close(dm.ctl);
	dsmode_free(dm.dsm);
	speaker_free(dm.d.sp);
	dsync_free(dm.ds);
	store_config_free(&dm.scfg);
	if (opt.pid_file)
		unlink(opt.pid_file);
	log_info("calico-bgpd stopped");
	ev_loop_destroy(dm.loop);
	log_open_file(NULL);
	return 0;
}
