#!/usr/bin/env bats
# `calicoctl node status` against real calico-bgpd speakers: two nodes in
# their own network namespaces, registered with `calicoctl node run
# --backend none`, each speaker running the plan `calicoctl node peers -o
# json` gives it. Node 1 also has a global peer on a port nobody listens on
# (a session that keeps failing) and one whose password secret is missing
# (planned with an error: shown down, the error in INFO).
# When calico-bgpd has its datastore mode (--node), `node run` starting the
# speaker itself is checked too.

load lib

ctl() { # NODE ARGS...: calicoctl talking to node NODE's speaker
	local n=$1
	shift
	CALICO_BGPD_SOCKET="$IX_DIR/bgpd$n/ctl" "$CALICOCTL" "$@"
}

mesh_up() {
	ctl 1 node status -o json | jq -e '.[] | select(.name == "Mesh_10_0_0_2") |
		.state == "Established"' >/dev/null
}

refused() {
	ctl 1 node status -o json | jq -e '.[] | select(.name == "Node_10_0_0_2_port_1790") |
		.lastError == "Socket: Connection refused"' >/dev/null
}

setup_file() {
	ix_init "$BATS_FILE_TMPDIR/ix"
	export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
	# relative and absent: a short, fixed path in the error message
	export CALICO_SECRETS_DIR=no-such-secrets
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH CALICO_BGPD_SOCKET
	ix_lan 3 # node 3: for node run starting its own speaker
	"$CALICOCTL" node run --name node-1 --ip 10.0.0.1/24 --backend none
	"$CALICOCTL" node run --name node-2 --ip 10.0.0.2/24 --backend none
	"$CALICOCTL" create -f - <<EOF
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: refused
spec:
  node: node-1
  peerIP: 10.0.0.2:1790
  asNumber: 64999
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: nosecret
spec:
  node: node-1
  peerIP: 10.0.0.7
  asNumber: 64998
  password:
    secretKeyRef:
      name: bgp-secrets
      key: nosecret
EOF
	local n
	for n in 1 2; do
		mkdir -p "$IX_DIR/bgpd$n"
		"$CALICOCTL" node peers --node "node-$n" -o json >"$IX_DIR/bgpd$n/plan.json"
		ix_spawn "$n" "bgpd$n" "$BGPD" --plan "$IX_DIR/bgpd$n/plan.json" \
			--ctl "$IX_DIR/bgpd$n/ctl" --pid-file "$IX_DIR/bgpd$n/ctl.pid" --foreground
		wait_until 10 test -S "$IX_DIR/bgpd$n/ctl"
	done
}

teardown_file() {
	ix_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs
}

@test "node status: the mesh row Established, a failing and a down session, §7 layout" {
	wait_until 30 mesh_up
	wait_until 30 refused
	run ctl 1 node status
	[ "$status" -eq 0 ]
	# SINCE varies: HH:MM:SS (same width) normalised. The long secret path is
	# one word wider than 30: tablewriter widens that cell's wrap limit to it.
	output=$(echo "$output" | sed -E 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/hh:mm:ss/g')
	expected="Calico process is running.

IPv4 BGP status
+---------------+-------------------+-------+----------+---------------------------------------+
| PEER ADDRESS  |     PEER TYPE     | STATE |  SINCE   |                 INFO                  |
+---------------+-------------------+-------+----------+---------------------------------------+
| 10.0.0.2      | node-to-node mesh | up    | hh:mm:ss | Established                           |
| 10.0.0.2:1790 | node specific     | start | hh:mm:ss | Active Socket: Connection             |
|               |                   |       |          | refused                               |
| 10.0.0.7      | node specific     | down  | hh:mm:ss | Error: password secret                |
|               |                   |       |          | no-such-secrets/bgp-secrets/nosecret: |
|               |                   |       |          | No such file or directory             |
+---------------+-------------------+-------+----------+---------------------------------------+

IPv6 BGP status
No IPv6 peers found."
	diff -u <(echo "$expected") <(echo "$output")
}

@test "node status on the other node: only the mesh row, ends with a blank line" {
	wait_until 30 mesh_up
	run ctl 2 node status
	[ "$status" -eq 0 ]
	[[ "$output" == *"| 10.0.0.1     | node-to-node mesh | up    | "*" | Established |"* ]]
	# the whole output ends with one empty line (bats strips the last newline)
	ctl 2 node status | tail -c 2 | od -c | grep -q '\\n  \\n'
}

@test "node status -o json: the speaker's session records as an array" {
	run ctl 1 node status -o json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e 'type == "array" and length == 3'
	echo "$output" | jq -e 'map(.name) == ["Mesh_10_0_0_2", "Node_10_0_0_2_port_1790", "Node_10_0_0_7"]'
	echo "$output" | jq -e '.[2].birdState == "down" and (.[2].lastError | startswith("Error: password secret"))'
}

@test "node status with no speaker on the socket: exit 1, the message on stderr" {
	run_split env CALICO_BGPD_SOCKET="$IX_DIR/none.ctl" "$CALICOCTL" node status
	[ "$status" -eq 1 ]
	[ "$stderr" = "Calico process is not running." ]
	[ -z "$stdout" ]
}

@test "node run with a speaker already answering on the socket only updates the Node" {
	wait_until 10 test -s "$IX_DIR/bgpd1/ctl.pid"
	run_split ctl 1 node run --name node-1 --ip 10.0.0.1/24 --ip6 fd00::1/64
	[ "$status" -eq 0 ]
	[ "${stdout%%$'\n'*}" = "Updated node node-1." ]
	[[ "$stdout" == *"calico-bgpd is already running for $IX_DIR/bgpd1/ctl (pid $(ix_pid bgpd1))"* ]]
	[ "$("$CALICOCTL" get node node-1 -o json | jq -r .spec.bgp.ipv6Address)" = fd00::1/64 ]
	# still exactly one speaker, still answering
	ctl 1 node status >/dev/null
}

bgpd_has_node_mode() {
	"$BGPD" --help 2>&1 | grep -q -- '--node'
}

@test "node run starts calico-bgpd --node detached, and a second run only updates the Node" {
	if ! bgpd_has_node_mode; then
		skip "calico-bgpd has no --node datastore mode in this build yet"
	fi
	local sock="$IX_DIR/run3/bgpd.ctl"
	mkdir -p "$IX_DIR/run3"
	run ix_exec 3 env CALICO_BGPD_SOCKET="$sock" "$CALICOCTL" node run --name node-3 \
		--ip 10.0.0.3/24 --as 65003
	echo "$output"
	[ -s "$sock.pid" ] && echo "$(cat "$sock.pid") bgpd-run3" >>"$IX_DIR/pids"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Calico node started successfully"* ]]
	[ -S "$sock" ] && [ -f "$sock.log" ]
	run env CALICO_BGPD_SOCKET="$sock" "$CALICOCTL" node status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Calico process is running." ]
	run ix_exec 3 env CALICO_BGPD_SOCKET="$sock" "$CALICOCTL" node run --name node-3 --as 65004
	[ "$status" -eq 0 ]
	[[ "$output" == *"already running"* ]]
	[ "$("$CALICOCTL" get node node-3 -o json | jq -r .spec.bgp.asNumber)" = 65004 ]
}
