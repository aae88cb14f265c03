#!/usr/bin/env bats
# mq-put: enqueue messages (mq-put(1)).

load helper
bats_require_minimum_version 1.5.0

idre='^[0-9]{16}\.[0-9a-f]{12}$'

# An empty directory: a put makes it a spool without a word (a new
# spool's note on stderr is tested on its own).
setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	Q="$BATS_TEST_TMPDIR/q"
	mkdir "$Q"
}

@test "puts stdin as one message and prints its id" {
	run mq-put "$Q" <<<"hello"
	[ "$status" -eq 0 ]
	[[ "$output" =~ $idre ]]
	[ "$(count "$Q" new)" -eq 1 ]
	f=$(files "$Q" new)
	[ "$(basename "$f")" = "$output,0" ]
	[ "$(cat "$f")" = "hello" ]
}

@test "creates a missing spool with all its directories, and says so" {
	mkdir -p a/b
	run --separate-stderr mq-put a/b/q </dev/null
	[ "$status" -eq 0 ]
	same "$stderr" "mq-put: a/b/q: a new spool, made now"
	for d in tmp new cur dlq "done"; do
		[ -d "$BATS_TEST_TMPDIR/a/b/q/$d" ]
	done
	run --separate-stderr mq-put a/b/q </dev/null	# once
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "makes a spool only where its parent is: 73 naming the parent" {
	run mq-put nosuch/dir/q </dev/null
	[ "$status" -eq 73 ]
	same "$output" "mq-put: nosuch/dir: no such directory (a spool is made only in one that exists)"
	[ ! -e nosuch ]
}

@test "never makes a spool of a directory that holds other things: 65" {
	mkdir photos && echo jpeg >photos/cat.jpg
	run mq-put photos <<<x
	[ "$status" -eq 65 ]
	same "$output" "mq-put: photos: not a spool, and not empty (it holds cat.jpg): left alone"
	[ "$(ls photos)" = cat.jpg ]
	# a subscriber made by mkdir is an empty directory: taken from at once
	mkdir -p t/s
	run mq-take t/s
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "an empty payload is an empty message" {
	run mq-put "$Q" </dev/null
	[ "$status" -eq 0 ]
	f=$(files "$Q" new)
	[ -f "$f" ]
	[ ! -s "$f" ]
}

@test "a binary payload is stored byte for byte" {
	head -c 65537 /dev/urandom >payload
	printf '\0\0\n\0' >>payload
	mq-put "$Q" <payload
	cmp payload "$(files "$Q" new)"
}

@test "-l puts each line as a message, newline removed" {
	run mq-put -l "$Q" < <(printf 'one\ntwo\n\nlast')
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	mapfile -t f < <(files "$Q" new)
	[ "$(cat "${f[0]}")" = one ]
	[ "$(cat "${f[1]}")" = two ]
	[ ! -s "${f[2]}" ]
	[ "$(cat "${f[3]}")" = last ]
	[ "$(wc -c <"${f[3]}")" -eq 4 ]
}

@test "-0 puts each NUL-terminated record, newlines kept" {
	run mq-put -0 "$Q" < <(printf 'a\nb\0c\0')
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	mapfile -t f < <(files "$Q" new)
	[ "$(printf 'a\nb')" = "$(cat "${f[0]}")" ]
	[ "$(cat "${f[1]}")" = c ]
}

@test "-l with no input puts nothing" {
	run mq-put -l "$Q" </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(count "$Q" new)" -eq 0 ]
}

@test "each file operand is a message" {
	printf 'first' >f1
	printf 'second\nline' >f2
	run mq-put "$Q" f1 f2
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	mapfile -t f < <(files "$Q" new)
	cmp f1 "${f[0]}"
	cmp f2 "${f[1]}"
}

@test "a missing file operand fails with 66 and the others are still put" {
	printf 'x' >f1
	run mq-put "$Q" nosuch f1
	[ "$status" -eq 66 ]
	[ "${lines[0]}" = "mq-put: nosuch: No such file or directory" ]
	[[ "${lines[1]}" =~ $idre ]]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "ids follow the grammar, are unique, and sort in put order" {
	seq 1 500 | mq-put -l "$Q" >ids
	for i in 1 2 3; do mq-put "$Q" <<<"$i" >>ids; done
	[ "$(wc -l <ids)" -eq 503 ]
	sort -c ids
	[ "$(sort -u ids | wc -l)" -eq 503 ]
	[ -z "$(grep -Ev "$idre" ids)" ]
	# put order is take order
	mq-take -n 503 "$Q" | while read -r l; do cat "$l"; echo; done >taken
	[ "$(head -n 500 taken)" = "$(seq 1 500)" ]
}

@test "-d makes a message invisible until its delay has passed" {
	now=$(date +%s)
	run mq-put -d 1h "$Q" <<<"later"
	[ "$status" -eq 0 ]
	one=$(files "$Q" new)
	t=$(mtime "$one")
	[ "$t" -ge $((now + 3599)) ]
	[ "$t" -le $((now + 3602)) ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(count "$Q" new)" -eq 1 ]
}

@test "-d with a short delay becomes ready after it" {
	mq-put -d 300ms "$Q" <<<"soon" >/dev/null
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	sleep 0.5
	run mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "$(cat "$output")" = soon ]
}

@test "-m refuses with 75 when the spool holds that many, ready, delayed or leased" {
	put "$Q" a
	mq-put -d 1h "$Q" <<<"b" >/dev/null
	put "$Q" c
	mq-take "$Q" >/dev/null
	run mq-put -m 3 "$Q" <<<"d"
	[ "$status" -eq 75 ]
	[ "$output" = "mq-put: $Q: spool full (3 messages, limit 3)" ]
	[ "$(count "$Q" new)" -eq 2 ]
	[ "$(count "$Q" cur)" -eq 1 ]
	[ "$(count "$Q" tmp)" -eq 0 ]
	run mq-put -m 4 "$Q" <<<"d"
	[ "$status" -eq 0 ]
}

@test "-m stops a batch at the limit: what fits is put, the rest refused" {
	run mq-put -m 3 -l "$Q" < <(seq 1 5)
	[ "$status" -eq 75 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[3]}" = "mq-put: $Q: spool full (3 messages, limit 3)" ]
	[ "$(count "$Q" new)" -eq 3 ]
}

@test "-m keeps the count as .depth's size (N + 1), the file holding no data" {
	put "$Q" a b
	mq-put -m 10 "$Q" <<<"c" >/dev/null
	same "$(stat -c %s "$Q/.depth")" 4
	same "$(tr -d '\0' <"$Q/.depth" | wc -c)" 0
	mq-take "$Q" | mq-ack
	# takes never touch it: the count drifts up, safe
	mq-put -m 10 "$Q" <<<"d" >/dev/null
	same "$(stat -c %s "$Q/.depth")" 5
	# a put without a limit counts too, once .depth exists
	put "$Q" e
	same "$(stat -c %s "$Q/.depth")" 6
	# when it says full it is counted again, and made right
	run mq-put -m 5 "$Q" <<<"f"
	same "$status" 0
	same "$(stat -c %s "$Q/.depth")" 6
	run mq-put -m 5 "$Q" <<<"g"
	same "$status" 75
	same "$output" "mq-put: $Q: spool full (5 messages, limit 5)"
}

@test "-m reads an older mq's text .depth as too many (safe) and counts again" {
	put "$Q" a
	printf 'depth %020d\n' 0 >"$Q/.depth"
	# read as 26: over -m 3, so counted (1 message): room
	run mq-put -m 3 "$Q" <<<"b"
	same "$status" 0
	same "$(stat -c %s "$Q/.depth")" 3
	same "$(tr -d '\0' <"$Q/.depth" | wc -c)" 0
	# a .depth made but never counted (size 0) is counted, never read as 0
	put "$Q" c
	: >"$Q/.depth"
	run mq-put -m 3 "$Q" <<<"d"
	same "$status" 75
	same "$(count "$Q" new)" 3
}

@test "max_depth in config limits like -m, and -m overrides it" {
	mkdir -p "$Q" && echo 'max_depth = 1' >"$Q/config"
	put "$Q" a
	run mq-put "$Q" <<<"b"
	[ "$status" -eq 75 ]
	run mq-put -m 0 "$Q" <<<"b"
	[ "$status" -eq 0 ]
}

@test "bad options are usage errors (64)" {
	run mq-put -d 5x "$Q"
	[ "$status" -eq 64 ]
	[ "${lines[0]}" = "mq-put: -d: bad duration '5x' (a number with an optional unit ms, s, m, h, d)" ]
	run mq-put -m -1 "$Q"
	[ "$status" -eq 64 ]
	run mq-put -Z "$Q"
	[ "$status" -eq 64 ]
	run mq-put
	[ "$status" -eq 64 ]
	[ -z "$(ls -A "$Q")" ]
}

@test "-h prints usage on stdout and -V the version" {
	run mq-put -h
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: mq-put [-0 | -l] [-d delay] [-g group] [-k key] [-m max] [-s route]" ]
	[ "${lines[1]}" = "              spool [file...]" ]
	[ "$(printf '%s\n' "$output" | grep -c '^  -')" -eq 8 ]	# a line an option
	run mq-put -V
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^mq-put\ \(mq\)\ [0-9] ]]
}

@test "a 200 MB payload is streamed in constant memory" {
	run /usr/bin/time -f '%M' -o rss mq-put "$Q" < <(head -c 200000000 /dev/zero)
	[ "$status" -eq 0 ]
	[ "$(stat -c %s "$(files "$Q" new)")" -eq 200000000 ]
	echo "peak RSS: $(cat rss) kB" >&2
	[ "$(cat rss)" -lt 8192 ]
	run /usr/bin/time -f '%M' -o rss2 mq-take "$Q"
	[ "$status" -eq 0 ]
	[ "$(cat rss2)" -lt 8192 ]
	[ "$(stat -c %s "$output")" -eq 200000000 ]
}

# Starts mq-put on a fifo, writes $2 bytes, waits until its file is in
# tmp/, then sends it signal $1 and reaps it.
interrupt_put() {
	mkfifo in
	mq-put "$Q" <in >out &
	pid=$!
	exec 7>in
	head -c "$2" /dev/zero >&7
	for _ in $(seq 50); do
		[ "$(count "$Q" tmp)" -eq 1 ] && break
		sleep 0.05
	done
	kill "-$1" "$pid"
	reap "$pid" || [ "$?" -ne 124 ]
	exec 7>&-
}

@test "kill -9 in the middle of a payload leaves nothing visible" {
	interrupt_put KILL 100000
	[ "$(count "$Q" new)" -eq 0 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	[ ! -s out ]
	run mq-take "$Q"
	[ "$status" -eq 1 ]
	[ "$(count "$Q" tmp)" -eq 1 ]
}

@test "SIGTERM in the middle of a payload removes its temporary file" {
	interrupt_put TERM 7
	[ "$(count "$Q" tmp)" -eq 0 ]
	[ "$(count "$Q" new)" -eq 0 ]
	[ ! -s out ]
}

@test "debris in tmp/ is removed once untouched for 36 hours, not before" {
	mkdir -p "$Q/tmp"
	put "$Q" first
	echo old >"$Q/tmp/1700000000000000.aaaaaaaaaaaa"
	touch -d '37 hours ago' "$Q/tmp/1700000000000000.aaaaaaaaaaaa"
	echo young >"$Q/tmp/1700000000000001.aaaaaaaaaaaa"
	touch -d '35 hours ago' "$Q/tmp/1700000000000001.aaaaaaaaaaaa"
	put "$Q" second
	[ ! -e "$Q/tmp/1700000000000000.aaaaaaaaaaaa" ]
	[ -e "$Q/tmp/1700000000000001.aaaaaaaaaaaa" ]
}

@test "-l prints each id before more input arrives" {
	coproc P { mq-put -l "$Q"; }
	pid=$P_PID	# bash unsets P_PID once the coprocess has ended
	echo first >&"${P[1]}"
	read -r -t 5 id <&"${P[0]}"
	[[ "$id" =~ $idre ]]
	[ "$(count "$Q" new)" -eq 1 ]
	echo second >&"${P[1]}"
	read -r -t 5 id2 <&"${P[0]}"
	[[ "$id2" > "$id" ]]
	eval "exec ${P[1]}>&-"
	reap "$pid"
}

@test "a batch put fsyncs each file but not the directory per message" {
	command -v strace >/dev/null || skip "strace is not installed"
	put "$Q" first
	seq 1 1000 >in
	t0=$(date +%s%N)
	strace -f -e trace=fsync -o trace mq-put -l "$Q" <in >/dev/null
	t1=$(date +%s%N)
	[ "$(count "$Q" new)" -eq 1001 ]
	n=$(grep -c 'fsync(' trace)
	tenths=$(((t1 - t0) / 100000000 + 1))
	echo "fsyncs: $n in $tenths tenths of a second" >&2
	# one per file, then per batch of 256, and per tenth of a second
	# (a leaf each), the leaf and what was made
	[ "$n" -ge 1001 ]
	[ "$n" -le $((1001 + (4 + tenths) * 3 + 4)) ]
}

@test "a batch is one group commit: every file fsynced before the first rename" {
	command -v strace >/dev/null || skip "strace is not installed"
	put "$Q" first
	seq 1 600 >in
	strace -e trace=fsync,renameat2,renameat,rename,write -o trace \
		mq-put -l "$Q" <in >ids
	[ "$(wc -l <ids)" -eq 600 ]
	[ "$(count "$Q" new)" -eq 601 ]
	# The first batch (256): 256 file fsyncs, then 256 renames, then
	# the leaf's fsync, and only then the ids.
	awk '/^fsync/ { if (!r) f++; else if (!d) d = NR }
	    /^rename/ { r++ }
	    /^write\(1,/ && !w { w = NR; ok = f == 256 && d && d < w }
	    END { exit !ok }' trace
}

@test "SIGTERM in the middle of a batch removes its pending files" {
	seq 1 100000 >in
	mq-put -l "$Q" <in >ids &
	pid=$!
	for _ in $(seq 200); do
		[ "$(wc -l <ids)" -ge 512 ] && break
		sleep 0.05
	done
	kill -TERM "$pid"
	reap "$pid" || true
	[ "$(count "$Q" tmp)" -eq 0 ]
	printed=$(wc -l <ids)
	[ "$printed" -ge 512 ]
	[ "$printed" -lt 100000 ]
	# every printed id is a message; at most the last batch unprinted
	find "$Q/new" -type f -printf '%f\n' | cut -d, -f1 | sort >put
	sort ids | comm -23 - put >missing
	[ ! -s missing ]
	[ "$(count "$Q" new)" -le $((printed + 256)) ]
}

@test "a put syncs the file, renames it, then syncs the directory" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -e trace=openat,write,fsync,renameat,renameat2,rename,close -o trace \
		mq-put "$Q" <<<"x" >/dev/null
	# the last fsync before the rename is the file, the one after a directory
	awk '/fsync/ { f = NR } /rename/ { r = NR; rf = f } END { exit !(rf && rf < r && f > r) }' trace
}

@test "sync=0 puts without any fsync" {
	command -v strace >/dev/null || skip "strace is not installed"
	put "$Q" first
	echo 'sync=0' >"$Q/config"
	strace -f -e trace=fsync -o trace mq-put -l "$Q" < <(seq 1 10) >/dev/null
	[ "$(count "$Q" new)" -eq 11 ]
	[ "$(grep -c 'fsync(' trace)" -eq 0 ]
}

@test "a spool that cannot be created fails with 73 or 77" {
	touch file
	run mq-put file/q </dev/null
	[ "$status" -eq 73 ]
	[[ "$output" =~ ^mq-put:\ file/q: ]]
}

# -k: idempotency keys.

@test "-k: eight puts of one key at once make one message, all print its id" {
	for i in 1 2 3 4 5 6 7 8; do
		(echo "copy $i" | mq-put -k order-42 "$Q" >"out.$i"; echo $? >"rc.$i") &
	done
	reap_all
	[ "$(cat rc.* | sort -u)" = 0 ]
	[ "$(cat out.* | sort -u | wc -l)" -eq 1 ]
	[ "$(cat out.* | wc -l)" -eq 8 ]
	id=$(cat out.1)
	[ "$(files "$Q" new)" = "$(find "$Q/new" -type f -name "$id,0")" ]
	[ "$(count "$Q" new)" -eq 1 ]
	[ "$(cat "$Q/key/order-42")" = "$id" ]
}

@test "-k: a repeated key within dedup_window changes nothing, even once acked" {
	id=$(mq-put -k k1 "$Q" <<<"first")
	run mq-put -k k1 "$Q" <<<"second"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(count "$Q" new)" -eq 1 ]
	mq-take "$Q" | mq-ack
	run mq-put -k k1 "$Q" <<<"third"
	[ "$output" = "$id" ]
	[ "$(messages "$Q")" -eq 0 ]
	other=$(mq-put -k k2 "$Q" <<<"other")
	[ "$other" != "$id" ]
}

@test "-k: the key works again after dedup_window, and old keys are swept" {
	mkdir -p "$Q" && echo 'dedup_window=1s' >"$Q/config"
	id=$(mq-put -k again "$Q" <<<"a")
	mq-put -k old "$Q" <<<"o" >/dev/null
	sleep 1.1
	id2=$(mq-put -k again "$Q" <<<"b")
	[ "$id2" != "$id" ]
	[ "$(count "$Q" new)" -eq 3 ]
	[ "$(cat "$Q/key/again")" = "$id2" ]
	[ ! -e "$Q/key/old" ]
}

@test "-k: dedup_window=0 turns keys off" {
	mkdir -p "$Q" && echo 'dedup_window=0' >"$Q/config"
	a=$(mq-put -k same "$Q" <<<"a")
	b=$(mq-put -k same "$Q" <<<"b")
	[ "$a" != "$b" ]
	[ "$(count "$Q" new)" -eq 2 ]
}

@test "-k: any key a user would pass, encoded where it must be; never a path outside" {
	for k in '../x' 'a/b' '.hidden' '-rf' "$(printf 'a\nb')" 'ä' 'order/42' \
	    'https://shop.example/order?id=42' 'two words' '100%' '100%25'; do
		run --separate-stderr mq-put -k "$k" "$Q" <<<"x"
		[ "$status" -eq 0 ] || { echo "$k: $status" >&2; false; }
	done
	# one file each, readable, inside key/; nothing anywhere else
	for f in %2E.%2Fx a%2Fb %2Ehidden %2Drf a%0Ab %C3%A4 order%2F42 \
	    https:%2F%2Fshop.example%2Forder%3Fid=42 two%20words 100%25 100%2525; do
		[ -f "$Q/key/$f" ] || { echo "no key/$f" >&2; false; }
	done
	[ "$(ls "$Q/key" | wc -l)" -eq 11 ]
	[ ! -e x ]
	[ ! -e "$Q/x" ]
	[ -f "$Q/key/order%2F42" ]
	[ "$(count "$Q" new)" -eq 11 ]
	# the same key is the same message
	run --separate-stderr mq-put -k 'order/42' "$Q" <<<"again"
	[ "$status" -eq 0 ]
	[ "$(count "$Q" new)" -eq 11 ]
	run mq-put -k 'user@example.com:2026-11-22+v=1' "$Q" <<<"x"
	[ "$status" -eq 0 ]
	[ -f "$Q/key/user@example.com:2026-11-22+v=1" ]
	run mq-put -k "$(head -c 128 /dev/zero | tr '\0' a)" "$Q" <<<"x"
	[ "$status" -eq 0 ]
	# refused only what cannot fit, the limit named
	for k in '' "$(head -c 129 /dev/zero | tr '\0' a)" "$(head -c 43 /dev/zero | tr '\0' /)"; do
		run mq-put -k "$k" "$Q" <<<"x"
		[ "$status" -eq 64 ]
	done
	[ "$output" = "mq-put: -k: key too long: 129 bytes as a file name (at most 128; a byte outside A-Z a-z 0-9 . _ - : @ + = takes three)" ]
}

@test "-k names one message: not with -l, -0 or several files" {
	echo a >a && echo b >b
	for args in "-l" "-0" "$Q a b"; do
		run mq-put -k k $args "$Q" </dev/null
		[ "$status" -eq 64 ]
	done
	[ -z "$(ls -A "$Q")" ]
	run mq-put -k k "$Q" a
	[ "$status" -eq 0 ]
	[ "$(cat "$(files "$Q" new)")" = a ]
}

@test "-k: a put that fails holds no key; a duplicate of a full spool exits 0" {
	id=$(mq-put -k first "$Q" <<<"1")
	run mq-put -m 1 -k second "$Q" <<<"2"
	[ "$status" -eq 75 ]
	[ ! -e "$Q/key/second" ]
	run mq-put -m 1 -k first "$Q" <<<"1"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	mq-take "$Q" | mq-ack
	run mq-put -m 1 -k second "$Q" <<<"2"
	[ "$status" -eq 0 ]
	[ "$(cat "$Q/key/second")" = "$output" ]
}

@test "-k: a key file left empty or torn by a crash does not block the key" {
	mkdir -p "$Q/key"
	: >"$Q/key/torn1"
	printf '17000000000' >"$Q/key/torn2"
	a=$(mq-put -k torn1 "$Q" <<<"a")
	b=$(mq-put -k torn2 "$Q" <<<"b")
	[ "$(cat "$Q/key/torn1")" = "$a" ]
	[ "$(cat "$Q/key/torn2")" = "$b" ]
	[ "$(count "$Q" new)" -eq 2 ]
}

@test "-k: kill -9 at random moments never leaves the key naming no message" {
	head -c 300000 /dev/urandom >big
	for i in $(seq 1 40); do
		mq-put -k held "$Q" big >/dev/null 2>&1 &
		sleep "0.00$((RANDOM % 10))"
		kill -9 $! 2>/dev/null || true
		reap_all
		if [ -s "$Q/key/held" ]; then
			id=$(cat "$Q/key/held")
			[ -n "$(find "$Q/new" -type f -name "$id,0")" ]
		fi
	done
	run mq-put -k held "$Q" big
	[ "$status" -eq 0 ]
	msg=$(find "$Q/new" -type f -name "$output,0")
	cmp "$msg" big
	[ "$(cat "$Q/key/held")" = "$output" ]
}

@test "-k: a symlink planted in key/ is refused (65) and not followed" {
	mkdir -p "$Q/key"
	echo secret >target
	ln -s "$PWD/target" "$Q/key/planted"
	run mq-put -k planted "$Q" <<<"x"
	[ "$status" -eq 65 ]
	[ "$output" = "mq-put: $Q/key/planted: a symbolic link, not followed" ]
	[ "$(cat target)" = secret ]
	[ "$(count "$Q" new)" -eq 0 ]
}

@test "a closed standard input is said (66), never read as a directory" {
	run sh -c 'exec <&-; mq-put "$1"' sh "$Q"
	[ "$status" -eq 66 ]
	same "$output" "mq-put: standard input: closed (nothing to put)"
	[ "$(count "$Q" new)" -eq 0 ]
	run sh -c 'exec <&-; mq-ack'
	[ "$status" -eq 66 ]
	same "$output" "mq-ack: standard input: closed (no leases named, none to read)"
}
