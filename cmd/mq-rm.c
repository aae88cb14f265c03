/* mq-rm: delete messages that are not leased. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "ids.h"
#include "ls.h"
#include "move.h"
#include "operands.h"
#include "opt.h"

struct rm {
	int dry, force, verbose, states;
	struct mq_ids ids;	/* those named; none: every one of the states */
	long removed;
	int status;
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-rm [-0fnv] spool [id...]\n"
	    "       mq-rm [-fnv] -s state[,state...] spool ALL\n",
	    "Deletes messages: ready, delayed, held in their group, dead or done.\n"
	    "  -n        show what would go (ID STATE), change nothing\n"
	    "  -f        leases too (their holders lose them)\n"
	    "  -s states with ALL: every message of these states\n"
	    "  -v        a line for each message deleted: ID STATE\n"
	    "  -0        ids read from stdin NUL-terminated (without operands)\n"
	    "  -h        this help;  -V  the version\n");
}

static int
one(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct rm *r = arg;
	const char *state = mq_ls_state_name(m->state);
	int status;

	if (r->ids.n > 0 && mq_ids_find(&r->ids, m->n.id) == -1)
		return 0;
	if ((m->state & (MQ_LS_LEASED | MQ_LS_EXPIRED)) && !r->force) {
		mq_warnx(m->n.id, "%s: not deleted (its holder may still "
		    "settle it; -f deletes it anyway)", state);
		r->status = mq_worst(r->status, MQ_EX_LOST);
		return 0;
	}
	if (r->dry) {
		printf("%s %s\n", m->n.id, state);
		return ferror(stdout) != 0;
	}
	status = mq_move_remove(sp, m->dirfd, m->dir, &m->n);
	if (status == MQ_EX_LOST) {
		if (r->ids.n > 0) {
			mq_warnx(m->n.id, "moved meanwhile: not deleted");
			r->status = mq_worst(r->status, MQ_EX_LOST);
		}
		return 0;
	}
	r->status = mq_worst(r->status, status);
	if (status == MQ_EX_OK) {
		r->removed++;
		if (r->verbose)
			printf("%s %s\n", m->n.id, state);
	}
	return status != MQ_EX_OK && status != MQ_EX_LOST;
}

int
main(int argc, char *argv[])
{
	struct rm r;
	struct mq_spool sp;
	int c, delim = '\n', status, all;
	long before;
	size_t i;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	memset(&r, 0, sizeof(r));
	while ((c = mq_getopt(argc, argv, "0fhns:vV")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 'f': r.force = 1; break;
		case 'n': r.dry = 1; break;
		case 's':
			if ((r.states = mq_ls_states(optarg)) == 0)
				usage(stderr, MQ_EX_USAGE);
			break;
		case 'v': r.verbose = 1; break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, MQ_EX_USAGE);
	all = argc == 2 && strcmp(argv[1], "ALL") == 0;
	if (r.states != 0 && !all) {
		mq_warnx("-s", "a whole state goes only when asked for by name: "
		    "mq-rm -s STATE SPOOL ALL");
		usage(stderr, MQ_EX_USAGE);
	}
	if (all && r.states == 0) {
		mq_warnx("ALL", "of which states? (-s ready,delayed,...)");
		usage(stderr, MQ_EX_USAGE);
	}
	if (!all) {
		if (argc == 1 && mq_stdin_closed("the ids"))
			return MQ_EX_NOINPUT;
		if ((status = mq_each_operand(argc - 1, argv + 1, delim,
		    mq_ids_add, &r.ids)) != MQ_EX_OK)
			return status;
		if (r.ids.n == 0)
			return MQ_EX_OK;
		if ((status = mq_ids_sort(&r.ids)) != MQ_EX_OK)
			return status;
		r.states = MQ_LS_ALL;
	}
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	/* With ALL, again until a pass finds nothing: a group's front gone
	 * lets its next through, out of the held into the ready. */
	do {
		before = r.removed;
		r.status = mq_worst(r.status, mq_ls(&sp, r.states,
		    mq_now_ms(), one, &r));
	} while (all && !r.dry && r.removed > before && r.status == MQ_EX_OK);
	mq_spool_close(&sp);
	for (i = 0; i < r.ids.n; i++)
		if (!r.ids.found[i]) {
			mq_warnx(r.ids.v[i], "no such message in %s", argv[0]);
			r.status = mq_worst(r.status, MQ_EX_LOST);
		}
	mq_ids_free(&r.ids);
	if (fflush(stdout) == EOF)
		r.status = mq_worst(r.status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	return r.status;
}
