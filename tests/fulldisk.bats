#!/usr/bin/env bats
# A full file system, mounted by the test (as root; skipped with a
# message otherwise): a 1 MB tmpfs of 2048 inodes, or with MQ_FS=ext4,
# xfs or btrfs a loop image whose free space a ballast file brings down
# to about 1.5 MB.
# A put that does not fit fails cleanly and leaves nothing visible; what
# does not need space keeps working. And a spool over a quota (a btrfs
# qgroup; this kernel has no user quotas), whatever MQ_FS says.

load helper
bats_require_minimum_version 1.5.0

# mkfs FS IMAGE: an empty file system of type FS in IMAGE (sparse).
make_fs() {
	command -v "mkfs.$1" >/dev/null || skip "no mkfs.$1 (Debian: ${1/ext4/e2fs}progs)"
	truncate -s 320m "$2"
	case $1 in
	ext4) mkfs.ext4 -q -F -m 0 "$2" ;;
	xfs) mkfs.xfs -q -f "$2" ;;
	btrfs) mkfs.btrfs -q -f "$2" >/dev/null ;;
	esac
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a file system"
	mkdir -p fs
	case ${MQ_FS:-tmpfs} in
	tmpfs)
		# (inodes too: a loop can fill them)
		mount -t tmpfs -o size=1m,nr_inodes=2048 tmpfs fs ||
			skip "cannot mount a tmpfs here" ;;
	ext4 | xfs | btrfs)
		make_fs "$MQ_FS" img
		mount -o loop img fs || skip "cannot mount a loop image here"
		avail=$(df --output=avail -B1 fs | tail -n 1)
		fallocate -l $((avail - 1500000)) fs/ballast ;;
	*)
		echo "MQ_FS: tmpfs, ext4, xfs or btrfs" >&2
		return 1 ;;
	esac
	Q=$BATS_TEST_TMPDIR/fs/q
}

teardown() {
	cd "$BATS_TEST_TMPDIR" && umount fs 2>/dev/null || true
	if [ -n "${quota:-}" ]; then
		umount "$quota" 2>/dev/null || true
	fi
}

# Puts 100 KB messages until one fails; its status in $full_status.
fill() {
	head -c 100000 /dev/urandom >chunk
	full_status=0
	for _ in $(seq 1 60); do
		mq-put "$Q" chunk >>ids 2>err || { full_status=$?; return 0; }
	done
	return 1
}

@test "a put that does not fit exits 74 naming the file and the reason, and leaves nothing" {
	fill
	[ "$full_status" -eq 74 ] || [ "$full_status" -eq 73 ]
	grep -q 'No space left on device' err
	[ "$(wc -l <err)" -eq 1 ]
	n=$(wc -l <ids)
	[ "$n" -ge 1 ]
	[ "$(count "$Q" new)" -eq "$n" ]
	[ "$(count "$Q" tmp)" -eq 0 ]
	# every message that was put is whole
	find "$Q/new" -type f -exec cmp -s chunk {} \; -o -type f -print | grep -c . >bad || true
	[ "$(cat bad)" -eq 0 ]
	# a batch stops at the first message that does not fit; what fit is
	# printed and whole
	run mq-put -l "$Q" < <(head -c 300000 /dev/zero | tr '\0' 'x'; echo)
	[ "$status" -eq 74 ] || [ "$status" -eq 73 ]
	[ "$(count "$Q" tmp)" -eq 0 ]
}

@test "on a full file system take, ack, retry and mq-run still work, and make room" {
	fill
	n=$(wc -l <ids)
	l=$(mq-take "$Q")
	cmp "$l" chunk
	mq-retry -d 0 "$l"
	l=$(mq-take "$Q")
	mq-ack "$l"
	[ "$(count "$Q" new)" -eq $((n - 1)) ]
	# the room an ack made is usable again
	run -0 mq-put "$Q" chunk
	run -0 mq-run "$Q" cmp -s chunk
	[ "$(messages "$Q")" -eq 0 ]
}

@test "on a full file system a delayed retry still waits its delay, then goes out" {
	fill
	n=$(wc -l <ids)
	l=$(mq-take "$Q")
	mq-retry -d 2s "$l"
	# One at a time, acked, as a worker would: each ack makes room (on
	# xfs a take into a cur/ that must grow needs a free block).
	got=0
	while l2=$(mq-take "$Q"); do
		[ "${l2%,*}" != "${l%,*}" ] || { echo "taken before its delay"; return 1; }
		mq-ack "$l2"
		got=$((got + 1))
	done
	same "$got" $((n - 1))
	run -0 mq-take -w 5 "$Q"
	same "${output%,*}" "${l%,*}"
}

@test "over a quota (a btrfs qgroup): a put exits 74 naming the reason and leaves nothing; take and ack work" {
	command -v btrfs >/dev/null || skip "no btrfs (Debian: btrfs-progs)"
	make_fs btrfs quota.img
	mkdir qfs
	quota=$BATS_TEST_TMPDIR/qfs
	mount -o loop quota.img qfs || skip "cannot mount a loop image here"
	btrfs quota enable qfs || skip "btrfs quotas refused here"
	btrfs subvolume create qfs/sv >/dev/null
	btrfs qgroup limit 600k qfs/sv
	Q=$quota/sv/q
	head -c 100000 /dev/urandom >chunk
	local st=0
	for _ in $(seq 1 30); do
		mq-put "$Q" chunk >>ids 2>err || { st=$?; break; }
		sync
	done
	same "$st" 74
	# Refused at the write, or (btrfs) at the rename into new/.
	[[ $(cat err) == "mq-put: $Q/"@(tmp|new)/*": Disk quota exceeded" ]]
	n=$(wc -l <ids)
	[ "$n" -ge 2 ]
	same "$(count "$Q" new)" "$n"
	same "$(count "$Q" tmp)" 0
	# Over the quota, a take, a retry and an ack still work, and the ack
	# makes room.
	l=$(mq-take "$Q")
	cmp "$l" chunk
	mq-retry -d 0 "$l"
	run -0 mq-take "$Q"
	run -0 mq-ack "$output"
	sync
	run -0 mq-put "$Q" chunk
}

@test "full: a retry or burial whose reason cannot be written says what became of the lease" {
	printf 'a\nb\n' | mq-put -l "$Q" >/dev/null
	l1=$(mq-take "$Q")
	l2=$(mq-take "$Q")
	fill
	# fill the rest of the inodes and blocks a reason would need
	i=0
	while head -c 4096 /dev/zero >"fs/pad.$i" 2>/dev/null; do i=$((i + 1)); done
	while : >"fs/pad.e$i" 2>/dev/null; do i=$((i + 1)); [ "$i" -lt 200000 ] || break; done
	run --separate-stderr mq-retry -r "$(head -c 3000 /dev/zero | tr '\0' r)" "$l1"
	if [ "$status" -eq 0 ]; then skip "the reason fit after all"; fi
	same "$status" 74
	[[ $stderr == *"$l1: not retried (the reason could not be written): the lease is still yours" ]]
	[ -f "$l1" ]
	run --separate-stderr mq-dlq "$l2"
	if [ "$status" -eq 0 ]; then
		[[ $stderr == *"$l2: dead-lettered all the same, without the reason" ]] || [ -z "$stderr" ]
		[ ! -e "$l2" ]
		[ "$(count "$Q" dlq)" -eq 1 ]
	else			# btrfs: even the rename needs room
		same "$status" 74
		[ -f "$l2" ]
		[ "$(count "$Q" dlq)" -eq 0 ]
	fi
}

@test "read-only: one line and 74 for a take of many, 74 for a put" {
	seq 30 | mq-put -l "$Q" >/dev/null
	mount -o remount,ro fs
	run --separate-stderr mq-take -n 10 "$Q"
	same "$status" 74
	same "$(printf '%s\n' "$stderr" | wc -l)" 1
	[[ $stderr == *": Read-only file system" ]]
	[ -z "$output" ]
	run --separate-stderr mq-put "$Q" <<<x
	same "$status" 74
	mount -o remount,rw fs
	[ "$(count "$Q" new)" -eq 30 ]
}
