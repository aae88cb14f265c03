/* mq-retry: give leases back for another attempt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "lease.h"
#include "move.h"
#include "operands.h"
#include "opt.h"

struct retry {
	struct mq_lease l;
	int64_t delay;		/* -1: the backoff */
	const char *why;
};

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [-0] [-d delay] [-r reason] [lease...]\n",
	    mq_prog);
	exit(status);
}

static int
retry(const char *path, void *arg)
{
	struct retry *r = arg;
	int status;

	if ((status = mq_lease_open(&r->l, path)) != MQ_EX_OK)
		return status;
	return mq_move_retry(r->l.sp, &r->l.n, path, r->delay, r->why);
}

int
main(int argc, char *argv[])
{
	struct retry r;
	int c, delim = '\n', status;

	mq_setprog(argv[0]);
	memset(&r, 0, sizeof(r));
	r.delay = -1;
	while ((c = getopt(argc, argv, "0d:hr:V")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 'd': r.delay = mq_duration_opt('d', optarg); break;
		case 'r': r.why = mq_reason_opt(optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(STDIN_FILENO))
		usage(stderr, MQ_EX_USAGE);
	status = mq_each_operand(argc, argv, delim, retry, &r);
	mq_lease_close(&r.l);
	return status;
}
