#!/usr/bin/env bats
# `calicoctl node shell` against a real calico-bgpd (plan mode, loopback
# only): -c for scripts, and a pty driven as a person would (tab completion
# of commands and peers, history, a command and its output) (issue 7).

load ../lib/common

setup() {
	D="$BATS_TEST_TMPDIR"
	SOCK="$D/bgpd.ctl"
	# Two sessions to a loopback address nobody answers on (they stay in
	# Connect/Active) and originated routes, so every command has content.
	cat >"$D/plan.json" <<-EOF
	{
	  "node": "shell-node", "routerID": "10.9.9.1", "asNumber": 64512,
	  "ipv4Address": "127.0.0.1", "listenPort": 0,
	  "sessions": [
	    { "type": "global", "peerIP": "127.0.0.2", "port": 1, "peerASNumber": 65001 },
	    { "type": "node", "peerIP": "127.0.0.3", "port": 1, "peerASNumber": 65002 }
	  ],
	  "routes": [ { "prefix": "10.9.0.0/24" }, { "prefix": "fd09::/64" } ]
	}
	EOF
	"$BGPD" --plan "$D/plan.json" --ctl "$SOCK" --pid-file "$D/pid" --log-file "$D/bgpd.log" \
		--foreground --log-level info &
	BGPD_PID=$!
	wait_until 10 test -S "$SOCK"
	export CALICO_BGPD_SOCKET="$SOCK" CALICOCTL_SHELL_HISTORY="$D/history"
}

teardown() {
	[ -n "${BGPD_PID:-}" ] && kill "$BGPD_PID" 2>/dev/null && wait "$BGPD_PID" 2>/dev/null
	[ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	true
}

@test "-c 'show peers' lists the sessions and exits 0" {
	run calicoctl node shell -c 'show peers'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == NAME*"PEER ADDRESS"*STATE* ]]
	grep -q '^Global_127_0_0_2_port_1 .*127.0.0.2 .*65001 ' <<<"$output"
	grep -q '^Node_127_0_0_3_port_1 .*127.0.0.3 .*65002 ' <<<"$output"
	[ "${#lines[@]}" -eq 3 ]
}

@test "-c 'show peer ADDR' and 'show peer NAME' show one session's record" {
	run calicoctl node shell -c 'show peer 127.0.0.3'
	[ "$status" -eq 0 ]
	grep -qx 'name: Node_127_0_0_3_port_1' <<<"$output"
	grep -qx 'peerAS: 65002' <<<"$output"
	grep -q '^state: ' <<<"$output"
	grep -q '^messages:' <<<"$output"
	run calicoctl node shell -c 'show peer Global_127_0_0_2_port_1'
	[ "$status" -eq 0 ]
	grep -qx 'peerIP: 127.0.0.2' <<<"$output"
}

@test "-c exits 1 with a message for an unknown peer, command or level" {
	run calicoctl node shell -c 'show peer 192.0.2.99'
	[ "$status" -eq 1 ]
	[[ "$output" == *"no peer 192.0.2.99"* ]]
	run calicoctl node shell -c 'frobnicate'
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown command: frobnicate"* ]]
	run calicoctl node shell -c 'debug loud'
	[ "$status" -eq 1 ]
	# a failing command among good ones still fails the run, after the others ran
	run calicoctl node shell -c 'show status; show peer nope; show peers'
	[ "$status" -eq 1 ]
	grep -q '^NAME' <<<"$output"
}

@test "-c exits 1 when the speaker is not running" {
	run calicoctl node shell --ctl "$D/absent.ctl" -c 'show peers'
	[ "$status" -eq 1 ]
	[[ "$output" == *absent.ctl* ]]
}

@test "show status, show routes, reload and debug over the socket" {
	run calicoctl node shell -c 'show status'
	[ "$status" -eq 0 ]
	grep -qx 'node: shell-node' <<<"$output"
	grep -qx 'routerID: 10.9.9.1' <<<"$output"
	run calicoctl node shell -c 'show routes'
	[ "$status" -eq 0 ]
	grep -q '^10.9.0.0/24 .*local' <<<"$output"
	grep -q '^fd09::/64 .*local' <<<"$output"
	run calicoctl node shell -c 'show routes fd09::/64'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run calicoctl node shell -c 'show routes received 127.0.0.2'
	[ "$status" -eq 0 ]
	[ "$output" = "no routes" ]
	run calicoctl node shell -c 'reload'
	[ "$status" -eq 0 ]
	grep -qx 'unchanged: 2' <<<"$output"
	run calicoctl node shell -c 'debug debug'
	[ "$status" -eq 0 ]
	grep -qx 'level: debug' <<<"$output"
	run calicoctl node shell -c 'show status'
	grep -qx 'logLevel: debug' <<<"$output"
}

@test "commands from a non-terminal stdin, quit stops" {
	run bash -c 'printf "show peers\nquit\nshow status\n" | "$0" node shell' "$CALICOCTL"
	[ "$status" -eq 0 ]
	grep -q '^NAME' <<<"$output"
	! grep -q 'routerID' <<<"$output"
}

# The console in a pty (tmux): type, press TAB, read the screen.
screen() { tmux -S "$TMUX_SOCK" capture-pane -p -t sh; }
keys() { tmux -S "$TMUX_SOCK" send-keys -t sh "$@"; }

@test "interactive: tab completes commands and peer addresses, runs a command, keeps history" {
	command -v tmux >/dev/null || skip "no tmux"
	TMUX_SOCK="$D/tmux"
	tmux -S "$TMUX_SOCK" new-session -d -s sh -x 200 -y 50 \
		"CALICO_BGPD_SOCKET=$SOCK CALICOCTL_SHELL_HISTORY=$D/history $CALICOCTL node shell; echo EXIT=\$?; sleep 30"
	wait_until 10 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -q 'bgpd>'"
	# "sh<TAB>" completes to "show ", "show pe<TAB><TAB>" lists peer and peers
	keys 'sh' Tab
	wait_until 5 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -qx 'bgpd> show'"
	keys 'peer 127.0.0.' Tab Tab
	wait_until 5 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -q '127.0.0.3'"
	keys '3' Enter
	wait_until 5 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -qx 'name: Node_127_0_0_3_port_1'"
	# a completed peer name: "show peer Glo<TAB>"
	keys 'show peer Glo' Tab Enter
	wait_until 5 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -qx 'name: Global_127_0_0_2_port_1'"
	keys 'quit' Enter
	wait_until 5 bash -c "tmux -S '$TMUX_SOCK' capture-pane -p -t sh | grep -q 'EXIT=0'"
	# libedit's history file escapes spaces as \040
	hist=$(sed 's/\\040/ /g' "$D/history")
	grep -qx 'show peer 127.0.0.3' <<<"$hist"
	grep -qx 'show peer Global_127_0_0_2_port_1 *' <<<"$hist"
}
