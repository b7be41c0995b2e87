/* The control server (see control.h, docs/IPC.md). */
#include "speaker/control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "speaker/net.h"

/* Stop producing records while this much output is queued for a client. */
#define CONTROL_HIGH_WATER (256 * 1024)

struct control_reply {
	int64_t id;
	bool failed;
	enum ipc_errcode code;
	char message[ERR_LEN];
	struct control_client *client;
};

struct control_client {
	struct control *ctl;
	int fd;
	ev_io rw, ww;
	ev_idle more; /* continues a streaming handler */
	struct ipc_linebuf in;
	struct net_buf out;
	/* The request being answered (streaming), if any. */
	bool busy;
	struct ipc_request req;
	struct control_reply reply;
	void *state;
	bool eof; /* the client shut its side: close once answered and drained */
	struct control_client *next;
};

struct control {
	struct ev_loop *loop;
	int fd;
	ev_io accept_w;
	char *path;
	const struct control_cmd *cmds;
	void *ctx;
	struct control_client *clients;
	unsigned n_clients;
};

static void client_free(struct control_client *cl)
{
	struct control *c = cl->ctl;
	struct control_client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	c->n_clients--;
	ev_io_stop(c->loop, &cl->rw);
	ev_io_stop(c->loop, &cl->ww);
	ev_idle_stop(c->loop, &cl->more);
	if (cl->busy) {
		const struct control_cmd *cmd = &c->cmds[cl->req.cmd];

		if (cl->state && cmd->free_state)
			cmd->free_state(cl->state);
		ipc_request_clear(&cl->req);
	}
	close(cl->fd);
	ipc_linebuf_free(&cl->in);
	net_buf_free(&cl->out);
	free(cl);
}

/* Queues a line (owned by us afterwards) and tries to send at once. */
static int client_queue(struct control_client *cl, char *line)
{
	int rc;

	if (!line)
		return -EMSGSIZE;
	rc = net_buf_append(&cl->out, line, strlen(line));
	free(line);
	return rc;
}

/* Writes what the socket takes; returns false when the client is gone. */
static bool client_flush(struct control_client *cl)
{
	int rc = net_buf_flush(cl->fd, &cl->out);

	if (rc == -EAGAIN) {
		ev_io_start(cl->ctl->loop, &cl->ww);
		return true;
	}
	ev_io_stop(cl->ctl->loop, &cl->ww);
	if (rc < 0 || (cl->eof && !cl->busy && !net_buf_len(&cl->out) &&
		       !(cl->in.len && memchr(cl->in.buf, '\n', cl->in.len)))) {
		client_free(cl);
		return false;
	}
	return true;
}

int control_record(struct control_reply *r, json_t *record)
{
	char *line = ipc_record_line(r->id, record);
	int rc;

	json_decref(record);
	if (!line) {
		log_warn("control: record for request %lld too long for one line, dropped",
			 (long long)r->id);
		return -EMSGSIZE;
	}
	rc = client_queue(r->client, line);
	return rc;
}

void control_error(struct control_reply *r, enum ipc_errcode code, const char *fmt, ...)
{
	va_list ap;

	r->failed = true;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

static void client_process(struct control_client *cl);

/* Runs (or continues) the current request. Returns false when the client
 * was freed. */
static bool client_run(struct control_client *cl)
{
	struct control *c = cl->ctl;
	const struct control_cmd *cmd = &c->cmds[cl->req.cmd];
	int rc;

	rc = cmd->fn(c->ctx, &cl->reply, cl->req.args, &cl->state);
	if (rc == CONTROL_MORE && !cl->reply.failed) {
		/* resume when the client has taken most of what we queued */
		if (net_buf_len(&cl->out) < CONTROL_HIGH_WATER)
			ev_idle_start(c->loop, &cl->more);
		return client_flush(cl);
	}
	ev_idle_stop(c->loop, &cl->more);
	if (cl->state && cmd->free_state)
		cmd->free_state(cl->state);
	cl->state = NULL;
	if (rc < 0 || cl->reply.failed)
		client_queue(cl, ipc_error_line(cl->req.id,
						cl->reply.failed ? cl->reply.code : IPC_ERR_FAILED,
						cl->reply.failed ? cl->reply.message : strerror(-rc)));
	else
		client_queue(cl, ipc_done_line(cl->req.id));
	ipc_request_clear(&cl->req);
	cl->busy = false;
	return client_flush(cl);
}

static void client_more_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct control_client *cl = w->data;

	(void)revents;
	ev_idle_stop(loop, w);
	if (cl->busy && client_run(cl))
		client_process(cl);
}

/* Starts the next complete request line, if any and if idle. */
static void client_process(struct control_client *cl)
{
	while (!cl->busy) {
		enum ipc_errcode code = IPC_ERR_FAILED;
		struct err e = { "" };
		char *line;
		size_t len;
		int rc = ipc_linebuf_next(&cl->in, &line, &len);

		if (rc <= 0) {
			if (cl->eof)
				client_flush(cl); /* frees the client once drained */
			return;
		}
		rc = ipc_request_parse(line, len, &cl->req, &code, &e);
		free(line);
		if (rc == -EPROTO) {
			/* Not our protocol: drop this client only. */
			log_warn("control: malformed request (%s), closing client", e.msg);
			client_free(cl);
			return;
		}
		if (rc) {
			client_queue(cl, ipc_error_line(cl->req.id, code, e.msg));
			if (!client_flush(cl))
				return;
			continue;
		}
		if (!cl->ctl->cmds[cl->req.cmd].fn) {
			client_queue(cl, ipc_error_line(cl->req.id, IPC_ERR_UNKNOWN_CMD,
							"command not supported by this speaker"));
			ipc_request_clear(&cl->req);
			if (!client_flush(cl))
				return;
			continue;
		}
		log_debug("control: request %lld %s", (long long)cl->req.id,
			  ipc_cmd_name(cl->req.cmd));
		cl->busy = true;
		memset(&cl->reply, 0, sizeof(cl->reply));
		cl->reply.id = cl->req.id;
		cl->reply.client = cl;
		cl->state = NULL;
		if (!client_run(cl))
			return;
	}
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control_client *cl = w->data;
	char buf[8192];
	ssize_t n;

	(void)loop;
	(void)revents;
	n = read(cl->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		client_free(cl);
		return;
	}
	if (n == 0) {
		/* The client shut its side (echo ... | socat): answer what it
		 * sent, then close. */
		ev_io_stop(loop, &cl->rw);
		cl->eof = true;
		client_process(cl);
		return;
	}
	if (ipc_linebuf_append(&cl->in, buf, (size_t)n)) {
		char msg[64];

		log_warn("control: request line longer than %d bytes, closing client",
			 IPC_MAX_LINE);
		/* Say why before closing (best effort: the id is unknown). */
		snprintf(msg, sizeof(msg), "request line longer than %d bytes", IPC_MAX_LINE);
		client_queue(cl, ipc_error_line(0, IPC_ERR_TOO_LONG, msg));
		net_buf_flush(cl->fd, &cl->out);
		client_free(cl);
		return;
	}
	client_process(cl);
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control_client *cl = w->data;

	(void)revents;
	if (!client_flush(cl))
		return;
	if (cl->busy && net_buf_len(&cl->out) < CONTROL_HIGH_WATER)
		ev_idle_start(loop, &cl->more);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control *c = w->data;
	struct control_client *cl;
	int fd;

	(void)revents;
	fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (c->n_clients >= CONTROL_MAX_CLIENTS) {
		log_warn("control: %u clients connected, refusing another", c->n_clients);
		close(fd);
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(fd);
		return;
	}
	cl->ctl = c;
	cl->fd = fd;
	ipc_linebuf_init(&cl->in, IPC_MAX_LINE);
	ev_io_init(&cl->rw, client_read_cb, fd, EV_READ);
	ev_io_init(&cl->ww, client_write_cb, fd, EV_WRITE);
	ev_idle_init(&cl->more, client_more_cb);
	cl->rw.data = cl->ww.data = cl->more.data = cl;
	cl->next = c->clients;
	c->clients = cl;
	c->n_clients++;
	ev_io_start(loop, &cl->rw);
}

int control_open(struct ev_loop *loop, const char *path, const struct control_cmd *cmds,
		 void *ctx, struct control **out, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control *c;
	mode_t old;
	int fd, rc;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, -ENAMETOOLONG, "control socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, -errno, "control socket: %s", strerror(errno));
	unlink(path);
	old = umask(0117); /* the socket is created 0660 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return err_set(e, rc, "control socket %s: %s", path, strerror(-rc));
	}
	chmod(path, 0660);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		close(fd);
		unlink(path);
		return err_set(e, -ENOMEM, "out of memory");
	}
	c->loop = loop;
	c->fd = fd;
	c->cmds = cmds;
	c->ctx = ctx;
	ev_io_init(&c->accept_w, accept_cb, fd, EV_READ);
	c->accept_w.data = c;
	ev_io_start(loop, &c->accept_w);
	*out = c;
	return 0;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	while (c->clients) {
		/* best effort: let finished replies reach the client */
		net_buf_flush(c->clients->fd, &c->clients->out);
		client_free(c->clients);
	}
	ev_io_stop(c->loop, &c->accept_w);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

unsigned control_clients(const struct control *c)
{
	return c->n_clients;
}
