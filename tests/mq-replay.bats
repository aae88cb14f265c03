#!/usr/bin/env bats
# The retained log (retain, retain_bytes) and mq-replay (mq-replay(1)).

load helper
bats_require_minimum_version 1.5.0

# A topic T of subscribers a and b keeping every message for an hour.
topic() {
	T=$BATS_TEST_TMPDIR/t
	mkdir -p "$T/a" "$T/b"
	printf 'retain=1h\n' >"$T/.config"
}

# The entries of a log ($1: its directory), as "ID GROUP" in id order.
entries() {
	find "$1" -mindepth 4 -type f -printf '%f\n' | sort |
	    awk -F, '{ print $1, ($4 == "" ? "-" : $4) }'
}

# Every message of spool $1 (any state but done) as its id, sorted.
held_ids() {
	mq-ls -o json "$1" | sed 's/.*"id":"\([^"]*\)".*/\1/' | sort
}

# Takes and acks everything spool $1 has, one at a time, printing each
# payload as it comes, ended by a newline if it has none (a group's next
# comes after its front's ack).
drain() {
	local l
	while l=$(mq-take "$1" 2>/dev/null); do
		sed '$a\' "$l"
		mq-ack "$l"
	done
}

# Whether it is more than 1.1 s after the id $1 was made.
past() {
	[ $(($(date +%s%3N) - $(cut -c1-13 <<<"$1"))) -gt 1100 ]
}

@test "retain: each put is one more link of the subscribers' file; a group's entry a copy of its own" {
	topic
	seq 1 3 | mq-put -l "$T" >ids
	mq-put -g g1 "$T" <<<"grouped" >>ids
	[ "$(entries "$T/.log" | cut -d' ' -f1)" = "$(cat ids)" ]
	[ "$(entries "$T/.log" | tail -n 1)" = "$(sed -n 4p ids) g1" ]
	# the same file as each subscriber's: three links, no copy
	f=$(find "$T/.log" -name "$(sed -n 1p ids),0")
	[ "$(stat -c %h "$f")" -eq 3 ]
	[ "$(stat -c %i "$f")" = "$(stat -c %i "$(find "$T/a/new" -name "$(sed -n 1p ids),0")")" ]
	g=$(find "$T/.log" -name "$(sed -n 4p ids),*")
	[ "$(stat -c %h "$g")" -eq 1 ]
	[ "$(cat "$g")" = grouped ]
	[ "$(cat "$T/.log/.bytes")" -eq $((1 + 1 + 1 + 8)) ]
	# a take where the file is shared with b and the log copies it; in b,
	# shared with the log alone, it is leased as it is
	la=$(mq-take "$T/a")
	[ "$(stat -c %h "$la")" -eq 1 ]
	lb=$(mq-take "$T/b")
	[ "$(stat -c %i "$lb")" = "$(stat -c %i "$f")" ]
	mq-ack "$la" "$lb"
	[ "$(cat "$f")" = 1 ]		# the log still has it
	# a spool of its own: SPOOL/.log
	mkdir -p "$Q" && echo 'retain=1d' >"$Q/config"
	mq-put "$Q" <<<"solo" >id
	[ "$(entries "$Q/.log")" = "$(cat id) -" ]
	# no retain: no log
	mq-put "$BATS_TEST_TMPDIR/plain" <<<x >/dev/null 2>&1
	[ ! -e "$BATS_TEST_TMPDIR/plain/.log" ]
}

@test "retain prunes by age, retain_bytes by size, oldest first; replay says what is gone" {
	topic
	printf 'retain=1s\n' >"$T/.config"
	seq 1 3 | mq-put -l "$T" >old
	wait_for past "$(sed -n 3p old)"
	mq-put "$T" <<<"new" >new
	[ "$(entries "$T/.log" | cut -d' ' -f1)" = "$(cat new)" ]
	[ "$(cat "$T/.log/.bytes")" -eq 4 ]
	[ "$(find "$T/.log" -mindepth 1 -type d | wc -l)" -le 3 ]	# the old leaf's directories went
	run mq-replay -n -f 1h "$T/a"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "mq-replay: $T/a/../.log: pruned up to 20"*"Z (retain, retain_bytes): what was put by then is gone, the rest is replayed" ]]
	[ "${lines[1]}" = "$T/a: nothing to replay" ]
	# by size: 4-byte messages, at most 10 bytes kept
	printf 'retain_bytes=10\n' >"$T/.config"
	printf 'aaa\nbbb\nccc\nddd\neee\n' | mq-put -l "$T" >five
	# 4 + 5 x 3 bytes: "new", aaa and bbb go
	[ "$(entries "$T/.log" | cut -d' ' -f1)" = "$(sed -n '3,5p' five)" ]
	[ "$(cat "$T/.log/.bytes")" -eq 9 ]
	printf 'retain_bytes=10x\n' >"$T/.config"
	run -65 mq-put "$T" <<<x
	[ "$output" = "mq-put: $T/.config:1: retain_bytes: bad size (a number of bytes with an optional unit k, M, G, T)" ]
}

@test "replay from the start, an id, a time; -n says exactly; what the subscriber holds is left" {
	topic
	seq 1 5 | mq-put -l "$T" >ids
	drain "$T/a" >/dev/null
	mq-take "$T/b" >/dev/null	# b holds all five, one leased
	run mq-replay -n "$T"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' "$T/a: 5 to replay, $(sed -n 1p ids) to $(sed -n 5p ids)" \
	    "$T/b: nothing to replay" "$T/b: 5 held already, left")" ]
	[ "$(count "$T/a" new)" -eq 0 ]		# -n changed nothing
	run mq-replay -n -f "$(sed -n 2p ids)" -u "$(sed -n 4p ids)" "$T/a"
	[ "$output" = "$T/a: 3 to replay, $(sed -n 2p ids) to $(sed -n 4p ids)" ]
	run mq-replay -n -f "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" "$T/a"
	[ "$output" = "$T/a: nothing to replay" ]
	run mq-replay -n -f '2 hours ago' "$T/a"
	[ "$output" = "$T/a: 5 to replay, $(sed -n 1p ids) to $(sed -n 5p ids)" ]
	run mq-replay -v -f "$(sed -n 4p ids)" "$T/a"
	[ "$status" -eq 0 ]
	[ "$output" = "$(sed -n '4,5p' ids)" ]
	# ids kept, a new generation in the name, ready now, bytes the same
	[ "$(held_ids "$T/a")" = "$(sed -n '4,5p' ids)" ]
	[[ "$(find "$T/a/new" -type f -printf '%f\n' | sort | head -n 1)" =~ ^$(sed -n 4p ids),0,[0-9]{6}$ ]]
	[ "$(drain "$T/a")" = "$(printf '4\n5')" ]
	# again: all five come back (none is held now)
	mq-replay "$T/a"
	[ "$(drain "$T/a")" = "$(seq 1 5)" ]
}

@test "a late subscriber is bootstrapped from the log: what it holds is the log, byte for byte" {
	topic
	seq 1 20 | mq-put -l "$T" >/dev/null
	mq-put -g g "$T" <<<"in a group" >/dev/null
	printf 'two\nlines' | mq-put "$T" >/dev/null
	mkdir "$T/late"
	mq-put "$T" <<<"after" >/dev/null	# the late one has this one already
	mq-replay -f start "$T/late"
	[ "$(held_ids "$T/late")" = "$(entries "$T/.log" | cut -d' ' -f1)" ]
	drain "$T/late" | sort >got	# ("after" came first: put, not replayed)
	drain "$T/b" | sort >want
	cmp got want
}

@test "a group replayed comes out in id order, one at a time" {
	topic
	for i in 1 2 3 4 5; do mq-put -g g1 "$T" <<<"m$i" >/dev/null; done
	mq-put "$T" <<<"plain" >/dev/null
	drain "$T/a" >/dev/null
	run mq-replay -n -g g1 "$T/a"
	[[ "$output" == "$T/a: 5 to replay, "* ]]
	mq-replay -g g1 "$T/a"
	[ "$(mq-ls -s ready "$T/a" | sed 1d | wc -l)" -eq 1 ]	# one out at a time
	[ "$(drain "$T/a")" = "$(printf 'm1\nm2\nm3\nm4\nm5')" ]
}

@test "kill -9 of mq-replay at random points, run again until it ends: each message once, none lost" {
	topic
	seq 1 300 | mq-put -l "$T" >ids
	for i in 1 2 3 4 5 6 7 8 9 10; do mq-put -g "g$((i % 2))" "$T" <<<"g$i" >>ids; done
	drain "$T/a" >/dev/null
	kills=0
	for _ in $(seq 1 40); do
		mq-replay "$T/a" &
		pid=$!
		sleep "0.0$((RANDOM % 5))"
		if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
		wait "$pid" 2>/dev/null || true
	done
	mq-replay "$T/a"
	echo "kills: $kills" >&2
	# each id once (a group's held ones too), every one there
	[ "$(held_ids "$T/a" | uniq -d)" = "" ]
	[ "$(held_ids "$T/a")" = "$(sort ids)" ]
	[ "$(drain "$T/a" | sort)" = "$( (seq 1 300; for i in 1 2 3 4 5 6 7 8 9 10; do echo "g$i"; done) | sort)" ]
	[ "$(find "$T/a/new" "$T/a/cur" -type f | wc -l)" -eq 0 ]
}

@test "a replay racing live takers: each message taken once, none left" {
	topic
	seq 1 400 | mq-put -l "$T" >/dev/null
	drain "$T/a" >/dev/null
	for c in 1 2 3; do
		(while :; do
			if l=$(mq-take -w 2s "$T/a" 2>/dev/null); then
				sed '$a\' "$l" >>"got.$c"
				mq-ack "$l"
			else
				break
			fi
		 done) &
	done
	mq-replay "$T/a"
	reap_all -t 60
	[ "$(cat got.* | sort -n)" = "$(seq 1 400)" ]
	[ "$(count "$T/a" new)" -eq 0 ]
}

@test "a replay counts against max_depth: the oldest that fit, then 75" {
	topic
	seq 1 5 | mq-put -l "$T" >/dev/null
	drain "$T/a" >/dev/null
	echo 'max_depth=3' >"$T/a/config"
	mq-put "$T/a" <<<"direct" >/dev/null
	run -75 mq-replay "$T/a"
	[ "$output" = "mq-replay: $T/a: spool full (3 messages, max_depth 3): the rest are not replayed" ]
	[ "$(drain "$T/a")" = "$(printf 'direct\n1\n2')" ]
}

@test "bad input: no log 66, a bad -f 64; a symlink in the log is not followed" {
	mkdir -p "$Q"
	mq-put "$Q" <<<x >/dev/null
	run -66 mq-replay "$Q"
	[ "$output" = "mq-replay: $Q: no retained log (retain or retain_bytes in TOPIC/.config, or in the spool's config)" ]
	run -64 mq-replay -f yesterday "$Q"
	[ "${lines[0]}" = "mq-replay: -f: yesterday: not start, end, an id, a time (2026-12-01T10:00:00Z) or a duration ago (1h)" ]
	run -64 mq-replay
	topic
	mq-put "$T" <<<"real" >/dev/null
	leaf=$(dirname "$(find "$T/.log" -mindepth 4 -type f | head -n 1)")
	ln -s /etc/passwd "$leaf/1796000000000000.000000000000,0"
	drain "$T/a" >/dev/null
	mq-replay "$T/a" 2>/dev/null
	[ "$(drain "$T/a")" = real ]
	[ ! -e "$T/a/tmp/passwd" ]
}
