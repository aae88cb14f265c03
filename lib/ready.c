/* ready: new/, the trie of waiting messages keyed by their ready time.
 *
 * The key is a time in milliseconds; key K lives in new/K1/K2/K3 with
 * K1 = K / 10^6 (about 16 minutes a directory), K2 = K / 1000 % 1000 (a
 * second) and K3 = K % 1000 (a millisecond), K2 and K3 with three digits,
 * so that `ls` orders them and the three read together are K. Each level
 * holds at most a thousand entries (K1: one per 16 minutes of keys), so
 * reaching the oldest leaf costs a few small listings at any depth.
 *
 * A put ready at once, an expired lease, and a group's next message are
 * filed under their ready time rounded down to a tenth of a second
 * (mq_ready_key): a loop of puts then shares a leaf instead of making a
 * directory, and fsyncing its parent, per message; within a leaf, files
 * go out by id, oldest first, so an expired lease still comes before
 * what was put after its deadline. A file ready later keeps its exact key,
 * so that takers never look at it before its time, and so does a redrive
 * (behind everything already waiting).
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
#include "ready.h"

#define RETRIES 1000		/* leaves removed under us before giving up */

static void
level_names(int64_t key, char names[3][24])
{
	snprintf(names[0], sizeof(names[0]), "%lld", (long long)(key / 1000000));
	snprintf(names[1], sizeof(names[1]), "%03d", (int)(key / 1000 % 1000));
	snprintf(names[2], sizeof(names[2]), "%03d", (int)(key % 1000));
}

void
mq_leaf_close(struct mq_leaf *lf)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (lf->fd[i] != -1)
			close(lf->fd[i]);
		lf->fd[i] = -1;
	}
}

int64_t
mq_ready_key(int64_t ready)
{
	return ready <= mq_now_ms() ? ready - ready % MQ_BUCKET : ready;
}

/* The greatest leaf key at most key under fd (level, base); -1: none. */
static int64_t
before_in(int fd, int level, int64_t base, int64_t key)
{
	static const int64_t span[3] = { 1000000, 1000, 1 };
	struct mq_names names;
	int64_t start, best = -1;
	size_t i;
	int cfd;

	if (mq_dir_list(fd, &names) == -1)
		return -1;
	mq_names_sort(&names);
	for (i = names.n; i-- > 0 && best == -1; ) {
		if (!mq_level_valid(names.v[i], level))
			continue;
		start = base + strtoll(names.v[i], NULL, 10) * span[level];
		if (start > key)
			continue;	/* all of it is later */
		if (level == 2) {
			best = start;
			break;
		}
		if ((cfd = mq_opendir(fd, names.v[i])) == -1)
			continue;
		best = before_in(cfd, level + 1, start, key);
		close(cfd);
	}
	mq_names_free(&names);
	return best;
}

int
mq_leaf_open_at(int root, int64_t key, struct mq_leaf *lf)
{
	char names[3][24];
	int tries, i, parent, err;

	lf->root = root;
	lf->key = key;
	lf->made = 0;
	lf->why = NULL;
	lf->fd[0] = lf->fd[1] = lf->fd[2] = -1;
	level_names(key, names);
	for (tries = 0; tries < RETRIES; tries++) {
		parent = root;
		for (i = 0; i < 3; i++) {
			lf->fd[i] = mq_opendir(parent, names[i]);
			if (lf->fd[i] == -1 && errno == ENOENT) {
				if (mkdirat(parent, names[i], 0777) == 0)
					lf->made |= 1 << i;
				else if (errno != EEXIST)
					break;
				lf->fd[i] = mq_opendir(parent, names[i]);
			}
			if (lf->fd[i] == -1)
				break;
			parent = lf->fd[i];
		}
		if (i == 3)
			return 0;
		err = errno;
		if ((err == ENOTDIR || err == ELOOP) && (lf->why =
		    mq_entry_why(parent, names[i], S_IFDIR)) != NULL)
			snprintf(lf->bad, sizeof(lf->bad), "%s%s%s%s%s",
			    names[0], i > 0 ? "/" : "", i > 0 ? names[1] : "",
			    i > 1 ? "/" : "", i > 1 ? names[2] : "");
		mq_leaf_close(lf);
		if (err != ENOENT)	/* ENOENT: a taker removed a level */
			return err;
	}
	return ENOENT;
}

/* fsync of each parent of a directory we made. */
static int
sync_made(struct mq_leaf *lf)
{
	int i, parent;

	for (i = 2; i >= 0; i--) {
		if (!(lf->made & (1 << i)))
			continue;
		parent = i == 0 ? lf->root : lf->fd[i - 1];
		if (mq_fsync(parent) == -1)
			return errno;
	}
	lf->made = 0;
	return 0;
}

int
mq_leaf_sync(struct mq_spool *sp, struct mq_leaf *lf)
{
	(void)sp;
	if (mq_fsync(lf->fd[2]) == -1)
		return errno;
	return sync_made(lf);
}

int
mq_leaf_enter(struct mq_spool *sp, struct mq_leaf *lf, int64_t key,
    int fromfd, const char *from, const char *to)
{
	return mq_leaf_enter_at(lf->fd[0] == -1 ? sp->new : lf->root, lf, key,
	    fromfd, from, to, MQ_LEAF_EARLIER |
	    (sp->pol.sync ? MQ_LEAF_PRESYNC : 0));
}

int
mq_leaf_enter_at(int root, struct mq_leaf *lf, int64_t key, int fromfd,
    const char *from, const char *to, int flags)
{
	struct stat st;
	int64_t earlier;
	int tries, err, made = 0;

	for (tries = 0; tries < RETRIES; tries++) {
		if (lf->fd[0] == -1) {
			if ((err = mq_leaf_open_at(root, key, lf)) != 0 &&
			    (flags & MQ_LEAF_EARLIER) && (err == ENOSPC ||
			    err == EDQUOT || err == EMLINK) &&
			    (earlier = before_in(root, 0, 0, key)) != -1)
				err = mq_leaf_open_at(root, earlier, lf);
			if (err != 0)
				return err;
			if ((flags & MQ_LEAF_PRESYNC) && lf->made != 0 &&
			    (err = sync_made(lf)) != 0)
				return err;
			lf->made |= made;
		}
		if ((flags & MQ_LEAF_LINK ? linkat(fromfd, from, lf->fd[2], to, 0) :
		    renameat(fromfd, from, lf->fd[2], to)) == 0)
			return 0;
		err = errno;
		/* ENOENT with the source still there: the leaf is gone. */
		if (err != ENOENT || fstatat(fromfd, from, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			return err;
		made = lf->made;
		mq_leaf_close(lf);
	}
	return ENOENT;
}

/* The walk. */

struct walk {
	struct mq_spool *sp;
	int mixed;		/* level 0 may hold other files (a group) */
	int64_t until;
	mq_visit_fn *fn;
	void *arg;
	char path[4096];
};

enum { W_EMPTY = 1, W_STOP = 2, W_ERROR = 4 };

int
mq_level_valid(const char *s, int level)
{
	size_t i, n = strlen(s);

	if (level == 0 ? (n == 0 || n > 12 || (s[0] == '0' && n > 1)) : n != 3)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int walk_dir(struct walk *w, int fd, int level, int64_t base);

static int
walk_leaf(struct walk *w, int fd, struct mq_names *names)
{
	const char *name;
	int r;

	mq_names_heapify(names);
	while ((name = mq_names_pop(names)) != NULL) {
		r = w->fn(w->sp, fd, w->path, name, w->arg);
		if (r != 0)
			return r == 1 ? W_STOP : W_ERROR;
	}
	return names->n == 0 ? W_EMPTY : 0;
}

static int
walk_child(struct walk *w, int fd, int level, const char *name, int64_t start,
    int64_t span)
{
	size_t plen = strlen(w->path);
	const char *why;
	int cfd, r;

	if (!mq_level_valid(name, level)) {
		if (level == 0 && w->mixed)
			return 0;	/* the group's lock and front */
		mq_warnx(w->path, "skipping an entry outside the grammar");
		return 0;
	}
	if ((cfd = mq_opendir(fd, name)) == -1) {
		if (errno == ENOENT || errno == ESTALE)
			return W_EMPTY;		/* removed meanwhile */
		snprintf(w->path + plen, sizeof(w->path) - plen, "/%s", name);
		why = errno == ENOTDIR || errno == ELOOP ?
		    mq_entry_why(fd, name, S_IFDIR) : NULL;
		mq_warnx(w->path, "%s, skipped", why ? why : strerror(errno));
		w->path[plen] = '\0';
		return 0;
	}
	snprintf(w->path + plen, sizeof(w->path) - plen, "/%s", name);
	r = walk_dir(w, cfd, level + 1, start);
	w->path[plen] = '\0';
	close(cfd);
	/* An empty directory whose keys are all past is removed; if a
	 * producer is about to fill it, its rename fails and it remakes it. */
	if ((r & W_EMPTY) && start + span <= w->until) {
		if (unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return r;
	}
	return r & ~W_EMPTY;
}

static int
walk_dir(struct walk *w, int fd, int level, int64_t base)
{
	static const int64_t span[3] = { 1000000, 1000, 1 };
	struct mq_names names;
	int64_t start;
	size_t i;
	int r, out = W_EMPTY;

	if (mq_dir_list(fd, &names) == -1) {
		/* Removed as we came in (ESTALE: by another client of a
		 * network file system): empty. */
		if (errno == ENOENT || errno == ESTALE)
			return W_EMPTY;
		mq_warnx(w->path, "%s", strerror(errno));
		return W_ERROR;
	}
	if (level == 3) {
		out = walk_leaf(w, fd, &names);
		mq_names_free(&names);
		return out;
	}
	mq_names_sort(&names);
	for (i = 0; i < names.n; i++) {
		/* (an entry outside the grammar goes to walk_child, which
		 * says so, or in a group passes it over in silence) */
		start = !mq_level_valid(names.v[i], level) ? base :
		    base + strtoll(names.v[i], NULL, 10) * span[level];
		if (mq_level_valid(names.v[i], level) && start > w->until) {
			out &= ~W_EMPTY;
			break;
		}
		r = walk_child(w, fd, level, names.v[i], start, span[level]);
		if (!(r & W_EMPTY))
			out &= ~W_EMPTY;
		if (r & (W_STOP | W_ERROR)) {
			out |= r & (W_STOP | W_ERROR);
			break;
		}
	}
	mq_names_free(&names);
	return out;
}

int
mq_ready_walk(struct mq_spool *sp, int64_t until, mq_visit_fn *fn, void *arg)
{
	char path[4096];

	return mq_trie_walk(sp, sp->new, mq_spool_where(sp, "new", NULL, path,
	    sizeof(path)), until, fn, arg);
}

int
mq_trie_walk(struct mq_spool *sp, int root, const char *path, int64_t until,
    mq_visit_fn *fn, void *arg)
{
	struct walk w;
	int r;

	w.sp = sp;
	w.mixed = root != sp->new;
	w.until = until;
	w.fn = fn;
	w.arg = arg;
	snprintf(w.path, sizeof(w.path), "%s", path);
	r = walk_dir(&w, root, 0, 0);
	if (r & W_ERROR)
		return -1;
	return (r & W_STOP) ? 1 : 0;
}

/* The smallest leaf key later than after under fd (level, base). */
static int64_t
next_in(int fd, int level, int64_t base, int64_t after)
{
	static const int64_t span[3] = { 1000000, 1000, 1 };
	struct mq_names names;
	int64_t start, best = INT64_MAX;
	size_t i;
	int cfd;

	if (mq_dir_list(fd, &names) == -1)
		return INT64_MAX;
	mq_names_sort(&names);
	for (i = 0; i < names.n && best == INT64_MAX; i++) {
		if (!mq_level_valid(names.v[i], level))
			continue;
		start = base + strtoll(names.v[i], NULL, 10) * span[level];
		if (start + span[level] - 1 <= after)
			continue;	/* all of it is past */
		if (level == 2) {
			best = start;
			break;
		}
		if ((cfd = mq_opendir(fd, names.v[i])) == -1)
			continue;
		best = next_in(cfd, level + 1, start, after);
		close(cfd);
	}
	mq_names_free(&names);
	return best;
}

int64_t
mq_ready_next(struct mq_spool *sp, int64_t after)
{
	return next_in(sp->new, 0, 0, after);
}
