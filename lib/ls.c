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

static const char *const names[] = { "expired", "leased", "ready", "held",
    "delayed", "parked", "dead", "done" };

const char *
mq_ls_state_name(int state)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (state == 1 << i)
			return names[i];
	return "?";
}

int
mq_ls_state_bit(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1 << i;
	return 0;
}

int
mq_ls_states(const char *s)
{
	char buf[256], *p, *save = NULL;
	int bits = 0, b;

	if (strcmp(s, "all") == 0)
		return MQ_LS_ALL;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		buf[0] = '\0';
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if ((b = mq_ls_state_bit(p)) == 0) {
			mq_warnx("-s", "%s: not a state (ready delayed held "
			    "leased expired parked dead done, or all)", p);
			return 0;
		}
		bits |= b;
	}
	if (bits == 0)
		mq_warnx("-s", "no state named");
	return bits;
}

struct walk {
	struct mq_spool *sp;
	int states;
	int64_t now;
	mq_ls_fn *fn;
	void *arg;
	char (*ids)[MQ_ID_MAX + 1];	/* cur/'s, sorted */
	size_t nids;
	int stop;
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

	if (w->stop || strlen(name) > MQ_NAME_MAX ||
	    mq_name_parse(name, &m.n) == -1)
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
	m.state = state;
	m.dir = dir;
	m.dirfd = dirfd;
	m.name = name;
	m.when = when;
	m.size = st.st_size;
	if (w->fn(w->sp, &m, w->arg) != 0)
		w->stop = 1;
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

static void
groups(struct walk *w)
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
		trie(w, fd, path, MQ_WALK_MIXED, MQ_LS_HELD, INT64_MIN,
		    INT64_MAX);
		close(fd);
	}
	mq_names_free(&g);
}

/* A name of dlq/ or done/, as readdir gives it (nothing kept). */
static int
flat_one(const char *name, void *arg)
{
	struct walk *w = arg;

	(void)one(w, w->dirfd, w->dir, name, w->state, 0);
	return 0;
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

int
mq_ls(struct mq_spool *sp, int states, int64_t now, mq_ls_fn *fn, void *arg)
{
	struct walk w;
	char what[4096];

	memset(&w, 0, sizeof(w));
	w.sp = sp;
	w.states = states;
	w.now = now;
	w.fn = fn;
	w.arg = arg;
	if (read_cur(&w) == -1)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "cur", NULL,
		    what, sizeof(what)), errno);
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
	flat(&w, sp->dlq, "dlq", MQ_LS_DEAD);
	flat(&w, sp->done, "done", MQ_LS_DONE);
	free(w.ids);
	return MQ_EX_OK;
}
