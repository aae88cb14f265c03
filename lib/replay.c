/* replay: a retained message back into a spool, as ready.
 *
 * Part of move.c's rows (move.h): replay (an entry of the retained log,
 * log.c -> new/ or its group). The entry stays in the log: the spool gets
 * a copy of its own in tmp/ (named by a fresh id, so tmp/ debris of a
 * killed replay is swept as a writer's), fsynced, stamped with now and
 * renamed into new/ as ID,0,G, or put into its group at its place (in id
 * order, as a redrive). G, the new generation, comes from the clock, a
 * hundred apart for each second over two and a half hours, and above any
 * count of redrives: a holder of a lease from an earlier life finds its
 * name gone; a redrive of the replayed one counts on from G. A copy, not
 * a link: the entry may still be another subscriber's file, whose times
 * are that subscriber's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "move.h"
#include "name.h"
#include "trie.h"

unsigned long
mq_replay_gen(int64_t now)
{
	return 100000UL + (unsigned long)(now / 1000 % 8999) * 100UL;
}

int
mq_move_replay(struct mq_spool *sp, int logfd, const char *entry,
    const struct mq_name *put, unsigned long gen, struct mq_leaf *lf,
    int64_t now)
{
	struct mq_name n = *put;
	char tmp[MQ_ID_MAX + 1], to[MQ_NAME_MAX + 1], what[4096];
	int64_t key;
	int err, flags;

	n.attempts = 0;
	n.gen = gen;
	mq_name_format(to, &n);
	mq_id_new(tmp);
	if (mq_copy_at(logfd, entry, mq_tmp(sp), tmp, sp->pol.sync) == -1) {
		if (errno == ENOENT)
			return MQ_EX_LOST;	/* pruned meanwhile */
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "tmp", tmp,
		    what, sizeof(what)), errno);
	}
	/* Its wait counts from now; its leaf is now's exact key, or the
	 * batch's (mq_behind_key). */
	if (mq_stamp(mq_tmp(sp), tmp, now) == -1) {
		err = errno;
		(void)unlinkat(mq_tmp(sp), tmp, 0);
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "tmp", tmp,
		    what, sizeof(what)), err);
	}
	if (n.group[0] != '\0') {	/* into its group, in put order */
		err = mq_group_put(sp, mq_tmp(sp), tmp, &n);
		if (err != MQ_EX_OK)
			(void)unlinkat(mq_tmp(sp), tmp, 0);
		return err;
	}
	flags = MQ_LEAF_EARLIER | (sp->pol.sync ? MQ_LEAF_PRESYNC : 0);
	if ((err = mq_behind_key(lf, now, sp->pol.sync, &key)) != 0 ||
	    (err = mq_leaf_enter(sp->new, lf, key, mq_tmp(sp), tmp, to,
	    flags)) != 0) {
		(void)unlinkat(mq_tmp(sp), tmp, 0);
		if (err == EEXIST) {
			mq_warnx(to, "replayed already this second");
			return MQ_EX_LOST;
		}
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "new", to,
		    what, sizeof(what)), err);
	}
	return MQ_EX_OK;
}
