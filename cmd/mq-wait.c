/* mq-wait: wait until messages are settled, and exit with their outcome. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "duration.h"
#include "ids.h"
#include "ls.h"
#include "operands.h"
#include "opt.h"
#include "wait.h"

enum { UNSEEN, PENDING, DEAD, DONE };

static const char *const told[] = { "gone", "pending", "dead", "acked" };

struct wanted {
	struct mq_ids ids;
	int *now, *was;		/* what each is, this look and the last */
	char **look;		/* the ids still to look for */
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-wait [-0v] [-t timeout] spool [id...]\n",
	    "Waits until each message is settled: acked (or gone), or dead.\n"
	    "Exit 0: all acked; 65: one or more dead; 1: pending at the timeout.\n"
	    "  -t timeout at most this long (30s, 5m, 2h; default: for ever)\n"
	    "  -v         a line for each message as it settles: ID acked|dead|gone\n"
	    "  -0         ids read from stdin NUL-terminated (without operands)\n"
	    "  -h         this help;  -V  the version\n");
}

static int
seen(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct wanted *w = arg;
	long i;

	(void)sp;
	if ((i = mq_ids_find(&w->ids, m->n.id)) >= 0)
		w->now[i] = m->state == MQ_LS_DEAD ? DEAD :
		    m->state == MQ_LS_DONE ? DONE : PENDING;
	return 0;
}

/* A look at the spool: how many are still pending. A walk can miss a
 * message as it moves (a take between the reading of cur/ and of new/),
 * and a message nowhere counts as acknowledged: so one not seen is
 * looked for again, up to LOOKS walks, before it is taken for gone. */
#define LOOKS 3

static long
look(struct mq_spool *sp, struct wanted *w, int first, int *status)
{
	long pending = 0;
	size_t i, n;
	int k;

	/* Acked is for ever (and gone is looked for no more: an id found
	 * nowhere costs a read of the whole spool); a dead letter can be
	 * redriven, pending again. */
	for (i = 0; i < w->ids.n; i++)
		if (first || w->was[i] == PENDING || w->was[i] == DEAD)
			w->now[i] = UNSEEN;
	for (k = 0; k < LOOKS; k++) {
		for (i = 0, n = 0; i < w->ids.n; i++)
			if (w->now[i] == UNSEEN)
				w->look[n++] = w->ids.v[i];
		if (n == 0)
			break;
		if ((*status = mq_ls_ids(sp, w->look, n, MQ_LS_ALL,
		    mq_now_ms(), seen, w)) != MQ_EX_OK)
			break;
	}
	for (i = 0; i < w->ids.n; i++)
		if (w->now[i] == PENDING)
			pending++;
	return pending;
}

/* What changed since the last look: said (-v), and remembered. */
static void
tell(struct wanted *w, int first, int verbose, const char *spool)
{
	size_t i;

	for (i = 0; i < w->ids.n; i++) {
		if (first && w->now[i] == UNSEEN)
			mq_warnx(w->ids.v[i], "not in %s (acknowledged and gone, "
			    "or never put)", spool);
		if (verbose && w->now[i] != PENDING &&
		    (first || w->was[i] == PENDING))
			printf("%s %s\n", w->ids.v[i], told[w->now[i]]);
		w->was[i] = w->now[i];
	}
	(void)fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct wanted w = { { NULL, NULL, 0, 0 }, NULL, NULL, NULL };
	struct mq_waiter wt;
	struct mq_spool sp;
	struct pollfd pfd;
	int64_t timeout = -1, until, now;
	int c, delim = '\n', verbose = 0, status, first = 1, dead = 0;
	long pending;
	size_t i, k;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	while ((c = mq_getopt(argc, argv, "0ht:vV")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 't': timeout = mq_duration_opt('t', optarg); break;
		case 'v': verbose = 1; break;
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
	if (argc == 1 && mq_stdin_closed("the ids"))
		return MQ_EX_NOINPUT;
	if ((status = mq_each_operand(argc - 1, argv + 1, delim, mq_ids_add,
	    &w.ids)) != MQ_EX_OK)
		return status;
	if (w.ids.n == 0)
		return MQ_EX_OK;	/* nothing to wait for */
	if ((status = mq_ids_sort(&w.ids)) != MQ_EX_OK)
		return status;
	w.now = calloc(w.ids.n, sizeof(*w.now));
	w.was = calloc(w.ids.n, sizeof(*w.was));
	w.look = calloc(w.ids.n, sizeof(*w.look));
	if (w.now == NULL || w.was == NULL || w.look == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	until = timeout < 0 ? INT64_MAX : mq_now_ms() + timeout;
	mq_waiter_init_settle(&wt, &sp);
	for (;;) {
		mq_waiter_drain(&wt);
		pending = look(&sp, &w, first, &status);
		if (status != MQ_EX_OK)
			break;
		tell(&w, first, verbose, argv[0]);
		first = 0;
		now = mq_now_ms();
		if (pending == 0 || now >= until)
			break;
		pfd.fd = wt.fd;
		pfd.events = POLLIN;
		k = (size_t)(until - now < wt.poll ? until - now : wt.poll);
		(void)poll(&pfd, wt.fd != -1 ? 1 : 0, k > INT_MAX ? INT_MAX :
		    (int)k);
		if (wt.fd == -1 && wt.poll < wt.poll_max)
			wt.poll *= 2;	/* looking ever less often */
	}
	mq_waiter_close(&wt);
	mq_spool_close(&sp);
	for (i = 0; i < w.ids.n; i++) {
		dead |= w.was[i] == DEAD;
		if (verbose && w.was[i] == PENDING)
			printf("%s pending\n", w.ids.v[i]);
	}
	mq_ids_free(&w.ids);
	free(w.now);
	free(w.was);
	free(w.look);
	if (status != MQ_EX_OK)
		return status;
	return dead ? MQ_EX_DATAERR : pending > 0 ? MQ_EX_EMPTY : MQ_EX_OK;
}
