/* take: choosing what to lease, and which expired leases to reclaim.
 *
 * A take first looks at cur/ for leases whose deadline (mtime) has passed
 * and hands each to expire (move.c), which moves it back to new/, keyed
 * by that deadline so that it comes before anything put since, or to
 * dlq/ when it has had max_attempts deliveries. Then it walks new/ from
 * the oldest key up to now (trie.c) and claims files in order (move.c):
 * stamp the deadline, rename to cur/ID,N+1. Nothing here renames a
 * message: this file only chooses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "move.h"
#include "name.h"
#include "take.h"
#include "trie.h"

struct take {
	struct mq_spool *sp;
	const struct mq_taker *t;
	struct mq_claim c;
	int64_t now;
	size_t got;
};

static size_t reclaimed;	/* expired leases moved, by this process */

/* A regular file under a name of the grammar, or a warning and -1. */
static int
examine(int dirfd, const char *dir, const char *name, struct mq_name *n,
    struct stat *st)
{
	if (mq_name_parse(name, n) == -1) {
		mq_warnx(dir, "skipping a file whose name is outside the "
		    "grammar");
		return -1;
	}
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			mq_warnx(dir, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		mq_warnx(dir, "%s: not a regular file, skipped", name);
		return -1;
	}
	return 0;
}

int
mq_reclaim(struct mq_spool *sp, int64_t now, mq_held_fn *held, void *arg)
{
	struct mq_names names;
	struct mq_name n;
	struct stat st;
	char where[4096];
	size_t i;
	int64_t deadline;
	int status = MQ_EX_OK;

	mq_spool_where(sp, "cur", NULL, where, sizeof(where));
	if (mq_dir_list(sp->cur, &names) == -1)
		return mq_fail(MQ_EX_IOERR, where, errno);
	for (i = 0; i < names.n; i++) {
		if (examine(sp->cur, where, names.v[i], &n, &st) == -1)
			continue;
		if (n.attempts == 0) {	/* ID,0 is a name for new/ only */
			mq_warnx(where, "%s: not a lease name, skipped",
			    names.v[i]);
			continue;
		}
		deadline = mq_ts_ms(&st.st_mtim);
		if (deadline > now || (held != NULL && held(names.v[i], arg)))
			continue;
		status = mq_worst(status, mq_move_expire(sp, names.v[i], &n,
		    &st, now));
		reclaimed++;
	}
	mq_names_free(&names);
	mq_move_sweep(sp, now);
	return status;
}

/* Each file of new/ up to now, in order: ready ones are claimed. */
static int
consider(int leaffd, const char *leaf, const char *name, void *arg)
{
	struct take *k = arg;
	struct mq_spool *sp = k->sp;
	struct mq_name n;
	struct stat st;
	char why[128];
	int status;

	if (examine(leaffd, leaf, name, &n, &st) == -1)
		return 0;
	if (mq_ts_ms(&st.st_mtim) > k->now)
		return 0;		/* delayed, or being claimed */
	if (n.attempts >= (unsigned long)sp->pol.max_attempts) {
		/* Only when max_attempts was lowered since it was put back. */
		snprintf(why, sizeof(why), "attempts ran out: %lu of "
		    "max_attempts %ld", n.attempts, sp->pol.max_attempts);
		status = mq_move_bury(sp, leaffd, &n, NULL, NULL, why);
		if (status != MQ_EX_LOST)
			k->c.status = mq_worst(k->c.status, status);
		return 0;
	}
	switch (mq_move_claim(sp, leaffd, leaf, name, &n, &st,
	    &k->c)) {
	case MQ_CLAIM_SKIP:
		return 0;
	case MQ_CLAIM_STOP:
		return -1;
	default:
		break;
	}
	k->got++;
	if (k->t->hint != NULL)
		k->t->hint->key = mq_trie_leaf_key(leaf);
	if (k->t->fn(sp, k->c.lease, k->t->arg) != 0)
		return 1;
	return k->got >= k->t->count ? 1 : 0;
}

/* mq_reclaim for a take, the time noted in its hint. */
static int
reclaim(struct take *k, struct mq_take_hint *h)
{
	if (h != NULL)
		h->reclaimed = k->now;
	return mq_reclaim(k->sp, k->now, k->t->held, k->t->arg);
}

int
mq_take(struct mq_spool *sp, const struct mq_taker *t, size_t *taken)
{
	struct mq_take_hint *h;
	struct take k;
	char path[4096];
	size_t before;
	int status, r, look;

	memset(&k, 0, sizeof(k));
	k.sp = sp;
	k.t = t;
	k.now = mq_now_ms();
	k.c.deadline = k.now + t->timeout;
	k.c.status = MQ_EX_OK;
	before = reclaimed;
	h = t->hint;
	status = MQ_EX_OK;
	if ((look = h == NULL || k.now - h->reclaimed >= MQ_HINT_EVERY))
		status = reclaim(&k, h);
	mq_spool_where(sp, "new", NULL, path, sizeof(path));
	r = 0;
	if (h != NULL && h->key >= 0 && h->key <= k.now && t->count > 0 &&
	    reclaimed == before && k.now - h->walked < MQ_HINT_EVERY)
		r = mq_trie_leaf_files(sp->new, path, h->key, t->count,
		    consider, &k);
	if (r == 0 && t->count > 0) {	/* the hint had not enough */
		if (h != NULL)
			h->walked = k.now;
		r = mq_trie_first_files(sp->new, path, k.now, 0,
		    t->count - k.got, consider, &k);
	}
	/* Short of work: the expired leases are looked at now, not later. */
	if (r == 0 && !look && k.got < t->count) {
		status = reclaim(&k, h);
		if (reclaimed != before)
			r = mq_trie_first_files(sp->new, path, k.now, 0,
			    t->count - k.got, consider, &k);
	}
	if (r == -1)
		k.c.status = mq_worst(k.c.status, MQ_EX_IOERR);
	*taken = k.got;
	/* Messages we may not lease were told of; they fail a take that
	 * found nothing else, never one that handed out work. */
	if (k.got == 0 && k.c.denied > 0)
		k.c.status = mq_worst(k.c.status, MQ_EX_NOPERM);
	return mq_worst(status, k.c.status);
}
