/* Shared by the hidden completion command (complete.c) and the man page
 * generator (complete_man.c): both read the command table and help texts. */
#ifndef CLI_COMPLETE_H
#define CLI_COMPLETE_H

#include "cli/cli.h"

/* The command named name (hidden ones included), or NULL. */
const struct cli_cmd *complete_find_cmd(const char *name);

/* The description of option id in a rendered help text, continuation lines
 * joined (malloc'd), or NULL when the Options section does not list it. */
char *complete_opt_description(const char *help, int id);

/* Calls fn for each value an option's description lists after "one of"
 * ("custom-columns=..." is passed as "custom-columns="); returns how many. */
int complete_opt_values(const char *help, int id, void (*fn)(const char *v, void *arg), void *arg);

/* Prints the candidates for argv[argc-1] given the words before it. */
int complete_words(struct cli *c, int argc, char **argv);

/* Prints the scdoc source of calicoctl-CMD(1), or calicoctl(1) when cmd is
 * NULL; CLI_FAIL for an unknown command. */
int complete_scdoc(struct cli *c, const char *cmd);

#endif
