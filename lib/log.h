/* log: the retained log of a topic or a spool (retain, retain_bytes). */
#ifndef MQ_LOG_H
#define MQ_LOG_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "name.h"
#include "policy.h"
#include "spool.h"
#include "trie.h"

#define MQ_LOG_SPAN 1000	/* ms: the keys a leaf of the log holds */

struct mq_log {
	int fd;			/* the log's directory; -1: no log */
	struct mq_policy pol;	/* its retain, retain_bytes (and sync) */
	struct mq_leaf leaf;	/* the batch's leaf; fd[0] == -1: none */
	int64_t added;		/* bytes linked since the last flush */
	int64_t held;		/* bytes held after it (-1: not known) */
	char path[4096];	/* the log's, for messages */
};

/* The log of path, the target of a put: TOPIC/.log when path is a topic
 * whose TOPIC/.config sets retain or retain_bytes, SPOOL/.log when path
 * is a spool whose config does; made with MQ_CREATE. With MQ_OPEN
 * (readers), the log there whatever the config says. lg->fd -1: none.
 * Returns an exit status, the error reported. */
int mq_log_open(struct mq_log *lg, const char *path, int how);
/* The same for a put to path, whose targets sps (n of them) are open: a
 * spool's policy is read already, and one without retain costs nothing
 * more. */
int mq_log_open_put(struct mq_log *lg, const char *path, struct mq_spool **sps,
    size_t n);
/* The log a spool's messages are kept in: SPOOL/.log, or its topic's
 * (SPOOL/../.log); lg->fd -1: none. An exit status. */
int mq_log_of(struct mq_log *lg, const char *spool);
void mq_log_close(struct mq_log *lg);

/* The entry's name and leaf key of a message: its name as put. */
void mq_log_name(const struct mq_name *n, char name[MQ_NAME_MAX + 1]);
int64_t mq_log_key(const char *id);

/* Adds the message n, the file fromfd/from of size bytes, to the log: a
 * hard link, or with copy set (a grouped message) a copy of its own. 0,
 * or an errno. */
int mq_log_add(struct mq_log *lg, int fromfd, const char *from,
    const struct mq_name *n, off_t size, int copy);
/* Takes the entry of n back (its put was taken back). */
void mq_log_remove(struct mq_log *lg, const struct mq_name *n);
/* After a batch: the leaf fsynced (sync=1) and closed, the bytes counted.
 * Returns an exit status, the error reported. */
int mq_log_flush(struct mq_log *lg);
/* Prunes what retain and retain_bytes no longer keep, when a pruning is
 * due (at most every retain/16, at least once a minute). */
void mq_log_prune(struct mq_log *lg, int64_t now);
/* The millisecond of the newest id pruned from the log, or -1: none. */
int64_t mq_log_pruned(struct mq_log *lg);

/* Whether the spool has a retained log, its own or its topic's (opened
 * as sp->log on first use). */
int mq_log_present(struct mq_spool *sp);
/* Whether the file st (of message n, in a spool) has, besides its own
 * name, only its entry in that spool's log: then its times are the
 * spool's to set. sp->log is opened on first use. */
int mq_log_only_other(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st);

#endif
