#!/usr/bin/env bats
# Network faults against calico-bgpd in datastore mode (issue 6, part 4):
# a peer stopped or killed, a link taken down inside the namespaces, the
# speaker itself SIGKILLed and restarted. Each asserts what reaches the
# kernel, since that is what carries the pods' traffic.
#
# Topology (tests/e2e/lib.bash, one bridged LAN):
#   node 1  calico-bgpd --node node-1 (AS 64512), pod block 10.244.1.0/26
#   node 2  calico-bgpd --node node-2 (AS 64512), pod block 10.244.2.0/26;
#           mesh with node 1
#   node 3  BIRD 2 (AS 64567), hold time 6 s, announces 192.168.103.0/24
#   node 4  calico-bgpd --plan (AS 64568), hold time 6 s, restart time 5 s,
#           announces 192.168.104.0/24
# Nodes 3 and 4 are node-specific BGPPeers of node 1 only. The 6 s hold time
# is what node 1 negotiates with them (the smaller offer wins), so a silent
# peer is detected in seconds rather than Calico's default 240 s.

load ../e2e/lib

HOLD=6

bird_conf() {
	cat <<-EOF
		log "$IX_DIR/bird/bird.log" all;
		router id 10.0.0.3;
		protocol device { scan time 1; }
		protocol static s4 { ipv4; route 192.168.103.0/24 blackhole; }
		protocol bgp node1 {
		  local 10.0.0.3 as 64567;
		  neighbor 10.0.0.1 as 64512;
		  hold time $HOLD;
		  keepalive time 2;
		  connect retry time 2;
		  error wait time 1, 2;
		  ipv4 { import all; export where source = RTS_STATIC; };
		}
	EOF
}

peer4_plan() {
	jq -n --argjson hold "$HOLD" '{node: "peer4", routerID: "10.0.0.4", asNumber: 64568,
		ipv4Address: "10.0.0.4",
		sessions: [{type: "global", peerIP: "10.0.0.1", peerASNumber: 64512,
			holdTime: $hold, maxRestartTime: 5}],
		routes: [{prefix: "192.168.104.0/24"}]}'
}

setup_file() {
	e2e_cluster 2
	calicoctl create -f - >/dev/null <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: node1-bird
		spec:
		  node: node-1
		  peerIP: 10.0.0.3
		  asNumber: 64567
		---
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: node1-peer4
		spec:
		  node: node-1
		  peerIP: 10.0.0.4
		  asNumber: 64568
	EOF
	# Two more namespaces on the LAN for the external peers.
	nf_add_node 3
	nf_add_node 4
	bird_start 3 bird "$(bird_conf)"
	cbgpd_start 4 peer4 "$(peer4_plan)"
}

teardown_file() {
	ix_teardown
	ix_check_sanitizers
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3 2>/dev/null || true
}

# nf_add_node I: one more namespace on the LAN ix_lan built (10.0.0.I/24).
nf_add_node() {
	local i=$1 ns hub
	ns=$(ix_ns "$i") hub=$(ix_ns hub)
	ix_netns_add "$ns"
	ip -n "$hub" link add "v$i" type veth peer name eth0 netns "$ns"
	ip -n "$hub" link set "v$i" master br0 up
	ip -n "$ns" addr add "10.0.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	wait_until 10 ix_link_ready "$ns"
}

# nf_state PEER_IP: node 1's FSM state with that peer.
nf_state() {
	cbgpd_state node-1 "$1"
}

nf_up() {
	[ "$(nf_state "$1")" = Established ]
}

nf_all_up() {
	nf_up 10.0.0.2 && nf_up fd00::2 && nf_up 10.0.0.3 && nf_up 10.0.0.4
}

# nf_all_routes: node 1's kernel has every route it should learn.
nf_all_routes() {
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2" &&
		e2e_kernel_has 1 "192.168.103.0/24 via 10.0.0.3" &&
		e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
}

# nf_seconds_until_down PEER_IP LIMIT: prints how many seconds (one decimal)
# node 1 kept the session with PEER_IP Established from now on; fails if it
# is still up after LIMIT seconds.
nf_seconds_until_down() {
	local t0 t1 limit=$(($2 * 10)) i
	t0=$(date +%s%N)
	for ((i = 0; i < limit; i++)); do
		if ! nf_up "$1"; then
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 100000000)) | sed -E 's/([0-9])$/.\1/; s/^\./0./'
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# nf_between X LO HI: LO <= X <= HI for a decimal X.
nf_between() {
	awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x >= lo && x <= hi) }'
}

@test "every session Established and every learned route in node 1's kernel" {
	wait_until 60 nf_all_up
	wait_until 20 nf_all_routes
	[ "$(cbgpd_counter node-1 10.0.0.3 .holdTime)" = "$HOLD" ]
	[ "$(cbgpd_counter node-1 10.0.0.4 .holdTime)" = "$HOLD" ]
}

@test "BIRD peer SIGSTOPped: hold timer expires at the hold time, its route leaves the kernel, back on SIGCONT" {
	wait_until 60 nf_all_up
	local pid took
	pid=$(ix_pid bird)
	kill -STOP "$pid"
	took=$(nf_seconds_until_down 10.0.0.3 15) || {
		kill -CONT "$pid"
		false
	}
	echo "# session left Established ${took}s after SIGSTOP (hold $HOLD s)" >&3
	# The peer's last KEEPALIVE (every 2 s) restarted the timer up to 2 s
	# before the stop; polling adds a little.
	nf_between "$took" $((HOLD - 3)) $((HOLD + 2))
	[[ $(cbgpd_counter node-1 10.0.0.3 .lastError) == *"Hold timer expired"* ]]
	wait_until 3 e2e_kernel_lacks 1 "192.168.103.0/24"
	# The other sessions and their routes are untouched.
	nf_up 10.0.0.2
	nf_up 10.0.0.4
	e2e_kernel_has 1 "10.244.2.0/26 via 10.0.0.2"
	e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
	kill -CONT "$pid"
	wait_until 60 nf_up 10.0.0.3
	wait_until 10 e2e_kernel_has 1 "192.168.103.0/24 via 10.0.0.3"
}

@test "calico-bgpd peer SIGSTOPped: hold timer expires at the hold time, its route leaves the kernel, back on SIGCONT" {
	wait_until 60 nf_all_up
	local pid took
	pid=$(ix_pid peer4)
	kill -STOP "$pid"
	took=$(nf_seconds_until_down 10.0.0.4 15) || {
		kill -CONT "$pid"
		false
	}
	echo "# session left Established ${took}s after SIGSTOP (hold $HOLD s)" >&3
	nf_between "$took" $((HOLD - 3)) $((HOLD + 2))
	[[ $(cbgpd_counter node-1 10.0.0.4 .lastError) == *"Hold timer expired"* ]]
	# A hold timer expiry is an error, not a restart: no stale routes kept.
	wait_until 3 e2e_kernel_lacks 1 "192.168.104.0/24"
	nf_up 10.0.0.3
	e2e_kernel_has 1 "192.168.103.0/24 via 10.0.0.3"
	kill -CONT "$pid"
	wait_until 60 nf_up 10.0.0.4
	wait_until 10 e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
}

@test "calico-bgpd peer SIGKILLed: its routes kept for its restart time, then removed; back when it returns" {
	wait_until 60 nf_all_up
	local pid t0
	pid=$(ix_pid peer4)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	t0=$SECONDS
	# The kernel closed the connection: the peer may be restarting (RFC
	# 4724), so its route stays, marked stale, for its restart time (5 s).
	wait_until 5 ix_not nf_up 10.0.0.4
	e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
	[ "$(cbgpd_counter node-1 10.0.0.4 .prefixes.stale)" -ge 1 ] ||
		cbgpd_route node-1 192.168.104.0/24 | jq -e '.stale == true'
	wait_until 10 e2e_kernel_lacks 1 "192.168.104.0/24"
	echo "# stale route removed after $((SECONDS - t0)) s (restart time 5 s)" >&3
	[ $((SECONDS - t0)) -ge 4 ]
	nf_up 10.0.0.3
	rm -f "$IX_DIR/peer4/bgpd.ctl"
	cbgpd_start 4 peer4 "$(peer4_plan)"
	wait_until 60 nf_up 10.0.0.4
	wait_until 10 e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
	[ "$(cbgpd_route node-1 192.168.104.0/24 | jq -r .stale)" = false ]
}

@test "peer's link down (no interface event on node 1): hold timer drops the session, route withdrawn, back on link up" {
	wait_until 60 nf_all_up
	local hub took
	hub=$(ix_ns hub)
	ip -n "$hub" link set v4 down
	took=$(nf_seconds_until_down 10.0.0.4 15) || {
		ip -n "$hub" link set v4 up
		false
	}
	echo "# session left Established ${took}s after the link went down" >&3
	nf_between "$took" $((HOLD - 3)) $((HOLD + 2))
	wait_until 3 e2e_kernel_lacks 1 "192.168.104.0/24"
	nf_up 10.0.0.3
	nf_up 10.0.0.2
	ip -n "$hub" link set v4 up
	wait_until 60 nf_up 10.0.0.4
	wait_until 10 e2e_kernel_has 1 "192.168.104.0/24 via 10.0.0.4"
}

@test "node 1's own link down and up: short sessions drop, every route is back in the kernel after link up" {
	wait_until 60 nf_all_up
	wait_until 10 nf_all_routes
	# Keep the IPv6 address over the outage, as a node's network manager
	# would put it back (the kernel drops it on link down by default).
	ix_exec 1 sysctl -qw net.ipv6.conf.eth0.keep_addr_on_down=1
	ix_exec 1 ip link set eth0 down
	# The 6 s sessions notice; the 240 s mesh session outlives a short outage
	# (TCP retransmits), as BIRD's would.
	wait_until 15 ix_not nf_up 10.0.0.3
	wait_until 15 ix_not nf_up 10.0.0.4
	e2e_kernel_lacks 1 "192.168.103.0/24"
	e2e_kernel_lacks 1 "192.168.104.0/24"
	ix_exec 1 ip link set eth0 up
	wait_until 10 ix_link_ready "$(ix_ns 1)"
	wait_until 60 nf_all_up
	# The kernel flushed every route through eth0 when it went down, also
	# the mesh route whose session never dropped: the speaker puts it back.
	wait_until 20 nf_all_routes
}

@test "node 1's speaker SIGKILLed and restarted: no pod route removed anywhere, stale routes swept after the restart" {
	wait_until 60 nf_all_up
	wait_until 10 nf_all_routes
	# A second block on node 2 that it gives up while node 1 is down.
	ix_exec 2 ip route add blackhole 10.244.2.64/26 proto 80
	wait_until 10 e2e_kernel_has 1 "10.244.2.64/26 via 10.0.0.2"
	local i mon=()
	for i in 1 2; do
		ix_exec "$i" ip monitor route >"$IX_DIR/gr-monitor-$i" 2>&1 &
		mon+=($!)
	done
	sleep 0.5
	local pid
	pid=$(ix_pid node-1)
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	ix_exec 2 ip route del blackhole 10.244.2.64/26
	sleep 1
	# Node 2 keeps node 1's block while node 1 restarts (its peer is
	# graceful-restart capable); node 1's kernel keeps everything.
	e2e_kernel_has 2 "10.244.1.0/26 via 10.0.0.1"
	nf_all_routes
	e2e_kernel_has 1 "10.244.2.64/26 via 10.0.0.2"
	rm -f "$IX_DIR/node-1/bgpd.ctl"
	# Started as before (no --graceful-restart): finding its routes in the
	# kernel it restarts gracefully by itself (RFC 4724 R and F bits, like
	# calico-node's `bird -R`); without them node 2 must flush node 1's
	# routes at once, and would, until node 1 announced them again.
	e2e_start 1
	grep -q "the kernel holds routes of an earlier run: restarting gracefully" \
		"$IX_DIR/node-1/log"
	wait_until 60 nf_all_up
	# Node 2 no longer announces 10.244.2.64/26: once every peer has sent
	# End-of-RIB, the route left over from the old run goes.
	wait_until 30 e2e_kernel_lacks 1 "10.244.2.64/26"
	grep -q "removed 1 stale routes left by an earlier run" "$IX_DIR/node-1/log"
	nf_all_routes
	for pid in "${mon[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
	done
	# Only the swept route was ever deleted, on node 1; nothing on node 2.
	run grep -E '^Deleted ' "$IX_DIR/gr-monitor-1"
	echo "$output"
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	[[ ${lines[0]} == "Deleted 10.244.2.64/26 via 10.0.0.2"* ]]
	run grep -E '^Deleted .*10\.244\.1\.0/26' "$IX_DIR/gr-monitor-2"
	[ -z "$output" ]
}
