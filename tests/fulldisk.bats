#!/usr/bin/env bats
# A full file system: a small tmpfs mounted by the test (as root; skipped
# with a message otherwise). A put that does not fit fails cleanly and
# leaves nothing visible; what does not need space keeps working.

load helper
bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -p fs
	mount -t tmpfs -o size=1m tmpfs fs || skip "cannot mount a tmpfs here"
	Q=$BATS_TEST_TMPDIR/fs/q
}

teardown() {
	cd "$BATS_TEST_TMPDIR" && umount fs 2>/dev/null || true
}

# Puts 100 KB messages until one fails; its status in $full_status.
fill() {
	head -c 100000 /dev/urandom >chunk
	full_status=0
	for _ in $(seq 1 40); do
		mq-put "$Q" chunk >>ids 2>err || { full_status=$?; return 0; }
	done
	return 1
}

@test "a put that does not fit exits 74 naming the file and the reason, and leaves nothing" {
	fill
	[ "$full_status" -eq 74 ] || [ "$full_status" -eq 73 ]
	grep -q 'No space left on device' err
	[ "$(wc -l <err)" -eq 1 ]
	n=$(wc -l <ids)
	[ "$n" -ge 1 ]
	[ "$(count "$Q" new)" -eq "$n" ]
	[ "$(count "$Q" tmp)" -eq 0 ]
	# every message that was put is whole
	find "$Q/new" -type f -exec cmp -s chunk {} \; -o -type f -print | grep -c . >bad || true
	[ "$(cat bad)" -eq 0 ]
	# a batch stops at the first message that does not fit; what fit is
	# printed and whole
	run mq-put -l "$Q" < <(head -c 300000 /dev/zero | tr '\0' 'x'; echo)
	[ "$status" -eq 74 ] || [ "$status" -eq 73 ]
	[ "$(count "$Q" tmp)" -eq 0 ]
}

@test "on a full file system take, ack, retry and mq-run still work, and make room" {
	fill
	n=$(wc -l <ids)
	l=$(mq-take "$Q")
	cmp "$l" chunk
	mq-retry -d 0 "$l"
	l=$(mq-take "$Q")
	mq-ack "$l"
	[ "$(count "$Q" new)" -eq $((n - 1)) ]
	# the room an ack made is usable again
	run -0 mq-put "$Q" chunk
	run -0 mq-run "$Q" cmp -s chunk
	[ "$(messages "$Q")" -eq 0 ]
}
