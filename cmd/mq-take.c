/* mq-take: lease ready messages, oldest first. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "spool.h"
#include "take.h"
#include "wait.h"


static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [-0] [-n count] [-t timeout] [-w wait] spool...\n",
	    mq_prog);
	exit(status);
}

static int
print_lease(struct mq_spool *sp, const char *lease, void *arg)
{
	printf("%s/cur/%s%c", sp->path, lease, *(int *)arg);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct mq_spool *sps;
	struct mq_taker t = { 1, 0, print_lease, NULL, NULL };
	struct mq_waiter w;
	int64_t timeout = -1, wait = -1, until = 0;
	size_t taken = 0;
	int c, i, waiting, delim = '\n', status = MQ_EX_OK;

	mq_setprog(argv[0]);
	while ((c = getopt(argc, argv, "0hn:t:Vw:")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 'n': t.count = (size_t)mq_count_opt('n', optarg, 1); break;
		case 't': timeout = mq_duration_opt('t', optarg); break;
		case 'w': wait = mq_duration_opt('w', optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, MQ_EX_USAGE);
	signal(SIGPIPE, SIG_IGN);
	t.arg = &delim;
	if ((sps = calloc((size_t)argc, sizeof(*sps))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	/* Every spool must open before anything is taken. */
	for (i = 0; i < argc; i++)
		status = mq_worst(status, mq_spool_open(&sps[i], argv[i],
		    MQ_OPEN));
	/* Wait only when every spool opened: nothing is taken otherwise. */
	if ((waiting = wait > 0 && status == MQ_EX_OK)) {
		until = mq_now_ms() + wait;
		mq_waiter_init(&w, sps, (size_t)argc);
	}
	for (;;) {
		if (waiting)
			mq_waiter_drain(&w);	/* events from now on count */
		for (i = 0; i < argc && status == MQ_EX_OK && taken == 0; i++) {
			t.timeout = timeout >= 0 ? timeout : sps[i].pol.timeout;
			status = mq_take(&sps[i], &t, &taken);
		}
		if (!waiting || status != MQ_EX_OK || taken > 0 ||
		    mq_now_ms() >= until)
			break;
		mq_waiter_sleep(&w, sps, (size_t)argc, until);
	}
	if (waiting)
		mq_waiter_close(&w);
	if (fflush(stdout) == EOF || ferror(stdout))
		status = mq_worst(status,
		    mq_fail(MQ_EX_IOERR, "standard output", errno));
	for (i = 0; i < argc; i++)
		mq_spool_close(&sps[i]);
	free(sps);
	if (status == MQ_EX_OK && taken == 0)
		return MQ_EX_EMPTY;
	return status;
}
