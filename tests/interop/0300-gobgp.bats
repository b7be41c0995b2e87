#!/usr/bin/env bats
# calico-bgpd against GoBGP (see speaker-vs.bash for the topology). GoBGP's
# auth-password sets TCP MD5 on Linux, so the IPv4 session uses it too.

load lib
load speaker-vs

ref_start() {
	local n
	n=$(ix_render gobgp-neighbor.toml PEER_IP=10.0.0.1 PEER_AS=65001 LOCAL_IP=10.0.0.2 \
		OPTIONS="auth-password = \"$SV_PW\"" PASSIVE=false FAMILY=ipv4)$'\n'
	n+=$(ix_render gobgp-neighbor.toml PEER_IP=fd00::1 PEER_AS=65001 LOCAL_IP=fd00::2 \
		OPTIONS= PASSIVE=false FAMILY=ipv6)
	gobgp_start 2 gobgp "$(ix_render gobgpd.toml LOCAL_AS=65002 ROUTER_ID=10.0.0.2 NEIGHBORS="$n")" 50052
	# shellcheck disable=SC2086
	ref_set_routes ipv4 $SV_REF4
	# shellcheck disable=SC2086
	ref_set_routes ipv6 $SV_REF6
}

ref_established() { gobgp_established gobgp "$1"; }
ref_prefixes() { gobgp_prefixes gobgp "$1" "$2"; }
ref_set_routes() { gobgp_set_routes gobgp "$@"; }

# GoBGP 3.10 keeps every Adj-RIB-In, so `gobgp neighbor IP softresetin`
# re-runs its own policy and sends nothing (measured: the peer's export
# counters do not move). Route refresh towards us is covered by the BIRD,
# FRR and OpenBGPD files; here both sides must have negotiated it.
gobgp_has_remote_cap() { # PEER_IP CAPABILITY_TYPE
	gobgp_cli gobgp neighbor "$1" -j |
		jq -e --arg t "type.googleapis.com/apipb.$2" '[.state.remote_cap[]?.type_url] | index($t)' >/dev/null
}

setup_file() { sv_setup_file; }
teardown_file() {
	ix_teardown
	ix_check_sanitizers
}
teardown() { sv_teardown; }

@test "GoBGP: sessions Established on both sides" { sv_check_established; }
@test "GoBGP: IPv4 routes exchanged both ways" { sv_check_family ipv4; }
@test "GoBGP: IPv6 routes exchanged both ways" { sv_check_family ipv6; }
@test "GoBGP: withdrawals seen both ways" { sv_check_withdrawals; }
@test "GoBGP: route refresh negotiated both ways (GoBGP's CLI cannot send one)" {
	for peer in 10.0.0.2 fd00::2; do
		[ "$(cbgpd_counter calico "$peer" .capabilities.routeRefresh)" = true ]
	done
	for peer in 10.0.0.1 fd00::1; do
		gobgp_has_remote_cap "$peer" RouteRefreshCapability
		gobgp_has_remote_cap "$peer" FourOctetASNCapability
	done
}
@test "GoBGP: TCP MD5 (wrong key: no session; right key: back up)" { sv_check_md5; }
