#!/usr/bin/env bats
# mq-ls: looking at a spool without touching it (mq-ls(1)).

load helper
bats_require_minimum_version 1.5.0

head='ID                            STATE   TRIES RD WHEN                   AGE      SIZE GROUP REASON'

# Every file and directory of the spool with its size and times: what a
# look must leave as it was.
snapshot() {
	find "$1" -printf '%p %s %T@ %C@\n' | sort
}

# A spool with a message in each state: ids in id.STATE.
spool_of_all() {
	mkdir -p "$Q" && printf 'backoff=1h\nkeep=1h\n' >"$Q/config"
	mq-put "$Q" <<<"leased" >id.leased
	mq-put "$Q" <<<"expired" >id.expired
	mq-put "$Q" <<<"retried" >id.delayed
	mq-put "$Q" <<<"dead" >id.dead
	mq-put "$Q" <<<"done" >id.done
	mq-put "$Q" <<<"ready" >id.ready
	mq-put -g g1 "$Q" <<<"front" >id.front
	mq-put -g g1 "$Q" <<<"behind" >id.held
	mq-put -d 1h "$Q" <<<"later" >id.later
	l=$(mq-take -n 5 "$Q")
	mq-take -x 1h "$(sed -n 1p <<<"$l")"
	touch -c -d '-1 min' "$(sed -n 2p <<<"$l")"
	mq-retry -r 'HTTP 503' "$(sed -n 3p <<<"$l")"
	mq-dlq -r $'bad \e[31mred\e[0m' "$(sed -n 4p <<<"$l")"
	mq-ack "$(sed -n 5p <<<"$l")"
}

@test "every state, in delivery order, and nothing changed: not a time, not a counter" {
	spool_of_all
	before=$(snapshot "$Q")
	run mq-ls -s all "$Q"
	[ "$status" -eq 0 ]
	[ "$(snapshot "$Q")" = "$before" ]
	[ "${lines[0]}" = "$head" ]
	# id, state, tries, redrives, group, reason: the time and age columns
	# are checked apart.
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $1, $2, $3, $4, $8, $9, $10, $11 }' | sed 's/ *$//')" = "$(printf '%s\n' \
	    "$(cat id.leased) leased 1 0 - -" \
	    "$(cat id.expired) expired 1 0 - -" \
	    "$(cat id.ready) ready 0 0 - -" \
	    "$(cat id.front) ready 0 0 g1 -" \
	    "$(cat id.held) held 0 0 g1 -" \
	    "$(cat id.delayed) delayed 1 0 - HTTP 503" \
	    "$(cat id.later) delayed 0 0 - -" \
	    "$(cat id.dead) dead 1 0 - bad \\x1b[31mred\\x1b[0m" \
	    "$(cat id.done) done 1 0 - -")" ]
	[[ "${lines[1]}" =~ \ 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\ +[0-9]+s\ +7\  ]]
	# Not a call that could change a thing: no write, no lock.
	if command -v strace >/dev/null; then
		strace -f -o trace -e trace=openat,renameat,renameat2,linkat,unlinkat,mkdirat,utimensat,fcntl,write \
		    mq-ls -s all -p "$Q" >/dev/null
		! grep -E 'O_WRONLY|O_RDWR|O_CREAT|rename|link|mkdir|utimensat|F_SETLK|F_SETFL' trace
		! grep -E '^[0-9]+ +write\(([^1]|1[0-9])' trace
	fi
	# The default: all but done.
	run mq-ls "$Q"
	[ "${#lines[@]}" -eq 9 ]
	[[ "$output" != *" done "* ]]
}

@test "-s, -g and -- id choose; an id not there is 1, a word not an id 65" {
	spool_of_all
	run mq-ls -s dead,held "$Q"
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d' ' -f1)" = "$(printf '%s\n%s' "$(cat id.held)" "$(cat id.dead)")" ]
	run mq-ls -g g1 "$Q"
	[ "${#lines[@]}" -eq 3 ]
	run mq-ls "$Q" -- "$(cat id.dead)" "$(cat id.ready)"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d' ' -f1 | sort)" = "$(sort id.dead id.ready)" ]
	run -1 mq-ls "$Q" -- "$(cat id.ready)" 1796000000000000.000000000000
	[ "${lines[-1]}" = "mq-ls: 1796000000000000.000000000000: no such message in $Q" ]
	run -65 mq-ls "$Q" -- ready
	[ "$output" = "mq-ls: ready: not a message id" ]
	run -64 mq-ls -s readyy "$Q"
	[ "${lines[0]}" = "mq-ls: -s: readyy: not a state (ready delayed held leased expired parked dead done, or all)" ]
	run -64 mq-ls -p -o json "$Q"
	run -64 mq-ls -o yaml "$Q"
	run -64 mq-ls "$Q" -s ready
	run -66 mq-ls "$BATS_TEST_TMPDIR/nothing"
}

# One message in each state, ids in id.X: each put and taken when it is
# the only one ready, so each take takes it.
spool_by_letter() {
	mkdir -p "$Q" && printf 'backoff=1h\nkeep=1h\n' >"$Q/config"
	mq-put "$Q" <<<dead >id.dead
	mq-dlq "$(mq-take "$Q")"
	mq-put -g g3 "$Q" <<<"dead in a group" >id.gdead
	mq-dlq "$(mq-take "$Q")"
	mq-put "$Q" <<<"dead twice" >id.twice
	mq-dlq "$(mq-take "$Q")"
	mq-dlq -R "$Q" "$(cat id.twice)"
	mq-dlq "$(mq-take "$Q")"
	mq-put "$Q" <<<"done" >id.done
	mq-ack "$(mq-take "$Q")"
	mq-put "$Q" <<<leased >id.leased
	mq-take -x 1h "$(mq-take "$Q")"
	mq-put "$Q" <<<expired >id.expired
	touch -c -d '-1 min' "$(mq-take "$Q")"
	mq-put "$Q" <<<ready >id.ready
	mq-put -g g2 "$Q" <<<front >id.front
	mq-put -g g2 "$Q" <<<held >id.held
	mq-put -d 1h "$Q" <<<later >id.delayed
	mq-put "$Q" <<<parked >id.parked
	mq-park "$Q" "$(cat id.parked)"
}

states_by_letter="dead gdead twice done leased expired ready front held delayed parked"

@test "-- id finds a message in every state: grouped, redriven and parked ones too" {
	spool_by_letter
	for x in $states_by_letter; do
		got=$(mq-ls -o json "$Q" -- "$(cat id.$x)" | sed -E 's/.*"state":"([a-z]*)","attempts":([0-9]+),"redrives":([0-9]+),"group":("[^"]*"|null).*/\1 \2 \3 \4/')
		case $x in
		dead) want='dead 1 0 null' ;;
		gdead) want='dead 1 0 "g3"' ;;
		twice) want='dead 1 1 null' ;;
		done) want='done 1 0 null' ;;
		leased) want='leased 1 0 null' ;;
		expired) want='expired 1 0 null' ;;
		ready) want='ready 0 0 null' ;;
		front) want='ready 0 0 "g2"' ;;
		held) want='held 0 0 "g2"' ;;
		delayed) want='delayed 0 0 null' ;;
		parked) want='parked 0 0 null' ;;
		esac
		[ "$got" = "$want" ] || { echo "$x: $got, not $want" >&2; false; }
	done
	# all at once: each once, in the order of the walk
	local all=()
	for x in $states_by_letter; do all+=("$(cat "id.$x")"); done
	run mq-ls "$Q" -- "${all[@]}"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d' ' -f1 | sort)" = "$(cat id.* | sort)" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }' | tr '\n' ' ')" = "leased expired ready ready held delayed parked dead dead dead done " ]
	# a state asked for that it is not in: not found
	run -1 mq-ls -s dead "$Q" -- "$(cat id.ready)"
	[ "${lines[-1]}" = "mq-ls: $(cat id.ready): no such message in $Q" ]
}

@test "-- id reads no more of a deep spool than of a shallow one, where the state allows" {
	command -v strace >/dev/null || skip "no strace"
	spool_by_letter
	calls() {
		strace -o "trace.$1.$2" \
		    -e trace=openat,getdents64,newfstatat,fstatat64 \
		    mq-ls "$Q" -- "$(cat id.$1)" >/dev/null
		grep -cE '^(openat|newfstatat|fstatat64)' "trace.$1.$2"
	}
	for x in ready front held leased dead parked "done"; do
		calls $x shallow >"shallow.$x"
	done
	# 3000 more, ready, and 300 dead letters
	seq 1 3000 | mq-put -l "$Q" >/dev/null
	mkdir -p "$BATS_TEST_TMPDIR/d" && seq 1 300 | mq-put -l "$BATS_TEST_TMPDIR/d" >/dev/null
	mq-take -n 300 "$BATS_TEST_TMPDIR/d" | while read -r l; do
		mv "$l" "$Q/dlq/$(basename "$l")"; done
	[ "$(mq-stat -o json "$Q" | sed -E 's/.*"ready":([0-9]+).*/\1/')" -ge 3000 ]
	for x in ready front held leased dead parked "done"; do
		[ "$(calls $x deep)" -eq "$(cat "shallow.$x")" ] || {
			echo "$x: $(calls $x deep) calls, $(cat "shallow.$x") before" >&2
			diff "trace.$x.shallow" "trace.$x.deep" | grep -v '\.so' >&2
			false; }
	done
}

@test "-o paths | xargs cat: the payloads' bytes; -0; -p: escaped for a terminal" {
	mq-put "$Q" <<<$'line\e]0;title\a' >/dev/null
	printf 'a b\0c' | mq-put "$Q" >/dev/null
	mq-ls -o paths "$Q" | xargs cat >got
	printf 'line\e]0;title\a\na b\0c' | cmp - got
	mq-ls -0 -o paths "$Q" | xargs -0 cat | cmp - got
	run mq-ls -p "$Q"
	[ "${lines[2]}" = '    line\x1b]0;title\x07\n' ]
	[ "${lines[4]}" = '    a b\x00c' ]
}

@test "-o json: a JSON object a line, every field" {
	command -v jq >/dev/null || skip "no jq"
	spool_of_all
	mq-ls -o json -s dead,held "$Q" >out
	[ "$(jq -r '[.id, .state, .attempts, .redrives, (.group // "-"), (.reason // "-"), .size] | map(tostring) | join(" ")' out)" = "$(printf '%s\n' \
	    "$(cat id.held) held 0 0 g1 - 7" \
	    "$(cat id.dead) dead 1 0 - bad "$'\e'"[31mred"$'\e'"[0m 5")" ]
	[ "$(jq -r .path out | sed -n 2p)" = "dlq/$(cat id.dead),1" ]
	[ "$(jq -r .spool out | sort -u)" = "$Q" ]
	[ "$(jq -r '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")' out | sort -u)" = true ]
}

@test "a topic: every subscriber's, after its name" {
	mkdir -p topic/a topic/b
	mq-put topic <<<"x" >id
	run mq-ls topic
	[ "${lines[0]}" = "SPOOL $head" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | cut -d' ' -f1-3)" = "$(printf 'topic/a %s ready\ntopic/b %s ready' "$(cat id)" "$(cat id)")" ]
}

@test "a look during a drain: each message listed once at most, none twice" {
	seq 1 600 | mq-put -l "$Q" >/dev/null
	mq-run -P 2 "$Q" sh -c 'cat >/dev/null' &
	pid=$!
	for _ in 1 2 3 4 5; do
		mq-ls -s all "$Q" | sed 1d | cut -d' ' -f1 >ids
		[ -z "$(sort ids | uniq -d)" ]
	done
	reap "$pid"
}

@test "memory does not grow with the dead letters listed" {
	[ -x /usr/bin/time ] || skip "no GNU time"
	# AddressSanitizer's quarantine keeps what is freed: RSS says nothing
	[ -z "${ASAN_OPTIONS:-}" ] || skip "under AddressSanitizer"
	mkdir -p "$Q" && echo 'sync=0' >"$Q/config"
	seq 1 4000 | mq-put -l "$Q" >/dev/null
	mq-take -n 4000 "$Q" | mq-dlq
	mkdir -p "$BATS_TEST_TMPDIR/few" && echo 'sync=0' >"$BATS_TEST_TMPDIR/few/config"
	seq 1 40 | mq-put -l "$BATS_TEST_TMPDIR/few" >/dev/null
	mq-take -n 40 "$BATS_TEST_TMPDIR/few" | mq-dlq
	/usr/bin/time -f %M -o rss.many mq-ls "$Q" >/dev/null
	/usr/bin/time -f %M -o rss.few mq-ls "$BATS_TEST_TMPDIR/few" >/dev/null
	[ "$(mq-ls "$Q" | wc -l)" -eq 4001 ]
	# 4,000 names kept would be about 250 KB more.
	[ "$(tail -n 1 rss.many)" -le $(($(tail -n 1 rss.few) + 100)) ]
}

@test "-- ID after a slow durable batch: its leaf is found from its id, no leaf before it read" {
	command -v strace >/dev/null || skip "strace is not installed"
	# (under strace, a batch of 256 takes longer than a tenth of a second)
	seq 1 3000 | strace -f -o /dev/null mq-put -l "$Q" >ids
	id=$(sed -n 250p ids)	# late in the first batch
	leaves=$(find "$Q/new" -mindepth 3 -type d | wc -l)
	strace -e trace=openat -o trace mq-ls "$Q" -- "$id" >out
	[ "$(sed -n 2p out | cut -d" " -f1)" = "$id" ]
	dirs=$(grep -c O_DIRECTORY trace)
	echo "directories opened: $dirs, of $leaves leaves" >&2
	[ "$leaves" -ge 3 ]
	[ "$dirs" -le 26 ]	# each leaf before it read: 2 more a leaf
}
