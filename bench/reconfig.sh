#!/usr/bin/env bash
# bench/reconfig.sh: the reconfiguration scenario of issue 5 — time from
# `calicoctl` returning to the speaker having changed its sessions.
#
# A 3-node cluster of calico-bgpd --node in network namespaces (the e2e
# harness). Each sample is one change made with calicoctl, then a wait for
# node 1's "plan applied" log line that follows it (the speaker writes that
# line after the soft reconcile has stopped, started or changed the
# sessions: Ceases are on the wire, new sessions are connecting). The
# latency is that line's timestamp minus the moment calicoctl returned
# (bash's EPOCHREALTIME, no fork); nothing polls the speaker meanwhile.
# Changes, in a cycle, SAMPLES times each:
#   mesh-off   calicoctl patch bgpconfiguration default  (mesh disabled: 4 sessions removed)
#   mesh-on    calicoctl patch bgpconfiguration default  (mesh enabled: 4 sessions added)
#   peer-add   calicoctl create -f (a global BGPPeer: 1 session added)
#   peer-del   calicoctl delete bgppeer                  (1 session removed)
#
# usage: bench/reconfig.sh [--samples 10] [--datastore "sqlite etcdv3"]
# Prints one line per sample and the medians per change and datastore;
# needs root and a build.
set -u
cd "$(dirname "$0")/.."
SAMPLES=10
STORES=sqlite
while [ $# -gt 0 ]; do
	case $1 in
	--samples) SAMPLES=$2; shift 2 ;;
	--datastore) STORES=$2; shift 2 ;;
	*) echo "usage: $0 [--samples N] [--datastore \"sqlite etcdv3\"]" >&2; exit 2 ;;
	esac
done
BUILD_DIR=${BUILD_DIR:-$PWD/build}
export BUILD_DIR
BATS_TEST_DIRNAME=$PWD/tests/e2e
export BATS_TEST_DIRNAME
# shellcheck source=../tests/e2e/lib.bash
. tests/e2e/lib.bash
TMP=$(mktemp -d /tmp/reconfig.XXXXXX)
trap 'ix_teardown; rm -rf "$TMP"' EXIT

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# applied_count: how many "plan applied" lines node 1 has logged.
applied_count() { grep -c 'plan applied:' "$IX_DIR/node-1/log"; }

# applied_ms N: the timestamp of node 1's Nth "plan applied" line, in ms
# since the epoch (the speaker logs local time; this machine runs in UTC).
applied_ms() {
	grep 'plan applied:' "$IX_DIR/node-1/log" | sed -n "${1}p" | cut -c1-23 |
		python3 -c 'import datetime, sys
t = datetime.datetime.strptime(sys.stdin.read().strip(), "%Y-%m-%d %H:%M:%S.%f")
print(int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))'
}

mesh_patch() {
	calicoctl patch bgpconfiguration default -p "{\"spec\":{\"nodeToNodeMeshEnabled\":$1}}" >/dev/null 2>&1
}

peer_add() {
	calicoctl create -f - >/dev/null <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPPeer
		metadata:
		  name: tor
		spec:
		  peerIP: 10.0.0.200
		  asNumber: 64567
	EOF
}

peer_del() { calicoctl delete bgppeer tor >/dev/null; }

# sample STORE CHANGE CMD...: runs CMD, prints the latency from its return
# (and from its start) to the next "plan applied" of node 1. A negative
# latency from the return means the speaker had applied the change before
# calicoctl finished exiting.
sample() {
	local store=$1 change=$2 before ts t0 t1
	shift 2
	before=$(applied_count)
	ts=$(now_ms)
	"$@" || { echo "$change: calicoctl failed" >&2; return 1; }
	t0=$(now_ms)
	# Reading the log does not touch the speaker; its own stamp is the end.
	local deadline=$((SECONDS + 10))
	until [ "$(applied_count)" -gt "$before" ]; do
		[ $SECONDS -lt $deadline ] || { echo "$change: no plan applied within 10 s" >&2; return 1; }
		sleep 0.02
	done
	t1=$(applied_ms $((before + 1)))
	echo "$store $change $((t1 - t0)) $((t1 - ts))"
}

run_store() {
	local store=$1 i
	E2E_DATASTORE=$store
	export E2E_DATASTORE
	BATS_FILE_TMPDIR=$TMP/$store
	mkdir -p "$BATS_FILE_TMPDIR"
	e2e_cluster 3 >/dev/null || { echo "cluster on $store did not start" >&2; return 1; }
	calicoctl create -f - >/dev/null <<-EOF
		apiVersion: projectcalico.org/v3
		kind: BGPConfiguration
		metadata:
		  name: default
		spec:
		  nodeToNodeMeshEnabled: true
	EOF
	wait_until 30 e2e_all_established 1 4 || return 1
	for ((i = 1; i <= SAMPLES; i++)); do
		sample "$store" mesh-off mesh_patch false
		sample "$store" mesh-on mesh_patch true
		wait_until 30 e2e_all_established 1 4 || return 1
		sample "$store" peer-add peer_add
		sample "$store" peer-del peer_del
	done
	ix_teardown
}

echo "# reconfig: $SAMPLES samples per change; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# columns: datastore change ms_from_return ms_from_start (calicoctl returned / started -> node 1's plan applied)"
for store in $STORES; do
	run_store "$store" | tee -a "$TMP/samples"
done
echo "# medians (ms):"
python3 - "$TMP/samples" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    s, c, ret, start = line.split()
    d[(s, c)].append((int(ret), int(start)))
for (s, c), v in d.items():
    r = [x[0] for x in v]
    st = [x[1] for x in v]
    print(f"median {s} {c}: {round(statistics.median(r)) + 0} ms after calicoctl returned "
          f"(min {min(r)}, max {max(r)}), {round(statistics.median(st)) + 0} ms after it started, n={len(v)}")
PY
