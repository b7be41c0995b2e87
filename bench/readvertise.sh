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
#   calico    build/speaker/calico-bgpd --plan
#   bird      BIRD 2 (import all, export all)
#   frr       FRR bgpd (`bgp no-rib`; monitors in one peer-group,
#             ebgp-multihop, advertisement-interval 0 as BIRD has no MRAI)
#   openbgpd  OpenBGPD (`fib-update no`; monitors from one neighbor
#             template, multihop; its processes summed)
#   gobgp     GoBGP (monitors as dynamic neighbours of one peer-group)
# All sessions are passive on the speaker's side, as for BIRD and ours. The
# speaker's CPU time and peak RSS come from /proc (bgpload --watch-pid).
# The monitors' wait is time-boxed (--time-box T): a speaker whose last
# monitor does not hold every route within T s is reported as "did not
# finish within T s" (with how many monitors were complete), its later
# rounds are skipped and the run goes on with the others.
#
# usage: bench/readvertise.sh [--runs 3] [--prefixes 1000000] [--attr-sets 5000]
#                             [--monitors 10] [--time-box 300]
#                             [--speakers "calico bird frr openbgpd gobgp"]
# AUTOGROUP_NICE=-15 runs the benchmark's scheduling group at that nice
# value (bench/peers.bash). Needs root (network namespaces) and a build
# (scripts/build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUNS=3
PREFIXES=1000000
ATTR_SETS=5000
MONITORS=10
SPEAKERS="calico bird"
TIME_BOX=300
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--prefixes) PREFIXES=$2; shift 2 ;;
	--attr-sets) ATTR_SETS=$2; shift 2 ;;
	--monitors) MONITORS=$2; shift 2 ;;
	--speakers) SPEAKERS=$2; shift 2 ;;
	--time-box) TIME_BOX=$2; shift 2 ;;
	*)
		echo "usage: $0 [--runs N] [--prefixes N] [--attr-sets A] [--monitors P] [--time-box S] [--speakers \"calico bird frr openbgpd gobgp\"]" >&2
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
for sp in $SPEAKERS; do
	case $sp in
	calico | bird | frr | openbgpd | gobgp) ;;
	*) echo "readvertise: unknown speaker '$sp' (calico, bird, frr, openbgpd, gobgp)" >&2; exit 2 ;;
	esac
done

# shellcheck source=../tests/interop/lib.bash
. "$ROOT/tests/interop/lib.bash"
# shellcheck source=peers.bash
. "$ROOT/bench/peers.bash"
ix_init "$(mktemp -d /tmp/readvertise.XXXXXX)"
trap 'ix_teardown; bench_autogroup_leave; [ -n "${KEEP:-}" ] || rm -rf "$IX_DIR"' EXIT
bench_autogroup_enter
ix_lan 2 >/dev/null

AS=65100
FEED_AS=65000
MON_AS=65200
FIRST=10.2.0.1
MON_NET=10.2.0.0/16
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

# FRR: the feed and one peer-group of monitors (eBGP multihop: they are
# not on the LAN); `bgp no-rib`; no MRAI, as BIRD and ours have none.
start_frr() {
	local name=$1 n a
	n=" neighbor 10.0.0.2 remote-as $FEED_AS
 neighbor 10.0.0.2 passive
 neighbor mon peer-group
 neighbor mon remote-as $MON_AS
 neighbor mon passive
 neighbor mon ebgp-multihop 2
 neighbor mon advertisement-interval 0"
	while read -r a; do
		n+=$'\n'" neighbor $a peer-group mon"
	done <"$IX_DIR/monitors"
	n+="
 address-family ipv4 unicast
  neighbor 10.0.0.2 activate
  neighbor mon activate
 exit-address-family"
	frr_start 1 "$name" "bgp no-rib
$(ix_render frr-bgpd.conf NAME="$name" LOCAL_AS=$AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")"
}

# OpenBGPD: the feed and a neighbor template over the monitors' /16.
start_openbgpd() {
	local name=$1 n
	n="neighbor 10.0.0.2 {
	remote-as $FEED_AS
	local-address 10.0.0.1
	passive
}
neighbor $MON_NET {
	remote-as $MON_AS
	local-address 10.0.0.1
	multihop 2
	passive
}"
	obgpd_start 1 "$name" "$(ix_render openbgpd.conf DIR="$IX_DIR/$name" LOCAL_AS=$AS \
		ROUTER_ID=10.0.0.1 NETWORKS= NEIGHBORS="$n")"
}

# GoBGP: the feed (the interop neighbour template) and the monitors as
# dynamic neighbours of one passive, multihop peer-group.
start_gobgp() {
	local name=$1 n
	n="$(ix_render gobgp-neighbor.toml PEER_IP=10.0.0.2 PEER_AS=$FEED_AS LOCAL_IP=10.0.0.1 \
		PASSIVE=true FAMILY=ipv4 OPTIONS=)

[[peer-groups]]
  [peer-groups.config]
    peer-group-name = \"mon\"
    peer-as = $MON_AS
  [peer-groups.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
  [peer-groups.transport.config]
    passive-mode = true
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = \"ipv4-unicast\"

[[dynamic-neighbors]]
  [dynamic-neighbors.config]
    prefix = \"$MON_NET\"
    peer-group = \"mon\"
"
	gobgp_start 1 "$name" "$(ix_render gobgpd.toml LOCAL_AS=$AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")" 50179
}

# run_one SPEAKER ROUND: prints "time_s first_s speaker_cpu_s peak_rss_kb
# base_rss_kb feeder_cpu_s monitors_cpu_s", or "dnf COMPLETE HELD" when the
# last monitor was not complete within the time box (HELD: the fewest
# prefixes a monitor held).
run_one() {
	local sp=$1 r=$2 name="$1-$2"
	"start_$sp" "$name" || { echo "readvertise: $sp did not start" >&2; return 1; }
	wait_until 30 ix_exec 1 sh -c 'ss -ltnH "sport = :179" | grep -q .' ||
		{ echo "readvertise: $sp is not listening on port 179" >&2; return 1; }
	local ml="$IX_DIR/$name.mon/log" fl="$IX_DIR/$name.feeder/log"
	# shellcheck disable=SC2046 # one --watch-pid per process
	ix_spawn 2 "$name.mon" "$LOAD" --connect 10.0.0.1 --local $FIRST --count "$MONITORS" --per-client 0 \
		--expect "$PREFIXES" --base 16.0.0.0 --length 24 --as $MON_AS --read-buffer 1048576 \
		--timeout "$TIME_BOX" $(watch_args $(daemon_pids "$name" "$sp"))
	wait_until 60 grep -qs '^bgpload established' "$ml" || { cat "$ml" >&2; return 1; }
	ix_spawn 2 "$name.feeder" "$FEEDER" --connect 10.0.0.1 --local 10.0.0.2 --as $FEED_AS --peer-as $AS \
		--prefixes "$PREFIXES" --attr-sets "$ATTR_SETS"
	local mpid
	mpid=$(ix_pid "$name.mon")
	while ix_alive "$mpid"; do sleep 0.2; done
	wait "$mpid" 2>/dev/null || true
	ix_stop "$name.feeder"
	daemon_stop "$name" "$sp"
	local phase est fdone mdone
	phase=$(grep '^bgpload phase' "$ml") || { tail -n 20 "$ml" >&2; return 1; }
	if [ "$(field result "$phase")" = timeout ]; then
		# How far it got: the least-advanced monitor's prefixes.
		echo "dnf $(field complete "$phase") $(grep '^bgpload session' "$ml" | grep -o ' held=[0-9]*' |
			cut -d= -f2 | sort -n | head -n 1)"
		return 0
	fi
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

echo "# readvertise: $PREFIXES prefixes, $ATTR_SETS attribute sets, $MONITORS monitors, $RUNS rounds, time box $TIME_BOX s; $(nproc) CPUs, $(uname -r)"
bench_versions
bench_load
echo "# columns: speaker round time_s first_update_s speaker_cpu_s peak_rss_kb base_rss_kb feeder_cpu_s monitors_cpu_s"
results=$IX_DIR/results
: >"$results"
declare -A dnf # speaker -> did not finish in an earlier round
for ((r = 1; r <= RUNS; r++)); do
	for sp in $SPEAKERS; do
		if [ "$sp" = calico ] && [ ! -x "$BGPD" ]; then
			[ "$r" = 1 ] && echo "# calico: $BGPD not built, skipped"
			continue
		fi
		[ -z "${dnf[$sp]:-}" ] || continue
		line=$(run_one "$sp" "$r") || { echo "readvertise: $sp round $r failed" >&2; ix_dump_logs >&2; exit 1; }
		if [[ $line == dnf* ]]; then
			read -r _ complete held <<<"$line"
			echo "$sp $r did not finish within $TIME_BOX s ($complete monitors complete, the least-advanced" \
				"held $held of $PREFIXES prefixes)" | tee -a "$results"
			dnf[$sp]=1
			continue
		fi
		echo "$sp $r $line" | tee -a "$results"
	done
	bench_load
done

python3 - "$PREFIXES" "$results" "$TIME_BOX" <<'EOF'
import statistics, sys
n = int(sys.argv[1])
rows = {}
for line in open(sys.argv[2]):
    f = line.split()
    if f[2] == "did":
        done = rows.pop(f[0], [])
        before = f" (rounds before it: {', '.join(f'{v[0]:.3f}' for v in done)} s)" if done else ""
        print(f"{f[0]}: did not finish within {sys.argv[3]} s in round {f[1]} {' '.join(f[8:])}{before}; "
              "later rounds skipped")
        continue
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
