/* mq-take: lease ready messages, oldest first. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "spool.h"
#include "take.h"

struct out {
	int delim;
};

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [-0] [-n count] [-t timeout] spool...\n",
	    mq_prog);
	exit(status);
}

static int
print_lease(struct mq_spool *sp, const char *lease, void *arg)
{
	struct out *o = arg;

	printf("%s/cur/%s%c", sp->path, lease, o->delim);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct mq_spool *sps;
	struct out o = { '\n' };
	int64_t timeout = -1;
	size_t count = 1, taken = 0;
	int c, i, status = MQ_EX_OK;

	mq_setprog(argv[0]);
	while ((c = getopt(argc, argv, "0hn:t:V")) != -1) {
		switch (c) {
		case '0': o.delim = '\0'; break;
		case 'n': count = (size_t)mq_count_opt('n', optarg, 1); break;
		case 't': timeout = mq_duration_opt('t', optarg); break;
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
	if ((sps = calloc((size_t)argc, sizeof(*sps))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	/* Every spool must open before anything is taken. */
	for (i = 0; i < argc; i++)
		status = mq_worst(status, mq_spool_open(&sps[i], argv[i],
		    MQ_OPEN));
	for (i = 0; i < argc && status == MQ_EX_OK && taken == 0; i++)
		status = mq_take(&sps[i], count, timeout >= 0 ? timeout :
		    sps[i].pol.timeout, print_lease, &o, &taken);
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
