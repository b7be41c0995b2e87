#!/usr/bin/env bash
# bench/rr.sh: the route-reflector scenario of issue 5, side by side in one run.
#
# One reflector (node 1, 10.0.0.1, AS 64512, cluster id 1.1.1.1) and M iBGP
# clients, all of them bench/bgpload sessions in node 2, each from its own
# address (10.1.0.1, 10.1.0.2, ... on node 2's loopback; node 1 reaches them
# through one route via 10.0.0.2, so the reflector needs one neighbour entry,
# not M). Every client announces K /26s (next hop 10.0.0.2) and waits until
# it holds every other client's. Then 10% of the clients send a Cease and
# reconnect at once, and the run waits until every client holds everything
# again. Reflectors, each measured in turn within every round:
#   calico  build/speaker/calico-bgpd --plan (M passive rrClient sessions)
#   bird    BIRD 2 (M passive "rr client" protocols from one template)
# Times come from the load tool (first connect to the last client complete;
# restart to the last client complete again); the reflector's CPU time and
# RSS come from /proc (bgpload --watch-pid) for each phase.
#
# usage: bench/rr.sh [--runs 3] [--clients "200 1000 2000"] [--per-client 4]
#                    [--reflectors "calico bird"] [--restart-pct 10]
# Prints one line per run and the medians; needs root and a build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUNS=3
CLIENTS="200 1000 2000"
PER_CLIENT=4
REFLECTORS="calico bird"
RESTART_PCT=10
# BIRD_LOG=all for a full BIRD log; LOAD_EXTRA for more bgpload options.
BIRD_LOG=${BIRD_LOG:-"{ warning, error, fatal }"}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--per-client) PER_CLIENT=$2; shift 2 ;;
	--reflectors) REFLECTORS=$2; shift 2 ;;
	--restart-pct) RESTART_PCT=$2; shift 2 ;;
	*)
		echo "usage: $0 [--runs N] [--clients \"200 1000 2000\"] [--per-client K] [--reflectors \"calico bird\"] [--restart-pct P]" >&2
		exit 2
		;;
	esac
done

LOAD=$BUILD_DIR/bench/bgpload
BGPD=${BGPD:-$BUILD_DIR/speaker/calico-bgpd}
[ -x "$LOAD" ] || { echo "rr: $LOAD not built (run scripts/build)" >&2; exit 1; }

# shellcheck source=../tests/interop/lib.bash
. "$ROOT/tests/interop/lib.bash"
ix_init "$(mktemp -d /tmp/rr.XXXXXX)"
trap 'ix_teardown; [ -n "${KEEP:-}" ] || rm -rf "$IX_DIR"' EXIT
ix_lan 2 >/dev/null

AS=64512
FIRST=10.1.0.1
MAX=0
for m in $CLIENTS; do [ "$m" -gt "$MAX" ] && MAX=$m; done
"$LOAD" --local $FIRST --count "$MAX" --print-addresses >"$IX_DIR/addresses"
sed 's|^|addr add |; s|$|/32 dev lo|' "$IX_DIR/addresses" | ix_exec 2 ip -batch -
ix_exec 1 ip route add 10.1.0.0/16 via 10.0.0.2
# Many sockets in one process.
ulimit -n "$(ulimit -Hn)"

LOAD_ARGS=(${LOAD_EXTRA:-} --connect 10.0.0.1 --local $FIRST --per-client "$PER_CLIENT" --as $AS --next-hop 10.0.0.2
	--restart-pct "$RESTART_PCT" --timeout 600)

bird_conf() { # DIR M
	local dir=$1 m=$2 i=0 a
	cat <<EOF
log "$dir/bird.log" $BIRD_LOG;
router id 10.0.0.1;
protocol device { scan time 10; }
# The clients are not on-link (multihop iBGP): their next hop 10.0.0.2
# resolves recursively through this interface route.
protocol direct { ipv4; interface "eth0"; }
template bgp rrc {
	local 10.0.0.1 as $AS;
	passive on;
	rr client;
	rr cluster id 1.1.1.1;
	hold time 90;
	ipv4 { import all; export where source = RTS_BGP; gateway recursive; };
}
EOF
	while read -r a && [ "$i" -lt "$m" ]; do
		i=$((i + 1))
		echo "protocol bgp c$i from rrc { neighbor $a as $AS; }"
	done <"$IX_DIR/addresses"
}

calico_plan() { # M
	head -n "$1" "$IX_DIR/addresses" | jq -R . | jq -s --argjson asn $AS '{
		version: 1, node: "rr", routerID: "10.0.0.1", asNumber: $asn, ipv4Address: "10.0.0.1",
		sessions: map({type: "node", peerIP: ., peerASNumber: $asn, passive: true, rrClient: true,
			clusterID: "1.1.1.1", holdTime: 90}),
		routes: []}'
}

# start_REFLECTOR NAME M: starts it and waits until it is ready.
start_bird() {
	local name=$1 dir="$IX_DIR/$1"
	mkdir -p "$dir"
	bird_start 1 "$name" "$(bird_conf "$dir" "$2")"
}

start_calico() {
	local name=$1 dir="$IX_DIR/$1"
	mkdir -p "$dir"
	calico_plan "$2" >"$dir/plan.json"
	ix_spawn 1 "$name" "$BGPD" --foreground --plan "$dir/plan.json" --ctl "$dir/bgpd.ctl" --log-level warn
	wait_until 30 test -S "$dir/bgpd.ctl"
}

# field NAME LINE: value of NAME=... in a "tool event k=v ..." line.
field() {
	local kv
	for kv in $2; do
		[ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return 0; }
	done
	return 1
}

# run_one REFLECTOR M ROUND: prints "init_s restart_s cpu_s rss_delta_kb hwm_kb load_cpu_s".
run_one() {
	local refl=$1 m=$2 r=$3 name="$1-$2-$3"
	"start_$refl" "$name" "$m"
	local pid out="$IX_DIR/$name.load"
	pid=$(ix_pid "$name")
	if ! ix_exec 2 "$LOAD" "${LOAD_ARGS[@]}" --count "$m" --watch-pid "$pid" >"$out" 2>&1; then
		echo "rr: $refl with $m clients, round $r: $(grep -E '^bgpload (phase|done)' "$out" | tr '\n' ' ')" >&2
		grep '^bgpload session' "$out" | grep -v 'state=4' | head -5 >&2
		ix_stop "$name"
		return 1
	fi
	ix_stop "$name"
	local init restart done_line
	init=$(grep '^bgpload phase name=initial' "$out")
	restart=$(grep '^bgpload phase name=restart' "$out")
	done_line=$(grep '^bgpload done' "$out")
	echo "$(field time "$init") $(field time "$restart") $(field peer_cpu "$init") $(field peer_cpu "$restart")" \
		"$(($(field peer_rss_kb "$init") - $(field peer_rss_start_kb "$init"))) $(field peer_hwm_kb "$init")" \
		"$(python3 -c "print(round($(field user "$done_line") + $(field sys "$done_line"), 3))")"
}

echo "# rr: clients \"$CLIENTS\" x $PER_CLIENT prefixes, restart $RESTART_PCT%, $RUNS rounds; $(nproc) CPUs, $(uname -r)"
echo "# bird: $(bird --version 2>&1 | head -n1)"
echo "# columns: reflector clients round converge_s reconverge_s refl_cpu_s refl_cpu_restart_s rss_growth_kb peak_rss_kb bgpload_cpu_s"
results=$IX_DIR/results
: >"$results"
for m in $CLIENTS; do
	for ((r = 1; r <= RUNS; r++)); do
		for refl in $REFLECTORS; do
			if [ "$refl" = calico ] && [ ! -x "$BGPD" ]; then
				echo "# calico: $BGPD not built, skipped"
				continue
			fi
			line=$(run_one "$refl" "$m" "$r") || { echo "rr: $refl $m round $r failed" >&2; exit 1; }
			echo "$refl $m $r $line" | tee -a "$results"
		done
	done
done

python3 - "$results" "${RR_DAT:-}" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows.setdefault((f[0], int(f[1])), []).append([float(x) for x in f[3:10]])
med = {k: [statistics.median(c) for c in zip(*v)] for k, v in rows.items()}
for (refl, m), v in sorted(med.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    print(f"median {refl} {m} clients: converge {v[0]:.3f} s, re-converge {v[1]:.3f} s, reflector CPU "
          f"{v[2]:.3f} s (+{v[3]:.3f} s restart), RSS +{v[4]/1024:.1f} MiB (peak {v[5]/1024:.1f} MiB), "
          f"bgpload CPU {v[6]:.3f} s ({len(rows[(refl, m)])} rounds)")
for (refl, m), v in sorted(med.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    b = med.get(("bird", m))
    if refl != "bird" and b:
        print(f"ratio {refl}/bird {m} clients: converge {v[0] / b[0]:.2f}x, re-converge {v[1] / b[1]:.2f}x, "
              f"CPU {v[2] / b[2] if b[2] else float('nan'):.2f}x, peak RSS {v[5] / b[5]:.2f}x")
if sys.argv[2]:
    # gnuplot data: clients, then converge/re-converge per reflector
    refls = sorted({k[0] for k in med})
    with open(sys.argv[2], "w") as out:
        out.write("# clients " + " ".join(f"{r}_converge {r}_reconverge" for r in refls) + "\n")
        for m in sorted({k[1] for k in med}):
            cols = []
            for r in refls:
                v = med.get((r, m))
                cols += [f"{v[0]:.3f}", f"{v[1]:.3f}"] if v else ["?", "?"]
            out.write(f"{m} " + " ".join(cols) + "\n")
EOF
