/* writer: putting messages into a spool, one at a time or in batches.
 *
 * A message is written to tmp/ID, stamped with its ready time, fsynced
 * and renamed into its leaf of new/ as ID,0. A batch shares one ready
 * time and so one leaf, whose directory is fsynced once for up to
 * MQ_BATCH messages; ids are printed only after that fsync, so a printed
 * id is always a durable message. If we are killed while writing, the
 * file stays in tmp/ where no reader looks; on SIGINT, SIGTERM or SIGHUP
 * it is removed first.
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "move.h"
#include "sweep.h"
#include "writer.h"

#define DEBRIS_AGE (36 * 3600)	/* seconds: maildir's rule */

static volatile sig_atomic_t sig_tmpfd = -1;
static char sig_name[MQ_ID_MAX + 1];

static void
on_signal(int sig)
{
	if (sig_tmpfd != -1)
		(void)unlinkat(sig_tmpfd, sig_name, 0);
	signal(sig, SIG_DFL);
	raise(sig);
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
    int64_t delay, FILE *out, int delim)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->sp = sps[0];
	w->delay = delay;
	w->out = out;
	w->delim = delim;
	w->fd = -1;
	w->ids = malloc(MQ_BATCH * sizeof(*w->ids));
	w->to = calloc(n, sizeof(*w->to));
	if (w->ids == NULL || w->to == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	w->nto = n;
	for (i = 0; i < n; i++) {
		w->to[i].sp = sps[i];
		w->to[i].leaf.fd[0] = w->to[i].leaf.fd[1] = -1;
		w->to[i].leaf.fd[2] = -1;
	}
	catch_signals();
	return MQ_EX_OK;
}

static const char *
tmp_where(struct mq_writer *w, char *buf, size_t len)
{
	return mq_spool_where(w->sp, "tmp", w->id, buf, len);
}

int
mq_msg_begin(struct mq_writer *w)
{
	char what[4096];

	mq_id_new(w->id);
	memcpy(sig_name, w->id, sizeof(sig_name));
	sig_tmpfd = w->sp->tmp;
	w->fd = openat(w->sp->tmp, w->id, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0666);
	if (w->fd == -1) {
		sig_tmpfd = -1;
		return mq_fail(MQ_EX_CANTCREAT, tmp_where(w, what,
		    sizeof(what)), errno);
	}
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
	(void)unlinkat(w->sp->tmp, w->id, 0);
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
		    w->id, name, 1);
		if (err != EXDEV)
			return err;
	}
	if (i > 0) {		/* a copy of its own, in its tmp/ */
		*what = "tmp";
		if (mq_copy_at(fromfd, w->id, t->sp->tmp, w->id,
		    t->sp->pol.sync) == -1)
			return errno;
		fromfd = t->sp->tmp;
		copied = 1;
	}
	if (w->group != NULL) {
		*what = NULL;	/* reported by the group's put */
		switch ((w->gstatus = mq_move_put_group(t->sp, fromfd, w->id,
		    n))) {
		case MQ_EX_OK: err = 0; break;
		case MQ_EX_LOST: *what = "tmp"; err = ENOENT; break;
		default: err = EIO; break;
		}
	} else {
		err = mq_move_put(t->sp, &t->leaf, w->base + w->delay, fromfd,
		    w->id, name, 0);
	}
	if (err != 0 && copied)
		(void)unlinkat(fromfd, w->id, 0);
	return err;
}

int
mq_msg_commit(struct mq_writer *w)
{
	struct timespec ts[2];
	char what[4096];
	const char *sub;
	struct mq_name n;
	size_t i;
	int64_t now;
	int err, fd;

	if (w->to[0].leaf.fd[0] == -1 || w->group != NULL) {
		now = mq_now_ms();	/* a new batch: its put time */
		w->base = now > w->base ? now : w->base;
	}
	ts[0] = ts[1] = mq_ms_ts(w->base + w->delay);
	if (futimens(w->fd, ts) == -1 ||
	    (w->sp->pol.sync && mq_fsync(w->fd) == -1))
		return commit_fail(w, tmp_where(w, what, sizeof(what)), errno);
	fd = w->fd;
	w->fd = -1;
	if (close(fd) == -1)
		return commit_fail(w, tmp_where(w, what, sizeof(what)), errno);
	memset(&n, 0, sizeof(n));
	memcpy(n.id, w->id, sizeof(n.id));
	if (w->group != NULL)
		snprintf(n.group, sizeof(n.group), "%s", w->group);
	for (i = w->nto; i-- > 0; ) {
		if ((err = enter(w, i, &n, &sub)) == 0)
			continue;
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
		return commit_fail(w, mq_spool_where(w->to[i].sp, sub, w->id,
		    what, sizeof(what)), err);
	}
	sig_tmpfd = -1;
	memcpy(w->ids[w->n++], w->id, sizeof(w->id));
	if (w->n == MQ_BATCH)
		return mq_writer_flush(w);
	return MQ_EX_OK;
}

int
mq_writer_flush(struct mq_writer *w)
{
	size_t i;
	int status;

	for (i = 0; i < w->nto; i++)
		if ((status = mq_move_flush(w->to[i].sp, &w->to[i].leaf,
		    (long)w->n)) != MQ_EX_OK)
			return status;
	if (w->out == NULL) {
		w->n = 0;
		return MQ_EX_OK;
	}
	for (i = 0; i < w->n; i++) {
		fputs(w->ids[i], w->out);
		putc(w->delim, w->out);
	}
	w->n = 0;
	if (fflush(w->out) == EOF || ferror(w->out))
		return mq_fail(MQ_EX_IOERR, "standard output", errno);
	return MQ_EX_OK;
}

int
mq_writer_finish(struct mq_writer *w)
{
	int status;

	if (w->fd != -1)
		mq_msg_abort(w);
	status = mq_writer_flush(w);
	free(w->ids);
	free(w->to);
	w->ids = NULL;
	w->to = NULL;
	return status;
}

/* Debris of a crashed writer: a tmp/ file untouched for 36 hours. */
static int
debris(int dirfd, const char *name, const struct stat *st, void *arg)
{
	const time_t *old = arg;

	if (mq_id_valid(name, strlen(name)) && S_ISREG(st->st_mode) &&
	    st->st_mtime < *old)
		(void)unlinkat(dirfd, name, 0);
	return 0;
}

void
mq_tmp_sweep(struct mq_spool *sp)
{
	time_t old = time(NULL) - DEBRIS_AGE;

	mq_sweep(sp->tmp, -1, NULL, 0, 0, debris, &old);
}
