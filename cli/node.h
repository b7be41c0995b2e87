/* `calicoctl node ...`: run (register the Node, start calico-bgpd), status
 * (the speaker's live sessions, calicoctl.md §7), peers (the planned
 * sessions from the datastore alone), and the "sessionless node" warning
 * the write commands print. docs/NODE.md describes the behaviour. */
#ifndef CLI_NODE_H
#define CLI_NODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "lib/planner.h"

/* ---- commands ---- */

int cmd_node_run(struct cli *c);    /* node_run.c */
int cmd_node_status(struct cli *c); /* node_status.c */
int cmd_node_peers(struct cli *c);  /* node_peers.c */

extern const char cli_help_node[];
extern const char cli_help_node_run[];
extern const char cli_help_node_status[];
extern const char cli_help_node_peers[];

/* ---- tables (node_table.c) ---- */

/* olekukonko/tablewriter v0.0.5 with its defaults, as calicoctl node status
 * uses it: upper-case centred headers, `+`/`-`/`|` borders, one space of
 * padding, cells wrapped (minimum raggedness) at 30 columns, number-like
 * cells right-aligned. cells is row-major, nrows * ncols strings. */
void tw_render(const char *const *headers, size_t ncols, const char *const *cells, size_t nrows,
	       struct strbuf *out);

/* ---- planning (node_peers.c) ---- */

/* The four lists the planner reads, as store_list returns them. */
struct node_lists {
	json_t *nodes, *bgp_configs, *bgp_peers, *ip_pools;
};

/* Reads the lists the planner needs (only the kinds whose list is still
 * NULL). Returns 0 or a negative code with e filled. */
int node_lists_read(struct store *st, struct node_lists *l, struct err *e);
void node_lists_free(struct node_lists *l);

/* The plan of one node with warnings swallowed (they are the speaker's
 * business); 0 or the planner's error. */
int node_plan(const struct node_lists *l, const char *node, struct peering_plan **out,
	      struct err *e);

/* ---- the sessionless warning (node_warn.c) ---- */

/* Before/after state of one write command. Zero-initialise. */
struct sessionless {
	bool active;	      /* the write may change sessions */
	unsigned kinds;	      /* which of the four kinds it touches */
	struct node_lists before;
	json_t *had_sessions; /* node names with at least one session, before */
};

/* Call after the store is open and before the write: when any resource in
 * `resources` (an array of objects with "kind") or `kind` (may be NULL) is a
 * Node, BGPConfiguration, BGPPeer or IPPool, remembers which nodes have
 * sessions now. Cheap no-op otherwise. */
void sessionless_before(struct cli *c, const json_t *resources, const char *kind,
			struct sessionless *s);

/* Call after the write committed: prints one warning line on stderr naming
 * the nodes that had sessions before and have none now. Never changes the
 * command's result. Frees s. */
void sessionless_after(struct cli *c, struct sessionless *s);

#endif
