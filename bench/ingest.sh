#!/usr/bin/env bash
# bench/ingest.sh: the "ingest" scenario of issue 5, side by side in one run.
#
# One feeder (bench/feeder, node 2) sends N IPv4 prefixes with A attribute
# sets over one eBGP session to a receiver in node 1 of a private namespace
# pair. Receivers, each measured in turn within every round:
#   floor     bench/sink: reads and discards the same bytes (the raw TCP floor)
#   bird      BIRD 2 (import all, export none)
#   calico    build/speaker/calico-bgpd --plan (when the binary exists)
#   frr       FRR bgpd (`bgp no-rib`: nothing goes to zebra or the kernel)
#   openbgpd  OpenBGPD (`fib-update no`; its three processes summed)
#   gobgp     GoBGP
# The first three run --runs rounds, the others --other-runs rounds (they
# take 10-60 times longer); --all adds the others to the default three.
# "time" runs from the feeder's session Established to the receiver's last
# CPU activity before it goes idle for 1 s (bench/cpuwatch; nobody is polled
# while loading), and is then checked: the receiver must hold all N routes
# (BIRD `show route count`, ours: control socket `status`, FRR/OpenBGPD:
# prefixes received from the feeder, GoBGP: destinations). For ours the idle
# end is also checked against the speaker's own "End-of-RIB received" log
# line (written after the message is applied, and so after every prefix is
# selected): the column eor= is that time.
# Peak RSS is VmHWM; bytes/route = (VmHWM - RSS before the feed) / N.
# Prints one line per measurement and the medians of all rounds.
#
# usage: bench/ingest.sh [--runs 3] [--other-runs 3] [--prefixes 1000000]
#                        [--attr-sets 5000] [--all | --receivers "floor bird calico"]
#                        [--perf DIR]
# --perf DIR records `perf record -g` of every receiver but the floor into DIR.
# Needs root (network namespaces) and a build (scripts/build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUNS=3
OTHER_RUNS=3
PREFIXES=1000000
ATTR_SETS=5000
RECEIVERS="floor bird calico"
PERF_OUT=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--other-runs) OTHER_RUNS=$2; shift 2 ;;
	--all) RECEIVERS="floor bird calico frr openbgpd gobgp"; shift ;;
	--prefixes) PREFIXES=$2; shift 2 ;;
	--attr-sets) ATTR_SETS=$2; shift 2 ;;
	--receivers) RECEIVERS=$2; shift 2 ;;
	--perf) PERF_OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
	*) echo "usage: $0 [--runs N] [--other-runs N] [--prefixes N] [--attr-sets A] [--all | --receivers \"floor bird calico ...\"] [--perf DIR]" >&2; exit 2 ;;
	esac
done

FEEDER=$BUILD_DIR/bench/feeder
SINK=$BUILD_DIR/bench/sink
CPUWATCH=$BUILD_DIR/bench/cpuwatch
BGPD=${BGPD:-$BUILD_DIR/speaker/calico-bgpd}
for t in "$FEEDER" "$SINK" "$CPUWATCH"; do
	[ -x "$t" ] || { echo "ingest: $t not built (run scripts/build)" >&2; exit 1; }
done

# shellcheck source=../tests/interop/lib.bash
. "$ROOT/tests/interop/lib.bash"
# shellcheck source=peers.bash
. "$ROOT/bench/peers.bash"
ix_init "$(mktemp -d /tmp/ingest.XXXXXX)"
trap 'ix_teardown; [ -n "${KEEP:-}" ] || rm -rf "$IX_DIR"' EXIT
ix_lan 2

RECV_AS=65100
FEED_AS=65000
FEED_ARGS=(--connect 10.0.0.1 --local 10.0.0.2 --as $FEED_AS --prefixes "$PREFIXES" --attr-sets "$ATTR_SETS")

# feed_and_watch NAME "PID..." CHECK...: starts cpuwatch on the receiver's
# processes (CPU and memory summed), then the feeder; waits for idle; runs
# CHECK (which must see every route while the session is still up); stops
# the feeder. Prints "time cpu hwm_kb base_kb feeder_cpu".
feed_and_watch() {
	local name=$1 pids=$2 dir="$IX_DIR/$1" p wargs=()
	shift 2
	mkdir -p "$dir"
	for p in $pids; do
		wargs+=(--pid "$p")
	done
	: >"$dir/cpuwatch.out"
	"$CPUWATCH" "${wargs[@]}" --idle-ms 1000 --timeout 300 >"$dir/cpuwatch.out" &
	local wpid=$!
	wait_until 5 grep -q '^cpuwatch start' "$dir/cpuwatch.out"
	local ppid=
	if [ -n "$PERF_OUT" ]; then
		perf record -q -g -F 2999 -p "$(echo $pids | tr ' ' ,)" -o "$PERF_OUT/$name.perf.data" 2>"$dir/perf.err" &
		ppid=$!
		sleep 0.5 # perf attaches asynchronously
	fi
	ix_spawn 2 "$name.feeder" "$FEEDER" "${FEED_ARGS[@]}" --peer-as $RECV_AS
	wait "$wpid" || { echo "ingest: $name never went idle" >&2; cat "$IX_DIR/$name.feeder/log" >&2; return 1; }
	if [ -n "$ppid" ]; then
		kill -INT "$ppid"
		wait "$ppid" || true
	fi
	local fl="$IX_DIR/$name.feeder/log" est idle start
	wait_until 10 grep -q '^feeder sent-eor' "$fl" || { cat "$fl" >&2; return 1; }
	est=$(event "$fl" feeder established)
	idle=$(event "$dir/cpuwatch.out" cpuwatch idle)
	start=$(event "$dir/cpuwatch.out" cpuwatch start)
	"$@" || return 1
	# The feeder prints its CPU time when stopped.
	ix_stop "$name.feeder"
	local done_line
	done_line=$(event "$fl" feeder done)
	python3 - "$(field t "$est")" "$(field last_active "$idle")" "$(field cpu "$idle")" \
		"$(field hwm_kb "$idle")" "$(field rss_kb "$start")" \
		"$(field user "$done_line")" "$(field sys "$done_line")" <<'EOF'
import sys
est, last, cpu, hwm, base, fu, fs = map(float, sys.argv[1:])
print(f"{last - est:.3f} {cpu:.3f} {int(hwm)} {int(base)} {fu + fs:.3f}")
EOF
}

run_floor() {
	local name="floor$1" dir="$IX_DIR/floor$1"
	ix_spawn 1 "$name" "$SINK" --listen 10.0.0.1:179 --as $RECV_AS --exit-on-eor
	wait_until 5 ix_exec 1 sh -c 'ss -ltn | grep -q "10.0.0.1:179"'
	ix_spawn 2 "$name.feeder" "$FEEDER" "${FEED_ARGS[@]}" --peer-as $RECV_AS --linger 0
	wait_until 60 grep -q '^sink done' "$dir/log"
	wait_until 10 grep -q '^feeder done' "$IX_DIR/$name.feeder/log"
	local sd est fd
	sd=$(event "$dir/log" sink done)
	est=$(event "$IX_DIR/$name.feeder/log" feeder established)
	fd=$(event "$IX_DIR/$name.feeder/log" feeder done)
	[ "$(field result "$sd")" = ok ] || { echo "ingest: sink: $sd" >&2; return 1; }
	python3 - "$(field t "$est")" "$(field eor "$sd")" "$(field user "$sd")" "$(field sys "$sd")" \
		"$(field user "$fd")" "$(field sys "$fd")" "$(field bytes "$sd")" <<'EOF'
import sys
est, eor, su, ss, fu, fs, nbytes = map(float, sys.argv[1:])
print(f"{eor - est:.3f} {su + ss:.3f} 0 0 {fu + fs:.3f} bytes={int(nbytes)}")
EOF
	ix_stop "$name"
	ix_stop "$name.feeder"
}

run_bird() {
	local name="bird$1" dir="$IX_DIR/bird$1"
	mkdir -p "$dir"
	local conf
	conf="$(ix_render bird.conf DIR="$dir" ROUTER_ID=10.0.0.1)
$(ix_render bird-peer.conf NAME=feed LOCAL_IP=10.0.0.1 LOCAL_AS=$RECV_AS PEER_IP=10.0.0.2 \
		PEER_AS=$FEED_AS OPTIONS='passive on;' FAMILY=ipv4 EXPORT=none)"
	bird_start 1 "$name" "$conf"
	feed_and_watch "$name.w" "$(ix_pid "$name")" bird_holds_all "$name" || return 1
	ix_stop "$name"
}

bird_holds_all() {
	local count
	count=$(bird_cmd "$1" show route table master4 count | grep -o '^[0-9]* of [0-9]* routes' || true)
	if [ "${count%% *}" != "$PREFIXES" ]; then
		echo "ingest: BIRD holds '${count}' after going idle, want $PREFIXES" >&2
		return 1
	fi
}

# Our speaker: passive session from the feeder, no routes of its own.
run_calico() {
	local name="calico$1" dir="$IX_DIR/calico$1"
	mkdir -p "$dir"
	cat >"$dir/plan.json" <<EOF
{"version": 1, "node": "ingest", "routerID": "10.0.0.1", "asNumber": $RECV_AS,
 "ipv4Address": "10.0.0.1",
 "sessions": [{"type": "global", "peerIP": "10.0.0.2", "peerASNumber": $FEED_AS, "passive": true}],
 "routes": []}
EOF
	ix_spawn 1 "$name" "$BGPD" --foreground --plan "$dir/plan.json" --ctl "$dir/bgpd.ctl"
	wait_until 10 test -S "$dir/bgpd.ctl"
	local line
	line=$(feed_and_watch "$name.w" "$(ix_pid "$name")" calico_holds_all "$name") || return 1
	ix_stop "$name"
	# Cross-check of the end point: the speaker logs End-of-RIB after it has
	# applied the message, and every prefix is selected as it is applied, so
	# that log line marks "all selected". The CPU-idle end must not come
	# before it (the log has millisecond stamps, hence 10 ms of slack).
	local est eor
	est=$(field t "$(event "$IX_DIR/$name.w.feeder/log" feeder established)")
	eor=$(grep -m1 'End-of-RIB received' "$dir/log" | cut -d' ' -f1,2)
	python3 - "$line" "$est" "$eor" <<'EOF'
import datetime, sys
line, est, eor = sys.argv[1], float(sys.argv[2]), sys.argv[3]
t_eor = datetime.datetime.strptime(eor, "%Y-%m-%d %H:%M:%S.%f").timestamp() - est
t_idle = float(line.split()[0])
if t_eor > t_idle + 0.010:
    sys.exit(f"ingest: End-of-RIB done at {t_eor:.3f} s, after the idle end at {t_idle:.3f} s")
print(f"{line} eor={t_eor:.3f}")
EOF
}

calico_holds_all() {
	local have
	have=$(cbgpd_route_count "$1" ipv4)
	if [ "$have" != "$PREFIXES" ]; then
		echo "ingest: calico-bgpd holds '$have' IPv4 routes after going idle, want $PREFIXES" >&2
		return 1
	fi
}

# FRR: bgpd (zebra runs but stays idle: `bgp no-rib` keeps the routes out of
# zebra and the kernel, as BIRD has no kernel protocol here); passive.
run_frr() {
	local name="frr$1" n
	n=$(ix_render frr-neighbor.conf PEER_IP=10.0.0.2 PEER_AS=$FEED_AS FAMILY=ipv4 AF_OPTIONS= \
		OPTIONS=" neighbor 10.0.0.2 passive")
	frr_start 1 "$name" "bgp no-rib
$(ix_render frr-bgpd.conf NAME="$name" LOCAL_AS=$RECV_AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")" || return 1
	feed_and_watch "$name.w" "$(ix_pid "$name")" frr_holds_all "$name" || return 1
	ix_stop "$name"
	ix_stop "$name.zebra"
}

frr_holds_all() {
	local have
	have=$(frr_vtysh "$1" "show bgp ipv4 unicast summary json" | jq -r '.peers["10.0.0.2"].pfxRcd // empty')
	if [ "$have" != "$PREFIXES" ]; then
		echo "ingest: FRR holds '$have' prefixes from the feeder after going idle, want $PREFIXES" >&2
		return 1
	fi
}

# OpenBGPD: the parent, session engine and RDE processes measured together;
# `fib-update no`; passive.
run_openbgpd() {
	local name="openbgpd$1" n
	n=$(ix_render openbgpd-neighbor.conf PEER_IP=10.0.0.2 PEER_AS=$FEED_AS LOCAL_IP=10.0.0.1 OPTIONS=passive)
	obgpd_start 1 "$name" "$(ix_render openbgpd.conf DIR="$IX_DIR/$name" LOCAL_AS=$RECV_AS \
		ROUTER_ID=10.0.0.1 NETWORKS= NEIGHBORS="$n")" || return 1
	feed_and_watch "$name.w" "$(obgpd_pids "$(ix_pid "$name")")" obgpd_holds_all "$name" || return 1
	ix_stop "$name"
}

obgpd_holds_all() {
	local have
	have=$(obgpd_ctl "$1" -j show neighbor 10.0.0.2 | jq -r '.neighbors[0].stats.prefixes.received // empty')
	if [ "$have" != "$PREFIXES" ]; then
		echo "ingest: OpenBGPD holds '$have' prefixes from the feeder after going idle, want $PREFIXES" >&2
		return 1
	fi
}

# GoBGP: gobgpd with its gRPC API on a private port; passive.
run_gobgp() {
	local name="gobgp$1" n
	n=$(ix_render gobgp-neighbor.toml PEER_IP=10.0.0.2 PEER_AS=$FEED_AS LOCAL_IP=10.0.0.1 \
		PASSIVE=true FAMILY=ipv4 OPTIONS=)
	gobgp_start 1 "$name" "$(ix_render gobgpd.toml LOCAL_AS=$RECV_AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")" \
		50179 || return 1
	feed_and_watch "$name.w" "$(ix_pid "$name")" gobgp_holds_all "$name" || return 1
	ix_stop "$name"
}

gobgp_holds_all() {
	local have
	have=$(gobgp_cli "$1" global rib summary -a ipv4 | grep -o 'Destination: [0-9]*' | cut -d' ' -f2)
	if [ "$have" != "$PREFIXES" ]; then
		echo "ingest: GoBGP holds '$have' destinations after going idle, want $PREFIXES" >&2
		return 1
	fi
}

echo "# ingest: $PREFIXES prefixes, $ATTR_SETS attribute sets, $RUNS rounds; $(nproc) CPUs, $(uname -r)"
echo "# bird: $(bird --version 2>&1 | head -n1)"
echo "# columns: receiver round time_s receiver_cpu_s peak_rss_kb base_rss_kb feeder_cpu_s"
results=$IX_DIR/results
: >"$results"
echo "# frr: $("$FRR_LIBEXEC/bgpd" --version 2>&1 | head -n1); openbgpd: $(dpkg-query -W -f '${Version}' openbgpd 2>/dev/null); gobgp: $(gobgpd --version 2>&1 | head -n1)"
rounds=$RUNS
[ "$OTHER_RUNS" -gt "$rounds" ] && rounds=$OTHER_RUNS
for ((r = 1; r <= rounds; r++)); do
	for recv in $RECEIVERS; do
		if [ "$recv" = calico ] && [ ! -x "$BGPD" ]; then
			[ "$r" = 1 ] && echo "# calico: $BGPD not built, skipped"
			continue
		fi
		case $recv in
		floor | bird | calico) [ "$r" -le "$RUNS" ] || continue ;;
		*) [ "$r" -le "$OTHER_RUNS" ] || continue ;;
		esac
		line=$("run_$recv" "$r") || { echo "ingest: $recv round $r failed" >&2; ix_dump_logs >&2; exit 1; }
		echo "$recv $r $line" | tee -a "$results"
	done
done

python3 - "$PREFIXES" "$results" <<'EOF'
import statistics, sys
n = int(sys.argv[1])
rows, eors = {}, {}
for line in open(sys.argv[2]):
    f = line.split()
    rows.setdefault(f[0], []).append([float(x) for x in f[2:7]])
    for kv in f[7:]:
        if kv.startswith("eor="):
            eors.setdefault(f[0], []).append(float(kv[4:]))
med = {}
for recv, rs in rows.items():
    m = [statistics.median(c) for c in zip(*rs)]
    med[recv] = m
    t, cpu, hwm, base, fcpu = m
    per_route = (hwm - base) * 1024 / n if hwm else 0
    eor = f", End-of-RIB done {statistics.median(eors[recv]):.3f} s" if recv in eors else ""
    print(f"median {recv}: time {t:.3f} s, receiver CPU {cpu:.3f} s, peak RSS {hwm/1024:.1f} MiB, "
          f"{per_route:.1f} bytes/route, feeder CPU {fcpu:.3f} s ({len(rs)} rounds){eor}")
if "bird" in med:
    bt, bc, bh, bb = med["bird"][0], med["bird"][1], med["bird"][2], med["bird"][3]
    for recv in med:
        if recv == "bird":
            continue
        t, cpu, hwm, base = med[recv][:4]
        mem = f", memory/route {(hwm - base) / (bh - bb):.2f}x BIRD" if hwm else ""
        print(f"ratio {recv}/bird: time {t / bt:.2f}x, CPU {cpu / bc:.2f}x{mem}")
if "floor" in med:
    ft = med["floor"][0]
    for recv in med:
        if recv != "floor" and ft > 0:
            print(f"{recv}: {med[recv][0] / ft:.0f}x the raw TCP floor's time")
EOF
