/* stat: counting a spool's messages by state, from its directories.
 *
 * Only directories are read, never a message file (but the leases, whose
 * deadlines tell leased from expired): new/ by its trie, a leaf's key
 * telling ready from delayed; dlq/ and done/ counted as they are read,
 * without keeping their names, so memory does not grow with the spool.
 * cur/ is read first and its ids kept (leases are few), then parked/ (so
 * are the parked, out of delivery by hand). A message moving
 * while the directories are read is counted once or not at all: a take
 * (new/ to cur/) happens after cur/ was read or before new/ is; a retry,
 * expiry, dead-lettering or ack (cur/ to new/, dlq/ or done/) would be
 * seen twice, so ids seen in cur/ are not counted again elsewhere.
 * Members of a group waiting behind its front (group/G/, a trie like
 * new/) are counted as held, by the count the group keeps (held.c): a
 * group's members are put after its front, so the oldest put of those
 * not yet consumed is among the fronts'.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "group.h"
#include "held.h"
#include "lost.h"
#include "name.h"
#include "trie.h"
#include "stat.h"

struct ids {
	char (*v)[MQ_ID_MAX + 1];
	size_t n;
	char (*parked)[MQ_ID_MAX + 1];	/* parked/'s alone, sorted */
	size_t nparked;
	int pending;		/* the names read now are not yet consumed: */
	char oldest[MQ_ID_MAX + 1];	/* the least id of those ("": none) */
};

static int
by_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A message name, and not one already counted in cur/ (the sorted ids
 * in arg). */
static int
ok(const char *name, void *arg)
{
	const struct ids *seen = arg;
	struct mq_name n;

	if (strlen(name) > MQ_NAME_MAX || mq_name_parse(name, &n) == -1)
		return 0;
	if (seen->n > 0 &&
	    bsearch(n.id, seen->v, seen->n, sizeof(*seen->v), by_id) != NULL)
		return 0;
	if (seen->pending && (seen->oldest[0] == '\0' ||
	    strcmp(n.id, seen->oldest) < 0))
		memcpy(((struct ids *)arg)->oldest, n.id, sizeof(n.id));
	return 1;
}

static int
count_cur(struct mq_spool *sp, int64_t now, struct mq_stats *st,
    struct ids *ids)
{
	struct mq_names names;
	struct mq_name n;
	struct stat sb;
	size_t i;

	if (mq_dir_list(sp->cur, &names) == -1)
		return -1;
	ids->v = malloc((names.n + 1) * sizeof(*ids->v));
	if (ids->v == NULL) {
		mq_names_free(&names);
		return -1;
	}
	for (i = 0; i < names.n; i++) {
		if (strlen(names.v[i]) > MQ_NAME_MAX ||
		    mq_name_parse(names.v[i], &n) == -1 || n.attempts == 0 ||
		    fstatat(sp->cur, names.v[i], &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISREG(sb.st_mode) || mq_lost_stale(sp, &n) == 1)
			continue;	/* (the last: a stale holder's file) */
		if (mq_ts_ms(&sb.st_mtim) > now)
			st->leased++;
		else
			st->expired++;
		memcpy(ids->v[ids->n++], n.id, sizeof(n.id));
	}
	mq_names_free(&names);
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(*ids->v), by_id);
	if (ids->n > 0)
		memcpy(ids->oldest, ids->v[0], sizeof(ids->oldest));
	return 0;
}

struct tally {
	int64_t now;
	struct ids *seen;
	struct mq_stats *st;
};

/* A leaf: its files counted without keeping their names, ready or
 * delayed by its key. */
static int
count_leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	struct tally *t = arg;
	long n;

	(void)path;
	if ((n = mq_dir_count(leaffd, ok, t->seen)) <= 0)
		return 0;
	if (key <= t->now) {
		t->st->ready += n;
		if (t->st->oldest == -1 || key < t->st->oldest)
			t->st->oldest = key;
	} else {
		t->st->delayed += n;
	}
	return 0;
}

/* The messages of new/'s trie, changing nothing. */
static void
count_trie(int root, int64_t now, struct ids *seen, struct mq_stats *st)
{
	struct tally t = { now, seen, st };
	struct mq_walk w = { .root = root, .from = INT64_MIN,
	    .until = INT64_MAX, .flags = MQ_WALK_QUIET,
	    .leaf = count_leaf, .arg = &t };

	(void)mq_trie_walk(&w);
}

/* The members of every group waiting behind its front, as the group's
 * lock file says (held.c: the trie is walked only when it does not). */
static void
count_groups(struct mq_spool *sp, struct mq_stats *st)
{
	struct mq_names names;
	size_t i;
	long n;
	int fd;

	if (mq_group_names(sp, &names) == -1)
		return;
	for (i = 0; i < names.n; i++) {
		if ((fd = mq_opendir(sp->group, names.v[i])) == -1)
			continue;
		if ((n = mq_held_read(fd)) > 0)
			st->held += n;
		close(fd);
	}
	mq_names_free(&names);
}

/* parked/, read before new/ and the groups and its ids kept with cur/'s,
 * as cur/'s are: a message parked or kicked while they are read is then
 * counted once or not at all. */
static int
count_parked(struct mq_spool *sp, struct mq_stats *st, struct ids *ids)
{
	struct mq_names names;
	char (*v)[MQ_ID_MAX + 1];
	struct mq_name n;
	size_t i, k, was = ids->n;

	if (mq_spool_subdir(sp, &sp->parked, "parked", MQ_OPEN) == -1)
		return 0;
	if (mq_dir_list(sp->parked, &names) == -1)
		return -1;
	if ((v = realloc(ids->v, (ids->n + names.n + 1) * sizeof(*v))) ==
	    NULL) {
		mq_names_free(&names);
		return -1;
	}
	ids->v = v;
	for (i = 0, k = was; i < names.n; i++) {
		/* (ok() looks among cur/'s ids alone: the first was) */
		if (ok(names.v[i], ids) && mq_name_parse(names.v[i], &n) == 0)
			memcpy(ids->v[k++], n.id, sizeof(n.id));
	}
	ids->n = k;
	st->parked = (long)(k - was);
	mq_names_free(&names);
	if (k > was && (ids->parked = malloc((k - was) * sizeof(*v))) !=
	    NULL) {
		memcpy(ids->parked, ids->v + was, (k - was) * sizeof(*v));
		ids->nparked = k - was;
		qsort(ids->parked, ids->nparked, sizeof(*v), by_id);
	}
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof(*ids->v), by_id);
	return 0;
}

/* A name of parked/ that was there at the first reading. */
static int
still(const char *name, void *arg)
{
	const struct ids *ids = arg;
	struct mq_name n;

	return strlen(name) <= MQ_NAME_MAX && mq_name_parse(name, &n) == 0 &&
	    bsearch(n.id, ids->parked, ids->nparked, sizeof(*ids->parked),
	    by_id) != NULL;
}

/* parked/ read again once the groups are: a group's members go to
 * parked/ and back (mq-park -g, mq-kick) from its trie, whose count
 * (held.c) names none, so only those there both times are the parked:
 * one moved meanwhile is counted once, by its group, or not at all. */
static void
recount_parked(struct mq_spool *sp, struct mq_stats *st, struct ids *ids)
{
	long n;

	if (st->parked > 0 && ids->parked == NULL)
		return;		/* (no memory for the copy: as read) */
	if (st->parked > 0 && (n = mq_dir_count(sp->parked, still, ids)) >= 0)
		st->parked = n;
}

int
mq_stats_read(struct mq_spool *sp, int64_t now, struct mq_stats *st)
{
	struct ids ids = { NULL, 0, NULL, 0, 1, "" };
	char what[4096];
	long n;

	memset(st, 0, sizeof(*st));
	st->oldest = -1;
	if (count_cur(sp, now, st, &ids) == -1)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "cur", NULL,
		    what, sizeof(what)), errno);
	if (count_parked(sp, st, &ids) == -1) {
		free(ids.v);
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "parked", NULL,
		    what, sizeof(what)), errno);
	}
	count_trie(sp->new, now, &ids, st);
	count_groups(sp, st);
	recount_parked(sp, st, &ids);
	st->oldest_put = ids.oldest[0] != '\0' ? mq_id_ms(ids.oldest) : -1;
	ids.pending = 0;	/* the dead and the done are consumed */
	if ((n = mq_dir_count(mq_dlq(sp), ok, &ids)) > 0)
		st->dead = n;
	if ((n = mq_dir_count(mq_done(sp), ok, &ids)) > 0)
		st->done = n;
	free(ids.v);
	free(ids.parked);
	if (mq_counts_read(sp, &st->puts, &st->acks) == -1)
		st->puts = st->acks = -1;
	return MQ_EX_OK;
}
