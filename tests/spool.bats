#!/usr/bin/env bats
# The spool as a whole: ordering, concurrency and crashes (mq(7)).

load helper

@test "messages are taken in the order they become ready" {
	mq-put -d 600ms "$Q" <<<"A" >/dev/null
	mq-put -d 300ms "$Q" <<<"B" >/dev/null
	put "$Q" C
	sleep 0.7
	run mq-take -n 3 "$Q"
	[ "${#lines[@]}" -eq 3 ]
	[ "$(cat "${lines[0]}")" = C ]
	[ "$(cat "${lines[1]}")" = B ]
	[ "$(cat "${lines[2]}")" = A ]
}

@test "a reclaimed message comes before messages put after its deadline" {
	put "$Q" A
	mq-take -t 50ms "$Q" >/dev/null
	sleep 0.1
	put "$Q" B
	run mq-take "$Q"
	[ "$(cat "$output")" = A ]
	[[ "$output" == *",2" ]]
}

@test "a message is in exactly one state, and ls and cat show it" {
	id=$(mq-put "$Q" <<<"state")
	[ "$(find "$Q" -name "$id*" -type f | wc -l)" -eq 1 ]
	l=$(mq-take "$Q")
	[ "$(find "$Q" -name "$id*" -type f)" = "$l" ]
	[ "$(cat "$Q"/cur/*)" = state ]
}

@test "four producers and four consumers: every message delivered exactly once" {
	for p in 1 2 3 4; do
		(for i in $(seq 1 50); do printf 'p%s-%s' "$p" "$i" | mq-put "$Q" >/dev/null; done
		 seq 1 200 | sed "s/^/b$p-/" | mq-put -l "$Q" >/dev/null
		 touch "put.$p") &
	done
	# consumers stop once every producer is done and nothing is left (a
	# batch is visible only when it is all durable: on a slow disk that
	# is seconds after its first line)
	for c in 1 2 3 4; do
		(while :; do
			all=0	# looked at before the take: then nothing is left
			[ -e put.1 ] && [ -e put.2 ] && [ -e put.3 ] &&
			    [ -e put.4 ] && all=1
			if l=$(mq-take -n 3 -t 1h "$Q"); then
				for x in $l; do cat "$x"; echo; done >>"got.$c"
				printf '%s\n' $l | mq-ack
			elif [ "$all" = 1 ]; then
				break
			else
				sleep 0.05
			fi
		 done) &
	done
	reap_all
	cat got.* | sort >got
	[ "$(wc -l <got)" -eq 1000 ]
	[ "$(sort -u got | wc -l)" -eq 1000 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "kill -9 at random moments loses nothing and leaves no message in two states" {
	mkdir -p "$Q" pids && echo 'max_attempts=1000' >"$Q/config"
	touch kills
	# Runs "$@" (stdin as given) with its pid in pids/ while it runs: the
	# killer picks among those only, never another process.
	killable() {
		local p st=0
		"$@" <&0 &
		p=$!
		echo >"pids/$p"
		reap "$p" || st=$?
		rm -f "pids/$p"
		return "$st"
	}
	touch put.log
	stop=$((SECONDS + 3))
	# Run for 3 s and until a few kills landed and some puts were
	# reported (a sanitizer build is slow), at most 30 s.
	(while [ "$SECONDS" -lt "$stop" ] || { { [ "$(wc -l <kills)" -lt 3 ] ||
		[ "$(wc -l <put.log)" -lt 30 ]; } &&
		[ "$SECONDS" -lt $((stop + 27)) ]; }; do sleep 0.1; done
	 touch stopped) &
	(i=0
	 while [ ! -e stopped ]; do
		i=$((i + 1))
		# a long payload keeps mq-put running long enough to be killed
		if id=$({ printf 'payload-%s\n' "$i"; head -c 300000 /dev/zero; } | killable mq-put "$Q"); then
			echo "$id payload-$i" >>put.log
		fi
	 done) &
	for c in 1 2; do
		(while [ ! -e stopped ]; do
			l=$(killable mq-take -t 300ms "$Q" </dev/null) || continue
			p=$(head -n 1 "$l" 2>/dev/null) && echo "$p" >>"got.$c"
			killable mq-ack "$l" </dev/null 2>/dev/null || true
		 done) &
	done
	(while [ ! -e stopped ]; do
		victim=$(ls pids | shuf -n 1)
		if [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null; then
			echo >>kills
		fi
		sleep "0.00$((RANDOM % 9 + 1))"
	 done) &
	reap_all
	# no file in two states
	dups=$(find "$Q/new" "$Q/cur" "$Q/dlq" -type f -printf '%f\n' | sed 's/,.*//' | sort | uniq -d)
	[ -z "$dups" ]
	# drain: leases orphaned by kills expire and come back
	sleep 0.4
	while l=$(mq-take -n 50 "$Q"); do
		for x in $l; do head -n 1 "$x"; done >>got.drain
		printf '%s\n' $l | mq-ack
	done
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	cat got.* | sort -u >got
	cut -d' ' -f2 put.log | sort -u >reported
	echo "reported $(wc -l <reported), consumed $(wc -l <got), kills $(wc -l <kills)" >&2
	[ "$(wc -l <kills)" -gt 0 ]
	[ "$(wc -l <reported)" -gt 20 ]
	# every reported put was consumed, byte for byte
	[ -z "$(comm -23 reported got)" ]
}

@test "a put, a take and an ack open only the state directories they use" {
	command -v strace >/dev/null || skip "strace is not installed"
	put "$Q" first
	opened() {
		strace -o trace -e trace=openat "$@" >out 2>/dev/null
		grep -oE '"(tmp|new|cur|dlq|done)"' trace | tr -d '"' | sort -u |
		    tr '\n' ' '
	}
	[ "$(printf x | opened mq-put "$Q")" = "cur new tmp " ]
	[ "$(opened mq-take "$Q")" = "cur new " ]
	[ "$(opened mq-ack "$(cat out)")" = "cur new " ]
	# dlq/ when a lease is buried, done/ when keep holds acks
	l=$(mq-take "$Q")
	[ "$(opened mq-dlq -r why "$l")" = "cur dlq new tmp " ]	# (its reason: tmp/)
	printf 'keep=1h\n' >"$Q/config"
	l=$(mq-take -n 1 "$Q" || true)
	[ -z "$l" ]
	put "$Q" second
	[ "$(opened mq-ack "$(mq-take "$Q")")" = "cur done new " ]
	[ "$(count "$Q" 'done')" -eq 1 ]
}
