/* The man pages of calicoctl and its commands, generated from the help texts
 * the binary prints (`calicoctl __complete --scdoc [CMD]`, run by
 * man/meson.build): SYNOPSIS is the Usage block, OPTIONS the Options block,
 * DESCRIPTION and EXAMPLES the rest. A help text change changes the page. */
#include "cli/complete.h"

#include <stdlib.h>
#include <string.h>

/* scdoc text: * _ and \ are markup. */
static void put_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '*' || s[i] == '_' || s[i] == '\\')
			putchar('\\');
		putchar(s[i]);
	}
}

/* One line of the help text. */
struct hline {
	const char *s;
	size_t n;
	size_t indent;
};

static size_t split_lines(const char *text, struct hline **out)
{
	size_t cap = 64, n = 0;
	struct hline *l = malloc(cap * sizeof(*l));

	for (const char *p = text; l && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (n == cap) {
			struct hline *m = realloc(l, (cap *= 2) * sizeof(*l));
			if (!m)
				break;
			l = m;
		}
		l[n].s = p;
		l[n].n = len;
		l[n].indent = strspn(p, " ");
		if (l[n].indent > len)
			l[n].indent = len;
		n++;
		p += len + (nl ? 1 : 0);
	}
	*out = l;
	return l ? n : 0;
}

static bool is_blank(const struct hline *l)
{
	return l->indent == l->n;
}

/* A section heading of the help text: "Usage:", "Options:", ... */
static bool is_heading(const struct hline *l)
{
	return l->indent == 0 && l->n > 1 && l->s[l->n - 1] == ':' && !memchr(l->s, ' ', l->n);
}

/* Lines [a, b) as prose: paragraphs of text, deeper-indented runs (lists,
 * tables, commands) as literal blocks. */
static void put_prose(const struct hline *l, size_t a, size_t b, size_t base)
{
	bool lit = false;

	for (size_t i = a; i < b; i++) {
		if (is_blank(&l[i])) {
			/* A blank line inside a literal run stays in it when the run
			 * goes on. */
			if (lit && i + 1 < b && l[i + 1].indent > base)
				putchar('\n');
			else {
				if (lit)
					printf("```\n");
				lit = false;
				putchar('\n');
			}
			continue;
		}
		if (l[i].indent > base && !lit) {
			printf("```\n");
			lit = true;
		} else if (l[i].indent <= base && lit) {
			printf("```\n");
			lit = false;
		}
		if (lit) {
			fwrite(l[i].s + base, 1, l[i].n - base, stdout);
		} else {
			put_escaped(l[i].s + l[i].indent, l[i].n - l[i].indent);
		}
		putchar('\n');
	}
	if (lit)
		printf("```\n");
}

static void put_literal(const struct hline *l, size_t a, size_t b)
{
	while (a < b && is_blank(&l[a]))
		a++;
	while (b > a && is_blank(&l[b - 1]))
		b--;
	if (a == b)
		return;
	printf("```\n");
	for (size_t i = a; i < b; i++) {
		size_t cut = l[i].indent < 2 ? l[i].indent : 2;
		fwrite(l[i].s + cut, 1, l[i].n - cut, stdout);
		putchar('\n');
	}
	printf("```\n\n");
}

/* "-f --filename=<FILENAME>" -> "*-f*, *--filename*=_FILENAME_" */
static void put_option_spec(const char *s, size_t n)
{
	bool first = true;

	for (size_t i = 0; i < n;) {
		size_t len;
		const char *eq, *tok = s + i;
		while (i < n && s[i] == ' ')
			i++;
		tok = s + i;
		len = 0;
		while (i < n && s[i] != ' ' && s[i] != ',')
			i++, len++;
		while (i < n && s[i] == ',')
			i++;
		if (!len)
			continue;
		printf("%s", first ? "" : ", ");
		first = false;
		eq = memchr(tok, '=', len);
		putchar('*');
		put_escaped(tok, eq ? (size_t)(eq - tok) : len);
		putchar('*');
		if (eq) {
			const char *v = eq + 1, *e = tok + len;
			if (*v == '<' && e[-1] == '>')
				v++, e--;
			printf("=_");
			put_escaped(v, (size_t)(e - v));
			putchar('_');
		}
	}
}

/* Options block: option lines start within 5 columns with '-'; the text
 * after a gap of two spaces and the continuation lines describe it. Some
 * option specs contain a space ("<OUTPUT FORMAT>"), so the gap is the first
 * run of two spaces after the closing '>' if any. */
static void put_options(const struct hline *l, size_t a, size_t b)
{
	bool open = false, text = false;

	for (size_t i = a; i < b; i++) {
		const char *t = l[i].s + l[i].indent, *end = l[i].s + l[i].n, *gap, *gt;
		if (is_blank(&l[i]))
			continue;
		if (l[i].indent <= 5 && *t == '-') {
			if (open)
				printf("\n\n");
			gt = memchr(t, '>', (size_t)(end - t));
			gap = strstr(gt ? gt : t, "  ");
			if (!gap || gap > end)
				gap = end;
			put_option_spec(t, (size_t)(gap - t));
			printf("\n\t");
			gap += strspn(gap, " ");
			text = gap < end;
			if (text)
				put_escaped(gap, (size_t)(end - gap));
			open = true;
		} else if (open) {
			if (text)
				putchar(' ');
			put_escaped(t, (size_t)(end - t));
			text = true;
		}
	}
	if (open)
		printf("\n\n");
}

static void put_name(const char *page, const struct cli_cmd *cmd)
{
	printf("# NAME\n\n%s - ", page);
	if (!cmd) {
		printf("manage Calico BGP resources and the local BGP speaker\n\n");
		return;
	}
	for (const char *s = cmd->synopsis; *s; s++) {
		if (*s == '\n')
			putchar(' ');
		else if (!(*s == '.' && !s[1]))
			put_escaped(s, 1);
	}
	printf("\n\n");
}

static void put_sub_sections(struct cli *c, const char *text);

/* A group's subcommands (`node run`, `node shell`, ...): a section each,
 * from their own help texts. */
static void put_subcommand_list(struct cli *c, const char *path, const struct cli_cmd *group)
{
	size_t n;
	const struct cli_cmd *subs = cli_subcommands(group, &n);

	for (size_t i = 0; subs && i < n; i++) {
		char sub_path[128];
		snprintf(sub_path, sizeof(sub_path), "%s %s", path, subs[i].name);
		printf("## %s\n\n", sub_path);
		for (const char *p = subs[i].synopsis; *p; p++)
			put_escaped(*p == '\n' ? " " : p, 1);
		printf("\n\n");
		put_sub_sections(c, subs[i].help);
		/* A nested group (`datastore migrate`): its commands follow. */
		put_subcommand_list(c, sub_path, &subs[i]);
	}
}

static void put_subcommands(struct cli *c, const struct cli_cmd *group)
{
	size_t n;

	if (!cli_subcommands(group, &n))
		return;
	printf("# SUBCOMMANDS\n\n");
	put_subcommand_list(c, group->name, group);
}

static void put_see_also(const struct cli_cmd *self)
{
	size_t n;
	const struct cli_cmd *t = cli_commands(&n);

	printf("# SEE ALSO\n\n");
	if (self)
		printf("*calicoctl*(1), ");
	for (size_t i = 0; i < n; i++)
		if (!(t[i].flags & CMD_HIDDEN) && &t[i] != self)
			printf("*calicoctl-%s*(1), ", t[i].name);
	printf("*calico-resources*(5), *calico-bgpd*(8)\n");
}

static void put_top_extras(void)
{
	printf("# ENVIRONMENT\n\n"
	       "Each setting is read as *CALICO\\_*_NAME_ first, then _NAME_; a calicoctl.cfg "
	       "file, when present, is used instead (its *spec* keys: *datastoreType*, "
	       "*sqlitePath*, *etcdEndpoints*, *etcdUsername*, *etcdPassword*, *etcdCACertFile*, "
	       "*etcdCertFile*, *etcdKeyFile*, and the inline PEM *etcdCACert*, *etcdCert*, "
	       "*etcdKey*).\n\n"
	       "*DATASTORE\\_TYPE*, *CALICO\\_DATASTORE\\_TYPE*\n"
	       "\tThe datastore: *sqlite* (the default) or *etcdv3* (the default when "
	       "*ETCD\\_ENDPOINTS* is set).\n\n"
	       "*SQLITE\\_PATH*, *CALICO\\_SQLITE\\_PATH*\n"
	       "\tThe SQLite datastore file (default _/var/lib/calico/calico.db_).\n\n"
	       "*ETCD\\_ENDPOINTS*\n"
	       "\tetcd members, comma-separated URLs (_https://10.0.0.1:2379,https://10.0.0.2:2379_); "
	       "a member that cannot be reached is skipped for the next.\n\n"
	       "*ETCD\\_USERNAME*, *ETCD\\_PASSWORD*\n"
	       "\tetcd user and password, when the cluster has auth enabled.\n\n"
	       "*ETCD\\_CA\\_CERT\\_FILE*, *ETCD\\_CERT\\_FILE*, *ETCD\\_KEY\\_FILE*\n"
	       "\tTLS: the CA that signed the members' certificates, and the client certificate "
	       "and key.\n\n"
	       "*CALICO\\_BGPD\\_SOCKET*\n"
	       "\tThe control socket of *calico-bgpd*(8) for the *node* commands.\n\n"
	       "# FILES\n\n"
	       "_/etc/calico/calicoctl.cfg_\n"
	       "\tConnection settings; used instead of the environment when present.\n\n"
	       "_/var/lib/calico/calico.db_\n"
	       "\tThe default SQLite datastore.\n\n"
	       "# EXIT STATUS\n\n"
	       "0 on success, 1 on any failure.\n\n");
}

int complete_scdoc(struct cli *c, const char *name)
{
	const struct cli_cmd *cmd = NULL;
	struct hline *l = NULL;
	char *help, page[64];
	size_t n, usage = 0, i;
	const char *heads[] = { "Usage:", "Options:", "Examples:", "Description:" };
	size_t at[4] = { 0 }, endof[4] = { 0 };

	if (name) {
		cmd = complete_find_cmd(name);
		if (!cmd || (cmd->flags & CMD_HIDDEN))
			return cli_fail(c, "no command %s", name);
	}
	snprintf(page, sizeof(page), "calicoctl%s%s", cmd ? "-" : "", cmd ? cmd->name : "");
	help = cli_render_help(c, cmd ? cmd->help : cli_help_top);
	n = split_lines(help, &l);
	/* Find the sections; each ends at the next heading. */
	for (i = 0; i < n; i++) {
		if (!is_heading(&l[i]))
			continue;
		for (size_t h = 0; h < 4; h++)
			if (l[i].n == strlen(heads[h]) && !strncmp(l[i].s, heads[h], l[i].n))
				at[h] = i + 1;
	}
	for (size_t h = 0; h < 4; h++) {
		if (!at[h])
			continue;
		for (endof[h] = at[h]; endof[h] < n && !is_heading(&l[endof[h]]); endof[h]++)
			;
	}
	usage = at[0] ? at[0] - 1 : n;

	printf("%s(1)\n\n", page);
	put_name(page, cmd);
	printf("# SYNOPSIS\n\n");
	if (at[0]) {
		/* The Usage block is its indented lines; after a blank line the
		 * top-level text lists the commands. */
		size_t e = at[0];
		while (e < endof[0] && !is_blank(&l[e]))
			e++;
		put_literal(l, at[0], e);
		if (!cmd) {
			printf("# COMMANDS\n\n");
			put_literal(l, e, endof[0]);
		}
	}
	printf("# DESCRIPTION\n\n");
	put_prose(l, 0, usage, 0);
	if (at[3])
		put_prose(l, at[3], endof[3], 2);
	printf("\n");
	if (at[1]) {
		printf("# OPTIONS\n\n");
		put_options(l, at[1], endof[1]);
	}
	if (cmd)
		put_subcommands(c, cmd);
	if (at[2]) {
		printf("# EXAMPLES\n\n");
		put_literal(l, at[2], endof[2]);
	}
	if (!cmd)
		put_top_extras();
	put_see_also(cmd);
	free(l);
	free(help);
	return CLI_OK;
}

/* The Usage and Options of a subcommand's help text, as part of its
 * group's page. */
static void put_sub_sections(struct cli *c, const char *text)
{
	struct hline *l = NULL;
	char *help = cli_render_help(c, text);
	size_t n = split_lines(help, &l), u = 0, o = 0, e;

	for (size_t i = 0; i < n; i++) {
		if (is_heading(&l[i]) && !strncmp(l[i].s, "Usage:", 6))
			u = i + 1;
		if (is_heading(&l[i]) && !strncmp(l[i].s, "Options:", 8))
			o = i + 1;
	}
	if (u) {
		for (e = u; e < n && !is_blank(&l[e]) && !is_heading(&l[e]); e++)
			;
		put_literal(l, u, e);
	}
	if (o) {
		for (e = o; e < n && !is_heading(&l[e]); e++)
			;
		put_options(l, o, e);
	}
	free(l);
	free(help);
}
