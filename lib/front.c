/* front: a group's directory held open and locked, its front judged, and
 * a member another user put made a file of the taker's own.
 *
 * The front (group.c) is a second link to the member now out: its link
 * count tells when the member is finished. But a taker may set a file's
 * times (a lease's deadline) only when the file is its own, and in a
 * spool shared by several users the member may be another's. Such a
 * taker, under the group's lock, makes a copy of the member and swaps it
 * in under the member's name in new/, the group keeping a link to the
 * copy beside the front. The names, for front F ("ID,0,GEN,G"):
 *
 *   -F   the copy being made, and after the swap the old file
 *   +F   the copy: when it is there, it stands for the member out
 *   ~F   a copy of +F being made (a third user's take)
 *
 * Each step is one call, and the names tell after any crash which step
 * was the last: the next holder of the lock finishes or undoes it
 * (settle) before the front is judged.
 *
 *   1  copy the member to -F              -F alone
 *   2  link -F to +F                      -F and +F one file
 *   3  swap -F and the name in new/       -F is F's (or +F's) file
 *   4  unlink -F                          done: +F stands for it
 *
 * and for a copy of a copy, ~F takes +F's part in 1 to 3, then +F goes
 * and ~F is renamed +F. A crash before a swap leaves the member as it
 * was; after it, the copy is the member. Only Linux has the swap
 * (renameat2 RENAME_EXCHANGE): elsewhere such a member is not taken, and
 * the taker says so.
 */
#ifdef __linux__
#define _GNU_SOURCE		/* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "front.h"
#include "held.h"
#include "rename.h"

#define TRIES 1000		/* groups removed under us before giving up */
#define PROBE_MAX 1000		/* attempts probed for in done/ and dlq/ */
#define MARKS "+-~"		/* the first characters of a copy's names */

void
mq_grp_close(struct mq_grp *g)
{
	mq_held_end(g);
	if (g->lock != -1)
		close(g->lock);
	if (g->dir != -1)
		close(g->dir);
	g->lock = g->dir = -1;
}

int
mq_grp_open(struct mq_spool *sp, const char *name, struct mq_grp *g,
    int how)
{
	struct stat a, b;
	int tries;

	g->sp = sp;
	g->name = name;
	g->dir = g->lock = -1;
	g->status = MQ_EX_OK;
	g->moved = 0;
	g->held = -1;
	g->held_dirty = 0;
	g->parked_marks = 1;	/* until a listing says */
	mq_spool_where(sp, "group", name, g->path, sizeof(g->path));
	g->badfd = sp->fd;
	g->bad = "group";
	g->badtype = S_IFDIR;
	if (mq_spool_subdir(sp, &sp->group, "group", how) == -1)
		return errno == ENOENT && how == MQ_OPEN ? 1 : -1;
	for (tries = 0; tries < TRIES; tries++) {
		g->badfd = sp->group;
		g->bad = name;
		if ((g->dir = mq_opendir(sp->group, name)) == -1) {
			if (errno != ENOENT)
				return -1;
			if (how == MQ_OPEN)
				return 1;
			if (mkdirat(sp->group, name, 0777) == 0) {
				/* A member put in it must survive a power cut. */
				if (sp->pol.sync && mq_fsync(sp->group) == -1)
					return -1;
			} else if (errno != EEXIST) {
				return -1;
			}
			continue;
		}
		g->badfd = g->dir;
		g->bad = "lock";
		g->badtype = S_IFREG;
		g->lock = mq_openfile(g->dir, "lock", O_RDWR | O_CREAT, 0666,
		    NULL);
		if (g->lock != -1 && mq_lock(g->lock, F_WRLCK, 0, 0, 1) == 0 &&
		    fstat(g->lock, &a) == 0 &&
		    fstatat(g->dir, "lock", &b, AT_SYMLINK_NOFOLLOW) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return 0;
		/* The group was removed as we came in: again. */
		if (g->lock == -1 && errno != ENOENT)
			return -1;	/* g->dir stays open for mq_grp_open_fail */
		mq_grp_close(g);
	}
	errno = EAGAIN;
	return -1;
}

int
mq_grp_open_fail(struct mq_grp *g, int status)
{
	char what[4096 + 8];
	int err = errno;

	if (strcmp(g->bad, "group") == 0)
		mq_spool_where(g->sp, "group", NULL, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "%s%s", g->path,
		    strcmp(g->bad, "lock") == 0 ? "/lock" : "");
	status = mq_fail_entry(status, what, g->badfd, g->bad, g->badtype,
	    err);
	mq_grp_close(g);
	return status;
}

int
mq_grp_fail(struct mq_grp *g, const char *name, int err)
{
	char what[4096 + MQ_NAME_MAX + 2];

	snprintf(what, sizeof(what), "%s%s%s", g->path, name ? "/" : "",
	    name ? name : "");
	g->status = mq_worst(g->status, mq_fail(MQ_EX_IOERR, what, err));
	return -1;
}

/* The front's name and file; *marked: names of copies were seen. */
static int
front_name(struct mq_grp *g, char name[MQ_NAME_MAX + 1],
    struct stat *st, int *marked)
{
	struct mq_names names;
	struct mq_name n;
	size_t i;
	int found = 0;

	*marked = 0;
	g->parked_marks = 0;
	if (mq_dir_list(g->dir, &names) == -1)
		return mq_grp_fail(g, NULL, errno);
	for (i = 0; i < names.n; i++) {
		if (strchr(MARKS, names.v[i][0]) != NULL)
			*marked = 1;
		if (names.v[i][0] == '=')
			g->parked_marks = 1;
		if (found || mq_name_parse(names.v[i], &n) == -1 ||
		    strcmp(n.group, g->name) != 0)
			continue;
		if (fstatat(g->dir, names.v[i], st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st->st_mode))
			continue;
		snprintf(name, MQ_NAME_MAX + 1, "%s", names.v[i]);
		found = 1;
	}
	mq_names_free(&names);
	return found;
}

/* Whether the file st, named name with 0 attempts, is in dirfd under
 * some attempt count. */
static int
lies_in(int dirfd, const char *name, const struct stat *st, long max)
{
	struct mq_name n;
	struct stat o;
	char other[MQ_NAME_MAX + 1];
	long a;

	if (dirfd == -1 || mq_name_parse(name, &n) == -1)
		return 0;
	/* Many attempts to probe for: first a look whether there is any. */
	if (max > 8 && mq_dir_empty(dirfd))
		return 0;
	for (a = 0; a <= max && a <= PROBE_MAX; a++) {
		n.attempts = (unsigned long)a;
		mq_name_format(other, &n);
		if (fstatat(dirfd, other, &o, AT_SYMLINK_NOFOLLOW) == 0 &&
		    o.st_ino == st->st_ino && o.st_dev == st->st_dev)
			return 1;
	}
	return 0;
}

int
mq_grp_finished(struct mq_grp *g, const char *name, const struct stat *st,
    ino_t ino)
{
	struct mq_spool *sp = g->sp;

	if (st->st_nlink == 1 || (ino != 0 && st->st_ino == ino))
		return 1;
	/* Its other link in done/ or dlq/: its finisher died before the
	 * release. A few fstatat calls, in the directories only. */
	return lies_in(mq_dlq(sp), name, st, sp->pol.max_attempts) ||
	    lies_in(mq_done(sp), name, st, sp->pol.max_attempts);
}


/* Settling what a crash left of an adoption, and the names of a copy. */

#define SAME(a, b) ((a).st_ino == (b).st_ino && (a).st_dev == (b).st_dev)

static void
mark(char out[MQ_NAME_MAX + 2], char c, const char *name)
{
	out[0] = c;
	snprintf(out + 1, MQ_NAME_MAX + 1, "%s", name);
}

/* 1 (st filled), 0 (no such name), or -1. */
static int
present(int dirfd, const char *name, struct stat *st)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

static int
drop_name(struct mq_grp *g, const char *name)
{
	if (unlinkat(g->dir, name, 0) == -1 && errno != ENOENT)
		return mq_grp_fail(g, name, errno);
	return 0;
}

/* Finishes or undoes an adoption a crash cut short (the top comment).
 * *p: whether +F is there after, and then ps is its file. */
static int
settle(struct mq_grp *g, const char *name, int *hp, struct stat *ps)
{
	char p[MQ_NAME_MAX + 2], m[MQ_NAME_MAX + 2], t[MQ_NAME_MAX + 2];
	struct stat ms, ts;
	int hm, ht;

	mark(p, '+', name);
	mark(m, '-', name);
	mark(t, '~', name);
	if ((*hp = present(g->dir, p, ps)) == -1 ||
	    (hm = present(g->dir, m, &ms)) == -1 ||
	    (ht = present(g->dir, t, &ts)) == -1)
		return mq_grp_fail(g, NULL, errno);
	if (hm && ht && SAME(ms, ts)) {		/* a copy's copy, unswapped */
		if (drop_name(g, t) == -1)
			return -1;
		ht = 0;
	} else if (hm && *hp && !ht && SAME(ms, *ps)) {	/* unswapped */
		if (drop_name(g, p) == -1)
			return -1;
		*hp = 0;
	}
	/* Else -F is the file swapped out, or a copy never linked. */
	if (hm && drop_name(g, m) == -1)
		return -1;
	if (ht) {			/* ~F is the member: it becomes +F */
		if (*hp && drop_name(g, p) == -1)
			return -1;
		if (mq_rename(g->dir, t, g->dir, p, 0) == -1)
			return mq_grp_fail(g, t, errno);
		if (present(g->dir, p, ps) != 1)
			return mq_grp_fail(g, p, errno);
		*hp = 1;
	}
	return 0;
}

int
mq_grp_front(struct mq_grp *g, char name[MQ_NAME_MAX + 1], struct stat *st)
{
	struct stat ps;
	int r, marked, hp = 0;

	if ((r = front_name(g, name, st, &marked)) != 1 || !marked)
		return r;
	if (settle(g, name, &hp, &ps) == -1)
		return -1;
	if (hp)
		*st = ps;	/* the copy stands for the member */
	return 1;
}

int
mq_grp_drop(struct mq_grp *g, const char *name)
{
	char p[MQ_NAME_MAX + 2];

	/* The copy's name first: the front alone, one link, is finished. */
	mark(p, '+', name);
	if (drop_name(g, p) == -1)
		return -1;
	return drop_name(g, name);
}

int
mq_grp_knows(int dirfd, const char *name, const struct stat *st)
{
	char other[MQ_NAME_MAX + 2];
	struct stat o;
	const char *c;

	for (c = " +~"; *c != '\0'; c++) {
		if (*c == ' ')
			snprintf(other, sizeof(other), "%s", name);
		else
			mark(other, *c, name);
		if (present(dirfd, other, &o) == 1 && SAME(o, *st))
			return 1;
	}
	return 0;
}

/* Adoption: the steps of the top comment, under the group's lock. */
int
mq_group_adopt(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n)
{
#if defined(__linux__) && defined(RENAME_EXCHANGE)
	struct mq_grp g;
	struct stat o, f;
	char front[MQ_NAME_MAX + 1], p[MQ_NAME_MAX + 2], m[MQ_NAME_MAX + 2],
	    t[MQ_NAME_MAX + 2];
	int r, err, hp;

	if ((r = mq_grp_open(sp, n->group, &g, MQ_OPEN)) != 0) {
		err = r == 1 ? ENOENT : errno;
		mq_grp_close(&g);
		errno = err;
		return -1;
	}
	/* Still the member out, under the lock, and still there. */
	if (fstatat(leaffd, name, &o, AT_SYMLINK_NOFOLLOW) == -1)
		goto fail;
	if (mq_grp_front(&g, front, &f) != 1 || !SAME(o, f)) {
		errno = ENOENT;
		goto fail;
	}
	mark(p, '+', front);
	mark(m, '-', front);
	mark(t, '~', front);
	hp = present(g.dir, p, &f) == 1;
	if (mq_copy_at(leaffd, name, g.dir, m, sp->pol.sync) == -1)
		goto fail;
	if (linkat(g.dir, m, g.dir, hp ? t : p, 0) == -1 ||
	    (sp->pol.sync && mq_fsync(g.dir) == -1) ||
	    renameat2(g.dir, m, leaffd, name, RENAME_EXCHANGE) == -1) {
		err = errno;
		(void)unlinkat(g.dir, hp ? t : p, 0);
		(void)unlinkat(g.dir, m, 0);
		errno = err;
		goto fail;
	}
	/* The copy is the member now; the rest is settle's. */
	if (sp->pol.sync)
		(void)mq_fsync(leaffd);
	r = mq_grp_front(&g, front, &f);
	mq_grp_close(&g);
	return r == 1 ? 0 : -1;
fail:
	err = errno;
	mq_grp_close(&g);
	errno = err;
	return -1;
#else
	(void)sp;
	(void)leaffd;
	(void)name;
	(void)n;
	return 1;
#endif
}
