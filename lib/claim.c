/* claim: leasing a ready message, and the lease's own moves after it.
 *
 * Part of move.c's rows (move.h): claim (new/ -> cur/), unclaim (a lease
 * never handed out, back as it was) and extend (a lease's deadline). A
 * claim is the one move two processes race for, so it does more than a
 * rename. The deadline is set before the rename (no taker sees the lease
 * expired in cur/), and a taker that read the file a moment before the
 * winner must not set its own deadline on the winner's lease: so the
 * stamp and the rename are done under a lock on the message's id (a byte
 * of SPOOL/.claim), and a loser that gets the lock after the winner finds
 * the name gone. On a network file system the claim also holds a lock on
 * the file itself (two clients may both be told their rename worked). A
 * file with other names becomes a file of its own first (a topic's), as
 * does another user's (its times are not ours to set); named as a
 * group's member, it is leased only when its group knows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "front.h"
#include "log.h"
#include "move.h"
#include "rename.h"
#include "share.h"
#include "twin.h"
#include "wait.h"

/* On a network file system, the lock that makes one taker of many claim
 * a message: two clients renaming one file to one lease name at the same
 * instant may both be told it worked (GlusterFS answers a rename whose
 * source is gone and whose target is that same file as a replay of its
 * own). Under a write lock on the file, its stamp and rename are one
 * client's; another finds it locked, or, after, gone. The descriptor
 * (closed when the claim is done), -2 to claim without a lock (the file
 * is not ours to open for writing), or -1: leave it. */
static int
claim_lock(int leaffd, const char *name)
{
	int fd;

	fd = openat(leaffd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return errno == EACCES ? -2 : -1;
	if (mq_lock(fd, F_WRLCK, 0, 0, 0) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The lock on a message's id: one byte of SPOOL/.claim, by a hash of the
 * id (two ids sharing a byte only wait for each other). Taken with type
 * F_WRLCK, waiting; released with F_UNLCK. Without the file (a user who
 * may not write the spool: its claims fail anyway, and say why) claims
 * go on unlocked. */
static void
id_lock(struct mq_spool *sp, const struct mq_name *n, short type)
{
	const unsigned char *p;
	uint32_t h = 2166136261u;

	if (sp->claim == -1) {
		sp->claim = mq_openfile(sp->fd, ".claim", O_RDWR | O_CREAT,
		    0666, NULL);
		if (sp->claim == -1)
			sp->claim = -2;
	}
	if (sp->claim < 0)
		return;
	for (p = (const unsigned char *)n->id; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	(void)mq_lock(sp->claim, type, (off_t)(h & 0xffff), 1, 1);
}

/* Messages we may not lease, told once a process (a pool or a waiting
 * take polls again and again). */
static int told;

/* A message we may not read or set the time of: skipped, and the take
 * goes on (mq_take says 77 if nothing else was taken). */
static void
unreadable(const char *what, struct mq_claim *c)
{
	if (errno != EPERM && errno != EACCES) {
		c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR, what,
		    errno));
		return;
	}
	c->denied++;
	if (told++ == 0)
		mq_warnx(what, "%s: skipped (not ours to lease: see "
		    "\"Several users\" in mq(7))", strerror(errno));
}

/* The stamp failed (errno): another taker won (ENOENT), we may not set
 * the file's time (skipped), or the spool cannot be written (a read-only
 * or failing file system: said once, and the take stops). */
static int
stamp_failed(const char *leaf, const char *name, struct mq_claim *c)
{
	char what[4096];

	if (errno == ENOENT)
		return MQ_CLAIM_SKIP;
	snprintf(what, sizeof(what), "%s/%s", leaf, name);
	if (errno == EPERM || errno == EACCES) {
		unreadable(what, c);
		return MQ_CLAIM_SKIP;
	}
	c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR, what, errno));
	return MQ_CLAIM_STOP;
}

/* Whether leaffd/name, a member of group n->group with two links, is
 * one its group knows: its other link is in the group's trie (being let
 * through, or a crash left it there) or is the group's front. The trie
 * is looked at first: the link only moves from there to the front. A
 * file planted under a member's name (a link to anything) is not known.
 * 1, 0, or -1 (could not look: errno). */
static int
known_member(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n, nlink_t nlink)
{
	struct mq_name f = *n;
	struct mq_leaf lf;
	struct stat st;
	char other[MQ_NAME_MAX + 1];
	int gfd, r, err;

	if (nlink != 2)
		return 0;
	if (fstatat(leaffd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    mq_spool_subdir(sp, &sp->group, "group", MQ_OPEN) == -1 ||
	    (gfd = mq_opendir(sp->group, n->group)) == -1)
		return errno == ENOENT ? 0 : -1;
	f.attempts = 0;
	mq_name_format(other, &f);
	if ((r = mq_leaf_find(gfd, mq_id_ms(n->id), &lf)) == 0) {
		r = mq_grp_knows(lf.fd[2], other, &st);
		mq_leaf_close(&lf);
	}
	if (r == 0 || (r == -1 && errno == ENOENT))
		r = mq_grp_knows(gfd, other, &st);
	err = errno;
	close(gfd);
	errno = err;
	return r;
}

/* Whether the file st is another user's: its times are not ours to set
 * (only its owner's, or a privileged user's). */
static int
foreign(const struct stat *st)
{
	static uid_t euid = (uid_t)-1;
	static int known;

	if (!known) {
		euid = geteuid();
		known = 1;
	}
	return euid != 0 && st->st_uid != euid;
}

/* A group's member another user put: made a copy of our own (front.c),
 * or, where that cannot be done, skipped with a word. */
static int
adopt(struct mq_spool *sp, int leaffd, const char *what, const char *name,
    const struct mq_name *n, struct mq_claim *c)
{
	int r;

	if ((r = mq_group_adopt(sp, leaffd, name, n)) == 0)
		return 0;
	if (r == 1) {
		c->denied++;
		if (told++ == 0)
			mq_warnx(what, "another user's group member, and no "
			    "atomic swap here to copy it: skipped");
	} else if (errno != ENOENT) {
		unreadable(what, c);
	}
	return -1;
}

/* A file with other names, or another user's: a group's member is leased
 * as it is (or as our copy, when another's) when its group knows it, and
 * never else; any other gets a copy of its own (share.c), swapped in
 * under its name (0), or left in tmp/ to be leased from there (1, *from
 * the copy). -1: not to be claimed now. */
static int
own_file(struct mq_spool *sp, int leaffd, const char *leaf, const char *name,
    const struct mq_name *n, const struct stat *st, char copy[MQ_ID_MAX + 1],
    struct mq_claim *c)
{
	char what[4096];
	int r;

	snprintf(what, sizeof(what), "%s/%s", leaf, name);
	if (n->group[0] != '\0') {
		if ((r = known_member(sp, leaffd, name, n, st->st_nlink)) == 1)
			return foreign(st) ? adopt(sp, leaffd, what, name, n,
			    c) : 0;
		if (r == -1)
			c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR,
			    what, errno));
		else
			mq_warnx(what, "not a member its group knows (a file "
			    "with other names), skipped");
		return -1;
	}
	if ((r = mq_unshare(sp, leaffd, name, copy)) == -1 && errno != ENOENT)
		unreadable(what, c);
	return r;
}

/* The claim, under the id's lock. */
static int
claim(struct mq_spool *sp, int leaffd, const char *leaf, const char *name,
    const struct mq_name *n, const struct stat *st, struct mq_claim *c)
{
	struct mq_name l = *n;
	char what[4096], copy[MQ_ID_MAX + 1];
	const char *from = name;
	int fromfd = leaffd, r = 0, err, shared;

	/* (a file shared with its entry in the retained log alone is its
	 * own: the log never reads its times) */
	shared = st->st_nlink > 1 && !mq_log_only_other(sp, n, st);
	/* Leased as well (a rename half done by a file server): the lease
	 * is the truth, this name goes (twin.c). */
	if (shared && n->group[0] == '\0' &&
	    mq_twin_queued(sp, leaffd, name, n, st) == 1)
		return MQ_CLAIM_SKIP;
	if (shared || foreign(st))
		r = own_file(sp, leaffd, leaf, name, n, st, copy, c);
	if (r == 1) {
		fromfd = mq_tmp(sp);	/* the copy is leased, not the name */
		from = copy;
	}
	/* The deadline first: the lease is never seen expired in cur/. */
	if (r == -1 || mq_stamp(fromfd, from, c->deadline) == -1) {
		err = errno;
		if (fromfd == sp->tmp)
			(void)unlinkat(mq_tmp(sp), copy, 0);
		errno = err;
		return r == -1 ? MQ_CLAIM_SKIP : stamp_failed(leaf, name, c);
	}
	l.attempts++;
	mq_name_format(c->lease, &l);
	r = mq_rename(fromfd, from, sp->cur, c->lease, 0);
	err = errno;
	if (r == -1) {
		if (fromfd == sp->tmp)
			(void)unlinkat(mq_tmp(sp), copy, 0);
		if (err == ENOENT || err == EEXIST)
			return MQ_CLAIM_SKIP;	/* another taker won */
		c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR,
		    mq_spool_where(sp, "cur", c->lease, what, sizeof(what)),
		    err));
		return MQ_CLAIM_STOP;
	}
	if (fromfd == sp->tmp)
		(void)unlinkat(leaffd, name, 0);	/* our shared name */
	return MQ_CLAIMED;
}

int
mq_move_claim(struct mq_spool *sp, int leaffd, const char *leaf,
    const char *name, const struct mq_name *n, const struct stat *st,
    struct mq_claim *c)
{
	int lk = -2, r;

	if (sp->remote == -1 && (sp->remote = mq_remote_fs(sp->new)) == 1)
		mq_rename_by_link();
	if (sp->remote && (lk = claim_lock(leaffd, name)) == -1)
		return MQ_CLAIM_SKIP;	/* gone, or being claimed elsewhere */
	id_lock(sp, n, F_WRLCK);
	r = claim(sp, leaffd, leaf, name, n, st, c);
	id_lock(sp, n, F_UNLCK);
	if (lk >= 0)
		close(lk);
	return r;
}

int
mq_move_unclaim(struct mq_spool *sp, const char *lease)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	struct mq_name n;
	char to[MQ_NAME_MAX + 1], what[4096];
	int64_t now = mq_now_ms();
	int err;

	mq_spool_where(sp, "cur", lease, what, sizeof(what));
	if (mq_name_parse(lease, &n) == -1 || n.attempts == 0) {
		mq_warnx(what, "not a lease name");
		return MQ_EX_DATAERR;
	}
	(void)mq_twin_end(sp, &n, NULL, 0);	/* the lease is the truth */
	n.attempts--;			/* this delivery never happened */
	mq_name_format(to, &n);
	/* Its deadline, still ahead, keeps it from takers until the stamp
	 * below makes it ready: a crash between only delays it. */
	err = mq_leaf_enter(sp->new, &lf, mq_ready_key(now), sp->cur, lease,
	    to, MQ_LEAF_EARLIER | (sp->pol.sync ? MQ_LEAF_PRESYNC : 0));
	if (err == 0)
		(void)mq_stamp(lf.fd[2], to, now);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err != 0)
		return mq_fail(MQ_EX_IOERR, what, err);
	mq_ring(sp);
	return MQ_EX_OK;
}

int
mq_move_extend(struct mq_spool *sp, const char *name, int64_t deadline)
{
	return mq_stamp(sp->cur, name, deadline);
}
