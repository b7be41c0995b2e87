/* `calicoctl node run`: calicoctl starts the calico/node container; we
 * register (or update) the Node in the datastore and start our speaker,
 * `calico-bgpd --node NAME`, detached, with its control socket, pid file and
 * log file side by side (CALICO_BGPD_SOCKET picks the socket, so several
 * nodes can share a host, one network namespace each). Validation and
 * messages follow calicoctl.md §4.11. */
#include "cli/node.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/crud.h"
#include "lib/ipc.h"
#include "lib/scalar.h"

#define BGPD_NAME "calico-bgpd"
#define BGPD_READY_MS 5000 /* how long the speaker may take to answer */

/* The validated request. */
struct run_req {
	char name[256];
	char ipv4[IP_STRLEN + 8], ipv6[IP_STRLEN + 8]; /* "" = keep the Node's */
	bool has_as;
	uint32_t as;
	bool backend_none;
	char sock[PATH_MAX], pid_file[PATH_MAX + 8], log_file[PATH_MAX + 8];
	char bgpd[PATH_MAX];
};

/* ---- validation (§4.11 step 1) ---- */

/* --ip / --ip6: an address (with or without /len) of the right family.
 * "autodetect" needs the host's interfaces scanned like calico-node does,
 * which this tool does not do. */
static int check_ip(struct cli *c, const char *opt, const char *val, int family, char *out,
		    size_t len)
{
	struct ip_cidr cidr;
	char buf[IP_STRLEN];

	if (!val)
		return CLI_OK;
	if (!strcmp(val, "autodetect"))
		return cli_fail(c,
				"Error executing command: %s=autodetect is not supported here: give the "
				"node's address as %s=<IP>/<PREFIX_LENGTH>",
				opt, opt);
	if (cidr_parse_or_ip(val, &cidr) < 0)
		return cli_fail_stdout(c, "Error executing command: invalid IP address specified: %s",
				       val);
	if (cidr.ip.family != family)
		return cli_fail(c, "Error executing command: %s is wrong IP version", opt);
	snprintf(out, len, "%s/%d", ip_format(&cidr.ip, buf), cidr.len);
	return CLI_OK;
}

/* --ip-autodetection-method: first-found, can-reach=<ip|name>,
 * interface=<regex,...> or skip-interface=<regex,...>. */
static int check_method(struct cli *c, const char *val, int family)
{
	struct ip_addr ip;
	const char *arg = NULL;

	if (!val || !strcmp(val, "first-found"))
		return CLI_OK;
	if (!strncmp(val, "can-reach=", 10))
		arg = val + 10;
	else if (!strncmp(val, "interface=", 10))
		arg = val + 10;
	else if (!strncmp(val, "skip-interface=", 15))
		arg = val + 15;
	if (!arg || !*arg)
		return cli_fail(c, "Error executing command: invalid IP autodetection method: %s", val);
	/* can-reach with an address must name the right family. */
	if (!strncmp(val, "can-reach=", 10) && ip_parse(arg, &ip) == 0 && ip.family != family)
		return cli_fail(c, "Error executing command: invalid IP autodetection method: %s",
				val);
	return CLI_OK;
}

static int validate(struct cli *c, struct run_req *r)
{
	const char *as = c->o.val[OPT_AS], *backend = opts_get(&c->o, OPT_BACKEND, "bird");
	const char *name = c->o.val[OPT_NAME];

	if (check_ip(c, "--ip", c->o.val[OPT_IP], 4, r->ipv4, sizeof(r->ipv4)) < 0 ||
	    check_ip(c, "--ip6", c->o.val[OPT_IP6], 6, r->ipv6, sizeof(r->ipv6)) < 0)
		return CLI_FAIL;
	if (as) {
		if (asn_parse(as, &r->as) < 0)
			return cli_fail_stdout(c,
					       "Error executing command: invalid AS Number specified: %s",
					       as);
		r->has_as = true;
	}
	if (strcmp(backend, "bird") && strcmp(backend, "none"))
		return cli_fail(c, "Error executing command: unknown backend '%s': use bird or none",
				backend);
	r->backend_none = !strcmp(backend, "none");
	if (check_method(c, c->o.val[OPT_IP_AUTODETECT], 4) < 0 ||
	    check_method(c, c->o.val[OPT_IP6_AUTODETECT], 6) < 0)
		return CLI_FAIL;
	if (name) {
		snprintf(r->name, sizeof(r->name), "%s", name);
	} else if (gethostname(r->name, sizeof(r->name)) < 0) {
		return cli_fail(c, "Error executing command: cannot read the hostname: %s",
				strerror(errno));
	}
	r->name[sizeof(r->name) - 1] = '\0';
	if (!name_valid(r->name))
		return cli_fail(c,
				"Error executing command: invalid node name '%s': must be a lower-case "
				"DNS-1123 subdomain",
				r->name);
	return CLI_OK;
}

/* ---- the Node ---- */

static void set_bgp(json_t *node, const struct run_req *r)
{
	json_t *spec = json_object_get(node, "spec");
	json_t *bgp;

	if (!json_is_object(spec)) {
		spec = json_object();
		json_object_set_new(node, "spec", spec);
	}
	bgp = json_object_get(spec, "bgp");
	if (!json_is_object(bgp)) {
		bgp = json_object();
		json_object_set_new(spec, "bgp", bgp);
	}
	if (*r->ipv4)
		json_object_set_new(bgp, "ipv4Address", json_string(r->ipv4));
	if (*r->ipv6)
		json_object_set_new(bgp, "ipv6Address", json_string(r->ipv6));
	if (r->has_as)
		json_object_set_new(bgp, "asNumber", json_integer((json_int_t)r->as));
}

/* Creates the Node or updates its BGP fields, keeping everything else.
 * Sets *created. */
static int register_node(struct cli *c, const struct run_req *r, bool *created)
{
	const struct kind_desc *k = kind_by_name("Node");
	struct err e = { "" };
	json_t *node = NULL;
	int rc;

	rc = store_begin(c->st, &e);
	if (rc < 0)
		return cli_fail(c, "Error executing command: %s", e.msg);
	cli_ensure_initialized(c);
	rc = store_get(c->st, "Node", r->name, &node, &e);
	*created = rc == -ENOENT;
	if (rc == -ENOENT) {
		if (!*r->ipv4 && !*r->ipv6) {
			store_rollback(c->st);
			return cli_fail(c,
					"Error executing command: node %s is not registered yet: give its "
					"address with --ip=<IP>/<PREFIX_LENGTH> (or --ip6)",
					r->name);
		}
		node = json_pack("{s:s,s:s,s:{s:s},s:{}}", "apiVersion", RES_API_VERSION, "kind",
				 "Node", "metadata", "name", r->name, "spec");
		set_bgp(node, r);
		struct res_validate_ctx vctx = { 0 };
		rc = res_validate(k, node, RES_OP_CREATE, &vctx, &e);
		if (rc == 0)
			rc = store_create(c->st, node, &e);
	} else if (rc == 0) {
		set_bgp(node, r);
		rc = crud_update(c, k, node, &e);
	}
	if (rc == 0)
		rc = store_commit(c->st, &e);
	else
		store_rollback(c->st);
	json_decref(node);
	if (rc < 0)
		return cli_fail(c, "Error executing command: %s", e.msg);
	return CLI_OK;
}

/* ---- the speaker ---- */

static bool executable(const char *path)
{
	return access(path, X_OK) == 0;
}

/* calico-bgpd beside calicoctl (build tree: ../speaker/; installed: same
 * directory), else the first one on PATH. */
static int find_bgpd(char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			char real[PATH_MAX];
			int w = snprintf(out, len, "%s/../speaker/%s", self, BGPD_NAME);
			if (w > 0 && (size_t)w < len && executable(out) && realpath(out, real) &&
			    strlen(real) < len) {
				memcpy(out, real, strlen(real) + 1);
				return 0;
			}
			w = snprintf(out, len, "%s/%s", self, BGPD_NAME);
			if (w > 0 && (size_t)w < len && executable(out))
				return 0;
		}
	}
	const char *path = getenv("PATH");
	for (const char *p = path; p && *p;) {
		size_t dl = strcspn(p, ":");
		int w = snprintf(out, len, "%.*s/%s", dl ? (int)dl : 1, dl ? p : ".", BGPD_NAME);
		if (w > 0 && (size_t)w < len && executable(out))
			return 0;
		p += dl + (p[dl] == ':');
	}
	return -ENOENT;
}

/* The argv of the speaker (pointers into r and the options). */
static size_t bgpd_argv(const struct cli *c, const struct run_req *r, const char **argv)
{
	size_t n = 0;

	argv[n++] = r->bgpd;
	argv[n++] = "--node";
	argv[n++] = r->name;
	argv[n++] = "--ctl";
	argv[n++] = r->sock;
	argv[n++] = "--pid-file";
	argv[n++] = r->pid_file;
	argv[n++] = "--log-file";
	argv[n++] = r->log_file;
	if (c->o.set[OPT_CONFIG]) {
		argv[n++] = "--config";
		argv[n++] = c->o.val[OPT_CONFIG];
	}
	argv[n] = NULL;
	return n;
}

static int ignore_record(const json_t *rec, void *ctx)
{
	(void)rec;
	(void)ctx;
	return 0;
}

static int answers(const char *sock)
{
	struct err e;
	return ipc_call(sock, IPC_CMD_STATUS, NULL, 1000, ignore_record, NULL, NULL, 0, &e);
}

/* The pid of a speaker already serving this socket: pid file naming a live
 * process that answers on the socket. 0 when none. */
static long running_pid(const struct run_req *r)
{
	FILE *f = fopen(r->pid_file, "r");
	long pid = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return 0;
	if (answers(r->sock) < 0)
		return 0;
	return pid;
}

/* The socket's directory must exist; creating it under /var/run needs
 * root, which is the only reason node run needs privileges. */
static int ensure_dir(struct cli *c, const char *sock)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", sock);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return CLI_OK;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char save = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			int err = errno;
			*p = save;
			if (err == EACCES || err == EPERM)
				return cli_fail_stdout(c, "Need super user privileges: Operation not permitted");
			return cli_fail(c, "Error executing command: cannot create %s: %s", dir,
					strerror(err));
		}
		*p = save;
		if (!save)
			break;
	}
	if (access(dir, W_OK) < 0 && (errno == EACCES || errno == EPERM))
		return cli_fail_stdout(c, "Need super user privileges: Operation not permitted");
	return CLI_OK;
}

/* Runs the speaker, which detaches itself once it is up; its own start-up
 * errors go to our stderr. */
static int start_bgpd(struct cli *c, const struct run_req *r, const char *const *argv)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return cli_fail(c, "Error executing command: fork: %s", strerror(errno));
	if (pid == 0) {
		fflush(stdout);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_fail(c,
				"Error executing command: calico-bgpd has terminated, check logs for "
				"details: %s",
				r->log_file);
	for (int waited = 0; answers(r->sock) < 0; waited += 50) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		if (waited >= BGPD_READY_MS)
			return cli_fail(c,
					"Error executing command: calico-bgpd does not answer on %s, check "
					"logs for details: %s",
					r->sock, r->log_file);
		nanosleep(&ts, NULL);
	}
	return CLI_OK;
}

static void print_cmd(const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++)
		printf("%s%s", i ? " " : "", argv[i]);
	printf("\n");
}

int cmd_node_run(struct cli *c)
{
	struct run_req r = { 0 };
	const char *argv[16];
	bool created = false;
	long pid;
	int rc;

	if (validate(c, &r) < 0)
		return CLI_FAIL;
	snprintf(r.sock, sizeof(r.sock), "%s", ipc_socket_path(NULL));
	snprintf(r.pid_file, sizeof(r.pid_file), "%s.pid", r.sock);
	snprintf(r.log_file, sizeof(r.log_file), "%s.log", r.sock);
	if (!r.backend_none && find_bgpd(r.bgpd, sizeof(r.bgpd)) < 0)
		return cli_fail(c,
				"Error executing command: %s not found beside calicoctl or on PATH",
				BGPD_NAME);
	bgpd_argv(c, &r, argv);

	if (c->o.set[OPT_DRYRUN]) {
		if (r.backend_none) {
			printf("With --backend=none no BGP speaker is started; node %s would be "
			       "registered only.\n",
			       r.name);
			return CLI_OK;
		}
		printf("Use the following command to start the Calico BGP speaker:\n\n");
		print_cmd(argv);
		printf("\nTo stop it:\n\nkill $(cat %s)\n\n", r.pid_file);
		return CLI_OK;
	}

	if (cli_check_version(c) < 0 || cli_open_store(c) < 0)
		return CLI_FAIL;
	rc = register_node(c, &r, &created);
	if (rc < 0)
		return rc;
	printf("%s node %s.\n", created ? "Registered" : "Updated", r.name);
	if (r.backend_none) {
		printf("Backend none: no BGP speaker started.\n");
		return CLI_OK;
	}
	pid = running_pid(&r);
	if (pid > 0) {
		printf("calico-bgpd is already running for %s (pid %ld); it picks up the change "
		       "from the datastore.\n",
		       r.sock, pid);
		return CLI_OK;
	}
	if (ensure_dir(c, r.sock) < 0)
		return CLI_FAIL;
	printf("Running the following command to start the Calico BGP speaker:\n\n");
	print_cmd(argv);
	printf("\n");
	fflush(stdout);
	if (start_bgpd(c, &r, argv) < 0)
		return CLI_FAIL;
	printf("Calico node started successfully\n");
	return CLI_OK;
}
