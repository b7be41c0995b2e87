/* version: the client lines, then the cluster's version and type from
 * ClusterInformation "default"; --client stops after the client lines;
 * --poll re-reads and prints the cluster lines when they change
 * (calicoctl.md §4.9). No version-mismatch check, as in calicoctl. */
#include "cli/cli.h"

#include <errno.h>
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

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cmd_version(struct cli *c)
{
	int64_t poll_ns = 0;
	char msg[256];
	char *pv = NULL, *pt = NULL;
	struct err e = { "" };
	int rc;

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
		sleep_ns(poll_ns);
	}
	free(pv);
	free(pt);
	if (rc < 0)
		return cli_fail(c, "unable to retrieve Cluster Version or Type: %s", e.msg);
	return CLI_OK;
}
