#!/usr/bin/env bats
# Security of calico-bgpd (issue 6, part 6): TCP MD5 enforced with our own
# speaker and with BIRD, GTSM enforced across a router hop, no session from
# an unconfigured address, the control socket's permissions and size
# limits, and MD5 passwords never shown in logs, node status, IPC answers or
# diags.
#
# Topology (one bridged LAN, tests/interop/lib.bash):
#   node 1  calico-bgpd --plan, AS 65001: the speaker under test
#   node 2  calico-bgpd --plan, AS 65002, MD5 with node 1
#   node 3  BIRD 2, AS 65003, MD5 with node 1
#   node 4  a router (10.0.0.4) to a far namespace 10.1.0.0/24, where
#           calico-bgpd AS 65005 (10.1.0.2) is one hop away from node 1
#   node 5  calico-bgpd --node node-5 (datastore mode, AS 64512), its
#           password for node 1 read from a secret file

load ../interop/lib

# bats sources this file again for every test: the passwords are drawn once,
# in setup_file, and exported from there.
: "${PW2:=md5-two-$RANDOM$RANDOM}" "${PW3:=md5-three-$RANDOM$RANDOM}"
: "${PW5:=md5-five-$RANDOM$RANDOM}" "${WRONG:=md5-wrong-$RANDOM$RANDOM}"

# n1_plan [PW2] [PW3] [TTL_FAR]: node 1's plan ("-" = no password).
n1_plan() {
	local pw2=${1:-$PW2} pw3=${2:-$PW3} ttl=${3:-1}
	[ "$pw2" = - ] && pw2=
	[ "$pw3" = - ] && pw3=
	jq -n --arg pw2 "$pw2" --arg pw3 "$pw3" --arg pw5 "$PW5" --argjson ttl "$ttl" '
		{node: "sec1", routerID: "10.0.0.1", asNumber: 65001, ipv4Address: "10.0.0.1",
		 sessions: [
			{peerIP: "10.0.0.2", peerASNumber: 65002, password: $pw2},
			{peerIP: "10.0.0.3", peerASNumber: 65003, password: $pw3},
			{peerIP: "10.1.0.2", peerASNumber: 65005, ttlSecurity: $ttl},
			{peerIP: "10.0.0.5", peerASNumber: 64512, password: $pw5}],
		 routes: [{prefix: "10.201.0.0/24"}]}'
}

# n2_plan [PW]: node 2's plan ("-" = no password).
n2_plan() {
	local pw=${1:-$PW2}
	[ "$pw" = - ] && pw=
	jq -n --arg pw "$pw" '{node: "sec2", routerID: "10.0.0.2", asNumber: 65002,
		ipv4Address: "10.0.0.2",
		sessions: [{peerIP: "10.0.0.1", peerASNumber: 65001, password: $pw}],
		routes: [{prefix: "10.202.0.0/24"}]}'
}

# bird_conf [PW]: BIRD on node 3 ("-" = no password).
bird_conf() {
	local pw=${1:-$PW3} opt=
	[ "$pw" = - ] || opt="password \"$pw\";"
	cat <<-EOF
		log "$IX_DIR/bird/bird.log" all;
		router id 10.0.0.3;
		protocol device { scan time 1; }
		protocol static s4 { ipv4; route 10.203.0.0/24 blackhole; }
		protocol bgp node1 {
		  local 10.0.0.3 as 65003;
		  neighbor 10.0.0.1 as 65001;
		  $opt
		  connect retry time 2;
		  error wait time 1, 2;
		  ipv4 { import all; export where source = RTS_STATIC; };
		}
	EOF
}

setup_file() {
	export PW2 PW3 PW5 WRONG
	ix_init "$BATS_FILE_TMPDIR/ix"
	ix_lan 5
	# Node 4 routes between the LAN and the far namespace.
	local far r
	far="${IX_TAG}-far" r=$(ix_ns 4)
	ix_netns_add "$far"
	ip -n "$r" link add eth1 type veth peer name eth0 netns "$far"
	ip -n "$r" addr add 10.1.0.1/24 dev eth1
	ip -n "$r" link set eth1 up
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$far" addr add 10.1.0.2/24 dev eth0
	ip -n "$far" link set eth0 up
	ip -n "$far" route add default via 10.1.0.1
	ix_exec 1 ip route add 10.1.0.0/24 via 10.0.0.4
	mkdir -p "$IX_DIR/sec1" "$IX_DIR/sec2"
	cbgpd_start 1 sec1 "$(n1_plan)"
	cbgpd_start 2 sec2 "$(n2_plan)"
	bird_start 3 bird "$(bird_conf)"
	# The far speaker runs in the far namespace (not a numbered node).
	mkdir -p "$IX_DIR/far"
	jq -n '{node: "far", routerID: "10.1.0.2", asNumber: 65005, ipv4Address: "10.1.0.2",
		sessions: [{peerIP: "10.0.0.1", peerASNumber: 65001}], routes: []}' \
		>"$IX_DIR/far/plan.json"
	ip netns exec "$far" "$BGPD" --foreground --plan "$IX_DIR/far/plan.json" \
		--ctl "$IX_DIR/far/bgpd.ctl" --log-level debug >>"$IX_DIR/far/log" 2>&1 </dev/null &
	echo "$! far" >>"$IX_DIR/pids"
	wait_until 10 test -S "$IX_DIR/far/bgpd.ctl"
	sec_start_node5
}

# Node 5: datastore mode, the password for node 1 in a secret file.
sec_start_node5() {
	export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
	export CALICO_SECRETS_DIR="$IX_DIR/secrets"
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH
	mkdir -p "$CALICO_SECRETS_DIR/bgp-secrets"
	echo "$PW5" >"$CALICO_SECRETS_DIR/bgp-secrets/node1"
	calicoctl create -f - >/dev/null <<-EOF
		apiVersion: projectcalico.org/v3
		kind: Node
		metadata:
		  name: node-5
		spec:
		  bgp:
		    ipv4Address: 10.0.0.5/24
		---
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: node5-to-node1
		spec:
		  node: node-5
		  peerIP: 10.0.0.1
		  asNumber: 65001
		  password:
		    secretKeyRef:
		      name: bgp-secrets
		      key: node1
	EOF
	mkdir -p "$IX_DIR/node-5"
	ix_spawn 5 node-5 "$BGPD" --foreground --node node-5 --ctl "$IX_DIR/node-5/bgpd.ctl" \
		--log-level debug
	wait_until 10 test -S "$IX_DIR/node-5/bgpd.ctl"
}

teardown_file() {
	ix_teardown
	ix_check_sanitizers
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3 2>/dev/null || true
}

up() {
	cbgpd_established sec1 "$1"
}

# stays_down SECONDS PEER_IP: the session never reaches Established (nor
# even OpenConfirm: no BGP message got through) for SECONDS.
stays_down() {
	local end=$((SECONDS + $1)) st
	while [ $SECONDS -lt "$end" ]; do
		st=$(cbgpd_state sec1 "$2")
		case $st in
		Established | OpenConfirm)
			echo "session with $2 reached $st" >&2
			return 1
			;;
		esac
		sleep 0.2
	done
}

@test "MD5 between two calico-bgpd: the right password brings the session up" {
	wait_until 30 up 10.0.0.2
	wait_until 10 cbgpd_established sec2 10.0.0.1
	ix_exec 1 ss -tniHe 'dport = :179 or sport = :179' | grep -q md5
}

@test "MD5 between two calico-bgpd: a missing password on one side, then a wrong one, keep it down" {
	wait_until 30 up 10.0.0.2
	n2_plan - >"$IX_DIR/sec2/plan.json"
	cbgpd_ctl sec2 reload >/dev/null
	wait_until 10 ix_not up 10.0.0.2
	stays_down 7 10.0.0.2
	n2_plan "$WRONG" >"$IX_DIR/sec2/plan.json"
	cbgpd_ctl sec2 reload >/dev/null
	stays_down 7 10.0.0.2
	# and the other way round: node 1 without a password, node 2 with one
	n2_plan >"$IX_DIR/sec2/plan.json"
	cbgpd_ctl sec2 reload >/dev/null
	n1_plan - >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	stays_down 7 10.0.0.2
	n1_plan >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	wait_until 40 up 10.0.0.2
}

@test "MD5 with BIRD: ours missing, ours wrong, BIRD's missing keep it down; matching passwords bring it up" {
	wait_until 40 up 10.0.0.3
	wait_until 10 bird_established bird node1
	n1_plan "$PW2" - >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	wait_until 10 ix_not up 10.0.0.3
	stays_down 7 10.0.0.3
	ix_not bird_established bird node1
	n1_plan "$PW2" "$WRONG" >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	stays_down 7 10.0.0.3
	ix_not bird_established bird node1
	# BIRD without a password, ours with the right one.
	n1_plan >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	bird_conf - >"$IX_DIR/bird/bird.conf"
	bird_cmd bird configure >/dev/null
	stays_down 7 10.0.0.3
	ix_not bird_established bird node1
	bird_conf >"$IX_DIR/bird/bird.conf"
	bird_cmd bird configure >/dev/null
	wait_until 40 up 10.0.0.3
	wait_until 10 bird_established bird node1
	wait_until 10 bash -c "$(declare -f cbgpd_ctl cbgpd_peer cbgpd_prefixes); IX_DIR=$IX_DIR cbgpd_prefixes sec1 ipv4 10.0.0.3 | grep -q 10.203.0.0/24"
}

@test "GTSM: a peer one router hop away is refused with ttlSecurity 1 and accepted with ttlSecurity 2" {
	# Both speakers send with TTL 255; through the router the far speaker's
	# packets arrive with 254, below the 255 that ttlSecurity 1 demands.
	stays_down 8 10.1.0.2
	ix_not cbgpd_established far 10.0.0.1
	grep -q "refusing connection: TTL 254 below 255 (ttlSecurity 1, GTSM)" "$IX_DIR/sec1/log"
	n1_plan "$PW2" "$PW3" 2 >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	wait_until 40 up 10.1.0.2
	# and back to one hop: refused again
	n1_plan >"$IX_DIR/sec1/plan.json"
	cbgpd_ctl sec1 reload >/dev/null
	wait_until 10 ix_not up 10.1.0.2
	stays_down 6 10.1.0.2
}

@test "a connection from an unconfigured address gets no OPEN and is closed" {
	ip -n "$(ix_ns 2)" addr add 10.0.0.12/24 dev eth0
	run ix_exec 2 python3 -c '
import socket, sys
s = socket.socket()
s.bind(("10.0.0.12", 0))
s.settimeout(5)
s.connect(("10.0.0.1", 179))
data = s.recv(4096)
sys.stdout.write("got %d bytes" % len(data))'
	echo "$output"
	[ "$output" = "got 0 bytes" ]
	grep -q "refusing connection from 10.0.0.12" "$IX_DIR/sec1/log"
	up 10.0.0.2
}

@test "control socket: root:root 0660; a non-root user is refused with a clear message, a member of the group is not" {
	local sock="$IX_DIR/sec1/bgpd.ctl" d
	[ "$(stat -c '%U:%G %a' "$sock")" = "root:root 660" ]
	# Let everyone traverse the directories so that only the socket's own
	# mode decides.
	d=$(dirname "$sock")
	while [ "$d" != / ]; do
		chmod go+x "$d"
		d=$(dirname "$d")
	done
	run setpriv --reuid=65534 --regid=65534 --clear-groups env CALICO_BGPD_SOCKET="$sock" \
		"$CALICOCTL" node status
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$output" = "Need super user privileges: Operation not permitted" ]
	run setpriv --reuid=65534 --regid=65534 --clear-groups socat -t 2 - "UNIX-CONNECT:$sock" </dev/null
	[ "$status" -ne 0 ]
	[[ $output == *"Permission denied"* ]]
	# gid 0 (the socket's group) may ask.
	run setpriv --reuid=65534 --regid=0 --clear-groups env CALICO_BGPD_SOCKET="$sock" \
		"$CALICOCTL" node status
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Calico process is running." ]
}

@test "control socket: an oversized request gets a clear error and the speaker carries on" {
	local sock="$IX_DIR/sec1/bgpd.ctl"
	run python3 - "$sock" <<-'EOF'
		import json, socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(5)
		s.connect(sys.argv[1])
		line = json.dumps({"v": 1, "id": 7, "cmd": "status", "args": {"pad": "x" * 70000}})
		try:
		    s.sendall(line.encode() + b"\n")
		except OSError:
		    pass  # the speaker may close while we still send
		data = b""
		while True:
		    try:
		        chunk = s.recv(65536)
		    except ConnectionResetError:
		        break
		    if not chunk:
		        break
		    data += chunk
		print(data.decode().strip())
	EOF
	echo "$output"
	[ "$(jq -r '.error.code' <<<"$output")" = too-long ]
	[ "$(jq -r '.error.message' <<<"$output")" = "request line longer than 65536 bytes" ]
	grep -q "request line longer than 65536 bytes, closing client" "$IX_DIR/sec1/log"
	# A request just under the limit is answered (its unknown argument
	# ignored), and the speaker still serves everyone.
	run python3 - "$sock" <<-'EOF'
		import json, socket, sys
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(5)
		s.connect(sys.argv[1])
		line = json.dumps({"v": 1, "id": 8, "cmd": "status", "args": {"pad": "x" * 65000}})
		s.sendall(line.encode() + b"\n")
		s.shutdown(socket.SHUT_WR)
		data = b""
		while True:
		    chunk = s.recv(65536)
		    if not chunk:
		        break
		    data += chunk
		print(data.decode().strip().splitlines()[-1])
	EOF
	echo "$output"
	[ "$(jq -r '.id' <<<"$output")" = 8 ]
	cbgpd_ctl sec1 status | jq -e '.node == "sec1"'
	up 10.0.0.2
}

@test "control socket: more clients than the limit are refused, a half-sent request blocks nobody" {
	local sock="$IX_DIR/sec1/bgpd.ctl"
	run python3 - "$sock" <<-'EOF'
		import json, socket, sys, time
		path = sys.argv[1]
		held = []
		refused = 0
		for i in range(70):  # the speaker serves 64 at once
		    s = socket.socket(socket.AF_UNIX)
		    s.settimeout(3)
		    s.connect(path)
		    time.sleep(0.01)  # let the speaker accept (and maybe refuse) it
		    try:
		        s.sendall(b'{"v":1,"id":1,"cmd":"sta')  # never finished
		        held.append(s)
		    except OSError:
		        refused += 1
		time.sleep(0.5)
		for s in held:
		    s.setblocking(False)
		    try:
		        if s.recv(1) == b"":
		            refused += 1
		    except BlockingIOError:
		        pass
		    except OSError:
		        refused += 1
		print("refused %d" % refused)
	EOF
	echo "$output"
	# 64 minus this file's own client slots in use: at least 6 refused.
	[[ $output =~ ^refused\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 6 ]
	# Those clients are gone now; the speaker answers as before.
	cbgpd_ctl sec1 status | jq -e '.node == "sec1"'
	python3 - "$sock" <<-'EOF'
		import socket, sys, json
		slow = socket.socket(socket.AF_UNIX)
		slow.connect(sys.argv[1])
		slow.sendall(b'{"v":1,"id":1,')
		s = socket.socket(socket.AF_UNIX)
		s.settimeout(3)
		s.connect(sys.argv[1])
		s.sendall(b'{"v":1,"id":2,"cmd":"status"}\n')
		reply = json.loads(s.makefile().readline())
		assert reply["id"] == 2 and "record" in reply, reply
	EOF
}

@test "secrets: no MD5 password in any log, node status, IPC answer or diags bundle" {
	wait_until 40 up 10.0.0.2
	wait_until 40 up 10.0.0.5
	wait_until 10 cbgpd_established node-5 10.0.0.1
	local out="$IX_DIR/leak-check" name sock
	mkdir -p "$out"
	for name in sec1 sec2 node-5; do
		sock="$IX_DIR/$name/bgpd.ctl"
		cbgpd_ctl "$name" status >"$out/$name.status"
		cbgpd_ctl "$name" peers >"$out/$name.peers"
		cbgpd_ctl "$name" routes '{"table":"all"}' >"$out/$name.routes"
		cbgpd_ctl "$name" peer "$(cbgpd_ctl "$name" peers | head -1 | jq -c '{name}')" >"$out/$name.peer"
		cbgpd_ctl "$name" loglevel '{"level":"debug"}' >"$out/$name.loglevel"
		CALICO_BGPD_SOCKET=$sock calicoctl node status >"$out/$name.nodestatus"
		CALICO_BGPD_SOCKET=$sock calicoctl node status -o json >"$out/$name.nodestatus.json"
	done
	# A reload and a changed session at debug level: the plan's passwords go
	# through the speaker's reconcile and logging paths.
	cbgpd_ctl sec1 reload >"$out/sec1.reload"
	calicoctl patch bgppeer node5-to-node1 -p '{"spec":{"keepaliveTime":"20s"}}' >/dev/null
	sleep 2
	wait_until 40 up 10.0.0.5
	grep -q "$PW5" "$IX_DIR/sec1/plan.json" # the check below can find it
	# Diagnostics bundles of both speakers.
	local tgz
	tgz=$(CALICO_BGPD_SOCKET="$IX_DIR/node-5/bgpd.ctl" calicoctl node diags --dir "$out" --node node-5 |
		grep -o '/[^ ]*\.tar\.gz' | head -1)
	[ -f "$tgz" ]
	mkdir -p "$out/diags5" && tar -xzf "$tgz" -C "$out/diags5"
	# The bundle's plan shows that a password is set, not which.
	grep -rq '"password": "(redacted)"' "$out/diags5"
	tgz=$(calicoctl node diags --ctl "$IX_DIR/sec1/bgpd.ctl" --dir "$out" --node sec1 |
		grep -o '/[^ ]*\.tar\.gz' | head -1)
	mkdir -p "$out/diags1" && tar -xzf "$tgz" -C "$out/diags1"
	for name in sec1 sec2 node-5 far; do
		cp "$IX_DIR/$name/log" "$out/$name.log"
	done
	local pw leaks=0
	for pw in "$PW2" "$PW3" "$PW5" "$WRONG"; do
		if grep -rlF -- "$pw" "$out"; then
			echo "password $pw found above" >&2
			leaks=1
		fi
	done
	[ "$leaks" -eq 0 ]
	# The speakers did log at debug level (the check is not vacuous).
	grep -q '\[debug\]' "$out/sec1.log"
	grep -q '\[debug\]' "$out/node-5.log"
	[ "$(grep -c . "$out/sec1.peers")" -eq 4 ]
}
