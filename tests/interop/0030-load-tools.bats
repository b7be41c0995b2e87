#!/usr/bin/env bats
# The benchmark load tools (bench/feeder, bench/sink, bench/cpuwatch,
# bench/bgpload):
# what the ingest numbers in docs/BENCHMARKS.md rest on.

load lib

FEEDER="$BUILD_DIR/bench/feeder"
SINK="$BUILD_DIR/bench/sink"
CPUWATCH="$BUILD_DIR/bench/cpuwatch"
LOAD="$BUILD_DIR/bench/bgpload"

setup() {
	ix_init "$BATS_TEST_TMPDIR/ix"
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3
	ix_teardown
}

# kv KEY LINE: the value of KEY=... in a tool's event line.
kv() {
	local f
	for f in $2; do
		if [ "${f%%=*}" = "$1" ]; then
			echo "${f#*=}"
			return 0
		fi
	done
	return 1
}

@test "feeder to sink: every pre-encoded byte arrives, End-of-RIB last" {
	ix_lan 2
	ix_spawn 1 sink "$SINK" --listen 10.0.0.1:179 --exit-on-eor
	wait_until 5 ix_exec 1 sh -c 'ss -ltn | grep -q 10.0.0.1:179'
	ix_spawn 2 feeder "$FEEDER" --connect 10.0.0.1 --local 10.0.0.2 --prefixes 20000 --attr-sets 300 --linger 0
	wait_until 30 grep -q '^feeder done' "$IX_DIR/feeder/log"
	wait_until 5 grep -q '^sink done' "$IX_DIR/sink/log"
	prepared=$(grep '^feeder prepared' "$IX_DIR/feeder/log")
	fdone=$(grep '^feeder done' "$IX_DIR/feeder/log")
	sdone=$(grep '^sink done' "$IX_DIR/sink/log")
	[ "$(kv result "$sdone")" = ok ]
	[ "$(kv result "$fdone")" = closed ]
	# 300 attribute sets of ~67 /24s each fit one UPDATE apiece, plus End-of-RIB.
	[ "$(kv updates "$prepared")" = 301 ]
	[ "$(kv updates "$sdone")" = 301 ]
	# The sink read the feed plus our OPEN (43 bytes) and one KEEPALIVE (19).
	[ "$(kv bytes "$sdone")" -eq $(($(kv bytes "$prepared") + 43 + 19)) ]
	[ "$(kv sent "$fdone")" = "$(kv bytes "$prepared")/$(kv bytes "$prepared")" ]
}

@test "feeder to BIRD: N prefixes, A distinct attribute sets, as documented" {
	ix_lan 2
	conf="$(ix_render bird.conf DIR="$IX_DIR/bird" ROUTER_ID=10.0.0.1)
$(ix_render bird-peer.conf NAME=feed LOCAL_IP=10.0.0.1 LOCAL_AS=65100 PEER_IP=10.0.0.2 PEER_AS=65000 \
		OPTIONS='passive on;' FAMILY=ipv4 EXPORT=none)"
	bird_start 1 bird "$conf"
	ix_spawn 2 feeder "$FEEDER" --connect 10.0.0.1 --local 10.0.0.2 --as 65000 --peer-as 65100 \
		--prefixes 10000 --attr-sets 100 --base 20.0.0.0 --length 22
	wait_until 30 bird_established bird feed
	wait_until 30 bash -c "birdc -s '$IX_DIR/bird/bird.ctl' show route count | grep -q '^10000 of 10000 routes'"
	# Prefix p is 20.0.0.0 + p * 2^10; block j = [100j, 100j+100) has MED j
	# and AS path 65000 4200000000+j.
	run bird_route_detail bird 20.0.0.0/22
	[[ $output == *"BGP.as_path: 65000 4200000000"* ]]
	[[ $output == *"BGP.next_hop: 10.0.0.2"* ]]
	last=$(python3 -c 'import ipaddress; print(ipaddress.ip_address("20.0.0.0") + 9999 * 1024)')
	run bird_route_detail bird "$last/22"
	[[ $output == *"BGP.as_path: 65000 4200000099"* ]]
	[[ $output == *"BGP.med: 99"* ]]
	paths=$(bird_cmd bird show route all | grep -c 'BGP.as_path')
	[ "$paths" -eq 10000 ]
	distinct=$(bird_cmd bird show route all | grep 'BGP.as_path' | sort -u | wc -l)
	[ "$distinct" -eq 100 ]
}

@test "cpuwatch reports the end of a burst of work, not its start or a later idle tick" {
	# Idle 0.5 s, burn CPU for 0.8 s of wall time (however much CPU the
	# machine grants), note when the burn ended, then idle.
	# (bash, not python3: a pyenv shim would hand over to another PID)
	bash -c 'sleep 0.5; end=$((${EPOCHREALTIME/./} + 800000))
		while ((${EPOCHREALTIME/./} < end)); do :; done
		echo "$EPOCHREALTIME" >"$1"; exec sleep 100' burner "$BATS_TEST_TMPDIR/burn-end" \
		>/dev/null 2>&1 &
	pid=$!
	echo "$pid burner" >>"$IX_DIR/pids"
	run "$CPUWATCH" --pid "$pid" --idle-ms 700 --timeout 20
	[ "$status" -eq 0 ]
	start=$(kv t "$(grep '^cpuwatch start' <<<"$output")")
	idle=$(grep '^cpuwatch idle' <<<"$output")
	python3 - "$start" "$(kv last_active "$idle")" "$(kv t "$idle")" "$(kv cpu "$idle")" \
		"$(cat "$BATS_TEST_TMPDIR/burn-end")" <<'PY'
import sys
start, last, idle, cpu, end = map(float, sys.argv[1:])
assert last - start >= 1.2, f"burst ended {last - start:.3f}s after start, expected >= 1.3"
assert abs(last - end) <= 0.25, f"last_active {last:.3f} vs burn end {end:.3f}"
assert idle - last >= 0.7, f"reported idle after {idle - last:.3f}s"
assert cpu >= 0.05, f"cpu {cpu}"
PY
}

@test "load tools reject bad options with a message naming the option" {
	run_must_fail "$FEEDER" --connect 10.0.0.1 --next-hop 10.0.0.2 --prefixes 0
	[[ $output == *"--prefixes = '0': outside 1..16777216"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1 --next-hop 10.0.0.2 --base 16.0.0.1
	[[ $output == *"--base has host bits set for --length 24"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1 --next-hop 10.0.0.2 --base 255.255.0.0 --prefixes 1000 --attr-sets 10
	[[ $output == *"run past 255.255.255.255"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1 --next-hop 10.0.0.2 --prefixes 10 --attr-sets 11
	[[ $output == *"--attr-sets = 11 exceeds --prefixes = 10"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1 --listen 10.0.0.2
	[[ $output == *"exactly one of --connect and --listen"* ]]
	run_must_fail "$FEEDER" --connect '[fd00::1]:179'
	[[ $output == *"--next-hop is required"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1:99999 --next-hop 10.0.0.2
	[[ $output == *"port '99999' is not in 1..65535"* ]]
	run_must_fail "$FEEDER" --connect 10.0.0.1 --next-hop 10.0.0.2 --hold 2
	[[ $output == *"--hold = '2'"* ]]
	run_must_fail "$SINK"
	[[ $output == *"exactly one of --listen and --connect"* ]]
	run_must_fail "$SINK" --listen nonsense
	[[ $output == *"'nonsense' is not an IPv4 or IPv6 address"* ]]
	run_must_fail "$CPUWATCH"
	[[ $output == *"give at least one --pid"* ]]
	run_must_fail "$CPUWATCH" --pid 1073741823
	[[ $output == *"process 1073741823 is gone"* ]]
}

# Node 2 gets the load tool's source addresses on its loopback; node 1
# reaches them through node 2 (as bench/rr.sh and bench/readvertise.sh do).
load_addresses() { # FIRST COUNT
	"$LOAD" --local "$1" --count "$2" --print-addresses | sed 's|^|addr add |; s|$|/32 dev lo|' |
		ix_exec 2 ip -batch -
	ix_exec 1 ip route add "${1%.*.*}.0.0/16" via 10.0.0.2
}

@test "bgpload clients: every client holds every other client's routes through our reflector, again after 10% restart" {
	ix_lan 2
	load_addresses 10.1.0.1 20
	sessions=$("$LOAD" --local 10.1.0.1 --count 20 --print-addresses | jq -R . | jq -sc 'map({type: "node",
		peerIP: ., peerASNumber: 64512, passive: true, rrClient: true, clusterID: "1.1.1.1"})')
	cbgpd_start 1 rr "$(cbgpd_plan 10.0.0.1 64512 "$sessions" '[]')"
	run ix_exec 2 "$LOAD" --connect 10.0.0.1 --local 10.1.0.1 --count 20 --per-client 3 --as 64512 \
		--next-hop 10.0.0.2 --restart-pct 10 --settle-ms 300 --timeout 60 --watch-pid "$(ix_pid rr)" \
		--per-session
	echo "$output" | grep -v '^bgpload session' >&3 || true
	[ "$status" -eq 0 ]
	init=$(grep '^bgpload phase name=initial' <<<"$output")
	restart=$(grep '^bgpload phase name=restart' <<<"$output")
	[ "$(kv complete "$init")" = 20/20 ]
	[ "$(kv result "$init")" = ok ]
	[ "$(kv complete "$restart")" = 20/20 ]
	[ "$(kv result "$restart")" = ok ]
	# The speaker's CPU and memory were read from /proc.
	[[ $(kv peer_hwm_kb "$init") =~ ^[1-9][0-9]*$ ]]
	# Each client holds the 19 x 3 routes of the others, not its own.
	[ "$(grep -c '^bgpload session phase=restart .* held=57 need=57 ' <<<"$output")" -eq 20 ]
	# The two restarted clients (0 and 10) connected twice.
	[ "$(grep -c '^bgpload session phase=restart .* connects=1 ' <<<"$output")" -eq 18 ]
	grep -q '^bgpload session phase=restart i=10 .* connects=2 ' <<<"$output"
	# and the reflector saw the restart.
	grep -qi 'Node_10_1_0_11 .*received NOTIFICATION Cease / Administrative Reset' "$IX_DIR/rr/log"
}

@test "bgpload monitors: the feeder's prefixes re-advertised by our speaker, counted per monitor" {
	ix_lan 2
	load_addresses 10.2.0.1 3
	sessions=$("$LOAD" --local 10.2.0.1 --count 3 --print-addresses | jq -R . | jq -sc 'map({type: "global",
		peerIP: ., peerASNumber: 65200, passive: true}) + [{type: "global", peerIP: "10.0.0.2",
		peerASNumber: 65000, passive: true}]')
	cbgpd_start 1 sp "$(cbgpd_plan 10.0.0.1 65100 "$sessions" '[]')"
	ix_spawn 2 mon "$LOAD" --connect 10.0.0.1 --local 10.2.0.1 --count 3 --per-client 0 --expect 5000 \
		--base 16.0.0.0 --length 24 --as 65200 --settle-ms 300 --timeout 60
	wait_until 30 grep -q '^bgpload established' "$IX_DIR/mon/log"
	ix_spawn 2 feeder "$FEEDER" --connect 10.0.0.1 --local 10.0.0.2 --as 65000 --peer-as 65100 \
		--prefixes 5000 --attr-sets 50
	wait_until 60 grep -q '^bgpload done' "$IX_DIR/mon/log"
	phase=$(grep '^bgpload phase' "$IX_DIR/mon/log")
	[ "$(kv result "$phase")" = ok ]
	[ "$(kv complete "$phase")" = 3/3 ]
	[ "$(grep -c 'held=5000 need=5000 ' "$IX_DIR/mon/log")" -eq 3 ]
	# Every monitor timestamped its first routes after the feed came up.
	est=$(kv t "$(grep '^feeder established' "$IX_DIR/feeder/log")")
	for first in $(grep -o 'first_update=[0-9.]*' "$IX_DIR/mon/log" | cut -d= -f2); do
		python3 -c "import sys; assert $first >= $est, ($first, $est)"
	done
}

@test "bgpload: source addresses skip .0 and .255; bad options are named" {
	run "$LOAD" --local 10.1.0.253 --count 4 --print-addresses
	[ "$status" -eq 0 ]
	[ "$output" = $'10.1.0.253\n10.1.0.254\n10.1.1.1\n10.1.1.2' ]
	run_must_fail "$LOAD" --connect 10.0.0.1 --count 4
	[[ $output == *"--local (the first source address) is required"* ]]
	run_must_fail "$LOAD" --connect 10.0.0.1 --local 10.1.0.1 --count 4 --per-client 0
	[[ $output == *"--per-client 0 (monitor peers) needs --expect"* ]]
	run_must_fail "$LOAD" --connect 10.0.0.1 --local 10.1.0.1 --count 4 --per-client 4 --expect 10
	[[ $output == *"--expect = 10 is less than --count x --per-client = 16"* ]]
	run_must_fail "$LOAD" --connect '[fd00::1]:179' --local 10.1.0.1 --count 4
	[[ $output == *"only IPv4 peers are supported"* ]]
	run_must_fail "$LOAD" --connect 10.0.0.1 --local 10.1.0.1 --count 4 --base 100.64.0.1
	[[ $output == *"--base has host bits set for --length 26"* ]]
	run_must_fail "$LOAD" --connect 10.0.0.1 --local 10.1.0.1 --count 0
	[[ $output == *"--count = '0': outside 1..60000"* ]]
}
