/* lease: checking a lease path given by a user, and settling a lease:
 * ack, retry, dead-letter.
 *
 * A lease operand must be SPOOL/cur/ID,N: no ".." component, the last
 * directory named cur, a spool around it, and a regular file under a
 * name of the grammar (not a symlink, not a directory). Anything else is
 * refused before anything is touched. The checks are made relative to
 * descriptors opened with O_NOFOLLOW, and the final unlink or rename
 * names the file in that directory, so a path swapped meanwhile cannot
 * redirect it outside the spool.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "lease.h"
#include "ready.h"
#include "reason.h"
#include "take.h"
#include "wait.h"

#define RETRY_GUARD (5 * 1000)		/* ms: see mq_lease_retry */

static int
not_lease(const char *path, const char *why)
{
	mq_warnx(path, "not a lease (%s)", why);
	return MQ_EX_DATAERR;
}

static int
lease_lost(const char *path)
{
	mq_warnx(path, "lease lost (expired and redelivered, or already "
	    "completed)");
	return MQ_EX_LOST;
}

static int
has_dotdot(const char *p)
{
	while (*p != '\0') {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 1;
		p = strchr(p, '/');
		if (p == NULL)
			break;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* Splits path into its spool (copied into spool) and its file name. */
static int
split(const char *path, char *spool, size_t len, const char **name)
{
	const char *base, *end, *cur;

	if ((base = strrchr(path, '/')) == NULL)
		return -1;
	*name = base + 1;
	end = base;
	while (end > path && end[-1] == '/')
		end--;
	cur = end;
	while (cur > path && cur[-1] != '/')
		cur--;
	if (end - cur != 3 || strncmp(cur, "cur", 3) != 0)
		return -1;
	end = cur;
	while (end > path + 1 && end[-1] == '/')
		end--;
	if (end == path) {
		snprintf(spool, len, ".");
	} else if ((size_t)(end - path) >= len) {
		return -1;
	} else {
		memcpy(spool, path, (size_t)(end - path));
		spool[end - path] = '\0';
	}
	return 0;
}

const char *
mq_lease_path(const char *path, char *spool, size_t len, const char **name,
    struct mq_name *n)
{
	if (has_dotdot(path))
		return "a '..' in the path";
	if (split(path, spool, len, name) == -1)
		return "expected SPOOL/cur/NAME";
	if (strlen(*name) > MQ_NAME_MAX || mq_name_parse(*name, n) == -1 ||
	    n->attempts == 0)
		return "the name is not ID,ATTEMPT";
	return NULL;
}

int
mq_lease_open(struct mq_lease *l, const char *path)
{
	char spool[4096];
	const char *name, *why;
	struct stat st;
	int status;

	if ((why = mq_lease_path(path, spool, sizeof(spool), &name,
	    &l->n)) != NULL)
		return not_lease(path, why);
	strcpy(l->name, name);
	if (l->own.path != NULL && strcmp(l->own.path, spool) != 0)
		mq_lease_close(l);
	if (l->own.path == NULL) {
		status = mq_spool_open(&l->own, spool, MQ_OPEN);
		if (status != MQ_EX_OK) {
			mq_lease_close(l);
			return status;
		}
	}
	l->sp = &l->own;
	if (fstatat(l->own.cur, l->name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return lease_lost(path);
		return mq_fail(MQ_EX_IOERR, path, errno);
	}
	if (!S_ISREG(st.st_mode))
		return not_lease(path, "not a regular file");
	return MQ_EX_OK;
}

void
mq_lease_close(struct mq_lease *l)
{
	if (l->own.path != NULL)
		mq_spool_close(&l->own);
}

/* Removes from done/ what was kept longer than keep; at most once per
 * keep/16 (or a minute, if less), remembered as the mtime of SPOOL/.swept. */
static void
prune(struct mq_spool *sp, int64_t now)
{
	struct mq_names names;
	struct stat st;
	size_t i;

	if (!mq_sweep_due(sp->fd, ".swept", sp->pol.keep / 16, now))
		return;
	if (mq_dir_list(sp->done, &names) == -1)
		return;
	for (i = 0; i < names.n; i++) {
		if (names.v[i][0] == '.' || fstatat(sp->done, names.v[i], &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (mq_ts_ms(&st.st_mtim) + sp->pol.keep <= now)
			(void)unlinkat(sp->done, names.v[i], 0);
	}
	mq_names_free(&names);
}

int
mq_lease_lock(struct mq_spool *sp, const char *name)
{
	struct flock fl;
	int fd;

	fd = openat(sp->cur, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_RDLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
mq_lease_locked(struct mq_spool *sp, const char *name)
{
	struct flock fl;
	int fd, locked;

	fd = openat(sp->cur, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return 0;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;	/* would a writer be kept out? */
	fl.l_whence = SEEK_SET;
	locked = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return locked;
}

/* The status for a failed call on the lease: ENOENT is a lost lease. */
static int
failed(const char *path, int err)
{
	return err == ENOENT ? lease_lost(path) :
	    mq_fail(MQ_EX_IOERR, path, err);
}

/* After a message of a group left for good (st: the file it was): its
 * group's next goes. */
static int
release(struct mq_lease *l, const struct stat *st)
{
	if (l->n.group[0] == '\0')
		return MQ_EX_OK;
	return mq_group_release(l->sp, &l->n, st->st_ino);
}

int
mq_lease_ack(struct mq_lease *l, const char *path)
{
	struct stat st;
	int64_t now;

	st.st_ino = 0;
	if (l->n.group[0] != '\0')
		(void)fstatat(l->sp->cur, l->name, &st, AT_SYMLINK_NOFOLLOW);
	if (l->sp->pol.keep == 0) {
		if (unlinkat(l->sp->cur, l->name, 0) == -1)
			return failed(path, errno);
		mq_reason_clear(l->sp, l->n.id);
		mq_count(l->sp, MQ_ACKS, 1);
		return release(l, &st);
	}
	if (renameat(l->sp->cur, l->name, l->sp->done, l->name) == -1)
		return failed(path, errno);
	mq_reason_clear(l->sp, l->n.id);
	mq_count(l->sp, MQ_ACKS, 1);
	now = mq_now_ms();
	(void)mq_stamp(l->sp->done, l->name, now);
	prune(l->sp, now);
	return release(l, &st);
}

/* To dlq/: the reason given is written first; a reason the system
 * decides (head) is written by mq_bury. */
static int
bury(struct mq_lease *l, const char *path, const char *why, const char *head)
{
	int status;

	if (why != NULL && (status = mq_reason_set(l->sp, l->n.id, why,
	    strlen(why))) != MQ_EX_OK)
		return status;
	status = mq_bury(l->sp, l->sp->cur, &l->n, mq_now_ms(),
	    why == NULL ? head : NULL);
	return status == MQ_EX_LOST ? lease_lost(path) : status;
}

int
mq_lease_bury(struct mq_lease *l, const char *path, const char *why)
{
	char head[128];

	snprintf(head, sizeof(head), "dead-lettered by hand on attempt %lu",
	    l->n.attempts);
	return bury(l, path, why, head);
}

int
mq_lease_retry(struct mq_lease *l, const char *path, int64_t delay,
    const char *why, int *buried)
{
	struct mq_spool *sp = l->sp;
	struct mq_leaf lf;
	char head[128];
	int64_t now, ready, guard;
	int err, status;

	*buried = 0;
	if (l->n.attempts >= (unsigned long)sp->pol.max_attempts) {
		snprintf(head, sizeof(head), "attempts ran out: retried on "
		    "attempt %lu of %ld", l->n.attempts, sp->pol.max_attempts);
		status = bury(l, path, why, head);
		*buried = status == MQ_EX_OK;
		return status;
	}
	if (why != NULL && (status = mq_reason_set(sp, l->n.id, why,
	    strlen(why))) != MQ_EX_OK)
		return status;
	if (delay < 0)
		delay = mq_backoff(&sp->pol, l->n.attempts);
	now = mq_now_ms();
	ready = now + delay;
	/* The time first, as a take does, and at least a few seconds ahead:
	 * no taker may see the file as an expired lease in cur/, or claim it
	 * in new/ before the rename is done. Then the real ready time. */
	guard = ready > now + RETRY_GUARD ? ready : now + RETRY_GUARD;
	if (mq_stamp(sp->cur, l->name, guard) == -1)
		return failed(path, errno);
	lf.fd[0] = -1;
	err = mq_leaf_enter(sp, &lf, ready, sp->cur, l->name, l->name);
	if (err == 0 && guard != ready)
		(void)mq_stamp(lf.fd[2], l->name, ready);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err != 0)
		return failed(path, err);
	mq_ring(sp);
	return MQ_EX_OK;
}
