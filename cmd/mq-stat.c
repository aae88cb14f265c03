/* mq-stat: counts, lag and rates of spools, for people and monitoring. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "report.h"
#include "route.h"
#include "setup.h"
#include "spool.h"
#include "stat.h"
#include "topic.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-stat [-o table|json|prom|sh] [-i interval [-n count]]\n"
	    "               [-s route] spool...\n",
	    "Counts each spool's messages by state, and its totals.\n"
	    "  -o format  table (default), json, prom (Prometheus text), sh\n"
	    "  -i interval  again every interval (table, json)\n"
	    "  -n count   with -i: stop after count reports\n"
	    "  -s route   only the subscribers a message with this routing key\n"
	    "             would go to (their bind patterns)\n"
	    "  -h         this help;  -V  the version\n");
}

static int
format(const char *s)
{
	static const char *const names[] = { "table", "json", "prom", "sh" };
	static const int fmts[] = { MQ_REPORT_TABLE, MQ_REPORT_JSON,
	    MQ_REPORT_PROM, MQ_REPORT_SH };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return fmts[i];
	mq_warnx("-o", "unknown format '%s' (table, json, prom or sh)", s);
	usage(stderr, MQ_EX_USAGE);
	return -1;
}

/* The spools named, each topic replaced by its subscribers (a topic
 * that cannot be read: as named, to be said when it does not open). */
static int
spools(int argc, char *argv[], struct mq_names *out)
{
	struct mq_names one;
	size_t j;
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < argc; i++) {
		if (mq_topic_spools(argv[i], &one) == -1) {
			(void)mq_fail(MQ_EX_IOERR, argv[i], errno);
			if (mq_names_push(out, argv[i]) == -1)
				return -1;
			continue;
		}
		for (j = 0; j < one.n; j++)
			if (mq_names_push(out, one.v[j]) == -1) {
				mq_names_free(&one);
				return -1;
			}
		mq_names_free(&one);
	}
	return 0;
}

/* Whether spool i was named before (as the same directory, or, not
 * opened, the same words): reported once. */
static int
named_before(struct mq_spool *sps, struct mq_report_row *rows, int i,
    int opened)
{
	struct stat a, b;
	int j;

	for (j = 0; j < i; j++) {
		if (rows[j].status == MQ_REPORT_SAME)
			continue;
		if (strcmp(rows[j].spool, rows[i].spool) == 0)
			return 1;
		if (opened && rows[j].status == MQ_EX_OK &&
		    fstat(sps[i].fd, &a) == 0 && fstat(sps[j].fd, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return 1;
	}
	return 0;
}

/* Counts every spool shown. */
static int
count(struct mq_spool *sps, struct mq_report_row *rows, int n)
{
	struct mq_report_row *r;
	int i, status = MQ_EX_OK;

	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (r->status != MQ_EX_OK)
			continue;
		r->last = r->st;
		r->last_at = r->at;
		r->at = mq_now_ms();
		r->status = mq_stats_read(&sps[i], r->at, &r->st);
		status = mq_worst(status, r->status);
	}
	return status;
}

/* -i: again every interval, times in all (0: until a signal), with
 * rates. */
static int
repeat(struct mq_spool *sps, struct mq_report_row *rows, int n, int fmt,
    int64_t every, long times)
{
	struct sigaction sa;
	struct timespec ts;
	int64_t next;
	long k;
	int status = MQ_EX_OK;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	next = mq_now_ms();
	for (k = 1; !stop && (times == 0 || k < times); k++) {
		if (fflush(stdout) == EOF)
			break;
		next += every;
		while (!stop && mq_now_ms() < next) {
			ts = mq_ms_ts(next - mq_now_ms());
			(void)nanosleep(&ts, NULL);
		}
		if (stop)
			break;
		status = mq_worst(status, count(sps, rows, n));
		mq_report(rows, n, fmt, 1, 0);
	}
	return status;
}

int
main(int argc, char *argv[])
{
	struct mq_spool *sps;
	struct mq_report_row *rows;
	struct mq_names paths;
	int64_t every = 0;
	long times = 0;
	const char *route = NULL;
	int c, i, n, fmt = MQ_REPORT_TABLE, status = MQ_EX_OK, opened = 0;

	mq_setprog(argv[0]);
	while ((c = mq_getopt(argc, argv, "hi:n:o:s:V")) != -1) {
		switch (c) {
		case 's':
			if (!mq_route_valid(optarg, strlen(optarg))) {
				mq_warnx("-s", "%s: not a routing key", optarg);
				usage(stderr, MQ_EX_USAGE);
			}
			route = optarg;
			break;
		case 'i': every = mq_duration_opt('i', optarg); break;
		case 'n': times = mq_count_opt('n', optarg, 1); break;
		case 'o': fmt = format(optarg); break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	if (argc < 1 || (every > 0 && (fmt == MQ_REPORT_PROM ||
	    fmt == MQ_REPORT_SH)) || (times > 0 && every == 0))
		usage(stderr, MQ_EX_USAGE);
	signal(SIGPIPE, SIG_IGN);
	if (spools(argc, argv, &paths) == -1)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	n = (int)paths.n;
	sps = calloc(paths.n, sizeof(*sps));
	rows = calloc(paths.n, sizeof(*rows));
	if (sps == NULL || rows == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	for (i = 0; i < n; i++) {
		rows[i].spool = paths.v[i];
		if (named_before(sps, rows, i, 0)) {
			rows[i].status = MQ_REPORT_SAME;
			continue;
		}
		rows[i].status = mq_spool_open(&sps[i], paths.v[i], MQ_OPEN);
		status = mq_worst(status, rows[i].status);
		if (rows[i].status == MQ_EX_OK)	/* a shared one set up wrong */
			(void)mq_setup_check(&sps[i]);
		/* -s: only the subscribers that key would go to */
		if (rows[i].status == MQ_EX_OK && (named_before(sps, rows, i,
		    1) || (route != NULL && !mq_route_to(&sps[i].pol,
		    route)))) {
			mq_spool_close(&sps[i]);
			rows[i].status = MQ_REPORT_SAME;
		}
		opened += rows[i].status == MQ_EX_OK;
	}
	status = mq_worst(status, count(sps, rows, n));
	mq_report(rows, n, fmt, every > 0, 1);
	if (every > 0 && opened > 0)
		status = mq_worst(status, repeat(sps, rows, n, fmt, every,
		    times));
	if (fflush(stdout) == EOF || ferror(stdout))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	for (i = 0; i < n; i++)
		if (sps[i].path != NULL)
			mq_spool_close(&sps[i]);
	mq_names_free(&paths);
	free(sps);
	free(rows);
	return status;
}
