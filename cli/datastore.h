/* `calicoctl datastore migrate export|import|lock|unlock`: moving a
 * cluster's resources between our datastores (SQLite and etcd v3), with
 * calicoctl v3.32's commands, file layout and messages (docs/DATASTORE.md
 * lists where we depart: calicoctl moves etcd -> Kubernetes only).
 *
 * The export file is calicoctl's: one YAML List per kind, each followed by
 * "---", then "===", the ClusterInformation as Go-indented JSON, "===",
 * and the IPAM section as JSON (always "{}": our datastores hold no IPAM).
 * What ties a resource to one datastore (uid, resourceVersion,
 * creationTimestamp, the List's resourceVersion) is left out, so exporting
 * the same resources from two datastores gives the same bytes. */
#ifndef CLI_DATASTORE_H
#define CLI_DATASTORE_H

#include "cli/cli.h"

int cmd_datastore_export(struct cli *c);
int cmd_datastore_import(struct cli *c);
int cmd_datastore_lock(struct cli *c);
int cmd_datastore_unlock(struct cli *c);

/* Help texts (datastore_help.c); each one's Usage block is its usage. */
extern const char cli_help_datastore[];
extern const char cli_help_migrate[];
extern const char cli_help_migrate_export[];
extern const char cli_help_migrate_import[];
extern const char cli_help_migrate_lock[];
extern const char cli_help_migrate_unlock[];

#endif
