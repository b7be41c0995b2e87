/* The control server on its own loop with a scripted command table:
 * answers, terminators, streaming in slices, pipelined requests, bad
 * requests (error terminator or disconnect), the line length limit, a
 * client leaving mid-stream, the socket mode, and other clients served
 * while one streams. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "speaker/control.h"
#include "tests/unit/check.h"

static int freed_states;

/* status: one record. */
static int cmd_status(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	(void)ctx;
	(void)args;
	(void)state;
	control_record(r, json_pack("{s:s}", "hello", "world"));
	return CONTROL_DONE;
}

/* routes: args.n records, 10 per call. */
static int cmd_routes(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	int *next = *state, n = (int)json_integer_value(json_object_get(args, "n"));

	(void)ctx;
	if (!next) {
		next = calloc(1, sizeof(*next));
		*state = next;
	}
	for (int i = 0; i < 10 && *next < n; i++, (*next)++)
		control_record(r, json_pack("{s:i,s:s}", "i", *next, "pad",
					    "................................................"));
	return *next < n ? CONTROL_MORE : CONTROL_DONE;
}

static void free_state(void *st)
{
	freed_states++;
	free(st);
}

/* peer: always an error terminator. */
static int cmd_peer(void *ctx, struct control_reply *r, const json_t *args, void **state)
{
	(void)ctx;
	(void)args;
	(void)state;
	control_error(r, IPC_ERR_NO_SUCH_PEER, "no session named \"%s\"", "x");
	return -ENOENT;
}

static const struct control_cmd cmds[IPC_CMD_COUNT] = {
	[IPC_CMD_STATUS] = { cmd_status, NULL },
	[IPC_CMD_ROUTES] = { cmd_routes, free_state },
	[IPC_CMD_PEER] = { cmd_peer, NULL },
};

struct fixture {
	struct ev_loop *loop;
	struct control *ctl;
	char dir[48], path[96];
};

static int client(struct fixture *fx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void spin(struct fixture *fx, int rounds)
{
	for (int i = 0; i < rounds; i++)
		ev_run(fx->loop, EVRUN_NOWAIT);
}

/* Reads everything available after letting the server run; returns the
 * bytes (malloc'd) and whether the server closed the connection. */
static char *drain(struct fixture *fx, int fd, bool *closed)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);

	*closed = false;
	for (int round = 0; round < 2000; round++) {
		ssize_t n;

		ev_run(fx->loop, EVRUN_NOWAIT);
		for (;;) {
			if (len == cap) {
				cap *= 2;
				buf = realloc(buf, cap + 1);
			}
			n = read(fd, buf + len, cap - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if (n == 0) {
			*closed = true;
			break;
		}
		usleep(200);
	}
	buf[len] = '\0';
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void send_str(int fd, const char *s)
{
	CHECK_INT(write(fd, s, strlen(s)), (long long)strlen(s));
}

static void setup(struct fixture *fx)
{
	struct err e = { "" };

	fx->loop = ev_loop_new(EVFLAG_AUTO);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_control_XXXXXX");
	CHECK(mkdtemp(fx->dir) != NULL);
	snprintf(fx->path, sizeof(fx->path), "%s/ctl", fx->dir);
	CHECK_INT(control_open(fx->loop, fx->path, cmds, NULL, &fx->ctl, &e), 0);
}

static void teardown(struct fixture *fx)
{
	control_close(fx->ctl);
	CHECK_MSG(access(fx->path, F_OK) != 0, "socket file removed on close");
	rmdir(fx->dir);
	ev_loop_destroy(fx->loop);
}

static void test_basic(struct fixture *fx)
{
	struct stat st;
	bool closed;
	int fd = client(fx);
	char *out;

	CHECK_INT(stat(fx->path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0660);
	send_str(fd, "{\"v\":1,\"id\":5,\"cmd\":\"status\"}\n"
		     "{\"v\":1,\"id\":6,\"cmd\":\"peer\",\"args\":{\"name\":\"x\"}}\n"
		     "{\"v\":2,\"id\":7,\"cmd\":\"status\"}\n"
		     "{\"v\":1,\"id\":8,\"cmd\":\"nope\"}\n"
		     "{\"v\":1,\"id\":9,\"cmd\":\"stop\"}\n");
	shutdown(fd, SHUT_WR); /* like `echo ... | socat`: answered, then closed */
	out = drain(fx, fd, &closed);
	CHECK_STR(out, "{\"v\":1,\"id\":5,\"record\":{\"hello\":\"world\"}}\n"
		       "{\"v\":1,\"id\":5,\"done\":true}\n"
		       "{\"v\":1,\"id\":6,\"error\":{\"code\":\"no-such-peer\",\"message\":\"no "
		       "session named \\\"x\\\"\"}}\n"
		       "{\"v\":1,\"id\":7,\"error\":{\"code\":\"bad-version\",\"message\":"
		       "\"unsupported protocol version; this speaker speaks v 1\"}}\n"
		       "{\"v\":1,\"id\":8,\"error\":{\"code\":\"unknown-command\",\"message\":"
		       "\"unknown command 'nope'\"}}\n"
		       "{\"v\":1,\"id\":9,\"error\":{\"code\":\"unknown-command\",\"message\":"
		       "\"command not supported by this speaker\"}}\n");
	CHECK_MSG(closed, "closed after answering a half-closed client");
	free(out);
	close(fd);
	spin(fx, 5);
	CHECK_INT(control_clients(fx->ctl), 0);
}

static void test_streaming(struct fixture *fx)
{
	int a = client(fx), b = client(fx);
	bool closed;
	char *out;

	/* a streams 20000 records; b's status is answered meanwhile */
	send_str(a, "{\"v\":1,\"id\":1,\"cmd\":\"routes\",\"args\":{\"n\":20000}}\n");
	spin(fx, 20);
	send_str(b, "{\"v\":1,\"id\":2,\"cmd\":\"status\"}\n");
	out = drain(fx, b, &closed);
	CHECK_INT(count(out, "\"done\":true"), 1);
	free(out);
	out = drain(fx, a, &closed);
	CHECK_INT(count(out, "\"record\""), 20000);
	CHECK_INT(count(out, "\"done\":true"), 1);
	CHECK(strstr(out, "{\"v\":1,\"id\":1,\"record\":{\"i\":19999,") != NULL);
	free(out);
	CHECK_INT(freed_states, 1);

	/* a client leaving mid-stream: its state is freed, others go on */
	send_str(a, "{\"v\":1,\"id\":3,\"cmd\":\"routes\",\"args\":{\"n\":1000000}}\n");
	spin(fx, 50);
	close(a);
	spin(fx, 50);
	CHECK_INT(freed_states, 2);
	send_str(b, "{\"v\":1,\"id\":4,\"cmd\":\"status\"}\n");
	out = drain(fx, b, &closed);
	CHECK(strstr(out, "\"id\":4,\"done\":true") != NULL);
	free(out);
	close(b);
	spin(fx, 5);
}

static void test_bad_clients(struct fixture *fx)
{
	int fd = client(fx), other = client(fx);
	bool closed;
	char *out, *big;

	/* not JSON: this client is closed without an answer */
	send_str(fd, "hello there\n");
	out = drain(fx, fd, &closed);
	CHECK_STR(out, "");
	CHECK_MSG(closed, "malformed request closes the client");
	free(out);
	close(fd);

	/* no id */
	fd = client(fx);
	send_str(fd, "{\"v\":1,\"cmd\":\"status\"}\n");
	out = drain(fx, fd, &closed);
	CHECK(closed && out[0] == '\0');
	free(out);
	close(fd);

	/* a line over the limit, even without a newline */
	fd = client(fx);
	big = malloc(IPC_MAX_LINE + 10);
	memset(big, ' ', IPC_MAX_LINE + 9);
	big[IPC_MAX_LINE + 9] = '\0';
	{
		size_t off = 0, len = strlen(big);

		for (int i = 0; i < 1000 && off < len; i++) {
			ssize_t n = write(fd, big + off, len - off);

			if (n > 0)
				off += (size_t)n;
			spin(fx, 2);
		}
	}
	out = drain(fx, fd, &closed);
	CHECK_MSG(closed, "an over-long line closes the client");
	free(out);
	free(big);
	close(fd);

	/* the other client never noticed */
	send_str(other, "{\"v\":1,\"id\":1,\"cmd\":\"status\"}\n");
	out = drain(fx, other, &closed);
	CHECK(strstr(out, "\"done\":true") != NULL);
	free(out);
	close(other);
	spin(fx, 5);
	CHECK_INT(control_clients(fx->ctl), 0);
}

int main(void)
{
	struct fixture fx;

	log_threshold = LOG_PANIC;
	setup(&fx);
	test_basic(&fx);
	test_streaming(&fx);
	test_bad_clients(&fx);
	teardown(&fx);
	return check_done();
}
