#!/usr/bin/env bats
# The harness itself: templates, namespaces, and a teardown that leaves
# nothing behind even when a daemon ignores SIGTERM or forks.

load lib

# (a bare `! cmd` never fails a bats test, hence a function)
ix_gone() {
	if ix_alive "$1"; then
		echo "process $1 is still alive" >&2
		return 1
	fi
}

setup() {
	ix_init "$BATS_TEST_TMPDIR/ix"
}

teardown() {
	ix_teardown
}

@test "ix_render substitutes every placeholder and refuses a missing one" {
	run ix_render openbgpd-neighbor.conf PEER_IP=10.0.0.9 PEER_AS=65009 LOCAL_IP=10.0.0.1 OPTIONS=passive
	[ "$status" -eq 0 ]
	[[ $output == *"neighbor 10.0.0.9 {"* ]]
	[[ $output == *"remote-as 65009"* ]]
	[[ $output != *@* ]]
	run_must_fail ix_render openbgpd-neighbor.conf PEER_IP=10.0.0.9 PEER_AS=65009 LOCAL_IP=10.0.0.1
	[[ $output == *"@OPTIONS@"* ]]
	run_must_fail ix_render no-such-template.conf
}

@test "ix_lan gives each node both address families on one bridged LAN" {
	ix_lan 3
	for i in 1 2 3; do
		ns=$(ix_ns "$i")
		[[ $ns == "$IX_TAG"-* ]]
		ip -n "$ns" -o addr show dev eth0 | grep -q "inet 10.0.0.$i/24"
		ip -n "$ns" -o addr show dev eth0 | grep -q "inet6 fd00::$i/64"
	done
	# The nodes reach each other: a listener in node 3, a connect from node 1.
	ix_spawn 3 listener socat -u TCP6-LISTEN:7777,bind=[fd00::3] OPEN:"$IX_DIR/got",creat
	wait_until 5 ix_exec 3 sh -c 'ss -ltn | grep -q 7777'
	echo hello | ix_exec 1 socat -u - TCP6:[fd00::3]:7777
	wait_until 5 grep -q hello "$IX_DIR/got"
}

netns_has_pids() {
	[ -n "$(ip netns pids "$1")" ]
}

@test "ix_teardown kills by PID, including stubborn and forked processes, and removes the namespaces" {
	ix_lan 2
	ix_spawn 1 stubborn sh -c 'trap "" TERM; while :; do sleep 1; done'
	ix_spawn 2 forker sh -c 'sleep 1000 & sleep 1000'
	stubborn=$(ix_pid stubborn)
	# (a function, so that the pids are read again on every try)
	wait_until 5 netns_has_pids "$(ix_ns 2)"
	children=$(ip netns pids "$(ix_ns 2)")
	namespaces=$(cat "$IX_DIR/netns")
	ix_teardown
	ix_gone "$stubborn"
	for pid in $children; do
		ix_gone "$pid"
	done
	for ns in $namespaces; do
		run ip netns list
		[[ $output != *"$ns"* ]]
	done
	# A second teardown (bats' teardown) is harmless.
	ix_teardown
}

@test "ix_check_sanitizers fails on a sanitizer report in any daemon log, and only then" {
	mkdir -p "$IX_DIR/clean" "$IX_DIR/dirty"
	echo "session up" >"$IX_DIR/clean/log"
	ix_check_sanitizers
	printf '==1==ERROR: LeakSanitizer: detected memory leaks\n    #0 0x1 in malloc\n' >"$IX_DIR/dirty/log"
	run_must_fail ix_check_sanitizers
	[[ $output == *"sanitizer report in $IX_DIR/dirty/log"* ]]
	[[ $output == *"#0 0x1 in malloc"* ]]
	echo "x.c:1:2: runtime error: signed integer overflow" >"$IX_DIR/dirty/log"
	run_must_fail ix_check_sanitizers
}
