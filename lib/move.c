/* move: every state change of a message, in one place.
 *
 * The protocol itself (why each step is in its order) is told in
 * spool.c and mq(7); this file carries it out. Each row is one function,
 * and every rename, link or unlink of a message file is reached through
 * one of them alone: directly here, or in the helpers a row calls for
 * its part (leaf.c's mq_leaf_enter to enter a leaf; group.c for a group's
 * trie and front; share.c for a topic's shared file).
 *
 *   row       from                 to                         function
 *   put       tmp/ID               new/K1/K2/K3/ID,0          mq_move_put
 *                                  (a topic: a link each)     mq_move_flush
 *   hold      tmp/ID, dlq/NAME     group/G/K1/K2/K3/NAME      mq_move_put_group
 *   promote   group/G/.../NAME     new/.../NAME + group/G/NAME  (group.c)
 *   claim     new/.../ID,N         cur/ID,N+1                 mq_move_claim*
 *   unclaim   cur/ID,N+1 (unseen)  new/.../ID,N               mq_move_unclaim*
 *   extend    cur/ID,N             (its deadline)             mq_move_extend*
 *   expire    cur/ID,N             new/.../ID,N or dlq/       mq_move_expire
 *   retry     cur/ID,N             new/.../ID,N or dlq/       mq_move_retry
 *   bury      cur/ or new/         dlq/ID,N                   mq_move_bury
 *   ack       cur/ID,N             gone, or done/ID,N         mq_move_ack
 *   prune     done/ID,N            gone (past keep)           (by ack)
 *   redrive   dlq/ID,N,G           new/.../ID,0,G+1 or hold   mq_move_redrive
 *   delete    dlq/ID,N             gone                       mq_move_delete
 *   remove    new/, cur/, group/G/ (by hand), done/: gone    mq_move_remove
 *   replay    .log/.../NAME (kept) new/.../ID,0,G or hold   mq_move_replay^
 *   park      new/.../NAME, group/G/.../NAME  parked/NAME       mq_move_park+
 *   kick      parked/NAME, new/(later)/NAME  new/(now)/NAME     mq_move_kick+
 *   withdraw  new/.../ID,N, or its group's trie or front: gone
 *                                  (not taken yet)            mq_move_withdraw
 *   release   group/G/NAME         gone (front finished)      (by ack, bury,
 *                                                             delete; swept:
 *                                                             mq_move_sweep)
 *
 * (* in claim.c: the claim, the row processes race for, needs more than a
 * rename; the lease's own moves after it are there too. + in park.c,
 * ^ in replay.c.) Each row does
 * its own stamps, fsyncs, reason, counts, bell and group release. Choosing what to move is the callers': take.c picks ready
 * messages and expired leases, lease.c checks a lease path a user gives,
 * dlq.c lists dead letters, pool.c maps a command's exit status to a row,
 * writer.c writes tmp/ and prints ids.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "lease.h"
#include "lost.h"
#include "move.h"
#include "reason.h"
#include "rename.h"
#include "sweep.h"
#include "twin.h"
#include "wait.h"

#define RETRY_GUARD (5 * 1000)		/* ms: see mq_move_retry */

/* How a message from a state directory enters new/: into the greatest
 * earlier leaf when no directory can be made, and (sync=1) never into a
 * directory a power cut could lose. */
static int
into_new(const struct mq_spool *sp)
{
	return MQ_LEAF_EARLIER | (sp->pol.sync ? MQ_LEAF_PRESYNC : 0);
}

/* A failed call on a lease its holder named path: ENOENT is a lost one. */
static int
failed(const char *path, int err)
{
	return err == ENOENT ? mq_lease_lost(path) :
	    mq_fail(MQ_EX_IOERR, path, err);
}

/* put */

int
mq_move_put(struct mq_spool *sp, struct mq_leaf *lf, int64_t ready,
    int fromfd, const char *from, const char *name, int link)
{
	int64_t key;
	int err;

	/* On a network file system, a leaf a second (trie.h) */
	if (sp->remote == -1 && (sp->remote = mq_remote_fs(sp->new)) == 1) {
		mq_ready_bucket(MQ_BUCKET_REMOTE);
		mq_rename_by_link();
	}
	key = mq_ready_key(ready);
	/* A batch whose clock went into the next tenth of a second goes on
	 * in that one's leaf (a message is looked for by id from its id's
	 * leaf on): the one before is synced and closed first. */
	if (lf->fd[0] != -1 && lf->key != key) {
		err = sp->pol.sync ? mq_leaf_sync(lf) : 0;
		mq_leaf_close(lf);
		if (err != 0)
			return err;
	}
	/* From tmp/: the leaf's fsync at the batch's end covers what it
	 * made (mq_move_flush), before any id is printed. */
	return mq_leaf_enter(sp->new, lf, key, fromfd, from, name,
	    MQ_LEAF_EARLIER | (link ? MQ_LEAF_LINK : 0));
}

int
mq_move_flush(struct mq_spool *sp, struct mq_leaf *lf, long puts)
{
	char what[4096];
	int err;

	if (lf->fd[0] != -1) {
		err = sp->pol.sync ? mq_leaf_sync(lf) : 0;
		mq_leaf_close(lf);
		mq_ring(sp);	/* they are in new/, durable or not */
		if (err != 0)
			return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "new",
			    NULL, what, sizeof(what)), err);
	}
	if (puts > 0)
		mq_count(sp, MQ_PUTS, puts);
	return MQ_EX_OK;
}

int
mq_move_put_group(struct mq_spool *sp, int fromfd, const char *from,
    const struct mq_name *n)
{
	return mq_group_put(sp, fromfd, from, n);
}

void
mq_move_sweep(struct mq_spool *sp, int64_t now)
{
	mq_group_sweep(sp, now);
}

/* expire, retry, bury, ack */

/* A move refused because the reason asked for could not be written: the
 * lease (path, a user's; NULL: the spool's own move) is still its
 * holder's, and the user is told so. */
static int
kept(const char *path, const char *move, int status)
{
	if (path != NULL)
		mq_warnx(path, "not %s (the reason could not be written): "
		    "the lease is still yours", move);
	return status;
}

int
mq_move_expire(struct mq_spool *sp, const char *name, const struct mq_name *n,
    const struct stat *st, int64_t now)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	char why[128], what[4096];
	int64_t deadline = mq_ts_ms(&st->st_mtim);
	int err, status;

	mq_spool_where(sp, "cur", name, what, sizeof(what));
	/* A runner holding a lock is alive: its lease stays. */
	if (mq_lease_locked(sp, name) ||
	    mq_twin_end(sp, n, st, deadline + MQ_TWIN_GRACE - now))
		return MQ_EX_OK;
	/* Not a lease: a file under a name already reclaimed (lost.c). */
	if (mq_lost_stale(sp, n) == 1) {
		if (unlinkat(sp->cur, name, 0) == 0)
			mq_warnx(what, "not a lease but a file made under a lost "
			    "lease's name (a touch after it was reclaimed?): "
			    "removed");
		return MQ_EX_OK;
	}
	if (n->attempts >= (unsigned long)sp->pol.max_attempts) {
		snprintf(why, sizeof(why), "attempts ran out: lease expired on "
		    "attempt %lu of %ld", n->attempts, sp->pol.max_attempts);
		status = mq_move_bury(sp, sp->cur, n, NULL, NULL, why);
		if (status == MQ_EX_OK)
			mq_lost_record(sp, n);
		return status == MQ_EX_LOST ? MQ_EX_OK : status;
	}
	err = mq_leaf_enter(sp->new, &lf, mq_ready_key(deadline), sp->cur,
	    name, name, into_new(sp));
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err == 0)
		mq_lost_record(sp, n);	/* its holder may still use the name */
	if (err != 0 && err != ENOENT)
		return mq_fail(MQ_EX_IOERR, what, err);
	return MQ_EX_OK;
}

int
mq_move_retry(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, const char *path, int64_t delay, const char *why)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	char name[MQ_NAME_MAX + 1], head[128];
	int64_t now, ready, guard;
	int err, status;

	mq_name_format(name, n);
	if (n->attempts >= (unsigned long)sp->pol.max_attempts) {
		/* (the burial drops its twin) */
		snprintf(head, sizeof(head), "attempts ran out: retried on "
		    "attempt %lu of %ld", n->attempts, sp->pol.max_attempts);
		if ((status = mq_move_bury(sp, sp->cur, n, path, why, head)) ==
		    MQ_EX_OK)
			mq_warnx(path, "attempts used up (%lu of max_attempts "
			    "%ld), dead-lettered", n->attempts,
			    sp->pol.max_attempts);
		return status;
	}
	if (why != NULL && (status = mq_reason_set(sp, n->id, why,
	    strlen(why))) != MQ_EX_OK)
		return kept(path, "retried", status);
	(void)mq_twin_end(sp, n, st, 0);	/* the lease is the truth */
	if (delay < 0)
		delay = mq_backoff(&sp->pol, n->attempts);
	now = mq_now_ms();
	ready = now + delay;
	/* The time first, as a take does, and at least a few seconds ahead:
	 * no taker may see the file as an expired lease in cur/, or claim it
	 * in new/ before the rename is done. Then the real ready time. */
	guard = ready > now + RETRY_GUARD ? ready : now + RETRY_GUARD;
	if (mq_stamp(sp->cur, name, guard) == -1)
		return failed(path, errno);
	err = mq_leaf_enter(sp->new, &lf, mq_ready_key(ready), sp->cur, name,
	    name, into_new(sp));
	if (err == 0 && guard != ready)
		(void)mq_stamp(lf.fd[2], name, ready);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err != 0)
		return failed(path, err);
	mq_ring(sp);
	return MQ_EX_OK;
}

int
mq_move_bury(struct mq_spool *sp, int fromfd, const struct mq_name *n,
    const char *path, const char *given, const char *decided)
{
	char name[MQ_NAME_MAX + 1], what[4096], head[128];
	struct stat st;
	int status;

	if (given != NULL && (status = mq_reason_set(sp, n->id, given,
	    strlen(given))) != MQ_EX_OK)
		return kept(path, "dead-lettered", status);
	if (given == NULL && decided == NULL) {
		snprintf(head, sizeof(head), "dead-lettered by hand on attempt "
		    "%lu", n->attempts);
		decided = head;
	}
	/* A reason that cannot be written does not keep a message alive:
	 * it goes without, and says so. */
	if (given == NULL && mq_reason_decide(sp, n->id, decided) != MQ_EX_OK)
		mq_warnx(path, "dead-lettered all the same, without the "
		    "reason");
	mq_name_format(name, n);
	st.st_ino = 0;
	if (n->group[0] != '\0')
		(void)fstatat(fromfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (fromfd == sp->cur)	/* a lease: the truth (twin.c) */
		(void)mq_twin_end(sp, n, NULL, 0);
	if (mq_rename(fromfd, name, mq_dlq(sp), name, MQ_RENAME_FINISH) == -1) {
		if (errno == ENOENT)	/* someone else moved it */
			return path != NULL ? mq_lease_lost(path) : MQ_EX_LOST;
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "dlq", name,
		    what, sizeof(what)), errno);
	}
	(void)mq_stamp(mq_dlq(sp), name, mq_now_ms());
	/* A dead letter no longer holds its group back. */
	if (n->group[0] != '\0')
		return mq_group_release(sp, n->group, st.st_ino);
	return MQ_EX_OK;
}

int
mq_move_ack(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, const char *path)
{
	char name[MQ_NAME_MAX + 1];
	struct stat own;
	int64_t now;

	mq_name_format(name, n);
	if (st == NULL) {
		own.st_ino = 0;
		own.st_nlink = 1;
		(void)fstatat(sp->cur, name, &own, AT_SYMLINK_NOFOLLOW);
		st = &own;
	}
	(void)mq_twin_end(sp, n, st, 0);
	if (sp->pol.keep == 0 ? unlinkat(sp->cur, name, 0) == -1 :
	    mq_rename(sp->cur, name, mq_done(sp), name, MQ_RENAME_FINISH) == -1)
		return failed(path, errno);
	/* A reason is written when a lease ends without an ack (a retry,
	 * a burial): there is none to clear on a first attempt's ack. */
	if (n->attempts > 1 || n->gen > 0)
		mq_reason_clear(sp, n->id);
	mq_count(sp, MQ_ACKS, 1);
	if (sp->pol.keep != 0) {
		now = mq_now_ms();
		(void)mq_stamp(mq_done(sp), name, now);
		mq_done_sweep(sp, now);
	}
	/* Its group's next goes. */
	if (n->group[0] != '\0')
		return mq_group_release(sp, n->group, st->st_ino);
	return MQ_EX_OK;
}

/* withdraw */

int
mq_move_withdraw(struct mq_spool *sp, int64_t key, const struct mq_name *n)
{
	char name[MQ_NAME_MAX + 1], what[4096];
	int err;

	if (n->group[0] != '\0')
		return mq_group_withdraw(sp, n);
	mq_name_format(name, n);
	if ((err = mq_leaf_unlink(sp->new, key, name)) == ENOENT)
		return MQ_EX_LOST;	/* taken, or never there */
	if (err != 0)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "new", name,
		    what, sizeof(what)), err);
	return MQ_EX_OK;
}

/* redrive, delete */

/* A dead letter gone meanwhile (another mq-dlq): MQ_EX_LOST, unreported. */
static int
gone(struct mq_spool *sp, const char *name, int err)
{
	char what[4096];

	if (err == ENOENT)
		return MQ_EX_LOST;
	return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "dlq", name, what,
	    sizeof(what)), err);
}

int
mq_move_redrive(struct mq_spool *sp, const struct mq_name *dead,
    struct mq_leaf *lf, int64_t now)
{
	struct mq_name n = *dead;
	char from[MQ_NAME_MAX + 1], to[MQ_NAME_MAX + 1];
	int64_t key;
	int err;

	mq_name_format(from, dead);
	if (n.gen >= MQ_ATTEMPTS_MAX) {
		mq_warnx(from, "redriven too many times");
		return MQ_EX_DATAERR;
	}
	n.attempts = 0;
	n.gen++;
	mq_name_format(to, &n);
	/* Its wait counts from now; its leaf is now's exact key, or the
	 * batch's (behind all that waited when the redrive began). */
	if (mq_stamp(mq_dlq(sp), from, now) == -1)
		return gone(sp, from, errno);
	if (n.group[0] != '\0') {	/* back into its group, in put order */
		mq_reason_clear(sp, n.id);
		return mq_group_put(sp, mq_dlq(sp), from, &n);
	}
	if ((err = mq_behind_key(lf, now, sp->pol.sync, &key)) != 0 ||
	    (err = mq_leaf_enter(sp->new, lf, key, mq_dlq(sp), from, to,
	    into_new(sp))) != 0)
		return gone(sp, from, err);
	mq_reason_clear(sp, n.id);
	return MQ_EX_OK;
}

int
mq_move_delete(struct mq_spool *sp, const struct mq_name *n)
{
	char name[MQ_NAME_MAX + 1];

	mq_name_format(name, n);
	/* The reason first: a crash between leaves no reason behind. */
	mq_reason_clear(sp, n->id);
	if (unlinkat(mq_dlq(sp), name, 0) == -1)
		return gone(sp, name, errno);
	/* Its group may have been waiting for it (a crash at its burial). */
	if (n->group[0] != '\0')
		return mq_group_release(sp, n->group, 0);
	return MQ_EX_OK;
}

/* remove */

int
mq_move_remove(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n)
{
	char name[MQ_NAME_MAX + 1], what[4096];
	int status;

	mq_name_format(name, n);
	if (strcmp(dir, "dlq") == 0)
		return mq_move_delete(sp, n);
	if (strcmp(dir, "done") == 0) {
		if (unlinkat(mq_done(sp), name, 0) == 0)
			return MQ_EX_OK;
		return errno == ENOENT ? MQ_EX_LOST : mq_fail(MQ_EX_IOERR,
		    mq_spool_where(sp, "done", name, what, sizeof(what)),
		    errno);
	}
	if (strncmp(dir, "group/", 6) == 0) {
		if ((status = mq_group_take_out(sp, n, fromfd, name, -1)) ==
		    MQ_EX_OK)
			mq_reason_clear(sp, n->id);
		return status;
	}
	/* new/, cur/ or parked/: through dlq/, the way out a group knows (its next
	 * is let through), then gone. A crash between leaves a dead letter
	 * that says why. */
	if ((status = mq_move_bury(sp, fromfd, n, NULL, "removed by mq-rm",
	    NULL)) != MQ_EX_OK)
		return status;
	status = mq_move_delete(sp, n);
	return status == MQ_EX_LOST ? MQ_EX_OK : status;
}
