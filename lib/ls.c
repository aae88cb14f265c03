/* ls: every message of a spool, state by state, changing nothing.
 *
 * The walk of mq-ls (as mq-stat's counting, stat.c): cur/ is read first
 * and its ids kept, so that a message a retry or an ack moves on while
 * the rest is read is not listed twice; then, in delivery order, new/'s
 * leaves due by now, each group's trie (its members waiting behind the
 * front), new/'s later leaves; parked/, dlq/ and done/ as their
 * directories give them, without keeping their names. Nothing is
 * created, renamed, stamped or locked, not even .counts; nothing is
 * followed: a file is stat'ed without following a symbolic link and
 * only regular files are messages.
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
#include "lost.h"
#include "ls.h"
#include "trie.h"

struct walk {
	struct mq_spool *sp;
	int states;
	int64_t now;
	mq_ls_fn *fn;
	void *arg;
	char (*ids)[MQ_ID_MAX + 1];	/* cur/'s, sorted */
	size_t nids;
	int stop;
	char **want;		/* mq_ls_ids: the ids looked for, sorted */
	unsigned char *here;	/* which of them were listed (or located) */
	size_t nwant, left;	/* how many; how many not yet listed */
	int failed;		/* the function said stop */
	int locate;		/* one() records where, lists nothing */
	int *at;		/* where each was located: a state, or 0 */
	char (*names)[MQ_NAME_MAX + 1];	/* and its name there */
	int state;		/* for flat directories: theirs */
	const char *dir;
	int dirfd;
};

static int
by_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
by_want(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

/* The index of id among the ids looked for and not yet listed, or -1;
 * every id when none are looked for (0). */
static long
wanted(const struct walk *w, const char *id)
{
	char **p;

	if (w->want == NULL)
		return 0;
	p = bsearch(id, w->want, w->nwant, sizeof(*w->want), by_want);
	return p == NULL || w->here[p - w->want] ? -1 : p - w->want;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in id order: ids are all of one length, so bytes order them. */
static void
sort_names(struct mq_names *names)
{
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(*names->v), by_name);
}

/* One file: a message not seen in cur/ already, a regular file. */
static int
one(struct walk *w, int dirfd, const char *dir, const char *name,
    int state, int64_t when)
{
	struct mq_ls_msg m;
	struct stat st;
	long i;

	if (w->stop || strlen(name) > MQ_NAME_MAX ||
	    mq_name_parse(name, &m.n) == -1 || (i = wanted(w, m.n.id)) < 0)
		return w->stop;
	if (state != MQ_LS_LEASED && state != MQ_LS_EXPIRED && w->nids > 0 &&
	    bsearch(m.n.id, w->ids, w->nids, sizeof(*w->ids), by_id) != NULL)
		return 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (state == MQ_LS_LEASED || state == MQ_LS_DEAD ||
	    state == MQ_LS_DONE || state == MQ_LS_PARKED) {
		when = mq_ts_ms(&st.st_mtim);
		if (state == MQ_LS_LEASED && when <= w->now)
			state = MQ_LS_EXPIRED;
	}
	if (!(w->states & state))
		return 0;
	if (w->locate) {
		w->here[i] = 1;
		w->at[i] = state;
		snprintf(w->names[i], sizeof(w->names[i]), "%s", name);
		if (--w->left == 0)
			w->stop = 1;
		return w->stop;
	}
	m.state = state;
	m.dir = dir;
	m.dirfd = dirfd;
	m.name = name;
	m.when = when;
	m.size = st.st_size;
	if (w->fn(w->sp, &m, w->arg) != 0)
		w->stop = w->failed = 1;
	if (w->want != NULL) {
		w->here[i] = 1;
		if (--w->left == 0)
			w->stop = 1;
	}
	return w->stop;
}

static int
read_cur(struct walk *w)
{
	struct mq_names cur;
	struct mq_name n;
	size_t i;

	if (mq_dir_list(w->sp->cur, &cur) == -1)
		return -1;
	sort_names(&cur);
	if ((w->ids = malloc((cur.n + 1) * sizeof(*w->ids))) == NULL) {
		mq_names_free(&cur);
		return -1;
	}
	for (i = 0; i < cur.n; i++) {
		if (strlen(cur.v[i]) > MQ_NAME_MAX ||
		    mq_name_parse(cur.v[i], &n) == -1 || n.attempts == 0 ||
		    mq_lost_stale(w->sp, &n) == 1)
			continue;	/* (the last: a stale holder's file) */
		memcpy(w->ids[w->nids++], n.id, sizeof(n.id));
		if (w->states & (MQ_LS_LEASED | MQ_LS_EXPIRED))
			(void)one(w, w->sp->cur, "cur", cur.v[i], MQ_LS_LEASED,
			    0);
	}
	mq_names_free(&cur);
	if (w->nids > 1)
		qsort(w->ids, w->nids, sizeof(*w->ids), by_id);
	return 0;
}

/* A leaf of new/ or of a group: its files in name order (a leaf holds a
 * batch: its names are kept while it is read). */
static int
leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	struct walk *w = arg;
	struct mq_names files;
	size_t i;
	int state = w->state;

	if (state == MQ_LS_READY && key > w->now)
		state = MQ_LS_DELAYED;	/* (a walk's bounds are its leaves') */
	if (!(w->states & state) || mq_dir_list(leaffd, &files) == -1)
		return 0;
	sort_names(&files);
	for (i = 0; i < files.n && !w->stop; i++)
		(void)one(w, leaffd, path, files.v[i], state, key);
	mq_names_free(&files);
	return w->stop ? MQ_WALK_STOP : 0;
}

/* The leaves of a trie with keys from..until, given state. */
static void
trie(struct walk *w, int root, const char *path, int flags, int state,
    int64_t from, int64_t until)
{
	struct mq_walk t = { .root = root, .path = path, .from = from,
	    .until = until, .flags = flags | MQ_WALK_QUIET, .leaf = leaf,
	    .arg = w };

	w->state = state;
	(void)mq_trie_walk(&t);
}

/* Each group's directory, given to fn with its path ("group/G"). */
static void
each_group(struct walk *w, void (*fn)(struct walk *, int, const char *))
{
	struct mq_names g;
	char path[MQ_NAME_MAX + 16];
	size_t i;
	int fd;

	if (!(w->states & MQ_LS_HELD) || mq_group_names(w->sp, &g) == -1)
		return;
	for (i = 0; i < g.n && !w->stop; i++) {
		if ((fd = mq_opendir(w->sp->group, g.v[i])) == -1)
			continue;
		snprintf(path, sizeof(path), "group/%s", g.v[i]);
		fn(w, fd, path);
		close(fd);
	}
	mq_names_free(&g);
}

/* A group's members, all of its trie. */
static void
group_all(struct walk *w, int fd, const char *path)
{
	trie(w, fd, path, MQ_WALK_MIXED, MQ_LS_HELD, INT64_MIN, INT64_MAX);
}

static void
groups(struct walk *w)
{
	each_group(w, group_all);
}

/* A name of dlq/ or done/, as readdir gives it (nothing kept). */
static int
flat_one(const char *name, void *arg)
{
	struct walk *w = arg;

	return one(w, w->dirfd, w->dir, name, w->state, 0) ? -1 : 0;
}

static void
flat(struct walk *w, int fd, const char *dir, int state)
{
	if (!(w->states & state) || w->stop || fd == -1)
		return;
	w->state = state;
	w->dir = dir;
	w->dirfd = fd;
	(void)mq_dir_count(fd, flat_one, w);
}

static int
begin(struct walk *w, struct mq_spool *sp, int states, int64_t now,
    mq_ls_fn *fn, void *arg)
{
	char what[4096];

	w->sp = sp;
	w->states = states;
	w->now = now;
	w->fn = fn;
	w->arg = arg;
	if (read_cur(w) == -1)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "cur", NULL,
		    what, sizeof(what)), errno);
	return MQ_EX_OK;
}

int
mq_ls(struct mq_spool *sp, int states, int64_t now, mq_ls_fn *fn, void *arg)
{
	struct walk w;
	int status;

	memset(&w, 0, sizeof(w));
	if ((status = begin(&w, sp, states, now, fn, arg)) != MQ_EX_OK)
		return status;
	/* Delivery order: the ready, the held (each after its group's
	 * front), the delayed. */
	if (!w.stop && (states & MQ_LS_READY))
		trie(&w, sp->new, "new", 0, MQ_LS_READY, INT64_MIN, now);
	if (!w.stop)
		groups(&w);
	if (!w.stop && (states & MQ_LS_DELAYED))
		trie(&w, sp->new, "new", 0, MQ_LS_DELAYED, now + 1, INT64_MAX);
	if ((states & MQ_LS_PARKED) &&
	    mq_spool_subdir(sp, &sp->parked, "parked", MQ_OPEN) == 0)
		flat(&w, sp->parked, "parked", MQ_LS_PARKED);
	flat(&w, mq_dlq(sp), "dlq", MQ_LS_DEAD);
	flat(&w, mq_done(sp), "done", MQ_LS_DONE);
	free(w.ids);
	return MQ_EX_OK;
}

/* A group's leaf of each id's millisecond: where a member waits. */
static void
group_at(struct walk *w, int fd, const char *path)
{
	struct mq_leaf lf = MQ_LEAF_CLOSED;
	size_t j;

	for (j = 0; j < w->nwant && !w->stop; j++) {
		if (w->here[j] ||
		    mq_leaf_find(fd, mq_id_ms(w->want[j]), &lf) == -1)
			continue;
		w->state = MQ_LS_HELD;
		(void)leaf(lf.fd[2], lf.key, path, w);
		mq_leaf_close(&lf);
	}
}

static void
groups_at(struct walk *w)
{
	each_group(w, group_at);
}

/* Those neither grouped nor redriven in parked/, dlq/ or done/, looked
 * up by name (dir.c). */
static void
probe(struct walk *w, int fd, const char *dir, int state)
{
	char name[MQ_NAME_MAX + 1];
	size_t j;

	if (!(w->states & state) || fd == -1)
		return;
	for (j = 0; j < w->nwant && !w->stop; j++)
		if (!w->here[j] && mq_name_probe(fd, w->want[j],
		    w->sp->pol.max_attempts, name))
			(void)one(w, fd, dir, name, state, 0);
}

/* Those located in state, listed again from there: each to be found
 * again (the walk of a group), or by its name (a flat directory). */
static void
relist(struct walk *w, int state, int fd, const char *dir)
{
	size_t j;

	for (j = 0; j < w->nwant; j++)
		if (w->at[j] == state) {
			w->at[j] = 0;
			w->here[j] = 0;
			w->stop = w->failed;
			w->left++;
			if (fd != -1)
				(void)one(w, fd, dir, w->names[j], state, 0);
		}
}

int
mq_ls_ids(struct mq_spool *sp, char **ids, size_t n, int states,
    int64_t now, mq_ls_fn *fn, void *arg)
{
	struct walk w;
	int64_t from = INT64_MAX;
	size_t i;
	int status = MQ_EX_OK, parked = -1;

	memset(&w, 0, sizeof(w));
	if (n == 0)
		return MQ_EX_OK;
	w.here = calloc(n, 1);
	w.at = calloc(n, sizeof(*w.at));
	w.names = calloc(n, sizeof(*w.names));
	if (w.here == NULL || w.at == NULL || w.names == NULL) {
		status = mq_fail(MQ_EX_IOERR, "memory", errno);
		goto out;
	}
	w.want = ids;
	w.nwant = w.left = n;
	if ((status = begin(&w, sp, states, now, fn, arg)) != MQ_EX_OK ||
	    w.stop)
		goto out;
	/* Where a look by name finds it, first and without listing it, so
	 * that the walk of new/ stops once all the others are found. */
	if ((states & MQ_LS_PARKED) &&
	    mq_spool_subdir(sp, &sp->parked, "parked", MQ_OPEN) == 0)
		parked = sp->parked;
	w.locate = 1;
	probe(&w, parked, "parked", MQ_LS_PARKED);
	probe(&w, mq_dlq(sp), "dlq", MQ_LS_DEAD);
	probe(&w, mq_done(sp), "done", MQ_LS_DONE);
	groups_at(&w);
	w.locate = 0;
	w.stop = w.left == 0;	/* (the function has not been called) */
	/* In new/, a message is in the leaf of its ready time: for one put
	 * without a delay its id's (or a little later), for a delayed or
	 * retried one later still. So the leaves from the earliest id's on,
	 * and those before it (a clock stepped back, a leaf full) only for
	 * an id still not found. */
	for (i = 0; i < n; i++)
		if (mq_id_ms(ids[i]) < from)
			from = mq_id_ms(ids[i]);
	from = mq_ready_key(from < 0 ? 0 : from);
	if (sp->remote == -1)
		sp->remote = mq_remote_fs(sp->new);
	if (sp->remote == 1)	/* (its puts' leaves: a second each) */
		from -= from % MQ_BUCKET_REMOTE;
	if (from > now)
		from = now;
	if (!w.stop && (states & MQ_LS_READY))
		trie(&w, sp->new, "new", 0, MQ_LS_READY, from, now);
	relist(&w, MQ_LS_HELD, -1, NULL);
	groups_at(&w);
	if (!w.stop && (states & MQ_LS_DELAYED))
		trie(&w, sp->new, "new", 0, MQ_LS_DELAYED, now + 1, INT64_MAX);
	if (!w.stop && (states & MQ_LS_READY))
		trie(&w, sp->new, "new", 0, MQ_LS_READY, INT64_MIN, from - 1);
	relist(&w, MQ_LS_PARKED, parked, "parked");
	if (!w.stop)
		flat(&w, parked, "parked", MQ_LS_PARKED);
	relist(&w, MQ_LS_DEAD, mq_dlq(sp), "dlq");
	if (!w.stop)
		flat(&w, mq_dlq(sp), "dlq", MQ_LS_DEAD);
	relist(&w, MQ_LS_DONE, mq_done(sp), "done");
	if (!w.stop)
		flat(&w, mq_done(sp), "done", MQ_LS_DONE);
out:
	free(w.ids);
	free(w.here);
	free(w.at);
	free(w.names);
	return status;
}
