/* writer: putting messages into a spool, one at a time or in batches.
 *
 * A message is written to tmp/ID and stamped with its ready time; its
 * writeback is started (writeback.c) and it waits, still open, for its
 * batch's group commit: every pending file is fsynced, then each is
 * renamed into the batch's leaf of new/ as ID,0, in the order they were
 * written, and the leaf's directory is fsynced once for up to MQ_BATCH
 * messages. Ids are printed only after that fsync, so a printed id is
 * always a durable message, and no file is renamed before its fsync. A
 * batch is committed when it is full, when the caller flushes (mq-put:
 * when its input would block, so a slow producer's ids come out at once)
 * and at the end. If we are killed meanwhile, the files stay in tmp/
 * where no reader looks; on SIGINT, SIGTERM or SIGHUP they are removed
 * first.
 *
 * To a topic, the file is written once, in the first subscriber's tmp/,
 * and hard-linked into every other subscriber's leaf before it is renamed
 * into the first one's (copied where a link cannot be made: another file
 * system). With -g, each subscriber gets its own copy, put into its group
 * (group.c) one message at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "move.h"
#include "print.h"
#include "sweep.h"
#include "writeback.h"
#include "writer.h"

static volatile sig_atomic_t sig_tmpfd = -1;
static char sig_name[MQ_ID_MAX + 1];
/* The batch waiting for its commit, in tmp/ of sig_pendfd. */
static volatile sig_atomic_t sig_pendfd = -1, sig_npend;
static struct mq_pending *sig_pend;

static void
on_signal(int sig)
{
	sig_atomic_t i;

	if (sig_tmpfd != -1)
		(void)unlinkat(sig_tmpfd, sig_name, 0);
	for (i = 0; sig_pendfd != -1 && i < sig_npend; i++)
		(void)unlinkat(sig_pendfd, sig_pend[i].tmp, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* How many files a batch may hold open: MQ_BATCH, or fewer where the
 * limit on open files would not leave room for the spools' own. */
static size_t
max_pending(size_t nto)
{
	struct rlimit rl;
	rlim_t spare = 64 + 16 * (rlim_t)nto;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= spare + MQ_BATCH)
		return MQ_BATCH;
	return rl.rlim_cur > spare ? (size_t)(rl.rlim_cur - spare) : 1;
}

static void
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

int
mq_writer_init(struct mq_writer *w, struct mq_spool **sps, size_t n,
    long limit, int64_t delay, FILE *out, int delim)
{
	size_t i;
	int status = MQ_EX_OK;

	memset(w, 0, sizeof(*w));
	w->log.fd = -1;
	w->log.leaf = (struct mq_leaf)MQ_LEAF_CLOSED;
	w->sp = sps[0];
	w->delay = delay;
	w->out = out;
	w->delim = delim;
	w->fd = -1;
	w->ids = malloc(MQ_BATCH * sizeof(*w->ids));
	w->pend = malloc(MQ_BATCH * sizeof(*w->pend));
	w->to = calloc(n, sizeof(*w->to));
	if (w->ids == NULL || w->pend == NULL || w->to == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	w->maxpend = max_pending(n);
	sig_pend = w->pend;
	sig_pendfd = w->sp->tmp;
	w->nto = n;
	for (i = 0; i < n; i++) {
		w->to[i].sp = sps[i];
		w->to[i].leaf.fd[0] = w->to[i].leaf.fd[1] = -1;
		w->to[i].leaf.fd[2] = -1;
		w->to[i].lim.fd = -1;
		w->to[i].lim.limit = limit >= 0 ? limit : sps[i]->pol.max_depth;
		/* Ids later than every put before, whatever our clock. */
		w->to[i].last = mq_counts_last(sps[i]);
		mq_id_floor(w->to[i].last);
		if (status == MQ_EX_OK)
			status = mq_limit_open(sps[i], w->to[i].lim.limit,
			    &w->to[i].lim);
	}
	catch_signals();
	return status;
}

static const char *
tmp_where(struct mq_writer *w, char *buf, size_t len)
{
	return mq_spool_where(w->sp, "tmp", w->tmp, buf, len);
}

int
mq_msg_begin(struct mq_writer *w)
{
	char what[4096];

	mq_id_new(w->tmp);	/* a name for tmp/; its id comes at commit */
	memcpy(sig_name, w->tmp, sizeof(sig_name));
	sig_tmpfd = w->sp->tmp;
	w->fd = openat(w->sp->tmp, w->tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0666);
	if (w->fd == -1) {
		sig_tmpfd = -1;
		return mq_fail(MQ_EX_CANTCREAT, tmp_where(w, what,
		    sizeof(what)), errno);
	}
	return MQ_EX_OK;
}

int
mq_msg_adopt(struct mq_writer *w, int fd, const char *tmp)
{
	snprintf(w->tmp, sizeof(w->tmp), "%s", tmp);
	w->fd = fd;
	return MQ_EX_OK;
}

int
mq_msg_write(struct mq_writer *w, const void *buf, size_t len)
{
	char what[4096];

	if (mq_write_all(w->fd, buf, len) == -1)
		return mq_fail(MQ_EX_IOERR, tmp_where(w, what, sizeof(what)),
		    errno);
	return MQ_EX_OK;
}

void
mq_msg_abort(struct mq_writer *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	(void)unlinkat(w->sp->tmp, w->tmp, 0);
	sig_tmpfd = -1;
}

/* A failed commit removes its file from tmp/: nothing is left behind. */
static int
commit_fail(struct mq_writer *w, const char *what, int err)
{
	int status = mq_fail(MQ_EX_IOERR, what, err);

	mq_msg_abort(w);
	return status;
}

/* Puts the message (tmp/ID of the first target) into target i: the last
 * one (i == 0) takes the file itself; the others get a link, or where a
 * link cannot be made (another file system), or to a group, a copy of
 * their own. 0, or an errno with *what set to the directory that failed;
 * *what NULL: reported already (a group's put), w->gstatus says how. */
static int
enter(struct mq_writer *w, size_t i, const struct mq_name *n,
    const char **what)
{
	struct mq_target *t = &w->to[i];
	int err = 0, fromfd = w->sp->tmp, copied = 0;
	char name[MQ_NAME_MAX + 1];

	*what = "new";
	mq_name_format(name, n);
	if (i > 0 && w->group == NULL) {
		err = mq_move_put(t->sp, &t->leaf, w->base + w->delay, fromfd,
		    w->tmp, name, 1);
		if (err != EXDEV)
			return err;
	}
	if (i > 0) {		/* a copy of its own, in its tmp/ */
		*what = "tmp";
		if (mq_copy_at(fromfd, w->tmp, t->sp->tmp, w->tmp,
		    t->sp->pol.sync) == -1)
			return errno;
		fromfd = t->sp->tmp;
		copied = 1;
	}
	if (w->group != NULL) {
		*what = NULL;	/* reported by the group's put */
		switch ((w->gstatus = mq_move_put_group(t->sp, fromfd, w->tmp,
		    n))) {
		case MQ_EX_OK: err = 0; break;
		case MQ_EX_LOST: *what = "tmp"; err = ENOENT; break;
		default: err = EIO; break;
		}
	} else {
		err = mq_move_put(t->sp, &t->leaf, w->base + w->delay, fromfd,
		    w->tmp, name, 0);
	}
	if (err != 0 && copied)
		(void)unlinkat(fromfd, w->tmp, 0);
	return err;
}

/* Room for the message in every target (limit.c): locked until
 * unlock_all. MQ_EX_TEMPFAIL, with *full the target that has none. */
static int
lock_all(struct mq_writer *w, size_t *full)
{
	struct mq_target *t;
	size_t i;
	int status = MQ_EX_OK;

	for (i = 0; i < w->nto && status == MQ_EX_OK; i++) {
		t = &w->to[i];
		/* A new batch looks again for a bound made meanwhile. */
		if (t->lim.fd == -1 && t->leaf.fd[0] == -1 && w->flushed)
			status = mq_limit_open(t->sp, t->lim.limit, &t->lim);
		if (status == MQ_EX_OK)
			status = mq_limit_take(t->sp, &t->lim);
		*full = i;
	}
	if (status != MQ_EX_OK)
		while (i-- > 0)
			mq_limit_done(&w->to[i].lim, 0);
	return status;
}

static void
unlock_all(struct mq_writer *w, int put)
{
	size_t i;

	for (i = 0; i < w->nto; i++)
		mq_limit_done(&w->to[i].lim, put);
}

/* The spool t is full: the message is dropped, and the rest with it. */
static int
refuse(struct mq_writer *w, size_t t)
{
	const struct mq_limit *l = &w->to[t].lim;

	mq_msg_abort(w);
	w->full = l;
	w->fullpath = w->to[t].sp->path;
	return MQ_EX_TEMPFAIL;
}

/* The name, with 0 attempts, of the writer's message id. */
static void
msg_name(const struct mq_writer *w, const char *id, struct mq_name *n)
{
	memset(n, 0, sizeof(*n));
	snprintf(n->id, sizeof(n->id), "%s", id);
	if (w->group != NULL)
		snprintf(n->group, sizeof(n->group), "%s", w->group);
	if ((n->routed = w->route != NULL))
		snprintf(n->route, sizeof(n->route), "%s", w->route);
}

/* The message, written and closed in tmp/, into every target. */
static int
enter_all(struct mq_writer *w)
{
	char what[4096];
	const char *sub;
	struct mq_name n;
	size_t i;
	int err;

	mq_id_new(w->id);	/* now: ids are in the order puts complete */
	msg_name(w, w->id, &n);
	/* The log first: all a subscriber was given is in it. */
	if (w->log.fd != -1 && (err = mq_log_add(&w->log, w->sp->tmp, w->tmp,
	    &n, w->size, w->group != NULL)) != 0)
		return commit_fail(w, w->log.path, err);
	for (i = w->nto; i-- > 0; ) {
		if ((err = enter(w, i, &n, &sub)) == 0)
			continue;
		if (w->log.fd != -1)
			mq_log_remove(&w->log, &n);
		if (sub == NULL) {
			mq_msg_abort(w);
			return w->gstatus;
		}
		if (w->to[i].leaf.why != NULL && strcmp(sub, "new") == 0) {
			mq_warnx(mq_spool_where(w->to[i].sp, "new",
			    w->to[i].leaf.bad, what, sizeof(what)), "%s",
			    w->to[i].leaf.why);
			mq_msg_abort(w);
			return MQ_EX_DATAERR;
		}
		return commit_fail(w, mq_spool_where(w->to[i].sp, sub, w->tmp,
		    what, sizeof(what)), err);
	}
	return MQ_EX_OK;
}

int
mq_msg_commit(struct mq_writer *w)
{
	struct timespec ts[2];
	struct mq_pending *p;
	struct stat st;
	char what[4096];

	if (w->npend == 0 || w->group != NULL) {
		int64_t now = mq_id_clock_ms();	/* a new batch: its put time */
		w->base = now > w->base ? now : w->base;
	}
	ts[0] = ts[1] = mq_ms_ts(w->base + w->delay);
	p = &w->pend[w->npend];
	p->size = 0;
	if (w->log.fd != -1) {
		if (fstat(w->fd, &st) == -1)
			return commit_fail(w, tmp_where(w, what, sizeof(what)),
			    errno);
		p->size = st.st_size;
	}
	if (futimens(w->fd, ts) == -1)
		return commit_fail(w, tmp_where(w, what, sizeof(what)), errno);
	if (w->sp->pol.sync)
		mq_writeback(w->fd);
	p->fd = w->fd;
	memcpy(p->tmp, w->tmp, sizeof(p->tmp));
	w->npend++;
	sig_npend = (sig_atomic_t)w->npend;	/* the handler has it now */
	sig_tmpfd = -1;
	w->fd = -1;
	if (w->npend == w->maxpend)
		return mq_writer_flush(w);
	return MQ_EX_OK;
}

/* Puts the pending message p, fsynced and closed, into every target. */
static int
put_pending(struct mq_writer *w, const struct mq_pending *p)
{
	size_t full;
	int status;

	memcpy(w->tmp, p->tmp, sizeof(w->tmp));
	w->size = p->size;
	if ((status = lock_all(w, &full)) == MQ_EX_TEMPFAIL)
		return refuse(w, full);
	if (status != MQ_EX_OK) {
		mq_msg_abort(w);
		return status;
	}
	status = enter_all(w);
	unlock_all(w, status == MQ_EX_OK);
	if (status != MQ_EX_OK)
		return status;
	memcpy(w->ids[w->n++], w->id, sizeof(w->id));
	return MQ_EX_OK;
}

/* The group commit of the pending messages: each fsynced and closed,
 * then each put, in order. At the first that fails, it and those after
 * it are dropped: their files leave tmp/. */
static int
commit_pending(struct mq_writer *w)
{
	struct mq_pending *p;
	char what[4096];
	size_t i, synced;
	int status = MQ_EX_OK;

	for (synced = 0; synced < w->npend; synced++) {
		p = &w->pend[synced];
		if (w->sp->pol.sync && mq_fsync(p->fd) == -1)
			break;
		if (close(p->fd) == -1) {
			p->fd = -1;
			break;
		}
		p->fd = -1;
	}
	if (synced < w->npend)
		status = mq_fail(MQ_EX_IOERR, mq_spool_where(w->sp, "tmp",
		    w->pend[synced].tmp, what, sizeof(what)), errno);
	/* A put that fails has removed its file: i is the one after. */
	for (i = 0; i < synced && status == MQ_EX_OK; i++)
		status = put_pending(w, &w->pend[i]);
	for (; i < w->npend; i++) {
		p = &w->pend[i];
		if (p->fd != -1)
			(void)close(p->fd);
		(void)unlinkat(w->sp->tmp, p->tmp, 0);
	}
	w->npend = 0;
	sig_npend = 0;
	return status;
}

/* Takes back the messages of ids[from..n): their ids could not be
 * printed. Says which could not be (a taker has one already). */
static void
take_back(struct mq_writer *w, size_t from, int err)
{
	struct mq_name n;
	size_t i, j, back = 0;
	int status;

	for (i = from; i < w->n; i++) {
		msg_name(w, w->ids[i], &n);
		for (j = 0, status = MQ_EX_OK; j < w->nto; j++)
			status = mq_worst(status, mq_move_withdraw(w->to[j].sp,
			    w->to[j].leaf.key, &n));
		if (status == MQ_EX_OK && w->log.fd != -1)
			mq_log_remove(&w->log, &n);
		if (status == MQ_EX_OK)
			back++;
		else
			mq_warnx(w->ids[i], "put, and taken already: its id "
			    "could not be printed");
	}
	mq_warnx("standard output", "%s: %zu message%s taken back", strerror(err),
	    back, back == 1 ? "" : "s");
}

int
mq_writer_flush(struct mq_writer *w)
{
	struct mq_target *t;
	size_t i, shown;
	int status, put, err;

	put = commit_pending(w);
	if ((status = mq_log_flush(&w->log)) != MQ_EX_OK)
		return status;
	for (i = 0; i < w->nto; i++) {
		t = &w->to[i];
		if ((status = mq_move_flush(t->sp, &t->leaf, (long)w->n)) !=
		    MQ_EX_OK)
			return status;
		mq_counts_set_last(t->sp, mq_id_last(), t->last);
		t->last = mq_id_last();
	}
	if (w->out != NULL && w->n > 0 && (shown = mq_print_ids(w->out,
	    w->ids, w->n, w->delim, &err)) < w->n) {
		take_back(w, shown, err);
		w->n = 0;
		return MQ_EX_IOERR;
	}
	w->n = 0;
	w->flushed = 1;
	if (w->full != NULL) {
		mq_warnx(w->fullpath, "spool full (%ld messages, limit %ld)",
		    w->full->depth, w->full->limit);
		w->full = NULL;
	}
	return put;
}
int
mq_writer_finish(struct mq_writer *w)
{
	size_t i;
	int status;

	if (w->fd != -1)
		mq_msg_abort(w);
	status = mq_writer_flush(w);
	if (w->log.fd != -1) {
		mq_log_prune(&w->log, mq_now_ms());
		mq_log_close(&w->log);
	}
	for (i = 0; i < w->nto; i++)
		mq_limit_close(&w->to[i].lim);
	sig_pendfd = -1;
	free(w->ids);
	free(w->pend);
	free(w->to);
	w->ids = NULL;
	w->pend = NULL;
	w->to = NULL;
	return status;
}
