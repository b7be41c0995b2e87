/* The control commands of calico-bgpd (docs/IPC.md): the handler table
 * control_open() takes, over the daemon's state. */
#ifndef CALICO_COMMANDS_H
#define CALICO_COMMANDS_H

#include "lib/err.h"
#include "speaker/control.h"
#include "speaker/speaker.h"

/* What the handlers need from the daemon. */
struct bgpd {
	struct speaker *sp;
	const char *plan_path;
	const char *ctl_path;
	/* Re-reads the plan file and applies it (SIGHUP does the same). */
	int (*reload)(struct bgpd *d, struct speaker_apply_summary *sum, struct err *e);
	/* Asks the daemon to shut down once the current loop iteration ends. */
	void (*stop)(struct bgpd *d);
};

extern const struct control_cmd bgpd_commands[IPC_CMD_COUNT];

/* JSON records, also used by tests. */
json_t *bgpd_status_record(const struct bgpd *d);
json_t *bgpd_peer_record(const struct speaker *sp, const struct session *s);

#endif
