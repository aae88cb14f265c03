/* counts: how many messages were ever put and acked, in SPOOL/.counts. */
#ifndef MQ_COUNTS_H
#define MQ_COUNTS_H

#include <stdint.h>

#include "spool.h"

enum { MQ_PUTS, MQ_ACKS, MQ_LAST };

/* Adds n to a counter. Best effort: a failure is silent. With
 * sp->count_later (a batch of acks), acks are added up and written at
 * most every 256 or every second, and by mq_counts_flush. */
void mq_count(struct mq_spool *sp, int which, long n);
/* Writes the acks added up. Before the spool is closed. */
void mq_counts_flush(struct mq_spool *sp);
/* The time (us) of the latest id put, or 0. */
int64_t mq_counts_last(struct mq_spool *sp);
/* Records us as the latest put, when it is later than was (what
 * mq_counts_last said). Best effort, unlocked: concurrent producers may
 * leave either's, which is as good a floor. */
void mq_counts_set_last(struct mq_spool *sp, int64_t us, int64_t was);
/* Reads both counters; -1 when the spool has none yet. */
int mq_counts_read(struct mq_spool *sp, int64_t *puts, int64_t *acks);

#endif
