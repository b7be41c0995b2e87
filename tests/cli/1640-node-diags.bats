#!/usr/bin/env bats
# `calicoctl node diags`: one archive with the speaker's state, its log, the
# plan of the node, kernel routes and the BGP resources (issue 7).

load ../lib/common

setup() {
	setup_datastore
	D="$BATS_TEST_TMPDIR"
	SOCK="$D/bgpd.ctl"
	cat >"$D/plan.json" <<-EOF
	{ "node": "diag-node", "routerID": "10.8.8.1", "asNumber": 64512, "listenPort": 0,
	  "sessions": [ { "type": "global", "peerIP": "127.0.0.2", "port": 1, "peerASNumber": 65001 } ],
	  "routes": [ { "prefix": "10.8.0.0/24" } ] }
	EOF
	"$BGPD" --plan "$D/plan.json" --ctl "$SOCK" --log-file "$D/bgpd.log" --foreground &
	BGPD_PID=$!
	wait_until 10 test -S "$SOCK"
	calicoctl create -f - <<-EOF
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata: {name: diag-node}
	spec: {bgp: {ipv4Address: 10.0.0.1/24}}
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata: {name: other-node}
	spec: {bgp: {ipv4Address: 10.0.0.2/24}}
	---
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata: {name: tor}
	spec: {peerIP: 10.0.0.254, asNumber: 65010}
	---
	apiVersion: projectcalico.org/v3
	kind: IPPool
	metadata: {name: pool1}
	spec: {cidr: 10.244.0.0/16}
	EOF
}

teardown() {
	[ -n "${BGPD_PID:-}" ] && kill "$BGPD_PID" 2>/dev/null && wait "$BGPD_PID" 2>/dev/null
	true
}

@test "diags writes one archive with every part and prints its path" {
	run calicoctl node diags --ctl "$SOCK" --dir "$D"
	[ "$status" -eq 0 ]
	path=$(sed -n 's/^Diagnostics saved to //p' <<<"$output")
	[ -f "$path" ]
	[[ "$path" == "$D"/calico-diags-*.tar.gz ]]
	top=$(basename "$path" .tar.gz)
	list=$(tar -tzf "$path")
	for f in speaker/status.json speaker/peers.json speaker/routes-ipv4.json speaker/routes-ipv6.json \
		speaker/bgpd.log plan.json kernel/ip-route.txt kernel/ip-6-route.txt \
		resources/nodes.yaml resources/bgpconfigurations.yaml resources/bgppeers.yaml \
		resources/ippools.yaml errors.txt; do
		grep -qx "$top/$f" <<<"$list" || { echo "missing $f in: $list"; return 1; }
	done
	mkdir "$D/x" && tar -xzf "$path" -C "$D/x"
	x="$D/x/$top"
	jq -e '.[0].node == "diag-node"' "$x/speaker/status.json"
	jq -e '.[0].peerIP == "127.0.0.2"' "$x/speaker/peers.json"
	jq -e 'map(.prefix) | index("10.8.0.0/24") != null' "$x/speaker/routes-ipv4.json"
	# the node's plan from the datastore: the node (named by the speaker), the
	# mesh peer and the global peer
	jq -e '.node == "diag-node"' "$x/plan.json"
	jq -e '[.sessions[].peerIP] | (index("10.0.0.2") != null and index("10.0.0.254") != null)' "$x/plan.json"
	grep -q 'name: tor' "$x/resources/bgppeers.yaml"
	grep -q 'name: other-node' "$x/resources/nodes.yaml"
	grep -q 'cidr: 10.244.0.0/16' "$x/resources/ippools.yaml"
	grep -q 'started\|plan' "$x/speaker/bgpd.log"
	grep -qx 'errors: 0' "$x/errors.txt"
	# the staging directory is gone
	[ "$(ls -d "$D"/calico-diags-* | wc -l)" -eq 1 ]
}

@test "diags with the speaker down still writes the archive and says what is missing" {
	run calicoctl node diags --ctl "$D/absent.ctl" --node diag-node --dir "$D"
	[ "$status" -eq 0 ]
	path=$(sed -n 's/^Diagnostics saved to //p' <<<"$output")
	[ -f "$path" ]
	[[ "$output" == *"could not be collected"* ]]
	top=$(basename "$path" .tar.gz)
	tar -xzf "$path" -C "$D"
	grep -q 'absent.ctl' "$D/$top/errors.txt"
	jq -e '.node == "diag-node"' "$D/$top/plan.json"
}

@test "diags rejects arguments and unknown options" {
	run_must_fail calicoctl node diags extra
	[[ "$output" == *"no arguments"* ]]
	run_must_fail calicoctl node diags --bogus
}
