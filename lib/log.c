/* log: the retained log of a topic or a spool (retain, retain_bytes).
 *
 * A topic whose TOPIC/.config sets retain (a duration) or retain_bytes
 * (a size), or a spool whose config does, keeps every message put in a
 * log, TOPIC/.log/ or SPOOL/.log/ (a name with a dot: never a subscriber
 * of the topic): a trie like new/'s, keyed by the second of the message's
 * id (K1/K2/000/NAME), NAME its name as put ("ID,0", or "ID,0,0,GROUP").
 * An entry is one more hard link of the file the subscribers were given,
 * so retention costs no copy of a payload; a grouped message's entry is a
 * copy of its own, as each subscriber's is (a group counts a member's
 * links). The entry is made before the message enters any subscriber and
 * synced with the batch's leaves, so all a subscriber was given is in the
 * log. The log never reads a file's times (an entry's age is its id's),
 * so a taker may stamp a file shared with the log alone as its own.
 *
 * .bytes, in the log, holds the bytes retained as a decimal line, kept in
 * place under an fcntl lock and never fsynced: a crash between a link and
 * its count leaves it low (a little more kept than asked), between an
 * unlink and its count high (a little more pruned); .pruned, the
 * millisecond of the newest id pruned, so a replay can say what is gone.
 * Pruning is done by
 * puts, at most every retain/16 and at least once a minute (the mtime of
 * .swept), or at once when the bytes held pass retain_bytes by a
 * sixteenth: from the oldest leaf, the entries older than retain go, then
 * the oldest while more than retain_bytes are held; it costs what it
 * removes, and the leaves' directories emptied.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "log.h"
#include "sweep.h"

static void
log_init(struct mq_log *lg)
{
	memset(lg, 0, sizeof(*lg));
	lg->fd = -1;
	lg->leaf = (struct mq_leaf)MQ_LEAF_CLOSED;
	mq_policy_defaults(&lg->pol);
}

/* dirfd/.log, made when how says (and fsynced into dirfd). */
static int
open_dir(struct mq_log *lg, int dirfd, const char *dir, int how)
{
	snprintf(lg->path, sizeof(lg->path), "%s/.log", dir);
	if ((lg->fd = mq_opendir(dirfd, ".log")) != -1)
		return MQ_EX_OK;
	if (errno != ENOENT)
		return mq_fail_entry(MQ_EX_IOERR, lg->path, dirfd, ".log",
		    S_IFDIR, errno);
	if (how != MQ_CREATE)
		return MQ_EX_OK;
	if ((mkdirat(dirfd, ".log", 0777) == -1 && errno != EEXIST) ||
	    mq_fsync(dirfd) == -1 ||
	    (lg->fd = mq_opendir(dirfd, ".log")) == -1)
		return mq_fail(MQ_EX_CANTCREAT, lg->path, errno);
	return MQ_EX_OK;
}

int
mq_log_open(struct mq_log *lg, const char *path, int how)
{
	struct stat st;
	int dirfd, topic, status;

	log_init(lg);
	if ((dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? MQ_EX_OK : mq_fail(MQ_EX_IOERR, path,
		    errno);
	/* A spool has new/ (a put has made it by now); a topic does not. */
	topic = fstatat(dirfd, "new", &st, AT_SYMLINK_NOFOLLOW) == -1;
	status = mq_policy_read_file(&lg->pol, dirfd, topic ? ".config" :
	    "config", path);
	if (status == MQ_EX_OK)
		status = open_dir(lg, dirfd, path, how == MQ_CREATE &&
		    (lg->pol.retain > 0 || lg->pol.retain_bytes > 0) ?
		    MQ_CREATE : MQ_OPEN);
	close(dirfd);
	return status;
}

int
mq_log_open_put(struct mq_log *lg, const char *path, struct mq_spool **sps,
    size_t n)
{
	struct mq_spool *sp = sps[0];

	if (n != 1 || strcmp(sp->path, path) != 0)
		return mq_log_open(lg, path, MQ_CREATE);	/* a topic */
	/* A spool: its policy is read; no retain, nothing more to do. */
	log_init(lg);
	if (sp->pol.retain <= 0 && sp->pol.retain_bytes <= 0)
		return MQ_EX_OK;
	lg->pol = sp->pol;
	return open_dir(lg, sp->fd, path, MQ_CREATE);
}

int
mq_log_of(struct mq_log *lg, const char *spool)
{
	char up[4096];
	int status;

	if ((status = mq_log_open(lg, spool, MQ_OPEN)) != MQ_EX_OK ||
	    lg->fd != -1)
		return status;
	/* A subscriber's: its topic's (the spool is one if that has a
	 * .log). */
	if (snprintf(up, sizeof(up), "%s/..", spool) >= (int)sizeof(up))
		return MQ_EX_OK;
	status = mq_log_open(lg, up, MQ_OPEN);
	return status;
}

void
mq_log_close(struct mq_log *lg)
{
	mq_leaf_close(&lg->leaf);
	if (lg->fd != -1)
		close(lg->fd);
	lg->fd = -1;
}

void
mq_log_name(const struct mq_name *n, char name[MQ_NAME_MAX + 1])
{
	struct mq_name put = *n;

	put.attempts = 0;
	put.gen = 0;
	mq_name_format(name, &put);
}

int64_t
mq_log_key(const char *id)
{
	int64_t ms = mq_id_ms(id);

	return ms - ms % MQ_LOG_SPAN;
}

int
mq_log_add(struct mq_log *lg, int fromfd, const char *from,
    const struct mq_name *n, off_t size, int copy)
{
	char name[MQ_NAME_MAX + 1];
	int64_t key = mq_log_key(n->id);
	int err;

	mq_log_name(n, name);
	if (lg->leaf.fd[0] != -1 && lg->leaf.key != key) {
		if (lg->pol.sync && mq_leaf_sync(&lg->leaf) == -1)
			return errno;
		mq_leaf_close(&lg->leaf);
	}
	if (copy) {
		if (lg->leaf.fd[0] == -1 &&
		    (err = mq_leaf_open(lg->fd, key, &lg->leaf)) != 0)
			return err;
		if (mq_copy_at(fromfd, from, lg->leaf.fd[2], name,
		    lg->pol.sync) == -1)
			return errno;
	} else if ((err = mq_leaf_enter(lg->fd, &lg->leaf, key, fromfd, from,
	    name, MQ_LEAF_LINK)) != 0) {
		return err;
	}
	lg->added += size;
	return 0;
}

void
mq_log_remove(struct mq_log *lg, const struct mq_name *n)
{
	char name[MQ_NAME_MAX + 1];

	mq_log_name(n, name);
	(void)mq_leaf_unlink(lg->fd, mq_log_key(n->id), name);
}

/* A counter file of the log (.bytes, .pruned), opened and locked; -1
 * with errno set. */
static int
counter_open(struct mq_log *lg, const char *name)
{
	struct stat st;
	int fd;

	fd = mq_openfile(lg->fd, name, O_RDWR | O_CREAT, 0666, &st);
	if (fd == -1)
		return -1;
	if (st.st_nlink != 1 || mq_lock(fd, F_WRLCK, 0, 0, 1) == -1) {
		close(fd);
		errno = EPERM;	/* (linked from elsewhere: not written) */
		return -1;
	}
	return fd;
}

static int64_t
counter_read(int fd)
{
	char buf[32];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

/* The counter moved by delta (not below 0), or with most set raised to
 * delta if less; what it holds now, or -1. */
static int64_t
counter(struct mq_log *lg, const char *name, int64_t delta, int most)
{
	char buf[32];
	int64_t v, was;
	int fd, n;

	if ((fd = counter_open(lg, name)) == -1)
		return -1;
	was = counter_read(fd);
	v = most ? (was > delta ? was : delta) : was + delta;
	if (v < 0)
		v = 0;
	n = snprintf(buf, sizeof(buf), "%020" PRId64 "\n", v);
	if (v != was && (pwrite(fd, buf, (size_t)n, 0) != n))
		v = -1;
	close(fd);
	return v;
}

static int64_t
bytes_add(struct mq_log *lg, int64_t delta)
{
	return counter(lg, ".bytes", delta, 0);
}

int
mq_log_flush(struct mq_log *lg)
{
	int status = MQ_EX_OK;

	if (lg->fd == -1 || lg->leaf.fd[0] == -1)
		return MQ_EX_OK;
	if (lg->pol.sync && mq_leaf_sync(&lg->leaf) == -1)
		status = mq_fail(MQ_EX_IOERR, lg->path, errno);
	mq_leaf_close(&lg->leaf);
	if (lg->added > 0)	/* (a count: best effort) */
		lg->held = bytes_add(lg, lg->added);
	lg->added = 0;
	return status;
}

/* A pruning: what goes, and how much went. */
struct prune {
	int64_t cutoff;		/* an entry whose id is older goes */
	int64_t over;		/* bytes still to go for retain_bytes */
	int64_t freed;
	int64_t newest;		/* the newest id's ms pruned (-1: none) */
};

static int
prune_leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	struct prune *p = arg;
	struct mq_names files;
	struct stat st;
	size_t i, kept = 0;

	(void)path;
	if (mq_dir_list(leaffd, &files) == -1)
		return 0;
	mq_names_heapify(&files);
	for (i = 0; i < files.n; i++) {
		const char *f = mq_names_pop(&files);

		if (mq_id_ms(f) >= p->cutoff && p->over <= 0) {
			kept = files.n - i;
			break;
		}
		/* (a stray, or one we may not remove: passed over) */
		if (fstatat(leaffd, f, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode) || unlinkat(leaffd, f, 0) == -1)
			continue;
		p->freed += st.st_size;
		p->over -= st.st_size;
		if (mq_id_ms(f) > p->newest)
			p->newest = mq_id_ms(f);
	}
	mq_names_free(&files);
	(void)key;	/* (the entries' own ids say their age) */
	if (kept > 0)
		return MQ_WALK_STOP;
	return MQ_WALK_EMPTY;
}

void
mq_log_prune(struct mq_log *lg, int64_t now)
{
	struct prune p = { INT64_MIN, 0, 0, -1 };
	struct mq_walk w = { .root = lg->fd, .path = lg->path,
	    .from = INT64_MIN, .until = INT64_MAX,
	    .flags = MQ_WALK_PRUNE | MQ_WALK_QUIET, .leaf = prune_leaf,
	    .arg = &p };
	int64_t every = lg->pol.retain / 16, held;

	if (lg->fd == -1 || (lg->pol.retain <= 0 && lg->pol.retain_bytes <= 0))
		return;
	if (every <= 0 || every > 60000)
		every = 60000;
	/* Due by time, or at once when the bytes are over by a sixteenth
	 * (they go down to retain_bytes: not a pruning for each put). */
	if (!(lg->pol.retain_bytes > 0 && lg->held > lg->pol.retain_bytes +
	    lg->pol.retain_bytes / 16) &&
	    !mq_sweep_due(lg->fd, ".swept", every, now))
		return;
	if (lg->pol.retain > 0)
		p.cutoff = now - lg->pol.retain;
	if (lg->pol.retain_bytes > 0 && (held = bytes_add(lg, 0)) > 0)
		p.over = held - lg->pol.retain_bytes;
	if (p.cutoff == INT64_MIN && p.over <= 0)
		return;
	/* Leaves wholly older than the cutoff are emptied and removed; the
	 * walk stops at the first entry kept. */
	(void)mq_trie_walk(&w);
	if (p.freed > 0)
		(void)bytes_add(lg, -p.freed);
	if (p.newest >= 0)	/* what replays are told is gone */
		(void)counter(lg, ".pruned", p.newest, 1);
}

int64_t
mq_log_pruned(struct mq_log *lg)
{
	struct stat st;

	if (lg->fd == -1 || fstatat(lg->fd, ".pruned", &st,
	    AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	return counter(lg, ".pruned", 0, 0);
}

int
mq_log_present(struct mq_spool *sp)
{
	/* Its own log, or its topic's: only whether one is there (a take
	 * of a topic's file pays two opens once, not the configs' reads). */
	if (sp->log == -1 && (sp->log = mq_opendir(sp->fd, ".log")) == -1 &&
	    (sp->log = mq_opendir(sp->fd, "../.log")) == -1)
		sp->log = -2;
	return sp->log >= 0;
}

int
mq_log_only_other(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st)
{
	struct mq_leaf lf;
	struct stat e;
	char name[MQ_NAME_MAX + 1];
	int r;

	if (st->st_nlink != 2 || n->group[0] != '\0' || !mq_log_present(sp))
		return 0;
	mq_log_name(n, name);
	if (mq_leaf_find(sp->log, mq_log_key(n->id), &lf) == -1)
		return 0;
	r = fstatat(lf.fd[2], name, &e, AT_SYMLINK_NOFOLLOW) == 0 &&
	    e.st_ino == st->st_ino && e.st_dev == st->st_dev;
	mq_leaf_close(&lf);
	return r;
}
