# Shared body of the "calico-bgpd against implementation X" files
# (0100-bird.bats ... 0400-openbgpd.bats). Load after lib.bash.
#
# Topology: our speaker on node 1 (AS 65001, 10.0.0.1 / fd00::1), the
# reference implementation on node 2 (AS 65002, 10.0.0.2 / fd00::2); one
# eBGP session per family, the IPv4 one with a TCP MD5 password.
#
# Each file defines the reference driver:
#   ref_start                         start it on node 2 (routes below)
#   ref_established PEER_IP           its session to us is Established
#   ref_prefixes FAMILY PEER_IP       prefixes it accepted from us, sorted
#   ref_set_routes FAMILY PREFIX...   what it announces in FAMILY
#   ref_request_refresh FAMILY PEER_IP  make it send us a ROUTE-REFRESH
#   ref_updates_in PEER_IP            UPDATE messages it has received from us

SV_PW=interop-md5
SV_OUR4="10.1.0.0/24 10.1.1.0/24"
SV_OUR6="fd01:1::/64 fd01::/64"
SV_REF4="10.2.0.0/24"
SV_REF6="fd02::/64"

sv_setup_file() {
	ix_init "$BATS_FILE_TMPDIR/ix"
	ix_lan 2
	local sessions
	sessions=$(jq -cn --arg pw "$SV_PW" '[
		{type: "global", peerIP: "10.0.0.2", peerASNumber: 65002, sourceAddress: "10.0.0.1",
		 password: $pw, holdTime: 30},
		{type: "global", peerIP: "fd00::2", peerASNumber: 65002, sourceAddress: "fd00::1",
		 holdTime: 30}]')
	local plan
	# shellcheck disable=SC2086
	plan=$(cbgpd_plan 10.0.0.1 65001 "$sessions" "$(cbgpd_routes_json $SV_OUR4 $SV_OUR6)" |
		jq '.ipv6Address = "fd00::1"')
	cbgpd_start 1 calico "$plan"
	ref_start
}

sv_teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3
}

# sv_expect WANT CMD...: waits until CMD prints exactly the (sorted) prefixes
# in WANT.
sv_expect() {
	local want=$1
	shift
	wait_until 30 sv_prefixes_are "$want" "$@"
}

sv_prefixes_are() {
	local want=$1 got
	shift
	got=$("$@" 2>/dev/null | xargs)
	[ "$got" = "$want" ] || {
		echo "have: '$got', want: '$want'" >&2
		return 1
	}
}

sv_check_established() {
	wait_until 60 cbgpd_established calico 10.0.0.2
	wait_until 60 cbgpd_established calico fd00::2
	wait_until 10 ref_established 10.0.0.1
	wait_until 10 ref_established fd00::1
}

# Both ways, and our view of the peer's route is right: next hop and AS path.
sv_check_family() { # FAMILY
	local fam=$1 ours theirs peer nh
	if [ "$fam" = ipv4 ]; then
		ours=$SV_OUR4 theirs=$SV_REF4 peer=10.0.0.1 nh=10.0.0.2
	else
		ours=$SV_OUR6 theirs=$SV_REF6 peer=fd00::1 nh=fd00::2
	fi
	sv_expect "$ours" ref_prefixes "$fam" "$peer"
	sv_expect "$theirs" cbgpd_prefixes calico "$fam" "${nh}"
	local route
	route=$(cbgpd_route calico "$theirs")
	[ "$(jq -r '.asPath' <<<"$route")" = 65002 ]
	[[ $(jq -r '.nextHop' <<<"$route") == "$nh"* ]]
	[ "$(jq -r '.best' <<<"$route")" = true ]
}

sv_check_withdrawals() {
	# Ours: drop one route per family from the plan and reload.
	# shellcheck disable=SC2086
	cbgpd_set_routes calico ${SV_OUR4%% *} ${SV_OUR6#* }
	sv_expect "${SV_OUR4%% *}" ref_prefixes ipv4 10.0.0.1
	sv_expect "${SV_OUR6#* }" ref_prefixes ipv6 fd00::1
	# Theirs: withdraw everything in IPv4, keep IPv6.
	ref_set_routes ipv4
	sv_expect "" cbgpd_prefixes calico ipv4 10.0.0.2
	sv_expect "$SV_REF6" cbgpd_prefixes calico ipv6 fd00::2
	# And back, so later tests see both families again.
	# shellcheck disable=SC2086
	ref_set_routes ipv4 $SV_REF4
	sv_expect "$SV_REF4" cbgpd_prefixes calico ipv4 10.0.0.2
}

sv_check_route_refresh() {
	[ "$(cbgpd_counter calico 10.0.0.2 .capabilities.routeRefresh)" = true ]
	[ "$(cbgpd_counter calico fd00::2 .capabilities.routeRefresh)" = true ]
	local before
	for peer in 10.0.0.1 fd00::1; do
		before=$(ref_updates_in "$peer")
		[[ $before =~ ^[0-9]+$ ]]
		if [ "$peer" = 10.0.0.1 ]; then
			ref_request_refresh ipv4 "$peer"
		else
			ref_request_refresh ipv6 "$peer"
		fi
		wait_until 15 ix_counter_above "$before" ref_updates_in "$peer"
	done
	# The routes are unchanged by the refresh.
	sv_expect "${SV_OUR4%% *}" ref_prefixes ipv4 10.0.0.1
	sv_expect "${SV_OUR6#* }" ref_prefixes ipv6 fd00::1
}

sv_check_md5() {
	# A wrong key on our side: the peer drops our segments, no session.
	cbgpd_edit_plan calico '(.sessions[] | select(.peerIP == "10.0.0.2") | .password) = "wrong-key"'
	wait_until 15 ix_not cbgpd_established calico 10.0.0.2
	sleep 6
	ix_not cbgpd_established calico 10.0.0.2
	ix_not ref_established 10.0.0.1
	# The IPv6 session (no password) was not touched.
	cbgpd_established calico fd00::2
	cbgpd_edit_plan calico "(.sessions[] | select(.peerIP == \"10.0.0.2\") | .password) = \"$SV_PW\""
	wait_until 60 cbgpd_established calico 10.0.0.2
	sv_expect "$SV_REF4" cbgpd_prefixes calico ipv4 10.0.0.2
}
