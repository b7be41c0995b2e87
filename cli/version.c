/* version: the client lines, then the cluster's version and type from
 * ClusterInformation "default"; --client stops after the client lines;
 * --poll re-reads and prints the cluster lines when they change
 * (calicoctl.md §4.9) until SIGINT or SIGTERM, which end the polling
 * cleanly and then the process by the same signal (as Go's calicoctl dies
 * of it). No version-mismatch check, as in calicoctl. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/scalar.h"

/* Reads the cluster's version and type ("unknown" when empty). */
static int read_cluster(struct cli *c, char **version, char **type, struct err *e)
{
	json_t *ci = NULL;
	int rc = store_get(c->st, "ClusterInformation", "default", &ci, e);
	const char *v, *t;

	if (rc < 0)
		return rc;
	v = json_string_value(json_object_get(json_object_get(ci, "spec"), "calicoVersion"));
	t = json_string_value(json_object_get(json_object_get(ci, "spec"), "clusterType"));
	*version = strdup(v && *v ? v : "unknown");
	*type = strdup(t && *t ? t : "unknown");
	json_decref(ci);
	return 0;
}

/* Blocks SIGINT and SIGTERM and puts them in *set, so that they end the
 * poll at its next sleep (sleep_ns) instead of killing the process
 * mid-read. One ignored at start stays ignored (a background job's
 * SIGINT), as in Go. */
static void block_stop_signals(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction old;

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaddset(set, sigs[i]);
	sigprocmask(SIG_BLOCK, set, NULL);
}

/* Sleeps ns; returns early with the signal number when one of the blocked
 * stop signals is (or already was) pending, else returns 0. */
static int sleep_ns(int64_t ns, const sigset_t *stop)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
	int sig;

	do
		sig = sigtimedwait(stop, NULL, &ts);
	while (sig < 0 && errno == EINTR);
	return sig > 0 ? sig : 0;
}

int cmd_version(struct cli *c)
{
	int64_t poll_ns = 0;
	char msg[256];
	char *pv = NULL, *pt = NULL;
	struct err e = { "" };
	sigset_t stop;
	int rc, sig = 0;

	if (c->o.set[OPT_POLL] && *c->o.val[OPT_POLL] &&
	    duration_parse(c->o.val[OPT_POLL], &poll_ns, msg, sizeof(msg)) < 0)
		return cli_fail(c, "invalid poll duration specified: %s", msg);

	printf("Client Version:    %s\n", CALICOCTL_C_VERSION);
	printf("Git commit:        %s\n", GIT_COMMIT);
	fflush(stdout);
	if (c->o.set[OPT_CLIENT])
		return CLI_OK;

	/* A datastore we cannot talk to at all (kubernetes, an unknown type)
	 * is calicoctl's "unable to detect". */
	rc = cli_load_config(c, &e);
	if (rc == 0)
		rc = store_open(&c->cfg, &c->st, &e);
	if (rc == -ENOTSUP || (c->config_rc == 0 && c->cfg.backend != STORE_BACKEND_SQLITE &&
			       c->cfg.backend != STORE_BACKEND_ETCDV3)) {
		printf("Unable to detect installed Calico version\n");
		return CLI_OK;
	}
	if (rc < 0)
		return cli_fail(c, "%s", e.msg);

	if (poll_ns > 0)
		block_stop_signals(&stop);
	for (;;) {
		char *v = NULL, *t = NULL;
		rc = read_cluster(c, &v, &t, &e);
		if (rc == 0) {
			if (!pv || strcmp(pv, v) != 0)
				printf("Cluster Version:   %s\n", v);
			if (!pt || strcmp(pt, t) != 0)
				printf("Cluster Type:      %s\n", t);
			fflush(stdout);
			free(pv);
			free(pt);
			pv = v;
			pt = t;
		} else {
			/* Forget what was shown so it is shown again once the
			 * version can be read. */
			free(pv);
			free(pt);
			pv = pt = NULL;
		}
		if (poll_ns <= 0)
			break;
		if (rc < 0)
			fprintf(stderr, "unable to retrieve Cluster Version or Type: %s\n", e.msg);
		sig = sleep_ns(poll_ns, &stop);
		if (sig)
			break;
	}
	free(pv);
	free(pt);
	if (sig) {
		/* main() re-raises it once everything is freed. */
		c->exit_signal = sig;
		return CLI_OK;
	}
	if (rc < 0)
		return cli_fail(c, "unable to retrieve Cluster Version or Type: %s", e.msg);
	return CLI_OK;
}
