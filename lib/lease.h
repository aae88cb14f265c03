/* lease: checking a lease path given by a user, and a runner's lock. */
#ifndef MQ_LEASE_H
#define MQ_LEASE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "name.h"
#include "spool.h"

struct mq_lease {
	struct mq_spool own;	/* opened by mq_lease_open; own.path != NULL */
	struct mq_spool *sp;	/* the lease's spool: &own, or one held open */
	char name[MQ_NAME_MAX + 1];	/* in sp's cur/ */
	struct mq_name n;
	struct stat st;		/* the lease's file, as opened */
};

/* Checks path, without touching anything, as SPOOL/cur/ID,N: sets spool
 * (len bytes), *name (in path) and n. NULL, or why it is not a lease. */
const char *mq_lease_path(const char *path, char *spool, size_t len,
    const char **name, struct mq_name *n);
/* Resolves path as SPOOL/cur/ID,N, reusing l->own when it is that spool.
 * Returns an exit status: 65 for anything that is not a lease, 2 for a
 * lease that is no longer held; the error already reported. */
int mq_lease_open(struct mq_lease *l, const char *path);
void mq_lease_close(struct mq_lease *l);
/* Takes a shared lock on cur/name for as long as the returned descriptor
 * is open: a runner's sign that the lease is alive. -1 on failure. */
int mq_lease_lock(struct mq_spool *sp, const char *name);
/* Whether another process holds a lock on cur/name. */
int mq_lease_locked(struct mq_spool *sp, const char *name);
/* Says that the lease path is no longer held; MQ_EX_LOST. */
int mq_lease_lost(const char *path);

#endif
