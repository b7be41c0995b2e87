/* `calicoctl node shell` (node_shell.c) and `calicoctl node diags`
 * (node_diags.c): the operator's console to the local calico-bgpd and the
 * bug-report bundle. Both talk to the speaker over its control socket
 * (lib/ipc.h, docs/IPC.md). */
#ifndef CLI_NODE_OPSX_H
#define CLI_NODE_OPSX_H

#include "cli/cli.h"

/* Runs the console: argv are the words after "shell":
 *   [--ctl=SOCKET] [-c COMMANDS]
 * With -c runs COMMANDS (';'-separated) and returns; otherwise reads
 * commands from the terminal with line editing, history and completion
 * (or from a non-terminal stdin, one per line). Returns CLI_OK, or
 * CLI_FAIL when a command failed (message recorded in c). */
int node_shell(struct cli *c, int argc, char **argv);

/* Writes the diagnostics archive: argv are the words after "diags":
 *   [--ctl=SOCKET] [--dir=DIR] [--node=NAME] [-c CONFIG]
 * Prints the archive path. Returns CLI_OK or CLI_FAIL. */
int node_diags(struct cli *c, int argc, char **argv);

/* The command-table entry points (CMD_RAW rows of `node`). */
int cmd_node_shell(struct cli *c);
int cmd_node_diags(struct cli *c);

/* The help texts (docopt style, like the other commands). */
extern const char node_shell_help[];
extern const char node_diags_help[];

#endif
