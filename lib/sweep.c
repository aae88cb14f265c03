/* sweep: the periodic clean-ups, at a bounded rate.
 *
 * Four things are swept, each by the program that makes them pile up,
 * never by a daemon: tmp/ debris of crashed writers (each mq-put, in
 * writer.c), done/ past keep (acks, move.c), key/ past dedup_window
 * (keyed puts, key.c), and groups whose finisher died before letting the
 * next member through (takers, move.c). Each but the first is rate
 * limited by the mtime of a stamp file, so a sweep of a large directory
 * costs its listing at most once per period, not once per call; the
 * groups' sweep, whose each entry costs a lock and a listing, goes a
 * slice at a time (group.c).
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dir.h"
#include "name.h"
#include "sweep.h"

int
mq_sweep_due(int dirfd, const char *stamp, int64_t every, int64_t now)
{
	struct stat st;
	int fd;

	if (every > 60 * 1000)
		every = 60 * 1000;
	/* (a stamp more than a period ahead: the clock was set back) */
	if (fstatat(dirfd, stamp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    mq_ts_ms(&st.st_mtim) + every > now &&
	    mq_ts_ms(&st.st_mtim) <= now + every)
		return 0;
	fd = openat(dirfd, stamp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd == -1)
		return 0;
	close(fd);
	(void)mq_stamp(dirfd, stamp, now);
	return 1;
}

void
mq_sweep(int dirfd, int stampfd, const char *stamp, int64_t every,
    int64_t now, mq_sweep_fn *fn, void *arg)
{
	struct mq_names names;
	struct stat st;
	size_t i;

	if (stamp != NULL && !mq_sweep_due(stampfd, stamp, every, now))
		return;
	if (mq_dir_list(dirfd, &names) == -1)
		return;
	for (i = 0; i < names.n; i++)
		if (fstatat(dirfd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fn(dirfd, names.v[i], &st, arg) != 0)
			break;
	mq_names_free(&names);
}

#define DEBRIS_AGE (36 * 3600)	/* seconds: maildir's rule */

/* Debris of a crashed writer: a tmp/ file untouched for 36 hours. */
static int
debris(int dirfd, const char *name, const struct stat *st, void *arg)
{
	const time_t *old = arg;

	if (mq_id_valid(name, strlen(name)) && S_ISREG(st->st_mode) &&
	    st->st_mtime < *old)
		(void)unlinkat(dirfd, name, 0);
	return 0;
}

void
mq_tmp_sweep(struct mq_spool *sp)
{
	time_t old = time(NULL) - DEBRIS_AGE;

	mq_sweep(mq_tmp(sp), -1, NULL, 0, 0, debris, &old);
}

static int
prune_one(int dirfd, const char *name, const struct stat *st, void *arg)
{
	const int64_t *limit = arg;

	if (name[0] != '.' && S_ISREG(st->st_mode) &&
	    mq_ts_ms(&st->st_mtim) <= *limit)
		(void)unlinkat(dirfd, name, 0);
	return 0;
}

void
mq_done_sweep(struct mq_spool *sp, int64_t now)
{
	int64_t limit = now - sp->pol.keep;

	mq_sweep(mq_done(sp), sp->fd, ".swept", sp->pol.keep / 16, now,
	    prune_one, &limit);
}
