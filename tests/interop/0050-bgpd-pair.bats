#!/usr/bin/env bats
# Two of our speakers peering: calico-bgpd on node 1 (AS 65001) and node 2
# (AS 65002), one IPv4 session and one IPv6 session with a TCP MD5 password.
# Checks, all through the control socket: sessions Established, routes of
# both families exchanged both ways, a withdrawal after SIGHUP with a
# changed plan (the other sessions untouched), a mismatched MD5 password
# keeping a session down, and the control protocol's error handling.

load lib

PW=pair-md5-secret

# bgpd_plan NODE [ROUTES_JSON] [V6_PASSWORD]: the plan of node NODE (1 or 2).
bgpd_plan() {
	local me=$1 routes=$2 pw=${3:-$PW}
	local peer=$((3 - me))
	cat <<EOF
{
  "node": "node-$me", "routerID": "10.0.0.$me", "asNumber": $((65000 + me)),
  "ipv4Address": "10.0.0.$me", "ipv6Address": "fd00::$me",
  "sessions": [
    { "type": "global", "peerIP": "10.0.0.$peer", "peerASNumber": $((65000 + peer)),
      "sourceAddress": "10.0.0.$me", "keepaliveTime": 5 },
    { "type": "node", "peerIP": "fd00::$peer", "peerASNumber": $((65000 + peer)),
      "sourceAddress": "fd00::$me", "password": "$pw", "ttlSecurity": 1 }
  ],
  "routes": $routes
}
EOF
}

ROUTES1='[{"prefix":"10.1.0.0/24","communities":["65001:100"]},{"prefix":"10.1.1.0/24"},{"prefix":"fd01::/64"}]'
ROUTES2='[{"prefix":"10.2.0.0/24"},{"prefix":"10.2.1.0/24"},{"prefix":"fd02::/64"},{"prefix":"fd02:1::/64"}]'
ROUTES2_LESS='[{"prefix":"10.2.0.0/24"},{"prefix":"fd02::/64"}]'

# bgpd_start NODE: starts calico-bgpd in node NODE's namespace.
bgpd_start() {
	local dir="$IX_DIR/bgpd$1"
	mkdir -p "$dir"
	ix_spawn "$1" "bgpd$1" "$BGPD" --plan "$dir/plan.json" --ctl "$dir/ctl" \
		--pid-file "$dir/pid" --foreground --log-level debug
	wait_until 10 test -S "$dir/ctl"
}

# bgpd_ctl NODE CMD [ARGS_JSON]: one request on node NODE's control socket;
# prints the reply lines.
bgpd_ctl() {
	printf '{"v":1,"id":1,"cmd":"%s","args":%s}\n' "$2" "${3:-{\}}" |
		socat -t 5 - "UNIX-CONNECT:$IX_DIR/bgpd$1/ctl"
}

# bgpd_records NODE CMD [ARGS_JSON]: only the records, one JSON per line.
bgpd_records() {
	bgpd_ctl "$@" | jq -c 'select(.record) | .record'
}

# bgpd_state NODE SESSION: the FSM state of a session.
bgpd_state() {
	bgpd_ctl "$1" peer "{\"name\":\"$2\"}" | jq -r 'select(.record) | .record.state'
}

bgpd_established() {
	[ "$(bgpd_state "$1" "$2")" = Established ]
}

# bgpd_has_route NODE PREFIX: NODE's best route for PREFIX was learned from
# a peer (not originated locally).
bgpd_has_route() {
	bgpd_records "$1" routes "{\"prefix\":\"$2\",\"exact\":true}" |
		jq -s -e 'map(select(.peer != "local")) | length > 0' >/dev/null
}

S4_1=Global_10_0_0_2 S6_1=Node_fd00__2 S4_2=Global_10_0_0_1 S6_2=Node_fd00__1

setup_file() {
	ix_init "$BATS_FILE_TMPDIR/ix"
	ix_lan 2
	mkdir -p "$IX_DIR/bgpd1" "$IX_DIR/bgpd2"
	bgpd_plan 1 "$ROUTES1" >"$IX_DIR/bgpd1/plan.json"
	bgpd_plan 2 "$ROUTES2" >"$IX_DIR/bgpd2/plan.json"
	bgpd_start 1
	bgpd_start 2
}

teardown_file() {
	ix_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs
}

@test "IPv4 and IPv6 (MD5, GTSM) sessions reach Established on both speakers" {
	wait_until 30 bgpd_established 1 "$S4_1"
	wait_until 30 bgpd_established 1 "$S6_1"
	wait_until 30 bgpd_established 2 "$S4_2"
	wait_until 30 bgpd_established 2 "$S6_2"
	run bgpd_records 1 peer "{\"name\":\"$S6_1\"}"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.capabilities |
		.as4 and .routeRefresh and .gracefulRestart and (.families == ["ipv6"]) and
		(.addPathRx == ["ipv6"])'
	# the MD5 key really is on the connection: the kernel shows it
	ip netns exec "$(ix_ns 1)" ss -tniHe 'sport = :179 or dport = :179' | grep -q md5
}

@test "routes of both families are exchanged both ways" {
	local p
	for p in 10.2.0.0/24 10.2.1.0/24 fd02::/64 fd02:1::/64; do
		wait_until 20 bgpd_has_route 1 "$p"
	done
	for p in 10.1.0.0/24 10.1.1.0/24 fd01::/64; do
		wait_until 20 bgpd_has_route 2 "$p"
	done
	# attributes as sent: eBGP AS path, next hop self, the community kept
	run bgpd_records 2 routes '{"prefix":"10.1.0.0/24","exact":true}'
	echo "$output" | jq -e '
		.asPath == "65001" and .nextHop == "10.0.0.1" and .communities == ["65001:100"]'
	run bgpd_records 2 routes '{"prefix":"fd01::/64","exact":true}'
	echo "$output" | jq -e '.nextHop == "fd00::1"'
	# per-peer views and counters
	run bgpd_ctl 1 routes "{\"table\":\"received\",\"peer\":\"$S4_1\"}"
	[ "$(echo "$output" | jq -s '[.[] | select(.record)] | length')" -eq 2 ]
	run bgpd_ctl 1 routes "{\"table\":\"advertised\",\"peer\":\"$S6_1\",\"family\":\"ipv6\"}"
	echo "$output" | jq -e -s '[.[] | select(.record) | .record.prefix] == ["fd01::/64"]'
	run bgpd_records 1 peer "{\"name\":\"$S4_1\"}"
	echo "$output" | jq -e '.prefixes.received == 2'
}

@test "SIGHUP with a changed plan withdraws routes and leaves sessions alone" {
	local before after
	before=$(bgpd_ctl 1 peer "{\"name\":\"$S4_1\"}" | jq -r 'select(.record) | .record.since')
	bgpd_plan 2 "$ROUTES2_LESS" >"$IX_DIR/bgpd2/plan.json"
	kill -HUP "$(cat "$IX_DIR/bgpd2/pid")"
	wait_until 20 ix_not bgpd_has_route 1 10.2.1.0/24
	wait_until 20 ix_not bgpd_has_route 1 fd02:1::/64
	bgpd_has_route 1 10.2.0.0/24
	bgpd_has_route 1 fd02::/64
	bgpd_established 1 "$S4_1"
	after=$(bgpd_ctl 1 peer "{\"name\":\"$S4_1\"}" | jq -r 'select(.record) | .record.since')
	[ "$before" = "$after" ]
	run bgpd_records 2 status
	echo "$output" | jq -e '.reloads == 1 and .originated == 2'
}

@test "a mismatched MD5 password keeps the session down; the right one brings it back" {
	bgpd_plan 2 "$ROUTES2_LESS" wrong-password >"$IX_DIR/bgpd2/plan.json"
	run bgpd_records 2 reload
	echo "$output" | jq -e '.changed == 1 and .unchanged == 1'
	wait_until 10 ix_not bgpd_established 1 "$S6_1"
	sleep 3
	ix_not bgpd_established 2 "$S6_2"
	ix_not bgpd_has_route 1 fd02::/64
	bgpd_established 1 "$S4_1"
	bgpd_plan 2 "$ROUTES2_LESS" >"$IX_DIR/bgpd2/plan.json"
	bgpd_ctl 2 reload
	wait_until 30 bgpd_established 2 "$S6_2"
	wait_until 20 bgpd_has_route 1 fd02::/64
}

@test "removing a session from the plan closes it with a Cease" {
	jq '.sessions |= map(select(.peerIP != "10.0.0.1"))' "$IX_DIR/bgpd2/plan.json" \
		>"$IX_DIR/bgpd2/plan.new"
	mv "$IX_DIR/bgpd2/plan.new" "$IX_DIR/bgpd2/plan.json"
	kill -HUP "$(cat "$IX_DIR/bgpd2/pid")"
	wait_until 10 ix_not bgpd_established 1 "$S4_1"
	wait_until 10 ix_not bgpd_has_route 1 10.2.0.0/24
	run bgpd_records 1 peer "{\"name\":\"$S4_1\"}"
	echo "$output" | jq -e '.lastError | test("Peer De-configured")'
	run bgpd_ctl 2 peers
	[ "$(echo "$output" | jq -s '[.[] | select(.record)] | length')" -eq 1 ]
	# the connection from a deconfigured address is refused
	grep -q "refusing connection from 10.0.0.1" "$IX_DIR/bgpd2/log" ||
		wait_until 15 grep -q "refusing connection from 10.0.0.1" "$IX_DIR/bgpd2/log"
}

@test "a 100k-route table loads while the control socket keeps answering" {
	python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
p["routes"] = [{"prefix": "fd10:%x:%x::/48" % (i >> 16, i & 0xffff)} for i in range(100000)]
json.dump(p, open(sys.argv[1], "w"))' "$IX_DIR/bgpd2/plan.json"
	kill -HUP "$(cat "$IX_DIR/bgpd2/pid")"
	local i t0 t1 n=0 slow=0
	for ((i = 0; i < 300 && n < 100000; i++)); do
		t0=$(date +%s%N)
		n=$(bgpd_records 1 status | jq '.prefixes.ipv6')
		t1=$(date +%s%N)
		[ $(((t1 - t0) / 1000000)) -lt 1000 ] || slow=$((slow + 1))
		sleep 0.1
	done
	echo "ipv6 prefixes at node 1: $n, slow status replies: $slow"
	[ "$n" -ge 100000 ]
	[ "$slow" -eq 0 ]
	bgpd_established 1 "$S6_1"
	bgpd_established 2 "$S6_2"
	[ "$(bgpd_records 1 routes '{"family":"ipv6"}' | wc -l)" -ge 100000 ]
}

@test "bad options and bad plans get clear errors; --check prints the canonical plan" {
	run_must_fail "$BGPD" --bogus
	[[ $output == *"unknown option '--bogus'"* ]]
	run_must_fail "$BGPD"
	[[ $output == *"--plan FILE is required"* ]]
	run_must_fail "$BGPD" --plan "$IX_DIR/bgpd1/plan.json" --log-level loud
	[[ $output == *"invalid --log-level 'loud'"* ]]
	run_must_fail "$BGPD" --plan "$IX_DIR/none.json" --foreground
	[[ $output == *"$IX_DIR/none.json"* ]]
	echo '{"routerID":"1.2.3.4","sessions":[{"peerIP":"10.0.0.300","peerASNumber":1}]}' \
		>"$IX_DIR/bad.json"
	run_must_fail "$BGPD" --plan "$IX_DIR/bad.json" --foreground
	[[ $output == *"sessions[0].peerIP = '10.0.0.300': not an IPv4 or IPv6 address"* ]]
	# canonical form round trip
	"$BGPD" --plan "$IX_DIR/bgpd1/plan.json" --check >"$IX_DIR/canon.json"
	run "$BGPD" --plan "$IX_DIR/canon.json" --check
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$IX_DIR/canon.json")" ]
	# detached start: errors reach the caller, success leaves a pid file
	run_must_fail ix_exec 1 "$BGPD" --plan "$IX_DIR/bgpd1/plan.json" --ctl "$IX_DIR/x.ctl"
	[[ $output == *"port 179: Address already in use"* ]]
	jq '.listenPort = 1790' "$IX_DIR/bgpd1/plan.json" >"$IX_DIR/alt.json"
	ix_exec 1 "$BGPD" --plan "$IX_DIR/alt.json" --ctl "$IX_DIR/alt.ctl" --pid-file "$IX_DIR/alt.pid"
	echo "$(cat "$IX_DIR/alt.pid") alt" >>"$IX_DIR/pids"
	bgpd_ctl_path() { printf '{"v":1,"id":1,"cmd":"%s"}\n' "$2" | socat -t 5 - "UNIX-CONNECT:$1"; }
	run bgpd_ctl_path "$IX_DIR/alt.ctl" status
	echo "$output" | jq -e 'select(.record) | .record.listenPort == 1790' | grep -q true
	bgpd_ctl_path "$IX_DIR/alt.ctl" stop
	wait_until 10 ix_not test -e "$IX_DIR/alt.pid"
}

@test "control socket: unknown command, bad version, malformed request, stop" {
	run bgpd_ctl 1 frobnicate
	echo "$output" | jq -e '.error.code == "unknown-command"'
	run sh -c "echo '{\"v\":9,\"id\":4,\"cmd\":\"status\"}' | socat -t 5 - UNIX-CONNECT:$IX_DIR/bgpd1/ctl"
	echo "$output" | jq -e '.id == 4 and .error.code == "bad-version"'
	run sh -c "echo 'this is not json' | socat -t 5 - UNIX-CONNECT:$IX_DIR/bgpd1/ctl"
	[ -z "$output" ]
	run bgpd_ctl 1 routes '{"family":"ipv5"}'
	echo "$output" | jq -e '.error.code == "bad-args"'
	# still serving after all that
	run bgpd_records 1 status
	echo "$output" | jq -e '.asNumber == 65001 and .node == "node-1"'
	[ "$(stat -c %a "$IX_DIR/bgpd1/ctl")" = 660 ]
	run bgpd_ctl 1 stop
	echo "$output" | jq -e '.done == true'
	wait_until 10 ix_not ix_alive "$(ix_pid bgpd1)"
}
