/* mq-take: lease ready messages, oldest first; or extend leases (-x). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "duration.h"
#include "lease.h"
#include "move.h"
#include "operands.h"
#include "opt.h"
#include "spool.h"
#include "take.h"
#include "wait.h"

#define PENDING 64		/* leases printed per write(2) at most */

/* The leases claimed and not yet written out. A lease counts as handed
 * out only once its whole line was written; any other is given back. */
struct out {
	int delim;
	int failed;		/* standard output failed: errno */
	int status;
	size_t n, len;
	struct {
		struct mq_spool *sp;
		size_t end;	/* its line ends here in buf */
		char name[MQ_NAME_MAX + 1];
	} v[PENDING];
	char buf[PENDING * (4096 + MQ_NAME_MAX + 8)];
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-take [-0] [-n count] [-t timeout] [-w wait] spool...\n"
	    "       mq-take -x duration [-0] [lease...]\n",
	    "Leases the next ready message of the spools and prints its lease path.\n"
	    "  -0          lease paths NUL-terminated (with -x: read so)\n"
	    "  -n count    take up to count messages\n"
	    "  -t timeout  the lease's timeout (default: the spool's, 5m)\n"
	    "  -w wait     wait up to wait for a message (0: do not wait)\n"
	    "  -x duration extend each lease to now + duration; 2 if it was lost\n"
	    "  -h          this help;  -V  the version\n");
}

/* Writes the pending lines; the leases of lines not written whole go
 * back to new/, unspent. */
static void
flush(struct out *o)
{
	size_t done = 0, i, back = 0;
	ssize_t w;

	while (done < o->len && !o->failed) {
		if ((w = write(STDOUT_FILENO, o->buf + done, o->len - done)) ==
		    -1) {
			if (errno != EINTR)
				o->failed = errno;
			continue;
		}
		done += (size_t)w;
	}
	for (i = 0; i < o->n; i++)
		if (o->v[i].end > done) {
			o->status = mq_worst(o->status,
			    mq_move_unclaim(o->v[i].sp, o->v[i].name));
			back++;
		}
	if (back > 0) {
		mq_warnx("standard output", "%s: %zu lease%s given back, "
		    "unspent", strerror(o->failed), back, back == 1 ? "" : "s");
		o->status = mq_worst(o->status, MQ_EX_IOERR);
	}
	o->n = o->len = 0;
}

static int
print_lease(struct mq_spool *sp, const char *lease, void *arg)
{
	struct out *o = arg;
	int len;

	len = snprintf(o->buf + o->len, sizeof(o->buf) - o->len, "%s/cur/%s%c",
	    sp->path, lease, o->delim);
	o->v[o->n].sp = sp;
	o->v[o->n].end = o->len += (size_t)len;
	snprintf(o->v[o->n++].name, sizeof(o->v[0].name), "%s", lease);
	if (o->n == PENDING)
		flush(o);
	return o->failed != 0;	/* nothing more: it could not be seen */
}

/* -x: a lease's deadline moved to now + the duration; 2 when lost. */
struct extend {
	struct mq_lease l;
	int64_t by;
};

static int
extend(const char *path, void *arg)
{
	struct extend *x = arg;
	int status;

	if ((status = mq_lease_open(&x->l, path)) != MQ_EX_OK)
		return status;
	if (mq_move_extend(x->l.sp, x->l.name, mq_now_ms() + x->by) == 0)
		return MQ_EX_OK;
	return errno == ENOENT ? mq_lease_lost(path) :
	    mq_fail(MQ_EX_IOERR, path, errno);
}

static int
extend_all(int argc, char **argv, int delim, int64_t by)
{
	struct extend x;
	int status;

	if (argc == 0 && isatty(STDIN_FILENO))
		usage(stderr, MQ_EX_USAGE);
	memset(&x, 0, sizeof(x));
	x.by = by;
	status = mq_each_operand(argc, argv, delim, extend, &x);
	mq_lease_close(&x.l);
	return status;
}

/* Takes from the first spool that has anything, waiting up to wait ms;
 * SIGINT, SIGTERM and SIGHUP wait until what was taken is printed. */
static int
take(struct mq_spool *sps, int n, struct mq_taker *t, int64_t timeout,
    int64_t wait, size_t *taken)
{
	struct mq_waiter w;
	sigset_t stop, old;
	int64_t until = mq_now_ms() + wait;
	int i, status = MQ_EX_OK;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	if (wait > 0)
		mq_waiter_init(&w, sps, (size_t)n);
	for (;;) {
		if (wait > 0)
			mq_waiter_drain(&w);	/* events from now on count */
		sigprocmask(SIG_BLOCK, &stop, &old);
		for (i = 0; i < n && status == MQ_EX_OK && *taken == 0; i++) {
			t->timeout = timeout >= 0 ? timeout : sps[i].pol.timeout;
			status = mq_take(&sps[i], t, taken);
		}
		flush(t->arg);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (wait <= 0 || status != MQ_EX_OK || *taken > 0 ||
		    mq_now_ms() >= until)
			break;
		mq_waiter_sleep(&w, sps, (size_t)n, until);
	}
	if (wait > 0)
		mq_waiter_close(&w);
	return status;
}

int
main(int argc, char *argv[])
{
	struct mq_spool *sps;
	struct out *o;
	struct mq_taker t = { 1, 0, print_lease, NULL, NULL, NULL };
	int64_t timeout = -1, wait = -1, by = -1;
	size_t taken = 0;
	int c, i, status = MQ_EX_OK;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	o->delim = '\n';
	while ((c = mq_getopt(argc, argv, "0hn:t:Vw:x:")) != -1) {
		switch (c) {
		case '0': o->delim = '\0'; break;
		case 'n': t.count = (size_t)mq_count_opt('n', optarg, 1); break;
		case 't': timeout = mq_duration_opt('t', optarg); break;
		case 'w': wait = mq_duration_opt('w', optarg); break;
		case 'x': by = mq_duration_opt('x', optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	signal(SIGPIPE, SIG_IGN);
	if (by >= 0) {
		if (t.count != 1 || timeout >= 0 || wait >= 0)
			usage(stderr, MQ_EX_USAGE);
		return extend_all(argc, argv, o->delim, by);
	}
	if (argc < 1)
		usage(stderr, MQ_EX_USAGE);
	/* Nothing is taken that could not be printed. */
	if (fcntl(STDOUT_FILENO, F_GETFL) == -1)
		return mq_fail(MQ_EX_IOERR, "standard output", errno);
	t.arg = o;
	if ((sps = calloc((size_t)argc, sizeof(*sps))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	/* Every spool must open before anything is taken. */
	for (i = 0; i < argc; i++)
		status = mq_worst(status, mq_spool_open(&sps[i], argv[i],
		    MQ_OPEN));
	if (status == MQ_EX_OK)
		status = take(sps, argc, &t, timeout, wait, &taken);
	status = mq_worst(status, o->status);
	for (i = 0; i < argc; i++)
		mq_spool_close(&sps[i]);
	free(sps);
	free(o);
	if (status == MQ_EX_OK && taken == 0)
		return MQ_EX_EMPTY;
	return status;
}
