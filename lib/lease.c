/* lease: checking a lease path given by a user, and a runner's lock on
 * a lease. Settling a lease (ack, retry, dead-letter) is a state change:
 * move.c.
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

#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "lease.h"
#include "lost.h"

static int
not_lease(const char *path, const char *why)
{
	mq_warnx(path, "not a lease (%s)", why);
	return MQ_EX_DATAERR;
}

int
mq_lease_lost(const char *path)
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
	struct stat *st = &l->st;
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
		l->own.count_later = 1;	/* a batch: written at the close */
	}
	l->sp = &l->own;
	if (fstatat(l->own.cur, l->name, st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return mq_lease_lost(path);
		return mq_fail(MQ_EX_IOERR, path, errno);
	}
	if (!S_ISREG(st->st_mode))
		return not_lease(path, "not a regular file");
	/* A name whose lease was reclaimed: a file under it is a stale
	 * holder's (lost.c). */
	if (mq_lost_stale(l->sp, &l->n) == 1)
		return mq_lease_lost(path);
	return MQ_EX_OK;
}

void
mq_lease_close(struct mq_lease *l)
{
	if (l->own.path != NULL) {
		mq_counts_flush(&l->own);
		mq_spool_close(&l->own);
	}
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
	/* Opened without blocking (not a FIFO's open), read as a file: it is
	 * a command's standard input too (job.c). */
	if (fcntl(fd, F_SETLK, &fl) == -1 || fcntl(fd, F_SETFL, 0) == -1) {
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
