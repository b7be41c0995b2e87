/* `calicoctl node peers [--node N] [-o json]`: the sessions the planner
 * gives a node, from the datastore alone (no speaker needed), so an
 * operator can check a change before any speaker acts on it. Also the
 * shared "read the lists, plan a node" helpers. */
#include "cli/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/yamljson.h"

int node_lists_read(struct store *st, struct node_lists *l, struct err *e)
{
	static const char *const kinds[] = { "Node", "BGPConfiguration", "BGPPeer", "IPPool" };
	json_t **dst[] = { &l->nodes, &l->bgp_configs, &l->bgp_peers, &l->ip_pools };

	for (size_t i = 0; i < 4; i++) {
		if (*dst[i])
			continue;
		int rc = store_list(st, kinds[i], NULL, dst[i], NULL, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void node_lists_free(struct node_lists *l)
{
	json_decref(l->nodes);
	json_decref(l->bgp_configs);
	json_decref(l->bgp_peers);
	json_decref(l->ip_pools);
	memset(l, 0, sizeof(*l));
}

/* The planner's warnings (a skipped BGPPeer, say) are for the speaker's
 * log; the CLI commands here only need the sessions. */
static void ignore_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int node_plan(const struct node_lists *l, const char *node, struct peering_plan **out,
	      struct err *e)
{
	struct planner_input in = { l->nodes, l->bgp_configs, l->bgp_peers, l->ip_pools };
	struct planner_env env;

	planner_env_from_environ(&env);
	env.warn = ignore_warning;
	return planner_plan(&in, node, &env, out, e);
}

static char *fmt_u(unsigned long v)
{
	char *s = NULL;
	return asprintf(&s, "%lu", v) < 0 ? NULL : s;
}

static void print_table(const struct peering_plan *p, struct strbuf *out)
{
	static const char *const headers[] = { "Name",	   "Type",    "Peer address", "Port",
					       "Peer AS",  "Local AS", "Passive",     "RR client",
					       "Error" };
	enum { NCOLS = 9 };
	char **cells = calloc(p->n_sessions * NCOLS + 1, sizeof(*cells));

	if (!cells)
		return;
	for (size_t i = 0; i < p->n_sessions; i++) {
		const struct peering_session *s = &p->sessions[i];
		char **row = &cells[i * NCOLS];
		row[0] = strdup(s->name);
		row[1] = strdup(peering_type_label(s->type));
		row[2] = strdup(s->peer.text);
		row[3] = fmt_u(s->port);
		row[4] = fmt_u(s->peer_as);
		row[5] = fmt_u(s->local_as);
		row[6] = strdup(s->passive ? "yes" : "no");
		row[7] = strdup(s->rr_client ? "yes" : "no");
		row[8] = strdup(s->error ? s->error : "");
	}
	tw_render(headers, NCOLS, (const char *const *)cells, p->n_sessions, out);
	for (size_t i = 0; i < p->n_sessions * NCOLS; i++)
		free(cells[i]);
	free(cells);
}

int cmd_node_peers(struct cli *c)
{
	const char *output = opts_get(&c->o, OPT_OUTPUT, "table");
	struct node_lists l = { 0 };
	struct peering_plan *plan = NULL;
	struct strbuf sb;
	struct err e = { "" };
	char host[256];
	const char *node = c->o.val[OPT_NODE];
	int rc;

	if (strcmp(output, "table") && strcmp(output, "json"))
		return cli_fail(c, "unrecognized output format '%s': use table or json", output);
	if (!node) {
		if (gethostname(host, sizeof(host)) < 0)
			return cli_fail(c, "error executing command: cannot read the hostname: %s",
					strerror(errno));
		host[sizeof(host) - 1] = '\0';
		node = host;
	}
	if (cli_open_store(c) < 0)
		return CLI_FAIL;
	rc = node_lists_read(c->st, &l, &e);
	if (rc == 0)
		rc = node_plan(&l, node, &plan, &e);
	node_lists_free(&l);
	if (rc < 0)
		return cli_fail(c, "error executing command: %s", e.msg);

	sb_init(&sb);
	if (!strcmp(output, "json")) {
		json_t *j = peering_plan_to_json(plan);
		char *s = j ? json_dump_go(j) : NULL;
		json_decref(j);
		if (!s) {
			peering_plan_free(plan);
			return cli_fail(c, "error executing command: out of memory");
		}
		sb_add(&sb, s);
		sb_add(&sb, "\n");
		free(s);
	} else if (plan->n_sessions == 0) {
		sb_addf(&sb, "No BGP sessions planned for node %s.\n", node);
	} else {
		print_table(plan, &sb);
	}
	peering_plan_free(plan);
	fputs(sb.buf ? sb.buf : "", stdout);
	sb_free(&sb);
	return CLI_OK;
}
