/* handon: mq-run -o, a command's standard output handed on as a message.
 *
 * Each command's stdout is a file of its own in the first output spool's
 * tmp/ (a name from mq_id_new, as a put's). When the command exits 0, the
 * file is put (writer.c) into the output spool, or each subscriber of the
 * output topic, in the input's ordering group if it had one, and made
 * durable (its directory fsynced) before the input is acked. It is put
 * under the idempotency key of the input's id (key.c): when mq-run dies
 * between the put and the ack, the input is delivered again, its command
 * runs again, and the second put finds the key and puts nothing; the
 * input is acked. Downstream sees the message once, so long as the input
 * comes back within the output's dedup_window (5 minutes unless set; a
 * dedup_window of 0 turns that off). A command that writes nothing hands
 * nothing on. A put refused because the output is full (max_depth) or
 * failing retries the input after its backoff: the stage waits for the
 * next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "key.h"
#include "runner.h"

int
mq_handon_open(struct pool *p, struct job *j)
{
	struct mq_spool *to = p->o->out[0];
	char what[4096];

	mq_id_new(j->outtmp);
	j->outfd = openat(mq_tmp(to), j->outtmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0666);
	if (j->outfd == -1)
		return mq_fail(MQ_EX_CANTCREAT, mq_spool_where(to, "tmp",
		    j->outtmp, what, sizeof(what)), errno);
	return MQ_EX_OK;
}

void
mq_handon_drop(struct pool *p, struct job *j)
{
	if (j->outfd == -1)
		return;
	close(j->outfd);
	(void)unlinkat(mq_tmp(p->o->out[0]), j->outtmp, 0);
	j->outfd = -1;
}

int
mq_handon(struct pool *p, struct job *j, char *why, size_t len)
{
	struct mq_writer *w = &p->out;
	struct mq_spool *to = w->sp;
	struct mq_key k;
	char dup[MQ_ID_MAX + 1] = "";
	struct stat st;
	int status = MQ_EX_OK;

	k.fd = -1;
	if (fstat(j->outfd, &st) == 0 && st.st_size == 0) {
		mq_handon_drop(p, j);	/* nothing to hand on */
		return MQ_EX_OK;
	}
	if (to->pol.dedup_window > 0)
		status = mq_key_claim(to, j->n.id, &k, dup);
	if (status != MQ_EX_OK || dup[0] != '\0') {
		/* Handed on already, before a crash: not again. */
		mq_handon_drop(p, j);
		if (status != MQ_EX_OK)
			snprintf(why, len, "not handed on to %s (exit %d)",
			    p->o->out_path, status);
		return status;
	}
	(void)mq_msg_adopt(w, j->outfd, j->outtmp);
	j->outfd = -1;		/* the writer's now, removed if it fails */
	w->group = j->n.group[0] != '\0' ? j->n.group : NULL;
	status = mq_msg_commit(w);
	if (status == MQ_EX_OK)
		status = mq_writer_flush(w);	/* durable before the ack */
	w->group = NULL;
	if (status != MQ_EX_OK) {
		mq_key_release(to, &k);
	} else if (k.fd != -1) {
		/* Put: the input is acked whatever the key's fate (said). */
		p->status = mq_worst(p->status, mq_key_record(to, &k, w->id));
	}
	if (status == MQ_EX_TEMPFAIL)
		snprintf(why, len, "not handed on: %s is full",
		    p->o->out_path);
	else if (status != MQ_EX_OK)
		snprintf(why, len, "not handed on to %s (exit %d)",
		    p->o->out_path, status);
	return status;
}
