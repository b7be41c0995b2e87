#!/usr/bin/env bats
# get: every output format against golden files (tests/cli/golden, made by
# tests/cli/regen-golden), lists, names, missing names, --export.

load ../lib/common

setup() {
	setup_datastore
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  asNumber: 64513
	  nodeToNodeMeshEnabled: false
	  logSeverityScreen: Info
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node1
	  labels:
	    rack: rack-1
	spec:
	  bgp:
	    ipv4Address: 10.0.0.1/24
	    ipv6Address: fd00::1/64
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node2
	spec:
	  bgp:
	    ipv4Address: 10.0.0.2/24
	    asNumber: 65002
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node3
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: rack1-tor
	spec:
	  peerIP: 192.0.2.1
	  asNumber: 64513
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: node1-peer
	spec:
	  peerIP: 192.0.2.2:1790
	  asNumber: 65001
	  node: node1
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: rr-mesh
	spec:
	  nodeSelector: has(rr)
	  peerSelector: has(rr)
	---
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata:
	  name: ippool-name1
	spec:
	  cidr: 10.0.1.0/24
	  ipipMode: Always
	  nodeSelector: foo == 'bar'
	YAML
}

golden() { # name, command...: exact bytes (trailing newlines included)
	local name=$1
	shift
	"$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ -s "$BATS_TEST_TMPDIR/err" ] && cat "$BATS_TEST_TMPDIR/err" >&2 && return 1
	output=$(normalize <"$BATS_TEST_TMPDIR/out"; echo .)
	output=${output%.}
	assert_golden "$name"
}

@test "get bgppeers (ps)" {
	golden get-bgppeers.txt calicoctl get bgppeers
	# the exact table, trailing spaces included, then a blank line
	run calicoctl get bgppeers
	[ "${lines[0]}" = "NAME         PEERIP           NODE       ASN     " ]
	[ "${lines[1]}" = "node1-peer   192.0.2.2:1790   node1      65001   " ]
	[ "${lines[3]}" = "rr-mesh                       has(rr)    0       " ]
	[ "$(calicoctl get bgppeers | tail -n 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "get bgppeers wide, yaml, json, custom-columns" {
	golden get-bgppeers-wide.txt calicoctl get bgppeers -o wide
	golden get-bgppeers.yaml calicoctl get bgppeers -o yaml
	golden get-bgppeers.json calicoctl get bgppeers -o json
	golden get-bgppeers-custom.txt calicoctl get bgppeers -o custom-columns=NAME,ASN
}

@test "json output has no trailing newline" {
	calicoctl get bgppeer rack1-tor -o json >"$BATS_TEST_TMPDIR/out.json"
	[ "$(tail -c 1 "$BATS_TEST_TMPDIR/out.json")" = "}" ]
}

@test "get named resources: one table each, a bare object, an array" {
	golden get-bgppeer-two.txt calicoctl get bgppeer rack1-tor rr-mesh
	golden get-bgppeer-one.yaml calicoctl get bgppeer rack1-tor -o yaml
	golden get-bgppeer-one.json calicoctl get bgppeer rack1-tor -o json
	golden get-bgppeer-two.yaml calicoctl get bgppeer rack1-tor rr-mesh -o yaml
	golden get-bgppeer-two.json calicoctl get bgppeer rack1-tor rr-mesh -o json
}

@test "get nodes: ps, wide with the default AS in parentheses, yaml, json" {
	golden get-nodes.txt calicoctl get nodes
	golden get-nodes-wide.txt calicoctl get nodes -o wide
	golden get-nodes.yaml calicoctl get nodes -o yaml
	golden get-node-one.json calicoctl get node node1 -o json
}

@test "get bgpconfiguration and ippools in every format" {
	golden get-bgpconfig.txt calicoctl get bgpconfig
	golden get-bgpconfig.yaml calicoctl get bgpconfiguration default -o yaml
	golden get-bgpconfig.json calicoctl get bgpconfigurations -o json
	golden get-ippools.txt calicoctl get ippools
	golden get-ippools-wide.txt calicoctl get ippool -o wide
	golden get-ippools.yaml calicoctl get pools -o yaml
	golden get-ippools.json calicoctl get ipp ippool-name1 -o json
}

@test "every alias of every kind is accepted, case-insensitively" {
	for w in bgppeer bgppeers bgpp bgpps bp bps BGPPeer \
		bgpconfiguration bgpconfigurations bgpconfig bgpconfigs \
		node nodes no nos NODES \
		ippool ippools ipp ipps pool pools \
		caliconodestatus caliconodestatuses nodestatus nodestatuses \
		clusterinformation clusterinformations clusterinfo clusterinfos; do
		run calicoctl get "$w"
		[ "$status" -eq 0 ] || { echo "alias $w: $output"; false; }
	done
}

@test "an empty list prints the headings only" {
	calicoctl delete bgppeer rack1-tor node1-peer rr-mesh >/dev/null
	run_split calicoctl get bgppeers
	[ "$status" -eq 0 ]
	[ "$stdout" = "NAME   PEERIP   NODE   ASN   " ]
	run_split calicoctl get bgppeers -o yaml
	[[ "$stdout" == *"items: []"* ]]
}

@test "a missing name: null in yaml/json, nothing in a table, error on stderr" {
	run_split calicoctl get bgppeer nope -o yaml
	[ "$status" -eq 1 ]
	[ "$stdout" = "null" ]
	[ "$stderr" = "resource does not exist: BGPPeer(nope) with error: <nil>" ]
	run_split calicoctl get bgppeer nope -o json
	[ "$stdout" = "null" ]
	run_split calicoctl get bgppeer nope
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	run_split calicoctl get bgppeer rack1-tor nope nope2 -o yaml
	[ "$status" -eq 1 ]
	[[ "$stdout" == "apiVersion: projectcalico.org/v3"* ]]
	[ "$stderr" = $'resource does not exist: BGPPeer(nope) with error: <nil>\nresource does not exist: BGPPeer(nope2) with error: <nil>' ]
}

@test "get -f gets what the file names" {
	f=$( { peer_yaml rack1-tor 1.1.1.1 1; echo ---; peer_yaml rr-mesh 1.1.1.1 1; } | manifest q.yaml)
	run_split calicoctl get -f "$f"
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | grep -c '^NAME ')" -eq 2 ]
}

@test "--export strips cluster-specific metadata from named results" {
	run_split calicoctl get bgppeer rack1-tor -o yaml --export
	[ "$status" -eq 0 ]
	[[ "$stdout" != *"uid:"* ]]
	[[ "$stdout" != *"resourceVersion:"* ]]
	[[ "$stdout" == *"creationTimestamp: null"* ]]
	run_split calicoctl get bgppeers -o yaml --export
	[[ "$stdout" == *"uid:"* ]]
}

@test "output format errors" {
	run_split calicoctl get bgppeers -o xml
	[ "$status" -eq 1 ]
	[ "$stderr" = "unrecognized output format 'xml'" ]
	run_split calicoctl get bgppeers -o custom-columns=
	[ "$stderr" = "need to specify at least one column" ]
	run_split calicoctl get bgppeers -o go-template
	[ "$stderr" = "need to specify a template" ]
	run_split calicoctl get bgppeers -o go-template-file=
	[ "$stderr" = "need to specify a template file" ]
	run_split calicoctl get bgppeers -o 'go-template={{.}}'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"not supported"*"-o json"*"custom-columns"* ]]
	run_split calicoctl get bgppeers -o custom-columns=NAME,BOGUS
	[ "$status" -eq 1 ]
	[[ "$stderr" == "unknown heading BOGUS, valid values are: "*"PEERIP"* ]]
}

@test "unknown kinds and namespaces" {
	run_split calicoctl get bgpwidgets
	[ "$status" -eq 1 ]
	[ "$stderr" = "failed to get resources: resource type 'bgpwidgets' is not supported" ]
	run_split calicoctl get bgppeers -A
	[ "$status" -eq 1 ]
	[ "$stderr" = "BGPPeer is not namespaced" ]
	run_split calicoctl get bgppeers -a
	[ "$stderr" = "BGPPeer is not namespaced" ]
	run_split calicoctl get bgppeer ""
	[ "$stderr" = "failed to get resources: resource name may not be empty" ]
}
