#!/usr/bin/env bats
# mq-retry: give leases back for another attempt (mq-retry(1)).

load helper

@test "-d 0 makes the message ready at once; the next lease is attempt 2" {
	id=$(mq-put "$Q" <<<"payload")
	l=$(mq-take "$Q")
	run mq-retry -d 0 "$l"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ "$(find "$Q/new" -type f -name "$id,1" | wc -l)" -eq 1 ]
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "$output" = "$Q/cur/$id,2" ]
	[ "$(cat "$output")" = payload ]
}

@test "-d delays the message: not ready before, ready after" {
	put "$Q" x
	l=$(mq-take "$Q")
	before=$(now_ms)
	mq-retry -d 700ms "$l"
	f=$(find "$Q/new" -type f)
	t=$(mtime_ms "$f")
	[ "$t" -ge $((before + 700)) ]
	[ "$t" -le $(($(now_ms) + 700)) ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	sleep 0.8
	run mq-take "$Q"
	[ "$status" -eq 0 ]
}

@test "the default delay is the backoff, doubled per attempt, capped, jittered" {
	mkdir -p "$Q"
	printf 'backoff=300ms\nbackoff_max=1s\nmax_attempts=9\n' >"$Q/config"
	put "$Q" x
	# attempt: the delay d, observed between d/2 and d
	for d in 300 600 1000 1000; do
		l=$(mq-take "$Q")
		before=$(now_ms)
		mq-retry "$l"
		after=$(now_ms)
		t=$(mtime_ms "$(find "$Q/new" -type f)")
		if [ "$t" -lt $((before + d / 2)) ] || [ "$t" -gt $((after + d)) ]; then
			echo "attempt delay $d: ready $((t - before)) ms after" >&2
			return 1
		fi
		run mq-take "$Q"	# not before its time
		[ "$status" -eq 1 ]
		while [ "$(now_ms)" -le "$t" ]; do sleep 0.05; done
	done
	l=$(mq-take "$Q")
	[[ "$l" == *,5 ]]
}

@test "the jitter spreads retries between half the backoff and all of it" {
	mkdir -p "$Q" && echo 'backoff=10s' >"$Q/config"
	seq 1 30 | mq-put -l "$Q" >/dev/null
	mq-take -n 30 "$Q" >leases
	before=$(now_ms)
	mq-retry <leases
	after=$(now_ms)
	find "$Q/new" -type f -exec stat -c %.3Y {} + | tr -d . | sort -u >stamps
	[ "$(wc -l <stamps)" -gt 1 ]	# not all the same
	while read -r t; do
		[ "$t" -ge $((before + 5000)) ]
		[ "$t" -le $((after + 10000)) ]
	done <stamps
}

@test "-r keeps the reason in reason/ID, readable with cat" {
	id=$(mq-put "$Q" <<<"x")
	l=$(mq-take "$Q")
	mq-retry -r "upstream said 503" "$l"
	[ "$(cat "$Q/reason/$id")" = "upstream said 503" ]
	l=$(mq-take "$Q" || sleep 1.1; mq-take "$Q")
	mq-retry -d 0 -r "timeout" "$l"
	[ "$(cat "$Q/reason/$id")" = "timeout" ]
}

@test "the reason goes when the message is acked" {
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-retry -d 0 -r "first try failed"
	[ -f "$Q/reason/$id" ]
	mq-take "$Q" | mq-ack
	[ ! -e "$Q/reason/$id" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a message that has used max_attempts goes to dlq/ with the reason" {
	mkdir -p "$Q" && echo 'max_attempts=2' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-retry -d 0
	l=$(mq-take "$Q")
	run mq-retry -r "still broken" "$l"
	[ "$status" -eq 0 ]
	[ "$output" = "mq-retry: $l: attempts used up (2 of max_attempts 2), dead-lettered" ]
	[ "$(files "$Q" dlq)" = "$Q/dlq/$id,2" ]
	[ "$(cat "$Q/reason/$id")" = "still broken" ]
	[ "$(count "$Q" new)" -eq 0 ]
}

@test "at max_attempts without -r the system gives the reason" {
	mkdir -p "$Q" && echo 'max_attempts=1' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-retry 2>/dev/null
	[ "$(cat "$Q/reason/$id")" = "attempts ran out: retried on attempt 1 of 1" ]
}

@test "reads leases from stdin, one a line, or NUL-terminated with -0" {
	seq 1 3 | mq-put -l "$Q" >/dev/null
	mq-take -n 3 "$Q" | mq-retry -d 0
	[ "$(count "$Q" new)" -eq 3 ]
	mq-take -0 -n 3 "$Q" | mq-retry -0 -d 0
	[ "$(count "$Q" new)" -eq 3 ]
	[ "$(mq-take -n 3 "$Q" | grep -c ',3$')" -eq 3 ]
}

@test "a lease no longer held exits 2 and touches nothing" {
	id=$(mq-put "$Q" <<<"x")
	l=$(mq-take "$Q")
	mq-retry -d 0 "$l"
	run mq-retry -d 0 -r late "$l"
	[ "$status" -eq 2 ]
	[ "$output" = "mq-retry: $l: lease lost (expired and redelivered, or already completed)" ]
	[ "$(find "$Q/new" -type f -name "$id,1" | wc -l)" -eq 1 ]
}

@test "a stale holder cannot retry the next delivery's lease" {
	id=$(mq-put "$Q" <<<"x")
	old=$(mq-take -t 100ms "$Q")
	sleep 0.2
	new=$(mq-take "$Q")
	[ "$new" = "$Q/cur/$id,2" ]
	run mq-retry "$old"
	[ "$status" -eq 2 ]
	[ -f "$new" ]
}

@test "what is not a lease exits 65 and is left untouched" {
	put "$Q" x
	cp /etc/passwd passwd
	run mq-retry "$PWD/passwd"
	[ "$status" -eq 65 ]
	cmp /etc/passwd passwd
	f=$(find "$Q/new" -type f)
	run mq-retry "$f"
	[ "$status" -eq 65 ]
	[ -f "$f" ]
	ln -s "$PWD/passwd" "$Q/cur/1234567890123456.abcdefabcdef,1"
	run mq-retry -d 0 "$Q/cur/1234567890123456.abcdefabcdef,1"
	[ "$status" -eq 65 ]
	[ -L "$Q/cur/1234567890123456.abcdefabcdef,1" ]
	[ "$(count "$Q" new)" -eq 1 ]
	run mq-retry "$Q/cur/../new/x,1"
	[ "$status" -eq 65 ]
}

@test "several operands: each is handled, the status is the worst" {
	seq 1 2 | mq-put -l "$Q" >/dev/null
	mapfile -t held < <(mq-take -n 2 "$Q")
	run mq-retry -d 0 "${held[0]}" /etc/passwd "$Q/cur/1234567890123456.abcdefabcdef,1" "${held[1]}"
	[ "$status" -eq 65 ]
	[ "$(count "$Q" new)" -eq 2 ]
}

@test "usage errors exit 64 and touch nothing" {
	put "$Q" x
	l=$(mq-take "$Q")
	for args in "-d 5x" "-d -1" "-r ''" "-x"; do
		eval "run mq-retry $args \"\$l\""
		[ "$status" -eq 64 ]
	done
	run mq-retry -r "$(head -c 5000 /dev/zero | tr '\0' a)" "$l"
	[ "$status" -eq 64 ]
	[ "$output" = "mq-retry: -r: reason too long (5000 bytes, at most 4096)" ]
	[ -f "$l" ]
	run mq-retry -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: mq-retry [-0] [-d delay] [-r reason] [lease...]" ]
}

@test "racing the lease's expiry never loses or duplicates a message" {
	mkdir -p "$Q" && echo 'max_attempts=1000' >"$Q/config"
	seq 1 200 | mq-put -l "$Q" | sort >ids
	for round in 1 2 3 4 5; do
		# All 200 leased (a retry that lost its race may leave its
		# message waiting the few seconds of its guard: see mq.7).
		for _ in $(seq 1 80); do
			[ -n "$(find "$Q/new" -type f -newermt now)" ] || break
			sleep 0.1
		done
		mq-take -n 200 -t 300ms "$Q" >leases
		same "$(wc -l <leases)" 200
		sleep "0.$((20 + round * 3))"	# around the deadline
		# Retries of every lease against takers reclaiming the same
		# leases as they expire.
		xargs -P 4 -n 10 mq-retry -d 0 <leases >/dev/null 2>retry.err &
		for _ in 1 2 3 4; do
			(for _ in $(seq 1 10); do mq-take -n 20 -t 1h "$Q"; done) >>taken &
		done
		reap_all
		# Only lost leases may fail, never anything else (shown if so).
		if grep -v 'lease lost' retry.err >&2; then return 1; fi
		# Every message once, in one place, its payload intact.
		find "$Q/new" "$Q/cur" "$Q/dlq" -type f | sort -t/ -k2 >all
		[ "$(wc -l <all)" -eq 200 ]
		sed 's/,.*//; s|.*/||' all | sort | cmp - ids
		while read -r f; do cat "$f"; echo; done <all | sort -n | cmp - <(seq 1 200)
		xargs -r mq-retry -d 0 <taken
		: >taken
		[ "$(count "$Q" cur)" -eq 0 ]
	done
}

# The key (ms) of the leaf of new/ that holds file $1 (new/K1/K2/K3/NAME).
leaf_key() {
	local d=${1%/*} k3 k2 k1
	k3=${d##*/}; d=${d%/*}
	k2=${d##*/}; d=${d%/*}
	k1=${d##*/}
	echo $((k1 * 1000000 + 10#$k2 * 1000 + 10#$k3))
}

# Whether the clock has left the tenth of a second of key $1.
past_leaf() {
	[ $(($(now_ms) / 100 * 100)) -gt "$1" ]
}

@test "a leaf that cannot take one more name (ENOSPC: a full xfs): the retry goes into an earlier one, ready now" {
	command -v strace >/dev/null || skip "strace is not installed"
	id1=$(mq-put "$Q" <<<first)
	id2=$(mq-put "$Q" <<<second)
	l=$(mq-take "$Q")
	same "$l" "$Q/cur/$id1,1"
	f2=$(find "$Q/new" -type f -name "$id2,0")
	key=$(leaf_key "$f2")
	wait_for -t 2 past_leaf "$key"
	# the first rename (into the leaf of now) fails as on a full xfs
	run strace -f -o /dev/null -e trace=renameat2,renameat \
	    -e inject=renameat2,renameat:error=ENOSPC:when=1 mq-retry -d 0 "$l"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(count "$Q" cur)" -eq 0 ]
	same "$(find "$Q/new" -type f -name "$id1,1")" "${f2%/*}/$id1,1"
	run mq-ls "$Q" -- "$id1"
	[ "$status" -eq 0 ]
	[[ "$output" == *ready* ]]
	same "$(mq-take -n 2 "$Q" | xargs cat)" "first
second"
}

@test "a delayed retry that lands in an earlier leaf for want of room still waits its delay" {
	command -v strace >/dev/null || skip "strace is not installed"
	id1=$(mq-put "$Q" <<<first)
	id2=$(mq-put "$Q" <<<second)
	l=$(mq-take "$Q")
	run strace -f -o /dev/null -e trace=renameat2,renameat \
	    -e inject=renameat2,renameat:error=ENOSPC:when=1 mq-retry -d 1s "$l"
	[ "$status" -eq 0 ]
	f1=$(find "$Q/new" -type f -name "$id1,1")
	f2=$(find "$Q/new" -type f -name "$id2,0")
	same "${f1%/*}" "${f2%/*}"
	run mq-take -n 2 "$Q"
	[ "$status" -eq 0 ]
	same "$output" "$Q/cur/$id2,1"
	run mq-take -w 3 "$Q"
	[ "$status" -eq 0 ]
	same "$output" "$Q/cur/$id1,2"
}

@test "no leaf with room at all: 74 naming the lease and the reason, the lease still held" {
	command -v strace >/dev/null || skip "strace is not installed"
	id=$(mq-put "$Q" <<<first)
	put "$Q" second
	l=$(mq-take "$Q")
	run strace -f -o /dev/null -e trace=renameat2,renameat \
	    -e inject=renameat2,renameat:error=ENOSPC mq-retry -d 0 "$l"
	[ "$status" -eq 74 ]
	same "$output" "mq-retry: $l: No space left on device"
	same "$(cat "$l")" first
	[ "$(count "$Q" new)" -eq 1 ]
	[ -z "$(find "$Q/new" -name "$id,*")" ]
}
