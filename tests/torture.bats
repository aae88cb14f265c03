#!/usr/bin/env bats
# The crash torture (tests/torture), short: SIGKILL at random moments to
# producers, takers and mq-run pools for 6 seconds, then the invariants.

load helper

@test "kill -9 at random among producers, takers and runners: every invariant holds" {
	run "$BATS_TEST_DIRNAME/torture" --seconds 6
	summary=$(grep '^torture: ' <<<"$output" | tail -n 1)
	echo "$output" | grep '^torture: ' >&2
	[ "$status" -eq 0 ]
	[[ "$summary" == *"all invariants hold" ]]
	# it did kill, and it did put
	[[ "$summary" =~ ,\ ([1-9][0-9]*)\ kills\;\ ([1-9][0-9]*)\ reported\ puts ]]
}
