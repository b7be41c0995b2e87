#!/usr/bin/env bats
# The remaining flags of every command: --context (accepted; there is no
# Kubernetes here), -n/--namespace (our kinds are cluster-scoped), -c on
# version, -o yml, -R with get/delete, -t values.

load ../lib/common

setup() {
	setup_datastore
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
}

@test "--context is accepted by every datastore command and at the top level" {
	f=$(peer_yaml q 192.0.2.2 1 | manifest q.yaml)
	run calicoctl create -f "$f" --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl apply -f "$f" --context kind-a
	[ "$status" -eq 0 ]
	run calicoctl replace -f "$f" --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer q --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl patch bgppeer q -p '{}' --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl label bgppeer q a=b --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl delete bgppeer q --context=kind-a
	[ "$status" -eq 0 ]
	run calicoctl --context=kind-a get bgppeers
	[ "$status" -eq 0 ]
}

@test "-n on cluster-scoped kinds fails for every command, writing nothing" {
	f=$(peer_yaml q 192.0.2.2 1 | manifest q.yaml)
	before=$(datastore_digest)
	run_split calicoctl create -f "$f" -n ns1
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to create 'BGPPeer' resource: [BGPPeer is not namespaced]" ]
	run_split calicoctl apply -f "$f" --namespace=ns1
	[ "$stderr" = "failed to apply 'BGPPeer' resource: [BGPPeer is not namespaced]" ]
	run_split calicoctl replace -f "$f" -n ns1
	[ "$status" -eq 1 ]
	[ "$stderr" = "hit error: BGPPeer is not namespaced" ]
	run_split calicoctl get bgppeer p -n ns1
	[ "$stderr" = "BGPPeer is not namespaced" ]
	run_split calicoctl patch bgppeer p -p '{}' -n ns1
	[ "$status" -eq 1 ]
	run_split calicoctl label bgppeer p a=b -n ns1
	[ "$stderr" = "bgppeer p not found" ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "version -c uses the given config file" {
	calicoctl get bgppeers >/dev/null
	cfg=$(backend_config_file "$BATS_TEST_TMPDIR/c.cfg")
	run_split calicoctl version -c "$cfg"
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | sed -n 3p)" = "Cluster Version:   unknown" ]
	run_split calicoctl version --config "$BATS_TEST_TMPDIR/none.cfg"
	[ "$status" -eq 1 ]
}

@test "-o yml is yaml" {
	a=$(calicoctl get bgppeer p -o yaml)
	b=$(calicoctl get bgppeer p -o yml)
	[ "$a" = "$b" ]
}

@test "get and delete with -f on a directory, recursively" {
	mkdir -p "$BATS_TEST_TMPDIR/d/sub"
	peer_yaml p 192.0.2.1 1 >"$BATS_TEST_TMPDIR/d/sub/p.yaml"
	run_split calicoctl get -f "$BATS_TEST_TMPDIR/d" -R -o yaml
	[ "$status" -eq 0 ]
	[[ "$stdout" == *"name: p"* ]]
	run_split calicoctl get -f "$BATS_TEST_TMPDIR/d"
	[ "$status" -eq 1 ]
	[ "$stderr" = "no resources specified in directory $BATS_TEST_TMPDIR/d" ]
	run_split calicoctl get -f "$BATS_TEST_TMPDIR/d" --skip-empty -o yaml
	[ "$status" -eq 0 ]
	[ "$stdout" = "null" ]
	run_split calicoctl delete -R --filename="$BATS_TEST_TMPDIR/d"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 1 'BGPPeer' resource(s)" ]
}

@test "patch --type accepts any value and still merges" {
	for t in strategic json merge anything; do
		run calicoctl patch bgppeer p --type "$t" -p '{"spec": {"asNumber": 7}}'
		[ "$status" -eq 0 ]
	done
}
