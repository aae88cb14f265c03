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
#include "ls.h"
#include "operands.h"
#include "opt.h"
#include "wait.h"

enum { UNSEEN, PENDING, DEAD, DONE };

static const char *const told[] = { "gone", "pending", "dead", "acked" };

struct wanted {
	char **ids;		/* sorted */
	int *now, *was;		/* what each is, this look and the last */
	size_t n, cap;
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
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
add(const char *id, void *arg)
{
	struct wanted *w = arg;
	char **v;

	if (!mq_id_shaped(id)) {
		mq_warnx(id, "not a message id");
		return MQ_EX_DATAERR;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		if ((v = realloc(w->ids, w->cap * sizeof(*v))) == NULL)
			return mq_fail(MQ_EX_IOERR, "memory", errno);
		w->ids = v;
	}
	if ((w->ids[w->n] = strdup(id)) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	w->n++;
	return MQ_EX_OK;
}

static int
seen(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct wanted *w = arg;
	const char *key = m->n.id;
	char **hit;

	(void)sp;
	if ((hit = bsearch(&key, w->ids, w->n, sizeof(*w->ids), by_str)) !=
	    NULL)
		w->now[hit - w->ids] = m->state == MQ_LS_DEAD ? DEAD :
		    m->state == MQ_LS_DONE ? DONE : PENDING;
	return 0;
}

/* One look at the spool: how many are still pending. */
static long
look(struct mq_spool *sp, struct wanted *w, int *status)
{
	long pending = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		w->now[i] = UNSEEN;
	*status = mq_ls(sp, MQ_LS_ALL, mq_now_ms(), seen, w);
	for (i = 0; i < w->n; i++)
		if (w->now[i] == PENDING)
			pending++;
	return pending;
}

/* What changed since the last look: said (-v), and remembered. */
static void
tell(struct wanted *w, int first, int verbose, const char *spool)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (first && w->now[i] == UNSEEN)
			mq_warnx(w->ids[i], "not in %s (acknowledged and gone, "
			    "or never put)", spool);
		if (verbose && w->now[i] != PENDING &&
		    (first || w->was[i] == PENDING))
			printf("%s %s\n", w->ids[i], told[w->now[i]]);
		w->was[i] = w->now[i];
	}
	(void)fflush(stdout);
}

int
main(int argc, char *argv[])
{
	struct wanted w = { NULL, NULL, NULL, 0, 0 };
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
	if ((status = mq_each_operand(argc - 1, argv + 1, delim, add, &w)) !=
	    MQ_EX_OK)
		return status;
	if (w.n == 0)
		return MQ_EX_OK;	/* nothing to wait for */
	qsort(w.ids, w.n, sizeof(*w.ids), by_str);
	w.now = calloc(w.n, sizeof(*w.now));
	w.was = calloc(w.n, sizeof(*w.was));
	if (w.now == NULL || w.was == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	until = timeout < 0 ? INT64_MAX : mq_now_ms() + timeout;
	mq_waiter_init_settle(&wt, &sp);
	for (;;) {
		mq_waiter_drain(&wt);
		pending = look(&sp, &w, &status);
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
	for (i = 0; i < w.n; i++) {
		dead |= w.was[i] == DEAD;
		if (verbose && w.was[i] == PENDING)
			printf("%s pending\n", w.ids[i]);
		free(w.ids[i]);
	}
	free(w.ids);
	free(w.now);
	free(w.was);
	if (status != MQ_EX_OK)
		return status;
	return dead ? MQ_EX_DATAERR : pending > 0 ? MQ_EX_EMPTY : MQ_EX_OK;
}
