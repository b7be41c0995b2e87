#!/usr/bin/env bats
# calicoctl node run (validation, registering and updating the Node, --dryrun),
# node peers (the seed guide's topologies, table and JSON), node status with
# no speaker, and the sessionless-node warning after writes. The speaker
# itself is exercised in tests/interop/0600-node-status.bats.

load ../lib/common

setup() {
	setup_datastore
	export CALICO_BGPD_SOCKET="$BATS_TEST_TMPDIR/bgpd.ctl"
}

# ---- node run: validation ----

@test "node run rejects bad input before touching the datastore" {
	seed_nodes
	local before
	before=$(datastore_digest)

	run_split calicoctl node run --name n9 --ip 1.2.3 --backend none
	[ "$status" -eq 1 ]
	[ "$stdout" = "Error executing command: invalid IP address specified: 1.2.3" ]

	run_split calicoctl node run --name n9 --ip fd00::9/64 --backend none
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error executing command: --ip is wrong IP version" ]

	run_split calicoctl node run --name n9 --ip6 10.0.0.9/24 --backend none
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error executing command: --ip6 is wrong IP version" ]

	run_split calicoctl node run --name n9 --ip autodetect
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Error executing command: --ip=autodetect is not supported here"* ]]

	run_split calicoctl node run --name n9 --ip 10.0.0.9/24 --as 4294967296 --backend none
	[ "$status" -eq 1 ]
	[ "$stdout" = "Error executing command: invalid AS Number specified: 4294967296" ]

	run_split calicoctl node run --name n9 --ip 10.0.0.9/24 --backend gobgp
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"unknown backend 'gobgp'"* ]]

	run_split calicoctl node run --name n9 --ip 10.0.0.9/24 --ip-autodetection-method nearest
	[ "$status" -eq 1 ]
	[ "$stderr" = "Error executing command: invalid IP autodetection method: nearest" ]

	run_split calicoctl node run --name n9 --ip 10.0.0.9/24 \
		--ip-autodetection-method can-reach=fd00::1 --backend none
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid IP autodetection method: can-reach=fd00::1" ]]

	run_split calicoctl node run --name Not_A_Name --ip 10.0.0.9/24 --backend none
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"invalid node name 'Not_A_Name'"* ]]

	run_split calicoctl node run --name n9 --backend none
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"node n9 is not registered yet"* ]]

	# usage errors: unknown option, stray argument
	run_must_fail calicoctl node run --bogus
	[[ "$output" == *"Usage:"* ]]
	run_must_fail calicoctl node run extra

	[ "$(datastore_digest)" = "$before" ]
}

# ---- node run: the Node ----

@test "node run registers a Node with its BGP addresses and AS (asdot converted)" {
	run_split calicoctl node run --name node-9 --ip 10.0.0.9/24 --ip6 fd00::9/64 --as 1.10 \
		--backend none
	[ "$status" -eq 0 ]
	[ "${stdout%%$'\n'*}" = "Registered node node-9." ]
	[ -z "$stderr" ]
	run calicoctl get nodes -o yaml
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx '      asNumber: 65546'
	echo "$output" | grep -qx '      ipv4Address: 10.0.0.9/24'
	echo "$output" | grep -qx '      ipv6Address: fd00::9/64'
	echo "$output" | grep -qx '    name: node-9'
	# calicoctl write commands initialise the cluster
	run calicoctl get clusterinformation default -o json
	[ "$status" -eq 0 ]
}

@test "node run updates an existing Node and keeps its other fields and labels" {
	seed_nodes
	calicoctl patch node node-1 -p '{"spec":{"bgp":{"routeReflectorClusterID":"244.0.0.1"}}}'
	run_split calicoctl node run --name node-1 --ip 10.0.0.11/24 --as 64600 --backend none
	[ "$status" -eq 0 ]
	[ "${stdout%%$'\n'*}" = "Updated node node-1." ]
	run calicoctl get node node-1 -o json
	echo "$output" | jq -e '.metadata.labels.rack == "rack-1" and
		.spec.bgp.ipv4Address == "10.0.0.11/24" and .spec.bgp.asNumber == 64600 and
		.spec.bgp.routeReflectorClusterID == "244.0.0.1"'
	# only --as given: the address stays
	run calicoctl node run --name node-1 --as 64601 --backend none
	[ "$status" -eq 0 ]
	run calicoctl get node node-1 -o json
	echo "$output" | jq -e '.spec.bgp.ipv4Address == "10.0.0.11/24" and .spec.bgp.asNumber == 64601'
}

@test "node run --dryrun prints the speaker command and writes nothing" {
	local before
	before=$(datastore_digest)
	run_split calicoctl node run --name node-1 --ip 10.0.0.1/24 --dryrun
	[ "$status" -eq 0 ]
	[ "${stdout%%$'\n'*}" = "Use the following command to start the Calico BGP speaker:" ]
	local sock="$CALICO_BGPD_SOCKET"
	[[ "$stdout" == *"/calico-bgpd --node node-1 --ctl $sock --pid-file $sock.pid --log-file $sock.log"$'\n'* ]]
	# found beside calicoctl in the build tree
	[[ "$stdout" == *"$BUILD_DIR/speaker/calico-bgpd "* ]] ||
		[[ "$stdout" == *"$(cd "$BUILD_DIR" && pwd -P)/speaker/calico-bgpd "* ]]
	[ "$(datastore_digest)" = "$before" ]
	# -c is passed on as --config
	printf 'apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: sqlite\n  sqlitePath: %s\n' \
		"$SQLITE_PATH" >"$BATS_TEST_TMPDIR/cfg.yaml"
	run calicoctl node run --name node-1 --ip 10.0.0.1/24 --dryrun -c "$BATS_TEST_TMPDIR/cfg.yaml"
	[ "$status" -eq 0 ]
	[[ "$output" == *" --config $BATS_TEST_TMPDIR/cfg.yaml"* ]]
}

@test "node run with a speaker that cannot start fails and names the log" {
	# a socket path whose directory cannot be created
	: >"$BATS_TEST_TMPDIR/file"
	run_split env CALICO_BGPD_SOCKET="$BATS_TEST_TMPDIR/file/sub/bgpd.ctl" "$CALICOCTL" \
		node run --name node-1 --ip 10.0.0.1/24
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Error executing command: cannot create $BATS_TEST_TMPDIR/file/sub"* ]]
	# the Node was registered all the same (calicoctl too writes it first)
	run calicoctl get node node-1
	[ "$status" -eq 0 ]
}

# ---- node peers ----

@test "node peers: the default full mesh, as a table" {
	seed_nodes
	run_split calicoctl node peers --node node-1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	expected='+---------------+-------------------+--------------+------+---------+----------+---------+-----------+-------+
|     NAME      |       TYPE        | PEER ADDRESS | PORT | PEER AS | LOCAL AS | PASSIVE | RR CLIENT | ERROR |
+---------------+-------------------+--------------+------+---------+----------+---------+-----------+-------+
| Mesh_10_0_0_2 | node-to-node mesh | 10.0.0.2     |  179 |   64512 |    64512 | yes     | no        |       |
| Mesh_10_0_0_3 | node-to-node mesh | 10.0.0.3     |  179 |   64512 |    64512 | yes     | no        |       |
+---------------+-------------------+--------------+------+---------+----------+---------+-----------+-------+'
	diff -u <(echo "$expected") <(echo "$stdout")
	# the lexically higher address is the active side
	run calicoctl node peers --node my-node -o json
	echo "$output" | jq -e '[.sessions[] | .passive] == [false, false]'
}

@test "node peers: a global peer, table and JSON (the plan calico-bgpd --plan reads)" {
	seed_nodes
	calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: my-global-peer
	spec:
	  peerIP: 192.20.30.40
	  asNumber: 64567
	YAML
	run calicoctl node peers --node node-2
	[ "$status" -eq 0 ]
	[[ "$output" == *"| Global_192_20_30_40 | global            | 192.20.30.40 |  179 |   64567 |    64512 | no      | no        |       |"* ]]
	run calicoctl node peers --node node-2 -o json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.node == "node-2" and .asNumber == 64512 and
		([.sessions[].name] == ["Global_192_20_30_40", "Mesh_10_0_0_1", "Mesh_10_0_0_3"]) and
		(.sessions[0].type == "global" and .sessions[0].peerASNumber == 64567)'
	# and the speaker accepts it as a plan
	echo "$output" >"$BATS_TEST_TMPDIR/plan.json"
	run "$BGPD" --check --plan "$BATS_TEST_TMPDIR/plan.json"
	[ "$status" -eq 0 ]
}

@test "node peers: route reflectors (the guide's order), then the mesh disabled" {
	seed_nodes
	calicoctl patch node my-node -p '{"spec": {"bgp": {"routeReflectorClusterID": "244.0.0.1"}}}'
	calicoctl label node my-node route-reflector=true
	calicoctl create -f - <<-'YAML'
	kind: BGPPeer
	apiVersion: projectcalico.org/v3
	metadata:
	  name: peer-with-route-reflectors
	spec:
	  nodeSelector: all()
	  peerSelector: route-reflector == 'true'
	YAML
	run calicoctl node peers --node my-node -o json
	echo "$output" | jq -e '[.sessions[] | [.name, .type, .rrClient]] ==
		[["Node_10_0_0_1", "node", true], ["Node_10_0_0_2", "node", true]]'
	run calicoctl node peers --node node-1 -o json
	echo "$output" | jq -e '[.sessions[].name] == ["Mesh_10_0_0_2", "Node_10_0_0_3"]'
	calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPConfiguration
	metadata:
	  name: default
	spec:
	  nodeToNodeMeshEnabled: false
	YAML
	run calicoctl node peers --node node-1
	[ "$status" -eq 0 ]
	expected='+---------------+---------------+--------------+------+---------+----------+---------+-----------+-------+
|     NAME      |     TYPE      | PEER ADDRESS | PORT | PEER AS | LOCAL AS | PASSIVE | RR CLIENT | ERROR |
+---------------+---------------+--------------+------+---------+----------+---------+-----------+-------+
| Node_10_0_0_3 | node specific | 10.0.0.3     |  179 |   64512 |    64512 | no      | no        |       |
+---------------+---------------+--------------+------+---------+----------+---------+-----------+-------+'
	diff -u <(echo "$expected") <(echo "$output")
}

@test "node peers: errors and a node without sessions" {
	run_split calicoctl node peers --node nope
	[ "$status" -eq 1 ]
	[ "$stderr" = "error executing command: Node(nope) does not exist" ]
	run_split calicoctl node peers --node nope -o yaml
	[ "$status" -eq 1 ]
	[[ "$stderr" == "unrecognized output format 'yaml'"* ]]
	calicoctl node run --name alone --ip 10.0.0.5/24 --backend none
	run_split calicoctl node peers --node alone
	[ "$status" -eq 0 ]
	[ "$stdout" = "No BGP sessions planned for node alone." ]
}

# ---- node status without a speaker ----

@test "node status with no speaker: exit 1, 'Calico process is not running.' on stderr" {
	run_split calicoctl node status
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = "Calico process is not running." ]
	run_split calicoctl node status -o json
	[ "$status" -eq 1 ]
	[ "$stderr" = "Calico process is not running." ]
	# something that is not a speaker on the socket path
	: >"$CALICO_BGPD_SOCKET"
	run_split calicoctl node status
	[ "$status" -eq 1 ]
	[ "$stderr" = "Calico process is not running." ]
}

# ---- help and usage ----

@test "node -h, node <sub> -h, and usage errors" {
	run_split calicoctl node -h
	[ "$status" -eq 0 ]
	[[ "$stdout" == *"calicoctl node <command> [<args>...]"* ]]
	for sub in run status peers; do
		run_split calicoctl node "$sub" --help
		[ "$status" -eq 0 ]
		[[ "$stdout" == *"calicoctl node $sub"* ]]
	done
	run calicoctl --help
	[[ "$output" == *"    node         Calico node management."* ]]
	run_split calicoctl node
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Usage:"* ]]
	run_split calicoctl node frobnicate
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"calicoctl node <command>"* ]]
	run_split calicoctl node status extra
	[ "$status" -eq 1 ]
}

# ---- the sessionless-node warning ----

two_nodes() {
	calicoctl create -f - >/dev/null <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node1
	  labels:
	    rack: rack-1
	spec:
	  bgp:
	    ipv4Address: 10.0.0.1/24
	---
	apiVersion: projectcalico.org/v3
	kind: Node
	metadata:
	  name: node2
	spec:
	  bgp:
	    ipv4Address: 10.0.0.2/24
	YAML
}

MESH_OFF='apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  nodeToNodeMeshEnabled: false'

@test "warning: mesh disabled with two nodes and no peers names both; exit and stdout unchanged" {
	two_nodes
	run_split calicoctl apply -f - <<<"$MESH_OFF"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully applied 1 'BGPConfiguration' resource(s)" ]
	[ "$stderr" = "Warning: node(s) node1, node2 now have no BGP sessions (node-to-node mesh disabled and no BGPPeer selects them)" ]
	# the same through patch, once the mesh is back on
	calicoctl patch bgpconfig default -p '{"spec":{"nodeToNodeMeshEnabled":true}}'
	run_split calicoctl patch bgpconfig default -p '{"spec":{"nodeToNodeMeshEnabled":false}}'
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully patched 1 'BGPConfiguration' resource" ]
	[[ "$stderr" == "Warning: node(s) node1, node2 now have no BGP sessions"* ]]
	# nothing more to lose: no warning again
	run_split calicoctl apply -f - <<<"$MESH_OFF"
	[ -z "$stderr" ]
}

@test "no warning when a peerSelector BGPPeer keeps the nodes peered" {
	two_nodes
	calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: to-rack-1
	spec:
	  nodeSelector: all()
	  peerSelector: rack == 'rack-1'
	YAML
	run_split calicoctl apply -f - <<<"$MESH_OFF"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# deleting that peer leaves both alone: warned by delete too
	run_split calicoctl delete bgppeer to-rack-1
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 1 'BGPPeer' resource(s)" ]
	[ "$stderr" = "Warning: node(s) node1, node2 now have no BGP sessions (node-to-node mesh disabled and no BGPPeer selects them)" ]
}

@test "warning from label and from a route reflector leaving the mesh" {
	two_nodes
	calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: to-rack-1
	spec:
	  nodeSelector: all()
	  peerSelector: rack == 'rack-1'
	YAML
	calicoctl apply -f - <<<"$MESH_OFF"
	run_split calicoctl label node node1 rack --remove
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully removed label rack from node node1" ]
	[ "$stderr" = "Warning: node(s) node1, node2 now have no BGP sessions (node-to-node mesh disabled and no BGPPeer selects them)" ]
	# mesh on again; node2 becoming a route reflector takes both out of it
	calicoctl patch bgpconfig default -p '{"spec":{"nodeToNodeMeshEnabled":true}}'
	run_split calicoctl patch node node2 -p '{"spec":{"bgp":{"routeReflectorClusterID":"244.0.0.1"}}}'
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully patched 1 'Node' resource" ]
	[ "$stderr" = "Warning: node(s) node1, node2 now have no BGP sessions (route reflectors are outside the node-to-node mesh and no BGPPeer selects them)" ]
}

@test "no warning for other kinds or failed writes; a deleted node is not named" {
	two_nodes
	# a kind the planner does not read (ClusterInformation is written by
	# every create; the warning would name nobody anyway)
	run_split calicoctl create -f - <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: CalicoNodeStatus
	metadata:
	  name: st1
	spec:
	  node: node1
	  classes: [BGP]
	  updatePeriodSeconds: 10
	YAML
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	# a rejected write leaves everything as it was: no warning
	run_split calicoctl patch bgpconfig default -p '{"spec":{"nodeToNodeMeshEnabled":"x"}}'
	[[ "$stderr" != *"Warning: node(s)"* ]]
	run_split calicoctl delete node node2
	[ "$status" -eq 0 ]
	# node1 lost its only mesh peer; node2 is gone, not sessionless
	[ "$stderr" = "Warning: node(s) node1 now have no BGP sessions (no other node in the node-to-node mesh and no BGPPeer selects them)" ]
}
