#!/usr/bin/env bats
# The mixed chaos (tests/chaos), short: every kind of producer and
# consumer, stale holders included, one of them killed every 0.1 to 0.3 s
# for 10 seconds, then the invariants. `make check-chaos` runs it for ten
# minutes and at least 1,000 kills.

load helper

@test "mixed chaos, SIGKILL every 0.1 to 0.3 s: nothing lost, torn, doubled within a lease or out of group order" {
	run "$BATS_TEST_DIRNAME/chaos" --seconds 10 --min-kills 20
	summary=$(grep '^chaos: ' <<<"$output" | tail -n 1)
	echo "$output" | grep '^chaos: ' >&2
	[ "$status" -eq 0 ]
	[[ "$summary" == *"all invariants hold" ]]
	[[ "$summary" =~ ,\ ([1-9][0-9]*)\ kills\;\ ([1-9][0-9]*)\ reported\ puts ]]
}
