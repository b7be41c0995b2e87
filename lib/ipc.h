/* The control protocol between calico-bgpd and its clients (calicoctl node
 * status, socat): JSON lines on a Unix stream socket (docs/IPC.md).
 *
 *   request:  {"v":1,"id":7,"cmd":"peers","args":{...}}
 *   reply:    {"v":1,"id":7,"record":{...}}   zero or more times, then
 *             {"v":1,"id":7,"done":true}      or
 *             {"v":1,"id":7,"error":{"code":"no-such-peer","message":"..."}}
 *
 * Every message is one line of at most IPC_MAX_LINE bytes including the
 * newline. This file is the codec both sides share, a line splitter for
 * non-blocking readers, and a small blocking client. */
#ifndef CALICO_IPC_H
#define CALICO_IPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define IPC_VERSION 1
#define IPC_MAX_LINE (64 * 1024)
#define IPC_DEFAULT_SOCKET "/var/run/calico/bgpd.ctl"
#define IPC_SOCKET_ENV "CALICO_BGPD_SOCKET"

enum ipc_cmd {
	IPC_CMD_STATUS,	  /* one record: router id, AS, uptime, version, counts */
	IPC_CMD_PEERS,	  /* one record per session */
	IPC_CMD_PEER,	  /* args {"name"}: one record, or error no-such-peer */
	IPC_CMD_ROUTES,	  /* args {"family","prefix","peer","table"}: one record per route */
	IPC_CMD_RELOAD,	  /* re-read the plan; one record with what changed */
	IPC_CMD_LOGLEVEL, /* args {"level"}: one record with the old and new level */
	IPC_CMD_STOP,	  /* done, then the speaker exits */
	IPC_CMD_COUNT
};

enum ipc_errcode {
	IPC_ERR_BAD_VERSION,  /* "bad-version": v not spoken; message names ours */
	IPC_ERR_UNKNOWN_CMD,  /* "unknown-command" */
	IPC_ERR_BAD_ARGS,     /* "bad-args": an argument is missing or invalid */
	IPC_ERR_NO_SUCH_PEER, /* "no-such-peer" */
	IPC_ERR_FAILED,	      /* "failed": the command ran and failed (e.g. bad plan) */
	IPC_ERR_TOO_LONG,     /* "too-long": a request line over IPC_MAX_LINE (id 0) */
	IPC_ERR_COUNT
};

/* Name tables indexed by the enums. */
const char *ipc_cmd_name(enum ipc_cmd cmd);
const char *ipc_errcode_name(enum ipc_errcode code);
/* The command for a name, or -1. */
int ipc_cmd_lookup(const char *name);

struct ipc_request {
	int64_t id;
	enum ipc_cmd cmd;
	json_t *args; /* always an object (empty when absent); owned */
};

/* Parses one request line (trailing newline optional). Returns:
 *   0        ok, *req filled (free args with ipc_request_clear);
 *   -EPROTO  malformed (not JSON, not an object, no integer id, bad args
 *            type): the server closes this client;
 *   -ENOTSUP unsupported "v": reply with an error terminator *code;
 *   -ENOENT  unknown "cmd": likewise.
 * For -ENOTSUP/-ENOENT req->id is valid and e holds the message. */
int ipc_request_parse(const char *line, size_t len, struct ipc_request *req,
		      enum ipc_errcode *code, struct err *e);
void ipc_request_clear(struct ipc_request *req);

/* Encoders: each returns one malloc'd line ending in '\n', or NULL when
 * the line would exceed IPC_MAX_LINE (or out of memory). args/record may
 * be NULL (encoded as {}). */
char *ipc_request_line(int64_t id, enum ipc_cmd cmd, const json_t *args);
char *ipc_record_line(int64_t id, const json_t *record);
char *ipc_done_line(int64_t id);
char *ipc_error_line(int64_t id, enum ipc_errcode code, const char *message);

enum ipc_reply_kind {
	IPC_REPLY_RECORD,
	IPC_REPLY_DONE,
	IPC_REPLY_ERROR,
};

struct ipc_reply {
	enum ipc_reply_kind kind;
	int64_t id;
	json_t *record;	 /* IPC_REPLY_RECORD: owned */
	char code[32];	 /* IPC_REPLY_ERROR */
	char message[ERR_LEN];
};

/* Parses one reply line. Returns 0 or -EPROTO with e naming the problem. */
int ipc_reply_parse(const char *line, size_t len, struct ipc_reply *r, struct err *e);
void ipc_reply_clear(struct ipc_reply *r);

/* Splits a byte stream into lines for non-blocking readers. */
struct ipc_linebuf {
	char *buf;
	size_t len, cap;
	size_t max; /* longest accepted line including '\n' */
};

void ipc_linebuf_init(struct ipc_linebuf *lb, size_t max);
void ipc_linebuf_free(struct ipc_linebuf *lb);
/* Appends bytes. Returns 0, or -EMSGSIZE when the unterminated tail is
 * already longer than max (the peer is not speaking the protocol). */
int ipc_linebuf_append(struct ipc_linebuf *lb, const char *data, size_t len);
/* Takes the next complete line: copies it (without '\n', NUL-terminated)
 * into a malloc'd *line. Returns 1 when a line was taken, 0 when none is
 * complete yet. Free *line with free(). */
int ipc_linebuf_next(struct ipc_linebuf *lb, char **line, size_t *len);

/* The socket path: explicit if non-NULL, else $CALICO_BGPD_SOCKET, else
 * IPC_DEFAULT_SOCKET. */
const char *ipc_socket_path(const char *explicit_path);

/* A blocking client call: connects to path, sends one request and calls
 * on_record for each record until the terminator. An error terminator
 * returns -EREMOTEIO with e = "<code>: <message>" (and the code copied to
 * errcode if non-NULL); a connect failure returns -errno with e naming the
 * socket; timeout_ms bounds each wait for a reply line. on_record returns 0
 * to go on or a negative code to abort (that code is returned). */
int ipc_call(const char *path, enum ipc_cmd cmd, const json_t *args, int timeout_ms,
	     int (*on_record)(const json_t *record, void *ctx), void *ctx, char *errcode,
	     size_t errcode_len, struct err *e);

#endif
