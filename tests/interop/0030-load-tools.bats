#!/usr/bin/env bats
# The benchmark load tools (bench/feeder, bench/sink, bench/cpuwatch):
# what the ingest numbers in docs/BENCHMARKS.md rest on.

load lib

FEEDER="$BUILD_DIR/bench/feeder"
SINK="$BUILD_DIR/bench/sink"
CPUWATCH="$BUILD_DIR/bench/cpuwatch"

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
