#!/usr/bin/env bats
# Fan-out: mq-put on a topic, a directory whose subdirectories are spools,
# puts each message into every subscriber under one id, as one file.

load helper
bats_require_minimum_version 1.5.0

T() {
	printf '%s/topic' "$BATS_TEST_TMPDIR"
}

subscribe() {
	local s
	for s in "$@"; do
		mkdir -p "$(T)/$s"
	done
}

# The file of message $2 in new/ of subscriber $1.
in_new() {
	find "$(T)/$1/new" -type f -name "$2,0"
}

@test "a put to a topic reaches every subscriber: same id, one payload inode" {
	subscribe email inventory analytics
	head -c 100000 /dev/urandom >payload
	run -0 mq-put "$(T)" payload
	id=$output
	[ "${#lines[@]}" -eq 1 ]
	inodes=""
	for s in analytics email inventory; do
		f=$(in_new "$s" "$id")
		[ -n "$f" ] && cmp "$f" payload
		[ "$(stat -c %h "$f")" -eq 3 ]
		inodes="$inodes $(stat -c %i "$f")"
		[ "$(count "$(T)/$s" tmp)" -eq 0 ]
	done
	[ "$(tr ' ' '\n' <<<"$inodes" | sort -u | grep -c .)" -eq 1 ]
}

@test "-l to a topic: every line to every subscriber, in one batch" {
	subscribe a b
	seq 1 500 | mq-put -l "$(T)" >ids
	[ "$(wc -l <ids)" -eq 500 ]
	for s in a b; do
		[ "$(count "$(T)/$s" new)" -eq 500 ]
	done
	[ "$(cat "$(find "$(T)/b/new" -name "$(sed -n 7p ids),0")")" = 7 ]
	[ "$(mq-stat -o json "$(T)" | jq -c '[.spool, .ready, .put_total]' | tr '\n' ' ')" = "[\"$(T)/a\",500,500] [\"$(T)/b\",500,500] " ]
}

@test "a subscriber made later receives only later messages" {
	subscribe email
	put "$(T)" first
	subscribe audit
	put "$(T)" second
	[ "$(count "$(T)/email" new)" -eq 2 ]
	[ "$(count "$(T)/audit" new)" -eq 1 ]
	[ "$(cat "$(mq-take "$(T)/audit")")" = second ]
}

@test "a take in one subscriber leaves the others' copies alone" {
	subscribe a b c
	id=$(echo hello | mq-put "$(T)")
	before=$(stat -c %Y "$(in_new b "$id")")
	l=$(mq-take -t 1h "$(T)/a")
	# a's lease is a copy of its own: its deadline is not b's or c's
	[ "$(stat -c %h "$l")" -eq 1 ]
	[ "$(stat -c %h "$(in_new b "$id")")" -eq 2 ]
	[ "$(stat -c %Y "$(in_new b "$id")")" = "$before" ]
	[ "$(stat -c %i "$(in_new b "$id")")" = "$(stat -c %i "$(in_new c "$id")")" ]
	[ "$(count "$(T)/a" tmp)" -eq 0 ]
	[ "$(cat "$l")" = hello ]
	# b can take it at once, and its lease is its own too
	lb=$(mq-take "$(T)/b")
	[ "$(cat "$lb")" = hello ]
	mq-ack "$l" "$lb"
	[ "$(stat -c %h "$(in_new c "$id")")" -eq 1 ]
	lc=$(mq-take "$(T)/c")
	[ "$(cat "$lc")" = hello ]
	mq-retry -d 1h "$lc"
	[ -z "$(mq-take "$(T)/c")" ]
}

@test "-k on a topic: the key is kept by the first subscriber; a repeat changes nothing anywhere" {
	subscribe b a
	id=$(mq-put -k order-7 "$(T)" <<<"x")
	[ "$(cat "$(T)/a/key/order-7")" = "$id" ]
	[ ! -e "$(T)/b/key" ]
	run -0 mq-put -k order-7 "$(T)" <<<"x"
	[ "$output" = "$id" ]
	for s in a b; do
		[ "$(count "$(T)/$s" new)" -eq 1 ]
	done
}

@test "-m on a topic: refused (75) when any subscriber is full, and nothing is put" {
	subscribe fast slow
	put "$(T)" one two
	mq-take -n 2 "$(T)/fast" | mq-ack
	run -75 mq-put -m 2 "$(T)" <<<"three"
	[ "$output" = "mq-put: $(T)/slow: spool full (2 messages, limit 2)" ]
	[ "$(count "$(T)/fast" new)" -eq 0 ]
	[ "$(count "$(T)/slow" new)" -eq 2 ]
	echo 'max_depth=5' >"$(T)/slow/config"
	run -0 mq-put "$(T)" <<<"three"
}

@test "-g on a topic: each subscriber orders the group by itself" {
	subscribe a b
	for m in 1 2 3; do
		echo "$m" | mq-put -g G "$(T)" >/dev/null
	done
	la=$(mq-take "$(T)/a")
	[ "$(cat "$la")" = 1 ]
	[ -z "$(mq-take "$(T)/a")" ]
	mq-ack "$la"
	[ "$(cat "$(mq-take "$(T)/a")")" = 2 ]
	[ "$(cat "$(mq-take "$(T)/b")")" = 1 ]
}

@test "what is not a subscriber: dot directories, files, symbolic links (skipped, said)" {
	subscribe real
	mkdir -p "$(T)/.hidden" elsewhere
	echo x >"$(T)/README"
	ln -s "$PWD/elsewhere" "$(T)/link"
	run -0 mq-put "$(T)" <<<"m"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "mq-put: $(T): link: a symbolic link, not a subscriber" ]
	[ "$(count "$(T)/real" new)" -eq 1 ]
	[ -z "$(ls -A elsewhere)" ]
	[ -z "$(ls -A "$(T)/.hidden")" ]
}

@test "a spool is never taken for a topic" {
	put "$Q" one
	mkdir "$Q/extra"
	put "$Q" two
	[ "$(count "$Q" new)" -eq 2 ]
	[ -z "$(ls -A "$Q/extra")" ]
}

@test "kill -9 at random moments: a reported put is in every subscriber, byte for byte" {
	subscribe a b c
	head -c 300000 /dev/urandom >big
	for _ in $(seq 1 30); do
		mq-put "$(T)" big >>ids 2>/dev/null &
		sleep "0.00$((RANDOM % 10))"
		kill -9 $! 2>/dev/null || true
		reap_all
	done
	grep -q . ids || mq-put "$(T)" big >>ids
	while read -r id; do
		for s in a b c; do
			cmp "$(in_new "$s" "$id")" big
		done
	done <ids
	# whatever else a subscriber got is whole too (a put that was cut
	# short may reach some subscribers and not others)
	[ -z "$(find "$(T)"/*/new -type f ! -exec cmp -s big {} \; -print)" ]
}

@test "a topic's subscriber on another file system gets a copy" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	subscribe local
	mkdir -p "$(T)/remote"
	mount -t tmpfs -o size=8m tmpfs "$(T)/remote" || skip "cannot mount a tmpfs"
	run mq-put "$(T)" <<<"both"
	st=$status
	id=$output
	got=$(cat "$(find "$(T)/remote/new" -type f -name "$id,0")" 2>/dev/null || true)
	umount "$(T)/remote"
	[ "$st" -eq 0 ]
	[ "$got" = both ]
	[ "$(cat "$(in_new local "$id")")" = both ]
}
