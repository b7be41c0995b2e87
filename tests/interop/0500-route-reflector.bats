#!/usr/bin/env bats
# Route reflection with our speaker on both sides of it, all iBGP (AS 65000)
# on one LAN, IPv4 and IPv6 sessions for every pair:
#
#   calico-bgpd as reflector       node 1 (cluster id 1.1.1.1)
#     BIRD clients                 node 2, node 3
#   BIRD as reflector              node 4 (cluster id 4.4.4.4)
#     clients: calico-bgpd         node 5
#              BIRD                node 6
#
# Each node N originates 10.N.0.0/24 and fd0N::/64.

load lib

bird_node() { # NODE PEER_NODE... (PEER_NODE prefixed with "c" = our RR client)
	local n=$1 peers="" p opts
	shift
	for p in "$@"; do
		# iBGP is multihop in BIRD unless told otherwise; all nodes share a LAN.
		opts="direct;"
		if [[ $p == c* ]]; then
			p=${p#c}
			opts+=" rr client; rr cluster id 4.4.4.4;"
		fi
		peers+=$(ix_render bird-peer.conf NAME="n${p}v4" LOCAL_IP="10.0.0.$n" LOCAL_AS=65000 \
			PEER_IP="10.0.0.$p" PEER_AS=65000 OPTIONS="$opts" FAMILY=ipv4 EXPORT=all)$'\n'
		peers+=$(ix_render bird-peer.conf NAME="n${p}v6" LOCAL_IP="fd00::$n" LOCAL_AS=65000 \
			PEER_IP="fd00::$p" PEER_AS=65000 OPTIONS="$opts" FAMILY=ipv6 EXPORT=all)$'\n'
	done
	bird_start "$n" "bird$n" "$(ix_render bird.conf DIR="$IX_DIR/bird$n" ROUTER_ID="10.0.0.$n")
$peers"
	bird_set_routes "bird$n" ipv4 "10.$n.0.0/24"
	bird_set_routes "bird$n" ipv6 "fd0$n::/64"
}

calico_node() { # NODE RR_CLIENT(true|false) PEER_NODE...
	local n=$1 client=$2 sessions="[]" p
	shift 2
	for p in "$@"; do
		sessions=$(jq -c --arg a4 "10.0.0.$p" --arg a6 "fd00::$p" --arg s4 "10.0.0.$n" --arg s6 "fd00::$n" \
			--argjson c "$client" '. + [
			{type: "node", peerIP: $a4, peerASNumber: 65000, sourceAddress: $s4, rrClient: $c, holdTime: 30},
			{type: "node", peerIP: $a6, peerASNumber: 65000, sourceAddress: $s6, rrClient: $c, holdTime: 30}]
			| map(if .rrClient then .clusterID = "1.1.1.1" else . end)' <<<"$sessions")
	done
	local plan
	plan=$(cbgpd_plan "10.0.0.$n" 65000 "$sessions" "$(cbgpd_routes_json "10.$n.0.0/24" "fd0$n::/64")" |
		jq --arg a6 "fd00::$n" '.ipv6Address = $a6')
	cbgpd_start "$n" "calico$n" "$plan"
}

setup_file() {
	ix_init "$BATS_FILE_TMPDIR/ix"
	ix_lan 6
	calico_node 1 true 2 3
	bird_node 2 1
	bird_node 3 1
	bird_node 4 c5 c6
	calico_node 5 false 4
	bird_node 6 4
}

teardown_file() {
	ix_teardown
	ix_check_sanitizers
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3
}

# has_route BIRD_NODE PREFIX: BIRD on that node holds PREFIX.
bird_has() {
	bird_cmd "bird$1" show route for "$2" | grep -q "^$2 "
}

# bird_attr NODE PREFIX ATTR: e.g. BGP.originator_id.
bird_attr() {
	bird_cmd "bird$1" show route for "$2" all | awk -v a="$3:" '$1 == a { $1 = ""; sub(/^ /, ""); print; exit }'
}

calico_has() { # NODE PREFIX
	[ -n "$(calico_path "$1" "$2")" ]
}

calico_path() { # NODE PREFIX: the best path our speaker holds
	cbgpd_route "calico$1" "$2" | jq -c 'select(.best)'
}

@test "RR: every session Established" {
	for p in 10.0.0.2 fd00::2 10.0.0.3 fd00::3; do
		wait_until 60 cbgpd_established calico1 "$p"
	done
	for p in 10.0.0.4 fd00::4; do
		wait_until 60 cbgpd_established calico5 "$p"
	done
	for n in 2 3; do
		wait_until 10 bird_established "bird$n" n1v4
		wait_until 10 bird_established "bird$n" n1v6
	done
	for p in n5v4 n5v6 n6v4 n6v6; do
		wait_until 60 bird_established bird4 "$p"
	done
}

@test "RR: our reflector passes each BIRD client's routes to the other, with ORIGINATOR_ID and CLUSTER_LIST" {
	for pair in "2 3" "3 2"; do
		read -r from to <<<"$pair"
		for prefix in "10.$from.0.0/24" "fd0$from::/64"; do
			wait_until 30 bird_has "$to" "$prefix"
			[ "$(bird_attr "$to" "$prefix" BGP.originator_id)" = "10.0.0.$from" ]
			[ "$(bird_attr "$to" "$prefix" BGP.cluster_list)" = 1.1.1.1 ]
			# iBGP reflection keeps the originator's next hop.
			[[ $(bird_attr "$to" "$prefix" BGP.next_hop) == *"$([ "${prefix#10.}" != "$prefix" ] &&
				echo "10.0.0.$from" || echo "fd00::$from")"* ]]
		done
	done
	# And our own routes reach both clients, without reflection attributes.
	for n in 2 3; do
		wait_until 30 bird_has "$n" 10.1.0.0/24
		wait_until 30 bird_has "$n" fd01::/64
		[ -z "$(bird_attr "$n" 10.1.0.0/24 BGP.originator_id)" ]
	done
}

@test "RR: a client's withdrawal is reflected" {
	bird_set_routes bird2 ipv4
	wait_until 30 ix_not bird_has 3 10.2.0.0/24
	bird_has 3 fd02::/64
	bird_set_routes bird2 ipv4 10.2.0.0/24
	wait_until 30 bird_has 3 10.2.0.0/24
}

@test "RR: as a client of a BIRD reflector we learn reflected routes and ours are reflected on" {
	for prefix in 10.6.0.0/24 fd06::/64; do
		wait_until 30 calico_has 5 "$prefix"
		path=$(calico_path 5 "$prefix")
		[ "$(jq -r .originatorID <<<"$path")" = 10.0.0.6 ]
	done
	wait_until 30 calico_has 5 10.4.0.0/24
	for prefix in 10.5.0.0/24 fd05::/64; do
		wait_until 30 bird_has 6 "$prefix"
		[ "$(bird_attr 6 "$prefix" BGP.originator_id)" = 10.0.0.5 ]
		[ "$(bird_attr 6 "$prefix" BGP.cluster_list)" = 4.4.4.4 ]
	done
}

@test "RR: our client withdraws through the BIRD reflector" {
	cbgpd_set_routes calico5 fd05::/64
	wait_until 30 ix_not bird_has 6 10.5.0.0/24
	bird_has 6 fd05::/64
}
