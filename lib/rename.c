/* rename: moving a file to a new name, never over an existing one.
 *
 * Every move of a message is a rename that must not replace: a name
 * already taken means another process got there first (or a file was
 * planted there), and replacing it would destroy a message or a lease.
 * RENAME_NOREPLACE makes the check and the move one step. Without it
 * (other systems, some network file systems), link(2) creates the new
 * name only if it is free, and unlink(2) then drops the old one; a crash
 * between leaves the file under both names, which the next move of it
 * completes (the target is then the same file: the source goes), and
 * which at worst delivers the message once more (at least once). A
 * claim never completes another's move: two takers of one file in that
 * gap would both hold it.
 */
#ifdef __linux__
#define _GNU_SOURCE		/* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rename.h"

/* Whether fromfd/from and tofd/to are one file. */
static int
same_file(int fromfd, const char *from, int tofd, const char *to)
{
	struct stat a, b;

	return fstatat(fromfd, from, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	    fstatat(tofd, to, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* The target exists: a half-done move of this very file is finished
 * (when the caller may), anything else is a lost race. */
static int
taken(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	if ((flags & MQ_RENAME_FINISH) && same_file(fromfd, from, tofd, to))
		return unlinkat(fromfd, from, 0) == -1 && errno != ENOENT ?
		    -1 : 0;
	errno = EEXIST;
	return -1;
}

/* renameat2 refused RENAME_NOREPLACE here once (GlusterFS, NFS): this
 * process links and unlinks from then on, a round trip saved a move. */
static int no_noreplace;

void
mq_rename_by_link(void)
{
	no_noreplace = 1;
}

int
mq_rename(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	int err;

#if defined(__linux__) && defined(RENAME_NOREPLACE)
	if (!no_noreplace) {
		if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			return taken(fromfd, from, tofd, to, flags);
		if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
			return -1;
		no_noreplace = 1;
	}
#endif
	if (linkat(fromfd, from, tofd, to, 0) == -1)
		return errno == EEXIST ? taken(fromfd, from, tofd, to, flags) :
		    -1;
	if (unlinkat(fromfd, from, 0) == -1) {
		if (errno == ENOENT)
			return 0;	/* another finished the move: ours too */
		err = errno;
		(void)unlinkat(tofd, to, 0);	/* as it was */
		errno = err;
		return -1;
	}
	return 0;
}
