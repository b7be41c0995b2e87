#!/usr/bin/env bash
# bench/readvertise.sh: the re-advertise scenario of issue 5, side by side in one run.
#
# The speaker under test (node 1, 10.0.0.1, AS 65100) has one eBGP feed
# (bench/feeder in node 2, AS 65000: N prefixes, A attribute sets) and P
# eBGP monitor peers (bench/bgpload --per-client 0 in node 2, AS 65200, from
# 10.2.0.1.. on node 2's loopback; node 1 reaches them through one route via
# 10.0.0.2). The monitors are up first; then the feeder connects, and the
# time runs from the feeder's session Established until the last monitor
# holds all N prefixes (each monitor counts distinct prefixes, so
# withdrawals and duplicates cannot fake completion). Speakers, in turn
# within every round:
#   calico  build/speaker/calico-bgpd --plan
#   bird    BIRD 2 (import all, export all)
# The speaker's CPU time and peak RSS come from /proc (bgpload --watch-pid).
#
# usage: bench/readvertise.sh [--runs 3] [--prefixes 1000000] [--attr-sets 5000]
#                             [--monitors 10] [--speakers "calico bird"]
# Needs root (network namespaces) and a build (scripts/build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUNS=3
PREFIXES=1000000
ATTR_SETS=5000
MONITORS=10
SPEAKERS="calico bird"
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--prefixes) PREFIXES=$2; shift 2 ;;
	--attr-sets) ATTR_SETS=$2; shift 2 ;;
	--monitors) MONITORS=$2; shift 2 ;;
	--speakers) SPEAKERS=$2; shift 2 ;;
	*)
		echo "usage: $0 [--runs N] [--prefixes N] [--attr-sets A] [--monitors P] [--speakers \"calico bird\"]" >&2
		exit 2
		;;
	esac
done

FEEDER=$BUILD_DIR/bench/feeder
LOAD=$BUILD_DIR/bench/bgpload
BGPD=${BGPD:-$BUILD_DIR/speaker/calico-bgpd}
for t in "$FEEDER" "$LOAD"; do
	[ -x "$t" ] || { echo "readvertise: $t not built (run scripts/build)" >&2; exit 1; }
done

# shellcheck source=../tests/interop/lib.bash
. "$ROOT/tests/interop/lib.bash"
ix_init "$(mktemp -d /tmp/readvertise.XXXXXX)"
trap 'ix_teardown; [ -n "${KEEP:-}" ] || rm -rf "$IX_DIR"' EXIT
ix_lan 2 >/dev/null

AS=65100
FEED_AS=65000
MON_AS=65200
FIRST=10.2.0.1
"$LOAD" --local $FIRST --count "$MONITORS" --print-addresses >"$IX_DIR/monitors"
sed 's|^|addr add |; s|$|/32 dev lo|' "$IX_DIR/monitors" | ix_exec 2 ip -batch -
ix_exec 1 ip route add 10.2.0.0/16 via 10.0.0.2

bird_conf() { # DIR
	local dir=$1 i=0 a
	cat <<EOF
log "$dir/bird.log" { warning, error, fatal };
router id 10.0.0.1;
protocol device { scan time 10; }
protocol bgp feed {
	local 10.0.0.1 as $AS;
	neighbor 10.0.0.2 as $FEED_AS;
	passive on;
	ipv4 { import all; export none; };
}
template bgp mon {
	local 10.0.0.1 as $AS;
	passive on;
	multihop;
	ipv4 { import none; export all; };
}
EOF
	while read -r a; do
		i=$((i + 1))
		echo "protocol bgp m$i from mon { neighbor $a as $MON_AS; }"
	done <"$IX_DIR/monitors"
}

calico_plan() {
	jq -R . "$IX_DIR/monitors" | jq -s --argjson asn $AS --argjson fas $FEED_AS --argjson mas $MON_AS '{
		version: 1, node: "readvertise", routerID: "10.0.0.1", asNumber: $asn, ipv4Address: "10.0.0.1",
		sessions: ([{type: "global", peerIP: "10.0.0.2", peerASNumber: $fas, passive: true}]
			+ map({type: "global", peerIP: ., peerASNumber: $mas, passive: true})),
		routes: []}'
}

start_bird() {
	local name=$1 dir="$IX_DIR/$1"
	mkdir -p "$dir"
	bird_start 1 "$name" "$(bird_conf "$dir")"
}

start_calico() {
	local name=$1 dir="$IX_DIR/$1"
	mkdir -p "$dir"
	calico_plan >"$dir/plan.json"
	ix_spawn 1 "$name" "$BGPD" --foreground --plan "$dir/plan.json" --ctl "$dir/bgpd.ctl" --log-level warn
	wait_until 30 test -S "$dir/bgpd.ctl"
}

field() {
	local kv
	for kv in $2; do
		[ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return 0; }
	done
	return 1
}

# run_one SPEAKER ROUND: prints "time_s first_s speaker_cpu_s peak_rss_kb base_rss_kb feeder_cpu_s monitors_cpu_s".
run_one() {
	local sp=$1 r=$2 name="$1-$2"
	"start_$sp" "$name"
	local pid ml="$IX_DIR/$name.mon/log" fl="$IX_DIR/$name.feeder/log"
	pid=$(ix_pid "$name")
	ix_spawn 2 "$name.mon" "$LOAD" --connect 10.0.0.1 --local $FIRST --count "$MONITORS" --per-client 0 \
		--expect "$PREFIXES" --base 16.0.0.0 --length 24 --as $MON_AS --read-buffer 1048576 \
		--timeout 600 --watch-pid "$pid"
	wait_until 30 grep -qs '^bgpload established' "$ml" || { cat "$ml" >&2; return 1; }
	ix_spawn 2 "$name.feeder" "$FEEDER" --connect 10.0.0.1 --local 10.0.0.2 --as $FEED_AS --peer-as $AS \
		--prefixes "$PREFIXES" --attr-sets "$ATTR_SETS"
	local mpid
	mpid=$(ix_pid "$name.mon")
	while ix_alive "$mpid"; do sleep 0.2; done
	wait "$mpid" 2>/dev/null || true
	ix_stop "$name.feeder"
	ix_stop "$name"
	local phase est fdone mdone
	phase=$(grep '^bgpload phase' "$ml") || { tail -n 20 "$ml" >&2; return 1; }
	if [ "$(field result "$phase")" != ok ]; then
		echo "readvertise: $sp: $phase" >&2
		grep '^bgpload session' "$ml" | head -3 >&2
		return 1
	fi
	est=$(grep '^feeder established' "$fl")
	fdone=$(grep '^feeder done' "$fl")
	mdone=$(grep '^bgpload done' "$ml")
	local firsts
	firsts=$(grep '^bgpload session' "$ml" | grep -o 'first_update=[0-9.]*' | cut -d= -f2 | sort -n | head -n 1)
	python3 - "$(field t "$est")" "$(field start "$phase")" "$(field time "$phase")" "$firsts" \
		"$(field peer_cpu "$phase")" "$(field peer_hwm_kb "$phase")" "$(field peer_rss_start_kb "$phase")" \
		"$(field user "$fdone")" "$(field sys "$fdone")" "$(field user "$mdone")" "$(field sys "$mdone")" <<'EOF'
import sys
est, start, t, first, cpu, hwm, base, fu, fs, mu, ms = map(float, sys.argv[1:])
print(f"{start + t - est:.3f} {first - est:.3f} {cpu:.3f} {int(hwm)} {int(base)} {fu + fs:.3f} {mu + ms:.3f}")
EOF
}

echo "# readvertise: $PREFIXES prefixes, $ATTR_SETS attribute sets, $MONITORS monitors, $RUNS rounds; $(nproc) CPUs, $(uname -r)"
echo "# bird: $(bird --version 2>&1 | head -n1)"
echo "# columns: speaker round time_s first_update_s speaker_cpu_s peak_rss_kb base_rss_kb feeder_cpu_s monitors_cpu_s"
results=$IX_DIR/results
: >"$results"
for ((r = 1; r <= RUNS; r++)); do
	for sp in $SPEAKERS; do
		if [ "$sp" = calico ] && [ ! -x "$BGPD" ]; then
			[ "$r" = 1 ] && echo "# calico: $BGPD not built, skipped"
			continue
		fi
		line=$(run_one "$sp" "$r") || { echo "readvertise: $sp round $r failed" >&2; ix_dump_logs >&2; exit 1; }
		echo "$sp $r $line" | tee -a "$results"
	done
done

python3 - "$PREFIXES" "$results" <<'EOF'
import statistics, sys
n = int(sys.argv[1])
rows = {}
for line in open(sys.argv[2]):
    f = line.split()
    rows.setdefault(f[0], []).append([float(x) for x in f[2:9]])
med = {k: [statistics.median(c) for c in zip(*v)] for k, v in rows.items()}
for sp, v in med.items():
    t, first, cpu, hwm, base, fcpu, mcpu = v
    print(f"median {sp}: last monitor complete {t:.3f} s (first UPDATE at {first:.3f} s), speaker CPU {cpu:.3f} s, "
          f"peak RSS {hwm/1024:.1f} MiB ({(hwm - base) * 1024 / n:.1f} bytes/route), feeder CPU {fcpu:.3f} s, "
          f"monitors CPU {mcpu:.3f} s ({len(rows[sp])} rounds)")
if "bird" in med:
    b = med["bird"]
    for sp, v in med.items():
        if sp != "bird":
            print(f"ratio {sp}/bird: time {v[0] / b[0]:.2f}x, CPU {v[2] / b[2]:.2f}x, peak RSS {v[3] / b[3]:.2f}x")
EOF
