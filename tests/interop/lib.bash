# Interop harness: BGP speakers in private network namespaces.
#
# Load from a bats file with `load lib` (it loads ../lib/common itself).
# Typical file:
#
#	setup_file()    { ix_init "$BATS_FILE_TMPDIR"; ix_lan 2; bird_start 2 ref "$conf"; ... }
#	teardown_file() { ix_teardown; }
#
# Topology: `ix_lan N` makes N node namespaces and one hub namespace holding a
# bridge; node I gets eth0 with 10.0.0.I/24 and fd00::I/64 (no DAD), so every
# node reaches every other one directly. Namespace names carry a tag made of
# the shell's PID and a random number, so parallel runs never collide.
#
# Everything a daemon writes (config, control socket, PID file, log) lives in
# $IX_DIR/<name>/, never in /etc, /run or /var. Every process started here is
# recorded in $IX_DIR/pids and ix_teardown kills it by PID, then kills any
# process still inside one of our namespaces (again by PID, from
# `ip netns pids`), then deletes the namespaces. Teardown is safe to call
# twice and after any failure.

IX_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IX_CONF_DIR="$IX_LIB_DIR/conf"
# common.bash finds the build from the test file's directory; outside bats
# (benchmark scripts) that is this one.
: "${BATS_TEST_DIRNAME:=$IX_LIB_DIR}"
# shellcheck source=../lib/common.bash
. "$IX_LIB_DIR/../lib/common.bash"

FRR_LIBEXEC="${FRR_LIBEXEC:-/usr/lib/frr}"

# ---------------------------------------------------------------- lifecycle

# ix_init DIR: state directory (use $BATS_FILE_TMPDIR in setup_file,
# $BATS_TEST_TMPDIR in setup). Exports what later tests need.
ix_init() {
	export IX_DIR=$1
	export IX_TAG="cx$$r$((RANDOM % 10000))"
	mkdir -p "$IX_DIR"
	: >"$IX_DIR/pids"
	: >"$IX_DIR/netns"
}

# ix_ns I: the namespace name of node I ("hub" for the bridge namespace).
ix_ns() {
	echo "${IX_TAG}-$1"
}

ix_ip4() { echo "10.0.0.$1"; }
ix_ip6() { echo "fd00::$1"; }

# ix_exec I CMD...: runs CMD inside node I's namespace.
ix_exec() {
	local node=$1
	shift
	ip netns exec "$(ix_ns "$node")" "$@"
}

ix_netns_add() {
	ip netns add "$1" || return 1
	echo "$1" >>"$IX_DIR/netns"
	ip -n "$1" link set lo up
}

# ix_lan N: N nodes on one bridged LAN (see the header comment).
ix_lan() {
	local n=$1 i hub
	hub=$(ix_ns hub)
	ix_netns_add "$hub" || return 1
	ip -n "$hub" link add br0 type bridge forward_delay 0 stp_state 0 || return 1
	ip -n "$hub" link set br0 up
	for ((i = 1; i <= n; i++)); do
		local ns
		ns=$(ix_ns "$i")
		ix_netns_add "$ns" || return 1
		ip -n "$hub" link add "v$i" type veth peer name eth0 netns "$ns" || return 1
		ip -n "$hub" link set "v$i" master br0 up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
		ip -n "$ns" addr add "$(ix_ip4 "$i")/24" dev eth0
		ip -n "$ns" addr add "$(ix_ip6 "$i")/64" dev eth0 nodad
		ip -n "$ns" link set eth0 up
	done
	# No ping on the test machines: wait until every eth0 is up with no
	# tentative address, which is when a connect() to a neighbour works.
	for ((i = 1; i <= n; i++)); do
		wait_until 10 ix_link_ready "$(ix_ns "$i")" || return 1
	done
}

ix_link_ready() {
	ip -n "$1" -o link show eth0 | grep -q 'state UP' &&
		! ip -n "$1" -o addr show dev eth0 | grep -q tentative
}

# ix_spawn I NAME CMD...: starts CMD in node I's namespace in the background,
# output to $IX_DIR/NAME/log, and records its PID (ip netns exec execs CMD, so
# $! is the daemon itself).
ix_spawn() {
	local node=$1 name=$2
	shift 2
	mkdir -p "$IX_DIR/$name"
	ip netns exec "$(ix_ns "$node")" "$@" >>"$IX_DIR/$name/log" 2>&1 </dev/null &
	local pid=$!
	echo "$pid $name" >>"$IX_DIR/pids"
	echo "$pid" >"$IX_DIR/$name/spawn.pid"
}

# ix_pid NAME: PID recorded by ix_spawn.
ix_pid() {
	cat "$IX_DIR/$1/spawn.pid"
}

# ix_alive PID: running (a zombie waiting for its parent to reap it counts as
# dead: it holds no sockets and runs no code).
ix_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# ix_kill_pid PID: TERM, up to 5 s grace, then KILL.
ix_kill_pid() {
	local pid=$1 i
	ix_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		ix_alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# ix_stop NAME: stops one daemon started with ix_spawn (and its children
# in the same namespace are left to ix_teardown).
ix_stop() {
	ix_kill_pid "$(ix_pid "$1")"
	wait "$(ix_pid "$1")" 2>/dev/null || true
}

ix_teardown() {
	[ -n "${IX_DIR:-}" ] && [ -f "$IX_DIR/pids" ] || return 0
	local pid name ns
	while read -r pid name; do
		ix_kill_pid "$pid"
	done <"$IX_DIR/pids"
	: >"$IX_DIR/pids"
	while read -r ns; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done <"$IX_DIR/netns"
	: >"$IX_DIR/netns"
}

# ix_counter_above N CMD...: CMD prints a number greater than N.
ix_counter_above() {
	local n=$1 v
	shift
	v=$("$@" 2>/dev/null)
	[[ $v =~ ^[0-9]+$ ]] && [ "$v" -gt "${n:-0}" ]
}

# ix_not CMD...: succeeds when CMD fails (a bare `! cmd` never fails a bats
# test, so assertions of absence go through this).
ix_not() {
	if "$@"; then
		return 1
	fi
	return 0
}

# ix_check_sanitizers: fails, printing the report, when a daemon's log holds
# an AddressSanitizer, LeakSanitizer or UBSan report (the interop suite also
# runs against build-asan/; call after ix_teardown so leaks are reported).
ix_check_sanitizers() {
	local f bad=0
	for f in "$IX_DIR"/*/log; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
			echo "### sanitizer report in $f" >&2
			grep -E -A30 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -60 >&2
			bad=1
		fi
	done
	return $bad
}

# ix_dump_logs: prints every daemon log (call from a failing test's
# teardown, or by hand) so the TAP output explains the failure.
ix_dump_logs() {
	local f
	for f in "$IX_DIR"/*/log; do
		[ -s "$f" ] || continue
		echo "### $f"
		tail -n 40 "$f"
	done
}

# ---------------------------------------------------------------- templates

# ix_render TEMPLATE KEY=VALUE...: prints conf/TEMPLATE with every @KEY@
# replaced. Fails if a placeholder is left, so a typo cannot silently
# produce a config that tests something else.
ix_render() {
	local tpl="$IX_CONF_DIR/$1"
	shift
	[ -f "$tpl" ] || {
		echo "ix_render: no template $tpl" >&2
		return 1
	}
	local text kv
	text=$(<"$tpl")
	for kv in "$@"; do
		text=${text//@${kv%%=*}@/${kv#*=}}
	done
	if [[ $text =~ @[A-Z0-9_]+@ ]]; then
		echo "ix_render: $1 leaves placeholder ${BASH_REMATCH[0]} unset" >&2
		return 1
	fi
	printf '%s\n' "$text"
}

# ix_family_of ADDRESS: ipv4 or ipv6.
ix_family_of() {
	case $1 in
	*:*) echo ipv6 ;;
	*) echo ipv4 ;;
	esac
}

# ---------------------------------------------------------------- BIRD 2
#
# Routes a BIRD instance announces live in $IX_DIR/NAME/routes4.conf and
# routes6.conf (static protocols static4/static6 include them);
# bird_announce/bird_withdraw rewrite them and run `configure`.

bird_start() { # NODE NAME CONFIG_TEXT
	local node=$1 name=$2 dir="$IX_DIR/$2"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/bird.conf"
	touch "$dir/routes4.conf" "$dir/routes6.conf"
	ix_spawn "$node" "$name" bird -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
	# A config error makes BIRD exit after creating its socket.
	wait_until 10 bird_cmd "$name" show status >/dev/null 2>&1 || {
		cat "$IX_DIR/$name/log" >&2
		return 1
	}
}

bird_cmd() { # NAME COMMAND...
	local name=$1
	shift
	birdc -s "$IX_DIR/$name/bird.ctl" "$@"
}

# bird_state NAME PROTO: the BGP state ("Established", "Active", ...).
bird_state() {
	bird_cmd "$1" show protocols "$2" | awk -v p="$2" '$1 == p { print $6 }'
}

bird_established() {
	[ "$(bird_state "$1" "$2")" = Established ]
}

# bird_prefixes NAME PROTO: sorted prefixes BIRD accepted from PROTO.
bird_prefixes() {
	bird_cmd "$1" show route protocol "$2" |
		awk '$1 ~ /^[0-9a-f:.]+\/[0-9]+$/ { print $1 }' | sort -u
}

# bird_route_detail NAME PREFIX: `show route all` for one prefix.
bird_route_detail() {
	bird_cmd "$1" show route for "$2" all
}

# bird_counter NAME PROTO CHANNEL WHAT: one number from the "Route change
# stats" table of `show protocols all` (WHAT: "Import updates", ...; the
# received column).
bird_counter() {
	bird_cmd "$1" show protocols all "$2" |
		awk -v ch="$3" -v what="$4" '
			$1 == "Channel" { cur = $2 }
			cur == ch && index($0, what ":") { sub(".*" what ":", ""); print $1; exit }'
}

# bird_set_routes NAME FAMILY PREFIX...: the static routes BIRD announces.
bird_set_routes() {
	local name=$1 fam=$2 p
	shift 2
	local f="$IX_DIR/$name/routes${fam#ipv}.conf"
	: >"$f"
	for p in "$@"; do
		echo "route $p blackhole;" >>"$f"
	done
	bird_cmd "$name" configure >/dev/null
}

# ---------------------------------------------------------------- FRR
#
# zebra and bgpd started by hand as user frr (zebra refuses root), each with
# its own PID file, zserv socket and vty socket directory; vtysh reaches them
# through --vty_socket.

frr_start() { # NODE NAME BGPD_CONFIG_TEXT
	local node=$1 name=$2 dir="$IX_DIR/$2"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/bgpd.conf"
	printf 'hostname %s\n' "$name" >"$dir/zebra.conf"
	chown -R frr:frr "$dir"
	chmod 0755 "$dir"
	# bats' temporary directories are private to root; frr needs to traverse.
	local d=$dir
	while d=$(dirname "$d") && [ "$d" != / ]; do
		chmod o+x "$d" 2>/dev/null
	done
	ix_spawn "$node" "$name.zebra" "$FRR_LIBEXEC/zebra" -u frr -g frr -P 0 \
		-i "$dir/zebra.pid" -z "$dir/zserv.api" --vty_socket "$dir" \
		-f "$dir/zebra.conf" --log "file:$dir/zebra.log"
	wait_until 10 test -S "$dir/zserv.api" || return 1
	ix_spawn "$node" "$name" "$FRR_LIBEXEC/bgpd" -u frr -g frr -P 0 \
		-i "$dir/bgpd.pid" -z "$dir/zserv.api" --vty_socket "$dir" \
		-f "$dir/bgpd.conf" --log "file:$dir/bgpd.log"
	wait_until 10 test -S "$dir/bgpd.vty"
}

frr_vtysh() { # NAME COMMAND... (each a separate -c)
	local name=$1 c args=()
	shift
	for c in "$@"; do
		args+=(-c "$c")
	done
	vtysh --vty_socket "$IX_DIR/$name" "${args[@]}"
}

frr_state() { # NAME PEER_IP
	frr_vtysh "$1" "show bgp neighbors $2 json" | jq -r --arg p "$2" '.[$p].bgpState // empty'
}

frr_established() {
	[ "$(frr_state "$1" "$2")" = Established ]
}

# frr_prefixes NAME FAMILY PEER_IP: prefixes received and accepted from PEER.
frr_prefixes() {
	frr_vtysh "$1" "show bgp $2 unicast neighbors $3 routes json" |
		jq -r '.routes // {} | keys[]' | sort -u
}

# frr_set_routes NAME AS FAMILY PREFIX...: the `network` statements FRR
# announces in FAMILY (previous ones removed).
frr_set_routes() {
	local name=$1 as=$2 fam=$3 p cmds=()
	shift 3
	local f="$IX_DIR/$name/networks-$fam"
	touch "$f"
	while read -r p; do
		[ -n "$p" ] && cmds+=("no network $p")
	done <"$f"
	: >"$f"
	for p in "$@"; do
		cmds+=("network $p")
		echo "$p" >>"$f"
	done
	frr_vtysh "$name" "configure terminal" "router bgp $as" "address-family $fam unicast" "${cmds[@]}"
}

# frr_refresh_in NAME FAMILY PEER_IP: asks the peer to resend (ROUTE-REFRESH).
frr_refresh_in() {
	frr_vtysh "$1" "clear bgp $2 unicast $3 soft in"
}

# frr_counter NAME PEER_IP FIELD: a message counter from `show bgp neighbors`
# (FIELD: updatesRecv, routeRefreshRecv, ...).
frr_counter() {
	frr_vtysh "$1" "show bgp neighbors $2 json" |
		jq -r --arg p "$2" --arg f "$3" '.[$p].messageStats[$f] // empty'
}

# ---------------------------------------------------------------- GoBGP
#
# gobgpd's gRPC API listens on TCP, so the CLI runs inside the namespace;
# the port is per-instance anyway.

gobgp_start() { # NODE NAME CONFIG_TEXT API_PORT
	local node=$1 name=$2 dir="$IX_DIR/$2"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/gobgpd.toml"
	echo "$node $4" >"$dir/api"
	ix_spawn "$node" "$name" gobgpd -f "$dir/gobgpd.toml" -t toml -p \
		--api-hosts "127.0.0.1:$4" --pprof-disable
	wait_until 15 gobgp_cli "$name" global >/dev/null 2>&1
}

gobgp_cli() { # NAME ARGS...
	local name=$1 node port
	shift
	read -r node port <"$IX_DIR/$name/api"
	ix_exec "$node" gobgp -u 127.0.0.1 -p "$port" "$@"
}

gobgp_state() { # NAME PEER_IP
	gobgp_cli "$1" neighbor "$2" -j | jq -r '.state.session_state // empty'
}

gobgp_established() {
	# gobgp's JSON renders the FSM state as a number; 6 is ESTABLISHED.
	local s
	s=$(gobgp_state "$1" "$2")
	[ "$s" = 6 ] || [ "$s" = established ] || [ "$s" = ESTABLISHED ]
}

# gobgp_prefixes NAME FAMILY PEER_IP: prefixes in PEER's Adj-RIB-In.
gobgp_prefixes() {
	gobgp_cli "$1" neighbor "$3" adj-in -a "$2" -j | jq -r 'keys[]' | sort -u
}

gobgp_announce() { # NAME FAMILY PREFIX [NEXTHOP]
	gobgp_cli "$1" global rib add -a "$2" "$3" ${4:+nexthop "$4"}
}

gobgp_withdraw() { # NAME FAMILY PREFIX
	gobgp_cli "$1" global rib del -a "$2" "$3"
}

# gobgp_set_routes NAME FAMILY PREFIX...: what GoBGP announces in FAMILY
# (previous ones withdrawn).
gobgp_set_routes() {
	local name=$1 fam=$2 p
	shift 2
	local f="$IX_DIR/$name/networks-$fam"
	touch "$f"
	while read -r p; do
		[ -n "$p" ] && gobgp_withdraw "$name" "$fam" "$p"
	done <"$f"
	: >"$f"
	for p in "$@"; do
		gobgp_announce "$name" "$fam" "$p" || return 1
		echo "$p" >>"$f"
	done
}

# gobgp_counter NAME PEER_IP JQ_PATH: a number from `gobgp neighbor IP -j`.
gobgp_counter() {
	gobgp_cli "$1" neighbor "$2" -j | jq -r "$3 // 0"
}

# ---------------------------------------------------------------- OpenBGPD
#
# OpenBGPD 7.7 portable has no -s option: the control socket is the config's
# `socket` statement (the template sets it to $IX_DIR/NAME/bgpd.sock).
# bgpctl talks to it over the file system, so it runs outside the namespace.

obgpd_start() { # NODE NAME CONFIG_TEXT
	local node=$1 name=$2 dir="$IX_DIR/$2"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/bgpd.conf"
	chmod 0600 "$dir/bgpd.conf"
	# bgpd chroots its children into the home of _openbgpd (/run/openbgpd),
	# which only the packaged service creates. Give it a private, empty /run
	# in its own mount namespace instead of touching the host's.
	ix_spawn "$node" "$name" unshare -m --propagation private sh -c \
		'mount -t tmpfs -o mode=0755 ixrun /run && mkdir -p /run/openbgpd && exec "$@"' \
		sh bgpd -d -f "$dir/bgpd.conf"
	wait_until 10 test -S "$dir/bgpd.sock"
}

obgpd_ctl() { # NAME ARGS...
	local name=$1
	shift
	bgpctl -s "$IX_DIR/$name/bgpd.sock" "$@"
}

obgpd_state() { # NAME PEER_IP
	obgpd_ctl "$1" -j show neighbor "$2" | jq -r '.neighbors[0].state // empty'
}

obgpd_established() {
	[ "$(obgpd_state "$1" "$2")" = Established ]
}

# obgpd_set_routes NAME FAMILY PREFIX...: the networks OpenBGPD announces in
# FAMILY (previous ones deleted).
obgpd_set_routes() {
	local name=$1 fam=$2 p
	shift 2
	local f="$IX_DIR/$name/networks-$fam"
	touch "$f"
	while read -r p; do
		[ -n "$p" ] && obgpd_ctl "$name" network delete "$p" >/dev/null
	done <"$f"
	: >"$f"
	for p in "$@"; do
		obgpd_ctl "$name" network add "$p" >/dev/null || return 1
		echo "$p" >>"$f"
	done
}

# obgpd_counter NAME PEER_IP KIND: UPDATE-message style counters received
# from PEER (KIND: updates, refresh, ...).
obgpd_counter() {
	obgpd_ctl "$1" -j show neighbor "$2" | jq -r --arg k "$3" '.neighbors[0].stats.message.received[$k] // empty'
}

# obgpd_prefixes NAME PEER_IP: prefixes in the Adj-RIB-In from PEER.
obgpd_prefixes() {
	obgpd_ctl "$1" -j show rib in neighbor "$2" | jq -r '.rib[]?.prefix' | sort -u
}

# ---------------------------------------------------------------- calico-bgpd
#
# Our speaker: `calico-bgpd --foreground --plan FILE --ctl SOCK` (docs/
# PLAN-FORMAT.md), queried through its control socket (docs/IPC.md: JSON
# lines, records then one done/error terminator) with socat.

# cbgpd_plan ROUTER_ID AS SESSIONS_JSON ROUTES_JSON: a plan document.
cbgpd_plan() {
	jq -n --arg id "$1" --argjson asn "$2" --argjson s "$3" --argjson r "$4" \
		'{version: 1, node: "calico-\($id)", routerID: $id, asNumber: $asn,
		  ipv4Address: $id, sessions: $s, routes: $r}'
}

# cbgpd_routes_json PREFIX...: a plan's "routes" list.
cbgpd_routes_json() {
	printf '%s\n' "$@" | jq -R . | jq -s 'map(select(. != "") | {prefix: .})'
}

cbgpd_start() { # NODE NAME PLAN_JSON
	local node=$1 name=$2 dir="$IX_DIR/$2"
	mkdir -p "$dir"
	printf '%s\n' "$3" >"$dir/plan.json"
	ix_spawn "$node" "$name" "$BGPD" --foreground --plan "$dir/plan.json" --ctl "$dir/bgpd.ctl" \
		--log-level debug
	wait_until 10 test -S "$dir/bgpd.ctl"
}

# cbgpd_ctl NAME CMD [ARGS_JSON]: prints the records, one JSON object per
# line; fails (with the error on stderr) unless the reply ends in "done".
cbgpd_ctl() {
	local name=$1 cmd=$2 args=${3:-"{}"} out
	out=$(jq -cn --arg c "$cmd" --argjson a "$args" '{v: 1, id: 1, cmd: $c, args: $a}' |
		socat -t 30 - "UNIX-CONNECT:$IX_DIR/$name/bgpd.ctl") || return 1
	if [ "$(tail -n 1 <<<"$out" | jq -r '.done // empty')" != true ]; then
		echo "cbgpd_ctl $cmd: $(tail -n 1 <<<"$out")" >&2
		return 1
	fi
	jq -c 'select(.record) | .record' <<<"$out"
}

# cbgpd_peer NAME PEER_IP: the peers record of the session with PEER_IP.
cbgpd_peer() {
	cbgpd_ctl "$1" peers | jq -c --arg ip "$2" 'select(.peerIP == $ip)'
}

cbgpd_state() { # NAME PEER_IP
	cbgpd_peer "$1" "$2" | jq -r '.state'
}

cbgpd_established() {
	[ "$(cbgpd_state "$1" "$2")" = Established ]
}

# cbgpd_prefixes NAME FAMILY PEER_IP: prefixes our speaker holds from PEER
# (Adj-RIB-In after import, every path).
cbgpd_prefixes() {
	local sess
	sess=$(cbgpd_peer "$1" "$3" | jq -r '.name')
	[ -n "$sess" ] || return 1
	cbgpd_ctl "$1" routes "$(jq -cn --arg f "$2" '{family: $f, table: "all"}')" |
		jq -r --arg s "$sess" 'select(.peer == $s) | .prefix' | sort -u
}

# cbgpd_route NAME PREFIX: every path our speaker holds for PREFIX (JSON lines).
cbgpd_route() {
	cbgpd_ctl "$1" routes "$(jq -cn --arg p "$2" '{prefix: $p, exact: true, table: "all"}')"
}

# cbgpd_counter NAME PEER_IP JQ_PATH: a number from the peers record, e.g.
# .messages.updatesIn or .prefixes.accepted.
cbgpd_counter() {
	cbgpd_peer "$1" "$2" | jq -r "$3 // empty"
}

# cbgpd_route_count NAME FAMILY: prefixes selected (best) in FAMILY.
cbgpd_route_count() {
	cbgpd_ctl "$1" status | jq -r --arg f "$2" '.prefixes[$f]'
}

# cbgpd_edit_plan NAME JQ_FILTER: rewrites the plan and reloads it through the
# control socket (the reload reply says what changed).
cbgpd_edit_plan() {
	local f="$IX_DIR/$1/plan.json"
	jq "$2" "$f" >"$f.new" && mv "$f.new" "$f" && cbgpd_ctl "$1" reload
}

# cbgpd_set_routes NAME PREFIX...: the routes our speaker originates.
cbgpd_set_routes() {
	local name=$1
	shift
	cbgpd_edit_plan "$name" ".routes = $(cbgpd_routes_json "$@" | jq -c .)"
}
