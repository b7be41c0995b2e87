/* `calicoctl node status`: calicoctl.md §7's layout and strings, with the
 * data from our speaker's `peers` command (docs/IPC.md) instead of BIRD's
 * `show protocols`. Per the spec README, the peer address is the address
 * (":port" only for a non-default port) and down sessions are shown. */
#include "cli/node.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/ipc.h"
#include "lib/yamljson.h"

#define STATUS_TIMEOUT_MS 2000 /* calicoctl's per-line timeout towards BIRD */

static int collect(const json_t *record, void *ctx)
{
	return json_array_append(ctx, (json_t *)record) < 0 ? -ENOMEM : 0;
}

/* BIRD's default protocol time format: HH:MM:SS for a change less than 20
 * hours ago, else YYYY-MM-DD, local time. */
static void fmt_since(long long since, char *buf, size_t len)
{
	time_t t = (time_t)since, now = time(NULL);
	struct tm tm;

	if (since <= 0 || !localtime_r(&t, &tm)) {
		snprintf(buf, len, "%s", "");
		return;
	}
	strftime(buf, len, now - t < 20 * 3600 ? "%H:%M:%S" : "%Y-%m-%d", &tm);
}

static const char *str(const json_t *rec, const char *key)
{
	const char *s = json_string_value(json_object_get(rec, key));
	return s ? s : "";
}

/* INFO: the FSM state as BIRD names it, then the last error. A down
 * protocol shows only its error (BIRD), or "Down" when it has none. */
static char *fmt_info(const json_t *rec)
{
	const char *bird = str(rec, "birdState"), *state = str(rec, "state");
	const char *err = str(rec, "lastError");
	char *s = NULL;

	if (!strcmp(bird, "down"))
		return strdup(*err ? err : "Down");
	if (json_is_true(json_object_get(rec, "passive")) &&
	    (!strcmp(state, "Idle") || !strcmp(state, "Active")))
		state = "Passive";
	if (asprintf(&s, "%s%s%s", state, *err ? " " : "", err) < 0)
		return NULL;
	return s;
}

static char *fmt_addr(const json_t *rec, bool v6)
{
	json_int_t port = json_integer_value(json_object_get(rec, "port"));
	const char *ip = str(rec, "peerIP");
	char *s = NULL;
	int n;

	if (port == 0 || port == PEERING_DEFAULT_PORT)
		return strdup(ip);
	n = v6 ? asprintf(&s, "[%s]:%lld", ip, (long long)port)
	       : asprintf(&s, "%s:%lld", ip, (long long)port);
	return n < 0 ? NULL : s;
}

/* One family's section: blank line, title, table or "No IPvN peers found." */
static void print_family(const json_t *peers, bool v6, struct strbuf *out)
{
	static const char *const headers[] = { "Peer address", "Peer type", "State", "Since",
					       "Info" };
	size_t n = json_array_size(peers), rows = 0, i;
	char **cells = calloc(n * 5 + 1, sizeof(*cells));
	const json_t *rec;

	sb_addf(out, "\nIPv%c BGP status\n", v6 ? '6' : '4');
	if (!cells)
		return;
	json_array_foreach(peers, i, rec) {
		bool is_v6 = strchr(str(rec, "peerIP"), ':') != NULL;
		char since[32];
		char **row = &cells[rows * 5];
		if (is_v6 != v6)
			continue;
		fmt_since((long long)json_integer_value(json_object_get(rec, "sinceUnix")), since,
			  sizeof(since));
		row[0] = fmt_addr(rec, v6);
		row[1] = strdup(str(rec, "typeLabel"));
		row[2] = strdup(str(rec, "birdState"));
		row[3] = strdup(since);
		row[4] = fmt_info(rec);
		rows++;
	}
	if (rows == 0)
		sb_addf(out, "No IPv%c peers found.\n", v6 ? '6' : '4');
	else
		tw_render(headers, 5, (const char *const *)cells, rows, out);
	for (i = 0; i < rows * 5; i++)
		free(cells[i]);
	free(cells);
}

int cmd_node_status(struct cli *c)
{
	const char *output = opts_get(&c->o, OPT_OUTPUT, "table");
	const char *path = ipc_socket_path(NULL);
	json_t *peers;
	struct err e = { "" };
	struct strbuf sb;
	int rc;

	if (strcmp(output, "table") && strcmp(output, "json"))
		return cli_fail(c, "unrecognized output format '%s': use table or json", output);
	peers = json_array();
	if (!peers)
		return cli_fail(c, "error executing command: out of memory");
	rc = ipc_call(path, IPC_CMD_PEERS, NULL, STATUS_TIMEOUT_MS, collect, peers, NULL, 0, &e);
	if (rc == -EACCES && geteuid() != 0) {
		json_decref(peers);
		/* The socket is 0660: only root (or its group) may ask. */
		return cli_fail_stdout(c, "Need super user privileges: Operation not permitted");
	}
	if (rc == -EREMOTEIO) {
		json_decref(peers);
		return cli_fail(c, "error executing command: %s", e.msg);
	}
	if (rc < 0) {
		json_decref(peers);
		return cli_fail(c, "Calico process is not running.");
	}

	sb_init(&sb);
	if (!strcmp(output, "json")) {
		char *s = json_dump_go(peers);
		sb_add(&sb, s ? s : "[]");
		sb_add(&sb, "\n");
		free(s);
	} else {
		sb_add(&sb, "Calico process is running.\n");
		print_family(peers, false, &sb);
		print_family(peers, true, &sb);
		sb_add(&sb, "\n");
	}
	json_decref(peers);
	fputs(sb.buf ? sb.buf : "", stdout);
	sb_free(&sb);
	return CLI_OK;
}
