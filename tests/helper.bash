# Shared by every test file: a fresh sandbox per test, the programs on
# PATH, and small helpers that look at a spool the way a user would.

bin=${MQ_BIN:-$BATS_TEST_DIRNAME/../bin}
PATH="$bin:$PATH"
export PATH

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	# shellcheck disable=SC2034  # used by every test
	Q="$BATS_TEST_TMPDIR/q"
}

# The regular files in one state of spool $1 (new, cur, dlq, done, tmp).
files() {
	find "$1/$2" -type f | sort
}

# Its input with mq-run's times and rates made constant: "after 1.204s"
# and "in 1.204s" as "after Ts" and "in Ts", "(12.5/s" as "(R/s".
untimed() {
	sed -E 's/ (after|in) [0-9]+\.[0-9]{3}s/ \1 Ts/g; s/\([0-9]+\.[0-9]\/s/(R\/s/g'
}

# The payloads of spool $1's ready and delayed messages in name order,
# each ended by a newline if it has none.
payloads() {
	find "$1/new" -type f | sort | while read -r f; do sed '$a\' "$f"; done
}

count() {
	find "$1/$2" -type f | wc -l | tr -d ' '
}

# Puts each argument as one message; prints nothing.
put() {
	local spool=$1 m
	shift
	for m in "$@"; do
		printf '%s' "$m" | mq-put "$spool" >/dev/null || return 1
	done
}

# The time in milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# A file's modification time in milliseconds (a lease's deadline).
mtime_ms() {
	local t
	t=$(stat -c %.3Y "$1")
	echo "${t/./}"
}

# The modification time of a file, in seconds since the epoch.
mtime() {
	stat -c %Y "$1"
}

# Fails with a message when $1 != $2.
same() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %s\nactual:   %s\n' "$2" "$1" >&2
		return 1
	fi
}

# The message files of spool $1, in every state (not config, .counts,
# reason/ or key/), and those held in groups (group/G/K1/K2/K3/NAME; not
# a group's lock, nor its front, a second link to a message in new/ or
# cur/).
messages() {
	{
		find "$1/tmp" "$1/new" "$1/cur" "$1/dlq" "$1/done" -type f
		find "$1/group" -mindepth 5 -type f
	} 2>/dev/null | wc -l | tr -d ' '
}

# Whether process $1 is running (not gone, not a zombie waiting for its
# parent: kill -0 succeeds on those).
alive() {
	local s
	if [ -r "/proc/$1/stat" ]; then
		s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
		s=${s##*) }
		[ "${s%% *}" != Z ]
	else
		s=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
		[ -n "$s" ] && [ "${s#Z}" = "$s" ]
	fi
}

# reap [-t SECONDS] PID...: waits for background processes this test
# started, at most SECONDS (default 60) in all, so a hang fails the test
# instead of hanging the suite: then kills them (and only them), says
# which, and returns 124. Otherwise returns the status of the last one
# (as wait does).
reap() {
	local limit=60 pid st=0 deadline
	if [ "${1:-}" = -t ]; then
		limit=$2
		shift 2
	fi
	deadline=$((SECONDS + limit))
	for pid in "$@"; do
		while alive "$pid"; do
			if [ "$SECONDS" -ge "$deadline" ]; then
				echo "reap: $pid still running after ${limit}s; killed" >&2
				kill -9 "$@" 2>/dev/null
				wait "$@" 2>/dev/null
				return 124
			fi
			sleep 0.02
		done
		st=0
		wait "$pid" || st=$?
	done
	return "$st"
}

# reap_all [-t SECONDS]: reap of every background job of this shell;
# like a plain wait, 0 whatever their statuses, but 124 on a hang. (Not
# under run, whose subshell cannot wait for the test's children.)
reap_all() {
	local pids st=0
	mapfile -t pids < <(jobs -p)
	[ "${#pids[@]}" -gt 0 ] || return 0
	reap "$@" "${pids[@]}" || st=$?
	[ "$st" -ne 124 ] || return 124
}

# wait_for [-t SECONDS] COMMAND...: runs COMMAND until it succeeds, at
# most SECONDS (default 10); fails saying what it waited for.
wait_for() {
	local limit=10 deadline
	if [ "${1:-}" = -t ]; then
		limit=$2
		shift 2
	fi
	deadline=$((SECONDS + limit))
	until "$@"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "wait_for: still not true after ${limit}s: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# How many files match the glob $1 (in the current directory).
nfiles() {
	local f n=0
	for f in $1; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}
