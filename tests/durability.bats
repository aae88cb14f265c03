#!/usr/bin/env bats
# Power-loss ordering: every state change, traced with strace, checked by
# tests/fsync-order: a file's bytes are fsynced before it is renamed or
# linked; a message moved out of a state directory never lands in a
# directory not yet fsynced into its parent; a put (and a redrive) has
# fsynced every directory it changed before it prints an id or exits.

load helper
bats_require_minimum_version 1.5.0

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	Q="$BATS_TEST_TMPDIR/q"
	command -v strace >/dev/null || skip "strace is not installed"
	n=0
}

# traced CMD...: runs CMD under strace, one log per process in tr.N/.
traced() {
	n=$((n + 1))
	mkdir -p "tr.$n"
	strace -ff -y -qq -o "tr.$n/log" -e trace=openat,rename,renameat,renameat2,linkat,unlinkat,mkdirat,fsync,fdatasync,write,pwrite64,writev,exit_group "$@"
}

# order [-p]: checks the logs of the last traced command.
order() {
	run "$BATS_TEST_DIRNAME/fsync-order" "$@" "$Q" "tr.$n"/log.*
	if [ "$status" != 0 ]; then
		printf '%s\n' "$output" >&2
		return 1
	fi
	# The check saw the spool: at least one rename or link into it.
	grep -qE '^(renameat|renameat2|linkat|unlinkat)\(' "tr.$n"/log.* ||
		{ echo "nothing happened in the spool" >&2; return 1; }
}

@test "the checker fails a put that does not fsync (sync=0)" {
	put "$Q" warm
	printf 'sync=0\n' >"$Q/config"
	traced mq-put "$Q" <<<x >/dev/null
	run "$BATS_TEST_DIRNAME/fsync-order" -p "$Q" "tr.$n"/log.*
	same "$status" 1
	[[ $output == *"content: $Q/tmp/"*"not fsynced before its renameat"* ]]
	[[ $output == *"puts: $Q/new/"*"not fsynced before writing to standard output"* ]]
}

@test "puts: plain, batch, delayed, keyed, grouped, to a topic" {
	traced mq-put "$Q" <<<a >/dev/null
	order -p
	seq 300 >in
	traced mq-put -l "$Q" <in >/dev/null
	order -p
	traced mq-put -d 7s "$Q" <<<d >/dev/null
	order -p
	traced mq-put -k key1 "$Q" <<<k >/dev/null
	order -p
	traced mq-put -g g "$Q" <<<g1 >/dev/null
	order -p
	traced mq-put -g g "$Q" <<<g2 >/dev/null
	order -p
	mkdir -p topic/a topic/b topic/c
	traced mq-put topic <<<t >/dev/null
	Q=$BATS_TEST_TMPDIR/topic/b order -p
	Q=$BATS_TEST_TMPDIR/topic/a order -p
}

@test "takes: plain, reclaiming expired leases, a shared file of a topic" {
	put "$Q" a b c
	traced mq-take "$Q" >/dev/null
	order
	mq-take -t 0 -n 2 "$Q" >/dev/null
	traced mq-take "$Q" >/dev/null	# moves the expired leases back first
	order
	mkdir -p topic/a topic/b
	printf 't' | mq-put topic >/dev/null
	Q=$BATS_TEST_TMPDIR/topic/a
	traced mq-take "$Q" >/dev/null	# copies and swaps: linked twice
	order
}

@test "acks, kept acks, retries with delay and reason, burials" {
	put "$Q" a b c d
	traced mq-ack "$(mq-take "$Q")"
	order
	printf 'keep=1h\n' >"$Q/config"
	traced mq-ack "$(mq-take "$Q")"
	order
	traced mq-retry -d 9s -r 'try later' "$(mq-take "$Q")"
	order
	traced mq-dlq -r broken "$(mq-take "$Q")"
	order
	printf 'max_attempts=1\n' >"$Q/config"
	put "$Q" e
	traced mq-retry -r again "$(mq-take "$Q")"	# at max: to dlq/
	order
	same "$(count "$Q" dlq)" 2
}

@test "redrives and deletions of dead letters, plain and grouped" {
	put "$Q" a b
	printf 'g' | mq-put -g g "$Q" >/dev/null
	mq-take -n 3 "$Q" | xargs mq-dlq
	traced mq-dlq -R "$Q" >/dev/null
	order -p
	same "$(count "$Q" dlq)" 0
	mq-take -n 3 "$Q" | xargs mq-dlq
	traced mq-dlq -D "$Q" >/dev/null
	order || true	# only unlinks
	same "$(count "$Q" dlq)" 0
}

@test "a group moves on: the next member let through on an ack, a retry, a burial" {
	local m
	for m in 1 2 3 4; do printf '%s' "$m" | mq-put -g g "$Q" >/dev/null; done
	traced mq-ack "$(mq-take "$Q")"
	order -p
	traced mq-retry -d 0 "$(mq-take "$Q")"
	order
	traced mq-dlq "$(mq-take "$Q")"
	order		# a burial is not fsynced; the group's move is
}

@test "mq-run: success, failure retried, failure dead-lettered" {
	put "$Q" ok fail dead
	printf 'backoff=5s\n' >"$Q/config"
	cat >cmd <<-'EOF'
	#!/bin/sh
	case $(cat) in ok) exit 0 ;; fail) exit 1 ;; dead) exit 100 ;; esac
	EOF
	chmod +x cmd
	traced mq-run -n 3 "$Q" ./cmd
	order
	same "$(count "$Q" dlq)" 1
	same "$(count "$Q" new)" 1
}
