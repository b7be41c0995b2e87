# Shared helpers for the bats suites. Load with: load ../lib/common

: "${BUILD_DIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}"
CALICOCTL="${CALICOCTL:-$BUILD_DIR/cli/calicoctl}"
BGPD="${BGPD:-$BUILD_DIR/speaker/calico-bgpd}"

# The backend the suite runs against: CALICO_TEST_DATASTORE=sqlite (the
# default) or etcdv3, with CALICO_TEST_ETCD_DIR naming a running cluster of
# scripts/etcd-cluster (the meson suite cli-etcd sets both; scripts/test
# starts and stops the cluster).
test_backend() {
	echo "${CALICO_TEST_DATASTORE:-sqlite}"
}

# A private datastore per test: nothing touches /etc/calico or
# /var/lib/calico. SQLite: a file in the test's own directory. etcd: the
# shared cluster with its whole keyspace wiped, which is why the etcd suite
# runs its files one at a time (is_parallel: false).
setup_datastore() {
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH CALICO_ETCD_ENDPOINTS \
		CALICO_ETCD_CA_CERT_FILE CALICO_ETCD_CERT_FILE CALICO_ETCD_KEY_FILE \
		CALICO_ETCD_USERNAME CALICO_ETCD_PASSWORD ETCD_USERNAME ETCD_PASSWORD
	if [ "$(test_backend)" = etcdv3 ]; then
		local env
		env=$("$BATS_TEST_DIRNAME/../../scripts/etcd-cluster" env "${CALICO_TEST_ETCD_DIR:-}") || {
			echo "no etcd cluster in '${CALICO_TEST_ETCD_DIR:-}': start one with" \
				"scripts/etcd-cluster up DIR and set CALICO_TEST_ETCD_DIR" >&2
			return 1
		}
		eval "$env"
		unset SQLITE_PATH
		etcd_wipe
	else
		export DATASTORE_TYPE=sqlite
		export SQLITE_PATH="$BATS_TEST_TMPDIR/calico.db"
		unset ETCD_ENDPOINTS ETCD_CA_CERT_FILE ETCD_CERT_FILE ETCD_KEY_FILE
	fi
}

# Deletes every key of the test cluster.
etcd_wipe() {
	etcdctl del --prefix "" >/dev/null
}

# backend_config_file PATH: a calicoctl.cfg (CalicoAPIConfig) naming the test's
# datastore, for the -c/--config tests; prints PATH.
backend_config_file() {
	if [ "$(test_backend)" = etcdv3 ]; then
		cat >"$1" <<-EOF
		apiVersion: projectcalico.org/v3
		kind: CalicoAPIConfig
		metadata: {}
		spec:
		  datastoreType: etcdv3
		  etcdEndpoints: $ETCD_ENDPOINTS
		  etcdCACertFile: $ETCD_CA_CERT_FILE
		  etcdCertFile: $ETCD_CERT_FILE
		  etcdKeyFile: $ETCD_KEY_FILE
		EOF
	else
		cat >"$1" <<-EOF
		apiVersion: projectcalico.org/v3
		kind: CalicoAPIConfig
		metadata: {}
		spec:
		  datastoreType: sqlite
		  sqlitePath: $SQLITE_PATH
		EOF
	fi
	echo "$1"
}

# require_sqlite REASON: skips the test on other backends, saying why the
# behaviour cannot exist there.
require_sqlite() {
	[ "$(test_backend)" = sqlite ] || skip "SQLite only: $1"
}

calicoctl() {
	"$CALICOCTL" "$@"
}

# CALICOCTL_RUNNER: a command prefix for a test that runs a calicoctl
# binary other than $CALICOCTL (the installed one), so that it runs the way
# $CALICOCTL does; tests/reliability/valgrind-cli sets it to valgrind.
CALICOCTL_RUNNER="${CALICOCTL_RUNNER:-}"

# run_must_fail CMD...: like `run`, but the command must fail with a normal
# exit (1..128); a crash or a signal is a test failure, not an expected error.
run_must_fail() {
	run "$@"
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got exit 0; output: $output" >&2
		return 1
	fi
	if [ "$status" -gt 128 ]; then
		echo "command crashed (exit $status); output: $output" >&2
		return 1
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_until() {
	local limit=$1
	shift
	local deadline=$((SECONDS + limit))
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after ${limit}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# Compares $output with a golden file, showing a diff on mismatch.
# UPDATE_GOLDEN=1 rewrites the golden file instead.
assert_golden() {
	local golden="$BATS_TEST_DIRNAME/golden/$1"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$golden")"
		printf '%s' "$output" >"$golden"
		return 0
	fi
	if [ "$(test_backend)" = etcdv3 ]; then
		# etcd's revisions count the whole cluster's history (and one
		# per transaction, not per write): compare everything else.
		diff -u <(rv_words <"$golden") <(printf '%s' "$output" | rv_words) >&2
		return
	fi
	diff -u "$golden" <(printf '%s' "$output") >&2
}

# resourceVersion values (YAML and JSON) replaced by the word RV.
rv_words() {
	sed -E 's/(resourceVersion"?: )"[0-9]+"/\1"RV"/'
}

# A digest of everything in the datastore, to prove a failed command wrote
# nothing. etcd: every key with its value and mod revision, and the
# cluster's revision (any write bumps it).
datastore_digest() {
	if [ "$(test_backend)" = etcdv3 ]; then
		etcdctl get --prefix "" -w json | jq -c '{r: .header.revision, kvs}' | md5sum
	else
		sqlite3 "$SQLITE_PATH" .dump 2>/dev/null | md5sum
	fi
}

# --- cli helpers

# Replaces what differs between runs (uids, timestamps) with fixed words so
# that outputs can be compared with golden files.
normalize() {
	sed -E -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UID/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIMESTAMP/g'
}

# run_split CMD...: like `run`, but keeps stdout in $stdout and stderr in
# $stderr (bats merges them in $output).
run_split() {
	local errf="$BATS_TEST_TMPDIR/stderr.$$"
	status=0
	stdout=$("$@" 2>"$errf") || status=$?
	stderr=$(cat "$errf")
	rm -f "$errf"
	output="$stdout"
}

# Writes a manifest from stdin into $BATS_TEST_TMPDIR/<name> and prints the path.
manifest() {
	local path="$BATS_TEST_TMPDIR/$1"
	mkdir -p "$(dirname "$path")"
	cat >"$path"
	echo "$path"
}

# A datastore with the seed guide's three nodes.
seed_nodes() {
	"$CALICOCTL" create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node-1
	  labels:
	    rack: rack-1
	spec:
	  bgp:
	    ipv4Address: 10.0.0.1/24
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node-2
	  labels:
	    rack: rack-2
	spec:
	  bgp:
	    ipv4Address: 10.0.0.2/24
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: my-node
	spec:
	  bgp:
	    ipv4Address: 10.0.0.3/24
	YAML
}

# A BGPPeer manifest: peer NAME IP AS
peer_yaml() {
	printf 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: %s\nspec:\n  peerIP: %s\n  asNumber: %s\n' "$1" "$2" "$3"
}
