#!/usr/bin/env bats
# Ordering groups: mq-put -g, and how takes, acks, retries, expiry, dead
# letters and redrives keep a group's messages one at a time, in order.

load helper
bats_require_minimum_version 1.5.0

# Puts $3... into group $2 of spool $1, saving each id in id.PAYLOAD.
gput() {
	local spool=$1 group=$2 m
	shift 2
	for m in "$@"; do
		printf '%s' "$m" | mq-put -g "$group" "$spool" >"id.$m" || return 1
	done
}

# The payloads of the leases printed by mq-take $@, space-separated.
takes() {
	local l out=""
	for l in $(mq-take "$@"); do
		out="$out${out:+ }$(cat "$l")"
	done
	printf '%s\n' "$out"
}

lease_of() {
	find "$Q/cur" -type f -name "$(cat "id.$1"),*"
}

@test "a group's messages are leased one at a time, in put order; other groups are not held back" {
	gput "$Q" A a1 a2 a3
	gput "$Q" B b1 b2
	printf plain | mq-put "$Q" >id.plain
	[ "$(takes -n 10 "$Q")" = "a1 b1 plain" ]
	[ -z "$(mq-take "$Q")" ]
	mq-ack "$(lease_of a1)"
	[ "$(takes -n 10 "$Q")" = "a2" ]
	mq-ack "$(lease_of b1)" "$(lease_of a2)"
	[ "$(takes -n 10 "$Q")" = "a3 b2" ]
	mq-ack "$(lease_of a3)" "$(lease_of b2)" "$(lease_of plain)"
	run -1 mq-take "$Q"
	[ "$(messages "$Q")" -eq 0 ]
	# a group with nothing left is removed: ls group/ shows work only
	[ -z "$(ls "$Q/group")" ]
}

@test "the lease names its group; ls shows the front and the waiting members" {
	gput "$Q" orders-42 o1 o2 o3
	id1=$(cat id.o1) id2=$(cat id.o2) id3=$(cat id.o3)
	l=$(mq-take "$Q")
	[ "$l" = "$Q/cur/$id1,1,0,orders-42" ]
	[ -f "$Q/group/orders-42/$id1,0,0,orders-42" ]
	[ "$(stat -c %i "$l")" = "$(stat -c %i "$Q/group/orders-42/$id1,0,0,orders-42")" ]
	[ "$(find "$Q/group/orders-42" -mindepth 4 -type f -printf '%f\n' | sort | tr '\n' ' ')" = "$id2,0,0,orders-42 $id3,0,0,orders-42 " ]
	[ "$(mq-stat -o json "$Q" | jq -c '[.ready, .held, .leased]')" = "[0,2,1]" ]
}

@test "the next waits while the earlier one is delayed for a retry, or its lease expires" {
	gput "$Q" A a1 a2
	l=$(mq-take -t 300ms "$Q")
	mq-retry -d 400ms "$l"
	[ -z "$(mq-take "$Q")" ]		# a1 delayed, a2 held
	sleep 0.5
	l=$(mq-take -t 300ms "$Q")
	[ "$(cat "$l")" = a1 ]
	[ "$l" = "$Q/cur/$(cat id.a1),2,0,A" ]
	sleep 0.4				# the lease expires
	[ "$(takes "$Q")" = a1 ]		# a1 again, attempt 3, never a2
	[ -n "$(find "$Q/cur" -name "$(cat id.a1),3,0,A")" ]
	mq-ack "$(lease_of a1)"
	[ "$(takes "$Q")" = a2 ]
}

@test "a poison message goes to dlq/ and then releases its group; a redrive puts it back in order" {
	mkdir -p "$Q" && printf 'max_attempts=2\nbackoff=10ms\n' >"$Q/config"
	gput "$Q" A a1 a2 a3
	mq-retry -d 0 "$(mq-take "$Q")"
	run mq-retry -r "bad input" "$(mq-take "$Q")"
	[ "$status" -eq 0 ]
	[ "$(mq-dlq -L "$Q" | cut -f1,2,4)" = "$(printf '%s\t2\tbad input' "$(cat id.a1)")" ]
	[ "$(takes "$Q")" = a2 ]		# released by the burial
	mq-dlq -R "$Q"
	[ -z "$(mq-take "$Q")" ]		# a1 waits behind a2 ...
	mq-ack "$(lease_of a2)"
	[ "$(takes "$Q")" = a1 ]		# ... and comes before a3
	[ -n "$(find "$Q/cur" -name "$(cat id.a1),1,1,A")" ]
	mq-ack "$(lease_of a1)"
	[ "$(takes "$Q")" = a3 ]
}

@test "a lease expiring at max_attempts is buried by a taker and the group moves on" {
	mkdir -p "$Q" && printf 'max_attempts=1\n' >"$Q/config"
	gput "$Q" A a1 a2
	mq-take -t 100ms "$Q" >/dev/null
	sleep 0.2
	[ "$(takes "$Q")" = a2 ]
	[ "$(mq-dlq -L "$Q" | cut -f1)" = "$(cat id.a1)" ]
}

@test "mq-dlq by hand and mq-run's dead letters release the group too" {
	gput "$Q" A a1 a2 a3
	mq-dlq "$(mq-take "$Q")"
	printf '#!/bin/sh\nexit 100\n' >fail && chmod +x fail
	run mq-run -n 1 "$Q" ./fail
	[ "$(mq-dlq -L "$Q" | wc -l)" -eq 2 ]
	[ "$(takes "$Q")" = a3 ]
}

@test "a group put with -d waits for its delay as well as its turn" {
	gput "$Q" A a1
	printf a2 | mq-put -g A -d 300ms "$Q" >/dev/null
	mq-ack "$(mq-take "$Q")"
	[ -z "$(mq-take "$Q")" ]
	sleep 0.35
	[ "$(takes "$Q")" = a2 ]
}

@test "-l -g puts each line in the group, in order" {
	seq 1 300 | mq-put -l -g N "$Q" >ids
	[ "$(wc -l <ids)" -eq 300 ]
	[ "$(sort ids)" = "$(cat ids)" ]
	for i in $(seq 1 300); do
		l=$(mq-take -n 5 "$Q")
		[ "$(cat "$l")" = "$i" ] || { echo "got $(cat "$l") for $i"; return 1; }
		mq-ack "$l"
	done
	[ "$(messages "$Q")" -eq 0 ]
}

@test "bad groups are usage errors (64) and put nothing" {
	for g in "" .hidden -dash "a/b" "a b" "a,b" "$(printf 'x%.0s' $(seq 1 129))"; do
		run -64 mq-put -g "$g" "$Q" <<<"x"
		[[ "$output" == "mq-put: -g: bad group"* ]]
	done
	[ "$(messages "$Q")" -eq 0 ]
	printf 'x%.0s' $(seq 1 128) >g128
	run -0 mq-put -g "$(cat g128)" "$Q" <<<"x"
	run -0 mq-put -g "a:b@c+d=e.f_g-1" "$Q" <<<"x"
}

@test "-m counts the messages held in groups" {
	gput "$Q" A a1 a2 a3
	run -75 mq-put -m 3 "$Q" <<<"x"
	[ "$output" = "mq-put: $Q: spool full (3 messages, limit 3)" ]
	run -0 mq-put -m 4 "$Q" <<<"x"
}

@test "a crash after an ack and before the release: the next put or a taker's sweep lets the group go on" {
	gput "$Q" A a1 a2
	gput "$Q" B b1 b2
	# ack's unlink without its release
	rm "$(mq-take "$Q")"
	[ -z "$(mq-take "$Q" | grep ',A$' || true)" ]
	gput "$Q" A a3
	[ "$(takes -n 5 "$Q")" = a2 ]
	# the same crash, then no more puts: a taker sweeps (at most once a
	# minute; the last sweep's time is group/.swept)
	rm "$(find "$Q/cur" -name '*,B')"
	[ -z "$(mq-take "$Q")" ]
	touch -d '2 minutes ago' "$Q/group/.swept"
	[ "$(takes -n 5 "$Q")" = b2 ]
	[ "$(messages "$Q")" -eq 3 ]		# a2 and b2 leased, a3 held
}

@test "a crash after a burial and before the release: the next put finds the front in dlq/" {
	gput "$Q" A a1 a2
	l=$(mq-take "$Q")
	mv "$l" "$Q/dlq/"
	[ -z "$(mq-take "$Q")" ]
	gput "$Q" A a3
	[ "$(takes "$Q")" = a2 ]
}

@test "four runners with failures and retries keep every group in order, one at a time" {
	mkdir -p "$Q" && printf 'backoff=10ms\nbackoff_max=20ms\nmax_attempts=50\n' >"$Q/config"
	cat >work <<-'EOF'
	#!/bin/sh
	# Logs "start G N", fails one time in four (retried), logs "end G N".
	read -r g n
	echo "start $g $n" >>log
	sleep 0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 3 ))
	[ $(( $(od -An -N1 -tu1 /dev/urandom) % 4 )) -eq 0 ] && { echo "fail $g $n" >>log; exit 75; }
	echo "end $g $n" >>log
	EOF
	chmod +x work
	for n in $(seq 1 12); do
		for g in g1 g2 g3 g4 g5; do
			echo "$g $n" | mq-put -g "$g" "$Q" >/dev/null
		done
	done
	run -0 mq-run -P 4 -w 1s "$Q" ./work
	[ "$(messages "$Q")" -eq 0 ]
	[ "$(grep -c '^end' log)" -eq 60 ]
	grep -q '^fail' log
	# per group: start/outcome pairs never overlap, and the ends run 1..12
	for g in g1 g2 g3 g4 g5; do
		grep " $g " log | awk -v g="$g" '
			$1 == "start" { if (open) { print g ": " $3 " started while " cur " ran"; bad = 1 } open = 1; cur = $3 }
			$1 != "start" { if (!open || $3 != cur) { print g ": unmatched " $0; bad = 1 } open = 0
				if ($1 == "end") { if ($3 != next_n + 1) { print g ": " $3 " after " next_n; bad = 1 } next_n = $3 } }
			END { if (next_n != 12) { print g ": ended at " next_n; bad = 1 } exit bad }'
	done
	# groups ran side by side: some start of one group came while another ran
	awk '$1 == "start" { if (running > 0) overlap = 1; running++ } $1 != "start" { running-- } END { exit !overlap }' log
}

@test "concurrent producers and takers: never two of a group leased at once, nothing lost" {
	mkdir -p "$Q"/{tmp,new,cur,dlq,done}
	for p in 1 2 3 4; do
		(for n in $(seq 1 25); do echo "$p.$n" | mq-put -g "G$((n % 3))" "$Q" >/dev/null; done) &
	done
	for _ in 1 2 3 4; do
		(
			got=0
			while [ "$got" -lt 40 ]; do
				l=$(mq-take "$Q") || { sleep 0.01; [ -e stop ] && break; continue; }
				g=${l##*,}
				if ! mkdir "held.$g" 2>/dev/null; then echo "two of $g at once" >>bad; fi
				cat "$l" >>got		# "P.N\n", appended whole
				rmdir "held.$g"
				mq-ack "$l"
				got=$((got + 1))
			done
		) &
	done
	for _ in $(seq 1 300); do
		[ "$(cat got 2>/dev/null | wc -l)" -ge 100 ] && break
		sleep 0.1
	done
	touch stop
	reap_all
	[ ! -e bad ]
	[ "$(sort -u got | wc -l)" -eq 100 ]
	[ "$(wc -l <got)" -eq 100 ]
	[ "$(messages "$Q")" -eq 0 ]
	# each producer's messages in one group came out in its put order
	for p in 1 2 3 4; do
		for g in 0 1 2; do
			order=$(grep "^$p\." got | awk -F. -v g="$g" '$2 % 3 == g { print $2 }')
			[ -z "$order" ] || [ "$order" = "$(sort -n <<<"$order")" ]
		done
	done
}

@test "a take costs the same with a thousand groups waiting as with one" {
	gput "$Q" A a1 a2
	syscalls() {
		strace -f -c -o trace mq-take "$Q" >/dev/null || true
		awk '/total/ { print $4 }' trace
	}
	mq-take "$Q" >/dev/null		# a1 leased; the sweep ran: not due again
	one=$(syscalls)
	for g in $(seq 1 1000); do
		mkdir -p "$Q/group/g$g/1795000/000/000"
		: >"$Q/group/g$g/lock"
		: >"$Q/group/g$g/1795000/000/000/1795000000000000.aaaaaaaaaaaa,0,0,g$g"
	done
	many=$(syscalls)
	[ "$many" -le "$((one + 2))" ] || { echo "one group: $one, a thousand: $many"; return 1; }
}

@test "kill -9 of producers and runners at random moments: no group is left stuck, nothing is lost" {
	mkdir -p "$Q" && printf 'backoff=10ms\nmax_attempts=100\n' >"$Q/config"
	printf '#!/bin/sh\necho "$MQ_ID" >>log\n' >work && chmod +x work
	for i in $(seq 1 40); do
		echo "m$i" | mq-put -g "G$((i % 3))" "$Q" >>ids 2>/dev/null &
		p=$!
		mq-run -n 2 -t 300ms "$Q" ./work 2>/dev/null &
		r=$!
		sleep "0.00$((RANDOM % 10))"
		if [ $((RANDOM % 2)) -eq 0 ]; then kill -9 "$p" 2>/dev/null || true; else kill -9 "$r" 2>/dev/null || true; fi
		reap_all
	done
	# leases of killed runners expire; a finisher that died before its
	# release is found by the sweep (made due here)
	# (a killed put may leave its file in tmp/, never seen by a reader)
	left() {
		find "$Q/new" "$Q/cur" "$Q/dlq" -type f | wc -l
	}
	for _ in $(seq 1 20); do
		[ "$(left)" -eq 0 ] && [ -z "$(ls "$Q/group")" ] && break
		touch -d '2 minutes ago' "$Q/group/.swept" 2>/dev/null || true
		mq-run -t 300ms -w 400ms "$Q" ./work 2>/dev/null || true
	done
	[ "$(left)" -eq 0 ]
	[ -z "$(ls "$Q/group")" ]
	while read -r id; do
		grep -qx "$id" log || { echo "lost: $id"; return 1; }
	done <ids
}

@test "a group put syncs the file, enters the trie and syncs it, links into new/ and syncs, then makes the front and syncs" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q"/{tmp,new,cur,dlq,done}
	strace -e trace=fsync,renameat,renameat2,rename,linkat,link,mkdirat \
		-o trace mq-put -g G "$Q" <<<"x" >/dev/null
	# F fsync, M mkdir, R rename, L link, in the order made
	ops=$(awk '/^fsync/ { printf "F" } /^mkdir/ { printf "M" }
		/^rename/ { printf "R" } /^link/ { printf "L" }' trace)
	[[ "$ops" =~ ^F[MF]*RF+M*LF+RF+$ ]] || { echo "ops: $ops"; return 1; }
	# a second put, behind the first: into the trie, synced, nothing more
	strace -e trace=fsync,renameat,renameat2,rename,linkat,link,mkdirat \
		-o trace mq-put -g G "$Q" <<<"y" >/dev/null
	ops=$(awk '/^fsync/ { printf "F" } /^mkdir/ { printf "M" }
		/^rename/ { printf "R" } /^link/ { printf "L" }' trace)
	[[ "$ops" =~ ^FM*RF+$ ]] || { echo "ops: $ops"; return 1; }
}

@test "symbolic links planted in group/ are never followed" {
	mkdir -p "$Q"/{tmp,new,cur,dlq,done,group} outside
	ln -s "$PWD/outside" "$Q/group/G"
	run mq-put -g G "$Q" <<<"x"
	[ "$status" -ne 0 ]
	[[ "$output" == "mq-put: $Q/group/G: "* ]]
	[ -z "$(ls -A outside)" ]
	rm "$Q/group/G" && mkdir "$Q/group/G"
	ln -s "$PWD/outside/lock" "$Q/group/G/lock"
	run mq-put -g G "$Q" <<<"x"
	[ "$status" -ne 0 ]
	[ ! -e outside/lock ]
	rm "$Q/group/G/lock"
	gput "$Q" G g1 g2
	# a symlink in the trie, first in line once g1 goes: skipped, said
	echo secret >outside/secret
	leaf=$(dirname "$(find "$Q/group/G" -mindepth 4 -type f)")
	ln -s "$PWD/outside/secret" "$leaf/1000000000000000.aaaaaaaaaaaa,0,0,G"
	run mq-ack "$(mq-take "$Q")"
	[ "$status" -eq 0 ]
	[[ "$output" == *"not a regular file, skipped"* ]]
	[ "$(takes "$Q")" = g2 ]
	[ "$(cat outside/secret)" = secret ]
}

@test "a waiting taker wakes when an ack lets the group's next message through" {
	gput "$Q" A a1 a2
	l=$(mq-take "$Q")
	mq-take -w 5s "$Q" >waited &
	w=$!
	sleep 0.3
	[ ! -s waited ]
	t0=$(date +%s%N)
	mq-ack "$l"
	st=0
	reap "$w" || st=$?
	t1=$(date +%s%N)
	[ "$st" -eq 0 ]
	[ "$(cat "$(cat waited)")" = a2 ]
	[ $(((t1 - t0) / 1000000)) -lt 2000 ]	# the bell, not the 5 s net
}

@test "a grouped put behind a front out costs the same with max_attempts 10^6" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q" && printf 'sync=0\nmax_attempts=1000000\n' >"$Q/config"
	mq-put -g g "$Q" <<<first >/dev/null
	lease=$(mq-take "$Q")
	strace -f -c -o trace mq-put -g g "$Q" <<<second >/dev/null
	n=$(awk '$NF == "total" { print $(NF - 2) }' trace)
	echo "system calls: $n" >&2
	[ "$n" -lt 300 ]
	mq-ack "$lease"
	[ "$(cat "$(mq-take "$Q")")" = second ]
}

# The members waiting in group tries, as find sees them; and what each
# group's lock says it holds ("-": no count).
held_found() {
	find "$Q/group" -mindepth 5 -type f | wc -l
}
# What the groups' lock files say: each one's size is its count + 1
# (0: dirty), summed; "-" when one is dirty.
held_said() {
	stat -c %s "$Q"/group/*/lock |
		awk '$1 == 0 { n = "-"; exit } { n += $1 - 1 } END { print n }'
}

@test "each group keeps the count of its waiting members as they come and go; mq-stat reads it" {
	gput "$Q" A a1 a2 a3 a4
	printf 'b1\nb2\nb3\n' | mq-put -l -g B "$Q" >/dev/null
	gput "$Q" C c1
	[ "$(held_found)" -eq 5 ]
	[ "$(held_said)" -eq 5 ]
	same "$(stat -c %s "$Q/group/A/lock")" 4
	same "$(tr -d '\0' <"$Q/group/A/lock" | wc -c)" 0
	[ "$(mq-stat -o json "$Q" | jq .held)" -eq 5 ]
	mq-ack "$(mq-take "$Q")"	# a1: a2 let through
	mq-rm "$Q" "$(cat id.a4)"	# a waiting member withdrawn
	mq-park "$Q" "$(cat id.a3)"	# one taken out to parked/
	[ "$(held_found)" -eq 2 ]
	[ "$(held_said)" -eq 2 ]
	[ "$(mq-stat -o json "$Q" | jq -c '[.held, .parked]')" = "[2,1]" ]
	mq-kick "$Q" "$(cat id.a3)"	# back into its place
	[ "$(held_found)" -eq 3 ]
	[ "$(held_said)" -eq 3 ]
	[ "$(mq-stat -o json "$Q" | jq .held)" -eq 3 ]
	# a put refused by -m counts the held by the same lines
	run -75 mq-put -m 5 "$Q" <<<"over"
	mq-put -m 7 "$Q" <<<"room" >/dev/null
}

@test "a held count left dirty by a killed holder, or an older mq's line, is counted again from the trie" {
	gput "$Q" G g1 g2 g3 g4
	lock=$Q/group/G/lock
	: >"$lock"	# a holder killed (dirty), or a group made before counts
	same "$(mq-stat -o json "$Q" | jq .held)" 3
	gput "$Q" G g5	# the next holder counts, and goes on from there
	same "$(stat -c %s "$lock")" 5
	# an older mq's line, 27 bytes ("26"), wrong or torn: counted
	printf 'held          4          7\n' >"$lock"
	same "$(mq-stat -o json "$Q" | jq .held)" 4
	run -75 mq-put -m 5 "$Q" <<<"over"	# the front and 4 held
	mq-ack "$(mq-take "$Q")"
	same "$(stat -c %s "$lock")" 4
	same "$(tr -d '\0' <"$lock" | wc -c)" 0
	same "$(mq-stat -o json "$Q" | jq .held)" 3
	# a count of 26 is a size of 27 too, but holds no 'h'
	seq 1 23 | mq-put -l -g G "$Q" >/dev/null
	same "$(stat -c %s "$lock")" 27
	same "$(mq-stat -o json "$Q" | jq .held)" 26
}

@test "kill -9 of grouped puts, takes and acks at random moments: every count is still the trie's" {
	mkdir -p "$Q" && printf 'sync=0\n' >"$Q/config"
	for i in $(seq 1 60); do
		seq "$i" "$((i + 9))" | mq-put -l -g "G$((i % 4))" "$Q" >/dev/null 2>&1 &
		p=$!
		{ l=$(mq-take "$Q" 2>/dev/null) && [ -n "$l" ] && mq-ack "$l"; } 2>/dev/null &
		t=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$p" "$t" 2>/dev/null || true
		reap_all
	done
	# a count the kill left dirty is counted by mq-stat; one clean is right
	[ "$(mq-stat -o json "$Q" | jq .held)" -eq "$(held_found)" ]
	# and every holder after repairs its line
	for g in G0 G1 G2 G3; do
		[ -d "$Q/group/$g" ] && mq-put -g "$g" "$Q" <<<"last" >/dev/null
	done
	[ "$(held_said)" -eq "$(held_found)" ]
	[ "$(mq-stat -o json "$Q" | jq .held)" -eq "$(held_found)" ]
}

@test "mq-stat opens no directory of a group's trie: one directory and its lock per group" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q" && printf 'sync=0\n' >"$Q/config"
	for g in $(seq 1 50); do
		seq 1 5 | mq-put -l -g "g$g" "$Q" >/dev/null
	done
	[ "$(mq-stat -o json "$Q" | jq .held)" -eq 200 ]
	strace -o trace -e trace=openat mq-stat "$Q" >/dev/null
	n=$(grep -c O_DIRECTORY trace)
	echo "directories opened: $n" >&2
	[ "$n" -le 100 ]	# the tries walked: over 300
	[ "$(grep -c '"lock"' trace)" -eq 50 ]
}

@test "a take that finds the sweep due looks at 256 groups; slices spaced a pass a minute reach them all" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q" && printf 'sync=0\n' >"$Q/config"
	for g in $(seq 1 600); do
		printf 'a\nb\n' | mq-put -l -g "g$g" "$Q" >/dev/null
	done
	# every front acked by a finisher that died before its release
	mq-take -n 600 "$Q" | xargs rm
	[ -z "$(mq-take "$Q")" ]
	: >"$Q/group/.swept"	# (the first take above began a pass)
	touch -d '2 minutes ago' "$Q/group/.swept"
	strace -o trace -e trace=openat mq-take -n 1000 "$Q" >taken
	[ "$(grep -c '"lock"' trace)" -eq 256 ]
	[ "$(wc -l <taken)" -eq 256 ]
	# the next slice is due in 60 s x 256 / 600 (the stamp 34 s before
	# the take began)
	age=$(($(date +%s) - $(stat -c %Y "$Q/group/.swept")))
	[ "$age" -ge 30 ] && [ "$age" -le 45 ] || { echo "age $age"; return 1; }
	[ -z "$(mq-take "$Q")" ]
	touch -d '2 minutes ago' "$Q/group/.swept"
	mq-take -n 1000 "$Q" >>taken
	[ "$(wc -l <taken)" -eq 512 ]
	touch -d '2 minutes ago' "$Q/group/.swept"
	mq-take -n 1000 "$Q" >>taken
	[ "$(wc -l <taken)" -eq 600 ]
	[ "$(xargs cat <taken)" = "$(printf 'b%.0s' $(seq 600))" ]	# each b once
	# and a pass begins again from the first
	[ "$(cat "$Q/group/.swept")" = "" ]
}

@test "a sweep stamp from the future (the clock was set back) does not stop the sweeps" {
	gput "$Q" A a1 a2
	rm "$(mq-take "$Q")"
	touch -d '1 hour' "$Q/group/.swept"
	[ "$(takes "$Q")" = a2 ]
}

@test "mq-stat while a group is kicked back from parked/: each member counted once or not at all" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q" && printf 'sync=0\n' >"$Q/config"
	seq 1 60 | mq-put -l -g G "$Q" >/dev/null
	mq-park -g G "$Q" >/dev/null
	[ "$(mq-stat -o json "$Q" | jq -c '[.ready, .held, .parked]')" = "[0,0,60]" ]
	# mq-stat held up before it reads group/: the kick goes meanwhile,
	# after it read parked/
	strace -o /dev/null -P "$Q/group" -e trace=openat \
	    -e inject=openat:delay_enter=700000 mq-stat -o json "$Q" >st &
	s=$!
	sleep 0.3
	mq-kick -s parked "$Q" ALL >/dev/null
	reap "$s"
	n=$(jq '.ready + .held + .parked' st)
	echo "counted: $n ($(jq -c '[.ready, .held, .parked]' st))" >&2
	[ "$n" -le 60 ]
	[ "$n" -ge 59 ]
	[ "$(mq-stat -o json "$Q" | jq -c '[.ready, .held, .parked]')" = "[1,59,0]" ]
}

# new/'s leaf path of a key (ms): trie.c's three levels.
leaf_path() {
	printf '%s/new/%d/%03d/%03d' "$1" $(($2 / 1000000)) $(($2 / 1000 % 1000)) \
	    $(($2 % 1000))
}

@test "a member let through is linked into its id's leaf of new/, not its earlier stamp's; mq-rm finds it in either" {
	for round in new old; do
		rm -rf "$Q"
		gput "$Q" g a b
		local id ms f stamp
		id=$(cat id.b) ms=${id:0:13}
		# b's stamp (its mtime) 150 ms before its id: a slow sync
		f=$(find "$Q/group/g" -mindepth 2 -type f -name "$id,*")
		stamp=$((ms - 150))
		touch -d "@$((stamp / 1000)).$(printf %03d $((stamp % 1000)))" "$f"
		mq-ack "$(mq-take "$Q")"
		[ -f "$(leaf_path "$Q" $((ms - ms % 100)))/$id,0,0,g" ]
		[ ! -e "$(leaf_path "$Q" $((stamp - stamp % 100)))/$id,0,0,g" ]
		[ "$(mq-ls -o json "$Q" -- "$id" | grep -c '"state":"ready"')" = 1 ]
		if [ $round = old ]; then	# where it was linked before
			mkdir -p "$(leaf_path "$Q" $((stamp - stamp % 100)))"
			mv "$(leaf_path "$Q" $((ms - ms % 100)))/$id,0,0,g" \
			    "$(leaf_path "$Q" $((stamp - stamp % 100)))/"
		fi
		run mq-rm "$Q" "$id"
		[ "$status" -eq 0 ]
		[ -z "$(find "$Q/new" "$Q/group" -name "$id,*")" ]
		[ "$(mq-stat -o json "$Q" | sed -E 's/.*"ready":([0-9]+).*/\1/')" = 0 ]
	done
}
