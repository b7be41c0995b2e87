#!/usr/bin/env bats
# calico-bgpd against FRR bgpd (see speaker-vs.bash for the topology).

load lib
load speaker-vs

ref_start() {
	local n
	n=$(ix_render frr-neighbor.conf PEER_IP=10.0.0.1 PEER_AS=65001 FAMILY=ipv4 AF_OPTIONS= \
		OPTIONS=" neighbor 10.0.0.1 password $SV_PW")$'\n'
	n+=$(ix_render frr-neighbor.conf PEER_IP=fd00::1 PEER_AS=65001 FAMILY=ipv6 AF_OPTIONS= OPTIONS=)
	frr_start 2 frr "$(ix_render frr-bgpd.conf NAME=frr LOCAL_AS=65002 ROUTER_ID=10.0.0.2 NEIGHBORS="$n")"
	# shellcheck disable=SC2086
	frr_set_routes frr 65002 ipv4 $SV_REF4
	# shellcheck disable=SC2086
	frr_set_routes frr 65002 ipv6 $SV_REF6
}

ref_established() { frr_established frr "$1"; }
ref_prefixes() { frr_prefixes frr "$1" "$2"; }
ref_set_routes() { frr_set_routes frr 65002 "$@"; }
ref_request_refresh() { frr_refresh_in frr "$1" "$2"; }
ref_updates_in() { frr_counter frr "$1" updatesRecv; }

setup_file() { sv_setup_file; }
teardown_file() {
	ix_teardown
	ix_check_sanitizers
}
teardown() { sv_teardown; }

@test "FRR: sessions Established on both sides" { sv_check_established; }
@test "FRR: IPv4 routes exchanged both ways" { sv_check_family ipv4; }
@test "FRR: IPv6 routes exchanged both ways" { sv_check_family ipv6; }
@test "FRR: withdrawals seen both ways" { sv_check_withdrawals; }
@test "FRR: route refresh makes us re-send" { sv_check_route_refresh; }
@test "FRR: TCP MD5 (wrong key: no session; right key: back up)" { sv_check_md5; }
