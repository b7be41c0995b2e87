#!/usr/bin/env bats
# Datastore faults (issue 6, part 4): the SQLite file deleted between
# commands, read-only, corrupted, or locked by another writer. Each must give
# a clear error and exit 1 (never a crash), and lose nothing that was there.

load ../lib/common

setup() {
	setup_datastore
	peer_yaml p1 10.0.0.1 64512 | calicoctl create -f - >/dev/null
}

@test "datastore deleted between commands: reads say not found, writes start afresh" {
	rm -f "$SQLITE_PATH" "$SQLITE_PATH-wal" "$SQLITE_PATH-shm"
	run_must_fail calicoctl get bgppeer p1
	[ "$status" -eq 1 ]
	[[ "$output" == *"resource does not exist: BGPPeer(p1)"* ]]
	run calicoctl create -f - < <(peer_yaml p2 10.0.0.2 64512)
	[ "$status" -eq 0 ]
	run calicoctl get bgppeer p2
	[ "$status" -eq 0 ]
	[[ "$output" == *p2* ]]
}

@test "datastore path through a regular file: a clear error naming the path, exit 1" {
	: >"$BATS_TEST_TMPDIR/file"
	export SQLITE_PATH="$BATS_TEST_TMPDIR/file/calico.db"
	run_must_fail calicoctl create -f - < <(peer_yaml p2 10.0.0.2 64512)
	[ "$status" -eq 1 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/file"* ]]
}

# ro_file CMD...: runs CMD with the datastore file read-only. Root ignores
# file modes, so as root the file is made immutable for the command.
ro_file() {
	if [ "$(id -u)" -ne 0 ]; then
		chmod a-w "$SQLITE_PATH"
		"$@"
		local rc=$?
		chmod u+w "$SQLITE_PATH"
		return $rc
	fi
	chattr +i "$SQLITE_PATH" || return 99
	"$@"
	local rc=$?
	chattr -i "$SQLITE_PATH"
	return $rc
}

# ro_mount CMD...: runs CMD with the datastore's directory on a read-only
# bind mount, in a private mount namespace (root only).
ro_mount() {
	unshare -m sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"' \
		"$BATS_TEST_TMPDIR" "$@"
}

@test "read-only datastore file: writes fail clearly with exit 1, reads work, nothing lost" {
	before=$(datastore_digest)
	run_must_fail ro_file "$CALICOCTL" create -f - < <(peer_yaml p2 10.0.0.2 64512)
	[ "$status" -eq 1 ]
	[[ "$output" == *"datastore $SQLITE_PATH is read-only"* ]]
	run_must_fail ro_file "$CALICOCTL" delete bgppeer p1
	[ "$status" -eq 1 ]
	[[ "$output" == *"read-only"* ]]
	run ro_file "$CALICOCTL" get bgppeer p1 -o yaml
	[ "$status" -eq 0 ]
	[[ "$output" == *"name: p1"* ]]
	[ "$(datastore_digest)" = "$before" ]
}

@test "datastore on a read-only file system: writes fail with exit 1 naming it, nothing lost" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a read-only bind mount"
	before=$(datastore_digest)
	run_must_fail ro_mount "$CALICOCTL" create -f - < <(peer_yaml p2 10.0.0.2 64512)
	[ "$status" -eq 1 ]
	[[ "$output" == *"datastore $SQLITE_PATH is read-only"* ]]
	run_must_fail ro_mount "$CALICOCTL" delete bgppeer p1
	[ "$status" -eq 1 ]
	[[ "$output" == *"datastore $SQLITE_PATH is read-only"* ]]
	[ "$(datastore_digest)" = "$before" ]
}

@test "datastore on a read-only file system: get and list work" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a read-only bind mount"
	# A WAL database is read through its -shm file, which cannot be created
	# there: the store opens it immutable (store/sqlite.c, open_db).
	peer_yaml p2 10.0.0.2 64513 | calicoctl create -f - >/dev/null
	run ro_mount "$CALICOCTL" get bgppeer p1 -o yaml
	[ "$status" -eq 0 ]
	[[ "$output" == *"name: p1"* ]]
	run ro_mount "$CALICOCTL" get bgppeers
	[ "$status" -eq 0 ]
	[[ "$output" == *p1*"10.0.0.1"* ]]
	[[ "$output" == *p2*"10.0.0.2"* ]]
	run_must_fail ro_mount "$CALICOCTL" get bgppeer p3
	[[ "$output" == *"resource does not exist: BGPPeer(p3)"* ]]
	[ ! -e "$SQLITE_PATH-shm" ]
}

@test "read-only file system with a writer's -wal content: reads see it or fail clearly, never stale" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a read-only bind mount"
	# A writer holds the database open, so its last write is still in the
	# -wal file: an immutable open would not see it, so the store must not
	# use one. SQLite then reads through the existing -wal and -shm.
	python3 - "$SQLITE_PATH" <<-'PY' &
	import sqlite3, sys, time
	con = sqlite3.connect(sys.argv[1], isolation_level=None)
	con.execute("PRAGMA wal_autocheckpoint=0")
	con.execute("UPDATE resources SET data = replace(data, '64512', '64999')"
	            " WHERE kind = 'BGPPeer' AND name = 'p1'")
	open(sys.argv[1] + ".held", "w").close()
	time.sleep(3)
	PY
	local writer=$!
	wait_until 5 test -e "$SQLITE_PATH.held"
	[ -s "$SQLITE_PATH-wal" ]
	run ro_mount "$CALICOCTL" get bgppeer p1 -o yaml
	wait "$writer"
	[ "$status" -le 1 ]
	if [ "$status" -eq 0 ]; then
		[[ "$output" == *"asNumber: 64999"* ]]
	else
		[[ "$output" == *"$SQLITE_PATH"* ]]
	fi
}

@test "corrupted datastore: a clear error, exit 1, the file left as it was" {
	sqlite3 "$SQLITE_PATH" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	printf 'this is not an SQLite header, it is garbage' |
		dd of="$SQLITE_PATH" bs=1 seek=0 conv=notrunc 2>/dev/null
	sum=$(md5sum <"$SQLITE_PATH")
	run_must_fail calicoctl get bgppeer p1
	[ "$status" -eq 1 ]
	[[ "$output" == *"$SQLITE_PATH"* ]]
	[[ "$output" == *"not a database"* || "$output" == *"corrupt"* ]]
	run_must_fail calicoctl create -f - < <(peer_yaml p2 10.0.0.2 64512)
	[ "$status" -eq 1 ]
	[ "$(md5sum <"$SQLITE_PATH")" = "$sum" ]
}

@test "corrupted page inside the datastore: no crash, exit 1 or a correct answer" {
	sqlite3 "$SQLITE_PATH" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	size=$(stat -c %s "$SQLITE_PATH")
	[ "$size" -gt 4096 ]
	head -c 2048 /dev/urandom | dd of="$SQLITE_PATH" bs=1 seek=$((size - 3000)) conv=notrunc 2>/dev/null
	run calicoctl get bgppeer -o yaml
	[ "$status" -le 1 ]
	run calicoctl create -f - < <(peer_yaml p3 10.0.0.3 64512)
	[ "$status" -le 1 ]
}

# hold_lock SECONDS: another writer holds the write lock for SECONDS; prints
# once it has it.
hold_lock() {
	python3 - "$SQLITE_PATH" "$1" <<-'PY' &
	import sqlite3, sys, time
	con = sqlite3.connect(sys.argv[1], isolation_level=None)
	con.execute("BEGIN IMMEDIATE")
	open(sys.argv[1] + ".held", "w").close()
	time.sleep(float(sys.argv[2]))
	con.execute("COMMIT")
	PY
	LOCK_PID=$!
	wait_until 5 test -e "$SQLITE_PATH.held"
}

@test "locked by another writer briefly: the busy timeout absorbs it, the write succeeds" {
	hold_lock 1
	run calicoctl create -f - < <(peer_yaml p2 10.0.0.2 64512)
	wait "$LOCK_PID"
	[ "$status" -eq 0 ]
	calicoctl get bgppeer p2 >/dev/null
}

@test "locked by another writer for too long: a clear error, exit 1, nothing lost" {
	export SQLITE_BUSY_TIMEOUT=300
	hold_lock 3
	run_must_fail calicoctl create -f - < <(peer_yaml p2 10.0.0.2 64512)
	wait "$LOCK_PID"
	[ "$status" -eq 1 ]
	[[ "$output" == *"locked by another process"* ]]
	run calicoctl get bgppeer p1
	[ "$status" -eq 0 ]
	run_must_fail calicoctl get bgppeer p2
}
