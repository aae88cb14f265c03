/* group: ordering groups (mq-put -g), one message of a group at a time.
 *
 * Group G lives in SPOOL/group/G/:
 *
 *   lock            an fcntl lock: puts and releases of G, one at a time
 *   K1/K2/K3/NAME   the members waiting their turn, a trie like new/'s
 *                   keyed by the millisecond of their id, so in put order
 *   NAME            the front: a second link to the one member now in
 *                   new/ or cur/ (ready, delayed for a retry, or leased)
 *   =NAME           the mark of a member taken out to parked/ (mq-park):
 *                   while it is there, no member is let through
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
#include "front.h"
#include "group.h"
#include "held.h"
#include "rename.h"
#include "sweep.h"
#include "trie.h"
#include "wait.h"




/* The moves: hold, promote, release. */

/* The ready time a member's link in new/ is keyed by: its mtime (its
 * stamp: the put's, a delay's, a redrive's), or its id's time when that
 * is later and past, as for a put without a group (commit.c): a put's
 * stamp is taken before its file is synced and its id made, and a look
 * by id (ls.c) begins at the id's leaf. */
static int64_t
front_ready(const struct stat *st, const char *id)
{
	int64_t ready = mq_ts_ms(&st->st_mtim), at = mq_id_ms(id);

	return at > ready && at <= mq_now_ms() ? at : ready;
}

/* promote: the member name (in the trie's leaf) through: linked into
 * new/ and that leaf made durable, then renamed to the front. */
static int
promote(int leaffd, const char *leaf, const char *name, void *arg)
{
	struct mq_grp *g = arg;
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
		    mq_ready_key(front_ready(&st, n.id)), leaffd, name, name,
		    MQ_LEAF_LINK | MQ_LEAF_EARLIER);
		if (err == 0 && sp->pol.sync)
			err = mq_leaf_sync(&lf);
		if (lf.fd[0] != -1)
			mq_leaf_close(&lf);
		if (err != 0 && err != EEXIST)
			return mq_grp_fail(g, name, err);
	}
	/* Already the front (a crash after this rename, lost with its
	 * directory's fsync): the move is finished, the trie's link goes. */
	mq_held_begin(g);
	if (mq_rename(leaffd, name, g->dir, name, MQ_RENAME_FINISH) == -1)
		return mq_grp_fail(g, name, errno);
	mq_held_add(g, -1);
	if (sp->pol.sync && (mq_fsync(g->dir) == -1 || mq_fsync(leaffd) == -1))
		return mq_grp_fail(g, NULL, errno);
	mq_ring(sp);
	g->moved = 1;
	return 1;
}

/* Whether a member taken out of the trie to parked/ holds the group: its
 * mark, "=NAME" beside the front, made before it went. A mark whose
 * member is not in parked/ (kicked back, deleted, or a crash before it
 * went) goes. */
static int
parked_member(struct mq_grp *g)
{
	struct mq_names names;
	struct stat st;
	size_t i;
	int held = 0;

	/* (the front's listing, under the same lock, saw whether any) */
	if (!g->parked_marks || mq_dir_list(g->dir, &names) == -1)
		return 0;
	for (i = 0; i < names.n; i++) {
		if (names.v[i][0] != '=')
			continue;
		if (mq_spool_subdir(g->sp, &g->sp->parked, "parked", MQ_OPEN) ==
		    0 && fstatat(g->sp->parked, names.v[i] + 1, &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			held = 1;
		else
			(void)unlinkat(g->dir, names.v[i], 0);
	}
	mq_names_free(&names);
	return held;
}

/* Under the lock: if the front is finished, removes it and lets the next
 * member through, unless a member is parked (the group waits for it, in
 * its order). ino: the file just finished, or 0. */
static void
advance(struct mq_grp *g, ino_t ino)
{
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int r;

	if ((r = mq_grp_front(g, name, &st)) == -1)
		return;
	if (r == 1) {
		if (!mq_grp_finished(g, name, &st, ino))
			return;
		if (mq_grp_drop(g, name) == -1)
			return;
	}
	if (parked_member(g))
		return;
	if (mq_trie_first_files(g->dir, g->path, INT64_MAX, MQ_WALK_MIXED, 1,
	    promote, g) == -1) {
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
	struct mq_grp g;
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int err;

	/* A dead letter redriven may still be its group's front (a crash
	 * at its burial): as the same file, that front is finished. */
	st.st_ino = 0;
	(void)fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW);
	if (mq_grp_open(sp, n->group, &g, MQ_CREATE) != 0)
		return mq_grp_open_fail(&g, MQ_EX_CANTCREAT);
	mq_name_format(name, n);
	mq_held_begin(&g);
	err = mq_leaf_enter(g.dir, &lf, mq_id_ms(n->id), fromfd, from, name,
	    fromfd == sp->tmp || !sp->pol.sync ? 0 : MQ_LEAF_PRESYNC);
	if (err == 0)
		mq_held_add(&g, 1);
	if (err == 0 && sp->pol.sync)
		err = mq_leaf_sync(&lf);
	if (lf.fd[0] != -1)
		mq_leaf_close(&lf);
	if (err == ENOENT && fstatat(fromfd, from, &st, AT_SYMLINK_NOFOLLOW) ==
	    -1) {
		g.status = MQ_EX_LOST;	/* moved meanwhile: said by the caller */
	} else if (err != 0) {
		(void)mq_grp_fail(&g, name, err);
	} else {
		advance(&g, st.st_ino);
	}
	mq_grp_close(&g);
	return g.status;
}

int
mq_group_release(struct mq_spool *sp, const char *group, ino_t ino)
{
	struct mq_grp g;
	int r;

	if ((r = mq_grp_open(sp, group, &g, MQ_OPEN)) == 1)
		return MQ_EX_OK;
	if (r == -1)
		return mq_grp_open_fail(&g, MQ_EX_IOERR);
	advance(&g, ino);
	mq_grp_close(&g);
	return g.status;
}

/* Unlinks name from new/'s leaf of ready, rounded to either bucket or
 * not: 0 or an errno (ENOENT: in none of them). */
static int
unlink_front(struct mq_spool *sp, int64_t ready, const char *name)
{
	int err;

	if ((err = mq_leaf_unlink(sp->new, ready - ready % MQ_BUCKET,
	    name)) != ENOENT || (err = mq_leaf_unlink(sp->new, ready -
	    ready % MQ_BUCKET_REMOTE, name)) != ENOENT)
		return err;
	return mq_leaf_unlink(sp->new, ready, name);
}

int
mq_group_withdraw(struct mq_spool *sp, const struct mq_name *n)
{
	struct mq_grp g;
	struct mq_name m = *n;
	struct stat st;
	char name[MQ_NAME_MAX + 1];
	int64_t ready;
	int err, r;

	if ((r = mq_grp_open(sp, n->group, &g, MQ_OPEN)) == 1)
		return MQ_EX_LOST;
	if (r == -1)
		return mq_grp_open_fail(&g, MQ_EX_IOERR);
	m.attempts = 0;
	mq_name_format(name, &m);
	/* Still waiting in the trie: it goes, nobody saw it. */
	mq_held_begin(&g);
	if ((err = mq_leaf_unlink(g.dir, mq_id_ms(m.id), name)) != ENOENT) {
		if (err != 0)
			mq_grp_fail(&g, name, err);
		else
			mq_held_add(&g, -1);
		mq_grp_close(&g);
		return g.status;
	}
	/* Let through: its link in new/ (keyed by its ready time, rounded
	 * or not as it was then; by its mtime alone before front_ready
	 * was), if no taker has it yet, and the front. */
	g.status = MQ_EX_LOST;
	if (fstatat(g.dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		ready = front_ready(&st, m.id);
		err = unlink_front(sp, ready, name);
		if (err == ENOENT && ready != mq_ts_ms(&st.st_mtim))
			err = unlink_front(sp, mq_ts_ms(&st.st_mtim), name);
		if (err == 0) {
			g.status = MQ_EX_OK;
			if (mq_grp_drop(&g, name) == 0)
				advance(&g, st.st_ino);
		} else if (err != ENOENT) {
			g.status = MQ_EX_OK;
			mq_grp_fail(&g, name, err);
		}
	}
	mq_grp_close(&g);
	return g.status;
}

/* The sweep: a slice of the groups at a time, so that no take pays for
 * all of them. group/.swept holds the name of the last group swept (a
 * pass begins again after the greatest), and its mtime says when the
 * next slice is due: spaced so that a pass over every group takes a
 * minute, however many there are. */
#define SLICE 256		/* groups looked at by one sweep */
#define PASS (60 * 1000)	/* ms: how long a pass over all of them takes */

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sweep_group(struct mq_spool *sp, const char *name)
{
	struct mq_grp g;

	if (mq_grp_open(sp, name, &g, MQ_OPEN) == 0)
		advance(&g, 0);
	mq_grp_close(&g);		/* not a group: left alone */
}

void
mq_group_sweep(struct mq_spool *sp, int64_t now)
{
	struct mq_names names;
	char last[MQ_KEY_MAX + 2] = "";
	size_t i, k, n;
	ssize_t r;
	int fd;

	if (mq_spool_subdir(sp, &sp->group, "group", MQ_OPEN) == -1 ||
	    !mq_sweep_due(sp->group, ".swept", PASS, now))
		return;
	if ((fd = mq_openfile(sp->group, ".swept", O_RDWR, 0, NULL)) != -1 &&
	    (r = pread(fd, last, sizeof(last) - 1, 0)) > 0) {
		last[r] = '\0';
		last[strcspn(last, "\n")] = '\0';
	}
	if (mq_group_names(sp, &names) == 0) {
		qsort(names.v, names.n, sizeof(*names.v), by_name);
		for (i = 0; i < names.n && strcmp(names.v[i], last) <= 0; i++)
			;
		if (i == names.n)	/* a pass ended: the next one */
			i = 0;
		for (k = i, n = 0; k < names.n && n < SLICE; k++, n++)
			sweep_group(sp, names.v[k]);
		/* where the next slice begins, and when: a pass a minute */
		if (fd != -1) {
			snprintf(last, sizeof(last), "%s\n",
			    k < names.n ? names.v[k - 1] : "");
			if (pwrite(fd, last, strlen(last), 0) != -1)
				(void)ftruncate(fd, (off_t)strlen(last));
		}
		if (names.n > SLICE)
			(void)mq_stamp(sp->group, ".swept", now - PASS +
			    PASS * SLICE / (int64_t)names.n);
		mq_names_free(&names);
	}
	if (fd != -1)
		(void)close(fd);
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

/* The mark of member name parked, made (and fsynced), or removed: 0, or
 * an errno. */
static int
mark_parked(struct mq_grp *g, const char *name)
{
	char mark[MQ_NAME_MAX + 2];
	int fd;

	snprintf(mark, sizeof(mark), "=%s", name);
	fd = openat(g->dir, mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0666);
	if (fd == -1)
		return errno;
	if (close(fd) == -1 || (g->sp->pol.sync && mq_fsync(g->dir) == -1))
		return errno;
	return 0;
}

static int
unmark_parked(struct mq_grp *g, const char *name)
{
	char mark[MQ_NAME_MAX + 2];

	snprintf(mark, sizeof(mark), "=%s", name);
	return unlinkat(g->dir, mark, 0) == -1 ? errno : 0;
}

int
mq_group_take_out(struct mq_spool *sp, const struct mq_name *n, int leaffd,
    const char *name, int intofd)
{
	struct mq_grp g;
	int r;

	if ((r = mq_grp_open(sp, n->group, &g, MQ_OPEN)) == 1)
		return MQ_EX_LOST;
	if (r == -1)
		return mq_grp_open_fail(&g, MQ_EX_IOERR);
	/* Under the group's lock no member is let through meanwhile: one
	 * still in the trie has no other name. Parked, it leaves its mark
	 * first, so the group waits for it instead of going on without it
	 * (a crash before it went leaves a mark the next look removes). */
	if (intofd != -1 && (r = mark_parked(&g, name)) != 0) {
		g.status = mq_grp_fail(&g, name, r) == -1 ? MQ_EX_IOERR : 0;
		mq_grp_close(&g);
		return g.status;
	}
	mq_held_begin(&g);
	r = intofd == -1 ? unlinkat(leaffd, name, 0) :
	    mq_rename(leaffd, name, intofd, name, 0);
	if (r == 0)
		mq_held_add(&g, -1);
	if (r == -1) {
		g.status = errno == ENOENT ? MQ_EX_LOST :
		    mq_grp_fail(&g, name, errno) == -1 ? MQ_EX_IOERR : 0;
		if (intofd != -1)
			(void)unmark_parked(&g, name);
	}
	mq_grp_close(&g);
	return g.status;
}
