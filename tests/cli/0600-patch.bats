#!/usr/bin/env bats
# patch: JSON or YAML merge patch, -t ignored, errors.

load ../lib/common

setup() {
	setup_datastore
	seed_nodes
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 64512)" >/dev/null
}

@test "patch a node's spec, keeping what the patch does not name" {
	run_split calicoctl patch node my-node -p '{"spec": {"bgp": {"routeReflectorClusterID": "244.0.0.1"}}}'
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully patched 1 'Node' resource" ]
	run calicoctl get node my-node -o yaml
	[[ "$output" == *"routeReflectorClusterID: 244.0.0.1"* ]]
	[[ "$output" == *"ipv4Address: 10.0.0.3/24"* ]]
}

@test "patch accepts YAML, --patch=, and ignores --type" {
	run_split calicoctl patch bgppeer p --patch='spec: {asNumber: 65000}'
	[ "$status" -eq 0 ]
	run_split calicoctl patch bgppeers p -p '{"spec":{"asNumber": "65001"}}' --type json
	[ "$status" -eq 0 ]
	run_split calicoctl patch bgpp p -t merge -p '{"spec":{"peerIP": "192.0.2.7"}}'
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"asNumber: 65001"* ]]
	[[ "$output" == *"peerIP: 192.0.2.7"* ]]
}

@test "null in a patch removes a field; lists are replaced" {
	calicoctl patch bgppeer p -p '{"metadata": {"labels": {"a": "1", "b": "2"}}}' >/dev/null
	calicoctl patch bgppeer p -p '{"metadata": {"labels": {"a": null}}}' >/dev/null
	run calicoctl get bgppeer p -o yaml
	[[ "$output" != *"a: \"1\""* ]]
	[[ "$output" == *'b: "2"'* ]]
}

@test "patch of a missing resource or an unknown kind" {
	run_split calicoctl patch bgppeer nope -p '{"spec":{}}'
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: resource does not exist: BGPPeer(nope) with error: <nil>" ]
	run_split calicoctl patch bgpwidget x -p '{}'
	[ "$status" -eq 1 ]
	[ "$stderr" = "resource type 'bgpwidget' is not supported" ]
}

@test "bad patches leave the resource unchanged" {
	before=$(datastore_digest)
	run_split calicoctl patch bgppeer p -p '{"spec": '
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: performing strategic merge patch: invalid JSON document" ]
	run_split calicoctl patch bgppeer p -p '[1, 2]'
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: performing strategic merge patch: invalid JSON document" ]
	run_split calicoctl patch bgppeer p -p '{"spec": {"bogusField": 1}}'
	[ "$status" -eq 1 ]
	[ "$stderr" = "field in document is not recognized or is in the wrong location: bogusField" ]
	run_split calicoctl patch bgppeer p -p '{"spec": {"peerIP": "300.1.1.1"}}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == "hit error: updating existing resource: error with field PeerIP = '300.1.1.1'"* ]]
	run_split calicoctl patch bgppeer p -p '{"spec": {"asNumber": "abc"}}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == "hit error: creating resource from patched data: "* ]]
	run_split calicoctl patch bgppeer p -p '{"spec": {"peerSelector": "has(("}}'
	[ "$status" -eq 1 ]
	[ "$(datastore_digest)" = "$before" ]
}
