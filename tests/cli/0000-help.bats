#!/usr/bin/env bats
# Top-level parsing, -h on every command, usage errors (docopt rules).

load ../lib/common

setup() {
	setup_datastore
}

@test "calicoctl -h prints the top-level help on stdout" {
	run_split calicoctl -h
	[ "$status" -eq 0 ]
	[ "${stdout%%$'\n'*}" = "Usage:" ]
	[[ "$stdout" == *"  calicoctl [options] <command> [<args>...]"* ]]
	[[ "$stdout" == *"    create       Create a resource by file, directory or stdin."* ]]
	[[ "$stdout" == *"    apply        Apply a resource by file, directory or stdin.  This creates a resource"$'\n'"                 if it does not exist, and replaces a resource if it does exists."* ]]
	[[ "$stdout" == *"  See 'calicoctl <command> --help' to read about a specific subcommand." ]]
	[ -z "$stderr" ]
}

@test "every command in the table answers -h and --help with its help text" {
	for cmd in create replace apply patch delete get label validate version; do
		run_split calicoctl "$cmd" -h
		[ "$status" -eq 0 ]
		[[ "$stdout" == *"calicoctl $cmd"* ]]
		[[ "$stdout" == *"Options:"* ]]
		run_split calicoctl "$cmd" --help
		[ "$status" -eq 0 ]
		run_split calicoctl "$cmd" --he
		[ "$status" -eq 0 ]
		# and the top-level help lists it
		run calicoctl --help
		[[ "$output" == *"    $cmd "* ]]
	done
}

@test "create -h starts with the datastore intro and lists our kinds" {
	run_split calicoctl create -h
	[ "$status" -eq 0 ]
	[ "$(echo "$stdout" | head -1)" = "Set the Calico datastore access information in the environment variables or" ]
	[[ "$stdout" == *$'  Valid resource types are:\n\n    - bgpconfiguration\n    - bgppeer\n'* ]]
	[[ "$stdout" == *"    - ippool"$'\n'* ]]
	[[ "$stdout" == *"    - node"$'\n'* ]]
	[[ "$stdout" == *"     --skip-exists             Skip over and treat as successful any attempts to"* ]]
}

@test "-h wins over other arguments, even unknown options" {
	run_split calicoctl get bgppeers --bogus -h
	[ "$status" -eq 0 ]
	[[ "$stdout" == *"calicoctl get ( (<KIND> [<NAME>...]) |"* ]]
}

@test "no command: usage on stderr, Invalid option on stdout, exit 1" {
	run_split calicoctl
	[ "$status" -eq 1 ]
	[ "$stdout" = "Invalid option: ''. Use flag '--help' to read about a specific subcommand." ]
	[ "$stderr" = $'Usage:\n  calicoctl [options] <command> [<args>...]' ]
}

@test "unknown top-level option" {
	run_split calicoctl --allow-version-mismatch -m
	[ "$status" -eq 1 ]
	[ "$stdout" = "Invalid option: '--allow-version-mismatch -m'. Use flag '--help' to read about a specific subcommand." ]
}

@test "--log-level without a value is a docopt error" {
	run_split calicoctl --log-level
	[ "$status" -eq 1 ]
	[ "${stderr%%$'\n'*}" = "--log-level requires argument" ]
}

@test "unknown command prints the error and the help on stderr" {
	run_split calicoctl frobnicate
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "${stderr%%$'\n'*}" = 'unknown command: "frobnicate"' ]
	[[ "$stderr" == *"Usage:"* ]]
}

@test "--version points at the version command" {
	run_split calicoctl --version
	[ "$status" -eq 0 ]
	[ "$stdout" = "Run 'calicoctl version' to see version information." ]
}

@test "an unknown log level is refused on stdout" {
	run_split calicoctl -l verbose version --client
	[ "$status" -eq 1 ]
	[ "$stdout" = $'Unknown log level: verbose, expected one of: \npanic, fatal, error, warn, info, debug.' ]
	run_split calicoctl --log-level=debug version --client
	[ "$status" -eq 0 ]
	run_split calicoctl -ldebug version --client
	[ "$status" -eq 0 ]
}

@test "-l after the subcommand is a usage error" {
	run_split calicoctl version -l debug
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Usage:\n  calicoctl version [--config=<CONFIG>] [--poll=<POLL>] [--allow-version-mismatch] [--client]' ]
}

@test "subcommand usage errors print the Usage block on stderr" {
	run_split calicoctl create
	[ "$status" -eq 1 ]
	[ -z "$stdout" ]
	[ "$stderr" = $'Usage:\n  calicoctl create --filename=<FILENAME> [--recursive] [--skip-empty]\n                   [--skip-exists] [--config=<CONFIG>] [--namespace=<NS>] [--context=<context>] [--allow-version-mismatch]' ]
	run_split calicoctl create -f
	[ "$status" -eq 1 ]
	[ "${stderr%%$'\n'*}" = "-f requires argument" ]
	run_split calicoctl create --filename
	[ "${stderr%%$'\n'*}" = "--filename requires argument" ]
	run_split calicoctl create -f x --skip
	[ "$status" -eq 1 ]
	[ "${stderr%%$'\n'*}" = "--skip is not a unique prefix: --skip-empty, --skip-exists?" ]
	run_split calicoctl create -f x extra
	[ "$status" -eq 1 ]
	[ "${stderr%%$'\n'*}" = "Usage:" ]
	run_split calicoctl create -f x -f y
	[ "$status" -eq 1 ]
	run_split calicoctl create -f x --recursive=yes
	[ "${stderr%%$'\n'*}" = "--recursive must not have an argument" ]
}

@test "usage errors of delete, get, patch, label, validate, version" {
	run_split calicoctl delete
	[ "$status" -eq 1 ]
	[ "$stderr" = $'Usage:\n  calicoctl delete ( (<KIND> [<NAME>...]) |\n                   --filename=<FILE> [--recursive] [--skip-empty] )\n                   [--skip-not-exists] [--config=<CONFIG>] [--namespace=<NS>] [--context=<context>] [--allow-version-mismatch]' ]
	run_split calicoctl delete bgppeer x -f y
	[ "$status" -eq 1 ]
	run_split calicoctl get bgppeer -R
	[ "$status" -eq 1 ]
	run_split calicoctl patch bgppeer x
	[ "$status" -eq 1 ]
	[[ "$stderr" == $'Usage:\n  calicoctl patch <KIND> <NAME> --patch=<PATCH>'* ]]
	run_split calicoctl label node n1
	[ "$status" -eq 1 ]
	[[ "$stderr" == $'Usage:\n  calicoctl label (<KIND> <NAME>\n  \t              ( <key>=<value> [--overwrite] |\n  \t                <key> --remove )\n'* ]]
	run_split calicoctl label node n1 a=b --overwrite --remove
	[ "$status" -eq 1 ]
	run_split calicoctl validate -f x -c y
	[ "$status" -eq 1 ]
	[[ "$stderr" == "Usage:"* ]]
	run_split calicoctl version extra
	[ "$status" -eq 1 ]
}

@test "long options by prefix, --opt=v, --opt v, -o v, -ov, interleaved" {
	calicoctl create -f - <<<"$(peer_yaml p1 192.0.2.1 64512)" >/dev/null
	run_split calicoctl get --out yaml bgppeer p1
	[ "$status" -eq 0 ]
	[[ "$stdout" == *"name: p1"* ]]
	run_split calicoctl get bgppeer --output=json p1
	[ "$status" -eq 0 ]
	[[ "$stdout" == "{"* ]]
	run_split calicoctl get -ojson bgppeer
	[ "$status" -eq 0 ]
	[[ "$stdout" == *'"kind": "BGPPeerList"'* ]]
	run_split calicoctl get bgppeer p1 -o wide
	[ "$status" -eq 0 ]
	run_split calicoctl delete --skip-not bgppeer nope p1
	[ "$status" -eq 0 ]
	[ "$stdout" = "Successfully deleted 2 'BGPPeer' resource(s)" ]
}

@test "the top-level --allow-version-mismatch reaches the subcommand" {
	run_split calicoctl --allow-version-mismatch get bgppeers
	[ "$status" -eq 0 ]
	run_split calicoctl --allow-version-mismatch validate -f "$(manifest empty.yaml </dev/null)" --skip-empty
	[ "$status" -eq 0 ]
}

@test "as a kubectl plugin the help says kubectl-calico" {
	ln -s "$CALICOCTL" "$BATS_TEST_TMPDIR/kubectl-calico"
	run "$BATS_TEST_TMPDIR/kubectl-calico" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"  kubectl-calico [options] <command> [<args>...]"* ]]
	[[ "$output" == *"The calico kubectl plugin is used to manage"* ]]
}
