/* spool: opening and creating a spool; the protocol is told in spool.c. */
#ifndef MQ_SPOOL_H
#define MQ_SPOOL_H

#include <sys/types.h>

#include "policy.h"

struct mq_spool {
	char *path;		/* as given, trailing slashes removed */
	int fd;			/* the spool directory */
	int new, cur;
	int tmp, dlq, done;	/* opened when first used (mq_tmp, ...) */
	int late_said;		/* one of those could not be: said once */
	int reason, key, group, lost;	/* opened when first needed; -1 until */
	int parked;		/* parked/ (mq-park), the same */
	int log;		/* the log it is kept in (log.c): -1 until,
				 * -2 none */
	int counts;		/* .counts, opened when first needed */
	int count_later;	/* counts.c: add up acks, write them later */
	long acks_due;		/* acked, not yet in .counts */
	int64_t due_since;	/* ms, the first of them */
	int claim;		/* .claim (claim.c): -1 until, -2 none */
	int remote;		/* mq_remote_fs(new); -1 until asked */
	struct mq_policy pol;
};

enum { MQ_OPEN = 0, MQ_CREATE = 1 };

/* Opens (or with MQ_CREATE makes) the spool at path and reads its policy.
 * Returns an exit status, the error already reported. */
int mq_spool_open(struct mq_spool *sp, const char *path, int how);
void mq_spool_close(struct mq_spool *sp);
/* Opens (once) the directory reason/ or key/ into *fd, making it with
 * MQ_CREATE. 0, or -1 with errno set (ENOENT: absent). */
int mq_spool_subdir(struct mq_spool *sp, int *fd, const char *name, int how);
/* tmp/, dlq/ and done/, which most runs of a program never touch: each
 * opened at its first use (on a network file system an open is round
 * trips), -1 with errno set when it cannot be, said once. */
int mq_spool_late(struct mq_spool *sp, int *fd, const char *name);
static inline int
mq_tmp(struct mq_spool *sp)
{
	return sp->tmp != -1 ? sp->tmp : mq_spool_late(sp, &sp->tmp, "tmp");
}
static inline int
mq_dlq(struct mq_spool *sp)
{
	return sp->dlq != -1 ? sp->dlq : mq_spool_late(sp, &sp->dlq, "dlq");
}
static inline int
mq_done(struct mq_spool *sp)
{
	return sp->done != -1 ? sp->done : mq_spool_late(sp, &sp->done,
	    "done");
}
/* The umask the user gave (a shared spool's open clears its group bits
 * for mq's own files): for commands mq-run starts. */
mode_t mq_user_umask(void);
/* "SPOOL/sub/name" into buf; name may be NULL. */
const char *mq_spool_where(const struct mq_spool *sp, const char *sub,
    const char *name, char *buf, size_t len);

#endif
