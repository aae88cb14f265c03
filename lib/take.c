/* take: leasing ready messages, and reclaiming expired leases.
 *
 * A take first looks at cur/ for leases whose deadline (mtime) has passed
 * and moves each back to new/, keyed by that deadline so that it comes
 * before anything put since, or to dlq/ when it has had max_attempts
 * deliveries. Then it walks new/ from the oldest key up to now (ready.c)
 * and claims files in order: stamp the deadline, rename to cur/ID,N+1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "lease.h"
#include "name.h"
#include "ready.h"
#include "reason.h"
#include "share.h"
#include "take.h"

struct claim {
	int64_t now, deadline;
	size_t want, got;
	mq_lease_fn *fn;
	void *arg;
	int status;
	int denied;		/* EPERM/EACCES said once: the next are alike */
};

int
mq_bury(struct mq_spool *sp, int fromfd, const struct mq_name *n,
    int64_t now, const char *why)
{
	char name[MQ_NAME_MAX + 1], what[4096];
	struct stat st;

	/* A reason that cannot be written does not keep a message alive. */
	if (why != NULL)
		(void)mq_reason_decide(sp, n->id, why);
	mq_name_format(name, n);
	st.st_ino = 0;
	if (n->group[0] != '\0')
		(void)fstatat(fromfd, name, &st, AT_SYMLINK_NOFOLLOW);
	if (renameat(fromfd, name, sp->dlq, name) == -1) {
		if (errno == ENOENT)
			return MQ_EX_LOST;	/* someone else moved it */
		return mq_fail(MQ_EX_IOERR,
		    mq_spool_where(sp, "dlq", name, what, sizeof(what)), errno);
	}
	(void)mq_stamp(sp->dlq, name, now);
	/* A dead letter no longer holds its group back. */
	if (n->group[0] != '\0')
		return mq_group_release(sp, n, st.st_ino);
	return MQ_EX_OK;
}

/* A taker burying a message that another process moved: not an error. */
static int
bury(struct mq_spool *sp, int fromfd, const struct mq_name *n, int64_t now,
    const char *why)
{
	int status = mq_bury(sp, fromfd, n, now, why);

	return status == MQ_EX_LOST ? MQ_EX_OK : status;
}

/* A regular file under a name of the grammar, or a warning and -1. */
static int
examine(int dirfd, const char *dir, const char *name, struct mq_name *n,
    struct stat *st)
{
	if (mq_name_parse(name, n) == -1) {
		mq_warnx(dir, "skipping a file whose name is outside the "
		    "grammar");
		return -1;
	}
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			mq_warnx(dir, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		mq_warnx(dir, "%s: not a regular file, skipped", name);
		return -1;
	}
	return 0;
}

int
mq_reclaim(struct mq_spool *sp, int64_t now)
{
	struct mq_names names;
	struct mq_leaf lf;
	struct mq_name n;
	struct stat st;
	char where[4096], why[128];
	size_t i;
	int64_t deadline;
	int err, status = MQ_EX_OK;

	mq_spool_where(sp, "cur", NULL, where, sizeof(where));
	if (mq_dir_list(sp->cur, &names) == -1)
		return mq_fail(MQ_EX_IOERR, where, errno);
	for (i = 0; i < names.n; i++) {
		if (examine(sp->cur, where, names.v[i], &n, &st) == -1)
			continue;
		if (n.attempts == 0) {	/* ID,0 is a name for new/ only */
			mq_warnx(where, "%s: not a lease name, skipped",
			    names.v[i]);
			continue;
		}
		deadline = mq_ts_ms(&st.st_mtim);
		if (deadline > now || (sp->held != NULL &&
		    sp->held(sp->held_arg, names.v[i])))
			continue;
		/* A runner holding a lock is alive: its lease stays. */
		if (mq_lease_locked(sp, names.v[i]))
			continue;
		if (n.attempts >= (unsigned long)sp->pol.max_attempts) {
			snprintf(why, sizeof(why), "attempts ran out: lease "
			    "expired on attempt %lu of %ld", n.attempts,
			    sp->pol.max_attempts);
			status = mq_worst(status,
			    bury(sp, sp->cur, &n, now, why));
			continue;
		}
		lf.fd[0] = -1;
		err = mq_leaf_enter(sp, &lf, mq_ready_key(deadline), sp->cur,
		    names.v[i], names.v[i]);
		if (lf.fd[0] != -1)
			mq_leaf_close(&lf);
		if (err != 0 && err != ENOENT)
			status = mq_worst(status, mq_fail(MQ_EX_IOERR,
			    names.v[i], err));
	}
	mq_names_free(&names);
	mq_group_sweep(sp, now);
	return status;
}

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

static int
claim(struct mq_spool *sp, int leaffd, const char *leaf, const char *name,
    void *arg)
{
	struct claim *c = arg;
	struct mq_name n;
	struct stat st;
	char lease[MQ_NAME_MAX + 1], what[4096], why[128];
	int lk = -2, r, err;

	if (examine(leaffd, leaf, name, &n, &st) == -1)
		return 0;
	if (mq_ts_ms(&st.st_mtim) > c->now)
		return 0;		/* delayed, or being claimed */
	if (n.attempts >= (unsigned long)sp->pol.max_attempts) {
		/* Only when max_attempts was lowered since it was put back. */
		snprintf(why, sizeof(why), "attempts ran out: %lu of "
		    "max_attempts %ld", n.attempts, sp->pol.max_attempts);
		c->status = mq_worst(c->status, bury(sp, leaffd, &n,
		    c->now, why));
		return 0;
	}
	if (sp->remote == -1)
		sp->remote = mq_remote_fs(sp->new);
	if (sp->remote && (lk = claim_lock(leaffd, name)) == -1)
		return 0;	/* gone, or being claimed elsewhere */
	/* A topic's message, shared with other subscribers: our own copy,
	 * so that our lease's times are not theirs. Replaced by the copy
	 * (under our lock, where names cannot be swapped): claimed anew. */
	if (st.st_nlink > 1 && n.group[0] == '\0' &&
	    (r = mq_unshare(sp, leaffd, name, lk >= 0)) != 0) {
		err = errno;
		if (lk >= 0)
			close(lk);
		if (r == 1)
			return claim(sp, leaffd, leaf, name, arg);
		if (err != ENOENT) {
			snprintf(what, sizeof(what), "%s/%s", leaf, name);
			c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR,
			    what, err));
		}
		return 0;
	}
	/* The deadline first: the lease is never seen expired in cur/.
	 * ENOENT: another taker won. EPERM: only the file's owner may set
	 * its time; said out loud, never skipped in silence. */
	if (mq_stamp(leaffd, name, c->deadline) == -1) {
		err = errno;
		if (lk >= 0)
			close(lk);
		errno = err;
		if (errno == EPERM || errno == EACCES) {
			if (c->denied++ == 0) {
				snprintf(what, sizeof(what), "%s/%s", leaf,
				    name);
				(void)mq_fail(MQ_EX_IOERR, what, errno);
			}
			c->status = mq_worst(c->status, MQ_EX_NOPERM);
		} else if (errno != ENOENT) {
			snprintf(what, sizeof(what), "%s/%s", leaf, name);
			c->status = mq_worst(c->status, mq_fail(MQ_EX_IOERR,
			    what, errno));
		}
		return 0;
	}
	n.attempts++;
	mq_name_format(lease, &n);
	r = renameat(leaffd, name, sp->cur, lease);
	err = errno;
	if (lk >= 0)
		close(lk);
	if (r == -1) {
		if (err == ENOENT)
			return 0;	/* another taker won */
		c->status = mq_fail(MQ_EX_IOERR,
		    mq_spool_where(sp, "cur", lease, what, sizeof(what)), err);
		return -1;
	}
	c->got++;
	if (c->fn(sp, lease, c->arg) != 0)
		return 1;
	return c->got >= c->want ? 1 : 0;
}

int
mq_take(struct mq_spool *sp, size_t count, int64_t timeout, mq_lease_fn *fn,
    void *arg, size_t *taken)
{
	struct claim c;
	int status;

	c.now = mq_now_ms();
	c.deadline = c.now + timeout;
	c.want = count;
	c.got = 0;
	c.fn = fn;
	c.arg = arg;
	c.status = MQ_EX_OK;
	c.denied = 0;
	status = mq_reclaim(sp, c.now);
	if (count > 0 && mq_ready_walk(sp, c.now, claim, &c) == -1)
		c.status = mq_worst(c.status, MQ_EX_IOERR);
	*taken = c.got;
	return mq_worst(status, c.status);
}
