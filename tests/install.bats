#!/usr/bin/env bats
# make install, install-strip and uninstall; the systemd unit they ship.

load helper

src=$BATS_TEST_DIRNAME/..
# shellcheck disable=SC2154  # bin: set by helper.bash

# make in the source tree, on the programs under test (no rebuild).
mk() {
	make -s -C "$src" BUILD="$(cd "$bin/.." && pwd)" "$@" >/dev/null
}

@test "make install: explicit modes whatever the umask, the unit's paths filled in" {
	(umask 077 && mk install DESTDIR="$PWD/d" PREFIX=/usr HANDLER=/usr/local/bin/work)
	for p in mq-put mq-take mq-ack mq-retry mq-dlq mq-run mq-stat mq-ls mq-wait mq-rm mq-park mq-kick mq-replay; do
		[ "$(stat -c %a "d/usr/bin/$p")" = 755 ]
		[ "$(stat -c %a "d/usr/share/man/man1/$p.1")" = 644 ]
	done
	[ "$(stat -c %a d/usr/share/man/man7/mq.7)" = 644 ]
	[ "$(stat -c %a d/usr/share/doc/mq/examples)" = 755 ]
	[ "$(stat -c %a d/usr/share/doc/mq/examples/quickstart)" = 755 ]
	u=d/usr/share/doc/mq/examples/mq-worker.service
	[ "$(stat -c %a "$u")" = 644 ]
	grep -qx 'ExecStart=/usr/bin/mq-run -F -P 4 -t 5m /var/spool/mq/jobs /usr/local/bin/work' "$u"
	[ "$(grep -c '@[A-Z]*@' "$u")" -eq 0 ]	# every @NAME@ filled in
	[ -f d/usr/share/doc/mq/examples/mq.tmpfiles ]
	mk uninstall DESTDIR="$PWD/d" PREFIX=/usr
	[ -z "$(find d -type f)" ]
}

@test "make install-strip: the programs without their symbols" {
	command -v nm >/dev/null || skip "no nm"
	mk install-strip DESTDIR="$PWD/d" PREFIX=/usr
	run nm d/usr/bin/mq-put
	[[ $output == *"no symbols"* ]]
	printf x | d/usr/bin/mq-put q >/dev/null 2>&1
	[ "$(count q new)" -eq 1 ]
}

@test "the unit passes systemd-analyze verify, and its exposure is low" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze (Debian: systemd)"
	command -v man >/dev/null || skip "no man (the unit's Documentation= is checked with it)"
	mk install PREFIX="$PWD/p" HANDLER=/bin/true
	u=$PWD/p/share/doc/mq/examples/mq-worker.service
	MANPATH=$PWD/p/share/man run systemd-analyze verify "$u"
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	run systemd-analyze security --offline=yes "$u"
	level=$(printf '%s\n' "$output" | sed -n 's/.*exposure level for mq-worker.service: \([0-9.]*\).*/\1/p')
	[ -n "$level" ]
	awk -v l="$level" 'BEGIN { exit !(l <= 2.0) }' || { echo "exposure $level" >&2; false; }
}
