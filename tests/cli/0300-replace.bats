#!/usr/bin/env bats
# replace: update semantics and calicoctl's counting quirk.

load ../lib/common

setup() {
	setup_datastore
}

@test "replace an existing resource" {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	run_split calicoctl replace -f - <<<"$(peer_yaml p 192.0.2.1 2)"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully replaced 1 'BGPPeer' resource(s)" ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"asNumber: 2"* ]]
}

@test "replacing a missing resource: the partial-success quirk" {
	run_split calicoctl replace -f - <<<"$(peer_yaml nope 192.0.2.1 1)"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Partial success: replaced the first 1 out of 1 'BGPPeer' resources:" ]
	[ "$stderr" = "hit error: resource does not exist: BGPPeer(nope) with error: <nil>" ]
}

@test "replace keeps only the last error, counts failures as handled" {
	calicoctl create -f - <<<"$(peer_yaml a 192.0.2.1 1)" >/dev/null
	f=$( { peer_yaml x 192.0.2.1 1; echo ---; peer_yaml a 192.0.2.1 5; echo ---; peer_yaml y1 192.0.2.1 1; } | manifest m.yaml)
	run_split calicoctl replace -f "$f"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Partial success: replaced the first 3 out of 3 'BGPPeer' resources:" ]
	[ "$stderr" = "hit error: resource does not exist: BGPPeer(y1) with error: <nil>" ]
	run calicoctl get bgppeer a -o yaml
	[[ "$output" == *"asNumber: 5"* ]]
}

@test "replace with a stale resourceVersion is an update conflict" {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	calicoctl get bgppeer p -o yaml | manifest old.yaml >/dev/null
	calicoctl replace -f - <<<"$(peer_yaml p 192.0.2.1 2)" >/dev/null
	before=$(datastore_digest)
	run_split calicoctl replace -f "$BATS_TEST_TMPDIR/old.yaml"
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: update conflict: BGPPeer(p)" ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "replace with the current resourceVersion succeeds" {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	f=$(calicoctl get bgppeer p -o yaml | sed 's/asNumber: 1/asNumber: 7/' | manifest cur.yaml)
	run_split calicoctl replace -f "$f"
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"asNumber: 7"* ]]
}
