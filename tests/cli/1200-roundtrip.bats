#!/usr/bin/env bats
# `get -o yaml|json` output is valid input, and re-applying it changes
# nothing but the resourceVersion.

load ../lib/common

setup() {
	setup_datastore
	seed_nodes
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: full
	  labels:
	    a: b
	  annotations:
	    note: "x: y"
	spec:
	  peerIP: 192.0.2.1:1790
	  asNumber: 64512
	  node: node-1
	  keepaliveTime: 30s
	  maxRestartTime: 2m
	  sourceAddress: None
	  ttlSecurity: 1
	---
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  asNumber: 64513
	  nodeToNodeMeshEnabled: false
	  serviceClusterIPs:
	  - cidr: 10.96.0.0/12
	---
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata:
	  name: pool1
	spec:
	  cidr: 10.1.0.0/16
	  vxlanMode: CrossSubnet
	YAML
}

# The output without resourceVersion lines, to compare content.
content() {
	calicoctl get "$@" | grep -v resourceVersion
}

@test "get -o yaml of each kind re-applies unchanged" {
	for kind in bgppeers nodes bgpconfigurations ippools; do
		first=$(content "$kind" -o yaml)
		calicoctl get "$kind" -o yaml >"$BATS_TEST_TMPDIR/$kind.yaml"
		run_split calicoctl apply -f "$BATS_TEST_TMPDIR/$kind.yaml"
		[ "$status" -eq 0 ] || { echo "$kind: $stderr"; false; }
		[ "$(content "$kind" -o yaml)" = "$first" ]
	done
}

@test "get -o json re-applies unchanged, named and listed" {
	first=$(content bgppeer full -o json)
	calicoctl get bgppeer full -o json | calicoctl apply -f - >/dev/null
	[ "$(content bgppeer full -o json)" = "$first" ]
	calicoctl get bgppeers -o json | calicoctl apply -f - >/dev/null
	[ "$(content bgppeer full -o json)" = "$first" ]
}

@test "get -o yaml output is accepted by replace, get, delete and create" {
	calicoctl get bgppeer full -o yaml >"$BATS_TEST_TMPDIR/p.yaml"
	run calicoctl replace -f "$BATS_TEST_TMPDIR/p.yaml"
	[ "$status" -eq 0 ]
	run calicoctl get -f "$BATS_TEST_TMPDIR/p.yaml"
	[ "$status" -eq 0 ]
	calicoctl get bgppeer full -o yaml >"$BATS_TEST_TMPDIR/p.yaml"
	run calicoctl delete -f "$BATS_TEST_TMPDIR/p.yaml"
	[ "$status" -eq 0 ]
	# create refuses the resourceVersion, as calicoctl does; --export drops it
	calicoctl get nodes node-1 -o yaml --export >"$BATS_TEST_TMPDIR/n.yaml"
	calicoctl delete node node-1 >/dev/null
	run calicoctl create -f "$BATS_TEST_TMPDIR/n.yaml"
	[ "$status" -eq 0 ]
}

@test "multiple named objects (a YAML sequence) re-apply" {
	calicoctl get nodes node-1 node-2 -o yaml >"$BATS_TEST_TMPDIR/two.yaml"
	[[ "$(head -1 "$BATS_TEST_TMPDIR/two.yaml")" == "- apiVersion: projectcalico.org/v3" ]]
	run_split calicoctl apply -f "$BATS_TEST_TMPDIR/two.yaml"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully applied 2 'Node' resource(s)" ]
}
