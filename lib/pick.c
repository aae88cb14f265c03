/* pick: the operators' commands that move chosen messages.
 *
 * mq-rm, mq-park and mq-kick are one program with three moves: the
 * messages are named by id (operands, or stdin) or, a whole state at a
 * time, only with the word ALL (as postsuper -d ALL); they are found as
 * mq-ls finds them (ls.c), each moved by its row of move.c, and with -n
 * only shown. A message in a state the move does not apply to is said
 * and left (exit 2), as is one that moved meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "ids.h"
#include "operands.h"
#include "opt.h"
#include "pick.h"

const char *mq_pick_group;

struct run {
	const struct mq_pick *def;
	int dry, force, verbose, states;
	struct mq_ids ids;
	char *done;		/* of ids: dealt with already (met again after
				 * a move, or in a second walk) */
	long moved;
	int status;
};

static const struct mq_pick *usage_def;

static void
usage(FILE *f, int status)
{
	mq_usage(f, status, usage_def->synopsis, usage_def->options);
}

static int
one(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct run *r = arg;
	const char *state = mq_ls_state_name(m->state);
	int movable = r->def->movable | (r->force ? r->def->forced : 0);
	int status;
	long i = -1;

	if (r->ids.n > 0 && ((i = mq_ids_find(&r->ids, m->n.id)) == -1 ||
	    r->done[i]))
		return 0;	/* not asked for, or met again where it went */
	if (mq_pick_group != NULL && strcmp(m->n.group, mq_pick_group) != 0)
		return 0;
	if (i >= 0)
		r->done[i] = 2;		/* dealt with: not again in this run */
	if (!(m->state & movable)) {
		if (r->ids.n > 0) {
			mq_warnx(m->n.id, "%s: not %s%s", state, r->def->done,
			    m->state & r->def->forced ? " (its holder may still "
			    "settle it; -f anyway)" : "");
			r->status = mq_worst(r->status, MQ_EX_LOST);
		}
		return 0;
	}
	if (r->dry) {
		printf("%s %s\n", m->n.id, state);
		return ferror(stdout) != 0;
	}
	if ((status = r->def->move(sp, m)) == MQ_EX_LOST) {
		if (r->ids.n > 0) {
			mq_warnx(m->n.id, "moved meanwhile: not %s",
			    r->def->done);
			r->status = mq_worst(r->status, MQ_EX_LOST);
		}
		return 0;
	}
	r->status = mq_worst(r->status, status);
	if (status == MQ_EX_OK) {
		r->moved++;
		if (r->verbose)
			printf("%s %s\n", m->n.id, state);
	}
	return status != MQ_EX_OK;
}

static int
all_found(const struct mq_ids *ids)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (!ids->found[i])
			return 0;
	return 1;
}

/* The walks that find the messages and move them as they are met. */
static void
walk(struct run *r, struct mq_spool *sp, int all)
{
	char **look = NULL;
	size_t i, n;
	long before;
	int status, tries = 0;

	if (r->ids.n > 0 && (look = calloc(r->ids.n, sizeof(*look))) == NULL) {
		r->status = mq_fail(MQ_EX_IOERR, "memory", errno);
		return;
	}
	do {	/* ALL, again: a group's front moved lets its next through;
		 * ids not found, again: a walk can miss one as it moves */
		before = r->moved;
		/* (one() raises r->status itself: the walk first, then the
		 * worst of the two; as arguments their order is unspecified) */
		if (r->ids.n == 0) {
			status = mq_ls(sp, r->states, mq_now_ms(), one, r);
		} else {	/* by id: looked up where each can be */
			for (i = 0, n = 0; i < r->ids.n; i++)
				if (!r->ids.found[i])
					look[n++] = r->ids.v[i];
			status = mq_ls_ids(sp, look, n, r->states,
			    mq_now_ms(), one, r);
		}
		r->status = mq_worst(r->status, status);
	} while (r->status == MQ_EX_OK && (all ? r->def->again && !r->dry &&
	    r->moved > before : ++tries < 3 && !all_found(&r->ids)));
	free(look);
}

/* The options; the operands left in *argc, *argv. */
static void
options(struct run *r, int *argc, char ***argv, int *delim)
{
	char letters[64];
	int c;

	snprintf(letters, sizeof(letters), "0fhns:vV%s", r->def->opts);
	while ((c = mq_getopt(*argc, *argv, letters)) != -1) {
		switch (c) {
		case '0': *delim = '\0'; break;
		case 'f':
			if (r->def->forced == 0)
				usage(stderr, MQ_EX_USAGE);
			r->force = 1;
			break;
		case 'n': r->dry = 1; break;
		case 's':
			if ((r->states = mq_ls_states(optarg)) == 0)
				usage(stderr, MQ_EX_USAGE);
			break;
		case 'v': r->verbose = 1; break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); exit(MQ_EX_OK);
		default:
			if (c == '?' || r->def->option == NULL ||
			    r->def->option(c, optarg) != 0)
				usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(*argc, *argv, -1, usage);
	*argc -= optind;
	*argv += optind;
}

int
mq_pick_main(int argc, char **argv, const struct mq_pick *def)
{
	struct run r;
	struct mq_spool sp;
	int delim = '\n', status, all;
	size_t i;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	memset(&r, 0, sizeof(r));
	r.def = usage_def = def;
	options(&r, &argc, &argv, &delim);
	if (argc < 1)
		usage(stderr, MQ_EX_USAGE);
	all = argc == 2 && strcmp(argv[1], "ALL") == 0;
	if (r.states != 0 && !all) {
		mq_warnx("-s", "a whole state only when asked for by name: "
		    "-s STATES SPOOL ALL");
		usage(stderr, MQ_EX_USAGE);
	}
	if (all && r.states == 0) {
		mq_warnx("ALL", "of which states? (-s ready,delayed,...)");
		usage(stderr, MQ_EX_USAGE);
	}
	if (!all) {
		if (argc == 1 && mq_pick_group == NULL &&
		    mq_stdin_closed("the ids"))
			return MQ_EX_NOINPUT;
		if ((argc > 1 || mq_pick_group == NULL) &&
		    (status = mq_each_operand(argc - 1, argv + 1, delim,
		    mq_ids_add, &r.ids)) != MQ_EX_OK)
			return status;
		if (r.ids.n == 0 && mq_pick_group == NULL)
			return MQ_EX_OK;
		if ((status = mq_ids_sort(&r.ids)) != MQ_EX_OK)
			return status;
		if ((r.done = calloc(r.ids.n + 1, 1)) == NULL)
			return mq_fail(MQ_EX_IOERR, "memory", errno);
		r.states = MQ_LS_ALL;
	}
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	walk(&r, &sp, all);
	if (def->finish != NULL && !r.dry)
		r.status = mq_worst(r.status, def->finish(&sp));
	mq_spool_close(&sp);
	for (i = 0; i < r.ids.n; i++)
		if (!r.ids.found[i]) {
			mq_warnx(r.ids.v[i], "no such message in %s", argv[0]);
			r.status = mq_worst(r.status, MQ_EX_LOST);
		}
	mq_ids_free(&r.ids);
	free(r.done);
	if (fflush(stdout) == EOF)
		r.status = mq_worst(r.status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	return r.status;
}
