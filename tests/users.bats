#!/usr/bin/env bats
# A spool shared by several Unix users through one group (mq(7), "Several
# users"): a setgid spool directory, umask 002, producers and consumers
# under different user ids. Real ids, by setpriv, so as root only.

load helper

P=4001		# the producer
C=4002		# a consumer
E=4003		# another consumer
G=4000		# their group

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (to run as other users)"
	command -v setpriv >/dev/null || skip "no setpriv"
	D=$(mktemp -d /tmp/mq-users.XXXXXX)
	chmod 1777 "$D"		# where each user's command writes its output
	Q=$D/q
	mkdir "$Q"
	chgrp "$G" "$Q"
	chmod 2775 "$Q"
	cd "$D" || return 1
	# shellcheck disable=SC2154  # bin: set by helper.bash
	as "$C" "test -x '$bin/mq-take'" ||
		skip "$bin cannot be run by other users"
}

teardown() {
	[ -z "${D:-}" ] || rm -rf "$D"
}

# as UID COMMAND: COMMAND by sh, as user UID of group G, umask 002, in $D.
as() {
	local u=$1
	shift
	setpriv --reuid "$u" --regid "$G" --clear-groups \
		env PATH="$PATH" sh -c "umask 002; cd '$D' && $*"
}

@test "a consumer takes, retries, buries and acks what another user put, exit 0" {
	as "$P" 'for i in 1 2 3 4 5; do echo "m$i" | mq-put q; done' >/dev/null
	run as "$C" 'mq-take -n 5 q'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]
	[ -z "$(find "$Q/cur" -type f ! -user "$C")" ]	# each lease its holder's
	as "$C" "cat ${lines[0]}" | grep -qx m1
	as "$C" "mq-retry -d 0 -r 'try again' ${lines[0]}"
	as "$C" "mq-dlq -r broken ${lines[1]}"
	as "$C" "mq-ack ${lines[2]} ${lines[3]} ${lines[4]}"
	[ "$(count "$Q" new)" -eq 1 ]
	[ "$(count "$Q" dlq)" -eq 1 ]
	# the producer, an operator here, redrives what the consumer buried
	run as "$P" 'mq-dlq -R q'
	[ "$status" -eq 0 ]
	run as "$C" 'mq-take -n 5 q'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	as "$C" "mq-ack ${lines[*]}"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a group another user fills comes out in put order, through consumers of two users" {
	as "$P" 'for i in $(seq 12); do echo "g$i" | mq-put -g orders q; done' >/dev/null
	for i in $(seq 12); do
		u=$C; [ $((i % 2)) -eq 0 ] && u=$E
		run as "$u" 'mq-take q'
		[ "$status" -eq 0 ]
		lease=$output
		run as "$u" "cat $lease"
		same "$output" "g$i"
		run as "$u" 'mq-take q'	# one member out at a time
		[ "$status" -eq 1 ]
		as "$u" "mq-ack $lease"
	done
	[ "$(messages "$Q")" -eq 0 ]
	[ ! -e "$Q/group/orders" ]
}

@test "an expired lease of another user's copy is taken by a third user, in order" {
	as "$P" 'printf a | mq-put -g g q; printf b | mq-put -g g q' >/dev/null
	l1=$(as "$C" 'mq-take -t 1s q')
	sleep 1.1
	run as "$E" 'mq-take q'
	[ "$status" -eq 0 ]
	[ "$(as "$E" "cat $output")" = a ]
	as "$E" "mq-ack $output"
	run as "$C" "mq-ack $l1"
	[ "$status" -eq 2 ]		# lost, and said so
	run as "$C" 'mq-take q'
	[ "$(as "$C" "cat $output")" = b ]
	# only the front and its copy were ever in the group's directory
	[ -z "$(find "$Q/group" -name '[-~]*')" ]
}

@test "what a crash leaves of a copy's making is finished or undone by the next take" {
	as "$P" 'printf first | mq-put -g g q; printf second | mq-put -g g q' >/dev/null
	f=$(find "$Q/group/g" -maxdepth 1 -name '1*' -type f)
	F=${f##*/}
	n=$(find "$Q/new" -type f)
	# 1: the copy made, not linked
	cp -p "$n" "$Q/group/g/-$F" && chown "$C" "$Q/group/g/-$F"
	run as "$C" 'mq-take q'
	[ "$status" -eq 0 ]
	[ "$(cat "$output")" = first ]
	as "$C" "mq-retry -d 0 $output"
	[ ! -e "$Q/group/g/-$F" ]
	[ "$(find "$Q/group/g" -maxdepth 1 -type f | wc -l)" -eq 3 ]	# lock, F, +F
	# 2: a third user's copy made and linked as ~F, not swapped
	n=$(find "$Q/new" -type f)
	cp -p "$n" "$Q/group/g/-$F" && ln "$Q/group/g/-$F" "$Q/group/g/~$F"
	run as "$E" 'mq-take q'
	[ "$status" -eq 0 ]
	[ "$(cat "$output")" = first ]
	[ -z "$(find "$Q/group" -name '[-~]*')" ]
	as "$E" "mq-ack $output"
	run as "$C" 'mq-take q'
	[ "$status" -eq 0 ]
	[ "$(cat "$output")" = second ]
	as "$C" "mq-ack $output"
	[ "$(messages "$Q")" -eq 0 ]
}

@test "a topic's subscribers of other users take what one user published" {
	mkdir "$Q/../t" && chgrp "$G" "$D/t" && chmod 2775 "$D/t"
	as "$C" 'mkdir t/a'
	as "$E" 'mkdir t/b'
	as "$P" 'echo news | mq-put -k n1 t; echo again | mq-put -k n1 t' >/dev/null
	for u in "$C:a" "$E:b"; do
		run as "${u%:*}" "mq-take t/${u#*:}"
		[ "$status" -eq 0 ]
		[ "$(cat "$output")" = news ]
		as "${u%:*}" "mq-ack $output"
	done
}

@test "mq-run as another user drains what the producer put; no attempt lost to permissions" {
	as "$P" 'for i in $(seq 20); do echo "r$i" | mq-put q; done
		for i in $(seq 10); do echo "s$i" | mq-put -g s q; done' >/dev/null
	run as "$C" 'mq-run -P 3 -w 0 q sh -c "cat \"\$MQ_LEASE\" >>out.\$\$"'
	[ "$status" -eq 0 ]
	[ "$(cat "$D"/out.* | wc -l)" -eq 30 ]
	[ "$(cat "$D"/out.* | grep -c '^s')" -eq 10 ]
	[ "$(messages "$Q")" -eq 0 ]
	[ "$(count "$Q" dlq)" -eq 0 ]
}

@test "a message its consumer may not read is skipped with one warning; the rest are taken" {
	as "$P" 'umask 077; echo secret | mq-put q' >/dev/null
	as "$P" 'echo open | mq-put q' >/dev/null
	# a umask of 077 does not close a shared spool to its group...
	[ -z "$(find "$Q" -path "$Q/.*" -prune -o ! -perm -g+rw -print)" ]
	# ...but a producer may still close a message by hand
	secret=$(grep -rl secret "$Q/new")
	chmod 600 "$secret"
	run as "$C" 'mq-take -n 5 q'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]	# one warning, one lease
	[[ ${lines[0]} == *"Permission denied: skipped"* ]]
	as "$C" "mq-ack ${lines[1]}"
	run as "$C" 'mq-take q'
	[ "$status" -eq 77 ]		# nothing it may take: told
	[ "$(count "$Q" new)" -eq 1 ]	# and nothing moved
	# a pool goes on, telling it once
	run as "$C" 'mq-run -w 1s q true'
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'skipped')" -eq 1 ]
	[ "$(count "$Q" new)" -eq 1 ]
	[ "$(count "$Q" dlq)" -eq 0 ]
}

@test "a umask of 022 does not shut the group out: what mq makes in a shared spool is the group's" {
	as "$P" 'umask 022; echo a | mq-put q; echo b | mq-put -g g -k k q; mq-put q/../q2 </dev/null' >/dev/null 2>&1
	[ -z "$(find "$Q" "$D/q2" ! -perm -g+rw -print)" ]
	[ -z "$(find "$Q" -type d ! -perm -g+s -print)" ]
	# a subscriber its consumer made private is the group's once the
	# consumer's first mq program opens it
	mkdir "$D/t" && chgrp "$G" "$D/t" && chmod 2775 "$D/t"
	as "$C" 'umask 022; mkdir t/s; mq-take t/s' || true
	[ "$(stat -c %a "$D/t/s")" = 2775 ]
	run as "$P" 'umask 022; echo x | mq-put t'
	[ "$status" -eq 0 ]
	run as "$C" 'umask 022; mq-take t/s'
	[ "$status" -eq 0 ]
}
