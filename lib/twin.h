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

/* Whether st, a file of the message n with more than one name, has a
 * name its spool does not explain: not a group's front, not its entry in
 * the retained log. */
int mq_twin_suspect(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st);
/* For the ready file st named n in new/ (suspect): whether it is also a
 * lease of its id in cur/ (the attempt after n's, or n's own). 1: it is;
 * the name in new/ (leaffd, name) was removed, the lease is the truth
 * (reclaimed in its turn when it expires). 0: not a twin. -1: errno. */
int mq_twin_queued(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n, const struct stat *st);
/* For the lease st named n in cur/ (suspect), about to end (an ack, a
 * retry, a reclaim): removes its queued twin in new/, looked for in the
 * leaf of its id's put. 1: one was removed; 0: none there; -1: errno. */
int mq_twin_drop(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st);
/* For the lease st (NULL: looked at) named n in cur/, about to end: its
 * queued twin dropped, if it has one where mq_twin_drop looks. 1 when it
 * has a second name not found there and wait > 0 (ms left of the
 * grace): the lease is to stay where it is for now. */
int mq_twin_end(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, int64_t wait);

#endif
