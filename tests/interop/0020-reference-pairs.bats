#!/usr/bin/env bats
# Harness self-test with reference daemons only: BIRD 2 on node 1 peers with
# FRR (node 2), GoBGP (node 3) and OpenBGPD (node 4), one IPv4 and one IPv6
# session each, IPv4 sessions with a TCP MD5 password. Proves the templates,
# the query helpers and the topology before our speaker replaces one side.

load lib

PW=s3cret-md5

bird_conf() {
	local peers="" n as name
	for n in 2 3 4; do
		as=$((65000 + n))
		name=$(ref_name "$n")
		peers+=$(ix_render bird-peer.conf NAME="${name}4" LOCAL_IP=10.0.0.1 LOCAL_AS=65001 \
			PEER_IP="10.0.0.$n" PEER_AS=$as OPTIONS="password \"$PW\";" FAMILY=ipv4 \
			EXPORT='where source = RTS_STATIC')$'\n'
		peers+=$(ix_render bird-peer.conf NAME="${name}6" LOCAL_IP=fd00::1 LOCAL_AS=65001 \
			PEER_IP="fd00::$n" PEER_AS=$as OPTIONS= FAMILY=ipv6 \
			EXPORT='where source = RTS_STATIC')$'\n'
	done
	ix_render bird.conf DIR="$IX_DIR/bird" ROUTER_ID=10.0.0.1
	echo "$peers"
}

ref_name() {
	case $1 in
	2) echo frr ;;
	3) echo gobgp ;;
	4) echo obgpd ;;
	esac
}

setup_file() {
	ix_init "$BATS_FILE_TMPDIR/ix"
	ix_lan 4
	bird_start 1 bird "$(bird_conf)"
	bird_set_routes bird ipv4 10.1.0.0/24 10.1.1.0/24
	bird_set_routes bird ipv6 fd01::/64 fd01:1::/64

	local n
	n=$(ix_render frr-neighbor.conf PEER_IP=10.0.0.1 PEER_AS=65001 FAMILY=ipv4 AF_OPTIONS= \
		OPTIONS=" neighbor 10.0.0.1 password $PW")$'\n'
	n+=$(ix_render frr-neighbor.conf PEER_IP=fd00::1 PEER_AS=65001 FAMILY=ipv6 AF_OPTIONS= OPTIONS=)
	frr_start 2 frr "$(ix_render frr-bgpd.conf NAME=frr LOCAL_AS=65002 ROUTER_ID=10.0.0.2 NEIGHBORS="$n")"
	frr_set_routes frr 65002 ipv4 10.2.0.0/24
	frr_set_routes frr 65002 ipv6 fd02::/64

	n=$(ix_render gobgp-neighbor.toml PEER_IP=10.0.0.1 PEER_AS=65001 LOCAL_IP=10.0.0.3 \
		OPTIONS="auth-password = \"$PW\"" PASSIVE=true FAMILY=ipv4)$'\n'
	n+=$(ix_render gobgp-neighbor.toml PEER_IP=fd00::1 PEER_AS=65001 LOCAL_IP=fd00::3 \
		OPTIONS= PASSIVE=true FAMILY=ipv6)
	gobgp_start 3 gobgp "$(ix_render gobgpd.toml LOCAL_AS=65003 ROUTER_ID=10.0.0.3 NEIGHBORS="$n")" 50053
	gobgp_announce gobgp ipv4 10.3.0.0/24
	gobgp_announce gobgp ipv6 fd03::/64

	n=$(ix_render openbgpd-neighbor.conf PEER_IP=10.0.0.1 PEER_AS=65001 LOCAL_IP=10.0.0.4 \
		OPTIONS="tcp md5sig password $PW")$'\n'
	n+=$(ix_render openbgpd-neighbor.conf PEER_IP=fd00::1 PEER_AS=65001 LOCAL_IP=fd00::4 OPTIONS=)
	obgpd_start 4 obgpd "$(ix_render openbgpd.conf DIR="$IX_DIR/obgpd" LOCAL_AS=65004 ROUTER_ID=10.0.0.4 \
		NETWORKS=$'network 10.4.0.0/24\nnetwork fd04::/64' NEIGHBORS="$n")"
}

teardown_file() {
	ix_teardown
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || ix_dump_logs >&3
}

# expect_prefixes WANT CMD...: waits until CMD prints exactly the prefixes in
# WANT (space separated, sorted).
expect_prefixes() {
	local want=$1
	shift
	wait_until 30 prefixes_are "$want" "$@"
}

prefixes_are() {
	local want=$1 got
	shift
	got=$("$@" 2>/dev/null | xargs)
	[ "$got" = "$want" ] || {
		echo "have: '$got', want: '$want'" >&2
		return 1
	}
}

@test "every session is Established on both sides" {
	for p in frr4 frr6 gobgp4 gobgp6 obgpd4 obgpd6; do
		wait_until 40 bird_established bird "$p"
	done
	wait_until 10 frr_established frr 10.0.0.1
	wait_until 10 frr_established frr fd00::1
	wait_until 10 gobgp_established gobgp 10.0.0.1
	wait_until 10 gobgp_established gobgp fd00::1
	wait_until 10 obgpd_established obgpd 10.0.0.1
	wait_until 10 obgpd_established obgpd fd00::1
}

@test "IPv4 routes are exchanged both ways" {
	expect_prefixes "10.2.0.0/24" bird_prefixes bird frr4
	expect_prefixes "10.3.0.0/24" bird_prefixes bird gobgp4
	expect_prefixes "10.4.0.0/24" bird_prefixes bird obgpd4
	expect_prefixes "10.1.0.0/24 10.1.1.0/24" frr_prefixes frr ipv4 10.0.0.1
	expect_prefixes "10.1.0.0/24 10.1.1.0/24" gobgp_prefixes gobgp ipv4 10.0.0.1
	expect_prefixes "10.1.0.0/24 10.1.1.0/24" obgpd_prefixes obgpd 10.0.0.1
}

@test "IPv6 routes are exchanged both ways" {
	expect_prefixes "fd02::/64" bird_prefixes bird frr6
	expect_prefixes "fd03::/64" bird_prefixes bird gobgp6
	expect_prefixes "fd04::/64" bird_prefixes bird obgpd6
	expect_prefixes "fd01:1::/64 fd01::/64" frr_prefixes frr ipv6 fd00::1
	expect_prefixes "fd01:1::/64 fd01::/64" gobgp_prefixes gobgp ipv6 fd00::1
	expect_prefixes "fd01:1::/64 fd01::/64" obgpd_prefixes obgpd fd00::1
}

@test "withdrawals are seen both ways" {
	bird_set_routes bird ipv4 10.1.0.0/24
	bird_set_routes bird ipv6 fd01::/64
	expect_prefixes "10.1.0.0/24" frr_prefixes frr ipv4 10.0.0.1
	expect_prefixes "10.1.0.0/24" gobgp_prefixes gobgp ipv4 10.0.0.1
	expect_prefixes "10.1.0.0/24" obgpd_prefixes obgpd 10.0.0.1
	expect_prefixes "fd01::/64" frr_prefixes frr ipv6 fd00::1
	expect_prefixes "fd01::/64" gobgp_prefixes gobgp ipv6 fd00::1
	expect_prefixes "fd01::/64" obgpd_prefixes obgpd fd00::1

	frr_set_routes frr 65002 ipv4
	gobgp_withdraw gobgp ipv6 fd03::/64
	obgpd_ctl obgpd network delete 10.4.0.0/24
	expect_prefixes "" bird_prefixes bird frr4
	expect_prefixes "" bird_prefixes bird gobgp6
	expect_prefixes "" bird_prefixes bird obgpd4
	# The other family of each peer is untouched.
	expect_prefixes "fd02::/64" bird_prefixes bird frr6
	expect_prefixes "10.3.0.0/24" bird_prefixes bird gobgp4
}

@test "route refresh: each side re-sends its routes on request" {
	local refreshes updates
	# BIRD asks FRR (IPv6 session): FRR counts the ROUTE-REFRESH and BIRD
	# receives FRR's routes again.
	refreshes=$(frr_counter frr fd00::1 routeRefreshRecv)
	updates=$(bird_counter bird frr6 ipv6 "Import updates")
	bird_cmd bird reload in frr6
	wait_until 10 ix_counter_above "$refreshes" frr_counter frr fd00::1 routeRefreshRecv
	wait_until 10 ix_counter_above "$updates" bird_counter bird frr6 ipv6 "Import updates"
	# FRR asks BIRD (IPv4 session): BIRD exports its routes again.
	updates=$(frr_counter frr 10.0.0.1 updatesRecv)
	frr_refresh_in frr ipv4 10.0.0.1
	wait_until 10 ix_counter_above "$updates" frr_counter frr 10.0.0.1 updatesRecv
	expect_prefixes "10.1.0.0/24" frr_prefixes frr ipv4 10.0.0.1
}

@test "MD5: a wrong password keeps the session down, the right one brings it back" {
	sed -i "s/password \"$PW\";/password \"wrong\";/" "$IX_DIR/bird/bird.conf"
	grep -q 'password "wrong"' "$IX_DIR/bird/bird.conf"
	bird_cmd bird configure
	# BIRD restarts the sessions whose password changed.
	wait_until 10 ix_not bird_established bird obgpd4
	sleep 8
	ix_not bird_established bird frr4
	ix_not bird_established bird gobgp4
	ix_not bird_established bird obgpd4
	# Sessions without a password are untouched.
	bird_established bird frr6
	sed -i "s/password \"wrong\";/password \"$PW\";/" "$IX_DIR/bird/bird.conf"
	bird_cmd bird configure
	for p in frr4 gobgp4 obgpd4; do
		wait_until 40 bird_established bird "$p"
	done
}
