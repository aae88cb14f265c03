#!/usr/bin/env bats
# A message file under two names at once, queued in new/ and leased in
# cur/: what a rename half done by a GlusterFS server's return leaves
# (issue 23). Made here with ln, the very state the volume was seen in:
# one inode, two links, nothing for self-heal to do. The lease name is
# the truth; the queued name goes; the message is delivered once a lease.

# shellcheck disable=SC2154  # $stderr: set by run --separate-stderr
load helper
bats_require_minimum_version 1.5.0

# past MS: whether the clock has passed MS.
past() {
	[ "$(now_ms)" -gt "$1" ]
}

# A message put and leased for 1 s, then its lease linked back under its
# queued name: sets id, queued (new/.../ID,0) and lease (cur/ID,1).
twin() {
	id=$(printf 'the payload' | mq-put "$Q")
	queued=$(find "$Q/new" -type f)
	lease=$(mq-take -t 1s "$Q")
	[ "$lease" = "$Q/cur/$id,1" ]
	ln "$lease" "$queued"
	[ "$(stat -c %h "$lease")" -eq 2 ]
}

@test "an expired lease with its queued twin is reclaimed once and leased once" {
	twin
	wait_for past "$(mtime_ms "$lease")"
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	same "$output" "$Q/cur/$id,2"
	[ "$(cat "$output")" = "the payload" ]
	[ "$(stat -c %h "$output")" -eq 1 ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 1 ]
	[ "$(count "$Q" tmp)" -eq 0 ]
	run mq-ack "$lease"		# the first holder's, reclaimed
	[ "$status" -eq 2 ]
	mq-ack "$Q/cur/$id,2"
	[ "$(messages "$Q")" -eq 0 ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
}

@test "a held lease's twin is never delivered beside it, and the ack removes both names" {
	id=$(printf 'the payload' | mq-put "$Q")
	queued=$(find "$Q/new" -type f)
	lease=$(mq-take "$Q")
	ln "$lease" "$queued"
	run mq-take "$Q"		# its time is the lease's deadline
	[ "$status" -eq 1 ]
	mq-ack "$lease"
	[ ! -e "$queued" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a retried lease's twin goes: one message in new/, delivered once more" {
	twin
	mq-retry -d 0 "$lease"
	[ "$(count "$Q" new)" -eq 1 ]
	[ "$(find "$Q/new" -type f -name "$id,1" | wc -l)" -eq 1 ]
	[ "$(stat -c %h "$(find "$Q/new" -type f)")" -eq 1 ]
	l=$(mq-take "$Q")
	[ "$l" = "$Q/cur/$id,2" ]
	mq-ack "$l"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a retry whose attempts ran out buries the lease and its twin goes" {
	twin
	echo max_attempts=1 >>"$Q/config"
	run --separate-stderr mq-retry -d 0 "$lease"
	[ "$status" -eq 0 ]
	[[ $stderr == *"attempts used up (1 of max_attempts 1), dead-lettered" ]]
	[ ! -e "$queued" ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" dlq)" -eq 1 ]
	[ "$(stat -c %h "$Q/dlq/$id,1")" -eq 1 ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
}

@test "a buried lease's twin goes with it: the dead letter is not delivered again" {
	twin
	mq-dlq -r "no good" "$lease"
	[ ! -e "$queued" ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" dlq)" -eq 1 ]
	[ "$(stat -c %h "$Q/dlq/$id,1")" -eq 1 ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
}

@test "mq-run's ack of a twinned lease removes its queued name too" {
	id=$(printf 'the payload' | mq-put "$Q")
	queued=$(find "$Q/new" -type f)
	QUEUED=$queued run mq-run -n 1 "$Q" sh -c \
	    'ln "$MQ_LEASE" "$QUEUED" && cat >/dev/null'
	[ "$status" -eq 0 ]
	[ ! -e "$queued" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a taker meeting a queued twin outside its put's leaf drops that name; the lease comes back once" {
	id=$(printf 'the payload' | mq-put "$Q")
	put_ms=$(now_ms)
	putleaf=$(dirname "$(find "$Q/new" -type f)")
	l=$(mq-take "$Q")
	# the retry's leaf is a later tenth of a second than the put's
	wait_for past $((put_ms - put_ms % 100 + 100))
	mq-retry -d 0 "$l"
	queued=$(find "$Q/new" -type f)
	[ "$(dirname "$queued")" != "$putleaf" ]
	lease=$(mq-take -t 1s "$Q")
	[ "$lease" = "$Q/cur/$id,2" ]
	ln "$lease" "$queued"
	wait_for past "$(mtime_ms "$lease")"
	# The reclaim finds no twin where a first delivery's is and leaves
	# the lease a while; the take meets the queued name and drops it.
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ ! -e "$queued" ]
	[ "$(stat -c %h "$lease")" -eq 1 ]
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	same "$output" "$Q/cur/$id,3"
	[ "$(cat "$output")" = "the payload" ]
	mq-ack "$output"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a lease linked outside the spool by a user is reclaimed after the grace, the link left alone" {
	command -v faketime >/dev/null || skip "no faketime"
	[ -n "${MQ_DYN_BIN:-}" ] || skip "no dynamically linked programs (MQ_DYN_BIN)"
	printf 'the payload' | mq-put "$Q" >/dev/null
	lease=$(mq-take -t 1s "$Q")
	ln "$lease" keep
	wait_for past "$(mtime_ms "$lease")"
	run mq-take "$Q"		# it may be a twin whose other name is elsewhere
	[ "$status" -eq 1 ]
	[ -e "$lease" ]
	run faketime -f +90s "$MQ_DYN_BIN/mq-take" "$Q"
	[ "$status" -eq 0 ]
	[ "$(cat "$output")" = "the payload" ]
	[ "$(stat -c %h "$output")" -eq 1 ]
	[ "$(cat keep)" = "the payload" ]
	[ "$(count "$Q" cur)" -eq 1 ]
	[ "$(count "$Q" new)" -eq 0 ]
}
