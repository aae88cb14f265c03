/* lost: leases reclaimed under their holders, whose names are stale. */
#ifndef MQ_LOST_H
#define MQ_LOST_H

#include "name.h"
#include "spool.h"

/* Records that the lease n was reclaimed: no file of its id named with
 * its redrives and attempt, or fewer, is a lease again. Best effort. */
void mq_lost_record(struct mq_spool *sp, const struct mq_name *n);
/* Whether a file named n (a lease name) is a stale holder's: 1, 0, or -1
 * with errno set. */
int mq_lost_stale(struct mq_spool *sp, const struct mq_name *n);

#endif
