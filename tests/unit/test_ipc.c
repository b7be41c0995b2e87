/* IPC codec: request/reply round trips, the three kinds of bad request,
 * line splitting with the length limit, and a blocking call against a
 * scripted server on a socketpair-backed Unix socket. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/ipc.h"
#include "tests/unit/check.h"

static void test_tables(void)
{
	CHECK_STR(ipc_cmd_name(IPC_CMD_STATUS), "status");
	CHECK_STR(ipc_cmd_name(IPC_CMD_LOGLEVEL), "loglevel");
	CHECK_INT(ipc_cmd_lookup("routes"), IPC_CMD_ROUTES);
	CHECK_INT(ipc_cmd_lookup("Routes"), -1);
	CHECK_STR(ipc_errcode_name(IPC_ERR_NO_SUCH_PEER), "no-such-peer");
	CHECK_STR(ipc_errcode_name(IPC_ERR_TOO_LONG), "too-long");
	for (int i = 0; i < IPC_CMD_COUNT; i++)
		CHECK_INT(ipc_cmd_lookup(ipc_cmd_name(i)), i);
}

static void test_request_round_trip(void)
{
	json_t *args = json_pack("{s:s}", "family", "ipv6");
	char *line = ipc_request_line(42, IPC_CMD_ROUTES, args);
	const char *cline;
	struct ipc_request req;
	enum ipc_errcode code;
	struct err e = { "" };

	CHECK_STR(line, "{\"v\":1,\"id\":42,\"cmd\":\"routes\",\"args\":{\"family\":\"ipv6\"}}\n");
	CHECK_INT(ipc_request_parse(line, strlen(line), &req, &code, &e), 0);
	CHECK_INT(req.id, 42);
	CHECK_INT(req.cmd, IPC_CMD_ROUTES);
	CHECK_STR(json_string_value(json_object_get(req.args, "family")), "ipv6");
	ipc_request_clear(&req);
	free(line);
	json_decref(args);


	/* args absent: an empty object, never NULL */
	cline = "{\"v\":1,\"id\":1,\"cmd\":\"status\"}";
	CHECK_INT(ipc_request_parse(cline, strlen(cline), &req, &code, &e), 0);
	CHECK(json_is_object(req.args) && json_object_size(req.args) == 0);
	ipc_request_clear(&req);
}

static int parse(const char *line, struct ipc_request *req, enum ipc_errcode *code, struct err *e)
{
	int rc = ipc_request_parse(line, strlen(line), req, code, e);

	ipc_request_clear(req);
	return rc;
}

static void test_bad_requests(void)
{
	struct ipc_request req;
	enum ipc_errcode code = IPC_ERR_FAILED;
	struct err e = { "" };

	CHECK_INT(parse("not json", &req, &code, &e), -EPROTO);
	CHECK_INT(parse("[1,2]", &req, &code, &e), -EPROTO);
	CHECK_INT(parse("{\"v\":1,\"cmd\":\"status\"}", &req, &code, &e), -EPROTO);
	CHECK(strstr(e.msg, "id") != NULL);
	CHECK_INT(parse("{\"v\":1,\"id\":\"7\",\"cmd\":\"status\"}", &req, &code, &e), -EPROTO);
	CHECK_INT(parse("{\"v\":1,\"id\":7,\"cmd\":\"status\",\"args\":[]}", &req, &code, &e),
		  -EPROTO);
	CHECK_INT(parse("{\"v\":2,\"id\":7,\"cmd\":\"status\"}", &req, &code, &e), -ENOTSUP);
	CHECK_INT(req.id, 7);
	CHECK_INT(code, IPC_ERR_BAD_VERSION);
	CHECK(strstr(e.msg, "speaks v 1") != NULL);
	CHECK_INT(parse("{\"id\":8,\"cmd\":\"status\"}", &req, &code, &e), -ENOTSUP);
	CHECK_INT(parse("{\"v\":1,\"id\":9,\"cmd\":\"frobnicate\"}", &req, &code, &e), -ENOENT);
	CHECK_INT(req.id, 9);
	CHECK_INT(code, IPC_ERR_UNKNOWN_CMD);
	CHECK_STR(e.msg, "unknown command 'frobnicate'");
	CHECK_INT(parse("{\"v\":1,\"id\":9,\"id\":10,\"cmd\":\"status\"}", &req, &code, &e), -EPROTO);
}

static void test_replies(void)
{
	json_t *rec = json_pack("{s:s,s:i}", "name", "Mesh_10_0_0_2", "as", 64512);
	char *l1 = ipc_record_line(3, rec), *l2 = ipc_done_line(3),
	     *l3 = ipc_error_line(3, IPC_ERR_NO_SUCH_PEER, "no session named \"x\"");
	struct ipc_reply r;
	struct err e = { "" };

	CHECK_STR(l2, "{\"v\":1,\"id\":3,\"done\":true}\n");
	CHECK_STR(l3, "{\"v\":1,\"id\":3,\"error\":{\"code\":\"no-such-peer\",\"message\":\"no "
		      "session named \\\"x\\\"\"}}\n");
	CHECK_INT(ipc_reply_parse(l1, strlen(l1), &r, &e), 0);
	CHECK_INT(r.kind, IPC_REPLY_RECORD);
	CHECK(json_equal(r.record, rec));
	ipc_reply_clear(&r);
	CHECK_INT(ipc_reply_parse(l2, strlen(l2), &r, &e), 0);
	CHECK_INT(r.kind, IPC_REPLY_DONE);
	CHECK_INT(ipc_reply_parse(l3, strlen(l3), &r, &e), 0);
	CHECK_INT(r.kind, IPC_REPLY_ERROR);
	CHECK_STR(r.code, "no-such-peer");
	CHECK_STR(r.message, "no session named \"x\"");
	CHECK_INT(ipc_reply_parse("{\"v\":1,\"id\":3}", 14, &r, &e), -EPROTO);
	free(l1);
	free(l2);
	free(l3);
	json_decref(rec);

	/* A record too big for one line is refused, not truncated. */
	{
		char *big = malloc(IPC_MAX_LINE + 1);
		json_t *o;

		memset(big, 'a', IPC_MAX_LINE);
		big[IPC_MAX_LINE] = '\0';
		o = json_pack("{s:s}", "x", big);
		CHECK(ipc_record_line(1, o) == NULL);
		json_decref(o);
		free(big);
	}
}

static void test_linebuf(void)
{
	struct ipc_linebuf lb;
	char *line;
	size_t len;

	ipc_linebuf_init(&lb, 16);
	CHECK_INT(ipc_linebuf_append(&lb, "ab", 2), 0);
	CHECK_INT(ipc_linebuf_next(&lb, &line, &len), 0);
	CHECK_INT(ipc_linebuf_append(&lb, "c\nde\nf", 6), 0);
	CHECK_INT(ipc_linebuf_next(&lb, &line, &len), 1);
	CHECK_STR(line, "abc");
	free(line);
	CHECK_INT(ipc_linebuf_next(&lb, &line, &len), 1);
	CHECK_STR(line, "de");
	CHECK_INT(len, 2);
	free(line);
	CHECK_INT(ipc_linebuf_next(&lb, &line, &len), 0);
	CHECK_INT(ipc_linebuf_append(&lb, "0123456789abcd", 14), 0); /* 15 bytes, unterminated */
	CHECK_INT(ipc_linebuf_append(&lb, "x", 1), -EMSGSIZE);	     /* 16 = max, no newline */
	ipc_linebuf_free(&lb);

	ipc_linebuf_init(&lb, 4);
	CHECK_INT(ipc_linebuf_append(&lb, "toolong\nok\n", 11), -EMSGSIZE);
	ipc_linebuf_free(&lb);
}

/* A scripted server: reads one request, answers with two records and done
 * (or an error for "peer"). */
static void serve_once(int lfd)
{
	int fd = accept(lfd, NULL, NULL);
	char buf[4096];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	struct ipc_request req;
	enum ipc_errcode code;
	struct err e;

	if (n <= 0)
		_exit(1);
	if (ipc_request_parse(buf, (size_t)n, &req, &code, &e))
		_exit(1);
	if (req.cmd == IPC_CMD_PEER) {
		char *l = ipc_error_line(req.id, IPC_ERR_NO_SUCH_PEER, "no such peer");

		(void)!write(fd, l, strlen(l));
	} else {
		json_t *r = json_pack("{s:i}", "n", 1);
		char *l1 = ipc_record_line(req.id, r), *l2 = ipc_done_line(req.id);

		/* split writes exercise the client's line assembly */
		(void)!write(fd, l1, 5);
		usleep(10000);
		(void)!write(fd, l1 + 5, strlen(l1) - 5);
		(void)!write(fd, l1, strlen(l1));
		(void)!write(fd, l2, strlen(l2));
	}
	close(fd);
	_exit(0);
}

static int count_records(const json_t *rec, void *ctx)
{
	if (json_integer_value(json_object_get(rec, "n")) == 1)
		(*(int *)ctx)++;
	return 0;
}

static void test_call(void)
{
	char dir[] = "/tmp/test_ipc_XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct err e = { "" };
	char code[32] = "";
	int lfd, count = 0, status;
	pid_t pid;

	if (!mkdtemp(dir))
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_INT(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CHECK_INT(listen(lfd, 4), 0);

	pid = fork();
	if (pid == 0)
		serve_once(lfd);
	CHECK_INT(ipc_call(sa.sun_path, IPC_CMD_PEERS, NULL, 2000, count_records, &count, code,
			   sizeof(code), &e),
		  0);
	CHECK_INT(count, 2);
	waitpid(pid, &status, 0);

	pid = fork();
	if (pid == 0)
		serve_once(lfd);
	CHECK_INT(ipc_call(sa.sun_path, IPC_CMD_PEER, NULL, 2000, NULL, NULL, code, sizeof(code),
			   &e),
		  -EREMOTEIO);
	CHECK_STR(code, "no-such-peer");
	CHECK_STR(e.msg, "no-such-peer: no such peer");
	waitpid(pid, &status, 0);

	close(lfd);
	unlink(sa.sun_path);
	CHECK(ipc_call(sa.sun_path, IPC_CMD_STATUS, NULL, 100, NULL, NULL, NULL, 0, &e) < 0);
	CHECK(strstr(e.msg, "cannot connect to") != NULL);
	rmdir(dir);

	setenv(IPC_SOCKET_ENV, "/tmp/x.ctl", 1);
	CHECK_STR(ipc_socket_path(NULL), "/tmp/x.ctl");
	CHECK_STR(ipc_socket_path("/a"), "/a");
	unsetenv(IPC_SOCKET_ENV);
	CHECK_STR(ipc_socket_path(NULL), IPC_DEFAULT_SOCKET);
}

int main(void)
{
	test_tables();
	test_request_round_trip();
	test_bad_requests();
	test_replies();
	test_linebuf();
	test_call();
	return check_done();
}
