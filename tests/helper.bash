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
