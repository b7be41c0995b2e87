/* The hidden `calicoctl __complete WORD... CUR` command behind the bash,
 * zsh and fish scripts in completions/. WORDs are the words already typed
 * after "calicoctl", CUR the (possibly empty) word being completed; the
 * candidates starting with CUR are printed one per line. An empty answer
 * lets the shell fall back to file names (for -f, -c and the like).
 *
 * Everything comes from the descriptions the CLI itself runs on, so the
 * completions cannot drift from it: command names from the command table,
 * flags from each command's option list (what the parser accepts), values
 * of flags from the "one of ..." lists of the help texts, kinds and aliases
 * from the resource model, and names from the configured datastore.
 *
 * `calicoctl __complete --scdoc [CMD]` prints the scdoc man page of CMD (or
 * of calicoctl itself) built from the same help texts (cli/complete_man.c). */
#include "cli/cli.h"
#include "cli/complete.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Commands whose first positional is a kind, and how many positionals
 * after it are resource names (-1: any number). */
static int kind_names_after(const char *cmd)
{
	if (!strcmp(cmd, "get") || !strcmp(cmd, "delete"))
		return -1;
	if (!strcmp(cmd, "patch") || !strcmp(cmd, "label"))
		return 1;
	return 0;
}

static void emit(const char *cand, const char *cur)
{
	if (!strncmp(cand, cur, strlen(cur)))
		printf("%s\n", cand);
}

const struct cli_cmd *complete_find_cmd(const char *name)
{
	size_t n;
	const struct cli_cmd *t = cli_commands(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

/* The option of ids named by word ("-o", "--output", "--output=x"). */
static int find_opt(const int *ids, const char *word)
{
	size_t len = strcspn(word, "=");

	for (const int *p = ids; p && *p >= 0; p++) {
		const struct opt_desc *d = &opt_table[*p];
		if (word[0] == '-' && word[1] == d->short_name && d->short_name && len == 2)
			return *p;
		if (strlen(d->long_name) == len && !strncmp(d->long_name, word, len))
			return *p;
	}
	return -1;
}

/* The description of option id in a rendered help text, continuation lines
 * joined with single spaces (malloc'd), or NULL. */
char *complete_opt_description(const char *help, int id)
{
	const struct opt_desc *d = &opt_table[id];
	const char *line = strstr(help, "\nOptions:\n");
	struct strbuf sb;
	bool in = false;

	if (!line)
		return NULL;
	sb_init(&sb);
	for (line += 10; *line && *line != '\n';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *t = line + strspn(line, " ");
		bool optline = (size_t)(t - line) <= 5 && *t == '-';

		if (optline) {
			size_t sl = strlen(d->long_name);
			const char *l = strstr(t, d->long_name);
			const char *gap = strstr(t, "  ");
			in = l && (!gap || l < gap) && (l[sl] == '=' || l[sl] == ' ' || l[sl] == '\0');
			if (in && gap && gap < line + len) {
				gap += strspn(gap, " ");
				sb_addn(&sb, gap, (size_t)(line + len - gap));
			}
		} else if (in) {
			sb_add(&sb, " ");
			sb_addn(&sb, t, (size_t)(line + len - t));
		}
		line += len + (nl ? 1 : 0);
	}
	if (!sb.len) {
		sb_free(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* The values listed after "one of" in an option's description, e.g.
 * "One of: yaml, json, ps, wide, custom-columns=..." or "(one of panic,
 * fatal, ...)"; "custom-columns=..." becomes "custom-columns=". Each value
 * is passed to fn. Returns how many. */
int complete_opt_values(const char *help, int id, void (*fn)(const char *v, void *arg), void *arg)
{
	char *desc = complete_opt_description(help, id);
	char *p, *end;
	int n = 0;

	if (!desc)
		return 0;
	p = strcasestr(desc, "one of");
	if (!p) {
		free(desc);
		return 0;
	}
	p += 6;
	p += strspn(p, ": ");
	end = p + strcspn(p, ")[");
	*end = '\0';
	for (char *tok = strtok(p, ", "); tok; tok = strtok(NULL, ", ")) {
		size_t len = strlen(tok);
		if (len >= 3 && !strcmp(tok + len - 3, "..."))
			tok[len - 3] = '\0';
		else if (len && tok[len - 1] == '.')
			tok[len - 1] = '\0';
		if (*tok) {
			fn(tok, arg);
			n++;
		}
	}
	free(desc);
	return n;
}

/* A flag value being completed: what precedes it in the word ("-o",
 * "--output=" or "") and the part typed so far. */
struct value_match {
	const char *prefix;
	const char *cur;
};

static void emit_value(const char *v, void *arg)
{
	const struct value_match *m = arg;

	if (!strncmp(v, m->cur, strlen(m->cur)))
		printf("%s%s\n", m->prefix, v);
}

static void complete_flags(const int *ids, const char *cur)
{
	for (const int *p = ids; p && *p >= 0; p++) {
		const struct opt_desc *d = &opt_table[*p];
		char s[3] = { '-', d->short_name, 0 };
		/* --allow-version-mismatch is accepted, but --help and -h show up
		 * only once the user typed a dash, like every flag. */
		emit(d->long_name, cur);
		if (d->short_name && cur[1] != '-')
			emit(s, cur);
	}
}

static void complete_kinds(const char *cur)
{
	for (const struct kind_desc *const *k = kind_all(); k && *k; k++) {
		char lower[64];
		size_t i;
		const char *name = kind_name(*k);
		bool listed = false;

		for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		lower[i] = '\0';
		for (const char *const *a = kind_aliases(*k); a && *a; a++) {
			emit(*a, cur);
			listed |= !strcmp(*a, lower);
		}
		if (!listed)
			emit(lower, cur);
	}
}

/* Names of kind in the datastore; silent when it cannot be read (a
 * completion must never print errors into the command line). */
static void complete_names(struct cli *c, const char *word, const char *cur)
{
	const struct kind_desc *k = kind_by_word(word);
	struct err e = { "" };
	json_t *items = NULL;
	int64_t rev;
	size_t i;
	json_t *it;

	if (!k || cli_load_config(c, &e) < 0)
		return;
	/* Never create a datastore just to complete a word. */
	if (c->cfg.backend == STORE_BACKEND_SQLITE && c->cfg.sqlite_path && access(c->cfg.sqlite_path, R_OK))
		return;
	if (store_open(&c->cfg, &c->st, &e) < 0) {
		c->st = NULL;
		return;
	}
	if (store_list(c->st, kind_name(k), "", &items, &rev, &e) < 0)
		return;
	json_array_foreach(items, i, it)
		emit(res_name(it), cur);
	json_decref(items);
}

/* The flags a help text's Options section lists ("-c --command=<X>"). */
static void for_help_flags(const char *help, void (*fn)(const char *flag, bool value, void *arg),
			   void *arg)
{
	const char *line = strstr(help, "\nOptions:\n");

	for (line = line ? line + 10 : ""; *line && *line != '\n';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *t = line + strspn(line, " ");
		if ((size_t)(t - line) <= 5 && *t == '-') {
			const char *gap = strstr(t, "  ");
			size_t speclen = gap && gap < line + len ? (size_t)(gap - t) : (size_t)(line + len - t);
			char spec[128];
			snprintf(spec, sizeof(spec), "%.*s", (int)speclen, t);
			bool value = strchr(spec, '=') != NULL;
			for (char *save = NULL, *tok = strtok_r(spec, " ,", &save); tok;
			     tok = strtok_r(NULL, " ,", &save)) {
				if (tok[0] != '-')
					continue;
				tok[strcspn(tok, "=")] = '\0';
				fn(tok, value, arg);
			}
		}
		line += len + (nl ? 1 : 0);
	}
}

static void emit_flag(const char *flag, bool value, void *arg)
{
	(void)value;
	emit(flag, arg);
}

static void complete_help_flags(const char *help, const char *cur)
{
	for_help_flags(help, emit_flag, (void *)cur);
}

struct flag_query {
	const char *word;
	bool value;
};

static void match_flag(const char *flag, bool value, void *arg)
{
	struct flag_query *q = arg;
	if (!strcmp(flag, q->word))
		q->value |= value;
}

static bool help_flag_takes_value(const char *help, const char *word)
{
	struct flag_query q = { word, false };
	for_help_flags(help, match_flag, &q);
	return q.value;
}

/* The top level: options first, then a command name. */
static void complete_top(const char *cur)
{
	size_t n;
	const struct cli_cmd *t = cli_commands(&n);
	static const int top_ids[] = { OPT_HELP, OPT_LOG_LEVEL, OPT_CONTEXT, OPT_ALLOW_MISMATCH,
		OPT_VERSION, -1 };

	if (cur[0] == '-') {
		complete_flags(top_ids, cur);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!(t[i].flags & CMD_HIDDEN))
			emit(t[i].name, cur);
}

int complete_words(struct cli *c, int argc, char **argv)
{
	const char *cur = argc > 0 ? argv[argc - 1] : "";
	const struct cli_cmd *cmd = NULL;
	char *help = NULL;
	const char *pos[OPTS_MAX_POS];
	int npos = 0, i = 0, prev_opt = -1;

	/* Top-level options (and the values of -l / --context). */
	for (; i < argc - 1; i++) {
		if (argv[i][0] != '-')
			break;
		if ((!strcmp(argv[i], "-l") || !strcmp(argv[i], "--log-level") ||
		     !strcmp(argv[i], "--context")) && i + 1 < argc - 1)
			i++;
	}
	if (i == argc - 1 || argc == 0) {
		const char *prev = argc >= 2 ? argv[argc - 2] : "";
		if (!strcmp(prev, "-l") || !strcmp(prev, "--log-level")) {
			struct value_match m = { "", cur };
			complete_opt_values(cli_help_top, OPT_LOG_LEVEL, emit_value, &m);
			return CLI_OK;
		}
		if (!strcmp(prev, "--context"))
			return CLI_OK;
		complete_top(cur);
		return CLI_OK;
	}
	cmd = complete_find_cmd(argv[i]);
	if (!cmd || (cmd->flags & CMD_HIDDEN))
		return CLI_OK;
	/* A group (`node`, `datastore`, `datastore migrate`): its options,
	 * then a subcommand word, which may be a group itself. */
	size_t nsubs;
	const struct cli_cmd *subs;
	while ((subs = cli_subcommands(cmd, &nsubs))) {
		for (i++; i < argc - 1 && argv[i][0] == '-'; i++)
			;
		if (i == argc - 1) {
			if (cur[0] == '-')
				complete_flags(cmd->options, cur);
			else
				for (size_t k = 0; k < nsubs; k++)
					emit(subs[k].name, cur);
			return CLI_OK;
		}
		cmd = NULL;
		for (size_t k = 0; k < nsubs; k++)
			if (!strcmp(subs[k].name, argv[i]))
				cmd = &subs[k];
		if (!cmd)
			return CLI_OK;
	}
	help = cli_render_help(c, cmd->help);
	if (cmd->flags & CMD_RAW) {
		/* Parses its own words: its flags are the ones its help lists;
		 * their values are files or free text (an empty answer). */
		const char *prev = argc >= 2 ? argv[argc - 2] : "";
		if (cur[0] == '-' && !(prev[0] == '-' && help_flag_takes_value(help, prev)))
			complete_help_flags(help, cur);
		free(help);
		return CLI_OK;
	}
	/* The words between the command and CUR: options (with their values)
	 * and positionals; -c FILE is remembered for the name lookups. */
	for (i++; i < argc - 1; i++) {
		const char *w = argv[i];
		int id;
		if (prev_opt >= 0) {
			if (prev_opt == OPT_CONFIG) {
				c->o.set[OPT_CONFIG] = true;
				c->o.val[OPT_CONFIG] = w;
			}
			prev_opt = -1;
			continue;
		}
		if (w[0] == '-' && w[1]) {
			id = find_opt(cmd->options, w);
			if (id >= 0 && opt_table[id].has_arg && !strchr(w, '=') &&
			    !(w[1] != '-' && w[2]))
				prev_opt = id;
			else if (id == OPT_CONFIG) {
				c->o.set[OPT_CONFIG] = true;
				c->o.val[OPT_CONFIG] = strchr(w, '=') ? strchr(w, '=') + 1 : w + 2;
			}
			continue;
		}
		if (npos < OPTS_MAX_POS)
			pos[npos++] = w;
	}
	if (prev_opt >= 0) {
		/* A flag's value: its "one of" list, else files (empty answer). */
		struct value_match m = { "", cur };
		complete_opt_values(help, prev_opt, emit_value, &m);
	} else if (find_opt(cmd->options, "-o") == OPT_OUTPUT &&
		   (!strncmp(cur, "--output=", 9) || (!strncmp(cur, "-o", 2) && cur[2]))) {
		/* --output=ya / -oya: complete the value, keeping the flag. */
		struct value_match m = { cur[1] == '-' ? "--output=" : "-o", NULL };
		m.cur = cur + strlen(m.prefix);
		complete_opt_values(help, OPT_OUTPUT, emit_value, &m);
	} else if (cur[0] == '-') {
		complete_flags(cmd->options, cur);
	} else {
		int after = kind_names_after(cmd->name);
		if (after != 0 && npos == 0)
			complete_kinds(cur);
		else if (after != 0 && (after < 0 || npos <= after))
			complete_names(c, pos[0], cur);
	}
	free(help);
	return CLI_OK;
}

int cmd_complete(struct cli *c)
{
	if (c->argc >= 1 && !strcmp(c->argv[0], "--scdoc"))
		return complete_scdoc(c, c->argc >= 2 ? c->argv[1] : NULL);
	return complete_words(c, c->argc, c->argv);
}
