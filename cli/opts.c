/* docopt's argv tokenizer, restricted to what calicoctl's usage patterns use.
 * See opts.h for the rules and why they matter. */
#include "cli/opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct opt_desc opt_table[OPT_COUNT] = {
	[OPT_HELP] = { 'h', "--help", false },
	[OPT_FILENAME] = { 'f', "--filename", true },
	[OPT_RECURSIVE] = { 'R', "--recursive", false },
	[OPT_SKIP_EMPTY] = { 0, "--skip-empty", false },
	[OPT_SKIP_EXISTS] = { 0, "--skip-exists", false },
	[OPT_SKIP_NOT_EXISTS] = { 's', "--skip-not-exists", false },
	[OPT_OUTPUT] = { 'o', "--output", true },
	[OPT_CONFIG] = { 'c', "--config", true },
	[OPT_NAMESPACE] = { 'n', "--namespace", true },
	[OPT_ALL_NAMESPACES] = { 'A', "--all-namespaces", false },
	[OPT_EXPORT] = { 0, "--export", false },
	[OPT_PATCH] = { 'p', "--patch", true },
	[OPT_TYPE] = { 't', "--type", true },
	[OPT_OVERWRITE] = { 0, "--overwrite", false },
	[OPT_REMOVE] = { 0, "--remove", false },
	[OPT_POLL] = { 0, "--poll", true },
	[OPT_CLIENT] = { 0, "--client", false },
	[OPT_CONTEXT] = { 0, "--context", true },
	[OPT_ALLOW_MISMATCH] = { 0, "--allow-version-mismatch", false },
	[OPT_LOG_LEVEL] = { 'l', "--log-level", true },
	[OPT_VERSION] = { 0, "--version", false },
	[OPT_IP] = { 0, "--ip", true },
	[OPT_IP6] = { 0, "--ip6", true },
	[OPT_AS] = { 0, "--as", true },
	[OPT_NAME] = { 0, "--name", true },
	[OPT_IP_AUTODETECT] = { 0, "--ip-autodetection-method", true },
	[OPT_IP6_AUTODETECT] = { 0, "--ip6-autodetection-method", true },
	[OPT_BACKEND] = { 0, "--backend", true },
	[OPT_DRYRUN] = { 0, "--dryrun", false },
	[OPT_NODE] = { 0, "--node", true },
};

static void opts_store(struct opts *o, int id, const char *val)
{
	if (id == OPT_HELP) {
		o->help = true;
		return;
	}
	if (o->set[id])
		o->repeated = true;
	o->set[id] = true;
	o->val[id] = val;
}

/* "--name[=value]": exact match first, then unique prefix (docopt). */
static int parse_long(const int *ids, const char *tok, int *i, int argc, char **argv, struct opts *o,
		      char *msg, unsigned msglen)
{
	const char *eq = strchr(tok, '=');
	size_t len = eq ? (size_t)(eq - tok) : strlen(tok);
	int match[OPT_COUNT], n = 0;

	for (const int *p = ids; *p >= 0; p++) {
		const char *l = opt_table[*p].long_name;
		if (strlen(l) == len && strncmp(l, tok, len) == 0) {
			match[0] = *p;
			n = 1;
			break;
		}
	}
	if (n == 0) {
		for (const int *p = ids; *p >= 0; p++)
			if (strncmp(opt_table[*p].long_name, tok, len) == 0)
				match[n++] = *p;
	}
	if (n > 1) {
		size_t off = (size_t)snprintf(msg, msglen, "%.*s is not a unique prefix: ", (int)len, tok);
		for (int k = 0; k < n && off < msglen; k++)
			off += (size_t)snprintf(msg + off, msglen - off, "%s%s", k ? ", " : "",
						opt_table[match[k]].long_name);
		if (off < msglen)
			snprintf(msg + off, msglen - off, "?");
		return -EINVAL;
	}
	if (n == 0) {
		o->unknown = true;
		return 0;
	}
	const struct opt_desc *d = &opt_table[match[0]];
	if (!d->has_arg) {
		if (eq) {
			snprintf(msg, msglen, "%s must not have an argument", d->long_name);
			return -EINVAL;
		}
		opts_store(o, match[0], NULL);
		return 0;
	}
	if (eq) {
		opts_store(o, match[0], eq + 1);
		return 0;
	}
	if (*i + 1 >= argc || strcmp(argv[*i + 1], "--") == 0) {
		snprintf(msg, msglen, "%s requires argument", d->long_name);
		return -EINVAL;
	}
	(*i)++;
	opts_store(o, match[0], argv[*i]);
	return 0;
}

/* "-abc" / "-ovalue" / "-o value". */
static int parse_shorts(const int *ids, const char *tok, int *i, int argc, char **argv,
			struct opts *o, char *msg, unsigned msglen)
{
	for (const char *c = tok + 1; *c; c++) {
		int id = -1;
		for (const int *p = ids; *p >= 0; p++)
			if (opt_table[*p].short_name == *c)
				id = *p;
		if (id < 0) {
			o->unknown = true;
			continue;
		}
		if (!opt_table[id].has_arg) {
			opts_store(o, id, NULL);
			continue;
		}
		if (c[1]) {
			opts_store(o, id, c + 1);
			return 0;
		}
		if (*i + 1 >= argc || strcmp(argv[*i + 1], "--") == 0) {
			snprintf(msg, msglen, "-%c requires argument", *c);
			return -EINVAL;
		}
		(*i)++;
		opts_store(o, id, argv[*i]);
		return 0;
	}
	return 0;
}

int opts_parse(const int *ids, int argc, char **argv, bool options_first, struct opts *o, char *msg,
	       unsigned msglen)
{
	int rc = 0;

	memset(o, 0, sizeof(*o));
	msg[0] = '\0';
	o->pos = calloc((size_t)argc + 1, sizeof(*o->pos));
	if (!o->pos)
		return -ENOMEM;
	for (int i = 0; i < argc && rc == 0; i++) {
		const char *tok = argv[i];
		if (strcmp(tok, "--") == 0) {
			/* docopt keeps "--" and everything after it as arguments. */
			while (i < argc)
				o->pos[o->npos++] = argv[i++];
			break;
		}
		if (tok[0] == '-' && tok[1] == '-')
			rc = parse_long(ids, tok, &i, argc, argv, o, msg, msglen);
		else if (tok[0] == '-' && tok[1])
			rc = parse_shorts(ids, tok, &i, argc, argv, o, msg, msglen);
		else if (options_first) {
			while (i < argc)
				o->pos[o->npos++] = argv[i++];
			break;
		} else
			o->pos[o->npos++] = tok;
	}
	return rc;
}

void opts_free(struct opts *o)
{
	free(o->pos);
	o->pos = NULL;
}

const char *opts_get(const struct opts *o, enum opt_id id, const char *def)
{
	return o->set[id] && o->val[id] ? o->val[id] : def;
}
