/* `calicoctl node shell`: an interactive console to the local calico-bgpd,
 * in the spirit of birdc or bgpctl. Each console command is one or more
 * control-socket calls (lib/ipc.h); the line editor is libedit with
 * history and completion of the commands, peer names and peer addresses.
 *
 *   show peers | show peer NAME|ADDR | show routes [PREFIX]
 *   [received|advertised PEER] | show status | reload | debug LEVEL | help |
 *   quit */
#include "cli/node_opsx.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <editline/readline.h>

#include "lib/ipc.h"

#define SHELL_TIMEOUT_MS 10000

const char node_shell_help[] =
	"Usage:\n"
	"  <BINARY_NAME> node shell [--ctl=<SOCKET>] [-c <COMMANDS>]\n"
	"\n"
	"Options:\n"
	"  -h --help                 Show this screen.\n"
	"     --ctl=<SOCKET>         The speaker's control socket\n"
	"                            [default: $CALICO_BGPD_SOCKET or /var/run/calico/bgpd.ctl]\n"
	"  -c --command=<COMMANDS>   Run the commands (separated by ';') and exit.\n"
	"\n"
	"Description:\n"
	"  An interactive console to the local calico-bgpd over its control socket,\n"
	"  with line editing, history and tab completion of commands and peers.\n"
	"  Commands:\n"
	"    show peers                       The sessions, their state and last error.\n"
	"    show peer NAME|ADDR              One session: capabilities, timers, counters.\n"
	"    show routes [PREFIX] [received|advertised PEER]\n"
	"                                     Best routes, or a peer's Adj-RIB-In/Out.\n"
	"    show status                      The speaker: router id, AS, uptime, counts.\n"
	"    reload                           Re-read the peering plan.\n"
	"    debug LEVEL                      Set the log level (panic ... debug).\n"
	"    help                             This list.\n"
	"    quit                             Leave the console.\n"
	"  With -c the exit status is 0 when every command succeeded, 1 otherwise.\n";

static const char *const log_levels[] = { "panic", "fatal", "error", "warn", "info", "debug", NULL };

struct shell {
	struct cli *c;
	const char *sock;
};

/* ---- calls ---- */

static int collect(const json_t *rec, void *ctx)
{
	return json_array_append(ctx, (json_t *)rec) ? -ENOMEM : 0;
}

/* One call; the records in *out (an array). Errors are printed. */
static int call(struct shell *sh, enum ipc_cmd cmd, json_t *args, json_t **out)
{
	struct err e = { "" };
	json_t *recs = json_array();
	int rc;

	rc = ipc_call(sh->sock, cmd, args, SHELL_TIMEOUT_MS, collect, recs, NULL, 0, &e);
	json_decref(args);
	if (rc < 0) {
		fprintf(stderr, "%s\n", e.msg);
		json_decref(recs);
		return -1;
	}
	*out = recs;
	return 0;
}

/* ---- printing ---- */

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static char *text(const json_t *v)
{
	if (!v || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* "key: value" lines, nested objects indented; order as the speaker sent. */
static void print_record(const json_t *o, int indent)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		if (json_is_object(v) && json_object_size(v)) {
			printf("%*s%s:\n", indent, "", k);
			print_record(v, indent + 2);
			continue;
		}
		if (json_is_array(v)) {
			size_t i;
			json_t *it;
			printf("%*s%s:", indent, "", k);
			json_array_foreach(v, i, it) {
				char *t = text(it);
				printf(" %s", t ? t : "?");
				free(t);
			}
			printf("\n");
			continue;
		}
		char *t = text(v);
		printf("%*s%s: %s\n", indent, "", k, t ? t : "?");
		free(t);
	}
}

static void print_peers(const json_t *peers)
{
	size_t i;
	json_t *p;

	printf("%-24s %-26s %-8s %-18s %-12s %-20s %s\n", "NAME", "PEER ADDRESS", "PEER AS", "TYPE",
	       "STATE", "SINCE", "INFO");
	json_array_foreach(peers, i, p) {
		char *as = text(json_object_get(p, "peerAS"));
		printf("%-24s %-26s %-8s %-18s %-12s %-20s %s\n", str(p, "name"), str(p, "peerIP"),
		       as ? as : "?", str(p, "typeLabel"), str(p, "state"), str(p, "since"),
		       str(p, "lastError"));
		free(as);
	}
}

static void print_routes(const json_t *routes)
{
	size_t i;
	json_t *r;

	json_array_foreach(routes, i, r) {
		char *lp = text(json_object_get(r, "localPref"));
		printf("%-20s via %-16s from %-20s %s [%s] origin %s%s%s%s\n", str(r, "prefix"),
		       str(r, "nextHop"), str(r, "peer"), json_is_true(json_object_get(r, "best")) ? "*" : " ",
		       str(r, "asPath"), str(r, "origin"),
		       json_object_get(r, "localPref") ? " localpref " : "",
		       json_object_get(r, "localPref") ? lp : "",
		       json_is_true(json_object_get(r, "stale")) ? " stale" : "");
		free(lp);
	}
}

/* ---- commands ---- */

/* A peer given by session name or by address: the session name. */
static int resolve_peer(struct shell *sh, const char *who, char **name)
{
	json_t *peers;
	size_t i;
	json_t *p;

	if (call(sh, IPC_CMD_PEERS, NULL, &peers) < 0)
		return -1;
	*name = NULL;
	json_array_foreach(peers, i, p) {
		if (!strcmp(str(p, "name"), who) || !strcmp(str(p, "peerIP"), who)) {
			*name = strdup(str(p, "name"));
			break;
		}
	}
	json_decref(peers);
	if (!*name) {
		fprintf(stderr, "no peer %s (see 'show peers')\n", who);
		return -1;
	}
	return 0;
}

static int show_routes(struct shell *sh, int n, char **w)
{
	const char *prefix = NULL, *table = NULL, *peer = NULL;
	char *name = NULL;
	int rc = 0, total = 0;

	for (int i = 0; i < n; i++) {
		if ((!strcmp(w[i], "received") || !strcmp(w[i], "advertised")) && i + 1 < n) {
			table = w[i];
			peer = w[++i];
		} else if (!prefix && strchr(w[i], '/')) {
			prefix = w[i];
		} else {
			fprintf(stderr, "usage: show routes [PREFIX] [received|advertised PEER]\n");
			return -1;
		}
	}
	if (peer && resolve_peer(sh, peer, &name) < 0)
		return -1;
	for (int f = 0; f < 2 && rc == 0; f++) {
		const char *fam = f ? "ipv6" : "ipv4";
		json_t *args, *routes;
		if (prefix && (strchr(prefix, ':') != NULL) != (f == 1))
			continue;
		args = json_object();
		json_object_set_new(args, "family", json_string(fam));
		if (prefix)
			json_object_set_new(args, "prefix", json_string(prefix));
		if (table) {
			json_object_set_new(args, "table", json_string(table));
			json_object_set_new(args, "peer", json_string(name));
		}
		rc = call(sh, IPC_CMD_ROUTES, args, &routes);
		if (rc == 0) {
			print_routes(routes);
			total += (int)json_array_size(routes);
			json_decref(routes);
		}
	}
	if (rc == 0 && total == 0)
		printf("no routes\n");
	free(name);
	return rc;
}

static int show(struct shell *sh, int n, char **w)
{
	json_t *recs;
	char *name = NULL;

	if (n >= 1 && !strcmp(w[0], "peers") && n == 1) {
		if (call(sh, IPC_CMD_PEERS, NULL, &recs) < 0)
			return -1;
		print_peers(recs);
	} else if (n == 2 && !strcmp(w[0], "peer")) {
		if (resolve_peer(sh, w[1], &name) < 0)
			return -1;
		if (call(sh, IPC_CMD_PEER, json_pack("{s:s}", "name", name), &recs) < 0) {
			free(name);
			return -1;
		}
		free(name);
		for (size_t i = 0; i < json_array_size(recs); i++)
			print_record(json_array_get(recs, i), 0);
	} else if (n == 1 && !strcmp(w[0], "status")) {
		if (call(sh, IPC_CMD_STATUS, NULL, &recs) < 0)
			return -1;
		for (size_t i = 0; i < json_array_size(recs); i++)
			print_record(json_array_get(recs, i), 0);
	} else if (n >= 1 && !strcmp(w[0], "routes")) {
		return show_routes(sh, n - 1, w + 1);
	} else {
		fprintf(stderr, "usage: show peers | show peer NAME|ADDR | show routes [PREFIX] "
				"[received|advertised PEER] | show status\n");
		return -1;
	}
	json_decref(recs);
	return 0;
}

enum { SHELL_QUIT = 1 };

/* Runs one console line. Returns 0, -1 (failed, message printed) or
 * SHELL_QUIT. */
static int run_line(struct shell *sh, char *line)
{
	char *w[16];
	int n = 0;
	json_t *recs;

	for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == 16) {
			fprintf(stderr, "too many words\n");
			return -1;
		}
		w[n++] = t;
	}
	if (n == 0)
		return 0;
	if (!strcmp(w[0], "quit") || !strcmp(w[0], "exit"))
		return SHELL_QUIT;
	if (!strcmp(w[0], "help") || !strcmp(w[0], "?")) {
		const char *d = strstr(node_shell_help, "  Commands:\n");
		const char *e = strstr(node_shell_help, "  With -c");
		printf("%.*s", (int)(e - d), d);
		return 0;
	}
	if (!strcmp(w[0], "show"))
		return show(sh, n - 1, w + 1);
	if (!strcmp(w[0], "reload") && n == 1) {
		if (call(sh, IPC_CMD_RELOAD, NULL, &recs) < 0)
			return -1;
	} else if (!strcmp(w[0], "debug") && n == 2) {
		bool ok = false;
		for (const char *const *l = log_levels; *l; l++)
			ok |= !strcasecmp(*l, w[1]);
		if (!ok) {
			fprintf(stderr, "unknown level %s: one of panic, fatal, error, warn, info, debug\n", w[1]);
			return -1;
		}
		if (call(sh, IPC_CMD_LOGLEVEL, json_pack("{s:s}", "level", w[1]), &recs) < 0)
			return -1;
	} else {
		fprintf(stderr, "unknown command: %s (try 'help')\n", w[0]);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(recs); i++)
		print_record(json_array_get(recs, i), 0);
	json_decref(recs);
	return 0;
}

/* ---- completion (libedit's readline interface) ---- */

static struct shell *cur_shell;
static char **cands;
static size_t ncands;

static void cands_clear(void)
{
	for (size_t i = 0; i < ncands; i++)
		free(cands[i]);
	free(cands);
	cands = NULL;
	ncands = 0;
}

static void cand_add(const char *s)
{
	char **m = realloc(cands, (ncands + 1) * sizeof(*cands));
	if (!m)
		return;
	cands = m;
	cands[ncands] = strdup(s);
	if (cands[ncands])
		ncands++;
}

static void cands_peers(void)
{
	struct err e = { "" };
	json_t *peers = json_array();
	size_t i;
	json_t *p;

	if (ipc_call(cur_shell->sock, IPC_CMD_PEERS, NULL, 2000, collect, peers, NULL, 0, &e) == 0) {
		json_array_foreach(peers, i, p) {
			cand_add(str(p, "name"));
			cand_add(str(p, "peerIP"));
		}
	}
	json_decref(peers);
}

static char *cand_gen(const char *textp, int state)
{
	static size_t idx;

	if (!state)
		idx = 0;
	while (idx < ncands) {
		const char *s = cands[idx++];
		if (!strncmp(s, textp, strlen(textp)))
			return strdup(s);
	}
	return NULL;
}

/* The candidates for the word at start, from the words before it. */
static char **shell_complete(const char *textp, int start, int end)
{
	char buf[1024], *w[8];
	int n = 0;
	static const char *const top[] = { "show", "reload", "debug", "help", "quit", NULL };
	static const char *const shows[] = { "peers", "peer", "routes", "status", NULL };
	static const char *const tables[] = { "received", "advertised", NULL };
	const char *const *fixed = NULL;

	(void)end;
	snprintf(buf, sizeof(buf), "%.*s", start, rl_line_buffer);
	for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t && n < 8;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	cands_clear();
	if (n == 0)
		fixed = top;
	else if (!strcmp(w[0], "show") && n == 1)
		fixed = shows;
	else if (!strcmp(w[0], "debug") && n == 1)
		fixed = log_levels;
	else if (!strcmp(w[0], "show") && n == 2 && !strcmp(w[1], "peer"))
		cands_peers();
	else if (!strcmp(w[0], "show") && n >= 2 && !strcmp(w[1], "routes")) {
		if (!strcmp(w[n - 1], "received") || !strcmp(w[n - 1], "advertised"))
			cands_peers();
		else
			fixed = tables;
	}
	for (; fixed && *fixed; fixed++)
		cand_add(*fixed);
	rl_attempted_completion_over = 1;
	return rl_completion_matches(textp, cand_gen);
}

/* ---- running ---- */

static char *history_path(void)
{
	const char *h = getenv("CALICOCTL_SHELL_HISTORY");
	char *p = NULL;

	if (h)
		return *h ? strdup(h) : NULL;
	h = getenv("HOME");
	if (h && *h && asprintf(&p, "%s/.calicoctl_shell_history", h) < 0)
		p = NULL;
	return p;
}

static int interactive(struct shell *sh)
{
	char *hist = history_path(), *line;
	int failed = 0, rc;

	cur_shell = sh;
	rl_readline_name = "calicoctl";
	rl_attempted_completion_function = shell_complete;
	using_history();
	if (hist)
		read_history(hist);
	while ((line = readline("bgpd> "))) {
		if (*line)
			add_history(line);
		rc = run_line(sh, line);
		free(line);
		fflush(stdout);
		if (rc == SHELL_QUIT)
			break;
		failed = rc < 0;
	}
	if (hist) {
		write_history(hist);
		free(hist);
	}
	cands_clear();
	return failed;
}

static int run_stream(struct shell *sh, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	int failed = 0, rc;

	while (getline(&line, &cap, in) >= 0) {
		rc = run_line(sh, line);
		fflush(stdout);
		if (rc == SHELL_QUIT)
			break;
		failed |= rc < 0;
	}
	free(line);
	return failed;
}

static int run_commands(struct shell *sh, const char *cmds)
{
	char *copy = strdup(cmds), *save = NULL;
	int failed = 0, rc;

	if (!copy)
		return 1;
	for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		rc = run_line(sh, t);
		fflush(stdout);
		if (rc == SHELL_QUIT)
			break;
		failed |= rc < 0;
	}
	free(copy);
	return failed;
}

int node_shell(struct cli *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ctl", required_argument, NULL, 'S' },
		{ "command", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct shell sh = { c, NULL };
	const char *ctl = NULL, *cmds = NULL;
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int opt, failed;

	if (!args)
		return cli_fail(c, "out of memory");
	args[0] = (char *)"shell";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc + 1, args, "+hc:", longopts, NULL)) != -1) {
		if (opt == 'S')
			ctl = optarg;
		else if (opt == 'c')
			cmds = optarg;
		else if (opt == 'h') {
			char *h = cli_render_help(c, node_shell_help);
			fputs(h, stdout);
			free(h);
			free(args);
			return CLI_OK;
		} else {
			free(args);
			return cli_fail(c, "invalid option for node shell; see 'node shell --help'");
		}
	}
	if (optind != argc + 1) {
		const char *extra = args[optind];
		free(args);
		return cli_fail(c, "unexpected argument '%s'; see 'node shell --help'", extra);
	}
	free(args);
	sh.sock = ipc_socket_path(ctl);
	if (cmds)
		failed = run_commands(&sh, cmds);
	else if (isatty(STDIN_FILENO))
		failed = interactive(&sh);
	else
		failed = run_stream(&sh, stdin);
	/* The failing command already said why. */
	return failed ? CLI_FAIL : CLI_OK;
}

int cmd_node_shell(struct cli *c)
{
	return node_shell(c, c->argc, c->argv);
}
