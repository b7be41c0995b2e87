#!/usr/bin/env bats
# The seed guide's how-tos on a live cluster: a global peer that is a real
# BIRD 2 ToR router, and the migration from the node-to-node mesh to route
# reflectors in the guide's order with no pod route ever deleted from any
# kernel. Nodes 1-3 run workloads (a pod block each), node 4 is provisioned as
# a route reflector (cluster ID and label, no workloads), namespace 5 is the
# ToR (BIRD, AS 64567).

load lib

tor_conf() {
	local i
	cat <<-EOF
		log "$IX_DIR/tor/bird.log" all;
		router id 10.0.0.5;
		protocol device { scan time 2; }
		protocol static s4 { ipv4; route 192.168.100.0/24 blackhole; }
		template bgp calico {
		  local 10.0.0.5 as 64567;
		  hold time 30;
		  ipv4 { import all; export all; };
		}
	EOF
	for i in 1 2 3 4; do
		echo "protocol bgp n$i from calico { neighbor 10.0.0.$i as 64512; }"
	done
}

setup_file() {
	local i
	ix_init "$BATS_FILE_TMPDIR"
	export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH
	ix_lan 5
	for i in 1 2 3 4; do e2e_node_yaml "$i"; done | calicoctl create -f - >/dev/null
	# Provision node 4 as a route reflector before its speaker starts.
	calicoctl patch node node-4 -p '{"spec":{"bgp":{"routeReflectorClusterID":"244.0.0.1"}}}'
	calicoctl label node node-4 route-reflector=true
	printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pods\nspec:\n  cidr: 10.244.0.0/16\n' |
		calicoctl create -f - >/dev/null
	for i in 1 2 3; do
		ix_exec "$i" ip route add blackhole "10.244.$i.0/26" proto 80
	done
	for i in 1 2 3 4; do
		e2e_start "$i"
	done
	bird_start 5 tor "$(tor_conf)"
}

teardown_file() {
	ix_teardown
}

@test "full mesh among the workload nodes; the route reflector stays out of it" {
	for i in 1 2 3; do
		wait_until 30 e2e_all_established "$i" 4
	done
	run e2e_sessions 4
	[ -z "$output" ]
}

@test "global peer: every node peers with the BIRD ToR (AS 64567)" {
	calicoctl create -f - <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: rack1-tor
		spec:
		  peerIP: 10.0.0.5
		  asNumber: 64567
	EOF
	for i in 1 2 3 4; do
		wait_until 30 bird_established tor "n$i"
	done
	wait_until 10 cbgpd_established node-1 10.0.0.5
	[ "$(cbgpd_peer node-1 10.0.0.5 | jq -r .name)" = Global_10_0_0_5 ]
	e2e_status_row 1 10.0.0.5 global
	# The ToR learns each node's pod block, and the nodes the ToR's route.
	wait_until 10 bash -c "birdc -s $IX_DIR/tor/bird.ctl show route protocol n1 | grep -q 10.244.1.0/26"
	wait_until 10 e2e_kernel_has 1 "192.168.100.0/24 via 10.0.0.5"
	# Only pool routes leave a node: the ToR's route is not passed on.
	run bash -c "birdc -s $IX_DIR/tor/bird.ctl show route protocol n2 | grep -c 192.168.100"
	[ "$output" = 0 ]
}

@test "mesh to route reflectors in the guide's order: no pod route ever deleted" {
	local i mon=()
	# Step 2: peer every node with the route reflectors.
	calicoctl create -f - <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: peer-with-route-reflectors
		spec:
		  nodeSelector: all()
		  peerSelector: route-reflector == 'true'
	EOF
	# Step 3: wait for those peerings.
	for i in 1 2 3; do
		wait_until 30 cbgpd_established "node-$i" 10.0.0.4
	done
	# Watch every workload node's kernel while the mesh goes away.
	for i in 1 2 3; do
		ix_exec "$i" ip monitor route >"$IX_DIR/monitor-$i" 2>&1 &
		mon+=($!)
	done
	sleep 0.5
	# Step 4: disable the mesh.
	calicoctl patch bgpconfiguration default -p '{"spec":{"nodeToNodeMeshEnabled":false}}' ||
		calicoctl create -f - <<-EOF
			apiVersion: projectcalico.org/v3
			kind: BGPConfiguration
			metadata:
			  name: default
			spec:
			  nodeToNodeMeshEnabled: false
		EOF
	only_rr_and_tor() {
		local s
		s=$(e2e_sessions 1 | awk '{print $1}' | tr '\n' ' ')
		[ "$s" = "Global_10_0_0_5 Node_10_0_0_4 Node_fd00__4 " ]
	}
	wait_until 10 only_rr_and_tor
	sleep 2
	for pid in "${mon[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
	done
	# Routes now come through the reflector, next hop kept.
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	e2e_kernel_has 1 "10.244.3.0/26 via 10.0.0.3"
	e2e_kernel_has 2 "10.244.1.0/26 via 10.0.0.1"
	e2e_kernel_has 3 "10.244.1.0/26 via 10.0.0.1"
	for i in 1 2 3; do
		if grep -E '^Deleted .*10\.244\.' "$IX_DIR/monitor-$i"; then
			echo "node-$i lost a pod route during the migration" >&2
			return 1
		fi
	done
	# node status shows the new topology: the reflector as a node-specific peer.
	e2e_status_row 1 10.0.0.4 "node specific"
	e2e_status_row 1 10.0.0.5 global
	run e2e_node_status 1
	[[ "$output" != *"node-to-node mesh"* ]]
	e2e_status_row 4 10.0.0.1 "node specific"
	# The reflector treats the workload nodes as its clients.
	[ "$(cbgpd_peer node-4 10.0.0.1 | jq -r .rrClient)" = true ]
}
