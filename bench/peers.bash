# bench/peers.bash: helpers shared by the side-by-side benchmark scripts
# (bench/ingest.sh, bench/readvertise.sh, bench/rr.sh). Source it after
# tests/interop/lib.bash, which starts and queries the daemons (bird_start,
# frr_start, obgpd_start, gobgp_start, ...).

# field NAME LINE: value of NAME=... in a "tool event k=v ..." line.
field() {
	local kv
	for kv in $2; do
		[ "${kv%%=*}" = "$1" ] && { echo "${kv#*=}"; return 0; }
	done
	return 1
}

# event FILE TOOL EVENT: the last line of FILE for that event.
event() {
	grep "^$2 $3 " "$1" | tail -n 1
}

# obgpd_pids PID: OpenBGPD's parent (PID: unshare execs sh, which execs
# bgpd) and the processes it forked (session engine, RDE, RTR), so that
# its CPU time and memory are measured whole.
obgpd_pids() {
	local kids
	wait_until 10 sh -c "[ \$(ps -o pid= --ppid $1 | wc -l) -ge 2 ]" || true
	kids=$(ps -o pid= --ppid "$1" | tr -s ' \n' '  ')
	echo "$1 $kids"
}

# daemon_pids NAME KIND: the processes of the daemon ix_spawn started as
# NAME whose CPU and memory count (KIND: calico, bird, frr, openbgpd, gobgp;
# FRR's zebra stays idle with `bgp no-rib`, so only bgpd counts).
daemon_pids() {
	case $2 in
	openbgpd) obgpd_pids "$(ix_pid "$1")" ;;
	*) ix_pid "$1" ;;
	esac
}

# daemon_stop NAME KIND: stops it (FRR: bgpd and its zebra).
daemon_stop() {
	ix_stop "$1"
	[ "$2" != frr ] || ix_stop "$1.zebra"
}

# watch_args PID...: bgpload's --watch-pid options for a speaker's processes.
watch_args() {
	local p
	for p in "$@"; do
		printf -- '--watch-pid %s ' "$p"
	done
}

# bench_versions: one comment line naming every daemon's version.
bench_versions() {
	echo "# bird: $(bird --version 2>&1 | head -n1); frr: $("$FRR_LIBEXEC/bgpd" --version 2>&1 | head -n1);" \
		"openbgpd: $(dpkg-query -W -f '${Version}' openbgpd 2>/dev/null); gobgp: $(gobgpd --version 2>&1 | head -n1)"
}

# bench_load: the load average, as a comment line (the machine is shared).
bench_load() {
	echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S) UTC"
}

# AUTOGROUP_NICE=-15 (root): runs this session's scheduling group at that
# nice value while the benchmark runs (the kernel schedules each session as
# one autogroup, so plain nice does not reach other sessions' work).
# bench_autogroup_enter sets it, bench_autogroup_leave (from the EXIT trap)
# restores the old value.
BENCH_GROUP_NICE=
bench_autogroup_enter() {
	[ -n "${AUTOGROUP_NICE:-}" ] || return 0
	BENCH_GROUP_NICE=$(awk '{print $3}' /proc/self/autogroup)
	echo "$AUTOGROUP_NICE" >/proc/self/autogroup
	echo "# autogroup nice $AUTOGROUP_NICE (was $BENCH_GROUP_NICE)"
}

bench_autogroup_leave() {
	[ -z "$BENCH_GROUP_NICE" ] || echo "$BENCH_GROUP_NICE" >/proc/self/autogroup
}
