#!/usr/bin/env bats
# create: files, stdin, directories, lists, --skip-exists, counting quirks.

load ../lib/common

setup() {
	setup_datastore
}

@test "create one resource from a file" {
	f=$(peer_yaml my-global-peer 192.20.30.40 64567 | manifest peer.yaml)
	run_split calicoctl create -f "$f"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 1 'BGPPeer' resource(s)" ]
	[ -z "$stderr" ]
	run calicoctl get bgppeer my-global-peer -o yaml
	[ "$status" -eq 0 ]
	[[ "$output" == *"peerIP: 192.20.30.40"* ]]
	[[ "$output" == *"asNumber: 64567"* ]]
	[[ "$output" == *"uid: "* ]]
	[[ "$output" == *"creationTimestamp: "* ]]
}

@test "create from stdin, multi-document, mixed kinds" {
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: a
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 64512
	---
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata:
	  name: pool1
	spec:
	  cidr: 10.1.0.0/16
	YAML
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 2 resource(s)" ]
}

@test "create accepts JSON, arrays and typed Lists" {
	run_split calicoctl create -f - <<-'JSON'
	[{"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer", "metadata": {"name": "j1"}, "spec": {"peerIP": "192.0.2.1", "asNumber": 1}},
	 {"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer", "metadata": {"name": "j2"}, "spec": {"peerIP": "192.0.2.2", "asNumber": 2}}]
	JSON
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 2 'BGPPeer' resource(s)" ]
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeerList
	items:
	- apiVersion: projectcalico.org/v3
	  kind: BGPPeer
	  metadata:
	    name: l1
	  spec:
	    peerIP: 192.0.2.3
	    asNumber: 3
	- apiVersion: projectcalico.org/v3
	  kind: BGPPeer
	  metadata:
	    name: l2
	  spec:
	    peerIP: 192.0.2.4
	    asNumber: 4
	YAML
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 2 'BGPPeer' resource(s)" ]
}

@test "create from a directory, and -R for sub-directories" {
	mkdir -p "$BATS_TEST_TMPDIR/d/sub"
	peer_yaml d1 192.0.2.1 1 >"$BATS_TEST_TMPDIR/d/a.yaml"
	peer_yaml d2 192.0.2.2 2 >"$BATS_TEST_TMPDIR/d/b.YML"
	echo "not a manifest" >"$BATS_TEST_TMPDIR/d/readme.txt"
	peer_yaml d3 192.0.2.3 3 >"$BATS_TEST_TMPDIR/d/sub/c.yaml"
	run_split calicoctl create -f "$BATS_TEST_TMPDIR/d"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 2 'BGPPeer' resource(s)" ]
	run_split calicoctl create -f "$BATS_TEST_TMPDIR/d" -R --skip-exists
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 3 'BGPPeer' resource(s)" ]
	run calicoctl get bgppeer d3
	[ "$status" -eq 0 ]
}

@test "an existing resource fails create, --skip-exists counts it as created" {
	peer_yaml p 192.0.2.1 1 | calicoctl create -f - >/dev/null
	run_split calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)"
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = "failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(p) with error: <nil>]" ]
	run_split calicoctl create --skip-exists -f - <<<"$(peer_yaml p 192.0.2.1 1)"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 1 'BGPPeer' resource(s)" ]
}

@test "partial success is reported only when successes outnumber failures" {
	peer_yaml x 192.0.2.1 1 | calicoctl create -f - >/dev/null
	f=$( { peer_yaml a 192.0.2.2 1; echo ---; peer_yaml x 192.0.2.1 1; echo ---; peer_yaml b 192.0.2.3 1; } | manifest m.yaml)
	run_split calicoctl create -f "$f"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Partial success: created the first 2 out of 3 'BGPPeer' resources:" ]
	[ "$stderr" = "hit error: [resource already exists: BGPPeer(x) with error: <nil>]" ]
	run calicoctl get bgppeer a b
	[ "$status" -eq 0 ]

	f=$( { peer_yaml c 192.0.2.4 1; echo ---; peer_yaml x 192.0.2.1 1; echo ---; peer_yaml a 192.0.2.2 1; } | manifest m2.yaml)
	run_split calicoctl create -f "$f"
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = "hit error: [resource already exists: BGPPeer(x) with error: <nil> resource already exists: BGPPeer(a) with error: <nil>]" ]
	run calicoctl get bgppeer c
	[ "$status" -eq 0 ]
}

@test "all of several resources failing" {
	peer_yaml x 192.0.2.1 1 | calicoctl create -f - >/dev/null
	peer_yaml y1 192.0.2.2 1 | calicoctl create -f - >/dev/null
	run_split calicoctl create -f - <<<"$(peer_yaml x 192.0.2.1 1; echo ---; peer_yaml y1 192.0.2.2 1)"
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to create any 'BGPPeer' resources: [resource already exists: BGPPeer(x) with error: <nil> resource already exists: BGPPeer(y1) with error: <nil>]" ]
}

@test "empty input: an error, or 'No resources specified' with --skip-empty" {
	f=$(manifest empty.yaml </dev/null)
	run_split calicoctl create -f "$f"
	[ "$status" -eq 1 ]
	[ "$stderr" = "no resources specified in file $f" ]
	run_split calicoctl create -f "$f" --skip-empty
	[ "$status" -eq 0 ]
	[ "$stdout" = "No resources specified" ]
	mkdir "$BATS_TEST_TMPDIR/emptydir"
	run_split calicoctl create -f "$BATS_TEST_TMPDIR/emptydir"
	[ "$status" -eq 1 ]
	[ "$stderr" = "no resources specified in directory $BATS_TEST_TMPDIR/emptydir" ]
}

@test "a resourceVersion in the input is refused by create" {
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: rv
	  resourceVersion: "12"
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 1
	YAML
	[ "$status" -eq 1 ]
	[[ "$stderr" == "failed to create 'BGPPeer' resource: [error with field Metadata.ResourceVersion = '12' (field must not be set for a Create request)]" ]]
}

@test "create keeps only name, labels and annotations of the input metadata" {
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: md
	  uid: 11111111-2222-3333-4444-555555555555
	  creationTimestamp: "2001-01-01T00:00:00Z"
	  labels:
	    a: b
	  annotations:
	    note: kept
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 1
	YAML
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer md -o yaml
	[[ "$output" != *"11111111-2222"* ]]
	[[ "$output" != *"2001-01-01"* ]]
	[[ "$output" == *"note: kept"* ]]
	[[ "$output" == *"a: b"* ]]
}

@test "create initializes ClusterInformation default" {
	peer_yaml p 192.0.2.1 1 | calicoctl create -f - >/dev/null
	run calicoctl get clusterinformation default -o yaml
	[ "$status" -eq 0 ]
	[[ "$output" == *"clusterGUID: "* ]]
	[[ "$output" == *"datastoreReady: true"* ]]
}

@test "10,000 BGPPeers in one create call" {
	for i in $(seq 1 10000); do
		printf -- '---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: peer-%d\nspec:\n  peerIP: 10.%d.%d.%d\n  asNumber: 64512\n' \
			"$i" $((i / 65536)) $((i / 256 % 256)) $((i % 256))
	done >"$BATS_TEST_TMPDIR/many.yaml"
	run_split calicoctl create -f "$BATS_TEST_TMPDIR/many.yaml"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully created 10000 'BGPPeer' resource(s)" ]
	run calicoctl get bgppeers -o json
	[ "$(echo "$output" | grep -c '"kind": "BGPPeer"')" -eq 10000 ]
}
