/* ready: new/, the trie of waiting messages keyed by their ready time. */
#ifndef MQ_READY_H
#define MQ_READY_H

#include <stdint.h>

#include "spool.h"

#define MQ_BUCKET 100		/* ms: the leaf of a file ready on entry */

/* One leaf of new/ held open: new/K1/K2/K3 for a key in milliseconds. */
struct mq_leaf {
	int root;		/* the trie: new/, or a group's (group.c) */
	int64_t key;
	int fd[3];		/* K1, K2, K3 */
	int made;		/* bit i: fd[i] was made by us */
	const char *why;	/* opening failed: a level is not a directory */
	char bad[72];		/* which: "K1", "K1/K2" or "K1/K2/K3" */
};

/* The leaf key of a file ready at ready (ms): rounded down to MQ_BUCKET
 * when that is now or past, else ready itself. */
int64_t mq_ready_key(int64_t ready);
/* Opens the leaf for key under root (new/, or a group's trie), making
 * what is missing; 0, or an errno. */
int mq_leaf_open_at(int root, int64_t key, struct mq_leaf *lf);
/* fsync of the leaf, and of each parent of a directory we made. */
int mq_leaf_sync(struct mq_spool *sp, struct mq_leaf *lf);
void mq_leaf_close(struct mq_leaf *lf);
/* renameat(fromfd, from, leaf, to), reopening a leaf removed meanwhile.
 * lf is open (or fd[0] == -1: opened for key). 0, or an errno. */
int mq_leaf_enter(struct mq_spool *sp, struct mq_leaf *lf, int64_t key,
    int fromfd, const char *from, const char *to);
/* The same under root. MQ_LEAF_LINK: linkat instead of renameat.
 * MQ_LEAF_PRESYNC: a directory made for the leaf is fsynced into its
 * parent before anything is renamed into it, so a message moved from a
 * state directory never lands in a directory a power cut could lose
 * (mq_leaf_enter does this when the spool syncs). MQ_LEAF_EARLIER (new/
 * only): when no directory can be made (ENOSPC, EDQUOT, EMLINK), the
 * greatest leaf before key that exists: the file's time, not its leaf,
 * says when it is ready, so it goes out on time, only scanned earlier. */
int mq_leaf_enter_at(int root, struct mq_leaf *lf, int64_t key, int fromfd,
    const char *from, const char *to, int flags);
enum { MQ_LEAF_LINK = 1, MQ_LEAF_PRESYNC = 2, MQ_LEAF_EARLIER = 4 };

/* Called for each file in the leaves whose key is at most `until`, in key
 * order and then name order: 0 goes on, 1 stops, -1 stops with an error. */
typedef int mq_visit_fn(struct mq_spool *sp, int leaffd, const char *leaf,
    const char *name, void *arg);
/* Walks new/; removes empty past leaves. 0, 1 (stopped), or -1. */
int mq_ready_walk(struct mq_spool *sp, int64_t until, mq_visit_fn *fn,
    void *arg);
/* The same for the trie under root (path names it in warnings); level-0
 * entries outside the grammar are skipped in silence there. */
int mq_trie_walk(struct mq_spool *sp, int root, const char *path,
    int64_t until, mq_visit_fn *fn, void *arg);

/* Whether s names a directory of level 0, 1 or 2 of new/. */
int mq_level_valid(const char *s, int level);
/* The smallest key of a leaf in new/ later than after, or INT64_MAX. */
int64_t mq_ready_next(struct mq_spool *sp, int64_t after);

#endif
