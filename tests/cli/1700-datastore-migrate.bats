#!/usr/bin/env bats
# datastore migrate lock / unlock / export / import (issue 8): calicoctl's
# commands and messages, moving resources between our datastores. Runs on
# the suite's backend (SQLite or etcd); the round trip goes through a
# SQLite file, the configured datastore, and a SQLite file again.

load ../lib/common

setup() {
	setup_datastore
}

# with_sqlite FILE CMD...: runs CMD against a SQLite datastore FILE,
# whatever the suite's backend.
with_sqlite() {
	local file=$1
	shift
	DATASTORE_TYPE=sqlite SQLITE_PATH="$BATS_TEST_TMPDIR/$file" "$@"
}

seed() {
	calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node-1
	  labels:
	    rack: rack-1
	  annotations:
	    note: kept
	spec:
	  bgp:
	    ipv4Address: 10.0.0.1/24
	    asNumber: 64512
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node-2
	spec:
	  bgp:
	    ipv6Address: fd00::2/64
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: tor
	spec:
	  peerIP: 10.0.0.254
	  asNumber: 64567
	  nodeSelector: rack == 'rack-1'
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: node-1-rr
	spec:
	  node: node-1
	  peerIP: 10.0.0.2
	  asNumber: 64512
	---
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata:
	  name: pods
	spec:
	  cidr: 10.244.0.0/16
	  ipipMode: CrossSubnet
	---
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  asNumber: 64512
	  nodeToNodeMeshEnabled: false
	  logSeverityScreen: Info
	YAML
}

@test "lock and unlock flip ClusterInformation datastoreReady" {
	run_split calicoctl datastore migrate lock
	[ "$status" -eq 0 ]
	[ "$stdout" = "Datastore locked." ]
	run calicoctl get clusterinfo default -o json
	[ "$(jq -r .spec.datastoreReady <<<"$output")" = false ]
	guid=$(jq -r .spec.clusterGUID <<<"$output")
	[ ${#guid} -eq 32 ]
	run_split calicoctl datastore migrate unlock
	[ "$status" -eq 0 ]
	[ "$stdout" = "Datastore unlocked." ]
	run calicoctl get clusterinfo default -o json
	[ "$(jq -r .spec.datastoreReady <<<"$output")" = true ]
	# the GUID survives both
	[ "$(jq -r .spec.clusterGUID <<<"$output")" = "$guid" ]
}

@test "unlock without a ClusterInformation fails as calicoctl does" {
	run_split calicoctl datastore migrate unlock
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error retrieving ClusterInformation for unlocking: resource does not exist: ClusterInformation(default) with error: <nil>" ]
}

@test "export refuses a datastore that is not locked" {
	run_split calicoctl datastore migrate export
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = "error while checking if datastore was locked: resource does not exist: ClusterInformation(default) with error: <nil>" ]
	seed >/dev/null
	run_split calicoctl datastore migrate export
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = 'datastore is not locked. Run the `calicoctl datastore migrate lock` command in order to begin migration' ]
}

@test "export: one List per kind in calicoctl's order, ClusterInformation, empty IPAM" {
	seed >/dev/null
	calicoctl datastore migrate lock >/dev/null
	run_split calicoctl datastore migrate export
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# the three sections
	[ "$(grep -c '^===$' <<<"$stdout")" -eq 2 ]
	[ "$(tail -n 1 <<<"$stdout")" = "{}" ]
	[ "$(grep '^kind: ' <<<"$stdout" | tr '\n' ' ')" = "kind: IPPoolList kind: BGPPeerList kind: NodeList kind: BGPConfigurationList " ]
	[ "$(grep -c '^---$' <<<"$stdout")" -eq 4 ]
	# nothing that ties a resource to this datastore
	! grep -Eq 'uid:|resourceVersion:|creationTimestamp: "' <<<"$stdout"
	# every resource is there, items sorted by name
	yaml=$(sed '/^===$/,$d' <<<"$stdout")
	[ "$(awk '/^    name: /{printf "%s ", $2}' <<<"$yaml")" = "pods node-1-rr tor node-1 node-2 default " ]
	grep -q '^      rack: rack-1$' <<<"$yaml"
	grep -q '^      note: kept$' <<<"$yaml"
	# the ClusterInformation section is Go-indented JSON of the locked datastore
	ci=$(sed -n '/^===$/,/^===$/p' <<<"$stdout" | sed '1d;$d')
	[ "$(jq -r .kind <<<"$ci")" = ClusterInformation ]
	[ "$(jq -r .spec.datastoreReady <<<"$ci")" = false ]
	[ "$(jq -r '.metadata.uid // "none"' <<<"$ci")" = none ]
}

@test "round trip SQLite -> this backend -> SQLite: export output identical byte for byte" {
	with_sqlite src.db seed >/dev/null
	with_sqlite src.db calicoctl datastore migrate lock >/dev/null
	with_sqlite src.db calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e1"

	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/e1"
	[ "$status" -eq 0 ]
	[ "$stdout" = $'Datastore locked.\nSuccessfully applied 6 resource(s)\nDatastore information successfully imported. Please refer to the datastore migration documentation for next steps.' ]
	calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e2"
	cmp "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e2"

	with_sqlite back.db calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/e2" >/dev/null
	with_sqlite back.db calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e3"
	cmp "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e3"

	# the same resources as the source, read back through get
	for kind in nodes bgppeers ippools bgpconfigurations; do
		diff <(with_sqlite src.db calicoctl get "$kind" -o yaml | grep -Ev 'uid:|resourceVersion:|creationTimestamp:') \
			<(calicoctl get "$kind" -o yaml | grep -Ev 'uid:|resourceVersion:|creationTimestamp:')
	done
}

@test "import keeps the cluster GUID, assigns new uids and leaves the target locked" {
	with_sqlite src.db seed >/dev/null
	with_sqlite src.db calicoctl datastore migrate lock >/dev/null
	with_sqlite src.db calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e1"
	calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/e1" >/dev/null

	src_ci=$(with_sqlite src.db calicoctl get clusterinfo default -o json)
	run calicoctl get clusterinfo default -o json
	[ "$(jq -r .spec.clusterGUID <<<"$output")" = "$(jq -r .spec.clusterGUID <<<"$src_ci")" ]
	[ "$(jq -r .spec.datastoreReady <<<"$output")" = false ]
	src_uid=$(with_sqlite src.db calicoctl get node node-1 -o json | jq -r .metadata.uid)
	uid=$(calicoctl get node node-1 -o json | jq -r .metadata.uid)
	[ -n "$uid" ] && [ "$uid" != null ] && [ "$uid" != "$src_uid" ]
	run_split calicoctl datastore migrate unlock
	[ "$stdout" = "Datastore unlocked." ]
	# an ordinary write works afterwards
	calicoctl create -f - <<<"$(peer_yaml after 192.0.2.9 65009)"
}

@test "import from stdin" {
	with_sqlite src.db seed >/dev/null
	with_sqlite src.db calicoctl datastore migrate lock >/dev/null
	with_sqlite src.db calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e1"
	run_split calicoctl datastore migrate import -f - <"$BATS_TEST_TMPDIR/e1"
	[ "$status" -eq 0 ]
	[ "$(calicoctl get bgppeers -o json | jq '.items | length')" -eq 2 ]
}

@test "import refuses a target that holds Calico resources, and writes nothing" {
	with_sqlite src.db seed >/dev/null
	with_sqlite src.db calicoctl datastore migrate lock >/dev/null
	with_sqlite src.db calicoctl datastore migrate export >"$BATS_TEST_TMPDIR/e1"
	calicoctl create -f - <<<"$(peer_yaml already 192.0.2.1 65001)" >/dev/null
	before=$(datastore_digest)
	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/e1"
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = "Datastore already has Calico resources: Found existing Calico BGPPeer resource. Clear out all Calico resources before importing." ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "import of a file that is not an export changes nothing" {
	before=$(datastore_digest)
	peer_yaml p 192.0.2.1 65001 >"$BATS_TEST_TMPDIR/plain.yaml"
	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/plain.yaml"
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error while reading migration file: Imported file: $BATS_TEST_TMPDIR/plain.yaml is improperly formatted. Try recreating with 'calicoctl export'" ]
	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error while reading migration file: open $BATS_TEST_TMPDIR/missing: no such file or directory" ]
	# a bad resource in the YAML part: refused before anything is written
	printf '%s\n---\n===\n{"kind":"ClusterInformation"}\n===\n{}\n' "$(peer_yaml bad 1.2.3 65001)" >"$BATS_TEST_TMPDIR/bad"
	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/bad"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Failed to import v3 resources: Failed to import v3 resources: Hit error(s): [error with field PeerIP = '1.2.3'"* ]]
	# IPAM data cannot be stored here
	printf -- '---\n===\n{}\n===\n{"blocks":[{"Key":"/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26"}]}\n' >"$BATS_TEST_TMPDIR/ipam"
	run_split calicoctl datastore migrate import -f "$BATS_TEST_TMPDIR/ipam"
	[ "$status" -eq 1 ]
	[ "$stderr" = "Failed to read IPAM resources: the file has IPAM blocks, which this datastore does not store" ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "datastore: usage, help and the four migrate commands" {
	run_split calicoctl datastore migrate import
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Usage:\n  calicoctl datastore migrate import --filename=<FILENAME> [--config=<CONFIG>] [--allow-version-mismatch]' ]
	run_split calicoctl datastore migrate export extra
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Usage:\n  calicoctl datastore migrate export [--config=<CONFIG>] [--allow-version-mismatch]' ]
	run_split calicoctl datastore migrate nope
	[ "$status" -eq 1 ]
	[[ "$stderr" == $'Usage:\n  calicoctl datastore migrate <command> [<args>...]'* ]]
	run_split calicoctl datastore --help
	[ "$status" -eq 0 ]
	[[ "$stdout" == *"    migrate  Migrate the contents of one datastore (sqlite or etcdv3) to another."* ]]
	run_split calicoctl --help
	[[ "$stdout" == *$'\n    datastore    Calico datastore management.\n'* ]]
	run_split calicoctl datastore migrate export -h
	[ "$status" -eq 0 ]
	[[ "$stdout" == *$'    - IPPools\n    - BGPPeers\n    - Nodes\n    - BGPConfigurations\n'* ]]
}

@test "completion and man page know datastore migrate" {
	run calicoctl __complete datastore ''
	[ "$output" = migrate ]
	run calicoctl __complete datastore migrate ''
	[ "$output" = "$(printf 'export\nimport\nlock\nunlock')" ]
	run calicoctl __complete datastore migrate import --f
	[ "$output" = "--filename" ]
	run bash -c '
		source "$1/completions/calicoctl.bash"
		COMP_WORDS=(calicoctl datastore migrate ex)
		COMP_CWORD=3
		PATH="$(dirname "$2"):$PATH"
		_calicoctl
		printf "%s\n" "${COMPREPLY[@]}"' _ "$BATS_TEST_DIRNAME/../.." "$CALICOCTL"
	[ "$output" = export ]
	run calicoctl __complete --scdoc datastore
	[ "$status" -eq 0 ]
	grep -q '^## datastore migrate import$' <<<"$output"
	grep -q '^## datastore migrate unlock$' <<<"$output"
}
