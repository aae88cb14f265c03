/* writer: putting messages into a spool, one at a time or in batches.
 *
 * A message is written to tmp/ID and stamped with its ready time; it
 * waits, still open, for its batch's group commit (commit.c), which
 * fsyncs every file of the batch, puts them and prints their ids. If we
 * are killed meanwhile, the files stay in tmp/ where no reader looks; on
 * SIGINT, SIGTERM or SIGHUP they are removed first (pending.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "diag.h"
#include "dir.h"
#include "pending.h"
#include "writer.h"

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
	w->maxpend = mq_pending_max(n, MQ_BATCH);
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
	mq_pending_guard(w->pend, mq_tmp(w->sp));
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
	mq_pending_writing(mq_tmp(w->sp), w->tmp);
	w->fd = openat(mq_tmp(w->sp), w->tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0666);
	if (w->fd == -1) {
		mq_pending_writing(-1, NULL);
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
	(void)unlinkat(mq_tmp(w->sp), w->tmp, 0);
	mq_pending_writing(-1, NULL);
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
	mq_pending_end();
	free(w->ids);
	free(w->pend);
	free(w->to);
	w->ids = NULL;
	w->pend = NULL;
	w->to = NULL;
	return status;
}
