/* twin: one message file under two names, queued in new/ and leased in
 * cur/ (a rename a file server's return left half done). */
#ifndef MQ_TWIN_H
#define MQ_TWIN_H

#include <stdint.h>
#include <sys/stat.h>

#include "name.h"
#include "spool.h"

/* How long an expired lease with an unexplained second name waits for a
 * taker to meet its queued twin before it is reclaimed as it is (ms). */
#define MQ_TWIN_GRACE 60000

/* For the ready file st named n in new/, with a name more than it
 * should have: whether it is also a lease of its id in cur/ (the
 * attempt after n's, or n's own). 1: it is; the name in new/ (leaffd,
 * name) was removed, the lease is the truth (reclaimed in its turn when
 * it expires). 0: not a twin. -1: errno. */
int mq_twin_queued(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n, const struct stat *st);
/* For the lease st (NULL: looked at) named n in cur/, about to end (an
 * ack, a retry, an unclaim, a burial, a reclaim): its queued twin
 * removed from the leaf of its id's put, if it has one there. 1 when it
 * has a second name not found there and wait > 0 (ms left of the
 * grace): the lease is to stay where it is for now. */
int mq_twin_end(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, int64_t wait);

#endif
