#!/usr/bin/env bats
# mq-park (and mq-kick as its way back): out of delivery and back
# (mq-park(1); tests/mq-kick.bats for delayed messages).

load helper
bats_require_minimum_version 1.5.0

state_of() {
	mq-ls -s all "$1" -- "$2" | sed -n '2s/^[^ ]* *\([a-z]*\).*/\1/p'
}

@test "a parked message is not taken, keeps its attempts, and is ready when kicked" {
	mkdir -p "$Q" && printf 'backoff=1h\n' >"$Q/config"
	id=$(mq-put "$Q" <<<"job")
	mq-retry -r 'HTTP 503' "$(mq-take "$Q")"	# attempt 1 spent
	run mq-park -v "$Q" "$id"
	[ "$output" = "$id delayed" ]
	[ "$(state_of "$Q" "$id")" = parked ]
	[ -f "$Q/parked/$id,1" ]
	run -1 mq-take "$Q"
	run mq-kick -v "$Q" "$id"
	[ "$output" = "$id parked" ]
	[ "$(state_of "$Q" "$id")" = ready ]
	[ "$(mq-take "$Q")" = "$Q/cur/$id,2" ]	# attempt 2: none spent parked
}

@test "a group keeps its order through park and kick: its front parked holds it, a member parked comes back in its place" {
	for i in 1 2 3 4; do mq-put -g g "$Q" <<<"m$i" >"id.$i"; done
	mq-park "$Q" "$(cat id.3)"			# held: out of the trie
	[ "$(state_of "$Q" "$(cat id.3)")" = parked ]
	mq-park "$Q" "$(cat id.1)"			# the front: the group waits
	run -1 mq-take "$Q"
	[ "$(mq-ls -s held "$Q" | sed 1d | cut -d' ' -f1)" = "$(printf '%s\n%s' "$(cat id.2)" "$(cat id.4)")" ]
	mq-kick "$Q" "$(cat id.3)" "$(cat id.1)"
	got=
	while l=$(mq-take "$Q"); do
		got="$got$(cat "$l")"
		[ -z "$(mq-take "$Q")" ] || false	# one at a time
		mq-ack "$l"
	done
	[ "$got" = m1m2m3m4 ]
}

@test "-g parks a whole group; -s ALL; -n changes nothing; bad input said" {
	for i in 1 2 3; do mq-put -g g "$Q" <<<"g$i" >/dev/null; done
	seq 1 4 | mq-put -l "$Q" >/dev/null
	before=$(find "$Q" -printf '%p %T@\n' | sort)
	run mq-park -n -g g "$Q"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(find "$Q" -printf '%p %T@\n' | sort)" = "$before" ]
	mq-park -g g "$Q"
	[ "$(mq-ls -s parked "$Q" | sed 1d | wc -l)" -eq 3 ]
	mq-park -s ready "$Q" ALL
	[ "$(mq-ls -s parked "$Q" | sed 1d | wc -l)" -eq 7 ]
	run -1 mq-take "$Q"
	mq-kick -s parked "$Q" ALL
	[ "$(mq-ls -s ready,held "$Q" | sed 1d | wc -l)" -eq 7 ]
	id=$(mq-take "$Q" | sed 's|.*/||; s|,.*||')
	run -2 mq-park "$Q" "$id"
	[ "$output" = "mq-park: $id: leased: not parked" ]
	run -64 mq-park -f "$Q" "$id"
	run -64 mq-kick "$Q" ALL
	run -65 mq-kick "$Q" nonsense
	run -2 mq-kick "$Q" 1796000000000000.000000000000
	run -66 mq-park "$BATS_TEST_TMPDIR/none" 1796000000000000.000000000000
}

@test "mq-rm and mq-ls know the parked; mq-wait waits on them" {
	id=$(mq-put "$Q" <<<"x")
	mq-park "$Q" "$id"
	run -1 mq-wait -t 100ms "$Q" "$id"
	mq-rm -v "$Q" "$id" >out
	[ "$(cat out)" = "$id parked" ]
	[ -z "$(mq-ls -s all "$Q" | sed 1d)" ]
}

@test "kill -9 of mq-park and mq-kick at random points: one state each, nothing lost, the group in order" {
	for i in $(seq 1 60); do mq-put -g g "$Q" <<<"$i" >/dev/null; done
	seq 101 300 | mq-put -l "$Q" >/dev/null
	for _ in $(seq 1 10); do
		for p in "mq-park -s ready,held" "mq-kick -s parked"; do
			$p "$Q" ALL 2>/dev/null &
			pid=$!
			sleep "0.0$((RANDOM % 9 + 1))"
			kill -9 "$pid" 2>/dev/null || true
			reap "$pid" || true
			[ -z "$({ find "$Q/new" "$Q/cur" "$Q/dlq" "$Q/done" "$Q/parked" -type f -printf '%f\n'
			    find "$Q/group" -mindepth 5 -type f -printf '%f\n' 2>/dev/null; } | cut -d, -f1 | sort | uniq -d)" ]
		done
	done
	mq-kick -s parked "$Q" ALL
	[ "$(mq-ls -s all "$Q" | sed 1d | wc -l)" -eq 260 ]
	got=$(while l=$(mq-take "$Q"); do printf '%s\n' "$(cat "$l")"; mq-ack "$l"; done)
	[ "$(sort -n <<<"$got")" = "$(seq 1 60; seq 101 300)" ]
	[ "$(grep -x '[0-9]\|[0-5][0-9]\|60' <<<"$got" | tr '\n' ' ')" = "$(seq 1 60 | tr '\n' ' ')" ]
}

@test "a parked message still counts against max_depth: park, put, kick never go past it" {
	mkdir -p "$Q" && echo 'max_depth=3' >"$Q/config"
	seq 1 3 | mq-put -l "$Q" >ids
	mq-park "$Q" "$(sed -n 1p ids)" "$(sed -n 2p ids)"
	run -75 mq-put "$Q" <<<"fourth"
	mq-kick -s parked "$Q" ALL
	[ "$(mq-ls -s ready "$Q" | sed 1d | wc -l)" -eq 3 ]
}

@test "a held member parked holds its group: nothing after it goes out until it is kicked back" {
	for i in 1 2 3; do mq-put -g g "$Q" <<<"m$i" >>ids; done
	mq-park "$Q" "$(sed -n 2p ids)"		# held behind m1
	mq-ack "$(mq-take "$Q")"			# m1 done
	run -1 mq-take "$Q"				# m3 waits for m2
	[ -z "$output" ]
	[ "$(mq-ls -s held "$Q" | sed 1d | cut -d' ' -f1)" = "$(sed -n 3p ids)" ]
	mq-kick "$Q" "$(sed -n 2p ids)"
	l=$(mq-take "$Q")
	[ "$(cat "$l")" = m2 ]
	mq-ack "$l"
	[ "$(mq-take "$Q" | xargs cat)" = m3 ]
	# a mark left by a crash before its member went is cleaned up
	mq-put -g h "$Q" <<<"h1" >/dev/null
	mq-put -g h "$Q" <<<"h2" >/dev/null
	: >"$Q/group/h/=1796000000000000.000000000000,0,0,h"
	mq-ack "$(mq-take "$Q" | head -n 1)"
	[ "$(mq-take "$Q" | xargs cat)" = h2 ]
	[ ! -e "$Q/group/h/=1796000000000000.000000000000,0,0,h" ]
}
