#!/usr/bin/env bats
# The core promise under ordinary but careless use: a lease is held by
# one holder until its own deadline, nothing is ever overwritten, a
# group comes out in the order its puts completed, ids only grow, a limit
# is a limit, and nothing is leased or put that could not be reported.
# (mq(7): "The protocol", "Clocks", "Ordering groups", mq-put(1) -m,
# mq-take(1) EXIT STATUS.)

load helper
bats_require_minimum_version 1.5.0

# Whether file $1's time (a lease's deadline) is more than 50 ms past.
past() {
	[ "$(now_ms)" -gt "$(($(date -r "$1" +%s%3N) + 50))" ]
}

# Whether directory $1 holds a file.
has_file() {
	[ -n "$(find "$1" -type f)" ]
}

@test "a stale touch of a lost lease never costs the live holder its payload" {
	id=$(printf 'the payload' | mq-put "$Q")
	l1=$(mq-take -t 200ms "$Q")
	wait_for -t 5 past "$l1"
	l2=$(mq-take -t 1h "$Q")		# reclaimed, delivered again
	[ "$l2" = "$Q/cur/$id,2" ]
	# the first holder, not knowing, extends its lost lease: touch makes
	# an empty file under the old name, due in a second
	touch -d '+1 second' "$l1"
	wait_for -t 5 past "$l1"
	run mq-take "$Q"
	[ "$status" -eq 1 ]			# the stray is never delivered
	[ "$(cat "$l2")" = "the payload" ]	# and never replaces the live one
	run mq-ack "$l1"
	[ "$status" -eq 2 ]			# the stale holder is told
	[[ "$output" == *"lease lost"* ]]
	mq-ack "$l2"
	run mq-take "$Q"
	[ "$status" -eq 1 ]			# nothing comes back from the dead
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a stale touch after the message was acked resurrects nothing" {
	id=$(printf 'x' | mq-put "$Q")
	l1=$(mq-take -t 200ms "$Q")
	wait_for -t 5 past "$l1"
	l2=$(mq-take "$Q")
	mq-ack "$l2"
	touch -d '+1 second' "$l1"
	wait_for -t 5 past "$l1"
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "no state change replaces a file already under its new name" {
	id=$(printf 'real' | mq-put "$Q")
	l=$(mq-take -t 1h "$Q")
	# a file planted in new/ under the name the live lease came from: a
	# take claims it as the live lease's own name
	leaf=$(find "$Q/new" -mindepth 3 -type d | head -n 1)
	[ -z "$leaf" ] && { mkdir -p "$Q/new/1/000/000"; leaf=$Q/new/1/000/000; }
	printf 'planted' >"$leaf/$id,0"
	touch -d '-1 min' "$leaf/$id,0"
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(cat "$l")" = real ]
}

@test "mq-take -x extends held leases, exits 2 for a lost one and makes no file" {
	id=$(printf 'x' | mq-put "$Q")
	l=$(mq-take -t 10s "$Q")
	before=$(date -r "$l" +%s)
	mq-take -x 10m "$l"
	after=$(date -r "$l" +%s)
	[ "$after" -ge $((before + 580)) ]
	mq-ack "$l"
	run mq-take -x 10m "$l"
	[ "$status" -eq 2 ]
	[[ "$output" == *"lease lost"* ]]
	[ ! -e "$l" ]
	run mq-take -x 10m "$Q/new/x"
	[ "$status" -eq 65 ]
}

@test "a lease's deadline is its own holder's, when takers with other timeouts race" {
	seq 3000 | mq-put -l "$Q" >/dev/null
	# 5 s, not less: a holder slowed down longer than its lease on a
	# loaded machine loses it, rightly, and the count below is exact.
	for t in 600 5 600 5 600 5; do
		(
			while l=$(mq-take -t "${t}s" "$Q"); do
				echo "$t $(date +%s) $(date -r "$l" +%s) $l" >>"took.$BASHPID"
				mq-ack "$l"
			done
		) &
	done
	reap_all
	[ "$(cat took.* | wc -l)" -eq 3000 ]
	# a 600 s holder's deadline is ten minutes away, a 5 s holder's five
	# seconds: never the other's
	run awk '($1 == 600 && $3 < $2 + 500) || ($1 == 5 && $3 > $2 + 30)' took.*
	[ -z "$output" ] || { echo "$output" | head -n 5 >&2; false; }
}

@test "a group comes out in the order its puts completed, however slow one's input" {
	put_g() { printf '%s' "$1" | mq-put -g G "$Q" >/dev/null; }
	put_g front				# out first, holds the rest back
	mkfifo slow
	mq-put -g G "$Q" <slow >slow.id &
	p=$!
	exec 7>slow
	printf 'slow' >&7
	wait_for has_file "$Q/tmp"		# its put has begun
	put_g fast				# begun later, done first
	exec 7>&-
	reap "$p"
	got=
	for _ in 1 2 3; do
		l=$(mq-take "$Q")
		got="$got $(cat "$l")"
		mq-ack "$l"
	done
	[ "$got" = " front fast slow" ]
}

@test "ids and order keep growing when a producer's clock steps back an hour" {
	command -v faketime >/dev/null || skip "no faketime"
	[ -n "${MQ_DYN_BIN:-}" ] || skip "no dynamically linked programs (MQ_DYN_BIN)"
	for g in "" "-g G"; do
		rm -rf "$Q"
		# shellcheck disable=SC2086  # $g: no option, or -g and its group
		printf F | mq-put $g "$Q" >ids
		# shellcheck disable=SC2086
		printf A | mq-put $g "$Q" >>ids
		# shellcheck disable=SC2086
		printf B | faketime -f -1h "$MQ_DYN_BIN/mq-put" $g "$Q" >>ids
		[ "$(sort ids)" = "$(cat ids)" ]	# ids in put order
		got=
		while l=$(mq-take "$Q"); do
			got="$got$(cat "$l")"
			mq-ack "$l"
		done
		[ "$got" = FAB ] || { echo "${g:-plain}: $got" >&2; false; }
	done
}

@test "-m is a limit: 24 concurrent single puts with -m 10 leave 10" {
	mq-put "$Q" </dev/null >/dev/null && mq-take "$Q" | mq-ack
	for i in $(seq 24); do
		(st=0; printf '%s' "$i" | mq-put -m 10 "$Q" >/dev/null 2>&1 || st=$?
		 echo "$st" >"st.$i") &
	done
	reap_all
	[ "$(messages "$Q")" -eq 10 ]
	[ "$(grep -lx 0 st.* | wc -l)" -eq 10 ]
	[ "$(grep -lx 75 st.* | wc -l)" -eq 14 ] || { cat st.* | sort | uniq -c >&2; false; }
}

@test "-m is a limit: 8 concurrent batches of 100 with -m 100 leave 100, each put whole" {
	mq-put "$Q" </dev/null >/dev/null && mq-take "$Q" | mq-ack
	for b in $(seq 8); do
		(st=0; seq 100 | sed "s/^/$b-/" | mq-put -l -m 100 "$Q" >"ids.$b" 2>/dev/null || st=$?
		 echo "$st" >"st.$b") &
	done
	reap_all
	[ "$(messages "$Q")" -eq 100 ]
	[ "$(cat ids.* | wc -l)" -eq 100 ]	# what was put was reported
	[ "$(cat st.* | sort -u | tr '\n' ' ')" = "0 75 " ] || [ "$(cat st.* | sort -u)" = 75 ]
	[ "$(find "$Q/tmp" -type f | wc -l)" -eq 0 ]
}

@test "max_depth holds when a slow batch and single puts fill the spool together" {
	mkdir -p "$Q" && echo 'max_depth=20' >"$Q/config"
	trap '' PIPE		# the batch stops reading once it is refused
	mkfifo slow
	mq-put -l "$Q" <slow >/dev/null 2>&1 &
	p=$!
	exec 7>slow
	for i in $(seq 15); do
		echo "slow-$i" >&7 2>/dev/null || true
		printf 'single-%s' "$i" | mq-put "$Q" >/dev/null 2>&1 || true
	done
	exec 7>&-
	reap "$p" || true
	[ "$(messages "$Q")" -eq 20 ]
}

@test "mq-take gives back at once, unspent, what it cannot print" {
	seq 5 | mq-put -l "$Q" >/dev/null
	run sh -c 'mq-take -n 5 "$0" >/dev/full' "$Q"
	[ "$status" -eq 74 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ "$(find "$Q/new" -type f -name '*,0' | wc -l)" -eq 5 ]
	run sh -c 'mq-take -n 5 "$0" >&-' "$Q"
	[ "$status" -eq 74 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	# a reader that has gone: nothing it could not see stays leased
	( wait_for test -e gone; exec mq-take -n 5 "$Q" 2>err ) | { exec 0<&-; touch gone; }
	[ "$(count "$Q" cur)" -eq 0 ]
	[ "$(find "$Q/new" -type f -name '*,0' | wc -l)" -eq 5 ]
	l=$(mq-take "$Q")
	[[ "$l" == *,1 ]]			# no attempt was spent
}

@test "a planted hard link named like a group member is never leased in place" {
	printf 'outside' >outside
	touch -d '2020-01-01' outside
	id=$(printf 'x' | mq-put "$Q")
	mq-take "$Q" | mq-ack
	mkdir -p "$Q/new/1/000/000"
	ln outside "$Q/new/1/000/000/$id,0,0,G"
	run mq-take "$Q"
	[ "$(stat -c %Y outside)" = "$(date -d 2020-01-01 +%s)" ]
	[ "$(cat outside)" = outside ]
	# an id no group knows is not a group's member
	[ "$status" -ne 0 ] || [ ! -e "$output" ] || [ "$(stat -c %i "$output")" != "$(stat -c %i outside)" ]
	[ "$(find "$Q/cur" -type f -inum "$(stat -c %i outside)" | wc -l)" -eq 0 ]
}

@test "a put whose id cannot be printed leaves nothing visible" {
	run sh -c 'echo p | mq-put "$0" >&-' "$Q"
	[ "$status" -eq 74 ]
	[ "$(find "$Q/new" -type f 2>/dev/null | wc -l)" -eq 0 ]
	run sh -c 'echo p | mq-put "$0" >/dev/full' "$Q"
	[ "$status" -eq 74 ]
	[ "$(find "$Q/new" -type f | wc -l)" -eq 0 ]
	run sh -c 'seq 10 | mq-put -l "$0" >/dev/full' "$Q"
	[ "$status" -eq 74 ]
	[ "$(find "$Q/new" -type f | wc -l)" -eq 0 ]
	run sh -c 'echo p | mq-put -g G "$0" >/dev/full' "$Q"
	[ "$status" -eq 74 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "SIGTERM to a waiting mq-take just as a message comes: printed, or not taken" {
	mq-put "$Q" </dev/null >/dev/null && mq-take "$Q" | mq-ack
	for i in $(seq 40); do
		mq-take -w 10s "$Q" >"out.$i" &
		p=$!
		printf '%s' "$i" | mq-put "$Q" >/dev/null
		kill -TERM "$p" 2>/dev/null || true
		reap "$p" || true
	done
	# every lease in cur/ was printed by the take that made it
	for l in "$Q"/cur/*; do
		[ -e "$l" ] || continue
		grep -qxF "$l" out.* || { echo "leased, never printed: $l" >&2; false; }
	done
}

@test "a redrive counts against max_depth like a put: what fits, then 75" {
	mkdir -p "$Q" && printf 'max_depth=3\nmax_attempts=1\n' >"$Q/config"
	seq 3 | mq-put -l "$Q" >/dev/null
	mq-take -n 3 "$Q" | mq-retry	# attempts used up: all dead
	[ "$(count "$Q" dlq)" -eq 3 ]
	printf 'x' | mq-put "$Q" >/dev/null
	printf 'y' | mq-put "$Q" >/dev/null
	run mq-dlq -R "$Q"
	[ "$status" -eq 75 ]
	[[ "$output" == *"spool full (3 messages, max_depth 3): the rest stay dead"* ]]
	[ "$(count "$Q" dlq)" -eq 2 ]
	[ "$(messages "$Q")" -eq 5 ]		# 3 waiting, 2 dead
	run mq-put "$Q" <<<"z"
	[ "$status" -eq 75 ]
}

@test "mq-stat does not count a stale holder's file as a lease" {
	printf 'x' | mq-put "$Q" >/dev/null
	l1=$(mq-take -t 200ms "$Q")
	wait_for -t 5 past "$l1"
	l2=$(mq-take -t 1h "$Q")
	touch -d '+1 hour' "$l1"
	run mq-stat -o sh "$Q"
	[[ "$output" == *$'\nmq_leased=1\nmq_expired=0\n'* ]]
	[ -n "$l2" ]
}
