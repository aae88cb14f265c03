#!/usr/bin/env bats
# mq-dlq: dead letters, their reasons, redrive and delete (mq-dlq(1)).

load helper

iso='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

@test "dead-letters a lease now, with its reason" {
	id=$(mq-put "$Q" <<<"payload")
	l=$(mq-take "$Q")
	run mq-dlq -r "cannot parse" "$l"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(files "$Q" dlq)" = "$Q/dlq/$id,1" ]
	[ "$(cat "$Q/dlq/$id,1")" = payload ]
	[ "$(cat "$Q/reason/$id")" = "cannot parse" ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "-L lists id, attempts, time of death in UTC and reason, tab-separated" {
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-dlq -r "no such customer"
	run mq-dlq -L "$Q"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	IFS=$'\t' read -r f1 f2 f3 f4 <<<"${lines[0]}"
	[ "$f1" = "$id" ]
	[ "$f2" = 1 ]
	[ "$f4" = "no such customer" ]
	[[ "$f3" =~ ^$iso$ ]]
	died=$(date -u -d "$f3" +%s)
	[ "$died" -ge $(($(date +%s) - 2)) ]
	[ "$died" -le "$(date +%s)" ]
	[ "$(awk -F'\t' '{ print NF }' <<<"${lines[0]}")" -eq 4 ]
}

@test "without -r the reason says it was dead-lettered by hand" {
	put "$Q" x
	mq-take "$Q" | mq-dlq
	[ "$(mq-dlq -L "$Q" | cut -f4)" = "dead-lettered by hand on attempt 1" ]
}

@test "a reason with newlines, tabs, backslashes or odd bytes stays on one line" {
	id=$(mq-put "$Q" <<<"x")
	why=$(printf 'line one\nline\ttwo \\ caf\xc3\xa9 \x01 \xff \xc2\x85 \xe2\x82 end')
	mq-take "$Q" | mq-dlq -r "$why"
	cmp "$Q/reason/$id" <(printf '%s\n' "$why")
	run mq-dlq -L "$Q"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cut -f4 <<<"${lines[0]}")" = 'line one\nline\ttwo \\ café \x01 \xff \xc2\x85 \xe2\x82 end' ]
	[ "$(awk -F'\t' '{ print NF }' <<<"${lines[0]}")" -eq 4 ]
}

@test "-L lists in id order, and -0 ends records with NUL" {
	seq 1 5 | mq-put -l "$Q" >ids
	mq-take -n 5 "$Q" | tac | mq-dlq
	[ "$(mq-dlq -L "$Q" | cut -f1)" = "$(cat ids)" ]
	[ "$(mq-dlq -L -0 "$Q" | tr '\0\n' '\n?' | cut -f1)" = "$(cat ids)" ]
}

@test "expired leases at max_attempts: the system decides the reason" {
	mkdir -p "$Q" && echo 'max_attempts=2' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	mq-take -t 100ms "$Q" >/dev/null
	sleep 0.2
	mq-take -t 100ms "$Q" >/dev/null
	sleep 0.2
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(files "$Q" dlq)" = "$Q/dlq/$id,2" ]
	[ "$(mq-dlq -L "$Q" | cut -f2,4)" = "2	attempts ran out: lease expired on attempt 2 of 2" ]
}

@test "the system's reason keeps the last reason given" {
	mkdir -p "$Q" && echo 'max_attempts=2' >"$Q/config"
	put "$Q" x
	mq-take "$Q" | mq-retry -d 0 -r "disk full"
	mq-take -t 100ms "$Q" >/dev/null
	sleep 0.2
	mq-take "$Q" || true
	[ "$(mq-dlq -L "$Q" | cut -f4)" = "attempts ran out: lease expired on attempt 2 of 2; last reason given: disk full" ]
}

@test "a poison message: five failures, dlq with its last reason, redrive, attempt 1" {
	id=$(mq-put "$Q" <<<"poison")
	for i in 1 2 3 4 5; do
		l=$(mq-take "$Q")
		[ "$l" = "$Q/cur/$id,$i" ]
		[ "$(cat "$l")" = poison ]
		[ "$i" -gt 1 ] || first=$l
		mq-retry -d 0 -r "failure $i" "$l" 2>/dev/null
	done
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	run mq-dlq -L "$Q"
	[ "$(cut -f1,2,4 <<<"$output")" = "$id	5	failure 5" ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	run mq-dlq -R "$Q"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(count "$Q" dlq)" -eq 0 ]
	[ ! -e "$Q/reason/$id" ]
	l=$(mq-take "$Q")
	[ "$l" = "$Q/cur/$id,1,1" ]
	[ "$(cat "$l")" = poison ]
	# The first life's lease has another name: its holder cannot ack.
	run mq-ack "$first"
	[ "$status" -eq 2 ]
	[ -f "$l" ]
	mq-ack "$l"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a redriven message counts its attempts afresh and can die again" {
	mkdir -p "$Q" && echo 'max_attempts=2' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-dlq
	mq-dlq -R "$Q"
	mq-take "$Q" | mq-retry -d 0
	[ "$(mq-take "$Q")" = "$Q/cur/$id,2,1" ]
	mq-retry -r again "$Q/cur/$id,2,1" 2>/dev/null
	[ "$(files "$Q" dlq)" = "$Q/dlq/$id,2,1" ]
	[ "$(mq-dlq -L "$Q" | cut -f1,2,4)" = "$id	2	again" ]
	mq-dlq -R "$Q" "$id"
	[ "$(mq-take "$Q")" = "$Q/cur/$id,1,2" ]
}

@test "a redriven message is ready at once, behind those already waiting" {
	put "$Q" dead
	mq-take "$Q" | mq-dlq
	put "$Q" waiting
	mq-dlq -R "$Q"
	[ "$(cat "$(mq-take "$Q")")" = waiting ]
	[ "$(cat "$(mq-take "$Q")")" = dead ]
}

@test "-R redrives only the ids named; an unknown id exits 2, a bad one 65" {
	seq 1 3 | mq-put -l "$Q" >ids
	mq-take -n 3 "$Q" | mq-dlq
	run mq-dlq -R "$Q" "$(sed -n 2p ids)"
	[ "$status" -eq 0 ]
	[ "$(count "$Q" dlq)" -eq 2 ]
	[ "$(cat "$(mq-take "$Q")")" = 2 ]
	run mq-dlq -R "$Q" "$(sed -n 2p ids)" "$(sed -n 3p ids)"
	[ "$status" -eq 2 ]
	[ "$output" = "mq-dlq: $Q/dlq: $(sed -n 2p ids): no such dead letter" ]
	[ "$(count "$Q" dlq)" -eq 1 ]
	run mq-dlq -R "$Q" '../../etc/passwd'
	[ "$status" -eq 65 ]
	[ "$output" = "mq-dlq: $Q/dlq: ../../etc/passwd: not an id (mq-dlq -L lists them)" ]
	run mq-dlq -R "$Q" zz		# what no id can be: 65 too
	[ "$status" -eq 65 ]
	run mq-dlq -R "$Q" "$(printf 'x\033[2J')"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-dlq: $Q/dlq: x\\x1b[2J: not an id (mq-dlq -L lists them)" ]
	[ "$(count "$Q" dlq)" -eq 1 ]
}

@test "two redrives at once move each dead letter once" {
	seq 1 300 | mq-put -l "$Q" >/dev/null
	mq-take -n 300 "$Q" | mq-dlq
	mq-dlq -R "$Q" 2>err1 &
	a=$!
	mq-dlq -R "$Q" 2>err2 &
	b=$!
	reap "$a" && reap "$b"
	[ "$(count "$Q" dlq)" -eq 0 ]
	[ "$(count "$Q" new)" -eq 300 ]
	[ ! -s err1 ]
	[ ! -s err2 ]
	[ "$(find "$Q/new" -type f -name '*,0,1' | wc -l)" -eq 300 ]
}

@test "-D deletes all dead letters and their reasons" {
	seq 1 3 | mq-put -l "$Q" >/dev/null
	mq-take -n 3 "$Q" | mq-dlq -r why
	[ "$(count "$Q" reason)" -eq 3 ]
	run mq-dlq -D "$Q"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "-D with ids deletes those; -o deletes those dead longer than age" {
	seq 1 4 | mq-put -l "$Q" >ids
	mq-take -n 4 "$Q" | mq-dlq
	mq-dlq -D "$Q" "$(sed -n 1p ids)"
	[ "$(count "$Q" dlq)" -eq 3 ]
	touch -d '-2 hours' "$Q/dlq/$(sed -n 2p ids),1"
	touch -d '-30 minutes' "$Q/dlq/$(sed -n 3p ids),1"
	mq-dlq -D -o 1h "$Q"
	[ "$(mq-dlq -L "$Q" | cut -f1)" = "$(sed -n '3,4p' ids)" ]
	mq-dlq -D -o 10m "$Q" "$(sed -n 4p ids)"	# both must hold
	[ "$(count "$Q" dlq)" -eq 2 ]
	mq-dlq -D -o 10m "$Q"
	[ "$(mq-dlq -L "$Q" | cut -f1)" = "$(sed -n 4p ids)" ]
}

@test "files outside the grammar in dlq/ are skipped with a warning, never printed" {
	put "$Q" x
	mq-take "$Q" | mq-dlq
	printf 'x' >"$Q/dlq/$(printf 'evil\033[2J,1')"
	ln -s /etc/passwd "$Q/dlq/1234567890123456.abcdefabcdef,1"
	mkfifo "$Q/reason/1234567890123456.abcdefabcdef"
	run mq-dlq -L "$Q"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -cx "mq-dlq: $Q/dlq: skipping a file whose name is outside the grammar")" -eq 1 ]
	[[ "$output" == *"mq-dlq: $Q/dlq: 1234567890123456.abcdefabcdef,1: not a regular file, skipped"* ]]
	[[ "$output" != *$'\033'* ]]
	run mq-dlq -D "$Q"
	[ -f /etc/passwd ]
	[ -L "$Q/dlq/1234567890123456.abcdefabcdef,1" ]
	[ "$(count "$Q" dlq)" -eq 1 ]
}

@test "a dead letter without a reason file still lists" {
	mkdir -p "$Q" && echo 'max_attempts=3' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-dlq
	rm "$Q/reason/$id"
	[ "$(mq-dlq -L "$Q" | cut -f4)" = "-" ]
	mv "$Q/dlq/$id,1" "$Q/dlq/$id,3"
	[ "$(mq-dlq -L "$Q" | cut -f4)" = "attempts ran out (max_attempts 3)" ]
}

@test "lists 10,000 dead letters, at a few system calls each" {
	command -v strace >/dev/null || skip "strace is not installed"
	mkdir -p "$Q"/{tmp,new,cur,dlq,done,reason}
	(cd "$Q/dlq" && seq -f '1700000000%06g.000000000001,5' 1 10000 | xargs touch)
	for i in $(seq -f '1700000000%06g.000000000001' 1 5000); do
		echo "reason of $i" >"$Q/reason/$i"
	done
	strace -c -o trace mq-dlq -L "$Q" >list
	[ "$(wc -l <list)" -eq 10000 ]
	[ "$(cut -f1 list | sort -c && echo sorted)" = sorted ]
	[ "$(sed -n 1p list | cut -f1,2,4)" = "1700000000000001.000000000001	5	reason of 1700000000000001.000000000001" ]
	[ "$(sed -n 10000p list | cut -f1,2,4)" = "1700000000010000.000000000001	5	attempts ran out (max_attempts 5)" ]
	calls=$(awk '$NF == "total" { print $(NF - 1) }' trace)
	echo "system calls: $calls" >&2
	[ "$calls" -lt 50000 ]	# 10,000 fstatat, 5,000 reasons read
}

@test "70,000 dead letters (three batches): -L in id order in a few MB, -D -o and -R of all, each once" {
	mkdir -p "$Q"/{tmp,new,cur,dlq,done} && echo 'sync=0' >"$Q/config"
	seq -f '1700000000%06g.000000000001,5' 1 70000 >names
	(cd "$Q/dlq" && shuf ../../names | xargs touch -d '-2 hours')
	# the first 40,000 died two hours ago, the rest now
	(cd "$Q/dlq" && sed -n '40001,$p' ../../names | xargs touch)
	if [ -x /usr/bin/time ] && [ -z "${ASAN_OPTIONS:-}" ]; then
		/usr/bin/time -f '%M' -o rss mq-dlq -L "$Q" >list
		echo "RSS: $(cat rss) KB" >&2
		[ "$(cat rss)" -lt 12000 ]	# (all kept: about 25 MB)
	else
		mq-dlq -L "$Q" >list
	fi
	[ "$(cut -f1 list)" = "$(sed 's/,5$//' names)" ]
	mq-dlq -D -o 1h "$Q"
	[ "$(count "$Q" dlq)" -eq 30000 ]
	[ "$(ls "$Q/dlq" | sort)" = "$(sed -n '40001,$p' names)" ]
	mq-dlq -R "$Q"
	[ "$(count "$Q" dlq)" -eq 0 ]
	[ "$(mq-take -n 100000 "$Q" | sed 's|.*/||; s/,.*//' | sort)" = "$(sed -n '40001,$p' names | sed 's/,5$//')" ]
}

@test "-D: the key of a dead letter deleted goes, so the put can be made again" {
	mq-put -k job-1 "$Q" <<<"one" >id1
	mq-put -k job-2 "$Q" <<<"two" >id2
	mq-take -n 2 "$Q" | mq-dlq
	[ "$(mq-put -k job-1 "$Q" <<<"one")" = "$(cat id1)" ]	# still a duplicate
	mq-dlq -D "$Q" "$(cat id1)"
	[ ! -e "$Q/key/job-1" ]
	[ "$(cat "$Q/key/job-2")" = "$(cat id2)" ]
	[ "$(mq-put -k job-1 "$Q" <<<"one")" != "$(cat id1)" ]
	mq-dlq -D "$Q"
	[ ! -e "$Q/key/job-2" ]
}

@test "usage: modes exclude each other; -o only with -D; -r only with leases" {
	put "$Q" x
	for args in "-L -R $Q" "-o 1h -L $Q" "-r x -L $Q" "-L" "-R" "-0 -R $Q" "-o 1x -D $Q"; do
		eval "run mq-dlq $args"
		[ "$status" -eq 64 ]
	done
	run mq-dlq -L nosuch
	[ "$status" -eq 66 ]
	# -L takes several spools, and topics: each line after its spool
	mkdir -p t/a t/b && put t y
	mq-take t/b | mq-dlq -r gone
	run mq-dlq -L "$Q" t
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "t/b	"[0-9]*"	1	"*"	gone" ]]
	run mq-dlq -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: mq-dlq [-0] [-r reason] [lease...]" ]
}

@test "what is not a lease exits 65; a lost lease 2; nothing moves" {
	put "$Q" x
	l=$(mq-take "$Q")
	mq-ack "$l"
	put "$Q" y
	run mq-dlq "$l"
	[ "$status" -eq 2 ]
	run mq-dlq /etc/passwd
	[ "$status" -eq 65 ]
	[ "$(count "$Q" dlq)" -eq 0 ]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "a redrive of many fills leaves of at most 256, taken in order" {
	mkdir -p "$Q" && echo 'sync=0' >"$Q/config"
	seq 1 600 | mq-put -l "$Q" >/dev/null
	mq-take -n 600 "$Q" | mq-dlq -r 'many'
	mq-dlq -R "$Q"
	leaves=$(find "$Q/new" -mindepth 3 -type d | wc -l)
	[ "$leaves" -ge 3 ]
	# no leaf holds more than 256
	[ -z "$(find "$Q/new" -mindepth 4 -type f -printf '%h\n' | sort |
	    uniq -c | awk '$1 > 256')" ]
	[ "$(mq-take -n 600 "$Q" | xargs cat | tr -d '\n' | md5sum)" = \
	    "$(seq 1 600 | tr -d '\n' | md5sum)" ]
}
