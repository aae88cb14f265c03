/* park: taking messages out of delivery and bringing them back.
 *
 * Part of move.c's rows (move.h): park (new/ or a group's trie ->
 * parked/) and kick (parked/, or a delayed message in new/ -> ready now
 * in new/). parked/ is a flat directory no taker reads: a parked message
 * keeps its name (its attempts are not spent) and is stamped with the
 * time it was parked. A group's front parked keeps its link in
 * group/G/, so the group waits behind it (it is not finished: mq(7)) and
 * it is the front again when kicked; a member parked from the trie goes
 * back into the trie when kicked, under the group's lock, in its place
 * among those still waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "move.h"
#include "rename.h"
#include "trie.h"
#include "wait.h"

static int
parked_dir(struct mq_spool *sp)
{
	char what[4096];

	if (mq_spool_subdir(sp, &sp->parked, "parked", MQ_CREATE) == -1)
		return mq_fail_entry(MQ_EX_CANTCREAT, mq_spool_where(sp,
		    "parked", NULL, what, sizeof(what)), sp->fd, "parked",
		    S_IFDIR, errno);
	return MQ_EX_OK;
}

static int
moved(struct mq_spool *sp, const char *dir, const char *name, int err)
{
	char what[4096];

	if (err == ENOENT)
		return MQ_EX_LOST;	/* taken, or moved, meanwhile */
	return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, dir, name, what,
	    sizeof(what)), err);
}

int
mq_move_park(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n)
{
	char name[MQ_NAME_MAX + 1];
	int status;

	if ((status = parked_dir(sp)) != MQ_EX_OK)
		return status;
	mq_name_format(name, n);
	if (strncmp(dir, "group/", 6) == 0)
		status = mq_group_take_out(sp, n, fromfd, name,
		    sp->parked);
	else if (mq_rename(fromfd, name, sp->parked, name, 0) == -1)
		return moved(sp, dir, name, errno);
	if (status == MQ_EX_OK) {
		(void)mq_stamp(sp->parked, name, mq_now_ms());
		if (sp->pol.sync && mq_fsync(sp->parked) == -1)
			return moved(sp, "parked", NULL, errno);
	}
	return status;
}

int
mq_move_kick(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	char name[MQ_NAME_MAX + 1];
	struct stat st;
	int64_t now = mq_now_ms();
	int err;

	mq_name_format(name, n);
	/* A member parked from its group's trie (its only name): back into
	 * the trie, the group deciding when it goes. */
	if (strcmp(dir, "parked") == 0 && n->group[0] != '\0' &&
	    n->attempts == 0 && fstatat(fromfd, name, &st,
	    AT_SYMLINK_NOFOLLOW) == 0 && st.st_nlink == 1)
		return mq_move_put_group(sp, fromfd, name, n);
	/* The deadline-free way into new/: the file's time says when it is
	 * ready, so it is stamped after it is in a leaf due now (a crash
	 * between leaves it ready at its old time, or parked). */
	err = mq_leaf_enter(sp->new, &lf, mq_ready_key(now), fromfd, name,
	    name, MQ_LEAF_EARLIER | (sp->pol.sync ? MQ_LEAF_PRESYNC : 0));
	if (err == 0)
		(void)mq_stamp(lf.fd[2], name, now);
	if (err == 0 && sp->pol.sync)
		err = mq_leaf_sync(&lf);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err != 0)
		return moved(sp, dir, name, err);
	mq_ring(sp);
	return MQ_EX_OK;
}
