/* group: ordering groups (mq-put -g), one message of a group at a time.
 *
 * Group G lives in SPOOL/group/G/:
 *
 *   lock            an fcntl lock: puts and releases of G, one at a time
 *   K1/K2/K3/NAME   the members waiting their turn, a trie like new/'s
 *                   keyed by the millisecond of their id, so in put order
 *   NAME            the front: a second link to the one member now in
 *                   new/ or cur/ (ready, delayed for a retry, or leased)
 *
 * NAME is the message's name with 0 attempts, "ID,0,GEN,G"; a member's
 * name carries its group, so whoever finishes it knows what to release.
 *
 * Letting the first member through: link it into new/ (keyed by its own
 * ready time, so an old message is not put behind newer ones) and fsync
 * that leaf; then rename it from the trie to the front; fsync. A crash
 * between the two leaves a member with two links in the trie: the next
 * look completes the move instead of linking it again.
 *
 * The front is finished when its link count is 1 (acked: its other link
 * is gone), or when its other link is in done/ or dlq/. The finisher
 * says so under the lock and lets the next one through; if it died
 * first, the next put to the group, or a taker's sweep (at most once a
 * minute), finds the front finished and does it. The front's link is
 * made only after its link in new/ is durable, so a front with one link
 * is always a finished one. A group left with nothing is removed.
  *
 * Only move.c calls the moves (put into a group, release after a member
 * is finished, the sweep): they are parts of its rows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "rename.h"
#include "sweep.h"
#include "trie.h"
#include "wait.h"

#define TRIES 1000		/* groups removed under us before giving up */
#define PROBE_MAX 1000		/* attempts probed for in done/ and dlq/ */

/* A group held open, and locked: group/NAME/ and its lock. */
struct group {
	struct mq_spool *sp;
	const char *name;
	int dir, lock;
	int status;		/* the worst of what went wrong in it */
	int moved;		/* a member was let through */
	char path[4096];	/* SPOOL/group/NAME, in messages */
	int badfd;		/* where group_open failed: badfd/bad, */
	const char *bad;	/* which should have been a badtype */
	mode_t badtype;
};

static void
group_close(struct group *g)
{
	if (g->lock != -1)
		close(g->lock);
	if (g->dir != -1)
		close(g->dir);
	g->lock = g->dir = -1;
}

static int
group_open(struct mq_spool *sp, const char *name, struct group *g,
    int how)
{
	struct stat a, b;
	int tries;

	g->sp = sp;
	g->name = name;
	g->dir = g->lock = -1;
	g->status = MQ_EX_OK;
	g->moved = 0;
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
			return -1;	/* g->dir stays open for open_fail */
		group_close(g);
	}
	errno = EAGAIN;
	return -1;
}

static int
open_fail(struct group *g, int status)
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
	group_close(g);
	return status;
}

static int
fail(struct group *g, const char *name, int err)
{
	char what[4096 + MQ_NAME_MAX + 2];

	snprintf(what, sizeof(what), "%s%s%s", g->path, name ? "/" : "",
	    name ? name : "");
	g->status = mq_worst(g->status, mq_fail(MQ_EX_IOERR, what, err));
	return -1;
}

static int
front(struct group *g, char name[MQ_NAME_MAX + 1],
    struct stat *st)
{
	struct mq_names names;
	struct mq_name n;
	size_t i;
	int found = 0;

	if (mq_dir_list(g->dir, &names) == -1)
		return fail(g, NULL, errno);
	for (i = 0; i < names.n && !found; i++) {
		if (mq_name_parse(names.v[i], &n) == -1 ||
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
	for (a = 0; a <= max && a <= PROBE_MAX; a++) {
		n.attempts = (unsigned long)a;
		mq_name_format(other, &n);
		if (fstatat(dirfd, other, &o, AT_SYMLINK_NOFOLLOW) == 0 &&
		    o.st_ino == st->st_ino && o.st_dev == st->st_dev)
			return 1;
	}
	return 0;
}

static int
finished(struct group *g, const char *name, const struct stat *st,
    ino_t ino)
{
	struct mq_spool *sp = g->sp;

	if (st->st_nlink == 1 || (ino != 0 && st->st_ino == ino))
		return 1;
	/* Its other link in done/ or dlq/: its finisher died before the
	 * release. A few fstatat calls, in the directories only. */
	return lies_in(sp->dlq, name, st, sp->pol.max_attempts) ||
	    lies_in(sp->done, name, st, sp->pol.max_attempts);
}

/* The moves: hold, promote, release. */

/* promote: the member name (in the trie's leaf) through: linked into
 * new/ and that leaf made durable, then renamed to the front. */
static int
promote(int leaffd, const char *leaf, const char *name, void *arg)
{
	struct group *g = arg;
	struct mq_spool *sp = g->sp;
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	struct mq_name n;
	struct stat st;
	int err;

	if (mq_name_parse(name, &n) == -1 || n.attempts != 0 ||
	    strcmp(n.group, g->name) != 0) {
		mq_warnx(leaf, "%s: not a member of this group, skipped", name);
		return 0;
	}
	if (fstatat(leaffd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode)) {
		mq_warnx(leaf, "%s: not a regular file, skipped", name);
		return 0;
	}
	if (st.st_nlink == 1) {		/* not yet linked into new/ */
		err = mq_leaf_enter(sp->new, &lf,
		    mq_ready_key(mq_ts_ms(&st.st_mtim)), leaffd, name, name,
		    MQ_LEAF_LINK | MQ_LEAF_EARLIER);
		if (err == 0 && sp->pol.sync)
			err = mq_leaf_sync(&lf);
		if (lf.fd[0] != -1)
			mq_leaf_close(&lf);
		if (err != 0 && err != EEXIST)
			return fail(g, name, err);
	}
	/* Already the front (a crash after this rename, lost with its
	 * directory's fsync): the move is finished, the trie's link goes. */
	if (mq_rename(leaffd, name, g->dir, name, MQ_RENAME_FINISH) == -1)
		return fail(g, name, errno);
	if (sp->pol.sync && (mq_fsync(g->dir) == -1 || mq_fsync(leaffd) == -1))
		return fail(g, NULL, errno);
	mq_ring(sp);
	g->moved = 1;
	return 1;
}

/* Under the lock: if the front is finished, removes it and lets the next
 * member through. ino: the file just finished, or 0. */
static void
advance(struct group *g, ino_t ino)
{
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int r;

	if ((r = front(g, name, &st)) == -1)
		return;
	if (r == 1) {
		if (!finished(g, name, &st, ino))
			return;
		if (unlinkat(g->dir, name, 0) == -1 && errno != ENOENT) {
			fail(g, name, errno);
			return;
		}
	}
	if (mq_trie_files(g->dir, g->path, INT64_MAX, MQ_WALK_MIXED, promote,
	    g) == -1) {
		g->status = mq_worst(g->status, MQ_EX_IOERR);
		return;
	}
	/* Nothing left: the group goes (the walk removed its empty
	 * directories). Whoever waits on our lock finds it unlinked and
	 * starts again; rmdir fails if someone is making a new lock. */
	if (!g->moved && unlinkat(g->dir, "lock", 0) == 0)
		(void)unlinkat(g->sp->group, g->name, AT_REMOVEDIR);
}

int
mq_group_put(struct mq_spool *sp, int fromfd, const char *from,
    const struct mq_name *n)
{
	struct group g;
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int err;

	/* A dead letter redriven may still be its group's front (a crash
	 * at its burial): as the same file, that front is finished. */
	st.st_ino = 0;
	(void)fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW);
	if (group_open(sp, n->group, &g, MQ_CREATE) != 0)
		return open_fail(&g, MQ_EX_CANTCREAT);
	mq_name_format(name, n);
	err = mq_leaf_enter(g.dir, &lf, mq_id_ms(n->id), fromfd, from, name,
	    fromfd == sp->tmp || !sp->pol.sync ? 0 : MQ_LEAF_PRESYNC);
	if (err == 0 && sp->pol.sync)
		err = mq_leaf_sync(&lf);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err == ENOENT && fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW) ==
	    -1) {
		g.status = MQ_EX_LOST;	/* moved meanwhile: said by the caller */
	} else if (err != 0) {
		(void)fail(&g, name, err);
	} else {
		advance(&g, st.st_ino);
	}
	group_close(&g);
	return g.status;
}

int
mq_group_release(struct mq_spool *sp, const char *group, ino_t ino)
{
	struct group g;
	int r;

	if ((r = group_open(sp, group, &g, MQ_OPEN)) == 1)
		return MQ_EX_OK;
	if (r == -1)
		return open_fail(&g, MQ_EX_IOERR);
	advance(&g, ino);
	group_close(&g);
	return g.status;
}

int
mq_group_withdraw(struct mq_spool *sp, const struct mq_name *n)
{
	struct group g;
	struct mq_name m = *n;
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int64_t ready;
	int err, r;

	if ((r = group_open(sp, n->group, &g, MQ_OPEN)) == 1)
		return MQ_EX_LOST;
	if (r == -1)
		return open_fail(&g, MQ_EX_IOERR);
	m.attempts = 0;
	mq_name_format(name, &m);
	/* Still waiting in the trie: it goes, nobody saw it. */
	if ((err = mq_leaf_unlink(g.dir, mq_id_ms(m.id), name)) != ENOENT) {
		if (err != 0)
			fail(&g, name, err);
		group_close(&g);
		return g.status;
	}
	/* Let through: its link in new/ (keyed by its ready time, rounded
	 * or not as it was then), if no taker has it yet, and the front. */
	g.status = MQ_EX_LOST;
	if (fstatat(g.dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		ready = mq_ts_ms(&st.st_mtim);
		if ((err = mq_leaf_unlink(sp->new, ready - ready % MQ_BUCKET,
		    name)) == ENOENT)
			err = mq_leaf_unlink(sp->new, ready, name);
		if (err == 0) {
			g.status = MQ_EX_OK;
			if (unlinkat(g.dir, name, 0) == -1 && errno != ENOENT)
				fail(&g, name, errno);
			else
				advance(&g, st.st_ino);
		} else if (err != ENOENT) {
			g.status = MQ_EX_OK;
			fail(&g, name, err);
		}
	}
	group_close(&g);
	return g.status;
}

static int
sweep_group(int dirfd, const char *name, const struct stat *st, void *arg)
{
	struct mq_spool *sp = arg;
	struct group g;

	(void)dirfd;
	(void)st;
	if (!mq_key_valid(name))
		return 0;		/* .swept, or not ours */
	if (group_open(sp, name, &g, MQ_OPEN) == 0)
		advance(&g, 0);
	group_close(&g);		/* not a group: left alone */
	return 0;
}

void
mq_group_sweep(struct mq_spool *sp, int64_t now)
{
	if (mq_spool_subdir(sp, &sp->group, "group", MQ_OPEN) == -1)
		return;
	mq_sweep(sp->group, sp->group, ".swept", 60 * 1000, now, sweep_group,
	    sp);
}

int
mq_group_names(struct mq_spool *sp, struct mq_names *names)
{
	size_t i, n = 0;

	names->v = NULL;
	names->n = 0;
	if (mq_spool_subdir(sp, &sp->group, "group", MQ_OPEN) == -1)
		return errno == ENOENT ? 0 : -1;
	if (mq_dir_list(sp->group, names) == -1)
		return -1;
	for (i = 0; i < names->n; i++) {
		if (mq_key_valid(names->v[i]))
			names->v[n++] = names->v[i];
		else
			free(names->v[i]);	/* .swept, or not ours */
	}
	names->n = n;
	return 0;
}
