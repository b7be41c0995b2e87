/* `calicoctl node diags`: one tar.gz an operator attaches to a bug report.
 * It holds the speaker's state over the control socket (status, peers,
 * routes), the recent log (the .log file beside the socket), the plan the
 * planner computes for this node from the datastore, the kernel routes and
 * the BGP resources as YAML. Parts that cannot be collected (speaker down,
 * no datastore) are recorded in errors.txt instead of failing the bundle:
 * a broken node is exactly when diagnostics are wanted. */
#include "cli/node_opsx.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/ipc.h"
#include "lib/planner.h"

/* How much of the log the bundle keeps (its tail). */
#define DIAGS_LOG_TAIL (4 * 1024 * 1024)

const char node_diags_help[] =
	"Usage:\n"
	"  <BINARY_NAME> node diags [--ctl=<SOCKET>] [--dir=<DIR>] [--node=<NAME>] [--config=<CONFIG>]\n"
	"\n"
	"Options:\n"
	"  -h --help                 Show this screen.\n"
	"     --ctl=<SOCKET>         The speaker's control socket\n"
	"                            [default: $CALICO_BGPD_SOCKET or /var/run/calico/bgpd.ctl]\n"
	"     --dir=<DIR>            Where to write the archive [default: $TMPDIR or /tmp]\n"
	"     --node=<NAME>          The node whose plan to include [default: the speaker's,\n"
	"                            else $NODENAME, else the host name]\n"
	"  -c --config=<CONFIG>      Path to the file containing connection configuration in\n"
	"                            YAML or JSON format. [default: /etc/calico/calicoctl.cfg]\n"
	"\n"
	"Description:\n"
	"  Collects the speaker's status, peers and routes, its recent log, the planned\n"
	"  sessions of this node, the kernel routes and the node, BGP configuration,\n"
	"  BGP peer and IP pool resources into one tar.gz archive and prints its path.\n";

struct diags {
	struct cli *c;
	const char *sock;
	const char *config;
	char dir[PATH_MAX / 2]; /* the staging directory (half: room for the file names) */
	char node[256];
	FILE *errors;
	int nerrors;
};

static void note(struct diags *d, const char *what, const char *msg)
{
	fprintf(d->errors, "%s: %s\n", what, msg);
	d->nerrors++;
}

static int write_json(struct diags *d, const char *name, const json_t *v)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	if (json_dump_file(v, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
		note(d, name, "cannot write");
		return -1;
	}
	return 0;
}

static int collect(const json_t *rec, void *ctx)
{
	return json_array_append(ctx, (json_t *)rec) ? -ENOMEM : 0;
}

/* One IPC call into <name>.json (an array of records). */
static void speaker_file(struct diags *d, const char *name, enum ipc_cmd cmd, json_t *args)
{
	struct err e = { "" };
	json_t *recs = json_array();

	if (ipc_call(d->sock, cmd, args, 10000, collect, recs, NULL, 0, &e) < 0)
		note(d, name, e.msg);
	else
		write_json(d, name, recs);
	json_decref(recs);
	json_decref(args);
}

static void speaker_state(struct diags *d)
{
	struct err e = { "" };
	json_t *st = json_array();

	if (ipc_call(d->sock, IPC_CMD_STATUS, NULL, 10000, collect, st, NULL, 0, &e) < 0) {
		note(d, "speaker", e.msg);
		json_decref(st);
		return;
	}
	write_json(d, "speaker/status.json", st);
	if (!d->node[0]) {
		const char *n = json_string_value(json_object_get(json_array_get(st, 0), "node"));
		if (n)
			snprintf(d->node, sizeof(d->node), "%s", n);
	}
	json_decref(st);
	speaker_file(d, "speaker/peers.json", IPC_CMD_PEERS, NULL);
	speaker_file(d, "speaker/routes-ipv4.json", IPC_CMD_ROUTES,
		     json_pack("{s:s,s:s}", "family", "ipv4", "table", "all"));
	speaker_file(d, "speaker/routes-ipv6.json", IPC_CMD_ROUTES,
		     json_pack("{s:s,s:s}", "family", "ipv6", "table", "all"));
}

/* The log beside the socket: bgpd.ctl -> bgpd.log; its tail. */
static void speaker_log(struct diags *d)
{
	char log[PATH_MAX], out[PATH_MAX], buf[65536];
	const char *dot = strrchr(d->sock, '.'), *slash = strrchr(d->sock, '/');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - d->sock) : strlen(d->sock);
	int in, fd;
	struct stat sb;
	ssize_t n;

	snprintf(log, sizeof(log), "%.*s.log", (int)stem, d->sock);
	in = open(log, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		note(d, log, strerror(errno));
		return;
	}
	if (fstat(in, &sb) == 0 && sb.st_size > DIAGS_LOG_TAIL)
		lseek(in, sb.st_size - DIAGS_LOG_TAIL, SEEK_SET);
	snprintf(out, sizeof(out), "%s/speaker/bgpd.log", d->dir);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	while (fd >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	if (fd < 0)
		note(d, "speaker/bgpd.log", strerror(errno));
	else
		close(fd);
	close(in);
}

/* Runs argv with stdout (and stderr) into dir/name; 0 when it exited 0. */
static int run_to_file(struct diags *d, const char *name, char *const argv[])
{
	char path[PATH_MAX];
	pid_t pid;
	int fd, status;

	snprintf(path, sizeof(path), "%s/%s", d->dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		note(d, name, strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		note(d, name, strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		note(d, name, "the command failed; its output is in the file");
		return -1;
	}
	return 0;
}

static void kernel_routes(struct diags *d)
{
	char *v4[] = { (char *)"ip", (char *)"route", (char *)"show", (char *)"table", (char *)"all", NULL };
	char *v6[] = { (char *)"ip", (char *)"-6", (char *)"route", (char *)"show", (char *)"table",
		       (char *)"all", NULL };

	run_to_file(d, "kernel/ip-route.txt", v4);
	run_to_file(d, "kernel/ip-6-route.txt", v6);
}

/* get -o yaml of each kind, by running this same program. */
static void resources(struct diags *d)
{
	static const char *const kinds[] = { "nodes", "bgpconfigurations", "bgppeers", "ippools", NULL };
	char self[PATH_MAX], name[64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		note(d, "resources", "cannot find this program (/proc/self/exe)");
		return;
	}
	self[n] = '\0';
	for (const char *const *k = kinds; *k; k++) {
		char *argv[] = { self, (char *)"get", (char *)*k, (char *)"-o", (char *)"yaml",
				 (char *)"--allow-version-mismatch", NULL, NULL, NULL };
		if (d->config) {
			argv[6] = (char *)"-c";
			argv[7] = (char *)d->config;
		}
		snprintf(name, sizeof(name), "resources/%s.yaml", *k);
		run_to_file(d, name, argv);
	}
}

/* A bundle is attached to bug reports: the MD5 keys the planner read from
 * the secret files must not travel with it. A set password is replaced by a
 * marker, so that the bundle still tells whether one was configured. */
static void redact_passwords(json_t *plan)
{
	json_t *sessions = json_object_get(plan, "sessions"), *s;
	size_t i;

	json_array_foreach(sessions, i, s) {
		const char *pw = json_string_value(json_object_get(s, "password"));

		if (pw && *pw)
			json_object_set_new(s, "password", json_string("(redacted)"));
	}
}

/* The plan of this node, as the planner computes it from the datastore. */
static void plan(struct diags *d)
{
	static const char *const kinds[] = { "Node", "BGPConfiguration", "BGPPeer", "IPPool" };
	json_t *lists[4] = { NULL };
	struct planner_input in;
	struct planner_env env;
	struct peering_plan *p = NULL;
	struct err e = { "" };
	int64_t rev;

	if (cli_open_store(d->c) != CLI_OK) {
		note(d, "plan.json", d->c->error ? d->c->error : "cannot open the datastore");
		free(d->c->error);
		d->c->error = NULL;
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (store_list(d->c->st, kinds[i], "", &lists[i], &rev, &e) < 0) {
			note(d, "plan.json", e.msg);
			goto out;
		}
	}
	in = (struct planner_input){ lists[0], lists[1], lists[2], lists[3] };
	planner_env_from_environ(&env);
	if (planner_plan(&in, d->node, &env, &p, &e) < 0) {
		note(d, "plan.json", e.msg);
		goto out;
	}
	json_t *j = peering_plan_to_json(p);
	redact_passwords(j);
	write_json(d, "plan.json", j);
	json_decref(j);
	peering_plan_free(p);
out:
	for (int i = 0; i < 4; i++)
		json_decref(lists[i]);
}

static void default_node(struct diags *d)
{
	const char *n = getenv("NODENAME");

	if (n && *n)
		snprintf(d->node, sizeof(d->node), "%s", n);
	else if (gethostname(d->node, sizeof(d->node) - 1) < 0)
		snprintf(d->node, sizeof(d->node), "unknown");
}

/* rm -r of the staging directory (it only holds what we wrote). */
static void remove_tree(const char *dir)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", (char *)dir, NULL };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int node_diags(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ctl", required_argument, NULL, 'S' },
		{ "dir", required_argument, NULL, 'd' },
		{ "node", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct diags d = { .c = c };
	const char *outdir = getenv("TMPDIR"), *ctl = NULL;
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	char archive[PATH_MAX], stamp[32], base[64], errs[PATH_MAX];
	time_t now = time(NULL);
	int opt, rc;

	if (!args)
		return cli_fail(c, "out of memory");
	args[0] = (char *)"diags";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc + 1, args, "+hc:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S':
			ctl = optarg;
			break;
		case 'd':
			outdir = optarg;
			break;
		case 'n':
			snprintf(d.node, sizeof(d.node), "%s", optarg);
			break;
		case 'c':
			d.config = optarg;
			c->o.set[OPT_CONFIG] = true;
			c->o.val[OPT_CONFIG] = optarg;
			break;
		case 'h': {
			char *h = cli_render_help(c, node_diags_help);
			fputs(h, stdout);
			free(h);
			free(args);
			return CLI_OK;
		}
		default:
			free(args);
			return cli_fail(c, "invalid option for node diags; see 'node diags --help'");
		}
	}
	rc = optind != argc + 1;
	free(args);
	if (rc)
		return cli_fail(c, "node diags takes no arguments; see 'node diags --help'");
	if (!outdir || !*outdir)
		outdir = "/tmp";
	d.sock = ipc_socket_path(ctl);

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
	snprintf(base, sizeof(base), "calico-diags-%s", stamp);
	snprintf(d.dir, sizeof(d.dir), "%s/%s.XXXXXX", outdir, base);
	if (!mkdtemp(d.dir))
		return cli_fail(c, "cannot create a directory in %s: %s", outdir, strerror(errno));
	char sub[PATH_MAX];
	static const char *const subs[] = { "speaker", "kernel", "resources" };
	for (int i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", d.dir, subs[i]);
		mkdir(sub, 0755);
	}
	snprintf(errs, sizeof(errs), "%s/errors.txt", d.dir);
	d.errors = fopen(errs, "w");
	if (!d.errors) {
		remove_tree(d.dir);
		return cli_fail(c, "cannot write %s: %s", errs, strerror(errno));
	}

	speaker_state(&d);
	speaker_log(&d);
	if (!d.node[0])
		default_node(&d);
	plan(&d);
	kernel_routes(&d);
	resources(&d);
	fprintf(d.errors, "node: %s\nsocket: %s\nerrors: %d\n", d.node, d.sock, d.nerrors);
	fclose(d.errors);

	/* Pack the staging directory as <base>/... next to it. */
	snprintf(archive, sizeof(archive), "%s/%s.tar.gz", outdir, base);
	{
		char *tar[] = { (char *)"tar", (char *)"-czf", archive, (char *)"-C", d.dir,
				(char *)"--transform", NULL, (char *)".", NULL };
		char xform[128];
		pid_t pid;
		int status = 1;
		snprintf(xform, sizeof(xform), "s,^\\.,%s,", base);
		tar[6] = xform;
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			execvp(tar[0], tar);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			remove_tree(d.dir);
			return cli_fail(c, "tar failed writing %s", archive);
		}
	}
	remove_tree(d.dir);
	printf("Diagnostics saved to %s\n", archive);
	if (d.nerrors)
		printf("%d part(s) could not be collected; see %s/errors.txt in the archive\n", d.nerrors,
		       base);
	return CLI_OK;
}

int cmd_node_diags(struct cli *c)
{
	return node_diags(c, c->argc, c->argv);
}
