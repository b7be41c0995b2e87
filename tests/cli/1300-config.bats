#!/usr/bin/env bats
# Connection settings: -c/--config files (used exclusively), environment,
# and datastore types we do not serve.

load ../lib/common

setup() {
	setup_datastore
}

config_file() { # path-in-config
	manifest calicoctl.cfg <<-EOF
	apiVersion: projectcalico.org/v3
	kind: CalicoAPIConfig
	metadata: {}
	spec:
	  datastoreType: sqlite
	  sqlitePath: $1
	EOF
}

@test "a config file given with -c is used instead of the environment" {
	cfg=$(config_file "$BATS_TEST_TMPDIR/from-file.db")
	run_split calicoctl create -c "$cfg" -f - <<<"$(peer_yaml p 192.0.2.1 1)"
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/from-file.db" ]
	[ ! -e "$SQLITE_PATH" ]
	run_split calicoctl get bgppeer p --config="$cfg"
	[ "$status" -eq 0 ]
	run_split calicoctl get bgppeer p --conf "$cfg"
	[ "$status" -eq 0 ]
	run_split calicoctl get bgppeer p
	[ "$status" -eq 1 ]
}

@test "an invalid config file" {
	cfg=$(manifest bad.cfg <<<"apiVersion: projectcalico.org/v3
kind: Something
spec: {}")
	run_split calicoctl get bgppeers -c "$cfg"
	[ "$status" -eq 1 ]
	[[ "$stdout" == *"expected kind 'CalicoAPIConfig', got 'Something'"* ]]
	cfg=$(manifest bad2.cfg <<<"apiVersion: projectcalico.org/v3
kind: CalicoAPIConfig
spec:
  sqlitePaht: /tmp/x")
	run_split calicoctl get bgppeers -c "$cfg"
	[ "$status" -eq 1 ]
	[ -n "$stdout" ]
}

@test "datastore types we do not serve are reported on stdout" {
	DATASTORE_TYPE=kubernetes run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[[ "$stdout" == "Failed to create Calico API client: "*kubernetes* ]]
	DATASTORE_TYPE=foo run_split calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Failed to create Calico API client: unknown datastore type: foo" ]
	CALICO_DATASTORE_TYPE=foo run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[ "$stdout" = "Failed to create Calico API client: unknown datastore type: foo" ]
}

@test "CALICO_-prefixed variables win over plain ones" {
	if [ "$(test_backend)" = etcdv3 ]; then
		# the plain variable names a dead endpoint, the prefixed one the cluster
		CALICO_ETCD_ENDPOINTS=$ETCD_ENDPOINTS ETCD_ENDPOINTS=https://127.0.0.1:9 \
			run_split calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)"
		[ "$status" -eq 0 ]
		calicoctl get bgppeer p
		return
	fi
	CALICO_SQLITE_PATH="$BATS_TEST_TMPDIR/prefixed.db" run_split calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)"
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/prefixed.db" ]
	[ ! -e "$SQLITE_PATH" ]
}

@test "a read of a datastore that does not exist yet is empty and creates nothing" {
	# (a digest of a SQLite file would open, and so create, the file)
	[ "$(test_backend)" = sqlite ] || before=$(datastore_digest)
	run_split calicoctl get bgppeers
	[ "$status" -eq 0 ]
	[ "$stdout" = "NAME   PEERIP   NODE   ASN   " ]
	if [ "$(test_backend)" = sqlite ]; then
		[ ! -e "$SQLITE_PATH" ]
	else
		[ "$(datastore_digest)" = "$before" ]
	fi
}
