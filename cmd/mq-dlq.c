/* mq-dlq: dead-letter leases; list, redrive and delete dead letters. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dlq.h"
#include "duration.h"
#include "key.h"
#include "lease.h"
#include "limit.h"
#include "move.h"
#include "operands.h"
#include "opt.h"
#include "print.h"
#include "reason.h"
#include "topic.h"

struct bury {
	struct mq_lease l;
	const char *why;
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-dlq [-0] [-r reason] [lease...]\n"
	    "       mq-dlq -L [-0] spool...\n"
	    "       mq-dlq -R spool [id...]\n"
	    "       mq-dlq -D [-o age] spool [id...]\n",
	    "Dead-letters leases, or lists, redrives or deletes dead letters.\n"
	    "  -0        leases read (or, with -L, ids printed) NUL-terminated\n"
	    "  -r reason why, kept in SPOOL/reason/ID (shown by -L)\n"
	    "  -L        list the dead letters of each spool: id, attempts, reason\n"
	    "  -R        redrive: the ids given (or all) back to be taken, as new\n"
	    "  -D        delete: the ids given (or all, with -o, older than age)\n"
	    "  -o age    with -D: only dead letters older than age (30s, 5m, 2h, 7d)\n"
	    "  -h        this help;  -V  the version\n");
}

static int
bury(const char *path, void *arg)
{
	struct bury *b = arg;
	int status;

	if ((status = mq_lease_open(&b->l, path)) != MQ_EX_OK)
		return status;
	return mq_move_bury(b->l.sp, b->l.sp->cur, &b->l.n, path, b->why,
	    NULL);
}

static void
print_dead(struct mq_spool *sp, const struct mq_dead *d, int delim)
{
	char when[32], why[MQ_REASON_MAX + 1];
	long n;

	mq_iso_utc(d->died, when, sizeof(when));
	printf("%s\t%lu\t%s\t", d->n.id, d->n.attempts, when);
	if ((n = mq_reason_get(sp, d->n.id, why)) >= 0)
		mq_print_escaped(stdout, why, (size_t)n);
	else if (d->n.attempts >= (unsigned long)sp->pol.max_attempts)
		printf("attempts ran out (max_attempts %ld)",
		    sp->pol.max_attempts);
	else
		putchar('-');
	putchar(delim);
}

/* What -L, -R and -D do with each dead letter. */
struct act {
	int mode;		/* 'L', 'R' or 'D' */
	int delim, several, named, full;
	int64_t age, now;
	struct mq_key_batch undone;	/* -D: their keys go too */
	struct mq_limit lim;
	struct mq_leaf lf;
	int status;
};

/* A dead letter that went meanwhile (another mq-dlq): reported only when
 * it was named. */
static int
vanished(const struct mq_dead *d, int named, int status)
{
	if (status != MQ_EX_LOST)
		return status;
	if (!named)
		return MQ_EX_OK;
	mq_warnx(d->n.id, "no longer a dead letter");
	return status;
}

static int
each_dead(struct mq_spool *sp, const struct mq_dead *d, void *arg)
{
	struct act *a = arg;
	int r;

	switch (a->mode) {
	case 'L':
		if (a->several) {
			mq_print_escaped(stdout, sp->path, strlen(sp->path));
			putchar('\t');
		}
		print_dead(sp, d, a->delim);
		return ferror(stdout) != 0;
	case 'D':
		if (a->age >= 0 && d->died + a->age > a->now)
			return 0;
		r = mq_move_delete(sp, &d->n);
		a->status = mq_worst(a->status, vanished(d, a->named, r));
		if (r == MQ_EX_OK)	/* undone: the put may be made again */
			a->status = mq_worst(a->status, mq_key_batch_add(sp,
			    &a->undone, d->n.id));
		return 0;
	default:
		/* A redriven message counts against max_depth as a put
		 * does (limit.c); all are stamped with one time, so they
		 * share a leaf and are taken in id order. */
		if ((r = mq_limit_take(sp, &a->lim)) == MQ_EX_TEMPFAIL) {
			mq_warnx(sp->path, "spool full (%ld messages, "
			    "max_depth %ld): the rest stay dead", a->lim.depth,
			    a->lim.limit);
			a->full = 1;
		}
		if (r != MQ_EX_OK) {
			a->status = mq_worst(a->status, r);
			return 1;
		}
		r = mq_move_redrive(sp, &d->n, &a->lf, a->now);
		mq_limit_done(&a->lim, r == MQ_EX_OK);
		a->status = mq_worst(a->status, vanished(d, a->named, r));
		return 0;
	}
}

static int
on_spool(int mode, int argc, char **argv, int delim, int64_t age,
    int several)
{
	char where[4096];
	struct mq_spool sp;
	struct act a;
	char **ids = NULL;
	int *found = NULL;
	size_t n = 0, j;
	int status;

	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	memset(&a, 0, sizeof(a));
	a.mode = mode;
	a.delim = delim;
	a.several = several;
	a.named = argc > 1;
	a.age = age;
	a.now = mq_now_ms();
	a.lf = (struct mq_leaf)MQ_LEAF_CLOSED;
	mq_spool_where(&sp, "dlq", NULL, where, sizeof(where));
	if (a.named) {
		ids = calloc((size_t)argc, sizeof(*ids));
		found = calloc((size_t)argc, sizeof(*found));
		if (ids == NULL || found == NULL) {
			status = mq_fail(MQ_EX_IOERR, "memory", errno);
			goto out;
		}
		status = mq_dlq_named(where, argv + 1, argc - 1, ids, &n);
		if (n == 0)
			goto out;
	}
	if (mode == 'R' && (a.status = mq_limit_open(&sp, sp.pol.max_depth,
	    &a.lim)) != MQ_EX_OK) {
		status = mq_worst(status, a.status);
		goto out;
	}
	status = mq_worst(status, mq_dlq_each(&sp, ids, n, found, each_dead,
	    &a));
	if (mode == 'R') {
		mq_limit_close(&a.lim);
		a.status = mq_worst(a.status, mq_move_flush(&sp, &a.lf, 0));
	}
	if (mode == 'D')
		a.status = mq_worst(a.status, mq_key_batch_flush(&sp,
		    &a.undone));
	status = mq_worst(status, a.status);
	for (j = 0; j < n && !a.full; j++)
		if (!found[j]) {
			mq_warnx(where, "%s: no such dead letter", ids[j]);
			status = mq_worst(status, MQ_EX_LOST);
		}
	if (mode == 'L' && (fflush(stdout) == EOF || ferror(stdout)))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
out:
	free(ids);
	free(found);
	mq_spool_close(&sp);
	return status;
}

/* -L: the dead letters of every spool named (a topic: its subscribers),
 * each line after the spool's name when there are several. */
static int
list_all(int argc, char **argv, int delim)
{
	struct mq_names all, one;
	size_t j;
	int i, status = MQ_EX_OK;

	memset(&all, 0, sizeof(all));
	for (i = 0; i < argc; i++) {
		if (mq_topic_spools(argv[i], &one) == -1) {
			status = mq_worst(status, mq_fail(MQ_EX_IOERR, argv[i],
			    errno));
			continue;
		}
		for (j = 0; j < one.n; j++)
			if (mq_names_push(&all, one.v[j]) == -1)
				return mq_fail(MQ_EX_IOERR, "memory", errno);
		mq_names_free(&one);
	}
	for (j = 0; j < all.n; j++)
		status = mq_worst(status, on_spool('L', 1, &all.v[j], delim, -1,
		    all.n > 1));
	mq_names_free(&all);
	return status;
}

int
main(int argc, char *argv[])
{
	struct bury b;
	int64_t age = -1;
	int c, mode = 0, delim = '\n', status;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	memset(&b, 0, sizeof(b));
	while ((c = mq_getopt(argc, argv, "0DhLo:r:RV")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 'D': case 'L': case 'R':
			if (mode != 0 && mode != c)
				usage(stderr, MQ_EX_USAGE);
			mode = c;
			break;
		case 'o': age = mq_duration_opt('o', optarg); break;
		case 'r': b.why = mq_reason_opt(optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	if ((age >= 0 && mode != 'D') || (b.why != NULL && mode != 0) ||
	    (delim == '\0' && mode != 0 && mode != 'L') ||
	    (mode != 0 && argc < 1))
		usage(stderr, MQ_EX_USAGE);
	signal(SIGPIPE, SIG_IGN);
	if (mode == 'L')
		return list_all(argc, argv, delim);
	if (mode != 0)
		return on_spool(mode, argc, argv, delim, age, 0);
	if (argc == 0 && isatty(STDIN_FILENO))
		usage(stderr, MQ_EX_USAGE);
	status = mq_each_operand(argc, argv, delim, bury, &b);
	mq_lease_close(&b.l);
	return status;
}
