#!/usr/bin/env bats
# delete: by kind and names, by file, --skip-not-exists, per-failure lines.

load ../lib/common

setup() {
	setup_datastore
	calicoctl create -f - >/dev/null <<<"$(peer_yaml a 192.0.2.1 1; echo ---; peer_yaml b 192.0.2.2 1; echo ---; peer_yaml c 192.0.2.3 1)"
}

@test "delete by kind alias and names" {
	run_split calicoctl delete bgpp a b
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 2 'BGPPeer' resource(s)" ]
	run calicoctl get bgppeer a
	[ "$status" -eq 1 ]
	run calicoctl get bgppeer c
	[ "$status" -eq 0 ]
}

@test "a partly failing delete prints success and the failures, exit 1" {
	run_split calicoctl delete bgppeers a nope1 nope2
	[ "$status" -eq 1 ]
	[ "$stdout" = "Successfully deleted 1 'BGPPeer' resource(s)" ]
	[ "$stderr" = $'Failed to delete \'BGPPeer\' resource: resource does not exist: BGPPeer(nope1) with error: <nil>\nFailed to delete \'BGPPeer\' resource: resource does not exist: BGPPeer(nope2) with error: <nil>' ]
	# calicoctl ends the list with an extra blank line
	calicoctl delete bgppeers nope3 2>"$BATS_TEST_TMPDIR/err" || true
	[ "$(tail -c 2 "$BATS_TEST_TMPDIR/err" | od -An -c | tr -d ' ')" = '\n\n' ]
}

@test "--skip-not-exists and -s count missing resources as deleted" {
	run_split calicoctl delete bgppeer nope --skip-not-exists
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 1 'BGPPeer' resource(s)" ]
	run_split calicoctl delete -s bgppeer nope a
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 2 'BGPPeer' resource(s)" ]
}

@test "delete by file, honouring the file's resourceVersion" {
	f=$(calicoctl get bgppeer b -o yaml | manifest b.yaml)
	calicoctl apply -f - <<<"$(peer_yaml b 192.0.2.2 9)" >/dev/null
	run_split calicoctl delete -f "$f"
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Failed to delete \'BGPPeer\' resource: update conflict: BGPPeer(b)' ]
	f=$(peer_yaml b 192.0.2.2 9 | manifest b2.yaml)
	run_split calicoctl delete -f "$f"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 1 'BGPPeer' resource(s)" ]
}

@test "delete of mixed kinds from a file" {
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata:
	  name: pool1
	spec:
	  cidr: 10.1.0.0/16
	YAML
	f=$( { peer_yaml c 192.0.2.3 1; echo ---; printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pool1\n'; } | manifest mixed.yaml)
	run_split calicoctl delete -f "$f"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 2 resource(s)" ]
	run_split calicoctl delete -f "$f"
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[[ "$stderr" == "Failed to delete resource: resource does not exist: BGPPeer(c) with error: <nil>"* ]]
}

@test "unknown kind and empty names" {
	run_split calicoctl delete bgpwidget x
	[ "$status" -eq 1 ]
	[ "$stderr" = "resource type 'bgpwidget' is not supported" ]
	run_split calicoctl delete bgppeer ""
	[ "$status" -eq 1 ]
	[ "$stderr" = "resource name may not be empty" ]
}

@test "namespaces do not apply to our kinds" {
	run_split calicoctl delete bgppeer a -n default
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Failed to delete \'BGPPeer\' resource: BGPPeer is not namespaced' ]
}
