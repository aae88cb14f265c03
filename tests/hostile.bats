#!/usr/bin/env bats
# Hostile spools: things planted in every directory of a spool (symbolic
# links, fifos, devices, hard links, directories, names outside the
# grammar), wrong permissions, parts of a spool replaced by symbolic
# links. Nothing is followed, nothing outside the spool is changed or
# removed, nothing blocks, nothing unsafe is printed, and every refusal is
# one line with the exit status the man pages give.

# shellcheck disable=SC2154  # $stderr: set by run --separate-stderr
load helper
bats_require_minimum_version 1.5.0

ID=1795398579778933.6c59f9e9138d

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	Q="$BATS_TEST_TMPDIR/q"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT/dir"
	printf 'secret\n' >"$OUT/f"
	printf 'inside\n' >"$OUT/dir/g"
	touch -d '2001-01-01' "$OUT/f" "$OUT/dir/g" "$OUT/dir"
	before=$(outside)
}

# What lies outside the spool: names, sizes, links, modes and times.
outside() {
	find "$OUT" -printf '%p %s %n %M %T@\n' | sort
}

untouched() {
	same "$(outside)" "$before"
}

# Fails when file $1 holds a control character (but newline) or a byte
# that is not UTF-8: what a terminal could be made to act on.
clean() {
	if LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]' "$1" ||
		! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; then
		echo "unsafe bytes in $1:" >&2
		od -c "$1" >&2
		return 1
	fi
}

# plant KIND PATH: a symbolic link to a file outside, a fifo, a device
# (root only, else a fifo), a hard link to a file outside, a directory.
plant() {
	case $1 in
	symlink) ln -s "$OUT/f" "$2" ;;
	dirlink) ln -s "$OUT/dir" "$2" ;;
	fifo) mkfifo "$2" ;;
	device)
		if [ "$(id -u)" = 0 ]; then mknod "$2" c 1 3; else mkfifo "$2"; fi ;;
	hardlink) ln "$OUT/f" "$2" ;;
	dir) mkdir "$2" ;;
	esac
}

# A spool with two ready messages, one grouped, and key/, reason/.
spool() {
	put "$Q" one
	printf 'two' | mq-put -g g "$Q" >/dev/null
	printf 'k' | mq-put -k k0 "$Q" >/dev/null
	mkdir -p "$Q/reason"
	leaf=$(cd "$Q/new" && find . -mindepth 3 -maxdepth 3 -type d | sort | head -n 1)
	leaf=${leaf#./}
}

@test "planted in the state directories: skipped with a warning, never followed, nothing outside changed" {
	local dir kind name ok=0
	for dir in new cur dlq 'done' tmp; do
		for kind in symlink dirlink fifo device dir; do
			rm -rf "$Q"
			spool
			case $dir in
			new) name=$leaf/$ID,0 ;;
			cur) name=$ID,1 ;;
			dlq | done) name=$ID,3 ;;
			tmp) name=$ID ;;
			esac
			plant "$kind" "$Q/$dir/$name"
			# Every program, with a bound on time: a fifo must not block.
			run timeout 10 mq-stat -o json "$Q"
			same "$status" 0
			run timeout 10 mq-dlq -L "$Q"
			same "$status" 0
			printf 'x' | timeout 10 mq-put "$Q" >/dev/null
			: >"$BATS_TEST_TMPDIR/err"
			for _ in 1 2 3 4; do
				run --separate-stderr timeout 10 mq-take -t 0 "$Q"
				same "$status" 0
				printf '%s\n' "$stderr" >>"$BATS_TEST_TMPDIR/err"
				case $output in *"$ID"*) echo "took the planted $kind: $output"; return 1 ;; esac
			done
			run timeout 10 mq-dlq -R "$Q"
			same "$status" 0
			run timeout 10 mq-dlq -D "$Q"
			same "$status" 0
			timeout 20 mq-run -n 10 "$Q" cat >/dev/null 2>>"$BATS_TEST_TMPDIR/err"
			timeout 10 mq-take -n 10 "$Q" >/dev/null 2>>"$BATS_TEST_TMPDIR/err" || true
			clean "$BATS_TEST_TMPDIR/err"
			# The planted entry is where it was, as it was.
			[ -e "$Q/$dir/$name" ] || [ -L "$Q/$dir/$name" ] ||
				{ echo "planted $kind in $dir/ removed"; return 1; }
			untouched
			ok=$((ok + 1))
		done
	done
	same "$ok" 25
}

@test "a planted entry is named in a warning by its place, and a taker still gets the real message" {
	spool
	mkfifo "$Q/new/$leaf/$ID,0"
	run --separate-stderr mq-take "$Q"
	same "$status" 0
	[[ $output == "$Q/cur/"* ]]
	same "$stderr" "mq-take: $Q/new/$leaf: $ID,0: not a regular file, skipped"
}

@test "a hard link in new/ to a file outside: delivered as a copy; the file outside is never written" {
	spool
	mq-take -n 10 "$Q" | xargs mq-ack
	ln "$OUT/f" "$Q/new/$leaf/$ID,0"
	run mq-take "$Q"
	same "$status" 0
	same "$output" "$Q/cur/$ID,1"
	printf 'worker wrote this' >"$output"
	mq-ack "$output"
	same "$(cat "$OUT/f")" secret
	same "$(stat -c %h "$OUT/f")" 1
}

@test "names outside the grammar, with escapes, newlines and bad UTF-8, are never printed" {
	local bad d
	spool
	for d in new/$leaf cur dlq 'done' tmp key group reason; do
		for bad in $'\e]0;pwned\a' $'a\nb,1' $'\xff\xfe,0' $'\e[2J' '-rf'; do
			printf 'x' >"$Q/$d/$bad"
		done
	done
	{
		mq-stat "$Q"
		mq-stat -o json "$Q"
		mq-stat -o prom "$Q"
		mq-stat -o sh "$Q"
		mq-dlq -L "$Q"
		mq-take -n 10 "$Q"
		mq-dlq -R "$Q"
		mq-run -n 5 "$Q" true
	} >"$BATS_TEST_TMPDIR/all" 2>&1
	clean "$BATS_TEST_TMPDIR/all"
	run grep -c 'pwned' "$BATS_TEST_TMPDIR/all"
	same "$output" 0
	# Every planted file is still there.
	same "$(find "$Q" -name '*pwned*' | wc -l)" 8
}

@test "config that is a fifo, a device, a directory or a symbolic link: 65 naming it, at once" {
	local kind
	for kind in fifo device dir symlink; do
		rm -rf "$Q"
		spool
		plant "$kind" "$Q/config"
		case $kind in
		symlink) why="a symbolic link, not followed" ;;
		*) why="not a regular file" ;;
		esac
		run --separate-stderr timeout 5 mq-put "$Q" </dev/null
		same "$status" 65
		same "$stderr" "mq-put: $Q/config: $why"
		run --separate-stderr timeout 5 mq-take "$Q"
		same "$status" 65
		same "$stderr" "mq-take: $Q/config: $why"
		run timeout 5 mq-stat "$Q"
		same "$status" 65
		same "$(messages "$Q")" 3
	done
	untouched
}

@test ".counts that is a hard link outside, a symbolic link or a fifo: never written through, never blocks" {
	local kind
	for kind in hardlink symlink fifo; do
		rm -rf "$Q"
		spool
		rm "$Q/.counts"
		plant "$kind" "$Q/.counts"
		before=$(outside)
		run timeout 5 mq-put "$Q" <<<x
		same "$status" 0
		run timeout 5 mq-take "$Q"
		same "$status" 0
		run timeout 5 mq-ack "$output"
		same "$status" 0
		run timeout 5 mq-stat -o sh "$Q"
		same "$status" 0
		untouched
	done
}

@test "group/, a group, or its lock replaced: 65 for that group's put, naming it; other work goes on" {
	local what
	for what in group group/g group/g/lock; do
		rm -rf "$Q"
		spool
		rm -rf "${Q:?}/$what"
		case $what in
		group/g/lock) mkfifo "$Q/$what" ;;
		*) ln -s "$OUT/dir" "$Q/$what" ;;
		esac
		run --separate-stderr timeout 5 mq-put -g g "$Q" <<<x
		same "$status" 65
		case $what in
		group/g/lock) same "$stderr" "mq-put: $Q/$what: not a regular file" ;;
		*) same "$stderr" "mq-put: $Q/$what: a symbolic link, not followed" ;;
		esac
		same "$(ls "$Q/tmp")" ""
		run timeout 5 mq-put "$Q" <<<y
		same "$status" 0
		run timeout 5 mq-take -n 10 "$Q"
		same "$status" 0
		untouched
	done
}

@test "key/ or a key replaced: mq-put -k refuses with 65 naming it; nothing is put" {
	spool
	rm -rf "$Q/key"
	ln -s "$OUT/dir" "$Q/key"
	run --separate-stderr mq-put -k a "$Q" <<<x
	same "$status" 65
	same "$stderr" "mq-put: $Q/key: a symbolic link, not followed"
	rm "$Q/key"
	mkdir -p "$Q/key/a"
	run --separate-stderr mq-put -k a "$Q" <<<x
	same "$status" 65
	same "$stderr" "mq-put: $Q/key/a: not a regular file"
	same "$(messages "$Q")" 3
	untouched
}

@test "reason/ replaced by a symbolic link: mq-retry -r refuses with 65; the lease stays held" {
	spool
	rm -rf "$Q/reason"
	ln -s "$OUT/dir" "$Q/reason"
	lease=$(mq-take "$Q")
	run --separate-stderr mq-retry -r why "$lease"
	same "$status" 65
	same "$stderr" "mq-retry: $Q/reason: a symbolic link, not followed
mq-retry: $lease: not retried (the reason could not be written): the lease is still yours"
	[ -f "$lease" ]
	untouched
}

@test "a level of new/ replaced by a symbolic link: a put there refuses with 65 naming it; takers skip it" {
	spool
	mq-take -n 10 "$Q" | xargs mq-ack
	printf 'x' | mq-put "$Q" >/dev/null
	k1=$(ls "$Q/new")
	mv "$Q/new/$k1" "$OUT/dir/"
	ln -s "$OUT/dir/$k1" "$Q/new/$k1"
	before=$(outside)
	run --separate-stderr mq-put "$Q" <<<y
	same "$status" 65
	same "$stderr" "mq-put: $Q/new/$k1: a symbolic link, not followed"
	same "$(ls "$Q/tmp")" ""
	run --separate-stderr mq-take "$Q"
	same "$status" 1
	same "$stderr" "mq-take: $Q/new/$k1: a symbolic link, not followed, skipped"
	untouched
}

@test "a state directory replaced by a symbolic link: every program refuses with 65" {
	local d p
	for d in tmp new cur dlq 'done'; do
		rm -rf "$Q"
		spool
		rm -rf "${Q:?}/$d"
		ln -s "$OUT/dir" "$Q/$d"
		for p in mq-put mq-take mq-stat; do
			run --separate-stderr timeout 5 "$p" "$Q" </dev/null
			same "$status" 65
			same "$stderr" "$p: $Q/$d: a symbolic link, not followed"
		done
		run --separate-stderr mq-dlq -R "$Q"
		same "$status" 65
		run --separate-stderr mq-run -n 1 "$Q" true
		same "$status" 65
		untouched
	done
}

@test "the spool path itself may be a symbolic link (followed once, as the user named it)" {
	mkdir real
	put real one
	ln -s real "$Q"
	run mq-take "$Q"
	same "$status" 0
	[[ $output == "$Q/cur/"* ]]
	mq-ack "$output"
	same "$(messages real)" 0
}

@test "old debris planted in tmp/ and done/: the sweeps unlink names, never what they point to" {
	spool
	printf 'keep=1s\n' >"$Q/config"
	ln -s "$OUT/f" "$Q/tmp/$ID"
	ln -s "$OUT/dir" "$Q/tmp/$ID.k"
	ln "$OUT/f" "$Q/tmp/$ID.r1"
	ln -s "$OUT/dir" "$Q/done/$ID,1"
	ln -s "$OUT/f" "$Q/done/$ID,2"
	mkdir "$Q/done/$ID,3"
	touch -h -d '2001-01-01' "$Q"/tmp/* "$Q"/done/*
	rm -f "$Q/.swept"
	before=$(outside)
	# A put sweeps tmp/; an ack with keep prunes done/.
	lease=$(printf 'x' | mq-put "$Q" >/dev/null && mq-take "$Q")
	mq-ack "$lease"
	same "$(cat "$OUT/f")" secret
	same "$(cat "$OUT/dir/g")" inside
	[ -d "$OUT/dir" ]
	# A hard link's other name loses a link, nothing else.
	run stat -c %h "$OUT/f"
	[ "$output" -le 2 ]
}

@test "without permission: 77 with one line, and no message moves" {
	[ "$(id -u)" = 0 ] || skip "needs root to run as another user"
	command -v setpriv >/dev/null || skip "no setpriv"
	# Under /tmp: bats's own directories are closed to other users.
	perm=$(mktemp -d /tmp/mq-perm.XXXXXX)
	chmod 755 "$perm"
	Q=$perm/q
	spool
	lease=$(mq-take "$Q")
	as() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	snap=$(cd "$Q" && find . | sort)
	run --separate-stderr as mq-put "$Q" <<<x
	same "$status" 77
	[[ $stderr == "mq-put: $Q/tmp/"*": Permission denied" ]]
	run --separate-stderr as mq-take "$Q"
	same "$status" 77
	same "$(printf '%s\n' "$stderr" | wc -l)" 1
	for p in mq-ack mq-retry mq-dlq; do
		run --separate-stderr as "$p" "$lease"
		same "$status" 77
	done
	same "$(cd "$Q" && find . | sort)" "$snap"
	chmod 700 "$Q/cur"
	run --separate-stderr as mq-stat "$Q"
	same "$status" 77
	same "$stderr" "mq-stat: $Q/cur: Permission denied"
	chmod 000 "$Q"
	run --separate-stderr as mq-take "$Q"
	same "$status" 77
	same "$stderr" "mq-take: $Q: Permission denied"
	chmod 755 "$Q" "$Q/cur"
	same "$(cd "$Q" && find . | sort)" "$snap"
}

teardown() {
	if [ -n "${perm:-}" ]; then
		chmod -R u+rwx "$perm"
		rm -rf "$perm"
	fi
}
