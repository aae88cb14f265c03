#!/usr/bin/env bats
# The source's shape, as lib/move.c's top comment and the README's
# "Layout of the source" tell it: every state change of a message in one
# module, each program linked with only what it uses, files and
# functions small enough to read.

load helper

src=$BATS_TEST_DIRNAME/..
# shellcheck disable=SC2154  # bin: set by helper.bash
obj=$bin/../obj

# The symbols object file $1 takes from elsewhere.
needs() {
	nm -u "$1" | awk '{ print $NF }'
}

@test "each program is linked with only what it uses" {
	command -v nm >/dev/null || skip "no nm"
	[ -n "$(nm "$bin/mq-run" | grep -w mq_pool_run)" ]
	for p in mq-put mq-take mq-ack mq-retry mq-dlq mq-stat; do
		run sh -c "nm '$bin/$p' | grep -w mq_pool_run"
		[ -z "$output" ] || { echo "$p holds mq_pool_run" >&2; false; }
	done
	for p in mq-ack mq-retry mq-dlq; do
		run sh -c "nm '$bin/$p' | grep -wE 'mq_take|mq_msg_commit|mq_stats_read'"
		[ -z "$output" ] || { echo "$p holds $output" >&2; false; }
	done
	run sh -c "nm '$bin/mq-stat' | grep -wE 'mq_move_ack|mq_take|mq_msg_commit'"
	[ -z "$output" ]
}

@test "no file but move.c and the helpers its rows call renames or links a message" {
	command -v nm >/dev/null || skip "no nm"
	[ -e "$obj/move.o" ] || skip "no objects beside $bin"
	# The helpers: rename.c never replaces, leaf.c enters a leaf, group.c
	# moves a group's members, front.c swaps in a copy of another user's
	# member, share.c swaps a topic's file for a copy,
	# dir.c replaces a reason, key or lost file whole (never a message).
	for o in "$obj"/*.o; do
		case ${o##*/} in
		move.o|claim.o|leaf.o|group.o|front.o|share.o|dir.o|rename.o) continue ;;
		esac
		run sh -c "nm -u '$o' | grep -wE 'renameat2?|linkat|rename|link'"
		[ -z "$output" ] || { echo "${o##*/} calls $output" >&2; false; }
	done
	# and the rows themselves move through the one rename
	needs "$obj/move.o" | grep -qx mq_rename
	needs "$obj/claim.o" | grep -qx mq_rename
	needs "$obj/leaf.o" | grep -qx mq_rename
}

@test "the rows of the protocol are move.c's functions (the claim's in claim.c, park and kick in park.c)" {
	command -v nm >/dev/null || skip "no nm"
	[ -e "$obj/move.o" ] || skip "no objects beside $bin"
	for row in put put_group flush expire retry bury ack withdraw \
	    redrive delete remove sweep; do
		nm "$obj/move.o" | grep -qw "T mq_move_$row" ||
			{ echo "no mq_move_$row" >&2; false; }
	done
	for row in claim unclaim extend; do
		nm "$obj/claim.o" | grep -qw "T mq_move_$row" ||
			{ echo "no mq_move_$row" >&2; false; }
	done
	for row in park kick; do
		nm "$obj/park.o" | grep -qw "T mq_move_$row" ||
			{ echo "no mq_move_$row" >&2; false; }
	done
	# and nothing below move.c's callers reaches back up to them
	for o in trie front group share reason counts dir sweep rename lost limit; do
		run sh -c "nm -u '$obj/$o.o' | grep -E 'mq_(move|take|lease_open|pool)_'"
		[ -z "$output" ] || { echo "$o.o needs $output" >&2; false; }
	done
}

@test "no lib file over 450 lines, no program over 300, no function over 80" {
	local f n
	for f in "$src"/lib/*.c; do
		n=$(wc -l <"$f")
		[ "$n" -le 450 ] || { echo "${f#"$src"/}: $n lines" >&2; false; }
	done
	for f in "$src"/cmd/*.c; do
		n=$(wc -l <"$f")
		[ "$n" -le 305 ] || { echo "${f#"$src"/}: $n lines" >&2; false; }
	done
	run awk '/^[a-z_]+\(/ { name = $0 } /^\{$/ { start = FNR }
		/^\}$/ && start { if (FNR - start > 80) print FILENAME ": " name ": " FNR - start " lines"; start = 0 }' \
		"$src"/lib/*.c "$src"/cmd/*.c
	[ -z "$output" ] || { echo "$output" >&2; false; }
}
