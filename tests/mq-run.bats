#!/usr/bin/env bats
# mq-run: the worker pool (mq-run(1)).

load helper
bats_require_minimum_version 1.5.0

# Whether at least $1 commands have marked themselves started.
started() {
	[ "$(nfiles 'started.*')" -ge "$1" ]
}

# Whether process $1 has no signal $2 pending any more: it was delivered
# (Linux's /proc; elsewhere, after a short wait).
delivered() {
	local pnd
	if [ ! -r "/proc/$1/status" ]; then
		sleep 0.2
		return 0
	fi
	for pnd in $(sed -n 's/^\(Sig\|Shd\)Pnd:[[:space:]]*//p' "/proc/$1/status"); do
		[ $(( (0x$pnd >> ($2 - 1)) & 1 )) -eq 0 ] || return 1
	done
}

# A command that marks itself started, then holds until the test says go
# (at most 10 s), then does "$@".
HOLD='touch "started.$MQ_ID"; i=0; while [ ! -e go ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done'

# A command for the pool: its payload says how to end; it logs each run.
worker() {
	cat >worker <<'SH'
#!/bin/sh
payload=$(cat)
echo "$MQ_ID $MQ_ATTEMPT $payload" >>"$LOG"
case $payload in
ok*) echo "out: $payload"; echo "err: $payload" >&2; exit 0 ;;
later) exit 75 ;;
data) exit 65 ;;
hundred) exit 100 ;;
three) exit 3 ;;
killed) kill -9 $$ ;;
esac
exit 1
SH
	chmod +x worker
	export LOG=$PWD/log
}

@test "maps exit statuses: 0 ack, 75 retry, 65 and 100 dead letter, others retry with a reason" {
	worker
	mkdir -p "$Q" && echo 'backoff=1h' >"$Q/config"
	for p in ok later data hundred three killed; do
		mq-put "$Q" <<<"$p" >"id.$p"
	done
	run mq-run "$Q" ./worker
	[ "$status" -eq 0 ]
	[ "$(wc -l <log)" -eq 6 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ -z "$(find "$Q" -name "$(cat id.ok)*" -type f)" ]
	[ "$(mq-dlq -L "$Q" | cut -f1,2,4 | untimed | sort)" = "$(printf '%s\t1\texit 65 on attempt 1 after Ts\n%s\t1\texit 100 on attempt 1 after Ts\n' "$(cat id.data)" "$(cat id.hundred)" | sort)" ]
	for p in later three killed; do
		[ -n "$(find "$Q/new" -type f -name "$(cat "id.$p"),1")" ]
	done
	[ ! -e "$Q/reason/$(cat id.later)" ]
	[ "$(untimed <"$Q/reason/$(cat id.three)")" = "exit 3 on attempt 1 after Ts" ]
	[ "$(untimed <"$Q/reason/$(cat id.killed)")" = "killed by signal 9 (Killed) on attempt 1 after Ts" ]
}

@test "the command's stdout and stderr pass through" {
	worker
	put "$Q" ok1
	mq-run "$Q" ./worker >out 2>err
	[ "$(cat out)" = "out: ok1" ]
	[ "$(cat err)" = "err: ok1" ]
}

@test "the environment: MQ_SPOOL, MQ_LEASE, MQ_ID, MQ_ATTEMPT" {
	id=$(mq-put "$Q" <<<"x")
	mq-take "$Q" | mq-retry -d 0
	mq-run "$Q" sh -c 'printf "%s|%s|%s|%s|%s\n" "$MQ_SPOOL" "$MQ_LEASE" "$MQ_ID" "$MQ_ATTEMPT" "$(cat "$MQ_LEASE")"' >out
	[ "$(cat out)" = "$Q|$Q/cur/$id,2|$id|2|x" ]
}

@test "payloads with shell metacharacters and NUL bytes pass untouched" {
	printf '%s' '$(touch pwned) `touch pwned2`; rm -rf "$HOME" | x' | mq-put "$Q" >/dev/null
	printf 'a\0b\n\377\0' | mq-put "$Q" >/dev/null
	mq-run "$Q" sh -c 'cat >"out.$MQ_ID"'
	cat out.* >all
	cmp all <(printf '%s' '$(touch pwned) `touch pwned2`; rm -rf "$HOME" | x'; printf 'a\0b\n\377\0')
	[ ! -e pwned ]
	[ ! -e pwned2 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "-P 4 runs four commands at once, never more" {
	seq 1 12 | mq-put -l "$Q" >/dev/null
	# Each command marks itself running, counts those running, then holds
	# until four have started (at most 10 s): the first four all run at
	# once however slow the machine, and the fourth counts them; a fifth
	# at once would count five.
	mq-run -P 4 "$Q" sh -c '
		touch "run.$MQ_ID"
		ls run.* | wc -l >>conc
		touch "started.$MQ_ID"
		i=0
		while [ "$(ls started.* | wc -l)" -lt 4 ] && [ $i -lt 500 ]; do
			sleep 0.02
			i=$((i + 1))
		done
		rm "run.$MQ_ID"'
	[ "$(wc -l <conc)" -eq 12 ]
	[ "$(sort -n conc | tail -n 1)" -eq 4 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "-n stops after that many messages" {
	seq 1 5 | mq-put -l "$Q" >/dev/null
	mq-run -n 2 -P 4 "$Q" true
	[ "$(count "$Q" new)" -eq 3 ]
}

@test "a command running longer than -t keeps its lease and is not delivered twice" {
	put "$Q" slow
	mq-run -t 500ms "$Q" sh -c 'echo start >>runs; sleep 2' &
	pid=$!
	wait_for test -e runs
	for _ in $(seq 1 12); do
		run mq-take "$Q"
		[ "$status" -eq 1 ]
		sleep 0.15
	done
	reap "$pid"
	[ "$(wc -l <runs)" -eq 1 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "an expired lease held locked by a live runner is not reclaimed" {
	put "$Q" x
	mq-run -t 10s "$Q" sh -c 'touch -d "-1 min" "$MQ_LEASE"; '"$HOLD" &
	pid=$!
	wait_for started 1
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(count "$Q" cur)" -eq 1 ]
	touch go
	reap "$pid"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "kill -9 of mq-run: the message is delivered again once its lease runs out" {
	id=$(mq-put "$Q" <<<"x")
	mq-run -t 1s "$Q" sh -c 'echo $$ >cmd.pid; exec sleep 30' &
	pid=$!
	wait_for test -s cmd.pid
	kill -9 "$pid"
	reap "$pid" || true
	kill -9 "$(cat cmd.pid)"
	deadline=$(date -r "$Q/cur/$id,1" +%s%3N)
	# Until its deadline the lease stays (a take made before it finds
	# nothing); after, it is delivered again.
	got=
	run mq-take "$Q"
	if [ "$(now_ms)" -lt "$deadline" ]; then
		[ "$status" -eq 1 ]
	else
		got=$output
	fi
	taken() { got=$(mq-take "$Q"); }
	[ -n "$got" ] || wait_for taken
	[ "$(now_ms)" -ge "$deadline" ]
	[ "$got" = "$Q/cur/$id,2" ]
}

@test "kill -9 of the command: the message is retried with the signal as reason" {
	id=$(mq-put "$Q" <<<"x")
	mq-run "$Q" sh -c 'echo $$ >cmd.pid; exec sleep 30' &
	pid=$!
	wait_for test -s cmd.pid
	kill -9 "$(cat cmd.pid)"
	reap "$pid"
	[ "$(untimed <"$Q/reason/$id")" = "killed by signal 9 (Killed) on attempt 1 after Ts" ]
	[ -n "$(find "$Q/new" -type f -name "$id,1")" ]
}

@test "SIGTERM: takes nothing more, lets running commands finish, exits 0" {
	seq 1 6 | mq-put -l "$Q" >/dev/null
	mq-run -P 2 "$Q" sh -c "$HOLD"'; cat >>done.txt; echo >>done.txt' &
	pid=$!
	wait_for started 2
	kill -TERM "$pid"
	touch go
	st=0
	reap "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(wc -l <done.txt)" -eq 2 ]
	[ "$(count "$Q" new)" -eq 4 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "SIGHUP (a closed terminal) is as graceful as SIGTERM" {
	seq 1 3 | mq-put -l "$Q" >/dev/null
	mq-run "$Q" sh -c "$HOLD"'; cat >>done.txt; echo >>done.txt' &
	pid=$!
	wait_for started 1
	kill -HUP "$pid"
	touch go
	st=0
	reap "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(wc -l <done.txt)" -eq 1 ]
	[ "$(count "$Q" new)" -eq 2 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "a second SIGTERM passes SIGTERM on to the running commands" {
	seq 1 4 | mq-put -l "$Q" >/dev/null
	# Each command says it is started once its trap is set; its sleep's
	# pid is kept, to be killed at the end (the trap leaves it behind).
	mq-run -P 2 "$Q" sh -c 'trap "echo stopped >>stops; exit 75" TERM; sleep 30 & echo $! >"sleep.$MQ_ID"; touch "started.$MQ_ID"; wait' &
	pid=$!
	wait_for started 2
	kill -TERM "$pid"
	wait_for delivered "$pid" 15	# two at once would be one
	kill -TERM "$pid"
	st=0
	reap "$pid" || st=$?
	for f in sleep.*; do kill "$(cat "$f")" 2>/dev/null || true; done
	[ "$st" -eq 0 ]
	[ "$(wc -l <stops)" -eq 2 ]
	[ "$(count "$Q" new)" -eq 4 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "-w waits for work, then stops after staying idle that long" {
	put "$Q" x
	mq-take "$Q" | mq-ack
	t0=$(now_ms)
	mq-run -w 2s "$Q" sh -c 'cat >>got; echo >>got' &
	pid=$!
	sleep 0.4
	put "$Q" late
	reap "$pid"
	t=$(($(now_ms) - t0))
	[ "$(cat got)" = late ]
	[ "$t" -ge 2300 ]
	[ "$t" -lt 6000 ]
}

@test "-F never stops on its own; SIGTERM stops it" {
	put "$Q" x
	mq-take "$Q" | mq-ack
	mq-run -F "$Q" sh -c 'cat >>got; echo >>got' &
	pid=$!
	sleep 1.2				# longer than an idle -w would last
	alive "$pid"
	put "$Q" one
	wait_for grep -qx one got
	kill -TERM "$pid"
	st=0
	reap "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(cat got)" = one ]
}

@test "a command that cannot be run: 127 or 126 before anything is taken" {
	id=$(mq-put "$Q" <<<"x")
	run -127 mq-run "$Q" ./no-such-command
	[ "$output" = "mq-run: ./no-such-command: No such file or directory" ]
	run -127 mq-run "$Q" no-such-command-in-path
	[ "$output" = "mq-run: no-such-command-in-path: command not found" ]
	printf '#!/bin/sh\n' >not-executable
	run -126 mq-run "$Q" ./not-executable
	[ "$output" = "mq-run: ./not-executable: Permission denied" ]
	run -126 mq-run "$Q" /
	# Nothing was taken: the message is as it was put, no attempt spent.
	[ -n "$(find "$Q/new" -type f -name "$id,0")" ]
	[ ! -e "$Q/reason/$id" ]
}

@test "a command that stops being runnable: the message back with no attempt spent, the pool stops" {
	printf '#!/bin/sh\nrm -f "$0"; cat >/dev/null\n' >gone
	chmod +x gone
	for i in 1 2 3; do mq-put "$Q" <<<"$i" >"id.$i"; done
	run -127 mq-run -v "$Q" ./gone
	# The first ran (and removed the command); the second could not be
	# executed: given back as it was; the third never taken. (The next
	# is started before the one that ended is settled.)
	[ "${lines[0]}" = "mq-run: ./gone: No such file or directory" ]
	[ "${lines[1]}" = "mq-run: $(cat id.2): given back: cannot run the command: No such file or directory" ]
	[ "${lines[2]}" = "mq-run: $(cat id.1): acked on attempt 1 after $(sed -n 's/.* after \([0-9.]*s\)$/\1/p' <<<"${lines[2]}")" ]
	[ "$(untimed <<<"${lines[3]}")" = "mq-run: 1 acked, 0 retried, 0 dead, 1 given back in Ts (R/s, at most 1 at once)" ]
	[ "${#lines[@]}" -eq 4 ]
	[ -n "$(find "$Q/new" -type f -name "$(cat id.2),0")" ]
	[ -n "$(find "$Q/new" -type f -name "$(cat id.3),0")" ]
}

@test "a command found in PATH is looked up once; gone from there, the next is found where PATH says" {
	mkdir first second
	# The first in PATH removes itself; the second is the one left.
	printf '#!/bin/sh\necho "first $(cat)" >>log; rm -f "$0"\n' >first/job
	printf '#!/bin/sh\necho "second $(cat)" >>log\n' >second/job
	chmod +x first/job second/job
	put "$Q" a b c
	PATH="$PWD/first:$PWD/second:$PATH" run mq-run -P 1 "$Q" job
	[ "$status" -eq 0 ]
	[ "$(cat log)" = "$(printf 'first a\nsecond b\nsecond c')" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "the command's own options are its own; usage errors exit 64" {
	put "$Q" 'a-b'
	mq-run "$Q" grep -c -e - >out
	[ "$(cat out)" = 1 ]
	for args in "" "$Q" "-w 1s -F $Q true" "-P 0 $Q true" "-t 1x $Q true"; do
		eval "run mq-run $args"
		[ "$status" -eq 64 ]
	done
	run mq-run nosuch true
	[ "$status" -eq 66 ]
}

@test "four runners and four producers: every message processed exactly once" {
	mq-put "$Q" </dev/null >/dev/null && mq-take "$Q" | mq-ack
	echo 'sync=0' >"$Q/config"
	for _ in 1 2 3 4; do
		mq-run -P 2 -w 1s "$Q" sh -c 'cat >>"out.$$"; echo >>"out.$$"' &
	done
	for p in 1 2 3 4; do
		(for i in $(seq 1 100); do echo "$p-$i"; done | mq-put -l "$Q" >/dev/null) &
	done
	reap_all
	cat out.* | sort >all
	[ "$(wc -l <all)" -eq 400 ]
	[ -z "$(uniq -d all)" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "MQ_SPOOL and MQ_LEASE are absolute: a command that changes directory keeps its message" {
	mkdir -p sub && put sub/q hello
	cd sub
	run mq-run -n 1 q sh -c 'cd / && cat "$MQ_LEASE" && printf " %s" "$MQ_SPOOL"'
	[ "$status" -eq 0 ]
	same "$output" "hello $BATS_TEST_TMPDIR/sub/q"
	[ "$(count q new)" -eq 0 ]
	[ "$(count q cur)" -eq 0 ]
}

@test "a failed command's stderr: passed on whole, its last 4 KiB kept byte-exact beside the reason, memory bounded" {
	mkdir -p "$Q" && printf 'backoff=1ms\nbackoff_max=1ms\n' >"$Q/config"
	id=$(mq-put "$Q" <<<"x")
	# 100 MB and an end that says what went wrong.
	{ head -c 100000000 /dev/zero | tr '\0' 'x'; printf '\nconnecting to db\n  refused: port 5432\n\n'; } >big
	# Under 64 MB of address space: it cannot hold what it passes on
	# (but under AddressSanitizer, whose shadow needs terabytes).
	lim=65536
	[ -z "${ASAN_OPTIONS:-}" ] || lim=unlimited
	(ulimit -v "$lim"; mq-run -n 1 "$Q" sh -c 'cat big >&2; exit 3' 2>err)
	cmp big err
	tail -c 4096 big | cmp - "$Q/reason/$id.stderr"
	[ "$(untimed <"$Q/reason/$id")" = "exit 3 on attempt 1 after Ts: refused: port 5432" ]
	# A run that fails saying nothing leaves no evidence of an older one.
	mq-run -w 1s -n 1 "$Q" sh -c 'exit 4'
	[ ! -e "$Q/reason/$id.stderr" ]
	[ "$(untimed <"$Q/reason/$id")" = "exit 4 on attempt 2 after Ts" ]
	# Acked at last: the reason and the evidence go with the message.
	mq-run "$Q" sh -c 'echo ok >&2; cat >/dev/null' 2>/dev/null
	[ ! -e "$Q/reason/$id" ]
	[ -z "$(ls "$Q/reason")" ]
}

@test "-P 2 or -i: each line of a command's stderr after its message's id, a last part line ended" {
	mq-put "$Q" <<<"a" >id.a
	mq-put "$Q" <<<"b" >id.b
	cmd='read x; echo "one $x" >&2; echo "two $x" >&2; printf "part $x" >&2'
	mq-run -P 2 "$Q" sh -c "$cmd" 2>err
	for p in a b; do
		[ "$(grep -c "^$(cat id.$p): " err)" -eq 3 ]
		[ "$(grep "^$(cat id.$p): " err)" = "$(printf '%s: one %s\n%s: two %s\n%s: part %s' "$(cat id.$p)" $p "$(cat id.$p)" $p "$(cat id.$p)" $p)" ]
	done
	[ "$(wc -l <err)" -eq 6 ]
	mq-put "$Q" <<<"c" >id.c
	mq-run -i "$Q" sh -c "$cmd" 2>err
	[ "$(cat err)" = "$(printf '%s: one c\n%s: two c\n%s: part c' "$(cat id.c)" "$(cat id.c)" "$(cat id.c)")" ]
	# Alone and not asked: as the command wrote it.
	mq-put "$Q" <<<"d" >/dev/null
	mq-run "$Q" sh -c "$cmd" 2>err
	[ "$(cat err)" = "$(printf 'one d\ntwo d\npart d')" ]
}

@test "-v: a line for each message settled and a summary; without it, and off a terminal, nothing" {
	worker
	mkdir -p "$Q" && echo 'backoff=1h' >"$Q/config"
	for p in ok1 later data; do
		mq-put "$Q" <<<"$p" >"id.$p"
	done
	mq-run -v "$Q" ./worker >out 2>err
	[ "$(grep -v '^err: ' err | untimed)" = "$(printf '%s\n' \
	    "mq-run: $(cat id.ok1): acked on attempt 1 after Ts" \
	    "mq-run: $(cat id.later): retried on attempt 1 after Ts" \
	    "mq-run: $(cat id.data): dead: exit 65 on attempt 1 after Ts" \
	    "mq-run: 1 acked, 1 retried, 1 dead in Ts (R/s, at most 1 at once)")" ]
	mq-put "$Q" <<<"ok2" >/dev/null
	mq-run "$Q" sh -c 'cat >/dev/null' 2>err
	[ ! -s err ]
}

@test "on a terminal: a live progress line, gone before the summary" {
	command -v script >/dev/null || skip "no script(1)"
	for i in $(seq 1 6); do put "$Q" "$i"; done
	script -qec "mq-run '$Q' sh -c 'sleep 0.2'" /dev/null >screen </dev/null
	grep -q "mq-run: [0-9]* acked, 0 retried, 0 dead, [0-9.]*/s, 1 running, [0-9]* ready" screen
	# The summary is the last line, the progress line cleared before it.
	[ "$(tr '\r' '\n' <screen | grep -v '^$' | tail -n 1 | sed 's/\x1b\[K//g' | untimed | tr -d '\n')" = "mq-run: 6 acked, 0 retried, 0 dead in Ts (R/s, at most 1 at once)" ]
	[ "$(count "$Q" new)" -eq 0 ]
}

@test "-P 1:4 grows to 4 under a backlog, never past it, and back to 1 when idle" {
	for i in $(seq 1 40); do put "$Q" "$i"; done
	sleep 1.1				# the backlog has waited
	cmd='touch "run.$MQ_ID"; ls run.* | wc -l >>"at.$MQ_ID"; sleep 0.2; rm "run.$MQ_ID"'
	mq-run -v -P 1:4 -w 4s "$Q" sh -c "$cmd" 2>err
	[ "$(cat at.* | sort -n | tail -n 1)" -eq 4 ]
	grep -qx 'mq-run: 4 at once (a backlog)' err
	[ "$(grep -c 'at once (a backlog)' err)" -eq 3 ]
	[ "$(grep 'at once (idle)' err | tail -n 1)" = "mq-run: 1 at once (idle)" ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(grep -c ': acked on attempt 1' err)" -eq 40 ]
	run -64 mq-run -P 3:2 "$Q" true
	[ "$output" = "mq-run: -P: 3:2: the least is more than the most" ]
	run -64 mq-run -P 0:2 "$Q" true
}

@test "-o: the command's stdout becomes a message there, in the input's group; nothing written, nothing handed on" {
	out=$BATS_TEST_TMPDIR/out
	put "$Q" 1 2 3
	mq-put -g g1 "$Q" <<<"grouped" >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/topic/s1" "$BATS_TEST_TMPDIR/topic/s2"
	mq-run -o "$out" "$Q" sh -c 'x=$(cat); [ "$x" = 2 ] || echo "out $x"'
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$out" new)" -eq 3 ]
	[ "$(payloads "$out" | sort)" = "$(printf 'out 1\nout 3\nout grouped')" ]
	[ -n "$(find "$out/new" -type f -name '*,0,g1')" ]
	# Each keyed by its input's id.
	[ "$(ls "$out/key" | wc -l)" -eq 3 ]
	# A topic: each subscriber gets it.
	put "$Q" 4
	mq-run -o "$BATS_TEST_TMPDIR/topic" "$Q" sh -c 'echo "to all $(cat)"'
	[ "$(payloads "$BATS_TEST_TMPDIR/topic/s1")" = "to all 4" ]
	[ "$(payloads "$BATS_TEST_TMPDIR/topic/s2")" = "to all 4" ]
	# Not with the spool it takes from.
	run -64 mq-run -o "$Q" "$Q" true
	[ "$output" = "mq-run: -o: $Q: the spool it takes from" ]
}

@test "-o: a failed command hands nothing on; a full output retries the input, which waits" {
	out=$BATS_TEST_TMPDIR/out
	mkdir -p "$Q" "$out"
	printf 'backoff=1h\n' >"$Q/config"
	printf 'max_depth=1\n' >"$out/config"
	put "$Q" bad
	mq-run -o "$out" "$Q" sh -c 'echo partial; exit 3'
	[ "$(count "$out" new)" -eq 0 ]
	[ -z "$(ls "$out/tmp")" ]
	put "$out" filler
	put "$Q" good
	run mq-run -o "$out" "$Q" sh -c 'cat'
	[ "$(count "$out" new)" -eq 1 ]
	[ "$(payloads "$out")" = filler ]
	[ -z "$(ls "$out/tmp")" ]
	[ "$(grep -lx "not handed on: $out is full" "$Q"/reason/* | wc -l)" -eq 1 ]
	[ "$(count "$Q" new)" -eq 2 ]
}

@test "-o: kill -9 between the put and the ack: the input comes again, its output does not" {
	command -v gdb >/dev/null || skip "no gdb"
	out=$BATS_TEST_TMPDIR/out
	id=$(mq-put "$Q" <<<"order 7")
	# Stopped where the output is durable and the input not yet acked,
	# and killed there.
	gdb -q -batch -ex 'set breakpoint pending on' -ex 'break mq_move_ack' \
	    -ex run -ex kill --args "$(command -v mq-run)" -t 300ms -o "$out" "$Q" \
	    sh -c 'echo run >>runs; echo "paid: $(cat)"' >gdb.out 2>&1
	[ "$(wc -l <runs)" -eq 1 ]
	[ "$(count "$out" new)" -eq 1 ]
	[ -n "$(find "$Q/cur" -name "$id,1")" ]
	# The lease runs out; the next run does the work again, puts nothing.
	mq-run -w 2s -n 1 -o "$out" "$Q" sh -c 'echo run >>runs; echo "paid: $(cat)"' 2>/dev/null || true
	[ "$(wc -l <runs)" -ge 2 ]
	[ "$(count "$out" new)" -eq 1 ]
	[ "$(payloads "$out")" = "paid: order 7" ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 0 ]
}

@test "an expired lease goes out behind what was put before its deadline, before what came after" {
	seq 1 10 | mq-put -l "$Q" >/dev/null
	lease=$(mq-take -t 200ms "$Q")
	[ "$(cat "$lease")" = 1 ]
	for _ in $(seq 100); do		# its deadline passes
		[ "$(mq-stat -o json "$Q" | sed 's/.*"expired":\([0-9]*\).*/\1/')" = 1 ] && break
		sleep 0.05
	done
	seq 11 20 | mq-put -l "$Q" >/dev/null
	mq-run -P 1 -n 20 "$Q" sh -c 'cat >>got; echo >>got'
	[ "$(tr '\n' ' ' <got)" = "2 3 4 5 6 7 8 9 10 1 11 12 13 14 15 16 17 18 19 20 " ]
}

@test "a running pool redelivers a lease another taker let expire" {
	put "$Q" a
	lease=$(mq-take -t 300ms "$Q")
	mq-run -F "$Q" sh -c 'cat >>got' 3>&- &
	pool=$!
	# (it looks at cur/ once a second, and at once when it is short of
	# work, as here)
	wait_for -t 5 test -s got
	kill -TERM "$pool"
	reap "$pool"
	same "$(cat got)" a
	[ ! -e "$lease" ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a command's standard input is its lease, read as a plain file (not non-blocking), from its start" {
	[ -r /proc/self/fdinfo/0 ] || skip "no /proc/self/fdinfo"
	put "$Q" one two
	mq-run -P 2 "$Q" sh -c 'printf "%s\n" "$(head -c 3)" >>got; grep ^flags: /proc/self/fdinfo/0 >>flags' 3>&-
	same "$(sort got | tr '\n' ' ')" "one two "
	[ "$(wc -l <flags)" -eq 2 ]
	# O_NONBLOCK (04000) not set in either
	while read -r _ f; do
		[ $(( 0$f & 04000 )) -eq 0 ]
	done <flags
}
