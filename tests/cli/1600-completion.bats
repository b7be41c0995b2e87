#!/usr/bin/env bats
# Completion: the hidden `calicoctl __complete` and the bash script driving
# it, checked against the help texts and the resource model (issue 7).

load ../lib/common

setup() {
	setup_datastore
	SRC="$BATS_TEST_DIRNAME/../.."
	BINDIR="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$BINDIR"
	ln -sf "$CALICOCTL" "$BINDIR/calicoctl"
}

# complete WORD...: runs the bash completion function as bash does on TAB
# with the cursor at the end of the last word; prints COMPREPLY one a line.
complete_bash() {
	bash -c '
		source "$1/completions/calicoctl.bash"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_calicoctl
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$SRC" "$@"
}

add_peer() {
	printf 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: %s}\nspec: {peerIP: %s, asNumber: 65001}\n' "$1" "$2" |
		calicoctl create -f -
}

@test "bash: commands at the top level, hidden command not offered" {
	PATH="$BINDIR:$PATH" run complete_bash calicoctl ''
	[ "$status" -eq 0 ]
	for c in create replace apply patch delete get label validate version; do
		grep -qx "$c" <<<"$output"
	done
	! grep -q __complete <<<"$output"
	PATH="$BINDIR:$PATH" run complete_bash calicoctl re
	[ "$output" = "$(printf 'replace')" ]
}

@test "bash: get bgppeer <TAB> lists the BGPPeers in the datastore" {
	add_peer rack1-tor 10.0.0.1
	add_peer rack2-tor 10.0.0.2
	PATH="$BINDIR:$PATH" run complete_bash calicoctl get bgppeer ''
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'rack1-tor\nrack2-tor')" ]
	PATH="$BINDIR:$PATH" run complete_bash calicoctl delete bgpp rack2
	[ "$output" = "rack2-tor" ]
	# after options and with several names already typed
	PATH="$BINDIR:$PATH" run complete_bash calicoctl get -o yaml bgppeers rack1-tor r
	[ "$output" = "$(printf 'rack1-tor\nrack2-tor')" ]
	# patch takes exactly one name
	PATH="$BINDIR:$PATH" run complete_bash calicoctl patch bgppeer rack1-tor ''
	[ -z "$output" ]
}

@test "bash: names come from the datastore named by -c" {
	add_peer only-here 10.0.0.9
	backend_config_file "$BATS_TEST_TMPDIR/cfg.yaml" >/dev/null
	# the environment names another (empty) datastore
	DATASTORE_TYPE=sqlite SQLITE_PATH=$BATS_TEST_TMPDIR/other.db PATH="$BINDIR:$PATH" \
		run complete_bash calicoctl get bgppeer -c "$BATS_TEST_TMPDIR/cfg.yaml" ''
	[ "$output" = "only-here" ]
}

@test "completion never creates a datastore" {
	SQLITE_PATH=$BATS_TEST_TMPDIR/absent.db run calicoctl __complete get bgppeer ''
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ ! -e "$BATS_TEST_TMPDIR/absent.db" ]
}

@test "bash: output formats, with -o, --output VALUE and --output=VALUE" {
	PATH="$BINDIR:$PATH" run complete_bash calicoctl get -o ''
	[ "$output" = "$(printf 'yaml\njson\nps\nwide\ncustom-columns=\ngo-template=\ngo-template-file=')" ]
	PATH="$BINDIR:$PATH" run complete_bash calicoctl get --output go
	[ "$output" = "$(printf 'go-template=\ngo-template-file=')" ]
	# bash splits --output=ya at '=': the reply replaces only "ya"
	PATH="$BINDIR:$PATH" run complete_bash calicoctl get --output = ya
	[ "$output" = "yaml" ]
	run calicoctl __complete get --output=js
	[ "$output" = "--output=json" ]
}

@test "bash: log levels after -l" {
	PATH="$BINDIR:$PATH" run complete_bash calicoctl -l ''
	[ "$output" = "$(printf 'panic\nfatal\nerror\nwarn\ninfo\ndebug')" ]
}

@test "every kind alias is completed after get and delete" {
	# The aliases from the help text's resource list and calicoctl.md §2.
	for a in bgpconfiguration bgpconfigurations bgpconfig bgpconfigs bgppeer bgppeers bgpp bgpps bp bps \
		ippool ippools ipp ipps pool pools node nodes no nos caliconodestatus caliconodestatuses \
		nodestatus nodestatuses clusterinfo clusterinfos \
		clusterinformation clusterinformations; do
		run calicoctl __complete get "${a:0:2}"
		grep -qx "$a" <<<"$output" || { echo "alias $a not completed: $output"; return 1; }
		run calicoctl __complete delete "$a"
		grep -qx "$a" <<<"$output"
	done
}

@test "every alias the resource model accepts is completed, and only those" {
	run calicoctl __complete get ''
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	while read -r w; do
		run calicoctl get "$w" 2>&1
		[[ "$output" != *"is not supported"* ]] || { echo "completed $w is not a kind"; return 1; }
	done < <(calicoctl __complete get '')
}
