/* counts: how many messages were ever put and acked, in SPOOL/.counts. */
#ifndef MQ_COUNTS_H
#define MQ_COUNTS_H

#include <stdint.h>

#include "spool.h"

enum { MQ_PUTS, MQ_ACKS };

/* Adds n to a counter. Best effort: a failure is silent. */
void mq_count(struct mq_spool *sp, int which, long n);
/* Reads both counters; -1 when the spool has none yet. */
int mq_counts_read(struct mq_spool *sp, int64_t *puts, int64_t *acks);

#endif
