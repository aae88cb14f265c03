#!/usr/bin/env bats
# The runnable examples: quickstart (make demo), cron-drain, xargs-pool,
# prom-textfile, mq-alert, fanout, saga and order-events.

load helper

ex=$BATS_TEST_DIRNAME/../examples

# A worker for cron-drain: its payload says how to end.
worker() {
	cat >worker <<'SH'
#!/bin/sh
payload=$(cat)
echo "worker: $MQ_ID attempt $MQ_ATTEMPT: $payload" >>"$LOG"
case $payload in
ok*) exit 0 ;;
later) exit 75 ;;
bad) echo "cannot parse line 3" >&2; exit 65 ;;
boom) echo "something" >&2; echo "boom happened" >&2; exit 3 ;;
kill) kill -9 $$ ;;
esac
exit 1
SH
	chmod +x worker
}

@test "make demo's quickstart runs to the end on a spool of its own" {
	run "$ex/quickstart"
	[ "$status" -eq 0 ]
	[[ "$output" == *"attempts used up (2 of max_attempts 2), dead-lettered"* ]]
	[[ "$output" == *"	2	20"*"	card declined: card expired"* ]]
	[[ "$output" == *"/cur/"*",1,1"* ]]
	[[ "${lines[-1]}" == "(exit status 1: nothing ready)" ]]
}

@test "cron-drain acks, retries and dead-letters by exit status" {
	worker
	export LOG=$PWD/log
	mkdir -p "$Q" && echo 'backoff=1h' >"$Q/config"
	for p in ok1 later bad boom kill ok2; do
		mq-put "$Q" <<<"$p" >"id.$p"
	done
	run "$ex/cron-drain" "$Q" ./worker
	[ "$status" -eq 0 ]
	[ "$(wc -l <log)" -eq 6 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	# ok1, ok2: acked. bad: dead now, with its reason.
	[ "$(mq-dlq -L "$Q" | cut -f1,2,4)" = "$(cat id.bad)	1	exit 65: cannot parse line 3" ]
	# later, boom, kill: waiting for their backoff, with their reasons.
	[ "$(count "$Q" new)" -eq 3 ]
	[ ! -e "$Q/reason/$(cat id.later)" ]
	[ "$(cat "$Q/reason/$(cat id.boom)")" = "exit 3: boom happened" ]
	[[ "$(cat "$Q/reason/$(cat id.kill)")" == "exit 137"* ]]
	# stderr passes through
	[[ "$output" == *"something"*"boom happened"* ]]
	# the environment
	grep -qx "worker: $(cat id.ok1) attempt 1: ok1" log
}

@test "cron-drain: payloads with shell metacharacters reach stdin untouched" {
	cat >worker <<'SH'
#!/bin/sh
cat >>"$OUT"
SH
	chmod +x worker
	export OUT=$PWD/out
	printf '%s' '$(touch pwned); `touch pwned2` "; rm -rf / ;' | mq-put "$Q" >/dev/null
	printf 'a\0b\n\377' | mq-put "$Q" >/dev/null
	"$ex/cron-drain" "$Q" ./worker
	cmp out <(printf '%s' '$(touch pwned); `touch pwned2` "; rm -rf / ;'; printf 'a\0b\n\377')
	[ ! -e pwned ]
	[ ! -e pwned2 ]
	[ "$(messages "$Q")" -eq 0 ]
}

@test "cron-drain -n stops after that many; an empty spool is a quiet success" {
	worker
	export LOG=$PWD/log
	seq -f 'ok%g' 1 5 | mq-put -l "$Q" >/dev/null
	"$ex/cron-drain" -n 2 "$Q" ./worker
	[ "$(count "$Q" new)" -eq 3 ]
	"$ex/cron-drain" "$Q" ./worker
	run "$ex/cron-drain" "$Q" ./worker
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$ex/cron-drain" "$Q"
	[ "$status" -eq 64 ]
}

@test "xargs-pool drains a spool like mq-run: ack, retry, dead letter, once each" {
	worker
	export LOG=$PWD/log
	mkdir -p "$Q" && printf 'backoff=1h\nsync=0\n' >"$Q/config"
	seq -f 'ok%g' 1 40 | mq-put -l "$Q" >/dev/null
	for p in bad boom; do mq-put "$Q" <<<"$p" >"id.$p"; done
	run "$ex/xargs-pool" -P 4 "$Q" ./worker
	[ "$status" -eq 0 ]
	[ "$(wc -l <log)" -eq 42 ]
	[ "$(grep -c ' ok' log)" -eq 40 ]
	[ -z "$(cut -d' ' -f2 log | sort | uniq -d)" ]
	[ "$(mq-dlq -L "$Q" | cut -f1,4)" = "$(cat id.bad)	exit 65" ]
	[ "$(cat "$Q/reason/$(cat id.boom)")" = "exit 3" ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "prom-textfile writes the metrics file whole, by rename" {
	put "$Q" x
	mkdir textfile
	run "$ex/prom-textfile" textfile "$Q" nosuch
	[ "$status" -eq 66 ]
	[ "$(ls -A textfile)" = mq.prom ]
	grep -qx "mq_messages{spool=\"$Q\",state=\"ready\"} 1" textfile/mq.prom
}

@test "mq-alert is silent when all is well, and speaks of dead letters and lag" {
	put "$Q" x
	run "$ex/mq-alert" "$Q"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	mq-take "$Q" | mq-dlq
	run "$ex/mq-alert" "$Q"
	[ "$status" -eq 1 ]
	[ "$output" = "$Q: 1 dead letters; see: mq-dlq -L $Q" ]
	mq-dlq -D "$Q"
	# a message ready for 10 minutes: moved to the leaf of that time
	f=$(mq-put "$Q" <<<"y")
	key=$((($(date +%s) - 600) * 1000))
	leaf=$Q/new/$((key / 1000000))/$(printf %03d $((key / 1000 % 1000)))/000
	mkdir -p "$leaf"
	mv "$(find "$Q/new" -type f -name "$f,0")" "$leaf/"
	run "$ex/mq-alert" -l 300 "$Q"
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"$Q: the oldest ready message has waited "60[01]"s (limit 300s)"$ ]]
	run "$ex/mq-alert" -l 900 "$Q"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a topic: a dead letter in any subscriber is spoken of
	mkdir -p t/a t/b
	put t z
	mq-take t/b | mq-dlq
	run "$ex/mq-alert" t
	[ "$status" -eq 1 ]
	[ "$output" = "t: 1 dead letters; see: mq-dlq -L t" ]
}

@test "fanout: every service gets every order once, from one file" {
	mkdir cwd
	run sh -c 'cd cwd && exec "$0" "$1"' "$ex/fanout" "$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A cwd)" ]		# nothing left where it ran
	for s in email inventory analytics; do
		[ "$(grep -c "^$s " f/log)" -eq 6 ]
		[ "$(grep "^$s " f/log | sort -u | wc -l)" -eq 6 ]
		[ "$(find "f/orders/$s" -type f ! -name config ! -name '.*' | wc -l)" -eq 0 ]
	done
	[[ "$output" == *"analytics: order 1002: sink busy, retrying"* ]]
	# the one file with three names
	inodes=$(grep -E '^[0-9]+ orders/' <<<"$output" | cut -d' ' -f1 | sort -u)
	[ "$(wc -l <<<"$inodes")" -eq 1 ]
	[ "$(grep -cE '^[0-9]+ orders/' <<<"$output")" -eq 3 ]
}

@test "saga: three stages handed on with mq-run -o; a declined card dead-lettered, an item out of stock refunded" {
	run "$ex/saga" "$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[ "$(sort s/ledger)" = "$(printf 'charge 1 10\ncharge 3 10\ncharge 4 10\ncharge 5 10\nrefund 3 10\nrefund 5 10')" ]
	[[ "$output" == *"to ship:
  1 book ok
  4 book ok
dead letters:
  exit 65 on attempt 1 after "*"s: pay: order 2: card declined
charged 4, refunded 2: 2 orders paid for"* ]]
	[[ "$output" == *"reserve: order 3: lamp out of stock, refunding"* ]]
	for q in orders reserve ship refunds; do
		[ "$(find "s/$q/new" "s/$q/cur" -type f | wc -l)" -eq 0 ]
	done
	# The refunds were put under keys: a second run of reserve puts none.
	[ "$(ls s/refunds/key)" = "$(printf 'refund-3\nrefund-5')" ]
}

@test "order-events: analytics down, then buggy, then replayed; a late audit bootstrapped; refunds routed past shipping" {
	mkdir cwd
	run sh -c 'cd cwd && exec "$0" "$1"' "$ex/order-events" "$BATS_TEST_TMPDIR/o"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A cwd)" ]
	[[ "$output" == *"revenue counted: 0
== the bug is fixed: the last hour again, into analytics alone
orders/analytics: 5 to replay, ID to ID
revenue counted: 80"* ]]
	[ "$(sort o/ledger)" = "$(printf 'audit 1 10\naudit 2 20\naudit 2 20\naudit 3 30\naudit 4 40\nship 1\nship 2\nship 3\nship 4')" ]
	[[ "$output" == *"orders/analytics: lag 0
orders/audit: lag 0
orders/shipping: lag 0" ]]
	[ "$(find o/orders/.log -mindepth 4 -type f | wc -l)" -eq 5 ]
}
