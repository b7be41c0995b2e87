#!/usr/bin/env bash
# Control-plane timings on a real cluster of our speakers in network
# namespaces (root), using the end-to-end harness (tests/e2e/lib.bash):
#  - mesh N: time from starting N `calico-bgpd --node` speakers (all at once)
#    until every control socket is up, until the last session went
#    Established (from the speakers' logs), and until polling sees every
#    node with all its sessions Established and every other node's block in
#    its kernel (polling N control sockets through socat/jq takes a while
#    itself on a loaded machine, hence the log-based column);
#  - reconfiguration: time from `calicoctl patch` returning to the session
#    change being visible on the control socket (mesh disabled: sessions
#    gone; re-enabled: sessions back in the plan), polled every 10 ms.
#
# Usage: bench/cluster-bench.sh [N...]   (default: 10 30)
set -u
cd "$(dirname "$0")/.."
BATS_TEST_DIRNAME=$(pwd)/tests/e2e
BATS_FILE_TMPDIR=$(mktemp -d)
export BATS_TEST_DIRNAME BATS_FILE_TMPDIR
# shellcheck source=../tests/e2e/lib.bash
. tests/e2e/lib.bash
trap 'ix_teardown; rm -rf "$BATS_FILE_TMPDIR"' EXIT

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
	local n=$1 t0 tup t1 t2 test i
	ix_init "$BATS_FILE_TMPDIR/mesh$n"
	export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
	ix_lan "$n" >/dev/null || return 1
	for ((i = 1; i <= n; i++)); do e2e_node_yaml "$i"; done | calicoctl create -f - >/dev/null
	printf 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pods\nspec:\n  cidr: 10.244.0.0/16\n' |
		calicoctl create -f - >/dev/null
	for ((i = 1; i <= n; i++)); do ix_exec "$i" ip route add blackhole "10.244.$i.0/26" proto 80; done
	# Every speaker is started before any is waited for, so the nodes
	# come up concurrently, as on a real cluster.
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
	echo "| $n | $((2 * (n - 1))) | $((tup - t0)) ms | $((test - t0)) ms | $((t1 - t0)) ms | $((t2 - t0)) ms |"
}

sessions_count() {
	cbgpd_ctl node-1 peers | grep -c .
}

reconfig() {
	local t0 t1 i samples=()
	for i in 1 2 3 4 5; do
		calicoctl apply -f - >/dev/null <<-EOF
			apiVersion: projectcalico.org/v3
			kind: BGPConfiguration
			metadata:
			  name: default
			spec:
			  nodeToNodeMeshEnabled: true
		EOF
		wait_until 30 mesh_up 3 || return 1
		calicoctl patch bgpconfiguration default -p '{"spec":{"nodeToNodeMeshEnabled":false}}' >/dev/null
		t0=$(now_ms)
		until [ "$(sessions_count)" -eq 0 ]; do sleep 0.01; done
		t1=$(now_ms)
		samples+=($((t1 - t0)))
	done
	printf '%s\n' "${samples[@]}" | sort -n | tr '\n' ' '
}

echo "| nodes | sessions per node | all control sockets up | last session Established (logs) | all Established (polled) | all routes in every kernel (polled) |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for n in "${@:-10 30}"; do
	mesh "$n"
	ix_teardown
done
ix_init "$BATS_FILE_TMPDIR/reconfig"
export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
ix_lan 3 >/dev/null
for ((i = 1; i <= 3; i++)); do e2e_node_yaml "$i"; done | calicoctl create -f - >/dev/null
for ((i = 1; i <= 3; i++)); do e2e_start "$i" >/dev/null; done
echo
echo "reconfiguration (patch returned -> node-1's sessions closed), 5 runs, ms sorted: $(reconfig)"
