/* mq-ack: complete leases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "opt.h"
#include "lease.h"
#include "move.h"
#include "operands.h"

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-ack [-0] [lease...]\n",
	    "Acknowledges each lease (or each line of standard input): done.\n"
	    "  -0        leases on standard input are NUL-terminated\n"
	    "  -h        this help;  -V  the version\n");
}

static int
ack(const char *path, void *arg)
{
	struct mq_lease *l = arg;
	int status;

	if ((status = mq_lease_open(l, path)) != MQ_EX_OK)
		return status;
	return mq_move_ack(l->sp, &l->n, &l->st, path);
}

int
main(int argc, char *argv[])
{
	struct mq_lease l;
	int c, delim = '\n', status;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	while ((c = mq_getopt(argc, argv, "0hV")) != -1) {
		switch (c) {
		case '0': delim = '\0'; break;
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
	memset(&l, 0, sizeof(l));
	status = mq_each_operand(argc, argv, delim, ack, &l);
	mq_lease_close(&l);
	return status;
}
