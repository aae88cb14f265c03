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

/* Makes the spool directory itself; never its parents (a typo in one
 * would make a queue where no consumer looks). 0 (*made: it was made
 * now), or an exit status, reported. */
static int
make_spool(const char *path, int *made)
{
	char parent[4096];
	const char *slash;

	*made = 0;
	if (mkdir(path, 0777) == 0) {
		*made = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return mq_fail(MQ_EX_CANTCREAT, path, errno);
	slash = strrchr(path, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash == NULL ? 1 :
	    slash == path ? 1 : (int)(slash - path), slash == NULL ? "." :
	    path);
	mq_warnx(parent, "no such directory (a spool is made only in one "
	    "that exists)");
	return MQ_EX_CANTCREAT;
}

/* What a spool's own directory may hold besides its state directories. */
static int
spool_entry(const char *name)
{
	static const char *const own[] = { "config", "group", "key", "reason",
	    "lost", "parked" };
	size_t i;

	if (name[0] == '.')
		return 1;		/* .counts, .depth, .claim, .swept */
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++)
		if (strcmp(name, subdirs[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(name, own[i]) == 0)
			return 1;
	return 0;
}

/* Whether the directory sp->fd holds only what a spool may: 2 (nothing
 * at all), 1, 0 (the first other name into other), or -1. */
static int
only_spool(struct mq_spool *sp, char *other, size_t len)
{
	struct mq_names names;
	size_t i;
	int r = 1;

	if (mq_dir_list(sp->fd, &names) == -1)
		return -1;
	if (names.n == 0)
		r = 2;
	for (i = 0; i < names.n && r == 1; i++)
		if (!spool_entry(names.v[i])) {
			snprintf(other, len, "%s", names.v[i]);
			r = 0;
		}
	mq_names_free(&names);
	return r;
}

/* The user's own umask, for mq-run's commands: a spool its group may
 * write (g+w, mq(7) "Several users") has what mq makes there group
 * readable and writable whatever the umask, so one user's umask cannot
 * lock the others out. */
static mode_t user_umask = (mode_t)-1;

mode_t
mq_user_umask(void)
{
	mode_t u;

	if (user_umask != (mode_t)-1)
		return user_umask;
	u = umask(022);
	umask(u);
	return user_umask = u;	/* (a command each: asked once) */
}

/* A spool made now, or an empty directory made one, inside a directory
 * its group may write (a shared topic, /var/spool/mq): made the group's
 * too when it is ours, so that a subscriber made with a umask of 022
 * does not shut the topic's producers out. */
static void
share_new(int fd)
{
	struct stat st, up;
	int parent;

	if ((parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return;
	if (fstat(parent, &up) == 0 && (up.st_mode & S_IWGRP) &&
	    fstat(fd, &st) == 0 && !(st.st_mode & S_IWGRP) &&
	    st.st_uid == geteuid())
		(void)fchmod(fd, (st.st_mode & 07777) | S_IRWXG);
	close(parent);
}

static void
share(int fd)
{
	struct stat st;
	mode_t u;

	if (fstat(fd, &st) == -1 || !(st.st_mode & S_IWGRP))
		return;
	u = umask(0);
	if (user_umask == (mode_t)-1)
		user_umask = u;
	umask(u & ~(mode_t)(S_IRWXG));
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

/* The state directories; made (how MQ_CREATE) only in a directory that
 * holds nothing else, and in an empty one even to open it (a subscriber
 * just made with mkdir, or a spool so: a take finds it empty). */
static int
make_subdirs(struct mq_spool *sp, int how)
{
	int *fds[] = { &sp->tmp, &sp->new, &sp->cur, &sp->dlq, &sp->done };
	char what[4096], other[256];
	size_t i;
	int made = 0, checked = 0, r, fd;

	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		*fds[i] = mq_opendir(sp->fd, subdirs[i]);
		if (*fds[i] == -1 && errno == ENOENT && !checked) {
			checked = 1;
			if ((r = only_spool(sp, other, sizeof(other))) == -1)
				return mq_fail(MQ_EX_IOERR, sp->path, errno);
			if (r == 0 && how == MQ_CREATE) {
				mq_warnx(sp->path, "not a spool, and not empty "
				    "(it holds %s): left alone", other);
				return MQ_EX_DATAERR;
			}
			if (r == 2) {
				how = MQ_CREATE;
				share_new(sp->fd);
				share(sp->fd);
			}
			errno = ENOENT;
		}
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
	/* The takers' lock file (claim.c), made with the spool: made by a
	 * first take instead, it could cost the inode a full disk has not
	 * got. */
	if (made && (fd = openat(sp->fd, ".claim", O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0666)) != -1)
		close(fd);
	if (made && mq_fsync(sp->fd) == -1)
		return mq_fail(MQ_EX_IOERR, sp->path, errno);
	return MQ_EX_OK;
}

/* Whether the spool's name is a directory (not a symbolic link). */
static int
is_dir(struct mq_spool *sp, const char *name)
{
	struct stat st;

	return fstatat(sp->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode);
}

/* new/ and cur/, which nearly every program uses, are opened now, and a
 * put's tmp/; the others are only looked at (each must be a directory,
 * not a symbolic link, or the spool is refused as before) and opened at
 * their first use (mq_tmp, ...): on a network file system an open and
 * its close are round trips more than a look. Anything amiss, and all
 * five are opened (or made) the careful way, which says what is. */
static int
open_subdirs(struct mq_spool *sp, int how)
{
	if ((sp->new = mq_opendir(sp->fd, "new")) != -1 &&
	    (sp->cur = mq_opendir(sp->fd, "cur")) != -1 &&
	    (how == MQ_CREATE ? (sp->tmp = mq_opendir(sp->fd, "tmp")) != -1 :
	    is_dir(sp, "tmp")) && is_dir(sp, "dlq") && is_dir(sp, "done"))
		return MQ_EX_OK;
	if (sp->new != -1)
		close(sp->new);
	if (sp->cur != -1)
		close(sp->cur);
	if (sp->tmp != -1)
		close(sp->tmp);
	sp->new = sp->cur = sp->tmp = -1;
	return make_subdirs(sp, how);
}

int
mq_spool_late(struct mq_spool *sp, int *fd, const char *name)
{
	char what[4096];
	int err;

	if ((*fd = mq_opendir(sp->fd, name)) != -1 || sp->late_said)
		return *fd;
	err = errno;
	sp->late_said = 1;
	if (err == ENOENT)
		mq_warnx(sp->path, "not a spool (no %s/)", name);
	else
		(void)mq_fail_entry(MQ_EX_IOERR, mq_spool_where(sp, name, NULL,
		    what, sizeof(what)), sp->fd, name, S_IFDIR, err);
	errno = err;
	return -1;
}

int
mq_spool_open(struct mq_spool *sp, const char *path, int how)
{
	size_t len = strlen(path);
	int made = 0, status;

	sp->fd = sp->tmp = sp->new = sp->cur = sp->dlq = sp->done = -1;
	sp->reason = sp->key = sp->group = sp->lost = sp->counts = -1;
	sp->parked = sp->log = -1;
	sp->remote = sp->claim = -1;
	sp->count_later = 0;
	sp->late_said = 0;
	sp->acks_due = 0;
	sp->due_since = 0;
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
	/* (opened first: made only when it is not there, a round trip
	 * saved on a network file system) */
	sp->fd = open(sp->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->fd == -1 && how == MQ_CREATE) {	/* made, or why not said */
		if ((status = make_spool(sp->path, &made)) != 0)
			return status;
		sp->fd = open(sp->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
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
	if (made)
		share_new(sp->fd);
	share(sp->fd);
	if (made)
		mq_warnx(sp->path, "a new spool, made now");
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
	    &sp->parked, &sp->log,
	    &sp->counts, &sp->claim };
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(sp->path);
	sp->path = NULL;
}
