#!/usr/bin/env bash
# Control-plane timings on a real cluster of our speakers in network
# namespaces (root), using the end-to-end harness (tests/e2e/lib.bash):
#  - mesh N: time from starting N `calico-bgpd --node` speakers (all at once)
#    until every control socket is up, until the last session went
#    Established (from the speakers' logs), and until polling sees every
#    node with all its sessions Established and every other node's block in
#    its kernel (polling N control sockets through socat/jq takes a while
#    itself on a loaded machine, hence the log-based column);
# (Reconfiguration latency is bench/reconfig.sh, which reads the speaker's
# own log stamps instead of polling its control socket.)
#
# The mesh needs N(N-1) ARP and as many NDP entries, in the kernel's one
# neighbour table per family shared by all network namespaces (on Linux
# 6.x the gc_thresh* sysctls exist only in the initial namespace). Their
# default gc_thresh3 of 1,024 overflows at 50 nodes (2,450 entries): the
# script raises gc_thresh1/2/3 of both families to what the largest N
# needs for the duration of the run (never lowering them) and restores the
# old values on exit (NEIGH_KEEP=1 leaves them alone, to measure the
# overflow itself). AUTOGROUP_NICE=-15 runs the script's scheduling group
# at that nice value (bench/peers.bash).
#
# Usage: bench/cluster-bench.sh [N...]   (default: 10 30)
set -u
cd "$(dirname "$0")/.."
BATS_TEST_DIRNAME=$(pwd)/tests/e2e
BATS_FILE_TMPDIR=$(mktemp -d)
export BATS_TEST_DIRNAME BATS_FILE_TMPDIR
# shellcheck source=../tests/e2e/lib.bash
. tests/e2e/lib.bash
# shellcheck source=peers.bash
. bench/peers.bash

# neigh_raise N: neighbour-table thresholds for an N-node mesh: no garbage
# collection below N(N-1) entries per family (with room for other users
# of the host), the hard limit 4x that. NEIGH_SAVED holds "key=old ...".
NEIGH_SAVED=
neigh_raise() {
	local need=$(($1 * ($1 - 1) + 512)) fam k want old
	for fam in ipv4 ipv6; do
		for k in 1 2 3; do
			want=$((need * (k == 1 ? 1 : k == 2 ? 2 : 4)))
			old=$(sysctl -n "net.$fam.neigh.default.gc_thresh$k") || return 1
			NEIGH_SAVED+=" net.$fam.neigh.default.gc_thresh$k=$old"
			[ "$old" -ge "$want" ] || sysctl -qw "net.$fam.neigh.default.gc_thresh$k=$want" || return 1
		done
	done
	echo "# neighbour-table thresholds for $1 nodes (was:$NEIGH_SAVED):$(for kv in $NEIGH_SAVED; do
		printf ' %s=%s' "${kv%%=*}" "$(sysctl -n "${kv%%=*}")"; done)"
}

# neigh_fulls: how often the ARP and NDP tables were full (allocation
# failed after a forced garbage collection), host-wide, since boot.
neigh_fulls() {
	ip -s ntable show | awk '/^inet6? (arp|ndisc)_cache *$/ { t = 1; next } /^$/ { t = 0 }
		t && $1 == "table_fulls" { n += $2 } END { print n + 0 }'
}

# neigh_restore: the values neigh_raise found (gc_thresh3 first going down,
# so that thresh1 <= thresh2 <= thresh3 holds at every step).
neigh_restore() {
	local kv
	for kv in $(printf '%s\n' $NEIGH_SAVED | sort -r); do
		sysctl -qw "$kv" || echo "cluster-bench: could not restore $kv" >&2
	done
	NEIGH_SAVED=
}

trap 'ix_teardown; neigh_restore; bench_autogroup_leave; rm -rf "$BATS_FILE_TMPDIR"' EXIT
bench_autogroup_enter
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 30)
max_n=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max_n" ] && max_n=$n; done
if [ -n "${NEIGH_KEEP:-}" ]; then
	echo "# neighbour-table thresholds left as they are (NEIGH_KEEP): $(sysctl -n net.ipv4.neigh.default.gc_thresh3)" \
		"IPv4, $(sysctl -n net.ipv6.neigh.default.gc_thresh3) IPv6 entries at most"
else
	neigh_raise "$max_n" || { echo "cluster-bench: cannot raise the neighbour-table thresholds" >&2; exit 1; }
fi

now_ms() { date +%s%3N; }

# Every node has 2(N-1) sessions Established (IPv4 + IPv6 mesh).
mesh_up() {
	local n=$1 i
	for ((i = 1; i <= n; i++)); do
		e2e_all_established "$i" $((2 * (n - 1))) || return 1
	done
}

# Every kernel holds every other node's block.
routes_in() {
	local n=$1 i c
	for ((i = 1; i <= n; i++)); do
		c=$(ix_exec "$i" ip route show proto bird | grep -c '^10\.244\.')
		[ "$c" -eq $((n - 1)) ] || return 1
	done
}

# last_established: the latest "-> Established" in any node's log, in ms
# since the epoch (the speakers log local time; this machine runs in UTC).
last_established() {
	grep -h -- '-> Established' "$IX_DIR"/node-*/log | cut -c1-23 | sort | tail -n 1 |
		python3 -c 'import datetime, sys
t = datetime.datetime.strptime(sys.stdin.read().strip(), "%Y-%m-%d %H:%M:%S.%f")
print(int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))'
}

mesh() {
	local n=$1 t0 tup t1 t2 test i fulls0
	ix_init "$BATS_FILE_TMPDIR/mesh$n"
	export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
	ix_lan "$n" >/dev/null || return 1
	for ((i = 1; i <= n; i++)); do e2e_node_yaml "$i"; done | calicoctl create -f - >/dev/null
	printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pods\nspec:\n  cidr: 10.244.0.0/16\n' |
		calicoctl create -f - >/dev/null
	for ((i = 1; i <= n; i++)); do ix_exec "$i" ip route add blackhole "10.244.$i.0/26" proto 80; done
	# Every speaker is started before any is waited for, so the nodes
	# come up concurrently, as on a real cluster.
	fulls0=$(neigh_fulls)
	t0=$(now_ms)
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$IX_DIR/node-$i"
		ix_spawn "$i" "node-$i" "$BGPD" --foreground --node "node-$i" --ctl "$IX_DIR/node-$i/bgpd.ctl" \
			--log-level debug
	done
	for ((i = 1; i <= n; i++)); do wait_until 60 test -S "$IX_DIR/node-$i/bgpd.ctl" || return 1; done
	tup=$(now_ms)
	wait_until 300 mesh_up "$n" || { echo "mesh $n: not all Established"; return 1; }
	t1=$(now_ms)
	wait_until 300 routes_in "$n" || { echo "mesh $n: routes missing"; return 1; }
	t2=$(now_ms)
	test=$(last_established)
	echo "| $n | $((2 * (n - 1))) | $((tup - t0)) ms | $((test - t0)) ms | $((t1 - t0)) ms | $((t2 - t0)) ms |" \
		"$(($(neigh_fulls) - fulls0)) |"
}

bench_load
echo "| nodes | sessions per node | all control sockets up | last session Established (logs) | all Established (polled) | all routes in every kernel (polled) | neighbour table full (host-wide) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${sizes[@]}"; do
	mesh "$n"
	ix_teardown
done
bench_load
