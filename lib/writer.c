/* writer: putting messages into a spool, one at a time or in batches.
 *
 * A message is written to tmp/ID, stamped with its ready time, fsynced
 * and renamed into its leaf of new/ as ID,0. A batch shares one ready
 * time and so one leaf, whose directory is fsynced once for up to
 * MQ_BATCH messages; ids are printed only after that fsync, so a printed
 * id is always a durable message. If we are killed while writing, the
 * file stays in tmp/ where no reader looks; on SIGINT, SIGTERM or SIGHUP
 * it is removed first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "wait.h"
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
mq_writer_init(struct mq_writer *w, struct mq_spool *sp, int64_t delay,
    FILE *out, int delim)
{
	memset(w, 0, sizeof(*w));
	w->sp = sp;
	w->delay = delay;
	w->out = out;
	w->delim = delim;
	w->fd = -1;
	w->leaf.fd[0] = w->leaf.fd[1] = w->leaf.fd[2] = -1;
	if ((w->ids = malloc(MQ_BATCH * sizeof(*w->ids))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
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

int
mq_msg_commit(struct mq_writer *w)
{
	struct timespec ts[2];
	char name[MQ_NAME_MAX + 1], what[4096];
	struct mq_name n;
	int64_t now;
	int err, fd;

	if (w->leaf.fd[0] == -1) {	/* a new batch: its put time */
		now = mq_now_ms();
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
	memcpy(n.id, w->id, sizeof(n.id));
	n.attempts = n.gen = 0;
	mq_name_format(name, &n);
	err = mq_leaf_enter(w->sp, &w->leaf, w->base + w->delay, w->sp->tmp,
	    w->id, name);
	if (err != 0)
		return commit_fail(w, mq_spool_where(w->sp, "new", name, what,
		    sizeof(what)), err);
	sig_tmpfd = -1;
	memcpy(w->ids[w->n++], w->id, sizeof(w->id));
	if (w->n == MQ_BATCH)
		return mq_writer_flush(w);
	return MQ_EX_OK;
}

int
mq_writer_flush(struct mq_writer *w)
{
	char what[4096];
	size_t i;
	int err;

	if (w->leaf.fd[0] != -1) {
		err = w->sp->pol.sync ? mq_leaf_sync(w->sp, &w->leaf) : 0;
		mq_leaf_close(&w->leaf);
		if (err != 0)
			return mq_fail(MQ_EX_IOERR, mq_spool_where(w->sp,
			    "new", NULL, what, sizeof(what)), err);
		mq_ring(w->sp);
		mq_count(w->sp, MQ_PUTS, (long)w->n);
	}
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
	w->ids = NULL;
	return status;
}

void
mq_tmp_sweep(struct mq_spool *sp)
{
	struct mq_names names;
	struct stat st;
	time_t old = time(NULL) - DEBRIS_AGE;
	size_t i;

	if (mq_dir_list(sp->tmp, &names) == -1)
		return;
	for (i = 0; i < names.n; i++) {
		if (!mq_id_valid(names.v[i], strlen(names.v[i])) ||
		    fstatat(sp->tmp, names.v[i], &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime < old)
			(void)unlinkat(sp->tmp, names.v[i], 0);
	}
	mq_names_free(&names);
}

struct count {
	long n, limit;
};

static int
count_one(struct mq_spool *sp, int leaffd, const char *leaf, const char *name,
    void *arg)
{
	struct count *c = arg;

	(void)sp;
	(void)leaffd;
	(void)leaf;
	(void)name;
	return ++c->n >= c->limit ? 1 : 0;
}

int
mq_depth(struct mq_spool *sp, long limit, long *count)
{
	struct mq_names names;
	struct count c;
	char what[4096];

	if (mq_dir_list(sp->cur, &names) == -1)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "cur", NULL,
		    what, sizeof(what)), errno);
	c.n = (long)names.n;
	c.limit = limit;
	mq_names_free(&names);
	if (c.n < limit && mq_ready_walk(sp, INT64_MAX, count_one, &c) == -1)
		return MQ_EX_IOERR;
	*count = c.n;
	return MQ_EX_OK;
}
