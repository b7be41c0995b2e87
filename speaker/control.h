/* The control server: lib/ipc.h's protocol on a Unix stream socket, run on
 * the speaker's libev loop. It owns the socket, the clients and their
 * queues; what each command does is a handler table the speaker passes in.
 *
 * A handler writes records with control_record() and returns CONTROL_DONE,
 * CONTROL_MORE (call me again once this client's output has drained: this
 * is how a big table streams without blocking the loop) or a negative code
 * after control_error(). Handlers of one client run one request at a time,
 * in order; clients are independent. */
#ifndef CALICO_CONTROL_H
#define CALICO_CONTROL_H

#include <ev.h>
#include <jansson.h>

#include "lib/err.h"
#include "lib/ipc.h"

#define CONTROL_DONE 0
#define CONTROL_MORE 1
#define CONTROL_MAX_CLIENTS 64

struct control;
struct control_reply;

/* args is the request's args object (never NULL). *state is NULL on the
 * first call and kept across CONTROL_MORE calls; if the client goes away
 * mid-stream the server calls the handler's free_state on it. */
typedef int (*control_fn)(void *ctx, struct control_reply *r, const json_t *args, void **state);

struct control_cmd {
	control_fn fn;
	void (*free_state)(void *state);
};

/* Queues one record (stolen). Returns 0 or -ENOMEM/-EMSGSIZE (a record that
 * does not fit one line is dropped with a warning). */
int control_record(struct control_reply *r, json_t *record);
/* Sets the error terminator; the handler then returns a negative code. */
void control_error(struct control_reply *r, enum ipc_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Listens on path (an existing socket file is replaced; mode 0660). cmds is
 * indexed by enum ipc_cmd; a NULL fn answers unknown-command. */
int control_open(struct ev_loop *loop, const char *path, const struct control_cmd *cmds,
		 void *ctx, struct control **out, struct err *e);
/* Closes every client, the socket, and removes the socket file. */
void control_close(struct control *c);
/* Number of connected clients (for status and tests). */
unsigned control_clients(const struct control *c);

#endif
