/* mq-put: enqueue messages. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "duration.h"
#include "key.h"
#include "operands.h"
#include "opt.h"
#include "spool.h"
#include "targets.h"
#include "writer.h"

#define BUFSIZE (64 * 1024)

struct put {
	struct mq_writer w;
	struct mq_key k;	/* -k: the key, claimed at commit */
	const char *key;
	char dup[MQ_ID_MAX + 1];	/* -k: the earlier put's id */
	int split;		/* 0: one message per input; else '\n' or 0 */
	char buf[BUFSIZE];
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-put [-0 | -l] [-d delay] [-g group] [-k key] [-m max] [-s route]\n"
	    "              spool [file...]\n",
	    "Puts standard input (or each file) as one message and prints its id.\n"
	    "  -l        each line of the input is a message\n"
	    "  -0        each NUL-terminated record is a message\n"
	    "  -d delay  ready only after delay (30s, 5m, 2h, 7d)\n"
	    "  -g group  an ordering group: one of its messages out at a time, in order\n"
	    "  -k key    put only if no message with this key is waiting (idempotent)\n"
	    "  -m max    refused (75) if the spool already holds max messages\n"
	    "  -s route  a routing key (order.eu.created): a topic's subscribers\n"
	    "            whose bind patterns match it, or that have none\n"
	    "  -h        this help;  -V  the version\n");
}

/* The payload is in tmp/: with -k, the key decides whether it is put;
 * a limit, whether it fits (the writer). */
static int
commit(struct put *p)
{
	int status;

	if (p->key == NULL)
		return mq_msg_commit(&p->w);
	if ((status = mq_key_claim(p->w.sp, p->key, &p->k, p->dup)) !=
	    MQ_EX_OK || p->dup[0] != '\0') {
		mq_msg_abort(&p->w);
		mq_key_release(p->w.sp, &p->k);
		return status;
	}
	if ((status = mq_msg_commit(&p->w)) != MQ_EX_OK)
		mq_key_release(p->w.sp, &p->k);
	return status;
}

/* Whether a read of fd would block now: then pending ids are printed. */
static int
would_block(int fd)
{
	struct pollfd pfd;

	pfd.fd = fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 0;
}

static ssize_t
fill(struct put *p, int fd, int *status)
{
	ssize_t n;

	if (p->w.npend > 0 && would_block(fd) &&
	    (*status = mq_writer_flush(&p->w)) != MQ_EX_OK)
		return -2;
	do
		n = read(fd, p->buf, sizeof(p->buf));
	while (n == -1 && errno == EINTR);
	return n;
}

/* Puts the records (or the whole) of one input. */
static int
put_input(struct put *p, int fd, const char *name)
{
	ssize_t n;
	size_t off, len;
	char *end;
	int open_msg = 0, status = MQ_EX_OK;

	if (fd == STDIN_FILENO && mq_stdin_closed("nothing to put"))
		return MQ_EX_NOINPUT;

	if (!p->split && (status = mq_msg_begin(&p->w)) != MQ_EX_OK)
		return status;
	open_msg = !p->split;
	while ((n = fill(p, fd, &status)) > 0) {
		for (off = 0; off < (size_t)n && status == MQ_EX_OK; ) {
			if (!open_msg && (status = mq_msg_begin(&p->w)) != MQ_EX_OK)
				break;
			open_msg = 1;
			len = (size_t)n - off;
			end = p->split ? memchr(p->buf + off, p->split == '\n' ?
			    '\n' : '\0', len) : NULL;
			if (end != NULL)
				len = (size_t)(end - (p->buf + off));
			status = mq_msg_write(&p->w, p->buf + off, len);
			off += len;
			if (end != NULL && status == MQ_EX_OK) {
				off++;
				open_msg = 0;
				status = commit(p);
			}
		}
		if (status != MQ_EX_OK)
			break;
	}
	if (n == -1)
		status = mq_fail(MQ_EX_IOERR, name, errno);
	if (status == MQ_EX_OK && open_msg)
		return commit(p);
	if (open_msg)
		mq_msg_abort(&p->w);
	return status;
}

static int
put_file(struct put *p, const char *file)
{
	int fd, status;

	if (strcmp(file, "-") == 0)
		return put_input(p, STDIN_FILENO, "standard input");
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return mq_fail(MQ_EX_NOINPUT, file, errno);
	status = put_input(p, fd, file);
	close(fd);
	return status;
}

/* The one message of a put with -k: written to tmp/, then put unless the
 * key was used within dedup_window; its id (or the earlier one) printed
 * once the key names it. */
static int
put_keyed(struct put *p, const char *file)
{
	int status;

	p->w.out = NULL;
	p->k.fd = -1;
	status = file != NULL ? put_file(p, file) :
	    put_input(p, STDIN_FILENO, "standard input");
	status = mq_worst(status, mq_writer_finish(&p->w));
	if (status != MQ_EX_OK) {
		mq_key_release(p->w.sp, &p->k);
		return status;
	}
	if (p->dup[0] == '\0')
		status = mq_key_record(p->w.sp, &p->k, p->w.id);
	/* The message is durable either way: its id is printed. */
	if (printf("%s\n", p->dup[0] != '\0' ? p->dup : p->w.id) < 0 ||
	    fflush(stdout) == EOF)
		return mq_fail(MQ_EX_IOERR, "standard output", errno);
	return status;
}

int
main(int argc, char *argv[])
{
	struct mq_spool **sps;
	struct put *p;
	const char *key = NULL, *group = NULL, *route = NULL;
	int64_t delay = 0;
	long max = -1;
	size_t n = 0;
	int c, status;

	mq_setprog(argv[0]);
	mq_guard_stdin();
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	while ((c = mq_getopt(argc, argv, "0d:g:hk:lm:s:V")) != -1) {
		switch (c) {
		case '0': p->split = -1; break;
		case 'l': p->split = '\n'; break;
		case 'd': delay = mq_duration_opt('d', optarg); break;
		case 'g': group = mq_key_opt('g', optarg); break;
		case 'k': key = mq_key_opt('k', optarg); break;
		case 'm': max = mq_count_opt('m', optarg, 0); break;
		case 's':
			if (!mq_route_valid(optarg, strlen(optarg))) {
				mq_warnx("-s", "%s: not a routing key (words of "
				    "[A-Za-z0-9_-] joined by dots, at most 64 "
				    "bytes)", optarg);
				usage(stderr, MQ_EX_USAGE);
			}
			route = optarg;
			break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, MQ_EX_USAGE);
	if (key != NULL && (p->split || argc > 2)) {
		mq_warnx("-k", "a key names one message: not with -l, -0 or "
		    "several files");
		return MQ_EX_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Nothing is put whose id could not be printed. */
	if (fcntl(STDOUT_FILENO, F_GETFL) == -1)
		return mq_fail(MQ_EX_IOERR, "standard output", errno);
	sps = NULL;
	status = mq_targets_open(argv[0], &sps, &n);
	if (status == MQ_EX_OK && route != NULL)
		status = mq_targets_route(argv[0], sps, &n, route);
	if (status == MQ_EX_OK)
		status = mq_writer_init(&p->w, sps, n, max, delay, stdout,
		    '\n');
	if (status == MQ_EX_OK)
		status = mq_log_open_put(&p->w.log, argv[0], sps, n);
	if (status == MQ_EX_OK) {
		p->w.group = group;
		p->w.route = route;
		if (key != NULL && sps[0]->pol.dedup_window > 0) {
			p->key = key;
			status = put_keyed(p, argc == 2 ? argv[1] : NULL);
		} else {
			if (argc == 1)
				status = put_input(p, STDIN_FILENO,
				    "standard input");
			for (c = 1; c < argc && status != MQ_EX_TEMPFAIL; c++)
				status = mq_worst(status, put_file(p, argv[c]));
			status = mq_worst(status, mq_writer_finish(&p->w));
		}
	}
	mq_targets_close(sps, n);
	free(p);
	return status;
}
