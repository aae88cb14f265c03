#!/usr/bin/env bats
# mq-wait: waiting until messages are settled (mq-wait(1)).

load helper
bats_require_minimum_version 1.5.0

@test "waits for an ack: 0; -v says how each one settled" {
	mkdir -p "$Q" && echo 'keep=1h' >"$Q/config"
	id=$(mq-put "$Q" <<<"job")
	mq-wait -v "$Q" "$id" >out &
	pid=$!
	sleep 0.2
	alive "$pid"				# still waiting
	mq-take "$Q" | mq-ack
	reap "$pid"
	[ "$(cat out)" = "$id acked" ]
}

@test "a message acked and gone (no keep) is 0, said as gone" {
	id=$(mq-put "$Q" <<<"job")
	mq-run "$Q" cat >/dev/null
	run mq-wait -v "$Q" "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mq-wait: $id: not in $Q (acknowledged and gone, or never put)" ]
	[ "${lines[1]}" = "$id gone" ]
}

@test "one dead among them: 65, each told" {
	mkdir -p "$Q" && printf 'keep=1h\n' >"$Q/config"
	ok=$(mq-put "$Q" <<<"ok")
	bad=$(mq-put "$Q" <<<"bad")
	mq-wait -v "$Q" "$ok" "$bad" >out 2>err &
	pid=$!
	mq-run "$Q" sh -c '[ "$(cat)" = ok ] || exit 65'
	st=0
	reap "$pid" || st=$?
	[ "$st" -eq 65 ]
	[ "$(sort out)" = "$(printf '%s acked\n%s dead' "$ok" "$bad" | sort)" ]
	[ ! -s err ]
}

@test "-t: still pending at the timeout is 1; a lease taken and held is pending" {
	id=$(mq-put "$Q" <<<"job")
	run -1 mq-wait -v -t 200ms "$Q" "$id"
	[ "$output" = "$id pending" ]
	l=$(mq-take "$Q")
	run -1 mq-wait -t 100ms "$Q" "$id"
	mq-retry "$l"
	run -1 mq-wait -t 100ms "$Q" "$id"	# retried: still to be done
}

@test "the ids from stdin: mq-put | mq-wait" {
	mkdir -p "$Q" && echo 'keep=1h' >"$Q/config"
	(sleep 0.3; mq-run -w 2s -n 3 "$Q" cat >/dev/null) &
	pid=$!
	printf 'a\nb\nc\n' | mq-put -l "$Q" | mq-wait -v "$Q" >out
	reap "$pid"
	[ "$(wc -l <out)" -eq 3 ]
	[ "$(cut -d' ' -f2 out | sort -u)" = acked ]
	printf '%s\0' "$(cut -d' ' -f1 out | head -n 1)" | mq-wait -0 "$Q"
}

@test "bad input: not an id 65, usage 64, no spool 66, nothing asked 0" {
	run -65 mq-wait "$Q" nonsense
	[ "$output" = "mq-wait: nonsense: not a message id" ]
	run -64 mq-wait
	run -64 mq-wait -t 1x "$Q" 1796000000000000.000000000000
	run -66 mq-wait "$BATS_TEST_TMPDIR/none" 1796000000000000.000000000000
	run -0 mq-wait "$Q" </dev/null
}
