#!/usr/bin/env bats
# apply: create or replace, whole-spec replacement, counting.

load ../lib/common

setup() {
	setup_datastore
}

@test "apply creates, then replaces the whole spec" {
	run_split calicoctl apply -f - <<<"$(peer_yaml p 192.0.2.1 64512)"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully applied 1 'BGPPeer' resource(s)" ]
	run_split calicoctl apply -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: p
	spec:
	  peerIP: 192.0.2.9
	  asNumber: 64513
	  node: node-1
	YAML
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"peerIP: 192.0.2.9"* ]]
	[[ "$output" == *"node: node-1"* ]]
	[[ "$output" == *"asNumber: 64513"* ]]
}

@test "apply keeps uid and creationTimestamp, takes labels from the input" {
	run calicoctl apply -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: p
	  labels:
	    old: label
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 1
	YAML
	uid1=$(calicoctl get bgppeer p -o yaml | grep 'uid:')
	ts1=$(calicoctl get bgppeer p -o yaml | grep 'creationTimestamp:')
	run calicoctl apply -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: p
	  labels:
	    new: label
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 1
	YAML
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"$uid1"* ]]
	[[ "$output" == *"$ts1"* ]]
	[[ "$output" == *"new: label"* ]]
	[[ "$output" != *"old: label"* ]]
}

@test "apply with a stale resourceVersion is a conflict; the right one succeeds" {
	calicoctl apply -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	rv=$(calicoctl get bgppeer p -o json | sed -n 's/.*"resourceVersion": "\([0-9]*\)".*/\1/p')
	calicoctl apply -f - <<<"$(peer_yaml p 192.0.2.1 2)" >/dev/null
	f=$(calicoctl get bgppeer p -o yaml | sed "s/resourceVersion: .*/resourceVersion: \"$rv\"/" | manifest stale.yaml)
	run_split calicoctl apply -f "$f"
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to apply 'BGPPeer' resource: [update conflict: BGPPeer(p)]" ]
	calicoctl get bgppeer p -o yaml | manifest fresh.yaml >/dev/null
	run_split calicoctl apply -f "$BATS_TEST_TMPDIR/fresh.yaml"
	[ "$status" -eq 0 ]
}

@test "apply of a resource that does not exist, carrying a resourceVersion, creates it" {
	run_split calicoctl apply -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: fresh
	  resourceVersion: "42"
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 1
	YAML
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully applied 1 'BGPPeer' resource(s)" ]
}

@test "apply partial failure uses 'hit error(s)'" {
	f=$( { peer_yaml a 192.0.2.1 1; echo ---; peer_yaml b 1.2.3 1; echo ---; peer_yaml c 192.0.2.3 1; } | manifest m.yaml)
	run_split calicoctl apply -f "$f"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Partial success: applied the first 2 out of 3 'BGPPeer' resources:" ]
	[[ "$stderr" == "hit error(s): [error with field PeerIP = '1.2.3' "* ]]
	run calicoctl get bgppeer a c
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer b
	[ "$status" -eq 1 ]
}

@test "ClusterInformation is read-only for apply" {
	peer_yaml p 192.0.2.1 1 | calicoctl create -f - >/dev/null
	f=$(calicoctl get clusterinformation default -o yaml | manifest ci.yaml)
	run_split calicoctl apply -f "$f"
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to apply 'ClusterInformation' resource: [operation apply is not supported on ClusterInformation: resource is readonly]" ]
}
