#!/usr/bin/env bats
# mq-stat: counts, lag and rates (mq-stat(1)).
# The mq_ variables come from eval "$(mq-stat -o sh ...)":
# shellcheck disable=SC2154

load helper
bats_require_minimum_version 1.5.0

# A spool with messages in every state: 3 ready, 2 delayed, 2 leased,
# 1 expired, 2 dead, 1 done; 11 put, 1 acked.
every_state() {
	mkdir -p "$Q" && echo 'keep=1h' >"$Q/config"
	seq 1 9 | mq-put -l "$Q" >/dev/null
	seq 1 2 | mq-put -l -d 1h "$Q" >/dev/null
	mq-take -n 2 "$Q" | mq-dlq
	mq-take -n 1 "$Q" | mq-ack
	mq-take -n 2 -t 1h "$Q" >/dev/null
	mq-take -n 1 -t 1ms "$Q" >/dev/null
	sleep 0.01
}

@test "the table: a header and a row per spool, aligned, exact counts" {
	every_state
	# Relative: a name longer than 48 columns overflows its column.
	run mq-stat q
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	read -r -a h <<<"${lines[0]}"
	[ "${h[*]}" = "SPOOL READY DELAYED HELD PARKED LEASED EXPIRED DEAD DONE AGE LAG PUTS ACKS" ]
	read -r -a v <<<"${lines[1]}"
	[ "${v[0]}" = q ]
	[ "${v[*]:1:8}" = "3 2 0 0 2 1 2 1" ]
	[ "${v[10]}" = 8 ]	# LAG: all but the dead and the done
	[ "${v[11]}" = 11 ]
	[ "${v[12]}" = 1 ]
	# aligned: every column ends where its header ends; 80 columns hold it
	[ "${#lines[0]}" -eq "${#lines[1]}" ]
	[ "${#lines[0]}" -le 80 ]
	# a name is escaped: a subscriber named with a terminal's escape
	mkdir "$(printf 'x\033]0;pwned\007')"
	run mq-stat "$(printf 'x\033]0;pwned\007')"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == 'x\x1b]0;pwned\x07 '* ]]
	# a spool named twice is shown once
	run mq-stat q "$Q" ./q
	[ "${#lines[@]}" -eq 2 ]
}

@test "-o json: one valid object per spool, stable keys" {
	every_state
	put b x
	run mq-stat -o json "$Q" b
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	jq -e . <<<"${lines[0]}" >/dev/null
	[ "$(jq -c '[.ready, .delayed, .leased, .expired, .dead, .done, .put_total, .ack_total]' <<<"${lines[0]}")" = "[3,2,2,1,2,1,11,1]" ]
	[ "$(jq -r 'keys_unsorted | join(",")' <<<"${lines[0]}")" = "spool,ready,delayed,held,parked,leased,expired,dead,done,oldest_age,lag,lag_age,put_total,ack_total" ]
	[ "$(jq -r .spool <<<"${lines[1]}")" = b ]
	[ "$(jq -e '.oldest_age >= 0' <<<"${lines[1]}")" = true ]
}

@test "-o json escapes a spool name with quotes, backslashes and odd bytes" {
	d=$(printf 'we"ird\\sp\001ol\377')
	put "$d" x
	run mq-stat -o json "$d"
	[ "$status" -eq 0 ]
	[ "$(jq -r .ready <<<"$output")" = 1 ]
	[ "$(jq -j .spool <<<"$output" | od -An -c | tr -s ' ')" = "$(printf 'we"ird\\sp\001ol\357\277\275' | od -An -c | tr -s ' ')" ]
}

@test "-o prom: the text exposition format, HELP and TYPE, escaped labels" {
	every_state
	d=$(printf 'a"b\\c')
	put "$d" x
	run mq-stat -o prom "$Q" "$d"
	[ "$status" -eq 0 ]
	# every line is a comment of the two kinds or a sample
	while IFS= read -r line; do
		[[ "$line" =~ ^#\ (HELP|TYPE)\ mq_[a-z_]+\ .+$ ]] ||
			[[ "$line" =~ ^mq_[a-z_]+\{spool=\"([^\"\\]|\\[\"\\n])*\"(,state=\"[a-z]+\")?\}\ [0-9]+(\.[0-9]+)?$ ]] ||
			{ echo "bad line: $line" >&2; return 1; }
	done <<<"$output"
	[[ "$output" == *"# TYPE mq_messages gauge"* ]]
	[[ "$output" == *"# TYPE mq_put_total counter"* ]]
	[[ "$output" == *"mq_messages{spool=\"$Q\",state=\"expired\"} 1"* ]]
	[[ "$output" == *'mq_messages{spool="a\"b\\c",state="ready"} 1'* ]]
	[ "$(grep -c '^# TYPE mq_messages' <<<"$output")" -eq 1 ]
}

@test "-o sh: eval-able mq_ names; several spools numbered, and summed" {
	every_state
	ready=mine
	eval "$(mq-stat -o sh "$Q")"
	[ "$ready" = mine ]		# a script's own variables are its own
	# shellcheck disable=SC2154
	[ "$mq_ready" = 3 ]
	[ "$mq_delayed" = 2 ]
	[ "$mq_leased" = 2 ]
	[ "$mq_expired" = 1 ]
	# shellcheck disable=SC2154
	[ "$mq_dead" = 2 ]
	[ "$mq_done" = 1 ]
	[ "$mq_put_total" = 11 ]
	[ "$mq_spool" = "$Q" ]
	# shellcheck disable=SC2154
	[ "$mq_spools" = 1 ]
	[ "$mq_ack_total" = 1 ]
	put "it's" x
	eval "$(mq-stat -o sh "$Q" "it's")"
	# shellcheck disable=SC2154
	[ "$mq_2_spool" = "it's" ]
	[ "$mq_2_ready" = 1 ]
	[ "$mq_1_ready" = 3 ]
	[ "$mq_ready" = 4 ]
	[ "$mq_spools" = 2 ]
	[ "$mq_dead" = 2 ]
	# a topic: its subscribers, and the sums a script reads
	mkdir -p t/a t/b
	put t x
	eval "$(mq-stat -o sh t)"
	# shellcheck disable=SC2154
	[ "$mq_spools" = 2 ]
	[ "$mq_ready" = 2 ]
	[ "$mq_1_spool" = t/a ]
	mq-stat -o sh "$Q" t | grep -Ev '^mq_[a-z0-9_]*=' && return 1
	true
}

@test "-o prom passes promtool; a spool that is gone is mq_up 0, and 66" {
	put "$Q" x
	mkdir -p t/a t/b
	run --separate-stderr mq-stat -o prom "$Q" nosuch t "$Q"
	[ "$status" -eq 66 ]
	printf '%s\n' "$output" >m.prom
	grep -qx "mq_up{spool=\"$Q\"} 1" m.prom
	grep -qx 'mq_up{spool="nosuch"} 0' m.prom
	grep -qx 'mq_up{spool="t/b"} 1' m.prom
	[ "$(grep -c "^mq_messages{spool=\"$Q\",state=\"ready\"}" m.prom)" -eq 1 ]
	command -v promtool >/dev/null || skip "no promtool (Debian: prometheus)"
	promtool check metrics <m.prom
}

@test "a missing spool is 66 for it; the others still print" {
	put "$Q" x
	run mq-stat -o json nosuch "$Q"
	[ "$status" -eq 66 ]
	[ "${lines[0]}" = "mq-stat: nosuch: no such spool" ]
	[ "$(jq -r .ready <<<"${lines[1]}")" = 1 ]
}

@test "oldest_age is how long the oldest ready message has waited" {
	put "$Q" x
	sleep 1.1
	put "$Q" y
	age=$(mq-stat -o json "$Q" | jq .oldest_age)
	[ "$(awk -v a="$age" 'BEGIN { print (a >= 1.0 && a < 3) }')" = 1 ]
	mq-take -n 2 "$Q" | mq-ack
	[ "$(mq-stat -o json "$Q" | jq .oldest_age)" = 0 ]
}

@test "put_total is unknown (-) on a spool that never had a put; acks are counted" {
	mkdir -p "$Q"/{tmp,new,cur,dlq,done}
	[ "$(mq-stat -o json "$Q" | jq -c '[.put_total, .ack_total]')" = "[null,null]" ]
	[ "$(mq-stat "$Q" | awk 'NR == 2 { print $12 }')" = - ]
	seq 1 5 | mq-put -l "$Q" >/dev/null
	mq-take -n 3 "$Q" | mq-ack
	cat "$Q/.counts"
	[ "$(mq-stat -o json "$Q" | jq -c '[.put_total, .ack_total]')" = "[5,3]" ]
	[ "$(head -n 1 "$Q/.counts")" = "put_total 00000000000000000005" ]
}

@test "-i repeats: a header, then a line per interval with put and ack rates" {
	put "$Q" x
	(sleep 0.3; seq 1 10 | mq-put -l "$Q" >/dev/null; mq-take -n 4 "$Q" | mq-ack) &
	run mq-stat -i 1s -n 3 "$Q"
	reap_all
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	read -r -a h <<<"${lines[0]}"
	[ "${h[*]}" = "SPOOL READY DELAYED HELD PARKED LEASED EXPIRED DEAD DONE AGE LAG PUTS ACKS PUT/S ACK/S" ]
	read -r -a v <<<"${lines[1]}"
	[ "${v[*]:11:4}" = "1 0 - -" ]		# no rates before a second count
	read -r -a v <<<"${lines[2]}"
	[ "${v[11]}" = 11 ]
	# 10 puts and 4 acks in that second
	[ "$(awk -v p="${v[13]}" -v a="${v[14]}" 'BEGIN { print (p > 5 && p <= 11 && a > 2 && a <= 4.5) }')" = 1 ]
	read -r -a v <<<"${lines[3]}"
	[ "${v[*]:13:2}" = "0.0 0.0" ]
	run mq-stat -o json -i 200ms -n 2 "$Q"
	[ "$(jq -c '[.put_rate, .ack_rate]' <<<"${lines[0]}")" = "[null,null]" ]
	[ "$(jq -c '[.put_rate, .ack_rate]' <<<"${lines[1]}")" = "[0,0]" ]
}

@test "a busy spool never shows negative or impossible numbers" {
	# the spool whole before anyone reads it (mq-put makes its
	# directories one at a time: a reader racing it sees no spool yet)
	mkdir -p "$Q"/{tmp,new,cur,dlq,done} && echo 'sync=0' >"$Q/config"
	(for i in $(seq 1 300); do echo "$i"; done | mq-put -l "$Q" >/dev/null) &
	(for _ in $(seq 1 60); do mq-take -n 5 "$Q" | mq-ack 2>/dev/null; done) &
	(for _ in $(seq 1 60); do mq-take -n 3 "$Q" | mq-retry -d 0 2>/dev/null; done) &
	for _ in $(seq 1 30); do
		s=$(mq-stat -o json "$Q")
		total=$(jq '.ready + .delayed + .leased + .expired + .dead + .done' <<<"$s")
		[ "$(jq '[.ready, .delayed, .leased, .expired, .dead, .done] | min' <<<"$s")" -ge 0 ]
		[ "$total" -le 300 ] || { echo "impossible: $s" >&2; return 1; }
	done
	reap_all
}

@test "usage: -i only with table or json; -n only with -i" {
	put "$Q" x
	for args in "-o xml $Q" "-o prom -i 1s $Q" "-o sh -i 1s $Q" "-n 2 $Q" "-i 1x $Q" ""; do
		eval "run mq-stat $args"
		[ "$status" -eq 64 ]
	done
}

@test "lag per subscriber, in every format: messages not yet consumed and the age of the oldest" {
	mkdir -p t/a t/b
	mq-put t <<<"old" >/dev/null
	seq 1 4 | mq-put -l t >/dev/null
	mq-take -n 5 t/a | mq-ack
	mq-take t/b >/dev/null		# leased: not yet consumed
	run mq-stat t
	[ "$(awk 'NR > 1 { print $1, $11 }' <<<"$output")" = "$(printf 't/a 0\nt/b 5')" ]
	[ "$(mq-stat -o json t | jq -c '[.spool, .lag]' | tr '\n' ' ')" = '["t/a",0] ["t/b",5] ' ]
	[ "$(mq-stat -o json t | jq '.lag_age' | sed -n 1p)" = 0 ]
	[ "$(mq-stat -o json t | jq '.lag_age > 0' | sed -n 2p)" = true ]
	run mq-stat -o prom t
	[[ "$output" == *$'\nmq_consumergroup_lag{spool="t/a"} 0\nmq_consumergroup_lag{spool="t/b"} 5\n'* ]]
	[[ "$output" == *$'\nmq_consumergroup_lag_seconds{spool="t/b"} '* ]]
	if command -v promtool >/dev/null; then
		mq-stat -o prom t | promtool check metrics
	fi
	eval "$(mq-stat -o sh t)"
	# shellcheck disable=SC2154
	[ "$mq_1_lag" = 0 ]
	[ "$mq_2_lag" = 5 ]
	[ "$mq_lag" = 5 ]
}
