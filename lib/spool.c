/* spool: opening and creating a spool.
 *
 * THE SPOOL PROTOCOL
 *
 * A spool is a directory holding tmp/ new/ cur/ dlq/ done/ and an optional
 * config. A message is one regular file whose bytes are its payload, named
 * "ID,N" (name.c): N counts the deliveries it has had. A message is in
 * exactly one state, the directory it is in, and it changes state only by
 * rename(2), which is atomic; so at any instant, a crash included, it is
 * in one place, and `ls` shows the truth.
 *
 *   put      tmp/ID          write, futimens(ready), fsync
 *            -> new/K/S/M/ID,0        rename, fsync the directory
 *   take     new/.../ID,N    utimensat(deadline) -> cur/ID,N+1  (rename)
 *   ack      cur/ID,N        unlink, or -> done/ID,N (keep)
 *   expiry   cur/ID,N        when its mtime has passed, a taker moves it
 *                            back to new/ (or dlq/ID,N at max_attempts)
 *   retry    cur/ID,N        utimensat(ready, or a guard 5 s ahead)
 *            -> new/.../ID,N          (or dlq/ID,N at max_attempts)
 *   bury     cur/ID,N        -> dlq/ID,N, utimensat(time of death)
 *   redrive  dlq/ID,N[,G]    utimensat(now) -> new/.../ID,0,G+1
 *
 * Each arrow is one function of move.c, which carries out every state
 * change of a message; nothing else renames one.
 *
 * Beside the states: reason/ID, the last reason a message was retried or
 * dead-lettered for (reason.c), and key/KEY, the id put under an
 * idempotency key (key.c), and group/G, the messages of ordering group G
 * waiting behind its front (group.c). All are made when first needed.
 *
 * new/ is a trie keyed by the time a message becomes ready, in
 * milliseconds since the epoch: the key 1763833990123 is the directory
 * new/1763833/990/123/. A taker descends to the smallest key, so a take
 * reads a few small directories whatever the depth of the queue; keys
 * later than now are never opened. Within a leaf, names sort in put order.
 * A taker removes leaves (and then parents) that it finds empty and past;
 * a producer whose rename meets a removed leaf makes it again and retries.
 *
 * A file's mtime is its clock: in new/ when it becomes ready, in cur/ its
 * lease deadline. A taker sets the deadline on the file in new/ before it
 * renames it, so that no other taker ever sees a fresh lease as expired;
 * while the deadline is set and the rename not yet done, the file looks
 * delayed to everyone else. Two takers racing for one file: one rename
 * wins, the other gets ENOENT and moves on.
 *
 * What a crash leaves: a file in tmp/ (never seen by readers; removed by a
 * later mq-put once untouched for 36 hours); a file in new/ whose mtime
 * was already pushed to a lease deadline (it is ready again at that
 * deadline); empty directories in new/ (removed by takers). A put is
 * reported only after the file and then its directory (and any directory
 * it had to make, and that one's parent) are fsynced, unless sync=0.
 * Takes, acks and expiries are not fsynced: losing one at a power cut
 * only makes a message be delivered again (at-least-once).
 *
 * No path inside the spool is ever resolved through a symlink: every
 * directory is opened with O_NOFOLLOW and files are handled relative to
 * those descriptors; a file that is not a regular file is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "spool.h"

static const char *const subdirs[] = { "tmp", "new", "cur", "dlq", "done" };

const char *
mq_spool_where(const struct mq_spool *sp, const char *sub, const char *name,
    char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", sp->path, sub != NULL ? "/" : "",
	    sub != NULL ? sub : "", name != NULL ? "/" : "",
	    name != NULL ? name : "");
	return buf;
}

/* mkdir -p of the spool path; sets *made when the last one was made. */
static int
make_path(char *path, int *made)
{
	char *p;
	int r;

	*made = 0;
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '/' && (p[-1] == '/'))
			continue;
		r = *p;
		*p = '\0';
		if (mkdir(path, 0777) == 0) {
			if (r == '\0')
				*made = 1;
		} else if (errno != EEXIST) {
			*p = (char)r;
			return -1;
		}
		*p = (char)r;
		if (r == '\0')
			return 0;
	}
}

static int
fsync_parent(const char *path)
{
	char *copy, *slash;
	int fd, r;

	if ((copy = strdup(path)) == NULL)
		return -1;
	slash = strrchr(copy, '/');
	if (slash == NULL)
		strcpy(copy, ".");
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd == -1)
		return -1;
	r = mq_fsync(fd);
	close(fd);
	return r;
}

static int
open_subdirs(struct mq_spool *sp, int how)
{
	int *fds[] = { &sp->tmp, &sp->new, &sp->cur, &sp->dlq, &sp->done };
	char what[4096];
	size_t i;
	int made = 0;

	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		*fds[i] = mq_opendir(sp->fd, subdirs[i]);
		if (*fds[i] == -1 && errno == ENOENT && how == MQ_CREATE) {
			if (mkdirat(sp->fd, subdirs[i], 0777) == -1 &&
			    errno != EEXIST)
				return mq_fail(MQ_EX_CANTCREAT, mq_spool_where(
				    sp, subdirs[i], NULL, what, sizeof(what)),
				    errno);
			made = 1;
			*fds[i] = mq_opendir(sp->fd, subdirs[i]);
		}
		if (*fds[i] == -1) {
			mq_spool_where(sp, subdirs[i], NULL, what, sizeof(what));
			if (errno == ENOENT) {
				mq_warnx(sp->path, "not a spool (no %s/)",
				    subdirs[i]);
				return MQ_EX_NOINPUT;
			}
			return mq_fail_entry(MQ_EX_IOERR, what, sp->fd,
			    subdirs[i], S_IFDIR, errno);
		}
	}
	if (made && mq_fsync(sp->fd) == -1)
		return mq_fail(MQ_EX_IOERR, sp->path, errno);
	return MQ_EX_OK;
}

int
mq_spool_open(struct mq_spool *sp, const char *path, int how)
{
	size_t len = strlen(path);
	int made = 0, status;

	sp->fd = sp->tmp = sp->new = sp->cur = sp->dlq = sp->done = -1;
	sp->reason = sp->key = sp->group = sp->lost = sp->counts = -1;
	sp->remote = -1;
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0) {
		mq_warnx(NULL, "empty spool name");
		return MQ_EX_USAGE;
	}
	if ((sp->path = malloc(len + 1)) == NULL)
		return mq_fail(MQ_EX_IOERR, path, errno);
	memcpy(sp->path, path, len);
	sp->path[len] = '\0';
	if (how == MQ_CREATE && make_path(sp->path, &made) == -1)
		return mq_fail(MQ_EX_CANTCREAT, sp->path, errno);
	sp->fd = open(sp->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->fd == -1) {
		if (errno == ENOENT) {
			mq_warnx(sp->path, "no such spool");
			return MQ_EX_NOINPUT;
		}
		return mq_fail(errno == ENOTDIR ? MQ_EX_NOINPUT : MQ_EX_IOERR,
		    sp->path, errno);
	}
	if (made && fsync_parent(sp->path) == -1)
		return mq_fail(MQ_EX_IOERR, sp->path, errno);
	if ((status = open_subdirs(sp, how)) != MQ_EX_OK)
		return status;
	return mq_policy_read(&sp->pol, sp->fd, sp->path);
}

int
mq_spool_subdir(struct mq_spool *sp, int *fd, const char *name, int how)
{
	if (*fd != -1)
		return 0;
	*fd = mq_opendir(sp->fd, name);
	if (*fd == -1 && errno == ENOENT && how == MQ_CREATE) {
		if (mkdirat(sp->fd, name, 0777) == 0) {
			if (mq_fsync(sp->fd) == -1)
				return -1;
		} else if (errno != EEXIST) {
			return -1;
		}
		*fd = mq_opendir(sp->fd, name);
	}
	return *fd == -1 ? -1 : 0;
}

void
mq_spool_close(struct mq_spool *sp)
{
	int *fds[] = { &sp->fd, &sp->tmp, &sp->new, &sp->cur, &sp->dlq,
	    &sp->done, &sp->reason, &sp->key, &sp->group, &sp->lost,
	    &sp->counts };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] != -1)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(sp->path);
	sp->path = NULL;
}
