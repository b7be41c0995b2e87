#!/usr/bin/env bats
# calico-bgpd against BIRD 2 (see speaker-vs.bash for the topology).

load lib
load speaker-vs

ref_start() {
	local conf
	conf="$(ix_render bird.conf DIR="$IX_DIR/bird" ROUTER_ID=10.0.0.2)
$(ix_render bird-peer.conf NAME=calico4 LOCAL_IP=10.0.0.2 LOCAL_AS=65002 PEER_IP=10.0.0.1 PEER_AS=65001 \
		OPTIONS="password \"$SV_PW\";" FAMILY=ipv4 EXPORT='where source = RTS_STATIC')
$(ix_render bird-peer.conf NAME=calico6 LOCAL_IP=fd00::2 LOCAL_AS=65002 PEER_IP=fd00::1 PEER_AS=65001 \
		OPTIONS= FAMILY=ipv6 EXPORT='where source = RTS_STATIC')"
	bird_start 2 bird "$conf"
	# shellcheck disable=SC2086
	bird_set_routes bird ipv4 $SV_REF4
	# shellcheck disable=SC2086
	bird_set_routes bird ipv6 $SV_REF6
}

bird_proto() {
	case $1 in
	*:*) echo calico6 ;;
	*) echo calico4 ;;
	esac
}

ref_established() { bird_established bird "$(bird_proto "$1")"; }
ref_prefixes() { bird_prefixes bird "$(bird_proto "$2")"; }
ref_set_routes() { bird_set_routes bird "$@"; }
ref_request_refresh() { bird_cmd bird reload in "$(bird_proto "$2")" >/dev/null; }
ref_updates_in() {
	local p
	p=$(bird_proto "$1")
	bird_counter bird "$p" "$([ "$p" = calico4 ] && echo ipv4 || echo ipv6)" "Import updates"
}

setup_file() { sv_setup_file; }
teardown_file() {
	ix_teardown
	ix_check_sanitizers
}
teardown() { sv_teardown; }

@test "BIRD: sessions Established on both sides" { sv_check_established; }
@test "BIRD: IPv4 routes exchanged both ways" { sv_check_family ipv4; }
@test "BIRD: IPv6 routes exchanged both ways" { sv_check_family ipv6; }
@test "BIRD: withdrawals seen both ways" { sv_check_withdrawals; }
@test "BIRD: route refresh makes us re-send" { sv_check_route_refresh; }
@test "BIRD: TCP MD5 (wrong key: no session; right key: back up)" { sv_check_md5; }
