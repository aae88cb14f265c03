/* trie: the time-keyed directory tries of new/ and of each group.
 *
 * The key is a time in milliseconds; key K lives in new/K1/K2/K3 with
 * K1 = K / 10^6 (about 16 minutes a directory), K2 = K / 1000 % 1000 (a
 * second) and K3 = K % 1000 (a millisecond), K2 and K3 with three digits,
 * so that `ls` orders them and the three read together are K. Each level
 * holds at most a thousand entries (K1: one per 16 minutes of keys), so
 * reaching the oldest leaf costs a few small listings at any depth.
 *
 * A put ready at once, an expired lease, a retry without delay and a
 * group's next message are filed under their ready time rounded down to
 * a tenth of a second (mq_ready_key): a loop of puts then shares a leaf
 * instead of making a directory, and fsyncing its parent, per message;
 * within a leaf, files go out by id, oldest first, so an expired lease
 * still comes before what was put after its deadline. A file ready later
 * keeps its exact key, so that takers never look at it before its time.
 * A redrive or a replay (behind everything already waiting) takes the
 * exact key of its start, and the rest of its batch the same leaf
 * (mq_behind_key).
 *
 * A group's waiting members live in a trie of the same shape under
 * group/G/, keyed by the millisecond of their id (group.c). Every descent
 * of a trie is mq_trie_walk's: in key order or the reverse, between two
 * keys, removing the empty directories it passes or changing nothing.
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
#include "trie.h"

/* The keys a directory of each level spans: K1, K2, K3. */
static const int64_t span[3] = { 1000000, 1000, 1 };

/* The walk. */

struct walk {
	const struct mq_walk *w;
	char path[4096];
};

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

static int walk_dir(struct walk *k, int fd, int level, int64_t base);

/* A leaf, or a directory to descend into, named name in fd. */
static int
walk_child(struct walk *k, int fd, int level, const char *name, int64_t start)
{
	const struct mq_walk *w = k->w;
	size_t plen = strlen(k->path);
	const char *why;
	int cfd = -1, r;

	if (!mq_level_valid(name, level)) {
		/* (in a group, its lock and front, passed over in silence) */
		if (!(w->flags & MQ_WALK_QUIET) &&
		    !(level == 0 && (w->flags & MQ_WALK_MIXED)))
			mq_warnx(k->path, "skipping an entry outside the grammar");
		return 0;
	}
	if ((level < 2 || !(w->flags & MQ_WALK_KEYS)) &&
	    (cfd = mq_opendir(fd, name)) == -1) {
		if (errno == ENOENT || errno == ESTALE)
			return MQ_WALK_EMPTY;		/* removed meanwhile */
		if (w->flags & MQ_WALK_QUIET)
			return 0;
		snprintf(k->path + plen, sizeof(k->path) - plen, "/%s", name);
		why = errno == ENOTDIR || errno == ELOOP ?
		    mq_entry_why(fd, name, S_IFDIR) : NULL;
		mq_warnx(k->path, "%s, skipped", why ? why : strerror(errno));
		k->path[plen] = '\0';
		return 0;
	}
	snprintf(k->path + plen, sizeof(k->path) - plen, "/%s", name);
	r = level == 2 ? w->leaf(cfd, start, k->path, w->arg) :
	    walk_dir(k, cfd, level + 1, start);
	k->path[plen] = '\0';
	if (cfd != -1)
		close(cfd);
	/* An empty directory whose keys are all past is removed; if a
	 * producer is about to fill it, its rename fails and it remakes it. */
	if ((r & MQ_WALK_EMPTY) && (w->flags & MQ_WALK_PRUNE) &&
	    start + span[level] <= w->until) {
		if (unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return r;
	}
	return r & ~MQ_WALK_EMPTY;
}

static int
walk_dir(struct walk *k, int fd, int level, int64_t base)
{
	const struct mq_walk *w = k->w;
	int reverse = (w->flags & MQ_WALK_REVERSE) != 0;
	struct mq_names names;
	int64_t start;
	size_t i, j;
	int r, valid, out = MQ_WALK_EMPTY;

	if (mq_dir_list(fd, &names) == -1) {
		/* Removed as we came in (ESTALE: by another client of a
		 * network file system): empty. */
		if (errno == ENOENT || errno == ESTALE)
			return MQ_WALK_EMPTY;
		if (w->flags & MQ_WALK_QUIET)
			return 0;
		mq_warnx(k->path, "%s", strerror(errno));
		return MQ_WALK_ERROR;
	}
	mq_names_sort(&names);
	for (j = 0; j < names.n; j++) {
		i = reverse ? names.n - 1 - j : j;
		/* (an entry outside the grammar goes to walk_child, which
		 * says so, or passes it over in silence) */
		valid = mq_level_valid(names.v[i], level);
		start = valid ? base + strtoll(names.v[i], NULL, 10) *
		    span[level] : base;
		if (valid && (start > w->until ||
		    start + span[level] - 1 < w->from)) {
			out &= ~MQ_WALK_EMPTY;	/* outside the keys wanted */
			if ((start > w->until) == reverse)
				continue;
			break;
		}
		r = walk_child(k, fd, level, names.v[i], start);
		if (!(r & MQ_WALK_EMPTY))
			out &= ~MQ_WALK_EMPTY;
		if (r & (MQ_WALK_STOP | MQ_WALK_ERROR)) {
			out |= r & (MQ_WALK_STOP | MQ_WALK_ERROR);
			break;
		}
	}
	mq_names_free(&names);
	return out;
}

int
mq_trie_walk(const struct mq_walk *w)
{
	struct walk k;
	int r;

	k.w = w;
	snprintf(k.path, sizeof(k.path), "%s", w->path != NULL ? w->path : "");
	r = walk_dir(&k, w->root, 0, 0);
	if (r & MQ_WALK_ERROR)
		return -1;
	return (r & MQ_WALK_STOP) ? 1 : 0;
}

/* The files of the leaves. */

struct files {
	mq_file_fn *fn;
	void *arg;
	size_t first;		/* the names of a leaf's first batch */
	/* the leaf being read, for one_file */
	int leaffd;
	const char *path;
	size_t seen;
	int r;
};

/* A leaf's first batch: at least FIRST_MIN names, at most FIRST_MAX
 * (what takes all: a larger leaf is read again for the next batch). */
#define FIRST_MIN 16
#define FIRST_MAX 4096

static int
one_file(const char *name, void *arg)
{
	struct files *f = arg;

	f->seen++;
	return (f->r = f->fn(f->leaffd, f->path, name, f->arg)) != 0;
}

/* The files of a leaf in name order: the least names a batch at a time
 * (a take wants the first few of a large leaf; each name copied each
 * take would cost it the leaf's size). */
static int
files_leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	struct files *f = arg;
	size_t first = f->first;

	(void)key;
	if (first < FIRST_MIN)
		first = FIRST_MIN;
	else if (first > FIRST_MAX)
		first = FIRST_MAX;
	f->leaffd = leaffd;
	f->path = path;
	f->seen = 0;
	f->r = 0;
	if (mq_dir_least(leaffd, first, one_file, f) == -1 && f->r == 0) {
		if ((errno == ENOENT || errno == ESTALE) && f->seen == 0)
			return MQ_WALK_EMPTY;
		mq_warnx(path, "%s", strerror(errno));
		return MQ_WALK_ERROR;
	}
	if (f->r != 0)
		return f->r == 1 ? MQ_WALK_STOP : MQ_WALK_ERROR;
	return f->seen == 0 ? MQ_WALK_EMPTY : 0;
}

int
mq_trie_leaf_files(int root, const char *path, int64_t key, size_t first,
    mq_file_fn *fn, void *arg)
{
	struct files f = { fn, arg, first, -1, NULL, 0, 0 };
	char names[3][24], where[4096];
	int fd = root, next, i, r;

	mq_level_names(key, names);
	snprintf(where, sizeof(where), "%s/%s/%s/%s", path != NULL ? path :
	    "", names[0], names[1], names[2]);
	for (i = 0; i < 3; i++, fd = next) {
		next = mq_opendir(fd, names[i]);
		if (fd != root)
			close(fd);
		if (next == -1)
			return 0;	/* gone: the walk will see */
	}
	r = files_leaf(fd, key, where, &f);
	close(fd);
	return r & MQ_WALK_ERROR ? -1 : (r & MQ_WALK_STOP) ? 1 : 0;
}

int64_t
mq_trie_leaf_key(const char *path)
{
	const char *p = path + strlen(path), *end;
	char level[24];
	int64_t key = 0;
	size_t len;
	int i;

	for (i = 2; i >= 0; i--) {
		end = p;
		while (p > path && p[-1] != '/')
			p--;
		len = (size_t)(end - p);
		if (len == 0 || len >= sizeof(level))
			return -1;
		memcpy(level, p, len);
		level[len] = '\0';
		if (!mq_level_valid(level, i))
			return -1;
		key += strtoll(level, NULL, 10) * span[i];
		if (i > 0) {
			if (p == path)
				return -1;
			p--;	/* the slash */
		}
	}
	return key;
}

/* mq_trie_files and mq_trie_first_files. */
static int
files(int root, const char *path, int64_t until, int flags, size_t first,
    mq_file_fn *fn, void *arg)
{
	struct files f = { fn, arg, first, -1, NULL, 0, 0 };
	struct mq_walk w = { .root = root, .path = path, .from = INT64_MIN,
	    .until = until, .flags = flags | MQ_WALK_PRUNE, .leaf = files_leaf,
	    .arg = &f };

	return mq_trie_walk(&w);
}

int
mq_trie_files(int root, const char *path, int64_t until, int flags,
    mq_file_fn *fn, void *arg)
{
	return files(root, path, until, flags, FIRST_MAX, fn, arg);
}

int
mq_trie_first_files(int root, const char *path, int64_t until, int flags,
    size_t first, mq_file_fn *fn, void *arg)
{
	return files(root, path, until, flags, first, fn, arg);
}

/* The first leaf a walk meets: its key. */
static int
first_key(int leaffd, int64_t key, const char *path, void *arg)
{
	(void)leaffd;
	(void)path;
	*(int64_t *)arg = key;
	return MQ_WALK_STOP;
}

int64_t
mq_trie_next(int root, int64_t after)
{
	int64_t key = INT64_MAX;
	struct mq_walk w = { .root = root, .from = after + 1,
	    .until = INT64_MAX, .flags = MQ_WALK_QUIET | MQ_WALK_KEYS,
	    .leaf = first_key, .arg = &key };

	(void)mq_trie_walk(&w);
	return key;
}

int64_t
mq_trie_before(int root, int64_t at)
{
	int64_t key = -1;
	struct mq_walk w = { .root = root, .from = INT64_MIN, .until = at,
	    .flags = MQ_WALK_QUIET | MQ_WALK_KEYS | MQ_WALK_REVERSE,
	    .leaf = first_key, .arg = &key };

	(void)mq_trie_walk(&w);
	return key;
}
