/* mq-run: the worker pool: run a command once per message. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "pool.h"
#include "spool.h"

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-run [-P procs] [-n count] [-t timeout] [-w idle | -F] spool command [arg...]\n",
	    "Runs command once per message, the payload on its standard input;\n"
	    "exit 0 acks, 65 or 100 dead-letters, any other retries after backoff.\n"
	    "  -P procs   at most procs commands at once (1 to 4096; default 1)\n"
	    "  -n count   stop after count messages\n"
	    "  -t timeout each lease's timeout, renewed while the command runs\n"
	    "  -w idle    wait for messages, stopping after idle without one\n"
	    "  -F         wait for messages forever (a service)\n"
	    "  -h         this help;  -V  the version\n");
}

int
main(int argc, char *argv[])
{
	struct mq_pool_opts o = { 1, 0, -1, 0, NULL };
	struct mq_spool sp;
	int c, status, forever = 0, idle = 0;

	mq_setprog(argv[0]);
	/* "+": options end at the command, whose own options are its own
	 * (GNU getopt would permute them otherwise). */
	while ((c = mq_getopt(argc, argv, "+Fhn:P:t:Vw:")) != -1) {
		switch (c) {
		case 'F': forever = 1; break;
		case 'n': o.count = mq_count_opt('n', optarg, 1); break;
		case 'P': o.procs = mq_count_opt('P', optarg, 1); break;
		case 't': o.timeout = mq_duration_opt('t', optarg); break;
		case 'w':
			o.idle = mq_duration_opt('w', optarg);
			idle = 1;
			break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, 2, usage);
	argc -= optind;
	argv += optind;
	if (o.procs > 4096) {
		mq_warnx("-P", "%ld: at most 4096 commands at once", o.procs);
		usage(stderr, MQ_EX_USAGE);
	}
	if (forever && idle) {
		mq_warnx(NULL, "-w and -F: one or the other");
		usage(stderr, MQ_EX_USAGE);
	}
	if (argc < 2) {
		mq_warnx(NULL, argc == 0 ? "no spool and no command" :
		    "no command to run");
		usage(stderr, MQ_EX_USAGE);
	}
	if (forever)
		o.idle = MQ_FOREVER;
	o.argv = argv + 1;
	signal(SIGPIPE, SIG_IGN);
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	if (o.timeout < 0)
		o.timeout = sp.pol.timeout;
	if (o.timeout < 3) {
		mq_warnx("-t", "a lease must last at least 3ms to be renewed");
		return MQ_EX_USAGE;
	}
	status = mq_pool_run(&sp, &o);
	mq_spool_close(&sp);
	return status;
}
