#!/usr/bin/env bats
# mq-rm: deleting messages that are not leased (mq-rm(1)).

load helper
bats_require_minimum_version 1.5.0

# No message in two states, and no stray file in the state directories:
# one file per id (two links to one file are a move a kill left half
# done, a group's member linked into new/ before it leaves the trie, which
# the next look finishes: one message).
one_state_each() {
	[ -z "$({ find "$1/new" "$1/cur" "$1/dlq" "$1/done" -type f -printf '%i %f\n'
	    find "$1/group" -mindepth 5 -type f -printf '%i %f\n' 2>/dev/null; } |
	    cut -d, -f1 | sort -u | cut -d' ' -f2 | sort | uniq -d)" ]
}

@test "each state but leased: gone with its reason; a lease refused (2) unless -f" {
	mkdir -p "$Q" && printf 'keep=1h\nbackoff=1h\n' >"$Q/config"
	for p in dead "done" leased retried ready; do
		mq-put "$Q" <<<"$p" >"id.$p"
	done
	mq-put -d 1h "$Q" <<<"later" >id.later
	l=$(mq-take -n 4 "$Q")
	mq-dlq -r 'poison' "$(grep "$(cat id.dead)" <<<"$l")"
	mq-ack "$(grep "$(cat id.done)" <<<"$l")"
	mq-retry -r 'HTTP 503' "$(grep "$(cat id.retried)" <<<"$l")"
	lease=$(grep "$(cat id.leased)" <<<"$l")
	run -2 mq-rm "$Q" "$(cat id.leased)"
	[ "$output" = "mq-rm: $(cat id.leased): leased: not deleted (its holder may still settle it; -f anyway)" ]
	[ -e "$lease" ]
	run mq-rm -v "$Q" "$(cat id.ready)" "$(cat id.later)" "$(cat id.dead)" "$(cat id.done)" "$(cat id.retried)"
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$(cat id.ready) ready" "$(cat id.later) delayed" "$(cat id.dead) dead" "$(cat id.done) done" "$(cat id.retried) delayed" | sort)" ]
	[ "$(mq-ls -s all "$Q" | sed 1d | cut -d' ' -f1)" = "$(cat id.leased)" ]
	[ ! -e "$Q/reason/$(cat id.dead)" ]
	[ ! -e "$Q/reason/$(cat id.retried)" ]
	run mq-rm -f -v "$Q" "$(cat id.leased)"
	[ "$output" = "$(cat id.leased) leased" ]
	run -2 mq-ack "$lease"			# its holder has lost it
	[ -z "$(mq-ls -s all "$Q" | sed 1d)" ]
	[ -z "$(find "$Q/dlq" "$Q/tmp" -type f)" ]
}

@test "a group: its front gone lets the next through; a member gone keeps the others' order" {
	for i in 1 2 3 4 5; do mq-put -g g "$Q" <<<"m$i" >"id.$i"; done
	mq-rm "$Q" "$(cat id.1)" "$(cat id.3)"
	[ "$(mq-ls "$Q" | sed 1d | awk '{ print $1, $2 }')" = "$(printf '%s ready\n%s held\n%s held' "$(cat id.2)" "$(cat id.4)" "$(cat id.5)")" ]
	got=
	while l=$(mq-take "$Q"); do got="$got$(cat "$l")"; mq-ack "$l"; done
	[ "$got" = m2m4m5 ]
}

@test "-s STATES ALL: every one of them, a group emptied though its next comes forward; -n shows, changes nothing" {
	mkdir -p "$Q" && printf 'keep=1h\n' >"$Q/config"
	seq 1 20 | mq-put -l "$Q" >/dev/null
	for i in 1 2 3 4; do mq-put -g g "$Q" <<<"g$i" >/dev/null; done
	mq-take "$Q" | mq-ack
	before=$(find "$Q" -printf '%p %T@\n' | sort)
	run mq-rm -n -s ready,held "$Q" ALL
	[ "${#lines[@]}" -eq 23 ]
	[ "$(find "$Q" -printf '%p %T@\n' | sort)" = "$before" ]
	mq-rm -s ready,held "$Q" ALL
	[ -z "$(mq-ls "$Q" | sed 1d)" ]
	[ "$(mq-ls -s "done" "$Q" | sed 1d | wc -l)" -eq 1 ]
	run -64 mq-rm "$Q" ALL
	[ "${lines[0]}" = "mq-rm: ALL: of which states? (-s ready,delayed,...)" ]
	run -64 mq-rm -s ready "$Q"
	run -65 mq-rm "$Q" nonsense
	run -2 mq-rm "$Q" 1796000000000000.000000000000
	[ "$output" = "mq-rm: 1796000000000000.000000000000: no such message in $Q" ]
	run -66 mq-rm "$BATS_TEST_TMPDIR/none" 1796000000000000.000000000000
}

@test "keys: one whose message is deleted undone goes (the put can be made again); a done one's stays" {
	mkdir -p "$Q" && printf 'keep=1h\n' >"$Q/config"
	mq-put -k order-7 "$Q" <<<"first" >id.first
	mq-put -k order-8 "$Q" <<<"other" >id.other
	[ "$(mq-put -k order-7 "$Q" <<<"again")" = "$(cat id.first)" ]	# a duplicate
	mq-rm "$Q" "$(cat id.first)"
	[ ! -e "$Q/key/order-7" ]
	[ "$(cat "$Q/key/order-8")" = "$(cat id.other)" ]	# another's key stays
	mq-put -k order-7 "$Q" <<<"second" >id.second
	[ "$(cat id.second)" != "$(cat id.first)" ]
	[ "$(mq-ls -o paths "$Q" -- "$(cat id.second)" | xargs cat)" = second ]
	# done: the work was done, so the put is still a duplicate
	mq-take -n 5 "$Q" | mq-ack
	[ "$(mq-ls -s "done" "$Q" | sed 1d | wc -l)" -eq 2 ]
	mq-rm -s "done" "$Q" ALL
	[ "$(mq-put -k order-7 "$Q" <<<"third")" = "$(cat id.second)" ]
	# ALL of a state, and a dead one: their keys go too
	mq-put -k order-9 "$Q" <<<"nine" >id.nine
	mq-dlq "$(mq-take "$Q")"
	mq-rm -s dead "$Q" ALL
	[ ! -e "$Q/key/order-9" ]
	# -n changes nothing, keys neither
	mq-put -k order-10 "$Q" <<<"ten" >id.ten
	mq-rm -n "$Q" "$(cat id.ten)" >/dev/null
	[ "$(cat "$Q/key/order-10")" = "$(cat id.ten)" ]
}

@test "ids from stdin: mq-ls -s dead ... | mq-rm" {
	mkdir -p "$Q" && printf 'max_attempts=1\n' >"$Q/config"
	seq 1 5 | mq-put -l "$Q" >/dev/null
	mq-run "$Q" false
	[ "$(mq-ls -s dead "$Q" | sed 1d | wc -l)" -eq 5 ]
	mq-ls -o json -s dead "$Q" | sed 's/^{"spool":"[^"]*","id":"\([^"]*\)".*/\1/' | mq-rm "$Q"
	[ -z "$(find "$Q/dlq" -type f)" ]
}

@test "mq-rm ALL racing a drain: each message worked once or deleted, never both, one state each" {
	mkdir -p "$Q" && echo 'keep=1h' >"$Q/config"
	seq 1 400 | mq-put -l "$Q" >/dev/null
	for i in $(seq 1 40); do mq-put -g "g$((i % 4))" "$Q" <<<"g$i" >/dev/null; done
	mq-run -P 2 "$Q" cat >/dev/null &
	pid=$!
	mq-rm -v -s ready,held,delayed "$Q" ALL >removed
	reap "$pid"
	one_state_each "$Q"
	[ -z "$(find "$Q/new" "$Q/cur" "$Q/dlq" -type f)" ]
	mq-ls -s "done" "$Q" | sed 1d | cut -d' ' -f1 >acked
	[ "$(( $(wc -l <acked) + $(wc -l <removed) ))" -eq 440 ]
	[ -z "$(cut -d' ' -f1 removed | sort - acked | uniq -d)" ]
}

@test "kill -9 of mq-rm at random points: nothing in two states, a group never ahead of itself; run again, all gone" {
	for i in $(seq 1 120); do mq-put -g "g$((i % 3))" "$Q" <<<"$i" >/dev/null; done
	seq 1 200 | mq-put -l "$Q" >/dev/null
	for _ in $(seq 1 12); do
		mq-rm -s ready,held,delayed "$Q" ALL 2>/dev/null &
		pid=$!
		sleep "0.0$((RANDOM % 9 + 1))"
		kill -9 "$pid" 2>/dev/null || true
		reap "$pid" || true
		one_state_each "$Q"
		# each group: one member at most out of its trie
		for g in g0 g1 g2; do
			[ "$(find "$Q/new" -type f -name "*,$g" | wc -l)" -le 1 ]
		done
	done
	mq-rm -s ready,held,delayed "$Q" ALL
	# a kill between the two steps of a removal leaves a dead letter
	# that says so (or, killed as its reason went, says nothing)
	if [ -n "$(find "$Q/dlq" -type f)" ]; then
		[ -z "$(find "$Q/reason" -type f -exec cat {} + 2>/dev/null | grep -vx 'removed by mq-rm')" ]
		mq-rm -s dead "$Q" ALL
	fi
	[ -z "$(mq-ls -s all "$Q" | sed 1d)" ]
	[ -z "$(find "$Q/tmp" -type f | grep -Ev '/[0-9]{16}\.[0-9a-f]{12}\.r[0-9]+$')" ]
}
