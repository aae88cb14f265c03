/* twin: one message file under two names, queued in new/ and leased in
 * cur/.
 *
 * Every move of a message is one rename, and a rename is atomic on every
 * local file system. On a replicated GlusterFS volume it is not across a
 * server's return: a file renamed back and forth between two directories
 * while a replica came back was seen under both names, one inode with
 * two links, and self-heal then reported nothing to heal. For mq that is
 * one message in two states: queued (new/ID,N) and leased (cur/ID,N+1,
 * or cur/ID,N after a reclaim). Left alone, a taker would give the
 * queued name a copy of its own (share.c: a file with other names) and
 * deliver it a second time beside the lease.
 *
 * The rule: the lease name is the truth, the queued name is dropped.
 * Both names are one file, so nothing of the message is lost either way,
 * and the lease, if held, stays its holder's alone. A taker meeting a
 * ready file with an unexplained second name looks for a lease of its id
 * in cur/ (two names, looked up) and, when that is the same file, drops
 * the queued name and takes something else: the lease is reclaimed in its
 * turn if it expired. A lease that ends (an ack, a retry, an unclaim, a
 * burial, a reclaim) with an unexplained second name first drops its
 * queued twin from the leaf of its put, where a first delivery's twin
 * is. A twin in another leaf
 * (a later delivery's) is met by a taker: an expired lease with an
 * unexplained second name waits MQ_TWIN_GRACE for that before it is
 * reclaimed as it is. Grouped messages are not looked at (their front is
 * a second name of their own, front.c); on a spool with a retained log,
 * a lease's second name is taken for its log entry unopened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "trie.h"
#include "twin.h"

static int
same_file(int dirfd, const char *name, const struct stat *st)
{
	struct stat o;

	return fstatat(dirfd, name, &o, AT_SYMLINK_NOFOLLOW) == 0 &&
	    o.st_ino == st->st_ino && o.st_dev == st->st_dev;
}

/* Whether the lease st (n) has more names than its spool explains: a
 * group's member has its front, a message of a spool with a retained
 * log its entry there (counted without looking it up: an ack must stay
 * cheap; a twin whose log entry was pruned is then not seen). */
static int
suspect(struct mq_spool *sp, const struct mq_name *n, const struct stat *st)
{
	return n->group[0] == '\0' && st->st_nlink > 1 &&
	    st->st_nlink > (nlink_t)(1 + mq_log_present(sp));
}

int
mq_twin_queued(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n, const struct stat *st)
{
	struct mq_name l = *n;
	char lease[MQ_NAME_MAX + 1];
	int i;

	for (i = 1; i >= 0; i--) {
		l.attempts = n->attempts + (unsigned long)i;
		if (l.attempts == 0)
			continue;	/* ID,0 is never a lease */
		mq_name_format(lease, &l);
		if (!same_file(sp->cur, lease, st))
			continue;
		if (unlinkat(leaffd, name, 0) == -1 && errno != ENOENT)
			return -1;
		return 1;
	}
	return 0;
}

/* The lease's queued twin, removed from the leaf of its put: 1, 0 (none
 * there), or -1 with errno set. */
static int
drop(struct mq_spool *sp, const struct mq_name *n, const struct stat *st)
{
	struct mq_name q = *n;
	struct mq_leaf lf;
	char name[MQ_NAME_MAX + 1];
	int64_t ms = mq_id_ms(n->id), key[2];
	int i, k, err;

	/* The leaf of its put: a tenth of a second's, or on a network file
	 * system a second's (trie.h). */
	key[0] = mq_ready_key(ms);
	key[1] = ms - ms % MQ_BUCKET_REMOTE;
	for (k = 0; k < 2; k++) {
		if ((k == 1 && key[1] == key[0]) ||
		    mq_leaf_find(sp->new, key[k], &lf) == -1)
			continue;
		for (i = 1; i >= 0; i--) {
			if (n->attempts < (unsigned long)i)
				continue;
			q.attempts = n->attempts - (unsigned long)i;
			mq_name_format(name, &q);
			if (!same_file(lf.fd[2], name, st))
				continue;
			err = unlinkat(lf.fd[2], name, 0) == -1 &&
			    errno != ENOENT ? errno : 0;
			mq_leaf_close(&lf);
			errno = err;
			return err ? -1 : 1;
		}
		mq_leaf_close(&lf);
	}
	return 0;
}

int
mq_twin_end(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, int64_t wait)
{
	struct stat own;
	char name[MQ_NAME_MAX + 1];

	if (st == NULL) {
		mq_name_format(name, n);
		if (fstatat(sp->cur, name, &own, AT_SYMLINK_NOFOLLOW) == -1)
			return 0;
		st = &own;
	}
	if (!suspect(sp, n, st))
		return 0;
	return drop(sp, n, st) == 0 && wait > 0;
}
