/* calicoctl internals shared by the command files: the command table entry,
 * the per-run state the runner prepares, and the helpers every command
 * uses to reach the datastore and to report. Commands never print errors
 * or exit themselves: they return CLI_FAIL with a message (cli_fail), and
 * main() maps that to the stream and exit code (cli_finish). */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/opts.h"
#include "lib/err.h"
#include "lib/resource.h"
#include "store/config.h"
#include "store/store.h"

/* Command return values. */
#define CLI_OK 0
#define CLI_FAIL (-1)

/* What the runner prepares or checks before a command runs. */
enum cli_cmd_flags {
	CMD_DATASTORE = 1 << 0, /* accepts -c/--config and uses the datastore */
	CMD_HIDDEN = 1 << 1,    /* not listed in the top-level help (__complete) */
	CMD_RAW = 1 << 2,       /* gets its words unparsed in c->argc/c->argv */
};

struct cli;

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *c);
	unsigned flags;
	const char *synopsis; /* the line in the top-level help ("\n" continues) */
	const char *help;     /* the full -h text; its Usage block is the usage */
	const int *options;   /* accepted options in help order, ended by -1 */
};

struct cli {
	const char *prog;          /* "calicoctl" (or "kubectl-calico" as a plugin) */
	const struct cli_cmd *cmd;
	struct opts o;             /* parsed subcommand options and positionals */
	int argc;                  /* CMD_RAW: the words after the command name */
	char **argv;
	bool config_loaded;
	int config_rc;          /* the result of loading the settings */
	struct err config_err;
	struct store_config cfg;
	struct store *st;

	char *error;        /* message for stderr (or stdout), malloc'd */
	bool error_stdout;  /* a few fatal messages go to stdout, as in calicoctl */
	int exit_signal;    /* a signal that ended the command (version --poll):
			     * main() re-raises it after freeing everything */
};

/* ---- memory ---- */

/* Drops a (possibly large) result the process no longer needs just before
 * it exits. Freeing 10,000 resources costs about as much CPU as printing
 * them, for nothing, so only sanitizer builds free them (like git's
 * UNLEAK), which keeps leak checking meaningful where it runs. */
#if defined(__SANITIZE_ADDRESS__)
#define CLI_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_FREE_AT_EXIT 1
#endif
#endif
#ifdef CLI_FREE_AT_EXIT
#define cli_release(v) json_decref(v)
#else
#define cli_release(v) ((void)(v))
#endif

/* ---- reporting (main.c) ---- */

/* Records the failure message (printf-style) and returns CLI_FAIL. */
int cli_fail(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, but calicoctl prints this one on stdout. */
int cli_fail_stdout(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of a malloc'd message. */
int cli_fail_take(struct cli *c, char *msg);

/* The command table (main.c), n entries, hidden ones included. */
const struct cli_cmd *cli_commands(size_t *n);

/* The subcommands of a command group (`node`), or NULL with *n = 0. */
const struct cli_cmd *cli_subcommands(const struct cli_cmd *group, size_t *n);

/* The help text with <BINARY_NAME> and <RESOURCE_LIST> filled in (malloc'd). */
char *cli_render_help(const struct cli *c, const char *text);

/* ---- datastore access (session.c) ---- */

/* The -c value (or the default path). */
const char *cli_config_path(const struct cli *c);

/* Loads the connection settings once (-c or the default path, else the
 * environment); later calls return the first result. */
int cli_load_config(struct cli *c, struct err *e);

/* Loads the config and opens the store once; on failure records
 * calicoctl's message ("Failed to create Calico API client: ...", stdout)
 * and returns CLI_FAIL. */
int cli_open_store(struct cli *c);

/* The version-mismatch check of calicoctl.md §1.3 (skipped with
 * --allow-version-mismatch, or when the datastore cannot be opened). */
int cli_check_version(struct cli *c);

/* Creates ClusterInformation "default" when missing (best effort, inside
 * the caller's batch), as calicoctl's write commands do. */
void cli_ensure_initialized(struct cli *c);

/* The namespace rules of calicoctl's handleNamespace for one resource:
 * 0, or -EINVAL with the message in e. */
int cli_check_namespace(const struct cli *c, const struct kind_desc *k, const json_t *obj,
			struct err *e);

/* ---- dynamic strings (strbuf.c) ---- */

struct strbuf {
	char *buf;
	size_t len, cap;
};

void sb_init(struct strbuf *sb);
void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_pad(struct strbuf *sb, char ch, size_t n);
/* Returns the string (never NULL) and leaves sb empty. */
char *sb_detach(struct strbuf *sb);
void sb_free(struct strbuf *sb);

/* ---- commands (one file per family) ---- */

int cmd_create(struct cli *c);   /* crud.c */
int cmd_apply(struct cli *c);    /* crud.c */
int cmd_replace(struct cli *c);  /* crud.c */
int cmd_delete(struct cli *c);   /* crud.c */
int cmd_validate(struct cli *c); /* crud.c */
int cmd_get(struct cli *c);      /* get.c */
int cmd_patch(struct cli *c);    /* patch.c */
int cmd_label(struct cli *c);    /* label.c */
int cmd_version(struct cli *c);  /* version.c */
int cmd_complete(struct cli *c); /* complete.c: hidden `__complete`, for the shell scripts */

/* ---- help texts (help.c) ---- */

extern const char cli_help_top[];
extern const char cli_help_create[];
extern const char cli_help_replace[];
extern const char cli_help_apply[];
extern const char cli_help_patch[];
extern const char cli_help_delete[];
extern const char cli_help_get[];
extern const char cli_help_label[];
extern const char cli_help_validate[];
extern const char cli_help_version[];

#endif
