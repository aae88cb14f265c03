#!/usr/bin/env bats
# mq-ack: complete leases (mq-ack(1), and mq(7) on safety).

load helper

@test "acks a lease: the message is deleted" {
	put "$Q" x
	l=$(mq-take "$Q")
	run mq-ack "$l"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "reads leases from stdin, one a line" {
	put "$Q" a b c
	mq-take -n 3 "$Q" | mq-ack
	[ "$(messages "$Q")" -eq 0 ]
}

@test "-0 reads NUL-terminated leases" {
	put "$Q" a b
	mq-take -0 -n 2 "$Q" | mq-ack -0
	[ "$(messages "$Q")" -eq 0 ]
}

@test "with keep, the message moves to done/ stamped with the ack time" {
	mkdir -p "$Q" && echo 'keep=1h' >"$Q/config"
	id=$(mq-put "$Q" <<<"kept")
	l=$(mq-take -t 1h "$Q")
	now=$(date +%s)
	run mq-ack "$l"
	[ "$status" -eq 0 ]
	[ "$(files "$Q" "done")" = "$Q/done/$id,1" ]
	[ "$(cat "$Q/done/$id,1")" = kept ]
	t=$(mtime "$Q/done/$id,1")
	[ "$t" -ge $((now - 1)) ]
	[ "$t" -le $((now + 1)) ]
}

@test "kept messages older than keep are removed by a later ack" {
	mkdir -p "$Q" && echo 'keep=1s' >"$Q/config"
	put "$Q" a b
	mq-take "$Q" | mq-ack
	[ "$(count "$Q" "done")" -eq 1 ]
	sleep 1.1
	mq-take "$Q" | mq-ack
	[ "$(count "$Q" "done")" -eq 1 ]
	[ "$(cat "$(files "$Q" "done")")" = b ]
}

@test "a lease no longer held exits 2 and touches nothing" {
	put "$Q" x
	l=$(mq-take "$Q")
	mq-ack "$l"
	put "$Q" y
	run mq-ack "$l"
	[ "$status" -eq 2 ]
	[ "$output" = "mq-ack: $l: lease lost (expired and redelivered, or already completed)" ]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "an unknown lease with a valid name exits 2" {
	put "$Q" x
	run mq-ack "$Q/cur/1234567890123456.abcdefabcdef,1"
	[ "$status" -eq 2 ]
}

@test "a copy of /etc/passwd is not a lease (65) and is left untouched" {
	put "$Q" x
	cp /etc/passwd passwd
	run mq-ack "$PWD/passwd"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-ack: $PWD/passwd: not a lease (expected SPOOL/cur/NAME)" ]
	cmp /etc/passwd passwd
	mkdir -p other/cur && cp /etc/passwd other/cur/passwd
	run mq-ack other/cur/passwd
	[ "$status" -eq 65 ]
	[ "$output" = "mq-ack: other/cur/passwd: not a lease (the name is not ID,ATTEMPT)" ]
	cmp /etc/passwd other/cur/passwd
}

@test "a path with .. is refused (65) and left untouched" {
	put "$Q" x
	l=$(mq-take "$Q")
	name=$(basename "$l")
	for p in "$Q/cur/../cur/$name" "$Q/../q/cur/$name" "$Q/new/../cur/$name"; do
		run mq-ack "$p"
		[ "$status" -eq 65 ]
		[ "$output" = "mq-ack: $p: not a lease (a '..' in the path)" ]
	done
	[ -f "$l" ]
}

@test "a symlink in cur/ is refused (65); neither it nor its target is touched" {
	put "$Q" x
	cp /etc/passwd target
	ln -s "$PWD/target" "$Q/cur/1234567890123456.abcdefabcdef,1"
	run mq-ack "$Q/cur/1234567890123456.abcdefabcdef,1"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-ack: $Q/cur/1234567890123456.abcdefabcdef,1: not a lease (not a regular file)" ]
	[ -L "$Q/cur/1234567890123456.abcdefabcdef,1" ]
	cmp /etc/passwd target
}

@test "a directory in cur/ is refused (65) and left" {
	put "$Q" x
	mkdir "$Q/cur/1234567890123456.abcdefabcdef,1"
	run mq-ack "$Q/cur/1234567890123456.abcdefabcdef,1"
	[ "$status" -eq 65 ]
	[ -d "$Q/cur/1234567890123456.abcdefabcdef,1" ]
}

@test "a cur/ that is a symlink to another spool's cur/ is refused" {
	put "$Q" x
	l=$(mq-take "$Q")
	mkdir -p fake/tmp fake/new fake/dlq fake/done
	ln -s "$Q/cur" fake/cur
	run mq-ack "fake/cur/$(basename "$l")"
	[ "$status" -eq 65 ]
	[ -f "$l" ]
}

@test "a file named like a lease in a cur/ outside any spool is refused" {
	mkdir -p notaspool/cur
	echo data >"notaspool/cur/1234567890123456.abcdefabcdef,1"
	run mq-ack "notaspool/cur/1234567890123456.abcdefabcdef,1"
	[ "$status" -eq 66 ]
	[ -f "notaspool/cur/1234567890123456.abcdefabcdef,1" ]
}

@test "a message in new/ is not a lease" {
	put "$Q" x
	f=$(files "$Q" new)
	run mq-ack "$f"
	[ "$status" -eq 65 ]
	[ -f "$f" ]
}

@test "each operand is handled; the exit status is the worst" {
	put "$Q" a b
	mapfile -t l < <(mq-take -n 2 "$Q")
	run mq-ack "${l[0]}" /etc/passwd "$Q/cur/1234567890123456.abcdefabcdef,1" "${l[1]}"
	[ "$status" -eq 65 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "with no operands and a terminal on stdin, prints usage (64)" {
	command -v script >/dev/null || skip "script(1) is not installed"
	run script -qec "mq-ack" /dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"usage: mq-ack [-0] [lease...]"* ]]
}

@test "blank lines on stdin are skipped" {
	put "$Q" a
	one=$(mq-take "$Q")
	run mq-ack < <(printf '\n%s\n\n' "$one")
	[ "$status" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "acking races with expiry: each message is acked or leased again, never both" {
	seq 1 300 | mq-put -l "$Q" >/dev/null
	mq-take -n 300 -t 1ms "$Q" >leases
	(mq-ack <leases 2>ackerr || true) &
	(while mq-take -n 10 -t 1h "$Q" >>retaken; do :; done) &
	reap_all
	touch retaken
	lost=$(grep -c 'lease lost' ackerr || true)
	again=$(grep -c . retaken || true)
	echo "lost $lost, leased again $again" >&2
	[ "$lost" -eq "$again" ]
	[ "$(count "$Q" cur)" -eq "$again" ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" dlq)" -eq 0 ]
}
