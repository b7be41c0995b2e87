/* calicoctl: the command table, top-level options and the one place where
 * results become output streams and exit codes.
 *
 * Parsing follows calicoctl v3.32 (docopt): the top level is options-first
 * (-h, -l/--log-level, --context, --allow-version-mismatch, --version must
 * come before the command word); each subcommand then parses its own words
 * (cli/opts.c) against its usage pattern (the match functions below). */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/datastore.h"
#include "cli/node.h"
#include "cli/node_opsx.h"
#include "lib/log.h"

static const int file_opts_create[] = { OPT_HELP, OPT_FILENAME, OPT_RECURSIVE, OPT_SKIP_EMPTY,
	OPT_SKIP_EXISTS, OPT_CONFIG, OPT_NAMESPACE, OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int file_opts_write[] = { OPT_HELP, OPT_FILENAME, OPT_RECURSIVE, OPT_SKIP_EMPTY,
	OPT_CONFIG, OPT_NAMESPACE, OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int patch_opts[] = { OPT_HELP, OPT_PATCH, OPT_TYPE, OPT_CONFIG, OPT_NAMESPACE,
	OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int delete_opts[] = { OPT_HELP, OPT_SKIP_NOT_EXISTS, OPT_FILENAME, OPT_RECURSIVE,
	OPT_SKIP_EMPTY, OPT_CONFIG, OPT_NAMESPACE, OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int get_opts[] = { OPT_HELP, OPT_FILENAME, OPT_RECURSIVE, OPT_SKIP_EMPTY, OPT_OUTPUT,
	OPT_CONFIG, OPT_NAMESPACE, OPT_ALL_NAMESPACES, OPT_EXPORT, OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int label_opts[] = { OPT_HELP, OPT_CONFIG, OPT_NAMESPACE, OPT_OVERWRITE, OPT_REMOVE,
	OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };
static const int validate_opts[] = { OPT_HELP, OPT_FILENAME, OPT_RECURSIVE, OPT_SKIP_EMPTY,
	OPT_ALLOW_MISMATCH, -1 };
static const int version_opts[] = { OPT_HELP, OPT_CONFIG, OPT_POLL, OPT_ALLOW_MISMATCH, OPT_CLIENT,
	-1 };
static const int node_opts[] = { OPT_HELP, OPT_ALLOW_MISMATCH, -1 };
static const int node_run_opts[] = { OPT_HELP, OPT_IP, OPT_IP6, OPT_AS, OPT_NAME,
	OPT_IP_AUTODETECT, OPT_IP6_AUTODETECT, OPT_BACKEND, OPT_CONFIG, OPT_DRYRUN,
	OPT_ALLOW_MISMATCH, -1 };
static const int node_status_opts[] = { OPT_HELP, OPT_OUTPUT, OPT_ALLOW_MISMATCH, -1 };
static const int node_peers_opts[] = { OPT_HELP, OPT_NODE, OPT_OUTPUT, OPT_CONFIG,
	OPT_ALLOW_MISMATCH, -1 };
static const int group_opts[] = { OPT_HELP, -1 };
static const int migrate_opts[] = { OPT_HELP, OPT_CONFIG, OPT_ALLOW_MISMATCH, -1 };
static const int migrate_import_opts[] = { OPT_HELP, OPT_FILENAME, OPT_CONFIG, OPT_ALLOW_MISMATCH,
	-1 };
static const int top_opts[] = { OPT_HELP, OPT_LOG_LEVEL, OPT_CONTEXT, OPT_ALLOW_MISMATCH, -1 };

/* The command table, in the order of calicoctl's top-level help. */
static const struct cli_cmd commands[] = {
	{ "create", cmd_create, CMD_DATASTORE, "Create a resource by file, directory or stdin.",
	  cli_help_create, file_opts_create },
	{ "replace", cmd_replace, CMD_DATASTORE, "Replace a resource by file, directory or stdin.",
	  cli_help_replace, file_opts_write },
	{ "apply", cmd_apply, CMD_DATASTORE,
	  "Apply a resource by file, directory or stdin.  This creates a resource\n"
	  "if it does not exist, and replaces a resource if it does exists.",
	  cli_help_apply, file_opts_write },
	{ "patch", cmd_patch, CMD_DATASTORE, "Patch a preexisting resource in place.", cli_help_patch,
	  patch_opts },
	{ "delete", cmd_delete, CMD_DATASTORE,
	  "Delete a resource identified by file, directory, stdin or resource type and\nname.",
	  cli_help_delete, delete_opts },
	{ "get", cmd_get, CMD_DATASTORE,
	  "Get a resource identified by file, directory, stdin or resource type and\nname.",
	  cli_help_get, get_opts },
	{ "label", cmd_label, CMD_DATASTORE, "Add or update labels of resources.", cli_help_label,
	  label_opts },
	{ "validate", cmd_validate, 0,
	  "Validate a resource by file, directory or stdin without applying it.", cli_help_validate,
	  validate_opts },
	{ "node", NULL, 0, "Calico node management.", cli_help_node, node_opts },
	{ "datastore", NULL, 0, "Calico datastore management.", cli_help_datastore, group_opts },
	{ "version", cmd_version, CMD_DATASTORE, "Display the version of this binary.",
	  cli_help_version, version_opts },
	{ "__complete", cmd_complete, CMD_HIDDEN | CMD_RAW, "", "", top_opts },
};

/* `node <command>`: the rows of the group (fn NULL in the table above). */
static const struct cli_cmd node_commands[] = {
	{ "run", cmd_node_run, CMD_DATASTORE, "Register the node and start its BGP speaker.",
	  cli_help_node_run, node_run_opts },
	{ "status", cmd_node_status, 0, "View the current status of a Calico node.",
	  cli_help_node_status, node_status_opts },
	{ "peers", cmd_node_peers, CMD_DATASTORE, "Show a node's planned BGP sessions.",
	  cli_help_node_peers, node_peers_opts },
	{ "shell", cmd_node_shell, CMD_RAW, "An interactive console to the local BGP speaker.",
	  node_shell_help, node_opts },
	{ "diags", cmd_node_diags, CMD_RAW, "Collect diagnostics into one archive.", node_diags_help,
	  node_opts },
};

/* `datastore <command>` and `datastore migrate <command>`. */
static const struct cli_cmd datastore_commands[] = {
	{ "migrate", NULL, 0, "Migrate the contents of one datastore to another.", cli_help_migrate,
	  group_opts },
};

static const struct cli_cmd migrate_commands[] = {
	{ "export", cmd_datastore_export, CMD_DATASTORE, "Export the contents of the datastore to yaml.",
	  cli_help_migrate_export, migrate_opts },
	{ "import", cmd_datastore_import, CMD_DATASTORE,
	  "Store the yaml of an export into an empty datastore.", cli_help_migrate_import,
	  migrate_import_opts },
	{ "lock", cmd_datastore_lock, CMD_DATASTORE,
	  "Lock the datastore to prevent changes from occurring during datastore migration.",
	  cli_help_migrate_lock, migrate_opts },
	{ "unlock", cmd_datastore_unlock, CMD_DATASTORE,
	  "Unlock the datastore to allow changes once the migration is completed.",
	  cli_help_migrate_unlock, migrate_opts },
};

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

const struct cli_cmd *cli_subcommands(const struct cli_cmd *group, size_t *n)
{
	static const struct {
		const char *name;
		const struct cli_cmd *subs;
		size_t n;
	} groups[] = {
		{ "node", node_commands, NELEMS(node_commands) },
		{ "datastore", datastore_commands, NELEMS(datastore_commands) },
		{ "migrate", migrate_commands, NELEMS(migrate_commands) },
	};

	*n = 0;
	if (group->fn)
		return NULL;
	for (size_t i = 0; i < NELEMS(groups); i++)
		if (!strcmp(group->name, groups[i].name)) {
			*n = groups[i].n;
			return groups[i].subs;
		}
	return NULL;
}

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cli_cmd *cli_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

/* ---- usage patterns ---- */

static bool match_pattern(const struct cli_cmd *cmd, const struct opts *o)
{
	const char *n = cmd->name;

	if (o->unknown || o->repeated)
		return false;
	if (!strcmp(n, "delete") || !strcmp(n, "get")) {
		/* ( (<KIND> [<NAME>...]) | --filename=<F> [--recursive] [--skip-empty] ) */
		if (o->set[OPT_FILENAME])
			return o->npos == 0;
		return o->npos >= 1 && !o->set[OPT_RECURSIVE] && !o->set[OPT_SKIP_EMPTY];
	}
	if (!strcmp(n, "patch")) /* <KIND> <NAME> --patch=<PATCH> */
		return o->npos == 2 && o->set[OPT_PATCH];
	if (!strcmp(n, "label")) /* <KIND> <NAME> (<key>=<value> [--overwrite] | <key> --remove) */
		return o->npos == 3 && !(o->set[OPT_OVERWRITE] && o->set[OPT_REMOVE]);
	if (!strcmp(n, "version") || !strcmp(n, "run") || !strcmp(n, "status") ||
	    !strcmp(n, "peers") || !strcmp(n, "export") || !strcmp(n, "lock") ||
	    !strcmp(n, "unlock"))
		return o->npos == 0;
	/* create, replace, apply, validate, import: --filename=<FILENAME> */
	return o->npos == 0 && o->set[OPT_FILENAME];
}

/* ---- reporting ---- */

static int fail_v(struct cli *c, bool to_stdout, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(c->error);
	c->error = msg;
	c->error_stdout = to_stdout;
	return CLI_FAIL;
}

int cli_fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(c, false, fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

int cli_fail_stdout(struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_v(c, true, fmt, ap);
	va_end(ap);
	return CLI_FAIL;
}

int cli_fail_take(struct cli *c, char *msg)
{
	free(c->error);
	c->error = msg;
	c->error_stdout = false;
	return CLI_FAIL;
}

/* calicoctl's massageError: our YAML decoding goes through JSON, so strip
 * that prefix, and turn any 'unknown field "X"' into the friendlier line. */
static void print_massaged(FILE *f, const char *msg)
{
	static const char json_prefix[] = "error unmarshaling JSON: while decoding JSON: json: ";
	const char *p;

	if (!strncmp(msg, json_prefix, sizeof(json_prefix) - 1))
		msg += sizeof(json_prefix) - 1;
	p = strstr(msg, "unknown field \"");
	if (p) {
		const char *name = p + strlen("unknown field \"");
		const char *end = strchr(name, '"');
		if (end && end > name) {
			fprintf(f, "field in document is not recognized or is in the wrong location: %.*s\n",
				(int)(end - name), name);
			return;
		}
	}
	fprintf(f, "%s\n", msg);
}

/* The single mapping from a command's result to streams and exit code:
 * success is 0; every failure is 1 (calicoctl has no other codes). */
static int cli_finish(struct cli *c, int rc)
{
	fflush(stdout);
	if (rc == CLI_OK)
		return 0;
	if (c->error) {
		if (c->error_stdout) {
			printf("%s\n", c->error);
			fflush(stdout);
		} else
			print_massaged(stderr, c->error);
	}
	return 1;
}

/* ---- help rendering ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* calicoctl lists the registered kinds, sorted by Kind, lower-cased. */
static void add_resource_list(struct strbuf *sb)
{
	const struct kind_desc *const *all = kind_all();
	const char *names[64];
	size_t n = 0;

	for (; all && *all && n < 64; all++)
		names[n++] = kind_name(*all);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		sb_add(sb, "    - ");
		for (const char *p = names[i]; *p; p++) {
			char ch = (char)tolower((unsigned char)*p);
			sb_addn(sb, &ch, 1);
		}
		sb_add(sb, "\n");
	}
}

static void add_command_list(struct strbuf *sb)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *s = commands[i].synopsis;
		if (commands[i].flags & CMD_HIDDEN)
			continue;
		sb_addf(sb, "    %-13s", commands[i].name);
		for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
			sb_addn(sb, s, (size_t)(nl - s));
			sb_add(sb, "\n");
			sb_pad(sb, ' ', 17);
		}
		sb_add(sb, s);
		sb_add(sb, "\n");
	}
}

char *cli_render_help(const struct cli *c, const char *text)
{
	struct strbuf sb;
	const char *p = text;
	bool plugin = strcmp(c->prog, "calicoctl") != 0;

	sb_init(&sb);
	while (*p) {
		const char *lt = strchr(p, '<');
		if (!lt) {
			sb_add(&sb, p);
			break;
		}
		sb_addn(&sb, p, (size_t)(lt - p));
		if (!strncmp(lt, "<BINARY_NAME>", 13)) {
			sb_add(&sb, c->prog);
			p = lt + 13;
		} else if (!strncmp(lt, "<RESOURCE_LIST>", 15)) {
			add_resource_list(&sb);
			p = lt + 15;
		} else if (!strncmp(lt, "<COMMAND_LIST>", 14)) {
			add_command_list(&sb);
			p = lt + 14;
		} else if (!strncmp(lt, "<DESCRIPTION>", 13)) {
			sb_add(&sb, plugin ? "calico kubectl plugin" : "calicoctl command line tool");
			p = lt + 13;
		} else {
			sb_add(&sb, "<");
			p = lt + 1;
		}
	}
	return sb_detach(&sb);
}

/* docopt -h: the whole text without leading/trailing newlines, then one. */
static void print_help(const struct cli *c, const char *text)
{
	char *h = cli_render_help(c, text);
	const char *s = h;
	size_t n;

	while (*s == '\n')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == '\n')
		n--;
	printf("%.*s\n", (int)n, s);
	free(h);
}

/* docopt's usage section: the line holding "usage:" and the indented lines
 * after it, trimmed; printed after the parse message, if any. */
static void print_usage(const struct cli *c, const char *text, const char *msg)
{
	char *h = cli_render_help(c, text);
	const char *start = h, *end;

	for (const char *line = h; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (strncasecmp(line, "usage:", 6) == 0) {
			start = line;
			break;
		}
		line += len + (nl ? 1 : 0);
	}
	end = strchr(start, '\n');
	end = end ? end + 1 : start + strlen(start);
	while (*end == ' ' || *end == '\t') {
		const char *nl = strchr(end, '\n');
		end = nl ? nl + 1 : end + strlen(end);
	}
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (msg && *msg)
		fprintf(stderr, "%s\n", msg);
	fprintf(stderr, "%.*s\n", (int)(end - start), start);
	free(h);
}

/* Go's %q for the unknown-command message. */
static void print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* ---- running ---- */

static int run_command(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv,
		       bool allow_mismatch);

/* A command group (`node`): options first, then the subcommand word, whose
 * own row then parses the rest. */
static int run_group(struct cli *c, const struct cli_cmd *group, const struct cli_cmd *subs,
		     size_t nsubs, int argc, char **argv, bool allow_mismatch)
{
	struct opts o;
	char msg[512];
	int rc = opts_parse(group->options, argc, argv, true, &o, msg, sizeof(msg));
	const struct cli_cmd *sub = NULL;

	if (rc == 0 && o.help) {
		print_help(c, group->help);
		opts_free(&o);
		return 0;
	}
	for (size_t i = 0; rc == 0 && o.npos > 0 && i < nsubs; i++)
		if (!strcmp(subs[i].name, o.pos[0]))
			sub = &subs[i];
	if (rc < 0 || o.unknown || o.repeated || !sub) {
		print_usage(c, group->help, rc < 0 ? msg : NULL);
		opts_free(&o);
		return 1;
	}
	allow_mismatch = allow_mismatch || o.set[OPT_ALLOW_MISMATCH];
	/* The subcommand's words start after its name. */
	for (int i = 0; i < argc; i++)
		if (argv[i] == o.pos[0]) {
			rc = run_command(c, sub, argc - i - 1, argv + i + 1, allow_mismatch);
			break;
		}
	opts_free(&o);
	return rc;
}

static int run_command(struct cli *c, const struct cli_cmd *cmd, int argc, char **argv,
		       bool allow_mismatch)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	char msg[512];
	int n = 0, rc;

	if (!args)
		return 1;
	if (!cmd->fn) {
		size_t nsubs;
		const struct cli_cmd *subs = cli_subcommands(cmd, &nsubs);
		free(args);
		return run_group(c, cmd, subs, nsubs, argc, argv, allow_mismatch);
	}
	c->cmd = cmd;
	if (cmd->flags & CMD_RAW) {
		c->argc = argc;
		c->argv = argv;
		rc = cli_finish(c, cmd->fn(c));
		free(args);
		return rc;
	}
	for (int i = 0; i < argc; i++) {
		/* get keeps calicoctl's backward-compatible -a for -A. */
		if (!strcmp(cmd->name, "get") && !strcmp(argv[i], "-a"))
			args[n++] = (char *)"-A";
		else
			args[n++] = argv[i];
	}
	/* The top-level flag reaches the subcommand as an extra argument. */
	if (allow_mismatch)
		args[n++] = (char *)"--allow-version-mismatch";

	c->cmd = cmd;
	rc = opts_parse(cmd->options, n, args, false, &c->o, msg, sizeof(msg));
	if (rc == 0 && c->o.help) {
		print_help(c, cmd->help);
		free(args);
		return 0;
	}
	if (rc < 0 || !match_pattern(cmd, &c->o)) {
		print_usage(c, cmd->help, rc < 0 ? msg : NULL);
		free(args);
		return 1;
	}
	if (c->o.set[OPT_CONTEXT])
		setenv("K8S_CURRENT_CONTEXT", c->o.val[OPT_CONTEXT], 1);
	rc = cmd->fn(c);
	rc = cli_finish(c, rc);
	free(args);
	return rc;
}

static const char *prog_name(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	/* As a kubectl plugin calicoctl calls itself kubectl-calico. */
	return strncmp(base, "kubectl-", 8) == 0 ? "kubectl-calico" : "calicoctl";
}

static void invalid_option(struct cli *c, int argc, char **argv, const char *msg)
{
	print_usage(c, cli_help_top, msg);
	printf("Invalid option: '");
	for (int i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	printf("'. Use flag '--help' to read about a specific subcommand.\n");
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	struct opts top;
	char msg[512];
	int rc, status;

	c.prog = prog_name(argc > 0 ? argv[0] : "calicoctl");
	log_threshold = LOG_PANIC;
	rc = opts_parse(top_opts, argc - 1, argv + 1, true, &top, msg, sizeof(msg));
	if (rc == 0 && top.help) {
		print_help(&c, cli_help_top);
		opts_free(&top);
		return 0;
	}
	/* docopt's --version (not declared, so matched exactly) wins over a
	 * missing command. */
	for (int i = 1; rc == 0 && i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version")) {
			printf("Run '%s version' to see version information.\n", c.prog);
			opts_free(&top);
			return 0;
		}
	}
	if (rc < 0 || top.unknown || top.repeated || top.npos == 0) {
		invalid_option(&c, argc, argv, rc < 0 ? msg : NULL);
		opts_free(&top);
		return 1;
	}
	if (top.set[OPT_LOG_LEVEL]) {
		int lvl = log_level_parse(top.val[OPT_LOG_LEVEL]);
		if (lvl < 0) {
			printf("Unknown log level: %s, expected one of: \n"
			       "panic, fatal, error, warn, info, debug.\n",
			       top.val[OPT_LOG_LEVEL]);
			opts_free(&top);
			return 1;
		}
		log_threshold = (enum log_level)lvl;
		log_info("Log level set to %s", log_level_name((enum log_level)lvl));
	}
	if (top.set[OPT_CONTEXT])
		setenv("K8S_CURRENT_CONTEXT", top.val[OPT_CONTEXT], 1);

	const char *word = top.pos[0];
	const struct cli_cmd *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i].name, word))
			cmd = &commands[i];
	if (!cmd) {
		char *h = cli_render_help(&c, cli_help_top);
		fputs("unknown command: ", stderr);
		print_quoted(stderr, word);
		fprintf(stderr, "\n%s\n", h);
		free(h);
		opts_free(&top);
		return 1;
	}
	status = run_command(&c, cmd, top.npos - 1, (char **)top.pos + 1, top.set[OPT_ALLOW_MISMATCH]);
	opts_free(&c.o);
	opts_free(&top);
	store_close(c.st);
	if (c.config_loaded)
		store_config_free(&c.cfg);
	free(c.error);
	if (c.exit_signal) {
		/* Die of it (the command kept it blocked until it was ready),
		 * as a process without a handler would. */
		sigset_t set;

		fflush(stdout);
		sigemptyset(&set);
		sigaddset(&set, c.exit_signal);
		signal(c.exit_signal, SIG_DFL);
		raise(c.exit_signal);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	return status;
}
