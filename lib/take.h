/* take: leasing ready messages, and reclaiming expired leases. */
#ifndef MQ_TAKE_H
#define MQ_TAKE_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "spool.h"

/* Called with each new lease's name (in cur/); nonzero stops the take. */
typedef int mq_lease_fn(struct mq_spool *sp, const char *lease, void *arg);

/* Moves expired leases back to new/ (or to dlq/ when their attempts are
 * used up). Returns an exit status. */
int mq_reclaim(struct mq_spool *sp, int64_t now);
/* Leases up to count ready messages, oldest first, each for timeout ms.
 * *taken says how many; returns an exit status. */
int mq_take(struct mq_spool *sp, size_t count, int64_t timeout,
    mq_lease_fn *fn, void *arg, size_t *taken);
/* Moves the message n from fromfd to dlq/ under the same name, stamped
 * with the time of death. With why, the system decided: why becomes its
 * reason (reason.h), written first. MQ_EX_LOST when it was not there. */
int mq_bury(struct mq_spool *sp, int fromfd, const struct mq_name *n,
    int64_t now, const char *why);

#endif
