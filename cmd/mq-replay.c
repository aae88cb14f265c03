/* mq-replay: retained messages back into a subscriber (or a spool). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "limit.h"
#include "diag.h"
#include "log.h"
#include "ls.h"
#include "move.h"
#include "opt.h"
#include "point.h"
#include "print.h"
#include "route.h"
#include "topic.h"

struct replay {
	struct mq_point from, until;
	const char *group;	/* -g, or NULL */
	int dry, verbose;
	int64_t now;
	unsigned long gen;
	/* one target's */
	struct mq_spool spool, *sp;
	struct mq_leaf lf;
	struct mq_limit lim;
	struct mq_names held;	/* the ids it holds in the range, sorted */
	long n, skipped;
	char first[MQ_ID_MAX + 1], last[MQ_ID_MAX + 1];
	int status;
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-replay [-nv] [-f from] [-u until] [-g group] target...\n",
	    "Puts retained messages back into each target (a topic's subscriber,\n"
	    "or a spool with a log), ready, those it does not hold already.\n"
	    "  -f from   start, an id, a time (2026-12-01T10:00:00Z) or a\n"
	    "            duration ago (1h, \"2 hours ago\"); default: start\n"
	    "  -u until  up to (and with) an id or a time; default: the end\n"
	    "  -g group  only the messages of this ordering group\n"
	    "  -n        show what would be replayed (how many, first, last)\n"
	    "  -v        a line for each message replayed: its id\n"
	    "  -h        this help;  -V  the version\n");
}

static int
in_range(const struct replay *r, const char *id)
{
	return (r->from.ms == INT64_MIN || mq_point_cmp(id, &r->from) >= 0) &&
	    (r->until.ms == INT64_MAX || mq_point_cmp(id, &r->until) <= 0);
}

/* The ids the target holds now (not done), in the range. */
static int
hold(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct replay *r = arg;

	(void)sp;
	if (!in_range(r, m->n.id))
		return 0;
	return mq_names_push(&r->held, m->n.id) == -1;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
by_key(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

/* One entry of the log: replayed (or counted) unless the target has it. */
static int
entry(struct replay *r, int leaffd, const char *name)
{
	struct mq_name n;
	struct stat st;
	int status;

	if (strlen(name) > MQ_NAME_MAX || mq_name_parse(name, &n) == -1 ||
	    !in_range(r, n.id) ||
	    (r->group != NULL && strcmp(n.group, r->group) != 0) ||
	    (n.routed && !mq_route_to(&r->sp->pol, n.route)))
		return 0;	/* (not for this subscriber: its binds) */
	if (r->held.n > 0 && bsearch(n.id, r->held.v, r->held.n,
	    sizeof(*r->held.v), by_key) != NULL) {
		r->skipped++;
		return 0;
	}
	if (fstatat(leaffd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode)) {
		mq_warnx(name, "in the log, not a regular file: skipped");
		return 0;
	}
	if (!r->dry) {
		/* Counted against max_depth as a put (limit.c). */
		if ((status = mq_limit_take(r->sp, &r->lim)) != MQ_EX_OK) {
			if (status == MQ_EX_TEMPFAIL)
				mq_warnx(r->sp->path, "spool full (%ld "
				    "messages, max_depth %ld): the rest are "
				    "not replayed", r->lim.depth, r->lim.limit);
			r->status = mq_worst(r->status, status);
			return 1;
		}
		status = mq_move_replay(r->sp, leaffd, name, &n, r->gen,
		    &r->lf, r->now);
		mq_limit_done(&r->lim, status == MQ_EX_OK);
		if (status == MQ_EX_LOST)
			return 0;
		if (status != MQ_EX_OK) {
			r->status = mq_worst(r->status, status);
			return 1;
		}
		if (r->verbose)
			printf("%s\n", n.id);
	}
	if (r->n++ == 0)
		memcpy(r->first, n.id, sizeof(r->first));
	memcpy(r->last, n.id, sizeof(r->last));
	return 0;
}

static int
leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	struct replay *r = arg;
	struct mq_names files;
	size_t i;
	int stop = 0;

	(void)key;
	(void)path;
	if (mq_dir_list(leaffd, &files) == -1)
		return 0;
	if (files.n > 1)
		qsort(files.v, files.n, sizeof(*files.v), by_str);
	for (i = 0; i < files.n && !stop; i++)
		stop = entry(r, leaffd, files.v[i]);
	mq_names_free(&files);
	return stop ? MQ_WALK_STOP : 0;
}

/* Says what the log no longer holds of what was asked for. */
static void
retained_since(struct replay *r, struct mq_log *lg)
{
	char when[32];
	int64_t pruned = mq_log_pruned(lg);

	if (r->from.ms == INT64_MIN || pruned < 0 || r->from.ms > pruned)
		return;
	mq_iso_utc(pruned, when, sizeof(when));
	mq_warnx(lg->path, "pruned up to %s (retain, retain_bytes): what was "
	    "put by then is gone, the rest is replayed", when);
}

static int
one_target(struct replay *r, const char *path)
{
	struct mq_log lg;
	struct mq_walk w;
	int status;

	r->sp = &r->spool;
	if ((status = mq_spool_open(r->sp, path, r->dry ? MQ_OPEN :
	    MQ_CREATE)) != MQ_EX_OK)
		return status;
	if ((status = mq_log_of(&lg, path)) != MQ_EX_OK || lg.fd == -1) {
		if (status == MQ_EX_OK) {
			mq_warnx(path, "no retained log (retain or retain_bytes "
			    "in TOPIC/.config, or in the spool's config)");
			status = MQ_EX_NOINPUT;
		}
		mq_spool_close(r->sp);
		return status;
	}
	r->lf = (struct mq_leaf)MQ_LEAF_CLOSED;
	r->lim.fd = -1;
	r->n = r->skipped = 0;
	memset(&r->held, 0, sizeof(r->held));
	r->status = mq_ls(r->sp, MQ_LS_ALL & ~MQ_LS_DONE, r->now, hold, r);
	if (r->held.n > 1)
		qsort(r->held.v, r->held.n, sizeof(*r->held.v), by_str);
	retained_since(r, &lg);
	memset(&w, 0, sizeof(w));
	w.root = lg.fd;
	w.path = lg.path;
	w.from = r->from.ms == INT64_MIN ? INT64_MIN :
	    r->from.ms - r->from.ms % MQ_LOG_SPAN;
	w.until = r->until.ms;
	w.flags = MQ_WALK_QUIET;
	w.leaf = leaf;
	w.arg = r;
	if (r->status == MQ_EX_OK && !r->dry)
		r->status = mq_limit_open(r->sp, r->sp->pol.max_depth, &r->lim);
	if (r->status == MQ_EX_OK)
		(void)mq_trie_walk(&w);
	if (!r->dry) {
		mq_limit_close(&r->lim);
		r->status = mq_worst(r->status, mq_move_flush(r->sp, &r->lf, 0));
	}
	if (r->dry && r->n > 0)
		printf("%s: %ld to replay, %s to %s\n", path, r->n, r->first,
		    r->last);
	else if (r->dry)
		printf("%s: nothing to replay\n", path);
	if (r->dry && r->skipped > 0)
		printf("%s: %ld held already, left\n", path, r->skipped);
	mq_names_free(&r->held);
	mq_log_close(&lg);
	mq_spool_close(r->sp);
	return r->status;
}

int
main(int argc, char *argv[])
{
	struct replay r;
	struct mq_names targets;
	int c, i, status = MQ_EX_OK;
	size_t j;

	mq_setprog(argv[0]);
	memset(&r, 0, sizeof(r));
	r.now = mq_now_ms();
	r.from.ms = INT64_MIN;
	r.until.ms = INT64_MAX;
	while ((c = mq_getopt(argc, argv, "f:g:hnu:vV")) != -1) {
		switch (c) {
		case 'f': case 'u':
			if (mq_point_parse(optarg, r.now, c == 'f' ? &r.from :
			    &r.until) == -1) {
				mq_warnx(c == 'f' ? "-f" : "-u", "%s: not start, "
				    "end, an id, a time (2026-12-01T10:00:00Z) "
				    "or a duration ago (1h)", optarg);
				usage(stderr, MQ_EX_USAGE);
			}
			break;
		case 'g': r.group = mq_key_opt('g', optarg); break;
		case 'n': r.dry = 1; break;
		case 'v': r.verbose = 1; break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	mq_no_late_options(argc, argv, -1, usage);
	if (optind >= argc)
		usage(stderr, MQ_EX_USAGE);
	r.gen = mq_replay_gen(r.now);
	for (i = optind; i < argc; i++) {
		if (mq_topic_spools(argv[i], &targets) == -1) {
			status = mq_worst(status, mq_fail(MQ_EX_IOERR, argv[i],
			    errno));
			continue;
		}
		for (j = 0; j < targets.n; j++)
			status = mq_worst(status, one_target(&r, targets.v[j]));
		mq_names_free(&targets);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	return status;
}
