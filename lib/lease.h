/* lease: checking a lease path given by a user, and completing a lease. */
#ifndef MQ_LEASE_H
#define MQ_LEASE_H

#include "name.h"
#include "spool.h"

struct mq_lease {
	struct mq_spool sp;	/* open while sp.path != NULL */
	char name[MQ_NAME_MAX + 1];
	struct mq_name n;
};

/* Resolves path as SPOOL/cur/ID,N, reusing l->sp when it is that spool.
 * Returns an exit status: 65 for anything that is not a lease, 2 for a
 * lease that is no longer held; the error already reported. */
int mq_lease_open(struct mq_lease *l, const char *path);
void mq_lease_close(struct mq_lease *l);
/* Completes the lease: unlinked, or moved to done/ when the spool keeps. */
int mq_lease_ack(struct mq_lease *l, const char *path);

#endif
