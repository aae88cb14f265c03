/* mq-run: the worker pool: run a command once per message. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "counts.h"
#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "pool.h"
#include "spool.h"
#include "targets.h"

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-run [-iv] [-P procs | -P min:max] [-n count] [-o spool] [-t timeout]\n"
	    "              [-w idle | -F] spool command [arg...]\n",
	    "Runs command once per message, the payload on its standard input;\n"
	    "exit 0 acks, 65 or 100 dead-letters, any other retries after backoff.\n"
	    "  -P procs   at most procs commands at once (1 to 4096; default 1)\n"
	    "  -P min:max as many as the backlog needs, from min to max\n"
	    "  -i         the message's id before each line a command writes to\n"
	    "             stderr (so with -P above 1)\n"
	    "  -v         a line for each message settled, and a summary\n"
	    "  -n count   stop after count messages\n"
	    "  -o spool   the command's stdout becomes a message there (a spool or\n"
	    "             a topic), put once, before the input is acked\n"
	    "  -t timeout each lease's timeout, renewed while the command runs\n"
	    "  -w idle    wait for messages, stopping after idle without one\n"
	    "  -F         wait for messages forever (a service)\n"
	    "  -h         this help;  -V  the version\n");
}

/* -P procs, or -P min:max. */
static void
procs_opt(const char *s, struct mq_pool_opts *o)
{
	char min[32];
	const char *colon = strchr(s, ':');

	if (colon == NULL) {
		o->procs = o->min_procs = mq_count_opt('P', s, 1);
		return;
	}
	if ((size_t)(colon - s) >= sizeof(min)) {
		mq_warnx("-P", "bad count '%s'", s);
		exit(MQ_EX_USAGE);
	}
	memcpy(min, s, (size_t)(colon - s));
	min[colon - s] = '\0';
	o->min_procs = mq_count_opt('P', min, 1);
	o->procs = mq_count_opt('P', colon + 1, 1);
	if (o->min_procs > o->procs) {
		mq_warnx("-P", "%s: the least is more than the most", s);
		exit(MQ_EX_USAGE);
	}
}

/* Whether the command can be executed, as execvp would find it: 0, or
 * ENOENT (127) or EACCES (126). Checked before anything is taken, so a
 * pool with a wrong command takes nothing. */
static int
runnable(const char *cmd)
{
	const char *path, *p, *end;
	char full[4096];
	struct stat st;
	int found = ENOENT;
	size_t len;

	if (strchr(cmd, '/') != NULL) {
		if (stat(cmd, &st) == -1)
			return errno;
		return S_ISDIR(st.st_mode) || access(cmd, X_OK) == -1 ?
		    EACCES : 0;
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = end + 1) {
		end = strchr(p, ':');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p,
		    len > 0 ? "/" : "", cmd) < (int)sizeof(full) &&
		    stat(full, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(full, X_OK) == 0)
				return 0;
			found = EACCES;
		}
		if (end == NULL)
			return found;
	}
}

/* -o: the spools the commands' output goes to; never the one taken
 * from (each output would be taken again, for ever). */
static int
out_open(struct mq_pool_opts *o, const struct mq_spool *in)
{
	struct stat a, b;
	size_t i;
	int status;

	status = mq_targets_open(o->out_path, &o->out, &o->nout);
	if (status != MQ_EX_OK || fstat(in->fd, &a) == -1)
		return status;
	for (i = 0; i < o->nout; i++)
		if (fstat(o->out[i]->fd, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino) {
			mq_warnx("-o", "%s: the spool it takes from",
			    o->out_path);
			return MQ_EX_USAGE;
		}
	return MQ_EX_OK;
}

int
main(int argc, char *argv[])
{
	struct mq_pool_opts o = { 1, 1, 0, 0, 0, -1, 0, NULL, NULL, 0, NULL };
	struct mq_spool sp;
	int c, err, status, forever = 0, idle = 0;

	mq_setprog(argv[0]);
	/* "+": options end at the command, whose own options are its own
	 * (GNU getopt would permute them otherwise). */
	while ((c = mq_getopt(argc, argv, "+Fhin:o:P:t:vVw:")) != -1) {
		switch (c) {
		case 'F': forever = 1; break;
		case 'i': o.label = 1; break;
		case 'n': o.count = mq_count_opt('n', optarg, 1); break;
		case 'o': o.out_path = optarg; break;
		case 'P': procs_opt(optarg, &o); break;
		case 'v': o.verbose = 1; break;
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
	if ((err = runnable(o.argv[0])) != 0) {
		mq_warnx(o.argv[0], "%s", err == ENOENT && strchr(o.argv[0],
		    '/') == NULL ? "command not found" : strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((status = mq_spool_open(&sp, argv[0], MQ_OPEN)) != MQ_EX_OK)
		return status;
	if (o.out_path != NULL && (status = out_open(&o, &sp)) != MQ_EX_OK) {
		mq_spool_close(&sp);
		return status;
	}
	if (o.timeout < 0)
		o.timeout = sp.pol.timeout;
	if (o.timeout < 3) {
		mq_warnx("-t", "a lease must last at least 3ms to be renewed");
		return MQ_EX_USAGE;
	}
	sp.count_later = 1;	/* acks counted once a second or per 256 */
	status = mq_pool_run(&sp, &o);
	mq_targets_close(o.out, o.nout);
	mq_counts_flush(&sp);
	mq_spool_close(&sp);
	return status;
}
