#!/usr/bin/env bats
# Man pages and the command surface: every command, flag and option the
# programs' --help prints is in the man pages and the completions, and every
# page renders without warnings (issue 7).

load ../lib/common

MAN_DIR="$BUILD_DIR/man"

# The commands `calicoctl --help` lists.
help_commands() {
	calicoctl --help | awk '/^Usage:/ {u=1; next} u && /^$/ {c++; next} c==1 && /^    [a-z]/ {print $1} /^Options:/ {exit}'
}

# The flags (-x and --long) of a help text's Options section.
help_flags() {
	awk '/^Options:/ {o=1; next} o && /^[^ ]/ {o=0} o && /^ +-/ {
		line = $0; sub(/^ +/, "", line); sub(/  .*$/, "", line)
		n = split(line, w, /[ ,]+/)
		for (i = 1; i <= n; i++) if (w[i] ~ /^-/) { sub(/=.*/, "", w[i]); print w[i] }
	}'
}

@test "man pages render without warnings (groff -ww, man -l)" {
	[ -d "$MAN_DIR" ] || skip "scdoc not available: no man pages built"
	n=0
	for p in "$MAN_DIR"/*.[158]; do
		run groff -man -ww -z "$p"
		[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$p: $output"; return 1; }
		run env MANWIDTH=80 man --warnings -l "$p"
		[ "$status" -eq 0 ] || { echo "$p: $output"; return 1; }
		! grep -q "warning" <<<"$output"
		n=$((n + 1))
	done
	[ "$n" -ge 12 ]
}

@test "every command has a man page and is completed" {
	[ -d "$MAN_DIR" ] || skip "scdoc not available"
	cmds=$(help_commands)
	[ "$(wc -l <<<"$cmds")" -ge 9 ]
	for c in $cmds; do
		[ -f "$MAN_DIR/calicoctl-$c.1" ] || { echo "no man page for $c"; return 1; }
		calicoctl __complete '' | grep -qx "$c" || { echo "$c not completed"; return 1; }
		man -l "$MAN_DIR/calicoctl.1" 2>/dev/null | grep -q "^ *$c " || { echo "$c not in calicoctl(1)"; return 1; }
	done
}

@test "every flag of every command's --help is in its man page and its completions" {
	[ -d "$MAN_DIR" ] || skip "scdoc not available"
	for c in $(help_commands); do
		flags=$(calicoctl "$c" --help | help_flags)
		[ -n "$flags" ] || { echo "no flags parsed for $c"; return 1; }
		page=$(MANWIDTH=200 man -l "$MAN_DIR/calicoctl-$c.1" 2>/dev/null | sed 's/‐/-/g')
		opts=$(sed -n '/^OPTIONS/,/^[A-Z]/p' <<<"$page")
		synopsis=$(sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' <<<"$page")
		usage=$(calicoctl "$c" --help | awk '/^Usage:/ {u=1; next} u && /^$/ {exit} u {sub(/^ +/, ""); print}')
		comp=$(calicoctl __complete "$c" -)
		for f in $flags; do
			grep -qF -- "$f" <<<"$opts" || { echo "$c: $f missing from the man OPTIONS"; return 1; }
			grep -qx -- "$f" <<<"$comp" || { echo "$c: $f not completed"; return 1; }
		done
		while read -r u; do
			grep -qF -- "$u" <<<"$synopsis" || { echo "$c: usage line '$u' not in SYNOPSIS"; return 1; }
		done <<<"$usage"
		# and nothing completed that the help does not document
		for f in $comp; do
			grep -qx -- "$f" <<<"$flags" || { echo "$c: completes undocumented $f"; return 1; }
		done
	done
}

@test "calico-bgpd(8) documents every option of calico-bgpd --help, the signals and the socket" {
	[ -d "$MAN_DIR" ] || skip "scdoc not available"
	page=$(MANWIDTH=200 man -l "$MAN_DIR/calico-bgpd.8" 2>/dev/null | sed 's/‐/-/g')
	opts=$("$BGPD" --help | grep -o -- '--[a-z-]*' | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 8 ]
	for o in $opts; do
		grep -qF -- "$o" <<<"$page" || { echo "$o missing"; return 1; }
	done
	for s in SIGHUP SIGTERM "CONTROL SOCKET" LOGGING FILES /var/run/calico/bgpd.ctl CALICO_BGPD_SOCKET; do
		grep -qF -- "$s" <<<"$page"
	done
}

@test "calico-resources(5) lists every kind and its fields" {
	[ -d "$MAN_DIR" ] || skip "scdoc not available"
	page=$(MANWIDTH=200 man -l "$MAN_DIR/calico-resources.5" 2>/dev/null)
	for k in BGPConfiguration BGPPeer IPPool Node CalicoNodeStatus ClusterInformation; do
		grep -q "^   $k\$" <<<"$page" || { echo "kind $k missing"; return 1; }
	done
	# Fields seen in a full manifest are documented under their path.
	for f in spec.peerIP spec.asNumber spec.keepaliveTime spec.nodeSelector spec.password.secretKeyRef.name \
		spec.cidr spec.blockSize spec.ipipMode spec.nodeToNodeMeshEnabled spec.bgp.ipv4Address \
		spec.communities spec.prefixAdvertisements; do
		grep -qF -- "$f" <<<"$page" || { echo "field $f missing"; return 1; }
	done
}
