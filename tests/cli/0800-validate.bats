#!/usr/bin/env bats
# validate: offline, no datastore.

load ../lib/common

setup() {
	setup_datastore
	# validate must never touch the datastore
	export SQLITE_PATH=/nonexistent/dir/calico.db
}

@test "valid resources" {
	run_split calicoctl validate -f - <<<"$(peer_yaml a 192.0.2.1 1; echo ---; peer_yaml b 192.0.2.2 1)"
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully validated 2 'BGPPeer' resource(s)" ]
}

@test "one invalid resource" {
	run_split calicoctl validate -f - <<<"$(peer_yaml a 1.2.3 1)"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "failed to validate 'BGPPeer' resource: [error with field PeerIP = '1.2.3' "* ]]
}

@test "partly invalid uses 'hit error(s)'" {
	run_split calicoctl validate -f - <<<"$(peer_yaml a 192.0.2.1 1; echo ---; peer_yaml b 192.0.2.2 1; echo ---; peer_yaml c 1.2.3 1)"
	[ "$status" -eq 1 ]
	[ "$stdout" = "Partial success: validated the first 2 out of 3 'BGPPeer' resources:" ]
	[[ "$stderr" == "hit error(s): [error with field PeerIP = '1.2.3' "* ]]
}

@test "parse errors fail before validation" {
	run_split calicoctl validate -f - <<<"kind: BGPPeer"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "failed to execute command: unknown resource type (BGPPeer) and/or version ()"* ]]
}
