#!/usr/bin/env bats
# meson install into a DESTDIR puts the programs, man pages, completions and
# the systemd unit in the standard places (issue 7).

load ../lib/common

setup() {
	DEST="$BATS_TEST_TMPDIR/dest"
	PREFIX=$(meson introspect "$BUILD_DIR" --buildoptions | python3 -c '
import json, sys
print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
}

@test "meson install --destdir installs the whole tree" {
	run meson install -C "$BUILD_DIR" --no-rebuild --destdir "$DEST"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	root="$DEST$PREFIX"
	[ -x "$root/bin/calicoctl" ]
	[ -x "$root/bin/calico-bgpd" ]
	[ -f "$root/share/bash-completion/completions/calicoctl" ]
	[ -f "$root/share/zsh/site-functions/_calicoctl" ]
	[ -f "$root/share/fish/vendor_completions.d/calicoctl.fish" ]
	unit="$root/lib/systemd/system/calico-bgpd.service"
	[ -f "$unit" ]
	grep -qx "ExecStart=$PREFIX/bin/calico-bgpd .*" "$unit"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit"
	if [ -d "$BUILD_DIR/man" ]; then
		for p in man1/calicoctl.1 man1/calicoctl-get.1 man1/calicoctl-create.1 man5/calico-resources.5 \
			man8/calico-bgpd.8; do
			[ -f "$root/share/man/$p" ] || { echo "missing $p"; return 1; }
		done
		MANPATH="$root/share/man" run man -w calicoctl-get
		[ "$output" = "$root/share/man/man1/calicoctl-get.1" ]
	fi
	# nothing outside the prefix; no test or bench programs installed
	[ "$(ls "$DEST")" = "$(cut -d/ -f2 <<<"$PREFIX")" ]
	[ "$(ls "$root/bin")" = "$(printf 'calico-bgpd\ncalicoctl')" ]
	# the installed program runs and its completion script works from there
	run $CALICOCTL_RUNNER "$root/bin/calicoctl" __complete ver
	[ "$output" = "version" ]
}

@test "the installed systemd unit passes systemd-analyze verify when available" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	run meson install -C "$BUILD_DIR" --no-rebuild --destdir "$DEST"
	[ "$status" -eq 0 ]
	unit="$DEST$PREFIX/lib/systemd/system/calico-bgpd.service"
	# verify needs the ExecStart binary at its real path: check the syntax only
	run systemd-analyze verify --man=no "$unit"
	[[ "$output" != *"Unknown key"* && "$output" != *"Invalid"* ]] || { echo "$output"; return 1; }
}
