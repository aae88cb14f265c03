/* writer: putting messages into a spool, one at a time or in batches. */
#ifndef MQ_WRITER_H
#define MQ_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "name.h"
#include "limit.h"
#include "log.h"
#include "pending.h"
#include "spool.h"
#include "trie.h"

#define MQ_BATCH 256		/* messages per directory fsync and leaf */


/* A spool a message goes to: one, or each subscriber of a topic. */
struct mq_target {
	struct mq_spool *sp;
	struct mq_leaf leaf;	/* the batch's leaf; fd[0] == -1: none */
	struct mq_limit lim;	/* its bound (limit.c) */
	int64_t last;		/* its put_last when we began (counts.c) */
};

struct mq_writer {
	struct mq_spool *sp;	/* the first target: its tmp/ is written */
	struct mq_target *to;
	size_t nto;
	const char *group;	/* -g, or NULL */
	const char *route;	/* -s, or NULL */
	int gstatus;		/* how the group's put failed */
	int64_t delay;		/* ms until a new message is ready */
	int64_t base;		/* the batch's put time, ms: its stamps */
	FILE *out;		/* where ids are printed (NULL: nowhere) */
	int delim;		/* '\n' or '\0' after each id */
	struct mq_pending *pend;	/* written, waiting for the commit */
	size_t npend, maxpend;	/* how many; at most (open files allow) */
	size_t n;		/* ids put but not yet synced and printed */
	int flushed;		/* a batch went out: look for bounds anew */
	const struct mq_limit *full;	/* the bound a put found reached */
	const char *fullpath;	/* its spool */
	char (*ids)[MQ_ID_MAX + 1];
	int fd;			/* the message being written, or -1 */
	char tmp[MQ_ID_MAX + 1];	/* its name in tmp/ */
	char id[MQ_ID_MAX + 1];	/* its id: made when it is committed */
	off_t size;		/* its bytes (known when there is a log) */
	struct mq_log log;	/* the retained log, if any: opened by the
				 * caller (mq_log_open of the target named,
				 * MQ_CREATE), closed by mq_writer_finish */
};

/* A writer to the n spools of sps (n > 1: a topic's subscribers, each
 * given every message under the same id, by hard links when it can),
 * each holding at most limit messages (-1: its max_depth; 0: no limit).
 * An id is made when its message is committed, so ids (and a group's
 * order) follow the order puts complete in, and each is later than any
 * put before it into these spools, whatever the clock says. */
int mq_writer_init(struct mq_writer *w, struct mq_spool **sps, size_t n,
    long limit, int64_t delay, FILE *out, int delim);
/* Syncs and prints what is pending; then frees. Returns an exit status. */
int mq_writer_finish(struct mq_writer *w);

/* A message: begin, write its bytes, then commit or abort. Each returns
 * an exit status, the error already reported; after a failed write,
 * abort (a failed commit has already removed its file). A commit only
 * starts the file's writeback and keeps it pending: the batch's flush
 * (at MQ_BATCH messages, or when the caller flushes) fsyncs every
 * pending file, puts them in the order they were committed, fsyncs the
 * leaf once and then prints their ids. An error of a pending message's
 * put is reported by the flush (or the commit that filled the batch). */
int mq_msg_begin(struct mq_writer *w);
int mq_msg_write(struct mq_writer *w, const void *buf, size_t len);
/* Instead of begin and write: a message written by someone else (mq-run
 * -o: a command's stdout) to fd, tmp/tmp of the writer's first spool, its
 * name made by mq_id_new. Commit or abort it as any other. */
int mq_msg_adopt(struct mq_writer *w, int fd, const char *tmp);
int mq_msg_commit(struct mq_writer *w);
void mq_msg_abort(struct mq_writer *w);
/* Makes the pending messages durable, puts them and prints their ids.
 * Those whose ids cannot be printed are taken back, where no taker has
 * them yet. After a failure the rest of the pending ones are dropped
 * (their files removed from tmp/) and those put before are printed. */
int mq_writer_flush(struct mq_writer *w);

#endif
