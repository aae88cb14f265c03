/* commit: a writer's batch, made durable together and put.
 *
 * A committed message is stamped with its ready time, its writeback is
 * started (writeback.c) and it waits, still open, with the rest of its
 * batch. The group commit fsyncs every pending file, then renames each
 * into the batch's leaf of new/ as ID,0 in the order they were written,
 * fsyncs the leaf once for up to MQ_BATCH messages, and only then
 * prints their ids: a printed id is always a durable message, and no
 * file is renamed before its fsync. A batch is committed when it is
 * full, when the caller flushes (mq-put: when its input would block, so
 * a slow producer's ids come out at once) and at the end.
 *
 * To a topic, the file is written once, in the first subscriber's tmp/,
 * and hard-linked into every other subscriber's leaf before it is renamed
 * into the first one's (copied where a link cannot be made: another file
 * system). With -g, each subscriber gets its own copy, put into its group
 * (group.c) one message at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "move.h"
#include "pending.h"
#include "print.h"
#include "writeback.h"
#include "writer.h"

static const char *
tmp_where(struct mq_writer *w, char *buf, size_t len)
{
	return mq_spool_where(w->sp, "tmp", w->tmp, buf, len);
}

/* A failed commit removes its file from tmp/: nothing is left behind. */
static int
commit_fail(struct mq_writer *w, const char *what, int err)
{
	int status = mq_fail(MQ_EX_IOERR, what, err);

	mq_msg_abort(w);
	return status;
}

/* The ready time whose leaf message n goes into. Delayed: its stamp,
 * the batch's. Ready at once: its id's time (a lookup by id looks from
 * that leaf on), but never later than now (an id ahead of our clock,
 * made later than a put before) nor earlier than its stamp. */
static int64_t
ready_at(const struct mq_writer *w, const struct mq_name *n)
{
	int64_t at = mq_id_ms(n->id), now = mq_now_ms();

	if (w->delay > 0)
		return w->base + w->delay;
	if (at > now)
		at = now;
	return at < w->base ? w->base : at;
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
	int err = 0, fromfd = mq_tmp(w->sp), copied = 0;
	char name[MQ_NAME_MAX + 1];

	*what = "new";
	mq_name_format(name, n);
	if (i > 0 && w->group == NULL) {
		err = mq_move_put(t->sp, &t->leaf, ready_at(w, n), fromfd,
		    w->tmp, name, 1);
		if (err != EXDEV)
			return err;
	}
	if (i > 0) {		/* a copy of its own, in its tmp/ */
		*what = "tmp";
		if (mq_copy_at(fromfd, w->tmp, mq_tmp(t->sp), w->tmp,
		    t->sp->pol.sync) == -1)
			return errno;
		fromfd = mq_tmp(t->sp);
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
		err = mq_move_put(t->sp, &t->leaf, ready_at(w, n), fromfd,
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
	if (w->log.fd != -1 && (err = mq_log_add(&w->log, mq_tmp(w->sp), w->tmp,
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
	mq_pending_count(w->npend);	/* the handler has it now */
	mq_pending_writing(-1, NULL);
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
		(void)unlinkat(mq_tmp(w->sp), p->tmp, 0);
	}
	w->npend = 0;
	mq_pending_count(0);
	return status;
}

/* Takes back the messages of ids[from..n): their ids could not be
 * printed, or they could not be made durable (what: where, why: the
 * reason). Says which could not be (a taker has one already). */
static void
take_back(struct mq_writer *w, size_t from, const char *what,
    const char *why)
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
	mq_warnx(what, "%s: %zu message%s taken back", why, back,
	    back == 1 ? "" : "s");
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
		/* Renamed but not durable: no id is printed, and none is
		 * left to be delivered (mq-put's 74 leaves nothing). */
		if ((status = mq_move_flush(t->sp, &t->leaf, (long)w->n)) !=
		    MQ_EX_OK) {
			take_back(w, 0, t->sp->path, "not synced to disk");
			w->n = 0;
			return status;
		}
		mq_counts_set_last(t->sp, mq_id_last(), t->last);
		t->last = mq_id_last();
	}
	if (w->out != NULL && w->n > 0 && (shown = mq_print_ids(w->out,
	    w->ids, w->n, w->delim, &err)) < w->n) {
		take_back(w, shown, "standard output", strerror(err));
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
