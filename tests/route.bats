#!/usr/bin/env bats
# Routing keys (mq-put -s) and subscribers' bind patterns (mq(7)).

load helper
bats_require_minimum_version 1.5.0

# A topic t whose subscribers bind as their names say.
bound() {
	mkdir -p t/eu t/all t/created t/none t/free t/empty
	echo 'bind=order.eu.*' >t/eu/config
	echo 'bind=#' >t/all/config
	printf 'bind=*.*.created\nbind=audit.#\n' >t/created/config
	echo 'bind=nothing' >t/none/config
	echo 'bind=' >t/empty/config		# the empty key only
}

# The payloads subscriber $1 was given, in put order, on one line.
got() {
	find "t/$1/new" -type f -printf '%f\n' | sort | while read -r f; do
		cat "$(find "t/$1/new" -name "$f")"
	done | tr '\n' ' ' | sed 's/ $//'
}

@test "a put reaches the subscribers whose patterns match: *, #, several, none, no binds" {
	bound
	mq-put -s order.eu.created t <<<a >/dev/null
	mq-put -s order.us.created t <<<b >/dev/null
	mq-put -s order.eu t <<<c >/dev/null
	mq-put -s audit t <<<d >/dev/null			# "audit.#": # as zero words
	mq-put -s audit.x.y.z t <<<e >/dev/null
	mq-put t <<<f >/dev/null				# no key: everyone
	[ "$(got eu)" = "a f" ]
	[ "$(got all)" = "a b c d e f" ]
	[ "$(got created)" = "a b d e f" ]
	[ "$(got none)" = "f" ]
	[ "$(got free)" = "a b c d e f" ]		# no bind: everything
	[ "$(got empty)" = "f" ]
}

@test "the empty key: only # and the empty pattern; several # in a row; a key nobody binds" {
	bound
	mq-put -s '' t <<<x >/dev/null
	[ "$(got all)" = x ]
	[ "$(got empty)" = x ]
	[ "$(got free)" = x ]
	[ "$(got eu)" = "" ]
	[ "$(got created)" = "" ]
	mkdir -p u/s && printf 'bind=#.#.b.#\n' >u/s/config
	mkdir -p u/other && echo 'bind=zzz' >u/other/config
	mq-put -s b u <<<1 >/dev/null
	mq-put -s a.b u <<<2 >/dev/null
	mq-put -s a.b.c.d u <<<3 >/dev/null
	run -1 mq-put -s a.c u <<<4
	[ "$output" = 'mq-put: u: no subscriber binds "a.c": nothing put' ]
	[ "$(find u/s/new -type f | wc -l)" -eq 3 ]
	run -1 mq-put -s '' u <<<5
	[ "$output" = 'mq-put: u: no subscriber binds the empty key: nothing put' ]
}

@test "the key is in the message's names, leases and mq-ls; a spool named itself ignores binds" {
	bound
	id=$(mq-put -s order.eu.created t <<<a)
	[ -n "$(find t/eu/new -name "$id,0,0,,order.eu.created")" ]
	l=$(mq-take t/eu)
	[ "$(basename "$l")" = "$id,1,0,,order.eu.created" ]
	mq-retry -d 0 "$l"
	[ "$(mq-ls -o json t/eu | jq -r .route)" = order.eu.created ]
	mq-ack "$(mq-take t/eu)"
	[ "$(count t/eu new)" -eq 0 ]
	[ "$(count t/eu cur)" -eq 0 ]
	mq-put -s x.y t/none <<<direct >/dev/null	# the spool itself: put
	[ "$(got none)" = direct ]
	mq-put -g g -s order.eu.x t <<<grouped >/dev/null
	[ "$(mq-take t/eu | xargs cat)" = grouped ]
}

@test "mq-stat -s shows where a key would go" {
	bound
	mq-put t <<<"to all" >/dev/null	# (each subscriber made a spool)
	run mq-stat -o json -s order.eu.created t
	[ "$(jq -r .spool <<<"$output" | tr '\n' ' ')" = "t/all t/created t/eu t/free " ]
	run mq-stat -s '' t
	[ "$(awk 'NR > 1 { print $1 }' <<<"$output" | tr '\n' ' ')" = "t/all t/empty t/free " ]
	run -64 mq-stat -s 'a..b' t
}

@test "binds in replays: a late subscriber gets from the log what its patterns match" {
	bound
	printf 'retain=1h\n' >t/.config
	mq-put -s order.eu.created t <<<a >/dev/null
	mq-put -s order.us.created t <<<b >/dev/null
	mq-put t <<<c >/dev/null
	mkdir t/late && echo 'bind=order.eu.#' >t/late/config
	mq-replay -f start t/late
	[ "$(mq-take -n 9 t/late | xargs cat | sort | tr '\n' ' ')" = "a c " ]
}

@test "bad patterns and keys are refused, naming the line" {
	mkdir -p t/a
	echo 'bind=a..b' >t/a/config
	run -65 mq-put t <<<x
	[ "$output" = "mq-put: t/a/config:1: bind: bad pattern (words of [A-Za-z0-9_-], * or #, joined by dots)" ]
	echo 'bind=a.b*' >t/a/config
	run -65 mq-put t <<<x
	for k in '.a' 'a.' 'a b' 'a/b' 'a.*' '#'; do
		run -64 mq-put -s "$k" t <<<x
	done
	for i in $(seq 1 17); do echo "bind=k$i"; done >t/a/config
	run -65 mq-put t <<<x
	[ "$output" = "mq-put: t/a/config:17: bind: too many (at most 16)" ]
}
