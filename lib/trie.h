/* trie: the time-keyed directory tries of new/ and of each group. */
#ifndef MQ_TRIE_H
#define MQ_TRIE_H

#include <stdint.h>

#define MQ_BUCKET 100		/* ms: the leaf of a file ready on entry */
#define MQ_BUCKET_REMOTE 1000	/* the same on a network file system */

/* One leaf held open: K1/K2/K3 under root, for a key in milliseconds. */
struct mq_leaf {
	int root;		/* the trie: new/, or a group's (group.c) */
	int64_t key;
	int fd[3];		/* K1, K2, K3 */
	int made;		/* bit i: fd[i] was made by us */
	int entered;		/* files entered since it was opened */
	const char *why;	/* opening failed: a level is not a directory */
	char bad[72];		/* which: "K1", "K1/K2" or "K1/K2/K3" */
};

#define MQ_LEAF_FILL 256	/* files a redrive or a replay puts in a leaf */

/* The names of key's three levels (leaf.c). */
void mq_level_names(int64_t key, char names[3][24]);

/* A leaf not yet opened: mq_leaf_enter opens it. */
#define MQ_LEAF_CLOSED { .fd = { -1, -1, -1 } }

/* The leaf key of a file ready at ready (ms): rounded down to the
 * bucket (MQ_BUCKET) when that is now or past, else ready itself. */
int64_t mq_ready_key(int64_t ready);
/* The bucket of this process's puts from now on: MQ_BUCKET_REMOTE on a
 * network file system, where a directory made costs milliseconds and
 * puts come tens a second (any key ready now is right: a file's time says
 * when it is ready, its leaf only where a taker looks first). */
void mq_ready_bucket(int64_t ms);
/* The leaf key of a file that goes behind everything waiting at now (a
 * redrive, a replay): now's, shared by a batch of them for MQ_LEAF_FILL
 * files; then that leaf is synced (sync: its directory, what it made)
 * and closed, and the next has a later key (a leaf of thousands makes
 * every take list thousands). 0 and *key set, or an errno. */
int mq_behind_key(struct mq_leaf *lf, int64_t now, int sync, int64_t *key);
/* Opens the leaf for key under root, making what is missing; 0, or an
 * errno. */
int mq_leaf_open(int root, int64_t key, struct mq_leaf *lf);
/* Opens the leaf for key under root if it exists, making nothing; 0, or
 * -1 with errno set (ENOENT: there is none). */
int mq_leaf_find(int root, int64_t key, struct mq_leaf *lf);
/* Unlinks name from the leaf of key under root, if there is one: 0, or
 * an errno (ENOENT: no such leaf or name). */
int mq_leaf_unlink(int root, int64_t key, const char *name);
/* fsync of the leaf, and of each parent of a directory we made. */
int mq_leaf_sync(struct mq_leaf *lf);
void mq_leaf_close(struct mq_leaf *lf);
/* renameat(fromfd, from, leaf, to) for the leaf of key under root,
 * reopening a leaf removed meanwhile. lf is open, or lf->fd[0] == -1: it
 * is opened for key and left open for the caller (who closes it). The
 * rename never replaces a file (mq_rename: EEXIST). MQ_LEAF_LINK: linkat
 * instead. MQ_LEAF_PRESYNC: a directory
 * made for the leaf is fsynced into its parent before anything goes into
 * it, so a message moved from a state directory never lands in a
 * directory a power cut could lose. MQ_LEAF_EARLIER: when no directory
 * can be made or the leaf cannot take one more name (ENOSPC, EDQUOT,
 * EMLINK: on a full xfs a small directory cannot grow), the greatest
 * leaf before it that exists, and so on back a few leaves: the file's
 * time, not its leaf, says when it is ready, so it goes out on time,
 * only scanned earlier. 0, or an errno. */
int mq_leaf_enter(int root, struct mq_leaf *lf, int64_t key, int fromfd,
    const char *from, const char *to, int flags);
enum { MQ_LEAF_LINK = 1, MQ_LEAF_PRESYNC = 2, MQ_LEAF_EARLIER = 4 };

/* The walk: the leaves of a trie in key order (or the reverse), each
 * given to a function with its key. */
enum {
	MQ_WALK_PRUNE = 1,	/* remove empty directories all before until */
	MQ_WALK_QUIET = 2,	/* skip what is outside the grammar silently */
	MQ_WALK_REVERSE = 4,	/* greatest key first */
	MQ_WALK_MIXED = 8,	/* level 0 holds other files too (a group) */
	MQ_WALK_KEYS = 16	/* leaves are not opened: leaffd is -1 */
};
/* What a leaf function returns: a combination of these, or 0 (go on). */
enum { MQ_WALK_EMPTY = 1, MQ_WALK_STOP = 2, MQ_WALK_ERROR = 4 };
typedef int mq_leaf_fn(int leaffd, int64_t key, const char *path, void *arg);

struct mq_walk {
	int root;
	const char *path;	/* root's name, in warnings */
	int64_t from, until;	/* the keys of leaves visited */
	int flags;
	mq_leaf_fn *leaf;
	void *arg;
};

/* Walks w->root; 0, 1 (a leaf function stopped it), or -1 (an error). */
int mq_trie_walk(const struct mq_walk *w);

/* Called for each file of the leaves, in key order and then name order:
 * 0 goes on, 1 stops, -1 stops with an error. */
typedef int mq_file_fn(int leaffd, const char *leaf, const char *name,
    void *arg);
/* Walks the files of the leaves of root with keys up to until, removing
 * empty leaves all before until (flags: MQ_WALK_MIXED for a group's).
 * A leaf's names are chosen 4096 at a time (mq_dir_least): a name made
 * meanwhile before the last one given is not seen. 0, 1 (stopped), or
 * -1. */
int mq_trie_files(int root, const char *path, int64_t until, int flags,
    mq_file_fn *fn, void *arg);
/* The same for a fn that stops after about first files (a take): a
 * leaf's first batch is of first names (16 to 4096), each next one twice
 * as large. */
int mq_trie_first_files(int root, const char *path, int64_t until,
    int flags, size_t first, mq_file_fn *fn, void *arg);
/* The files of the one leaf of root at key, as mq_trie_first_files
 * gives them, without listing the levels above it: 0 (none, or all
 * went through), 1 (stopped), or -1. */
int mq_trie_leaf_files(int root, const char *path, int64_t key,
    size_t first, mq_file_fn *fn, void *arg);
/* The key of the leaf whose path ends .../K1/K2/K3, or -1. */
int64_t mq_trie_leaf_key(const char *path);
/* The smallest leaf key under root later than after, or INT64_MAX. */
int64_t mq_trie_next(int root, int64_t after);
/* The greatest leaf key under root at most key, or -1. */
int64_t mq_trie_before(int root, int64_t key);
/* Whether s names a directory of level 0, 1 or 2 of a trie. */
int mq_level_valid(const char *s, int level);

#endif
