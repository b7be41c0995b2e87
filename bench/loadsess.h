/* loadsess: the many-session side of the load tool (bench/bgpload).
 *
 * One event loop (epoll) drives M BGP sessions, each from its own source
 * address, each announcing its own K prefixes and tracking, in a bitmap over
 * the whole prefix space, which of the other sessions' prefixes it holds.
 * A session is "complete" while it holds every prefix it expects; each
 * transition to complete is timestamped, so a scenario can tell when the
 * last session converged. Built on bgpmini, independent of speaker/.
 *
 * Prefix index p (0 <= p < total) is base + p * 2^(32-length); session i
 * announces [i*K, (i+1)*K) and expects every other index in [0, total).
 */
#ifndef BENCH_LOADSESS_H
#define BENCH_LOADSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/bgpmini.h"

enum ls_state {
	LS_DOWN,       /* waiting for the retry time */
	LS_CONNECTING, /* non-blocking connect in flight */
	LS_OPENSENT,
	LS_OPENCONFIRM,
	LS_ESTABLISHED,
};

struct ls_config {
	uint32_t remote;     /* peer address, host order */
	uint16_t port;
	uint32_t first_src;  /* source address of session 0 (host order) */
	unsigned count;      /* M */
	unsigned per_session; /* K */
	uint32_t total;      /* size of the prefix space (>= M*K) */
	uint32_t base;
	unsigned length;
	uint32_t as;
	uint16_t hold;
	uint32_t next_hop;   /* 0: each session's source address */
	unsigned retry_ms;   /* pause before reconnecting after a failure */
	unsigned max_pending; /* sessions in the OPEN exchange at once; 0: any */
	size_t rbuf;         /* read buffer per session */
};

struct ls_session {
	unsigned idx;
	uint32_t src;
	int fd;
	enum ls_state state;
	struct bm_reader in;
	struct bm_buf out; /* bytes queued for the socket */
	size_t out_off;
	uint64_t *held;    /* bitmap over the prefix space */
	uint32_t nheld;    /* set bits outside our own block */
	uint32_t need;     /* prefixes we expect */
	bool complete;
	bool ibgp;
	uint16_t hold;     /* negotiated */
	double retry_at;
	double next_ka;
	double t_established;
	double t_first_update;
	double t_complete; /* the latest transition to complete */
	double t_eor;
	uint64_t updates;
	uint64_t announced;
	uint64_t withdrawn;
	unsigned connects;
	char last_error[160];
};

struct ls_loop {
	struct ls_config cfg;
	struct ls_session *s;
	int epfd;
	double last_update; /* any session */
	uint64_t bytes_in;
};

/* i-th source address: first_src + i, skipping .0 and .255 in the last
 * octet so every address is a plain host address. */
uint32_t ls_source(uint32_t first, unsigned i);

/* Allocates the sessions (none connected yet). */
int ls_init(struct ls_loop *l, const struct ls_config *cfg, struct err *e);
void ls_free(struct ls_loop *l);

/* Starts (or restarts) session i's connection now. */
void ls_start(struct ls_loop *l, unsigned i);

/* Makes every session due to connect; ls_poll starts them, at most
 * max_pending in the OPEN exchange at a time (a speaker's listen backlog
 * overflowing turns into seconds of SYN-ACK retransmission, which would
 * measure the kernel, not the speaker). */
void ls_start_all(struct ls_loop *l);

/* A clean restart of session i: NOTIFICATION Cease / Administrative Reset,
 * close, forget what it held; it reconnects after retry_ms. */
void ls_restart(struct ls_loop *l, unsigned i);

/* Runs the loop for at most timeout_ms (I/O, retries, KEEPALIVEs).
 * Returns 0 or a negative error (epoll itself failing). */
int ls_poll(struct ls_loop *l, int timeout_ms, struct err *e);

/* Sessions established and complete. */
unsigned ls_count_complete(const struct ls_loop *l);

#endif
