#!/usr/bin/env bats
# label: set, update, overwrite, remove, and every error message.

load ../lib/common

setup() {
	setup_datastore
	seed_nodes
}

@test "set a new label, echoing kind and name as typed" {
	run_split calicoctl label nodes my-node route-reflector=true
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully set label route-reflector on nodes my-node" ]
	run calicoctl get node my-node -o yaml
	[[ "$output" == *'route-reflector: "true"'* ]]
}

@test "the same value again is an update; a new value needs --overwrite" {
	calicoctl label node node-1 cluster=a >/dev/null
	run_split calicoctl label node node-1 cluster=a
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully updated label cluster on node node-1" ]
	run_split calicoctl label node node-1 cluster=b
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to update label of node node-1, key cluster is already present. please use '--overwrite' to set a new value." ]
	run_split calicoctl label node node-1 cluster=b --overwrite
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully updated label cluster on node node-1" ]
	run calicoctl get node node-1 -o yaml
	[[ "$output" == *"cluster: b"* ]]
	[[ "$output" == *"rack: rack-1"* ]]
}

@test "remove a label" {
	run_split calicoctl label node node-1 rack --remove
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully removed label rack from node node-1" ]
	run_split calicoctl label node node-1 rack --remove
	[ "$status" -eq 1 ]
	[ "$stderr" = "cannot remove label of node node-1, key rack does not exist" ]
}

@test "label errors" {
	run_split calicoctl label node node-1 a=b=c
	[ "$status" -eq 1 ]
	[ "$stderr" = "invalid label a=b=c" ]
	run_split calicoctl label node node-1 novalue
	[ "$status" -eq 1 ]
	[ "$stderr" = "invalid label novalue" ]
	run_split calicoctl label node nope a=b
	[ "$status" -eq 1 ]
	[ "$stderr" = "node nope not found" ]
	run_split calicoctl label bgpwidget x a=b
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to get bgpwidget x, error resource type 'bgpwidget' is not supported" ]
	before=$(datastore_digest)
	run_split calicoctl label node node-1 'bad key!=x'
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to update node node-1, label not changed" ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "label works on every kind" {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	run calicoctl label bgppeer p x=z
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p -o yaml
	[[ "$output" == *"x: z"* ]]
}
