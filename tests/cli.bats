#!/usr/bin/env bats
# The command line of every program: --help, --version, usage errors that
# say what was wrong (64), options only before the operands.

load helper

progs="mq-put mq-take mq-ack mq-retry mq-dlq mq-run mq-stat mq-ls mq-wait mq-rm mq-park mq-kick mq-replay"

@test "--help and -h: the synopsis and a line per option, on stdout, 0" {
	for p in $progs; do
		run "$p" --help
		[ "$status" -eq 0 ] || { echo "$p: $status" >&2; false; }
		[[ ${lines[0]} == "usage: $p "* ]]
		n=$(printf '%s\n' "$output" | grep -c '^  -')
		[ "$n" -ge 2 ] || { echo "$p: $n option lines" >&2; false; }
		[ "$(printf '%s\n' "$output" | tail -n 1)" != "" ]
		help=$output
		run "$p" -h
		same "$output" "$help"
	done
}

@test "--version and -V: the version, 0" {
	for p in $progs; do
		run "$p" --version
		[ "$status" -eq 0 ]
		[[ $output =~ ^$p\ \(mq\)\ [0-9] ]]
	done
}

@test "an unknown option or a missing value is named, then the synopsis (64)" {
	run mq-put --frobnicate q
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-put: --frobnicate: unknown option (--help and --version are the long ones)"
	run mq-stat -Z q
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-stat: -Z: unknown option"
	[[ ${lines[1]} == "usage: mq-stat "* ]]
	run mq-take -n
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-take: -n: needs a value"
	[ ! -e q ]
}

@test "an option after an operand is a usage error naming it, never an operand" {
	put "$Q" a b
	run mq-take "$Q" -n 2
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-take: -n: an option after an operand (options go first; a file named so: ./-n)"
	[ "$(count "$Q" new)" -eq 2 ]		# nothing taken
	run mq-run "$Q" -P 2 true
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-run: -P: an option after an operand (options go first; a file named so: ./-P)"
	[ "$(count "$Q" new)" -eq 2 ]
	[ "$(count "$Q" cur)" -eq 0 ]
	# the command's own options are its own
	run mq-run -n 1 "$Q" sh -c 'cat >/dev/null; exit 0' -x
	[ "$status" -eq 0 ]
	[ "$(count "$Q" new)" -eq 1 ]
	# after --, an operand may begin with -
	echo data >./-f
	run mq-put -- "$Q" -f
	[ "$status" -eq 0 ]
	run mq-stat "$Q" -o json
	[ "$status" -eq 64 ]
}

@test "mq-run: a limit or a conflict is named" {
	run mq-run -P 5000 "$Q" true
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-run: -P: 5000: at most 4096 commands at once"
	run mq-run -F -w 1s "$Q" true
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-run: -w and -F: one or the other"
	run mq-run "$Q"
	[ "$status" -eq 64 ]
	same "${lines[0]}" "mq-run: no command to run"
}

@test "names and operands in diagnostics are escaped: no escape sequence reaches the terminal" {
	esc=$(printf 'x\033]0;owned\007')
	run mq-ack "$esc"
	[ "$status" -ne 0 ]
	[[ $output != *$'\033'* ]] && [[ $output == *'x\x1b]0;owned\x07'* ]]
	run mq-take "$esc"
	[[ $output != *$'\033'* ]]
	run mq-put -d "$esc" q
	[ "$status" -eq 64 ] && [[ $output != *$'\033'* ]]
	mkdir -p "$Q" && printf '%s=1\n' "$esc" >"$Q/config"
	run mq-stat "$Q"
	[[ $output != *$'\033'* ]]
}
