#!/usr/bin/env bats
# Bad input of every kind: a clear message on stderr, exit 1, and the
# datastore unchanged (its digest is compared before and after).

load ../lib/common

setup() {
	setup_datastore
	seed_nodes
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 64512)" >/dev/null
	before=$(datastore_digest)
}

# must_fail_cleanly PATTERN CMD...: exit 1, stderr matching the glob, no
# crash, nothing written.
must_fail_cleanly() {
	local pattern=$1
	shift
	# brackets in the expected text are literal (Go prints error lists in [])
	pattern=${pattern//\[/\\[}
	pattern=${pattern//\]/\\]}
	run_split "$@"
	if [ "$status" -ne 1 ]; then
		echo "exit $status (want 1); stdout: $stdout; stderr: $stderr" >&2
		return 1
	fi
	# shellcheck disable=SC2053
	if [[ "$stderr" != $pattern ]]; then
		echo "stderr: $stderr" >&2
		echo "want:   $pattern" >&2
		return 1
	fi
	[ "$(datastore_digest)" = "$before" ]
}

create_yaml() {
	local f
	f=$(manifest in.yaml)
	must_fail_cleanly "$1" calicoctl create -f "$f"
	must_fail_cleanly "${1//to create/to apply}" calicoctl apply -f "$f"
}

@test "malformed YAML names the line" {
	create_yaml "failed to execute command: *line 4*" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: x: y
	YAML
	create_yaml "failed to execute command: *line 3*" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	  metadata: {name: [x
	YAML
}

@test "malformed JSON names the line" {
	create_yaml "failed to execute command: *yaml: line *" <<-'JSON'
	{"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer",
	 "metadata": {"name": "x"}, "spec": {"peerIP": "192.0.2.9",, "asNumber": 1}}
	JSON
}

@test "one bad document aborts the whole file before anything is written" {
	f=$( { peer_yaml new1 192.0.2.5 1; echo ---; echo "kind: [unclosed"; } | manifest in.yaml)
	must_fail_cleanly "failed to execute command: *" calicoctl create -f "$f"
	run calicoctl get bgppeer new1
	[ "$status" -eq 1 ]
}

@test "unknown fields" {
	create_yaml "field in document is not recognized or is in the wrong location: peerAddress" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: x
	spec:
	  peerAddress: 192.0.2.9
	YAML
	create_yaml "field in document is not recognized or is in the wrong location: bogus" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	bogus: 1
	metadata:
	  name: x
	YAML
}

@test "unknown kind or apiVersion" {
	create_yaml "failed to execute command: unknown resource type (BGPWidget) and/or version (projectcalico.org/v3)" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPWidget
	metadata:
	  name: x
	YAML
	create_yaml "failed to execute command: unknown resource type (BGPPeer) and/or version (projectcalico.org/v2)" <<-'YAML'
	apiVersion: projectcalico.org/v2
	kind: BGPPeer
	metadata:
	  name: x
	YAML
	create_yaml "failed to execute command: unknown resource type (List) and/or version (v1)" <<-'YAML'
	apiVersion: v1
	kind: List
	items: []
	YAML
}

@test "invalid names" {
	create_yaml "failed to create 'BGPPeer' resource: [*Name*]" <<<"$(peer_yaml Bad_Name 192.0.2.9 1)"
}

@test "invalid peer IPs" {
	for ip in 1.2.3 300.1.1.1 192.0.2.1:0 192.0.2.1:99999 ::gg; do
		create_yaml "failed to create 'BGPPeer' resource: [error with field PeerIP = '$ip' *" <<<"$(peer_yaml x "$ip" 1)"
	done
}

@test "invalid CIDRs" {
	for cidr in 10.0.0.0/33 10.0.0 fd00::/129; do
		create_yaml "failed to create 'IPPool' resource: [*" <<-YAML
		apiVersion: projectcalico.org/v3
		kind: IPPool
		metadata:
		  name: bad
		spec:
		  cidr: $cidr
		YAML
	done
}

@test "invalid AS numbers" {
	create_yaml "failed to execute command: *AS Number*" <<<"$(peer_yaml x 192.0.2.9 '"1.2.3"')"
	create_yaml "failed to execute command: *" <<<"$(peer_yaml x 192.0.2.9 4294967296)"
	create_yaml "failed to execute command: *" <<<"$(peer_yaml x 192.0.2.9 '"abc"')"
}

@test "invalid selectors" {
	create_yaml "failed to create 'BGPPeer' resource: [*" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: x
	spec:
	  peerIP: 192.0.2.9
	  asNumber: 1
	  nodeSelector: rack == 'rack-1' &&
	YAML
	create_yaml "failed to create 'BGPPeer' resource: [*" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: x
	spec:
	  peerSelector: has((x)
	YAML
}

@test "mutually exclusive fields" {
	create_yaml "failed to create 'BGPPeer' resource: [*" <<-'YAML'
	apiVersion: projectcalico.org/v3
	kind: BGPPeer
	metadata:
	  name: x
	spec:
	  peerIP: 192.0.2.9
	  peerSelector: all()
	YAML
}

@test "invalid patches" {
	must_fail_cleanly "hit error: performing strategic merge patch: invalid JSON document" \
		calicoctl patch bgppeer p -p '{"spec":'
	must_fail_cleanly "field in document is not recognized or is in the wrong location: nope" \
		calicoctl patch bgppeer p -p '{"spec": {"nope": 1}}'
	must_fail_cleanly "hit error: updating existing resource: error with field PeerIP = '1.2.3'*" \
		calicoctl patch bgppeer p -p '{"spec": {"peerIP": "1.2.3"}}'
	must_fail_cleanly "hit error: performing strategic merge patch: unknown patch type: x" \
		calicoctl patch bgppeer p -p '{"spec": {"$patch": "x"}}'
}

@test "a missing input file" {
	must_fail_cleanly "failed to execute command: open $BATS_TEST_TMPDIR/nope.yaml: no such file or directory" \
		calicoctl create -f "$BATS_TEST_TMPDIR/nope.yaml"
}

@test "a missing config file given with -c is reported on stdout" {
	run_split calicoctl get bgppeers -c "$BATS_TEST_TMPDIR/nope.cfg"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Error reading config file: $BATS_TEST_TMPDIR/nope.cfg" ]
	[ "$(datastore_digest)" = "$before" ]
}

@test "a datastore in a missing directory" {
	if [ "$(test_backend)" = etcdv3 ]; then
		# etcd's counterpart: no member listening at the endpoint
		ETCD_ENDPOINTS=https://127.0.0.1:9 run_split calicoctl get bgppeers
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"cannot reach the etcd cluster"*"127.0.0.1:9"* ]]
		[ "$(datastore_digest)" = "$before" ]
		return
	fi
	export SQLITE_PATH=/nonexistent-calico-dir/sub/calico.db
	run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[ -n "$stdout$stderr" ]
	[ ! -e /nonexistent-calico-dir ]
}

@test "a datastore file that is not a database" {
	if [ "$(test_backend)" = etcdv3 ]; then
		# etcd's counterpart: the endpoint answers, but not as etcd's
		# gateway (plain HTTP to a TLS member)
		local first=${ETCD_ENDPOINTS%%,*}
		export ETCD_ENDPOINTS=http://${first#https://}
		run_split calicoctl create -f - <<<"$(peer_yaml q 192.0.2.9 1)"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"$ETCD_ENDPOINTS"* ]]
		run_split calicoctl get bgppeers
		[ "$status" -eq 1 ]
		[ "$(datastore_digest)" = "$before" ]
		return
	fi
	export SQLITE_PATH="$BATS_TEST_TMPDIR/garbage.db"
	head -c 4096 /dev/urandom >"$SQLITE_PATH"
	sum=$(md5sum <"$SQLITE_PATH")
	run_split calicoctl create -f - <<<"$(peer_yaml q 192.0.2.9 1)"
	[ "$status" -eq 1 ]
	[ -n "$stdout$stderr" ]
	run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[ "$(md5sum <"$SQLITE_PATH")" = "$sum" ]
}

@test "an unreadable datastore file" {
	if [ "$(test_backend)" = etcdv3 ]; then
		# etcd's counterpart: a CA certificate file that cannot be read
		mkdir "$BATS_TEST_TMPDIR/adir"
		export ETCD_CA_CERT_FILE="$BATS_TEST_TMPDIR/adir"
		run_split calicoctl get bgppeers
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"$ETCD_CA_CERT_FILE"* ]]
		run_split calicoctl create -f - <<<"$(peer_yaml q 192.0.2.9 1)"
		[ "$status" -eq 1 ]
		[ "$(datastore_digest)" = "$before" ]
		return
	fi
	if [ "$(id -u)" -eq 0 ]; then
		# root reads anything: use a directory where the file should be
		export SQLITE_PATH="$BATS_TEST_TMPDIR/adir"
		mkdir "$SQLITE_PATH"
	else
		chmod 000 "$SQLITE_PATH"
	fi
	run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[ -n "$stdout$stderr" ]
	run_split calicoctl create -f - <<<"$(peer_yaml q 192.0.2.9 1)"
	[ "$status" -eq 1 ]
}

@test "a datastore locked by another writer" {
	require_sqlite "the write lock is a lock on the SQLite file"
	# hold the write lock with sqlite3 until told to stop
	mkfifo "$BATS_TEST_TMPDIR/ctl"
	sqlite3 "$SQLITE_PATH" <"$BATS_TEST_TMPDIR/ctl" >/dev/null 2>&1 &
	holder=$!
	exec 7>"$BATS_TEST_TMPDIR/ctl"
	echo "BEGIN IMMEDIATE;" >&7
	locked() { ! sqlite3 -cmd ".timeout 0" "$SQLITE_PATH" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1; }
	wait_until 5 locked
	export SQLITE_BUSY_TIMEOUT=200
	run_split calicoctl create -f - <<<"$(peer_yaml q 192.0.2.9 1)"
	st=$status
	err=$stderr
	run_split calicoctl apply -f - <<<"$(peer_yaml p 192.0.2.1 7)"
	st2=$status
	run_split calicoctl delete bgppeer p
	st3=$status
	# reads still work while a writer holds the lock (WAL)
	run_split calicoctl get bgppeer p
	st4=$status
	echo "ROLLBACK;" >&7
	exec 7>&-
	wait "$holder" || true
	[ "$st" -eq 1 ]
	[[ "$err" == *lock* ]] || [[ "$err" == *busy* ]]
	[ "$st2" -eq 1 ]
	[ "$st3" -eq 1 ]
	[ "$st4" -eq 0 ]
	[ "$(datastore_digest)" = "$before" ]
}
