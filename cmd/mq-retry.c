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
	mq_usage(f, status,
	    "usage: mq-retry [-0] [-d delay] [-r reason] [lease...]\n",
	    "Gives each lease back to be taken again (or dead-letters it when its\n"
	    "attempts are used up).\n"
	    "  -0        leases on standard input are NUL-terminated\n"
	    "  -d delay  ready again after delay (default: the spool's backoff)\n"
	    "  -r reason why, kept in SPOOL/reason/ID\n"
	    "  -h        this help;  -V  the version\n");
}

static int
retry(const char *path, void *arg)
{
	struct retry *r = arg;
	int status;

	if ((status = mq_lease_open(&r->l, path)) != MQ_EX_OK)
		return status;
	return mq_move_retry(r->l.sp, &r->l.n, &r->l.st, path, r->delay,
	    r->why);
}

int
main(int argc, char *argv[])
{
	struct retry r;
	int c, delim = '\n', status;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	memset(&r, 0, sizeof(r));
	r.delay = -1;
	while ((c = mq_getopt(argc, argv, "0d:hr:V")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
		case 'd': r.delay = mq_duration_opt('d', optarg); break;
		case 'r': r.why = mq_reason_opt(optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	if (argc == 0 && isatty(STDIN_FILENO))
		usage(stderr, MQ_EX_USAGE);
	status = mq_each_operand(argc, argv, delim, retry, &r);
	mq_lease_close(&r.l);
	return status;
}
