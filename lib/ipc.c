/* The IPC codec (see lib/ipc.h and docs/IPC.md). */
#include "lib/ipc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const cmd_names[IPC_CMD_COUNT] = {
	[IPC_CMD_STATUS] = "status",   [IPC_CMD_PEERS] = "peers",
	[IPC_CMD_PEER] = "peer",       [IPC_CMD_ROUTES] = "routes",
	[IPC_CMD_RELOAD] = "reload",   [IPC_CMD_LOGLEVEL] = "loglevel",
	[IPC_CMD_STOP] = "stop",
};
_Static_assert(sizeof(cmd_names) / sizeof(cmd_names[0]) == IPC_CMD_COUNT, "cmd names");

static const char *const errcode_names[IPC_ERR_COUNT] = {
	[IPC_ERR_BAD_VERSION] = "bad-version",
	[IPC_ERR_UNKNOWN_CMD] = "unknown-command",
	[IPC_ERR_BAD_ARGS] = "bad-args",
	[IPC_ERR_NO_SUCH_PEER] = "no-such-peer",
	[IPC_ERR_FAILED] = "failed",
	[IPC_ERR_TOO_LONG] = "too-long",
};
_Static_assert(sizeof(errcode_names) / sizeof(errcode_names[0]) == IPC_ERR_COUNT, "err names");

const char *ipc_cmd_name(enum ipc_cmd cmd)
{
	return cmd < IPC_CMD_COUNT ? cmd_names[cmd] : "unknown";
}

const char *ipc_errcode_name(enum ipc_errcode code)
{
	return code < IPC_ERR_COUNT ? errcode_names[code] : "unknown";
}

int ipc_cmd_lookup(const char *name)
{
	for (int i = 0; i < IPC_CMD_COUNT; i++)
		if (strcmp(cmd_names[i], name) == 0)
			return i;
	return -1;
}

/* A message object {"v":1,"id":id}; the caller adds its payload. */
static json_t *envelope(int64_t id)
{
	json_t *o = json_object();

	json_object_set_new(o, "v", json_integer(IPC_VERSION));
	json_object_set_new(o, "id", json_integer(id));
	return o;
}

/* Serialises o (stolen) as one line; NULL if too long. */
static char *to_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t n;
	char *line;

	json_decref(o);
	if (!s)
		return NULL;
	n = strlen(s);
	if (n + 1 > IPC_MAX_LINE) {
		free(s);
		return NULL;
	}
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	return line;
}

static json_t *object_or_empty(const json_t *v)
{
	return v ? json_deep_copy(v) : json_object();
}

char *ipc_request_line(int64_t id, enum ipc_cmd cmd, const json_t *args)
{
	json_t *o = envelope(id);

	json_object_set_new(o, "cmd", json_string(ipc_cmd_name(cmd)));
	json_object_set_new(o, "args", object_or_empty(args));
	return to_line(o);
}

char *ipc_record_line(int64_t id, const json_t *record)
{
	json_t *o = envelope(id);

	json_object_set_new(o, "record", object_or_empty(record));
	return to_line(o);
}

char *ipc_done_line(int64_t id)
{
	json_t *o = envelope(id);

	json_object_set_new(o, "done", json_true());
	return to_line(o);
}

char *ipc_error_line(int64_t id, enum ipc_errcode code, const char *message)
{
	json_t *o = envelope(id), *err = json_object();

	json_object_set_new(err, "code", json_string(ipc_errcode_name(code)));
	json_object_set_new(err, "message", json_string(message ? message : ""));
	json_object_set_new(o, "error", err);
	return to_line(o);
}

static json_t *load_line(const char *line, size_t len, struct err *e)
{
	json_error_t je;
	json_t *o;

	if (len && line[len - 1] == '\n')
		len--;
	if (len + 1 > IPC_MAX_LINE) {
		err_set(e, -EPROTO, "line longer than %d bytes", IPC_MAX_LINE);
		return NULL;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		err_set(e, -EPROTO, "not JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		err_set(e, -EPROTO, "not a JSON object");
		return NULL;
	}
	return o;
}

int ipc_request_parse(const char *line, size_t len, struct ipc_request *req,
		      enum ipc_errcode *code, struct err *e)
{
	json_t *o, *id, *v, *cmd, *args;
	int c, rc = 0;

	memset(req, 0, sizeof(*req));
	o = load_line(line, len, e);
	if (!o)
		return -EPROTO;
	id = json_object_get(o, "id");
	v = json_object_get(o, "v");
	cmd = json_object_get(o, "cmd");
	args = json_object_get(o, "args");
	if (!json_is_integer(id)) {
		rc = err_set(e, -EPROTO, "request without an integer \"id\"");
		goto out;
	}
	req->id = json_integer_value(id);
	if (args && !json_is_null(args) && !json_is_object(args)) {
		rc = err_set(e, -EPROTO, "\"args\" must be an object");
		goto out;
	}
	if (!json_is_integer(v) || json_integer_value(v) != IPC_VERSION) {
		*code = IPC_ERR_BAD_VERSION;
		rc = err_set(e, -ENOTSUP, "unsupported protocol version; this speaker speaks v %d",
			     IPC_VERSION);
		goto out;
	}
	c = json_is_string(cmd) ? ipc_cmd_lookup(json_string_value(cmd)) : -1;
	if (c < 0) {
		*code = IPC_ERR_UNKNOWN_CMD;
		rc = err_set(e, -ENOENT, "unknown command '%s'",
			     json_is_string(cmd) ? json_string_value(cmd) : "");
		goto out;
	}
	req->cmd = c;
	req->args = json_is_object(args) ? json_incref(args) : json_object();
out:
	json_decref(o);
	return rc;
}

void ipc_request_clear(struct ipc_request *req)
{
	json_decref(req->args);
	req->args = NULL;
}

int ipc_reply_parse(const char *line, size_t len, struct ipc_reply *r, struct err *e)
{
	json_t *o, *id, *v, *rec, *err;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	o = load_line(line, len, e);
	if (!o)
		return -EPROTO;
	id = json_object_get(o, "id");
	v = json_object_get(o, "v");
	if (!json_is_integer(id) || !json_is_integer(v) || json_integer_value(v) != IPC_VERSION) {
		rc = err_set(e, -EPROTO, "reply without \"v\":%d and an integer \"id\"", IPC_VERSION);
		goto out;
	}
	r->id = json_integer_value(id);
	rec = json_object_get(o, "record");
	err = json_object_get(o, "error");
	if (json_is_object(rec)) {
		r->kind = IPC_REPLY_RECORD;
		r->record = json_incref(rec);
	} else if (json_is_true(json_object_get(o, "done"))) {
		r->kind = IPC_REPLY_DONE;
	} else if (json_is_object(err)) {
		const char *c = json_string_value(json_object_get(err, "code"));
		const char *m = json_string_value(json_object_get(err, "message"));

		r->kind = IPC_REPLY_ERROR;
		snprintf(r->code, sizeof(r->code), "%s", c ? c : "");
		snprintf(r->message, sizeof(r->message), "%s", m ? m : "");
	} else {
		rc = err_set(e, -EPROTO, "reply is neither a record nor a terminator");
	}
out:
	json_decref(o);
	return rc;
}

void ipc_reply_clear(struct ipc_reply *r)
{
	json_decref(r->record);
	r->record = NULL;
}

/* --- line splitting ---------------------------------------------------- */

void ipc_linebuf_init(struct ipc_linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void ipc_linebuf_free(struct ipc_linebuf *lb)
{
	free(lb->buf);
	memset(lb, 0, sizeof(*lb));
}

int ipc_linebuf_append(struct ipc_linebuf *lb, const char *data, size_t len)
{
	const char *nl;

	if (lb->len + len > lb->cap) {
		size_t cap = lb->cap ? lb->cap : 4096;
		char *nb;

		while (cap < lb->len + len)
			cap *= 2;
		nb = realloc(lb->buf, cap);
		if (!nb)
			return -ENOMEM;
		lb->buf = nb;
		lb->cap = cap;
	}
	memcpy(lb->buf + lb->len, data, len);
	lb->len += len;
	/* Only the unterminated tail can grow without bound. */
	nl = lb->len ? memrchr(lb->buf, '\n', lb->len) : NULL;
	if (lb->len - (nl ? (size_t)(nl - lb->buf) + 1 : 0) >= lb->max)
		return -EMSGSIZE;
	/* Complete lines themselves must fit too. */
	for (const char *p = lb->buf, *end = lb->buf + lb->len; p < end;) {
		const char *q = memchr(p, '\n', (size_t)(end - p));

		if (!q)
			break;
		if ((size_t)(q - p) + 1 > lb->max)
			return -EMSGSIZE;
		p = q + 1;
	}
	return 0;
}

int ipc_linebuf_next(struct ipc_linebuf *lb, char **line, size_t *len)
{
	char *nl = lb->len ? memchr(lb->buf, '\n', lb->len) : NULL;
	size_t n;

	if (!nl)
		return 0;
	n = (size_t)(nl - lb->buf);
	*line = malloc(n + 1);
	if (!*line)
		return -ENOMEM;
	memcpy(*line, lb->buf, n);
	(*line)[n] = '\0';
	*len = n;
	memmove(lb->buf, nl + 1, lb->len - n - 1);
	lb->len -= n + 1;
	return 1;
}

const char *ipc_socket_path(const char *explicit_path)
{
	const char *env;

	if (explicit_path && *explicit_path)
		return explicit_path;
	env = getenv(IPC_SOCKET_ENV);
	if (env && *env)
		return env;
	return IPC_DEFAULT_SOCKET;
}

/* --- blocking client --------------------------------------------------- */

static int connect_unix(const char *path, struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, -ENAMETOOLONG, "socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, -errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return err_set(e, rc, "cannot connect to %s: %s", path, strerror(-rc));
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Handles one reply line: 1 = terminated ok, 0 = more to come, <0 error. */
static int handle_reply(const char *line, size_t len, int64_t id,
			int (*on_record)(const json_t *, void *), void *ctx, char *errcode,
			size_t errcode_len, struct err *e)
{
	struct ipc_reply r;
	int rc = ipc_reply_parse(line, len, &r, e);

	if (rc)
		return rc;
	if (r.id != id) {
		ipc_reply_clear(&r);
		return err_set(e, -EPROTO, "reply for id %lld, expected %lld", (long long)r.id,
			       (long long)id);
	}
	switch (r.kind) {
	case IPC_REPLY_RECORD:
		rc = on_record ? on_record(r.record, ctx) : 0;
		ipc_reply_clear(&r);
		return rc < 0 ? rc : 0;
	case IPC_REPLY_DONE:
		return 1;
	case IPC_REPLY_ERROR:
		if (errcode)
			snprintf(errcode, errcode_len, "%s", r.code);
		return err_set(e, -EREMOTEIO, "%s: %s", r.code, r.message);
	}
	return err_set(e, -EPROTO, "unexpected reply");
}

int ipc_call(const char *path, enum ipc_cmd cmd, const json_t *args, int timeout_ms,
	     int (*on_record)(const json_t *record, void *ctx), void *ctx, char *errcode,
	     size_t errcode_len, struct err *e)
{
	static int64_t next_id = 1;
	int64_t id = next_id++;
	struct ipc_linebuf lb;
	char *req, buf[8192];
	int fd, rc = 0;

	fd = connect_unix(path, e);
	if (fd < 0)
		return fd;
	req = ipc_request_line(id, cmd, args);
	if (!req) {
		close(fd);
		return err_set(e, -EMSGSIZE, "request too long");
	}
	rc = write_all(fd, req, strlen(req));
	free(req);
	if (rc) {
		close(fd);
		return err_set(e, rc, "cannot send to %s: %s", path, strerror(-rc));
	}
	ipc_linebuf_init(&lb, IPC_MAX_LINE);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char *line;
		size_t len;
		ssize_t n;
		int got;

		while ((got = ipc_linebuf_next(&lb, &line, &len)) == 1) {
			rc = handle_reply(line, len, id, on_record, ctx, errcode, errcode_len, e);
			free(line);
			if (rc)
				goto out;
		}
		if (got < 0) {
			rc = err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		rc = poll(&pfd, 1, timeout_ms);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			rc = err_set(e, -ETIMEDOUT, "no reply from %s within %d ms", path,
				     timeout_ms);
			goto out;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = err_set(e, -ECONNRESET, "%s closed the connection before the reply ended",
				     path);
			goto out;
		}
		if ((rc = ipc_linebuf_append(&lb, buf, (size_t)n))) {
			err_set(e, rc, "reply line longer than %d bytes", IPC_MAX_LINE);
			goto out;
		}
	}
out:
	ipc_linebuf_free(&lb);
	close(fd);
	return rc == 1 ? 0 : rc;
}
