/* docopt-compatible option parsing for calicoctl's subcommands.
 *
 * calicoctl v3.32 parses every subcommand with docopt, and scripts depend on
 * its accidents: long options by unambiguous prefix, "--opt=v", "--opt v",
 * "-o v", "-ov", stacked short flags, options interleaved with positional
 * arguments, -h/--help anywhere printing the whole help text, and a parse
 * error printing the Usage block (preceded by docopt's message, if any). This
 * parser reproduces those rules for the fixed set of options below; each
 * command lists the options its usage pattern accepts, in the order of its
 * help text's Options section (which decides the order docopt names the
 * candidates of an ambiguous prefix in). */
#ifndef CLI_OPTS_H
#define CLI_OPTS_H

#include <stdbool.h>

enum opt_id {
	OPT_HELP,
	OPT_FILENAME,
	OPT_RECURSIVE,
	OPT_SKIP_EMPTY,
	OPT_SKIP_EXISTS,
	OPT_SKIP_NOT_EXISTS,
	OPT_OUTPUT,
	OPT_CONFIG,
	OPT_NAMESPACE,
	OPT_ALL_NAMESPACES,
	OPT_EXPORT,
	OPT_PATCH,
	OPT_TYPE,
	OPT_OVERWRITE,
	OPT_REMOVE,
	OPT_POLL,
	OPT_CLIENT,
	OPT_CONTEXT,
	OPT_ALLOW_MISMATCH,
	OPT_LOG_LEVEL,
	OPT_VERSION,
	/* node run / node peers */
	OPT_IP,
	OPT_IP6,
	OPT_AS,
	OPT_NAME,
	OPT_IP_AUTODETECT,
	OPT_IP6_AUTODETECT,
	OPT_BACKEND,
	OPT_DRYRUN,
	OPT_NODE,
	OPT_COUNT
};

/* One option as calicoctl declares it: "-f --filename=<FILENAME>". */
struct opt_desc {
	char short_name;       /* 'f', or 0 */
	const char *long_name; /* "--filename" */
	bool has_arg;
};

/* The option table, indexed by enum opt_id. */
extern const struct opt_desc opt_table[OPT_COUNT];

/* What a command accepts: option ids in help-text order, ended by -1. */
struct opt_set {
	const int *ids;
};

#define OPTS_MAX_POS 64

struct opts {
	bool set[OPT_COUNT];
	const char *val[OPT_COUNT];
	int npos;
	const char **pos; /* positional arguments (malloc'd array of argv pointers) */
	bool help;        /* -h/--help seen: print the help text, ignore the rest */
	bool unknown;     /* an option the command does not declare */
	bool repeated;    /* a declared option given more than once */
	bool options_first; /* stop option parsing at the first positional */
};

/* Parses argv[0..argc) (argv[0] is the first word after the command name).
 * Returns 0, or -EINVAL with a docopt message in msg (which may be empty:
 * an unknown or repeated option only fails the match, after help has been
 * checked). msg must hold at least 256 bytes. */
int opts_parse(const int *ids, int argc, char **argv, bool options_first, struct opts *o, char *msg,
	       unsigned msglen);

/* Frees what opts_parse allocated. */
void opts_free(struct opts *o);

/* The value of an option, or def when it was not given. */
const char *opts_get(const struct opts *o, enum opt_id id, const char *def);

#endif
