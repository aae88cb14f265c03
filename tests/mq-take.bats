#!/usr/bin/env bats
# mq-take: lease ready messages (mq-take(1)).

load helper

leasere='/cur/[0-9]{16}\.[0-9a-f]{12},[0-9]+$'

@test "exits 1 and prints nothing when no message is ready" {
	put "$Q" x
	mq-take "$Q" >/dev/null
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "leases the message: prints SPOOL/cur/ID,1 holding the payload" {
	id=$(mq-put "$Q" <<<"payload")
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "$output" = "$Q/cur/$id,1" ]
	[ "$(cat "$output")" = payload ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 1 ]
}

@test "prints the spool as given, without trailing slashes" {
	put q x
	run mq-take q//
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^q/cur/ ]]
}

@test "a leaf of 2000 gives its messages oldest first, to single takes and to batches across its readings" {
	seq 1 2000 | mq-put -l "$Q" >ids
	# all in one leaf, made in an order of their own
	local leaf
	leaf=$(find "$Q/new" -mindepth 3 -maxdepth 3 -type d | sort | head -n 1)
	mkdir hold
	find "$Q/new" -type f -print0 | xargs -0 mv -t hold
	(cd hold && find . -type f -print0 | shuf -z | xargs -0 mv -t "$leaf")
	[ "$(find "$Q/new" -type f | wc -l)" -eq 2000 ]
	for i in 1 2 3; do mq-take "$Q"; done >got
	mq-take -n 600 "$Q" >>got	# batches of 16, 32, ...: many readings
	mq-take -n 2000 "$Q" >>got
	[ "$(sed 's|.*/||; s|,1$||' got)" = "$(cat ids)" ]
}

@test "-n leases up to count, oldest first" {
	mq-put -l "$Q" < <(printf '1\n2\n3\n4\n5\n') >ids
	run mq-take -n 3 "$Q"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	for i in 0 1 2; do
		[ "${lines[$i]}" = "$Q/cur/$(sed -n "$((i + 1))p" ids),1" ]
	done
	run mq-take -n 10 "$Q"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(cat "${lines[0]}")" = 4 ]
	[ "$(cat "${lines[1]}")" = 5 ]
}

@test "-0 ends each lease path with NUL" {
	put "$Q" a b
	mq-take -0 -n 2 "$Q" >out
	[ "$(tr -cd '\0' <out | wc -c)" -eq 2 ]
	[ "$(tr -cd '\n' <out | wc -c)" -eq 0 ]	# and no newline
	[ "$(tr '\0' '\n' <out | grep -cE "$leasere")" -eq 2 ]
}

@test "the lease's mtime is its deadline: now plus -t or timeout" {
	put "$Q" a b
	now=$(date +%s)
	l=$(mq-take -t 10m "$Q")
	t=$(mtime "$l")
	[ "$t" -ge $((now + 599)) ]
	[ "$t" -le $((now + 602)) ]
	echo 'timeout = 2h' >"$Q/config"
	l=$(mq-take "$Q")
	t=$(mtime "$l")
	[ "$t" -ge $((now + 7199)) ]
	[ "$t" -le $((now + 7202)) ]
}

@test "takes from the first listed spool that has a ready message" {
	put hi h1
	put lo l1 l2
	run mq-take -n 5 hi lo
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^hi/cur/ ]]
	run mq-take -n 5 hi lo
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^lo/cur/ ]]
	run mq-take hi lo
	[ "$status" -eq 1 ]
}

@test "a missing spool fails with 66 and nothing is taken" {
	put "$Q" x
	run mq-take "$Q" nosuch
	[ "$status" -eq 66 ]
	[ "$output" = "mq-take: nosuch: no such spool" ]
	[ "$(count "$Q" new)" -eq 1 ]
	mkdir -p notaspool/cur
	run mq-take notaspool
	[ "$status" -eq 66 ]
	[ "$output" = "mq-take: notaspool: not a spool (no tmp/)" ]
	mkdir empty		# an empty directory: a spool just made, empty
	run mq-take empty
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ -d empty/new ]
}

@test "an expired lease is delivered again under a new name; the old name's ack exits 2" {
	id=$(mq-put "$Q" <<<"again")
	old=$(mq-take -t 100ms "$Q")
	[ "$old" = "$Q/cur/$id,1" ]
	sleep 0.2
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "$output" = "$Q/cur/$id,2" ]
	new=$output
	run mq-ack "$old"
	[ "$status" -eq 2 ]
	[ "$output" = "mq-ack: $old: lease lost (expired and redelivered, or already completed)" ]
	[ "$(cat "$new")" = again ]
	run mq-ack "$new"
	[ "$status" -eq 0 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "touch extends a lease" {
	put "$Q" x
	l=$(mq-take -t 100ms "$Q")
	touch -d '+1 min' "$l"
	sleep 0.2
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ -f "$l" ]
}

@test "a message that has used max_attempts goes to dlq/ instead" {
	mkdir -p "$Q" && echo 'max_attempts=2' >"$Q/config"
	id=$(mq-put "$Q" <<<"poison")
	mq-take -t 50ms "$Q" >/dev/null
	sleep 0.1
	[ "$(mq-take -t 50ms "$Q")" = "$Q/cur/$id,2" ]
	sleep 0.1
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(files "$Q" dlq)" = "$Q/dlq/$id,2" ]
	[ "$(cat "$Q/dlq/$id,2")" = poison ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ "$(count "$Q" new)" -eq 0 ]
}

@test "a delayed message is skipped until ready, and others are taken" {
	mq-put -d 1h "$Q" <<<"later" >/dev/null
	put "$Q" now
	run mq-take -n 2 "$Q"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cat "$output")" = now ]
}

@test "a message touched into the future waits" {
	put "$Q" x
	touch -d '+1 hour' "$(files "$Q" new)"
	run mq-take "$Q"
	[ "$status" -eq 1 ]
}

@test "a file name with a newline in new/ is never printed" {
	put "$Q" good
	leaf=$(dirname "$(files "$Q" new)")
	printf 'evil' >"$leaf/$(printf '1.a,0\nrm -rf')"
	printf 'evil' >"$leaf/0000000000000000.000000000000,0 x"
	run mq-take -n 5 "$Q"
	[ "$status" -eq 0 ]
	[ "$(grep -c '/cur/' <<<"$output")" -eq 1 ]
	[[ "$output" != *'rm -rf'* ]]
	[[ "$output" == *"skipping a file whose name is outside the grammar"* ]]
	[ "$(ls "$leaf" | wc -l)" -eq 3 ]
}

@test "a symlink or a fifo in new/ is skipped, not followed" {
	put "$Q" good
	leaf=$(dirname "$(files "$Q" new)")
	echo secret >target
	ln -s "$PWD/target" "$leaf/0000000000000001.000000000000,0"
	mkfifo "$leaf/0000000000000002.000000000000,0"
	run mq-take -n 5 "$Q"
	[ "$status" -eq 0 ]
	[ "$(grep -c '/cur/' <<<"$output")" -eq 1 ]
	[ "$(cat "$(grep /cur/ <<<"$output")")" = good ]
	[ -L "$leaf/0000000000000001.000000000000,0" ]
	[ "$(cat target)" = secret ]
}

@test "a taker removes the empty past directories of new/" {
	mkdir -p "$Q/new/1000000/001/002" "$Q/new/1000001/999/000"
	put "$Q" x
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ ! -e "$Q/new/1000000" ]
	[ ! -e "$Q/new/1000001" ]
	[ "$(ls "$Q/new" | wc -l)" -eq 1 ]
}

@test "eight takers at once lease 3000 messages, each exactly once" {
	seq 1 3000 | mq-put -l "$Q" >/dev/null
	for i in 1 2 3 4 5 6 7 8; do
		(while mq-take -n 7 "$Q" >>"taken.$i"; do :; done) &
	done
	reap_all
	cat taken.* | sort >all
	[ "$(wc -l <all)" -eq 3000 ]
	[ "$(sort -u all | wc -l)" -eq 3000 ]
	grep -c ',1$' all | grep -qx 3000
	[ "$(count "$Q" cur)" -eq 3000 ]
	[ "$(count "$Q" new)" -eq 0 ]
	while read -r l; do cat "$l"; echo; done <all | sort -n >payloads
	[ "$(cat payloads)" = "$(seq 1 3000)" ]
}

@test "bad options are usage errors (64)" {
	run mq-take -n 0 "$Q"
	[ "$status" -eq 64 ]
	run mq-take -n x "$Q"
	[ "$status" -eq 64 ]
	run mq-take -t 1w "$Q"
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "mq-take: -t: bad duration '1w' (a number with an optional unit ms, s, m, h, d)" ]
	run mq-take
	[ "$status" -eq 64 ]
	run mq-take -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: mq-take [-0] [-n count] [-t timeout] [-w wait] spool..." ]
	[ "${lines[1]}" = "       mq-take -x duration [-0] [lease...]" ]
	[ "$(printf '%s\n' "$output" | grep -c '^  -')" -eq 6 ]
	run mq-take -x 1m -n 2 "$Q/cur/x,1"
	[ "$status" -eq 64 ]
}

@test "a bad config names the file, the line and the key (65), and nothing is taken" {
	put "$Q" x
	printf '# policy\ntimeout = 30s   # lease\n\nmax_attempts = many\n' >"$Q/config"
	run mq-take "$Q"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-take: $Q/config:4: max_attempts: bad number" ]
	printf 'colour=blue\n' >"$Q/config"
	run mq-take "$Q"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-take: $Q/config:1: colour: unknown key" ]
	printf 'timeout=5 minutes\n' >"$Q/config"
	run mq-take "$Q"
	[ "$status" -eq 65 ]
	[[ "$output" == "mq-take: $Q/config:1: timeout: bad duration"* ]]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "durations accept ms, s, m, h, d and a bare number of seconds" {
	put "$Q" a b c d e f
	now=$(date +%s)
	for d in 1500ms:1 90:90 2m:120 1.5h:5400 1d:86400 0.5s:0; do
		l=$(mq-take -t "${d%%:*}" "$Q")
		t=$(mtime "$l")
		want=$((now + ${d##*:}))
		[ "$t" -ge $((want - 1)) ]
		[ "$t" -le $((want + 2)) ]
	done
}

@test "a file in cur/ named ID,0 is not a lease: warned about and left" {
	put "$Q" x
	echo odd >"$Q/cur/1234567890123456.abcdefabcdef,0"
	touch -d '1 hour ago' "$Q/cur/1234567890123456.abcdefabcdef,0"
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "mq-take: $Q/cur: 1234567890123456.abcdefabcdef,0: not a lease name, skipped" ]
	[ -f "$Q/cur/1234567890123456.abcdefabcdef,0" ]
}

# -w: waiting for a message.

@test "-w returns within 200 ms of a put" {
	put "$Q" x
	mq-take "$Q" | mq-ack
	# (timed from the put's end: its fsyncs on a busy disk are not the
	# waiter's to answer for, and the waiter may even win before it)
	(sleep 0.5; put "$Q" late; now_ms >put.t) &
	l=$(mq-take -w 5s "$Q")
	t=$(now_ms)
	reap_all
	[ "$(cat "$l")" = late ]
	echo "woke $((t - $(cat put.t))) ms after the put" >&2
	[ $((t - $(cat put.t))) -lt 200 ]
}

@test "-w gives up with 1 when nothing comes, having used almost no CPU" {
	put "$Q" x
	mq-take "$Q" >/dev/null
	t0=$(now_ms)
	run /usr/bin/time -f '%U %S' mq-take -w 1s "$Q"
	t=$(($(now_ms) - t0))
	[ "$status" -eq 1 ]
	[ "$t" -ge 1000 ]
	[ "$t" -lt 3000 ]
	read -r user sys <<<"${lines[-1]}"
	[ "$(awk -v u="$user" -v s="$sys" 'BEGIN { print (u + s < 0.2) }')" = 1 ]
}

@test "-w wakes when a delayed message becomes ready, and when a lease expires" {
	put "$Q" x
	mq-take "$Q" | mq-ack
	mq-put -d 600ms "$Q" <<<"delayed" >/dev/null
	t0=$(now_ms)
	l=$(mq-take -w 5s "$Q")
	t=$(($(now_ms) - t0))
	[ "$(cat "$l")" = delayed ]
	[ "$t" -ge 550 ]
	[ "$t" -lt 1500 ]
	mq-ack "$l"
	put "$Q" y
	mq-take -t 700ms "$Q" >/dev/null
	t0=$(now_ms)
	l=$(mq-take -w 5s "$Q")
	t=$(($(now_ms) - t0))
	[[ "$l" == *,2 ]]
	[ "$t" -ge 600 ]
	[ "$t" -lt 1600 ]
}

@test "-w on several spools takes from whichever gets a message" {
	put a x && put b x
	mq-take a | mq-ack && mq-take b | mq-ack
	(sleep 0.3; put b "for b") &
	l=$(mq-take -w 5s a b)
	reap_all
	[ "$(cat "$l")" = "for b" ]
	[[ "$l" == b/cur/* ]]
}

@test "-w: a retry wakes a waiter at its ready time" {
	put "$Q" x
	l=$(mq-take "$Q")
	(sleep 0.3; mq-retry -d 200ms "$l") &
	t0=$(now_ms)
	l2=$(mq-take -w 5s "$Q")
	t=$(($(now_ms) - t0))
	reap_all
	[[ "$l2" == *,2 ]]
	[ "$t" -ge 450 ]
	[ "$t" -lt 1500 ]
}

@test "-w with a missing spool exits 66 at once and takes nothing" {
	put "$Q" x
	t0=$(now_ms)
	run mq-take -w 5s nosuch "$Q"
	[ "$status" -eq 66 ]
	[ "$output" = "mq-take: nosuch: no such spool" ]
	[ $(($(now_ms) - t0)) -lt 2000 ]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "a message another user owns is leased as the taker's own copy" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to act as another user"
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	# somewhere the other user can reach (the test directory is private)
	d=$(mktemp -d /tmp/mq-user.XXXXXX)
	chmod 755 "$d"
	put "$d/q" x
	chmod -R a+rwX "$d/q"
	run setpriv --reuid=65534 --regid=65534 --clear-groups mq-take "$d/q"
	new=$(count "$d/q" new)
	cur=$(count "$d/q" cur)
	owner=$(stat -c %u "$d"/q/cur/*)
	rm -rf "$d"
	[ "$status" -eq 0 ]
	[ "$owner" -eq 65534 ]
	[[ "$output" =~ ^"$d/q/cur/"[0-9]{16}\.[0-9a-f]{12},1$ ]]
	[ "$new" -eq 0 ]
	[ "$cur" -eq 1 ]
}
