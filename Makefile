# mq: a directory as a durable message queue.
.SECONDARY:

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DOCDIR = $(PREFIX)/share/doc/mq
INSTALL = install
INSTALL_PROGRAM = $(INSTALL) -m 755
# The command mq-worker.service runs, yours to write.
HANDLER = $(BINDIR)/handle-job
CC = cc
CFLAGS = -O2 -g
# Static: a program starts in about two thirds of the time (no dynamic
# loader, no libc to map), and mq's programs are started once per
# message. `make LDFLAGS=` links dynamically.
LDFLAGS = -static
WARN = -std=c11 -Wall -Wextra -Wpedantic -Werror
MQ_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -Ilib
BUILD = .

PROGS = mq-put mq-take mq-ack mq-retry mq-dlq mq-run mq-stat mq-ls mq-wait mq-rm mq-park mq-kick mq-replay
LIB = diag clock duration policy name dir names rename print spool trie leaf sweep writeback pending \
	counts limit reason key lost held front group share twin move claim park take lease writer targets \
	commit operands opt dlq wait pool job handon tell tail ls states ids pick log replay point route stat setup report topic

LIBOBJ = $(LIB:%=$(BUILD)/obj/%.o)
# A static archive: each program takes from it only the objects it uses.
LIBMQ = $(BUILD)/obj/libmq.a
BINS = $(PROGS:%=$(BUILD)/bin/%)
MAN1 = $(PROGS:%=man/%.1)

all: $(BINS)

$(BUILD)/obj/%.o: lib/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(MQ_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/cmd-%.o: cmd/%.c lib/*.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(MQ_CPPFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIBMQ): $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

$(BUILD)/bin/%: $(BUILD)/obj/cmd-%.o $(LIBMQ)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBMQ)

# The parsers' fuzz harnesses (fuzz/), replayed over their corpus by any
# compiler, and fuzzed by clang's libFuzzer for FUZZ_TIME seconds each.
FUZZ = duration name config lease print operands tail route
FUZZ_TIME = 10
FUZZ_SAN = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all
REPLAYS = $(FUZZ:%=$(BUILD)/replay/%)

$(BUILD)/replay/%: fuzz/%.c fuzz/replay.c fuzz/fuzz.h $(LIBMQ)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(MQ_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ fuzz/$*.c \
		fuzz/replay.c $(LIBMQ)

$(BUILD)/fuzz/%: fuzz/%.c fuzz/fuzz.h $(LIBMQ)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(MQ_CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ \
		fuzz/$*.c $(LIBMQ)

replay: $(REPLAYS)
	@for f in $(FUZZ); do $(BUILD)/replay/$$f fuzz/corpus/$$f/* || exit 1; done

fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang LDFLAGS= \
		CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-run

fuzz-run: $(FUZZ:%=$(BUILD)/fuzz/%)
	@for f in $(FUZZ); do \
		mkdir -p $(BUILD)/corpus/$$f; \
		if $(BUILD)/fuzz/$$f -max_total_time=$(FUZZ_TIME) \
			-print_final_stats=1 -artifact_prefix=$(BUILD)/crash-$$f- \
			$(BUILD)/corpus/$$f fuzz/corpus/$$f >$(BUILD)/$$f.log 2>&1; \
		then \
			echo "fuzz: $$f: $(FUZZ_TIME) s, `sed -n \
			's/^stat::number_of_executed_units: *//p' \
			$(BUILD)/$$f.log` inputs, no failure"; \
		else \
			tail -n 30 $(BUILD)/$$f.log; \
			echo "fuzz: $$f failed: the input is $(BUILD)/crash-$$f-*"; \
			exit 1; \
		fi; \
	done

# Dynamically linked programs, for the fault injection's LD_PRELOAD.
dyn:
	$(MAKE) BUILD=$(BUILD)/dyn LDFLAGS= all

check: all replay dyn
	@tests/ensure-bats
	MQ_BIN=$(CURDIR)/$(BUILD)/bin MQ_DYN_BIN=$(CURDIR)/$(BUILD)/dyn/bin \
		bats --timing tests

# The suite on tmpfs, ext4, xfs and btrfs (as root; see tests/fs-matrix).
check-fs: all
	MQ_BIN=$(CURDIR)/$(BUILD)/bin tests/fs-matrix

# The mixed chaos for CHAOS_SECONDS and at least CHAOS_KILLS kills (see
# tests/chaos; make check runs 10 seconds of it).
CHAOS_SECONDS = 600
CHAOS_KILLS = 1000
check-chaos: all
	PATH="$(CURDIR)/$(BUILD)/bin:$$PATH" tests/chaos \
		--seconds $(CHAOS_SECONDS) --min-kills $(CHAOS_KILLS)

# One spool through two mounts of a GlusterFS volume (as root; see
# tests/distributed).
check-distributed: all dyn
	MQ_BIN=$(CURDIR)/$(BUILD)/bin MQ_DYN_BIN=$(CURDIR)/$(BUILD)/dyn/bin \
		tests/distributed

# The same on five hosts of their own (three servers, two clients), with
# the server-failure and cut-off-client tests (examples/gluster up -n),
# the server killed under load once.
check-distributed-cluster: all dyn
	MQ_HOSTS=1 MQ_SERVER_RUNS=1 MQ_BIN=$(CURDIR)/$(BUILD)/bin \
		MQ_DYN_BIN=$(CURDIR)/$(BUILD)/dyn/bin tests/distributed

# And the server killed under load SERVER_RUNS times, each one's figures
# printed (about 65 s a run).
SERVER_RUNS = 10
check-distributed-long: all dyn
	MQ_HOSTS=1 MQ_SERVER_RUNS=$(SERVER_RUNS) MQ_BIN=$(CURDIR)/$(BUILD)/bin \
		MQ_DYN_BIN=$(CURDIR)/$(BUILD)/dyn/bin tests/distributed

# The whole suite against an ASan + UBSan build, in its own directory.
SAN = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# (LeakSanitizer is off: its helper process dies to the kill -9 tests.)
check-san:
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) BUILD=build-san CFLAGS="$(SAN)" LDFLAGS= check

demo: all
	PATH="$(CURDIR)/bin:$$PATH" examples/quickstart

bench: all
	PATH="$(CURDIR)/bin:$$PATH" bench/run

# Explicit modes: a umask of 077 leaves nothing private to root.
EXAMPLES = cron-drain fanout gluster mq-alert order-events prom-textfile quickstart \
	saga xargs-pool
install: all
	$(INSTALL) -d -m 755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL_PROGRAM) $(BINS) $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 man/mq.7 $(DESTDIR)$(MANDIR)/man7/
	$(INSTALL) -m 644 README.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 755 $(EXAMPLES:%=examples/%) $(DESTDIR)$(DOCDIR)/examples/
	$(INSTALL) -m 644 examples/mq.tmpfiles $(DESTDIR)$(DOCDIR)/examples/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@HANDLER@|$(HANDLER)|g' \
		examples/mq-worker.service >$(DESTDIR)$(DOCDIR)/examples/mq-worker.service
	chmod 644 $(DESTDIR)$(DOCDIR)/examples/mq-worker.service

install-strip:
	$(MAKE) INSTALL_PROGRAM='$(INSTALL) -s -m 755' install

uninstall:
	cd $(DESTDIR)$(BINDIR) && rm -f $(PROGS)
	cd $(DESTDIR)$(MANDIR)/man1 && rm -f $(PROGS:%=%.1)
	rm -f $(DESTDIR)$(MANDIR)/man7/mq.7
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf bin obj replay dyn build-san build-fuzz build-dyn

.PHONY: all dyn replay fuzz fuzz-run check check-fs check-chaos \
	check-distributed check-distributed-cluster check-distributed-long check-san demo bench install install-strip uninstall clean
