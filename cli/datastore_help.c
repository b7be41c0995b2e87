/* Help texts of `datastore`, `datastore migrate` and its four commands.
 * calicoctl's wording, changed only where our datastores differ: calicoctl
 * migrates etcdv3 -> Kubernetes; we migrate between sqlite and etcdv3, and
 * our list of exported kinds is the BGP subset we keep. */
#include "cli/datastore.h"

#define INTRO                                                                                      \
	"Set the Calico datastore access information in the environment variables or\n"             \
	"supply details in a config file.\n"                                                         \
	"\n"

#define CONFIG_MISMATCH_OPTS                                                                       \
	"  -h --help                    Show this screen.\n"                                         \
	"  -c --config=<CONFIG>         Path to the file containing connection\n"                    \
	"                               configuration in YAML or JSON format.\n"                     \
	"                               [default: /etc/calico/calicoctl.cfg]\n"                      \
	"     --allow-version-mismatch  Allow client and cluster versions mismatch.\n"

const char cli_help_datastore[] =
	INTRO
	"Usage:\n"
	"  <BINARY_NAME> datastore <command> [<args>...]\n"
	"\n"
	"    migrate  Migrate the contents of one datastore (sqlite or etcdv3) to another.\n"
	"\n"
	"Options:\n"
	"  -h --help      Show this screen.\n"
	"\n"
	"Description:\n"
	"  Datastore specific commands for <BINARY_NAME>.\n"
	"\n"
	"  See '<BINARY_NAME> datastore <command> --help' to read about a specific subcommand.\n";

const char cli_help_migrate[] =
	INTRO
	"Usage:\n"
	"  <BINARY_NAME> datastore migrate <command> [<args>...]\n"
	"\n"
	"    export  Export the contents of the datastore to yaml.\n"
	"    import  Store the yaml of an export into an empty datastore.\n"
	"    lock    Lock the datastore to prevent changes from occurring during datastore migration.\n"
	"    unlock  Unlock the datastore to allow changes once the migration is completed.\n"
	"\n"
	"Options:\n"
	"  -h --help      Show this screen.\n"
	"\n"
	"Description:\n"
	"  Migration specific commands.\n"
	"\n"
	"  See '<BINARY_NAME> datastore migrate <command> --help' to read about a specific subcommand.\n";

const char cli_help_migrate_export[] =
	"Usage:\n"
	"  <BINARY_NAME> datastore migrate export [--config=<CONFIG>] [--allow-version-mismatch]\n"
	"\n"
	"Options:\n"
	CONFIG_MISMATCH_OPTS
	"\n"
	"Description:\n"
	"  Export the contents of the datastore (sqlite or etcdv3).  Resources will be\n"
	"  exported in yaml and json format. Save the results of this command to a file\n"
	"  for later use with the import command.  The datastore must be locked first\n"
	"  ('<BINARY_NAME> datastore migrate lock').\n"
	"\n"
	"  The following resources are exported:\n"
	"\n"
	"    - IPPools\n"
	"    - BGPPeers\n"
	"    - Nodes\n"
	"    - BGPConfigurations\n"
	"\n"
	"  The following resources are not exported:\n"
	"\n"
	"    - CalicoNodeStatuses\n";

const char cli_help_migrate_import[] =
	"Usage:\n"
	"  <BINARY_NAME> datastore migrate import --filename=<FILENAME> [--config=<CONFIG>] [--allow-version-mismatch]\n"
	"\n"
	"Options:\n"
	"  -h --help                    Show this screen.\n"
	"  -f --filename=<FILENAME>     Filename to use to import resources.  If set to\n"
	"                               \"-\" loads from stdin.\n"
	"  -c --config=<CONFIG>         Path to the file containing connection\n"
	"                               configuration in YAML or JSON format.\n"
	"                               [default: /etc/calico/calicoctl.cfg]\n"
	"     --allow-version-mismatch  Allow client and cluster versions mismatch.\n"
	"\n"
	"Description:\n"
	"  Import the contents of a datastore from the file created by the export\n"
	"  command.  The target datastore (sqlite or etcdv3) must hold no Calico\n"
	"  resources; it is left locked ('<BINARY_NAME> datastore migrate unlock').\n";

const char cli_help_migrate_lock[] =
	"Usage:\n"
	"  <BINARY_NAME> datastore migrate lock [--config=<CONFIG>] [--allow-version-mismatch]\n"
	"\n"
	"Options:\n"
	CONFIG_MISMATCH_OPTS
	"\n"
	"Description:\n"
	"  Lock the datastore to prepare it for migration: it is marked not ready\n"
	"  (ClusterInformation datastoreReady: false), which export requires.  This\n"
	"  does not prevent updating or creating new Calico resources.\n";

const char cli_help_migrate_unlock[] =
	"Usage:\n"
	"  <BINARY_NAME> datastore migrate unlock [--config=<CONFIG>] [--allow-version-mismatch]\n"
	"\n"
	"Options:\n"
	CONFIG_MISMATCH_OPTS
	"\n"
	"Description:\n"
	"  Unlock the datastore to complete migration. This once again allows\n"
	"  Calico resources to take effect in the cluster.\n";
