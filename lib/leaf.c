/* leaf: a leaf of a time-keyed trie (trie.c), opened or made, entered
 * and synced.
 *
 * A file enters the trie by a rename (or a link) into the leaf of its
 * key, new/K1/K2/K3: the levels are opened, or made where missing, and a
 * leaf a taker removed as empty meanwhile is made again. With
 * MQ_LEAF_PRESYNC each directory made is fsynced into its parent before
 * anything enters it, so a power cut cannot lose a message with its
 * directory. Which key a file gets is mq_ready_key's (ready at once: a
 * tenth of a second's leaf) and mq_behind_key's (a redrive, a replay).
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
#include "rename.h"
#include "trie.h"

#define RETRIES 1000		/* leaves removed under us before giving up */
#define EARLIER 8		/* earlier leaves tried when one is full */

void
mq_level_names(int64_t key, char names[3][24])
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

static int64_t bucket = MQ_BUCKET;

void
mq_ready_bucket(int64_t ms)
{
	bucket = ms;
}

int64_t
mq_ready_key(int64_t ready)
{
	return ready <= mq_now_ms() ? ready - ready % bucket : ready;
}

int
mq_behind_key(struct mq_leaf *lf, int64_t now, int sync, int64_t *key)
{
	int64_t t = now, clock = mq_now_ms();
	int err = 0;

	if (lf->fd[0] != -1 && lf->entered < MQ_LEAF_FILL) {
		*key = lf->key;
		return 0;
	}
	if (lf->fd[0] != -1) {
		if (sync && (err = mq_leaf_sync(lf)) != 0)
			return err;
		t = lf->key + 1 > t ? lf->key + 1 : t;
		mq_leaf_close(lf);
	}
	*key = clock > t ? clock : t;
	return 0;
}

/* lf for key under root, nothing open; the names of its levels. */
static void
leaf_init(struct mq_leaf *lf, int root, int64_t key, char names[3][24])
{
	lf->root = root;
	lf->key = key;
	lf->made = 0;
	lf->entered = 0;
	lf->why = NULL;
	lf->fd[0] = lf->fd[1] = lf->fd[2] = -1;
	mq_level_names(key, names);
}

int
mq_leaf_open(int root, int64_t key, struct mq_leaf *lf)
{
	char names[3][24];
	int tries, i, parent, err;

	leaf_init(lf, root, key, names);
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

int
mq_leaf_find(int root, int64_t key, struct mq_leaf *lf)
{
	char names[3][24];
	int i, parent = root;

	leaf_init(lf, root, key, names);
	for (i = 0; i < 3; i++) {
		if ((lf->fd[i] = mq_opendir(parent, names[i])) == -1) {
			mq_leaf_close(lf);
			return -1;
		}
		parent = lf->fd[i];
	}
	return 0;
}

int
mq_leaf_unlink(int root, int64_t key, const char *name)
{
	struct mq_leaf lf;
	int err;

	if (mq_leaf_find(root, key, &lf) == -1)
		return errno;
	err = unlinkat(lf.fd[2], name, 0) == -1 ? errno : 0;
	mq_leaf_close(&lf);
	return err;
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
mq_leaf_sync(struct mq_leaf *lf)
{
	if (mq_fsync(lf->fd[2]) == -1)
		return errno;
	return sync_made(lf);
}

/* Whether err says a directory cannot be made or grow for want of room. */
static int
no_room(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EMLINK;
}

int
mq_leaf_enter(int root, struct mq_leaf *lf, int64_t key, int fromfd,
    const char *from, const char *to, int flags)
{
	struct stat st;
	int64_t earlier;
	int tries, err, made = 0, back = 0;

	for (tries = 0; tries < RETRIES; tries++) {
		if (lf->fd[0] == -1) {
			if ((err = mq_leaf_open(root, key, lf)) != 0 &&
			    (flags & MQ_LEAF_EARLIER) && no_room(err) &&
			    (earlier = mq_trie_before(root, key)) != -1)
				err = mq_leaf_open(root, key = earlier, lf);
			if (err != 0)
				return err;
			if ((flags & MQ_LEAF_PRESYNC) && lf->made != 0 &&
			    (err = sync_made(lf)) != 0)
				return err;
			lf->made |= made;
		}
		if ((flags & MQ_LEAF_LINK ? linkat(fromfd, from, lf->fd[2], to, 0) :
		    mq_rename(fromfd, from, lf->fd[2], to, MQ_RENAME_FINISH)) == 0) {
			lf->entered++;
			return 0;
		}
		err = errno;
		/* The leaf has no room for one more name: an earlier one. */
		if ((flags & MQ_LEAF_EARLIER) && no_room(err) &&
		    back++ < EARLIER &&
		    (earlier = mq_trie_before(root, lf->key - 1)) != -1) {
			/* What a batch put in it is made durable first (its
			 * caller syncs only the leaf it ends in). */
			if (lf->entered > 0 && (err = mq_leaf_sync(lf)) != 0)
				return err;
			mq_leaf_close(lf);
			key = earlier;
			made = 0;
			tries--;
			continue;
		}
		/* ENOENT with the source still there: the leaf is gone. */
		if (err != ENOENT || fstatat(fromfd, from, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			return err;
		made = lf->made;
		mq_leaf_close(lf);
	}
	return ENOENT;
}

