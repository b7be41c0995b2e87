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
#   calico    build/speaker/calico-bgpd --plan (M passive rrClient sessions)
#   bird      BIRD 2 (M passive "rr client" protocols from one template)
#   frr       FRR bgpd: `bgp listen range` over the clients' /16 into one
#             peer-group of route-reflector-clients (`bgp no-rib`)
#   openbgpd  OpenBGPD: one neighbor template over the clients' /16,
#             passive, route-reflector (`fib-update no`; its processes summed)
#   gobgp     GoBGP: dynamic-neighbors over the clients' /16 into one
#             peer-group of route-reflector clients, passive
# Times come from the load tool (first connect to the last client complete;
# restart to the last client complete again); the reflector's CPU time and
# RSS come from /proc (bgpload --watch-pid) for each phase. Each phase is
# time-boxed (--time-box T, bgpload --timeout): a reflector that cannot get
# every client complete within T s is reported as "did not converge within
# T s" (with how many clients were complete), its later rounds at that size
# and larger sizes are skipped, and the run goes on with the others.
#
# usage: bench/rr.sh [--runs 3] [--clients "200 1000 2000"] [--per-client 4]
#                    [--reflectors "calico bird frr openbgpd gobgp"]
#                    [--restart-pct 10] [--time-box 300]
# AUTOGROUP_NICE=-15 runs the benchmark's scheduling group at that nice
# value (bench/peers.bash). Prints one line per run and the medians; needs
# root and a build.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RUNS=3
CLIENTS="200 1000 2000"
PER_CLIENT=4
REFLECTORS="calico bird"
RESTART_PCT=10
TIME_BOX=300
# BIRD_LOG=all for a full BIRD log; LOAD_EXTRA for more bgpload options.
BIRD_LOG=${BIRD_LOG:-"{ warning, error, fatal }"}
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift 2 ;;
	--clients) CLIENTS=$2; shift 2 ;;
	--per-client) PER_CLIENT=$2; shift 2 ;;
	--reflectors) REFLECTORS=$2; shift 2 ;;
	--restart-pct) RESTART_PCT=$2; shift 2 ;;
	--time-box) TIME_BOX=$2; shift 2 ;;
	*)
		echo "usage: $0 [--runs N] [--clients \"200 1000 2000\"] [--per-client K] [--reflectors \"calico bird frr openbgpd gobgp\"] [--restart-pct P] [--time-box S]" >&2
		exit 2
		;;
	esac
done

LOAD=$BUILD_DIR/bench/bgpload
BGPD=${BGPD:-$BUILD_DIR/speaker/calico-bgpd}
[ -x "$LOAD" ] || { echo "rr: $LOAD not built (run scripts/build)" >&2; exit 1; }
for refl in $REFLECTORS; do
	case $refl in
	calico | bird | frr | openbgpd | gobgp) ;;
	*) echo "rr: unknown reflector '$refl' (calico, bird, frr, openbgpd, gobgp)" >&2; exit 2 ;;
	esac
done

# shellcheck source=../tests/interop/lib.bash
. "$ROOT/tests/interop/lib.bash"
# shellcheck source=peers.bash
. "$ROOT/bench/peers.bash"
ix_init "$(mktemp -d /tmp/rr.XXXXXX)"
trap 'ix_teardown; bench_autogroup_leave; [ -n "${KEEP:-}" ] || rm -rf "$IX_DIR"' EXIT
bench_autogroup_enter
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
	--restart-pct "$RESTART_PCT" --timeout "$TIME_BOX")
CLIENT_NET=10.1.0.0/16

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

# FRR: the clients' /16 is a listen range of one peer-group (dynamic
# neighbours are passive); `bgp no-rib` keeps the routes out of zebra and
# the kernel, as neither BIRD nor ours programs them here.
start_frr() {
	local name=$1 m=$2 n
	n=" bgp cluster-id 1.1.1.1
 bgp listen limit $m
 neighbor rrc peer-group
 neighbor rrc remote-as $AS
 neighbor rrc timers 30 90
 bgp listen range $CLIENT_NET peer-group rrc
 address-family ipv4 unicast
  neighbor rrc activate
  neighbor rrc route-reflector-client
 exit-address-family"
	frr_start 1 "$name" "bgp no-rib
$(ix_render frr-bgpd.conf NAME="$name" LOCAL_AS=$AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")"
}

# OpenBGPD: one neighbor template over the clients' /16 (a connection from
# inside it becomes a neighbor), passive, reflector with our cluster id.
start_openbgpd() {
	local name=$1 n
	n="neighbor $CLIENT_NET {
	remote-as $AS
	local-address 10.0.0.1
	holdtime 90
	passive
	route-reflector 1.1.1.1
}"
	obgpd_start 1 "$name" "$(ix_render openbgpd.conf DIR="$IX_DIR/$name" LOCAL_AS=$AS \
		ROUTER_ID=10.0.0.1 NETWORKS= NEIGHBORS="$n")"
}

# GoBGP: dynamic neighbours over the clients' /16 into one passive
# peer-group of route-reflector clients; gRPC API on a private port.
start_gobgp() {
	local name=$1 n
	n="[[peer-groups]]
  [peer-groups.config]
    peer-group-name = \"rrc\"
    peer-as = $AS
  [peer-groups.timers.config]
    hold-time = 90
  [peer-groups.transport.config]
    passive-mode = true
  [peer-groups.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = \"1.1.1.1\"
  [[peer-groups.afi-safis]]
    [peer-groups.afi-safis.config]
      afi-safi-name = \"ipv4-unicast\"

[[dynamic-neighbors]]
  [dynamic-neighbors.config]
    prefix = \"$CLIENT_NET\"
    peer-group = \"rrc\"
"
	gobgp_start 1 "$name" "$(ix_render gobgpd.toml LOCAL_AS=$AS ROUTER_ID=10.0.0.1 NEIGHBORS="$n")" 50179
}

# run_one REFLECTOR M ROUND: prints "init_s restart_s cpu_s cpu_restart_s
# rss_delta_kb hwm_kb load_cpu_s", or "dnf PHASE COMPLETE" when a phase
# did not finish within the time box.
run_one() {
	local refl=$1 m=$2 r=$3 name="$1-$2-$3"
	"start_$refl" "$name" "$m" || { echo "rr: $refl did not start" >&2; ix_dump_logs >&2; return 1; }
	# Every reflector's clock starts when it listens, not when its
	# control socket appears.
	wait_until 30 ix_exec 1 sh -c 'ss -ltnH "sport = :179" | grep -q .' ||
		{ echo "rr: $refl is not listening on port 179" >&2; ix_dump_logs >&2; return 1; }
	local out="$IX_DIR/$name.load" rc=0
	# shellcheck disable=SC2046 # one --watch-pid per process
	ix_exec 2 "$LOAD" "${LOAD_ARGS[@]}" --count "$m" $(watch_args $(daemon_pids "$name" "$refl")) \
		>"$out" 2>&1 || rc=$?
	daemon_stop "$name" "$refl"
	local late
	late=$(grep -E '^bgpload phase .*result=timeout' "$out" | head -n 1)
	if [ -n "$late" ]; then
		echo "dnf $(field name "$late") $(field complete "$late")"
		return 0
	fi
	if [ "$rc" != 0 ]; then
		echo "rr: $refl with $m clients, round $r: $(grep -E '^bgpload (phase|done)' "$out" | tr '\n' ' ')" >&2
		grep '^bgpload session' "$out" | grep -v 'state=4' | head -5 >&2
		tail -n 5 "$out" >&2
		return 1
	fi
	local init restart done_line
	init=$(grep '^bgpload phase name=initial' "$out")
	restart=$(grep '^bgpload phase name=restart' "$out")
	done_line=$(grep '^bgpload done' "$out")
	echo "$(field time "$init") $(field time "$restart") $(field peer_cpu "$init") $(field peer_cpu "$restart")" \
		"$(($(field peer_rss_kb "$init") - $(field peer_rss_start_kb "$init"))) $(field peer_hwm_kb "$init")" \
		"$(python3 -c "print(round($(field user "$done_line") + $(field sys "$done_line"), 3))")"
}

echo "# rr: clients \"$CLIENTS\" x $PER_CLIENT prefixes, restart $RESTART_PCT%, $RUNS rounds, time box $TIME_BOX s per phase; $(nproc) CPUs, $(uname -r)"
bench_versions
bench_load
echo "# columns: reflector clients round converge_s reconverge_s refl_cpu_s refl_cpu_restart_s rss_growth_kb peak_rss_kb bgpload_cpu_s"
results=$IX_DIR/results
: >"$results"
declare -A dnf_at # reflector -> the smallest client count it did not finish
for m in $CLIENTS; do
	for ((r = 1; r <= RUNS; r++)); do
		for refl in $REFLECTORS; do
			if [ "$refl" = calico ] && [ ! -x "$BGPD" ]; then
				echo "# calico: $BGPD not built, skipped"
				continue
			fi
			if [ -n "${dnf_at[$refl]:-}" ] && [ "$m" -ge "${dnf_at[$refl]}" ]; then
				continue
			fi
			line=$(run_one "$refl" "$m" "$r") || { echo "rr: $refl $m round $r failed" >&2; exit 1; }
			if [[ $line == dnf* ]]; then
				read -r _ phase complete <<<"$line"
				echo "$refl $m $r did not converge within $TIME_BOX s ($phase phase: $complete clients complete)" |
					tee -a "$results"
				dnf_at[$refl]=$m
				continue
			fi
			echo "$refl $m $r $line" | tee -a "$results"
		done
		bench_load
	done
done

python3 - "$results" "${RR_DAT:-}" "$TIME_BOX" <<'EOF'
import statistics, sys
rows, dnf = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[3] == "did":
        dnf.setdefault((f[0], int(f[1])), []).append(" ".join(f[9:]))
        continue
    rows.setdefault((f[0], int(f[1])), []).append([float(x) for x in f[3:10]])
for (refl, m), why in sorted(dnf.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    done = rows.pop((refl, m), [])
    before = f" (rounds before it converged in {', '.join(f'{v[0]:.3f}' for v in done)} s)" if done else ""
    print(f"{refl} {m} clients: did not converge within {sys.argv[3]} s in round {len(done) + 1} "
          f"{why[0]}{before}; later rounds and larger sizes skipped")
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
