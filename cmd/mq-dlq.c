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

/* The dead letters an operation applies to: all, or those named. Named
 * ones that are not there are reported; *status gets the worst. */
static struct mq_dead **
select_dead(struct mq_dlq *d, const char *where, char **ids, int nids,
    int *status)
{
	struct mq_dead **v, *x;
	size_t n = 0, i;
	int j;

	v = malloc(((nids > 0 ? (size_t)nids : d->n) + 1) * sizeof(*v));
	if (v == NULL) {
		*status = mq_fail(MQ_EX_IOERR, "memory", errno);
		return NULL;
	}
	if (nids == 0)
		for (i = 0; i < d->n; i++)
			v[n++] = &d->v[i];
	for (j = 0; j < nids; j++) {
		if (!mq_id_shaped(ids[j])) {
			mq_warnx(where, "%s: not an id (mq-dlq -L lists them)",
			    ids[j]);
			*status = mq_worst(*status, MQ_EX_DATAERR);
		} else if ((x = mq_dlq_find(d, ids[j])) == NULL) {
			mq_warnx(where, "%s: no such dead letter", ids[j]);
			*status = mq_worst(*status, MQ_EX_LOST);
		} else {
			v[n++] = x;
		}
	}
	v[n] = NULL;
	return v;
}

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

/* Redrives the dead letters of v that fit: a redriven message counts
 * against max_depth as a put does (limit.c). */
static int
redrive(struct mq_spool *sp, struct mq_dead **v, int named)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	struct mq_limit lim;
	int64_t now = mq_now_ms();
	int status, r;

	if ((status = mq_limit_open(sp, sp->pol.max_depth, &lim)) != MQ_EX_OK)
		return status;
	for (; *v != NULL; v++) {
		if ((r = mq_limit_take(sp, &lim)) == MQ_EX_TEMPFAIL)
			mq_warnx(sp->path, "spool full (%ld messages, "
			    "max_depth %ld): the rest stay dead", lim.depth,
			    lim.limit);
		if (r != MQ_EX_OK) {
			status = mq_worst(status, r);
			break;
		}
		r = mq_move_redrive(sp, &(*v)->n, &lf, now);
		mq_limit_done(&lim, r == MQ_EX_OK);
		status = mq_worst(status, vanished(*v, named, r));
	}
	mq_limit_close(&lim);
	return mq_worst(status, mq_move_flush(sp, &lf, 0));
}

static int
delete(struct mq_spool *sp, struct mq_dead **v, int named, int64_t age)
{
	int64_t now = mq_now_ms();
	int status = MQ_EX_OK;

	for (; *v != NULL; v++)
		if (age < 0 || (*v)->died + age <= now)
			status = mq_worst(status, vanished(*v, named,
			    mq_move_delete(sp, &(*v)->n)));
	return status;
}

static int
on_spool(int mode, int argc, char **argv, int delim, int64_t age,
    int several)
{
	char where[4096];
	struct mq_spool sp;
	struct mq_dlq d;
	struct mq_dead **v;
	size_t i;
	int status;

	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	if ((status = mq_dlq_list(&sp, &d)) != MQ_EX_OK) {
		mq_spool_close(&sp);
		return status;
	}
	mq_spool_where(&sp, "dlq", NULL, where, sizeof(where));
	if (mode == 'L') {
		for (i = 0; i < d.n; i++) {
			if (several) {
				mq_print_escaped(stdout, sp.path,
				    strlen(sp.path));
				putchar('\t');
			}
			print_dead(&sp, &d.v[i], delim);
		}
		if (fflush(stdout) == EOF || ferror(stdout))
			status = mq_fail(MQ_EX_IOERR, "standard output", errno);
	} else if ((v = select_dead(&d, where, argv + 1, argc - 1, &status)) !=
	    NULL) {
		status = mq_worst(status, mode == 'R' ?
		    redrive(&sp, v, argc > 1) : delete(&sp, v, argc > 1, age));
		free(v);
	}
	mq_dlq_free(&d);
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
