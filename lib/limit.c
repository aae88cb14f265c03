/* limit: max_depth and mq-put -m, a bound no mix of producers passes.
 *
 * SPOOL/.depth holds no data: its size is N + 1, where N is at least how
 * many messages the spool holds (ready, delayed, leased, held in groups,
 * and parked: a kick brings those back without a count); size 0 is a
 * file made but never counted. A size, not a line of text, because a
 * size is what every client of a shared file system sees at once under
 * the lock, where a file's bytes may come from a cache of the client's
 * own (on GlusterFS two mounts each read their own line and counted
 * half the puts). Each message put takes an fcntl write lock on .depth,
 * and holds it until its rename into the spool is done: when N + 1 is
 * within the limit, the size becomes N + 2 and the message goes in; else
 * the spool is counted (a walk that stops at the limit), N is set to
 * what was found, and the message goes in only if that leaves room.
 * Takers, acks and dead-lettering never touch .depth: they only make
 * room, at no cost, so N drifts up and is put right when it says full.
 * So no two producers ever fill one place, whatever they are (single
 * puts, batches, keys, groups, topics), and what is refused is refused
 * before its rename: never seen.
 *
 * A producer without a limit counts its puts too, once .depth exists
 * (made by the first put that had one), looking for it at each batch;
 * one that began a batch before then is seen at the next count. A spool
 * never given a limit has no .depth, and its puts cost one failed open a
 * batch. N is not fsynced: after a power cut the next put that finds it
 * full counts again. (An older mq wrote "depth N" in 27 bytes: read as
 * 26, too many, which is safe, and made right at the first count.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "group.h"
#include "held.h"
#include "limit.h"
#include "name.h"
#include "trie.h"

/* The count. */

/* Counts the waiting members of every group (not the fronts), by the
 * count each keeps (held.c), stopping at limit. 0, or -1 with errno
 * set. */
static int
count_held(struct mq_spool *sp, long limit, long *count)
{
	struct mq_names names;
	size_t i;
	long n;
	int fd;

	*count = 0;
	if (mq_group_names(sp, &names) == -1)
		return -1;
	for (i = 0; i < names.n && *count < limit; i++) {
		if ((fd = mq_opendir(sp->group, names.v[i])) == -1)
			continue;
		if ((n = mq_held_read(fd)) > 0)
			*count += n;
		close(fd);
	}
	mq_names_free(&names);
	return 0;
}

struct depth {
	long n, limit;
};

static int
count_one(int leaffd, const char *leaf, const char *name, void *arg)
{
	struct depth *d = arg;

	(void)leaffd;
	(void)leaf;
	(void)name;
	return ++d->n >= d->limit ? 1 : 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The parked (mq-park): still the spool's, and a kick brings them back,
 * so they count. The names seen before the walks, and those seen after
 * that were not (a message parked or kicked meanwhile is counted where it
 * went, or twice). */
struct parked {
	struct mq_names *seen;
	long limit;		/* no more names kept than this */
};

static int
parked_name(const char *name, void *arg)
{
	struct parked *p = arg;

	if ((long)p->seen->n >= p->limit ||
	    mq_names_push(p->seen, name) == -1)
		return -1;
	return 1;
}

static long
count_parked(struct mq_spool *sp, struct mq_names *before, long limit,
    int first)
{
	struct mq_names after;
	struct parked p = { before, limit };
	size_t i;
	long n = 0;

	if (mq_spool_subdir(sp, &sp->parked, "parked", MQ_OPEN) == -1)
		return 0;
	if (first) {
		(void)mq_dir_count(sp->parked, parked_name, &p);
		if (before->n > 1)
			qsort(before->v, before->n, sizeof(*before->v), by_name);
		return (long)before->n;
	}
	memset(&after, 0, sizeof(after));
	p.seen = &after;
	(void)mq_dir_count(sp->parked, parked_name, &p);
	for (i = 0; i < after.n; i++)
		if (before->n == 0 || bsearch(&after.v[i], before->v,
		    before->n, sizeof(*before->v), by_name) == NULL)
			n++;
	mq_names_free(&after);
	return n;
}

/* Counted for a limit, so never short: a message may move while the
 * directories are read (taken from new/ before the walk reaches it, put
 * back from cur/ after cur/ was read), so cur/ is read before and after
 * the walks, groups first (a member let through goes on to new/), and a
 * lease counted once in either. A message seen twice is counted twice:
 * too many is safe. */
static int
depth_of(struct mq_spool *sp, long limit, long *count)
{
	struct mq_names before, after, parked;
	struct depth d;
	char what[4096];
	long held = 0;
	size_t i;

	mq_spool_where(sp, "cur", NULL, what, sizeof(what));
	if (mq_dir_list(sp->cur, &before) == -1)
		return mq_fail(MQ_EX_IOERR, what, errno);
	if (before.n > 0)
		qsort(before.v, before.n, sizeof(*before.v), by_name);
	memset(&parked, 0, sizeof(parked));
	d.n = (long)before.n + count_parked(sp, &parked, limit, 1);
	d.limit = limit;
	if (d.n < limit && count_held(sp, limit - d.n, &held) == -1) {
		mq_names_free(&before);
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "group", NULL,
		    what, sizeof(what)), errno);
	}
	d.n += held;
	if (d.n < limit && mq_trie_files(sp->new, mq_spool_where(sp, "new",
	    NULL, what, sizeof(what)), INT64_MAX, 0, count_one, &d) == -1) {
		mq_names_free(&before);
		return MQ_EX_IOERR;
	}
	if (d.n < limit && mq_dir_list(sp->cur, &after) == 0) {
		for (i = 0; i < after.n; i++)
			if (before.n == 0 || bsearch(&after.v[i], before.v,
			    before.n, sizeof(*before.v), by_name) == NULL)
				d.n++;
		mq_names_free(&after);
	}
	if (d.n < limit)
		d.n += count_parked(sp, &parked, limit, 0);
	mq_names_free(&parked);
	mq_names_free(&before);
	*count = d.n < limit ? d.n : limit;
	return MQ_EX_OK;
}

int
mq_limit_open(struct mq_spool *sp, long limit, struct mq_limit *l)
{
	char what[4096];
	struct stat st;

	l->limit = limit;
	l->held = 0;
	l->depth = 0;
	l->fd = mq_openfile(sp->fd, ".depth", O_RDWR | (limit > 0 ? O_CREAT :
	    0), 0666, &st);
	/* Written in place: never into a file linked from elsewhere. */
	if (l->fd != -1 && st.st_nlink != 1) {
		close(l->fd);
		l->fd = -1;
		errno = EMLINK;
	}
	if (l->fd == -1 && (limit > 0 || errno != ENOENT))
		return mq_fail_entry(limit > 0 ? MQ_EX_CANTCREAT : MQ_EX_IOERR,
		    mq_spool_where(sp, ".depth", NULL, what, sizeof(what)),
		    sp->fd, ".depth", S_IFREG, errno);
	return MQ_EX_OK;
}

/* N, or -1: never counted. */
static long
read_depth(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1 || st.st_size <= 0)
		return -1;
	return st.st_size - 1 > LONG_MAX ? LONG_MAX : (long)(st.st_size - 1);
}

/* N becomes depth; with fresh set, what the file held goes first. When
 * it cannot be written, N is left unknown (size 0): counted again, never
 * short. A crash between leaves it unknown too. */
static void
write_depth(int fd, long depth, int fresh)
{
	int r;

	if (fresh)
		while ((r = ftruncate(fd, 0)) == -1 && errno == EINTR)
			;
	while ((r = ftruncate(fd, (off_t)depth + 1)) == -1 && errno == EINTR)
		;
	if (r == -1 && !fresh)
		(void)ftruncate(fd, 0);
}

int
mq_limit_take(struct mq_spool *sp, struct mq_limit *l)
{
	char what[4096];
	long depth;
	int status;

	if (l->fd == -1)
		return MQ_EX_OK;
	mq_spool_where(sp, ".depth", NULL, what, sizeof(what));
	if (mq_lock(l->fd, F_WRLCK, 0, 0, 1) == -1)
		return mq_fail(MQ_EX_IOERR, what, errno);
	l->held = 1;
	depth = read_depth(l->fd);
	if (l->limit > 0 && (depth < 0 || depth + 1 > l->limit)) {
		if ((status = depth_of(sp, l->limit, &depth)) != MQ_EX_OK) {
			mq_limit_done(l, 0);
			return status;
		}
		write_depth(l->fd, depth, 1);
		if (depth + 1 > l->limit) {
			mq_limit_done(l, 0);
			l->depth = depth;
			return MQ_EX_TEMPFAIL;
		}
	}
	l->depth = depth;	/* -1 (no limit, unknown): left unknown */
	return MQ_EX_OK;
}

void
mq_limit_done(struct mq_limit *l, int put)
{
	if (!l->held)
		return;
	if (put && l->depth >= 0)
		write_depth(l->fd, l->depth + 1, 0);
	(void)mq_lock(l->fd, F_UNLCK, 0, 0, 1);
	l->held = 0;
}

void
mq_limit_close(struct mq_limit *l)
{
	mq_limit_done(l, 0);
	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
}
