/* bgpmini: the little BGP-4 the load tools need, written independently of
 * the speaker (speaker/wire.c) so that a bug there cannot hide in the
 * benchmark: message framing, an OPEN with the capabilities every
 * implementation expects (MP IPv4 unicast, 4-octet AS), KEEPALIVE, an
 * IPv4 UPDATE builder, timestamps and CPU time, TCP set-up, and what every
 * tool does with signals and /proc. */
#ifndef BENCH_BGPMINI_H
#define BENCH_BGPMINI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define BM_HEADER_LEN 19
#define BM_MAX_MSG 4096

enum bm_type {
	BM_OPEN = 1,
	BM_UPDATE = 2,
	BM_NOTIFICATION = 3,
	BM_KEEPALIVE = 4,
	BM_ROUTE_REFRESH = 5,
};

/* A growable byte buffer. */
struct bm_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

int bm_buf_reserve(struct bm_buf *b, size_t more, struct err *e);
/* Appends; the buffer must have room (bm_buf_reserve). */
void bm_put8(struct bm_buf *b, uint8_t v);
void bm_put16(struct bm_buf *b, uint16_t v);
void bm_put32(struct bm_buf *b, uint32_t v);
void bm_putmem(struct bm_buf *b, const void *p, size_t n);
void bm_buf_free(struct bm_buf *b);

/* Writes the 19-byte header of a message whose body follows; returns the
 * offset of the header so bm_end_msg can fill in the length. */
size_t bm_begin_msg(struct bm_buf *b, enum bm_type type);
void bm_end_msg(struct bm_buf *b, size_t start);

/* OPEN: version 4, AS_TRANS in the 2-octet field when as > 65535,
 * capabilities MP (IPv4 unicast) and 4-octet AS. */
int bm_encode_open(struct bm_buf *b, uint32_t as, uint16_t hold, uint32_t router_id, struct err *e);
int bm_encode_keepalive(struct bm_buf *b, struct err *e);

/* What the tools need from the peer's OPEN. */
struct bm_peer_open {
	uint32_t as;        /* 4-octet AS when announced, else the 2-octet field */
	uint16_t hold;
	uint32_t router_id; /* host order */
	bool as4;
	bool mp_ipv4;
};
int bm_decode_open(const uint8_t *msg, size_t len, struct bm_peer_open *out, struct err *e);

/* Describes a NOTIFICATION ("code 6/2 (Cease)") into e and returns -EPROTO. */
int bm_notification_err(const uint8_t *msg, size_t len, struct err *e);

/* Incoming byte stream cut into messages. */
struct bm_reader {
	uint8_t *buf;
	size_t cap;
	size_t start; /* first unconsumed byte */
	size_t end;   /* one past the last byte read */
	uint64_t bytes;
};
int bm_reader_init(struct bm_reader *r, size_t cap, struct err *e);
void bm_reader_free(struct bm_reader *r);
/* Reads what the socket has (non-blocking fd: returns 0 on EAGAIN);
 * returns the number of bytes read, 0, -ECONNRESET on EOF, or -errno. */
long bm_reader_fill(struct bm_reader *r, int fd, struct err *e);
/* Next complete message: 1 with msg and len set, 0 when more bytes are
 * needed, or -EBADMSG (bad marker or length). */
int bm_reader_next(struct bm_reader *r, const uint8_t **msg, size_t *len, struct err *e);

/* Establishes a session on a connected socket: sends our OPEN, reads the
 * peer's, sends KEEPALIVE, waits for the peer's KEEPALIVE (or UPDATE).
 * Messages that arrive after the KEEPALIVE stay in r. timeout_ms bounds the
 * whole exchange. */
int bm_handshake(int fd, const struct bm_buf *our_open, struct bm_reader *r, struct bm_peer_open *peer,
	int timeout_ms, struct err *e);

/* "IP", "IP:PORT", "[IPv6]:PORT" -> sockaddr; default_port when absent. */
struct sockaddr_storage;
int bm_parse_endpoint(const char *text, uint16_t default_port, struct sockaddr_storage *ss, unsigned *sslen,
	struct err *e);
/* Blocking connect, optionally from a local address (NULL = any). */
int bm_connect(const char *remote, const char *local, struct err *e);
/* Listens, accepts one connection, closes the listener. */
int bm_accept_one(const char *local, struct err *e);
int bm_set_nonblock(int fd, struct err *e);

/* Wall-clock seconds (CLOCK_REALTIME, for comparing with other processes)
 * and this process's user+system CPU seconds. */
double bm_now(void);
void bm_cpu(double *user, double *sys);
/* A "VmHWM:"-style field of /proc/PID/status in kB, or -1. */
long bm_proc_status_kb(unsigned long pid, const char *field);
/* The signal (SIGINT or SIGTERM) that asked the tool to stop, or 0. */
extern volatile sig_atomic_t bm_stop_signal;
/* SIGINT and SIGTERM set bm_stop_signal (the tools finish their report
 * rather than die); SIGPIPE is ignored (a peer that closes is an error
 * code, not a kill). */
void bm_catch_signals(void);

/* Parses an unsigned integer in [min, max]; names the option in errors. */
int bm_parse_u64(const char *opt, const char *text, uint64_t min, uint64_t max, uint64_t *out, struct err *e);
/* Dotted quad -> host order. */
int bm_parse_ipv4(const char *opt, const char *text, uint32_t *out, struct err *e);

#endif
