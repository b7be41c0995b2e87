/* libFuzzer target for the control-socket codec (lib/ipc.h), the part of
 * calico-bgpd that reads bytes from local clients. The input is a byte
 * stream as a client would send it; it is split into lines with the line
 * buffer (fed in chunks whose sizes come from the first octet) and every
 * line goes through the request and reply parsers. Invariants beyond "no
 * crash, no leak, no undefined behaviour":
 *   - the line buffer never yields a line longer than its limit and never
 *     loses or invents bytes: the lines it yields plus the unterminated rest
 *     are the input;
 *   - a parsed request re-encodes (ipc_request_line) to a line that parses
 *     to the same id, command and arguments;
 *   - every rejection names a reason. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/ipc.h"
#include "tests/fuzz/fuzz_inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_LINE 4096 /* small, so that the limit is reached often */

static void check_request(const char *line, size_t len)
{
	struct ipc_request req = {0}, req2 = {0};
	enum ipc_errcode code;
	struct err e = {0};
	int rc = ipc_request_parse(line, len, &req, &code, &e);

	if (rc < 0) {
		INVARIANT(rc == -EPROTO || rc == -ENOTSUP || rc == -ENOENT);
		INVARIANT(e.msg[0]);
		if (rc != -EPROTO)
			INVARIANT(code < IPC_ERR_COUNT);
		ipc_request_clear(&req);
		return;
	}
	INVARIANT(req.cmd < IPC_CMD_COUNT && json_is_object(req.args));
	char *again = ipc_request_line(req.id, req.cmd, req.args);
	if (again) {
		INVARIANT(again[strlen(again) - 1] == '\n');
		INVARIANT(ipc_request_parse(again, strlen(again), &req2, &code, &e) == 0);
		INVARIANT(req2.id == req.id && req2.cmd == req.cmd);
		INVARIANT(json_equal(req.args, req2.args));
		ipc_request_clear(&req2);
		free(again);
	}
	ipc_request_clear(&req);
}

static void check_reply(const char *line, size_t len)
{
	struct ipc_reply r = {0};
	struct err e = {0};

	if (ipc_reply_parse(line, len, &r, &e) < 0)
		INVARIANT(e.msg[0]);
	else
		INVARIANT(r.kind != IPC_REPLY_RECORD || r.record);
	ipc_reply_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_linebuf lb;
	size_t chunk, off = 1, yielded = 0;
	char *line;
	size_t len;

	if (!size)
		return 0;
	chunk = (size_t)data[0] + 1;
	ipc_linebuf_init(&lb, FUZZ_MAX_LINE);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (ipc_linebuf_append(&lb, (const char *)data + off, n) < 0)
			break; /* the server drops such a client */
		off += n;
		while (ipc_linebuf_next(&lb, &line, &len) == 1) {
			INVARIANT(len < FUZZ_MAX_LINE);
			INVARIANT(memcmp(line, data + 1 + yielded, len) == 0);
			INVARIANT(data[1 + yielded + len] == '\n');
			yielded += len + 1;
			check_request(line, len);
			check_reply(line, len);
			free(line);
		}
	}
	ipc_linebuf_free(&lb);
	return 0;
}
