# Shared helpers for the bats suites. Load with: load ../lib/common

: "${BUILD_DIR:=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}"
CALICOCTL="${CALICOCTL:-$BUILD_DIR/cli/calicoctl}"
BGPD="${BGPD:-$BUILD_DIR/speaker/calico-bgpd}"

# A private datastore per test: nothing touches /etc/calico or /var/lib/calico.
setup_datastore() {
	export DATASTORE_TYPE=sqlite
	export SQLITE_PATH="$BATS_TEST_TMPDIR/calico.db"
	unset CALICO_DATASTORE_TYPE CALICO_SQLITE_PATH
}

calicoctl() {
	"$CALICOCTL" "$@"
}

# run_must_fail CMD...: like `run`, but the command must fail with a normal
# exit (1..128); a crash or a signal is a test failure, not an expected error.
run_must_fail() {
	run "$@"
	if [ "$status" -eq 0 ]; then
		echo "expected failure, got exit 0; output: $output" >&2
		return 1
	fi
	if [ "$status" -gt 128 ]; then
		echo "command crashed (exit $status); output: $output" >&2
		return 1
	fi
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
wait_until() {
	local limit=$1
	shift
	local deadline=$((SECONDS + limit))
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after ${limit}s waiting for: $*" >&2
			return 1
		fi
		sleep 0.1
	done
}

# Compares $output with a golden file, showing a diff on mismatch.
# UPDATE_GOLDEN=1 rewrites the golden file instead.
assert_golden() {
	local golden="$BATS_TEST_DIRNAME/golden/$1"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$golden")"
		printf '%s' "$output" >"$golden"
		return 0
	fi
	diff -u "$golden" <(printf '%s' "$output") >&2
}

# A digest of every row in the datastore, to prove a failed command wrote nothing.
datastore_digest() {
	sqlite3 "$SQLITE_PATH" .dump 2>/dev/null | md5sum
}
