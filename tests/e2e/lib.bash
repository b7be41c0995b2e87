# End-to-end harness: a Calico cluster of our speakers in network namespaces,
# on the SQLite datastore, driven with calicoctl. Builds on the interop
# harness (namespaces, bridge, cleanup by PID).
#
#	setup_file()    { e2e_cluster 3; }
#	teardown_file() { ix_teardown; }

# shellcheck source=../interop/lib.bash
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../interop" && pwd)/lib.bash"

# The datastore of the cluster: E2E_DATASTORE=sqlite (default) or etcdv3.
e2e_backend() {
	echo "${E2E_DATASTORE:-sqlite}"
}

E2E_ETCD_IP=10.0.0.250

# e2e_datastore: the datastore every node and calicoctl use. SQLite: one
# file. etcd: a 3-member TLS cluster (scripts/etcd-cluster) inside the
# bridge namespace on $E2E_ETCD_IP, where the speakers in the node
# namespaces reach it; calicoctl and etcdctl run there too.
e2e_datastore() {
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH
	if [ "$(e2e_backend)" != etcdv3 ]; then
		export DATASTORE_TYPE=sqlite SQLITE_PATH="$IX_DIR/calico.db"
		return 0
	fi
	local hub top
	hub=$(ix_ns hub)
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	ip -n "$hub" link set lo up
	ip -n "$hub" addr add "$E2E_ETCD_IP/24" dev br0 || return 1
	E2E_ETCD_DIR=$IX_DIR/etcd
	ETCD_CLUSTER_NETNS=$hub ETCD_CLUSTER_IP=$E2E_ETCD_IP \
		"$top/scripts/etcd-cluster" up "$E2E_ETCD_DIR" >/dev/null || return 1
	eval "$("$top/scripts/etcd-cluster" env "$E2E_ETCD_DIR")"
	unset SQLITE_PATH
	export E2E_ETCD_DIR
}

# e2e_etcd CMD ARGS...: scripts/etcd-cluster CMD on the test's cluster
# (stop-member I, start-member I, ...).
e2e_etcd() {
	local cmd=$1
	shift
	"$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/etcd-cluster" "$cmd" \
		"$E2E_ETCD_DIR" "$@"
}

# On etcd, calicoctl runs where the cluster is reachable (the bridge
# namespace); the node-local commands find their speaker by socket path.
calicoctl() {
	if [ "$(e2e_backend)" = etcdv3 ]; then
		ip netns exec "$(ix_ns hub)" "$CALICOCTL" "$@"
	else
		"$CALICOCTL" "$@"
	fi
}

# e2e_cluster N: N nodes (node-I at 10.0.0.I/24, fd00::I/64), one IP pool
# 10.244.0.0/16 and, per node, the blackhole /26 Felix would add for its
# block (10.244.I.0/26); every node runs `calico-bgpd --node node-I`.
e2e_cluster() {
	local n=$1 i
	ix_init "$BATS_FILE_TMPDIR"
	ix_lan "$n" || return 1
	e2e_datastore || return 1
	for ((i = 1; i <= n; i++)); do
		e2e_node_yaml "$i"
	done | calicoctl create -f - >/dev/null || return 1
	calicoctl create -f - >/dev/null <<-EOF || return 1
		apiVersion: projectcalico.org/v3
		kind: IPPool
		metadata:
		  name: pods
		spec:
		  cidr: 10.244.0.0/16
	EOF
	for ((i = 1; i <= n; i++)); do
		ix_exec "$i" ip route add blackhole "10.244.$i.0/26" proto 80 || return 1
		e2e_start "$i" || return 1
	done
}

e2e_node_yaml() {
	cat <<-EOF
		apiVersion: projectcalico.org/v3
		kind: Node
		metadata:
		  name: node-$1
		  labels:
		    rack: rack-$((($1 + 1) % 2 + 1))
		spec:
		  bgp:
		    ipv4Address: 10.0.0.$1/24
		    ipv6Address: fd00::$1/64
		---
	EOF
}

# e2e_start I: starts node I's speaker (control socket $IX_DIR/node-I/bgpd.ctl).
e2e_start() {
	local dir="$IX_DIR/node-$1"
	mkdir -p "$dir"
	ix_spawn "$1" "node-$1" "$BGPD" --foreground --node "node-$1" --ctl "$dir/bgpd.ctl" \
		--log-level debug
	wait_until 10 test -S "$dir/bgpd.ctl"
}

# e2e_sessions I: "NAME STATE" per session of node I.
e2e_sessions() {
	cbgpd_ctl "node-$1" peers | jq -r '"\(.name) \(.state)"' | sort
}

# e2e_session_count I: how many sessions node I's speaker has, with one
# socat call and no jq: a light probe for latency measurements.
e2e_session_count() {
	printf '{"v":1,"id":1,"cmd":"peers","args":{}}\n' |
		socat -t 5 - "UNIX-CONNECT:$IX_DIR/node-$1/bgpd.ctl" | grep -c '"record"'
}

# e2e_all_established I N: node I has exactly N sessions, all Established.
e2e_all_established() {
	local out
	out=$(e2e_sessions "$1") || return 1
	[ "$(grep -c . <<<"$out")" -eq "$2" ] || return 1
	[ -z "$out" ] || ! grep -qv ' Established$' <<<"$out"
}

# e2e_kernel_has I ROUTE_PREFIX: node I's kernel has a proto bird route whose
# `ip route` line starts with ROUTE_PREFIX.
e2e_kernel_has() {
	ix_exec "$1" ip route show proto bird | grep -q "^$2"
}

e2e_kernel_lacks() {
	! e2e_kernel_has "$@"
}

# e2e_node_status I: `calicoctl node status` as node I's operator runs it.
e2e_node_status() {
	CALICO_BGPD_SOCKET="$IX_DIR/node-$1/bgpd.ctl" calicoctl node status
}

# e2e_status_row I ADDR TYPE: node I's `node status` has an Established row
# for ADDR of TYPE ("node-to-node mesh", "global", "node specific").
e2e_status_row() {
	e2e_node_status "$1" | grep -E "^\| $2 +\| $3 +\| up +\| [0-9:-]+ +\| Established +\|$" >/dev/null
}
