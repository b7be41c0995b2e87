#!/usr/bin/env bats
# version, and the client/cluster version-mismatch check.

load ../lib/common

setup() {
	setup_datastore
}

teardown() {
	# a poller left by a failed test
	[ -z "${poller:-}" ] || kill "$poller" 2>/dev/null || true
}

# Sets ClusterInformation default's calicoVersion directly in the store.
set_cluster_version() {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	f=$(calicoctl get clusterinformation default -o yaml | sed "/^spec:/a\\  calicoVersion: $1" | manifest ci.yaml)
	calicoctl replace -f "$f" --allow-version-mismatch >/dev/null
}

@test "version --client prints the client lines" {
	run calicoctl version --client
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Client Version:    v3.32.1" ]
	[[ "${lines[1]}" == "Git commit:        "* ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "version reads ClusterInformation default" {
	calicoctl create -f - <<<"$(peer_yaml p 192.0.2.1 1)" >/dev/null
	run_split calicoctl version
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | sed -n 3p)" = "Cluster Version:   unknown" ]
	[ "$(echo "$stdout" | sed -n 4p)" = "Cluster Type:      unknown" ]
}

@test "version on an empty datastore cannot read the cluster version" {
	run_split calicoctl version
	[ "$status" -eq 1 ]
	[[ "$stdout" == "Client Version:"* ]]
	[ "$stderr" = "unable to retrieve Cluster Version or Type: resource does not exist: ClusterInformation(default) with error: <nil>" ]
}

@test "version with an unsupported datastore type" {
	DATASTORE_TYPE=kubernetes run_split calicoctl version
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | sed -n 3p)" = "Unable to detect installed Calico version" ]
	DATASTORE_TYPE=foo run_split calicoctl version
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | sed -n 3p)" = "Unable to detect installed Calico version" ]
}

@test "version --poll: a bad duration, and polling output" {
	run_split calicoctl version --poll=abc
	[ "$status" -eq 1 ]
	[[ "$stderr" == "invalid poll duration specified: "* ]]
	set_cluster_version v3.32.1
	out="$BATS_TEST_TMPDIR/poll.out"
	# No deadline on the start: under valgrind it alone takes seconds.
	"$CALICOCTL" version --poll=100ms >"$out" 2>&1 3>&- &
	poller=$!
	wait_until 60 grep -qx 'Cluster Version:   v3.32.1' "$out"
	# a few polls with nothing new, then a change the polling picks up
	sleep 0.5
	f=$(calicoctl get clusterinformation default -o yaml | sed 's/calicoVersion: .*/calicoVersion: v3.32.9/' | manifest ci2.yaml)
	calicoctl replace -f "$f" --allow-version-mismatch >/dev/null
	wait_until 60 grep -qx 'Cluster Version:   v3.32.9' "$out"
	sleep 0.5
	# SIGTERM ends it as it would end Go's calicoctl: killed by the signal
	kill -TERM "$poller"
	st=0
	wait "$poller" || st=$?
	poller=
	[ "$st" -eq 143 ]
	# the cluster lines are printed when they change, not on every poll
	[ "$(sed -n 3,5p "$out")" = "$(printf 'Cluster Version:   v3.32.1\nCluster Type:      unknown\nCluster Version:   v3.32.9')" ]
	[ "$(wc -l <"$out")" -eq 5 ]
}

@test "a mismatching cluster version stops resource commands" {
	set_cluster_version v3.30.0
	run_split calicoctl get bgppeers
	[ "$status" -eq 1 ]
	[ "$stderr" = $'version mismatch.\nClient Version:   v3.32.1\nCluster Version:  3.30.0\nUse --allow-version-mismatch to override.' ]
	run_split calicoctl get bgppeers --allow-version-mismatch
	[ "$status" -eq 0 ]
	run_split calicoctl --allow-version-mismatch delete bgppeer p
	[ "$status" -eq 0 ]
	# validate and version do not check
	run_split calicoctl validate -f - <<<"$(peer_yaml a 192.0.2.1 1)"
	[ "$status" -eq 0 ]
	run_split calicoctl version
	[ "$status" -eq 0 ]
}

@test "a matching cluster version (a -suffix is ignored)" {
	set_cluster_version v3.32.1-rc2
	run_split calicoctl get bgppeers
	[ "$status" -eq 0 ]
}
