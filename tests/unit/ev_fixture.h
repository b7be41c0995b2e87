/* Event-loop helper shared by the unit tests that drive libev. */
#ifndef CALICO_TEST_EV_FIXTURE_H
#define CALICO_TEST_EV_FIXTURE_H

#include <ev.h>

static inline void ev_fixture_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Runs the loop until a callback breaks it or `seconds` pass. */
static inline void run_for(struct ev_loop *loop, double seconds)
{
	ev_timer t;

	ev_timer_init(&t, ev_fixture_timeout, seconds, 0.);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

#endif
