#!/usr/bin/env bats
# calico-bgpd against OpenBGPD (see speaker-vs.bash for the topology).
# OpenBGPD needs the MP capability for IPv4 (interop.md) and enforces the
# neighbor AS first in AS_PATH on eBGP; both are exercised here.

load lib
load speaker-vs

ref_start() {
	local n
	n=$(ix_render openbgpd-neighbor.conf PEER_IP=10.0.0.1 PEER_AS=65001 LOCAL_IP=10.0.0.2 \
		OPTIONS="tcp md5sig password $SV_PW")$'\n'
	n+=$(ix_render openbgpd-neighbor.conf PEER_IP=fd00::1 PEER_AS=65001 LOCAL_IP=fd00::2 OPTIONS=)
	obgpd_start 2 obgpd "$(ix_render openbgpd.conf DIR="$IX_DIR/obgpd" LOCAL_AS=65002 ROUTER_ID=10.0.0.2 \
		NETWORKS= NEIGHBORS="$n")"
	# shellcheck disable=SC2086
	ref_set_routes ipv4 $SV_REF4
	# shellcheck disable=SC2086
	ref_set_routes ipv6 $SV_REF6
}

ref_established() { obgpd_established obgpd "$1"; }
ref_prefixes() { obgpd_prefixes obgpd "$2"; }
ref_set_routes() { obgpd_set_routes obgpd "$@"; }
ref_request_refresh() { obgpd_ctl obgpd neighbor "$2" refresh >/dev/null; }
ref_updates_in() { obgpd_counter obgpd "$1" updates; }

setup_file() { sv_setup_file; }
teardown_file() {
	ix_teardown
	ix_check_sanitizers
}
teardown() { sv_teardown; }

@test "OpenBGPD: sessions Established on both sides" { sv_check_established; }
@test "OpenBGPD: IPv4 routes exchanged both ways" { sv_check_family ipv4; }
@test "OpenBGPD: IPv6 routes exchanged both ways" { sv_check_family ipv6; }
@test "OpenBGPD: withdrawals seen both ways" { sv_check_withdrawals; }
@test "OpenBGPD: route refresh makes us re-send" { sv_check_route_refresh; }
@test "OpenBGPD: TCP MD5 (wrong key: no session; right key: back up)" { sv_check_md5; }
