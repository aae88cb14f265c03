#!/usr/bin/env bats
# mq-kick: parked or delayed messages ready now (mq-kick(1)); parking and
# groups are in tests/mq-park.bats.

load helper
bats_require_minimum_version 1.5.0

@test "kick brings a delayed one and a retry backing off to ready now" {
	mkdir -p "$Q" && printf 'backoff=1h\n' >"$Q/config"
	later=$(mq-put -d 1h "$Q" <<<"later")
	retried=$(mq-put "$Q" <<<"retried")
	mq-retry "$(mq-take "$Q")"
	run -1 mq-take "$Q"
	mq-kick -s delayed "$Q" ALL
	[ "$(mq-take -n 5 "$Q" | sed 's|.*/||' | sort)" = "$(printf '%s,1\n%s,2' "$later" "$retried" | sort)" ]
}

@test "by id: a delayed one ready now, its attempts kept; a ready one refused (2); -n changes nothing" {
	id=$(mq-put -d 1h "$Q" <<<"later")
	ready=$(mq-put "$Q" <<<"now")
	before=$(find "$Q" -printf '%p %T@\n' | sort)
	run mq-kick -n "$Q" "$id"
	[ "$output" = "$id delayed" ]
	[ "$(find "$Q" -printf '%p %T@\n' | sort)" = "$before" ]
	run -2 mq-kick "$Q" "$ready" "$id"
	[ "$output" = "mq-kick: $ready: ready: not kicked" ]
	[ "$(mq-take -n 5 "$Q" | sed 's|.*/||' | sort)" = "$(printf '%s,1\n%s,1' "$id" "$ready" | sort)" ]
	run -64 mq-kick -s ready "$Q"
	run -64 mq-kick -f "$Q" "$id"
}
