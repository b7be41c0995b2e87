#!/usr/bin/env bats
# calico-bgpd --node on the SQLite datastore (and, registered a second time
# with E2E_DATASTORE=etcdv3, on etcd): a 3-node full mesh, live reconcile of
# datastore changes, kernel routes kept across a SIGKILL.

load lib

setup_file() {
	e2e_cluster 3
}

teardown_file() {
	ix_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3 2>/dev/null || true
}

@test "full mesh: every node Established with the other two, IPv4 and IPv6" {
	for i in 1 2 3; do
		wait_until 20 e2e_all_established "$i" 4
	done
	run e2e_sessions 1
	[ "${lines[0]}" = "Mesh_10_0_0_2 Established" ]
	[ "${lines[1]}" = "Mesh_10_0_0_3 Established" ]
	[ "${lines[2]}" = "Mesh_fd00__2 Established" ]
	[ "${lines[3]}" = "Mesh_fd00__3 Established" ]
	run e2e_node_status 1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Calico process is running." ]
	e2e_status_row 1 10.0.0.2 "node-to-node mesh"
	e2e_status_row 1 10.0.0.3 "node-to-node mesh"
	e2e_status_row 1 fd00::2 "node-to-node mesh"
}

@test "full mesh: each kernel has the other nodes' blocks, proto bird" {
	wait_until 20 e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2 dev eth0"
	wait_until 20 e2e_kernel_has 1 "10.244.3.0/26 via 10.0.0.3 dev eth0"
	wait_until 20 e2e_kernel_has 2 "10.244.1.0/26 via 10.0.0.1 dev eth0"
	wait_until 20 e2e_kernel_has 3 "10.244.2.0/26 via 10.0.0.2 dev eth0"
	# The own block is Felix's blackhole, never replaced by a BGP route.
	e2e_kernel_lacks 1 "10.244.1.0/26"
}

@test "a route outside every IP pool is not exported" {
	ix_exec 1 ip route add blackhole 192.168.77.0/24 proto 80
	ix_exec 1 ip route add blackhole 10.244.1.64/26 proto 80
	wait_until 10 e2e_kernel_has 2 "10.244.1.64/26 via 10.0.0.1"
	e2e_kernel_lacks 2 "192.168.77.0/24"
	ix_exec 1 ip route del blackhole 10.244.1.64/26
	wait_until 10 e2e_kernel_lacks 2 "10.244.1.64/26"
}

@test "mesh disabled: sessions closed and routes withdrawn within a second or two" {
	calicoctl create -f - <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPConfiguration
		metadata:
		  name: default
		spec:
		  nodeToNodeMeshEnabled: false
	EOF
	wait_until 3 e2e_all_established 1 0
	wait_until 3 e2e_kernel_lacks 1 "10.244.2.0/26"
	calicoctl patch bgpconfiguration default -p '{"spec":{"nodeToNodeMeshEnabled":true}}'
	for i in 1 2 3; do
		wait_until 20 e2e_all_established "$i" 4
	done
	wait_until 10 e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
}

@test "a per-node peer selected by rack label peers only where the selector matches" {
	calicoctl create -f - <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: rack1-tor
		spec:
		  peerIP: 10.0.0.99
		  asNumber: 64567
		  nodeSelector: rack == 'rack-1'
	EOF
	# node-1 and node-3 are in rack-1, node-2 in rack-2.
	wait_until 5 bash -c "$(declare -f cbgpd_ctl); IX_DIR=$IX_DIR cbgpd_ctl node-1 peers | grep -q Node_10_0_0_99"
	wait_until 5 bash -c "$(declare -f cbgpd_ctl); IX_DIR=$IX_DIR cbgpd_ctl node-3 peers | grep -q Node_10_0_0_99"
	run cbgpd_ctl node-2 peers
	[ "$status" -eq 0 ]
	[[ "$output" != *Node_10_0_0_99* ]]
	calicoctl delete bgppeer rack1-tor
	wait_until 5 e2e_all_established 1 4
}

@test "CalicoNodeStatus is filled by the node's speaker" {
	calicoctl create -f - <<-EOF
		apiVersion: projectcalico.org/v3
		kind: CalicoNodeStatus
		metadata:
		  name: node-1-status
		spec:
		  node: node-1
		  classes: [Agent, BGP, Routes]
		  updatePeriodSeconds: 1
	EOF
	status_established() {
		calicoctl get caliconodestatus node-1-status -o json |
			jq -e '.status.bgp.numberEstablishedV4 == 2 and .status.agent.birdV4.state == "Ready"' >/dev/null
	}
	wait_until 10 status_established
	run calicoctl get caliconodestatus node-1-status -o json
	[ "$(jq -r '.status.bgp.peersV4[0].type' <<<"$output")" = NodeMesh ]
	[ "$(jq -r '[.status.routes.routesV4[] | select(.destination == "10.244.2.0/26")][0].learnedFrom.sourceType' <<<"$output")" = NodeMesh ]
}

@test "speaker SIGKILLed and restarted: its kernel routes stay throughout" {
	local pid
	pid=$(ix_pid node-1)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	# Dead speaker: the routes it installed are still there.
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	e2e_kernel_has 1 "10.244.3.0/26 via 10.0.0.3"
	rm -f "$IX_DIR/node-1/bgpd.ctl"
	e2e_start 1
	# Right after the restart, before the sessions are back: still there.
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	wait_until 30 e2e_all_established 1 4
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	e2e_kernel_has 1 "10.244.3.0/26 via 10.0.0.3"
}

@test "a node deleted from the datastore disappears from every peer" {
	calicoctl delete node node-3
	wait_until 5 e2e_all_established 1 2
	wait_until 5 e2e_all_established 2 2
	run e2e_sessions 1
	[ "${lines[0]}" = "Mesh_10_0_0_2 Established" ]
	[ "${lines[1]}" = "Mesh_fd00__2 Established" ]
	calicoctl create -f - < <(e2e_node_yaml 3)
	wait_until 20 e2e_all_established 1 4
}

@test "global AS changed: every mesh session re-forms with the new AS" {
	calicoctl patch bgpconfiguration default -p '{"spec":{"asNumber":64600}}'
	as_is() {
		[ "$(cbgpd_peer node-1 10.0.0.2 | jq -r '.localAS')" = 64600 ] &&
			[ "$(cbgpd_state node-1 10.0.0.2)" = Established ]
	}
	wait_until 30 as_is
}

@test "one node's AS changed: its sessions re-form as eBGP" {
	calicoctl patch node node-2 -p '{"spec":{"bgp":{"asNumber":64700}}}'
	ebgp() {
		[ "$(cbgpd_peer node-1 10.0.0.2 | jq -r '.peerAS')" = 64700 ] &&
			[ "$(cbgpd_state node-1 10.0.0.2)" = Established ]
	}
	wait_until 30 ebgp
	wait_until 10 e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	e2e_status_row 1 10.0.0.2 "node-to-node mesh"
}
